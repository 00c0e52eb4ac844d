/** The SQS {@link QueueSender} (core/queue has the interface and an in-memory one, without the SDK). */
import { SendMessageBatchCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { checkBatch, type QueueSender } from "../index";

/** A {@link QueueSender} on SQS (standard queue: no deduplication ids; the consumer is idempotent). */
export function sqsSender(client: SQSClient, queueUrl: string): QueueSender {
  return {
    async sendBatch(bodies, o) {
      checkBatch(bodies, o);
      if (!bodies.length) return { failed: [] };
      const delay = o?.delaySeconds;
      const out = await client.send(
        new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: bodies.map((MessageBody, i) => ({ Id: String(i), MessageBody, ...(delay !== undefined ? { DelaySeconds: delay } : {}) })) }),
      );
      return { failed: (out.Failed ?? []).map((f) => bodies[Number(f.Id)]) };
    },
  };
}
