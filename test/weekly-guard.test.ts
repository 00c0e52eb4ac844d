import { expect, it } from "vitest";
import { loadAccount } from "@followthrough/core/accounts";
import { runAccountJob, WEEKLY_GUARD_MS } from "@followthrough/core/dispatch";
import { ownFixture } from "./support/fixtures";
import { startScanHarness } from "./support/scan-harness";

it("a second weekly run within hours (a clock-change duplicate) is skipped without touching the provider", async () => {
  const h = await startScanHarness({ fixture: ownFixture("demo-google") });
  try {
    const now = Date.parse(h.expected.now);
    let runs = 0;
    const job = (at: number) => runAccountJob({ repo: h.repo, email: h.email, owner: `o${at}`, now: at, leaseMs: 60_000, weekly: true }, async () => void runs++);
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
