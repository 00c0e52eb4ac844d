/**
 * The weekly run of an account whose first backfill is unfinished reads on until it completes and
 * builds the digest on that read: one sync of each stream, not a second one in `runWeekly` (the
 * same `now`, so a second sync finds nothing new and re-runs the rules for nothing).
 */
import { randomUUID } from "node:crypto";
import type { SQSEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HandlerStack, startHandlerStack } from "./support/handler-stack";
import type { MailboxProvider } from "@followthrough/core/providers";
import { createBackfillHandler, parseBackfill } from "../src/handlers/backfill";
import { createWorkerHandler, WEEKLY_SCAN_RESERVE_MS } from "../src/handlers/worker";

const now = Date.parse("2026-10-14T23:30:00Z");

let fixtures: HandlerStack["fixtures"];
let stack: HandlerStack;

beforeAll(async () => {
  stack = await startHandlerStack(now);
  ({ fixtures } = stack);
}, 60_000);
afterAll(() => stack?.close());

/** A table of its own with the provider's fixture account connected, and the handlers' deps over it. */
async function connected(provider: "google" | "microsoft", table: string) {
  const repo = await stack.connect(fixtures[provider].account, table);
  const deps = stack.deps(table, { linkKey: "one-scan-link-key", baseUrl: "https://app.followthrough.test", now: () => now });
  return { repo, deps };
}

describe("the weekly run of an account not yet backfilled", () => {
  for (const provider of ["google", "microsoft"] as const) {
    it(`${provider}: the pages of one sync of each stream (as the backfill reads), then one digest`, async () => {
      const email = fixtures[provider].account.email;
      const run = async (kind: "backfill" | "worker") => {
        const { repo, deps } = await connected(provider, `oneScan${provider}${kind}`);
        // The pages each stream is asked for, counted as the adapter is asked.
        const pages: Record<string, number> = { calendar: 0, sentMail: 0 };
        const count = (name: "calendar" | "sentMail", s: MailboxProvider["calendar"] | MailboxProvider["sentMail"]) => ({
          page: (...a: Parameters<typeof s.page>) => {
            pages[name]++;
            return s.page(...a);
          },
        });
        const counted = (p: MailboxProvider) => Object.assign(Object.create(p), { calendar: count("calendar", p.calendar), sentMail: count("sentMail", p.sentMail) }) as MailboxProvider;
        const handler = (kind === "backfill" ? createBackfillHandler : createWorkerHandler)(() => ({ ...deps, providerFor: async (a) => counted(await deps.providerFor(a)) }));
        expect(await handler({ Records: [{ messageId: randomUUID(), body: email }] } as SQSEvent)).toEqual({ batchItemFailures: [] });
        const digests = (await repo.query(`ACCOUNT#${email}`, "DIGEST#")).map((d) => (d.digest as { status: string }).status);
        return { pages, digests };
      };
      const backfill = await run("backfill");
      const worker = await run("worker");
      expect(backfill.digests).toEqual([]);
      expect(worker.digests).toEqual(["sent"]);
      expect(backfill.pages.calendar).toBeGreaterThan(0);
      expect(backfill.pages.sentMail).toBeGreaterThan(0);
      // A second sync (the digest's own scan after the read that completed the backfill) would ask each stream again.
      expect(worker.pages).toEqual(backfill.pages);
    }, 60_000);
  }
});

describe("the weekly run of an account backfilled before the owner-mail stream existed", () => {
  for (const provider of ["google", "microsoft"] as const) {
    it(`${provider}: reads the owner's mail outside Sent as far as the time limit allows, and sends the digest`, async () => {
      const email = fixtures[provider].account.email;
      const { repo, deps } = await connected(provider, `ownerMail${provider}`);
      // The backfill and first digest of a provider without the stream: calendar and Sent read to the end.
      const older = async (a: Parameters<typeof deps.providerFor>[0]) => Object.assign(Object.create(await deps.providerFor(a)), { ownerMail: undefined }) as MailboxProvider;
      await createBackfillHandler(() => ({ ...deps, providerFor: older }))({ Records: [{ messageId: randomUUID(), body: email }] } as SQSEvent);
      const record = () => ({ Records: [{ messageId: randomUUID(), body: email }] }) as SQSEvent;
      await createWorkerHandler(() => ({ ...deps, providerFor: older }))(record(), { getRemainingTimeInMillis: () => 240_000 });
      expect((await repo.getCursor(email, "sent"))?.mode).toBe("incremental");
      expect(await repo.getCursor(email, "ownermail")).toBeUndefined();
      const digests = async () => (await repo.query(`ACCOUNT#${email}`, "DIGEST#")).map((d) => (d.digest as { status: string }).status);
      expect(await digests()).toEqual(["sent"]);
      // The next week, with the stream, a run whose time runs out as the stream starts: its first
      // read is bounded by the time limit like a backfill's (nothing read unbounded), and the week's
      // digest still goes out, built on the Sent and calendar the account's digests were built on.
      let ownerMailAsked = false;
      const watched = async (a: Parameters<typeof deps.providerFor>[0]) => {
        const p = await deps.providerFor(a);
        return Object.assign(Object.create(p), { ownerMail: (ids: ReadonlySet<string>) => ((ownerMailAsked = true), p.ownerMail!(ids)) }) as MailboxProvider;
      };
      const week = 7 * 86_400_000;
      await createWorkerHandler(() => ({ ...deps, now: () => now + week, providerFor: watched }))(record(), { getRemainingTimeInMillis: () => (ownerMailAsked ? 1_000 : WEEKLY_SCAN_RESERVE_MS) });
      expect(ownerMailAsked).toBe(true);
      expect(await digests()).toEqual(["sent", "sent"]);
      expect((await repo.getCursor(email, "ownermail"))?.mode).not.toBe("incremental");
      // The week after, with time, it reads the stream to the end and sends that week's digest.
      await createWorkerHandler(() => ({ ...deps, now: () => now + 2 * week }))(record(), { getRemainingTimeInMillis: () => 240_000 });
      expect((await repo.getCursor(email, "ownermail"))?.mode).toBe("incremental");
      expect(await digests()).toEqual(["sent", "sent", "sent"]);
    }, 60_000);

    it(`${provider}: a new account whose first backfill stopped in that stream waits for it before its first digest`, async () => {
      const email = fixtures[provider].account.email;
      const { repo, deps } = await connected(provider, `ownerMailNew${provider}`);
      // The first backfill runs out of time as the owner-mail stream starts: calendar and Sent are
      // read to the end, as an older account's are, and the backfill continues itself on its queue.
      let ownerMailAsked = false;
      const watched = async (a: Parameters<typeof deps.providerFor>[0]) => {
        const p = await deps.providerFor(a);
        return Object.assign(Object.create(p), { ownerMail: (ids: ReadonlySet<string>) => ((ownerMailAsked = true), p.ownerMail!(ids)) }) as MailboxProvider;
      };
      const queued: string[][] = [];
      const backfills = { sendBatch: async (bodies: string[]) => (queued.push(bodies), { failed: [] }) };
      const timed = { getRemainingTimeInMillis: () => (ownerMailAsked ? 1_000 : 600_000) };
      await createBackfillHandler(() => ({ ...deps, backfills, providerFor: watched }))({ Records: [{ messageId: randomUUID(), body: email }] } as SQSEvent, timed as never);
      expect(queued.map((b) => b.map((body) => parseBackfill(body, 0).acc))).toEqual([[email.toLowerCase()]]);
      expect((await repo.getCursor(email, "sent"))?.mode).toBe("incremental");
      expect((await repo.getCursor(email, "ownermail"))?.mode).not.toBe("incremental");
      // Its weekly run comes before the continuation and runs out of time the same way: no digest.
      ownerMailAsked = false;
      const record = () => ({ Records: [{ messageId: randomUUID(), body: email }] }) as SQSEvent;
      await createWorkerHandler(() => ({ ...deps, providerFor: watched }))(record(), { getRemainingTimeInMillis: () => (ownerMailAsked ? 1_000 : WEEKLY_SCAN_RESERVE_MS) });
      expect(ownerMailAsked).toBe(true);
      expect(await repo.query(`ACCOUNT#${email}`, "DIGEST#")).toEqual([]);
    }, 60_000);
  }
});
