/**
 * Time-zone arithmetic without a dependency: local wall-clock times in an IANA zone to epoch ms.
 * Provider zone names (Outlook's Windows names) and Graph's offset-less date-times are in core/zones,
 * with CLDR's table: only the Graph adapter needs them.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(zone, f);
  }
  return f;
}

const shared = new Map<string, Intl.DateTimeFormat>();

/**
 * A date format of `locale` with `options`, built once per process and reused: building one costs
 * ICU's pattern and zone lookup (0.2–1 ms after the first), formatting with it microseconds, and a
 * digest or a page formats many dates in the same few ways. The keys are bounded by the zones the
 * providers name (a few hundred) times the handful of formats the code asks for.
 */
export function dateFormat(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let f = shared.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, options);
    shared.set(key, f);
  }
  return f;
}

/** Offset of `zone` from UTC at instant `ms`, in milliseconds (positive east of Greenwich). */
export function zoneOffset(ms: number, zone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(new Date(ms))) if (p.type !== "literal") parts[p.type] = Number(p.value);
  const asUtc = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return asUtc - (ms - (ms % 1000));
}

/**
 * The first instant the wall clock of `zone` shows `hour`:00 on `date` (YYYY-MM-DD), with the offset
 * of that instant, not of midnight: 08:00 on the day a clock changes at 02:00 is 08:00 of the new
 * offset. The offsets a day either side are the candidates (at most one change lies between); where
 * the clock shows that time twice (a change back), the earlier; where it never shows it (the clocks
 * skip it: America/Santiago springs forward at midnight), the change itself, the time by the offset
 * before it. NaN for a malformed date.
 */
export function atLocal(date: string, hour: number, zone: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(date);
  if (!m) return Number.NaN;
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), hour);
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

/** A date `days` after `date` (YYYY-MM-DD). */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** Epoch ms of the start of `date` (YYYY-MM-DD) in `zone`: local midnight, or the change where the clocks skip it. */
export function localMidnight(date: string, zone: string): number {
  return atLocal(date, 0, zone);
}

/** True for an IANA zone this runtime knows (Graph may name Windows zones; callers fall back to UTC). */
export function isZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

/** Milliseconds in a day (the spec's windows are absolute: 7 days is 7 × 24 hours). */
export const DAY = 24 * 60 * 60 * 1000;
