import { api } from "./api";
import { BACKFILL_TIMEOUT_MINUTES, backfills } from "./backfill";
import { NODE } from "./defaults";
import { notices } from "./email";
import { onTable, sendEmailFrom, sendTo } from "./permissions";
import { linkSigningKey, providerSecrets } from "./secrets";
import { table } from "./storage";

/**
 * The first scan's worker. Declared apart from the queue because it links the API (the base URL of
 * the reconnect link a revoked grant's email carries) and the API links the queue.
 */
const backfill = backfills.subscribe(
  {
    ...NODE,
    handler: "functions/src/handlers/backfill.handler",
    memory: "1024 MB",
    timeout: `${BACKFILL_TIMEOUT_MINUTES} minutes`,
    // Its own queue: a backfill cut short by the time limit enqueues its continuation (handlers/backfill.ts).
    // The link key seals the reconnect link (/l/reconnect/<token>: no address in it).
    link: [table, linkSigningKey, ...providerSecrets, notices, api, backfills],
    // Links give names and URLs only (infra/permissions.ts; the API's link, its URL, invokes nothing):
    // the table's items, its continuation on its own queue, the reconnect notice. Receiving from
    // Backfills is the subscription's own grant.
    permissions: [onTable(table), sendTo(backfills), sendEmailFrom(notices)],
  },
  {
    batch: { size: 1, partialResponses: true },
    // At most 20 first scans at once (their share of the Gmail quota: see infra/queue.ts).
    transform: { eventSourceMapping: { scalingConfig: { maximumConcurrency: 20 } } },
  },
);

/*
 * Each link of a first scan enqueues the next on Backfills (and a record bounced while the lease is
 * held comes back the same way). Lambda's recursive loop detection counts such hops through the
 * trace header the AWS SDK puts on each message and, past 16, stops the invocation and sends the
 * message to the DLQ; a chain may run two days (BACKFILL_CHAIN_MAX_MS), so the loop is allowed here.
 */
new aws.lambda.FunctionRecursionConfig("BackfillRecursion", { functionName: backfill.nodes.function.name, recursiveLoop: "Allow" });
