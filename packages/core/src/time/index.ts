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

/** Epoch ms of local midnight at the start of `date` (YYYY-MM-DD) in `zone`. */
export function localMidnight(date: string, zone: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(date);
  if (!m) return Number.NaN;
  const guess = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  // The offsets a day either side; at most one change lies between. Midnight under one of them is
  // the answer where the zone shows 00:00 then (the earlier, where a change back repeats it). Where
  // the clocks spring forward at midnight (America/Santiago, Asia/Beirut) 00:00 never shows: the
  // day begins at the change, which is midnight by the offset before it.
  const before = zoneOffset(guess - DAY, zone);
  const after = zoneOffset(guess + DAY, zone);
  const shows = (ms: number) => ms + zoneOffset(ms, zone) === guess;
  const candidates = [guess - before, guess - after].filter(shows);
  return candidates.length ? Math.min(...candidates) : guess - before;
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
