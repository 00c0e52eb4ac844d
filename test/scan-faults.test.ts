/**
 * The production scan under provider faults, for both providers: throttling storms, server errors,
 * dropped connections, cursors expiring in the middle of an incremental scan, a scan dying between
 * pages and resuming, and a revoked grant. Every recoverable case must end in the same answer and
 * the same stored state as a clean scan, each item stored once.
 */
import { normalizeAddress } from "@followthrough/core/identity";
import { ProviderError } from "@followthrough/core/resilience";
import { type FaultSpec, loadFixture } from "@followthrough/sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ownFixture } from "./support/fixtures";
import {
  applyActivity,
  comparable,
  duplicateKeys,
  outcome,
  type ScanHarness,
  semanticDuplicates,
  startScanHarness,
  weekOfActivity,
} from "./support/scan-harness";

type Snapshot = Awaited<ReturnType<ScanHarness["tableSnapshot"]>>;

interface ProviderCase {
  name: string;
  dir: string;
  /** Recoverable faults, injected before the scan starts (they hit mid-scan through `after`). */
  faults: { label: string; spec: FaultSpec }[];
  /** Expire faults hitting the first call of both streams' incremental rounds. */
  expireBoth: FaultSpec[];
  /** An expire fault hitting the sent-mail feed once the calendar's round is done. */
  expireMid: FaultSpec;
  /** List routes to crash on (non-retryable 400 after N calls), one per stream. */
  crashes: { label: string; route: string; after: number }[];
}

const cases: ProviderCase[] = [
  {
    name: "google",
    dir: ownFixture("demo-google"),
    faults: [
      { label: "a 429 storm on messages.get", spec: { route: "gmail.messages.get", kind: "status", status: 429, retryAfter: 0, after: 3, times: 5 } },
      { label: "500s on calendar events.list", spec: { route: "calendar.events.list", kind: "status", status: 500, after: 2, times: 3 } },
      { label: "503s on messages.list", spec: { route: "gmail.messages.list", kind: "status", status: 503, retryAfter: 0, after: 1, times: 3 } },
      { label: "connection resets", spec: { route: "*", kind: "reset", after: 4, times: 3 } },
    ],
    expireBoth: [
      { route: "calendar.events.list", kind: "expire" },
      { route: "gmail.history.list", kind: "expire" },
    ],
    expireMid: { route: "gmail.history.list", kind: "expire" },
    crashes: [
      { label: "in the calendar backfill", route: "calendar.events.list", after: 4 },
      { label: "in the sent-mail backfill", route: "gmail.messages.list", after: 2 },
    ],
  },
  {
    name: "microsoft",
    dir: ownFixture("demo-microsoft"),
    faults: [
      { label: "a 429 storm on every route", spec: { route: "graph.*", kind: "status", status: 429, retryAfter: 0, after: 3, times: 5 } },
      { label: "500s on calendarView delta", spec: { route: "graph.calendarView.delta", kind: "status", status: 500, after: 2, times: 3 } },
      { label: "503s on messages delta", spec: { route: "graph.messages.delta", kind: "status", status: 503, retryAfter: 0, after: 1, times: 3 } },
      { label: "connection resets", spec: { route: "graph.*", kind: "reset", after: 4, times: 3 } },
    ],
    // One Graph expiry ends every delta link of the mailbox: the calendar's and Sent Items'.
    expireBoth: [{ route: "graph.calendarView.delta", kind: "expire" }],
    expireMid: { route: "graph.messages.delta", kind: "expire" },
    crashes: [
      { label: "in the calendar backfill", route: "graph.calendarView.delta", after: 4 },
      { label: "in the sent-mail backfill", route: "graph.messages.list", after: 2 },
    ],
  },
];

describe.each(cases)("scan under faults ($name)", (pc) => {
  const open: ScanHarness[] = [];
  const harness = async () => {
    const h = await startScanHarness({ fixture: pc.dir });
    open.push(h);
    return h;
  };
  let now: number;
  /** Clean scan of the fixture at its labelled now. */
  let clean: { outcome: ReturnType<typeof outcome>; snapshot: Snapshot; calls: number; lists: { newContacts: string[]; missingFollowUps: string[] } };
  /** Clean full scan of the fixture plus a week of activity, at now. */
  let cleanFinal: { outcome: ReturnType<typeof outcome>; snapshot: Snapshot };

  /** The state a recovered scan must end in: same answer, same items, each stored once. */
  async function expectSameAs(h: ScanHarness, result: Awaited<ReturnType<ScanHarness["scan"]>>, ref: typeof cleanFinal) {
    expect(outcome(result)).toEqual(ref.outcome);
    const snap = await h.tableSnapshot();
    expect(duplicateKeys(snap)).toEqual([]);
    expect(semanticDuplicates(snap)).toEqual([]);
    expect(comparable(snap)).toEqual(comparable(ref.snapshot));
  }

  beforeAll(async () => {
    const [a, b] = await Promise.all([harness(), harness()]);
    now = Date.parse(a.expected.now);
    const r = await a.scan(now);
    const emails = (l: { email: string }[]) => l.map((c) => c.email).sort();
    clean = {
      outcome: outcome(r),
      snapshot: await a.tableSnapshot(),
      calls: (await a.stats()).totalCalls,
      lists: { newContacts: emails(r.newContacts), missingFollowUps: emails(r.missingFollowUps) },
    };
    const week = weekOfActivity(b.fixture);
    await b.setClock(week.now0);
    await applyActivity(b, week);
    cleanFinal = { outcome: outcome(await b.scan(week.now1)), snapshot: await b.tableSnapshot() };
  });

  afterAll(async () => {
    await Promise.all(open.map((h) => h.close()));
  });

  it("the clean scan (paged, through the sandbox) matches the labels", () => {
    const labels = (l: string[]) => l.map((a) => normalizeAddress(a) ?? a).sort();
    const { expected } = loadFixture(pc.dir);
    expect(clean.lists.newContacts).toEqual(labels(expected!.newContacts));
    expect(clean.lists.missingFollowUps).toEqual(labels(expected!.missingFollowUps));
  });

  it.each(pc.faults)("recovers from $label", async ({ spec }) => {
    const h = await harness();
    await h.injectFault(spec);
    const r = await h.scan(now);
    const stats = await h.stats();
    expect(stats.faults).toBe(spec.times);
    await expectSameAs(h, r, clean);
  });

  /** A harness scanned a week early, with the week's activity applied since. */
  async function scannedAWeekAgo() {
    const h = await harness();
    const week = weekOfActivity(h.fixture);
    await h.setClock(week.now0);
    await h.scan(week.now0);
    await applyActivity(h, week);
    return { h, week };
  }

  it("recovers when both streams' cursors expire at the start of an incremental scan", async () => {
    const { h, week } = await scannedAWeekAgo();
    await h.injectFault(pc.expireBoth);
    const r = await h.scan(week.now1);
    expect(r.streams.calendar).toMatchObject({ mode: "full", recoveries: 1 });
    expect(r.streams.sentMail).toMatchObject({ mode: "full", recoveries: 1 });
    // what left the mailbox for good is only found missing by the sweep after the full re-sync.
    expect(r.streams.calendar.swept).toBe(week.purgeEvents.length);
    expect(r.streams.sentMail.swept).toBe(week.deleteSent.length);
    await expectSameAs(h, r, cleanFinal);
    // and the next scan is incremental again, and cheap.
    await h.resetStats();
    const again = await h.scan(week.now1);
    expect(again.streams.calendar).toMatchObject({ mode: "incremental", recoveries: 0 });
    expect(again.streams.sentMail).toMatchObject({ mode: "incremental", recoveries: 0 });
    expect((await h.stats()).totalCalls).toBeLessThanOrEqual(4);
    await expectSameAs(h, again, cleanFinal);
  });

  it("a full re-read after expired cursors sweeps only inside its own window: a meeting and a sent message of 362 days ago stay", async () => {
    // Stored by the scan at now0 (inside its year), outside the year the re-read at now1, a week
    // later, asks for: not seeing them says nothing. They stay until their TTL (RETAIN_DAYS).
    const h = await harness();
    const week = weekOfActivity(h.fixture);
    const old = week.now0 - 362 * 86_400_000;
    const friend = { email: "old.friend@longago.example", name: "Old Friend" };
    await h.setClock(old - 86_400_000);
    await applyActivity(h, {
      ...week,
      now1: week.now0,
      sent: [{ key: "old-s", at: old + 3_600_000, to: [friend], subject: "A year on" }],
      received: [],
      meetings: [{ key: "old-m", title: "Coffee with an old friend", start: old, end: old + 1_800_000, createdAt: old - 86_400_000, organizer: "owner", attendees: [friend] }],
      cancel: [],
      purgeEvents: [],
      deleteSent: [],
    });
    await h.scan(week.now0);
    const held = async () => ({
      meetings: (await h.repo.loadMeetings(h.email)).filter((m) => m.title === "Coffee with an old friend").length,
      messages: (await h.repo.loadMessages(h.email)).filter((m) => m.subject === "A year on").length,
    });
    expect(await held()).toEqual({ meetings: 1, messages: 1 });
    await applyActivity(h, week);
    await h.injectFault(pc.expireBoth);
    const r = await h.scan(week.now1);
    expect(r.streams.calendar).toMatchObject({ mode: "full", recoveries: 1, swept: week.purgeEvents.length });
    expect(r.streams.sentMail).toMatchObject({ mode: "full", recoveries: 1, swept: week.deleteSent.length });
    expect(await held()).toEqual({ meetings: 1, messages: 1 });
  });

  it("recovers when the sent-mail cursor expires in the middle of an incremental scan", async () => {
    const { h, week } = await scannedAWeekAgo();
    await h.injectFault(pc.expireMid);
    const r = await h.scan(week.now1);
    expect(r.streams.calendar).toMatchObject({ mode: "incremental", recoveries: 0 });
    expect(r.streams.sentMail).toMatchObject({ mode: "full", recoveries: 1, swept: week.deleteSent.length });
    await expectSameAs(h, r, cleanFinal);
    // A later scan converges on the same state (on Graph the calendar's delta link expired too).
    await expectSameAs(h, await h.scan(week.now1), cleanFinal);
  });

  it("recovers from cursors expired through the control API between scans", async () => {
    const { h, week } = await scannedAWeekAgo();
    await h.control("POST", `/_control/accounts/${encodeURIComponent(h.email)}/expire-cursors`, {});
    const r = await h.scan(week.now1);
    expect(r.streams.calendar.recoveries).toBe(1);
    expect(r.streams.sentMail.recoveries).toBe(1);
    await expectSameAs(h, r, cleanFinal);
  });

  it.each(pc.crashes)("resumes from the stored cursor after dying $label", async ({ route, after }) => {
    const h = await harness();
    await h.injectFault({ route, kind: "status", status: 400, after, times: 1 });
    const err = await h.scan(now).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).kind).toBe("invalid");
    const died = await h.stats();
    const cursors = (await h.tableSnapshot()).filter((i) => String(i.sk).startsWith("CURSOR#"));
    expect(cursors.some((c) => (c.cursor as { mode: string; page?: string }).mode === "full" && (c.cursor as { page?: string }).page)).toBe(true);

    await h.resetStats();
    const r = await h.scan(now);
    const resumed = await h.stats();
    console.info(`[${pc.name}] crash ${route} after ${after}: died after ${died.totalCalls} calls, resumed with ${resumed.totalCalls} (full scan ${clean.calls})`);
    expect(resumed.totalCalls).toBeLessThan(clean.calls);
    // nothing is read twice: beyond a clean scan, only the failed call and one round of the stream
    // that had already caught up.
    expect(resumed.totalCalls + died.totalCalls).toBeLessThanOrEqual(clean.calls + 2);
    await expectSameAs(h, r, clean);
  });

  it("rejects with auth-revoked once the grant is revoked (before any scan, and after one)", async () => {
    const [fresh, used] = await Promise.all([harness(), harness()]);
    await used.scan(now);
    for (const h of [fresh, used]) {
      await h.control("POST", `/_control/accounts/${encodeURIComponent(h.email)}/revoke`);
      const err = await h.scan(now).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ProviderError);
      expect((err as ProviderError).kind).toBe("auth-revoked");
    }
  });
});
