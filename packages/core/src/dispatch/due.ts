import { accountsDue } from "../accounts";
import { eventJobsDue } from "../events/due";
import { type QueueSender, SQS_BATCH_MAX } from "../queue";
import { CATCH_UP_MS, DUE_SLOT_MS, slotStart, utcHourOfWeek } from "../schedule";
import { keys, type Repository } from "../storage";

/** What one dispatch (every quarter hour) did. */
export interface DispatchResult {
  /** UTC hour of the week, to the quarter (0 = Monday 00:00 UTC, 2.5 = Monday 02:30 UTC). */
  slot: number;
  /** Accounts found due (GSI2 query) and queued, or tried: those `ahead` not counted. */
  due: number;
  /**
   * Accounts under this quarter hour's key whose index names a later week's occurrence (the week the
   * clocks change: core/accounts accountsDue), left for then.
   */
  ahead: number;
  /** Event jobs found due this quarter hour (GSI2 "EVDUE#…" query): event emails and daily syncs. */
  eventJobs: number;
  /** Messages the queue accepted. */
  sent: number;
  /** SendMessageBatch calls, retries included. */
  batches: number;
  /** Accounts that failed twice (logged; the next week picks them up). */
  failed: string[];
}

/**
 * The body of an account's weekly run as the dispatcher queues it: the account and the occurrence
 * it was found due for (the quarter hour dispatched). The worker names the week after that slot, so
 * a schedule or zone the owner changes between the dispatch and the run (a queue delay at a busy
 * hour) does not make it name last week's occurrence, find that digest sent, and leave this week's
 * to a re-dispatch its 20-hour guard then skips. The worker reads it as functions' weekly
 * continuation (`{job: "weekly", acc, slot}`), marked `due`; it still takes a bare email (a record
 * queued before this form). `week`: the ISO week the index was derived for (core/accounts
 * accountIndexes `dueWeek`), which names the digest should the zone change before the run.
 */
export const dueWeeklyBody = (email: string, slot: number, week?: string) => JSON.stringify({ job: "weekly", acc: email, slot, ...(week ? { week } : {}), due: true });

/**
 * SendMessageBatch calls a dispatch keeps in flight. At about 20 ms a round trip, one at a time sends
 * some 500 messages a second and 100,000 accounts due in one quarter hour (the default Monday 08:00
 * of one large zone) would take more than 3 of the function's 5 minutes; eight at a time leave room.
 */
export const SEND_CONCURRENCY = 8;

/**
 * The dispatcher, every quarter hour: the accounts whose digest is due in the quarter hour of `at`
 * (one query on GSI2 "DUE#nnn" or "DUE#nnn:mm", core/schedule dueKey, paged, never a scan) go to
 * the queue in batches of ten ({@link dueWeeklyBody}: the account and the slot); then the event jobs due in that
 * quarter hour (one query on GSI2 "EVDUE#…", core/events/due), their JSON as the body. Entries the
 * queue refuses are retried once, then reported.
 */
export async function dispatchDue(o: { repo: Repository; queue: QueueSender; at: number; pageSize?: number }): Promise<DispatchResult> {
  const slot = utcHourOfWeek(o.at);
  const result: DispatchResult = { slot, due: 0, ahead: 0, eventJobs: 0, sent: 0, batches: 0, failed: [] };
  const send = async (bodies: string[]) => {
    result.batches++;
    return (await o.queue.sendBatch(bodies)).failed;
  };
  const retry: string[] = [];
  // Batches in flight, at most SEND_CONCURRENCY, while the index is read on: a quarter hour of tens
  // of thousands of accounts is thousands of batches, each a round trip, within the function's
  // 5 minutes (infra/cron.ts). A batch that throws fails the dispatch, as one awaited did, and so
  // does a page of the index that cannot be read: either once the batches in flight have settled,
  // so that none is left running into a frozen Lambda (helper-167 #2).
  const inFlight = new Set<Promise<void>>();
  let sendFailure: { error: unknown } | undefined;
  const submit = async (chunk: string[]) => {
    const p: Promise<void> = send(chunk)
      .then((failed) => {
        result.sent += chunk.length - failed.length;
        retry.push(...failed);
      })
      .catch((error: unknown) => {
        sendFailure ??= { error };
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= SEND_CONCURRENCY) await Promise.race(inFlight);
  };
  let pending: string[] = [];
  let start: Record<string, unknown> | undefined;
  // Accounts first, then event jobs; a partial batch waits until both indexes are read.
  let phase: "accounts" | "events" | "done" = "accounts";
  // This quarter hour's accounts (utcHourOfWeek: to the quarter) and event jobs.
  const quarter = slotStart(o.at);
  try {
    do {
      if (phase === "accounts") {
        const page = await accountsDue(o.repo, slot, start, o.pageSize, quarter);
        result.due += page.emails.length;
        result.ahead += page.ahead;
        pending.push(...page.emails.map((email, i) => dueWeeklyBody(email, quarter, page.weeks[i])));
        start = page.next;
        if (!start) phase = "events";
      } else {
        const page = await eventJobsDue(o.repo, quarter, start, o.pageSize);
        result.eventJobs += page.bodies.length;
        pending.push(...page.bodies);
        start = page.next;
        if (!start) phase = "done";
      }
      while (!sendFailure && (pending.length >= SQS_BATCH_MAX || (phase === "done" && pending.length))) {
        const chunk = pending.slice(0, SQS_BATCH_MAX);
        pending = pending.slice(SQS_BATCH_MAX);
        await submit(chunk);
      }
    } while (phase !== "done" && !sendFailure);
  } finally {
    await Promise.allSettled(inFlight);
  }
  if (sendFailure) throw sendFailure.error;
  for (let i = 0; i < retry.length; i += SQS_BATCH_MAX) {
    const chunk = retry.slice(i, i + SQS_BATCH_MAX);
    const failed = await send(chunk);
    result.sent += chunk.length - failed.length;
    result.failed.push(...failed);
  }
  return result;
}

/** How far back a dispatch catches up quarter hours no dispatch completed (core/schedule). */
export { CATCH_UP_MS } from "../schedule";

/**
 * The quarter hours before `at`'s that no dispatch completed since the last one that did, oldest
 * first, at most {@link CATCH_UP_MS} back; none before the first dispatch ever recorded. A slot
 * dispatched twice is harmless: the worker's lease, the weekly guard and sendOnce make every job
 * run once.
 */
export async function missedSlots(repo: Repository, at: number): Promise<number[]> {
  const quarter = slotStart(at);
  const last = (await repo.get<{ at: number }>(keys.dispatched))?.at;
  if (last === undefined) return [];
  const out: number[] = [];
  for (let q = Math.max(last + DUE_SLOT_MS, quarter - CATCH_UP_MS); q < quarter; q += DUE_SLOT_MS) out.push(q);
  return out;
}

/** Records `at`'s quarter hour as dispatched in full (never moves the record back). */
export async function markDispatched(repo: Repository, at: number): Promise<void> {
  await repo.putIf({ ...keys.dispatched, at: slotStart(at) }, "attribute_not_exists(pk) OR #a < :a", { ":a": slotStart(at) }, { "#a": "at" });
}
