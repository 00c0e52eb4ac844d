/**
 * A disconnect while a job runs (helper-60 finding 2): the settings page deletes the account's data
 * without waiting for the scan lease (a backfill can hold it 15 minutes), so the job's writes after
 * the deletion read the partition (cursors, meetings, messages, people, event jobs) stayed under an
 * account that is gone. Now the job that ends and finds its account gone deletes the partition again,
 * and the deletion reads it once more after the account item goes.
 */
import type { SQSEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deleteAccountData, loadAccount, pausePatch, saveAccount, updateAccount } from "@followthrough/core/accounts";
import { randomKeyring } from "@followthrough/core/secrets";
import type { MailboxProvider } from "@followthrough/core/providers";
import { memorySender } from "@followthrough/core/queue";
import { type LocalDynamo, Repository, startLocalDynamo } from "@followthrough/core/storage";
import { createBackfillHandler } from "../src/handlers/backfill";
import { createWorkerHandler } from "../src/handlers/worker";

const now = Date.parse("2026-11-02T08:00:00Z");
let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startLocalDynamo();
}, 60_000);
afterAll(() => dynamo?.stop());

/** An account whose first calendar page waits for `gate`; it meets Bo and wrote to him. */
async function setup(email: string) {
  const repo = new Repository(dynamo.doc, dynamo.tableName);
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  let entered!: () => void;
  const inPage = new Promise<void>((r) => (entered = r));
  let calls = 0;
  const meeting = { id: "m1", title: "Coffee with Bo", start: now - 86_400_000, end: now - 82_800_000, allDay: false, cancelled: false, kind: "default", organizerSelf: true, attendees: [{ email: "bo@fabrikam.example", name: "Bo", response: "accepted", resource: false, organizer: false }] };
  const provider = {
    calendar: {
      page: async () => {
        if (calls++ === 0) {
          entered();
          await gate;
        }
        return { upserts: [meeting], deletes: [], next: { mode: "incremental", cursor: "c", generation: 1 }, done: true };
      },
    },
    sentMail: { page: async () => ({ upserts: [{ id: "s1", subject: "hi", sentAt: now - 3_600_000, from: email, inSent: true, draft: false, meetingNotice: false, recipients: [{ email: "bo@fabrikam.example", name: "Bo" }] }], deletes: [], next: { mode: "incremental", cursor: "s", generation: 1 }, done: true }) },
    send: async () => ({ id: "sent" }),
    sentRecently: async () => false,
  } as unknown as MailboxProvider;
  await saveAccount(repo, randomKeyring(), { email, aliases: [], displayName: "Owner", timeZone: "Europe/London", provider: "google", clientId: "c", refreshToken: "r", status: "active", connectedAt: now - 86_400_000, schedule: { day: 1, hour: 8 } });
  const deps = { repo, now: () => now, providerFor: () => provider, onRevoked: async () => {}, linkKey: "k", baseUrl: "https://app.followthrough.test", backfills: memorySender(), digests: memorySender() };
  return { repo, deps, inPage, open };
}

describe("a disconnect while a job runs leaves nothing behind", () => {
  for (const kind of ["backfill", "worker"] as const) {
    it(`${kind}: the job's writes after the deletion are deleted too, and nothing is queued to go on`, async () => {
      const email = `${kind}@acme.example`;
      const t = await setup(email);
      const handler = kind === "backfill" ? createBackfillHandler(() => t.deps) : createWorkerHandler(() => t.deps);
      const running = handler({ Records: [{ messageId: `${kind}-1`, body: email }] } as SQSEvent);
      await t.inPage;
      // The owner disconnects while the job waits on the provider (its lease, on this test's clock of
      // a month ago, has expired by the wall clock the deletion reads: it goes too).
      await deleteAccountData(t.repo, email);
      expect(await t.repo.allItems(email)).toEqual([]);
      t.open();
      expect((await running).batchItemFailures).toEqual([]);
      expect(await t.repo.allItems(email)).toEqual([]);
      expect([...t.deps.backfills.batches, ...t.deps.digests.batches]).toEqual([]);
    });
  }
});

describe("a disconnect and a new connection while a job runs (helper-68 finding 1)", () => {
  for (const kind of ["backfill", "worker"] as const) {
    it(`${kind}: the new connection's first read waits for the job, and nothing the job wrote after the deletion stays`, async () => {
      const email = `reconnected-${kind}@acme.example`;
      const t = await setup(email);
      // On the wall clock, as in production: the job's lease is live while it runs.
      const live = { ...t.deps, now: () => Date.now() };
      const handler = kind === "backfill" ? createBackfillHandler(() => live) : createWorkerHandler(() => live);
      const running = handler({ Records: [{ messageId: `${kind}-1`, body: email }] } as SQSEvent);
      await t.inPage;
      await deleteAccountData(t.repo, email);
      expect((await t.repo.allItems(email)).map((i) => i.sk)).toEqual(["LEASE#scan"]);
      // Connected again at once: a new account record, and its first backfill queued.
      await saveAccount(t.repo, randomKeyring(), { email, aliases: [], displayName: "Owner", timeZone: "Europe/London", provider: "google", clientId: "c", refreshToken: "r2", status: "active", connectedAt: Date.now(), createdAt: Date.now(), schedule: { day: 1, hour: 8 } });
      const first = createBackfillHandler(() => live);
      // It waits on the running job's lease: sent back for later, not run beside it.
      expect((await first({ Records: [{ messageId: "first-1", body: email }] } as SQSEvent)).batchItemFailures).toEqual([]);
      const bounced = t.deps.backfills.batches.flat();
      expect(bounced).toHaveLength(1);
      expect(bounced[0]).toContain(email);
      expect(await t.repo.loadMeetings(email)).toEqual([]);
      t.open();
      expect((await running).batchItemFailures).toEqual([]);
      // Nothing the old job wrote stays: the new account record alone, and the old job queued nothing to go on.
      expect((await t.repo.allItems(email)).map((i) => i.sk)).toEqual(["ACCOUNT"]);
      expect([...t.deps.backfills.batches, ...t.deps.digests.batches].flat()).toEqual(bounced);
      const account = (await loadAccount(t.repo, email))!;
      expect(account.lastWeek).toBeUndefined();
      // Then the new connection's first read runs, from the start.
      expect((await first({ Records: [{ messageId: "first-2", body: bounced[0] }] } as SQSEvent)).batchItemFailures).toEqual([]);
      expect((await t.repo.loadMeetings(email)).map((m) => m.id)).toEqual(["m1"]);
    });
  }
});

describe("a pause while a first backfill reads (helper-68 finding 5)", () => {
  it("the run cut short after it queues no continuation: the resume queues the read again, so one chain goes on, not two", async () => {
    const email = "paused-backfill@acme.example";
    const t = await setup(email);
    // Time enough to start and read the calendar's page; then under the reserve (cut short).
    let checks = 0;
    const context = { getRemainingTimeInMillis: () => (checks++ < 2 ? 6 * 60_000 : 60_000) };
    const running = createBackfillHandler(() => t.deps)({ Records: [{ messageId: "first-1", body: email }] } as SQSEvent, context as never);
    await t.inPage;
    await updateAccount(t.repo, email, pausePatch((await loadAccount(t.repo, email))!), now);
    t.open();
    expect((await running).batchItemFailures).toEqual([]);
    expect(t.deps.backfills.batches).toEqual([]);
    expect((await loadAccount(t.repo, email))?.status).toBe("paused");
  });
});

describe("a pause while a weekly run reads stops its digest (helper-60 finding 7)", () => {
  it("the owner pauses during the read: nothing is claimed or sent, and the account stays paused", async () => {
    const email = "paused-midway@acme.example";
    const t = await setup(email);
    let sent = 0;
    const provider = t.deps.providerFor();
    (provider as unknown as { send: () => Promise<{ id: string }> }).send = async () => (sent++, { id: "sent" });
    const running = createWorkerHandler(() => t.deps)({ Records: [{ messageId: "weekly-1", body: email }] } as SQSEvent);
    await t.inPage;
    // The one-tap pause from last week's digest, while this run waits on the provider.
    const account = (await loadAccount(t.repo, email))!;
    await updateAccount(t.repo, email, pausePatch(account), now);
    t.open();
    expect((await running).batchItemFailures).toEqual([]);
    expect(sent).toBe(0);
    expect(await t.repo.query({ pk: `ACCOUNT#${email}` }.pk, "DIGEST#")).toEqual([]);
    expect((await loadAccount(t.repo, email))?.status).toBe("paused");
  });
});
