/**
 * The due-hour index of the event emails (shared/spec/events.md "Emails and the digest"): what
 * {@link planEventJobs} writes after a complete scan and after each daily sync. Lean on purpose (no
 * renderer, no provider): the backfill calls it. core/eventmail runs the jobs.
 */
import { createHash } from "node:crypto";
import { type AccountPatch, type AccountRecord, calendarZoneOf, updateAccount } from "../accounts";
import { ownerIdentity } from "../identity";
import { asOwnerSees } from "../inference";
import { inZone, type Meeting, type Owner } from "../model";
import { mapLimit } from "../resilience/pacer";
import { keys, type Repository } from "../storage";
import { canonicalZone, DAY, isZone } from "../time";
import { dispatchSlot, type EventMailKind, morningAfterAt, morningOfAt, nextDispatchSlot, nextEveningSyncAt, nextSyncAt, putEventJob, syncSoon } from "./due";
import { networkingReason } from "./rules";
import { loadStatements, type OwnerStatements } from "./statements";

/** The stored record of one event email (keys.eventMail), as core/digest sendOnce writes it. */
export interface EventMailRecord {
  status: "sending" | "sent" | "failed";
  messageId: string;
  claimedAt: number;
  sentAt?: number;
  error?: string;
  kind: EventMailKind;
  eventId: string;
  subject?: string;
}

/** The stored item of an event job (keys.eventJob). */
export interface EventJobItem {
  body: string;
  due: number;
}

const HOUR = 3_600_000;

/** How far ahead a plan looks: the week of "upcoming", and a day more for events a weekly scan would miss. */
export const PLAN_AHEAD_MS = 8 * DAY;
/** How many of a plan's items are read and written at once. */
const PLAN_WRITES_IN_FLIGHT = 8;

/** A morning-after email found late (its hour already gone when planned) still goes within this. */
export const MORNING_AFTER_LATE_MS = 12 * HOUR;

/**
 * Until when an event's email is still filed (a slot must start before it): a morning-of email
 * before the event starts; a morning-after one within {@link MORNING_AFTER_LATE_MS} of its hour
 * and a week of the event's end. A plan files nothing later, nor does a failed run's retry
 * (core/eventmail).
 */
export function eventMailLatest(kind: EventMailKind, m: Pick<Meeting, "start" | "end">, zone: string): number {
  if (kind === "morning-of") return m.start;
  return Math.min(morningAfterAt(m, zone) + MORNING_AFTER_LATE_MS, m.end + 7 * DAY);
}

/** Whether the owner gets this kind (on unless switched off in settings). */
export function eventEmailOn(account: Partial<Pick<AccountRecord, "eventEmails">>, kind: EventMailKind): boolean {
  return (kind === "morning-of" ? account.eventEmails?.morningOf : account.eventEmails?.morningAfter) !== false;
}

/** A Message-ID stable for (account, event, kind): a retried send is recognisable in Sent. */
export function eventMailMessageId(account: string, kind: EventMailKind, eventId: string): string {
  const h = createHash("sha256").update(`${account.toLowerCase()}|${kind}|${eventId}`).digest("hex").slice(0, 24);
  return `<ev.${kind === "morning-of" ? "of" : "after"}.${h}@followthrough.app>`;
}

/** The networking events a plan or a job considers, with the owner's view of each. */
export function networkingMeetings(account: Owner, meetings: readonly Meeting[], statements: OwnerStatements, from: number, to: number): Meeting[] {
  const owner = ownerIdentity(account.email, account.aliases);
  const seen = new Set<string>();
  const out: Meeting[] = [];
  for (const stored of meetings) {
    // An all-day event in the owner's zone as it is now (model inZone).
    const m = inZone(stored, account.timeZone);
    if (seen.has(m.id) || !Number.isFinite(m.start) || !Number.isFinite(m.end) || m.end <= from || m.start > to) continue;
    if (!networkingReason(asOwnerSees(m, owner), owner, statements.marks)) continue;
    seen.add(m.id);
    out.push(m);
  }
  return out;
}

/**
 * A slot starting within this of an item's write may already have been read by its dispatch (the
 * dispatcher queries its slot's partition of the index once, as the slot starts; the index is
 * eventually consistent): the item goes in the next slot. As core/eventmail's retry of a job cut short.
 */
export const PLAN_MARGIN_MS = 60_000;

/**
 * The dispatch slot a job goes in, given when it is due, when it stops making sense, and when its
 * item is written; undefined when too late.
 */
function hourFor(at: number, latest: number, writtenAt: number): number | undefined {
  const due = dispatchSlot(at);
  // The slot's dispatch may have run already: a due time already gone goes at the next slot.
  const open = writtenAt + PLAN_MARGIN_MS;
  const slot = due > open ? due : nextDispatchSlot(open);
  return slot < latest ? slot : undefined;
}

/** What a plan wrote. */
export interface EventPlan {
  jobs: { kind: EventMailKind; eventId: string; hour: number }[];
  /** The daily sync's next hour (every active account has one; none while paused or disconnected). */
  sync?: number;
}

/**
 * Plans after something the owner saved (a setting, an event's mark or goal), whose page says saved
 * whatever the plan does: what the owner saved is. A plan that fails (the table refused a write)
 * files the daily sync for the next dispatch instead ({@link syncSoon}: one write), which reads the
 * calendar and plans within the hour; only when that fails too is the plan left to the next weekly
 * run (logged). A paused account's plan only ends its jobs, and its next comes with the resume: a
 * failed one is logged. (helper-105 for the settings page; helper-179 #2: the events and goal pages
 * answered 500 "Something went wrong" for a mark or a goal they had stored, and nothing was filed.)
 */
export async function planAfterSave(repo: Repository, account: Parameters<typeof planEventJobs>[0]["account"], now: number, what: string, clock: () => number = () => now): Promise<void> {
  const why = (e: unknown) => (e instanceof Error ? e.message : String(e));
  try {
    await planEventJobs({ repo, account, now, clock });
  } catch (e) {
    if (account.status !== undefined && account.status !== "active") return void console.warn(`${what}: event plan not made`, why(e));
    await syncSoon(repo, account.email, clock()).then(
      () => console.warn(`${what}: event plan not made; the calendar's sync is filed for the next dispatch`, why(e)),
      (f: unknown) => console.warn(`${what}: event plan not made, nor the sync filed; the weekly run plans`, why(e), why(f)),
    );
  }
}

/**
 * Writes the due-hour index of the account's event emails as of `now` from what is stored: a
 * morning-of item for every networking event starting within {@link PLAN_AHEAD_MS} (the goal is
 * read when it is sent, so a goal set later counts), a morning-after item for every one that ends
 * by then and ended in the last 7 days, each at its local time (core/events/due); an item of an
 * email already sent or switched off is not written. Rewriting moves an item whose event moved.
 *
 * The daily sync item (next 07:00 local, or 17:00 while a morning-of email with a goal is due after
 * that evening) is written for every active account, whatever the coming
 * week holds: a networking event the owner accepts mid-week, with nothing planned yet, is found by
 * the next morning's sync, whose own plan then puts its emails on the index (and the sync after).
 * An account whose `status` says paused or needs_reconnect gets none (its item is removed); an
 * owner without a `status` (tests, scripts) counts as active.
 *
 * Meetings read from the table while the calendar's cursor names another zone than the account's
 * (the owner set one, {@link changeTimeZone}) are not planned from: only the sync is written, for
 * the next dispatch, whose read in the account's zone then plans (one read of the cursor more, for
 * a plan not given a scan's meetings).
 */
export async function planEventJobs(o: {
  repo: Repository;
  account: Owner & Pick<AccountRecord, "eventEmails"> & Partial<Pick<AccountRecord, "status">>;
  now: number;
  meetings?: readonly Meeting[];
  statements?: OwnerStatements;
  /**
   * The time as each item is written (the handler's clock; `now` by default). `now` is when the
   * records were read, which chooses the events; a plan that follows a long read (a weekly run, a
   * backfill, a daily sync) is written minutes later, and an item due meanwhile goes in the next
   * slot the dispatcher has yet to read, not in one it read while the scan ran.
   */
  clock?: () => number;
  /**
   * The slot the calling job was dispatched in (the weekly run's): an item already filed for that
   * slot stays there, not moved on to the next by the margin. That slot's dispatch read it (it was
   * on the index before the slot, or the margin would have filed it later) and queued its job, which
   * runs once this one ends; moved, that job found its item moved and stopped, and the email went a
   * quarter hour late (helper-77 #2: a Monday 08:00 email beside the default Monday 08:00 digest).
   * Only a job of that slot may say so: a plan written from a settings page or a reconnect may follow
   * a job that found the account paused or its grant gone and left the item, which must move on.
   */
  keepSlot?: number;
}): Promise<EventPlan> {
  const { repo, account, now } = o;
  const writtenAt = () => Math.max(now, o.clock?.() ?? now);
  const email = account.email.toLowerCase();
  const active = account.status === undefined || account.status === "active";
  const [meetings, statements, cursor] = await Promise.all([
    o.meetings ?? repo.loadMeetings(email),
    o.statements ?? loadStatements(repo, email),
    // Only for meetings read from the table: a scan's own are of the account's zone.
    o.meetings ? undefined : (repo.getCursor(email, "calendar") as Promise<{ zone?: string; mode?: string; reread?: boolean } | undefined>),
  ]);
  if (cursor && (cursor.zone !== account.timeZone || (cursor.mode === "full" && cursor.reread === true))) {
    // The calendar was last read in another zone than the account's (the owner set one since,
    // core/events changeTimeZone; a cursor from before cursors named their zone counts as another),
    // or is being read again in full and has not reached its end (a read in a new zone stamps that
    // zone on its first page, while the meetings it has not reached are the old read's): the stored
    // meetings are not all of the account's zone's reckoning (an all-day event at its midnight), so
    // nothing is filed from them. An active account's sync goes to the next dispatch instead
    // ({@link syncSoon}: kept where one is due sooner), which reads on in the account's zone and,
    // at the end of the read, plans. A paused one gets none, as below; its resume plans again.
    if (!active) {
      await repo.delete(keys.eventJob(email, "sync"));
      return { jobs: [] };
    }
    const at = writtenAt();
    await syncSoon(repo, email, at);
    return { jobs: [], sync: (await repo.get<EventJobItem>(keys.eventJob(email, "sync")))?.due };
  }
  const zone = account.timeZone;
  const plan: EventPlan = { jobs: [] };
  const events = networkingMeetings(account, meetings, statements, now - 7 * DAY, now + PLAN_AHEAD_MS);
  const wanted: { kind: EventMailKind; eventId: string; at: number; latest: number }[] = [];
  for (const m of events) {
    if (m.start > now && eventEmailOn(account, "morning-of")) wanted.push({ kind: "morning-of", eventId: m.id, at: morningOfAt(m, zone), latest: eventMailLatest("morning-of", m, zone) });
    if (eventEmailOn(account, "morning-after")) wanted.push({ kind: "morning-after", eventId: m.id, at: morningAfterAt(m, zone), latest: eventMailLatest("morning-after", m, zone) });
  }
  // Each item is its email's record read and, unless it was sent, the item written: independent of
  // the others, so a few at once (round trips, not one after another). Its slot is chosen as it is
  // written (hourFor's margin is from that write). Every item is waited for, failed or not, before
  // the plan fails: none is still being written once the caller gives up its lease.
  type Outcome = { job: EventPlan["jobs"][number] } | { failure: unknown } | undefined;
  const outcomes = await mapLimit(wanted, PLAN_WRITES_IN_FLIGHT, async (j): Promise<Outcome> => {
    try {
      if (hourFor(j.at, j.latest, writtenAt()) === undefined) return undefined;
      const sent = (await repo.get<{ mail?: EventMailRecord }>(keys.eventMail(email, j.kind, j.eventId)))?.mail;
      if (sent?.status === "sent") return undefined;
      const hour = hourFor(j.at, j.latest, writtenAt());
      if (hour === undefined) return undefined;
      const due = dispatchSlot(j.at);
      if (o.keepSlot !== undefined && due === o.keepSlot && hour !== due) {
        // Filed for the caller's own slot already: kept (one conditional write, no read).
        const moved = await putEventJob(repo, email, j.kind, j.eventId, hour, { unlessDue: due });
        return { job: { kind: j.kind, eventId: j.eventId, hour: moved ? hour : due } };
      }
      await putEventJob(repo, email, j.kind, j.eventId, hour);
      return { job: { kind: j.kind, eventId: j.eventId, hour } };
    } catch (failure) {
      return { failure };
    }
  });
  for (const o of outcomes) if (o && "failure" in o) throw o.failure;
  for (const o of outcomes) if (o && "job" in o) plan.jobs.push(o.job);
  if (active) {
    const at = writtenAt();
    // 17:00 too while a morning-of email with a goal is due after the next 17:00 (core/events/due
    // nextSyncAt): one this plan filed (or kept). One already sent, past its time, or going before
    // that evening (today's 08:00) has nothing for an evening read to change: each goes once.
    const eveningSync = dispatchSlot(nextEveningSyncAt(at + PLAN_MARGIN_MS, zone));
    const evening = plan.jobs.some((j) => j.kind === "morning-of" && statements.goals.has(j.eventId) && j.hour > eveningSync);
    plan.sync = dispatchSlot(nextSyncAt(at + PLAN_MARGIN_MS, zone, evening));
    // A sync already due sooner and not yet dispatched (a daily sync cut short by the time limit and
    // filed for the next quarter hour, core/eventmail; today's 07:00 when this plan is written in the
    // minute before it) stays: a plan made meanwhile (a goal, a mark, a setting) must not put it off
    // to tomorrow. The margin is for what this plan writes; an item written earlier is read by its
    // dispatch. One conditional write, no read.
    const kept = !(await putEventJob(repo, email, "sync", undefined, plan.sync, { unlessDueWithin: [at, plan.sync] }));
    if (kept) plan.sync = (await repo.get<EventJobItem>(keys.eventJob(email, "sync")))?.due ?? plan.sync;
  } else {
    await repo.delete(keys.eventJob(email, "sync"));
  }
  return plan;
}

/** {@link changeTimeZone}'s zone that follows the account's calendar (the settings list's "My calendar’s"). */
export const CALENDAR_ZONE = Symbol("the calendar's zone");

/**
 * The owner set another time zone (the settings page). The account's zone is saved and its digest's
 * index derived again in it, as for a changed schedule (core/accounts updateAccount: from the next
 * quarter hour, so an hour the new zone has already passed this week is next week's). An active
 * account's daily calendar sync is filed for the first dispatch a minute or more from now
 * ({@link syncSoon}), where it reads the calendar again in the new zone (core/scan calendarSink: a
 * cursor read in another zone starts over, since an all-day event is stored as its day's midnight in
 * the owner's zone) and plans the event emails from that read. Planning at once, from events stored
 * in the old zone, would put an all-day event's email at an hour of the old zone's reckoning: after
 * a move east, later than the event's start, and then no email goes; so until that read any plan
 * files only the sync ({@link planEventJobs}). A job that held the account while the zone changed,
 * and may have moved that sync with a plan of its own scan's meetings, files it again when it ends
 * (core/dispatch runAccountJob). A sync that could not be filed is logged: the zone is saved, and
 * the next plan or sync files it. Undefined when the account is gone.
 *
 * A zone named: the owner picked it from the list, and a reconnect keeps it. {@link CALENDAR_ZONE}:
 * the owner asked for their calendar's zone again (core/accounts calendarZoneOf, as the record
 * holds it when written), and a reconnect takes the calendar's zone as it is then. The same zone
 * again changes only that, and files no sync.
 */
export async function changeTimeZone(repo: Repository, email: string, zone: string | typeof CALENDAR_ZONE, now: number): Promise<AccountRecord | undefined> {
  // Made from the record the write holds against (a reconnect in between is read again).
  const { updated } = await writeZone(repo, email, (current) => {
    // The calendar's zone as last read; where never known, the account keeps its zone and follows the calendar from the next connect.
    if (zone === CALENDAR_ZONE) return { timeZone: calendarZoneOf(current) ?? current.timeZone, zoneChosen: undefined };
    // Chosen: kept across reconnects, with the calendar's own zone beside it (a record from before
    // `calendarZone` was kept, and not chosen, holds the calendar's zone as its zone; one whose
    // provider named none holds none: its UTC is no calendar's).
    return { timeZone: zone, zoneChosen: true, zoneInferred: undefined, ...(current.calendarZone === undefined && !current.zoneChosen && !current.zoneUnread ? { calendarZone: current.timeZone } : {}) };
  }, now);
  return updated;
}

/**
 * The zone most of the owner's own meetings were created in (core/model ownMeetingsZone), for an
 * account whose provider named none at connect (Outlook's mailboxSettings refused, or giving no
 * zone: `zoneUnread`) and whose owner chose none: the account takes it, marked `zoneInferred`, so
 * its digest and event emails come at that zone's hours, not UTC's, and the pages say where it came
 * from. A zone read from the provider or chosen meanwhile wins (the write holds against the record as
 * it is). Changed, the calendar is read again in it at the next dispatch ({@link changeTimeZone});
 * returns the record then, else undefined.
 */
export async function adoptMeetingsZone(repo: Repository, email: string, zone: string | undefined, now: number): Promise<AccountRecord | undefined> {
  if (zone === undefined || !isZone(zone)) return undefined;
  const { updated, was } = await writeZone(repo, email, (current) => {
    if (!current.zoneUnread || current.zoneChosen || current.calendarZone !== undefined) return {};
    return current.timeZone === zone && current.zoneInferred ? {} : { timeZone: zone, zoneInferred: true };
  }, now, (was) => console.log(JSON.stringify({ msg: "zone", account: email, fromMeetings: zone, was })));
  return updated && updated.timeZone !== was ? updated : undefined;
}

/**
 * An account write that may move its zone (`patch`, made from the record the write holds against):
 * where it moved, `moved` is told first, then, for an active account, the calendar is read again in
 * the new zone at the next dispatch. The record as written, and its zone before.
 */
async function writeZone(
  repo: Repository,
  email: string,
  patch: (current: AccountRecord) => AccountPatch,
  now: number,
  moved?: (was: string | undefined) => void,
): Promise<{ updated: AccountRecord | undefined; was: string | undefined }> {
  let was: string | undefined;
  const updated = await updateAccount(
    repo,
    email,
    (current) => {
      was = current.timeZone;
      return patch(current);
    },
    now,
  );
  if (updated && updated.timeZone !== was) {
    moved?.(was);
    if (updated.status === "active") await readInNewZone(repo, email, now);
  }
  return { updated, was };
}

/** Files the calendar's read in a zone just changed for the next dispatch; one that cannot be filed is logged (the next plan or sync files it). */
const readInNewZone = (repo: Repository, email: string, now: number) =>
  syncSoon(repo, email, now).then(
    () => undefined,
    (e: unknown) => console.warn(JSON.stringify({ msg: "zone", account: email, sync: "not filed", error: e instanceof Error ? e.message : String(e) })),
  );

/**
 * The calendar's zone as the provider names it now (read by the daily sync), followed without a
 * reconnect: an owner who moved, or set another zone in Google Calendar or Outlook, gets the digest
 * and the event emails at their new local hours. A zone the owner chose on the settings page stays,
 * with the calendar's kept beside it (what "My calendar's" then offers), as a reconnect does (core/
 * connect grantFields). A zone this runtime does not know, or none, changes nothing. When the zone
 * changed, the calendar is read again in it at the next dispatch, as after a change on the settings
 * page ({@link changeTimeZone}); returns the record then, else undefined.
 */
export async function followCalendarZone(repo: Repository, account: AccountRecord, read: string | undefined, now: number): Promise<AccountRecord | undefined> {
  // Compared as the runtime names them: the same zone under another name ("Asia/Calcutta" for
  // "Asia/Kolkata") is no move.
  const zone = read !== undefined ? canonicalZone(read) : undefined;
  const same = (z: string | undefined) => z !== undefined && canonicalZone(z) === zone;
  if (zone === undefined || (same(calendarZoneOf(account)) && (account.zoneChosen || same(account.timeZone)))) return undefined;
  const { updated, was } = await writeZone(repo, account.email, (current) => {
    // (A zone read: an account that had none read is marked so no more.)
    const read = current.zoneUnread || current.zoneInferred ? { zoneUnread: undefined, zoneInferred: undefined } : {};
    if (current.zoneChosen) return same(calendarZoneOf(current)) ? {} : { calendarZone: zone, ...read };
    return same(current.timeZone) ? (same(calendarZoneOf(current)) ? {} : { calendarZone: current.timeZone, ...read }) : { timeZone: zone, calendarZone: zone, ...read };
  }, now, (was) => console.log(JSON.stringify({ msg: "zone", account: account.email, followed: zone, was })));
  return updated && updated.timeZone !== was ? updated : undefined;
}
