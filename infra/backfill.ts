import { notices } from "./email";
import { NODE } from "./defaults";
import { providerSecrets } from "./secrets";
import { table } from "./storage";

/** Longest a first scan (a year of calendar and sent mail headers) may take. */
const BACKFILL_TIMEOUT_MINUTES = 15;

/** Backfills that failed three times, kept 14 days for a look. */
export const backfillsDlq = new sst.aws.Queue("BackfillsDLQ", {
  transform: { queue: { messageRetentionSeconds: 14 * 24 * 3600 } },
});

/**
 * The first scan after a connect, asked for by the API (message body: the account email). A queue
 * rather than an async Lambda invoke: retries, a DLQ and a concurrency cap come with it, and the
 * API needs no Lambda SDK. Visibility timeout = 6 × the function timeout (AWS's advice for Lambda
 * event sources), so a slow attempt is never handed out twice.
 */
export const backfills = new sst.aws.Queue("Backfills", {
  visibilityTimeout: `${6 * BACKFILL_TIMEOUT_MINUTES} minutes`,
  dlq: { queue: backfillsDlq.arn, retry: 3 },
});

backfills.subscribe(
  {
    ...NODE,
    handler: "functions/src/handlers/backfill.handler",
    memory: "1024 MB",
    timeout: `${BACKFILL_TIMEOUT_MINUTES} minutes`,
    link: [table, ...providerSecrets, notices],
  },
  {
    batch: { size: 1, partialResponses: true },
    // At most 20 first scans at once (their share of the Gmail quota: see infra/queue.ts).
    transform: { eventSourceMapping: { scalingConfig: { maximumConcurrency: 20 } } },
  },
);
