import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { build } from "esbuild";
import { expect, it } from "vitest";
import { DAY, formatLocal, isZone, type LocalPattern, localMidnight, zoneOffset } from "@followthrough/core/time";
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

it("reads a Graph wall time the clocks skip with the offset before the change, and one they show twice as the earlier, as Google's are read (helper-294)", () => {
  // The Azores go from -01 to +00 at 00:00 on 29 March 2026: 00:30 is not on their clocks; read as
  // -01 it is 01:30 WEST on that Sunday, not 23:30 on the Saturday before.
  expect(parseInstant("2026-03-29T00:30:00.0000000", "Azores Standard Time")).toBe(Date.parse("2026-03-29T01:30:00Z"));
  expect(parseInstant("2026-03-29T00:30:00.0000000", "Atlantic/Azores")).toBe(Date.parse("2026-03-29T01:30:00Z"));
  // New York's 02:30 on 8 March 2026 is read as EST: 03:30 EDT.
  expect(parseInstant("2026-03-08T02:30:00.0000000", "Eastern Standard Time")).toBe(Date.parse("2026-03-08T07:30:00Z"));
  // 00:30 on 25 October 2026 comes twice in the Azores (+00, then -01): the first.
  expect(parseInstant("2026-10-25T00:30:00.0000000", "Atlantic/Azores")).toBe(Date.parse("2026-10-25T00:30:00Z"));
  // 01:30 on 1 November 2026 twice in New York: the first, EDT; and Lord Howe's half-hour change.
  expect(parseInstant("2026-11-01T01:30:00.0000000", "Eastern Standard Time")).toBe(Date.parse("2026-11-01T05:30:00Z"));
  expect(parseInstant("2026-10-04T02:15:00.0000000", "Lord Howe Standard Time")).toBe(Date.parse("2026-10-03T15:45:00Z"));
});

it("finds local midnight across a daylight-saving change", () => {
  expect(localMidnight("2026-03-08", "America/Los_Angeles")).toBe(Date.parse("2026-03-08T08:00:00Z"));
  expect(localMidnight("2026-03-09", "America/Los_Angeles")).toBe(Date.parse("2026-03-09T07:00:00Z"));
});

const HOUR = 3_600_000;

const PATTERNS: Record<LocalPattern, Intl.DateTimeFormatOptions> = {
  "HH:mm": { hour: "2-digit", minute: "2-digit", hourCycle: "h23" },
  "d MMM": { day: "numeric", month: "short" },
  "d MMM y": { day: "numeric", month: "short", year: "numeric" },
  "EEE d MMM": { weekday: "short", day: "numeric", month: "short" },
  "EEEE d MMMM": { weekday: "long", day: "numeric", month: "long" },
  "EEEE, d MMMM y": { weekday: "long", day: "numeric", month: "long", year: "numeric" },
};

/** The offset as Intl reads it: the wall clock's parts, back to UTC. */
function intlOffset(f: Intl.DateTimeFormat, ms: number): number {
  const p = Object.fromEntries(f.formatToParts(ms).map((x) => [x.type, Number(x.value)]));
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - (ms - (ms % 1000));
}
const offsetFormat = (timeZone: string) =>
  new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" });

it("formatLocal writes each pattern as Intl's en-GB does, in every zone this runtime knows", () => {
  const t = Date.parse("2026-04-13T20:00:00Z"); // Tuesday morning in Melbourne, Monday in London
  expect(formatLocal(t, "Australia/Melbourne", "EEE d MMM")).toBe("Tue 14 Apr");
  expect(formatLocal(t, "Europe/London", "EEE d MMM")).toBe("Mon 13 Apr");
  expect(formatLocal(Date.parse("2026-09-07T13:05:00Z"), "Europe/London", "EEEE, d MMMM y")).toBe("Monday, 7 September 2026");
  expect(formatLocal(Date.parse("2026-09-07T13:05:00Z"), "Europe/London", "d MMM")).toBe("7 Sept");
  const wrong: string[] = [];
  for (const zone of [...Intl.supportedValuesOf("timeZone"), "UTC", "Asia/Kolkata"]) {
    const formats = Object.entries(PATTERNS).map(([pattern, o]) => [pattern as LocalPattern, new Intl.DateTimeFormat("en-GB", { ...o, timeZone: zone })] as const);
    // 61 instants from 2024 to 2027, 23 days and 7 h 13 min apart: every month, weekday and hour.
    for (let ms = Date.UTC(2024, 0, 1); ms < Date.UTC(2028, 0, 1); ms += 23 * DAY + 7 * 3_600_000 + 13 * 60_000) {
      for (const [pattern, f] of formats) if (formatLocal(ms, zone, pattern) !== f.format(ms)) wrong.push(`${zone} ${new Date(ms).toISOString()} ${pattern}: ${formatLocal(ms, zone, pattern)} ≠ ${f.format(ms)}`);
    }
  }
  expect(wrong.slice(0, 10)).toEqual([]);
});

it("zoneOffset agrees with Intl on both sides of every change 2024–2027, changes inside a UTC hour included", () => {
  const wrong: string[] = [];
  // Adelaide and Lord Howe change at half past a UTC hour, Chatham at a quarter to; the others on it.
  for (const zone of ["Australia/Adelaide", "Australia/Lord_Howe", "Pacific/Chatham", "Europe/Berlin", "America/Santiago", "America/St_Johns", "Asia/Tehran", "Africa/Cairo"]) {
    const f = offsetFormat(zone);
    for (let d = Date.UTC(2024, 0, 1); d < Date.UTC(2028, 0, 1); d += DAY) {
      if (intlOffset(f, d) === intlOffset(f, d + DAY)) continue;
      for (let h = d; h < d + DAY; h += 3_600_000) {
        if (intlOffset(f, h) === intlOffset(f, h + 3_600_000)) continue;
        // A change in (h, h + 1 h]: ask the hour's start first (what a cache would keep), then each minute of it.
        for (let ms = h; ms <= h + 3_600_000; ms += 60_000) if (zoneOffset(ms, zone) !== intlOffset(f, ms)) wrong.push(`${zone} ${new Date(ms).toISOString()}`);
      }
    }
  }
  expect(wrong.slice(0, 10)).toEqual([]);
});

it("zoneOffset takes aliases as Intl resolves them, short ones included, and refuses what Intl refuses", () => {
  const jan = Date.UTC(2026, 0, 15);
  const jul = Date.UTC(2026, 6, 15);
  expect(zoneOffset(jul, "Asia/Kolkata")).toBe(5.5 * HOUR);
  expect(zoneOffset(jul, "US/Eastern")).toBe(-4 * HOUR);
  expect(zoneOffset(jul, "UTC")).toBe(0);
  // Names the C library reads its own way under TZ ("Eire": Irish winter time as a negative
  // summer time; "EST": a fixed offset; names with digits) are read as Intl reads them.
  for (const zone of ["Eire", "EST", "MST", "HST", "CET", "EET", "MET", "PRC", "ROK", "GMT", "UCT", "Europe/Kyiv", "Etc/GMT+5", "Etc/GMT-14", "EST5EDT", "NZ-CHAT", "GB-Eire"]) {
    const f = offsetFormat(zone);
    for (const t of [jan, jul]) expect(zoneOffset(t, zone), `${zone} ${new Date(t).toISOString()}`).toBe(intlOffset(f, t));
  }
  // Intl takes a name in any case; ICU under TZ would not ("asia/tokyo" would read 0).
  for (const zone of ["asia/tokyo", "ASIA/KOLKATA", "america/new_york"]) {
    const f = offsetFormat(zone);
    for (const t of [jan, jul]) expect(zoneOffset(t, zone), `${zone} ${new Date(t).toISOString()}`).toBe(intlOffset(f, t));
  }
  // Names the C library would read as files or POSIX rules, which Intl refuses; and offsets, which
  // Intl refuses under Node 20 and takes from Node 22 on (Lambda's): refused under both.
  for (const bad of ["Not/AZone", "UTC+3", "EST5", "+03:00", "-05", "+0530", "\u221205:00", "Pacific Standard Time", "/usr/share/zoneinfo/Europe/Paris", ":Europe/Paris", "posix/Europe/Paris"]) {
    expect(() => zoneOffset(jul, bad), bad).toThrow(RangeError);
    expect(isZone(bad), bad).toBe(false);
  }
  expect(() => formatLocal(jul, "Not/AZone", "HH:mm")).toThrow(RangeError);
  expect(isZone("Europe/Kyiv")).toBe(true);
});

it("zoneOffset gives the process its own zone back", () => {
  const before = process.env.TZ;
  process.env.TZ = "America/New_York";
  try {
    const jul = Date.UTC(2026, 6, 15);
    expect(new Date(jul).getTimezoneOffset()).toBe(240);
    // Hours not read yet (no cache), a non-zero zone read last.
    expect(zoneOffset(jul + 7 * HOUR, "Europe/Berlin")).toBe(2 * HOUR);
    expect(zoneOffset(jul + 9 * HOUR, "Asia/Tokyo")).toBe(9 * HOUR);
    expect(process.env.TZ).toBe("America/New_York");
    expect(new Date(jul).getTimezoneOffset()).toBe(240);
  } finally {
    if (before === undefined) delete process.env.TZ;
    else process.env.TZ = before;
  }
});

it("in a worker thread, whose process.env is its own copy, zones are read through Intl and still right", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ft-time-worker-"));
  try {
    const out = join(dir, "probe.mjs");
    await build({
      stdin: {
        contents: `import { parentPort } from "node:worker_threads";
import { zoneOffset, formatLocal } from "./src/time/index.ts";
parentPort.postMessage([zoneOffset(Date.UTC(2026, 0, 15), "Asia/Tokyo"), zoneOffset(Date.UTC(2026, 6, 15), "Europe/Berlin"), formatLocal(Date.UTC(2026, 6, 15, 22, 30), "Australia/Adelaide", "EEE d MMM")]);`,
        resolveDir: fileURLToPath(new URL("..", import.meta.url)),
        loader: "ts",
      },
      bundle: true,
      platform: "node",
      format: "esm",
      outfile: out,
      logLevel: "silent",
    });
    const ask = () =>
      new Promise<unknown>((resolve, reject) => {
        const w = new Worker(out);
        w.once("message", (m) => {
          resolve(m);
          void w.terminate();
        });
        w.once("error", reject);
      });
    expect(await ask()).toEqual([9 * HOUR, 2 * HOUR, "Thu 16 Jul"]);
    // In a process whose own zone is Tokyo's, a check of Tokyo alone would pass in the thread.
    const before = process.env.TZ;
    process.env.TZ = "Asia/Tokyo";
    try {
      expect(await ask()).toEqual([9 * HOUR, 2 * HOUR, "Thu 16 Jul"]);
    } finally {
      if (before === undefined) delete process.env.TZ;
      else process.env.TZ = before;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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
