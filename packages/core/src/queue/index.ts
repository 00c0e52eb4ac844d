/*
 * No SDK here: QueueSender and SQS_BATCH_MAX are used by every handler (core/dispatch), so the SQS
 * client is in core/queue/sqs, imported by the handlers that send (the dispatcher at start; the
 * API and the backfill on their first send). Importing the SDK from this module would put SQS's
 * client in the start of the backfill and the API too (esbuild places whole modules in chunks).
 */

/** Options of one send. */
export interface SendOptions {
  /** Seconds before the messages can be received (SQS DelaySeconds: 0 to 900). */
  delaySeconds?: number;
}

/** Sends message bodies to a queue, at most ten per call; returns the bodies that were not accepted. */
export interface QueueSender {
  sendBatch(bodies: string[], o?: SendOptions): Promise<{ failed: string[] }>;
}

/** SQS's limit of entries per SendMessageBatch. */
export const SQS_BATCH_MAX = 10;

/** Throws, before any request, for a batch SQS would refuse: more than ten messages, or a delay outside 0–900 whole seconds. */
export function checkBatch(bodies: string[], o?: SendOptions): void {
  if (bodies.length > SQS_BATCH_MAX) throw new RangeError(`at most ${SQS_BATCH_MAX} messages per batch, got ${bodies.length}`);
  const delay = o?.delaySeconds;
  if (delay !== undefined && !(Number.isInteger(delay) && delay >= 0 && delay <= 900)) throw new RangeError(`DelaySeconds must be a whole number from 0 to 900, got ${delay}`);
}

/** An in-memory {@link QueueSender} that records every batch (local runs and tests). */
export interface MemorySender extends QueueSender {
  /** Every accepted batch, in order. */
  batches: string[][];
  /** The delay each accepted batch was sent with (0 without one), in the same order. */
  delays: number[];
  /** Every call's bodies, accepted or not. */
  calls: string[][];
  /** Bodies the next call(s) should report as failed (each once). */
  failNext: Set<string>;
}

/** A recording sender; bodies in `failNext` fail once. */
export function memorySender(): MemorySender {
  const s: MemorySender = {
    batches: [],
    delays: [],
    calls: [],
    failNext: new Set(),
    async sendBatch(bodies, o) {
      checkBatch(bodies, o);
      s.calls.push([...bodies]);
      const failed = bodies.filter((b) => s.failNext.delete(b));
      const sent = bodies.filter((b) => !failed.includes(b));
      if (sent.length) {
        s.batches.push(sent);
        s.delays.push(o?.delaySeconds ?? 0);
      }
      return { failed };
    },
  };
  return s;
}
