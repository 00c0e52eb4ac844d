/**
 * A weekly run's reads and sends against its own connection. It reads each stream's cursor once
 * (core/scan readSoFar's, handed to the scan). A disconnect and a new connection under the address while a weekly run reads (settings and
 * connect delete the account's data without the scan lease): the run's read did not see the new
 * connection's data whole (it may resume from the old connection's cursors over an emptied
 * partition), so no digest goes for it, and what the run wrote is cleared (helper-127). Before, the
 * send asked only whether the address had an active account.
 */
import { randomUUID } from "node:crypto";
import type { SQSEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deleteAccountData, loadAccount, saveAccount, updateAccount } from "@followthrough/core/accounts";
import { stillActive } from "@followthrough/core/digest";
import { memorySender } from "@followthrough/core/queue";
import { scan } from "@followthrough/core/scan";
import { randomKeyring } from "@followthrough/core/secrets";
import { type LocalDynamo, Repository, startLocalDynamo } from "@followthrough/core/storage";
import { createWorkerHandler } from "@followthrough/functions/handlers/worker";

const DAY = 86_400_000;
let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startLocalDynamo();
}, 60_000);
afterAll(() => dynamo?.stop());

const bo = { email: "bo@fabrikam.example", name: "Bo", response: "accepted", resource: false, organizer: false };
const meet = (id: string, at: number) => ({ id, title: "Coffee with Bo", start: at, end: at + 3_600_000, allDay: false, cancelled: false, kind: "default", organizerSelf: true, attendees: [bo] });

/** A mailbox as a provider reads it: a full read gives the window, an incremental one what changed (the newest meeting). */
function mailbox(email: string, now: number) {
  const full = {
    calendar: [meet("m-old", now - 60 * DAY), meet("m-new", now - 2 * DAY)],
    sent: [{ id: "s-old", subject: "Great to meet", sentAt: now - 59 * DAY, from: email, inSent: true, draft: false, meetingNotice: false, recipients: [{ email: bo.email, name: "Bo" }] }],
  };
  const delta = { calendar: [meet("m-new", now - 2 * DAY)], sent: [] as unknown[] };
  const page = (k: "calendar" | "sent") => async (c: { mode?: string; generation?: number } | undefined) => ({
    upserts: !c || c.mode === "full" ? full[k] : delta[k],
    deletes: [],
    next: { mode: "incremental", cursor: `${k}-next`, generation: c?.generation ?? 1 },
    done: true,
  });
  const sent: { text?: string }[] = [];
  const provider = { calendar: { page: page("calendar") }, sentMail: { page: page("sent") }, send: async (m: { text?: string }) => (sent.push(m), { id: "x" }), sentRecently: async () => false };
  return { provider, sent };
}

const connect = (repo: Repository, email: string, at: number) =>
  saveAccount(repo, randomKeyring(), { email, aliases: [], displayName: "Owner", timeZone: "Europe/London", provider: "google", clientId: "c", refreshToken: "r", status: "active", connectedAt: at, createdAt: at, schedule: { day: 1, hour: 8 } });

/** An account connected 90 days ago whose streams last week's run read to the end (cursors stored), with its mailbox. */
async function readLastWeek(repo: Repository, email: string) {
  const t0 = Date.now();
  await connect(repo, email, t0 - 90 * DAY);
  const mb = mailbox(email, t0);
  await scan({ owner: (await loadAccount(repo, email))!, provider: mb.provider as never, repo, now: t0 - 7 * DAY });
  return mb;
}

/** One SQS record of a weekly run for `email`. */
const weekly = (email: string) => ({ Records: [{ messageId: randomUUID(), body: email }] }) as unknown as SQSEvent;

/** The worker over a repository and this provider, its other dependencies local. */
const workerOver = (repo: Repository, providerFor: () => Promise<unknown>) =>
  createWorkerHandler(() => ({ repo, now: () => Date.now(), onRevoked: async () => {}, linkKey: "k", baseUrl: "https://app.test", backfills: memorySender(), digests: memorySender(), providerFor }) as never);

describe("a weekly run", () => {
  it("reads each stream's cursor once: readSoFar's, which the scan starts from", async () => {
    const repo = new Repository(dynamo.doc, dynamo.tableName);
    const email = "once@acme.example";
    const mb = await readLastWeek(repo, email);
    const reads: string[] = [];
    const getCursor = repo.getCursor.bind(repo);
    repo.getCursor = (e, stream) => (reads.push(stream), getCursor(e, stream));
    expect((await workerOver(repo, async () => mb.provider)(weekly(email))).batchItemFailures).toEqual([]);
    expect(mb.sent).toHaveLength(1);
    expect([...reads].sort()).toEqual(["calendar", "ownermail", "sent"]);
  });
});

describe("stillActive: the connection a run loaded", () => {
  it("holds while it is there and not paused; not once paused, gone, or connected again", async () => {
    const repo = new Repository(dynamo.doc, dynamo.tableName);
    const email = "still@acme.example";
    const loaded = await connect(repo, email, Date.now() - DAY);
    expect(await stillActive(repo, loaded)).toBe(true);
    await updateAccount(repo, email, { status: "paused" }, Date.now());
    expect(await stillActive(repo, loaded)).toBe(false);
    await updateAccount(repo, email, { status: "active" }, Date.now());
    expect(await stillActive(repo, loaded)).toBe(true);
    await deleteAccountData(repo, email);
    expect(await stillActive(repo, loaded)).toBe(false);
    await connect(repo, email, Date.now());
    expect(await stillActive(repo, loaded)).toBe(false);
  });
});

describe("a disconnect and a new connection while a weekly run reads", () => {
  it("sends no digest for the new connection, and leaves its partition as the connect left it", async () => {
    const repo = new Repository(dynamo.doc, dynamo.tableName);
    const email = "owner@acme.example";
    const mb = await readLastWeek(repo, email);
    let replaced = false;
    const handler = workerOver(repo, async () => {
      // While the provider's module loads (the cursors already read): disconnected, connected again.
      await deleteAccountData(repo, email);
      await connect(repo, email, Date.now());
      replaced = true;
      return mb.provider;
    });
    expect((await handler(weekly(email))).batchItemFailures).toEqual([]);
    expect(replaced).toBe(true);
    expect(mb.sent).toEqual([]);
    // The new connection's partition holds its account (and leases) only: what the run wrote went.
    const items = await repo.allItems(email);
    expect(items.map((i) => String(i.sk)).filter((sk) => !sk.startsWith("LEASE#"))).toEqual(["ACCOUNT"]);
  });
});
