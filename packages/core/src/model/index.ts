/** Provider-neutral records the rules work on: what the adapters map Gmail, Calendar and Graph into. */
import { addDays, isCalendarDate, localMidnight } from "../time";

/** An attendee's answer to an invitation. */
export type Response = "accepted" | "tentative" | "declined" | "needsAction";

/** One attendee entry of an event. */
export interface Attendee {
  /** Normalised address. */
  email: string;
  /** The address as the entry wrote it, kept where normalising changed more than letter case (a `+tag`, Gmail's dots): mail to this person goes there ({@link writtenAddress}). */
  address?: string;
  name: string;
  response: Response;
  /** A room or other resource (Google `resource: true`, Graph `type: "resource"`). */
  resource: boolean;
  /** True when the entry is the organiser. */
  organizer: boolean;
}

/** The kinds of calendar entry; only "default" can be a meeting. */
export type EventKind = "default" | "outOfOffice" | "focusTime" | "workingLocation" | "birthday" | "fromGmail" | "other";

/** A calendar event occurrence, reduced to what the rules and the digest need. */
export interface Meeting {
  id: string;
  title: string;
  /** Epoch milliseconds. All-day events start and end at the owner's local midnight. */
  start: number;
  end: number;
  allDay: boolean;
  /**
   * An all-day event's own dates as the provider gives them (YYYY-MM-DD, the end exclusive): the days
   * it is shown on whatever zone the owner sets later. `start`/`end` are midnights in the zone of the
   * read, and until the calendar is read again in a new zone (core/events changeTimeZone files that
   * read for the next dispatch) they would show another day there (helper-208). Absent on timed events
   * and on meetings stored before it was kept.
   */
  dates?: { start: string; end: string };
  cancelled: boolean;
  kind: EventKind;
  /** The owner organised it. */
  organizerSelf: boolean;
  /** The owner's own response, when the owner is on the list. */
  selfResponse?: Response;
  /** Organiser's normalised address and name (may be absent from `attendees`), and its address as written where that differs ({@link Attendee.address}). */
  organizer?: { email: string; name: string; address?: string };
  /** Attendee entries other than the owner's own. */
  attendees: Attendee[];
  /** Series id for an occurrence of a recurring event. */
  seriesId?: string;
  /** Attendee entries (not resources) without a usable address: no one to meet, but they count towards a large gathering. */
  unnamedEntries?: number;
  /**
   * The entry the provider marks as the calendar's owner (Google `self: true` on an attendee or the
   * organiser): an owner address the scan learns as an alias, with the name shown there.
   */
  self?: { email: string; name: string };
  /**
   * The event platform the event comes from, derived at ingest from its iCalUID (Google) or a link to
   * an event page in its location or description (shared/spec/events.md rule 3): "luma", "meetup",
   * "eventbrite", "partiful" or "tito". The description itself is never stored.
   */
  platform?: EventPlatform;
  /**
   * The zone the owner created their own event in (Graph's `originalStartTimeZone`, "the start time
   * zone that was set when the event was created": learn.microsoft.com/graph/api/resources/event),
   * as an IANA zone; on meetings the owner organised only, and never UTC or a zone Graph could not
   * name (`tzone://Microsoft/Utc`, `tzone://Microsoft/Custom`). What an account whose provider names
   * no zone is given from its calendar ({@link ownMeetingsZone}).
   */
  zone?: string;
}

/**
 * The zone most of the owner's own meetings were created in ({@link Meeting.zone}): each series and
 * single event counted once (a daily series is one choice of zone, not hundreds); none where two
 * zones tie or no meeting names one.
 */
export function ownMeetingsZone(meetings: readonly Meeting[]): string | undefined {
  const seen = new Map<string, string>();
  for (const m of meetings) if (m.organizerSelf && !m.cancelled && m.zone) seen.set(m.seriesId ?? m.id, m.zone);
  const counts = new Map<string, number>();
  for (const z of seen.values()) counts.set(z, (counts.get(z) ?? 0) + 1);
  const [first, second] = [...counts].sort((a, b) => b[1] - a[1]);
  return first && (!second || first[1] > second[1]) ? first[0] : undefined;
}

/** Event platforms of shared/spec/events.md. */
export type EventPlatform = "luma" | "meetup" | "eventbrite" | "partiful" | "tito";

/** A message in the owner's mailbox, reduced to headers the rules need. No bodies. */
export interface MailMessage {
  id: string;
  threadId?: string;
  /** RFC 5322 Message-ID, for threading a follow-up as a reply. */
  messageId?: string;
  /** Epoch milliseconds the message was sent. */
  sentAt: number;
  /** Normalised sender address. */
  from?: string;
  /** The sender's display name (From header), when there is one. */
  fromName?: string;
  /**
   * Sent on behalf of `from` by another mailbox (Graph's `sender` differs from its `from`): in the
   * owner's Sent Items, a message the owner sent as a delegate for someone else, whose address is not
   * one of the owner's.
   */
  onBehalfOf?: boolean;
  /**
   * The owner's resend of someone's message (a redirect in Gmail's Sent, RFC 5322 3.6.6): `from` and
   * `recipients` are its latest Resent-From and Resent-To, -Cc and -Bcc; the original author, whose
   * From it keeps, is not the owner, so it teaches no owner identity.
   */
  resent?: boolean;
  /** In the sent folder / has the SENT label. */
  inSent: boolean;
  draft: boolean;
  /** An automatic meeting notice (invitation, response, cancellation). */
  meetingNotice: boolean;
  /** To, Cc and Bcc recipients. */
  recipients: { email: string; name: string }[];
  subject?: string;
}

/** The connected owner. */
export interface Owner {
  email: string;
  aliases: string[];
  displayName?: string;
  timeZone: string;
  /** The mailbox's provider, where known: it decides what can teach an alias (core/scan learnOwnerIdentities). */
  provider?: "google" | "microsoft";
  /** The provider's fixed id of the account (core/oauth identityKey), where known: a personal Microsoft account's is taught aliases as Gmail's is. */
  identity?: string;
}

/**
 * `{ address }` when an address as written differs from its normalised form beyond letter case
 * (shared/spec/behaviour.md normalises for comparison only: `ana+events@x.io` is `ana@x.io` to the
 * rules, but a draft goes to `ana+events@x.io`); nothing otherwise, so most entries store no copy.
 * A name written with combining accents is kept too (NFC makes it another string): the scan contract
 * prints the address as written (packages/cli scan contractAddress; until 2026-12-07 it printed the
 * precomposed form, which the spec's comparison does not make, helper-247).
 */
export function writtenAddress(raw: string | null | undefined, email: string | undefined): { address?: string } {
  const written = (raw ?? "").trim();
  return email && written && written.toLowerCase() !== email ? { address: written } : {};
}

/**
 * The address a person's entry on a meeting wrote (their attendee entry, else the organiser's), where
 * it differs from the normalised `email` ({@link writtenAddress}); undefined otherwise, or for a
 * meeting stored before it was kept. Where a draft to them goes, and what a digest shows.
 */
export function addressOn(m: Meeting | undefined, email: string): string | undefined {
  if (!m) return undefined;
  return m.attendees.find((a) => a.email === email && a.address)?.address ?? (m.organizer?.email === email ? m.organizer.address : undefined);
}

/** A person as the pages and emails name them: by name, else by the address as written (`address`), never by the normalised key alone where that differs. */
export const shownName = (p: { name?: string; address?: string; email: string }): string => p.name || p.address || p.email;

/**
 * The most of a meeting's title or a message's Subject kept (characters). Both are shown, never
 * parsed whole: a title of hundreds of KB (valid JSON, no provider's UI writes one) went into every
 * record that names its meeting, a person's among them, past DynamoDB's 400 KB item. A networking
 * keyword or the phrase "conference call" further in than this is not seen.
 */
export const TEXT_KEPT_MAX = 10_000;

/** `s` cut to `max` characters (not inside a surrogate pair). */
function cut(s: string, max: number): string {
  if (s.length <= max) return s;
  return s.slice(0, /[\uD800-\uDBFF]/.test(s[max - 1]) ? max - 1 : max);
}

/** `s` cut to {@link TEXT_KEPT_MAX} characters (not inside a surrogate pair). */
export const keptText = (s: string): string => cut(s, TEXT_KEPT_MAX);

/**
 * The most of a person's display name kept (characters), in a calendar's entries and Graph's
 * recipients as in a header's names (core/addresses MAX_NAME is this). A calendar's or Graph's name has no limit of its own in the
 * providers' documents: one of 256 KB took 40 s in the first-name guess (core/followup firstNameOf,
 * helper-218), at every digest and draft naming the person, and a meeting's many such names would
 * outgrow DynamoDB's 400 KB item.
 */
export const NAME_KEPT_MAX = 512;

/** A display name cut to {@link NAME_KEPT_MAX} characters (not inside a surrogate pair). */
export const keptName = (s: string): string => cut(s, NAME_KEPT_MAX);

/** A calendar date as providers write an all-day event's (YYYY-MM-DD), and a real one (core/time isCalendarDate). */
const isDate = (d: string | null | undefined): d is string => typeof d === "string" && isCalendarDate(d);

/**
 * An all-day event's {@link Meeting.dates} from the provider's start and (exclusive) end dates: none
 * when the start is no calendar date; an end missing, unreadable or not after the start is the next day.
 */
export function allDayDates(start: string | null | undefined, end: string | null | undefined): { dates?: { start: string; end: string } } {
  if (!isDate(start)) return {};
  return { dates: { start, end: isDate(end) && end > start ? end : addDays(start, 1) } };
}

/**
 * A meeting as the owner's zone reckons it now: an all-day event from its own dates (Meeting.dates),
 * midnight at the start of its first day to midnight after its last in `zone` (behaviour.md). Its
 * stored start and end are those midnights in the zone the calendar was read in, which after the
 * owner's zone changed and before the calendar is read again (core/events changeTimeZone) are
 * another zone's, up to a day off. Any other meeting, one that keeps no dates (stored before it
 * did) and one whose stored times are no span (no end, none after its start), is as stored, as it
 * is in a zone this runtime does not know; one read in `zone` comes back as it is.
 */
export function inZone<M extends Meeting>(m: M, zone: string): M {
  if (!m.allDay || !m.dates || !Number.isFinite(m.start) || !(m.end > m.start)) return m;
  let start: number;
  let end: number;
  try {
    start = localMidnight(m.dates.start, zone);
    end = localMidnight(m.dates.end, zone);
  } catch {
    // A zone this runtime does not know (core/time zoneOffset's RangeError): as read.
    return m;
  }
  if (!(end > start) || (start === m.start && end === m.end)) return m;
  return { ...m, start, end };
}
