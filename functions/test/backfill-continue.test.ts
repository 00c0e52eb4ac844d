/**
 * A backfill longer than one Lambda run: the handler stops between pages before the time limit
 * (the context's getRemainingTimeInMillis), enqueues the account on its own queue, and the next
 * invocation continues from the stored cursors. Delivered through a model of the Backfills queue
 * (a record reported failed is redelivered, three tries then the dead-letter queue, as infra says),
 * the cut-off backfill ends with the same people, meetings, messages and cursors as an uninterrupted
 * one, in several invocations, none failed, nothing dead-lettered. The weekly run sends no digest
 * before the first backfill has read everything.
 */
import { randomUUID } from "node:crypto";
import type { SQSEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HandlerStack, startHandlerStack } from "./support/handler-stack";
import { loadAccount, updateAccount } from "@followthrough/core/accounts";
import { SCAN_LEASE } from "@followthrough/core/dispatch";
import { acquireLease } from "@followthrough/core/lease";
import { digestMessageId, isoWeek } from "@followthrough/core/digest";
import { DEFAULT_SCHEDULE, previousOccurrence } from "@followthrough/core/schedule";
import { memorySender } from "@followthrough/core/queue";
import { Repository } from "@followthrough/core/storage";
import { readSoFar } from "@followthrough/core/scan";
import type { RunningSandbox } from "@followthrough/sandbox";
import { BACKFILL_CHAIN_MAX_MS, backfillContinuation, createBackfillHandler, parseBackfill } from "../src/handlers/backfill";

/** The accounts of Backfills records (a continuation names its account and when its chain began). */
const accountsOf = (batches: string[][]) => batches.map((b) => b.map((body) => parseBackfill(body, 0).acc));
import { BUSY_DELAY_S, CONTINUE_WITHIN_MS, continuationBody, createWorkerHandler, parseContinuation } from "../src/handlers/worker";
import { BACKFILL_MARK_FRESH_MS, FIRST_READ_WAIT_S } from "../src/jobs";

const now = Date.parse("2026-10-14T23:30:00Z");
const MINUTE = 60_000;

let sandbox: RunningSandbox;
let fixtures: HandlerStack["fixtures"];
let stack: HandlerStack;

beforeAll(async () => {
  // Small pages: the demo year takes many pages, so a run cut after a few of them is really cut.
  stack = await startHandlerStack(now, { pageSize: { gmail: 10, calendar: 10, graph: 10 } });
  ({ sandbox, fixtures } = stack);
}, 60_000);
afterAll(() => stack?.close());

let tables = 0;
async function setup(provider: "google" | "microsoft") {
  const table = `backfill${++tables}`;
  const repo = await stack.connect(fixtures[provider].account, table);
  const backfills = memorySender();
  const digests = memorySender();
  const deps = stack.deps(table, { backfills, digests, linkKey: "backfill-test-link-key", baseUrl: "https://app.followthrough.test", now: () => now, provider: { tuning: { pageSize: 10 } } });
  return { repo, backfills, digests, deps, handler: createBackfillHandler(() => deps), worker: createWorkerHandler(() => deps) };
}

/** The provider calls that read a page of a stream (a listing, a history or delta round). */
const PAGE_ROUTES = ["gmail.messages.list", "gmail.history.list", "calendar.events.list", "graph.messages.list", "graph.messages.delta", "graph.calendarView.delta"];
/** Pages the sandbox has served the two accounts so far. */
const pagesServed = () =>
  [fixtures.google.account.email, fixtures.microsoft.account.email].reduce((n, email) => {
    const calls = sandbox.state.quota.usage(email).calls;
    return n + PAGE_ROUTES.reduce((m, r) => m + (calls[r] ?? 0), 0);
  }, 0);

/**
 * A Lambda context whose clock is the pages read: the run starts with 15 minutes and each page the
 * sandbox serves costs `perPageMs`, so a run reads a few pages and then has less than the reserve
 * left. (Asking the time costs nothing: the handler asks between pages and before each call of a
 * page made of several, core/limits PAGE_ABANDON_RESERVE_MS; the page a run ends in with too little
 * left is given up and read again by the next.)
 */
function contextOfPages(perPageMs: number, startMs = 15 * MINUTE) {
  const base = pagesServed();
  return { getRemainingTimeInMillis: () => startMs - perPageMs * (pagesServed() - base) };
}

/**
 * Delivers one record for `email` through a model of an SQS queue as infra declares it (a record
 * reported failed is redelivered, its 3rd failure dead-letters it), with every continuation the
 * handler sends to `sender` delivered in turn. `after` runs after each invocation.
 */
async function drain(email: string, sender: { batches: string[][] }, invoke: (record: SQSEvent) => Promise<{ batchItemFailures: unknown[] }>, after?: () => Promise<void>) {
  const queue: { id: string; body: string; receives: number }[] = [{ id: randomUUID(), body: email, receives: 0 }];
  const dlq: string[] = [];
  let invocations = 0;
  let failures = 0;
  while (queue.length) {
    const record = queue.shift()!;
    record.receives++;
    invocations++;
    expect(invocations, "runs away").toBeLessThan(200);
    const sent = sender.batches.length;
    const res = await invoke({ Records: [{ messageId: record.id, body: record.body }] } as SQSEvent);
    if (res.batchItemFailures.length) {
      failures++;
      if (record.receives >= 3) dlq.push(record.body);
      else queue.push(record);
    }
    await after?.();
    for (const batch of sender.batches.slice(sent)) for (const body of batch) queue.push({ id: randomUUID(), body, receives: 0 });
  }
  return { invocations, failures, dlq };
}

/** The account's digest items (DIGEST#…): claimed, sent. */
const digestsOf = (repo: Repository, email: string) => repo.query(`ACCOUNT#${email}`, "DIGEST#");

/** The stored outcome of a backfill: what the digest and the next scans read. */
async function stored(repo: Repository, email: string) {
  const people = (await repo.loadPeople(email)).sort((a, b) => a.email.localeCompare(b.email));
  const ids = (xs: { id: string }[]) => xs.map((x) => x.id).sort();
  const cursor = async (s: string) => (await repo.getCursor(email, s))?.mode;
  return { people, meetings: ids(await repo.loadMeetings(email)), messages: ids(await repo.loadMessages(email)), cursors: [await cursor("calendar"), await cursor("sent")] };
}

describe("a backfill cut off by the time limit", () => {
  for (const provider of ["google", "microsoft"] as const) {
    it(`${provider}: continues in invocations it enqueues itself and ends as an uninterrupted one, nothing dead-lettered`, async () => {
      const email = fixtures[provider].account.email;

      const whole = await setup(provider);
      const one = await whole.handler({ Records: [{ messageId: randomUUID(), body: email }] } as SQSEvent, contextOfPages(0));
      expect(one).toEqual({ batchItemFailures: [] });
      expect(whole.backfills.batches).toEqual([]);
      const expected = await stored(whole.repo, email);
      expect(expected.people.length).toBeGreaterThan(0);
      expect(expected.cursors).toEqual(["incremental", "incremental"]);

      const cut = await setup(provider);
      // Through the Backfills queue (infra/backfill.ts). Each page served costs 3 minutes: 15 minutes
      // leave room for 4 pages before the 2.5-minute reserve, and a Gmail page begun with 3 minutes
      // left has too little once its list is served (this clock charges a page at its list), so its
      // messages.get do not start: it is given up and the continuation reads it again.
      const { invocations, failures, dlq } = await drain(email, cut.backfills, (record) => cut.handler(record, contextOfPages(3 * MINUTE)));
      expect(invocations).toBeGreaterThan(2);
      expect(failures).toBe(0);
      expect(dlq).toEqual([]);
      expect(await stored(cut.repo, email)).toEqual(expected);
      // A Google account's continuation waits out the minute of Gmail's quota the run before may have spent (functions/src/jobs continuationSend).
      expect([...new Set(cut.backfills.delays)]).toEqual([provider === "google" ? 60 : 0]);
    }, 120_000);
  }

  /** The worker and backfill a minute after the account's first weekly slot (the one its Connected page names). */
  const atTheSlot = async (cut: Awaited<ReturnType<typeof setup>>, email = fixtures.google.account.email) => {
    const account = (await loadAccount(cut.repo, email))!;
    const at = previousOccurrence(account.schedule ?? DEFAULT_SCHEDULE, account.timeZone, now + 7 * 24 * 3_600_000) + MINUTE;
    return { at, worker: createWorkerHandler(() => ({ ...cut.deps, now: () => at })), backfill: createBackfillHandler(() => ({ ...cut.deps, now: () => at })) };
  };

  it("the weekly run sends no digest while the first backfill is unfinished; it leaves the read to the backfill's chain, and the week's digest goes once the read is complete (helper-162, helper-163)", async () => {
    const cut = await setup("google");
    const email = fixtures.google.account.email;
    const digests = () => digestsOf(cut.repo, email);
    const { worker, backfill, at } = await atTheSlot(cut);
    // A backfill cut after a few pages five minutes before the slot (its continuation is queued, not run yet).
    const early = createBackfillHandler(() => ({ ...cut.deps, now: () => at - 5 * MINUTE }));
    expect(await early({ Records: [{ messageId: randomUUID(), body: email }] } as SQSEvent, contextOfPages(3 * MINUTE))).toEqual({ batchItemFailures: [] });
    expect(accountsOf(cut.backfills.batches)).toEqual([[email]]);
    // The link marked the account as read by its chain.
    expect((await loadAccount(cut.repo, email))?.backfillAt).toBe(at - 5 * MINUTE);
    // The week's run at the slot the Connected page promised, in the gap between two links: it leaves
    // the read to the backfill's chain (reads no page: one chain at a time at Gmail's pace,
    // helper-163), sends nothing, does not fail, and does not take the week for done: it looks again
    // on Digests five minutes later.
    const pages = pagesServed();
    expect(await worker({ Records: [{ messageId: randomUUID(), body: email }] } as SQSEvent, contextOfPages(3 * MINUTE))).toEqual({ batchItemFailures: [] });
    expect(pagesServed()).toBe(pages);
    expect(await digests()).toEqual([]);
    expect((await loadAccount(cut.repo, email))?.lastWeeklyAt).toBeUndefined();
    expect(cut.digests.batches).toHaveLength(1);
    const link = cut.digests.batches[0][0];
    expect(parseContinuation(link)).toEqual({ acc: email, slot: at - MINUTE });
    expect(cut.digests.delays).toEqual([FIRST_READ_WAIT_S]);
    // The backfill's continuation completes the read and removes the mark; the weekly link then sends that week's digest.
    expect(await backfill({ Records: [{ messageId: randomUUID(), body: cut.backfills.batches[0][0] }] } as SQSEvent)).toEqual({ batchItemFailures: [] });
    expect((await loadAccount(cut.repo, email))?.backfillAt).toBeUndefined();
    expect(await worker({ Records: [{ messageId: randomUUID(), body: link }] } as SQSEvent)).toEqual({ batchItemFailures: [] });
    // That week's digest: the one the Connected page named.
    expect((await digests()).map((i) => i.digest as { status: string; week: string })).toEqual([expect.objectContaining({ status: "sent", week: isoWeek(at - MINUTE, (await loadAccount(cut.repo, email))!.timeZone) })]);
  });

  it("a backfill cut while it reads the owner's mail outside Sent (calendar and Sent read) still has the read to itself: the weekly run waits (helper-166 #1)", async () => {
    const cut = await setup("microsoft");
    const email = fixtures.microsoft.account.email;
    const { at } = await atTheSlot(cut, email);
    // Time is plenty until the Sent stream is read to its end; then each page costs 4 minutes.
    let ownerMailFrom: number | undefined;
    const context = { getRemainingTimeInMillis: () => (ownerMailFrom === undefined ? 15 * MINUTE : 15 * MINUTE - 4 * MINUTE * (pagesServed() - ownerMailFrom)) };
    const putCursor = Repository.prototype.putCursor;
    Repository.prototype.putCursor = async function (this: Repository, ...args: Parameters<typeof putCursor>) {
      await putCursor.apply(this, args);
      if (args[1] === "sent" && args[2].mode === "incremental") ownerMailFrom ??= pagesServed();
    };
    try {
      const early = createBackfillHandler(() => ({ ...cut.deps, now: () => at - 5 * MINUTE }));
      expect(await early({ Records: [{ messageId: randomUUID(), body: email }] } as SQSEvent, context)).toEqual({ batchItemFailures: [] });
    } finally {
      Repository.prototype.putCursor = putCursor;
    }
    expect(await readSoFar(cut.repo, email)).toMatchObject({ backfilled: true, ownerMail: false });
    expect((await loadAccount(cut.repo, email))?.backfillAt).toBe(at - 5 * MINUTE);
    const worker = createWorkerHandler(() => ({ ...cut.deps, now: () => at }));
    const pages = pagesServed();
    expect(await worker({ Records: [{ messageId: randomUUID(), body: email }] } as SQSEvent, contextOfPages(3 * MINUTE))).toEqual({ batchItemFailures: [] });
    expect(pagesServed()).toBe(pages);
    expect(cut.digests.delays).toEqual([FIRST_READ_WAIT_S]);
  });

  it("a weekly link whose look again would come past the one-day bound reads on itself, and the week's first digest goes (helper-166 #2)", async () => {
    const cut = await setup("google");
    const email = fixtures.google.account.email;
    const { at } = await atTheSlot(cut);
    const slot = at - MINUTE;
    const late = slot + CONTINUE_WITHIN_MS - 3 * MINUTE;
    // A backfill link cut ten minutes before (its mark fresh), its continuation queued.
    const early = createBackfillHandler(() => ({ ...cut.deps, now: () => late - 10 * MINUTE }));
    expect(await early({ Records: [{ messageId: randomUUID(), body: backfillContinuation(email, slot - 60 * MINUTE) }] } as SQSEvent, contextOfPages(3 * MINUTE))).toEqual({ batchItemFailures: [] });
    expect(cut.backfills.batches).toHaveLength(1);
    // The week's link 23 h 57 min after its slot: five minutes on would be past the bound, so it reads now.
    const pages = pagesServed();
    const worker = createWorkerHandler(() => ({ ...cut.deps, now: () => late }));
    expect(await worker({ Records: [{ messageId: randomUUID(), body: continuationBody(email, slot) }] } as SQSEvent)).toEqual({ batchItemFailures: [] });
    expect(pagesServed()).toBeGreaterThan(pages);
    expect((await digestsOf(cut.repo, email)).map((i) => (i.digest as { status: string }).status)).toEqual(["sent"]);
  });

  it("a backfill chain whose mark went stale (its function died mid-link) leaves the first read to the weekly run: it reads on, continues a minute later, and the week's digest goes (helper-162)", async () => {
    const cut = await setup("google");
    const email = fixtures.google.account.email;
    const digests = () => digestsOf(cut.repo, email);
    const { worker, at } = await atTheSlot(cut);
    // A link cut 21 minutes before the slot, its continuation lost with it: the mark is past BACKFILL_MARK_FRESH_MS.
    const early = createBackfillHandler(() => ({ ...cut.deps, now: () => at - 21 * MINUTE }));
    expect(await early({ Records: [{ messageId: randomUUID(), body: email }] } as SQSEvent, contextOfPages(3 * MINUTE))).toEqual({ batchItemFailures: [] });
    expect(at - 21 * MINUTE + BACKFILL_MARK_FRESH_MS).toBeLessThan(at);
    const pages = pagesServed();
    const { invocations, failures, dlq } = await drain(email, cut.digests, (record) => worker(record, contextOfPages(3 * MINUTE)));
    expect(pagesServed()).toBeGreaterThan(pages);
    expect(invocations).toBeGreaterThan(1);
    expect([failures, dlq]).toEqual([0, []]);
    // Its links a minute apart, as a Google chain's are (Gmail's per-minute quota).
    expect([...new Set(cut.digests.delays)]).toEqual([60]);
    expect((await digests()).map((i) => (i.digest as { status: string }).status)).toEqual(["sent"]);
  });

  it("a first read with no backfill chain left (its enqueue failed, dead-lettered, past its two days) is read on by the week's run and its own links, and the week's digest goes (helper-162)", async () => {
    const cut = await setup("google");
    const email = fixtures.google.account.email;
    const digests = () => digestsOf(cut.repo, email);
    const { worker } = await atTheSlot(cut);
    const { invocations, failures, dlq } = await drain(email, cut.digests, (record) => worker(record, contextOfPages(3 * MINUTE)));
    expect(invocations).toBeGreaterThan(1);
    expect([failures, dlq]).toEqual([0, []]);
    expect((await digests()).map((i) => (i.digest as { status: string }).status)).toEqual(["sent"]);
  });

  it("a backfill that finds the account's lease held goes back with a delay, not failed (three failures would dead-letter the first read)", async () => {
    const cut = await setup("google");
    const email = fixtures.google.account.email;
    expect(await acquireLease(cut.repo, { email, name: SCAN_LEASE, owner: "weekly-run", ttlMs: 6 * MINUTE, now })).toBeDefined();
    expect(await cut.handler({ Records: [{ messageId: randomUUID(), body: email }] } as SQSEvent, contextOfPages(0))).toEqual({ batchItemFailures: [] });
    expect(accountsOf(cut.backfills.batches)).toEqual([[email]]);
    expect(cut.backfills.delays).toEqual([BUSY_DELAY_S]);
  });

  it("a Gmail page that runs out of time part-way starts no more messages.get: given up unstored, read again by the continuation, nothing dead-lettered", async () => {
    const email = fixtures.google.account.email;
    const whole = await setup("google");
    await whole.handler({ Records: [{ messageId: randomUUID(), body: email }] } as SQSEvent, contextOfPages(0));
    const expected = await stored(whole.repo, email);

    const cut = await setup("google");
    sandbox.state.quota.reset(email);
    const gets = () => sandbox.state.quota.usage(email).calls["gmail.messages.get"] ?? 0;
    // The clock is the messages read: 15 minutes until the first, then 125 s less 5 s for each one, so
    // the first Sent page (10 messages here), begun with the whole reserve left, falls under the page
    // reserve (100 s) after its 6th.
    const context = { getRemainingTimeInMillis: () => (gets() === 0 ? 15 * MINUTE : 125_000 - 5_000 * gets()) };
    const res = await cut.handler({ Records: [{ messageId: randomUUID(), body: email }] } as SQSEvent, context);
    expect(res).toEqual({ batchItemFailures: [] });
    // The calls in flight when it fell under finish; none starts after (the page has 10).
    expect(gets()).toBeGreaterThanOrEqual(6);
    expect(gets()).toBeLessThan(10);
    // Nothing of the page is stored, and the Sent cursor is where the page began.
    expect((await stored(cut.repo, email)).messages).toEqual([]);
    expect(await cut.repo.getCursor(email, "sent")).toBeUndefined();
    expect(accountsOf(cut.backfills.batches)).toEqual([[email]]);
    // The continuation reads it all.
    cut.backfills.batches.length = 0;
    const { failures, dlq } = await drain(email, cut.backfills, (record) => cut.handler(record, contextOfPages(0)));
    expect([failures, dlq]).toEqual([0, []]);
    expect(await stored(cut.repo, email)).toEqual(expected);
  }, 120_000);

  it("a run with too little time left for a page reads nothing and enqueues its continuation", async () => {
    const cut = await setup("google");
    const email = fixtures.google.account.email;
    // 6 minutes left: enough to start the record (5), but the first check between pages already finds under 2.5.
    let checks = 0;
    const res = await cut.handler({ Records: [{ messageId: randomUUID(), body: email }] } as SQSEvent, { getRemainingTimeInMillis: () => (checks++ ? 1 * MINUTE : 6 * MINUTE) });
    expect(res).toEqual({ batchItemFailures: [] });
    expect(accountsOf(cut.backfills.batches)).toEqual([[email]]);
    expect((await stored(cut.repo, email)).people).toEqual([]);
  });
});

describe("a backfill chain that never ends (helper-60 finding 5)", () => {
  it("still cut short two days after its first link, it stops continuing itself: logged, nothing queued, the record done, its mark gone", async () => {
    const cut = await setup("microsoft");
    const email = fixtures.microsoft.account.email;
    const short = () => {
      let checks = 0;
      return { getRemainingTimeInMillis: () => (checks++ ? 1 * MINUTE : 6 * MINUTE) };
    };
    // The first link (a bare email) begins its chain now; its continuation carries that time.
    await cut.handler({ Records: [{ messageId: randomUUID(), body: email }] } as SQSEvent, short());
    const [[first]] = cut.backfills.batches;
    expect(parseBackfill(first, 1)).toEqual({ acc: email, since: now });
    // A link of a chain begun two days before this run (each read since cut short, as a provider
    // expiring each new cursor would) queues nothing more. (On an account of its own: on this one the
    // chain begun now is the newer, which an older chain's link leaves the read to: backfill-chains.)
    const old = await setup("microsoft");
    await updateAccount(old.repo, email, { backfillAt: now - MINUTE }, now);
    const res = await old.handler({ Records: [{ messageId: randomUUID(), body: JSON.stringify({ job: "backfill", acc: email, since: now - BACKFILL_CHAIN_MAX_MS }) }] } as SQSEvent, short());
    expect(res).toEqual({ batchItemFailures: [] });
    expect(old.backfills.batches).toHaveLength(0);
    // Nor does it leave its mark: the weekly runs read on from now (jobs BACKFILL_MARK_FRESH_MS).
    expect((await loadAccount(old.repo, email))?.backfillAt).toBeUndefined();
    // A minute younger, it continues, keeping its chain's start, and marks the account.
    await old.handler({ Records: [{ messageId: randomUUID(), body: JSON.stringify({ job: "backfill", acc: email, since: now - BACKFILL_CHAIN_MAX_MS + 60_000 }) }] } as SQSEvent, short());
    expect(parseBackfill(old.backfills.batches[0][0], 1)).toEqual({ acc: email, since: now - BACKFILL_CHAIN_MAX_MS + 60_000 });
    expect((await loadAccount(old.repo, email))?.backfillAt).toBe(now);

    expect(() => parseBackfill('{"job":"backfill","acc":"a@x.io"}', 1)).toThrow(/malformed backfill continuation/);
  });
});

describe("a weekly run whose cursors the provider expired", () => {
  /** A backfilled account whose stored cursors the provider stops honouring a week on; `slot` is that week's scheduled digest. */
  async function expiredAWeekOn(provider: "google" | "microsoft") {
    const email = fixtures[provider].account.email;
    const cut = await setup(provider);
    expect(await cut.handler({ Records: [{ messageId: randomUUID(), body: email }] } as SQSEvent, contextOfPages(0))).toEqual({ batchItemFailures: [] });
    expect((await stored(cut.repo, email)).cursors).toEqual(["incremental", "incremental"]);
    const account = (await loadAccount(cut.repo, email))!;
    const slot = previousOccurrence(account.schedule ?? DEFAULT_SCHEDULE, account.timeZone, now + 7 * 24 * 3_600_000);
    sandbox.state.expireCursors(email, provider === "google" ? "gmail" : "graph");
    const worker = (at: number) => createWorkerHandler(() => ({ ...cut.deps, now: () => at }));
    const digests = async () => (await cut.repo.query(`ACCOUNT#${email}`, "DIGEST#")).map((i) => i.digest as { status: string; week: string });
    return { email, cut, slot, worker, digests, messages: (await stored(cut.repo, email)).messages };
  }
  // The worker's 5 minutes, each page served costing a minute: a few pages a run before the 2.5-minute reserve.
  const workerContext = () => contextOfPages(MINUTE, 5 * MINUTE);

  for (const provider of ["google", "microsoft"] as const) {
    it(`${provider}: re-reads the year in invocations it enqueues itself on Digests, then sends that week's digest once; nothing dead-lettered`, async () => {
      const { email, cut, slot, worker, digests, messages } = await expiredAWeekOn(provider);
      const at = slot + 5 * MINUTE;
      // Through the Digests queue (infra/queue.ts).
      const weeks: string[][] = [];
      const { invocations, failures, dlq } = await drain(email, cut.digests, (record) => worker(at)(record, workerContext()), async () => void weeks.push((await digests()).map((d) => `${d.week} ${d.status}`)));
      // Cut off: no digest from the runs that did not finish the read, one from the run that did.
      expect(invocations).toBeGreaterThan(1);
      expect([...new Set(cut.digests.delays)]).toEqual([provider === "google" ? 60 : 0]);
      expect(weeks.slice(0, -1).every((w) => w.length === 0)).toBe(true);
      expect(weeks.at(-1)).toEqual([`${isoWeek(slot, (await loadAccount(cut.repo, email))!.timeZone)} sent`]);
      expect(failures).toBe(0);
      expect(dlq).toEqual([]);
      // The re-read ends where an uninterrupted one would: every stream incremental, the same messages.
      expect((await stored(cut.repo, email)).cursors).toEqual(["incremental", "incremental"]);
      expect((await stored(cut.repo, email)).messages).toEqual(messages);
      // The week is recorded as run: a duplicate dispatch of it finds the week done.
      expect((await loadAccount(cut.repo, email))?.lastWeeklyAt).toBe(at);
      expect(await worker(at)({ Records: [{ messageId: randomUUID(), body: email }] } as SQSEvent, { getRemainingTimeInMillis: () => 5 * MINUTE })).toEqual({ batchItemFailures: [] });
      expect(await digests()).toHaveLength(1);
    }, 120_000);
  }

  it("no page starts with less than the read's reserve left (2.5 minutes): a run that finds 100 s reads nothing and continues", async () => {
    const { email, cut, slot, worker, digests } = await expiredAWeekOn("google");
    let calls = 0;
    const res = await worker(slot + 5 * MINUTE)({ Records: [{ messageId: randomUUID(), body: email }] } as SQSEvent, { getRemainingTimeInMillis: () => (calls++ ? 100_000 : 5 * MINUTE) });
    expect(res).toEqual({ batchItemFailures: [] });
    expect(cut.digests.batches).toEqual([[continuationBody(email, slot)]]);
    expect(await digests()).toEqual([]);
    // Not a page asked for: the provider's refusal of the cursors is not even met yet.
    expect((await stored(cut.repo, email)).cursors).toEqual(["incremental", "incremental"]);
  }, 120_000);

  it("a record the time left cannot start goes back to Digests as a new message, not failed", async () => {
    const { email, cut, slot, worker } = await expiredAWeekOn("google");
    const other = "someone-else@example.org";
    const records = { Records: [email, other].map((body) => ({ messageId: randomUUID(), body })) } as SQSEvent;
    // The time checks see 5, 4, 3 and 2 minutes, then 100 s: the first record stops reading once under
    // the weekly read's 2.5-minute reserve; the second would start with less than that, so it is not started.
    const left = [5 * MINUTE, 4 * MINUTE, 3 * MINUTE, 2 * MINUTE, 100_000, 90_000];
    let checks = 0;
    expect(await worker(slot + 5 * MINUTE)(records, { getRemainingTimeInMillis: () => left[Math.min(checks++, left.length - 1)] })).toEqual({ batchItemFailures: [] });
    expect(cut.digests.batches).toEqual([[continuationBody(email, slot)], [other]]);
  }, 120_000);

  it("a stored meeting shape renewed while the read continues keeps the account established: the week's digest still goes out", async () => {
    const { email, cut, slot, worker, digests } = await expiredAWeekOn("google");
    // Meetings stored in an older shape: the calendar reads its window again too.
    const calendar = (await cut.repo.getCursor(email, "calendar"))!;
    await cut.repo.putCursor(email, "calendar", { ...calendar, shape: 1 });
    const at = slot + 5 * MINUTE;
    const { invocations, failures, dlq } = await drain(email, cut.digests, (record) => worker(at)(record, contextOfPages(90_000, 5 * MINUTE)));
    expect(invocations).toBeGreaterThan(2);
    expect([failures, dlq]).toEqual([0, []]);
    expect((await digests()).map((d) => d.status)).toEqual(["sent"]);
  }, 120_000);

  it("every link names the week the run began in, whatever the owner changes in the schedule meanwhile", async () => {
    const { email, cut, slot, worker, digests } = await expiredAWeekOn("google");
    const at = slot + 5 * MINUTE;
    let links = 0;
    const { failures, dlq } = await drain(email, cut.digests, async (record) => {
      // After the first link the owner moves the digest to Sunday 09:00 (7 = Sunday): last week's Sunday, 23 hours ago.
      if (links++ === 1) await updateAccount(cut.repo, email, { schedule: { day: 7, hour: 9 } }, at);
      return worker(at)(record, workerContext());
    });
    expect(links).toBeGreaterThan(2);
    expect([failures, dlq]).toEqual([0, []]);
    const zone = (await loadAccount(cut.repo, email))!.timeZone;
    expect(await digests()).toEqual([expect.objectContaining({ status: "sent", week: isoWeek(slot, zone) })]);
  }, 120_000);

  it("a record that finds the account's lease held goes back with a delay, not failed", async () => {
    const { email, cut, slot, worker } = await expiredAWeekOn("google");
    const at = slot + 5 * MINUTE;
    expect(await worker(at)({ Records: [{ messageId: randomUUID(), body: email }] } as SQSEvent, workerContext())).toEqual({ batchItemFailures: [] });
    const body = continuationBody(email, slot);
    expect(cut.digests.batches).toEqual([[body]]);
    // Another job holds the account (an event email, the other half of a split chain).
    expect(await acquireLease(cut.repo, { email, name: SCAN_LEASE, owner: "someone", ttlMs: 6 * MINUTE, now: at })).toBeDefined();
    expect(await worker(at)({ Records: [{ messageId: randomUUID(), body }] } as SQSEvent, workerContext())).toEqual({ batchItemFailures: [] });
    expect(cut.digests.batches).toEqual([[body], [body]]);
    // The first a continuation (a minute later, Google), the second the busy record's.
    expect(cut.digests.delays).toEqual([60, BUSY_DELAY_S]);
    // So does the week's own record (a duplicate dispatch), as a continuation of its slot, and an
    // event job: nothing is reported failed.
    expect(await worker(at)({ Records: [{ messageId: randomUUID(), body: email }] } as SQSEvent, workerContext())).toEqual({ batchItemFailures: [] });
    const sync = JSON.stringify({ job: "event", kind: "sync", acc: email, due: slot });
    expect(await worker(at)({ Records: [{ messageId: randomUUID(), body: sync }] } as SQSEvent, workerContext())).toEqual({ batchItemFailures: [] });
    expect(cut.digests.batches.slice(2)).toEqual([[body], [sync]]);
    expect(cut.digests.delays.slice(2)).toEqual([BUSY_DELAY_S, BUSY_DELAY_S]);
  }, 120_000);

  it("a week whose digest a run that died left claimed: back with a delay, not taken for done; sent once the claim is stale", async () => {
    const { email, cut, slot, worker, digests } = await expiredAWeekOn("google");
    const at = slot + 5 * MINUTE;
    const week = isoWeek(slot, (await loadAccount(cut.repo, email))!.timeZone);
    // The run before claimed the week's send three minutes ago and died before sending (a duplicate
    // dispatch or a busy resend can come inside the claim's 10 minutes: the scan lease is 6).
    await cut.repo.put({ pk: `ACCOUNT#${email}`, sk: `DIGEST#${week}`, digest: { status: "sending", messageId: digestMessageId(email, week), claimedAt: at - 3 * MINUTE, week } });
    expect(await worker(at)({ Records: [{ messageId: randomUUID(), body: email }] } as SQSEvent, { getRemainingTimeInMillis: () => 5 * MINUTE })).toEqual({ batchItemFailures: [] });
    expect(cut.digests.batches.at(-1)).toEqual([continuationBody(email, slot)]);
    expect(cut.digests.delays.at(-1)).toBe(BUSY_DELAY_S);
    expect((await loadAccount(cut.repo, email))?.lastWeeklyAt).toBeUndefined();
    expect((await digests()).map((d) => d.status)).toEqual(["sending"]);
    // The continuation, past the claim's 10 minutes: it looks in Sent, finds nothing, sends.
    const later = at + 11 * MINUTE;
    expect(await worker(later)({ Records: [{ messageId: randomUUID(), body: continuationBody(email, slot) }] } as SQSEvent, { getRemainingTimeInMillis: () => 5 * MINUTE })).toEqual({ batchItemFailures: [] });
    expect((await digests()).map((d) => d.status)).toEqual(["sent"]);
    expect((await loadAccount(cut.repo, email))?.lastWeeklyAt).toBe(later);
  }, 120_000);

  it("a continuation's body names the account and the slot; a malformed one is refused", () => {
    expect(parseContinuation(continuationBody("Ana@X.io", 123))).toEqual({ acc: "ana@x.io", slot: 123 });
    expect(parseContinuation("ana@x.io")).toBeUndefined();
    expect(parseContinuation(JSON.stringify({ job: "event", kind: "sync", acc: "a@x.io", due: 1 }))).toBeUndefined();
    expect(() => parseContinuation(JSON.stringify({ job: "weekly", acc: "a@x.io" }))).toThrow(/malformed weekly continuation/);
    expect(() => parseContinuation(JSON.stringify({ job: "weekly", acc: "", slot: 1 }))).toThrow(/malformed weekly continuation/);
  });

  it("a read still going a day after the week's slot stops continuing itself: the week goes without a digest, and the read on next week", async () => {
    const { email, cut, slot, worker, digests } = await expiredAWeekOn("google");
    expect(await worker(slot + 5 * MINUTE)({ Records: [{ messageId: randomUUID(), body: email }] } as SQSEvent, workerContext())).toEqual({ batchItemFailures: [] });
    expect(cut.digests.batches).toEqual([[continuationBody(email, slot)]]);
    const cursor = await cut.repo.getCursor(email, "sent");
    expect(cursor).toMatchObject({ mode: "full", reread: true });
    // Its continuation delivered 25 hours after the slot (redelivered, redriven): dropped before it
    // reads or records anything.
    const late = slot + 25 * 3_600_000;
    expect(await worker(late)({ Records: [{ messageId: randomUUID(), body: continuationBody(email, slot) }] } as SQSEvent, workerContext())).toEqual({ batchItemFailures: [] });
    expect(cut.digests.batches).toHaveLength(1);
    expect(await cut.repo.getCursor(email, "sent")).toEqual(cursor);
    expect((await loadAccount(cut.repo, email))?.lastWeeklyAt).toBeUndefined();
    // The week's own record delivered that late (retried) reads on as far as its time allows, and the
    // week is recorded without a digest: the read goes on in the next week's run.
    expect(await worker(late)({ Records: [{ messageId: randomUUID(), body: email }] } as SQSEvent, workerContext())).toEqual({ batchItemFailures: [] });
    expect(cut.digests.batches).toHaveLength(1);
    expect(await digests()).toEqual([]);
    expect((await loadAccount(cut.repo, email))?.lastWeeklyAt).toBe(late);
  }, 120_000);
});
