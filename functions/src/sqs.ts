/**
 * A queue sender on SQS whose client is imported on first use (a backfill's continuation, the API's
 * first scan after a connect): a module of its own, so a handler that imports it carries SQS's
 * client in a chunk of its own and nothing of SES.
 */
import type { QueueSender } from "@followthrough/core/queue";

/** A {@link QueueSender} on SQS whose client is imported on first use. */
export function lazySqsSender(queueUrl: string): QueueSender {
  let sender: Promise<QueueSender> | undefined;
  return {
    async sendBatch(bodies, o) {
      sender ??= Promise.all([import("@aws-sdk/client-sqs"), import("@followthrough/core/queue/sqs")]).then(([{ SQSClient }, { sqsSender }]) => sqsSender(new SQSClient({}), queueUrl));
      return (await sender).sendBatch(bodies, o);
    },
  };
}
