/**
 * Incremental scans through the sandbox, for both providers: a scan a week before the labelled
 * `now`, a week of activity added through the control API, a second scan at `now`. The second scan
 * must reach exactly the state and answer of a full scan of the final mailbox, with provider calls
 * proportional to the change, not to the mailbox.
 */
import type { UsageStats } from "@followthrough/sandbox";
import type { ScanResult } from "@followthrough/core/scan";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ownFixture } from "./support/fixtures";
import {
  type Activity,
  applyActivity,
  changeCount,
  comparable,
  duplicateKeys,
  meetingId,
  outcome,
  type ScanHarness,
  semanticDuplicates,
  startScanHarness,
  weekOfActivity,
} from "./support/scan-harness";

/** Calls an incremental scan may spend beyond one per changed item: a round (and one spare page) per stream. */
const ROUND_CALLS = 4;

describe.each([
  { name: "google", dir: ownFixture("demo-google") },
  { name: "microsoft", dir: ownFixture("demo-microsoft") },
])("incremental scan ($name)", ({ dir }) => {
  let inc: ScanHarness;
  let full: ScanHarness;
  let week: Activity;
  let first: ScanResult;
  let second: ScanResult;
  let fullResult: ScanResult;
  let firstStats: UsageStats;
  let firstMessages: number;
  let secondStats: UsageStats;

  beforeAll(async () => {
    [inc, full] = await Promise.all([startScanHarness({ fixture: dir }), startScanHarness({ fixture: dir })]);
    week = weekOfActivity(inc.fixture);

    // (a) scan a week early, let the week happen, scan again at now.
    await inc.setClock(week.now0);
    first = await inc.scan(week.now0);
    // distinct messages stored: a fixture message dated after the clock comes in both the listing
    // and the delta round anchored at the clock, so the stream's upsert count can exceed it
    firstMessages = (await inc.tableSnapshot()).filter((i) => String(i.sk).startsWith("MSG#")).length;
    firstStats = await inc.stats();
    await inc.resetStats();
    await applyActivity(inc, week);
    second = await inc.scan(week.now1);
    secondStats = await inc.stats();

    // (b) a fresh store over the final mailbox, scanned once at now.
    await full.setClock(week.now0);
    await applyActivity(full, week);
    fullResult = await full.scan(week.now1);
  });

  afterAll(async () => {
    await Promise.all([inc?.close(), full?.close()]);
  });

  it("the first scan is a paged full sync and the second an incremental one", () => {
    expect(first.streams.calendar.mode).toBe("full");
    expect(first.streams.sentMail.mode).toBe("full");
    expect(first.streams.calendar.pages).toBeGreaterThan(3);
    expect(first.streams.sentMail.pages).toBeGreaterThan(3);
    expect(second.streams.calendar.mode).toBe("incremental");
    expect(second.streams.sentMail.mode).toBe("incremental");
    expect(second.streams.calendar.recoveries + second.streams.sentMail.recoveries).toBe(0);
    // three meetings added, one cancelled, one purged; three messages sent (the inbound one is not
    // sent mail), one deleted.
    expect(second.streams.calendar).toMatchObject({ upserts: 3, deletes: 2 });
    expect(second.streams.sentMail).toMatchObject({ upserts: 3, deletes: 1 });
  });

  it("the incremental scan reflects the week", async () => {
    const r = week.roles;
    const emails = (list: { email: string }[]) => list.map((c) => c.email);
    for (const p of r.newPeople) expect(emails(second.newContacts)).toContain(p);
    for (const p of r.newPeople) expect(emails(first.people)).not.toContain(p);
    const byEmail = new Map(second.people.map((p) => [p.email, p]));
    expect(byEmail.get(r.followedUpByMail)).toMatchObject({ stage: "followed_up", followedUpBy: "mail" });
    expect(byEmail.get(r.followedUpByMeeting)).toMatchObject({ stage: "followed_up", followedUpBy: "meeting" });
    expect(byEmail.get("ines.duarte@copperleaf.io")).toMatchObject({ stage: "followed_up", followedUpBy: "mail" });
    expect(emails(second.missingFollowUps)).not.toContain(r.followedUpByMail);
    expect(emails(second.missingFollowUps)).not.toContain(r.followedUpByMeeting);
    expect(byEmail.has(r.writtenOnly)).toBe(false);

    const snap = await inc.tableSnapshot();
    const meetingIds = snap.filter((i) => String(i.sk).startsWith("MEETING#")).map((i) => (i.meeting as { id: string }).id);
    expect(meetingIds).not.toContain(r.cancelledEventId);
    for (const p of week.purgeEvents) expect(meetingIds).not.toContain(p.id);
    const messageIds = snap.filter((i) => String(i.sk).startsWith("MSG#")).map((i) => (i.message as { id: string }).id);
    for (const d of week.deleteSent) expect(messageIds).not.toContain(d.id);
    expect(messageIds.length).toBe(firstMessages + week.sent.length - week.deleteSent.length);
    for (const key of ["m1", "m2", "m3"]) expect(meetingIds).toContain(meetingId(inc.fixture, key));
    const recipients = snap
      .filter((i) => String(i.sk).startsWith("MSG#"))
      .flatMap((i) => (i.message as { recipients: { email: string }[] }).recipients.map((x) => x.email));
    expect(recipients).toContain(r.writtenOnly);
  });

  it("answers exactly as a full scan of the final mailbox", () => {
    expect(outcome(second)).toEqual(outcome(fullResult));
    expect(second.stats).toEqual(fullResult.stats);
  });

  it("stores exactly what a full scan of the final mailbox stores, each item once", async () => {
    const [a, b] = await Promise.all([inc.tableSnapshot(), full.tableSnapshot()]);
    expect(comparable(a).length).toBeGreaterThan(100);
    expect(duplicateKeys(a)).toEqual([]);
    expect(semanticDuplicates(a)).toEqual([]);
    expect(comparable(a)).toEqual(comparable(b));
  });

  it("spends provider calls in proportion to the change, not the mailbox", () => {
    const changed = changeCount(week);
    console.info(
      `[${inc.fixture.account.provider}] first scan ${firstStats.totalCalls} calls ${JSON.stringify(firstStats.calls)}; ` +
        `incremental ${secondStats.totalCalls} calls ${JSON.stringify(secondStats.calls)} for ${changed} changed items`,
    );
    expect(secondStats.totalCalls).toBeGreaterThan(0);
    expect(secondStats.totalCalls).toBeLessThanOrEqual(changed + ROUND_CALLS);
    expect(secondStats.totalCalls * 3).toBeLessThan(firstStats.totalCalls);
    // only change feeds and the reads of changed items: no listing of the mailbox again.
    const routes = Object.keys(secondStats.calls).sort();
    if (inc.fixture.account.provider === "google") {
      expect(routes).toEqual(["calendar.events.list", "gmail.history.list", "gmail.messages.get"]);
      // the week's sent messages, and its received ones: Gmail shows an Inbox message's From only to
      // a messages.get (the owner-mail stream, docs/rules.md)
      expect(secondStats.calls["gmail.messages.get"]).toBe(week.sent.length + week.received.length);
    } else {
      expect(routes).toEqual(["graph.calendarView.delta", "graph.messages.delta"]);
    }
  });
});
