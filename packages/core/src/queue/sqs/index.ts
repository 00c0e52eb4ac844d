/** The SQS {@link QueueSender} (core/queue has the interface and an in-memory one, without the SDK). */
import { SendMessageBatchCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { type QueueSender, SQS_BATCH_MAX } from "../index";

/** A {@link QueueSender} on SQS (standard queue: no deduplication ids; the consumer is idempotent). */
export function sqsSender(client: SQSClient, queueUrl: string): QueueSender {
  return {
    async sendBatch(bodies, o) {
      if (bodies.length > SQS_BATCH_MAX) throw new RangeError(`at most ${SQS_BATCH_MAX} messages per batch, got ${bodies.length}`);
      if (!bodies.length) return { failed: [] };
      const delay = o?.delaySeconds;
      if (delay !== undefined && !(Number.isInteger(delay) && delay >= 0 && delay <= 900)) throw new RangeError(`DelaySeconds must be a whole number from 0 to 900, got ${delay}`);
      const out = await client.send(
        new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: bodies.map((MessageBody, i) => ({ Id: String(i), MessageBody, ...(delay ? { DelaySeconds: delay } : {}) })) }),
      );
      return { failed: (out.Failed ?? []).map((f) => bodies[Number(f.Id)]) };
    },
  };
}
