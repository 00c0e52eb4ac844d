import type { AccountRecord } from "../accounts";
import type { MailMessage } from "../model";
import type { DraftRequest, DraftWriter } from "../providers";
import { keys, type PersonRecord, type Repository } from "../storage";
import { plainText } from "../text";

/** The owner's follow-up template; {firstName}, {meeting}, {date} and {ownerName} are filled in. */
export const DEFAULT_TEMPLATE = `Hi {firstName},

It was good to meet you at {meeting} on {date}. I enjoyed our conversation and would like to keep in touch.

Best,
{ownerName}`;

/** "Osei, Daniel" → "Daniel"; "José Martínez" → "José"; no name → "there". */
export function firstNameOf(name: string | undefined): string {
  const n = (name ?? "").replace(/["']/g, "").trim();
  if (!n || n.includes("@")) return "there";
  if (n.includes(",")) return n.split(",")[1].trim().split(/\s+/)[0] || n.split(",")[0].trim();
  return n.split(/\s+/)[0];
}

/** A meeting date the way the owner reads it, in their zone: "Tue 14 Apr". */
export function humanDate(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat("en-GB", { weekday: "short", day: "numeric", month: "short", timeZone }).format(ms);
}

/** The draft for a person: template filled, and a reply to the latest mail the owner sent them, if any. */
export function composeFollowUp(account: AccountRecord & { template?: string }, stored: PersonRecord, earlier?: MailMessage): DraftRequest {
  // Names and titles come from other people's calendars and mail: no control or bidi characters in a draft.
  const person = { ...stored, name: plainText(stored.name), eventTitle: plainText(stored.eventTitle) };
  const fill = (t: string) =>
    t
      .replaceAll("{firstName}", firstNameOf(person.name))
      .replaceAll("{meeting}", person.eventTitle || "our meeting")
      .replaceAll("{date}", humanDate(person.metAt, account.timeZone))
      .replaceAll("{ownerName}", firstNameOf(account.displayName) === "there" ? "" : firstNameOf(account.displayName));
  const base = (earlier?.subject ?? "").replace(/^\s*((re|fwd?|aw)\s*:\s*)+/i, "").trim();
  return {
    to: { email: person.email, name: person.name },
    subject: earlier && base ? `Re: ${base}` : `Great to meet you, ${firstNameOf(person.name)}`.replace(", there", ""),
    text: fill(account.template || DEFAULT_TEMPLATE),
    ...(earlier ? { replyTo: { threadId: earlier.threadId, messageId: earlier.messageId, providerMessageId: earlier.id } } : {}),
  };
}

/** The outcome of a tap: the draft and whether this tap created it. */
export interface FollowUpDraft {
  draftId: string;
  webLink: string;
  created: boolean;
}

/** Stored claim of a follow-up draft. */
interface DraftClaim {
  status: "creating" | "created";
  claimedAt: number;
  draftId?: string;
  webLink?: string;
}

/** A tap that cannot be served (unknown person, a concurrent tap still creating the draft). */
export class FollowUpError extends Error {
  constructor(
    readonly problem: "unknown-person" | "busy",
    message: string,
  ) {
    super(message);
    this.name = "FollowUpError";
  }
}

const CLAIM_LEASE_MS = 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Creates the follow-up draft for a person exactly once. A conditional write claims the
 * (person, meeting) pair; a second tap, concurrent or later, gets the same draft. A claim whose
 * creator died is taken over after a lease. The person's stage moves to "drafted".
 */
export async function draftFollowUp(o: {
  repo: Repository;
  provider: DraftWriter;
  account: AccountRecord & { template?: string };
  person: string;
  eventId: string;
  now: number;
}): Promise<FollowUpDraft> {
  const { repo, account } = o;
  const person = await repo.getPerson(account.email, o.person);
  if (!person || person.eventId !== o.eventId) throw new FollowUpError("unknown-person", "This follow-up is no longer in your list.");
  const key = keys.draft(account.email, person.email, person.eventId);
  let claimedAt = o.now;
  for (let attempt = 0; attempt < 40; attempt++) {
    claimedAt = o.now + attempt;
    const claimed = await repo.putIf(
      { ...key, claim: { status: "creating", claimedAt } satisfies DraftClaim },
      "attribute_not_exists(pk) OR (#c.#s = :creating AND #c.claimedAt < :stale)",
      { ":creating": "creating", ":stale": o.now - CLAIM_LEASE_MS },
      { "#c": "claim", "#s": "status" },
    );
    if (claimed) break;
    const existing = (await repo.get<{ claim: DraftClaim }>(key))?.claim;
    if (existing?.status === "created" && existing.draftId) return { draftId: existing.draftId, webLink: existing.webLink ?? "", created: false };
    if (attempt === 39) throw new FollowUpError("busy", "Your draft is still being created; try again in a moment.");
    await sleep(250);
  }
  const messages = await repo.loadMessages(account.email);
  const earlier = messages
    .filter((m) => !m.draft && !m.meetingNotice && m.inSent && m.recipients.some((r) => r.email === person.email))
    .sort((a, b) => b.sentAt - a.sentAt)[0];
  let draft;
  try {
    draft = await o.provider.createDraft(composeFollowUp(account, person, earlier));
  } catch (e) {
    // Release our claim so the next tap can try again at once (only if it is still ours).
    await repo.deleteIf(key, "#c.#s = :creating AND #c.claimedAt = :mine", { ":creating": "creating", ":mine": claimedAt }, { "#c": "claim", "#s": "status" });
    throw e;
  }
  await repo.put({ ...key, claim: { status: "created", claimedAt: o.now, draftId: draft.id, webLink: draft.webLink } satisfies DraftClaim });
  if (person.stage === "met") await repo.putPeople(account.email, [{ ...person, stage: "drafted", draftId: draft.id, draftLink: draft.webLink }]);
  return { draftId: draft.id, webLink: draft.webLink, created: true };
}

/** "No follow-up needed": the person leaves future digests. Idempotent. */
export async function dismissFollowUp(repo: Repository, account: string, personEmail: string, eventId: string): Promise<boolean> {
  const person = await repo.getPerson(account, personEmail);
  if (!person || person.eventId !== eventId) return false;
  if (person.stage !== "dismissed") await repo.putPeople(account, [{ ...person, stage: "dismissed" }]);
  return true;
}
