/**
 * The owner sets another time zone (the settings page, core/events changeTimeZone): the daily
 * calendar sync is filed for the next dispatch, reads the calendar again in the new zone, and plans
 * the event emails from that read. An all-day event is stored as its day's midnight in the owner's
 * zone, so a plan from what the old zone stored would put its email on the wrong day.
 * Through the sandbox (Google Calendar with the real client library) and dynalite, on the project's
 * own spec-edge mailbox `g-events` (Europe/Paris; "Founders Summit", all day on Wednesday 23 Sep
 * 2026, a networking event the owner is invited to).
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadAccount, updateAccount } from "@followthrough/core/accounts";
import { changeTimeZone, nextDispatchSlot, planEventJobs, setGoal } from "@followthrough/core/events";
import { runEventJob } from "@followthrough/core/eventmail";
import { keys } from "@followthrough/core/storage";
import { startScanHarness } from "./support/scan-harness";

const iso = (s: string) => Date.parse(s);
const FIXTURE = join(import.meta.dirname, "fixtures", "spec-edges", "g-events");
const FOUNDERS_SUMMIT = "abnc182m56ki8v2c0l9r0h47of";

describe("a time zone the owner changes", () => {
  it("Paris to Los Angeles: the next dispatch's sync reads the calendar in the new zone, and the all-day event's evening-before email moves to 18:00 there, on the right day", async () => {
    const start = iso("2026-09-16T06:30:00Z");
    const h = await startScanHarness({ fixture: FIXTURE, pageSize: 50 });
    try {
      await h.setClock(start);
      await h.scan(start);
      await setGoal(h.repo, h.account(), FOUNDERS_SUMMIT, 3, start);
      const dueOf = async () => (await h.repo.get<{ due: number }>(keys.eventJob(h.email, "morning-of", FOUNDERS_SUMMIT)))?.due;
      await planEventJobs({ repo: h.repo, account: h.account(), now: start });
      // All day on the 23rd from midnight in Paris: 18:00 the evening before, Paris time.
      expect(await dueOf()).toBe(iso("2026-09-22T16:00:00Z"));

      // Thursday 17 Sep, 10:05 in Paris: the owner, moved to Los Angeles, saves the new zone.
      const saved = iso("2026-09-17T08:05:00Z");
      const account = await changeTimeZone(h.repo, h.email, "America/Los_Angeles", saved);
      expect(account?.timeZone).toBe("America/Los_Angeles");
      expect((await loadAccount(h.repo, h.email))?.timeZone).toBe("America/Los_Angeles");
      // The digest's index is in the new zone: Monday 21 Sep, 08:00 in Los Angeles.
      expect(await h.repo.get(keys.account(h.email))).toMatchObject({ dueAt: iso("2026-09-21T15:00:00Z") });
      // The calendar sync is the next dispatch's (a minute or more on), not tomorrow's 07:00.
      const slot = nextDispatchSlot(saved + 60_000);
      expect(slot).toBe(iso("2026-09-17T08:15:00Z"));
      expect(await h.repo.get(keys.eventJob(h.email, "sync"))).toMatchObject({ due: slot });

      // That dispatch runs it, as the worker does: the adapter built for the account as stored now.
      await h.setClock(slot + 60_000);
      const links = { baseUrl: "https://app.followthrough.test", key: "zone-change-link-key" };
      const job = { job: "event" as const, kind: "sync" as const, acc: h.email, due: slot };
      const outcome = await runEventJob({ repo: h.repo, provider: h.providerAs({ timeZone: "America/Los_Angeles" }), account: (await loadAccount(h.repo, h.email))!, job, now: slot + 60_000, links });
      expect(outcome).toBe("synced");
      // Read again from Los Angeles midnight on the 23rd: 18:00 on the 22nd there (01:00 UTC on the 23rd).
      // From what the Paris read stored (22:00 UTC on the 22nd, 15:00 in Los Angeles) it would be 08:00 on the 22nd.
      expect(await dueOf()).toBe(iso("2026-09-23T01:00:00Z"));
      // It ran at 01:16 in Los Angeles: the next sync is 07:00 there, the same day.
      expect(await h.repo.get(keys.eventJob(h.email, "sync"))).toMatchObject({ due: iso("2026-09-17T14:00:00Z") });
    } finally {
      await h.close();
    }
  });

  it("a paused account: the zone is saved, and no sync is filed (a resume plans again)", async () => {
    const start = iso("2026-09-16T06:30:00Z");
    const h = await startScanHarness({ fixture: FIXTURE, pageSize: 50 });
    try {
      await h.setClock(start);
      await h.scan(start);
      await planEventJobs({ repo: h.repo, account: h.account(), now: start });
      const tomorrow7 = iso("2026-09-17T05:00:00Z"); // 07:00 in Paris
      expect(await h.repo.get(keys.eventJob(h.email, "sync"))).toMatchObject({ due: tomorrow7 });
      await updateAccount(h.repo, h.email, { status: "paused" }, start);
      expect((await changeTimeZone(h.repo, h.email, "Asia/Tokyo", start))?.timeZone).toBe("Asia/Tokyo");
      expect(await h.repo.get(keys.eventJob(h.email, "sync"))).toMatchObject({ due: tomorrow7 });
    } finally {
      await h.close();
    }
  });
});
