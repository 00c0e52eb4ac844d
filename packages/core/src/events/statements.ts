import { classify, domainOf, fitsSmtp, isAddress, normalizeAddress, type OwnerIdentity, ownerIdentity, PUBLIC_DOMAINS } from "../identity";
import { attendedEvent, canBeMetAt, type Confirmation, confirmationCounts, type Contact, guestsAt, asOwnerSees } from "../inference";
import { DeleteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { inZone, type Meeting, type Owner, writtenAddress } from "../model";
import { keys, type Repository, unpacked } from "../storage";
import { plainText } from "../text";
import type { AccountRecord } from "../accounts";
import { planAfterSave } from "./plan";
import { EVENT_RULES, type EventMarks, isNetworkingEvent, networkingReason } from "./rules";

/**
 * The owner's statements about events (shared/spec/events.md "What the owner says"): marks, goals
 * and whom they met. Stored in the account's partition under `SAYS#` (one item per statement, so two
 * taps at once never overwrite each other), read by every scan, deleted with the account.
 */
export interface OwnerStatements {
  marks: Map<string, boolean>;
  goals: Map<string, number>;
  /**
   * `known`: the last complete scan found this confirmation's person no contact at all (the owner
   * wrote to them more than 14 days before their first meeting): "already in touch" for good, as the
   * met page reads it without the rules ({@link recordKnownConfirmations}).
   */
  confirmations: (Confirmation & { at: number; known?: true })[];
}

/** A statement the rules refuse, with a message the page can show as it is. */
export class StatementError extends Error {
  constructor(
    readonly code: "no-such-event" | "not-networking" | "not-attended" | "event-over" | "bad-goal" | "bad-address" | "owner" | "colleague" | "not-person" | "bad-name" | "not-on-list",
    message: string,
    /** "added": about the person added by name and address (not a pick from the list). */
    readonly about?: "added",
  ) {
    super(message);
    this.name = "StatementError";
  }
}

/** Every statement of an account, in one query. */
export async function loadStatements(repo: Repository, account: string): Promise<OwnerStatements> {
  const out: OwnerStatements = { marks: new Map(), goals: new Map(), confirmations: [] };
  for (const i of await repo.query(keys.partition(account), keys.prefix.says)) {
    const sk = String(i.sk);
    if (sk.startsWith("SAYS#MARK#")) out.marks.set(String(i.eventId), i.marked === true);
    else if (sk.startsWith("SAYS#GOAL#")) out.goals.set(String(i.eventId), Number(i.goal));
    else if (sk.startsWith("SAYS#MET#")) out.confirmations.push({ eventId: String(i.eventId), email: String(i.email), name: String(i.name ?? ""), ...(typeof i.address === "string" && i.address ? { address: i.address } : {}), at: Number(i.at), ...(i.known === true ? { known: true as const } : {}) });
  }
  out.confirmations.sort((a, b) => a.at - b.at || (a.email < b.email ? -1 : 1));
  return out;
}

/**
 * Whether an event id fits the keys it names (DynamoDB's sort key holds 1,024 bytes of UTF-8; the
 * longest prefix is under 100): Google allows ids of up to 1,024 characters, Graph's are about 150.
 */
const storableEventId = (eventId: string) => Buffer.byteLength(eventId, "utf8") <= 900;

/**
 * The stored event (one occurrence) with this id, as the owner sees it, an all-day one in the owner's
 * zone as it is now (model inZone); undefined when it is not in the calendar.
 */
export async function findEvent(repo: Repository, account: Pick<Owner, "email" | "aliases" | "timeZone">, eventId: string): Promise<Meeting | undefined> {
  // Longer than any id a key can hold (DynamoDB's sort key is 1,024 bytes): in no calendar.
  if (!storableEventId(eventId)) return undefined;
  const m = unpacked<Meeting & { start: number | null; end: number | null }>(await repo.get(keys.meeting(account.email, eventId)), "meeting");
  if (!m) return undefined;
  return asOwnerSees(inZone({ ...m, start: m.start ?? Number.NaN, end: m.end ?? Number.NaN }, account.timeZone), ownerIdentity(account.email, account.aliases));
}

/** The stored event with this id, as the rules see it; a statement about an event not in the calendar is refused. */
async function storedEvent(repo: Repository, account: Owner, eventId: string): Promise<Meeting> {
  const m = await findEvent(repo, account, eventId);
  if (!m) throw new StatementError("no-such-event", "That event is not in your calendar (any more).");
  return m;
}

/**
 * Marks (`true`) or unmarks (`false`) an event as a networking event. Unmarking wins over rules 1
 * to 3; marking makes an event the owner is in (not cancelled, ordinary or a Gmail ticket) one.
 */
export async function markEvent(repo: Repository, owner: Owner & Pick<AccountRecord, "eventEmails">, eventId: string, marked: boolean, now: number): Promise<void> {
  await storedEvent(repo, owner, eventId);
  await repo.put({ ...keys.eventMark(owner.email, eventId), eventId, marked, at: now });
  // A mark makes or unmakes a networking event: its emails go on (or stay off) the due-hour index now.
  await planAfterSave(repo, owner, now, "event mark");
}

/**
 * Sets the goal of a networking event: meet `n` new people, a whole number from 1 to 20, before the
 * event ends (a goal is for the people still to meet there; a goal link opened once the event is
 * over is refused, where until 2026-12-06 it was stored and promised a morning-of email, helper-238 #1;
 * `asOf` is the instant the owner sees, `now` unless the local demo's clock says otherwise). Then plans,
 * as a mark does: an event stored since the last plan (by an event email's calendar read, which does
 * not plan) gets its morning-of email on the index now, not at the next 07:00 sync, which may be
 * after its hour.
 */
export async function setGoal(repo: Repository, owner: Owner & Pick<AccountRecord, "eventEmails">, eventId: string, n: number, now: number, asOf = now): Promise<void> {
  if (!Number.isInteger(n) || n < EVENT_RULES.goalMin || n > EVENT_RULES.goalMax)
    throw new StatementError("bad-goal", `A goal is a whole number of new people from ${EVENT_RULES.goalMin} to ${EVENT_RULES.goalMax}.`);
  const m = await storedEvent(repo, owner, eventId);
  const { marks } = await loadStatements(repo, owner.email);
  if (!isNetworkingEvent(m, ownerIdentity(owner.email, owner.aliases), marks))
    throw new StatementError("not-networking", "A goal can only be set for a networking event: mark the event first.");
  if (isOver(m, asOf)) throw new StatementError("event-over", "This event is over: a goal is set before it ends.");
  await repo.put({ ...keys.eventGoal(owner.email, eventId), eventId, goal: n, at: now });
  await planAfterSave(repo, owner, now, "event goal");
}

/**
 * Whether a goal's event is over at `asOf`: ended, or with no end the store can read (a stored end
 * that is no number reads as NaN, and was never over; helper-239 #6).
 */
export const isOver = (m: Pick<Meeting, "end">, asOf: number): boolean => !(m.end > asOf);

/**
 * Removes an event's goal; with `asOf`, not once the event is over: its result is reported against
 * the goal it had, as setGoal no longer changes it then (helper-239 #4).
 */
export async function clearGoal(repo: Repository, owner: Owner, eventId: string, asOf?: number): Promise<void> {
  if (!storableEventId(eventId)) return; // no goal can be stored under it
  if (asOf !== undefined) {
    const m = await findEvent(repo, owner, eventId);
    if (m && isOver(m, asOf)) throw new StatementError("event-over", "This event is over: its goal stays as it was.");
  }
  await repo.delete(keys.eventGoal(owner.email, eventId));
}

/** One attendee on the "Who I met at E" page. */
export interface PickableAttendee {
  email: string;
  name: string;
  /** Declined the invitation (and may have come after all: events.md's list is every entry). */
  declined: boolean;
  /** The organisation the address's domain names ("" on a public mailbox domain). */
  company: string;
}

const SECOND_LEVEL = new Set(["com", "co", "org", "net", "ac", "gov", "edu", "or", "ne", "go"]);

/** A company name from an address's domain: `cleo@kestrel.vc` → "Kestrel", `a@blue-fin.co.uk` → "Blue Fin"; "" for gmail.com and the like. */
export function companyOf(email: string): string {
  const domain = domainOf(email).toLowerCase();
  if (!domain || PUBLIC_DOMAINS.has(domain)) return "";
  const labels = domain.split(".");
  labels.pop();
  if (labels.length > 1 && SECOND_LEVEL.has(labels[labels.length - 1])) labels.pop();
  const label = labels[labels.length - 1] ?? "";
  return label.split(/[-_]+/).filter(Boolean).map((w) => w[0].toUpperCase() + w.slice(1)).join(" ");
}

/**
 * The attendees the owner can pick from on "Who I met at E" (events.md: "E's attendee list
 * (persons only, not colleagues)"): those who declined too, marked, since someone who declined may
 * have come after all and the owner knows whom they met; by name.
 */
export function pickableAttendees(m: Meeting, owner: Owner): PickableAttendee[] {
  return guestsAt(m, ownerIdentity(owner.email, owner.aliases))
    .map((p) => ({ ...p, company: companyOf(p.email) }))
    .sort((a, b) => byName().compare(a.name || a.email, b.name || b.email) || (a.email < b.email ? -1 : 1));
}

/**
 * Names as a person reads them: "Guest 2" before "Guest 10" (numbers by value), letters by locale.
 * Made on first use: a Collator loads ICU's collation data, about 4 ms, which every function that
 * imports this module paid at its start, whether it sorted names or not (docs/benchmarks.md (6)).
 */
let collator: Intl.Collator | undefined;
const byName = () => (collator ??= new Intl.Collator(undefined, { numeric: true }));

const fold = (s: string) => s.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();

/**
 * What a search of the guest list looks in: name, address, company, and the address as the
 * invitation wrote it where that differs (`written`: Gmail's dots, a +tag, capitals). The met page's
 * script searches the same text (its `data-search`), folded the same way.
 */
export const searchText = (p: PickableAttendee, written?: string): string => `${p.name} ${p.email}${written && written !== p.email ? ` ${written}` : ""} ${p.company}`;

/** Filters a (long) attendee list: every word of `query` must occur in its `searchText`, ignoring case and accents. */
export function searchAttendees(list: readonly PickableAttendee[], query: string, written?: (p: PickableAttendee) => string | undefined): PickableAttendee[] {
  const words = fold(query).split(/\s+/).filter(Boolean);
  if (!words.length) return [...list];
  return list.filter((p) => {
    const hay = fold(searchText(p, written?.(p)));
    return words.every((w) => hay.includes(w));
  });
}

const NOT_A_PERSON = "That address is not a person's (a room, a group or an automated address).";

/** Checks an address the owner typed: a person's, not the owner's or a colleague's. Returns it normalised. */
export function validatePersonAddress(owner: Owner, raw: string, o: { typed?: boolean } = {}): string {
  const trimmed = raw.trim();
  if (!trimmed) throw new StatementError("bad-address", "Type their email address.");
  // Typed under Add: no longer than RFC 5321 (4.5.3.1) allows, a local part of at most 64 octets and
  // an address of 254. Not asked of a guest the invitation lists (ticked): the list shows whoever the
  // calendar holds, and a tick the save refused would refuse every other tick with it.
  const fits = !o.typed || fitsSmtp(trimmed);
  const email = fits && isAddress(trimmed) ? normalizeAddress(trimmed) : undefined;
  const shown = [...trimmed];
  if (!email) throw new StatementError("bad-address", `"${shown.slice(0, 100).join("")}${shown.length > 100 ? "…" : ""}" is not an e-mail address.`);
  switch (classify(ownerIdentity(owner.email, owner.aliases), email)) {
    case "owner":
      throw new StatementError("owner", "That is your own address.");
    case "colleague":
      throw new StatementError("colleague", "That is a colleague's address: colleagues are not networking contacts.");
    case "non-person":
      throw new StatementError("not-person", NOT_A_PERSON);
    default:
      return email;
  }
}

/**
 * Checks a name the owner typed: 1 to 200 characters (code points) once made plain as a provider's
 * names are (core/text plainText: control and bidi formatting characters dropped, white space
 * folded). A direction mark pasted with a Hebrew or Arabic name goes, instead of the name being
 * refused for a reason the person cannot see (helper-106 #5).
 */
export function validateName(raw: string): string {
  // (Any white space folded, the no-break and ideographic spaces too, as before plainText.)
  const name = plainText(raw).replace(/\s+/g, " ").trim();
  if (!name) throw new StatementError("bad-name", "Give the person's name.");
  if ([...name].length > NAME_MAX) throw new StatementError("bad-name", `A name is at most ${NAME_MAX} characters.`);
  return name;
}

/** The longest name the owner may give a person they met (characters). */
export const NAME_MAX = 200;

/** The event must be an attended networking event for "Who I met at E". */
async function attendedNetworkingEvent(repo: Repository, owner: Owner, eventId: string, now: number): Promise<Meeting> {
  const m = await storedEvent(repo, owner, eventId);
  const { marks } = await loadStatements(repo, owner.email);
  if (!networkingReason(m, ownerIdentity(owner.email, owner.aliases), marks)) throw new StatementError("not-networking", "That event is not a networking event.");
  if (!attendedEvent(m, now)) throw new StatementError("not-attended", "You can say whom you met once you have attended the event.");
  return m;
}

/**
 * "I met these people at E": picked from the event's attendee list (addresses), or added with name
 * and address when they were not on it. Refuses the owner's, a colleague's or a non-person's address,
 * and a picked address that is not on the list.
 */
export async function confirmMet(
  repo: Repository,
  owner: Owner,
  eventId: string,
  people: { picked?: readonly string[]; added?: readonly { name: string; email: string }[] },
  now: number,
): Promise<(Confirmation & { isNew: boolean })[]> {
  const m = await attendedNetworkingEvent(repo, owner, eventId, now);
  const list = new Map(pickableAttendees(m, owner).map((p) => [p.email, p]));
  // An address the event's list flags as a room or resource is no person met, picked or added (Google's rooms are no person anywhere).
  const person = (raw: string, typed = false) => {
    const email = validatePersonAddress(owner, raw, { typed });
    if (!canBeMetAt(m, ownerIdentity(owner.email, owner.aliases), email)) throw new StatementError("not-person", NOT_A_PERSON);
    return email;
  };
  const out: Confirmation[] = [];
  for (const raw of people.picked ?? []) {
    const email = person(raw);
    const p = list.get(email);
    if (!p) throw new StatementError("not-on-list", `${email} is not on this event's list: add them with their name instead.`);
    out.push({ eventId, email, name: p.name });
  }
  for (const a of people.added ?? []) {
    try {
      // Typed by the owner: a "\uFFFD" is text the form did not send as UTF-8, stored as such (helper-190 #4).
      if (a.email.includes("\uFFFD")) throw new StatementError("bad-address", `The address has a "\uFFFD" where characters could not be read (a form not sent as UTF-8): type it again.`);
      if (a.name.includes("\uFFFD")) throw new StatementError("bad-name", `The name has a "\uFFFD" where characters could not be read (a form not sent as UTF-8): type it again.`);
      const email = person(a.email, true);
      const name = validateName(a.name);
      // Someone on the event's list, typed under Add: their name as the list gives it, as a tick
      // would store it; the name typed renamed them in the digest and their draft's greeting (helper-238 #3).
      // Someone not on it: the address as typed where normalising changed it beyond letter case
      // (a `+tag`, Gmail's dots), as an entry of the list keeps it, for their draft's To (helper-282).
      out.push({ eventId, email, name: list.get(email)?.name || name, ...(list.has(email) ? {} : writtenAddress(a.email, email)) });
    } catch (e) {
      throw e instanceof StatementError ? new StatementError(e.code, e.message, "added") : e;
    }
  }
  // One confirmation a person: a guest ticked and typed again under Add (or ticked twice) is one, with
  // the list's name (helper-179: "Saved: 2 people" for one stored).
  const once = [...new Map(out.map((c) => [c.email, c])).values()];
  // An update, not a put: a confirmation made again (an Add of someone already confirmed) keeps what
  // the last scan made of that person at this event (`known`, recordKnownConfirmations; helper-133 #6),
  // and the name it was saved with: an Add of someone already confirmed, under another name, saved no
  // one new and said so, yet renamed them (helper-238 #3). Taking them back and adding them again renames.
  // Each says whether it is new to the list: the write's own answer (the item's values before it,
  // none for a new one), so the page counts only those saved now (helper-200 #4).
  const saved: (Confirmation & { isNew: boolean })[] = [];
  for (const c of once) {
    const r = await repo.doc.send(
      new UpdateCommand({
        TableName: repo.table,
        Key: keys.metConfirmation(owner.email, eventId, c.email),
        // No name (a guest the list names by address alone) is not stored, so a later Add fills it in
        // (an empty one stored would have kept it empty for good; helper-239 #1).
        // The address as typed is the last Add's (none for a tick or an Add in the comparison form).
        UpdateExpression: `SET #e = :e, #m = :m, ${c.name ? "#n = if_not_exists(#n, :n), " : ""}#at = :at${c.address ? ", #ad = :ad" : " REMOVE #ad"}`,
        ExpressionAttributeNames: { "#e": "eventId", "#m": "email", "#at": "at", "#ad": "address", ...(c.name ? { "#n": "name" } : {}) },
        ExpressionAttributeValues: { ":e": c.eventId, ":m": c.email, ":at": now, ...(c.name ? { ":n": c.name } : {}), ...(c.address ? { ":ad": c.address } : {}) },
        ReturnValues: "UPDATED_OLD",
      }),
    );
    saved.push({ ...c, isNew: r.Attributes === undefined });
  }
  return saved;
}

/**
 * Takes a confirmation back; the one taken back (its address in the comparison form, the name it was
 * saved with) as the delete's own answer, for the page to say whom, undefined when there was none.
 */
export async function unconfirmMet(repo: Repository, owner: Owner, eventId: string, email: string): Promise<{ email: string; name: string } | undefined> {
  const n = normalizeAddress(email.trim());
  if (!n) return undefined;
  const r = await repo.doc.send(new DeleteCommand({ TableName: repo.table, Key: keys.metConfirmation(owner.email, eventId, n), ReturnValues: "ALL_OLD" }));
  return r.Attributes ? { email: n, name: String(r.Attributes.name ?? "") } : undefined;
}

/**
 * The people the owner confirmed at event `m`, each "new" (their first meeting is that event: counted
 * in its result) or "already in touch" (written to more than 14 days before, or met earlier). A
 * confirmation the rules take for no one met (a room of the event, an address that is no person's,
 * stored before it was refused) is neither, and left out (helper-131 #2).
 */
export function confirmedAt(m: Meeting, owner: OwnerIdentity, statements: Pick<OwnerStatements, "confirmations">, contacts: readonly Contact[]) {
  const firstAt = new Map(contacts.map((c) => [c.email, c.eventId]));
  return statements.confirmations
    .filter((c) => c.eventId === m.id && canBeMetAt(m, owner, c.email))
    .map((c) => ({ email: c.email, name: c.name, status: firstAt.get(c.email) === m.id ? ("new" as const) : ("already-in-touch" as const) }));
}

/**
 * Records on each confirmation what a complete scan's rules made of it ({@link OwnerStatements}
 * `known`), so the "Who did you meet" page can say "already in touch" of one the owner wrote to long
 * before without reading the year of mail the rules read (helper-131 #1: it ran the rules on every
 * view). Only a confirmation whose reading changed is written, and only as it was read (one taken
 * back, or confirmed again, meanwhile is left to the next scan).
 */
export async function recordKnownConfirmations(
  repo: Repository,
  account: string,
  owner: OwnerIdentity,
  meetings: readonly Meeting[],
  confirmations: OwnerStatements["confirmations"],
  contacts: readonly Contact[],
  now: number,
): Promise<void> {
  if (!confirmations.length) return;
  const isContact = new Set(contacts.map((c) => c.email));
  const byId = new Map(meetings.map((m) => [m.id, m]));
  for (const c of confirmations) {
    const stored = byId.get(c.eventId);
    const m = stored && asOwnerSees(stored, owner);
    const known = confirmationCounts(m, owner, c.email, now) && !isContact.has(c.email);
    if (known === (c.known === true)) continue;
    await repo.conditional(
      new UpdateCommand({
        TableName: repo.table,
        Key: keys.metConfirmation(account, c.eventId, c.email),
        UpdateExpression: known ? "SET #k = :k" : "REMOVE #k",
        ConditionExpression: "#at = :at",
        ExpressionAttributeNames: { "#k": "known", "#at": "at" },
        ExpressionAttributeValues: { ":at": c.at, ...(known ? { ":k": true } : {}) },
      }),
    );
  }
}

/** The marks as the rules take them. */
export const marksOf = (s: OwnerStatements): EventMarks => s.marks;
