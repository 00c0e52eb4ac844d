/**
 * The two event emails of shared/spec/events.md ("Emails and the digest"), through the sandbox
 * (Gmail and Calendar with the real client libraries), dynalite, the hourly dispatcher and the
 * Digests worker handler: the due-hour index (GSI2 "EVDUE#<hour>"), exactly one email per
 * (event, kind) under ten concurrent dispatches, redeliveries and a worker that died after sending,
 * none without a goal, switched off or paused, and the local times across a daylight-saving change.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { SQSEvent } from "aws-lambda";
import PostalMime from "postal-mime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AccountRecord, loadAccount, saveAccount, updateAccount, updateConnection } from "@followthrough/core/accounts";
import { dispatchDue, dueWeeklyBody, markNeedsReconnect } from "@followthrough/core/dispatch";
import {
  atLocal,
  clearGoal,
  confirmMet,
  DUE_SLOT_MS,
  dispatchSlot,
  eventDueKey,
  eventJobsDue,
  eventMailMessageId,
  EVENT_JOB_KEPT_MS,
  type EventMailRecord,
  loadStatements,
  markEvent,
  morningAfterAt,
  morningOfAt,
  nextDispatchSlot,
  nextSyncAt,
  parseEventJob,
  planEventJobs,
  putEventJob,
  setGoal,
} from "@followthrough/core/events";
import { morningAfterMail, morningOfMail, runEventJob } from "@followthrough/core/eventmail";
import { ProviderError } from "@followthrough/core/resilience";
import { infer } from "@followthrough/core/inference";
import { openLink } from "@followthrough/core/links";
import { memorySender } from "@followthrough/core/queue";
import type { Meeting } from "@followthrough/core/model";
import { dueSlot, isoWeek } from "@followthrough/core/schedule";
import { localMidnight } from "@followthrough/core/time";
import { randomKeyring } from "@followthrough/core/secrets";
import { keys, type LocalDynamo, putMeetings, Repository, startLocalDynamo } from "@followthrough/core/storage";
import { createWorkerHandler } from "../functions/src/handlers/worker";
import type { JobDeps } from "../functions/src/jobs";
import { sharedPresent, ownFixture, sharedFixture } from "./support/fixtures";
import { type ScanHarness, startScanHarness } from "./support/scan-harness";
import { watchOwnerMailPages } from "./support/slowed-read";

const HOUR = 3_600_000;
const iso = (s: string) => Date.parse(s);

/** The copies of one event email in the harness's Gmail Sent, by its Message-ID. */
async function sentCopiesIn(h: ScanHarness, kind: "morning-of" | "morning-after", eventId: string) {
  const id = eventMailMessageId(h.email, kind, eventId);
  const sent = await h.control<{ headers: Record<string, string>; raw: string }[]>("GET", `/_control/accounts/${encodeURIComponent(h.email)}/gmail/sent`);
  return sent.filter((m) => Object.entries(m.headers).some(([k, v]) => k.toLowerCase() === "message-id" && v.trim() === id));
}

/** A sandbox harness on `fixture` whose account was connected at `at`, its clock set to `at` and one scan done as of then. */
async function scannedAt(fixture: string, at: number): Promise<ScanHarness> {
  const h = await startScanHarness({ fixture, pageSize: 50, connectedAt: at });
  try {
    await h.setClock(at);
    await h.scan(at);
    return h;
  } catch (e) {
    // A scan that fails closes what it started (its own error first), so the file's other tests still run.
    await h.close().catch(() => {});
    throw e;
  }
}

describe("local times of the event emails", () => {
  it("morning of: 08:00 on the first day, or 18:00 the evening before an event starting before 10:00", () => {
    const zone = "Europe/London";
    expect(morningOfAt({ start: iso("2026-06-20T17:30:00Z"), end: iso("2026-06-20T20:00:00Z") }, zone)).toBe(iso("2026-06-20T07:00:00Z"));
    expect(morningOfAt({ start: iso("2026-06-20T09:00:00Z"), end: iso("2026-06-20T11:00:00Z") }, zone)).toBe(iso("2026-06-20T07:00:00Z")); // 10:00 BST: not before 10
    expect(morningOfAt({ start: iso("2026-06-19T08:00:00Z"), end: iso("2026-06-19T16:00:00Z") }, zone)).toBe(iso("2026-06-18T17:00:00Z")); // 09:00 BST
    // An all-day event starts at local midnight: the evening before.
    expect(morningOfAt({ start: iso("2026-06-19T23:00:00Z"), end: iso("2026-06-21T23:00:00Z") }, zone)).toBe(iso("2026-06-19T17:00:00Z"));
  });

  it("morning after: 08:00 the day after the last day (an end at midnight belongs to the day before)", () => {
    const zone = "Europe/London";
    expect(morningAfterAt({ start: iso("2026-06-20T17:30:00Z"), end: iso("2026-06-20T20:00:00Z") }, zone)).toBe(iso("2026-06-21T07:00:00Z"));
    // Three-day conference: the day after its last day.
    expect(morningAfterAt({ start: iso("2026-06-17T08:00:00Z"), end: iso("2026-06-19T16:00:00Z") }, zone)).toBe(iso("2026-06-20T07:00:00Z"));
    // Ends at local midnight, and an all-day event (exclusive end): the next morning, not a day later.
    expect(morningAfterAt({ start: iso("2026-06-20T19:00:00Z"), end: iso("2026-06-20T23:00:00Z") }, zone)).toBe(iso("2026-06-21T07:00:00Z"));
    expect(morningAfterAt({ start: iso("2026-06-19T23:00:00Z"), end: iso("2026-06-20T23:00:00Z") }, zone)).toBe(iso("2026-06-21T07:00:00Z"));
  });

  it("morning after a night's event past midnight: the next morning, the day the email names it by (helper-252)", () => {
    // Saturday 4 April, 21:00 NZDT to Sunday 01:00 (the night New Zealand leaves daylight time):
    // the email says "on Saturday 4 April" and comes on Sunday 08:00 NZST, not on Monday.
    const akl = "Pacific/Auckland";
    const mixer = { start: iso("2026-04-04T08:00:00Z"), end: iso("2026-04-04T12:00:00Z") };
    expect(morningAfterAt(mixer, akl)).toBe(iso("2026-04-04T20:00:00Z"));
    // Saturday 7 March, 20:00 PST to Sunday 00:30 in Los Angeles (the night the clocks go forward).
    const la = "America/Los_Angeles";
    expect(morningAfterAt({ start: iso("2026-03-08T04:00:00Z"), end: iso("2026-03-08T08:30:00Z") }, la)).toBe(iso("2026-03-08T15:00:00Z"));
    // Ending at 06:00 still (its last moment 05:59), and one that goes on later, of two days.
    const zone = "Europe/London";
    expect(morningAfterAt({ start: iso("2026-06-19T20:00:00Z"), end: iso("2026-06-20T05:00:00Z") }, zone)).toBe(iso("2026-06-20T07:00:00Z"));
    expect(morningAfterAt({ start: iso("2026-06-19T20:00:00Z"), end: iso("2026-06-20T06:00:00Z") }, zone)).toBe(iso("2026-06-21T07:00:00Z"));
    // A 22-hour hackathon from noon is two days: the morning after its second.
    expect(morningAfterAt({ start: iso("2026-06-05T17:00:00Z"), end: iso("2026-06-06T15:00:00Z") }, zone)).toBe(iso("2026-06-07T07:00:00Z"));
  });

  it("across New York's November change (1 Nov 2026, 02:00 EDT → 01:00 EST), 08:00 stays 08:00 local", () => {
    const ny = "America/New_York";
    // Saturday 31 Oct, 19:00–22:00 EDT: the morning after is Sunday 1 Nov 08:00 EST = 13:00 UTC, not 12:00.
    const saturday = { start: iso("2026-10-31T23:00:00Z"), end: iso("2026-11-01T02:00:00Z") };
    expect(morningAfterAt(saturday, ny)).toBe(iso("2026-11-01T13:00:00Z"));
    expect(morningOfAt(saturday, ny)).toBe(iso("2026-10-31T12:00:00Z")); // 08:00 EDT
    // Monday 2 Nov, 18:00 EST (the first weekday after the change): morning of at 08:00 EST = 13:00 UTC.
    const monday = { start: iso("2026-11-02T23:00:00Z"), end: iso("2026-11-03T01:00:00Z") };
    expect(morningOfAt(monday, ny)).toBe(iso("2026-11-02T13:00:00Z"));
    expect(morningAfterAt(monday, ny)).toBe(iso("2026-11-03T13:00:00Z"));
    // Sunday 1 Nov 09:00 EST (before 10:00): 18:00 the evening before, still EDT = 22:00 UTC.
    expect(morningOfAt({ start: iso("2026-11-01T14:00:00Z"), end: iso("2026-11-01T16:00:00Z") }, ny)).toBe(iso("2026-10-31T22:00:00Z"));
    // The daily sync at 07:00 local on either side of the change.
    expect(nextSyncAt(iso("2026-10-31T12:00:00Z"), ny)).toBe(iso("2026-11-01T12:00:00Z")); // 07:00 EST
    expect(nextSyncAt(iso("2026-10-31T10:00:00Z"), ny)).toBe(iso("2026-10-31T11:00:00Z")); // 07:00 EDT
    // With the evening sync (a goal set): 17:00 too, on either side of the change.
    expect(nextSyncAt(iso("2026-10-31T12:00:00Z"), ny, true)).toBe(iso("2026-10-31T21:00:00Z")); // 17:00 EDT
    expect(nextSyncAt(iso("2026-10-31T21:00:00Z"), ny, true)).toBe(iso("2026-11-01T12:00:00Z")); // then 07:00 EST
    expect(nextSyncAt(iso("2026-11-01T12:00:00Z"), ny, true)).toBe(iso("2026-11-01T22:00:00Z")); // 17:00 EST
    expect(nextSyncAt(iso("2026-10-31T10:00:00Z"), ny, true)).toBe(iso("2026-10-31T11:00:00Z")); // 07:00 EDT first
    // The spring change too (8 Mar 2026): 08:00 EDT = 12:00 UTC.
    expect(atLocal("2026-03-08", 8, ny)).toBe(iso("2026-03-08T12:00:00Z"));
    expect(atLocal("2026-03-07", 8, ny)).toBe(iso("2026-03-07T13:00:00Z"));
  });

  it("where local midnight is skipped or comes twice, with half-hour changes, and either side of the date line: the zone's own 18:00 and 08:00 (helper-294)", () => {
    // An all-day event by its dates, as core/model reckons one: midnight to midnight in the zone
    // (core/time localMidnight: where the clocks skip midnight, the change, when that day begins).
    const allDay = (date: string, next: string, zone: string) => ({ start: localMidnight(date, zone), end: localMidnight(next, zone) });
    const cases: [string, string, string, string, string][] = [
      // zone, date, day after, morning of (18:00 the evening before), morning after (08:00 the day after)
      ["Atlantic/Azores", "2026-03-29", "2026-03-30", "2026-03-28T19:00:00Z", "2026-03-30T08:00:00Z"], // no midnight: begins 01:00 +00
      ["Atlantic/Azores", "2026-10-25", "2026-10-26", "2026-10-24T18:00:00Z", "2026-10-26T09:00:00Z"], // midnight twice: 25 hours
      ["America/Havana", "2026-03-08", "2026-03-09", "2026-03-07T23:00:00Z", "2026-03-09T12:00:00Z"],
      ["America/Havana", "2026-11-01", "2026-11-02", "2026-10-31T22:00:00Z", "2026-11-02T13:00:00Z"],
      ["America/Santiago", "2026-09-06", "2026-09-07", "2026-09-05T22:00:00Z", "2026-09-07T11:00:00Z"],
      ["Asia/Beirut", "2026-03-29", "2026-03-30", "2026-03-28T16:00:00Z", "2026-03-30T05:00:00Z"],
      ["Africa/Cairo", "2026-04-24", "2026-04-25", "2026-04-23T16:00:00Z", "2026-04-25T05:00:00Z"],
      ["Australia/Lord_Howe", "2026-10-04", "2026-10-05", "2026-10-03T07:30:00Z", "2026-10-04T21:00:00Z"], // +10:30 → +11 at 02:00
      ["Pacific/Chatham", "2026-09-27", "2026-09-28", "2026-09-26T05:15:00Z", "2026-09-27T18:15:00Z"], // +12:45 → +13:45
      ["Pacific/Kiritimati", "2026-12-07", "2026-12-08", "2026-12-06T04:00:00Z", "2026-12-07T18:00:00Z"], // +14
      ["Pacific/Pago_Pago", "2026-12-07", "2026-12-08", "2026-12-07T05:00:00Z", "2026-12-08T19:00:00Z"], // -11: the same dates, 25 hours later
    ];
    for (const [zone, date, next, of, after] of cases) {
      const e = allDay(date, next, zone);
      expect([zone, date, new Date(morningOfAt(e, zone)).toISOString(), new Date(morningAfterAt(e, zone)).toISOString()]).toEqual([zone, date, new Date(of).toISOString(), new Date(after).toISOString()]);
    }
    // A timed event at 11:00 on the Sunday without a midnight: 08:00 that morning, the new offset's.
    expect(morningOfAt({ start: iso("2026-03-29T08:00:00Z"), end: iso("2026-03-29T10:00:00Z") }, "Asia/Beirut")).toBe(iso("2026-03-29T05:00:00Z"));
    // Eucla (+08:45): 08:00 is 23:15 UTC the day before, its own quarter-hour slot.
    expect(morningOfAt({ start: iso("2026-06-20T03:15:00Z"), end: iso("2026-06-20T05:15:00Z") }, "Australia/Eucla")).toBe(iso("2026-06-19T23:15:00Z"));
  });

  it("08:00 local is its own quarter-hour slot in zones off the whole hour (India 02:30 UTC, Nepal 02:15)", () => {
    const india = morningOfAt({ start: iso("2026-06-20T12:30:00Z"), end: iso("2026-06-20T14:30:00Z") }, "Asia/Kolkata");
    expect(india).toBe(iso("2026-06-20T02:30:00Z"));
    expect(dispatchSlot(india)).toBe(india);
    expect(eventDueKey(dispatchSlot(india))).toBe("EVDUE#2026-06-20T02:30");
    const nepal = morningAfterAt({ start: iso("2026-06-19T12:00:00Z"), end: iso("2026-06-19T14:00:00Z") }, "Asia/Kathmandu");
    expect(nepal).toBe(iso("2026-06-20T02:15:00Z"));
    expect(eventDueKey(dispatchSlot(nepal))).toBe("EVDUE#2026-06-20T02:15");
    // A whole hour keeps the key every job had when the dispatcher ran hourly.
    expect(eventDueKey(iso("2026-06-20T03:00:00Z"))).toBe("EVDUE#2026-06-20T03");
    expect(dispatchSlot(iso("2026-06-20T02:00:01Z"))).toBe(iso("2026-06-20T02:15:00Z"));
  });
});

describe("the due-hour index, for an owner in New York across the November change", () => {
  let dynamo: LocalDynamo;
  let repo: Repository;
  const owner = "nina@harbourlabs.io";
  const ny = "America/New_York";
  // Friday 30 Oct 2026, 09:00 EDT: the week holds the change (Sunday 1 Nov, 02:00 EDT → 01:00 EST).
  const now = iso("2026-10-30T13:00:00Z");
  const event = (id: string, title: string, start: string, end: string): Meeting => ({
    id, title, start: iso(start), end: iso(end), allDay: false, cancelled: false, kind: "default", organizerSelf: true,
    attendees: [{ email: "guest@otherco.com", name: "Guest", response: "accepted", resource: false, organizer: false }],
  });
  let account: AccountRecord;

  beforeAll(async () => {
    dynamo = await startLocalDynamo();
    repo = new Repository(dynamo.doc, dynamo.tableName);
    account = await saveAccount(repo, randomKeyring(), { email: owner, provider: "google", clientId: "c", refreshToken: "r", connectedAt: now, aliases: [], displayName: "Nina", timeZone: ny, status: "active" });
    await putMeetings(repo, owner, [
      // Saturday 31 Oct 19:00–22:00 EDT: its morning after is the first morning of EST.
      event("sat-mixer", "Halloween Founders Mixer", "2026-10-31T23:00:00Z", "2026-11-01T02:00:00Z"),
      // Monday 2 Nov 18:00 EST, the first weekday after the change.
      event("mon-meetup", "Product Meetup", "2026-11-02T23:00:00Z", "2026-11-03T01:00:00Z"),
      // Not a networking event: no email, no job.
      event("one-to-one", "Catch-up with Guest", "2026-11-02T15:00:00Z", "2026-11-02T15:30:00Z"),
    ], 1);
  }, 60_000);
  afterAll(() => dynamo?.stop());

  it("puts each email at 08:00 local, in the UTC hour of the offset in force that morning", async () => {
    const plan = await planEventJobs({ repo, account, now });
    const hours = Object.fromEntries(plan.jobs.map((j) => [`${j.kind} ${j.eventId}`, new Date(j.hour).toISOString()]));
    expect(hours).toEqual({
      "morning-of sat-mixer": "2026-10-31T12:00:00.000Z", // 08:00 EDT
      "morning-after sat-mixer": "2026-11-01T13:00:00.000Z", // 08:00 EST, the morning after the change
      "morning-of mon-meetup": "2026-11-02T13:00:00.000Z",
      "morning-after mon-meetup": "2026-11-03T13:00:00.000Z",
    });
    expect(new Date(plan.sync!).toISOString()).toBe("2026-10-31T11:00:00.000Z"); // 07:00 EDT tomorrow
    // At 12:00 UTC on 1 Nov (07:00 EST) nothing is due; at 13:00 UTC the morning-after is.
    expect((await eventJobsDue(repo, iso("2026-11-01T12:00:00Z"))).bodies).toEqual([]);
    expect((await eventJobsDue(repo, iso("2026-11-01T13:00:00Z"))).bodies.map((b) => parseEventJob(b)?.evt)).toEqual(["sat-mixer"]);
  });

  it("each item expires two weeks past its slot by the table's TTL, so one no dispatch will read (an account paused across its email's window) does not stay for good (helper-176 #3a)", async () => {
    await planEventJobs({ repo, account, now });
    for (const [kind, id] of [["morning-after", "sat-mixer"], ["morning-of", "mon-meetup"], ["sync", undefined]] as const) {
      const item = await repo.get<{ due: number; expiresAt: number }>(keys.eventJob(owner, kind, id));
      expect(item?.expiresAt).toBe(Math.ceil((item!.due + EVENT_JOB_KEPT_MS) / 1000));
    }
    expect(EVENT_JOB_KEPT_MS).toBe(14 * 24 * HOUR);
  });

  it("an item due while the read before the plan ran, or within a minute of its write, goes in the next slot: its own was read already", async () => {
    // Saturday 31 Oct, 07:50 EDT: the mixer's morning-of email is due at 08:00 EDT (12:00 UTC).
    const readAt = iso("2026-10-31T11:50:00Z");
    const morningOf = async (o: { now: number; clock?: () => number }) =>
      (await planEventJobs({ repo, account, ...o })).jobs.find((j) => j.kind === "morning-of" && j.eventId === "sat-mixer")?.hour;
    const at = (t?: number) => (t === undefined ? t : new Date(t).toISOString());
    expect(at(await morningOf({ now: readAt }))).toBe("2026-10-31T12:00:00.000Z");
    // The read took a quarter of an hour: written at 12:05 UTC, after the 12:00 dispatch queried its slot.
    expect(at(await morningOf({ now: readAt, clock: () => iso("2026-10-31T12:05:00Z") }))).toBe("2026-10-31T12:15:00.000Z");
    // Written 30 s before the slot: the dispatcher may already be reading it.
    expect(at(await morningOf({ now: readAt, clock: () => iso("2026-10-31T11:59:30Z") }))).toBe("2026-10-31T12:15:00.000Z");
    expect(at(await morningOf({ now: readAt, clock: () => iso("2026-10-31T11:58:00Z") }))).toBe("2026-10-31T12:00:00.000Z");
    // Written once the mixer has begun (Saturday 19:00 EDT): no morning-of email any more.
    expect(await morningOf({ now: readAt, clock: () => iso("2026-10-31T23:00:00Z") })).toBeUndefined();
    await planEventJobs({ repo, account, now });
  });

  it("the dispatcher reads the digests' and the event jobs' index pages and queues each body once", async () => {
    const hour = iso("2026-11-01T13:00:00Z");
    // Eleven more event jobs in that hour (other accounts), and three accounts whose digest is due then.
    for (let i = 0; i < 11; i++) {
      const acc = `owner${i}@example.org`;
      const body = `{"job":"event","kind":"morning-of","acc":"${acc}","evt":"e${i}","due":${hour}}`;
      await repo.put({ ...keys.eventJob(acc, "morning-of", `e${i}`), gsi2pk: eventDueKey(hour), gsi2sk: `${acc}#morning-of#e${i}`, body, due: hour });
    }
    const local = { day: 7, hour: 8 }; // Sunday 08:00 EST = 13:00 UTC
    for (let i = 0; i < 3; i++)
      await saveAccount(repo, randomKeyring(), { email: `digest${i}@example.org`, provider: "google", clientId: "c", refreshToken: "r", connectedAt: hour - HOUR, aliases: [], displayName: "D", timeZone: ny, status: "active", schedule: local });
    expect(dueSlot(local, ny, hour - HOUR)).toBe(6 * 24 + 13);
    const queue = memorySender();
    const r = await dispatchDue({ repo, queue, at: hour, pageSize: 4 });
    expect(r).toMatchObject({ due: 3, eventJobs: 12, sent: 15, batches: 2, failed: [] });
    const all = queue.batches.flat();
    expect(new Set(all).size).toBe(15);
    expect(all.filter((b) => b.startsWith('{"job":"weekly","acc":"digest'))).toHaveLength(3);
    expect(queue.batches.map((b) => b.length)).toEqual([10, 5]);
  });

  it("the dispatcher of 02:30 UTC queues India's 08:00 email; the digests' index is read on the hour only", async () => {
    const acc = "priya@example.in";
    const slot = iso("2026-06-20T02:30:00Z");
    const body = `{"job":"event","kind":"morning-of","acc":"${acc}","evt":"in1","due":${slot}}`;
    await repo.put({ ...keys.eventJob(acc, "morning-of", "in1"), gsi2pk: eventDueKey(slot), gsi2sk: `${acc}#morning-of#in1`, body, due: slot });
    const at = async (t: string) => {
      const queue = memorySender();
      const r = await dispatchDue({ repo, queue, at: iso(t) });
      return { r, bodies: queue.batches.flat() };
    };
    expect((await at("2026-06-20T02:15:00Z")).bodies).toEqual([]);
    expect((await at("2026-06-20T02:30:00Z")).bodies).toEqual([body]);
    expect((await at("2026-06-20T02:45:00Z")).bodies).toEqual([]);
    expect((await at("2026-06-20T03:00:00Z")).bodies).toEqual([]);
    // A digest due at 13:00 UTC on Sunday 1 Nov (08:00 EST) goes at 13:00, not again at 13:15.
    const sunday = iso("2026-11-01T13:00:00Z");
    await saveAccount(repo, randomKeyring(), { email: "quarter@example.org", provider: "google", clientId: "c", refreshToken: "r", connectedAt: sunday - 86_400_000, aliases: [], displayName: "Q", timeZone: ny, status: "active", schedule: { day: 7, hour: 8 } });
    expect((await at("2026-11-01T13:00:00Z")).bodies).toContain(dueWeeklyBody("quarter@example.org", sunday, isoWeek(sunday, ny)));
    expect((await at("2026-11-01T13:15:00Z")).bodies.join("\n")).not.toContain("quarter@example.org");
  });
});

describe.skipIf(!sharedPresent())("event emails through the dispatcher and the worker (google-eventgoer)", () => {
  const BASE_URL = "https://app.followthrough.test";
  const LINK_KEY = "event-mail-test-link-key";
  const start = iso("2026-06-17T07:30:00Z"); // the sample's "now": Wednesday, 08:30 in London
  const mixer = "b9fqqjc9spae0ovijc3g65lpb1"; // Founders Mixer — Shoreditch, Sat 20 Jun 18:30–21:00 BST
  const meetup42 = "k8odbj0c35meoumngntklgp393"; // Product Meetup #42, Thu 18 Jun 18:00–20:00 BST
  const northwind = "f35f874ho8eqask1luh56tf9c9"; // Northwind Partner Day, Fri 19 Jun 09:00–17:00 BST
  let h: ScanHarness;
  let clock = start;

  const deps = (): JobDeps => ({
    repo: h.repo,
    now: () => clock,
    providerFor: () => h.provider,
    onRevoked: markNeedsReconnect,
    linkKey: LINK_KEY,
    baseUrl: BASE_URL,
  });
  const worker = () => createWorkerHandler(deps);
  const sqsEvent = (records: { id: string; body: string }[]): SQSEvent =>
    ({ Records: records.map((r) => ({ messageId: r.id, body: r.body, receiptHandle: randomUUID(), attributes: {}, messageAttributes: {}, md5OfBody: "", eventSource: "aws:sqs", eventSourceARN: "arn:aws:sqs:us-east-1:1:Digests", awsRegion: "us-east-1" })) }) as unknown as SQSEvent;

  /** The sandbox mailbox's sent mail with this event email's Message-ID. */
  const sentCopies = (kind: "morning-of" | "morning-after", eventId: string) => sentCopiesIn(h, kind, eventId);

  /** Ten dispatches of the same hour at once (EventBridge retries, overlapping runs), then the worker on every message, redelivering what it reports failed. */
  async function dispatchAndWork(hour: number) {
    clock = hour + 2 * 60_000;
    await h.setClock(clock);
    const queues = Array.from({ length: 10 }, () => memorySender());
    const results = await Promise.all(queues.map((queue, i) => dispatchDue({ repo: h.repo, queue, at: hour + i * 1000 })));
    const bodies = queues.flatMap((q) => q.batches.flat());
    const records = bodies.map((body) => ({ id: randomUUID(), body }));
    // Two workers at once, five messages each (the lease makes the loser "busy": redelivered).
    const halves = [records.filter((_, i) => i % 2 === 0), records.filter((_, i) => i % 2 === 1)];
    let failed = (await Promise.all(halves.map((r) => worker()(sqsEvent(r))))).flatMap((r) => r.batchItemFailures.map((f) => f.itemIdentifier));
    for (let round = 0; failed.length && round < 12; round++)
      failed = (await worker()(sqsEvent(records.filter((r) => failed.includes(r.id))))).batchItemFailures.map((f) => f.itemIdentifier);
    expect(failed).toEqual([]);
    return { results, bodies, records };
  }

  beforeAll(async () => {
    h = await scannedAt(sharedFixture("google-eventgoer"), start);
  }, 60_000);
  afterAll(() => h?.close());

  it("a scan's plan puts each email on the due-hour index at its local time, and the daily sync at 07:00", async () => {
    const plan = await planEventJobs({ repo: h.repo, account: h.account(), now: start });
    const at = (kind: string, id: string) => plan.jobs.find((j) => j.kind === kind && j.eventId === id)?.hour;
    expect(at("morning-of", mixer)).toBe(iso("2026-06-20T07:00:00Z")); // 08:00 BST
    expect(at("morning-after", mixer)).toBe(iso("2026-06-21T07:00:00Z"));
    expect(at("morning-of", northwind)).toBe(iso("2026-06-18T17:00:00Z")); // starts 09:00: 18:00 the evening before
    expect(at("morning-of", meetup42)).toBe(iso("2026-06-18T07:00:00Z"));
    expect(plan.sync).toBe(iso("2026-06-18T06:00:00Z"));
    // The reception three days ago: its morning-after hour is long gone, so it is not queued late.
    expect(at("morning-after", "ht6hjb9qpig2b09qvekoip7j9a")).toBeUndefined();
    const due = await eventJobsDue(h.repo, iso("2026-06-20T07:00:00Z"));
    expect(due.bodies.map((b) => parseEventJob(b))).toContainEqual({ job: "event", kind: "morning-of", acc: h.email, evt: mixer, due: iso("2026-06-20T07:00:00Z") });
    // Marking an event through the app puts its emails on the index at once.
    const intro = "1do52v9vk1imncupad2e5vlvet"; // "Intro call — Felix Grant", Fri 19 Jun 16:00 BST, no rule holds
    expect(at("morning-of", intro)).toBeUndefined();
    await markEvent(h.repo, h.account(), intro, true, start);
    expect(await h.repo.get(keys.eventJob(h.email, "morning-of", intro))).toMatchObject({ due: iso("2026-06-19T07:00:00Z") });
    expect(await h.repo.get(keys.eventJob(h.email, "morning-after", intro))).toMatchObject({ due: iso("2026-06-20T07:00:00Z") });
    // Planning again writes the same items (one per account, event and kind), nothing twice.
    await planEventJobs({ repo: h.repo, account: h.account(), now: start });
    expect((await eventJobsDue(h.repo, iso("2026-06-20T07:00:00Z"))).bodies.filter((b) => b.includes(mixer))).toHaveLength(1);
  });

  it("the daily sync: one calendar request when nothing changed, and the calendar's zone, then the next day's sync", async () => {
    await h.resetStats();
    const { bodies } = await dispatchAndWork(iso("2026-06-18T06:00:00Z"));
    expect(bodies.filter((b) => parseEventJob(b)?.kind === "sync")).toHaveLength(10);
    const stats = await h.stats();
    // A sync token's incremental list and the zone's read (core/events followCalendarZone), and only
    // the calendar (the nine duplicates found the job done).
    expect(stats.calls).toEqual({ "calendar.settings.get": 1, "calendar.events.list": 1 });
    expect(Object.keys(stats.calls).every((k) => k.startsWith("calendar"))).toBe(true);
    const item = await h.repo.get<{ due: number }>(keys.eventJob(h.email, "sync"));
    expect(item?.due).toBe(iso("2026-06-19T06:00:00Z"));
  });

  it("no morning-of email for an event without a goal", async () => {
    const { bodies } = await dispatchAndWork(iso("2026-06-18T07:00:00Z"));
    expect(bodies.some((b) => b.includes(meetup42))).toBe(true);
    expect(await sentCopies("morning-of", meetup42)).toHaveLength(0);
    expect(await h.repo.get(keys.eventJob(h.email, "morning-of", meetup42))).toBeUndefined();
  });

  it("none while the account is paused", async () => {
    await setGoal(h.repo, h.account(), northwind, 2, clock);
    await updateAccount(h.repo, h.email, { status: "paused" }, clock);
    await dispatchAndWork(iso("2026-06-18T17:00:00Z"));
    expect(await sentCopies("morning-of", northwind)).toHaveLength(0);
    await updateAccount(h.repo, h.email, { status: "active" }, clock);
  });

  it("none for a connection made again under the address while the job read: the job ran on the one it loaded (helper-127, helper-128 #3)", async () => {
    const hour = iso("2026-06-18T17:00:00Z");
    const job = { job: "event" as const, kind: "morning-of" as const, acc: h.email, evt: northwind, due: hour };
    // The account as a job loaded it before a disconnect and a new connection (a record created later).
    const loaded = { ...h.account(), createdAt: (h.account().createdAt ?? clock) - 60_000 };
    expect(await runEventJob({ repo: h.repo, provider: h.provider, account: loaded, job, now: clock, links: { baseUrl: BASE_URL, key: LINK_KEY } })).toBe("paused");
    expect(await sentCopies("morning-of", northwind)).toHaveLength(0);
    // The item stays for the new connection's own plan, as for a paused account.
    expect(await h.repo.get(keys.eventJob(h.email, "morning-of", northwind))).toMatchObject({ due: hour });
  });

  it("none for a kind switched off in settings while the job read: it ends off, its item gone, as when off at its start (helper-129 #2)", async () => {
    const hour = iso("2026-06-18T17:00:00Z");
    const job = { job: "event" as const, kind: "morning-of" as const, acc: h.email, evt: northwind, due: hour };
    const loaded = h.account(); // morning-of on, as the job loaded it
    await updateAccount(h.repo, h.email, { eventEmails: { morningOf: false } }, clock);
    try {
      expect(await runEventJob({ repo: h.repo, provider: h.provider, account: loaded, job, now: clock, links: { baseUrl: BASE_URL, key: LINK_KEY } })).toBe("off");
      expect(await sentCopies("morning-of", northwind)).toHaveLength(0);
      expect(await h.repo.get(keys.eventJob(h.email, "morning-of", northwind))).toBeUndefined();
    } finally {
      // Switched on again, with its item back where the plan had it.
      await updateAccount(h.repo, h.email, { eventEmails: {} }, clock);
      await putEventJob(h.repo, h.email, "morning-of", northwind, hour);
    }
  });

  it("the morning-of job reads the calendar first: an event moved since the 07:00 sync goes at its new time, one cancelled gets none", async () => {
    // Northwind's evening-before email (18:00 BST), its goal set above; the 07:00 sync stored it.
    const hour = iso("2026-06-18T17:00:00Z");
    const body = JSON.stringify({ job: "event", kind: "morning-of", acc: h.email, evt: northwind, due: hour });
    const enc = encodeURIComponent(h.email);
    const stored = (JSON.parse(readFileSync(join(sharedFixture("google-eventgoer"), "google", "events.json"), "utf8")) as { id: string; start: { dateTime: string }; end: { dateTime: string } }[]).find((e) => e.id === northwind)!;
    // At noon the organiser moves it a week on.
    const week = 7 * 24 * HOUR;
    const moved = { ...stored, start: { ...stored.start, dateTime: new Date(Date.parse(stored.start.dateTime) + week).toISOString() }, end: { ...stored.end, dateTime: new Date(Date.parse(stored.end.dateTime) + week).toISOString() } };
    await h.control("POST", `/_control/accounts/${enc}/calendar/events`, moved);
    clock = hour + 2 * 60_000;
    await h.setClock(clock);
    expect(await worker()(sqsEvent([{ id: "moved", body }]))).toEqual({ batchItemFailures: [] });
    expect(await sentCopies("morning-of", northwind)).toHaveLength(0);
    expect(await h.repo.get(keys.eventJob(h.email, "morning-of", northwind))).toMatchObject({ due: hour + week });
    // Then it is cancelled: at its new hour, no email, and the job is gone.
    await h.control("POST", `/_control/accounts/${enc}/calendar/events/${northwind}/cancel`);
    clock = hour + week + 2 * 60_000;
    await h.setClock(clock);
    const later = JSON.stringify({ job: "event", kind: "morning-of", acc: h.email, evt: northwind, due: hour + week });
    expect(await worker()(sqsEvent([{ id: "cancelled", body: later }]))).toEqual({ batchItemFailures: [] });
    expect(await sentCopies("morning-of", northwind)).toHaveLength(0);
    expect(await h.repo.get(keys.eventJob(h.email, "morning-of", northwind))).toBeUndefined();
    clock = hour + 2 * 60_000;
    await h.setClock(clock);
  });

  it("none when the owner switched that kind off", async () => {
    await updateAccount(h.repo, h.email, { eventEmails: { morningAfter: false } }, clock);
    const { bodies } = await dispatchAndWork(iso("2026-06-19T07:00:00Z"));
    expect(bodies.some((b) => b.includes(meetup42))).toBe(true);
    expect(await sentCopies("morning-after", meetup42)).toHaveLength(0);
    // A plan made while it is off puts no morning-after on the index.
    const plan = await planEventJobs({ repo: h.repo, account: { ...h.account(), eventEmails: { morningAfter: false } }, now: clock });
    expect(plan.jobs.filter((j) => j.kind === "morning-after")).toEqual([]);
    await updateAccount(h.repo, h.email, { eventEmails: {} }, clock);
    await planEventJobs({ repo: h.repo, account: h.account(), now: clock });
  });

  it("exactly one morning-of email under ten concurrent dispatches, redeliveries and a worker that died after sending", async () => {
    await setGoal(h.repo, h.account(), mixer, 3, clock);
    const hour = iso("2026-06-20T07:00:00Z");
    const { results, bodies } = await dispatchAndWork(hour);
    expect(results.every((r) => r.eventJobs >= 1)).toBe(true);
    expect(bodies.filter((b) => b.includes(mixer))).toHaveLength(10);
    const sent = await sentCopies("morning-of", mixer);
    expect(sent).toHaveLength(1);
    expect(sent[0].headers.Subject).toBe("Today: Founders Mixer — Shoreditch");
    const record = (await h.repo.get<{ mail: EventMailRecord }>(keys.eventMail(h.email, "morning-of", mixer)))!.mail;
    expect(record).toMatchObject({ status: "sent", kind: "morning-of", eventId: mixer });
    // Delivered again later: the job is done and gone; nothing is sent.
    const again = bodies.find((b) => b.includes(mixer))!;
    expect(await worker()(sqsEvent([{ id: "late", body: again }]))).toEqual({ batchItemFailures: [] });
    // A worker that sent and died before recording it: its claim is taken over after the lease and
    // reconciled against Sent by Message-ID, not sent twice.
    await h.repo.put({ ...keys.eventMail(h.email, "morning-of", mixer), mail: { ...record, status: "sending", claimedAt: clock - 11 * 60_000 } });
    await h.repo.put({ ...keys.eventJob(h.email, "morning-of", mixer), body: again, due: hour, gsi2pk: eventDueKey(hour), gsi2sk: `${h.email}#morning-of#${mixer}` });
    clock += 60_000;
    expect(await worker()(sqsEvent([{ id: "retry", body: again }]))).toEqual({ batchItemFailures: [] });
    expect(await sentCopies("morning-of", mixer)).toHaveLength(1);
    expect((await h.repo.get<{ mail: EventMailRecord }>(keys.eventMail(h.email, "morning-of", mixer)))!.mail.status).toBe("sent");
  });

  it("a claim left 'sending' by a worker that died, not yet stale: the job is filed for the first dispatch after it is, which reconciles it", async () => {
    const hour = iso("2026-06-20T07:00:00Z");
    const record = (await h.repo.get<{ mail: EventMailRecord }>(keys.eventMail(h.email, "morning-of", mixer)))!.mail;
    const body = JSON.stringify({ job: "event", kind: "morning-of", acc: h.email, evt: mixer, due: hour });
    // Its worker claimed the send three minutes ago, sent, and died (a redelivery, a duplicate
    // dispatch or a busy resend can reach it inside the claim's 10 minutes: the scan lease is 6).
    clock += 60_000;
    await h.repo.put({ ...keys.eventMail(h.email, "morning-of", mixer), mail: { ...record, status: "sending", claimedAt: clock - 3 * 60_000 } });
    await h.repo.put({ ...keys.eventJob(h.email, "morning-of", mixer), body, due: hour, gsi2pk: eventDueKey(hour), gsi2sk: `${h.email}#morning-of#${mixer}` });
    expect(await worker()(sqsEvent([{ id: "in-progress", body }]))).toEqual({ batchItemFailures: [] });
    // Not dropped in a slot already read: filed again for the first dispatch once the claim is stale.
    const refiled = await h.repo.get<{ due: number }>(keys.eventJob(h.email, "morning-of", mixer));
    expect(refiled?.due).toBe(nextDispatchSlot(clock + 10 * 60_000));
    expect((await h.repo.get<{ mail: EventMailRecord }>(keys.eventMail(h.email, "morning-of", mixer)))!.mail.status).toBe("sending");
    await dispatchAndWork(refiled!.due);
    expect((await h.repo.get<{ mail: EventMailRecord }>(keys.eventMail(h.email, "morning-of", mixer)))!.mail.status).toBe("sent");
    expect(await sentCopies("morning-of", mixer)).toHaveLength(1);
    expect(await h.repo.get(keys.eventJob(h.email, "morning-of", mixer))).toBeUndefined();
  });

  it("exactly one morning-after email, with the people met, one-tap drafts and the link to say whom else", async () => {
    // After the mixer the owner says they met Jo, who was not on its list.
    clock = iso("2026-06-20T20:30:00Z");
    await confirmMet(h.repo, h.account(), mixer, { added: [{ name: "Jo Park", email: "jo.park@harbourlabs.io" }] }, clock);
    await h.resetStats();
    const hour = iso("2026-06-21T07:00:00Z");
    const { bodies } = await dispatchAndWork(hour);
    expect(bodies.filter((b) => b.includes(mixer))).toHaveLength(10);
    const sent = await sentCopies("morning-after", mixer);
    expect(sent).toHaveLength(1);
    expect(sent[0].headers.Subject).toBe("Founders Mixer — Shoreditch: 1 new person met");
    const record = (await h.repo.get<{ mail: EventMailRecord }>(keys.eventMail(h.email, "morning-after", mixer)))!.mail;
    expect(record.status).toBe("sent");
    // The sent message's text holds the person, a draft link for them and the "met" link for the event.
    const raw = (await PostalMime.parse(sent[0].raw)).text ?? "";
    expect(raw).toContain("jo.park@harbourlabs.io");
    // The event's result: the goal set before it (3) against the people met there so far.
    expect(raw).toContain("Your goal was 3 new people: you met 1 so far, 2 short; 0 of 1 followed up.");
    const draft = /\/l\/draft\/([A-Za-z0-9_-]+)/.exec(raw)?.[1];
    const met = /\/l\/met\/([A-Za-z0-9_-]+)/.exec(raw)?.[1];
    expect(openLink(LINK_KEY, draft!, clock, { act: "draft" })).toMatchObject({ acc: h.email, per: "jo.park@harbourlabs.io", evt: mixer });
    expect(openLink(LINK_KEY, met!, clock, { act: "met" })).toMatchObject({ acc: h.email, evt: mixer });
    expect(openLink(LINK_KEY, met!, clock).per).toBeUndefined();
    // Two morning-after emails were due this hour (the mixer and the Climate Hackathon), and a
    // morning-of without a goal (no call). Each morning-after read the mail since the event first:
    // one incremental request per stream (calendar, SENT, and INBOX for mail From the owner), the
    // new messages' headers (our own emails among them, which the weekly scan would read anyway),
    // and its send.
    const stats = await h.stats();
    expect(stats.calls["calendar.events.list"]).toBe(2);
    expect(stats.calls["gmail.history.list"]).toBe(4);
    expect(stats.calls["gmail.messages.send"]).toBe(2);
    expect(stats.totalCalls - (stats.calls["gmail.messages.get"] ?? 0)).toBe(8);
    // The draft link works: the person is stored by that sync.
    expect(await h.repo.getPerson(h.email, "jo.park@harbourlabs.io")).toMatchObject({ eventId: mixer });
  });
  it("a morning-after sync cut short by the time limit continues at the next dispatch, then sends once", async () => {
    const speakerNight = "5c14atoc5d5iq9oqdjn991ohpb"; // Sun 21 Jun 18:30–20:30 BST
    const hour = iso("2026-06-22T07:00:00Z");
    clock = hour + 60_000;
    await h.setClock(clock);
    const links = { baseUrl: BASE_URL, key: LINK_KEY };
    const job = { job: "event" as const, kind: "morning-after" as const, acc: h.email, evt: speakerNight, due: hour };
    expect(await h.repo.get(keys.eventJob(h.email, "morning-after", speakerNight))).toMatchObject({ due: hour });
    const cut = await runEventJob({ repo: h.repo, provider: h.provider, account: h.account(), job, now: clock, links, stopBefore: () => true });
    expect(cut).toBe("continued");
    const next = hour + DUE_SLOT_MS; // the next quarter hour's dispatch
    expect(await h.repo.get(keys.eventJob(h.email, "morning-after", speakerNight))).toMatchObject({ due: next });
    expect(await sentCopies("morning-after", speakerNight)).toHaveLength(0);
    // The old slot's duplicate is stale now; the next slot's job sends.
    expect(await runEventJob({ repo: h.repo, provider: h.provider, account: h.account(), job, now: clock, links })).toBe("stale");
    clock = next + 60_000;
    expect(await runEventJob({ repo: h.repo, provider: h.provider, account: h.account(), job: { ...job, due: next }, now: clock, links })).toBe("sent");
    expect(await sentCopies("morning-after", speakerNight)).toHaveLength(1);
    expect(await h.repo.get(keys.eventJob(h.email, "morning-after", speakerNight))).toBeUndefined();
  });

  /**
   * The speaker night's morning-after email as if it had never gone (the tests before sent it: its
   * record forgotten, its copies in Sent counted), filed `due`, the clock a minute into that slot;
   * and the harness's provider with the read's last page taking the job's time (`readDone()` from
   * then on, as the worker's abandonPageBefore says no call may start).
   */
  async function speakerNightSlowed(due: number) {
    const speakerNight = "5c14atoc5d5iq9oqdjn991ohpb"; // Sun 21 Jun 18:30–20:30 BST: its morning after is Mon 08:00 BST
    await h.repo.delete(keys.eventMail(h.email, "morning-after", speakerNight));
    const copies = (await sentCopies("morning-after", speakerNight)).length;
    await putEventJob(h.repo, h.email, "morning-after", speakerNight, due);
    clock = due + 60_000;
    await h.setClock(clock);
    const job = { job: "event" as const, kind: "morning-after" as const, acc: h.email, evt: speakerNight, due };
    let done = false;
    const slowed = watchOwnerMailPages(h.provider, (page) => void (done ||= page.done));
    return { speakerNight, copies, job, slowed, readDone: () => done, links: { baseUrl: BASE_URL, key: LINK_KEY } };
  }

  it("a morning-after whose read ends with less than one call's worst case left is filed for the next dispatch, not sent; that dispatch sends it once", async () => {
    const due = iso("2026-06-22T07:15:00Z");
    const { speakerNight, copies, job, slowed, readDone, links } = await speakerNightSlowed(due);
    const cut = await runEventJob({ repo: h.repo, provider: slowed, account: h.account(), job, now: clock, links, abandonPageBefore: readDone, clock: () => clock });
    expect(readDone()).toBe(true);
    expect(cut).toBe("continued");
    expect(await sentCopies("morning-after", speakerNight)).toHaveLength(copies);
    expect(await h.repo.get(keys.eventMail(h.email, "morning-after", speakerNight))).toBeUndefined();
    const next = due + DUE_SLOT_MS;
    expect(await h.repo.get(keys.eventJob(h.email, "morning-after", speakerNight))).toMatchObject({ due: next });
    clock = next + 60_000;
    await h.setClock(clock);
    expect(await runEventJob({ repo: h.repo, provider: h.provider, account: h.account(), job: { ...job, due: next }, now: clock, links })).toBe("sent");
    expect(await sentCopies("morning-after", speakerNight)).toHaveLength(copies + 1);
  });

  it("the same read in the email's last slot (the next dispatch is past its morning): it is sent from this run, not dropped", async () => {
    // Its hour + 12 h, less a quarter hour.
    const { speakerNight, copies, job, slowed, readDone, links } = await speakerNightSlowed(iso("2026-06-22T19:00:00Z") - DUE_SLOT_MS);
    expect(await runEventJob({ repo: h.repo, provider: slowed, account: h.account(), job, now: clock, links, abandonPageBefore: readDone, clock: () => clock })).toBe("sent");
    expect(readDone()).toBe(true);
    expect(await sentCopies("morning-after", speakerNight)).toHaveLength(copies + 1);
  });

  it("a morning-after email no longer goes once its morning is past (its hour + 12 h): a read still cut short is not filed again, and a record that comes back later sends nothing", async () => {
    const speakerNight = "5c14atoc5d5iq9oqdjn991ohpb"; // Sun 21 Jun 18:30–20:30 BST: its morning after is Mon 08:00 BST
    const latest = iso("2026-06-22T19:00:00Z"); // 07:00 UTC + 12 h
    const links = { baseUrl: BASE_URL, key: LINK_KEY };
    // As if it had never gone (the test before sent it): its record and its copies in Sent forgotten.
    await h.repo.delete(keys.eventMail(h.email, "morning-after", speakerNight));
    const copies = (await sentCopies("morning-after", speakerNight)).length;
    // Re-filed all day while each read was cut short: the last slot before its bound is 18:45; that
    // run is cut short too, and the next slot (19:00) is past the bound, so it is not filed again.
    const due = latest - DUE_SLOT_MS;
    await putEventJob(h.repo, h.email, "morning-after", speakerNight, due);
    clock = due + 60_000;
    await h.setClock(clock);
    const job = { job: "event" as const, kind: "morning-after" as const, acc: h.email, evt: speakerNight, due };
    expect(await runEventJob({ repo: h.repo, provider: h.provider, account: h.account(), job, now: clock, links, stopBefore: () => true, clock: () => clock })).toBe("too-late");
    expect(await h.repo.get(keys.eventJob(h.email, "morning-after", speakerNight))).toBeUndefined();
    // A record that comes back after the bound (sent back while the account was busy, a claim held
    // by an attempt that died) reads, finds the event attended, and sends nothing.
    const later = latest + 3_600_000;
    await putEventJob(h.repo, h.email, "morning-after", speakerNight, later);
    clock = later + 60_000;
    await h.setClock(clock);
    expect(await runEventJob({ repo: h.repo, provider: h.provider, account: h.account(), job: { ...job, due: later }, now: clock, links })).toBe("too-late");
    expect(await sentCopies("morning-after", speakerNight)).toHaveLength(copies);
    expect(await h.repo.get(keys.eventJob(h.email, "morning-after", speakerNight))).toBeUndefined();
  });

  /** The account's daily sync as filed, the clock a minute into its slot. */
  async function syncDueNow() {
    const item = (await h.repo.get<{ due: number }>(keys.eventJob(h.email, "sync")))!;
    clock = item.due + 60_000;
    await h.setClock(clock);
    return { item, job: { job: "event" as const, kind: "sync" as const, acc: h.email, due: item.due }, links: { baseUrl: BASE_URL, key: LINK_KEY } };
  }

  /** `run` with the calendar down past the adapter's retries: it must fail. */
  async function withCalendarDown(run: () => Promise<unknown>) {
    await h.injectFault({ route: "calendar.events.list", account: h.email, kind: "status", status: 503, times: 0 });
    try {
      await expect(run()).rejects.toThrow();
    } finally {
      await h.clearFaults();
    }
  }

  it("a daily sync cut short by the time limit continues at the next dispatch", async () => {
    const { item, job, links } = await syncDueNow();
    await h.resetStats();
    // Cut short after reading into the next quarter hour (16 minutes on): filed for the one after it,
    // whose dispatch has not run yet.
    const ended = item.due + 16 * 60_000;
    expect(await runEventJob({ repo: h.repo, provider: h.provider, account: h.account(), job, now: clock, links, stopBefore: () => true, clock: () => ended })).toBe("continued");
    expect((await h.stats()).totalCalls).toBe(0);
    const next = item.due + 2 * DUE_SLOT_MS;
    expect(await h.repo.get(keys.eventJob(h.email, "sync"))).toMatchObject({ due: next });
    clock = next + 60_000;
    expect(await runEventJob({ repo: h.repo, provider: h.provider, account: h.account(), job: { ...job, due: next }, now: clock, links })).toBe("synced");
    expect(((await h.repo.get<{ due: number }>(keys.eventJob(h.email, "sync")))!).due).toBeGreaterThan(next);
  });

  it("a daily sync that fails is filed again an hour on, so the chain goes on; its redelivery finds it moved and does nothing", async () => {
    const { item, job, links } = await syncDueNow();
    await withCalendarDown(() => runEventJob({ repo: h.repo, provider: h.provider, account: h.account(), job, now: clock, links }));
    const again = nextDispatchSlot(clock + HOUR);
    expect(await h.repo.get(keys.eventJob(h.email, "sync"))).toMatchObject({ due: again });
    // The failed message, redelivered: stale.
    expect(await runEventJob({ repo: h.repo, provider: h.provider, account: h.account(), job, now: clock + 30 * 60_000, links })).toBe("stale");
    // The retry fails too: the next sync hour, not every hour for as long as the failure lasts. The
    // owner has set goals (the mixer's), so that is 17:00 the same day, for the evening's read.
    const goals = (await loadStatements(h.repo, h.email)).goals;
    expect(goals.size).toBeGreaterThan(0);
    await withCalendarDown(() => runEventJob({ repo: h.repo, provider: h.provider, account: h.account(), job: { ...job, due: again }, now: again + 60_000, links }));
    expect(((await h.repo.get<{ due: number }>(keys.eventJob(h.email, "sync")))!).due - item.due).toBe(10 * HOUR);
    // Without a goal, the next day's 07:00: an outage costs an account two runs a day, not four.
    const stored = await Promise.all([...goals.keys()].map((id) => h.repo.get<Record<string, unknown>>(keys.eventGoal(h.email, id))));
    for (const id of goals.keys()) await clearGoal(h.repo, h.account(), id);
    try {
      await putEventJob(h.repo, h.email, "sync", undefined, again);
      await withCalendarDown(() => runEventJob({ repo: h.repo, provider: h.provider, account: h.account(), job: { ...job, due: again }, now: again + 60_000, links }));
      expect(((await h.repo.get<{ due: number }>(keys.eventJob(h.email, "sync")))!).due - item.due).toBe(24 * HOUR);
    } finally {
      // The goals as they were (some of their events are gone from the calendar since: put back as stored).
      for (const item of stored) if (item) await h.repo.put(item);
    }
    // (Back at the hour's retry, for the rest of this test.)
    await putEventJob(h.repo, h.email, "sync", undefined, again);
    clock = again + 60_000;
    expect(await runEventJob({ repo: h.repo, provider: h.provider, account: h.account(), job: { ...job, due: again }, now: clock, links })).toBe("synced");
    expect(((await h.repo.get<{ due: number }>(keys.eventJob(h.email, "sync")))!).due).toBeGreaterThan(again);
  });

  it("a morning-after email whose run fails is filed again an hour on, while a plan would still file it, and then sent once", async () => {
    const tinkerers = "ciquplonggnt1etjbigv2q3bet"; // AI Tinkerers London, Mon 22 Jun 18:00 BST
    const hour = iso("2026-06-23T07:00:00Z");
    const links = { baseUrl: BASE_URL, key: LINK_KEY };
    const job = { job: "event" as const, kind: "morning-after" as const, acc: h.email, evt: tinkerers, due: hour };
    const item = () => h.repo.get<{ due: number }>(keys.eventJob(h.email, "morning-after", tinkerers));
    const run = (due: number, at: number) => runEventJob({ repo: h.repo, provider: h.provider, account: h.account(), job: { ...job, due }, now: at, links });
    const failing = async (route: string, due: number, at: number) => {
      await h.injectFault({ route, account: h.email, kind: "status", status: 503, times: 0 });
      try {
        await expect(run(due, at)).rejects.toThrow();
      } finally {
        await h.clearFaults();
      }
    };
    expect(await item()).toMatchObject({ due: hour });
    clock = hour + 60_000;
    await h.setClock(clock);
    // The send refused past the adapter's retries: filed an hour on, its claim marked failed.
    await failing("gmail.messages.send", hour, clock);
    const second = nextDispatchSlot(clock + HOUR);
    expect(await item()).toMatchObject({ due: second });
    expect((await h.repo.get<{ mail: EventMailRecord }>(keys.eventMail(h.email, "morning-after", tinkerers)))!.mail.status).toBe("failed");
    // The failed message, redelivered minutes later, finds it moved: nothing reaches the DLQ.
    expect(await run(hour, clock + 5 * 60_000)).toBe("stale");
    // The retry's mail read fails (Gmail's history down): again an hour on.
    await failing("gmail.history.list", second, second + 60_000);
    const third = nextDispatchSlot(second + 60_000 + HOUR);
    expect(await item()).toMatchObject({ due: third });
    // The provider back: the retry sends, once.
    clock = third + 60_000;
    await h.setClock(clock);
    expect(await run(third, clock)).toBe("sent");
    expect(await sentCopies("morning-after", tinkerers)).toHaveLength(1);
    expect(await item()).toBeUndefined();
    // One failing within an hour of 12 hours after its hour (when no plan would file it any more,
    // core/events eventMailLatest) is not tried again, however recently its item was written (a
    // plan or a retry filed it at that slot): the bound is the event's, not the item's.
    const happyHour = "dag85ve4qk410nsclpie1omjl7"; // Climate Tech Happy Hour, the same evening: its email at 08:00 BST too
    const late = hour + 11 * HOUR + 30 * 60_000;
    await putEventJob(h.repo, h.email, "morning-after", happyHour, dispatchSlot(late));
    await h.injectFault({ route: "gmail.history.list", account: h.email, kind: "status", status: 503, times: 0 });
    try {
      await expect(runEventJob({ repo: h.repo, provider: h.provider, account: h.account(), job: { ...job, evt: happyHour, due: dispatchSlot(late) }, now: late, links })).rejects.toThrow();
    } finally {
      await h.clearFaults();
    }
    expect(await h.repo.get(keys.eventJob(h.email, "morning-after", happyHour))).toBeUndefined();
    // An item deleted while its run failed (the account disconnected and deleted meanwhile): the
    // retry does not put it back.
    const gala = "6kvhl7r9l5famjupbenbh0ufe5"; // Founders Gala dinner, Tue 23 Jun 19:00 BST
    const galaHour = iso("2026-06-24T07:00:00Z");
    const jobKey = keys.eventJob(h.email, "morning-after", gala);
    await putEventJob(h.repo, h.email, "morning-after", gala, galaHour);
    const deletedMeanwhile = new Proxy(h.provider, {
      get: (target, prop) =>
        prop === "send"
          ? async () => {
              await h.repo.delete(jobKey);
              throw new Error("the provider failed after the account was deleted");
            }
          : Reflect.get(target, prop),
    });
    clock = galaHour + 60_000;
    await h.setClock(clock);
    await expect(runEventJob({ repo: h.repo, provider: deletedMeanwhile, account: h.account(), job: { ...job, evt: gala, due: galaHour }, now: clock, links })).rejects.toThrow("after the account was deleted");
    expect(await h.repo.get(jobKey)).toBeUndefined();
  });

  it("a retry hours after a send that went out but reported a failure finds that copy in Sent, even after a retry that failed before sending", async () => {
    const gala = "6kvhl7r9l5famjupbenbh0ufe5"; // its morning-after claim failed, nothing sent yet (the test before)
    const hour = iso("2026-06-24T07:00:00Z");
    const links = { baseUrl: BASE_URL, key: LINK_KEY };
    const job = { job: "event" as const, kind: "morning-after" as const, acc: h.email, evt: gala };
    const run = async (provider: typeof h.provider, due: number, at: number) => {
      clock = at;
      await h.setClock(at);
      return runEventJob({ repo: h.repo, provider, account: h.account(), job: { ...job, due }, now: at, links });
    };
    const overriding = (prop: "send" | "sentRecently", fn: (...args: never[]) => Promise<unknown>) =>
      new Proxy(h.provider, { get: (target, p) => (p === prop ? fn : Reflect.get(target, p)) });
    await putEventJob(h.repo, h.email, "morning-after", gala, hour);
    // 1. The send goes out, and its answer is lost: a failure as far as the job can tell.
    const lostAnswer = overriding("send", async (...args: never[]) => {
      await (h.provider.send as (...a: never[]) => Promise<unknown>)(...args);
      throw new Error("socket hang up");
    });
    await expect(run(lostAnswer, hour, hour + 60_000)).rejects.toThrow("socket hang up");
    expect(await sentCopies("morning-after", gala)).toHaveLength(1);
    const second = (await h.repo.get<{ due: number }>(keys.eventJob(h.email, "morning-after", gala)))!.due;
    expect(second).toBe(nextDispatchSlot(hour + 60_000 + HOUR));
    // Half an hour later the owner writes to someone: Sent's newest is no longer that copy.
    await h.setClock(hour + 30 * 60_000);
    await h.provider.send({ to: "friend@example.org", subject: "Lunch on Friday?", text: "Lunch on Friday?", html: "<p>Lunch on Friday?</p>" });
    // 2. An hour on, the look in Sent fails (Gmail busy): it claimed, and sent nothing.
    const sentDown = overriding("sentRecently", async () => {
      throw new Error("Gmail: rate limit exceeded");
    });
    await expect(run(sentDown, second, second + 60_000)).rejects.toThrow("rate limit");
    const third = (await h.repo.get<{ due: number }>(keys.eventJob(h.email, "morning-after", gala)))!.due;
    expect(third).toBe(nextDispatchSlot(second + 60_000 + HOUR));
    // 3. An hour later still: the copy of two hours ago is found, recorded as sent, not sent again.
    expect(await run(h.provider, third, third + 60_000)).toBe("reconciled");
    expect(await sentCopies("morning-after", gala)).toHaveLength(1);
    expect((await h.repo.get<{ mail: EventMailRecord }>(keys.eventMail(h.email, "morning-after", gala)))!.mail.status).toBe("sent");
  });
});

describe("the daily sync runs for every active account, so an event accepted mid-week gets its emails (demo-google)", () => {
  // Isla (Australia/Melbourne, UTC+10 in June). The demo's events are all over by 3 June.
  const monday = iso("2026-06-14T22:00:00Z"); // Mon 15 Jun 08:00: the weekly scan and plan, nothing coming up
  const tuesdaySync = iso("2026-06-15T21:00:00Z"); // Tue 16 Jun 07:00
  const accepted = iso("2026-06-16T02:00:00Z"); // Tue 16 Jun 12:00: the owner accepts a mixer for Thursday
  const wednesdaySync = iso("2026-06-16T21:00:00Z"); // Wed 17 Jun 07:00
  const mixerId = "midweekmixer0001";
  let h: ScanHarness;
  let clock = monday;
  const deps = (): JobDeps => ({ repo: h.repo, now: () => clock, providerFor: () => h.provider, onRevoked: markNeedsReconnect, linkKey: "midweek-link-key", baseUrl: "https://app.followthrough.test" });
  const sqs = (bodies: string[]): SQSEvent =>
    ({ Records: bodies.map((body) => ({ messageId: randomUUID(), body, receiptHandle: randomUUID(), attributes: {}, messageAttributes: {}, md5OfBody: "", eventSource: "aws:sqs", eventSourceARN: "arn:aws:sqs:us-east-1:1:Digests", awsRegion: "us-east-1" })) }) as unknown as SQSEvent;
  /** The hour's dispatch, then the worker on what it queued. */
  async function dispatchAndWork(hour: number) {
    clock = hour + 60_000;
    await h.setClock(clock);
    const queue = memorySender();
    await dispatchDue({ repo: h.repo, queue, at: hour });
    const bodies = queue.batches.flat();
    if (bodies.length) expect(await createWorkerHandler(deps)(sqs(bodies))).toEqual({ batchItemFailures: [] });
    return bodies.map((b) => parseEventJob(b));
  }
  /** A mixer Design Melbourne hosts (local times in Melbourne, UTC+10), the owner and one guest accepted. */
  const acceptMixer = (id: string, summary: string, start: string, end: string, guest: { email: string; displayName: string }) =>
    h.control("POST", `/_control/accounts/${encodeURIComponent(h.email)}/calendar/events`, {
      id,
      status: "confirmed",
      summary,
      organizer: { email: "events@designmelb.org", displayName: "Design Melbourne" },
      start: { dateTime: `${start}:00+10:00`, timeZone: "Australia/Melbourne" },
      end: { dateTime: `${end}:00+10:00`, timeZone: "Australia/Melbourne" },
      attendees: [
        { email: "events@designmelb.org", displayName: "Design Melbourne", organizer: true, responseStatus: "accepted" },
        { email: h.email, self: true, responseStatus: "accepted" },
        { ...guest, responseStatus: "accepted" },
      ],
    });
  const sentEventMail = async () =>
    (await h.control<{ headers: Record<string, string> }[]>("GET", `/_control/accounts/${encodeURIComponent(h.email)}/gmail/sent`)).filter((m) =>
      Object.entries(m.headers).some(([k]) => k.toLowerCase() === "x-followthrough-event-mail"),
    );

  beforeAll(async () => {
    h = await scannedAt(ownFixture("demo-google"), monday);
  }, 60_000);
  afterAll(() => h?.close());

  it("the weekly plan of a quiet week still puts tomorrow's 07:00 sync on the index; a paused account gets none", async () => {
    const plan = await planEventJobs({ repo: h.repo, account: h.account(), now: monday });
    expect(plan.jobs).toEqual([]);
    expect(plan.sync).toBe(tuesdaySync);
    expect(await h.repo.get(keys.eventJob(h.email, "sync"))).toMatchObject({ due: tuesdaySync });
    // Paused (or needing a reconnect): no sync item, and the one there is removed.
    expect((await planEventJobs({ repo: h.repo, account: { ...h.account(), status: "paused" }, now: monday })).sync).toBeUndefined();
    expect(await h.repo.get(keys.eventJob(h.email, "sync"))).toBeUndefined();
    await planEventJobs({ repo: h.repo, account: h.account(), now: monday });
  });

  it("Tuesday's sync finds nothing and keeps the chain; Wednesday's finds Thursday's mixer and plans both emails; the morning after is sent once", async () => {
    expect(await dispatchAndWork(tuesdaySync)).toEqual([{ job: "event", kind: "sync", acc: h.email, due: tuesdaySync }]);
    expect(await h.repo.get(keys.eventJob(h.email, "sync"))).toMatchObject({ due: wednesdaySync });
    // Tuesday noon: the owner accepts a mixer on Thursday 18:00–20:00 (its host and two guests on it).
    await h.setClock(accepted);
    await acceptMixer(mixerId, "Founders Mixer", "2026-06-18T18:00", "2026-06-18T20:00", { email: "rafa@tidepool.example", displayName: "Rafa Lindqvist" });
    await h.resetStats();
    expect((await dispatchAndWork(wednesdaySync)).map((j) => j?.kind)).toEqual(["sync"]);
    // One incremental calendar read and, the morning's sync, the calendar's zone: nothing else at the provider.
    const stats = await h.stats();
    expect(stats.calls).toEqual({ "calendar.settings.get": 1, "calendar.events.list": 1 });
    const ofHour = iso("2026-06-17T22:00:00Z"); // Thu 18 Jun 08:00
    const afterHour = iso("2026-06-18T22:00:00Z"); // Fri 19 Jun 08:00
    expect(await h.repo.get(keys.eventJob(h.email, "morning-of", mixerId))).toMatchObject({ due: ofHour });
    expect(await h.repo.get(keys.eventJob(h.email, "morning-after", mixerId))).toMatchObject({ due: afterHour });
    expect(await h.repo.get(keys.eventJob(h.email, "sync"))).toMatchObject({ due: iso("2026-06-17T21:00:00Z") });
    // Thursday: the sync, then the morning-of hour (no goal: no email). Friday: the sync, then the morning after.
    await dispatchAndWork(iso("2026-06-17T21:00:00Z"));
    expect((await dispatchAndWork(ofHour)).map((j) => j?.kind)).toEqual(["morning-of"]);
    await dispatchAndWork(iso("2026-06-18T21:00:00Z"));
    expect((await dispatchAndWork(afterHour)).map((j) => j?.kind)).toEqual(["morning-after"]);
    const sent = await sentEventMail();
    expect(sent).toHaveLength(1);
    // Rafa is new; the host was first met at the demo's May mixer, so is not.
    expect(sent[0].headers.Subject).toBe("Founders Mixer: 1 new person met");
    expect((await h.repo.get<{ mail: EventMailRecord }>(keys.eventMail(h.email, "morning-after", mixerId)))?.mail.status).toBe("sent");
    // The job is gone; the same hour dispatched again queues nothing and sends nothing.
    expect(await dispatchAndWork(afterHour)).toEqual([]);
    expect(await sentEventMail()).toHaveLength(1);
  });

  it("a morning-after sent, its record then deleted by a disconnect and the email filed again later that morning by a new connection's plan: found in Sent, not sent again (helper-176 #1)", async () => {
    const afterHour = iso("2026-06-18T22:00:00Z"); // Fri 19 Jun 08:00, when it went (the test before)
    expect(await sentEventMail()).toHaveLength(1);
    // What a disconnect deletes (core/connect), a new connection at 09:00, and its plan filing the
    // email at its next dispatch. (A connection older than the event has the email's record, and
    // does not look.)
    await h.repo.delete(keys.eventMail(h.email, "morning-after", mixerId));
    await updateConnection(h.repo, h.email, { connectedAt: afterHour + HOUR }, afterHour + HOUR);
    const late = afterHour + 2 * HOUR + 15 * 60_000;
    await putEventJob(h.repo, h.email, "morning-after", mixerId, late);
    expect((await dispatchAndWork(late)).map((j) => j?.kind)).toEqual(["morning-after"]);
    expect(await sentEventMail()).toHaveLength(1);
    expect((await h.repo.get<{ mail: EventMailRecord }>(keys.eventMail(h.email, "morning-after", mixerId)))?.mail.status).toBe("sent");
    expect(await h.repo.get(keys.eventJob(h.email, "morning-after", mixerId))).toBeUndefined();
  });

  it("the same, the new connection in a zone whose 08:00 comes later: its job runs on time at the new hour and still finds the copy in Sent (helper-178 #3)", async () => {
    // Sent at 08:00 Melbourne (22:00 UTC Thursday). The owner disconnects and connects again from
    // London, whose Friday 08:00 is 07:00 UTC: the plan files the email there, and its job is on time.
    expect(await sentEventMail()).toHaveLength(1);
    const london = iso("2026-06-19T07:00:00Z");
    await h.repo.delete(keys.eventMail(h.email, "morning-after", mixerId));
    await updateConnection(h.repo, h.email, { connectedAt: london - HOUR, timeZone: "Europe/London" }, london - HOUR);
    try {
      await putEventJob(h.repo, h.email, "morning-after", mixerId, london);
      expect((await dispatchAndWork(london)).map((j) => j?.kind)).toContain("morning-after");
      expect(await sentEventMail()).toHaveLength(1);
      expect((await h.repo.get<{ mail: EventMailRecord }>(keys.eventMail(h.email, "morning-after", mixerId)))?.mail.status).toBe("sent");
      expect(await h.repo.get(keys.eventJob(h.email, "morning-after", mixerId))).toBeUndefined();
    } finally {
      await updateAccount(h.repo, h.email, { timeZone: "Australia/Melbourne" }, london);
    }
  });

  it("an event email refused with a Retry-After longer than an hour is filed again no sooner than it says (helper-176 #2)", async () => {
    // Mon 22 Jun: a mixer 18:00–20:00, its morning-after at 08:00 on Tuesday (22:00 UTC Monday).
    const id = "retryaftermixer1";
    await h.setClock(iso("2026-06-22T00:00:00Z"));
    await acceptMixer(id, "Founders Retry Mixer", "2026-06-22T18:00", "2026-06-22T20:00", { email: "sol@tidepool.example", displayName: "Sol Ortega" });
    const hour = iso("2026-06-22T22:00:00Z");
    await putEventJob(h.repo, h.email, "morning-after", id, hour);
    clock = hour + 60_000;
    await h.setClock(clock);
    // As the adapter gives up in production: the 429's wait is past the job's retry budget, so the
    // classified error, its Retry-After with it, is the job's at the first answer.
    let sends = 0;
    const throttled = new Proxy(h.provider, {
      get: (target, prop) =>
        prop === "send"
          ? async () => {
              sends++;
              throw new ProviderError("rate-limited", "gmail: rate limit exceeded", 429, 7200_000);
            }
          : Reflect.get(target, prop),
    });
    const job = { job: "event" as const, kind: "morning-after" as const, acc: h.email, evt: id, due: hour };
    await expect(runEventJob({ repo: h.repo, provider: throttled, account: h.account(), job, now: clock, clock: () => clock, links: { baseUrl: "https://app.followthrough.test", key: "midweek-link-key" } })).rejects.toThrow("rate limit");
    expect(sends).toBe(1);
    expect(await h.repo.get(keys.eventJob(h.email, "morning-after", id))).toMatchObject({ due: nextDispatchSlot(clock + 7200_000) });
    expect(await sentEventMail()).toHaveLength(1);
  });

  it("a sync whose read ends after the 08:00 dispatch puts that morning's email in the next slot, not the one already read", async () => {
    // Saturday 20 Jun: a brunch mixer at 10:00, its morning-of email due at 08:00 (22:00 UTC Friday).
    const brunchId = "brunchmixer00001";
    const ofHour = iso("2026-06-19T22:00:00Z");
    await h.setClock(iso("2026-06-19T20:00:00Z"));
    await acceptMixer(brunchId, "Founders Brunch Mixer", "2026-06-20T10:00", "2026-06-20T12:00", { email: "noor@tidepool.example", displayName: "Noor Haddad" });
    // A sync continued at 07:45 (an earlier one cut short) starts at 07:55 and ends at 08:02.
    const due = ofHour - DUE_SLOT_MS;
    await putEventJob(h.repo, h.email, "sync", undefined, due);
    const job = { job: "event" as const, kind: "sync" as const, acc: h.email, due };
    const links = { baseUrl: "https://app.followthrough.test", key: "midweek-link-key" };
    const started = ofHour - 5 * 60_000;
    expect(await runEventJob({ repo: h.repo, provider: h.provider, account: h.account(), job, now: started, links, clock: () => ofHour + 2 * 60_000 })).toBe("synced");
    expect(await h.repo.get(keys.eventJob(h.email, "morning-of", brunchId))).toMatchObject({ due: ofHour + DUE_SLOT_MS });
  });

  it("a plan made while a cut-short daily sync waits for its next quarter hour leaves it there, not at tomorrow's 07:00", async () => {
    // Sunday 21 Jun 07:00 (21:00 UTC Saturday): the sync is cut short and filed for 07:15.
    const sunday = iso("2026-06-20T21:00:00Z");
    await putEventJob(h.repo, h.email, "sync", undefined, sunday);
    const links = { baseUrl: "https://app.followthrough.test", key: "midweek-link-key" };
    const job = { job: "event" as const, kind: "sync" as const, acc: h.email, due: sunday };
    expect(await runEventJob({ repo: h.repo, provider: h.provider, account: h.account(), job, now: sunday + 60_000, links, stopBefore: () => true, clock: () => sunday + 2 * 60_000 })).toBe("continued");
    const retry = sunday + DUE_SLOT_MS;
    expect(await h.repo.get(keys.eventJob(h.email, "sync"))).toMatchObject({ due: retry });
    // 07:05: the owner sets a goal (or a mark, or a setting), which plans again.
    const plan = await planEventJobs({ repo: h.repo, account: h.account(), now: sunday + 5 * 60_000 });
    expect(plan.sync).toBe(retry);
    expect(await h.repo.get(keys.eventJob(h.email, "sync"))).toMatchObject({ due: retry });
    // The 07:15 dispatch runs it; done, it files tomorrow's.
    expect(await runEventJob({ repo: h.repo, provider: h.provider, account: h.account(), job: { ...job, due: retry }, now: retry + 60_000, links })).toBe("synced");
    expect(await h.repo.get(keys.eventJob(h.email, "sync"))).toMatchObject({ due: sunday + 86_400_000 });
    // Monday 06:59:30: a plan in the minute before the 07:00 sync leaves it (its dispatch reads it).
    const monday = sunday + 86_400_000;
    expect((await planEventJobs({ repo: h.repo, account: h.account(), now: monday - 30_000 })).sync).toBe(monday);
    expect(await h.repo.get(keys.eventJob(h.email, "sync"))).toMatchObject({ due: monday });
  });
});

describe.skipIf(!sharedPresent())("the morning-after email at 08:00 in the owner's zone as it is when it goes (google-eventgoer)", () => {
  it("a zone changed after the plan (a reconnect): the job finds its 08:00 still ahead, files itself there, and sends then, once", async () => {
    const mixer = "b9fqqjc9spae0ovijc3g65lpb1"; // Sat 20 Jun 18:30–21:00 BST
    const start = iso("2026-06-17T07:30:00Z");
    const h = await scannedAt(sharedFixture("google-eventgoer"), start);
    try {
      await planEventJobs({ repo: h.repo, account: h.account(), now: start });
      const dueOf = async () => (await h.repo.get<{ due: number }>(keys.eventJob(h.email, "morning-after", mixer)))?.due;
      const london = iso("2026-06-21T07:00:00Z"); // Sunday 08:00 BST
      expect(await dueOf()).toBe(london);
      // Sunday 07:30 BST, after the day's 07:00 sync: the owner reconnects from Los Angeles.
      await updateAccount(h.repo, h.email, { timeZone: "America/Los_Angeles" }, iso("2026-06-21T06:30:00Z"));
      const links = { baseUrl: "https://app.followthrough.test", key: "zone-change-link-key" };
      const run = async (due: number, readsEndAt = due + 60_000) => {
        await h.setClock(due + 60_000);
        const account = (await loadAccount(h.repo, h.email))!;
        return runEventJob({ repo: h.repo, provider: h.provider, account, job: { job: "event", kind: "morning-after", acc: h.email, evt: mixer, due }, now: due + 60_000, links, clock: () => readsEndAt });
      };
      const copies = async () => (await sentCopiesIn(h, "morning-after", mixer)).length;
      // 08:00 in London is midnight in Los Angeles: not sent, filed for 08:00 there.
      expect(await run(london)).toBe("moved");
      const la = iso("2026-06-21T15:00:00Z"); // Sunday 08:00 PDT
      expect(await dueOf()).toBe(la);
      expect(await h.repo.get(keys.eventMail(h.email, "morning-after", mixer))).toBeUndefined();
      expect(await copies()).toBe(0);
      expect(await run(la)).toBe("sent");
      expect((await h.repo.get<{ mail: EventMailRecord }>(keys.eventMail(h.email, "morning-after", mixer)))!.mail.status).toBe("sent");
      expect(await dueOf()).toBeUndefined();
      expect(await copies()).toBe(1);
    } finally {
      await h.close();
    }
  });

  it("the 17:00 sync while a goal is set: the organiser moves the event at noon to 08:00 the next morning, and its evening-before email goes at 18:00", async () => {
    const mixer = "b9fqqjc9spae0ovijc3g65lpb1"; // Sat 20 Jun 18:30–21:00 BST
    const start = iso("2026-06-17T07:30:00Z");
    const h = await scannedAt(sharedFixture("google-eventgoer"), start);
    try {
      const links = { baseUrl: "https://app.followthrough.test", key: "evening-sync-link-key" };
      await setGoal(h.repo, h.account(), mixer, 3, start);
      // Thursday's 07:00 sync plans the next one for 17:00, the goal's email being still to come.
      const thursday7 = iso("2026-06-18T06:00:00Z");
      const plan = await planEventJobs({ repo: h.repo, account: h.account(), now: thursday7 });
      const five = iso("2026-06-18T16:00:00Z"); // 17:00 BST
      expect(plan.sync).toBe(five);
      // At noon the organiser moves the mixer to Friday 08:00.
      const stored = (JSON.parse(readFileSync(join(sharedFixture("google-eventgoer"), "google", "events.json"), "utf8")) as { id: string; start: { dateTime: string }; end: { dateTime: string } }[]).find((e) => e.id === mixer)!;
      const moved = { ...stored, start: { ...stored.start, dateTime: "2026-06-19T07:00:00Z" }, end: { ...stored.end, dateTime: "2026-06-19T09:00:00Z" } };
      await h.setClock(iso("2026-06-18T11:00:00Z"));
      await h.control("POST", `/_control/accounts/${encodeURIComponent(h.email)}/calendar/events`, moved);
      // The 17:00 sync reads it, and its plan files the evening-before email for 18:00 BST.
      await h.setClock(five + 60_000);
      expect(await runEventJob({ repo: h.repo, provider: h.provider, account: h.account(), job: { job: "event", kind: "sync", acc: h.email, due: five }, now: five + 60_000, links })).toBe("synced");
      const six = iso("2026-06-18T17:00:00Z");
      expect(await h.repo.get(keys.eventJob(h.email, "morning-of", mixer))).toMatchObject({ due: six });
      await h.setClock(six + 60_000);
      expect(await runEventJob({ repo: h.repo, provider: h.provider, account: h.account(), job: { job: "event", kind: "morning-of", acc: h.email, evt: mixer, due: six }, now: six + 60_000, links })).toBe("sent");
      const record = (await h.repo.get<{ mail: EventMailRecord }>(keys.eventMail(h.email, "morning-of", mixer)))!.mail;
      expect(record.subject).toMatch(/^Tomorrow: /);
    } finally {
      await h.close();
    }
  });

  it("a slot that came while the job's reads ran is this one: sent, not filed a quarter hour on", async () => {
    const mixer = "b9fqqjc9spae0ovijc3g65lpb1";
    const start = iso("2026-06-17T07:30:00Z");
    const h = await scannedAt(sharedFixture("google-eventgoer"), start);
    try {
      await planEventJobs({ repo: h.repo, account: h.account(), now: start });
      const london = iso("2026-06-21T07:00:00Z");
      // Reykjavik's 08:00 is an hour after London's: the job starts at London's slot, and its reads end after Reykjavik's.
      await updateAccount(h.repo, h.email, { timeZone: "Atlantic/Reykjavik" }, iso("2026-06-21T06:30:00Z"));
      await h.setClock(london + 60_000);
      const account = (await loadAccount(h.repo, h.email))!;
      const links = { baseUrl: "https://app.followthrough.test", key: "zone-change-link-key" };
      const job = { job: "event" as const, kind: "morning-after" as const, acc: h.email, evt: mixer, due: london };
      expect(await runEventJob({ repo: h.repo, provider: h.provider, account, job, now: london + 60_000, links, clock: () => iso("2026-06-21T08:00:30Z") })).toBe("sent");
      expect(await h.repo.get(keys.eventJob(h.email, "morning-after", mixer))).toBeUndefined();
    } finally {
      await h.close();
    }
  });
});

describe("the morning-after email says what the follow-up was", () => {
  const zone = "Europe/London";
  const now = iso("2026-06-17T07:00:00Z"); // Wednesday 08:00, the morning after a Tuesday mixer
  const account = { email: "owner@acme.io", aliases: [], timeZone: zone, displayName: "Owner", provider: "google", clientId: "c", refreshTokenSealed: "x", status: "active", connectedAt: 0 } as AccountRecord;
  const links = { baseUrl: "https://app.followthrough.test", key: "k".repeat(32) };
  const person = (email: string, name: string) => ({ email, name, response: "accepted" as const, resource: false, organizer: false });
  const base = { allDay: false, cancelled: false, kind: "default" as const, organizerSelf: true, selfResponse: "accepted" as const };
  const mixer: Meeting = { ...base, id: "mixer", title: "Design Mixer", start: iso("2026-06-16T17:00:00Z"), end: iso("2026-06-16T19:00:00Z"), attendees: [person("ana@north.example", "Ana Souza"), person("ben@south.example", "Ben Ito"), person("cy@west.example", "Cy Moss")] };
  const coffee = (id: string, email: string, name: string, start: string): Meeting => ({ ...base, id, title: "Coffee", start: iso(start), end: iso(start) + HOUR, attendees: [person(email, name)] });
  const meetings = [mixer, coffee("c-ben", "ben@south.example", "Ben Ito", "2026-06-19T09:00:00Z")];
  const wroteAna = { id: "s1", sentAt: iso("2026-06-16T21:00:00Z"), from: account.email, inSent: true, draft: false, meetingNotice: false, subject: "Great to meet you", recipients: [{ email: "ana@north.example", name: "" }] };

  it("each event email says why it came and links to its settings (the event emails' section); the morning-of one also to its goal (helper-208 #4)", () => {
    const settingsOf = (text: string) => {
      const url = /Change them in your settings: (\S+)/.exec(text)![1]!;
      expect(url.endsWith("#event-emails")).toBe(true);
      const token = new URL(url).pathname.split("/").at(-1)!;
      return openLink(links.key, token, now, { act: "settings", acc: account.email });
    };
    const before = morningOfMail({ account, event: { ...mixer, start: now + 10 * HOUR }, goal: 3, now, links });
    expect(before.text).toContain("You get this email because your event emails are on.");
    expect(settingsOf(before.text).act).toBe("settings");
    expect(before.html).toContain("Change them in your settings</a>");
    const goal = /Change your goal: (\S+)/.exec(before.text)![1]!;
    expect(openLink(links.key, new URL(goal).pathname.split("/").at(-1)!, now, { act: "goal", acc: account.email }).evt).toBe("mixer");
    expect(before.html).toContain(">Change your goal</a>");
    const after = morningAfterMail({ account, event: { eventId: "mixer", title: "Design Mixer", start: mixer.start }, met: [], now, links });
    expect(settingsOf(after.text).act).toBe("settings");
    expect(after.html).toContain("Change them in your settings</a>");
  });

  it("mail sent: 'you wrote on'; a later meeting still ahead: 'you meet again on', never 'you wrote'; a past one: 'you met again on'", () => {
    const contacts = infer(account, meetings, [wroteAna], now).contacts.filter((c) => c.eventId === "mixer");
    const text = morningAfterMail({ account, event: { eventId: "mixer", title: "Design Mixer", start: mixer.start }, met: contacts, now, links }).text;
    expect(text).toContain("at Design Mixer on Tuesday 16 June, so far:");
    // An event over several dates is named by both (helper-150 #3).
    const conference = morningAfterMail({ account, event: { eventId: "mixer", title: "Web Summit", start: mixer.start, end: iso("2026-06-18T19:00:00Z") }, met: [], now, links }).text;
    expect(conference).toContain("Nobody from Web Summit from Tuesday 16 June to Thursday 18 June is in your list yet.");
    // One night's mixer past midnight (23:00–01:00 in London) is named by the day it began (helper-152).
    const late = morningAfterMail({ account, event: { eventId: "mixer", title: "Late Mixer", start: iso("2026-06-16T22:00:00Z"), end: iso("2026-06-17T00:00:00Z") }, met: [], now, links }).text;
    expect(late).toContain("Nobody from Late Mixer on Tuesday 16 June is in your list yet.");
    // By the local clock, the same on the days the clocks change: a 22-hour hackathon, noon to noon
    // on the weekend the clocks go forward, are two dates (helper-153).
    const hack = (start: string, end: string) => morningAfterMail({ account, event: { eventId: "mixer", title: "Hack", start: iso(start), end: iso(end) }, met: [], now, links }).text;
    expect(hack("2026-06-05T17:00:00Z", "2026-06-06T15:00:00Z")).toContain("Nobody from Hack from Friday 5 June to Saturday 6 June");
    expect(hack("2026-03-28T12:00:00Z", "2026-03-29T11:00:00Z")).toContain("Nobody from Hack from Saturday 28 March to Sunday 29 March");
    expect(hack("2026-06-06T11:00:00Z", "2026-06-07T11:00:00Z")).toContain("Nobody from Hack from Saturday 6 June to Sunday 7 June");
    expect(text).toContain("- Ana Souza <ana@north.example>: you wrote on 16 Jun");
    expect(text).toContain("- Ben Ito <ben@south.example>: you meet again on 19 Jun");
    expect(text).not.toMatch(/Ben Ito[^\n]*wrote/);
    expect(text).toMatch(/- Cy Moss <cy@west.example>: draft a follow-up https:\/\/app\.followthrough\.test\/l\/draft\//);
    // Read after the coffee took place, the same meeting is in the past tense; the HTML says the same.
    const later = iso("2026-06-19T12:00:00Z");
    const after = morningAfterMail({ account, event: { eventId: "mixer", title: "Design Mixer", start: mixer.start }, met: infer(account, meetings, [wroteAna], later).contacts.filter((c) => c.eventId === "mixer"), now: later, links });
    expect(after.text).toContain("- Ben Ito <ben@south.example>: you met again on 19 Jun");
    expect(after.html).toContain("<li>Ben Ito &lt;ben@south.example&gt;: you met again on 19 Jun</li>");
    // Its result first: without a goal, how many followed up; with one, the goal against the people met.
    expect(text.split("\n")[0]).toBe("2 of 3 followed up so far.");
    const withGoal = morningAfterMail({ account, event: { eventId: "mixer", title: "Design Mixer", start: mixer.start, goal: 2 }, met: contacts, now, links });
    expect(withGoal.text.split("\n")[0]).toBe("Your goal was 2 new people: you met 3 so far, goal met; 2 of 3 followed up.");
    expect(withGoal.html).toContain("<p><strong>Your goal was 2 new people: you met 3 so far, goal met; 2 of 3 followed up.</strong></p>");
  });

  it("an event's title and a person's name as the digest shows them: one clean line, a title at most 100 characters; no 'evening' for any event; each draft link names whom (helper-240 #2, #5, #8)", () => {
    const hostile = `Breakfast\r\nBcc: evil@x.io \u202eevil ${"x".repeat(500)}`;
    const before = morningOfMail({ account, event: { ...mixer, title: hostile, start: now + 10 * HOUR }, goal: 3, now, links });
    const contacts = infer(account, meetings, [wroteAna], now).contacts.filter((c) => c.eventId === "mixer");
    const spoofed = contacts.map((c) => (c.email === "cy@west.example" ? { ...c, name: "Cy\nBcc: evil@x.io\u202e Moss" } : c));
    const after = morningAfterMail({ account, event: { eventId: "mixer", title: hostile, start: mixer.start }, met: spoofed, now, links });
    for (const mail of [before, after]) {
      for (const out of [mail.subject, mail.text, mail.html]) {
        expect(out).not.toMatch(/\nBcc:/);
        expect(out).not.toContain("\u202e");
        expect(out).not.toContain("x".repeat(100));
      }
      expect(mail.subject.length).toBeLessThan(130);
      expect(mail.html).toContain('role="presentation"');
      expect(mail.html).toContain('<meta name="color-scheme" content="light">');
      expect(mail.html).not.toMatch(/\d(?:\.\d+)?rem/);
      expect(mail.text).toMatch(/\n-- \nYou get this email/);
    }
    expect(before.subject).toMatch(/^Today: Breakfast Bcc: evil@x\.io evil x+…$/);
    expect(before.text).toMatch(/^Today: Breakfast [^\n]*x… Your goal: meet 3 new people\.\n/);
    const asked = morningOfMail({ account, event: { ...mixer, title: "Why AI?", start: now + 10 * HOUR }, goal: 1, now, links });
    expect(asked.text.split("\n")[0]).toBe("Today: Why AI? Your goal: meet 1 new person.");
    expect(before.text).not.toContain("evening");
    expect(before.html).toMatch(/<h1[^>]*>Today: Breakfast[^<]*…<\/h1>/);
    expect(after.text).toContain("- Cy Bcc: evil@x.io Moss <cy@west.example>: draft a follow-up");
    expect(after.html).toMatch(/<a href="[^"]+">Draft a follow-up to Cy Bcc: evil@x\.io Moss<\/a>/);
  });

  it("each event email carries an inbox preview of its own, first in the body as the digest's: what the subject does not say, at most 150 characters, cut between words (helper-278)", () => {
    // Without one, a phone's inbox showed the body's first text: the heading (the subject again) run
    // into the next sentence, "Today: Design Mixer Your goal: …", "London Tech Week 3 of 4 followed up so far."
    const previewOf = (html: string) => {
      const m = /<body[^>]*>(?:<[^>]*>)*?<div style="display:none;[^"]*"[^>]*>([^<]*)</.exec(html);
      expect(m, "a hidden preview first in the body").not.toBeNull();
      return m![1]!.replace(/&#39;/g, "'").replace(/&amp;/g, "&").replace(/&lt;/g, "<").replace(/&gt;/g, ">");
    };
    const before = morningOfMail({ account, event: { ...mixer, start: iso("2026-06-17T17:00:00Z") }, goal: 3, now, links });
    expect(previewOf(before.html)).toBe("Your goal: meet 3 new people. It starts today at 18:00.");
    const contacts = infer(account, meetings, [wroteAna], now).contacts.filter((c) => c.eventId === "mixer");
    const after = morningAfterMail({ account, event: { eventId: "mixer", title: "Design Mixer", start: mixer.start }, met: contacts, now, links });
    expect(previewOf(after.html)).toBe("2 of 3 followed up so far. Still to follow up: Cy Moss.");
    const nobody = morningAfterMail({ account, event: { eventId: "mixer", title: "Design Mixer", start: mixer.start, goal: 2 }, met: [], now, links });
    expect(previewOf(nobody.html)).toBe("Your goal was 2 new people: you met 0 so far, 2 short. Nobody met there is in your list yet: say whom, and get a draft to each.");
    // Many long names: at most 150, cut after a whole word, never inside one.
    const many = Array.from({ length: 6 }, (_, i) => ({ ...contacts[0]!, email: `p${i}@north.example`, address: undefined, name: `Maximiliana Wolkenstein-Oberhausen ${i}`, followedUpAt: undefined, followedUpBy: undefined }));
    const long = previewOf(morningAfterMail({ account, event: { eventId: "mixer", title: "Design Mixer", start: mixer.start }, met: many, now, links }).html);
    expect(long.length).toBeLessThanOrEqual(150);
    expect(long).toMatch(/^0 of 6 followed up so far\. Still to follow up: Maximiliana Wolkenstein-Oberhausen 0, /);
    expect(long).toMatch(/\p{L}…$|\d…$/u);
    const whole = "0 of 6 followed up so far. Still to follow up: " + many.map((p) => p.name).join(", ") + ".";
    const kept = long.slice(0, -1);
    expect(whole.startsWith(kept)).toBe(true);
    expect(whole[kept.length]).toMatch(/[\s,.]/);
    // People without a name are named by address: a "." or "-" inside one is no place to cut it.
    const unnamed = many.map((p, i) => ({ ...p, name: "", email: `maximiliana.wolkenstein${i}@oberhausen-partners.example` }));
    const byAddress = previewOf(morningAfterMail({ account, event: { eventId: "mixer", title: "Design Mixer", start: mixer.start }, met: unnamed, now, links }).html);
    expect(byAddress).toBe("0 of 6 followed up so far. Still to follow up: maximiliana.wolkenstein0@oberhausen-partners.example…");
  });

  it("each person's address as their calendar entry wrote it (Gmail's dots), as the digest shows it, not the normalised form (helper-104 #8)", () => {
    const dotted: Meeting = { ...mixer, id: "dotted", attendees: [{ ...person("benosei@gmail.com", "Ben Osei"), address: "ben.osei@gmail.com" }] };
    const met = infer(account, [dotted], [], now).contacts;
    expect(met.map((c) => [c.email, c.address])).toEqual([["benosei@gmail.com", "ben.osei@gmail.com"]]);
    const mail = morningAfterMail({ account, event: { eventId: "dotted", title: "Design Mixer", start: dotted.start }, met, now, links });
    expect(mail.text).toContain("- Ben Osei <ben.osei@gmail.com>: draft a follow-up");
    expect(mail.text).not.toContain("benosei@gmail.com");
  });
});
