import type { QueueSender } from "../queue";

/** One queue message as a batch handler sees it. */
export interface QueueRecord {
  id: string;
  body: string;
}

/** Options of {@link processBatch}. */
export interface BatchOptions {
  /** Milliseconds left before the function times out (Lambda's context.getRemainingTimeInMillis). */
  remainingMs?: () => number;
  /** Do not start a record with less time than this left: it goes back to the queue instead. */
  minStartMs?: number;
  /**
   * The function's own queue, where records not started for lack of time are sent again as new
   * messages: they wait no visibility timeout (30 minutes for the worker) and count no receive
   * toward the dead-letter queue. Those it does not accept are reported failed, as without it.
   */
  requeue?: QueueSender;
}

/**
 * Runs records one after another (one scan at a time per function instance keeps the provider
 * quota arithmetic in infra/queue.ts true) and returns the ids to report as failed: those whose
 * handler returned false or threw, and those not started for lack of time (unless `requeue` took them).
 */
export async function processBatch(records: QueueRecord[], handle: (r: QueueRecord) => Promise<boolean>, o: BatchOptions = {}): Promise<string[]> {
  const failed: string[] = [];
  const unstarted: QueueRecord[] = [];
  for (const r of records) {
    if (o.remainingMs && o.minStartMs && o.remainingMs() < o.minStartMs) {
      unstarted.push(r);
      continue;
    }
    try {
      if (!(await handle(r))) failed.push(r.id);
    } catch (e) {
      console.error(`record ${r.id}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
      failed.push(r.id);
    }
  }
  if (unstarted.length) failed.push(...(await requeued(unstarted, o.requeue)));
  return failed;
}

/** Sends `records` again through `queue`; the ids of those not accepted (all of them without a queue). */
async function requeued(records: QueueRecord[], queue: QueueSender | undefined): Promise<string[]> {
  if (!queue) return records.map((r) => r.id);
  let notSent: string[];
  try {
    ({ failed: notSent } = await queue.sendBatch(records.map((r) => r.body)));
  } catch (e) {
    console.error(`requeue of ${records.length} record(s) failed: ${e instanceof Error ? e.message : String(e)}`);
    return records.map((r) => r.id);
  }
  const left = [...notSent];
  return records.filter((r) => {
    const i = left.indexOf(r.body);
    if (i < 0) return false;
    left.splice(i, 1);
    return true;
  }).map((r) => r.id);
}
