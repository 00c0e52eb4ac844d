import { zoneOffset } from "../time";

/** When the owner wants the digest: a weekday (1 = Monday … 7 = Sunday, ISO) and an hour, in their zone. */
export interface DigestSchedule {
  day: number;
  hour: number;
}

/** Monday 8:00 in the owner's zone unless they choose otherwise. */
export const DEFAULT_SCHEDULE: DigestSchedule = { day: 1, hour: 8 };

const HOUR = 3_600_000;
const WEEK_HOURS = 168;

/** The UTC hour of the week (0 = Monday 00:00 UTC … 167) of an instant. */
export function utcHourOfWeek(ms: number): number {
  const d = new Date(ms);
  return (((d.getUTCDay() + 6) % 7) * 24 + d.getUTCHours()) % WEEK_HOURS;
}

/**
 * The UTC hour of the week of the next time, at or after `at`, that the local (day, hour) comes
 * round in `timeZone`. The zone's offset is taken at that next occurrence, not at `at`, so a
 * daylight-saving change before it is accounted for; the index is refreshed after every run, so
 * each week's slot is computed with that week's offset. In zones with a half-hour offset the slot
 * is the first hourly run at which the local hour has begun (08:00 in India, 02:30 UTC, goes at 03:00 UTC).
 */
export function dueSlot(s: DigestSchedule, timeZone: string, at: number): number {
  const local = (s.day - 1) * 24 + s.hour;
  const slotWith = (offsetMs: number) => (((local - Math.floor(offsetMs / HOUR)) % WEEK_HOURS) + WEEK_HOURS) % WEEK_HOURS;
  const first = slotWith(zoneOffset(at, timeZone));
  const hoursAhead = (first - utcHourOfWeek(at) + WEEK_HOURS) % WEEK_HOURS;
  const next = Math.floor(at / HOUR) * HOUR + hoursAhead * HOUR;
  return slotWith(zoneOffset(next, timeZone));
}

/**
 * The latest scheduled occurrence at or before `at` (the start of the local hour), at most a week
 * back. A digest is named after the occurrence it belongs to, so a run retried hours late, across
 * the end of an ISO week, is still that week's digest.
 */
export function previousOccurrence(s: DigestSchedule, timeZone: string, at: number): number {
  for (let t = Math.floor(at / HOUR) * HOUR, i = 0; i <= WEEK_HOURS + 1; i++, t -= HOUR) {
    const local = new Date(t + zoneOffset(t, timeZone));
    if (((local.getUTCDay() + 6) % 7) + 1 === s.day && local.getUTCHours() === s.hour) return t;
  }
  return at;
}

/** The due-hour index partition key of a slot: the dispatcher queries it, never scans. */
export const dueKey = (slot: number) => `DUE#${String(slot).padStart(3, "0")}`;

/** Validates a schedule from a form or API: one-line errors. */
export function parseSchedule(day: unknown, hour: unknown): DigestSchedule {
  const d = Number(day);
  const h = Number(hour);
  if (!Number.isInteger(d) || d < 1 || d > 7) throw new RangeError("day must be 1 (Monday) to 7 (Sunday)");
  if (!Number.isInteger(h) || h < 0 || h > 23) throw new RangeError("hour must be 0 to 23");
  return { day: d, hour: h };
}
