import type { calendar_v3 } from "@googleapis/calendar";
import { localMidnight } from "@followthrough/core/time";

/** The instant of an event time: `dateTime` as given, `date` at midnight in `zone` (the calendar's zone by default). */
export function instant(t: calendar_v3.Schema$EventDateTime | undefined, zone: string): number | undefined {
  if (!t) return undefined;
  if (t.dateTime) {
    const ms = Date.parse(t.dateTime);
    return Number.isNaN(ms) ? undefined : ms;
  }
  if (t.date) return localMidnight(t.date, t.timeZone ?? zone);
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
