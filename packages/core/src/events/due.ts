/**
 * When the event emails of shared/spec/events.md are due, and the due index the dispatcher reads
 * them from every quarter hour (DUE_SLOT_MS: the spec's 08:00 is 08:00 in India, +05:30, and
 * Nepal, +05:45, too). Lean on purpose (storage, time and schedule only): the dispatcher imports it.
 */
import { keys, type Repository, TTL_ATTRIBUTE } from "../storage";
import { nextDispatchSlot } from "../schedule";
import { addDays, atLocal, DAY, formatLocal, localDate, zoneOffset } from "../time";

const HOUR = 3_600_000;

/** The two event emails. */
export type EventMailKind = "morning-of" | "morning-after";
/** What an event job does: one of the emails, or the account's light daily calendar sync. */
export type EventJobKind = EventMailKind | "sync";
export const EVENT_JOB_KINDS: readonly EventJobKind[] = ["morning-of", "morning-after", "sync"];

/** One event job as queued: the account, the event (none for the sync), and the dispatch slot it was due in. */
export interface EventJob {
  job: "event";
  kind: EventJobKind;
  acc: string;
  evt?: string;
  /** The dispatch slot (epoch ms, a quarter hour) it is due in: a job whose stored item moved meanwhile is stale. */
  due: number;
}

/** Local hours of shared/spec/events.md "Emails and the digest", and of the daily sync before them. */
export const EVENT_MAIL_HOURS = { morningOf: 8, eveningBefore: 18, startsEarlyBefore: 10, morningAfter: 8, sync: 7, eveningSync: 17 } as const;

/**
 * The GSI2 partition of a dispatch slot's event jobs (an absolute time: events happen once):
 * `EVDUE#2026-06-20T03` for a whole UTC hour (the form every job had when the dispatcher ran
 * hourly, so jobs planned then are still found), `EVDUE#2026-06-20T02:30` for a quarter past, half
 * past or quarter to.
 */
export const eventDueKey = (slotMs: number) => {
  const iso = new Date(slotMs).toISOString();
  return `EVDUE#${slotMs % HOUR === 0 ? iso.slice(0, 13) : iso.slice(0, 16)}`;
};

/** The dispatcher's quarter-hour slots (core/schedule, which the digest's index uses too). */
export { DUE_SLOT_MS, dispatchSlot, nextDispatchSlot } from "../schedule";

/** The local hour (0–23, fractional minutes ignored) of an instant in a zone. */
export function localHour(ms: number, zone: string): number {
  return new Date(ms + zoneOffset(ms, zone)).getUTCHours();
}

/** Local dates and wall-clock hours (core/time, which all-day events and the digest's schedule use too). */
export { addDays, atLocal, localDate };

/** What the due times read of an event. */
export interface TimedEvent {
  start: number;
  end: number;
}

/**
 * The morning-of email: 08:00 local on the event's first day, or 18:00 the evening before when it
 * starts before 10:00 local (an all-day event starts at midnight, so the evening before).
 */
export function morningOfAt(e: TimedEvent, zone: string): number {
  const day = localDate(e.start, zone);
  return localHour(e.start, zone) < EVENT_MAIL_HOURS.startsEarlyBefore
    ? atLocal(addDays(day, -1), EVENT_MAIL_HOURS.eveningBefore, zone)
    : atLocal(day, EVENT_MAIL_HOURS.morningOf, zone);
}

/**
 * An event's last local day. The end is exclusive, so an event (or an all-day one) ending at
 * midnight has the day before as its last. One night's event past midnight (a mixer 21:00-01:00),
 * ending by 06:00 on the local clock the day after it began, is that evening's: its last day is the
 * day it began, as its morning-after email names it (core/eventmail), so that email comes the next
 * morning, not a day later.
 */
export function lastLocalDay(e: TimedEvent, zone: string): string {
  const first = localDate(e.start, zone);
  const lastMoment = Math.max(e.start, e.end - 1);
  const last = localDate(lastMoment, zone);
  return last === addDays(first, 1) && formatLocal(lastMoment, zone, "HH:mm") < NIGHT_ENDS_BY ? first : last;
}

/** The local clock time by which a night's event that began the evening before has ended ({@link lastLocalDay}). */
export const NIGHT_ENDS_BY = "06:00";

/** The morning-after email: 08:00 local on the day after the event's last day ({@link lastLocalDay}). */
export function morningAfterAt(e: TimedEvent, zone: string): number {
  return atLocal(addDays(lastLocalDay(e, zone), 1), EVENT_MAIL_HOURS.morningAfter, zone);
}

/** The next `hour`:00 local strictly after `now`. */
function nextAtHour(now: number, zone: string, hour: number): number {
  const today = localDate(now, zone);
  const at = atLocal(today, hour, zone);
  return at > now ? at : atLocal(addDays(today, 1), hour, zone);
}

/**
 * The next sync strictly after `now`: 07:00 local, before the day's 08:00 emails; with `evening`,
 * 17:00 too, before the 18:00 evening-before email. The plan asks for the evening one while a
 * morning-of email with a goal is due after that evening: an event moved after the 07:00 sync to
 * start before 10:00 the next morning (or to later that day) is then found in time for its email,
 * not only at the next day's 07:00, when its evening has gone.
 */
export function nextSyncAt(now: number, zone: string, evening = false): number {
  const morning = nextAtHour(now, zone, EVENT_MAIL_HOURS.sync);
  return evening ? Math.min(morning, nextEveningSyncAt(now, zone)) : morning;
}

/** The next 17:00 local strictly after `now` (the evening sync's hour, {@link nextSyncAt}). */
export const nextEveningSyncAt = (now: number, zone: string): number => nextAtHour(now, zone, EVENT_MAIL_HOURS.eveningSync);

/** The queue body of an event job (JSON; a weekly job's body is the bare account address). */
export const eventJobBody = (j: Omit<EventJob, "job">): string => JSON.stringify({ job: "event", kind: j.kind, acc: j.acc.toLowerCase(), ...(j.evt !== undefined ? { evt: j.evt } : {}), due: j.due });

/** Parses a queue body: the event job it carries, or undefined (a weekly job's bare address). */
export function parseEventJob(body: string): EventJob | undefined {
  if (!body.trimStart().startsWith("{")) return undefined;
  const j = JSON.parse(body) as Partial<EventJob>;
  if (j.job !== "event" || !EVENT_JOB_KINDS.includes(j.kind as EventJobKind) || typeof j.acc !== "string" || typeof j.due !== "number") throw new Error("malformed event job");
  if (j.kind !== "sync" && typeof j.evt !== "string") throw new Error("malformed event job: no event");
  return j as EventJob;
}

/** The event jobs due in the dispatch slot `slotMs`: one query on GSI2 (eventDueKey), paged, never a scan. */
export async function eventJobsDue(repo: Repository, slotMs: number, start?: Record<string, unknown>, limit = 1000) {
  const page = await repo.gsi2Page(eventDueKey(slotMs), "body", start, limit);
  return { bodies: page.values, next: page.next };
}

/**
 * How long past its slot an event job's item is kept (the table's TTL, `expiresAt`): its slot's
 * dispatch reads it, and every later use writes it again with a new slot. One still there two weeks
 * on is one no dispatch reads: an account paused or needing a reconnect across the email's whole
 * window leaves its item, which the plan a resume makes does not touch once the email is past
 * (helper-176 #3a). Until 2026-12-04 such an item stayed for good.
 */
export const EVENT_JOB_KEPT_MS = 14 * DAY;

/**
 * Puts (or moves) one event job on the due-hour index; with `unlessDueWithin` [from, to], not over
 * an item due after `from` and before `to` (false when that kept it); with `unlessDue`, not over an
 * item due then (false when that kept it); with `ifPresent`, only over an item still there (a failed
 * run's retry: an account deleted meanwhile stays deleted).
 */
export async function putEventJob(
  repo: Repository,
  email: string,
  kind: EventJob["kind"],
  eventId: string | undefined,
  hour: number,
  o: { unlessDueWithin?: [number, number]; unlessDue?: number; ifPresent?: boolean } = {},
): Promise<boolean> {
  const body = eventJobBody({ kind, acc: email, evt: eventId, due: hour });
  const key = keys.eventJob(email, kind, eventId);
  // The index's sort key is the account and the item's own sort key, whose event id is shortened as
  // every key's is (core/storage keys): a Calendar id of 1,024 characters made it past DynamoDB's
  // 1,024 bytes for an index key, a write AWS refuses and dynalite took (helper-185 #1).
  const item = { ...key, gsi2pk: eventDueKey(hour), gsi2sk: `${email}#${key.sk}`, body, due: hour, [TTL_ATTRIBUTE]: Math.ceil((hour + EVENT_JOB_KEPT_MS) / 1000) };
  if (o.ifPresent) return repo.putIf(item, "attribute_exists(pk)");
  if (o.unlessDue !== undefined) return repo.putIf(item, "attribute_not_exists(#due) OR #due <> :due", { ":due": o.unlessDue }, { "#due": "due" });
  if (!o.unlessDueWithin) {
    await repo.put(item);
    return true;
  }
  const [from, to] = o.unlessDueWithin;
  return repo.putIf(item, "attribute_not_exists(#due) OR #due <= :from OR #due >= :to", { ":from": from, ":to": to }, { "#due": "due" });
}

/**
 * Files the account's daily calendar sync for the first dispatch a minute or more from `now`, unless
 * one is due sooner and not yet dispatched (after `now`): the owner set another time zone (core/events
 * changeTimeZone), a plan found the calendar read in another zone (planEventJobs), or the zone changed
 * while a job held the account (core/dispatch runAccountJob). The sync reads the calendar again in the
 * account's zone and plans from that read. `now` is the time of the write, so the slot is one the
 * dispatcher has still to read. False when a sooner one was kept.
 */
export function syncSoon(repo: Repository, email: string, now: number): Promise<boolean> {
  const slot = nextDispatchSlot(now + 60_000);
  return putEventJob(repo, email.toLowerCase(), "sync", undefined, slot, { unlessDueWithin: [now, slot] });
}
