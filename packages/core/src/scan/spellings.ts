/**
 * Until 2026-12-04 an internationalised domain's two spellings were two comparison forms
 * (`jonas@xn--bckerei-5wa.de` beside `jonas@bäckerei.de`); core/identity normalizeAddress now
 * writes the Unicode one. Meetings are read again (MEETING_SHAPE 8), sent mail is not, and what the
 * owner said and did about a person is stored under their address: these bring what an earlier
 * release stored in the ASCII spelling to today's, so nothing the owner did is lost (helper-160).
 */
import type { OwnerStatements } from "../events";
import { normalizeAddress } from "../identity";
import type { MailMessage } from "../model";
import type { PersonRecord, Repository } from "../storage";
import { keys } from "../storage/keys";

/**
 * The address in today's comparison form, where an earlier release stored another spelling: an
 * ASCII `xn--` one, or a Unicode one UTS #46 maps further (full-width letters).
 */
const respelt = (address: string) => (address.includes("xn--") || /[^\x00-\x7f]/.test(address) ? (normalizeAddress(address) ?? address) : address);

/** Stored messages with their addresses in today's comparison form; every message already in it as it is. */
export function refoldStored(messages: MailMessage[]): MailMessage[] {
  const stale = (a: string | undefined) => a !== undefined && respelt(a) !== a;
  return messages.map((m) =>
    stale(m.from) || m.recipients.some((r) => stale(r.email))
      ? { ...m, ...(m.from ? { from: respelt(m.from) } : {}), recipients: m.recipients.map((r) => ({ ...r, email: respelt(r.email) })) }
      : m,
  );
}

/**
 * Moves, once, a person's record (stage, draft), their draft claim and the owner's "I met them"
 * confirmations from an address's earlier spelling to today's, each written under the new key
 * before the old is deleted (a run cut off between does it again from what is left). Returns the
 * people and statements as stored now; those given when nothing was stale.
 */
export async function respellRecords(repo: Repository, account: string, people: PersonRecord[], statements: OwnerStatements): Promise<{ people: PersonRecord[]; statements: OwnerStatements }> {
  const stalePeople = people.filter((p) => respelt(p.email) !== p.email);
  const staleSays = statements.confirmations.filter((c) => respelt(c.email) !== c.email);
  if (!stalePeople.length && !staleSays.length) return { people, statements };
  for (const p of stalePeople) {
    const claim = await repo.get<Record<string, unknown>>(keys.draft(account, p.email));
    if (claim) await repo.put({ ...claim, ...keys.draft(account, respelt(p.email)) });
  }
  await repo.batch([
    ...stalePeople.map((p) => ({ PutRequest: { Item: { ...keys.person(account, respelt(p.email)), person: { ...p, email: respelt(p.email) } } } })),
    ...staleSays.map((c) => ({ PutRequest: { Item: { ...keys.metConfirmation(account, c.eventId, respelt(c.email)), ...c, email: respelt(c.email) } } })),
  ]);
  await repo.batch([
    ...stalePeople.flatMap((p) => [{ DeleteRequest: { Key: keys.draft(account, p.email) } }, { DeleteRequest: { Key: keys.person(account, p.email) } }]),
    ...staleSays.map((c) => ({ DeleteRequest: { Key: keys.metConfirmation(account, c.eventId, c.email) } })),
  ]);
  const confirmations = statements.confirmations.map((c) => ({ ...c, email: respelt(c.email) }));
  return { people: people.map((p) => ({ ...p, email: respelt(p.email) })), statements: { ...statements, confirmations } };
}
