/** EventBridge, every quarter hour: the accounts whose digest is due in this quarter hour of the week, and the event jobs due then (core/events/due), go to the Digests queue. */
import type { Context, ScheduledEvent } from "aws-lambda";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import { type DispatchResult, dispatchDue, markDispatched, missedSlots } from "@followthrough/core/dispatch";
import type { QueueSender } from "@followthrough/core/queue";
import { sqsSender } from "@followthrough/core/queue/sqs";
import { Repository } from "@followthrough/core/storage";
import { linked, need } from "../linked";

/** All the dispatcher uses: the table and the Digests queue (no provider SDK, no email renderer). */
export interface DispatchDeps {
  repo: Repository;
  now: () => number;
  digests?: QueueSender;
}

let cached: DispatchDeps | undefined;

/** The deps of this Lambda from what it links (DynamoDB and SQS clients only). */
export function dispatchDeps(): DispatchDeps {
  return (cached ??= {
    repo: new Repository(DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } }), need(linked("Table")?.name, "Table")),
    now: Date.now,
    digests: sqsSender(new SQSClient({}), need(linked("Digests")?.url, "Digests")),
  });
}

/**
 * The time a catch-up leaves before the function's limit (infra/cron.ts: 5 minutes): a slot is not
 * begun with less, and the slots left go to the next run.
 */
export const CATCH_UP_RESERVE_MS = 60_000;

/** The handler over given deps (tests pass local ones). */
export function createDispatchHandler(deps: () => DispatchDeps) {
  return async (event: Pick<ScheduledEvent, "time">, context?: Pick<Context, "getRemainingTimeInMillis">): Promise<DispatchResult> => {
    const d = deps();
    // The scheduled time of the rule, not the invocation's clock (a late start still dispatches its hour).
    const at = event.time ? Date.parse(event.time) : d.now();
    const queue = need(d.digests, "Digests queue");
    const result = await dispatchDue({ repo: d.repo, queue, at });
    console.log(JSON.stringify({ msg: "dispatch", time: event.time, slot: result.slot, due: result.due, ahead: result.ahead, eventJobs: result.eventJobs, sent: result.sent, batches: result.batches, failed: result.failed.length }));
    // Then the quarter hours no run reached (a skipped schedule, a run that died before its record),
    // each tried once; this one is recorded whatever they did, so a failure that lasts is not sent
    // again by every later run. Its own failure is EventBridge's to retry (the retry sends the slot
    // again and catches nothing up); one of this bookkeeping is only logged, the slot being sent.
    // Out of time (a day's outage is 100 slots), it records the last slot it reached instead, so the
    // next run goes on from there (this one's own slot is sent again then: harmless, as above).
    try {
      let reached: number | undefined;
      let cut = false;
      for (const missed of await missedSlots(d.repo, at)) {
        if (context && context.getRemainingTimeInMillis() < CATCH_UP_RESERVE_MS) {
          cut = true;
          break;
        }
        const late = await dispatchDue({ repo: d.repo, queue, at: missed });
        console.log(JSON.stringify({ msg: "dispatch", caughtUp: new Date(missed).toISOString(), due: late.due, ahead: late.ahead, eventJobs: late.eventJobs, sent: late.sent, failed: late.failed.length }));
        reached = missed;
      }
      if (cut) console.log(JSON.stringify({ msg: "dispatch", catchUp: "continues in the next run", reached: reached === undefined ? null : new Date(reached).toISOString() }));
      if (!cut) await markDispatched(d.repo, at);
      else if (reached !== undefined) await markDispatched(d.repo, reached);
    } catch (e) {
      console.warn(JSON.stringify({ msg: "dispatch", catchUp: "not finished", error: e instanceof Error ? e.message : String(e) }));
    }
    // EventBridge retries a failed invocation; the worker is idempotent (lease + one digest a week).
    if (result.failed.length) throw new Error(`dispatch: ${result.failed.length} of ${result.due} accounts not queued`);
    return result;
  };
}

export const handler = createDispatchHandler(dispatchDeps);
