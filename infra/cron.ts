import { NODE } from "./defaults";
import { keys } from "../packages/core/src/storage/keys";
import { onPartition, queryIndex, sendTo } from "./permissions";
import { digests } from "./queue";
import { table } from "./storage";

/**
 * Every quarter hour: the accounts whose digest is due in this quarter hour of the week, and the
 * event jobs due then, go to the Digests queue (08:00 local is a quarter past, half past or a
 * quarter to the UTC hour in India, Nepal, Newfoundland, South Australia…). sst.aws.Cron sets the rule target's `input` to its `event` ({} by default), which
 * would replace EventBridge's scheduled event; dropping `input` lets the handler read `time`.
 */
export const dispatch = new sst.aws.Cron("Dispatch", {
  schedule: "cron(0/15 * * * ? *)",
  function: {
    ...NODE,
    handler: "functions/src/handlers/dispatch.handler",
    memory: "256 MB",
    // One GSI query page and one SendMessageBatch per ten accounts: seconds for thousands of accounts.
    timeout: "5 minutes",
    link: [table, digests],
    // Links give names and URLs only (infra/permissions.ts). The due-hour index's pages (gsi2: never a
    // scan), the one item of its own, the last quarter hour dispatched (read and conditionally put:
    // core/dispatch missedSlots, markDispatched; no other item), and the Digests queue.
    permissions: [queryIndex(table, "gsi2"), onPartition(table, keys.dispatched.pk, ["dynamodb:GetItem", "dynamodb:PutItem"]), sendTo(digests)],
  },
  transform: { target: { input: undefined } },
});
