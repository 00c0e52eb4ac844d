/**
 * An email item filed for the slot the planning job was dispatched in (helper-77 #2). The weekly
 * run of the default Monday 08:00 digest plans after its scan, about a minute after 08:00, when the
 * same dispatch has queued the 08:00 morning-of email's job too. Moved on by the plan's margin to
 * 08:15, that job found its item moved and stopped, and the email went a quarter hour late. A plan
 * told its own slot keeps such an item; one not told (a settings page, a reconnect: they may follow a
 * job that found the account paused and left its item) moves it on as before, and an item new to the
 * index is never put in a slot whose dispatch has already read it.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import type { Meeting } from "@followthrough/core/model";
import { keys, type LocalDynamo, Repository, startLocalDynamo } from "@followthrough/core/storage";
import { type EventJobItem, eventJobsDue, planEventJobs } from "@followthrough/core/events";

const email = "owner@keep.example";
const account = { email, aliases: [], displayName: "Owner", timeZone: "Europe/London", status: "active" as const };
/** Monday 9 November 2026, 08:00 in London (GMT). */
const monday8 = Date.parse("2026-11-09T08:00:00Z");
const quarter = 15 * 60_000;
const meetup: Meeting = {
  id: "ev-keep",
  title: "Founders meetup",
  start: Date.parse("2026-11-09T12:00:00Z"),
  end: Date.parse("2026-11-09T14:00:00Z"),
  allDay: false,
  cancelled: false,
  kind: "default",
  organizerSelf: true,
  attendees: [{ email: "guest@elsewhere.example", name: "Guest" }],
} as unknown as Meeting;

let db: LocalDynamo;
let repo: Repository;
beforeAll(async () => {
  db = await startLocalDynamo();
  repo = new Repository(db.doc, db.tableName);
});
afterAll(() => db?.stop());
beforeEach(async () => {
  await repo.delete(keys.eventJob(email, "morning-of", meetup.id));
});

const itemDue = async () => (await repo.get<EventJobItem>(keys.eventJob(email, "morning-of", meetup.id)))?.due;

it("the weekly run's plan, written after its 08:00 slot began, keeps the 08:00 email the same dispatch queued", async () => {
  // Sunday's plan (the daily sync) files the email for Monday 08:00; that dispatch queues its job.
  await planEventJobs({ repo, account, now: Date.parse("2026-11-08T07:00:30Z"), meetings: [meetup] });
  expect(await itemDue()).toBe(monday8);
  expect((await eventJobsDue(repo, monday8)).bodies.some((b) => b.includes(meetup.id))).toBe(true);
  // The weekly run dispatched at 08:00 plans 40 s into the slot.
  const plan = await planEventJobs({ repo, account, now: monday8 + 10_000, meetings: [meetup], clock: () => monday8 + 40_000, keepSlot: monday8 });
  expect(await itemDue()).toBe(monday8);
  expect(plan.jobs.find((j) => j.eventId === meetup.id)?.hour).toBe(monday8);
});

it("a plan not told its slot (a settings page) moves the item on, as it did", async () => {
  await planEventJobs({ repo, account, now: Date.parse("2026-11-08T07:00:30Z"), meetings: [meetup] });
  await planEventJobs({ repo, account, now: monday8 + 10_000, meetings: [meetup], clock: () => monday8 + 40_000 });
  expect(await itemDue()).toBe(monday8 + quarter);
});

it("an item new to the index is not kept in the slot already read: it goes at the next", async () => {
  const plan = await planEventJobs({ repo, account, now: monday8 + 10_000, meetings: [meetup], clock: () => monday8 + 40_000, keepSlot: monday8 });
  expect(await itemDue()).toBe(monday8 + quarter);
  expect(plan.jobs.find((j) => j.eventId === meetup.id)?.hour).toBe(monday8 + quarter);
});
