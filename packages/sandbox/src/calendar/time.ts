import type { calendar_v3 } from "@googleapis/calendar";

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

/** Offset (ms) of an IANA zone from UTC at a given instant. */
export function zoneOffsetMs(zone: string, utcMs: number): number {
  const parts = formatter(zone).formatToParts(new Date(utcMs));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const asUtc = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return asUtc - Math.floor(utcMs / 1000) * 1000;
}

/** The instant (ms) a calendar date (`YYYY-MM-DD`) begins in a zone. */
export function zonedMidnight(date: string, zone: string): number {
  const [y, m, d] = date.split("-").map(Number);
  const guess = Date.UTC(y, m - 1, d);
  const first = guess - zoneOffsetMs(zone, guess);
  return guess - zoneOffsetMs(zone, first);
}

/** The instant of an event time: `dateTime` as given, `date` at midnight in `zone` (the calendar's zone by default). */
export function instant(t: calendar_v3.Schema$EventDateTime | undefined, zone: string): number | undefined {
  if (!t) return undefined;
  if (t.dateTime) {
    const ms = Date.parse(t.dateTime);
    return Number.isNaN(ms) ? undefined : ms;
  }
  if (t.date) return zonedMidnight(t.date, t.timeZone ?? zone);
  return undefined;
}

/**
 * The span `[start, end)` an event occupies, in ms. A cancelled instance in minimal form
 * only has `originalStartTime`: it occupies that one instant. Undefined when the event carries no time at all.
 */
export function eventSpan(e: calendar_v3.Schema$Event, zone: string): { start: number; end: number } | undefined {
  const start = instant(e.start, zone) ?? instant(e.originalStartTime, zone);
  if (start === undefined) return undefined;
  const end = instant(e.end, zone) ?? start;
  return { start, end };
}

/** RFC 3339 timestamp with a mandatory offset, as Calendar's timeMin/timeMax/updatedMin demand. */
export const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;
