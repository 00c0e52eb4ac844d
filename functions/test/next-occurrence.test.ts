/** The digest time the pages show is the instant the dispatcher sends it (every quarter hour, core/schedule). */
import { describe, expect, it } from "vitest";
import { dueSlot } from "@followthrough/core/schedule";
import { nextOccurrence } from "../src/pages";

describe("nextOccurrence: when the pages say the digest arrives", () => {
  const monday8 = { day: 1, hour: 8 };
  it.each([
    ["Europe/Berlin", "2026-01-19T07:00:00Z"],
    ["Asia/Kolkata", "2026-01-19T02:30:00Z"],
    ["Asia/Kathmandu", "2026-01-19T02:15:00Z"],
    ["America/St_Johns", "2026-01-19T11:30:00Z"],
  ])("Monday 08:00 in %s is %s, the dispatcher's slot", (zone, iso) => {
    const at = Date.parse("2026-01-14T00:00:00Z");
    const next = nextOccurrence(monday8, zone, at);
    expect(new Date(next).toISOString()).toBe(new Date(iso).toISOString());
    const monday = Date.parse("2026-01-19T00:00:00Z");
    const slotAt = monday + dueSlot(monday8, zone, at) * 3_600_000;
    // The slot is an hour of the week counted from Monday 00:00 UTC; Monday 08:00 in these zones is still Monday in UTC.
    expect(slotAt).toBe(next);
  });

  it("after a week's digest went (a reconnected account keeps the week), the next week's, as the index names it", () => {
    // Berlin: reconnected on Monday 19 January 2026 at 07:05 UTC, five minutes after that week's digest went.
    const at = Date.parse("2026-01-19T07:05:00Z");
    expect(new Date(nextOccurrence(monday8, "Europe/Berlin", Date.parse("2026-01-19T06:50:00Z"))).toISOString()).toBe("2026-01-19T07:00:00.000Z");
    expect(new Date(nextOccurrence(monday8, "Europe/Berlin", at, "2026-W04")).toISOString()).toBe("2026-01-26T07:00:00.000Z");
    // Not run that week: the occurrence still ahead this week.
    expect(new Date(nextOccurrence(monday8, "Europe/Berlin", Date.parse("2026-01-19T06:50:00Z"), "2026-W03")).toISOString()).toBe("2026-01-19T07:00:00.000Z");
  });
});
