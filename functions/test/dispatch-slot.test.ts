/**
 * The dispatcher's record names the slot it was found due for, and the weekly run names its week
 * after that slot: an owner who moves the digest an hour later (or whose zone moves west) between
 * the dispatch and the run still gets this week's digest, once (helper-60 finding 1: the run named
 * last week's occurrence, found that digest sent, and the re-dispatch at the new hour was skipped
 * by the 20-hour guard, so the week had none).
 */
import type { SQSEvent } from "aws-lambda";
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KEEP_PAST_OCCURRENCE_MS, loadAccount, saveAccount, updateAccount } from "@followthrough/core/accounts";
import { type EventJobItem, planEventJobs } from "@followthrough/core/events";
import type { Meeting } from "@followthrough/core/model";
import { putMeetings } from "@followthrough/core/storage";
import { randomKeyring } from "@followthrough/core/secrets";
import { storeConnection } from "@followthrough/core/connect";
import { dispatchDue, dueWeeklyBody, markDispatched, missedSlots, runAccountJob } from "@followthrough/core/dispatch";
import type { MailboxProvider } from "@followthrough/core/providers";
import { memorySender } from "@followthrough/core/queue";
import { keys, type LocalDynamo, Repository, startLocalDynamo } from "@followthrough/core/storage";
import { createWorkerHandler } from "../src/handlers/worker";

const WEEK = 7 * 86_400_000;
/** Dispatched bodies without the week they name (core/dispatch dueWeeklyBody `week`), for the tests that look at the slot. */
const bare = (bodies: string[]) => bodies.map((b) => (b.startsWith("{") ? JSON.stringify({ ...JSON.parse(b), week: undefined }) : b));
/** Monday 2 November 2026, 08:00 in London (GMT). */
const slot = Date.parse("2026-11-02T08:00:00Z");

let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startLocalDynamo();
}, 60_000);
afterAll(() => dynamo?.stop());

/** An account with nothing new to read, whose digests are counted by the week they name. */
async function setup(table: string, schedule = { day: 1, hour: 8 }) {
  const repo = new Repository(dynamo.doc, dynamo.tableName);
  const email = `${table}@acme.example`;
  let clock = slot - WEEK;
  const weeks: string[] = [];
  const nothing = { page: async (c?: { generation?: number }) => ({ upserts: [], deletes: [], next: { mode: "incremental", cursor: "c", generation: c?.generation ?? 1 }, done: true }) };
  const provider = {
    calendar: nothing,
    sentMail: nothing,
    send: async (m: { headers?: Record<string, string> }) => (weeks.push(m.headers?.["X-Followthrough-Week"] ?? "?"), { id: `sent-${weeks.length}` }),
    sentRecently: async () => false,
  } as unknown as MailboxProvider;
  // Connected a week before the slot (after the clocks went back: its due index is GMT's).
  await saveAccount(repo, randomKeyring(), { email, aliases: [], displayName: "Owner", timeZone: "Europe/London", provider: "google", clientId: "c", refreshToken: "r", status: "active", connectedAt: clock, schedule });
  const queue = memorySender();
  const worker = createWorkerHandler(() => ({ repo, now: () => clock, providerFor: () => provider, onRevoked: async () => {}, linkKey: "k", baseUrl: "https://app.followthrough.test", digests: queue }));
  const mine = (bodies: string[]) => bodies.filter((b) => b.includes(`"${email}"`) || b === email);
  /** The dispatch of `at`'s quarter hour: this account's records. */
  const dispatch = async (at: number) => {
    clock = at;
    const before = queue.batches.flat().length;
    await dispatchDue({ repo, queue, at });
    return mine(queue.batches.flat().slice(before));
  };
  const work = async (bodies: string[], at: number) => {
    clock = at;
    const r = await worker({ Records: bodies.map((body, i) => ({ messageId: `m${at}-${i}`, body })) } as SQSEvent);
    expect(r.batchItemFailures).toEqual([]);
  };
  const stored = async () => (await repo.query(keys.partition(email), keys.prefix.digest)).map((i) => String(i.sk).slice(keys.prefix.digest.length)).sort();
  return { repo, email, weeks, dispatch, work, stored, setClock: (t: number) => (clock = t) };
}

describe("a weekly run names the week of the slot it was dispatched for", () => {
  it("the digest moved an hour later between the dispatch and the run: this week's digest is sent, once", async () => {
    const t = await setup("moved");
    // Last week, as scheduled.
    const last = await t.dispatch(slot - WEEK);
    expect(bare(last)).toEqual([dueWeeklyBody(t.email, slot - WEEK)]);
    await t.work(last, slot - WEEK + 60_000);
    expect(t.weeks).toEqual(["2026-W44"]);
    // This week: dispatched at 08:00; the owner moves the digest to 09:00 a moment later; the run
    // comes a minute after the slot (a queue delay at a busy hour can be longer).
    const now = await t.dispatch(slot);
    t.setClock(slot + 30_000);
    await updateAccount(t.repo, t.email, { schedule: { day: 1, hour: 9 } }, slot + 30_000);
    await t.work(now, slot + 60_000);
    expect(t.weeks).toEqual(["2026-W44", "2026-W45"]);
    // The new hour's dispatch (if the index still names it) finds the week done.
    for (let q = slot + 15 * 60_000; q <= slot + 2 * 3_600_000; q += 15 * 60_000) {
      const due = await t.dispatch(q);
      if (due.length) await t.work(due, q + 60_000);
    }
    expect(t.weeks).toEqual(["2026-W44", "2026-W45"]);
    expect(await t.stored()).toEqual(["2026-W44", "2026-W45"]);
  });

  it("the zone changed while the record waits in the queue: the digest names the week the slot was indexed for, and none is skipped (helper-164 #2)", async () => {
    // Sunday 23:00 in London; a moment after this week's dispatch the owner moves to Tokyo, where
    // that instant is already Monday, next ISO week.
    const t = await setup("zone-queued", { day: 7, hour: 23 });
    const last = Date.parse("2026-11-01T23:00:00Z");
    await t.work(await t.dispatch(last), last + 60_000);
    const sunday = Date.parse("2026-11-08T23:00:00Z");
    const queued = await t.dispatch(sunday);
    expect(queued.map((b) => JSON.parse(b).week)).toEqual(["2026-W45"]);
    await updateAccount(t.repo, t.email, { timeZone: "Asia/Tokyo" }, sunday + 30_000);
    await t.work(queued, sunday + 60_000);
    expect(t.weeks).toEqual(["2026-W44", "2026-W45"]);
    // Tokyo's next Sunday 23:00 names the next week.
    const tokyo = Date.parse("2026-11-15T14:00:00Z");
    await t.work(await t.dispatch(tokyo), tokyo + 60_000);
    expect(t.weeks).toEqual(["2026-W44", "2026-W45", "2026-W46"]);
  });

  it("a digest moved to an earlier slot less than 20 hours after the last one, into the next week: that week's digest goes (helper-60 finding 6)", async () => {
    // Sunday 20:00 in London: the week of 2-8 November's digest goes on Sunday 8 November.
    const t = await setup("earlier", { day: 7, hour: 20 });
    const sunday = Date.parse("2026-11-08T20:00:00Z");
    const first = await t.dispatch(sunday);
    expect(bare(first)).toEqual([dueWeeklyBody(t.email, sunday)]);
    await t.work(first, sunday + 60_000);
    expect(t.weeks).toEqual(["2026-W45"]);
    // That evening the owner moves it to Monday 08:00: twelve hours on, a new week's slot.
    await updateAccount(t.repo, t.email, { schedule: { day: 1, hour: 8 } }, sunday + 3_600_000);
    const monday = Date.parse("2026-11-09T08:00:00Z");
    const next = await t.dispatch(monday);
    expect(bare(next)).toEqual([dueWeeklyBody(t.email, monday)]);
    await t.work(next, monday + 60_000);
    expect(t.weeks).toEqual(["2026-W45", "2026-W46"]);
    // A duplicate of that dispatch (EventBridge's retry, an SQS redelivery) is still skipped.
    await t.work(next, monday + 120_000);
    expect(t.weeks).toEqual(["2026-W45", "2026-W46"]);
  });

  it("an event email due in the digest's own slot keeps that slot through the weekly run's plan (helper-77 #2)", async () => {
    const t = await setup("sameslot");
    // A networking event on Monday 2 November at noon, planned the day before: its morning-of email at 08:00.
    const meetup = { id: "ev-sameslot", title: "Founders meetup", start: slot + 4 * 3_600_000, end: slot + 6 * 3_600_000, allDay: false, cancelled: false, kind: "default", organizerSelf: true, attendees: [{ email: "guest@elsewhere.example", name: "Guest" }] } as unknown as Meeting;
    await putMeetings(t.repo, t.email, [meetup], 1);
    const account = (await loadAccount(t.repo, t.email))!;
    await planEventJobs({ repo: t.repo, account, now: slot - 86_400_000 });
    const item = async () => (await t.repo.get<EventJobItem>(keys.eventJob(t.email, "morning-of", meetup.id)))?.due;
    expect(await item()).toBe(slot);
    // The 08:00 dispatch queues the digest and the email's job; the digest's run goes first and plans.
    const due = await t.dispatch(slot);
    const weekly = due.filter((b) => !b.includes('"event"'));
    expect(due.some((b) => b.includes(meetup.id))).toBe(true);
    await t.work(weekly, slot + 40_000);
    expect(t.weeks).toEqual(["2026-W45"]);
    // The queued job still finds its item where it was queued for.
    expect(await item()).toBe(slot);
  });

  it("the index of next week's occurrence coming round this week (the clocks went back between) is left for next week", async () => {
    // London, Sunday 23:00: the 25 October 2026 run (23:00 GMT, the day the clocks went back) and the
    // week before's (18 October, 22:00 UTC in BST). Re-derived after the 18 October run, the index
    // names 25 October's 23:00 UTC, whose hour of the week comes round an hour after that run.
    const t = await setup("ahead", { day: 7, hour: 22 });
    const run = Date.parse("2026-10-18T22:00:00Z");
    // The owner chose Sunday 23:00 three days before (the account's setup is dated a week later).
    await updateAccount(t.repo, t.email, { schedule: { day: 7, hour: 23 } }, run - 3 * 86_400_000);
    const first = await t.dispatch(run);
    expect(bare(first)).toEqual([dueWeeklyBody(t.email, run)]);
    await t.work(first, run + 60_000);
    expect(t.weeks).toEqual(["2026-W42"]);
    // An hour later the key is the account's, but its occurrence is next week's: nothing is queued.
    const stored = await t.repo.get<{ gsi2pk: string; dueAt: number }>(keys.account(t.email));
    expect(stored?.dueAt).toBe(Date.parse("2026-10-25T23:00:00Z"));
    t.setClock(run + 3_600_000);
    const ahead = await dispatchDue({ repo: t.repo, queue: memorySender(), at: run + 3_600_000 });
    expect(ahead).toMatchObject({ due: 0, ahead: 1, sent: 0 });
    // The week after, at 23:00 GMT, it is due.
    const next = await t.dispatch(Date.parse("2026-10-25T23:00:00Z"));
    expect(bare(next)).toEqual([dueWeeklyBody(t.email, Date.parse("2026-10-25T23:00:00Z"))]);
    await t.work(next, Date.parse("2026-10-25T23:01:00Z"));
    expect(t.weeks).toEqual(["2026-W42", "2026-W43"]);
  });

  describe("a write between a missed dispatch and its catch-up (helper-80, helper-81, helper-82)", () => {
    /** Last week sent; the dispatcher completed 07:45, and its 08:00 run is skipped. */
    const missed = async (name: string) => {
      const t = await setup(name);
      await t.work(await t.dispatch(slot - WEEK), slot - WEEK + 60_000);
      await markDispatched(t.repo, slot - 15 * 60_000);
      return t;
    };
    const catchUp = async (t: Awaited<ReturnType<typeof missed>>, at: number) => {
      const out: string[] = [];
      for (const m of await missedSlots(t.repo, at)) out.push(...(await t.dispatch(m)));
      return out;
    };
    const dueAt = async (t: Awaited<ReturnType<typeof missed>>) => (await t.repo.get<{ dueAt: number }>(keys.account(t.email)))?.dueAt;

    it("a job re-derived the index: the catch-up still sends the week's digest (helper-80 #1)", async () => {
      const t = await missed("catchup");
      expect(t.weeks).toEqual(["2026-W44"]);
      // At 08:20 an event job of the account ends and re-derives the index; at 08:30 the next run
      // catches up 08:00 and 08:15 (EventBridge is at least once, not exactly once).
      await runAccountJob({ repo: t.repo, email: t.email, owner: "event-job", now: slot + 20 * 60_000, leaseMs: 60_000 }, async () => undefined);
      const caughtUp = await catchUp(t, slot + 30 * 60_000);
      expect(bare(caughtUp)).toEqual([dueWeeklyBody(t.email, slot)]);
      await t.work(caughtUp, slot + 31 * 60_000);
      expect(t.weeks).toEqual(["2026-W44", "2026-W45"]);
    });

    it("a settings save (the same schedule): the week's digest goes", async () => {
      const t = await missed("catchup-save");
      // At 08:20 the owner saves the settings form (its schedule as it was).
      await updateAccount(t.repo, t.email, { schedule: { day: 1, hour: 8 }, signatureName: "Sam" }, slot + 20 * 60_000);
      const caughtUp = await catchUp(t, slot + 30 * 60_000);
      expect(bare(caughtUp)).toEqual([dueWeeklyBody(t.email, slot)]);
      await t.work(caughtUp, slot + 31 * 60_000);
      expect(t.weeks).toEqual(["2026-W44", "2026-W45"]);
    });

    // Resumed at 08:35, the 08:45 run catching up 08:00 to 08:30; or at 08:05, in the occurrence's own
    // quarter hour, the 08:15 run catching up 08:00. Either way its next digest is next week's.
    it.each([
      { label: "an account resumed after it is not caught up for an occurrence it was paused over (helper-81 #2)", key: "catchup-resume", resumed: 35, run: 45 },
      { label: "a resume at 08:05, in the occurrence's own quarter hour, is not caught up for it (#5)", key: "keep-resume-quarter", resumed: 5, run: 15 },
    ])("$label", async ({ key, resumed, run }) => {
      const t = await missed(key);
      await updateAccount(t.repo, t.email, { status: "paused" }, slot - 3_600_000);
      await updateAccount(t.repo, t.email, { status: "active" }, slot + resumed * 60_000);
      expect(await catchUp(t, slot + run * 60_000)).toEqual([]);
      expect(await dueAt(t)).toBe(slot + WEEK);
    });

    it("a job at 10:00:30, before the 10:00 run that catches 08:00 up: the week's digest goes (#1)", async () => {
      const t = await missed("keep-edge");
      await runAccountJob({ repo: t.repo, email: t.email, owner: "job", now: slot + 2 * 3_600_000 + 30_000, leaseMs: 60_000 }, async () => undefined);
      expect(bare(await catchUp(t, slot + 2 * 3_600_000))).toEqual([dueWeeklyBody(t.email, slot)]);
    });

    it("a reconnect of the active account at 08:20: the 08:30 catch-up still sends it (#2)", async () => {
      const t = await missed("keep-reconnect");
      const account = (await loadAccount(t.repo, t.email))!;
      const outcome = await storeConnection({
        repo: t.repo,
        ring: randomKeyring(),
        provider: "google",
        client: { clientId: "c", endpoints: { authorizationUrl: "https://a.test/auth", tokenUrl: "https://a.test/token" } } as never,
        refreshToken: "r2",
        profile: { email: t.email, aliases: [], timeZone: account.timeZone },
        now: slot + 20 * 60_000,
      });
      expect(outcome.kind).toBe("reconnected");
      expect(bare(await catchUp(t, slot + 30 * 60_000))).toEqual([dueWeeklyBody(t.email, slot)]);
    });


    it("a schedule moved to Tuesday 09:00 at 08:20: not caught up for Monday, due on Tuesday (#6)", async () => {
      const t = await missed("keep-moved");
      await updateAccount(t.repo, t.email, { schedule: { day: 2, hour: 9 } }, slot + 20 * 60_000);
      expect(await catchUp(t, slot + 30 * 60_000)).toEqual([]);
      expect(await dueAt(t)).toBe(slot + 25 * 3_600_000);
    });

    it("a schedule moved at 09:30 to 09:00, an hour already dispatched: the index names next week's 09:00, not a quarter hour gone (#6)", async () => {
      const t = await missed("keep-moved-past");
      await updateAccount(t.repo, t.email, { schedule: { day: 1, hour: 9 } }, slot + 90 * 60_000);
      expect(await dueAt(t)).toBe(slot + WEEK + 3_600_000);
    });

    it("an index still naming last week's occurrence (its run failed, nothing re-derived since), a save at 08:05: the 08:15 catch-up sends this week's (helper-83 #1)", async () => {
      const t = await setup("keep-stale");
      expect(await dueAt(t)).toBe(slot - WEEK);
      await markDispatched(t.repo, slot - 15 * 60_000);
      await updateAccount(t.repo, t.email, { signatureName: "Sam" }, slot + 5 * 60_000);
      expect(bare(await catchUp(t, slot + 15 * 60_000))).toEqual([dueWeeklyBody(t.email, slot)]);
    });

    it("a week recorded as run and then forgotten (cleared on a new connection): the index goes back to this week's occurrence (helper-84 #1)", async () => {
      const t = await setup("keep-forgotten");
      await updateAccount(t.repo, t.email, { lastWeek: "2026-W45" }, slot - 2 * 3_600_000);
      expect(await dueAt(t)).toBe(slot + WEEK);
      await updateAccount(t.repo, t.email, { lastWeek: undefined }, slot - 3_600_000);
      expect(await dueAt(t)).toBe(slot);
    });

    it("an active item off the index (no dueAt, no key), a save at 08:05: derived from the next quarter hour, not caught up for 08:00 (helper-84 #3)", async () => {
      const t = await missed("keep-offindex");
      await t.repo.doc.send(new UpdateCommand({ TableName: t.repo.table, Key: keys.account(t.email), UpdateExpression: "REMOVE gsi2pk, gsi2sk, dueAt" }));
      await updateAccount(t.repo, t.email, { signatureName: "Sam" }, slot + 5 * 60_000);
      expect(await catchUp(t, slot + 15 * 60_000)).toEqual([]);
      expect(await dueAt(t)).toBe(slot + WEEK);
    });

    it("a refresh that read the schedule before the owner changed it writes the index of the new one (helper-84 #2)", async () => {
      const t = await setup("keep-race", { day: 5, hour: 17 });
      // The refresh's read returns the item as it was; the owner's Monday 08:00 lands right after it.
      const racing = new Repository(t.repo.doc, t.repo.table);
      const get = racing.get.bind(racing);
      let owner = true;
      racing.get = async <T,>(key: { pk: string; sk: string }) => {
        const item = await get<T>(key);
        if (owner) {
          owner = false;
          await updateAccount(t.repo, t.email, { schedule: { day: 1, hour: 8 } }, slot - 3 * 86_400_000);
        }
        return item;
      };
      await updateAccount(racing, t.email, {}, slot - 3 * 86_400_000 + 60_000);
      expect((await loadAccount(t.repo, t.email))?.schedule).toEqual({ day: 1, hour: 8 });
      expect(await dueAt(t)).toBe(slot);
    });

    it("a week whose run was dispatched and failed for good: a job past the index's reach (two hours and a quarter) moves the index to next week's (#6)", async () => {
      const t = await setup("keep-failed");
      await t.work(await t.dispatch(slot - WEEK), slot - WEEK + 60_000);
      // Dispatched at 08:00; its run goes to the dead-letter queue (not run here).
      expect(bare(await t.dispatch(slot))).toEqual([dueWeeklyBody(t.email, slot)]);
      await runAccountJob({ repo: t.repo, email: t.email, owner: "job", now: slot + 60 * 60_000, leaseMs: 60_000 }, async () => undefined);
      expect(await dueAt(t)).toBe(slot);
      await runAccountJob({ repo: t.repo, email: t.email, owner: "job", now: slot + KEEP_PAST_OCCURRENCE_MS - 60_000, leaseMs: 60_000 }, async () => undefined);
      expect(await dueAt(t)).toBe(slot);
      await runAccountJob({ repo: t.repo, email: t.email, owner: "job", now: slot + KEEP_PAST_OCCURRENCE_MS + 30 * 60_000, leaseMs: 60_000 }, async () => undefined);
      expect(await dueAt(t)).toBe(slot + WEEK);
    });
  });

  it("a record redriven a week late names the current week, as a bare email does", async () => {
    const t = await setup("late");
    await t.work([dueWeeklyBody(t.email, slot - WEEK)], slot + 3_600_000);
    expect(t.weeks).toEqual(["2026-W45"]);
    // A bare email (a record queued before the slot was in the body) still runs: two weeks on, that week.
    await t.work([t.email], slot + 2 * WEEK);
    expect(t.weeks).toEqual(["2026-W45", "2026-W47"]);
  });
});
