/**
 * The weekly digest's send failing: the run goes on as a continuation of its week, SEND_RETRY_S
 * later, and that attempt looks in Sent before sending. Before 2026-12-04 the record failed into the
 * queue's three receives (30 minutes apart, then the dead-letter queue), so an hour of provider
 * errors lost the week, and a last send that went out with its answer lost stayed "failed" for good
 * (helper-174 #1). Both providers, through the sandbox's faults: an error before the send (nothing
 * sent), and a send applied whose answer is lost.
 */
import { randomUUID } from "node:crypto";
import type { SQSEvent } from "aws-lambda";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type HandlerStack, startHandlerStack } from "./support/handler-stack";
import { deleteAccountData, updateConnection } from "@followthrough/core/accounts";
import { memorySender } from "@followthrough/core/queue";
import { DEFAULT_SCHEDULE, previousOccurrence } from "@followthrough/core/schedule";
import type { RunningSandbox } from "@followthrough/sandbox";
import { CONTINUE_WITHIN_MS, createWorkerHandler, parseContinuation, SEND_RETRY_S, SEND_RETRY_WITHIN_MS } from "../src/handlers/worker";

const start = Date.parse("2026-10-14T23:30:00Z");
const MINUTE = 60_000;

let sandbox: RunningSandbox;
let fixtures: HandlerStack["fixtures"];
let stack: HandlerStack;

beforeAll(async () => {
  stack = await startHandlerStack(start);
  ({ sandbox, fixtures } = stack);
}, 60_000);
afterAll(() => stack?.close());
afterEach(() => sandbox.state.faults.clear());

const record = (body: string): SQSEvent => ({ Records: [{ messageId: randomUUID(), body } as SQSEvent["Records"][number]] });
const SEND_ROUTE = { google: "gmail.messages.send", microsoft: "graph.sendMail" } as const;

let tables = 0;
async function setup(provider: "google" | "microsoft") {
  const table = `sendRetry${++tables}`;
  const repo = await stack.connect(fixtures[provider].account, table);
  const digests = memorySender();
  // A few minutes past the account's weekly slot, as the dispatcher runs it (a continuation goes on
  // within a day of the slot). Each test in a week of its own, by the mailbox's clock too: a digest
  // is known in Sent by its week's Message-ID, and a retry must find its own test's copy, not an
  // earlier test's of the same week in the shared mailbox (helper-177 #4).
  const slot = previousOccurrence(DEFAULT_SCHEDULE, fixtures[provider].account.timeZone, start + tables * 7 * 24 * 3_600_000);
  const clock = { now: slot + 5 * MINUTE };
  sandbox.state.setNow(clock.now);
  const deps = stack.deps(table, { digests, linkKey: "send-retry-test-link-key", baseUrl: "https://app.followthrough.test", now: () => clock.now });
  const email = fixtures[provider].account.email;
  /** The digests in the mailbox's Sent (a digest carries its week in a header of ours). */
  const sentDigests = () => {
    const box = sandbox.state.account(email)!;
    const raws = provider === "google" ? box.gmail!.listSent().map((m) => m.raw) : box.graph!.sentMime();
    return raws.filter((r) => /^X-Followthrough-Week:/im.test(r)).length;
  };
  const stored = async () => (await repo.query(`ACCOUNT#${email}`, "DIGEST#")).map((i) => (i.digest as { status: string }).status);
  /** Time passes for the worker and for the mailbox alike (Outlook's sent copy reaches Sent Items after its transport). */
  const pass = (ms: number) => {
    clock.now += ms;
    sandbox.state.setNow(sandbox.state.now() + ms);
  };
  return { repo, digests, clock, pass, slot, email, sentDigests, stored, worker: createWorkerHandler(() => deps) };
}

describe("a failed send of the weekly digest is tried again as a continuation of its week (helper-174 #1)", () => {
  for (const provider of ["google", "microsoft"] as const) {
    for (const phase of ["before", "after"] as const) {
      it(`${provider}: a 503 ${phase === "before" ? "before the send (nothing sent)" : "after the send went out (its answer lost)"}: the record succeeds, the week goes on ${SEND_RETRY_S} s later, and the digest is in Sent once, recorded sent`, async () => {
        const s = await setup(provider);
        const before = s.sentDigests();
        sandbox.state.faults.add({ route: SEND_ROUTE[provider], account: s.email, kind: "status", status: 503, phase, times: 1 });
        const first = await s.worker(record(s.email));
        // Not failed into the queue's retries: the week continues on its own, a quarter hour on.
        expect(first.batchItemFailures).toEqual([]);
        expect(s.digests.delays).toEqual([SEND_RETRY_S]);
        const continuation = s.digests.batches[0][0];
        expect(parseContinuation(continuation)).toMatchObject({ acc: s.email });
        expect(await s.stored()).toEqual(["failed"]);
        expect(s.sentDigests() - before).toBe(phase === "before" ? 0 : 1);

        s.pass(SEND_RETRY_S * 1000 + MINUTE);
        const second = await s.worker(record(continuation));
        expect(second.batchItemFailures).toEqual([]);
        // One digest in Sent: sent now, or found there (its answer lost), never sent twice.
        expect(s.sentDigests() - before).toBe(1);
        expect(await s.stored()).toEqual(["sent"]);
        expect(s.digests.batches).toHaveLength(1);
        sandbox.state.faults.clear();
      });
    }
  }

  it("google: a digest sent with its answer lost, then moved to Trash by the owner (it came to their own inbox), is found there: not sent again (helper-189 #1)", async () => {
    const s = await setup("google");
    const before = s.sentDigests();
    sandbox.state.faults.add({ route: SEND_ROUTE.google, account: s.email, kind: "status", status: 503, phase: "after", times: 1 });
    const first = await s.worker(record(s.email));
    expect(first.batchItemFailures).toEqual([]);
    expect(s.sentDigests() - before).toBe(1);
    // The owner reads it and deletes it: Gmail moves the one message (SENT and INBOX) to Trash.
    const gmail = sandbox.state.account(s.email)!.gmail!;
    const copy = gmail.listSent().filter((m) => /^X-Followthrough-Week:/im.test(m.raw)).at(-1)!;
    expect(gmail.modifyLabels(copy.message.id!, ["TRASH"], ["INBOX"])).toBeDefined();

    s.pass(SEND_RETRY_S * 1000 + MINUTE);
    const second = await s.worker(record(s.digests.batches[0][0]));
    expect(second.batchItemFailures).toEqual([]);
    expect(s.sentDigests() - before).toBe(1);
    expect(await s.stored()).toEqual(["sent"]);
  });

  it("a send failing so late in the week's day that its continuation would come past it (and be dropped) fails the record for the queue's retries instead (helper-175 #1)", async () => {
    const s = await setup("google");
    s.clock.now = s.slot + CONTINUE_WITHIN_MS - 5 * MINUTE;
    sandbox.state.faults.add({ route: SEND_ROUTE.google, account: s.email, kind: "status", status: 503, times: 1 });
    const r = await s.worker(record(JSON.stringify({ job: "weekly", acc: s.email, slot: s.slot, due: true })));
    expect(r.batchItemFailures).toHaveLength(1);
    expect(s.digests.batches).toEqual([]);
    sandbox.state.faults.clear();
  });

  it(`a send still failing ${SEND_RETRY_WITHIN_MS / 3_600_000} hours after its first attempt falls to the queue's retries, not a run every quarter hour for the rest of the day (helper-175 #2)`, async () => {
    const s = await setup("google");
    const before = s.sentDigests();
    sandbox.state.faults.add({ route: SEND_ROUTE.google, account: s.email, kind: "status", status: 503, times: 0 });
    expect((await s.worker(record(s.email))).batchItemFailures).toEqual([]);
    expect(s.digests.delays).toEqual([SEND_RETRY_S]);
    s.clock.now += SEND_RETRY_S * 1000 + MINUTE;
    expect((await s.worker(record(s.digests.batches[0][0]))).batchItemFailures).toEqual([]);
    expect(s.digests.delays).toEqual([SEND_RETRY_S, SEND_RETRY_S]);
    s.clock.now += SEND_RETRY_WITHIN_MS;
    const late = await s.worker(record(s.digests.batches[1][0]));
    expect(late.batchItemFailures).toHaveLength(1);
    expect(s.digests.batches).toHaveLength(2);
    expect(s.sentDigests()).toBe(before);
    sandbox.state.faults.clear();
  });

  it("a send refused (a 400: the provider will not take it) is not waited out: the record fails for the queue's retries, no continuation", async () => {
    const s = await setup("google");
    sandbox.state.faults.add({ route: SEND_ROUTE.google, account: s.email, kind: "status", status: 400, times: 1 });
    const r = await s.worker(record(s.email));
    expect(r.batchItemFailures).toHaveLength(1);
    expect(s.digests.batches).toEqual([]);
    expect(await s.stored()).toEqual(["failed"]);
    sandbox.state.faults.clear();
  });

  it("a failure before any digest was claimed (the store, say) is still the record's, for the queue's retries", async () => {
    const s = await setup("google");
    // Every Sent-copy and history read fails for good: the scan itself fails, before the digest.
    sandbox.state.faults.add({ route: "gmail.messages.list", account: s.email, kind: "status", status: 400, times: 0 });
    const r = await s.worker(record(s.email));
    expect(r.batchItemFailures).toHaveLength(1);
    expect(s.digests.batches).toEqual([]);
    expect(await s.stored()).toEqual([]);
    sandbox.state.faults.clear();
  });
});

describe("a week's record of an earlier connection of the address (helper-257)", () => {
  it("google: a continuation sent on to try a lost send again, run after a disconnect and a new connection, sends no second digest of the week", async () => {
    const s = await setup("google");
    const before = s.sentDigests();
    // The digest goes out and its answer is lost: the week goes on SEND_RETRY_S later.
    sandbox.state.faults.add({ route: SEND_ROUTE.google, account: s.email, kind: "status", status: 503, phase: "after", times: 1 });
    expect((await s.worker(record(s.email))).batchItemFailures).toEqual([]);
    expect(s.sentDigests() - before).toBe(1);
    const continuation = s.digests.batches[0][0];
    // Meanwhile the owner disconnects (the week's record of its send goes with the rest) and connects
    // again: a new account under the address, made after the week's slot (its index names next week).
    s.pass(5 * MINUTE);
    await deleteAccountData(s.repo, s.email);
    await stack.connect(fixtures.google.account, `sendRetry${tables}`);
    await updateConnection(s.repo, s.email, { createdAt: s.clock.now }, s.clock.now);
    sandbox.state.faults.clear();

    s.pass(SEND_RETRY_S * 1000);
    expect((await s.worker(record(continuation))).batchItemFailures).toEqual([]);
    // The earlier connection's week is not the new one's: nothing sent again, nothing claimed.
    expect(s.sentDigests() - before).toBe(1);
    expect(await s.stored()).toEqual([]);
  });
});
