import type { calendar_v3 } from "@googleapis/calendar";
import type { gmail_v1 } from "@googleapis/gmail";
import type { Event, Message } from "@microsoft/microsoft-graph-types";
import { describe, expect, it } from "vitest";
import { mapGmailMessage, mapGoogleEvent } from "../src/google/map";
import { ownerIdentity } from "../src/identity";
import { networkingReason, pickableAttendees } from "../src/events";
import { firstNameOf } from "../src/followup";
import { attended, attendedEvent, infer, isLarge, isOutbound, peopleAt } from "../src/inference";
import { mapGraphEvent, mapGraphMessage } from "../src/microsoft/map";
import { keptName, type MailMessage, type Meeting, NAME_KEPT_MAX, type Owner, TEXT_KEPT_MAX } from "../src/model";
import { a, crowd, DAY, HOUR, MINUTE, meeting, NOW, OWNER, sent } from "./support/builders";

const me = ownerIdentity(OWNER.email, OWNER.aliases);
const run = (meetings: Meeting[], messages: MailMessage[] = [], now = NOW) => infer(OWNER, meetings, messages, now);
const emails = (list: { email: string }[]) => list.map((c) => c.email);
const contactsOf = (meetings: Meeting[], messages: MailMessage[] = [], now = NOW) => emails(run(meetings, messages, now).contacts);

describe("a meeting the owner attended", () => {
  it("an ordinary, ended meeting the owner accepted", () => {
    expect(attended(meeting(), NOW)).toBe(true);
    expect(contactsOf([meeting()])).toEqual(["ext@partner.io"]);
  });

  it("not when cancelled", () => {
    expect(attended(meeting({ cancelled: true }), NOW)).toBe(false);
    expect(contactsOf([meeting({ cancelled: true })])).toEqual([]);
  });

  it.each(["outOfOffice", "focusTime", "workingLocation", "birthday", "fromGmail", "other"] as const)("not when the event kind is %s", (kind) => {
    expect(attended(meeting({ kind }), NOW)).toBe(false);
    expect(contactsOf([meeting({ kind })])).toEqual([]);
  });

  it("not before it has ended (in progress, or ending exactly at now)", () => {
    expect(attended(meeting({ start: NOW - HOUR, end: NOW + HOUR }), NOW)).toBe(false);
    expect(attended(meeting({ start: NOW - HOUR, end: NOW }), NOW)).toBe(false);
    expect(attended(meeting({ start: NOW - HOUR, end: NOW - 1 }), NOW)).toBe(true);
    expect(attended(meeting({ start: NOW + DAY }), NOW)).toBe(false);
  });

  it("when the owner organised it, unless the owner declined", () => {
    expect(attended(meeting({ organizerSelf: true, selfResponse: undefined }), NOW)).toBe(true);
    expect(attended(meeting({ organizerSelf: true, selfResponse: "needsAction" }), NOW)).toBe(true);
    expect(attended(meeting({ organizerSelf: true, selfResponse: "declined" }), NOW)).toBe(false);
  });

  it("accepted and tentative count; needsAction, declined and no answer do not", () => {
    expect(attended(meeting({ selfResponse: "accepted" }), NOW)).toBe(true);
    expect(attended(meeting({ selfResponse: "tentative" }), NOW)).toBe(true);
    expect(attended(meeting({ selfResponse: "needsAction" }), NOW)).toBe(false);
    expect(attended(meeting({ selfResponse: "declined" }), NOW)).toBe(false);
    expect(attended(meeting({ selfResponse: undefined }), NOW)).toBe(false);
  });
});

describe("a large gathering", () => {
  it("26 non-resource entries besides the owner is large; 25 is not", () => {
    expect(isLarge(meeting({ attendees: crowd(26) }))).toBe(true);
    expect(isLarge(meeting({ attendees: crowd(25) }))).toBe(false);
  });

  it("an entry of the owner at another address (an alias learned after the meeting was stored) is the owner, not one of the 25", () => {
    const m = meeting({ attendees: [...crowd(25), a(OWNER.aliases[0], { response: "needsAction" })] });
    expect(isLarge(m)).toBe(true); // as stored, before the alias is applied
    expect(contactsOf([m])).toHaveLength(25);
    expect(contactsOf([m])).not.toContain(OWNER.aliases[0]);
  });

  it("resources are not counted", () => {
    expect(isLarge(meeting({ attendees: [...crowd(25), a("Board@partner.io", { resource: true }), a("r2@partner.io", { resource: true })] }))).toBe(false);
  });

  it("a room by its resource.calendar.google.com address is a resource even without the flag (Google mapper)", () => {
    const e: calendar_v3.Schema$Event = {
      id: "g1",
      start: { dateTime: "2026-03-10T10:00:00Z" },
      end: { dateTime: "2026-03-10T11:00:00Z" },
      attendees: [
        { email: "owner@acme.io", self: true, responseStatus: "accepted" },
        ...Array.from({ length: 25 }, (_, i) => ({ email: `p${i}@crowd.example`, responseStatus: "accepted" })),
        { email: "c_1889abc@resource.calendar.google.com", displayName: "Room 1", responseStatus: "accepted" },
      ],
    };
    expect(isLarge(mapGoogleEvent(e, OWNER))).toBe(false);
  });

  it("declined, colleague and role entries are counted", () => {
    const entries = [...crowd(22), a("x@partner.io", { response: "declined" }), a("bo@acme.io"), a("info@partner.io"), a("r@resource.calendar.google.com", { resource: true })];
    expect(isLarge(meeting({ attendees: entries }))).toBe(false); // 25 counted
    expect(isLarge(meeting({ attendees: [...entries, a("noreply@partner.io")] }))).toBe(true); // 26 counted
  });

  it("an organiser missing from the list is not counted", () => {
    const m = meeting({ attendees: crowd(25), organizer: { email: "host@partner.io", name: "Host" } });
    expect(isLarge(m)).toBe(false);
    expect(contactsOf([m])).toContain("host@partner.io");
  });

  it("the owner's own entry is not counted (Google mapper drops it)", () => {
    const ev = (n: number): calendar_v3.Schema$Event => ({
      id: `g${n}`,
      start: { dateTime: "2026-03-10T10:00:00Z" },
      end: { dateTime: "2026-03-10T11:00:00Z" },
      attendees: [{ email: "Owner@Acme.io", self: true, responseStatus: "accepted" }, ...Array.from({ length: n }, (_, i) => ({ email: `p${i}@crowd.example` }))],
    });
    expect(isLarge(mapGoogleEvent(ev(25), OWNER))).toBe(false);
    expect(isLarge(mapGoogleEvent(ev(26), OWNER))).toBe(true);
  });

  it("nobody is met at a large gathering; the first small meeting is where they are met", () => {
    const big = meeting({ start: NOW - 5 * DAY, attendees: crowd(26), title: "Conference" });
    expect(contactsOf([big])).toEqual([]);
    const small = meeting({ start: NOW - 3 * DAY, attendees: ["p3@crowd.example"], title: "Coffee" });
    const c = run([big, small]).contacts;
    expect(c.map((x) => [x.email, x.eventTitle])).toEqual([["p3@crowd.example", "Coffee"]]);
  });
});

describe("the people at a meeting", () => {
  it("declined attendees are excluded; unanswered ones included", () => {
    const m = meeting({ attendees: [a("no@partner.io", { response: "declined" }), a("maybe@partner.io", { response: "needsAction" }), a("t@partner.io", { response: "tentative" })] });
    expect(emails(peopleAt(m, me))).toEqual(["maybe@partner.io", "t@partner.io"]);
  });

  it("the organiser is added when the list leaves them out", () => {
    const m = meeting({ attendees: ["ext@partner.io"], organizer: { email: "host@partner.io", name: "Host Person" } });
    expect(peopleAt(m, me)).toEqual([
      { email: "ext@partner.io", name: "" },
      { email: "host@partner.io", name: "Host Person" },
    ]);
    expect(run([m]).contacts.find((c) => c.email === "host@partner.io")?.name).toBe("Host Person");
  });

  it("an organiser already on the list is not duplicated and keeps their answer", () => {
    const m = meeting({ attendees: [a("host@partner.io", { organizer: true, response: "declined" })], organizer: { email: "host@partner.io", name: "Host" } });
    expect(peopleAt(m, me)).toEqual([]);
  });

  it("colleagues (incl. subdomains), owner aliases and non-persons are excluded", () => {
    const m = meeting({
      attendees: [
        "bo@acme.io",
        "cy@eu.acme.io",
        "dee@acme-labs.com",
        "owner@acme.io",
        "o.wner@acme-labs.com",
        a("board@partner.io", { resource: true }),
        "room9@resource.calendar.google.com",
        "team_x@group.calendar.google.com",
        "noreply@partner.io",
        "events@partner.io",
        "ext@partner.io",
      ],
      organizer: { email: "bo@acme.io", name: "Bo" },
    });
    expect(emails(peopleAt(m, me))).toEqual(["ext@partner.io"]);
    expect(contactsOf([m])).toEqual(["ext@partner.io"]);
  });
});

describe("new contacts", () => {
  it("are met at the first attended, non-large meeting", () => {
    const declinedFirst = meeting({ start: NOW - 20 * DAY, selfResponse: "declined", title: "Declined" });
    const first = meeting({ start: NOW - 10 * DAY, title: "First" });
    const second = meeting({ start: NOW - 3 * DAY, title: "Second" });
    const [c] = run([second, first, declinedFirst]).contacts;
    expect([c.email, c.eventId, c.eventTitle, c.metAt, c.metEnd]).toEqual(["ext@partner.io", first.id, "First", first.start, first.end]);
  });

  it("an outbound message more than 14 days before the start makes someone known", () => {
    const m = meeting();
    expect(contactsOf([m], [sent({ sentAt: m.start - 14 * DAY - 1 })])).toEqual([]);
    expect(contactsOf([m], [sent({ sentAt: m.start - 200 * DAY })])).toEqual([]);
  });

  it("one sent exactly 14 days before does not", () => {
    const m = meeting();
    expect(contactsOf([m], [sent({ sentAt: m.start - 14 * DAY })])).toEqual(["ext@partner.io"]);
  });

  it("a message within the 14 days before (setting the meeting up) does not", () => {
    const m = meeting();
    expect(contactsOf([m], [sent({ sentAt: m.start - 3 * DAY }), sent({ sentAt: m.start - HOUR })])).toEqual(["ext@partner.io"]);
  });

  it("inbound mail alone never does", () => {
    const m = meeting();
    const inbound = sent({ sentAt: m.start - 90 * DAY, from: "ext@partner.io", inSent: false, to: ["owner@acme.io"] });
    expect(contactsOf([m], [inbound])).toEqual(["ext@partner.io"]);
  });

  it("old mail to someone else does not make this person known", () => {
    const m = meeting();
    expect(contactsOf([m], [sent({ sentAt: m.start - 90 * DAY, to: ["other@partner.io"] })])).toEqual(["ext@partner.io"]);
  });
});

describe("outbound messages", () => {
  it("sent from an owner identity or in the sent folder", () => {
    expect(isOutbound(sent(), me)).toBe(true);
    expect(isOutbound(sent({ inSent: true, from: undefined }), me)).toBe(true);
    expect(isOutbound(sent({ inSent: false, from: "o.wner@acme-labs.com" }), me)).toBe(true);
    expect(isOutbound(sent({ inSent: false, from: "ext@partner.io" }), me)).toBe(false);
  });

  it("drafts and meeting notices are excluded", () => {
    const m = meeting();
    expect(isOutbound(sent({ draft: true }), me)).toBe(false);
    expect(isOutbound(sent({ meetingNotice: true }), me)).toBe(false);
    expect(contactsOf([m], [sent({ sentAt: m.start - 60 * DAY, draft: true }), sent({ sentAt: m.start - 60 * DAY, meetingNotice: true })])).toEqual([
      "ext@partner.io",
    ]);
  });

  it("a message From an alias, not in the sent folder, makes someone known", () => {
    const m = meeting();
    expect(contactsOf([m], [sent({ sentAt: m.start - 60 * DAY, inSent: false, from: "o.wner@acme-labs.com" })])).toEqual([]);
  });

  it("Cc and Bcc recipients count as recipients (Gmail mapper)", () => {
    const msg = mapGmailMessage({
      id: "g",
      internalDate: String(NOW - 60 * DAY),
      labelIds: ["SENT"],
      payload: { headers: [{ name: "From", value: "Owner <owner@acme.io>" }, { name: "To", value: "a@x.io" }, { name: "Cc", value: "b@y.io" }, { name: "Bcc", value: "Ext <Ext@Partner.io>" }] },
    });
    expect(emails(msg.recipients)).toEqual(["a@x.io", "b@y.io", "ext@partner.io"]);
    expect(contactsOf([meeting()], [msg])).toEqual([]);
  });

  it("Cc and Bcc recipients count as recipients (Graph mapper)", () => {
    const msg = mapGraphMessage(
      {
        id: "o",
        sentDateTime: new Date(NOW - 60 * DAY).toISOString(),
        toRecipients: [{ emailAddress: { address: "a@x.io" } }],
        ccRecipients: [{ emailAddress: { address: "b@y.io" } }],
        bccRecipients: [{ emailAddress: { address: "Ext@Partner.io", name: "Ext" } }],
      },
      "sentitems",
    );
    expect(emails(msg.recipients)).toEqual(["a@x.io", "b@y.io", "ext@partner.io"]);
    expect(contactsOf([meeting()], [msg])).toEqual([]);
  });

  it("a To, Cc or Bcc header written more than once (RFC 5322 allows one; some mailers write more): every one's recipients count (Gmail mapper)", () => {
    const h = (name: string, value: string) => ({ name, value });
    const msg = mapGmailMessage({
      id: "g2",
      internalDate: String(NOW - 60 * DAY),
      labelIds: ["SENT"],
      payload: { headers: [h("From", "owner@acme.io"), h("To", "a@x.io"), h("Cc", "b@y.io"), h("To", "Ext <ext@partner.io>"), h("Cc", ""), h("Bcc", "undisclosed-recipients:;"), h("Bcc", "c@z.io")] },
    });
    expect(emails(msg.recipients)).toEqual(["a@x.io", "ext@partner.io", "b@y.io", "c@z.io"]);
    expect(contactsOf([meeting()], [msg])).toEqual([]);
  });
});

describe("follow-up by mail", () => {
  const first = () => meeting({ start: NOW - 3 * DAY, end: NOW - 3 * DAY + HOUR });

  it("an outbound message after the first meeting started", () => {
    const m = first();
    const [c] = run([m], [sent({ sentAt: m.end + HOUR })]).contacts;
    expect([c.followedUpBy, c.followedUpAt]).toEqual(["mail", m.end + HOUR]);
    const [d] = run([m], [sent({ sentAt: m.start + MINUTE })]).contacts;
    expect(d.followedUpBy).toBe("mail");
  });

  it("not one sent before (or exactly at) the start", () => {
    const m = first();
    for (const t of [m.start - HOUR, m.start]) {
      const r = run([m], [sent({ sentAt: t })]);
      expect(r.contacts[0].followedUpAt).toBeUndefined();
      expect(emails(r.missingFollowUps)).toEqual(["ext@partner.io"]);
    }
  });

  it("the earliest follow-up wins; lastOutboundAt is the latest up to now", () => {
    const m = first();
    const [c] = run([m], [sent({ sentAt: m.end + 2 * HOUR }), sent({ sentAt: m.end + HOUR }), sent({ sentAt: m.start - HOUR })]).contacts;
    expect(c.followedUpAt).toBe(m.end + HOUR);
    expect(c.lastOutboundAt).toBe(m.end + 2 * HOUR);
  });

  it("drafts and meeting notices after the meeting are no follow-up", () => {
    const m = first();
    const r = run([m], [sent({ sentAt: m.end + HOUR, draft: true }), sent({ sentAt: m.end + HOUR, meetingNotice: true })]);
    expect(emails(r.missingFollowUps)).toEqual(["ext@partner.io"]);
  });
});

describe("follow-up by a later meeting", () => {
  const first = () => meeting({ start: NOW - 3 * DAY, end: NOW - 3 * DAY + HOUR });
  const followed = (f: Meeting, later: Meeting) => run([f, later]).contacts.find((c) => c.email === "ext@partner.io")!;

  it("a later meeting starting after the first ended, even in the future and unanswered by the owner", () => {
    const f = first();
    const later = meeting({ start: NOW + 5 * DAY, selfResponse: "needsAction" });
    const c = followed(f, later);
    expect([c.followedUpBy, c.followedUpAt, c.eventId]).toEqual(["meeting", later.start, f.id]);
    expect(run([f, later]).missingFollowUps).toEqual([]);
  });

  it("a later meeting where the contact is only the organiser (missing from the list)", () => {
    const f = first();
    const later = meeting({ start: NOW + DAY, attendees: [], organizer: { email: "ext@partner.io", name: "" } });
    expect(followed(f, later).followedUpBy).toBe("meeting");
  });

  it("not one that starts before the first ended (overlapping)", () => {
    const f = first();
    expect(followed(f, meeting({ start: f.end - MINUTE })).followedUpAt).toBeUndefined();
  });

  it("not when cancelled", () => {
    expect(followed(first(), meeting({ start: NOW + DAY, cancelled: true })).followedUpAt).toBeUndefined();
  });

  it("not when the contact declined", () => {
    expect(followed(first(), meeting({ start: NOW + DAY, attendees: [a("ext@partner.io", { response: "declined" })] })).followedUpAt).toBeUndefined();
  });

  it("not when the owner declined", () => {
    expect(followed(first(), meeting({ start: NOW + DAY, selfResponse: "declined" })).followedUpAt).toBeUndefined();
    expect(followed(first(), meeting({ start: NOW + DAY, organizerSelf: true, selfResponse: "declined" })).followedUpAt).toBeUndefined();
  });

  it("not when it is a large gathering", () => {
    expect(followed(first(), meeting({ start: NOW + DAY, attendees: ["ext@partner.io", ...crowd(25)] })).followedUpAt).toBeUndefined();
  });

  it("a meeting with nobody else is no follow-up with this contact", () => {
    expect(followed(first(), meeting({ start: NOW + DAY, attendees: ["other@partner.io"] })).followedUpAt).toBeUndefined();
  });

  it("a zero-length first meeting is not its own later meeting", () => {
    const f = meeting({ start: NOW - 3 * DAY, end: NOW - 3 * DAY });
    const r = run([f]);
    expect(r.contacts[0].followedUpAt).toBeUndefined();
    expect(emails(r.missingFollowUps)).toEqual(["ext@partner.io"]);
  });

  it("mail and meeting: the earlier of the two is recorded", () => {
    const f = first();
    const later = meeting({ start: NOW + DAY });
    const c = run([f, later], [sent({ sentAt: f.end + HOUR })]).contacts[0];
    expect([c.followedUpBy, c.followedUpAt]).toEqual(["mail", f.end + HOUR]);
  });
});

describe("what a scan reports", () => {
  const endingAt = (end: number) => meeting({ end });

  it("newContacts: now − 7 days < end < now, both bounds exclusive", () => {
    expect(emails(run([endingAt(NOW - 7 * DAY)]).newContacts)).toEqual([]);
    expect(emails(run([endingAt(NOW - 7 * DAY + 1)]).newContacts)).toEqual(["ext@partner.io"]);
    expect(emails(run([endingAt(NOW - 1)]).newContacts)).toEqual(["ext@partner.io"]);
    expect(emails(run([endingAt(NOW)]).newContacts)).toEqual([]);
  });

  it("missingFollowUps: now − 30 days ≤ end ≤ now − 24 hours, both bounds inclusive", () => {
    expect(emails(run([endingAt(NOW - 30 * DAY - 1)]).missingFollowUps)).toEqual([]);
    expect(emails(run([endingAt(NOW - 30 * DAY)]).missingFollowUps)).toEqual(["ext@partner.io"]);
    expect(emails(run([endingAt(NOW - DAY)]).missingFollowUps)).toEqual(["ext@partner.io"]);
    expect(emails(run([endingAt(NOW - DAY + 1)]).missingFollowUps)).toEqual([]);
  });

  it("a followed-up contact is still new but not missing", () => {
    const m = endingAt(NOW - 2 * DAY);
    const r = run([m], [sent({ sentAt: m.end + HOUR })]);
    expect(emails(r.newContacts)).toEqual(["ext@partner.io"]);
    expect(r.missingFollowUps).toEqual([]);
  });

  it("a follow-up sent after now does not count", () => {
    const m = endingAt(NOW - 2 * DAY);
    const r = run([m], [sent({ sentAt: NOW + HOUR })]);
    expect(emails(r.missingFollowUps)).toEqual(["ext@partner.io"]);
  });

  it("a follow-up sent exactly at now counts: not followed up \"by now\" is what is missing", () => {
    const m = endingAt(NOW - 2 * DAY);
    const r = run([m], [sent({ sentAt: NOW })]);
    expect(r.contacts[0]).toMatchObject({ followedUpBy: "mail", followedUpAt: NOW });
    expect(r.missingFollowUps).toEqual([]);
  });

  it("reported once per list, with the first meeting", () => {
    const m1 = meeting({ start: NOW - 5 * DAY, title: "First", attendees: ["ext@partner.io", a("ext@partner.io", { name: "Ext" })] });
    const m2 = meeting({ start: NOW - 3 * DAY, title: "Second", attendees: ["ext@partner.io"], selfResponse: "declined" });
    const m3 = meeting({ start: NOW - 2 * DAY, title: "Third", attendees: ["ext@partner.io"], cancelled: true });
    const r = run([m3, m2, m1]);
    expect(r.newContacts.map((c) => [c.email, c.eventTitle])).toEqual([["ext@partner.io", "First"]]);
    expect(r.missingFollowUps.map((c) => [c.email, c.eventTitle])).toEqual([["ext@partner.io", "First"]]);
  });
});

describe("provider mapping: all-day events and times", () => {
  const LA: Owner = { email: "owner@acme.io", aliases: [], timeZone: "America/Los_Angeles" };

  it("a Google date-only event starts and ends at the owner's local midnight across the March DST change", () => {
    // DST starts in Los Angeles on Sunday 2026-03-08 (PST −8 → PDT −7).
    const m = mapGoogleEvent({ id: "ad", summary: "Offsite", start: { date: "2026-03-07" }, end: { date: "2026-03-10" }, attendees: [{ email: "owner@acme.io", self: true, responseStatus: "accepted" }] }, LA);
    expect(m.allDay).toBe(true);
    expect(new Date(m.start).toISOString()).toBe("2026-03-07T08:00:00.000Z");
    expect(new Date(m.end).toISOString()).toBe("2026-03-10T07:00:00.000Z");
    const day = mapGoogleEvent({ id: "d", start: { date: "2026-03-08" }, end: { date: "2026-03-09" } }, LA);
    expect(day.end - day.start).toBe(23 * HOUR);
  });

  it("a Graph isAllDay event takes the date part and applies the owner's zone", () => {
    const e: Event = {
      id: "ad",
      isAllDay: true,
      start: { dateTime: "2026-03-08T00:00:00.0000000", timeZone: "UTC" },
      end: { dateTime: "2026-03-09T00:00:00.0000000", timeZone: "UTC" },
    };
    const m = mapGraphEvent(e, LA);
    expect(m.allDay).toBe(true);
    expect(new Date(m.start).toISOString()).toBe("2026-03-08T08:00:00.000Z");
    expect(new Date(m.end).toISOString()).toBe("2026-03-09T07:00:00.000Z");
  });

  it("Graph date-times without Z are UTC", () => {
    const e: Event = { id: "t", start: { dateTime: "2026-03-16T08:30:00.0000000", timeZone: "UTC" }, end: { dateTime: "2026-03-16T09:15:00.1234567" } };
    const m = mapGraphEvent(e, LA);
    expect(m.start).toBe(Date.UTC(2026, 2, 16, 8, 30));
    expect(m.end).toBe(Date.UTC(2026, 2, 16, 9, 15, 0, 123));
    expect(m.allDay).toBe(false);
  });

  it("an all-day event is a meeting like any other once its last day is over", () => {
    const m = mapGoogleEvent(
      { id: "ad", start: { date: "2026-03-12" }, end: { date: "2026-03-13" }, attendees: [{ email: "owner@acme.io", self: true, responseStatus: "accepted" }, { email: "ext@partner.io" }] },
      LA,
    );
    expect(emails(infer(LA, [m], [], m.end + 1).newContacts)).toEqual(["ext@partner.io"]);
    expect(infer(LA, [m], [], m.end - 1).contacts).toEqual([]);
  });
});

describe("provider mapping: the owner's answer and attendees", () => {
  it("Google: self attendee, organizer.self, declined organiser, resources, kinds, cancellation", () => {
    const base: calendar_v3.Schema$Event = { id: "e", start: { dateTime: "2026-03-10T10:00:00Z" }, end: { dateTime: "2026-03-10T11:00:00Z" } };
    const g = (over: calendar_v3.Schema$Event) => mapGoogleEvent({ ...base, ...over }, OWNER);
    expect(g({ attendees: [{ email: "owner@acme.io", self: true, responseStatus: "tentative" }] }).selfResponse).toBe("tentative");
    expect(g({ attendees: [{ email: "O.Wner+cal@ACME-labs.com", responseStatus: "accepted" }] }).selfResponse).toBe("accepted");
    const org = g({ organizer: { email: "owner@acme.io", self: true }, attendees: [{ email: "ext@partner.io" }] });
    expect([org.organizerSelf, org.organizer, attended(org, NOW)]).toEqual([true, undefined, true]);
    const orgDeclined = g({ organizer: { email: "owner@acme.io", self: true }, attendees: [{ email: "owner@acme.io", self: true, responseStatus: "declined" }] });
    expect(attended(orgDeclined, NOW)).toBe(false);
    const m = g({ organizer: { email: "Host@Partner.io", displayName: "Host" }, attendees: [{ email: "room@partner.io", resource: true }, { email: "ext@partner.io" }] });
    expect(m.organizer).toEqual({ email: "host@partner.io", name: "Host" });
    expect(m.attendees.map((x) => [x.email, x.resource, x.response])).toEqual([
      ["room@partner.io", true, "needsAction"],
      ["ext@partner.io", false, "needsAction"],
    ]);
    // A ticket Gmail put in the calendar is organised by the owner (events.md), whatever organiser Google names.
    const ticket = g({ eventType: "fromGmail", summary: "Climate Hackathon 2026", organizer: { email: "unknownorganizer@calendar.google.com" } });
    expect([ticket.kind, ticket.organizerSelf, attendedEvent(ticket, NOW)]).toEqual(["fromGmail", true, true]);
    expect(networkingReason(ticket, me, new Map())).toBe("keyword");
    // Its named organiser is the owner's stand-in, not a guest: nobody to pick or meet there.
    const named = g({ eventType: "fromGmail", summary: "Design Summit", organizer: { email: "jane@smallconf.io", displayName: "Jane" } });
    expect([named.organizer, peopleAt(named, me), pickableAttendees(named, OWNER)]).toEqual([undefined, [], []]);
    expect(g({ eventType: "focusTime" }).kind).toBe("focusTime");
    expect(g({ eventType: "somethingNew" }).kind).toBe("other");
    expect(g({}).kind).toBe("default");
    expect(g({ status: "cancelled" }).cancelled).toBe(true);
  });

  it("Graph: organiser, responses, resources, cancellation", () => {
    const base: Event = { id: "e", start: { dateTime: "2026-03-10T10:00:00.0000000", timeZone: "UTC" }, end: { dateTime: "2026-03-10T11:00:00.0000000", timeZone: "UTC" } };
    const g = (over: Event) => mapGraphEvent({ ...base, ...over }, OWNER);
    expect(attended(g({ isOrganizer: true, responseStatus: { response: "organizer" } }), NOW)).toBe(true);
    expect(g({ responseStatus: { response: "tentativelyAccepted" } }).selfResponse).toBe("tentative");
    expect(attended(g({ responseStatus: { response: "notResponded" } }), NOW)).toBe(false);
    expect(attended(g({ responseStatus: { response: "none" } }), NOW)).toBe(false);
    expect(attended(g({ responseStatus: { response: "declined" } }), NOW)).toBe(false);
    expect(g({ isCancelled: true }).cancelled).toBe(true);
    const m = g({
      responseStatus: { response: "accepted" },
      organizer: { emailAddress: { address: "Host@Partner.io", name: "Host" } },
      attendees: [
        { type: "resource", emailAddress: { address: "room@partner.io" }, status: { response: "none" } },
        { type: "required", emailAddress: { address: "owner@acme.io" }, status: { response: "accepted" } },
        { type: "required", emailAddress: { address: "ext@partner.io", name: "Ext" }, status: { response: "declined" } },
      ],
    });
    expect(m.attendees.map((x) => [x.email, x.resource, x.response])).toEqual([
      ["room@partner.io", true, "needsAction"],
      ["ext@partner.io", false, "declined"],
    ]);
    expect(emails(peopleAt(m, me))).toEqual(["host@partner.io"]);
  });

  it("Graph: isOrganizer alone, or an organizer response alone, is the owner's; an attendee who has not responded did not decline", () => {
    const base: Event = { id: "e", start: { dateTime: "2026-03-10T10:00:00.0000000", timeZone: "UTC" }, end: { dateTime: "2026-03-10T11:00:00.0000000", timeZone: "UTC" } };
    const g = (over: Event) => mapGraphEvent({ ...base, ...over }, OWNER);
    // behaviour.md: "Graph: isOrganizer, or responseStatus.response is accepted, tentativelyAccepted or organizer".
    expect(attended(g({ isOrganizer: true }), NOW)).toBe(true);
    expect(attended(g({ responseStatus: { response: "organizer" } }), NOW)).toBe(true);
    // "An unanswered invitation (needsAction, none, notResponded) is not a decline."
    const m = g({
      responseStatus: { response: "accepted" },
      attendees: [
        { type: "required", emailAddress: { address: "ext@partner.io" }, status: { response: "notResponded" } },
        { type: "optional", emailAddress: { address: "b@y.io" }, status: { response: "none" } },
      ],
    });
    expect(emails(peopleAt(m, me))).toEqual(["ext@partner.io", "b@y.io"]);
  });
});

describe("provider mapping: Gmail meeting notices", () => {
  const gm = (headers: Record<string, string>, payload: gmail_v1.Schema$MessagePart = {}) =>
    mapGmailMessage({
      id: "x",
      internalDate: String(NOW),
      labelIds: ["SENT"],
      payload: { ...payload, headers: Object.entries({ From: "owner@acme.io", To: "ext@partner.io", ...headers }).map(([name, value]) => ({ name, value })) },
    });

  it.each(["Invitation: Coffee @ Tue 10am", "Updated invitation: Coffee", "Canceled event: Coffee", "Accepted: Coffee", "Declined: Coffee", "Tentative: Coffee"])(
    "Subject %j is a meeting notice",
    (subject) => {
      expect(gm({ Subject: subject }).meetingNotice).toBe(true);
    },
  );

  it("an encoded Subject is decoded before the prefix test", () => {
    expect(gm({ Subject: "=?UTF-8?B?SW52aXRhdGlvbjogQ29mZmVl?=" }).meetingNotice).toBe(true);
  });

  it("a text/calendar Content-Type or part is a meeting notice", () => {
    expect(gm({ Subject: "Coffee", "Content-Type": 'text/calendar; charset="UTF-8"; method=REQUEST' }).meetingNotice).toBe(true);
    expect(gm({ Subject: "Coffee" }, { mimeType: "multipart/mixed", parts: [{ mimeType: "multipart/alternative", parts: [{ mimeType: "text/plain" }, { mimeType: "text/calendar" }] }] }).meetingNotice).toBe(true);
  });

  it("ordinary mail, including a human reply to an invitation, is not", () => {
    expect(gm({ Subject: "Great to meet you" }).meetingNotice).toBe(false);
    expect(gm({ Subject: "Re: Invitation: Coffee" }).meetingNotice).toBe(false);
    expect(gm({ Subject: "Accepted offer", "Content-Type": "multipart/alternative; boundary=x" }).meetingNotice).toBe(false);
  });

  it.each(["Cancelled event: I can't make Friday, sorry", "Tentatively accepted: your proposal", "Invitation from Google Calendar: you're invited", "accepted: see you then", "Invitation : Coffee", "INVITATION: Coffee"])(
    "Subject %j is the owner's own mail: the spec's prefixes are a closed list, as written",
    (subject) => {
      expect(gm({ Subject: subject }).meetingNotice).toBe(false);
    },
  );

  it("labels, From and dates", () => {
    const m = gm({ Subject: "Hi" });
    expect([m.inSent, m.draft, m.from, m.sentAt]).toEqual([true, false, "owner@acme.io", NOW]);
    const d = mapGmailMessage({ id: "d", labelIds: ["DRAFT"], payload: { headers: [{ name: "Date", value: "Mon, 16 Mar 2026 12:00:00 +0000" }] } });
    expect([d.draft, d.inSent, d.sentAt]).toEqual([true, false, NOW]);
  });

  it("Graph eventMessage / eventMessageResponse are notices; sentitems is the sent folder", () => {
    const base: Message = { id: "m", sentDateTime: "2026-03-16T12:00:00Z", toRecipients: [{ emailAddress: { address: "Ext@Partner.io" } }] };
    expect(mapGraphMessage({ ...base, "@odata.type": "#microsoft.graph.eventMessage" }, "sentitems").meetingNotice).toBe(true);
    expect(mapGraphMessage({ ...base, "@odata.type": "#microsoft.graph.eventMessageResponse" }, "sentitems").meetingNotice).toBe(true);
    const plain = mapGraphMessage({ ...base, "@odata.type": "#microsoft.graph.message" }, "sentitems");
    expect([plain.meetingNotice, plain.inSent, plain.sentAt, emails(plain.recipients)]).toEqual([false, true, NOW, ["ext@partner.io"]]);
    expect(mapGraphMessage({ ...base, isDraft: true }, "inbox").draft).toBe(true);
  });
});

describe("spec corners", () => {
  it("Google: the self attendee's answer is the owner's, even when an alias is also on the list", () => {
    const m = mapGoogleEvent(
      {
        id: "e",
        start: { dateTime: "2026-03-10T10:00:00Z" },
        end: { dateTime: "2026-03-10T11:00:00Z" },
        attendees: [
          { email: "owner@acme.io", self: true, responseStatus: "accepted" },
          { email: "o.wner@acme-labs.com", responseStatus: "needsAction" },
          { email: "ext@partner.io" },
        ],
      },
      OWNER,
    );
    expect(m.selfResponse).toBe("accepted");
    expect(attended(m, NOW)).toBe(true);
  });

  it("each occurrence of a recurring event is a meeting: a later occurrence is a follow-up", () => {
    const f = meeting({ start: NOW - 3 * DAY, seriesId: "weekly" });
    const next = meeting({ start: NOW + 4 * DAY, seriesId: "weekly" });
    const [c] = run([f, next]).contacts;
    expect([c.eventId, c.followedUpBy, c.followedUpAt]).toEqual([f.id, "meeting", next.start]);
  });
});

describe("where the spec is silent (docs/rules.md)", () => {
  const first = () => meeting({ start: NOW - 3 * DAY, end: NOW - 3 * DAY + HOUR });

  it("a later meeting must be an ordinary event", () => {
    const c = run([first(), meeting({ start: NOW + DAY, kind: "focusTime" })]).contacts[0];
    expect(c.followedUpAt).toBeUndefined();
  });

  it("a later meeting starting exactly when the first ended (back to back) is no follow-up; a millisecond later is", () => {
    const f = first();
    const b2b = run([f, meeting({ start: f.end, end: f.end + HOUR })]);
    expect(b2b.contacts[0].followedUpAt).toBeUndefined();
    expect(emails(b2b.missingFollowUps)).toEqual(["ext@partner.io"]);
    const c = run([f, meeting({ start: f.end + 1, end: f.end + HOUR })]).contacts[0];
    expect([c.followedUpBy, c.followedUpAt]).toEqual(["meeting", f.end + 1]);
  });

  it("a follow-up mail and a later meeting at the same instant: recorded as mail", () => {
    const f = first();
    const later = meeting({ start: f.end + HOUR });
    const c = run([f, later], [sent({ sentAt: later.start })]).contacts[0];
    expect(c.followedUpBy).toBe("mail");
  });

  it("the name comes from the first meeting, else an outbound message's recipient, else another meeting", () => {
    const f = meeting({ start: NOW - 3 * DAY, attendees: [a("ext@partner.io", { name: "" })] });
    const other = meeting({ start: NOW - 2 * DAY, attendees: [a("ext@partner.io", { name: "Ext From Calendar" })], selfResponse: "declined" });
    expect(run([f, other]).contacts[0].name).toBe("Ext From Calendar");
    expect(run([f, other], [sent({ sentAt: NOW - 60 * DAY, draft: true, to: [{ email: "ext@partner.io", name: "Draft Name" }] }), sent({ sentAt: f.end + HOUR, to: [{ email: "ext@partner.io", name: "Ext By Mail" }] })]).contacts[0].name).toBe("Ext By Mail");
    const named = meeting({ start: NOW - 3 * DAY, attendees: [a("ext@partner.io", { name: "Ext At Meeting" })] });
    expect(run([named, other]).contacts[0].name).toBe("Ext At Meeting");
  });

  it("a meeting without usable times (minimal cancelled event) is never attended nor a later meeting", () => {
    const broken = meeting({ start: Number.NaN, end: Number.NaN });
    expect(attended(broken, NOW)).toBe(false);
    expect(run([first(), broken]).contacts[0].followedUpAt).toBeUndefined();
  });

  it("the owner need not be on a later meeting at all", () => {
    const c = run([first(), meeting({ start: NOW + DAY, selfResponse: undefined })]).contacts[0];
    expect(c.followedUpBy).toBe("meeting");
  });

  it("lists are ordered by first-meeting start, then address", () => {
    const m1 = meeting({ start: NOW - 3 * DAY, attendees: ["zed@partner.io", "amy@partner.io"] });
    const m2 = meeting({ start: NOW - 4 * DAY, attendees: ["mo@partner.io"] });
    expect(emails(run([m1, m2]).newContacts)).toEqual(["mo@partner.io", "amy@partner.io", "zed@partner.io"]);
  });
});

describe("provider mapping: titles and Subjects of hundreds of KB", () => {
  it("are kept to TEXT_KEPT_MAX characters, so no record naming them passes DynamoDB's 400 KB item (helper-79 #1)", () => {
    const huge = "Summit ".repeat(70_000);
    const g = mapGoogleEvent({ id: "e", summary: huge, start: { dateTime: "2026-05-01T10:00:00Z" }, end: { dateTime: "2026-05-01T11:00:00Z" } }, OWNER);
    const m = mapGraphEvent({ id: "e", subject: huge, start: { dateTime: "2026-05-01T10:00:00", timeZone: "UTC" }, end: { dateTime: "2026-05-01T11:00:00", timeZone: "UTC" } } as Event, OWNER);
    for (const t of [g.title, m.title]) expect(t).toBe(huge.slice(0, TEXT_KEPT_MAX));
    const gm = mapGmailMessage({ id: "x", internalDate: "1777000000000", labelIds: ["SENT"], payload: { headers: [{ name: "Subject", value: huge }, { name: "To", value: "a@b.io" }] } });
    const mm = mapGraphMessage({ id: "x", subject: huge, sentDateTime: "2026-05-01T10:00:00Z", toRecipients: [{ emailAddress: { address: "a@b.io" } }] } as Message, "sentitems");
    for (const s of [gm.subject, mm.subject]) expect(s).toHaveLength(TEXT_KEPT_MAX);
    // Short text is as it was.
    expect(mapGoogleEvent({ id: "e", summary: "Coffee", start: { dateTime: "2026-05-01T10:00:00Z" }, end: { dateTime: "2026-05-01T11:00:00Z" } }, OWNER).title).toBe("Coffee");
  });
});

describe("provider mapping: display names of hundreds of KB (helper-218)", () => {
  it("are kept to NAME_KEPT_MAX characters, not inside a surrogate pair; the first-name guess reads no more of an older stored one", () => {
    const huge = "(".repeat(300_000);
    const at = { start: { dateTime: "2026-05-01T10:00:00Z" }, end: { dateTime: "2026-05-01T11:00:00Z" } };
    const g = mapGoogleEvent({ id: "e", ...at, organizer: { email: "org@partner.io", displayName: huge }, attendees: [{ email: OWNER.email, self: true, responseStatus: "accepted" }, { email: "ext@partner.io", displayName: huge, responseStatus: "accepted" }] }, OWNER);
    const m = mapGraphEvent({ id: "e", start: { dateTime: "2026-05-01T10:00:00", timeZone: "UTC" }, end: { dateTime: "2026-05-01T11:00:00", timeZone: "UTC" }, organizer: { emailAddress: { address: "org@partner.io", name: huge } }, attendees: [{ type: "required", emailAddress: { address: "ext@partner.io", name: huge }, status: { response: "accepted" } }] } as Event, OWNER);
    for (const name of [g.organizer!.name, ...g.attendees.map((x) => x.name), m.organizer!.name, ...m.attendees.map((x) => x.name)]) expect(name.length === 0 || name === huge.slice(0, NAME_KEPT_MAX)).toBe(true);
    expect(g.attendees.find((x) => x.email === "ext@partner.io")!.name).toHaveLength(NAME_KEPT_MAX);
    expect(m.attendees.find((x) => x.email === "ext@partner.io")!.name).toHaveLength(NAME_KEPT_MAX);
    const mm = mapGraphMessage({ id: "x", sentDateTime: "2026-05-01T10:00:00Z", from: { emailAddress: { address: OWNER.email, name: huge } }, toRecipients: [{ emailAddress: { address: "a@b.io", name: huge } }] } as Message, "sentitems");
    expect(mm.fromName).toHaveLength(NAME_KEPT_MAX);
    // A surrogate pair at the cut goes whole.
    expect(keptName(`${"a".repeat(NAME_KEPT_MAX - 1)}😀`)).toBe("a".repeat(NAME_KEPT_MAX - 1));
    // A name stored before the cut is read as its kept part: here the aside's end is past it.
    const long = `(${"x".repeat(600)}) Ana Lima`;
    expect(firstNameOf(long)).toBe(firstNameOf(long.slice(0, NAME_KEPT_MAX)));
    expect(firstNameOf(long)).not.toBe("Ana");
  });
});

describe("an internationalised domain in either spelling is one domain (helper-159)", () => {
  const unicode = "jonas@bäckerei.de";
  const ascii = "jonas@xn--bckerei-5wa.de";
  const start = "2026-03-10T10:00:00Z";
  const after = String(Date.parse("2026-03-11T09:00:00Z"));
  const now = Date.parse("2026-03-20T12:00:00Z");
  const googleEvent = (guest: string) =>
    mapGoogleEvent({ id: "g", start: { dateTime: start }, end: { dateTime: "2026-03-10T11:00:00Z" }, attendees: [{ email: OWNER.email, self: true, responseStatus: "accepted" }, { email: guest, displayName: "Jonas", responseStatus: "accepted" }] }, OWNER);
  const gmailTo = (to: string) =>
    mapGmailMessage({ id: "m", internalDate: after, labelIds: ["SENT"], payload: { headers: [{ name: "From", value: `Owner <${OWNER.email}>` }, { name: "To", value: to }] } });
  const graphEvent = (guest: string) =>
    mapGraphEvent({ id: "o", start: { dateTime: "2026-03-10T10:00:00.0000000", timeZone: "UTC" }, end: { dateTime: "2026-03-10T11:00:00.0000000", timeZone: "UTC" }, responseStatus: { response: "accepted" }, attendees: [{ type: "required", emailAddress: { address: guest, name: "Jonas" }, status: { response: "accepted" } }] }, OWNER);
  const graphTo = (to: string) =>
    mapGraphMessage({ id: "s", sentDateTime: new Date(Number(after)).toISOString(), from: { emailAddress: { address: OWNER.email } }, toRecipients: [{ emailAddress: { address: to } }] }, "sentitems");

  it("an invitation naming the Unicode form, a reply to the ASCII form our own drafts write: followed up (Google)", () => {
    const m = googleEvent(unicode);
    expect(emails(infer(OWNER, [m], [], now).missingFollowUps)).toEqual([unicode]);
    expect(infer(OWNER, [m], [gmailTo(`Jonas <${ascii}>`)], now).missingFollowUps).toEqual([]);
  });

  it("and the other way round (Outlook): one person, the draft addressed as the invitation wrote it", () => {
    const m = graphEvent(ascii);
    expect(m.attendees.map((x) => [x.email, x.address])).toEqual([[unicode, ascii]]);
    expect(emails(infer(OWNER, [m], [], now).missingFollowUps)).toEqual([unicode]);
    expect(infer(OWNER, [m], [graphTo(unicode)], now).missingFollowUps).toEqual([]);
  });

  it("an owner on the ASCII form has colleagues on the Unicode form", () => {
    const owner: Owner = { ...OWNER, email: "owner@xn--bckerei-5wa.de", aliases: [] };
    const m = mapGoogleEvent({ id: "c", start: { dateTime: start }, end: { dateTime: "2026-03-10T11:00:00Z" }, attendees: [{ email: owner.email, self: true, responseStatus: "accepted" }, { email: "kollegin@bäckerei.de", responseStatus: "accepted" }, { email: "ext@partner.io", responseStatus: "accepted" }] }, owner);
    expect(emails(infer(owner, [m], [], now).contacts)).toEqual(["ext@partner.io"]);
  });
});
