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
    expect(() => parseNow("2026-04-22")).toThrow("--now must be an ISO-8601 date-time");
  });
});
