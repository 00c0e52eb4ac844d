import { describe, expect, it } from "vitest";
import { dueKey, dueSlot, nextDue, parseSchedule, previousOccurrence, utcHourOfWeek } from "@followthrough/core/schedule";
import { isoWeek } from "@followthrough/core/digest";

const monday8 = { day: 1, hour: 8 };

describe("due slot: the UTC hour of the week a local digest hour falls in", () => {
  it("uses the offset in force at the next occurrence, across a daylight-saving change", () => {
    // Berlin moves to UTC+2 on Sunday 29 March 2026.
    expect(dueSlot(monday8, "Europe/Berlin", Date.parse("2026-03-18T12:00:00Z"))).toBe(7); // Mon 23 Mar, UTC+1
    expect(dueSlot(monday8, "Europe/Berlin", Date.parse("2026-03-25T12:00:00Z"))).toBe(6); // Mon 30 Mar, UTC+2
    // Los Angeles moves back to UTC-8 on Sunday 1 November 2026.
    expect(dueSlot(monday8, "America/Los_Angeles", Date.parse("2026-10-28T12:00:00Z"))).toBe(16); // Mon 2 Nov, 08:00 PST = 16:00 UTC
  });

  it("wraps around the week for zones ahead of UTC; in zones off the whole hour, the quarter the local hour begins", () => {
    // Monday 08:00 in Auckland (UTC+13 in January) is Sunday 19:00 UTC.
    expect(dueSlot(monday8, "Pacific/Auckland", Date.parse("2026-01-14T00:00:00Z"))).toBe(6 * 24 + 19);
    // India is UTC+5:30: Monday 08:00 local is 02:30 UTC; Nepal, UTC+5:45, 02:15 UTC.
    expect(dueSlot(monday8, "Asia/Kolkata", Date.parse("2026-01-14T00:00:00Z"))).toBe(2.5);
    expect(dueSlot(monday8, "Asia/Kathmandu", Date.parse("2026-01-14T00:00:00Z"))).toBe(2.25);
    expect(dueKey(2.5)).toBe("DUE#002:30");
    expect(dueKey(2.25)).toBe("DUE#002:15");
    // The dispatcher's own slot at that instant is the same number.
    expect(utcHourOfWeek(Date.parse("2026-01-19T02:30:00Z"))).toBe(2.5);
    expect(utcHourOfWeek(Date.parse("2026-01-19T02:44:59Z"))).toBe(2.5);
    // Adelaide, UTC+10:30 in January: Monday 08:00 is Sunday 21:30 UTC.
    expect(dueSlot(monday8, "Australia/Adelaide", Date.parse("2026-01-14T00:00:00Z"))).toBe(6 * 24 + 21.5);
  });

  it("agrees with the hour the dispatcher computes for that instant", () => {
    const at = Date.parse("2026-06-01T06:00:00Z"); // Monday 08:00 in Berlin (UTC+2)
    expect(utcHourOfWeek(at)).toBe(dueSlot(monday8, "Europe/Berlin", at - 3_600_000));
    expect(dueKey(6)).toBe("DUE#006");
  });

  it("rejects schedules that are not a weekday and an hour", () => {
    expect(() => parseSchedule(0, 8)).toThrow(/day/);
    expect(() => parseSchedule(1, 24)).toThrow(/hour/);
    expect(parseSchedule("3", "17")).toEqual({ day: 3, hour: 17 });
  });
});

describe("when clocks go back, the refreshed slot can be the very next hour", () => {
  it("is why the weekly job guards against a second run within hours", () => {
    // New York, Monday 08:00: the run on Monday 26 Oct 2026 is at 12:00 UTC (EDT). Refreshed an hour
    // later, the next occurrence (2 Nov, EST) is at 13:00 UTC: the same weekday-hour as the next
    // dispatch on 26 Oct. runAccountJob({ weekly: true }) skips that duplicate (WEEKLY_GUARD_MS).
    const run = Date.parse("2026-10-26T12:00:00Z");
    expect(utcHourOfWeek(run)).toBe(dueSlot(monday8, "America/New_York", run - 60_000));
    expect(dueSlot(monday8, "America/New_York", run + 3_600_000)).toBe(utcHourOfWeek(run + 3_600_000));
  });
});

describe("nextDue: the occurrence the due index names", () => {
  it("is the first from the quarter hour on, of a week later than the one last run", () => {
    const sunday23 = { day: 7, hour: 23 };
    // Berlin, the Sunday 18 October 2026 run (21:00 UTC, CEST) was week 42's.
    const run = Date.parse("2026-10-18T21:01:00Z");
    expect(isoWeek(run, "Europe/Berlin")).toBe("2026-W42");
    // Without a week run, the quarter hour's own occurrence; with week 42 run, the next Sunday's, an
    // hour later in UTC once the clocks have gone back (22:00 UTC, CET).
    expect(new Date(nextDue(sunday23, "Europe/Berlin", run)).toISOString()).toBe("2026-10-18T21:00:00.000Z");
    expect(new Date(nextDue(sunday23, "Europe/Berlin", run, "2026-W42")).toISOString()).toBe("2026-10-25T22:00:00.000Z");
    // Its UTC hour of the week comes round an hour after the run: the dispatcher tells the two weeks
    // apart by this instant (core/accounts accountsDue).
    expect(utcHourOfWeek(nextDue(sunday23, "Europe/Berlin", run, "2026-W42"))).toBe(utcHourOfWeek(run + 3_600_000));
  });

  it("skips an occurrence later in a week already run (a schedule moved to a later day), and none of a week not run", () => {
    // New York: week 44's digest went on Monday 26 October; the owner moves it to Sunday 12:00, the
    // last day of that ISO week.
    const after = Date.parse("2026-10-27T15:00:00Z");
    expect(new Date(nextDue({ day: 7, hour: 12 }, "America/New_York", after, "2026-W44")).toISOString()).toBe("2026-11-08T17:00:00.000Z");
    expect(new Date(nextDue({ day: 7, hour: 12 }, "America/New_York", after, "2026-W43")).toISOString()).toBe("2026-11-01T17:00:00.000Z");
    // Across the end of a year: Monday 28 December 2026 is week 53's; with week 53 run, the next is
    // 2027's first week's Monday, and with week 52 run, that Monday's own.
    const monday28 = Date.parse("2026-12-28T07:00:00Z");
    expect(new Date(nextDue(monday8, "UTC", monday28, "2026-W53")).toISOString()).toBe("2027-01-04T08:00:00.000Z");
    expect(new Date(nextDue(monday8, "UTC", monday28, "2026-W52")).toISOString()).toBe("2026-12-28T08:00:00.000Z");
    // A week of the next year counts as later than week 53 (the names compare as strings).
    expect(new Date(nextDue(monday8, "UTC", Date.parse("2027-01-04T07:00:00Z"), "2026-W53")).toISOString()).toBe("2027-01-04T08:00:00.000Z");
  });
});

describe("a schedule hour the clocks skip that day", () => {
  it("is sent when the skip ends, and names its own week (Berlin, Sunday 02:00 on 29 March 2026)", () => {
    const sunday2 = { day: 7, hour: 2 };
    const change = Date.parse("2026-03-29T01:00:00Z"); // 02:00 CET becomes 03:00 CEST
    expect(dueSlot(sunday2, "Europe/Berlin", Date.parse("2026-03-25T12:00:00Z"))).toBe(utcHourOfWeek(change));
    expect(previousOccurrence(sunday2, "Europe/Berlin", change + 60_000)).toBe(change);
    expect(isoWeek(previousOccurrence(sunday2, "Europe/Berlin", change + 60_000), "Europe/Berlin")).toBe("2026-W13");
  });
  it("and where the clock jumps from a quarter to the hour (Chatham, 02:45 → 03:45 on 27 September 2026)", () => {
    const sunday3 = { day: 7, hour: 3 };
    const at = Date.parse("2026-09-23T00:00:00Z");
    const slot = dueSlot(sunday3, "Pacific/Chatham", at);
    const occurrence = previousOccurrence(sunday3, "Pacific/Chatham", Date.parse("2026-09-27T00:00:00Z"));
    expect(utcHourOfWeek(occurrence)).toBe(slot);
    // 03:00 by the offset before the change (+12:45), RFC 5545's reading: 04:00 on the new clock, a
    // quarter hour after the change (14:00 UTC, 03:45), as the pages say it (helper-294).
    expect(new Date(occurrence).toISOString()).toBe("2026-09-26T14:15:00.000Z");
    expect(isoWeek(occurrence, "Pacific/Chatham")).toBe("2026-W39");
    expect(previousOccurrence(sunday3, "Pacific/Chatham", occurrence + 60_000)).toBe(occurrence);
  });
});

describe("the occurrence a run belongs to", () => {
  it("is the local hour's start, a half past UTC in India", () => {
    const due = Date.parse("2026-01-19T02:30:00Z"); // Monday 08:00 in Kolkata
    expect(previousOccurrence(monday8, "Asia/Kolkata", due + 20 * 60_000)).toBe(due);
    expect(previousOccurrence(monday8, "Asia/Kolkata", due)).toBe(due);
  });

  it("names a Sunday-night digest's week even when the run is retried after midnight", () => {
    const sunday23 = { day: 7, hour: 23 };
    const due = Date.parse("2026-11-22T22:00:00Z"); // Sunday 23:00 in Berlin (CET)
    const late = due + 3 * 3_600_000; // Monday 02:00 local: a new ISO week
    expect(previousOccurrence(sunday23, "Europe/Berlin", late)).toBe(due);
    expect(isoWeek(late, "Europe/Berlin")).not.toBe(isoWeek(due, "Europe/Berlin"));
    expect(isoWeek(previousOccurrence(sunday23, "Europe/Berlin", late), "Europe/Berlin")).toBe("2026-W47");
  });
});
