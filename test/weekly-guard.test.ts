import { expect, it } from "vitest";
import { loadAccount, updateAccount } from "@followthrough/core/accounts";
import { keys } from "@followthrough/core/storage";
import { runAccountJob, WEEKLY_GUARD_MS } from "@followthrough/core/dispatch";
import { ownFixture } from "./support/fixtures";
import { startScanHarness } from "./support/scan-harness";

it("a second weekly run within hours (a clock-change duplicate) is skipped without touching the provider", async () => {
  const h = await startScanHarness({ fixture: ownFixture("demo-google") });
  try {
    const now = Date.parse(h.expected.now);
    let runs = 0;
    const job = (at: number) => runAccountJob({ repo: h.repo, email: h.email, owner: `o${at}`, now: at, leaseMs: 60_000, weekly: true }, async () => {
      runs++;
      // The job reads the provider as a weekly run does, so no call below means it did not run.
      await h.provider.profile();
    });
    expect(await job(now)).toBe("done");
    expect((await loadAccount(h.repo, h.email))?.lastWeeklyAt).toBe(now);
    await h.resetStats();
    expect(await job(now + 3_600_000)).toBe("skipped");
    expect((await h.stats()).totalCalls).toBe(0);
    expect(await job(now + WEEKLY_GUARD_MS + 1)).toBe("done");
    expect(runs).toBe(2);
  } finally {
    await h.close();
  }
});

it("a job shortly before this week's digest (the daily sync, late) keeps the account on this week's slot across a clock change", async () => {
  // Berlin, Monday 08:00: Monday 23 March 2026 is 07:00 UTC (CET); the next Monday, after the change
  // to CEST on the 29th, is 06:00 UTC. A 07:00-local sync that starts 16 minutes late, at 06:16 UTC,
  // used to refresh the index as of an hour later: next week's slot, DUE#006, and this week's
  // digest (DUE#007) was never read.
  const h = await startScanHarness({ fixture: ownFixture("demo-google") });
  try {
    await updateAccount(h.repo, h.email, { timeZone: "Europe/Berlin", schedule: { day: 1, hour: 8 }, lastWeeklyAt: Date.parse("2026-03-16T07:00:00Z") }, Date.parse("2026-03-16T08:00:00Z"));
    const gsi = async () => (await h.repo.get<{ gsi2pk?: string }>(keys.account(h.email)))?.gsi2pk;
    expect(await gsi()).toBe("DUE#007");
    const sync = Date.parse("2026-03-23T06:16:00Z");
    expect(await runAccountJob({ repo: h.repo, email: h.email, owner: "sync", now: sync, leaseMs: 60_000 }, async () => undefined)).toBe("done");
    expect(await gsi()).toBe("DUE#007");
    // The weekly run itself then moves it to next week's slot, with next week's offset.
    const weekly = Date.parse("2026-03-23T07:00:00Z");
    expect(await runAccountJob({ repo: h.repo, email: h.email, owner: "weekly", now: weekly, leaseMs: 60_000, weekly: true }, async () => undefined)).toBe("done");
    expect(await gsi()).toBe("DUE#006");
  } finally {
    await h.close();
  }
});
