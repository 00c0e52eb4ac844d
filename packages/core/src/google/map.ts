import type { calendar_v3 } from "@googleapis/calendar";
import type { gmail_v1 } from "@googleapis/gmail";
import { decodeHeader, parseAddressList } from "../addresses";
import { normalizeAddress, ownerIdentity } from "../identity";
import { allDayDates, type Attendee, type EventKind, keptName, keptText, type MailMessage, type Meeting, type Owner, type Response, writtenAddress } from "../model";
import { platformOf } from "../events/platform";
import { atWall, hasOffset, isZone, localMidnight, wallMs } from "../time";

const responses: Record<string, Response> = { accepted: "accepted", tentative: "tentative", declined: "declined", needsAction: "needsAction" };
const kinds: Record<string, EventKind> = {
  default: "default", outOfOffice: "outOfOffice", focusTime: "focusTime", workingLocation: "workingLocation", birthday: "birthday", fromGmail: "fromGmail",
};

/**
 * The Subject prefixes of Gmail's automatic meeting notices, exactly as shared/spec/behaviour.md lists
 * them ("a Subject starting `Invitation:`, `Updated invitation:`, `Canceled event:`, `Accepted:`,
 * `Declined:` or `Tentative:`"): as written, in that case. Any other Subject is the owner's own mail,
 * even one a calendar in another spelling might write ("Cancelled event:", "Tentatively accepted:").
 */
export const NOTICE_SUBJECTS = /^(?:Invitation|Updated invitation|Canceled event|Accepted|Declined|Tentative):/;

function instant(t: calendar_v3.Schema$EventDateTime | undefined, zone: string): { ms: number; allDay: boolean } {
  if (t?.dateTime) {
    if (hasOffset(t.dateTime)) return { ms: Date.parse(t.dateTime), allDay: false };
    // "A time zone offset is required unless a time zone is explicitly specified in timeZone"
    // (Calendar v3 discovery, EventDateTime.dateTime): without one, the wall time is in that zone
    // (the owner's when it names none this runtime knows), never in this host's.
    const z = t.timeZone && isZone(t.timeZone) ? t.timeZone : zone;
    // A wall time the clocks show twice is the earlier, one they skip is read with the offset before (core/time atWall).
    return { ms: atWall(wallMs(t.dateTime), z), allDay: false };
  }
  if (t?.date) return { ms: localMidnight(t.date, zone), allDay: true };
  return { ms: Number.NaN, allDay: false };
}

/** Maps a Calendar v3 event (one instance) to a provider-neutral meeting; pure. */
/** The texts an event's platform link is read from (events.md rule 3): its location and description. */
const eventTexts = (e: calendar_v3.Schema$Event) => ({ location: e.location, description: e.description });

/** Those texts as a list: what the caller of {@link mapGoogleEvent} loads the HTML decoder over first (core/events/platform platformTextsReady). */
export const googleEventTexts = (e: calendar_v3.Schema$Event) => Object.values(eventTexts(e));

export function mapGoogleEvent(e: calendar_v3.Schema$Event, owner: Owner): Meeting {
  const me = ownerIdentity(owner.email, owner.aliases);
  const isMe = (email?: string | null) => {
    const n = email ? normalizeAddress(email) : undefined;
    return n !== undefined && me.addresses.has(n);
  };
  // A ticket Gmail put in the calendar is "organised by the owner" (events.md), whatever organiser
  // Google names on it (often a placeholder address, with no `self` flag and no attendee entries).
  // With no organiser named, the owner's own attendee entry marked `organizer` says who organised it
  // (Calendar's attendee.organizer: "Whether the attendee is the organizer of the event"; Google
  // always names one, a fixture may not: helper-120).
  const organizerNamed = !!(e.organizer?.email || e.organizer?.self);
  const ownEntryOrganizes = !organizerNamed && (e.attendees ?? []).some((a) => a.organizer === true && (a.self === true || isMe(a.email)));
  const organizerSelf = e.organizer?.self === true || isMe(e.organizer?.email) || e.eventType === "fromGmail" || ownEntryOrganizes;
  const start = instant(e.start, owner.timeZone);
  const end = instant(e.end, owner.timeZone);
  const orgEmail = e.organizer?.email ? normalizeAddress(e.organizer.email) : undefined;
  let selfResponse: Response | undefined;
  let selfFlagged = false;
  let unnamed = 0;
  let self: Meeting["self"];
  const selfOf = (p: { email?: string | null; displayName?: string | null } | undefined) => {
    const email = p?.email ? normalizeAddress(p.email) : undefined;
    if (email && !self) self = { email, name: keptName(p?.displayName ?? "") };
  };
  if (e.organizer?.self) selfOf(e.organizer);
  const attendees: Attendee[] = [];
  for (const a of e.attendees ?? []) {
    if (a.self) selfOf(a);
    if (a.self || isMe(a.email)) {
      // The entry Google marks `self` is the owner's answer; an alias entry only fills in when there is none.
      if (a.self || !selfFlagged) selfResponse = responses[a.responseStatus ?? ""] ?? "needsAction";
      if (a.self) selfFlagged = true;
      continue;
    }
    const email = a.email ? normalizeAddress(a.email) : undefined;
    if (!email) {
      if (a.resource !== true) unnamed++;
      continue;
    }
    attendees.push({
      email,
      ...writtenAddress(a.email, email),
      name: keptName(a.displayName ?? ""),
      response: responses[a.responseStatus ?? ""] ?? "needsAction",
      resource: a.resource === true,
      organizer: a.organizer === true || email === orgEmail,
    });
  }
  return {
    id: e.id ?? "",
    title: keptText(e.summary ?? ""),
    start: start.ms,
    end: end.ms,
    allDay: start.allDay,
    ...(start.allDay ? allDayDates(e.start?.date, e.end?.date) : {}),
    cancelled: e.status === "cancelled",
    kind: kinds[e.eventType ?? "default"] ?? "other",
    organizerSelf,
    selfResponse,
    // The owner organised it: no one else is on it as its organiser.
    organizer: orgEmail && !organizerSelf ? { email: orgEmail, name: keptName(e.organizer?.displayName ?? ""), ...writtenAddress(e.organizer?.email, orgEmail) } : undefined,
    attendees,
    seriesId: e.recurringEventId ?? undefined,
    ...(unnamed ? { unnamedEntries: unnamed } : {}),
    ...(self ? { self } : {}),
    // events.md rule 3: only the platform is kept; the location's and description's text is not.
    ...withPlatform(platformOf({ iCalUid: e.iCalUID, ...eventTexts(e) })),
  };
}

const withPlatform = (p: Meeting["platform"]) => (p ? { platform: p } : {});

function hasCalendarPart(p: gmail_v1.Schema$MessagePart | undefined): boolean {
  if (!p) return false;
  if ((p.mimeType ?? "").toLowerCase() === "text/calendar") return true;
  return (p.parts ?? []).some(hasCalendarPart);
}

/**
 * The headers the scan reads, by name in any case (RFC 5322 1.2.2: header field names are
 * case-insensitive; Exchange writes `CC:`). The scan asks Gmail for every header of a message
 * (format=metadata without `metadataHeaders`, the same 5 units), not for these names: the filter is
 * reported to match names exactly, dropping a `to:` or `SUBJECT:` (NousResearch/hermes-agent pull
 * request 77067), and the gmail-v1 discovery document says only "When given and format is METADATA,
 * only include headers specified." Until 2026-12-06 it asked for these, and a follow-up Cc'd in a
 * `CC:` header could be read as none (helper-231; docs/provider-quirks.md). The resent fields are a
 * redirected message's (RFC 5322 3.6.6): a client that redirects ("Redirect" in Apple Mail or
 * Thunderbird) sends the message as it was, From and To its original author's and recipients', and
 * adds a block saying who sent it on, when and to whom; each resend prepends its own.
 */
export const GMAIL_HEADERS = ["From", "To", "Cc", "Bcc", "Subject", "Date", "Message-ID", "Content-Type", "Content-Class", "Resent-Date", "Resent-From", "Resent-Sender", "Resent-Message-ID", "Resent-To", "Resent-Cc", "Resent-Bcc"];

/** Recipient headers whose every occurrence counts. */
const ADDRESS_LISTS = new Set(["to", "cc", "bcc"]);

/** Adds a header's value to those already read under its name, as one list (recipient headers written more than once). */
const appendList = (read: Map<string, string>, k: string, v: string) => read.set(k, read.has(k) ? `${read.get(k)}, ${v}` : v);

/**
 * The latest resend's block of resent fields: the first. A block holds each resent field once at
 * most (RFC 5322 3.6's table: "one per block"), so it ends where one of its fields comes again.
 * Only resent fields are looked at (trace fields such as Received, which come between blocks now
 * that every header is read, are passed over), so a field an older block has and the latest lacks,
 * written before the older block's first repeated field, is read as the latest's.
 */
function latestResend(headers: readonly gmail_v1.Schema$MessagePartHeader[]): Map<string, string> {
  const block = new Map<string, string>();
  for (const h of headers) {
    const k = (h.name ?? "").toLowerCase();
    if (!k.startsWith("resent-")) continue;
    if (block.has(k)) break;
    block.set(k, h.value ?? "");
  }
  return block;
}

/** Maps a Gmail message (format=metadata) to a provider-neutral message; pure, never throws on bad headers. */
export function mapGmailMessage(m: gmail_v1.Schema$Message): MailMessage {
  const headers = new Map<string, string>();
  for (const h of m.payload?.headers ?? []) {
    const k = (h.name ?? "").toLowerCase();
    const v = h.value ?? "";
    // RFC 5322 allows one To, Cc and Bcc; a message with more (some mailers write them) went to all of them.
    if (ADDRESS_LISTS.has(k)) appendList(headers, k, v);
    else if (!headers.has(k)) headers.set(k, v);
  }
  const labels = new Set(m.labelIds ?? []);
  // In the owner's Sent, a redirected message is the owner's resend: sent by its Resent-From to its
  // Resent- recipients, its From the original author's, no address of the owner's (helper-120 #1),
  // whether its Resent-From names an address or, sent on to someone, holds what a local mailer wrote
  // (`ana@localhost`; helper-125 #4). Anywhere else the resend is someone else's (a list that adds
  // Resent-From), and the message is read as written; so is one whose Resent-From is blank, or
  // names no address and no one it went to (a stray field: helper-126).
  const block = labels.has("SENT") ? latestResend(m.payload?.headers ?? []) : undefined;
  const resentBy = block?.get("resent-from")?.trim();
  const resent = !!resentBy && (parseAddressList(resentBy).length > 0 || [...ADDRESS_LISTS].some((k) => block!.has(`resent-${k}`)));
  const field = (k: string) => (resent ? block!.get(`resent-${k}`) : headers.get(k));
  const sender = parseAddressList(field("from"))[0];
  const subject = keptText(decodeHeader(headers.get("subject")));
  const contentType = (headers.get("content-type") ?? "").toLowerCase();
  let sentAt = Number(m.internalDate);
  if (!Number.isFinite(sentAt) || m.internalDate == null) sentAt = Date.parse(headers.get("date") ?? "");
  return {
    id: m.id ?? "",
    threadId: m.threadId ?? undefined,
    messageId: headers.get("message-id") || undefined,
    sentAt,
    from: sender?.email,
    ...(sender?.name ? { fromName: sender.name } : {}),
    ...(resent ? { resent: true } : {}),
    inSent: labels.has("SENT"),
    draft: labels.has("DRAFT"),
    // Gmail's metadata format has no MIME parts (the sandbox answers so too): a notice is known by its
    // subject, its top-level type, or Outlook's Content-Class header. Parts count only in a message
    // read some other way (the mapper is pure; no read of the service's carries them).
    meetingNotice:
      NOTICE_SUBJECTS.test(subject) ||
      contentType.includes("text/calendar") ||
      /calendarmessage/i.test(headers.get("content-class") ?? "") ||
      hasCalendarPart(m.payload ?? undefined),
    recipients: [...ADDRESS_LISTS].flatMap((k) => parseAddressList(field(k)).map(({ email, name }) => ({ email, name }))),
    subject,
  };
}
