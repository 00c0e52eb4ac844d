// Before the queues exist: their links carry their URLs only (infra/permissions.ts).
import "./permissions";

/** Longest a first scan (a year of calendar and sent mail headers) may take. */
export const BACKFILL_TIMEOUT_MINUTES = 15;

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
