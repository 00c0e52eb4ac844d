import { expect, it } from "vitest";
import { dateFormat, localMidnight } from "@followthrough/core/time";
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

it("dateFormat builds a format once per locale and options and formats as Intl does", () => {
  const opts = { weekday: "short", day: "numeric", month: "short", timeZone: "Australia/Melbourne" } as const;
  const f = dateFormat("en-GB", opts);
  expect(dateFormat("en-GB", { ...opts })).toBe(f);
  const t = Date.parse("2026-04-13T20:00:00Z"); // Tuesday morning in Melbourne, Monday in London
  expect(f.format(t)).toBe(new Intl.DateTimeFormat("en-GB", opts).format(t));
  expect(f.format(t)).toBe("Tue 14 Apr");
  expect(dateFormat("en-GB", { ...opts, timeZone: "Europe/London" }).format(t)).toBe("Mon 13 Apr");
  expect(dateFormat("en-US", opts)).not.toBe(f);
  expect(() => dateFormat("en-GB", { ...opts, timeZone: "Not/AZone" })).toThrow(RangeError);
});

it("a day whose midnight the clocks skip (spring forward at 00:00, west of UTC) begins at the change, not an hour early", () => {
  // America/Santiago, 6 Sep 2026: 00:00 (-04) becomes 01:00 (-03) at 04:00Z; 5 Sep ends then too.
  expect(localMidnight("2026-09-06", "America/Santiago")).toBe(Date.parse("2026-09-06T04:00:00Z"));
  // 5 Apr 2026: 24:00 (-03) on the 4th goes back to 23:00 (-04); the 5th begins at 04:00Z, once.
  expect(localMidnight("2026-04-05", "America/Santiago")).toBe(Date.parse("2026-04-05T04:00:00Z"));
});

it("property: local midnight is the first second of its date, in zones that change at midnight and elsewhere (2024–2027)", () => {
  const wrong: string[] = [];
  for (const zone of ["America/Santiago", "America/Asuncion", "America/Havana", "Asia/Beirut", "Africa/Cairo", "Europe/Berlin", "Australia/Lord_Howe", "Pacific/Chatham", "America/St_Johns"]) {
    const f = new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" });
    for (let d = Date.UTC(2024, 0, 1); d < Date.UTC(2028, 0, 1); d += 86_400_000) {
      const date = new Date(d).toISOString().slice(0, 10);
      const start = localMidnight(date, zone);
      if (f.format(start) !== date || !(f.format(start - 1000) < date)) wrong.push(`${zone} ${date}: ${new Date(start).toISOString()}`);
    }
  }
  expect(wrong).toEqual([]);
});
