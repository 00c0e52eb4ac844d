import { addDays, atLocal, localDate } from "../time";

/** When the owner wants the digest: a weekday (1 = Monday … 7 = Sunday, ISO) and an hour, in their zone. */
export interface DigestSchedule {
  day: number;
  hour: number;
}

/** Monday 8:00 in the owner's zone unless they choose otherwise. */
export const DEFAULT_SCHEDULE: DigestSchedule = { day: 1, hour: 8 };

const WEEK_HOURS = 168;

/**
 * The dispatcher's period, and the grain of both due indexes (the digests' and the event jobs'):
 * every zone's offset is a whole number of quarter hours.
 */
export const DUE_SLOT_MS = 15 * 60_000;

/**
 * How far back a dispatch catches up quarter hours no dispatch completed (core/dispatch
 * missedSlots): EventBridge skipped an invocation (its schedules are at least once, not exactly
 * once), a run failed past Lambda's two retries, or the dispatcher was down (an outage, a broken
 * deploy). Each holds digests and event jobs indexed by their slot, which no later query reads. The
 * due index keeps naming an occurrence not yet run for two hours and a quarter only (core/accounts
 * KEEP_PAST_OCCURRENCE_MS: while the dispatcher is down only the owner's own save moves it). A day and an hour: an outage of up to a day
 * loses no week's digest, and a daily sync filed in it is run late rather than left in a slot no
 * query reads again (helper-164; it was two hours). An event email caught up past its day is
 * dropped as too late by its own job (core/events eventMailLatest).
 */
export const CATCH_UP_MS = 25 * 3_600_000;

/** The start of the dispatch slot `ms` is in. */
export const slotStart = (ms: number) => Math.floor(ms / DUE_SLOT_MS) * DUE_SLOT_MS;

/** The first dispatch at or after `ms` (08:00 in India, 02:30 UTC, is its own slot). */
export const dispatchSlot = (ms: number) => Math.ceil(ms / DUE_SLOT_MS) * DUE_SLOT_MS;

/** The dispatch slot after the one `now` is in (a due time already gone goes there). */
export const nextDispatchSlot = (now: number) => slotStart(now) + DUE_SLOT_MS;

/**
 * The UTC hour of the week (0 = Monday 00:00 UTC … 167.75) of an instant, to the quarter hour
 * before it: 2.5 is Monday 02:30 UTC. Quarters are exact in binary, so slots compare with ===.
 */
export function utcHourOfWeek(ms: number): number {
  const d = new Date(slotStart(ms));
  return (((d.getUTCDay() + 6) % 7) * 24 + d.getUTCHours() + d.getUTCMinutes() / 60) % WEEK_HOURS;
}

/** A date's ISO weekday (1 = Monday … 7 = Sunday). */
const weekday = (date: string) => ((new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7) + 1;

/**
 * The schedule's occurrences on the local dates around `at`, oldest first: the instant the local
 * (day, hour) begins (core/time atLocal: with that instant's own offset; where the clocks skip the
 * hour, read with the offset before the change, which is when the skip ends where it begins on the
 * hour (Chatham's 03:00 the day its clocks go 02:45 → 03:45 is 04:00); where it comes twice, the first).
 */
function occurrencesAround(s: DigestSchedule, timeZone: string, at: number): number[] {
  const today = localDate(at, timeZone);
  const out: number[] = [];
  for (let n = -8; n <= 8; n++) {
    const date = addDays(today, n);
    if (weekday(date) === s.day) out.push(atLocal(date, s.hour, timeZone));
  }
  return out;
}

/** The first occurrence at or after the quarter hour `at` is in. */
export function nextScheduled(s: DigestSchedule, timeZone: string, at: number): number {
  const from = slotStart(at);
  return occurrencesAround(s, timeZone, at).find((t) => t >= from) ?? at;
}

/** ISO-8601 week of the local date of `ms` in `timeZone`, e.g. "2026-W17": the week a digest is named after. */
export function isoWeek(ms: number, timeZone: string): string {
  const date = new Date(Date.parse(localDate(ms, timeZone)));
  const day = date.getUTCDay() || 7;
  date.setUTCDate(date.getUTCDate() + 4 - day);
  const yearStart = Date.UTC(date.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((date.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${date.getUTCFullYear()}-W${String(week).padStart(2, "0")}`;
}

/**
 * The occurrence the due index names: the first at or after the quarter hour `at` is in whose ISO
 * week is later than `lastWeek`, the week the last weekly run was for (a week whose digest went is
 * not due again, whatever the schedule became since). Where the clocks change between two
 * occurrences their UTC hours of the week differ, so the index of the next one can come round in
 * the dispatcher's query before it: core/accounts keeps this instant beside it, and the dispatcher
 * leaves an account whose instant is a later week's (core/accounts accountsDue). Where to look from
 * is core/accounts accountIndexes': an occurrence just past whose week has not run stays named until
 * a catch-up of its quarter hour can have read it.
 */
export function nextDue(s: DigestSchedule, timeZone: string, at: number, lastWeek?: string): number {
  let t = nextScheduled(s, timeZone, at);
  // ISO week names compare as strings ("2026-W53" < "2027-W01"); a zone changed since the last run
  // can name a week a day apart, so at most two steps.
  for (let i = 0; i < 2 && lastWeek !== undefined && isoWeek(t, timeZone) <= lastWeek; i++) t = nextScheduled(s, timeZone, t + DUE_SLOT_MS);
  return t;
}

/**
 * The UTC hour of the week (to the quarter) of the next occurrence (nextScheduled), which the
 * dispatcher sends at. The zone's offset is that occurrence's own, so a daylight-saving change
 * before it is accounted for; the index is refreshed after every run, so each week's slot is
 * computed with that week's offset. In zones off the whole hour the slot is a quarter: Monday 08:00
 * in India is 2.5 (02:30 UTC), in Nepal 2.25.
 */
export function dueSlot(s: DigestSchedule, timeZone: string, at: number): number {
  return utcHourOfWeek(nextScheduled(s, timeZone, at));
}

/**
 * The latest occurrence at or before `at`, at most a week back (the same instants nextScheduled
 * gives, so a run at a skipped hour's slot finds its own occurrence). A digest is named after the
 * occurrence it belongs to, so a run retried hours late, across the end of an ISO week, is still
 * that week's digest.
 */
export function previousOccurrence(s: DigestSchedule, timeZone: string, at: number): number {
  const past = occurrencesAround(s, timeZone, at).filter((t) => t <= at);
  return past.length ? past[past.length - 1] : at;
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
