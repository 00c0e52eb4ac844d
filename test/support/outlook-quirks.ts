/**
 * A small Outlook mailbox built in code for the tests of two documented Graph behaviours:
 * recurring series whose occurrences calendarView/delta returns as stubs (the fixture holds them in
 * full, as calendarView does, with no series master), and more sent mail than a filtered message
 * delta returns (the sandbox's cap is set small in these tests).
 */
import type { MailboxFixture } from "@followthrough/sandbox";

const DAY = 86_400_000;
/** Graph's UTC dateTimeTimeZone. */
const at = (ms: number) => ({ dateTime: new Date(ms).toISOString().replace(/\.\d{3}Z$/, ".0000000"), timeZone: "UTC" });
const person = (name: string) => ({ emailAddress: { name, address: `${name.toLowerCase()}@fabrikam.example` } });

export const OWNER = "ana@contoso.example";
/** The newest sent message's receivedDateTime; the others go back from it, one a day and a half. */
export const NEWEST_SENT = Date.parse("2026-05-20T09:00:00Z");
/** "Now" for scans of this mailbox. */
export const NOW = Date.parse("2026-05-21T12:00:00Z");

/** The series of the mailbox: master id, subject and what each occurrence is. */
export const SERIES = {
  review: { id: "AAMkSeriesReview=", subject: "Design review" },
  standup: { id: "AAMkSeriesStandup=", subject: "Standup" },
};

type Ev = Record<string, unknown>;

function occurrence(series: { id: string; subject: string }, n: number, start: number, mins: number, extra: Ev = {}): Ev {
  return {
    "@odata.etag": `W/"${series.id}${n}"`,
    id: `${series.id.replace(/=$/, "")}-occ${n}=`,
    createdDateTime: "2026-03-01T08:00:00Z",
    lastModifiedDateTime: "2026-03-01T08:00:00Z",
    subject: series.subject,
    type: "occurrence",
    seriesMasterId: series.id,
    isAllDay: false,
    isCancelled: false,
    isOrganizer: false,
    showAs: "busy",
    sensitivity: "normal",
    responseStatus: { response: "accepted", time: `2026-03-0${(n % 9) + 1}T08:00:00Z` },
    organizer: person("Bo"),
    attendees: [
      { type: "required", status: { response: "accepted", time: `2026-03-0${(n % 9) + 1}T09:00:00Z` }, ...person("Bo") },
      { type: "required", status: { response: "accepted", time: "2026-03-02T09:00:00Z" }, ...person("Cy") },
      { type: "required", status: { response: "accepted", time: "2026-03-02T09:00:00Z" }, emailAddress: { name: "Ana", address: OWNER } },
    ],
    start: at(start),
    end: at(start + mins * 60_000),
    ...extra,
  };
}

/** Events: a weekly review (six occurrences, three of them exceptions), a daily standup and one single meeting. */
export function seriesEvents(): Ev[] {
  const monday = Date.parse("2026-04-06T10:00:00Z");
  const review = [0, 1, 2, 3, 4, 5].map((n) => occurrence(SERIES.review, n, monday + n * 7 * DAY, 60));
  // Exceptions: one cancelled, one moved to the afternoon, one with a new person invited.
  Object.assign(review[3], { isCancelled: true, subject: `Canceled: ${SERIES.review.subject}` });
  Object.assign(review[4], { start: at(monday + 4 * 7 * DAY + 5 * 3_600_000), end: at(monday + 4 * 7 * DAY + 6 * 3_600_000) });
  (review[5].attendees as Ev[]).push({ type: "required", status: { response: "none", time: "0001-01-01T00:00:00Z" }, ...person("Dee") });
  const standup = [0, 1, 2].map((n) => occurrence(SERIES.standup, n, Date.parse("2026-05-11T08:30:00Z") + n * DAY, 15));
  const single = {
    "@odata.etag": 'W/"single"',
    id: "AAMkSingle=",
    subject: "Coffee with Eve",
    type: "singleInstance",
    seriesMasterId: null,
    isAllDay: false,
    isCancelled: false,
    isOrganizer: true,
    responseStatus: { response: "organizer", time: "0001-01-01T00:00:00Z" },
    organizer: { emailAddress: { name: "Ana", address: OWNER } },
    attendees: [{ type: "required", status: { response: "accepted", time: "2026-05-01T09:00:00Z" }, ...person("Eve") }],
    start: at(Date.parse("2026-05-14T15:00:00Z")),
    end: at(Date.parse("2026-05-14T15:30:00Z")),
  };
  return [...review, ...standup, single];
}

/** `count` sent messages, newest at NEWEST_SENT, one every 36 hours before it, each to its own person. */
export function sentMessages(count: number): Ev[] {
  return Array.from({ length: count }, (_, i) => {
    const ms = NEWEST_SENT - i * 36 * 3_600_000;
    const iso = new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
    return {
      "@odata.etag": `W/"sent${i}"`,
      id: `AAMkSent${String(i).padStart(5, "0")}=`,
      receivedDateTime: iso,
      sentDateTime: iso,
      subject: `Note ${i}`,
      isDraft: false,
      internetMessageId: `<sent${i}@contoso.example>`,
      conversationId: `AAQkConv${i}=`,
      from: { emailAddress: { name: "Ana", address: OWNER } },
      toRecipients: [{ emailAddress: { name: `P${i}`, address: `p${i}@example.org` } }],
    };
  });
}

/** The mailbox: `sent` sent messages and the series above. */
export function outlookQuirksMailbox(sent = 10): MailboxFixture {
  return {
    dir: "(in code)",
    account: { provider: "microsoft", email: OWNER, aliases: [], displayName: "Ana Torres", timeZone: "UTC" },
    microsoft: { inbox: [], sentitems: sentMessages(sent) as never, events: seriesEvents() as never },
  };
}
