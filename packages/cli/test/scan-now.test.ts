import { describe, expect, it } from "vitest";
import { parseNow, summary } from "../src/scan";

describe("scan --now", () => {
  it("a date-time without an offset is UTC on any host (this process moved to Madrid for the check), one with an offset is that instant", () => {
    const was = process.env.TZ;
    process.env.TZ = "Europe/Madrid";
    try {
      expect(new Date(Date.parse("2026-04-22T15:30:00")).getTimezoneOffset()).toBe(-120); // the host zone did move
      expect(parseNow("2026-04-22T15:30:00")).toBe(Date.UTC(2026, 3, 22, 15, 30));
      expect(parseNow("2026-04-22T15:30:00.250")).toBe(Date.UTC(2026, 3, 22, 15, 30, 0, 250));
      expect(parseNow("2026-04-22T15:30:00Z")).toBe(Date.UTC(2026, 3, 22, 15, 30));
      expect(parseNow("2026-04-22T15:30:00+02:00")).toBe(Date.UTC(2026, 3, 22, 13, 30));
      expect(parseNow("2026-04-22T15:30:00-05:00")).toBe(Date.UTC(2026, 3, 22, 20, 30));
    } finally {
      if (was === undefined) delete process.env.TZ;
      else process.env.TZ = was;
    }
    expect(() => parseNow("soon")).toThrow("--now must be an ISO-8601 date-time");
    expect(() => parseNow("2026-04-22T15:30:00+2")).toThrow("--now must be an ISO-8601 date-time");
    expect(() => parseNow("2026-04-22")).toThrow("--now must be an ISO-8601 date-time");
  });

  it("takes ISO 8601's other spellings of an instant: t and z in lower case (RFC 3339 5.6), a comma before the fraction, an offset of hours alone (helper-116 #3)", () => {
    const at = Date.UTC(2026, 3, 22, 15, 30);
    expect(parseNow("2026-04-22t15:30:00z")).toBe(at);
    expect(parseNow("2026-04-22T15:30:00,250Z")).toBe(at + 250);
    expect(parseNow("2026-04-22T17:30:00+02")).toBe(at);
    expect(parseNow("2026-04-22T10:30:00-05")).toBe(at);
    // A space for the T, as RFC 3339's note allows and `date --rfc-3339=seconds` prints (helper-143 #7).
    expect(parseNow("2026-04-22 15:30:00+00:00")).toBe(at);
  });
});

describe("the readable summary (helper-143 #1, #2)", () => {
  const contact = { email: "luca@x.io", name: "Luca\u001b[31m Red", eventId: "e", eventTitle: "Coffee\n  - Mallory <m@evil.io>, met at \"x\"", metAt: Date.parse("2026-05-26T21:30:00Z"), metEnd: Date.parse("2026-05-26T22:00:00Z") };
  const text = summary("isla@x.io", "Australia/Melbourne", Date.parse("2026-05-30T00:00:00Z"), { newContacts: [contact], missingFollowUps: [], stats: { meetingsAttended: 1, followUpsSent: 0 } } as never);
  it("gives the meeting's day in the owner's zone (07:30 on the 27th in Melbourne), not UTC's", () => {
    expect(text).toContain("on 2026-05-27");
  });
  it("writes names and titles on one line, without terminal escapes", () => {
    const people = text.split("\n").filter((l) => l.startsWith("  - "));
    expect(people).toHaveLength(1);
    expect(text).not.toContain("\u001b");
  });
});
