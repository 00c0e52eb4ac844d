import type { MailboxProvider } from "../providers";
import { googleAdapterWith, type GoogleProviderOptions } from "./adapter";
import { googleCalendarStream } from "./calendar";
import { gmailOwnerInboxStream, gmailSentStream, type SentSeen } from "./sent";

export * from "./adapter";
export { googleEventTexts, mapGmailMessage, mapGoogleEvent, GMAIL_HEADERS, NOTICE_SUBJECTS } from "./map";
/** What a caller of the event mapper awaits first over the events' texts: the HTML decoder, where one needs it (core/events/platform). */
export { platformTextsReady } from "../events/platform";
export { classifyGoogleError, retryAfterInMessage } from "./errors";
export { GMAIL_UNITS, OWNER_INBOX_DAYS } from "./sent";
export { READ_EVENT_TYPES } from "./calendar";

/** Gmail + Google Calendar behind the role interfaces, paced under the per-user quotas, with retries. */
export function googleProvider(o: GoogleProviderOptions): MailboxProvider {
  // The whole mailbox's read of the owner's mail passes over what the scan's read of Sent got (SentSeen):
  // the scan reads Sent first, then asks for the owner-mail stream, which takes what was seen since
  // the last one was asked for, so that nothing carries from one scan to the next.
  const seen: SentSeen | undefined = o.wholeMailbox ? new Map() : undefined;
  return googleAdapterWith(o, (p) => ({
    // Sent mail in the Trash too, always: it was still sent, and an incremental round already keeps it
    // (a TRASH added to a SENT message is no removal), where a full re-read without it swept it
    // (helper-193 #2). Spam is never read.
    sentMail: gmailSentStream(p.gmail, seen ? { seen } : {}),
    ownerMail: (identities) => {
      if (!seen) return gmailOwnerInboxStream(p.gmail, identities);
      const sent = new Map(seen);
      seen.clear();
      return gmailOwnerInboxStream(p.gmail, identities, { days: Number.POSITIVE_INFINITY, allMail: true, sent });
    },
    calendar: googleCalendarStream(p.calendar),
  }));
}
