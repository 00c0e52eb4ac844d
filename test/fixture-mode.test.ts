/**
 * Fixture mode runs on a VirtualClock shared by the sandbox (quota windows, token lifetimes) and the
 * adapters (pacer, retry pauses). A mailbox whose scan needs several minutes of quota (small limits
 * force the waiting a year-long mailbox would need) must finish with the exact labelled answer and
 * zero 429s from the quota model, with access tokens expiring in virtual time along the way.
 * And Gmail's per-user concurrent-request limit: the adapter stays under it.
 */
import { normalizeAddress } from "@followthrough/core/identity";
import { defaultLimits, type UsageStats } from "@followthrough/sandbox";
import { afterEach, describe, expect, it } from "vitest";
import { ownFixture } from "./support/fixtures";
import { type ScanHarness, startScanHarness } from "./support/scan-harness";

/** Addresses as the scan keys people (Gmail dots and case folded), sorted. */
const emails = (xs: ({ email: string } | string)[]) => [...new Set(xs.map((x) => normalizeAddress(typeof x === "string" ? x : x.email)))].sort();

describe("fixture mode on a virtual clock", () => {
  let h: ScanHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it.each([
    {
      name: "google",
      dir: ownFixture("demo-google"),
      // 40 units a minute: 7 messages.get a minute (the pacer plans 38 units of them).
      quota: { ...defaultLimits, gmailUnitsPerMinute: 40, calendarPerMinute: 4 },
      windowMs: 60_000,
    },
    {
      name: "microsoft",
      dir: ownFixture("demo-microsoft"),
      // 8 requests per 10 minutes (the pacer plans 7).
      quota: { ...defaultLimits, graphPer10Minutes: 8 },
      windowMs: 600_000,
    },
  ])("$name: a scan needing minutes of quota finishes with the exact answer, zero 429s, tokens refreshed in virtual time", async ({ dir, quota, windowMs }) => {
    h = await startScanHarness({ fixture: dir, quota });
    const clock = h.clock!;
    // Access tokens live one virtual minute from now on, and the current ones die now: several
    // expire during the scan, and the adapters must refresh them (in virtual time).
    h.sandbox.state.tokens.accessTtl = 60;
    h.sandbox.state.tokens.expireAccess(h.email);
    // The connect's own calls were a window ago; count the scan alone.
    clock.advance(windowMs);
    await h.resetStats();
    const t0 = clock.now();
    const result = await h.scan(Date.parse(h.expected.now));
    const stats: UsageStats = await h.stats();
    const virtualMs = clock.now() - t0;

    expect(emails(result.newContacts)).toEqual(emails(h.expected.newContacts));
    expect(emails(result.missingFollowUps)).toEqual(emails(h.expected.missingFollowUps));
    expect(stats.throttled).toBe(0);
    expect(stats.faults).toBe(0);
    // It really had to wait for quota: more than two windows' worth of virtual time (tokens expired many times).
    expect(virtualMs).toBeGreaterThan(2 * windowMs);
    expect(clock.jumps.count).toBeGreaterThan(1);
    if (quota.gmailUnitsPerMinute === 40) expect(stats.peakGmailUnitsPerMinute).toBeLessThanOrEqual(40);
    else expect(stats.peakGraphPer10Minutes).toBeLessThanOrEqual(8);
  });

  it("google: the adapter stays under Gmail's per-user concurrent-request limit, with the exact answer", async () => {
    // Pages of 20 ids: the old adapter fanned messages.get out 10 wide, twice the sandbox's default
    // limit (5). Each Gmail call takes 5 ms to answer, so concurrent calls overlap in the sandbox.
    h = await startScanHarness({ fixture: ownFixture("demo-google"), pageSize: 20, serviceTimeMs: { gmail: 5 } });
    expect(defaultLimits.gmailConcurrency).toBe(5);
    const result = await h.scan(Date.parse(h.expected.now));
    const stats = await h.stats();
    expect(emails(result.newContacts)).toEqual(emails(h.expected.newContacts));
    expect(emails(result.missingFollowUps)).toEqual(emails(h.expected.missingFollowUps));
    expect(stats.throttledBy.concurrency ?? 0).toBe(0);
    expect(stats.throttled).toBe(0);
    expect(stats.peakConcurrency.gmail).toBeGreaterThan(1);
    expect(stats.peakConcurrency.gmail).toBeLessThanOrEqual(defaultLimits.gmailConcurrency!);
  });
});
