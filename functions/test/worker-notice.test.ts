/**
 * A weekly continuation delivered past its day is dropped before it reads, unless its run found the
 * grant gone and was lost sending the reconnect notice: then the notice is still its work, as no
 * other record of the account may ever come (the account is off the weekly index) (helper-107 #3).
 */
import type { SQSEvent } from "aws-lambda";
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadAccount, saveAccount } from "@followthrough/core/accounts";
import { revokedHandler } from "@followthrough/core/dispatch";
import { NOTICE_CLAIM_STALE_MS } from "@followthrough/core/limits";
import { MemoryMailer, noticeState } from "@followthrough/core/reconnect";
import { randomKeyring } from "@followthrough/core/secrets";
import { type LocalDynamo, Repository, startLocalDynamo } from "@followthrough/core/storage";
import type { JobDeps } from "../src/jobs";
import { CONTINUE_WITHIN_MS, continuationBody, createWorkerHandler } from "../src/handlers/worker";

let db: LocalDynamo;
let repo: Repository;
beforeAll(async () => {
  db = await startLocalDynamo({ engine: "dynalite" });
  repo = new Repository(db.doc, db.tableName);
});
afterAll(() => db?.stop());

const BASE = "https://app.example";
const KEY = "k".repeat(32);
const slot = Date.parse("2026-11-30T08:00:00Z");

function worker(now: number, mailer: MemoryMailer, queued: string[]) {
  const deps: JobDeps = {
    repo,
    now: () => now,
    providerFor: () => {
      throw new Error("no read: the record only sends the notice");
    },
    onRevoked: revokedHandler(mailer, BASE, KEY),
    baseUrl: BASE,
    linkKey: KEY,
    digests: { sendBatch: async (bodies: string[]) => (queued.push(...bodies), { failed: [] }) },
  };
  return (email: string) => createWorkerHandler(() => deps)({ Records: [{ messageId: "m1", body: continuationBody(email, slot) }] } as unknown as SQSEvent);
}

it("a continuation lost in the notice's send and delivered again past its day sends the notice", async () => {
  const email = "chain@acme.io";
  // Received at slot + 23h55, it found the grant gone, claimed the notice, and was killed in the send.
  const claimedAt = slot + CONTINUE_WITHIN_MS - 5 * 60_000;
  await saveAccount(repo, randomKeyring(), {
    email, provider: "google", clientId: "c", refreshToken: "r", connectedAt: slot - 30 * 86_400_000, aliases: [], timeZone: "UTC",
    status: "needs_reconnect", reconnectReason: "auth-revoked", reconnectNotifyingAt: claimedAt,
  });
  const mailer = new MemoryMailer();
  const queued: string[] = [];
  // Another delivery past the day while the claim is fresh (6 minutes old): back later, nothing sent.
  const fresh = claimedAt + 6 * 60_000;
  expect(fresh - slot).toBeGreaterThan(CONTINUE_WITHIN_MS);
  expect(fresh - claimedAt).toBeLessThan(NOTICE_CLAIM_STALE_MS);
  expect(await worker(fresh, mailer, queued)(email)).toEqual({ batchItemFailures: [] });
  expect(mailer.sent).toHaveLength(0);
  expect(queued).toEqual([continuationBody(email, slot)]);
  // Its own record back after the queue's visibility timeout (30 minutes): the notice goes.
  const now = claimedAt + 30 * 60_000;
  expect(await worker(now, mailer, [])(email)).toEqual({ batchItemFailures: [] });
  expect(mailer.sent.map((m) => m.to)).toEqual([email]);
  expect(noticeState((await loadAccount(repo, email))!, now)).toBe("sent");
  // Delivered again: dropped, no second notice.
  expect(await worker(now + 60_000, mailer, [])(email)).toEqual({ batchItemFailures: [] });
  expect(mailer.sent).toHaveLength(1);
});

it("a continuation past its day for an account with nothing to send is dropped before it reads", async () => {
  const email = "active@acme.io";
  await saveAccount(repo, randomKeyring(), { email, provider: "google", clientId: "c", refreshToken: "r", connectedAt: slot - 30 * 86_400_000, aliases: [], timeZone: "UTC", status: "active" });
  const mailer = new MemoryMailer();
  const queued: string[] = [];
  // The provider would throw if it were asked for: the record ends without reading.
  expect(await worker(slot + CONTINUE_WITHIN_MS + 1, mailer, queued)(email)).toEqual({ batchItemFailures: [] });
  expect(mailer.sent).toHaveLength(0);
  expect(queued).toEqual([]);
});
