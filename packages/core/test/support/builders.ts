/** Tiny builders of provider-neutral records for the rule tests. Times are epoch ms. */
import type { Attendee, MailMessage, Meeting, Owner } from "../../src/model";
import { DAY } from "../../src/time";

export const HOUR = 60 * 60 * 1000;
export const MINUTE = 60 * 1000;
export { DAY };

/** A fixed scan time: Monday 2026-03-16 12:00 UTC. */
export const NOW = Date.UTC(2026, 2, 16, 12, 0, 0);

/** The default owner: an organisation account (acme.io) with one alias. */
export const OWNER: Owner = { email: "owner@acme.io", aliases: ["o.wner@acme-labs.com"], timeZone: "Europe/Berlin" };

let seq = 0;

/** One attendee entry; `a("x@y.io", { response: "declined" })`. */
export function a(email: string, over: Partial<Attendee> = {}): Attendee {
  return { email, name: "", response: "accepted", resource: false, organizer: false, ...over };
}

/** `n` distinct external attendees `p0@crowd.example` … (accepted, not resources). */
export function crowd(n: number, over: Partial<Attendee> = {}, domain = "crowd.example"): Attendee[] {
  return Array.from({ length: n }, (_, i) => a(`p${i}@${domain}`, over));
}

type MeetingInput = Partial<Omit<Meeting, "attendees">> & {
  /** Attendees as entries or plain addresses (accepted). */
  attendees?: (Attendee | string)[];
  /** Shortcut: end = start + duration (default 1 hour). */
  duration?: number;
};

/**
 * An ordinary meeting the owner accepted, one hour long, ending two days before NOW,
 * with `ext@partner.io` unless attendees are given.
 */
export function meeting(over: MeetingInput = {}): Meeting {
  const { attendees, duration, ...rest } = over;
  const start = over.start ?? (over.end !== undefined ? over.end - (duration ?? HOUR) : NOW - 2 * DAY - HOUR);
  const end = over.end ?? start + (duration ?? HOUR);
  return {
    id: `m${++seq}`,
    title: "Meeting",
    allDay: false,
    cancelled: false,
    kind: "default",
    organizerSelf: false,
    selfResponse: "accepted",
    ...rest,
    start,
    end,
    attendees: (attendees ?? ["ext@partner.io"]).map((x) => (typeof x === "string" ? a(x) : x)),
  };
}

type SentInput = Partial<Omit<MailMessage, "recipients">> & { to?: (string | { email: string; name: string })[] };

/** An outbound message from the owner's primary address, in the sent folder, to `to`. */
export function sent(over: SentInput = {}): MailMessage {
  const { to, ...rest } = over;
  return {
    id: `s${++seq}`,
    sentAt: NOW - DAY,
    from: "owner@acme.io",
    inSent: true,
    draft: false,
    meetingNotice: false,
    subject: "Hello",
    ...rest,
    recipients: (to ?? ["ext@partner.io"]).map((x) => (typeof x === "string" ? { email: x, name: "" } : x)),
  };
}
