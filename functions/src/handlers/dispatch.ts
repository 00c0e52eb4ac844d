/** EventBridge, every hour: the accounts due this UTC hour of the week go to the Digests queue. */
import type { ScheduledEvent } from "aws-lambda";
import { type DispatchResult, dispatchDue } from "@followthrough/core/dispatch";
import { type Deps, need, resourceDeps } from "../resources";

/** The handler over given deps (tests pass local ones). */
export function createDispatchHandler(deps: () => Deps) {
  return async (event: Pick<ScheduledEvent, "time">): Promise<DispatchResult> => {
    const d = deps();
    // The scheduled time of the rule, not the invocation's clock (a late start still dispatches its hour).
    const at = event.time ? Date.parse(event.time) : d.now();
    const result = await dispatchDue({ repo: d.repo, queue: need(d.digests, "Digests queue"), at });
    console.log(JSON.stringify({ msg: "dispatch", time: event.time, slot: result.slot, due: result.due, sent: result.sent, batches: result.batches, failed: result.failed.length }));
    // EventBridge retries a failed invocation; the worker is idempotent (lease + one digest a week).
    if (result.failed.length) throw new Error(`dispatch: ${result.failed.length} of ${result.due} accounts not queued`);
    return result;
  };
}

export const handler = createDispatchHandler(resourceDeps);
