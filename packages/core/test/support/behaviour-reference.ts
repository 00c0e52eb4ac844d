/**
 * A frozen copy of the inference of shared/spec/behaviour.md as it was before issue 11 (commit
 * 71e5bbc, packages/core/src/inference/index.ts): the oracle of the property that events.md leaves
 * behaviour.md's results unchanged on mailboxes without large gatherings. Do not edit, except
 * where behaviour.md's own rule is read anew (then in the product and here alike, with the commit):
 * 2026-11-30 (4261834), a later meeting starts strictly after the first ended.
 */
import { type OwnerIdentity, classify, domainOf, withinDomain } from "../../src/identity";
import type { MailMessage, Meeting, Owner, Response } from "../../src/model";
import { ownerIdentity } from "../../src/identity";
import { DAY } from "../../src/time";

/** Rolling windows and thresholds of the spec, in one place. */
export const RULES = {
  knownBeforeMs: 14 * DAY,
  newContactWindowMs: 7 * DAY,
  missingMinAgeMs: DAY,
  missingMaxAgeMs: 30 * DAY,
  largeGatheringAbove: 25,
} as const;

/** A person met, with the meeting where they were first met. */
export interface Contact {
  email: string;
  name: string;
  eventId: string;
  eventTitle: string;
  /** Start of the first meeting (epoch ms). */
  metAt: number;
  /** End of the first meeting (epoch ms). */
  metEnd: number;
  /** Latest outbound message to them up to now (epoch ms). */
  lastOutboundAt?: number;
  /** When the follow-up happened, if it did. */
  followedUpAt?: number;
  followedUpBy?: "mail" | "meeting";
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

/** More than 25 attendee entries besides the owner, not counting resources. */
export function isLarge(m: Meeting): boolean {
  return m.attendees.filter((a) => !isResource(a)).length + (m.unnamedEntries ?? 0) > RULES.largeGatheringAbove;
}

/** A room or other resource: flagged by the provider, or on Google's resource calendar domain. */
const isResource = (a: { resource: boolean; email: string }) => a.resource || withinDomain(domainOf(a.email), "resource.calendar.google.com");

/** Attendee entries with the organiser added when the list leaves them out. */
function entries(m: Meeting, owner: OwnerIdentity) {
  const list = m.attendees.slice();
  const org = m.organizer;
  if (org && !owner.addresses.has(org.email) && !list.some((a) => a.email === org.email))
    list.push({ email: org.email, name: org.name, response: "accepted", resource: false, organizer: true });
  return list;
}

/** The persons at a meeting: not the owner, not colleagues, not resources or role addresses, not declined. */
export function peopleAt(m: Meeting, owner: OwnerIdentity): { email: string; name: string }[] {
  const seen = new Map<string, { email: string; name: string }>();
  for (const a of entries(m, owner)) {
    if (isResource(a) || a.response === "declined") continue;
    if (classify(owner, a.email) !== "person") continue;
    if (!seen.has(a.email)) seen.set(a.email, { email: a.email, name: a.name });
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

/** A later meeting that counts as a follow-up: after the first ended, not cancelled, nobody declined, not large. */
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
 * (from sent mail or the calendar) that organised it or answered it stands for the owner.
 */
function asOwnerSees(m: Meeting, owner: OwnerIdentity): Meeting {
  const orgIsOwner = !m.organizerSelf && m.organizer !== undefined && owner.addresses.has(m.organizer.email);
  const own = m.selfResponse === undefined ? m.attendees.find((a) => owner.addresses.has(a.email)) : undefined;
  if (!orgIsOwner && !own) return m;
  const out: Meeting = { ...m };
  if (orgIsOwner) Object.assign(out, { organizerSelf: true, organizer: undefined });
  if (own) out.selfResponse = own.response;
  return out;
}

/** Runs the rules of shared/spec/behaviour.md over one account's meetings and messages as of `now`. */
export function infer(ownerInfo: Owner, allMeetings: Meeting[], messages: MailMessage[], now: number): Inference {
  const owner = ownerIdentity(ownerInfo.email, ownerInfo.aliases);
  const meetings = allMeetings.map((m) => asOwnerSees(m, owner));
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
  const ordered = meetings.slice().sort((a, b) => a.start - b.start || a.end - b.end || (a.id < b.id ? -1 : 1));
  const firstMet = new Map<string, { meeting: Meeting; name: string }>();
  let meetingsAttended = 0;
  for (const m of ordered) {
    if (!attended(m, now)) continue;
    meetingsAttended += m.end > now - RULES.newContactWindowMs ? 1 : 0;
    if (isLarge(m)) continue;
    for (const p of peopleAt(m, owner)) if (!firstMet.has(p.email)) firstMet.set(p.email, { meeting: m, name: p.name });
  }
  for (const m of ordered) for (const a of m.attendees) learnName(a.email, a.name);
  const index = appearances(ordered, owner);
  const contacts: Contact[] = [];
  for (const [email, { meeting, name }] of firstMet) {
    const sent = sentTo.get(email) ?? [];
    if (sent.some((t) => t < meeting.start - RULES.knownBeforeMs)) continue;
    const contact: Contact = { email, name: (name && !name.includes("@") ? name : "") || names.get(email) || "", eventId: meeting.id, eventTitle: meeting.title, metAt: meeting.start, metEnd: meeting.end };
    const upToNow = sent.filter((t) => t <= now);
    if (upToNow.length) contact.lastOutboundAt = Math.max(...upToNow);
    const mail = sent.filter((t) => t > meeting.start && t <= now).sort((a, b) => a - b)[0];
    const later = laterMeetingWith(email, meeting, index);
    if (mail !== undefined && (!later || mail <= later.start)) Object.assign(contact, { followedUpAt: mail, followedUpBy: "mail" });
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
