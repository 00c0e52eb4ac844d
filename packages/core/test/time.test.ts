import { expect, it } from "vitest";
import { localMidnight } from "@followthrough/core/time";
import { parseInstant, toIanaZone } from "@followthrough/core/zones";

it("maps Outlook's Windows zone names to IANA and leaves IANA names alone", () => {
  expect(toIanaZone("Pacific Standard Time")).toBe("America/Los_Angeles");
  expect(toIanaZone("Singapore Standard Time")).toBe("Asia/Singapore");
  expect(toIanaZone("Europe/Madrid")).toBe("Europe/Madrid");
  expect(toIanaZone("tzone://Microsoft/Custom")).toBeUndefined();
  expect(toIanaZone(undefined)).toBeUndefined();
});

it("reads Graph's offset-less times in the zone it names, Windows names included", () => {
  expect(parseInstant("2026-03-16T08:30:00.0000000", "UTC")).toBe(Date.parse("2026-03-16T08:30:00Z"));
  expect(parseInstant("2026-07-01T09:00:00.0000000", "Pacific Standard Time")).toBe(Date.parse("2026-07-01T16:00:00Z"));
  expect(parseInstant("2026-07-01T09:00:00Z", "Pacific Standard Time")).toBe(Date.parse("2026-07-01T09:00:00Z"));
});

it("finds local midnight across a daylight-saving change", () => {
  expect(localMidnight("2026-03-08", "America/Los_Angeles")).toBe(Date.parse("2026-03-08T08:00:00Z"));
  expect(localMidnight("2026-03-09", "America/Los_Angeles")).toBe(Date.parse("2026-03-09T07:00:00Z"));
});
