/**
 * Time-zone arithmetic without a dependency: local wall-clock times in an IANA zone to epoch ms.
 * Provider zone names (Outlook's Windows names) and Graph's offset-less date-times are in core/zones,
 * with CLDR's table: only the Graph adapter needs them.
 */

const HOUR = 60 * 60 * 1000;

/**
 * The zones this runtime names canonically (`Intl.supportedValuesOf`, about 3 ms once), and every
 * other name resolved once through Intl.DateTimeFormat, which takes aliases ("Asia/Kolkata",
 * "US/Eastern", "Eire") and says which canonical zone they are; null for a name it refuses.
 */
let canonical: Set<string> | undefined;
const resolved = new Map<string, string | null>();
const isUtc = (zone: string) => zone === "UTC" || zone === "Etc/UTC";

/** The canonical IANA name of `zone`, "UTC" for UTC's names, undefined for a name this runtime does not know. */
export function canonicalZone(zone: string): string | undefined {
  if (isUtc(zone)) return "UTC";
  if (/\s/.test(zone)) return undefined; // a Windows name ("Pacific Standard Time"); no IANA name has a space
  // An offset ("+03:00", "-05"): no IANA name starts with a sign. Intl refuses one under Node 20 and,
  // from Node 22 (ECMA-402's offset time zones), takes it as a fixed offset; refused on both, so the
  // local stack and Lambda take the same names.
  if (/^[+\u2212-]/.test(zone)) return undefined;
  canonical ??= new Set(Intl.supportedValuesOf("timeZone"));
  if (canonical.has(zone)) return zone;
  let name = resolved.get(zone);
  if (name === undefined) {
    try {
      name = new Intl.DateTimeFormat("en", { timeZone: zone }).resolvedOptions().timeZone;
    } catch {
      name = null;
    }
    if (resolved.size < 1000) resolved.set(zone, name);
  }
  return name === null ? undefined : isUtc(name) ? "UTC" : name;
}

/** True for an IANA zone this runtime knows (Graph may name Windows zones; callers fall back to UTC). */
export function isZone(zone: string): boolean {
  return canonicalZone(zone) !== undefined;
}

/**
 * Offsets by (zone, UTC hour), for the hours without a change in them; bounded, as a long-running
 * local server keeps it.
 */
const offsets = new Map<string, number>();

/**
 * The offsets at `at` of `zone` as `Date`'s own local time reads them (ICU's zone rules), with the
 * process's TZ set to the zone for these synchronous reads and then given back. Node documents TZ
 * as settable at run time and resets its caches on the assignment (nodejs/node#20026). It is the
 * same ICU zone data as Intl.DateTimeFormat's, without DateTimeFormat's first construction, which
 * builds ICU's set of available locales: 15–25 ms of every cold start that formats a date
 * (docs/benchmarks.md (6)). Only names `tzSafe` accepts are given to TZ.
 */
function readOffsets(zone: string, at: readonly number[]): number[] {
  const env = process.env;
  const before = env.TZ;
  env.TZ = zone;
  try {
    return at.map((ms) => Math.round(0 - new Date(ms).getTimezoneOffset() * 60_000));
  } finally {
    if (before === undefined) delete env.TZ;
    else env.TZ = before;
  }
}

/**
 * Whether reading offsets under TZ works in this process, checked once: not in a worker thread,
 * whose process.env is its own copy, nor where deleting TZ does not give the process its zone back.
 * Where it does not, every zone is read through Intl.
 */
let tzReads: boolean | undefined;
function tzReadsZones(): boolean {
  if (tzReads === undefined) {
    // Two zones apart from each other, so that a process whose own zone is one of them cannot pass.
    const at = Date.UTC(2026, 0, 15);
    const own = new Date(at).getTimezoneOffset();
    tzReads = readOffsets("Asia/Tokyo", [at])[0] === 9 * HOUR && readOffsets("America/New_York", [at])[0] === -5 * HOUR && new Date(at).getTimezoneOffset() === own;
  }
  return tzReads;
}

/** The offset at `ms` as Intl reads `zone`'s wall clock (the way where TZ cannot be used). */
const intlFormats = new Map<string, Intl.DateTimeFormat>();
function intlOffset(ms: number, zone: string): number {
  let f = intlFormats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" });
    intlFormats.set(zone, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(ms)) if (part.type !== "literal") p[part.type] = Number(part.value);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - (ms - (ms % 1000));
}

/**
 * A canonical zone name TZ can be given: with a "/" and no digit, ICU takes it as an Olson ID of its
 * own data. A name of 3–4 letters ("EST", "Eire") it checks against the C library's reading of TZ,
 * and a name with digits ("Etc/GMT+5", POSIX's "EST5EDT") it leaves to the C library: both then
 * depend on the host's tzdata and may differ from Intl. Only canonical names come here (the
 * runtime's own list, or what Intl resolves a name to), since ICU's lookup is exact: "asia/tokyo"
 * under TZ would read as the C library's UTC, and a path ("/usr/share/zoneinfo/…") as the C library
 * reads the file.
 */
const tzSafe = (name: string) => name.includes("/") && !/\d/.test(name);

/** Offset of `zone` from UTC at instant `ms`, in milliseconds (positive east of Greenwich). RangeError for an unknown zone. */
export function zoneOffset(ms: number, zone: string): number {
  if (isUtc(zone)) return 0;
  const hour = Math.floor(ms / HOUR);
  const key = `${zone}|${hour}`;
  const cached = offsets.get(key);
  if (cached !== undefined) return cached;
  const name = canonicalZone(zone);
  if (name === undefined) throw new RangeError(`Invalid time zone: ${zone}`);
  if (name === "UTC") return 0;
  const at = [ms, hour * HOUR, (hour + 1) * HOUR - 1];
  const [offset, first, last] = tzSafe(name) && tzReadsZones() ? readOffsets(name, at) : at.map((t) => intlOffset(t, name));
  if (first === last) {
    if (offsets.size >= 100_000) offsets.clear();
    offsets.set(key, first);
  }
  return offset;
}

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/**
 * The date and time patterns the emails and pages write, as CLDR's British English writes them
 * (en-GB: "Mon 7 Sept", "Monday, 7 September 2026", "14:05"). Written out here rather than through
 * Intl.DateTimeFormat, whose first construction costs a cold start 15–25 ms (see readOffsets);
 * packages/core/test/time.test.ts checks each against Intl's en-GB over every zone.
 */
export type LocalPattern = "HH:mm" | "d MMM" | "d MMM y" | "EEE d MMM" | "EEEE d MMMM" | "EEEE, d MMMM y";

/** An instant as `pattern` shows it on the wall clock of `zone`. */
export function formatLocal(ms: number, zone: string, pattern: LocalPattern): string {
  const t = new Date(ms + zoneOffset(ms, zone));
  const day = t.getUTCDate();
  const month = MONTHS[t.getUTCMonth()];
  const mon = month === "September" ? "Sept" : month.slice(0, 3);
  const weekday = WEEKDAYS[t.getUTCDay()];
  switch (pattern) {
    case "HH:mm":
      return `${String(t.getUTCHours()).padStart(2, "0")}:${String(t.getUTCMinutes()).padStart(2, "0")}`;
    case "d MMM":
      return `${day} ${mon}`;
    case "d MMM y":
      return `${day} ${mon} ${t.getUTCFullYear()}`;
    case "EEE d MMM":
      return `${weekday.slice(0, 3)} ${day} ${mon}`;
    case "EEEE d MMMM":
      return `${weekday} ${day} ${month}`;
    case "EEEE, d MMMM y":
      return `${weekday}, ${day} ${month} ${t.getUTCFullYear()}`;
  }
}

/**
 * The first instant the wall clock of `zone` shows `hour`:00 on `date` (YYYY-MM-DD), with the offset
 * of that instant, not of midnight: 08:00 on the day a clock changes at 02:00 is 08:00 of the new
 * offset. The offsets a day either side are the candidates (at most one change lies between); where
 * the clock shows that time twice (a change back), the earlier; where it never shows it (the clocks
 * skip it: America/Santiago springs forward at midnight), the time by the offset before the change
 * (RFC 5545 3.3.5): the change itself where the skip begins on the hour, and a quarter hour after it
 * in Chatham, whose 03:00 on 27 September 2026 (02:45 → 03:45) is 04:00 of the new offset. NaN for a
 * malformed date.
 */
export function atLocal(date: string, hour: number, zone: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(date);
  if (!m) return Number.NaN;
  return atWall(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), hour), zone);
}

/**
 * The instant `zone`'s wall clock shows `wall` (a local date and time written as if UTC, in ms), as
 * {@link atLocal} resolves it: a time shown twice is the earlier, a time skipped is read with the
 * offset before the change.
 */
export function atWall(wall: number, zone: string): number {
  if (!Number.isFinite(wall)) return Number.NaN;
  const before = zoneOffset(wall - DAY, zone);
  const after = zoneOffset(wall + DAY, zone);
  const shows = (ms: number) => ms + zoneOffset(ms, zone) === wall;
  const candidates = [wall - before, wall - after].filter(shows);
  return candidates.length ? Math.min(...candidates) : wall - before;
}

/** The local calendar date (YYYY-MM-DD) of an instant in a zone. */
export function localDate(ms: number, zone: string): string {
  return new Date(ms + zoneOffset(ms, zone)).toISOString().slice(0, 10);
}

/** Whether `date` (YYYY-MM-DD) is a day the calendar has: not 30 February, not month 13. */
export function isCalendarDate(date: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(date) && addDays(date, 0) === date;
}

/** A date `days` after `date` (YYYY-MM-DD). */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** Epoch ms of the start of `date` (YYYY-MM-DD) in `zone`: local midnight, or the change where the clocks skip it. */
export function localMidnight(date: string, zone: string): number {
  return atLocal(date, 0, zone);
}

/** Whether an ISO/RFC 3339 date-time carries its own offset (or Z). */
export const hasOffset = (value: string): boolean => /(?:[zZ]|[+-]\d{2}:?\d{2})$/.test(value);

/** The instant of an ISO date-time; one that names no offset is read as UTC, on any host (NaN when unreadable). */
export const utcInstant = (value: string): number => Date.parse(hasOffset(value) ? value : `${value}Z`);

/**
 * An offset-less ISO date-time's wall clock, written as if UTC (ms), to the millisecond (Graph writes
 * seven fractional digits): what {@link atWall} and a zone's offset turn into an instant.
 */
export const wallMs = (value: string): number => Date.parse(`${value.replace(/(\.\d{3})\d*$/, "$1")}Z`);

/** Milliseconds in a day (the spec's windows are absolute: 7 days is 7 × 24 hours). */
export const DAY = 24 * 60 * 60 * 1000;
