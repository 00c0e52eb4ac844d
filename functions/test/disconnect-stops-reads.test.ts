/**
 * A disconnect stops the reads of a job already running (helper-295). It takes no lease (it cannot
 * wait out a 15-minute backfill), and the job holds an access token. Google's revocation ends the
 * grant, and the sandbox, as Google, refuses the job's next call with it (a regression guard here);
 * but Microsoft gives us no call that revokes (core/connect/revoke), and an access token cannot be
 * revoked: it stays valid for its hour (learn.microsoft.com/en-us/answers/questions/672062). So a
 * Microsoft job read the departed owner's mail and calendar to the end of its link (here the rest
 * of the year: 16 more Graph calls of 24; up to 15 minutes of reads in Lambda) after the
 * Disconnected page said "No more scans". What it wrote went after it (core/dispatch sweptIfGone);
 * what it read should not have been read. Now the job's reads look between pages whether the
 * account is still there (core/dispatch connectionWatch), and stop within a page or so.
 */
import { randomUUID } from "node:crypto";
import type { SQSEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HandlerStack, startHandlerStack } from "./support/handler-stack";
import { loadAccount, pauseForDisconnect, updateAccount } from "@followthrough/core/accounts";
import { endAccount, revokeGrant } from "@followthrough/core/connect";
import { googleEndpoints } from "@followthrough/core/oauth";
import { MemoryMailer } from "@followthrough/core/reconnect";
import { memorySender } from "@followthrough/core/queue";
import { sandboxDispatcher } from "@followthrough/sandbox";
import { createBackfillHandler } from "../src/handlers/backfill";
import { createWorkerHandler } from "../src/handlers/worker";

const now = Date.parse("2026-10-14T23:30:00Z");
const MINUTE = 60_000;

let stack: HandlerStack;
beforeAll(async () => {
  // Small pages: the demo year is many pages, most of them still ahead when the disconnect comes.
  stack = await startHandlerStack(now, { pageSize: { gmail: 10, calendar: 10, graph: 10 } });
}, 60_000);
afterAll(() => stack?.close());

const PAGE_ROUTES = ["gmail.messages.list", "gmail.history.list", "calendar.events.list", "graph.messages.list", "graph.messages.delta", "graph.calendarView.delta"];
const callsOf = (email: string) => Object.values(stack.sandbox.state.quota.usage(email).calls).reduce((a, b) => a + b, 0);
const pagesOf = (email: string) => PAGE_ROUTES.reduce((n, r) => n + (stack.sandbox.state.quota.usage(email).calls[r] ?? 0), 0);

let tables = 0;
async function setup(provider: "google" | "microsoft") {
  const email = stack.fixtures[provider].account.email.toLowerCase();
  const table = `stops${++tables}`;
  const repo = await stack.connect(stack.fixtures[provider].account, table);
  const notify = new MemoryMailer();
  const [backfills, digests] = [memorySender(), memorySender()];
  const deps = stack.deps(table, { backfills, digests, notify, baseUrl: "https://app.followthrough.test", linkKey: "disconnect-stops-reads-link-key", now: () => now, provider: { tuning: { pageSize: 10 } } });
  /** The settings page's disconnect (core/connect endAccount), revoking at the sandbox as the app does. */
  const disconnect = async () => {
    const account = (await loadAccount(repo, email))!;
    const fetchSandbox: typeof fetch = (input, init) => fetch(input, { ...init, dispatcher: sandboxDispatcher(stack.sandbox.ca!) } as RequestInit);
    await endAccount(repo, account, Date.now(), (current) => revokeGrant(current, { ring: deps.ring, revokeUrl: googleEndpoints(stack.sandbox.url).revokeUrl, fetch: fetchSandbox }));
  };
  return { email, repo, deps, notify, backfills, digests, disconnect };
}

/** A Lambda context with all the time it wants: nothing but the disconnect stops its read. */
const ample = { getRemainingTimeInMillis: () => 15 * MINUTE };

/** Runs `job` until two pages are read, disconnects, lets it end: the provider calls after the disconnect. */
async function disconnectDuring(t: Awaited<ReturnType<typeof setup>>, job: () => Promise<{ batchItemFailures: unknown[] }>) {
  const pages = pagesOf(t.email);
  const running = job();
  while (pagesOf(t.email) < pages + 2) await new Promise((r) => setTimeout(r, 1));
  await t.disconnect();
  const after = callsOf(t.email);
  expect((await running).batchItemFailures).toEqual([]);
  return callsOf(t.email) - after;
}

describe("a disconnect while a job reads the account", () => {
  for (const provider of ["google", "microsoft"] as const) {
    it(`${provider}: a first backfill stops reading within a page or so, leaves nothing, queues nothing, sends nothing`, async () => {
      const t = await setup(provider);
      const whole = callsOf(t.email);
      const late = await disconnectDuring(t, () => createBackfillHandler(() => ({ ...t.deps, watchEveryMs: 0 }))({ Records: [{ messageId: randomUUID(), body: t.email }] } as SQSEvent, ample));
      // (The whole year is some 30 to 60 calls here.)
      expect(late, `calls after the disconnect (of ${callsOf(t.email) - whole})`).toBeLessThanOrEqual(2);
      expect(await t.repo.allItems(t.email)).toEqual([]);
      expect(t.backfills.batches).toEqual([]);
      expect(t.notify.sent).toEqual([]);
    }, 60_000);
  }

  it("microsoft: a disconnect cut short after its first step (the account paused for it, its deletion never reached: the function's time limit, a failed write) stops the reads too", async () => {
    const t = await setup("microsoft");
    // The disconnect pauses the account first, then revokes (Google: up to 10 s), then deletes the
    // account's data and only then its record; cut short in between, the account stays paused for it.
    const cutShort = { ...t, disconnect: async () => pauseForDisconnect(t.repo, (await loadAccount(t.repo, t.email))!, Date.now()) };
    const late = await disconnectDuring(cutShort, () => createBackfillHandler(() => ({ ...t.deps, watchEveryMs: 0 }))({ Records: [{ messageId: randomUUID(), body: t.email }] } as SQSEvent, ample));
    expect(late).toBeLessThanOrEqual(2);
    // Nothing goes on: no continuation; the owner's next disconnect (or a resume, which asks for the reconnect) decides.
    expect(t.backfills.batches).toEqual([]);
    expect((await loadAccount(t.repo, t.email))?.status).toBe("paused");
    expect(t.notify.sent).toEqual([]);
  }, 60_000);

  it("microsoft: a weekly run reading the year itself (no backfill chain) stops too, and sends no digest", async () => {
    const t = await setup("microsoft");
    // The week's run at the slot, its first read unread and no backfill chain marked: it reads the year.
    await updateAccount(t.repo, t.email, { backfillAt: undefined }, now);
    const late = await disconnectDuring(t, () => createWorkerHandler(() => ({ ...t.deps, watchEveryMs: 0 }))({ Records: [{ messageId: randomUUID(), body: t.email }] } as SQSEvent, ample));
    expect(late).toBeLessThanOrEqual(2);
    expect(await t.repo.allItems(t.email)).toEqual([]);
    expect(t.digests.batches).toEqual([]);
    expect(t.notify.sent).toEqual([]);
  }, 60_000);
});
