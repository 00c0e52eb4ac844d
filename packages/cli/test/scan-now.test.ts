import { describe, expect, it } from "vitest";
import { parseNow } from "../src/scan";

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
  });
});
