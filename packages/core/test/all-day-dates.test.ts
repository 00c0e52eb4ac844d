/**
 * An all-day meeting keeps its own date (helper-208): it is stored as midnight in the zone of the
 * calendar read, and a zone changed before the next read showed it a day off in a draft ("Tue 6 Oct"
 * for 7 Oct), on the confirm page, in the digest and on the events pages.
 */
import { describe, expect, it } from "vitest";
import type { AccountRecord } from "../src/accounts";
import { buildDigest } from "../src/digest/build";
import { renderDigest } from "../src/digest/render";
import { morningAfterMail, morningOfMail } from "../src/eventmail";
import { composeFollowUp, eventWhen, metOn } from "../src/followup";
import { mapGoogleEvent } from "../src/google/map";
import { infer } from "../src/inference";
import { mapGraphEvent } from "../src/microsoft/map";
import { allDayDates } from "../src/model";
import type { PersonRecord } from "../src/storage";
import { DAY } from "../src/time";
import { auckland, chicago, now, readInAuckland } from "./support/read-in-auckland";

const tokyo = { email: "aiko@kitsune.example", aliases: [], timeZone: "Asia/Tokyo" };

describe("an all-day meeting's own dates", () => {
  it("Google: the start date and the exclusive end date as given; none for a timed event", () => {
    const m = mapGoogleEvent({ id: "g1", summary: "Offsite", start: { date: "2026-10-07" }, end: { date: "2026-10-09" }, attendees: [{ email: "ben@other.example" }] }, tokyo);
    expect(m).toMatchObject({ allDay: true, dates: { start: "2026-10-07", end: "2026-10-09" } });
    expect(mapGoogleEvent({ id: "g2", summary: "Call", start: { dateTime: "2026-10-07T10:00:00+09:00" }, end: { dateTime: "2026-10-07T11:00:00+09:00" } }, tokyo).dates).toBeUndefined();
  });

  it("Outlook: the dates of its midnights, written without an offset", () => {
    const m = mapGraphEvent(
      { id: "o1", subject: "Offsite", isAllDay: true, start: { dateTime: "2026-10-07T00:00:00.0000000", timeZone: "UTC" }, end: { dateTime: "2026-10-08T00:00:00.0000000", timeZone: "UTC" }, attendees: [] },
      tokyo,
    );
    expect(m).toMatchObject({ allDay: true, dates: { start: "2026-10-07", end: "2026-10-08" } });
  });

  it("a start that is no calendar date gives none; an end missing or not after the start is the next day", () => {
    expect(allDayDates("2026-02-30", "2026-03-01")).toEqual({});
    expect(allDayDates(undefined, "2026-03-01")).toEqual({});
    expect(allDayDates("2026-12-31", undefined)).toEqual({ dates: { start: "2026-12-31", end: "2027-01-01" } });
    expect(allDayDates("2026-10-07", "2026-10-07")).toEqual({ dates: { start: "2026-10-07", end: "2026-10-08" } });
  });

  it("read in Tokyo, shown in New York before the calendar is read again: the draft, the met date and the event keep 7 October", () => {
    const meeting = mapGoogleEvent(
      { id: "g1", summary: "Kyoto offsite", start: { date: "2026-10-07" }, end: { date: "2026-10-08" }, attendees: [{ email: "aiko@kitsune.example", self: true, responseStatus: "accepted" }, { email: "ben@other.example", displayName: "Ben Ito", responseStatus: "accepted" }] },
      tokyo,
    );
    const [contact] = infer(tokyo, [meeting], [], Date.parse("2026-10-12T00:00:00Z")).contacts;
    expect(contact).toMatchObject({ email: "ben@other.example", metDate: "2026-10-07" });
    const newYork = "America/New_York";
    // The stored instant is Tokyo's midnight, 6 October 11:00 in New York.
    expect(metOn({ metAt: contact.metAt }, newYork)).toBe("Tue 6 Oct");
    expect(metOn(contact, newYork)).toBe("Wed 7 Oct");
    expect(eventWhen(meeting, newYork)).toBe("Wed 7 Oct (all day)");
    expect(eventWhen({ ...meeting, dates: { start: "2026-10-07", end: "2026-10-10" } }, newYork)).toBe("Wed 7 Oct – Fri 9 Oct");
    const account = { email: tokyo.email, displayName: "Aiko Mori", timeZone: newYork, template: "Hi {firstName}, good to meet you on {date}." } as AccountRecord;
    const draft = composeFollowUp(account, { ...contact, stage: "met" } as PersonRecord);
    expect(draft.text).toContain("on Wednesday 7 October.");
  });

  it("the morning-of email of an all-day event read in Tokyo, sent at 08:00 in New York the day before: \"Tomorrow\", not \"Today\" (helper-224 #2)", () => {
    const event = mapGoogleEvent({ id: "g1", summary: "Kyoto offsite", start: { date: "2026-10-07" }, end: { date: "2026-10-08" } }, tokyo);
    const account = { email: tokyo.email, displayName: "Aiko Mori", timeZone: "America/New_York" } as AccountRecord;
    const mail = morningOfMail({ account, event, goal: 3, now: Date.parse("2026-10-06T12:00:00Z"), links: { baseUrl: "https://app.example", key: "k".repeat(32) } });
    expect(mail.subject).toBe("Tomorrow: Kyoto offsite");
  });
});

/**
 * An all-day second meeting keeps its own date too (helper-288): "Met again this week", "you meet
 * again on", the first look (test/first-look.test.ts) and the morning-after email dated it from its stored start, a midnight
 * of the zone the calendar was read in, so an owner who moved west (Auckland to Chicago) saw the day
 * before until the calendar was read again.
 */
describe("an all-day second meeting's own date", () => {
  const account = { email: auckland.email, displayName: "Rosa Ferro", timeZone: chicago, provider: "google", status: "active" } as AccountRecord;
  const links = { baseUrl: "https://app.example", key: "k".repeat(32) };
  // Read in Auckland: each all-day event is stored at Auckland's midnight, the afternoon before in Chicago.
  const read = readInAuckland();

  it("the digest: \"Met again this week: Carmen Vidal (Mon 2 Nov)\" and Dev's \"you meet again on Mon 9 Nov\"", async () => {
    const d = buildDigest({ account, meetings: read, messages: [], people: [], now, links });
    expect(d.metAgain).toEqual([{ email: "carmen@vidal.example", name: "Carmen Vidal", on: "Mon 2 Nov" }]);
    expect(d.newPeople.map((p) => [p.email, p.meetsAgainOn])).toEqual([["dev@rao.example", "Mon 9 Nov"]]);
    const text = (await renderDigest(d)).text;
    expect(text).toContain("Met again this week: Carmen Vidal (Mon 2 Nov).");
    expect(text).toContain("you meet again on Mon 9 Nov");
  });

  it("the morning-after email: \"you meet again on 9 Nov\"", () => {
    const { contacts } = infer(auckland, read, [], now);
    const met = contacts.filter((c) => c.eventId === "d1");
    const mail = morningAfterMail({ account, event: { eventId: "d1", title: "Design summit", start: read[2].start, end: read[2].end }, met, now, links });
    expect(mail.text).toContain("- Dev Rao <dev@rao.example>: you meet again on 9 Nov");
  });
});

/**
 * An all-day meeting is reckoned in the owner's zone as it is now (behaviour.md: it "ends at
 * midnight at the end of its last day, in the owner's time zone"), read in another or not
 * (helper-288): read in Chicago and ruled on in Auckland before the calendar was read again, its end
 * was Chicago's midnight, 18 hours after Auckland's, and the rolling windows took it that much late.
 */
describe("an all-day meeting in the rolling windows of the owner's zone as it is now", () => {
  const person = { email: "ana@sol.example", displayName: "Ana Sol", responseStatus: "accepted" };
  const inChicago = { email: "rosa@ferro.example", aliases: [], timeZone: "America/Chicago" };
  const inAuckland = { ...inChicago, timeZone: "Pacific/Auckland" };
  const me = { email: inChicago.email, self: true, responseStatus: "accepted" };
  // Tuesday 20 October 2026, read in Chicago (CDT): 20 Oct 05:00Z to 21 Oct 05:00Z. In Auckland
  // (NZDT, +13) the day is 19 Oct 11:00Z to 20 Oct 11:00Z.
  const offsite = mapGoogleEvent({ id: "o1", summary: "Offsite", start: { date: "2026-10-20" }, end: { date: "2026-10-21" }, attendees: [me, person] }, inChicago);
  const end = Date.parse("2026-10-20T11:00:00Z");
  const lists = (now: number) => {
    const r = infer(inAuckland, [offsite], [], now);
    return { new: r.newContacts.map((c) => c.email), missing: r.missingFollowUps.map((c) => c.email) };
  };

  it("met at Auckland's midnight, and waiting from 24 hours after the day ended there until 30 days after", () => {
    expect(lists(end - 1)).toEqual({ new: [], missing: [] });
    expect(lists(end + 1)).toEqual({ new: ["ana@sol.example"], missing: [] });
    expect(lists(end + DAY - 1)).toEqual({ new: ["ana@sol.example"], missing: [] });
    expect(lists(end + DAY)).toEqual({ new: ["ana@sol.example"], missing: ["ana@sol.example"] });
    expect(lists(end + 7 * DAY)).toEqual({ new: [], missing: ["ana@sol.example"] });
    expect(lists(end + 30 * DAY)).toEqual({ new: [], missing: ["ana@sol.example"] });
    expect(lists(end + 30 * DAY + 1)).toEqual({ new: [], missing: [] });
    expect(infer(inAuckland, [offsite], [], end + DAY).contacts[0]).toMatchObject({ metAt: Date.parse("2026-10-19T11:00:00Z"), metEnd: end, metDate: "2026-10-20" });
  });

  it("over several days, across Chicago's change back to standard time: Friday 30 October to Sunday 1 November ends at Auckland's midnight after it", () => {
    const retreat = mapGoogleEvent({ id: "r1", summary: "Retreat", start: { date: "2026-10-30" }, end: { date: "2026-11-02" }, attendees: [me, person] }, inChicago);
    // Read in Chicago: 30 Oct 05:00Z (CDT) to 2 Nov 06:00Z (CST), 73 hours. In Auckland: 29 Oct 11:00Z to 1 Nov 11:00Z.
    expect(retreat.end - retreat.start).toBe(73 * 3_600_000);
    const [c] = infer(inAuckland, [retreat], [], Date.parse("2026-11-03T00:00:00Z")).contacts;
    expect([c.metAt, c.metEnd].map((t) => new Date(t).toISOString())).toEqual(["2026-10-29T11:00:00.000Z", "2026-11-01T11:00:00.000Z"]);
    expect(infer(inAuckland, [retreat], [], Date.parse("2026-11-02T11:00:00Z")).missingFollowUps.map((x) => x.email)).toEqual(["ana@sol.example"]);
  });

  it("the stored instants stand where the meeting keeps no dates (stored before it did) or is no whole day", () => {
    const { dates: _, ...undated } = offsite;
    expect(infer(inAuckland, [undated], [], end + DAY).contacts[0].metEnd).toBe(offsite.end);
    const timed = mapGoogleEvent({ id: "t1", summary: "Call", start: { dateTime: "2026-10-20T15:00:00Z" }, end: { dateTime: "2026-10-20T16:00:00Z" }, attendees: [me, person] }, inChicago);
    expect(infer(inAuckland, [timed], [], end + DAY).contacts[0].metAt).toBe(timed.start);
  });
});
