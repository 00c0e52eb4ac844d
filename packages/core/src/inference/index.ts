import { type OwnerIdentity, classify, domainOf, withinDomain } from "../identity";
import { addressOn, inZone, type MailMessage, type Meeting, type Owner, type Response } from "../model";
import { ownerIdentity } from "../identity";
import { DAY } from "../time";

/** Rolling windows and thresholds of the spec, in one place. */
export const RULES = {
  knownBeforeMs: 14 * DAY,
  /** events.md: the owner's first mail after a large gathering started, at most this long after it ended. */
  largeGatheringMailWithinMs: 7 * DAY,
  newContactWindowMs: 7 * DAY,
  missingMinAgeMs: DAY,
  missingMaxAgeMs: 30 * DAY,
  largeGatheringAbove: 25,
} as const;

/** A person met, with the meeting where they were first met. */
export interface Contact {
  email: string;
  /** The address as their entry at the first meeting wrote it, where normalising changed it beyond letter case (core/model addressOn): what is shown. */
  address?: string;
  name: string;
  eventId: string;
  eventTitle: string;
  /** Start of the first meeting (epoch ms). */
  metAt: number;
  /**
   * The first meeting's own date (YYYY-MM-DD) where it is an all-day event ({@link Meeting.dates}):
   * the date shown for it, which a later change of the owner's zone does not move.
   */
  metDate?: string;
  /** End of the first meeting (epoch ms). */
  metEnd: number;
  /** Latest outbound message to them up to now (epoch ms). */
  lastOutboundAt?: number;
  /** When the follow-up happened, if it did. */
  followedUpAt?: number;
  followedUpBy?: "mail" | "meeting";
  /** The start of the first later meeting with them (the digest's "second meetings"), whether or not mail came first. */
  secondMeetingAt?: number;
  /**
   * That later meeting's own date (YYYY-MM-DD) where it is an all-day event ({@link Meeting.dates}),
   * as {@link metDate} is the first's: the date shown for it ("you meet again on …", "Met again this
   * week"), which a later change of the owner's zone does not move.
   */
  secondMeetingDate?: string;
  /**
   * How the first meeting was found (shared/spec/events.md): a meeting (behaviour.md), a large
   * gathering followed by the owner's mail soon after, or the owner's own confirmation.
   */
  metBy?: "large-gathering" | "confirmed";
}

/** The owner's statement "I met this person at this event" (shared/spec/events.md). */
export interface Confirmation {
  eventId: string;
  /** Normalised address. */
  email: string;
  name: string;
  /** The address as the owner typed it, where normalising changed it beyond letter case (a person added, not on the list). */
  address?: string;
}

/** What the owner said that the rules read. */
export interface InferOptions {
  confirmations?: readonly Confirmation[];
}

/** What a scan reports. */
export interface Inference {
  newContacts: Contact[];
  missingFollowUps: Contact[];
  /** Every new contact met in the data, with their follow-up state (for the digest and storage). */
  contacts: Contact[];
  stats: { meetingsAttended: number; newPeopleMet: number; followUpsSent: number };
}

/** True when the owner attended: not cancelled, ordinary, ended, and organised or accepted/tentative. */
export function attended(m: Meeting, now: number): boolean {
  if (m.cancelled || m.kind !== "default" || !(m.end < now)) return false;
  if (m.organizerSelf) return m.selfResponse !== "declined";
  return m.selfResponse === "accepted" || m.selfResponse === "tentative";
}

/**
 * An event the owner attended in the sense of shared/spec/events.md: like `attended`, but a ticket
 * Gmail put in the calendar (organised by the owner) counts too once it has ended.
 */
export function attendedEvent(m: Meeting, now: number): boolean {
  if (m.cancelled || (m.kind !== "default" && m.kind !== "fromGmail") || !(m.end < now)) return false;
  if (m.organizerSelf) return m.selfResponse !== "declined";
  return m.selfResponse === "accepted" || m.selfResponse === "tentative";
}

/** More than 25 attendee entries besides the owner, not counting resources. */
export function isLarge(m: Meeting): boolean {
  return m.attendees.filter((a) => !isResourceEntry(a)).length + (m.unnamedEntries ?? 0) > RULES.largeGatheringAbove;
}

/** An address on Google's resource calendar domain: a room's, wherever it stands (on a list, as an organiser). */
export const isRoomAddress = (email: string) => withinDomain(domainOf(email), "resource.calendar.google.com");

/** A room or other resource: flagged by the provider, or on Google's resource calendar domain. */
export const isResourceEntry = (a: { resource: boolean; email: string }) => a.resource || isRoomAddress(a.email);

/**
 * Whether the owner can have met `email` at `m` (events.md "Who I met at E"): a person (behaviour.md;
 * Google's rooms, on their resource domain, are no person anywhere), and not an entry `m`'s list
 * flags as a room or other resource (Graph's rooms are plain addresses elsewhere).
 */
export const canBeMetAt = (m: Meeting, owner: OwnerIdentity, email: string) => classify(owner, email) === "person" && !m.attendees.some((a) => a.resource && a.email === email);

/**
 * Whether the owner's confirmation that they met `email` at `m` (as the owner sees it) counts: at
 * an event attended in events.md's sense, of someone who can have been met there. A room of the
 * event, stored before confirmMet refused it, counts for nothing.
 */
export const confirmationCounts = (m: Meeting | undefined, owner: OwnerIdentity, email: string, now: number): m is Meeting => !!m && attendedEvent(m, now) && canBeMetAt(m, owner, email);

/** Attendee entries with the organiser added when the list leaves them out. */
function entries(m: Meeting, owner: OwnerIdentity) {
  const list = m.attendees.slice();
  const org = m.organizer;
  if (org && !owner.addresses.has(org.email) && !list.some((a) => a.email === org.email))
    list.push({ email: org.email, ...(org.address ? { address: org.address } : {}), name: org.name, response: "accepted", resource: false, organizer: true });
  return list;
}

/** The persons at a meeting: not the owner, not colleagues, not resources or role addresses, not declined. */
export function peopleAt(m: Meeting, owner: OwnerIdentity): { email: string; name: string }[] {
  const seen = new Map<string, { email: string; name: string }>();
  for (const a of entries(m, owner)) {
    if (isResourceEntry(a) || a.response === "declined") continue;
    if (classify(owner, a.email) !== "person") continue;
    if (!seen.has(a.email)) seen.set(a.email, { email: a.email, name: a.name });
  }
  return [...seen.values()];
}

/**
 * The persons on a meeting's guest list (no resources, colleagues or role addresses), each once, in
 * list order: those who declined too, marked (every entry of theirs declined), for the owner's
 * "whom I met" picker. {@link peopleAt} is those who did not decline.
 */
export function guestsAt(m: Meeting, owner: OwnerIdentity): { email: string; name: string; declined: boolean }[] {
  const seen = new Map<string, { email: string; name: string; declined: boolean }>();
  for (const a of entries(m, owner)) {
    if (isResourceEntry(a) || classify(owner, a.email) !== "person") continue;
    const declined = a.response === "declined";
    const had = seen.get(a.email);
    if (!had) seen.set(a.email, { email: a.email, name: a.name, declined });
    // An entry that did not decline is the one peopleAt reads (its name, its place kept).
    else if (had.declined && !declined) seen.set(a.email, { email: a.email, name: a.name, declined: false });
  }
  return [...seen.values()];
}

/** An outbound message: sent by the owner, not a draft, not an automatic meeting notice. */
export function isOutbound(msg: MailMessage, owner: OwnerIdentity): boolean {
  if (msg.draft || msg.meetingNotice) return false;
  return msg.inSent || (msg.from !== undefined && owner.addresses.has(msg.from));
}

/** Every meeting a person is on (as attendee or organiser), in start order, with their response. */
type Appearances = Map<string, { meeting: Meeting; response: Response }[]>;

function appearances(ordered: Meeting[], owner: OwnerIdentity): Appearances {
  const index: Appearances = new Map();
  for (const m of ordered) {
    if (m.cancelled || m.kind !== "default") continue;
    for (const a of entries(m, owner)) {
      let list = index.get(a.email);
      if (!list) index.set(a.email, (list = []));
      list.push({ meeting: m, response: a.response });
    }
  }
  return index;
}

/**
 * A later meeting that counts as a follow-up: starting strictly after the first ended (the spec's
 * "after", read as for mail, where a message at the first meeting's very start is no follow-up),
 * not cancelled, nobody declined, not large.
 */
function laterMeetingWith(email: string, first: Meeting, index: Appearances): Meeting | undefined {
  for (const { meeting: m, response } of index.get(email) ?? []) {
    if (m === first || m.id === first.id || !(m.start > first.end) || isLarge(m)) continue;
    if (m.selfResponse === "declined" || response === "declined") continue;
    return m;
  }
  return undefined;
}

/**
 * A meeting as if every owner identity had been known when it was mapped: an alias learned later
 * (from sent mail or the calendar) that organised it or answered it stands for the owner, and an
 * entry of the owner's at another address is the owner's, not an attendee "besides the owner" (the
 * mappers drop the owner identities they know; a guest list naming the owner at two addresses is not
 * one entry closer to a large gathering).
 */
export function asOwnerSees(m: Meeting, owner: OwnerIdentity): Meeting {
  const ownEntries = m.attendees.filter((a) => owner.addresses.has(a.email));
  // With no organiser named, an own entry marked organizer says the owner organised it (core/google
  // mapGoogleEvent reads the same from an entry it knew for the owner's; helper-121).
  const orgIsOwner = !m.organizerSelf && (m.organizer !== undefined ? owner.addresses.has(m.organizer.email) : ownEntries.some((a) => a.organizer));
  if (!orgIsOwner && !ownEntries.length) return m;
  const out: Meeting = { ...m };
  if (orgIsOwner) Object.assign(out, { organizerSelf: true, organizer: undefined });
  if (ownEntries.length) {
    if (m.selfResponse === undefined) out.selfResponse = ownEntries[0].response;
    out.attendees = m.attendees.filter((a) => !owner.addresses.has(a.email));
  }
  return out;
}

const isTimed = (m: Meeting) => Number.isFinite(m.start) && Number.isFinite(m.end);

/**
 * The meetings with finite times, by start, then end, then id. One without them (a time the mapper
 * could not read is stored as none and loads as NaN, core/storage loadMeetings) is left out: compared
 * with NaN the order is no order, and sorted among the others it put a later meeting before the first
 * (helper-117).
 */
export function inStartOrder<M extends Meeting>(meetings: readonly M[]): M[] {
  return meetings.filter(isTimed).sort((a, b) => a.start - b.start || a.end - b.end || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Runs the rules of shared/spec/behaviour.md over one account's meetings and messages as of `now`. */
export function infer(ownerInfo: Owner, allMeetings: Meeting[], messages: MailMessage[], now: number, options: InferOptions = {}): Inference {
  const owner = ownerIdentity(ownerInfo.email, ownerInfo.aliases);
  // An all-day meeting in the owner's zone as it is now, whatever zone the calendar was read in (model inZone).
  const meetings = allMeetings.map((m) => asOwnerSees(inZone(m, ownerInfo.timeZone), owner));
  const sentTo = new Map<string, number[]>();
  const names = new Map<string, string>();
  const learnName = (email: string, name: string) => {
    if (name && !names.has(email) && !name.includes("@")) names.set(email, name);
  };
  let followUpsSent = 0;
  for (const msg of messages) {
    if (!isOutbound(msg, owner)) continue;
    for (const r of msg.recipients) learnName(r.email, r.name);
    for (const r of new Set(msg.recipients.map((x) => x.email))) {
      let times = sentTo.get(r);
      if (!times) sentTo.set(r, (times = []));
      times.push(msg.sentAt);
    }
  }
  // In start order, and only meetings with both times (inStartOrder): one without either is never
  // attended and never a later meeting (docs/rules.md), though a finite end alone would pass
  // `attended` and make a contact met at NaN (helper-118). Its entries still name people, last.
  const ordered = inStartOrder(meetings);
  const firstMet = new Map<string, { meeting: Meeting; name: string; metBy?: Contact["metBy"]; typed?: string }>();
  let meetingsAttended = 0;
  for (const m of ordered) {
    if (!attended(m, now)) continue;
    meetingsAttended += m.end > now - RULES.newContactWindowMs ? 1 : 0;
    if (isLarge(m)) continue;
    for (const p of peopleAt(m, owner)) if (!firstMet.has(p.email)) firstMet.set(p.email, { meeting: m, name: p.name });
  }
  // shared/spec/events.md: a first meeting can also be a large gathering the owner wrote to the person
  // soon after, or an event where the owner says they met them; it is the earlier one, and a meeting
  // of behaviour.md that starts at the same moment comes first.
  const consider = (email: string, name: string, m: Meeting, metBy: Contact["metBy"], typed?: string) => {
    const known = firstMet.get(email);
    if (!known || m.start < known.meeting.start) firstMet.set(email, { meeting: m, name, metBy, ...(typed ? { typed } : {}) });
  };
  for (const m of ordered) {
    if (!attended(m, now) || !isLarge(m)) continue;
    for (const p of peopleAt(m, owner)) {
      const sent = sentTo.get(p.email) ?? [];
      if (sent.some((t) => t < m.start - RULES.knownBeforeMs)) continue;
      const after = sent.filter((t) => t > m.start && t <= now);
      if (after.length && Math.min(...after) <= m.end + RULES.largeGatheringMailWithinMs) consider(p.email, p.name, m, "large-gathering");
    }
  }
  const byId = new Map(ordered.map((m) => [m.id, m]));
  for (const c of options.confirmations ?? []) {
    const m = byId.get(c.eventId);
    if (!confirmationCounts(m, owner, c.email, now)) continue;
    consider(c.email, c.name, m, "confirmed", c.address);
  }
  for (const m of [...ordered, ...meetings.filter((m) => !isTimed(m))]) for (const a of m.attendees) learnName(a.email, a.name);
  const index = appearances(ordered, owner);
  const contacts: Contact[] = [];
  for (const [email, { meeting, name, metBy, typed }] of firstMet) {
    const sent = sentTo.get(email) ?? [];
    if (sent.some((t) => t < meeting.start - RULES.knownBeforeMs)) continue;
    // As the meeting's entry wrote it, else as the owner typed it adding them (helper-282).
    const address = addressOn(meeting, email) ?? typed;
    const contact: Contact = { email, ...(address ? { address } : {}), name: (name && !name.includes("@") ? name : "") || names.get(email) || "", eventId: meeting.id, eventTitle: meeting.title, metAt: meeting.start, metEnd: meeting.end, ...(meeting.allDay && meeting.dates ? { metDate: meeting.dates.start } : {}), ...(metBy ? { metBy } : {}) };
    const upToNow = sent.filter((t) => t <= now);
    if (upToNow.length) contact.lastOutboundAt = Math.max(...upToNow);
    const mail = sent.filter((t) => t > meeting.start && t <= now).sort((a, b) => a - b)[0];
    const later = laterMeetingWith(email, meeting, index);
    if (later) Object.assign(contact, { secondMeetingAt: later.start, ...(later.allDay && later.dates ? { secondMeetingDate: later.dates.start } : {}) });
    // events.md: one met at a large gathering "has always been followed up (by that message)", the
    // mail that made them met there, even where a later meeting came before it (helper-277).
    if (mail !== undefined && (metBy === "large-gathering" || !later || mail <= later.start)) Object.assign(contact, { followedUpAt: mail, followedUpBy: "mail" });
    else if (later) Object.assign(contact, { followedUpAt: later.start, followedUpBy: "meeting" });
    if (contact.followedUpBy === "mail" && mail > now - RULES.newContactWindowMs) followUpsSent++;
    contacts.push(contact);
  }
  const byMet = (a: Contact, b: Contact) => a.metAt - b.metAt || (a.email < b.email ? -1 : 1);
  contacts.sort(byMet);
  const newContacts = contacts.filter((c) => c.metEnd > now - RULES.newContactWindowMs && c.metEnd < now);
  const missingFollowUps = contacts.filter(
    (c) => c.metEnd >= now - RULES.missingMaxAgeMs && c.metEnd <= now - RULES.missingMinAgeMs && c.followedUpAt === undefined,
  );
  return { newContacts, missingFollowUps, contacts, stats: { meetingsAttended, newPeopleMet: newContacts.length, followUpsSent } };
}
