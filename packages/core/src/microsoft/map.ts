import type { Event, Message, Recipient } from "@microsoft/microsoft-graph-types";
import { normalizeAddress, ownerIdentity } from "../identity";
import { allDayDates, type Attendee, keptName, keptText, type MailMessage, type Meeting, type Owner, type Response, writtenAddress } from "../model";
import { platformOf } from "../events/platform";
import { localMidnight } from "../time";
import { parseInstant, toIanaZone } from "../zones";

/**
 * The zone an event the owner made was created in (`originalStartTimeZone`), mapped as core/zones
 * maps the mailbox's; none for UTC under any name, nor for a zone Graph itself could not name
 * ("tzone://Microsoft/Utc" where Exchange could not match the zone's rules, OfficeDev/ews-managed-api
 * issue 148; "tzone://Microsoft/Custom", phw198/OutlookGoogleCalendarSync issue 2148), which map to
 * nothing: UTC is as likely an app's default as the owner's zone.
 */
function createdIn(name: string | null | undefined): string | undefined {
  const zone = toIanaZone(name);
  return zone && !/^(Etc\/)?(UTC|UCT|GMT([+-]?0)?|Universal|Zulu|Greenwich)$/.test(zone) ? zone : undefined;
}

const responses: Record<string, Response> = {
  accepted: "accepted", tentativelyAccepted: "tentative", declined: "declined", organizer: "accepted", none: "needsAction", notResponded: "needsAction",
};

/** Maps a Graph calendarView event (one occurrence) to a provider-neutral meeting; pure. */
/** The texts an event's platform link is read from (events.md rule 3): its location's name and its body's preview. */
const eventTexts = (e: Event) => ({ location: e.location?.displayName, description: e.bodyPreview });

/** Those texts as a list: what the caller of {@link mapGraphEvent} loads the HTML decoder over first (core/events/platform platformTextsReady). */
export const graphEventTexts = (e: Event) => Object.values(eventTexts(e));

export function mapGraphEvent(e: Event, owner: Owner): Meeting {
  const me = ownerIdentity(owner.email, owner.aliases);
  const time = (t: Event["start"]) =>
    e.isAllDay ? localMidnight(t?.dateTime ?? "", owner.timeZone) : parseInstant(t?.dateTime, t?.timeZone ?? "UTC");
  const orgEmail = e.organizer?.emailAddress?.address ? normalizeAddress(e.organizer.emailAddress.address) : undefined;
  const attendees: Attendee[] = [];
  let unnamed = 0;
  let selfResponse: Response | undefined = e.responseStatus?.response ? responses[e.responseStatus.response] : undefined;
  for (const a of e.attendees ?? []) {
    const email = a.emailAddress?.address ? normalizeAddress(a.emailAddress.address) : undefined;
    if (!email) {
      if (a.type !== "resource") unnamed++;
      continue;
    }
    const response = responses[a.status?.response ?? "none"] ?? "needsAction";
    if (me.addresses.has(email)) {
      selfResponse ??= response;
      continue;
    }
    attendees.push({ email, ...writtenAddress(a.emailAddress?.address, email), name: keptName(a.emailAddress?.name ?? ""), response, resource: a.type === "resource", organizer: email === orgEmail });
  }
  const platform = platformOf(eventTexts(e));
  const organizerSelf = e.isOrganizer === true || (orgEmail !== undefined && me.addresses.has(orgEmail));
  const zone = organizerSelf ? createdIn(e.originalStartTimeZone) : undefined;
  return {
    id: e.id ?? "",
    title: keptText(e.subject ?? ""),
    start: time(e.start),
    end: time(e.end),
    allDay: e.isAllDay === true,
    // An all-day event's start and end are midnights, written without an offset (the date is their first ten characters).
    ...(e.isAllDay === true ? allDayDates(e.start?.dateTime?.slice(0, 10), e.end?.dateTime?.slice(0, 10)) : {}),
    cancelled: e.isCancelled === true,
    kind: "default",
    organizerSelf,
    selfResponse: organizerSelf && e.responseStatus?.response === "organizer" ? undefined : selfResponse,
    organizer: orgEmail && !organizerSelf ? { email: orgEmail, name: keptName(e.organizer?.emailAddress?.name ?? ""), ...writtenAddress(e.organizer?.emailAddress?.address, orgEmail) } : undefined,
    attendees,
    seriesId: e.seriesMasterId ?? undefined,
    ...(unnamed ? { unnamedEntries: unnamed } : {}),
    // events.md rule 3: location.displayName and bodyPreview are read for a link to an event page and
    // never stored; Graph's iCalUId is Exchange's own and never counts.
    ...(platform ? { platform } : {}),
    ...(zone ? { zone } : {}),
  };
}

/**
 * An occurrence stub of calendarView/delta (id, type, start, end, seriesMasterId) completed with
 * its series master's fields; its own fields win. Undefined when the master is gone.
 */
export function withSeriesMaster(occurrence: Event, master: Event | null | undefined): Event | undefined {
  if (!master) return undefined;
  const { id: _id, type: _type, start: _start, end: _end, seriesMasterId: _sm, recurrence: _r, ...shared } = master;
  return { ...shared, ...occurrence } as Event;
}

const recipients = (list: Recipient[] | null | undefined) =>
  (list ?? []).flatMap((r) => {
    const email = r.emailAddress?.address ? normalizeAddress(r.emailAddress.address) : undefined;
    return email ? [{ email, name: keptName(r.emailAddress?.name ?? "") }] : [];
  });

/** Maps a Graph message of a folder to a provider-neutral message; pure. */
export function mapGraphMessage(m: Message & { "@odata.type"?: string; meetingMessageType?: string }, folder: "inbox" | "sentitems"): MailMessage {
  const type = (m["@odata.type"] ?? "").toLowerCase();
  const from = m.from?.emailAddress?.address ? normalizeAddress(m.from.emailAddress.address) : undefined;
  const sender = m.sender?.emailAddress?.address ? normalizeAddress(m.sender.emailAddress.address) : undefined;
  return {
    id: m.id ?? "",
    threadId: m.conversationId ?? undefined,
    messageId: m.internetMessageId ?? undefined,
    sentAt: parseInstant(m.sentDateTime ?? m.receivedDateTime ?? undefined),
    from,
    // The name on the From, which tells a personal account's own alias (core/scan learnOwnerIdentities; helper-153).
    ...(m.from?.emailAddress?.name?.trim() ? { fromName: keptName(m.from.emailAddress.name.trim()) } : {}),
    ...(from && sender && sender !== from ? { onBehalfOf: true } : {}),
    inSent: folder === "sentitems",
    draft: m.isDraft === true,
    meetingNotice: type.includes("eventmessage") || (m.meetingMessageType != null && m.meetingMessageType !== "none"),
    recipients: [...recipients(m.toRecipients), ...recipients(m.ccRecipients), ...recipients(m.bccRecipients)],
    subject: m.subject == null ? undefined : keptText(m.subject),
  };
}
