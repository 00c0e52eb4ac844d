/** SQS Backfills: the first scan of a just-connected account (record body: its email), under the scan lease. */
import { randomUUID } from "node:crypto";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { processBatch, runAccountJob } from "@followthrough/core/dispatch";
import { scan } from "@followthrough/core/scan";
import { type Deps, resourceDeps } from "../resources";

/** Longer than the backfill's timeout (infra/backfill.ts: 15 minutes). */
export const BACKFILL_LEASE_MS = 16 * 60_000;

/** The handler over given deps (tests pass local ones). */
export function createBackfillHandler(deps: () => Deps) {
  return async (event: SQSEvent, context?: Pick<Context, "getRemainingTimeInMillis">): Promise<SQSBatchResponse> => {
    const d = deps();
    const failed = await processBatch(
      event.Records.map((r) => ({ id: r.messageId, body: r.body })),
      async (r) => {
        const email = r.body.trim().toLowerCase();
        const now = d.now();
        const job = { repo: d.repo, email, owner: `${r.id}/${randomUUID()}`, now, leaseMs: BACKFILL_LEASE_MS, onRevoked: d.onRevoked };
        const outcome = await runAccountJob(job, async (account) => {
          const result = await scan({ owner: account, provider: d.providerFor(account), repo: d.repo, now });
          console.log(JSON.stringify({ msg: "backfill", account: email, newContacts: result.newContacts.length, missingFollowUps: result.missingFollowUps.length }));
        });
        if (outcome !== "done") console.log(JSON.stringify({ msg: "backfill", account: email, outcome }));
        return outcome !== "busy";
      },
      { remainingMs: context ? () => context.getRemainingTimeInMillis() : undefined, minStartMs: 5 * 60_000 },
    );
    return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

export const handler = createBackfillHandler(resourceDeps);
