import { zoneOffset } from "../time";

/** When the owner wants the digest: a weekday (1 = Monday … 7 = Sunday, ISO) and an hour, in their zone. */
export interface DigestSchedule {
  day: number;
  hour: number;
}

/** Monday 8:00 in the owner's zone unless they choose otherwise. */
export const DEFAULT_SCHEDULE: DigestSchedule = { day: 1, hour: 8 };

const HOUR = 3_600_000;
/** The dispatcher's period: every zone's offset is a whole number of quarter hours. */
const QUARTER = 15 * 60_000;
const WEEK_HOURS = 168;

/**
 * The UTC hour of the week (0 = Monday 00:00 UTC … 167.75) of an instant, to the quarter hour
 * before it: 2.5 is Monday 02:30 UTC. Quarters are exact in binary, so slots compare with ===.
 */
export function utcHourOfWeek(ms: number): number {
  const q = Math.floor(ms / QUARTER) * QUARTER;
  const d = new Date(q);
  return (((d.getUTCDay() + 6) % 7) * 24 + d.getUTCHours() + d.getUTCMinutes() / 60) % WEEK_HOURS;
}

/**
 * The UTC hour of the week (to the quarter) of the next time, at or after `at`, that the local
 * (day, hour) comes round in `timeZone`. The zone's offset is taken at that next occurrence, not at
 * `at`, so a daylight-saving change before it is accounted for; the index is refreshed after every
 * run, so each week's slot is computed with that week's offset. In zones off the whole hour the
 * slot is a quarter: Monday 08:00 in India is 2.5 (02:30 UTC), in Nepal 2.25.
 */
export function dueSlot(s: DigestSchedule, timeZone: string, at: number): number {
  const local = (s.day - 1) * 24 + s.hour;
  const slotWith = (offsetMs: number) => (((local - offsetMs / HOUR) % WEEK_HOURS) + WEEK_HOURS) % WEEK_HOURS;
  const first = slotWith(zoneOffset(at, timeZone));
  const hoursAhead = (first - utcHourOfWeek(at) + WEEK_HOURS) % WEEK_HOURS;
  const next = Math.floor(at / QUARTER) * QUARTER + hoursAhead * HOUR;
  return slotWith(zoneOffset(next, timeZone));
}

/**
 * The latest scheduled occurrence at or before `at` (the start of the local hour), at most a week
 * back. A digest is named after the occurrence it belongs to, so a run retried hours late, across
 * the end of an ISO week, is still that week's digest.
 */
export function previousOccurrence(s: DigestSchedule, timeZone: string, at: number): number {
  const quarters = (WEEK_HOURS + 1) * 4;
  for (let t = Math.floor(at / QUARTER) * QUARTER, i = 0; i <= quarters; i++, t -= QUARTER) {
    const local = new Date(t + zoneOffset(t, timeZone));
    if (((local.getUTCDay() + 6) % 7) + 1 === s.day && local.getUTCHours() === s.hour && local.getUTCMinutes() === 0) return t;
  }
  return at;
}

/**
 * The due index partition key of a slot: the dispatcher queries it, never scans. A whole hour is
 * `DUE#006` (the form every account had while the dispatcher ran hourly: an account indexed then
 * is still found), a quarter past, half past or quarter to is `DUE#002:30`.
 */
export const dueKey = (slot: number) => {
  const hour = Math.floor(slot);
  const minutes = Math.round((slot - hour) * 60);
  return `DUE#${String(hour).padStart(3, "0")}${minutes ? `:${String(minutes).padStart(2, "0")}` : ""}`;
};

/** Validates a schedule from a form or API: one-line errors. */
export function parseSchedule(day: unknown, hour: unknown): DigestSchedule {
  const d = Number(day);
  const h = Number(hour);
  if (!Number.isInteger(d) || d < 1 || d > 7) throw new RangeError("day must be 1 (Monday) to 7 (Sunday)");
  if (!Number.isInteger(h) || h < 0 || h > 23) throw new RangeError("hour must be 0 to 23");
  return { day: d, hour: h };
}
