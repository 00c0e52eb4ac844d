/**
 * One backfill chain reads an account at a time. A connect, a reconnect, a resume and a move each
 * enqueue a first read (a bare record); one that comes while an earlier chain still reads (its link
 * holding the lease mid-scan, or its continuation queued) began a second chain, and the two took
 * turns under the lease to the end, each ending with its own look at a read already complete: on the
 * demo mailboxes, one more invocation and three more provider calls than one chain's, and a busy
 * bounce every two minutes while the other held the lease (helper-295). The newest chain reads on;
 * the older one's next link ends before the lease and the provider.
 */
import { randomUUID } from "node:crypto";
import type { SQSEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HandlerStack, startHandlerStack } from "./support/handler-stack";
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { loadAccount, updateAccount } from "@followthrough/core/accounts";
import { markNeedsReconnect } from "@followthrough/core/dispatch";
import { sealLink } from "@followthrough/core/links";
import { memorySender } from "@followthrough/core/queue";
import type { Repository } from "@followthrough/core/storage";
import { createBackfillHandler, parseBackfill } from "../src/handlers/backfill";
import { BUSY_DELAY_S } from "../src/jobs";
import { followConnected, startWebStack, type WebStack } from "./support/web-stack";

const start = Date.parse("2026-10-14T23:30:00Z");
const MINUTE = 60_000;

let stack: HandlerStack;
beforeAll(async () => {
  // Small pages: the demo year takes several links of a few pages each.
  stack = await startHandlerStack(start, { pageSize: { gmail: 10, calendar: 10, graph: 10 } });
}, 60_000);
afterAll(() => stack?.close());

const PAGE_ROUTES = ["gmail.messages.list", "gmail.history.list", "calendar.events.list", "graph.messages.list", "graph.messages.delta", "graph.calendarView.delta"];
const callsOf = (email: string) => ({ ...stack.sandbox.state.quota.usage(email).calls }) as Record<string, number>;
const total = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);
const pagesOf = (email: string) => PAGE_ROUTES.reduce((n, r) => n + (callsOf(email)[r] ?? 0), 0);

let tables = 0;
async function setup(provider: "google" | "microsoft") {
  const email = stack.fixtures[provider].account.email;
  const table = `chains${++tables}`;
  const repo = await stack.connect(stack.fixtures[provider].account, table);
  const backfills = memorySender();
  const clock = { now: start };
  const deps = stack.deps(table, { backfills, now: () => clock.now, provider: { tuning: { pageSize: 10 } } });
  const handler = createBackfillHandler(() => deps);
  /** A Lambda context whose time is the pages read: three minutes each, from 15 minutes. */
  const context = () => {
    const base = pagesOf(email);
    return { getRemainingTimeInMillis: () => 15 * MINUTE - 3 * MINUTE * (pagesOf(email) - base) };
  };
  const deliver = async (body: string) => {
    const res = await handler({ Records: [{ messageId: randomUUID(), body }] } as SQSEvent, context());
    expect(res.batchItemFailures).toEqual([]);
  };
  return { email, repo, backfills, clock, deliver, handler, context };
}

/** Delivers `queue` in order, each record's continuations after it, until none is left; the invocations. */
async function drain(t: Awaited<ReturnType<typeof setup>>, queue: string[]) {
  let invocations = 0;
  while (queue.length) {
    const sent = t.backfills.batches.length;
    await t.deliver(queue.shift()!);
    t.clock.now += MINUTE;
    expect(++invocations, "runs away").toBeLessThan(100);
    for (const batch of t.backfills.batches.slice(sent)) queue.push(...batch);
  }
  return invocations;
}

async function stored(repo: Repository, email: string) {
  const ids = (xs: { id: string }[]) => xs.map((x) => x.id).sort();
  return { people: (await repo.loadPeople(email)).map((p) => p.email).sort(), meetings: ids(await repo.loadMeetings(email)), messages: ids(await repo.loadMessages(email)) };
}

/** One chain's read of the account from the start: its provider calls, its invocations, what it stored. */
async function oneChain(provider: "google" | "microsoft") {
  const t = await setup(provider);
  const before = total(callsOf(t.email));
  const invocations = await drain(t, [t.email]);
  return { calls: total(callsOf(t.email)) - before, invocations, stored: await stored(t.repo, t.email) };
}

describe("a second first read enqueued while one reads (a reconnect, a resume)", () => {
  for (const provider of ["google", "microsoft"] as const) {
    it(`${provider}: arriving while a link reads mid-scan, it waits for the lease and reads on alone; the older chain queues no continuation`, async () => {
      const one = await oneChain(provider);
      expect(one.invocations).toBeGreaterThan(2);

      const t = await setup(provider);
      const before = total(callsOf(t.email));
      // The first link reads; two pages in, the reconnect's record comes (five minutes after the chain began).
      const pages = pagesOf(t.email);
      const reading = t.deliver(t.email);
      while (pagesOf(t.email) < pages + 2) await new Promise((r) => setTimeout(r, 1));
      t.clock.now = start + 5 * MINUTE;
      await t.deliver(t.email);
      // It found the lease held: back in two minutes, a link of the new chain.
      expect(t.backfills.delays).toEqual([BUSY_DELAY_S]);
      const newChain = t.backfills.batches[0]![0]!;
      expect(parseBackfill(newChain, 0).since).toBe(start + 5 * MINUTE);
      await reading;
      // The older link, cut short, ends its chain: nothing more queued.
      expect(t.backfills.batches.length).toBe(1);
      expect((await loadAccount(t.repo, t.email))?.backfillChain).toBe(start + 5 * MINUTE);

      await drain(t, [newChain]);
      expect(await stored(t.repo, t.email)).toEqual(one.stored);
      // Every record the queue saw after it is the new chain's.
      expect(t.backfills.batches.slice(1).flat().map((b) => parseBackfill(b, 0).since)).toEqual(t.backfills.batches.slice(1).flat().map(() => start + 5 * MINUTE));
      expect(total(callsOf(t.email)) - before).toBe(one.calls);
    }, 120_000);

    it(`${provider}: arriving while a continuation is queued, the continuation ends without calling the provider; one chain's calls in all`, async () => {
      const one = await oneChain(provider);
      const t = await setup(provider);
      const before = total(callsOf(t.email));
      await t.deliver(t.email);
      const continuation = t.backfills.batches[0]![0]!;
      expect(parseBackfill(continuation, 0).since).toBe(start);
      // The reconnect's record overtakes it (a Google continuation waits a minute: functions/src/jobs continuationSend).
      t.clock.now = start + 5 * MINUTE;
      await drain(t, [t.email, continuation]);
      expect(await stored(t.repo, t.email)).toEqual(one.stored);
      // Nothing of the older chain queued after its first link.
      expect(t.backfills.batches.slice(1).flat().map((b) => parseBackfill(b, 0).since)).toEqual(t.backfills.batches.slice(1).flat().map(() => start + 5 * MINUTE));
      expect(total(callsOf(t.email)) - before).toBe(one.calls);
    }, 120_000);
  }
});

describe("two chains' marks at once", () => {
  for (const provider of ["google", "microsoft"] as const) {
    it(`${provider}: a newer chain's mark written between an older link's read of the account and its write stays, and the older link queues no continuation`, async () => {
      const email = stack.fixtures[provider].account.email;
      const table = `chains${++tables}`;
      const repo = await stack.connect(stack.fixtures[provider].account, table);
      const backfills = memorySender();
      const newer = start + 5 * MINUTE;
      // The link's own write of its chain's mark (the SET of backfillChain, after its read of the
      // account): just before it reaches the table, a newer chain's link, bounced off the lease this one
      // held, marks the account as its own (as the busy path writes it).
      let raced = false;
      const doc = new Proxy(stack.dynamo.doc, {
        get: (target, key) =>
          key === "send"
            ? async (cmd: Parameters<typeof target.send>[0]) => {
                const input = cmd instanceof UpdateCommand ? cmd.input : undefined;
                const setsChain = Object.entries(input?.ExpressionAttributeNames ?? {}).some(([k, v]) => v === "backfillChain" && (input?.UpdateExpression ?? "").includes(`#a.${k} =`));
                if (!raced && setsChain) {
                  raced = true;
                  await updateAccount(repo, email, { backfillAt: newer, backfillChain: newer }, newer);
                }
                return target.send(cmd as never);
              }
            : Reflect.get(target, key),
      });
      const deps = stack.deps(table, { doc, backfills, now: () => start, provider: { tuning: { pageSize: 10 } } });
      const base = pagesOf(email);
      const res = await createBackfillHandler(() => deps)({ Records: [{ messageId: randomUUID(), body: email }] } as SQSEvent, { getRemainingTimeInMillis: () => 15 * MINUTE - 3 * MINUTE * (pagesOf(email) - base) });
      expect(res.batchItemFailures).toEqual([]);
      expect(raced).toBe(true);
      // The newer chain reads on (its continuation is its own to queue); this one ends here.
      expect((await loadAccount(repo, email))?.backfillChain).toBe(newer);
      expect(backfills.batches).toEqual([]);
    }, 60_000);
  }
});

describe("through the app: a first read cut short, its continuation queued", () => {
  const BASE = "http://app.test";
  const KEY = "backfill-chains-link-key-0123456789abcdef";
  const SAME = { origin: BASE, "sec-fetch-site": "same-origin", "content-type": "application/x-www-form-urlencoded" };
  let web: WebStack;
  const enqueued: string[] = [];
  beforeAll(async () => {
    // Small pages, as above: the year takes several links.
    web = await startWebStack({ baseUrl: BASE, linkKey: KEY, extra: { enqueueBackfill: async (email) => void enqueued.push(email) }, sandbox: { pageSize: { gmail: 10, calendar: 10, graph: 10 } } });
  }, 60_000);
  afterAll(() => web?.close());

  /** Connects (or reconnects) Google's demo account through the web flow, as a browser would. */
  async function connect() {
    const start = await web.app.request("/connect/google");
    const cookie = (start.headers.get("set-cookie") ?? "").split(";")[0];
    const authorize = new URL(start.headers.get("location")!);
    authorize.searchParams.set("account", web.fixtures.google.account.email);
    authorize.searchParams.set("approve", "1");
    const back = new URL((await fetch(authorize, { redirect: "manual" })).headers.get("location")!);
    expect((await followConnected(await web.app.request(`${back.pathname}${back.search}`, { headers: { cookie } }), web.app)).status).toBe(200);
  }

  it("google: a reconnect, then a pause and a resume, each queue a first read; the older chain's continuation ends without a call to the provider, and one chain reads to the end", async () => {
    const email = web.fixtures.google.account.email.toLowerCase();
    const clock = { now: Date.now() };
    const backfills = memorySender();
    const handler = createBackfillHandler(() => ({ repo: web.repo, now: () => clock.now, providerFor: web.deps.providerFor, onRevoked: markNeedsReconnect, backfills }));
    const calls = () => total({ ...web.sandbox.state.quota.usage(email).calls });
    const pages = () => PAGE_ROUTES.reduce((n, r) => n + (web.sandbox.state.quota.usage(email).calls[r] ?? 0), 0);
    /** A Lambda context whose time is the pages read, as above: three minutes each, from 15 minutes. */
    const short = () => {
      const base = pages();
      return { getRemainingTimeInMillis: () => 15 * MINUTE - 3 * MINUTE * (pages() - base) };
    };
    const deliver = async (body: string, context: ReturnType<typeof short> | { getRemainingTimeInMillis: () => number }) => {
      const sent = backfills.batches.length;
      const before = calls();
      expect((await handler({ Records: [{ messageId: randomUUID(), body }] } as SQSEvent, context)).batchItemFailures).toEqual([]);
      clock.now += MINUTE;
      return { calls: calls() - before, queued: backfills.batches.slice(sent).flat() };
    };

    await connect();
    clock.now = Date.now();
    expect(enqueued).toEqual([email]);
    const first = await deliver(enqueued.shift()!, short());
    expect(first.calls).toBeGreaterThan(0);
    expect(first.queued).toHaveLength(1);

    // The reconnect (the account active): the app queues a first read, which overtakes the continuation.
    clock.now += 5 * MINUTE;
    await connect();
    expect(enqueued).toEqual([email]);
    const reconnected = await deliver(enqueued.shift()!, short());
    expect(reconnected.calls).toBeGreaterThan(0);
    expect(reconnected.queued).toHaveLength(1);
    const older = await deliver(first.queued[0]!, short());
    expect(older).toEqual({ calls: 0, queued: [] });

    // A pause and a resume on the settings page: the resume queues the read again, as the pause
    // found it unfinished; the reconnect's chain, its continuation already queued, ends there.
    clock.now += 5 * MINUTE;
    const settings = `/l/settings/${sealLink(KEY, { act: "settings", acc: email }, Date.now())}`;
    for (const action of ["pause", "resume"]) expect((await web.app.request(settings, { method: "POST", headers: SAME, body: new URLSearchParams({ action }).toString() })).status).toBe(303);
    expect(enqueued).toEqual([email]);
    const resumed = await deliver(enqueued.shift()!, short());
    expect(await deliver(reconnected.queued[0]!, short())).toEqual({ calls: 0, queued: [] });

    // The resume's chain reads to the end alone.
    let queue = resumed.queued;
    let links = 0;
    while (queue.length) {
      expect(++links).toBeLessThan(50);
      queue = (await deliver(queue[0]!, short())).queued;
    }
    const cursors = await Promise.all(["calendar", "sent"].map(async (s) => (await web.repo.getCursor(email, s))?.mode));
    expect(cursors).toEqual(["incremental", "incremental"]);
  }, 120_000);
});
