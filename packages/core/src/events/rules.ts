import { isColleague, ownerIdentity, type OwnerIdentity } from "../identity";
import { asOwnerSees, type Contact, inStartOrder, isLarge, isResourceEntry, isRoomAddress } from "../inference";
import { type EventPlatform, inZone, type Meeting, type Owner } from "../model";
import { DAY } from "../time";
import { PLATFORM_ORGANIZERS } from "./organizers";


/** The windows of shared/spec/events.md. */
export const EVENT_RULES = {
  upcomingWithinMs: 7 * DAY,
  attendedWithinMs: 7 * DAY,
  goalMin: 1,
  goalMax: 20,
} as const;

/** Title words and phrases that make an event a networking event (rule 2), matched as whole words. */
export const NETWORKING_KEYWORDS: readonly string[] = [
  "meetup", "meet-up", "mixer", "networking", "conference", "summit", "expo", "symposium", "convention",
  "hackathon", "gala", "happy hour", "demo day", "meet and greet", "meet & greet",
];

/** A title holding this phrase is never a networking event by rule 2. */
export const EXCLUDED_PHRASE = "conference call";

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const wordRegex = (phrase: string) => new RegExp(`(?<![\\p{L}\\p{Nd}])${escape(phrase)}(?![\\p{L}\\p{Nd}])`, "iu");

/**
 * Rule 2's two patterns, compiled on first use (not at import: a Unicode-aware pattern costs its
 * compile, and a process that never classifies a title, such as the API serving a settings page,
 * should not pay it). The keywords are one alternation, which holds exactly when one of them holds
 * as whole words: compiling and first running it took ≈ 2 ms in a fresh Node process, against
 * ≈ 18 ms for fifteen patterns.
 */
let rule2: { keywords: RegExp; excluded: RegExp } | undefined;
const rule2Patterns = () =>
  (rule2 ??= {
    keywords: new RegExp(`(?<![\\p{L}\\p{Nd}])(?:${NETWORKING_KEYWORDS.map(escape).join("|")})(?![\\p{L}\\p{Nd}])`, "iu"),
    excluded: wordRegex(EXCLUDED_PHRASE),
  });

/**
 * True when `title` holds `phrase` as whole words: case-insensitively, exactly as written, with no
 * Unicode letter or digit right before or after it (a word is a run of letters and digits).
 */
export const holdsPhrase = (title: string, phrase: string) => wordRegex(phrase).test(title);

/** Rule 2's title test: a keyword as whole words and not the phrase "conference call". */
export function hasNetworkingKeyword(title: string): boolean {
  const { keywords, excluded } = rule2Patterns();
  return !excluded.test(title) && keywords.test(title);
}

/**
 * Everyone other than the owner on an event (events.md "internal"): every attendee entry with an
 * address, declined or not, and the organiser; rooms and other resources left out, as on the list
 * (behaviour.md's "room or other resource": Google's `resource` flag or its resource calendar
 * domain; Graph's resource entries). A shared calendar's address is not one of them: events.md
 * leaves out exactly "rooms, other resources and entries without an address", where behaviour.md
 * names group calendars apart from rooms and resources, so on the list or as the organiser (an
 * event made on a Workspace group calendar names the calendar) it is someone outside, as a role
 * address and an event platform's are. Until 2026-12-05 it was no one, with Google's `creator`
 * counted in its place (helper-150 #1, helper-152, helper-154), a reading of the owner's wishes
 * where the spec is not silent (helper-195 #2).
 */
function othersOn(m: Meeting, owner: OwnerIdentity): string[] {
  const out = new Set<string>();
  const resources = new Set<string>();
  for (const a of m.attendees) {
    if (isResourceEntry(a)) resources.add(a.email);
    else if (!owner.addresses.has(a.email)) out.add(a.email);
  }
  // An event made on a room's own calendar names the room as its organiser (a Google resource
  // address; on Graph, the room's mailbox, on the list as a resource): left out as on the list (helper-123 #1).
  const org = m.organizer?.email;
  if (org && !m.organizerSelf && !owner.addresses.has(org) && !resources.has(org) && !isRoomAddress(org)) out.add(org);
  return [...out];
}

/** Internal: someone other than the owner is on it and every one of them is a colleague (by domain). */
export function isInternal(m: Meeting, owner: OwnerIdentity): boolean {
  const others = othersOn(m, owner);
  return others.length > 0 && others.every((e) => isColleague(owner, e));
}

/** Rule 3: the event platform it comes from, by organiser address or by what ingest derived. */
export function eventPlatform(m: Meeting): EventPlatform | undefined {
  return (m.organizer ? PLATFORM_ORGANIZERS.get(m.organizer.email) : undefined) ?? m.platform;
}

/** The owner is in: organised it (and did not decline) or answered accepted or tentative. */
export function ownerIn(m: Meeting): boolean {
  if (m.organizerSelf) return m.selfResponse !== "declined";
  return m.selfResponse === "accepted" || m.selfResponse === "tentative";
}

/** Not cancelled, an ordinary event or a ticket Gmail put in the calendar, and the owner is in. */
export function canBeNetworkingEvent(m: Meeting): boolean {
  return !m.cancelled && (m.kind === "default" || m.kind === "fromGmail") && ownerIn(m);
}

/** The owner's marks: event id → true (marked a networking event) or false (unmarked). */
export type EventMarks = ReadonlyMap<string, boolean>;

/** Why an event is a networking event (the first rule that holds), or undefined when it is not one. */
export type NetworkingReason = "large" | "keyword" | "platform" | "marked";

/** shared/spec/events.md "Networking events": the reason `m` is one, or undefined. */
export function networkingReason(m: Meeting, owner: OwnerIdentity, marks: EventMarks = new Map()): NetworkingReason | undefined {
  if (!canBeNetworkingEvent(m)) return undefined;
  const mark = marks.get(m.id);
  if (mark === false) return undefined;
  if (m.kind === "default" && isLarge(m) && !isInternal(m, owner)) return "large";
  if (hasNetworkingKeyword(m.title) && !isInternal(m, owner)) return "keyword";
  if (eventPlatform(m)) return "platform";
  if (mark === true) return "marked";
  return undefined;
}

export const isNetworkingEvent = (m: Meeting, owner: OwnerIdentity, marks?: EventMarks) => networkingReason(m, owner, marks) !== undefined;

/** A networking event with what a report shows of it. */
export interface NetworkingEvent {
  eventId: string;
  title: string;
  start: number;
  end: number;
  allDay: boolean;
  /** An all-day event's own dates (Meeting.dates). */
  dates?: { start: string; end: string };
  reason: NetworkingReason;
  goal?: number;
}

/** An attended networking event and its result: the new contacts whose first meeting it is. */
export interface AttendedEvent extends NetworkingEvent {
  met: Contact[];
  followedUp: Contact[];
}

/** The owner's statements the rules read (shared/spec/events.md "What the owner says"). */
export interface EventStatements {
  marks?: EventMarks;
  goals?: ReadonlyMap<string, number>;
}

/** Upcoming and attended networking events as of `now`. */
export interface NetworkingEvents {
  upcoming: NetworkingEvent[];
  attended: AttendedEvent[];
}

/**
 * The networking events of shared/spec/events.md as of `now`: upcoming (now < start ≤ now + 7 days)
 * and attended (the owner attended, now − 7 days < end < now), each attended one with its result
 * drawn from `contacts` (every new contact of the inference, inferred or confirmed).
 */
export function networkingEvents(ownerInfo: Owner, stored: readonly Meeting[], contacts: readonly Contact[], now: number, statements: EventStatements = {}): NetworkingEvents {
  const owner = ownerIdentity(ownerInfo.email, ownerInfo.aliases);
  // An all-day event in the owner's zone as it is now, as the rules reckon it (model inZone).
  const meetings = stored.map((m) => inZone(m, ownerInfo.timeZone));
  const byEvent = new Map<string, Contact[]>();
  for (const c of contacts) {
    let list = byEvent.get(c.eventId);
    if (!list) byEvent.set(c.eventId, (list = []));
    list.push(c);
  }
  const upcoming: NetworkingEvent[] = [];
  const attended: AttendedEvent[] = [];
  const isUpcoming = (m: Meeting) => m.start > now && m.start <= now + EVENT_RULES.upcomingWithinMs;
  const isAttended = (m: Meeting) => m.end < now && m.end > now - EVENT_RULES.attendedWithinMs;
  // Only the ids of meetings inside the two windows can be reported: the year's other meetings are
  // not classified (a scan's or a digest's rules ran every title of the year through rule 2's
  // pattern, a few milliseconds of each weekly run). A meeting outside the windows sharing such an
  // id still is, as before: the first networking one of an id decides. One without finite times is
  // left out (inStartOrder: among the others it upset their order, helper-117).
  const wanted = new Set<string>();
  for (const m of meetings) if (isUpcoming(m) || isAttended(m)) wanted.add(m.id);
  const seen = new Set<string>();
  const ordered = inStartOrder(meetings.filter((m) => wanted.has(m.id)));
  for (const m of ordered) {
    if (seen.has(m.id)) continue;
    const reason = networkingReason(asOwnerSees(m, owner), owner, statements.marks);
    if (!reason) continue;
    seen.add(m.id);
    const goal = statements.goals?.get(m.id);
    const base: NetworkingEvent = { eventId: m.id, title: m.title, start: m.start, end: m.end, allDay: m.allDay, ...(m.dates ? { dates: m.dates } : {}), reason, ...(goal !== undefined ? { goal } : {}) };
    if (isUpcoming(m)) upcoming.push(base);
    else if (isAttended(m)) {
      const met = byEvent.get(m.id) ?? [];
      attended.push({ ...base, met, followedUp: met.filter((c) => c.followedUpAt !== undefined) });
    }
  }
  return { upcoming, attended };
}
