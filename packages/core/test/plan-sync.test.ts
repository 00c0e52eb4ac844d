/**
 * The daily sync's item on the due-hour index when a plan is written just after 07:00 (helper-65
 * finding 5): the dispatcher has queued that morning's sync, its job not yet run; a plan made then (a
 * goal, a mark, a setting) must not move the item to tomorrow, or the queued job finds it moved and
 * does nothing ("stale"), and the day's calendar changes are neither read nor planned. The sync's own
 * plan moves it on.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { keys, type LocalDynamo, Repository, startLocalDynamo } from "@followthrough/core/storage";
import { type EventJobItem, nextSyncAt, planEventJobs, putEventJob } from "@followthrough/core/events";

const email = "owner@plan.example";
const zone = "Europe/London";
const account = { email, aliases: [], timeZone: zone, status: "active" as const };
let db: LocalDynamo;
let repo: Repository;

beforeAll(async () => {
  db = await startLocalDynamo();
  repo = new Repository(db.doc, db.tableName);
});
afterAll(() => db?.stop());

const syncDue = async () => (await repo.get<EventJobItem>(keys.eventJob(email, "sync")))?.due;

it("a plan just after the sync's hour leaves the dispatched sync's item; the sync's own plan moves it to tomorrow", async () => {
  const seven = nextSyncAt(Date.parse("2026-06-10T05:00:00Z"), zone); // 07:00 BST
  const tomorrow = nextSyncAt(seven + 1, zone);
  await putEventJob(repo, email, "sync", undefined, seven);
  // 07:00:20: the owner sets a goal (which plans) while the 07:00 sync waits in the queue.
  await planEventJobs({ repo, account, now: seven + 20_000, meetings: [] });
  expect(await syncDue()).toBe(seven);
  // The sync runs and plans: its item goes on to tomorrow.
  await planEventJobs({ repo, account, now: seven + 40_000, meetings: [], afterSync: seven });
  expect(await syncDue()).toBe(tomorrow);
  // An item long past (its job lost) is replaced by any plan.
  await putEventJob(repo, email, "sync", undefined, seven);
  await planEventJobs({ repo, account, now: seven + 2 * 3_600_000, meetings: [] });
  expect(await syncDue()).toBe(tomorrow);
});
