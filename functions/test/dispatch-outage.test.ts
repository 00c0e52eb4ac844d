/**
 * The dispatcher down for hours (an outage, a broken deploy): the first run back catches up every
 * quarter hour since the last one dispatched, up to a day and an hour back (core/schedule
 * CATCH_UP_MS), so no week's digest is lost and a daily sync or an event email filed in those hours
 * is dispatched rather than left in a slot no query reads again (helper-164: it reached back two
 * hours). Out of time, a catch-up records how far it got and the next run goes on from there.
 */
import type { SQSEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { saveAccount } from "@followthrough/core/accounts";
import { putEventJob } from "@followthrough/core/events";
import type { MailboxProvider } from "@followthrough/core/providers";
import { memorySender } from "@followthrough/core/queue";
import { randomKeyring } from "@followthrough/core/secrets";
import { ensureTable, type LocalDynamo, Repository, startLocalDynamo } from "@followthrough/core/storage";
import { createDispatchHandler } from "../src/handlers/dispatch";
import { createWorkerHandler } from "../src/handlers/worker";

const WEEK = 7 * 86_400_000;
const Q = 15 * 60_000;
const H = 3_600_000;
const slot = Date.parse("2026-11-02T08:00:00Z"); // Monday 08:00 in London (GMT)

let dynamo: LocalDynamo;
let tables = 0;
beforeAll(async () => {
  dynamo = await startLocalDynamo();
}, 60_000);
afterAll(() => dynamo?.stop());

/** An account whose weekly runs send a digest over an empty mailbox, the dispatcher, and the worker, on one clock. */
async function setup() {
  const table = `outage${++tables}`;
  await ensureTable(dynamo.client, table);
  const repo = new Repository(dynamo.doc, table);
  const email = "outage@acme.example";
  let clock = slot - WEEK - H;
  const weeks: string[] = [];
  const nothing = { page: async (c?: { generation?: number }) => ({ upserts: [], deletes: [], next: { mode: "incremental", cursor: "c", generation: c?.generation ?? 1 }, done: true }) };
  const provider = {
    calendar: nothing,
    sentMail: nothing,
    send: async (m: { headers?: Record<string, string> }) => (weeks.push(m.headers?.["X-Followthrough-Week"] ?? "?"), { id: `s${weeks.length}` }),
    sentRecently: async () => false,
  } as unknown as MailboxProvider;
  await saveAccount(repo, randomKeyring(), { email, aliases: [], displayName: "Owner", timeZone: "Europe/London", provider: "google", clientId: "c", refreshToken: "r", status: "active", connectedAt: clock, schedule: { day: 1, hour: 8 } });
  const queue = memorySender();
  const worker = createWorkerHandler(() => ({ repo, now: () => clock, providerFor: () => provider, onRevoked: async () => {}, linkKey: "k", baseUrl: "https://app.test", digests: queue }));
  const dispatcher = createDispatchHandler(() => ({ repo, now: () => clock, digests: queue }));
  let taken = 0;
  const sent: string[] = [];
  /** The dispatcher's run of `at` (with `remaining` ms left each time it looks), then the weekly records it queued, a minute on. */
  const tick = async (at: number, remaining?: () => number) => {
    clock = at;
    await dispatcher({ time: new Date(at).toISOString() }, remaining ? { getRemainingTimeInMillis: remaining } : undefined);
    const bodies = queue.batches.flat().slice(taken);
    taken = queue.batches.flat().length;
    sent.push(...bodies);
    clock = at + 60_000;
    const weekly = bodies.filter((b) => b.includes('"weekly"'));
    if (weekly.length) await worker({ Records: weekly.map((body, i) => ({ messageId: `m${at}-${i}`, body })) } as SQSEvent);
  };
  return { repo, email, weeks, sent, tick };
}

describe("the dispatcher down for hours", () => {
  it("three hours down on the slot's morning: that week's digest goes when it is back, and the daily sync and morning-of email filed then are dispatched", async () => {
    const t = await setup();
    for (let at = slot - WEEK - H; at <= slot - WEEK + H; at += Q) await t.tick(at);
    expect(t.weeks).toEqual(["2026-W44"]);
    await putEventJob(t.repo, t.email, "sync", undefined, slot - H);
    await putEventJob(t.repo, t.email, "morning-of", "evt1", slot);
    for (let at = slot - 2 * H; at < slot - H; at += Q) await t.tick(at);
    const before = t.sent.length;
    // Down from 07:00 to 10:15 UTC; back at 10:30, and on for a week.
    for (let at = slot + 2.5 * H; at <= slot + WEEK + 2 * H; at += Q) await t.tick(at);
    expect(t.weeks).toEqual(["2026-W44", "2026-W45", "2026-W46"]);
    const caught = t.sent.slice(before);
    expect(caught.some((b) => b.includes('"sync"') && b.includes(t.email))).toBe(true);
    expect(caught.some((b) => b.includes('"morning-of"') && b.includes('"evt1"'))).toBe(true);
  });

  it("a day down: the catch-up, cut by the function's time left, records how far it got, and the next run goes on from there", async () => {
    const t = await setup();
    for (let at = slot - WEEK - H; at <= slot - WEEK + H; at += Q) await t.tick(at);
    for (let at = slot - 2 * H; at < slot - H; at += Q) await t.tick(at);
    // Down from 07:00 until 07:00 the next day. The first run back has time for two slots (07:00, 07:15).
    let looks = 0;
    await t.tick(slot + 23 * H, () => (looks++ < 2 ? 5 * 60_000 : 30_000));
    expect(looks).toBe(3);
    expect(t.weeks).toEqual(["2026-W44"]);
    // The next run goes on from 07:30, and reaches the slot.
    for (let at = slot + 23 * H + Q; at <= slot + 24 * H; at += Q) await t.tick(at, () => 5 * 60_000);
    expect(t.weeks).toEqual(["2026-W44", "2026-W45"]);
  });
});
