/**
 * The Lambda handlers' real logic, run locally: dynalite as the table, the provider sandbox as
 * Gmail/Graph/OAuth, an in-memory queue sender in place of SQS, and EventBridge- and SQS-shaped
 * events. Deps are built by resources.ts's buildDeps, the same function the Lambdas use.
 */
import { loadProvider } from "@followthrough/core/loader";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import type { ScheduledEvent, SQSEvent, SQSRecord } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AccountRecord, accountsDue, loadAccount, saveAccount, updateAccount } from "@followthrough/core/accounts";
import { dispatchDue, dueWeeklyBody, SEND_CONCURRENCY, WEEKLY_GUARD_MS } from "@followthrough/core/dispatch";
import { acquireLease, leaseKey, releaseLease } from "@followthrough/core/lease";
import { openLink } from "@followthrough/core/links";
import { memorySender } from "@followthrough/core/queue";
import { MemoryMailer } from "@followthrough/core/reconnect";
import { dueSlot, isoWeek, utcHourOfWeek } from "@followthrough/core/schedule";
import { randomKeyring } from "@followthrough/core/secrets";
import { ensureTable, keys, type LocalDynamo, Repository, startLocalDynamo } from "@followthrough/core/storage";
import { loadFixture, type MailboxFixture, type RunningSandbox, sandboxAgent, startSandbox } from "@followthrough/sandbox";
import { connectSandboxAccount } from "../../packages/cli/src/sandbox-consent";
import { createBackfillHandler } from "../src/handlers/backfill";
import { createDispatchHandler } from "../src/handlers/dispatch";
import { createWorkerHandler, parseContinuation, WORKER_LEASE_MS } from "../src/handlers/worker";

/** The accounts a dispatch queued (its bodies name the account and the slot; event jobs as they are). */
const accountsIn = (bodies: string[]) => bodies.map((b) => parseContinuation(b)?.acc ?? b);
import { buildDeps, type Deps } from "../src/resources";
import { checkThenClose } from "../../test/support/refusals";

const root = join(import.meta.dirname, "../..");
const BASE_URL = "https://app.followthrough.test";
const LINK_KEY = "handlers-test-link-key";

/** An EventBridge scheduled event as the Dispatch rule delivers it. */
function scheduledEvent(time: string): ScheduledEvent {
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": "Scheduled Event",
    source: "aws.events",
    account: "123456789012",
    time,
    region: "us-east-1",
    resources: ["arn:aws:events:us-east-1:123456789012:rule/followthrough-dev-DispatchRule"],
    detail: {},
  };
}

/** An SQS record as Lambda's event source mapping delivers it (a redelivery keeps the messageId). */
function sqsRecord(body: string, messageId: string = randomUUID(), receiveCount = 1): SQSRecord {
  return {
    messageId,
    receiptHandle: `AQEB${randomUUID()}`,
    body,
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: String(Date.now()),
      SenderId: "AIDAEXAMPLE",
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: "0".repeat(32),
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:us-east-1:123456789012:followthrough-dev-DigestsQueue",
    awsRegion: "us-east-1",
  };
}
const sqsEvent = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

/** The local (ISO weekday, hour) of an instant in a zone. */
function localDayHour(at: number, timeZone: string): { day: number; hour: number } {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone, weekday: "short", hour: "numeric", hourCycle: "h23" }).formatToParts(at);
  const wd = parts.find((p) => p.type === "weekday")!.value;
  const day = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].indexOf(wd) + 1;
  return { day, hour: Number(parts.find((p) => p.type === "hour")!.value) };
}

let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startLocalDynamo();
});
afterAll(() => dynamo?.stop());

describe("dispatch handler (EventBridge, every quarter hour)", () => {
  // Monday 2 March 2026, 14:00 UTC: slot 14.
  const at = Date.parse("2026-03-02T14:00:00Z");
  const zones = ["UTC", "Europe/London", "Europe/Berlin", "America/New_York", "America/Los_Angeles", "Asia/Tokyo", "Australia/Melbourne", "Pacific/Auckland"];
  // Zones off the whole hour: at 14:00 UTC the local hour began at 13:30 (St John's, India) or 13:15 (Nepal).
  const offHour = { "America/St_Johns": "2026-03-02T13:30:00Z", "Asia/Kolkata": "2026-03-02T13:30:00Z", "Asia/Kathmandu": "2026-03-02T13:15:00Z" } as const;
  let repo: Repository;
  const due: string[] = [];

  beforeAll(async () => {
    await ensureTable(dynamo.client, "dispatch");
    repo = new Repository(dynamo.doc, "dispatch");
    const ring = randomKeyring();
    const base = { provider: "google" as const, clientId: "c", refreshToken: "r", connectedAt: at, aliases: [] };
    const save = (email: string, timeZone: string, schedule: { day: number; hour: number }, status: AccountRecord["status"] = "active") =>
      saveAccount(repo, ring, { ...base, email, displayName: email, timeZone, schedule, status });
    // 22 accounts due at 14:00 UTC on Monday, whatever their whole-hour zone.
    for (let i = 0; i < 22; i++) {
      const zone = zones[i % zones.length];
      const email = `due${String(i).padStart(2, "0")}@example.com`;
      await save(email, zone, localDayHour(at, zone));
      due.push(email);
    }
    // The local hour of 14:00 UTC in zones off the whole hour: due at the quarter it began, not at 14:00.
    // (Connected just before it, so that today's occurrence is the next one: St John's changes to
    // daylight time before next Monday.)
    for (const [zone, iso] of Object.entries(offHour))
      await saveAccount(repo, ring, { ...base, connectedAt: Date.parse(iso) - 60_000, email: `off-${zone.split("/")[1].toLowerCase()}@example.com`, displayName: zone, timeZone: zone, schedule: localDayHour(at, zone), status: "active" });
    // Due an hour later, a day later: not now.
    await save("later@example.com", "Europe/Berlin", { ...localDayHour(at, "Europe/Berlin"), hour: (localDayHour(at, "Europe/Berlin").hour + 1) % 24 });
    await save("tomorrow@example.com", "Asia/Tokyo", { ...localDayHour(at, "Asia/Tokyo"), day: (localDayHour(at, "Asia/Tokyo").day % 7) + 1 });
    await save("default@example.com", "America/New_York", { day: 1, hour: 8 });
    // Due now, but paused or disconnected: never sent.
    await save("paused@example.com", "UTC", localDayHour(at, "UTC"), "paused");
    await save("revoked@example.com", "Asia/Tokyo", localDayHour(at, "Asia/Tokyo"), "needs_reconnect");
  });

  const depsWith = (queue: ReturnType<typeof memorySender>): Deps => buildDeps({ loader: loadProvider, tableName: "dispatch", doc: dynamo.doc, digests: queue, now: () => at });

  it("sends the due accounts, and only those, in ceil(N/10) batches of at most ten", async () => {
    expect(utcHourOfWeek(at)).toBe(14);
    for (const email of due) expect(dueSlot((await loadAccount(repo, email))!.schedule!, (await loadAccount(repo, email))!.timeZone, at)).toBe(14);
    const queue = memorySender();
    // A few minutes late: still the 14:00 slot.
    const result = await createDispatchHandler(() => depsWith(queue))(scheduledEvent("2026-03-02T14:00:41Z"));
    expect(result).toMatchObject({ slot: 14, due: 22, sent: 22, batches: 3, failed: [] });
    expect(queue.batches.map((b) => b.length)).toEqual([10, 10, 2]);
    expect(accountsIn(queue.batches.flat()).sort()).toEqual([...due].sort());
    // Each names the slot it was found due for (the worker names the week after it).
    for (const b of queue.batches.flat()) {
      const p = parseContinuation(b)!;
      // And the week its index was derived for, in the account's zone.
      expect(p).toEqual({ acc: expect.any(String), slot: at, week: isoWeek(at, (await loadAccount(repo, p.acc))!.timeZone), due: true });
    }
  });

  it("an index whose week is not its occurrence's (a dueAt rewritten by a release that did not know dueWeek) names no week: the worker names it by the slot (helper-165 #2)", async () => {
    const key = keys.account(due[0]);
    const item = (await repo.get<{ dueWeek: string }>(key))!;
    const zone = (await loadAccount(repo, due[0]))!.timeZone;
    expect(item.dueWeek).toBe(isoWeek(at, zone));
    await repo.put({ ...item, dueWeek: isoWeek(at - 7 * 86_400_000, zone) });
    try {
      const queue = memorySender();
      await dispatchDue({ repo, queue, at });
      const bodies = queue.batches.flat().map((b) => parseContinuation(b)!);
      expect(bodies.find((b) => b.acc === due[0])).toEqual({ acc: due[0], slot: at, due: true });
      expect(bodies.find((b) => b.acc === due[1])?.week).toBe(isoWeek(at, (await loadAccount(repo, due[1]))!.timeZone));
    } finally {
      await repo.put(item);
    }
  });

  it("pages through the due-hour index without losing or repeating anyone", async () => {
    const queue = memorySender();
    const result = await dispatchDue({ repo, queue, at, pageSize: 7 });
    expect(result).toMatchObject({ due: 22, sent: 22, batches: 3 });
    expect(accountsIn(queue.batches.flat()).sort()).toEqual([...due].sort());
    expect((await accountsDue(repo, 14, undefined, 100)).emails).toHaveLength(22);
  });

  it("keeps up to SEND_CONCURRENCY batches in flight; a batch that throws fails the dispatch once the others have settled", async () => {
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    /** Waits until `ok()` or `ms` have passed. */
    const until = async (ok: () => boolean, ms = 5000) => {
      for (const end = Date.now() + ms; !ok() && Date.now() < end; ) await sleep(1);
    };
    /** A queue that answers a call only when the test releases it, counting the calls it holds at once; call `fails` throws. */
    const gatedQueue = (fails?: number) => {
      const sent = memorySender();
      const q = {
        held: 0,
        most: 0,
        calls: 0,
        gates: [] as (() => void)[],
        sent,
        release: () => q.gates.splice(0).forEach((open) => open()),
        sendBatch: async (bodies: string[]) => {
          if (++q.calls === fails) throw new Error("SQS down");
          q.most = Math.max(q.most, ++q.held);
          await new Promise<void>((open) => q.gates.push(open));
          q.held--;
          return sent.sendBatch(bodies);
        },
      };
      return q;
    };
    /** Runs a dispatch over `queue`, releasing its calls once `ready()` or a few seconds have passed; the most it held by then. */
    const dispatchHeld = async (over: Repository, queue: ReturnType<typeof gatedQueue>, ready: () => boolean) => {
      const run = dispatchDue({ repo: over, queue, at, pageSize: 100 });
      await until(ready);
      await sleep(20); // nothing more is sent while they are held
      const most = queue.most;
      const opening = setInterval(queue.release, 1);
      try {
        return { result: await run, most };
      } finally {
        clearInterval(opening);
      }
    };
    // One page of the index: its three batches go out together (one at a time, the first held, `most` was 1).
    const three = gatedQueue();
    const a = await dispatchHeld(repo, three, () => three.held === 3);
    expect(a.result).toMatchObject({ due: 22, sent: 22, batches: 3, failed: [] });
    expect(a.most).toBe(3);
    expect(accountsIn(three.sent.batches.flat()).sort()).toEqual([...due].sort());
    // 95 accounts due: ten batches, never more than SEND_CONCURRENCY of them at once, every account sent once.
    await ensureTable(dynamo.client, "dispatch-many");
    const many = new Repository(dynamo.doc, "dispatch-many");
    const ring = randomKeyring();
    const emails = Array.from({ length: 95 }, (_, i) => `many${String(i).padStart(2, "0")}@example.com`);
    for (const email of emails)
      await saveAccount(many, ring, { provider: "google", clientId: "c", refreshToken: "r", connectedAt: at, aliases: [], email, displayName: email, timeZone: "UTC", schedule: localDayHour(at, "UTC"), status: "active" });
    const ten = gatedQueue();
    const b = await dispatchHeld(many, ten, () => ten.held === SEND_CONCURRENCY);
    expect(b.result).toMatchObject({ due: 95, sent: 95, batches: 10, failed: [] });
    expect(b.most).toBe(SEND_CONCURRENCY);
    expect(accountsIn(ten.sent.batches.flat()).sort()).toEqual(emails);
    // A queue that throws (the SDK's failure, not entries refused): the dispatch fails, once the batches it holds are answered.
    const broken = gatedQueue(2);
    let done = false;
    const failing = dispatchDue({ repo: many, queue: broken, at, pageSize: 100 }).finally(() => {
      done = true;
    });
    failing.catch(() => undefined);
    await until(() => broken.held > 0);
    await sleep(20);
    expect(done).toBe(false);
    broken.release();
    await expect(failing).rejects.toThrow(/SQS down/);
    expect(broken.held).toBe(0);
  });

  it("retries entries the queue refused once, and fails the invocation when they fail again", async () => {
    const queue = memorySender();
    const bodyOf = async (email: string) => dueWeeklyBody(email, at, isoWeek(at, (await loadAccount(repo, email))!.timeZone));
    queue.failNext.add(await bodyOf(due[3])).add(await bodyOf(due[15]));
    const result = await createDispatchHandler(() => depsWith(queue))(scheduledEvent("2026-03-02T14:00:00Z"));
    expect(result).toMatchObject({ sent: 22, batches: 4, failed: [] });
    expect(accountsIn(queue.calls[3]).sort()).toEqual([due[3], due[15]].sort());
    expect(accountsIn(queue.batches.flat()).sort()).toEqual([...due].sort());

    const always = { sendBatch: async (b: string[]) => ({ failed: b.filter((x) => accountsIn([x])[0] === due[0]) }) };
    await expect(createDispatchHandler(() => buildDeps({ loader: loadProvider, tableName: "dispatch", doc: dynamo.doc, digests: always }))(scheduledEvent("2026-03-02T14:00:00Z"))).rejects.toThrow(
      /1 of 22 accounts not queued/,
    );
  });

  it("zones off the whole hour are sent at the quarter their local hour begins (19:00 in India is 13:30 UTC)", async () => {
    for (const [zone, iso] of Object.entries(offHour)) {
      const queue = memorySender();
      const result = await createDispatchHandler(() => depsWith(queue))(scheduledEvent(iso));
      expect(accountsIn(queue.batches.flat()), zone).toContain(`off-${zone.split("/")[1].toLowerCase()}@example.com`);
      expect(result.slot).toBe(utcHourOfWeek(Date.parse(iso)));
      expect(result.slot % 1).not.toBe(0);
    }
  });

  it("a quarter hour no dispatch completed (a skipped schedule, a run failed for good) is dispatched by the next run", async () => {
    await repo.delete(keys.dispatched);
    // 13:45 runs; 14:00 never does; 14:15 sends 14:00's accounts as well as its own.
    await createDispatchHandler(() => depsWith(memorySender()))(scheduledEvent("2026-03-02T13:45:00Z"));
    const queue = memorySender();
    const result = await createDispatchHandler(() => depsWith(queue))(scheduledEvent("2026-03-02T14:15:00Z"));
    expect(result.slot).toBe(14.25);
    expect(accountsIn(queue.batches.flat()).sort()).toEqual(expect.arrayContaining([...due].sort()));
    expect(accountsIn(queue.batches.flat())).not.toContain("later@example.com");
    // Done: the next run catches up nothing.
    const next = memorySender();
    await createDispatchHandler(() => depsWith(next))(scheduledEvent("2026-03-02T14:30:00Z"));
    expect(accountsIn(next.batches.flat()).filter((b) => due.includes(b))).toEqual([]);
    // A slot whose queue refuses an entry for good fails its run (EventBridge retries it) but is
    // recorded: the runs after it do not send its accounts again.
    await repo.delete(keys.dispatched);
    await createDispatchHandler(() => depsWith(memorySender()))(scheduledEvent("2026-03-02T13:45:00Z"));
    const refusing = { sendBatch: async (b: string[]) => ({ failed: b.filter((x) => accountsIn([x])[0] === due[0]) }) };
    await expect(createDispatchHandler(() => buildDeps({ loader: loadProvider, tableName: "dispatch", doc: dynamo.doc, digests: refusing, now: () => at }))(scheduledEvent("2026-03-02T14:00:00Z"))).rejects.toThrow(/1 of 22/);
    const after = memorySender();
    await createDispatchHandler(() => depsWith(after))(scheduledEvent("2026-03-02T14:15:00Z"));
    expect(accountsIn(after.batches.flat()).filter((b) => due.includes(b))).toEqual([]);
    // Never further back than two hours, and never before the first dispatch recorded.
    await repo.delete(keys.dispatched);
    const first = memorySender();
    await createDispatchHandler(() => depsWith(first))(scheduledEvent("2026-03-02T14:45:00Z"));
    expect(accountsIn(first.batches.flat()).filter((b) => due.includes(b))).toEqual([]);
  });

  it("an hour with nobody due sends nothing", async () => {
    // (No quarter hour dispatched before it: nothing to catch up from the runs above, a day and a half earlier.)
    await repo.delete(keys.dispatched);
    const queue = memorySender();
    const result = await createDispatchHandler(() => depsWith(queue))(scheduledEvent("2026-03-04T03:00:00Z"));
    expect(result).toMatchObject({ due: 0, sent: 0, batches: 0 });
    expect(queue.calls).toEqual([]);
  });
});

describe("worker and backfill handlers (SQS) against the sandbox", () => {
  let sandbox: RunningSandbox;
  let repo: Repository;
  let deps: Deps;
  let google: MailboxFixture;
  let microsoft: MailboxFixture;
  const mailer = new MemoryMailer();
  const now = Date.parse("2026-10-14T23:30:00Z");

  const control = async <T>(method: string, path: string): Promise<T> => {
    const res = await fetch(new URL(path, sandbox.url), { method });
    if (!res.ok) throw new Error(`sandbox ${method} ${path}: HTTP ${res.status}`);
    return (await res.json()) as T;
  };

  /** How many copies of this week's digest the account's sandbox mailbox holds as sent. */
  async function digestsSent(f: MailboxFixture): Promise<number> {
    const email = f.account.email;
    const stored = await repo.query(keys.partition(email), keys.prefix.digest);
    const subjects = new Set(stored.map((i) => (i.digest as { subject: string }).subject));
    const enc = encodeURIComponent(email);
    const list =
      f.account.provider === "google"
        ? (await control<{ headers: Record<string, string> }[]>("GET", `/_control/accounts/${enc}/gmail/sent`)).map((m) => m.headers.Subject)
        : (await control<{ subject?: string }[]>("GET", `/_control/accounts/${enc}/graph/sent`)).map((m) => m.subject);
    return list.filter((s) => s && subjects.has(s)).length;
  }

  beforeAll(async () => {
    google = loadFixture(join(root, "fixtures/demo-google"));
    microsoft = loadFixture(join(root, "fixtures/demo-microsoft"));
    sandbox = await startSandbox({ fixtures: [google, microsoft], https: true, pageSize: { gmail: 50, calendar: 50, graph: 50 } });
    await fetch(new URL("/_control/clock", sandbox.url), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ now: new Date(now).toISOString() }) });
    repo = new Repository(dynamo.doc, dynamo.tableName);
    const ring = randomKeyring();
    for (const f of [google, microsoft]) await connectSandboxAccount(sandbox, f.account, repo, ring);
    deps = buildDeps({ loader: loadProvider,
      tableName: dynamo.tableName,
      doc: dynamo.doc,
      tokenKeyring: ring,
      linkKey: LINK_KEY,
      baseUrl: BASE_URL,
      notify: mailer,
      now: () => now,
      provider: {
        tuning: { pageSize: 50 },
        retry: { baseMs: 5, maxMs: 50 },
        microsoftFetchOptions: { agent: sandboxAgent(sandbox.ca!) } as never,
      },
    });
  });
  afterAll(async () => {
    await checkThenClose(sandbox, async () => {
      await sandbox?.close();
    });
  });

  const worker = () => createWorkerHandler(() => deps);
  const fail = (...ids: string[]) => ({ batchItemFailures: ids.map((itemIdentifier) => ({ itemIdentifier })) });

  it("reports the record of an account whose lease is held as failed, and processes the rest", async () => {
    const held = (await acquireLease(repo, { email: microsoft.account.email, name: "scan", owner: "another-worker", ttlMs: WORKER_LEASE_MS, now }))!;
    const g = sqsRecord(google.account.email);
    const m = sqsRecord(microsoft.account.email);
    expect(await worker()(sqsEvent(g, m))).toEqual(fail(m.messageId));
    expect(await digestsSent(google)).toBe(1);
    expect(await digestsSent(microsoft)).toBe(0);
    // The other worker's lease is untouched; ours was released.
    expect(await repo.get(leaseKey(microsoft.account.email, "scan"))).toMatchObject({ owner: "another-worker" });
    expect(await repo.get(leaseKey(google.account.email, "scan"))).toBeUndefined();
    expect(await releaseLease(repo, held)).toBe(true);
  });

  it("takes over a lease whose holder died (expired, not yet deleted by TTL)", async () => {
    await repo.put({ ...leaseKey(microsoft.account.email, "scan"), owner: "dead-worker", expiresAt: Math.floor(now / 1000) - 60 });
    const lease = await acquireLease(repo, { email: microsoft.account.email, name: "scan", owner: "me", ttlMs: 1000, now });
    expect(lease?.owner).toBe("me");
    expect(await acquireLease(repo, { email: microsoft.account.email, name: "scan", owner: "me-again", ttlMs: 1000, now })).toBeUndefined();
    await releaseLease(repo, lease!);
  });

  it("sends exactly one digest per account when messages are delivered twice, even concurrently", async () => {
    const m = sqsRecord(microsoft.account.email);
    const g = sqsRecord(google.account.email);
    // Two invocations at once: the same message in both (at-least-once delivery), a duplicate inside one batch.
    const [a, b] = await Promise.all([
      worker()(sqsEvent(m, g, sqsRecord(microsoft.account.email))),
      worker()(sqsEvent({ ...m, receiptHandle: "second-copy" }, sqsRecord(google.account.email))),
    ]);
    // What was reported failed (lease held by the twin) comes back, as SQS would redeliver it.
    let retry = [...a.batchItemFailures, ...b.batchItemFailures].map((f) => f.itemIdentifier);
    for (let round = 0; retry.length && round < 3; round++) {
      const all = [m, g];
      const again = await worker()(sqsEvent(...retry.map((id) => sqsRecord(all.find((r) => r.messageId === id)?.body ?? microsoft.account.email, id, round + 2))));
      retry = again.batchItemFailures.map((f) => f.itemIdentifier);
    }
    expect(retry).toEqual([]);
    expect(await digestsSent(microsoft)).toBe(1);
    expect(await digestsSent(google)).toBe(1);
    // A late redelivery finds the digest already sent.
    expect(await worker()(sqsEvent(sqsRecord(microsoft.account.email, m.messageId, 4), sqsRecord(google.account.email)))).toEqual(fail());
    expect(await digestsSent(microsoft)).toBe(1);
    expect(await digestsSent(google)).toBe(1);
    for (const f of [google, microsoft]) {
      const [d] = await repo.query(keys.partition(f.account.email), keys.prefix.digest);
      expect(d.digest).toMatchObject({ status: "sent" });
    }
  });

  it("the event plan runs beside the digest: a plan that fails fails the record (for the queue to retry), after the digest is sent and every plan write has ended, with no unhandled rejection", async () => {
    const email = microsoft.account.email;
    await updateAccount(repo, email, { lastWeeklyAt: now - WEEKLY_GUARD_MS - 1 }, now);
    // This week's digest to send again (its record removed), while the plan fails.
    for (const d of await repo.query(keys.partition(email), keys.prefix.digest)) await repo.delete({ pk: String(d.pk), sk: String(d.sk) });
    // The table refuses the plan's first write at once; its other writes take a while and succeed.
    let refusedOne = false;
    const writesEnded: number[] = [];
    const refusing = new Proxy(repo, {
      get(target, prop) {
        const real = Reflect.get(target, prop, target);
        if (prop !== "put" && prop !== "putIf") return typeof real === "function" ? real.bind(target) : real;
        return async (item: { sk?: string }, ...rest: unknown[]) => {
          const write = () => (real as (...a: unknown[]) => Promise<unknown>).call(target, item, ...rest);
          if (!String(item.sk).startsWith("EVJOB#")) return write();
          if (!refusedOne) {
            refusedOne = true;
            throw new Error("ProvisionedThroughputExceededException: the plan's write");
          }
          await new Promise((done) => setTimeout(done, 150));
          const result = await write();
          writesEnded.push(Date.now());
          return result;
        };
      },
    });
    const logged: string[] = [];
    const log = console.log;
    console.log = (...args: unknown[]) => void logged.push(args.map(String).join(" "));
    const r = sqsRecord(email);
    let answer;
    try {
      answer = await createWorkerHandler(() => ({ ...deps, repo: refusing }))(sqsEvent(r));
    } finally {
      console.log = log;
    }
    const ended = Date.now();
    expect(answer).toEqual(fail(r.messageId));
    expect(refusedOne).toBe(true);
    // The plan's other writes had all ended when the handler answered: none outlived the lease.
    expect(writesEnded.length).toBeGreaterThan(0);
    expect(Math.max(...writesEnded)).toBeLessThanOrEqual(ended);
    expect(await repo.get(leaseKey(email, "scan"))).toBeUndefined();
    // The digest was sent meanwhile, and the log says so before the record fails.
    expect(await digestsSent(microsoft)).toBe(2);
    expect(logged.some((l) => l.includes('"msg":"weekly"') && l.includes('"digest":"sent"'))).toBe(true);
  });

  it("handles a revoked grant without a retry: needs_reconnect, one reconnect email, off the due index", async () => {
    const email = google.account.email;
    // This week's run happened in an earlier test; make this a later week's (the weekly guard skips a re-run within hours).
    await updateAccount(repo, email, { lastWeeklyAt: now - WEEKLY_GUARD_MS - 1 }, now);
    await control("POST", `/_control/accounts/${encodeURIComponent(email)}/revoke`);
    const before = (await loadAccount(repo, email))!;
    const slot = dueSlot(before.schedule ?? { day: 1, hour: 8 }, before.timeZone, now);
    expect((await accountsDue(repo, slot)).emails).toContain(email.toLowerCase());

    // The mailer refuses the notice once (SES throttled, a recipient not yet verified): the record
    // fails, and its next delivery sends the notice.
    const r = sqsRecord(email);
    const send = mailer.send.bind(mailer);
    mailer.send = async () => {
      mailer.send = send;
      throw new Error("Throttling: Maximum sending rate exceeded.");
    };
    expect(await worker()(sqsEvent(r))).toEqual(fail(r.messageId));
    const marked = (await loadAccount(repo, email))!;
    expect(marked.status).toBe("needs_reconnect");
    expect(marked.reconnectNotifiedAt).toBeUndefined();
    expect(mailer.sent.filter((x) => x.to === email)).toHaveLength(0);
    expect(await worker()(sqsEvent(r))).toEqual(fail());
    const after = (await loadAccount(repo, email))!;
    expect(after.status).toBe("needs_reconnect");
    // The reason found at the first delivery.
    expect(after.reconnectReason).toBe(marked.reconnectReason);
    expect(mailer.sent.filter((x) => x.to === email)).toHaveLength(1);
    // Its link is sealed with the deployment's link key: the account is in the token, not in the URL.
    const link = /^Reconnect: (\S+)$/m.exec(mailer.sent[0].text)?.[1] ?? "";
    expect(link.startsWith(`${BASE_URL}/l/reconnect/`)).toBe(true);
    for (const s of [email, encodeURIComponent(email), "login_hint"]) expect(link.toLowerCase()).not.toContain(s.toLowerCase());
    expect(openLink(LINK_KEY, link.split("/").at(-1)!, now, { act: "reconnect" }).acc).toBe(email.toLowerCase());
    expect((await accountsDue(repo, slot)).emails).not.toContain(email.toLowerCase());
    // Delivered again: skipped (not active), still not a failure, no second email.
    expect(await worker()(sqsEvent(sqsRecord(email)))).toEqual(fail());
    expect(mailer.sent.filter((x) => x.to === email)).toHaveLength(1);
    expect(await digestsSent(google)).toBe(1);
  });

  it("backfill scans once under the lease, and reports a held lease as failed", async () => {
    const email = microsoft.account.email;
    const backfill = createBackfillHandler(() => deps);
    const held = (await acquireLease(repo, { email, name: "scan", owner: "weekly-worker", ttlMs: WORKER_LEASE_MS, now }))!;
    const r = sqsRecord(email);
    expect(await backfill(sqsEvent(r))).toEqual(fail(r.messageId));
    await releaseLease(repo, held);
    expect(await backfill(sqsEvent(r))).toEqual(fail());
    expect((await repo.loadMeetings(email)).length).toBeGreaterThan(0);
    expect(await repo.get(leaseKey(email, "scan"))).toBeUndefined();
  });

  it("puts back records it has no time left to start", async () => {
    const r1 = sqsRecord(microsoft.account.email);
    const r2 = sqsRecord(microsoft.account.email);
    expect(await worker()(sqsEvent(r1, r2), { getRemainingTimeInMillis: () => 30_000 })).toEqual(fail(r1.messageId, r2.messageId));
  });
});
