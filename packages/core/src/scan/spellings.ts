/**
 * Until 2026-12-04 an internationalised domain's two spellings were two comparison forms
 * (`jonas@xn--bckerei-5wa.de` beside `jonas@bäckerei.de`); core/identity normalizeAddress now
 * writes the Unicode one. Meetings are read again (MEETING_SHAPE 8), sent mail is not, and what the
 * owner said and did about a person is stored under their address: these bring what an earlier
 * release stored in the ASCII spelling to today's, so nothing the owner did is lost (helper-160).
 */
import type { OwnerStatements } from "../events";
import { normalizeAddress, spelledOtherwise } from "../identity";
import type { MailMessage } from "../model";
import type { PersonRecord, Repository } from "../storage";
import { keys } from "../storage/keys";

/**
 * The address in today's comparison form, where an earlier release stored another spelling: an
 * ASCII `xn--` one, or a Unicode one UTS #46 maps further (full-width letters).
 */
const respelt = (address: string) => (spelledOtherwise(address) ? (normalizeAddress(address) ?? address) : address);

/** Stored messages with their addresses in today's comparison form; every message already in it as it is. */
export function refoldStored(messages: MailMessage[]): MailMessage[] {
  const stale = (a: string | undefined) => a !== undefined && respelt(a) !== a;
  return messages.map((m) =>
    stale(m.from) || m.recipients.some((r) => stale(r.email))
      ? { ...m, ...(m.from ? { from: respelt(m.from) } : {}), recipients: m.recipients.map((r) => ({ ...r, email: respelt(r.email) })) }
      : m,
  );
}

/** How far the owner took a person: a record further along wins when two spellings meet. */
const STAGE_RANK: Record<PersonRecord["stage"], number> = { met: 0, followed_up: 1, drafted: 2, dismissed: 3 };
const rank = (p: PersonRecord) => (p.gone ? 0 : 4) + STAGE_RANK[p.stage];

/**
 * Moves, once, a person's record (stage, draft), their draft claim and the owner's "I met them"
 * confirmations from an address's earlier spellings to today's. Where several spellings meet on one
 * key (a record a scan since wrote under today's, two old spellings of one address), one item is
 * kept: the person the owner took furthest (a record not gone before one gone; dismissed, drafted,
 * followed up, met), with a draft any of them had; the claim already under today's key; the latest
 * confirmation. Each is written under today's key before the old ones are deleted: a run cut off
 * between meets the same items again and keeps the same one, or one the owner has taken further
 * since. Returns the people and statements as stored now; those given when nothing was stale.
 */
export async function respellRecords(repo: Repository, account: string, people: PersonRecord[], statements: OwnerStatements): Promise<{ people: PersonRecord[]; statements: OwnerStatements }> {
  const stalePeople = people.filter((p) => respelt(p.email) !== p.email);
  const staleSays = statements.confirmations.filter((c) => respelt(c.email) !== c.email);
  if (!stalePeople.length && !staleSays.length) return { people, statements };

  // People: one record per today's address, the furthest along.
  const byAddress = new Map<string, PersonRecord[]>();
  for (const p of people) {
    const to = respelt(p.email);
    byAddress.set(to, [...(byAddress.get(to) ?? []), p]);
  }
  const movedTo = [...new Set(stalePeople.map((p) => respelt(p.email)))];
  const kept = new Map<string, PersonRecord>();
  for (const to of movedTo) {
    const all = byAddress.get(to)!;
    const best = all.reduce((a, b) => (rank(b) > rank(a) ? b : a));
    const drafted = best.draftId ? best : all.find((p) => p.draftId);
    kept.set(to, { ...best, email: to, ...(drafted?.draftId ? { draftId: drafted.draftId, ...(drafted.draftLink ? { draftLink: drafted.draftLink } : {}) } : {}) });
  }
  // Draft claims: today's key's own where it has one, else an old spelling's.
  const claims = new Map<string, Record<string, unknown>>();
  for (const p of stalePeople) {
    const to = respelt(p.email);
    if (claims.has(to)) continue;
    const current = await repo.get<Record<string, unknown>>(keys.draft(account, to));
    if (current) claims.set(to, current);
    else {
      const old = await repo.get<Record<string, unknown>>(keys.draft(account, p.email));
      if (old) claims.set(to, { ...old, ...keys.draft(account, to) });
    }
  }
  // Confirmations: one per event and today's address, the latest.
  const says = new Map<string, OwnerStatements["confirmations"][number]>();
  for (const c of statements.confirmations) {
    const to = { ...c, email: respelt(c.email) };
    const k = `${c.eventId}\n${to.email}`;
    const had = says.get(k);
    if (!had || to.at > had.at) says.set(k, to);
  }
  const sayKeys = new Set(staleSays.map((c) => `${c.eventId}\n${respelt(c.email)}`));

  await repo.batch([
    ...[...kept.values()].map((p) => ({ PutRequest: { Item: { ...keys.person(account, p.email), person: p } } })),
    ...[...claims.values()].map((item) => ({ PutRequest: { Item: item } })),
    ...[...sayKeys].map((k) => says.get(k)!).map((c) => ({ PutRequest: { Item: { ...keys.metConfirmation(account, c.eventId, c.email), ...c } } })),
  ]);
  await repo.batch([
    ...stalePeople.flatMap((p) => [{ DeleteRequest: { Key: keys.draft(account, p.email) } }, { DeleteRequest: { Key: keys.person(account, p.email) } }]),
    ...staleSays.map((c) => ({ DeleteRequest: { Key: keys.metConfirmation(account, c.eventId, c.email) } })),
  ]);
  const stillPeople = people.filter((p) => !kept.has(respelt(p.email)));
  const confirmations = [...says.values()].sort((a, b) => a.at - b.at || (a.email < b.email ? -1 : 1));
  return { people: [...stillPeople, ...kept.values()], statements: { ...statements, confirmations } };
}
