import type { SQSClient } from "@aws-sdk/client-sqs";

/*
 * The SQS SDK is imported where a batch is sent, not at the top: this module's QueueSender and
 * SQS_BATCH_MAX are used by every handler (core/dispatch), and a static import would put SQS's
 * client in the start of each, the backfill and the API included, which send only now and then
 * (a continuation, a first backfill). A caller that sends builds its SQSClient anyway.
 */

/** Sends message bodies to a queue, at most ten per call; returns the bodies that were not accepted. */
export interface QueueSender {
  sendBatch(bodies: string[]): Promise<{ failed: string[] }>;
}

/** SQS's limit of entries per SendMessageBatch. */
export const SQS_BATCH_MAX = 10;

/** A {@link QueueSender} on SQS (standard queue: no deduplication ids; the consumer is idempotent). */
export function sqsSender(client: SQSClient, queueUrl: string): QueueSender {
  return {
    async sendBatch(bodies) {
      if (bodies.length > SQS_BATCH_MAX) throw new RangeError(`at most ${SQS_BATCH_MAX} messages per batch, got ${bodies.length}`);
      if (!bodies.length) return { failed: [] };
      const { SendMessageBatchCommand } = await import("@aws-sdk/client-sqs");
      const out = await client.send(
        new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: bodies.map((MessageBody, i) => ({ Id: String(i), MessageBody })) }),
      );
      return { failed: (out.Failed ?? []).map((f) => bodies[Number(f.Id)]) };
    },
  };
}

/** An in-memory {@link QueueSender} that records every batch (local runs and tests). */
export interface MemorySender extends QueueSender {
  /** Every accepted batch, in order. */
  batches: string[][];
  /** Every call's bodies, accepted or not. */
  calls: string[][];
  /** Bodies the next call(s) should report as failed (each once). */
  failNext: Set<string>;
}

/** A recording sender; bodies in `failNext` fail once. */
export function memorySender(): MemorySender {
  const s: MemorySender = {
    batches: [],
    calls: [],
    failNext: new Set(),
    async sendBatch(bodies) {
      if (bodies.length > SQS_BATCH_MAX) throw new RangeError(`at most ${SQS_BATCH_MAX} messages per batch, got ${bodies.length}`);
      s.calls.push([...bodies]);
      const failed = bodies.filter((b) => s.failNext.delete(b));
      const sent = bodies.filter((b) => !failed.includes(b));
      if (sent.length) s.batches.push(sent);
      return { failed };
    },
  };
  return s;
}
