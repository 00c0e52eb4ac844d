/**
 * A job the provider refuses for longer than a call may wait (Google's 403 dailyLimitExceeded, the
 * Cloud project's daily quota spent until midnight Pacific Time; a long Retry-After): the record
 * succeeds, the lease is released with the cursors holding what was read, and the job continues in a
 * link on its own queue that carries the instant before which the provider is not asked again
 * (`notBefore`). A link received before then sends itself on (delayed at most SQS's 900 s) and does
 * nothing else; once the wait is over the read resumes from its cursors and ends as an unrefused run
 * would. Before helper-271 such a refusal failed the record into the queue's three receives and the
 * dead-letter queue hours before the reset: the week's digest lost, the first read stalled.
 *
 * Delivered through a model of each queue as infra declares it (a message is received once its delay
 * is past; a record reported failed comes back after the visibility timeout, its third failure
 * dead-letters it), on one virtual clock that the handlers, the adapters and the sandbox's mail read.
 */
import { randomUUID } from "node:crypto";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type HandlerStack, startHandlerStack } from "./support/handler-stack";
import { loadAccount } from "@followthrough/core/accounts";
import { isoWeek } from "@followthrough/core/digest";
import { dueWeeklyBody, SCAN_LEASE } from "@followthrough/core/dispatch";
import { acquireLease, leaseKey } from "@followthrough/core/lease";
import { JOB_RETRY_BUDGET_MS } from "@followthrough/core/limits";
import { type MemorySender, memorySender } from "@followthrough/core/queue";
import { type Clock, ProviderError } from "@followthrough/core/resilience";
import { DEFAULT_SCHEDULE, previousOccurrence } from "@followthrough/core/schedule";
import type { Repository } from "@followthrough/core/storage";
import { addDays, localDate, localMidnight } from "@followthrough/core/time";
import type { FaultSpec, RunningSandbox } from "@followthrough/sandbox";
import { BACKFILL_CHAIN_MAX_MS, backfillContinuation, createBackfillHandler, parseBackfill } from "../src/handlers/backfill";
import { CONTINUE_WITHIN_MS, continuationBody, createWorkerHandler, parseContinuation } from "../src/handlers/worker";
import { refusedUntil, WAKE_SPREAD_MS, wakeOffsetMs } from "../src/jobs";

const start = Date.parse("2026-10-14T23:30:00Z");
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const WEEK = 7 * 24 * HOUR;
/** The queues' visibility timeouts (infra/queue.ts: 6 × the worker's 5 minutes; infra/backfill.ts: 6 × 15). */
const DIGESTS_VISIBILITY_MS = 30 * MINUTE;
const BACKFILLS_VISIBILITY_MS = 90 * MINUTE;
/** Google's next quota day after `t`: midnight in Los Angeles (developers.google.com/workspace/guides/quota-overview). */
const nextPacificMidnight = (t: number) => localMidnight(addDays(localDate(t, "America/Los_Angeles"), 1), "America/Los_Angeles");
/**
 * The project's daily quota spent: every Gmail and Calendar call of the account refused until the
 * test clears it. `afterGmail`: spent part-way through the read instead, after that many more Gmail
 * calls (the calendar, which a scan reads first, already read).
 */
const dailyLimit = (email: string, afterGmail?: number): FaultSpec[] => [
  { route: "gmail.*", account: email, kind: "status", status: 403, reason: "dailyLimitExceeded", after: afterGmail ?? 0, times: 0 },
  ...(afterGmail === undefined ? [{ route: "calendar.*", account: email, kind: "status", status: 403, reason: "dailyLimitExceeded", times: 0 } as FaultSpec] : []),
];

let sandbox: RunningSandbox;
let fixtures: HandlerStack["fixtures"];
let stack: HandlerStack;

beforeAll(async () => {
  // Small pages: a read is many pages, so a refusal can come in the middle of one.
  stack = await startHandlerStack(start, { pageSize: { gmail: 10, calendar: 10, graph: 10 } });
  ({ sandbox, fixtures } = stack);
}, 60_000);
afterAll(() => stack?.close());
afterEach(() => sandbox.state.faults.clear());

/** The one clock: the handlers', the adapters' (the wait a refusal names is read on it) and the sandbox's mail clock. */
const clock = { now: start };
const setTime = (t: number) => {
  clock.now = t;
  sandbox.state.setNow(t);
};
const adapterClock: Clock = {
  now: () => clock.now,
  sleep: async (ms) => void (clock.now += ms),
};

const record = (body: string, id: string = randomUUID()): SQSEvent => ({ Records: [{ messageId: id, body } as SQSEvent["Records"][number]] });
/** Provider calls the sandbox has answered the account (refused ones too). */
const callsOf = (email: string) => sandbox.state.quota.usage(email).totalCalls;

let tables = 0;
async function setup(provider: "google" | "microsoft") {
  const table = `providerWait${++tables}`;
  const email = fixtures[provider].account.email;
  const repo = await stack.connect(fixtures[provider].account, table);
  const backfills = memorySender();
  const digests = memorySender();
  // Every request to the table, counted (a link that waits makes none).
  const table$ = { requests: 0 };
  const doc = new Proxy(stack.dynamo.doc, {
    get: (target, key) => (key === "send" ? (...args: Parameters<typeof target.send>) => (table$.requests++, target.send(...args)) : Reflect.get(target, key)),
  });
  const deps = stack.deps(table, {
    doc,
    backfills,
    digests,
    linkKey: "provider-wait-test-link-key",
    baseUrl: "https://app.followthrough.test",
    now: () => clock.now,
    // As the queue workers build their adapters (functions/src/jobs): a call waits in retries a minute at most.
    provider: { tuning: { pageSize: 10 }, clock: adapterClock, retry: { baseMs: 5, maxMs: 50, budgetMs: JOB_RETRY_BUDGET_MS } },
  });
  const backfill = createBackfillHandler(() => deps);
  const worker = createWorkerHandler(() => deps);
  /** The account read in full by one backfill link, as a connect's first read leaves it. */
  const established = async () => expect(await backfill(record(email))).toEqual({ batchItemFailures: [] });
  return { email, repo, backfills, digests, table$, backfill, worker, established };
}

/** What a backfill stores: what the digest and the next scans read. */
async function stored(repo: Repository, email: string) {
  const people = (await repo.loadPeople(email)).sort((a, b) => a.email.localeCompare(b.email));
  const ids = (xs: { id: string }[]) => xs.map((x) => x.id).sort();
  const cursor = async (s: string) => (await repo.getCursor(email, s))?.mode;
  return { people, meetings: ids(await repo.loadMeetings(email)), messages: ids(await repo.loadMessages(email)), cursors: [await cursor("calendar"), await cursor("sent")] };
}

interface Delivery {
  at: number;
  body: string;
  failed: boolean;
  calls: number;
}

/**
 * Delivers `first` now and then every message `sender` is given, each once its delay is past (the
 * earliest first), through a model of the queue: a record reported failed comes back after
 * `visibilityMs`, and its third failure dead-letters it. `before` runs as each message is received.
 */
async function drain(
  first: string,
  sender: MemorySender,
  invoke: (e: SQSEvent) => Promise<SQSBatchResponse>,
  o: { email: string; visibilityMs: number; before?: (at: number) => void; after?: (d: Delivery, i: number) => Promise<void> },
) {
  const queue = [{ id: randomUUID(), body: first, visibleAt: clock.now, receives: 0 }];
  const dlq: string[] = [];
  const deliveries: Delivery[] = [];
  while (queue.length) {
    queue.sort((a, b) => a.visibleAt - b.visibleAt);
    const m = queue.shift()!;
    setTime(Math.max(clock.now, m.visibleAt));
    o.before?.(clock.now);
    m.receives++;
    expect(deliveries.length, "runs away").toBeLessThan(400);
    const sent = sender.batches.length;
    const calls = callsOf(o.email);
    const at = clock.now;
    const res = await invoke(record(m.body, m.id));
    const failed = res.batchItemFailures.length > 0;
    deliveries.push({ at, body: m.body, failed, calls: callsOf(o.email) - calls });
    await o.after?.(deliveries.at(-1)!, deliveries.length - 1);
    if (failed) {
      if (m.receives >= 3) dlq.push(m.body);
      else queue.push({ ...m, visibleAt: clock.now + o.visibilityMs });
    }
    for (let i = sent; i < sender.batches.length; i++) for (const body of sender.batches[i]) queue.push({ id: randomUUID(), body, visibleAt: clock.now + sender.delays[i] * 1000, receives: 0 });
  }
  return { deliveries, dlq, failures: deliveries.filter((d) => d.failed).length };
}

/** Clears the refusal once the clock reaches `at` (Google's quota day begins again). */
const quotaBackAt = (at: number) => (t: number) => {
  if (t >= at) sandbox.state.faults.clear();
};

describe("a first backfill refused for longer than a call may wait", () => {
  it("google: refused by the project's daily limit mid-read, it continues itself, waits until midnight Pacific Time asking nothing, and ends as an unrefused backfill; nothing dead-lettered", async () => {
    setTime(start);
    const whole = await setup("google");
    await whole.established();
    const expected = await stored(whole.repo, whole.email);
    expect(expected.cursors).toEqual(["incremental", "incremental"]);
    expect(expected.people.length).toBeGreaterThan(0);

    const cut = await setup("google");
    const { email } = cut;
    // The calendar read, then Sent's first pages: the quota is spent on its 25th Gmail call, mid-page.
    for (const f of dailyLimit(email, 25)) sandbox.state.faults.add(f);
    const reset = nextPacificMidnight(start);
    expect(reset - start).toBeGreaterThan(7 * HOUR);
    // The chain looks again at its account's own instant just after the reset (jobs wakeOffsetMs).
    const wake = reset + wakeOffsetMs(email);
    expect(wake).toBeGreaterThan(reset);
    let firstLink: Awaited<ReturnType<typeof stored>> | undefined;
    const after = async (_: Delivery, i: number) => void (i === 0 && (firstLink = await stored(cut.repo, email)));
    const { deliveries, dlq, failures } = await drain(email, cut.backfills, cut.backfill, { email, visibilityMs: BACKFILLS_VISIBILITY_MS, before: quotaBackAt(reset), after });
    expect([failures, dlq]).toEqual([0, []]);
    // The first link read until the refusal and stored what it read: the calendar, and Sent part-way.
    const [refused, ...rest] = deliveries;
    expect(refused.calls).toBeGreaterThan(25);
    expect(firstLink!.cursors).toEqual(["incremental", "full"]);
    expect(firstLink!.messages.length).toBeGreaterThan(0);
    expect(firstLink!.messages.length).toBeLessThan(expected.messages.length);
    // Each link until then was sent on waiting for it, with no call to the provider.
    const waiting = rest.filter((d) => d.at < wake);
    expect(waiting.length).toBe(Math.ceil((wake - start) / (900 * 1000)) - 1);
    expect(waiting.every((d) => d.calls === 0)).toBe(true);
    for (const d of waiting) expect(parseBackfill(d.body, 0)).toEqual({ acc: email, since: start, notBefore: wake });
    expect(cut.backfills.delays.slice(0, -1).every((s) => s === 900)).toBe(true);
    expect(cut.backfills.delays.at(-1)).toBe((wake - start) / 1000 - 900 * waiting.length);
    // Then the read goes on from the cursors and ends as the unrefused one did.
    expect(deliveries.at(-1)!.at).toBe(wake);
    expect(await stored(cut.repo, email)).toEqual(expected);
    expect((await loadAccount(cut.repo, email))?.backfillAt).toBeUndefined();
  }, 120_000);

  it.each([
    [429, "a Retry-After of 10 minutes, longer than a call may wait,"],
    [503, "a 503 naming a 10-minute Retry-After (the service unavailable for that long)"],
  ] as const)("microsoft: %i, %s is waited out by one continuation 600 s on, not failed into the queue's receives", async (status, _what) => {
    setTime(start);
    const whole = await setup("microsoft");
    await whole.established();
    const expected = await stored(whole.repo, whole.email);
    expect(expected.people.length).toBeGreaterThan(0);

    const cut = await setup("microsoft");
    const { email } = cut;
    sandbox.state.faults.add({ route: "graph.*", account: email, kind: "status", status, retryAfter: 600, after: 6, times: 1 });
    const { deliveries, dlq, failures } = await drain(email, cut.backfills, cut.backfill, { email, visibilityMs: BACKFILLS_VISIBILITY_MS });
    expect([failures, dlq]).toEqual([0, []]);
    expect(deliveries).toHaveLength(2);
    expect(cut.backfills.delays).toEqual([600]);
    expect(parseBackfill(cut.backfills.batches[0][0], 0)).toEqual({ acc: email, since: start, notBefore: start + 600_000 });
    expect(await stored(cut.repo, email)).toEqual(expected);
  }, 120_000);
});

describe("a weekly run refused for longer than a call may wait", () => {
  /** A backfilled account `weeks` weeks on, at its slot (the default, Monday 08:00 in Melbourne: Sunday 21:00 UTC, 14:00 in Los Angeles). */
  async function atSlot(weeks: number) {
    setTime(start);
    const s = await setup("google");
    await s.established();
    const account = (await loadAccount(s.repo, s.email))!;
    const slot = previousOccurrence(account.schedule ?? DEFAULT_SCHEDULE, account.timeZone, start + weeks * WEEK);
    const week = isoWeek(slot, account.timeZone);
    /** The week's digests in the mailbox's Sent (a digest carries its week in a header of ours). */
    const sentDigests = () => sandbox.state.account(s.email)!.gmail!.listSent().filter((m) => new RegExp(`^X-Followthrough-Week: ${week}`, "im").test(m.raw)).length;
    const storedDigests = async () => (await s.repo.query(`ACCOUNT#${s.email}`, "DIGEST#")).map((i) => i.digest as { status: string; week: string });
    return { ...s, slot, week, sentDigests, storedDigests };
  }

  /** {@link atSlot}, five minutes past the slot, with every digest send refused by the daily limit until the test clears it; the next reset. */
  async function sendRefusedAtSlot(weeks: number) {
    const s = await atSlot(weeks);
    const at = s.slot + 5 * MINUTE;
    setTime(at);
    sandbox.state.faults.add({ route: "gmail.messages.send", account: s.email, kind: "status", status: 403, reason: "dailyLimitExceeded", times: 0 });
    return { s, at, reset: nextPacificMidnight(at) };
  }

  it("google: refused by the daily limit mid-read (its cursors expired, the year read again), the week goes on in links that wait for the reset asking nothing, and its digest is sent once; nothing dead-lettered", async () => {
    const s = await atSlot(1);
    const messages = (await stored(s.repo, s.email)).messages;
    const at = s.slot + 5 * MINUTE;
    setTime(at);
    sandbox.state.expireCursors(s.email, "gmail");
    for (const f of dailyLimit(s.email, 25)) sandbox.state.faults.add(f);
    const reset = nextPacificMidnight(at);
    expect(reset - at).toBeGreaterThan(9 * HOUR);
    const wake = reset + wakeOffsetMs(s.email);
    const { deliveries, dlq, failures } = await drain(dueWeeklyBody(s.email, s.slot, s.week), s.digests, s.worker, { email: s.email, visibilityMs: DIGESTS_VISIBILITY_MS, before: quotaBackAt(reset) });
    expect([failures, dlq]).toEqual([0, []]);
    const [refused, ...rest] = deliveries;
    expect(refused.calls).toBeGreaterThan(25);
    const waiting = rest.filter((d) => d.at < wake);
    expect(waiting.length).toBe(Math.ceil((wake - at) / (900 * 1000)) - 1);
    expect(waiting.every((d) => d.calls === 0)).toBe(true);
    for (const d of waiting) expect(parseContinuation(d.body)).toEqual({ acc: s.email, slot: s.slot, week: s.week, notBefore: wake });
    expect(deliveries.at(-1)!.at).toBe(wake);
    // The week's digest, once, recorded sent; the re-read ends where an unrefused one would.
    expect(s.sentDigests()).toBe(1);
    expect(await s.storedDigests()).toEqual([expect.objectContaining({ status: "sent", week: s.week })]);
    expect((await stored(s.repo, s.email)).cursors).toEqual(["incremental", "incremental"]);
    expect((await stored(s.repo, s.email)).messages).toEqual(messages);
    expect((await loadAccount(s.repo, s.email))?.lastWeeklyAt).toBe(wake);
  }, 180_000);

  it("google: the digest's send refused by the daily limit (the read went through) is tried again once the reset is past, not every quarter hour into the dead-letter queue; sent once", async () => {
    const { s, at, reset } = await sendRefusedAtSlot(2);
    expect(reset - at).toBeGreaterThan(5 * HOUR);
    const { deliveries, dlq, failures } = await drain(dueWeeklyBody(s.email, s.slot, s.week), s.digests, s.worker, { email: s.email, visibilityMs: DIGESTS_VISIBILITY_MS, before: quotaBackAt(reset) });
    expect([failures, dlq]).toEqual([0, []]);
    const wake = reset + wakeOffsetMs(s.email);
    expect(deliveries.filter((d) => d.at < wake).slice(1).every((d) => d.calls === 0)).toBe(true);
    expect(parseContinuation(deliveries[1].body)).toEqual({ acc: s.email, slot: s.slot, week: s.week, notBefore: wake });
    expect(s.sentDigests()).toBe(1);
    expect(await s.storedDigests()).toEqual([expect.objectContaining({ status: "sent", week: s.week })]);
  }, 180_000);

  it("google: refused in the first hour after midnight Pacific Time (a reset come late), the run looks again a quarter hour on, not a day on, and the week's digest goes then", async () => {
    const s = await atSlot(3);
    // Midnight in Los Angeles ten hours after the slot; the week's link ten minutes past it, the quota back twenty minutes past.
    const midnight = nextPacificMidnight(s.slot);
    setTime(midnight + 10 * MINUTE);
    for (const f of dailyLimit(s.email)) sandbox.state.faults.add(f);
    const { deliveries, dlq, failures } = await drain(continuationBody(s.email, s.slot, s.week), s.digests, s.worker, { email: s.email, visibilityMs: DIGESTS_VISIBILITY_MS, before: quotaBackAt(midnight + 20 * MINUTE) });
    expect([failures, dlq]).toEqual([0, []]);
    expect(s.digests.delays).toEqual([900]);
    expect(parseContinuation(s.digests.batches[0][0])).toMatchObject({ notBefore: midnight + 25 * MINUTE });
    expect(deliveries.map((d) => d.at)).toEqual([midnight + 10 * MINUTE, midnight + 25 * MINUTE]);
    expect(s.sentDigests()).toBe(1);
  }, 180_000);

  it("google: the send refused by the daily limit, waited out until midnight Pacific Time and refused again in the hour after it (a reset come late), waits its quarter hour, not into the queue's receives", async () => {
    const { s, at, reset } = await sendRefusedAtSlot(5);
    // The first attempt more than SEND_RETRY_WITHIN_MS (3 hours) before the reset; the quota back twenty minutes after it.
    expect(reset - at).toBeGreaterThan(3 * HOUR);
    const { deliveries, dlq, failures } = await drain(dueWeeklyBody(s.email, s.slot, s.week), s.digests, s.worker, { email: s.email, visibilityMs: DIGESTS_VISIBILITY_MS, before: quotaBackAt(reset + 20 * MINUTE) });
    expect([failures, dlq]).toEqual([0, []]);
    // Its account's instant just after midnight, then a quarter hour on each time until the quota is back.
    const wake = reset + wakeOffsetMs(s.email);
    const looks = [wake];
    while (looks.at(-1)! < reset + 20 * MINUTE) looks.push(looks.at(-1)! + 15 * MINUTE);
    expect(deliveries.filter((d) => d.at >= wake).map((d) => d.at)).toEqual(looks);
    expect(deliveries.filter((d) => d.at < wake).slice(1).every((d) => d.calls === 0)).toBe(true);
    expect(s.sentDigests()).toBe(1);
    expect(await s.storedDigests()).toEqual([expect.objectContaining({ status: "sent", week: s.week })]);
  }, 180_000);

  it("google: a refusal whose wait ends past the week's day stops the chain now (logged, the week recorded without a digest, the read on next week); one that ends within it continues", async () => {
    const s = await atSlot(4);
    // Twelve hours after the slot: 02:00 in Los Angeles, the quota back at the next midnight, 34 hours after the slot.
    const late = s.slot + 12 * HOUR;
    expect(nextPacificMidnight(late) - s.slot).toBeGreaterThan(CONTINUE_WITHIN_MS);
    setTime(late);
    for (const f of dailyLimit(s.email)) sandbox.state.faults.add(f);
    const calls = callsOf(s.email);
    expect(await s.worker(record(continuationBody(s.email, s.slot, s.week)))).toEqual({ batchItemFailures: [] });
    expect(callsOf(s.email)).toBeGreaterThan(calls);
    expect(s.digests.batches).toEqual([]);
    expect(await s.storedDigests()).toEqual([]);
    expect((await loadAccount(s.repo, s.email))?.lastWeeklyAt).toBe(late);

    // The same refusal five minutes after the next week's slot: its wait ends within that week's day.
    const next = s.slot + WEEK;
    setTime(next + 5 * MINUTE);
    expect(await s.worker(record(dueWeeklyBody(s.email, next)))).toEqual({ batchItemFailures: [] });
    expect(s.digests.batches.map((b) => parseContinuation(b[0]))).toEqual([{ acc: s.email, slot: next, notBefore: nextPacificMidnight(next) + wakeOffsetMs(s.email) }]);
  }, 180_000);
});

describe("a link received before its notBefore", () => {
  it("sends itself on, delayed by the rest of the wait (900 s at most), without the lease, the table or the provider: weekly and backfill alike", async () => {
    setTime(start + 10 * WEEK);
    const s = await setup("google");
    const { email } = s;
    const now = clock.now;
    // Another job holds the account: a link that took the lease would bounce as busy (BUSY_DELAY_S).
    expect(await acquireLease(s.repo, { email, name: SCAN_LEASE, owner: "someone", ttlMs: HOUR, now })).toBeDefined();
    const weekly = continuationBody(email, now - HOUR, undefined, undefined, now + 2 * HOUR);
    const weeklyLast = continuationBody(email, now - HOUR, undefined, true, now + 100_000);
    const backfill = backfillContinuation(email, now - HOUR, now + 2 * HOUR);
    const backfillLast = backfillContinuation(email, now - HOUR, now + 99_500);
    const calls = callsOf(email);
    s.table$.requests = 0;
    for (const body of [weekly, weeklyLast]) expect(await s.worker(record(body))).toEqual({ batchItemFailures: [] });
    for (const body of [backfill, backfillLast]) expect(await s.backfill(record(body))).toEqual({ batchItemFailures: [] });
    expect(s.table$.requests).toBe(0);
    expect(callsOf(email)).toBe(calls);
    expect(s.digests.batches).toEqual([[weekly], [weeklyLast]]);
    expect(s.digests.delays).toEqual([900, 100]);
    expect(s.backfills.batches).toEqual([[backfill], [backfillLast]]);
    // Rounded up: never received before its instant.
    expect(s.backfills.delays).toEqual([900, 100]);
    expect((await s.repo.get<{ owner: string }>(leaseKey(email, SCAN_LEASE)))?.owner).toBe("someone");
    // Malformed: refused.
    expect(() => parseContinuation(JSON.stringify({ job: "weekly", acc: email, slot: 1, notBefore: "soon" }))).toThrow(/malformed weekly continuation/);
    expect(() => parseBackfill(JSON.stringify({ job: "backfill", acc: email, since: 1, notBefore: null }), 0)).toThrow(/malformed backfill continuation/);
  });

  it("backfill: one whose wait ends past its chain's two days (corrupted, forged) is dropped now, not sent on for as long as its notBefore says", async () => {
    setTime(start + 11 * WEEK);
    const s = await setup("google");
    const { email } = s;
    const now = clock.now;
    const calls = callsOf(email);
    s.table$.requests = 0;
    // Past the two days from the chain's start; far past them; longer than the two days from now, under a start in the future.
    const bodies = [
      backfillContinuation(email, now - 47 * HOUR, now + 2 * HOUR),
      backfillContinuation(email, now - HOUR, now + 30 * 24 * HOUR),
      backfillContinuation(email, now + 10 * 24 * HOUR, now + 10 * 24 * HOUR + HOUR),
    ];
    for (const body of bodies) expect(await s.backfill(record(body))).toEqual({ batchItemFailures: [] });
    expect(s.backfills.batches).toEqual([]);
    expect(s.table$.requests).toBe(0);
    expect(callsOf(email)).toBe(calls);
    // One whose wait ends inside them is still sent on.
    const inside = backfillContinuation(email, now - 46 * HOUR, now + HOUR);
    expect(await s.backfill(record(inside))).toEqual({ batchItemFailures: [] });
    expect(s.backfills.batches).toEqual([[inside]]);
  });
});

describe("a backfill chain whose wait outlives its two days", () => {
  it("a Retry-After too far off for a date (past year 275760) stops the chain as any wait past its two days does, not failing the record on its log line", async () => {
    setTime(start);
    const s = await setup("microsoft");
    const { email } = s;
    sandbox.state.faults.add({ route: "graph.*", account: email, kind: "status", status: 429, retryAfter: 1e14, times: 0 });
    expect(await s.backfill(record(backfillContinuation(email, start)))).toEqual({ batchItemFailures: [] });
    expect(s.backfills.batches).toEqual([]);
  });
  it("stops now (logged, nothing queued, its mark gone: the weekly runs read on); a chain whose wait ends inside them continues", async () => {
    setTime(start);
    const s = await setup("google");
    const { email } = s;
    // The account's instant just after the reset, when its chain would look again (jobs wakeOffsetMs).
    const wake = nextPacificMidnight(start) + wakeOffsetMs(email);
    for (const f of dailyLimit(email)) sandbox.state.faults.add(f);
    // Begun so long ago that the wait ends after its two days.
    const old = wake - BACKFILL_CHAIN_MAX_MS - MINUTE;
    expect(await s.backfill(record(backfillContinuation(email, old)))).toEqual({ batchItemFailures: [] });
    expect(s.backfills.batches).toEqual([]);
    expect((await loadAccount(s.repo, email))?.backfillAt).toBeUndefined();
    // A minute younger than the bound allows: it waits for the reset.
    const younger = wake - BACKFILL_CHAIN_MAX_MS + MINUTE;
    expect(await s.backfill(record(backfillContinuation(email, younger)))).toEqual({ batchItemFailures: [] });
    expect(s.backfills.batches.map((b) => parseBackfill(b[0], 0))).toEqual([{ acc: email, since: younger, notBefore: wake }]);
    expect((await loadAccount(s.repo, email))?.backfillAt).toBe(start);
  });
});

describe("the end of a long wait, per account", () => {
  const dailyLimitRefusal = (retryAfterMs: number) => new ProviderError("rate-limited", "google: Daily Limit Exceeded", 403, retryAfterMs);
  const accounts = Array.from({ length: 200 }, (_, i) => `owner${i}@example${i % 7}.com`);

  it("a wait of an hour or more ends at each account's own instant within the ten minutes after it, the same one every time, so the project's accounts do not all read at the reset", () => {
    const now = start;
    const wait = 9 * HOUR;
    const ends = accounts.map((a) => refusedUntil(dailyLimitRefusal(wait), now, a)! - (now + wait));
    expect(ends.every((o) => o >= 0 && o < WAKE_SPREAD_MS && o % 1000 === 0)).toBe(true);
    // Spread over the ten minutes: every minute of them holds some accounts, and none holds most.
    const perMinute = Array.from({ length: 10 }, (_, m) => ends.filter((o) => Math.floor(o / MINUTE) === m).length);
    expect(perMinute.every((n) => n > 0 && n < 60)).toBe(true);
    expect(accounts.map((a) => refusedUntil(dailyLimitRefusal(wait), now + HOUR, a)! - (now + HOUR + wait))).toEqual(ends);
  });

  it("a shorter wait (a Retry-After of minutes, a late reset's quarter hour) ends as named", () => {
    for (const wait of [10 * MINUTE, 15 * MINUTE, HOUR - 1000]) for (const a of accounts.slice(0, 20)) expect(refusedUntil(dailyLimitRefusal(wait), start, a)).toBe(start + wait);
  });
});
