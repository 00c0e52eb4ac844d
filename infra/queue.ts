import { notices } from "./email";
import { api } from "./api";
import { NODE } from "./defaults";
import { onTable, sendEmailFrom, sendTo } from "./permissions";
import { linkSigningKey, providerSecrets } from "./secrets";
import { table } from "./storage";

/** The worker's timeout; the lease in functions/src/handlers/worker.ts outlives it. */
const WORKER_TIMEOUT_MINUTES = 5;

/** Digests that failed three deliveries, kept 14 days for a look (and a redrive). */
export const digestsDlq = new sst.aws.Queue("DigestsDLQ", {
  transform: { queue: { messageRetentionSeconds: 14 * 24 * 3600 } },
});

/**
 * One message per account job due in this quarter hour (body: `{job: "weekly", acc, slot, due}` or an
 * event job, core/dispatch), sent by the dispatcher every quarter hour; the worker's own
 * continuations and retries come back here too.
 * Visibility timeout = 6 × the worker timeout (AWS's advice for Lambda event sources); a record
 * reported failed (lease held, provider down) comes back after it, three times, then goes to the DLQ.
 */
export const digests = new sst.aws.Queue("Digests", {
  visibilityTimeout: `${6 * WORKER_TIMEOUT_MINUTES} minutes`,
  dlq: { queue: digestsDlq.arn, retry: 3 },
});

/*
 * Concurrency cap, from Google's per-project Gmail quota:
 *   1,200,000 quota units / minute / project
 *   ÷     5,700 units / minute / user, the pace core/resilience Pacer holds each scan to
 *   ≈       210 scans at once before the project quota, not the user's, is the limit.
 * A worker runs its batch's records one after another, so scans at once = worker instances.
 * Cap the worker at 100 and the backfill at 20 (infra/backfill.ts): 120 × 5,700 = 684,000
 * units/minute, 57 % of the quota, leaving room for the API's drafts and for retries.
 * (Microsoft Graph throttles per mailbox and per app+tenant, well above this.)
 */
const WORKER_MAX_CONCURRENCY = 100;

const worker = digests.subscribe(
  {
    ...NODE,
    handler: "functions/src/handlers/worker.handler",
    memory: "1024 MB",
    timeout: `${WORKER_TIMEOUT_MINUTES} minutes`,
    // The API's URL is the base of the digest's one-tap links. Its own queue: a weekly run whose read
    // the time limit cut short (an expired cursor's re-read of the year) enqueues its continuation.
    link: [table, linkSigningKey, ...providerSecrets, api, notices, digests],
    // Links give names and URLs only (infra/permissions.ts; the API's link, its URL, invokes nothing):
    // the table's items, its continuations and retries on its own queue, the reconnect notice.
    // Receiving from Digests is the subscription's own grant.
    permissions: [onTable(table), sendTo(digests), sendEmailFrom(notices)],
  },
  {
    batch: { size: 5, partialResponses: true },
    transform: { eventSourceMapping: { scalingConfig: { maximumConcurrency: WORKER_MAX_CONCURRENCY } } },
  },
);

/*
 * The worker sends to its own queue (a read's continuation, a record bounced while the lease is held,
 * a send tried again later, a record a batch's time could not start), and the AWS SDK carries the
 * invocation's trace header into each message: Lambda's recursive loop detection counts those hops
 * and, past 16, stops the invocation and sends the message to the DLQ. A weekly chain may run a day
 * (an expired cursor's re-read; a run waiting on the first backfill every 5 minutes), so the loop is
 * allowed for this function; the code bounds each chain (a day after its slot, 3 hours of send retries).
 */
new aws.lambda.FunctionRecursionConfig("WorkerRecursion", { functionName: worker.nodes.function.name, recursiveLoop: "Allow" });
