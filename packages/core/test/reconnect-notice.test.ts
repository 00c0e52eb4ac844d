/**
 * The reconnect notice is marked sent only once it was sent (helper-105 #1): a worker killed while
 * SES had the notice (no answer, the Lambda's timeout) left the account stamped "notified", every
 * redelivery skipped it, and the owner never heard that their digests had stopped.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadAccount, saveAccount } from "@followthrough/core/accounts";
import { revokedHandler, runAccountJob } from "@followthrough/core/dispatch";
import { NOTICE_CLAIM_STALE_MS } from "@followthrough/core/limits";
import { MemoryMailer, noticeState, type SystemMailer } from "@followthrough/core/reconnect";
import { ProviderError } from "@followthrough/core/resilience";
import { randomKeyring } from "@followthrough/core/secrets";
import { type LocalDynamo, Repository, startLocalDynamo } from "@followthrough/core/storage";

const BASE = "https://app.example";

/** A mailer SES never answers (the worker is killed in the send); `inSes` settles once the send began. */
function neverAnswers(): { mailer: SystemMailer; inSes: Promise<void> } {
  let handed!: () => void;
  const inSes = new Promise<void>((r) => (handed = r));
  return { mailer: { send: () => (handed(), new Promise<void>(() => undefined)) }, inSes };
}
const KEY = "k".repeat(32);

describe.each(["dynalite", "dynamodb-local"] as const)("the reconnect notice on %s", (engine) => {
  let db: LocalDynamo;
  let repo: Repository;
  beforeAll(async () => {
    db = await startLocalDynamo({ engine });
    repo = new Repository(db.doc, db.tableName);
  });
  afterAll(() => db?.stop());

  const connect = (email: string, connectedAt: number) =>
    saveAccount(repo, randomKeyring(), { email, provider: "google", clientId: "c", refreshToken: "r", connectedAt, aliases: [], timeZone: "Europe/Paris", status: "active" });
  const job = (email: string, now: number, notify: SystemMailer, run: () => Promise<unknown> = async () => undefined) =>
    runAccountJob({ repo, email, owner: `w-${now}`, now, leaseMs: 60_000, onRevoked: revokedHandler(notify, BASE, KEY) }, run);
  const revoked = async () => {
    throw new ProviderError("auth-revoked", "invalid_grant", 400);
  };

  it("a run lost while SES had the notice: the record's redelivery sends it once the claim is stale, and only once", async () => {
    const email = `lost-${engine}@acme.io`;
    const t0 = Date.parse("2026-11-30T09:00:00Z");
    await connect(email, t0 - 86_400_000);
    // The first run finds the grant gone; SES takes the notice and never answers (the worker is killed).
    const ses = neverAnswers();
    void job(email, t0, ses.mailer, revoked);
    await ses.inSes;
    const lost = (await loadAccount(repo, email))!;
    expect(lost.status).toBe("needs_reconnect");
    expect(lost.reconnectNotifiedAt).toBeUndefined();
    expect(noticeState(lost, t0)).toBe("sending");

    const mailer = new MemoryMailer();
    // Delivered again while the claim is fresh (another run may be sending it): back later, nothing sent.
    expect(await job(email, t0 + 60_000, mailer)).toBe("busy");
    expect(mailer.sent).toHaveLength(0);
    // Delivered again after the queue's visibility timeout: the claim is stale, the notice goes.
    const later = t0 + NOTICE_CLAIM_STALE_MS;
    expect(await job(email, later, mailer)).toBe("revoked");
    expect(mailer.sent.map((m) => m.to)).toEqual([email]);
    expect(mailer.sent[0]!.text).toMatch(new RegExp(`^Reconnect: ${BASE}/l/reconnect/`, "m"));
    const sent = (await loadAccount(repo, email))!;
    expect(sent).toMatchObject({ status: "needs_reconnect", reconnectNotifiedAt: later, reconnectReason: "auth-revoked" });
    expect(sent.reconnectNotifyingAt).toBeUndefined();
    expect(noticeState(sent, later + 3_600_000)).toBe("sent");
    // Any later delivery: skipped, no second notice.
    expect(await job(email, later + 3_600_000, mailer)).toBe("skipped");
    expect(mailer.sent).toHaveLength(1);
  });

  it("a long run that finds the grant gone late claims the notice at that time: another delivery meanwhile waits", async () => {
    const email = `late-${engine}@acme.io`;
    const t0 = Date.parse("2026-11-30T12:00:00Z");
    await connect(email, t0 - 86_400_000);
    // A backfill record that began at t0 finds the grant gone 11 minutes in; SES is slow to answer.
    const found = t0 + 11 * 60_000;
    const ses = neverAnswers();
    void runAccountJob({ repo, email, owner: "backfill", now: t0, clock: () => found, leaseMs: 16 * 60_000, onRevoked: revokedHandler(ses.mailer, BASE, KEY) }, revoked);
    await ses.inSes;
    expect((await loadAccount(repo, email))!.reconnectNotifyingAt).toBe(found);
    // A second later another record of the account arrives while that send is in SES: it waits.
    const mailer = new MemoryMailer();
    expect(await job(email, found + 1_000, mailer)).toBe("busy");
    expect(mailer.sent).toHaveLength(0);
  });

  it("two runs finding the grant gone at once send one notice; an account notified before claims existed stays notified", async () => {
    const email = `twice-${engine}@acme.io`;
    const t0 = Date.parse("2026-11-30T10:00:00Z");
    await connect(email, t0 - 86_400_000);
    const mailer = new MemoryMailer();
    // Two runs (a weekly run and an event job, under no common lease by then) report the same failure.
    const account = (await loadAccount(repo, email))!;
    const handler = revokedHandler(mailer, BASE, KEY);
    const failure = new ProviderError("auth-revoked", "invalid_grant", 400);
    await Promise.all([handler(repo, account, failure, t0), handler(repo, account, failure, t0 + 1)]);
    expect(mailer.sent).toHaveLength(1);
    expect((await loadAccount(repo, email))!.reconnectNotifiedAt).toBeGreaterThanOrEqual(t0);
    expect(await job(email, t0 + NOTICE_CLAIM_STALE_MS * 2, mailer)).toBe("skipped");
    expect(mailer.sent).toHaveLength(1);

    const old = `notified-${engine}@acme.io`;
    await saveAccount(repo, randomKeyring(), { email: old, provider: "google", clientId: "c", refreshToken: "r", connectedAt: 1, aliases: [], timeZone: "UTC", status: "needs_reconnect", reconnectReason: "auth-revoked", reconnectNotifiedAt: 2 });
    expect(await job(old, t0, mailer)).toBe("skipped");
    expect(mailer.sent).toHaveLength(1);
  });

  it("a notice sent whose stamp the table refuses is retried, and never fails the record (which would send it again)", async () => {
    for (const refusals of [2, 5]) {
      const email = `stamp-${refusals}-${engine}@acme.io`;
      const t0 = Date.parse("2026-11-30T13:00:00Z");
      await connect(email, t0 - 86_400_000);
      let left = refusals;
      const doc = new Proxy(db.doc, {
        get(target, prop) {
          const real = Reflect.get(target, prop, target);
          if (prop !== "send") return typeof real === "function" ? real.bind(target) : real;
          return async (cmd: { input?: { UpdateExpression?: string } }) => {
            if (cmd.input?.UpdateExpression?.startsWith("SET #a.#n = :at") && left-- > 0) throw Object.assign(new Error("Throughput exceeds the current capacity"), { name: "ProvisionedThroughputExceededException" });
            return (real as (c: unknown) => Promise<unknown>).call(target, cmd);
          };
        },
      });
      const flaky = new Repository(doc, db.tableName);
      const mailer = new MemoryMailer();
      const account = (await loadAccount(repo, email))!;
      await revokedHandler(mailer, BASE, KEY)(flaky, account, new ProviderError("auth-revoked", "invalid_grant", 400), t0);
      expect(mailer.sent).toHaveLength(1);
      // Twice refused: stamped at the third attempt. Refused every time: sent, logged, and not thrown.
      expect((await loadAccount(repo, email))!.reconnectNotifiedAt).toBe(refusals < 3 ? t0 : undefined);
    }
  });

  it("a send that fails removes the claim: the next delivery sends at once", async () => {
    const email = `refused-${engine}@acme.io`;
    const t0 = Date.parse("2026-11-30T11:00:00Z");
    await connect(email, t0 - 86_400_000);
    const refusing: SystemMailer = {
      send: async () => {
        throw new Error("Throttling: Maximum sending rate exceeded.");
      },
    };
    await expect(job(email, t0, refusing, revoked)).rejects.toThrow("Throttling");
    const marked = (await loadAccount(repo, email))!;
    expect(marked.reconnectNotifyingAt).toBeUndefined();
    expect(noticeState(marked, t0)).toBe("due");
    const mailer = new MemoryMailer();
    expect(await job(email, t0 + 1_000, mailer)).toBe("revoked");
    expect(mailer.sent).toHaveLength(1);
  });

  it("a claim the table applied whose answer was lost (the SDK tries it again, and its condition now fails on that claim) is the run's own: the notice goes, once (helper-189 #3)", async () => {
    const email = `lost-claim-${engine}@acme.io`;
    const t0 = Date.parse("2026-11-30T15:00:00Z");
    await connect(email, t0 - 86_400_000);
    // Below the SDK's retries: the first claim reaches the table, then its answer is lost to a reset.
    let dropped = 0;
    const drop = (next: (a: { input: Record<string, unknown> }) => Promise<unknown>) => async (args: { input: { ExpressionAttributeNames?: Record<string, string>; UpdateExpression?: string } }) => {
      const out = await next(args);
      if (dropped === 0 && args.input.ExpressionAttributeNames?.["#k"] === "reconnectNotifyingAt" && /^SET /.test(args.input.UpdateExpression ?? "")) {
        dropped++;
        throw Object.assign(new Error("socket hang up"), { code: "ECONNRESET", $metadata: {} });
      }
      return out;
    };
    db.doc.middlewareStack.add(drop as never, { step: "deserialize", name: "dropClaimAnswer" });
    const mailer = new MemoryMailer();
    try {
      expect(await job(email, t0, mailer, revoked)).toBe("revoked");
    } finally {
      db.doc.middlewareStack.remove("dropClaimAnswer");
    }
    expect(dropped).toBe(1);
    expect(mailer.sent.map((m) => m.to)).toEqual([email]);
    const after = (await loadAccount(repo, email))!;
    expect(after).toMatchObject({ status: "needs_reconnect", reconnectNotifiedAt: t0 });
    expect(after.reconnectNotifyingAt).toBeUndefined();
    expect(await job(email, t0 + NOTICE_CLAIM_STALE_MS + 1, mailer)).toBe("skipped");
    expect(mailer.sent).toHaveLength(1);
  });
});
