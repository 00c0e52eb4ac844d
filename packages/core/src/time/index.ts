import { findIana } from "windows-iana";
/** Time-zone arithmetic without a dependency: local wall-clock times in an IANA zone to epoch ms. */

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
  // Two passes settle the offset across a DST change.
  let ms = guess - zoneOffset(guess, zone);
  ms = guess - zoneOffset(ms, zone);
  return ms;
}

/** Parses a provider date-time: ISO with offset or Z, or Graph's offset-less UTC ("2026-03-16T08:30:00.0000000"). */
export function parseInstant(value: string | null | undefined, zoneOfNaive = "UTC"): number {
  if (!value) return Number.NaN;
  if (/[zZ]$|[+-]\d{2}:?\d{2}$/.test(value)) return Date.parse(value);
  const trimmed = value.replace(/(\.\d{3})\d*$/, "$1");
  const zone = zoneOfNaive === "UTC" ? undefined : toIanaZone(zoneOfNaive);
  if (!zone) return Date.parse(`${trimmed}Z`);
  const utc = Date.parse(`${trimmed}Z`);
  return utc - zoneOffset(utc - zoneOffset(utc, zone), zone);
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

/**
 * An IANA zone for a provider's zone name: IANA names pass through; Windows names, which Outlook
 * mailbox settings and Graph events use ("Pacific Standard Time"), map through CLDR's table.
 * Undefined when neither (e.g. "tzone://Microsoft/Custom").
 */
export function toIanaZone(name: string | null | undefined): string | undefined {
  if (!name) return undefined;
  if (isZone(name)) return name;
  return findIana(name).find((z) => isZone(z));
}

/** Milliseconds in a day (the spec's windows are absolute: 7 days is 7 × 24 hours). */
export const DAY = 24 * 60 * 60 * 1000;
