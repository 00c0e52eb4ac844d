/**
 * The event emails' plan is written when the read before it ends, which may be minutes after the
 * record started: the dispatcher reads each quarter hour's partition of the due index once, as the
 * quarter hour starts, so an item put in a slot that began while the scan ran is never read and its
 * email (or the account's daily sync) is lost. The backfill and the weekly worker pass their clock
 * to the plan; every item they write is due in a slot that starts after it was written.
 */
import { randomUUID } from "node:crypto";
import type { SQSEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nextSyncAt, PLAN_MARGIN_MS } from "@followthrough/core/events";
import { keys } from "@followthrough/core/storage";
import { createBackfillHandler } from "../src/handlers/backfill";
import { createWorkerHandler } from "../src/handlers/worker";
import { type HandlerStack, startHandlerStack } from "./support/handler-stack";

// 06:50 in Melbourne (AEDT, UTC+11) on Wednesday 14 October 2026: the demo account's 07:00 sync
// slot is ten minutes away when the record starts, and gone when its read ends twenty minutes later.
const start = Date.parse("2026-10-13T19:50:00Z");
const readFor = 20 * 60_000;
let stack: HandlerStack;

beforeAll(async () => {
  stack = await startHandlerStack(start);
}, 60_000);
afterAll(() => stack?.close());

describe("a plan written after a long read goes in slots the dispatcher has yet to read", () => {
  for (const kind of ["backfill", "worker"] as const) {
    it(`${kind}: the daily sync goes to tomorrow's 07:00, not today's, which began during the read`, async () => {
      const account = stack.fixtures.google.account;
      const table = `planAfterRead${kind}`;
      const repo = await stack.connect(account, table);
      // The handler's clock: the record starts at `start`; every later reading is after the read.
      let reads = 0;
      const clock = () => (reads++ === 0 ? start : start + readFor);
      const deps = stack.deps(table, { linkKey: "plan-after-read-link-key", baseUrl: "https://app.followthrough.test", now: clock });
      const handler = (kind === "backfill" ? createBackfillHandler : createWorkerHandler)(() => deps);
      expect(await handler({ Records: [{ messageId: randomUUID(), body: account.email }] } as SQSEvent)).toEqual({ batchItemFailures: [] });
      const written = start + readFor;
      const jobs = await repo.query(keys.partition(account.email), keys.prefix.eventJob);
      const sync = jobs.find((j) => j.sk === keys.eventJob(account.email, "sync").sk);
      expect(new Date(sync?.due as number).toISOString()).toBe(new Date(nextSyncAt(written + PLAN_MARGIN_MS, account.timeZone)).toISOString());
      expect(new Date(sync?.due as number).toISOString()).toBe("2026-10-14T20:00:00.000Z");
      for (const j of jobs) expect(j.due as number, String(j.sk)).toBeGreaterThan(written);
    }, 60_000);
  }
});
