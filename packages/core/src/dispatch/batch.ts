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
}

/**
 * Runs records one after another (one scan at a time per function instance keeps the provider
 * quota arithmetic in infra/queue.ts true) and returns the ids to report as failed: those whose
 * handler returned false or threw, and those not started for lack of time.
 */
export async function processBatch(records: QueueRecord[], handle: (r: QueueRecord) => Promise<boolean>, o: BatchOptions = {}): Promise<string[]> {
  const failed: string[] = [];
  for (const r of records) {
    if (o.remainingMs && o.minStartMs && o.remainingMs() < o.minStartMs) {
      failed.push(r.id);
      continue;
    }
    try {
      if (!(await handle(r))) failed.push(r.id);
    } catch (e) {
      console.error(`record ${r.id}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
      failed.push(r.id);
    }
  }
  return failed;
}
