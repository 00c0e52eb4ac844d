/**
 * The owner sets another time zone (the settings page, core/events changeTimeZone): the daily
 * calendar sync is filed for the next dispatch, reads the calendar again in the new zone, and plans
 * the event emails from that read. An all-day event is stored as its day's midnight in the owner's
 * zone, so a plan from what the old zone stored reckons its email in the old zone's hours.
 * Through the sandbox (Google Calendar with the real client library) and dynalite, on the project's
 * own spec-edge mailbox `g-events` (Europe/Paris; "Founders Summit", all day on Wednesday 23 Sep
 * 2026, a networking event the owner is invited to).
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadAccount, updateAccount } from "@followthrough/core/accounts";
import { runAccountJob } from "@followthrough/core/dispatch";
import { changeTimeZone, dispatchSlot, nextDispatchSlot, nextSyncAt, planEventJobs, putEventJob, setGoal } from "@followthrough/core/events";
import { runEventJob } from "@followthrough/core/eventmail";
import { keys } from "@followthrough/core/storage";
import { type ScanHarness, startScanHarness } from "./support/scan-harness";

const iso = (s: string) => Date.parse(s);
const FIXTURE = join(import.meta.dirname, "fixtures", "spec-edges", "g-events");
const FOUNDERS_SUMMIT = "abnc182m56ki8v2c0l9r0h47of";
const AUCKLAND = "Pacific/Auckland";
const START = iso("2026-09-16T06:30:00Z");
/** Thursday 17 Sep, 10:05 in Paris, 20:05 in Auckland: the owner, moved to Auckland, saves the zone. */
const SAVED = iso("2026-09-17T08:05:00Z");
/** All day on the 23rd from midnight in Auckland (12:00 UTC on the 22nd): 18:00 the evening before there. */
const EVENING_BEFORE_IN_AUCKLAND = iso("2026-09-22T06:00:00Z");

/** The mailbox read and planned as of Wednesday 16 Sep in Paris, with a goal for the Summit. */
async function plannedInParis(pageSize = 50): Promise<ScanHarness> {
  const h = await startScanHarness({ fixture: FIXTURE, pageSize });
  try {
    await h.setClock(START);
    await h.scan(START);
    await setGoal(h.repo, h.account(), FOUNDERS_SUMMIT, 3, START);
    await planEventJobs({ repo: h.repo, account: h.account(), now: START });
    return h;
  } catch (e) {
    // A step that fails closes what it started (its own error first), so the file's other tests still run.
    await h.close().catch(() => {});
    throw e;
  }
}

/** Runs `body` on the mailbox {@link plannedInParis} plans, closing its harness after. */
async function inParis(body: (h: ScanHarness) => Promise<void>, pageSize?: number): Promise<void> {
  const h = await plannedInParis(pageSize);
  try {
    await body(h);
  } finally {
    await h.close();
  }
}

const morningOfDue = async (h: ScanHarness) => (await h.repo.get<{ due: number }>(keys.eventJob(h.email, "morning-of", FOUNDERS_SUMMIT)))?.due;
const syncDue = async (h: ScanHarness) => (await h.repo.get<{ due: number }>(keys.eventJob(h.email, "sync")))?.due;

/** The sync the dispatcher hands out at `slot`, run as the worker runs it: the adapter built for the account as stored now. */
async function runSync(h: ScanHarness, slot: number, stopBefore?: () => boolean) {
  await h.setClock(slot + 60_000);
  const account = (await loadAccount(h.repo, h.email))!;
  const links = { baseUrl: "https://app.followthrough.test", key: "zone-change-link-key" };
  const job = { job: "event" as const, kind: "sync" as const, acc: h.email, due: slot };
  return runEventJob({ repo: h.repo, provider: h.providerAs({ timeZone: account.timeZone }), account, job, now: slot + 60_000, links, stopBefore });
}

describe("a time zone the owner changes", () => {
  it("Paris to Auckland: the next dispatch's sync reads the calendar in the new zone, and the all-day event's evening-before email goes at 18:00 there", async () => {
    await inParis(async (h) => {
      // From midnight in Paris on the 23rd: 18:00 the evening before, Paris time.
      expect(await morningOfDue(h)).toBe(iso("2026-09-22T16:00:00Z"));
      // Stored as a record from before the calendar's zone was kept beside the account's: its zone is the calendar's.
      expect((await loadAccount(h.repo, h.email))?.calendarZone).toBeUndefined();
      const account = await changeTimeZone(h.repo, h.email, AUCKLAND, SAVED);
      expect(account?.timeZone).toBe(AUCKLAND);
      // Chosen, so a reconnect keeps it; the calendar's zone (Paris) kept beside it.
      expect(await loadAccount(h.repo, h.email)).toMatchObject({ timeZone: AUCKLAND, zoneChosen: true, calendarZone: "Europe/Paris" });
      // The digest's index is in the new zone: Monday 21 Sep, 08:00 in Auckland.
      expect(await h.repo.get(keys.account(h.email))).toMatchObject({ dueAt: iso("2026-09-20T20:00:00Z") });
      // The calendar's sync is the next dispatch's (a minute or more on), not tomorrow's 07:00.
      const slot = nextDispatchSlot(SAVED + 60_000);
      expect(slot).toBe(iso("2026-09-17T08:15:00Z"));
      expect(await syncDue(h)).toBe(slot);
      expect(await runSync(h, slot)).toBe("synced");
      // Read again from midnight in Auckland. Planned from what the Paris read stored (22:00 UTC on
      // the 22nd, 10:00 on the 23rd in Auckland) it would be 08:00 on the 23rd there, 20:00 UTC on the
      // 22nd: eight hours after the event began, when no email goes.
      expect(await morningOfDue(h)).toBe(EVENING_BEFORE_IN_AUCKLAND);
      // It ran at 20:16 in Auckland: the next sync is 07:00 there the next morning.
      expect(await syncDue(h)).toBe(iso("2026-09-17T19:00:00Z"));
    });
  });

  it("a job that held the account while the zone was saved, and planned in the zone it loaded after the save's sync slot: the sync is filed again when it ends", async () => {
    await inParis(async (h) => {
      const ends = iso("2026-09-17T08:20:00Z");
      const outcome = await runAccountJob({ repo: h.repo, email: h.email, owner: "long-job", now: iso("2026-09-17T08:04:00Z"), leaseMs: 600_000, clock: () => ends }, async (loaded) => {
        // The owner saves Auckland while the job reads (no lease: the settings page never waits).
        await changeTimeZone(h.repo, h.email, AUCKLAND, SAVED);
        expect(await syncDue(h)).toBe(iso("2026-09-17T08:15:00Z"));
        // The job plans at 08:20 with the account it loaded: Paris. Its plan moves the sync item off
        // 08:15, whose dispatched job, waiting for the lease, then finds its item moved.
        await planEventJobs({ repo: h.repo, account: loaded, now: iso("2026-09-17T08:04:00Z"), clock: () => ends });
        expect(await syncDue(h)).not.toBe(iso("2026-09-17T08:15:00Z"));
      });
      expect(outcome).toBe("done");
      // Ended, the job finds the zone changed and files the sync for the next dispatch.
      const slot = nextDispatchSlot(ends + 60_000);
      expect(await syncDue(h)).toBe(slot);
      expect(await runSync(h, slot)).toBe("synced");
      expect(await morningOfDue(h)).toBe(EVENING_BEFORE_IN_AUCKLAND);
    });
  });

  it("a job that loaded the old zone and failed after the save (a daily sync whose refiling moved the save's sync to the old zone's next hour): the sync is filed again", async () => {
    await inParis(async (h) => {
      const ends = iso("2026-09-17T08:20:00Z");
      const run = runAccountJob({ repo: h.repo, email: h.email, owner: "failing-sync", now: iso("2026-09-17T08:04:00Z"), leaseMs: 600_000, clock: () => ends }, async (loaded) => {
        await changeTimeZone(h.repo, h.email, AUCKLAND, SAVED);
        // The provider fails; the sync's failure path refiles the item at the next sync hour of the
        // zone it loaded (core/eventmail runEventJob: 17:00 in Paris, a goal being set), then throws.
        await putEventJob(h.repo, h.email, "sync", undefined, iso("2026-09-17T15:00:00Z"), { ifPresent: true });
        expect(loaded.timeZone).toBe("Europe/Paris");
        throw new Error("calendar: 503");
      });
      await expect(run).rejects.toThrow("calendar: 503");
      expect(await syncDue(h)).toBe(nextDispatchSlot(ends + 60_000));
    });
  });

  it("a plan made from the table before the new zone's read (a goal set from a page after the sync's slot): it files no email from the old zone's meetings, only the sync at the next dispatch", async () => {
    await inParis(async (h) => {
      await changeTimeZone(h.repo, h.email, AUCKLAND, SAVED);
      // 08:15's sync was dispatched and waits for the account; at 08:16 the owner sets a goal.
      const at = iso("2026-09-17T08:16:00Z");
      const plan = await planEventJobs({ repo: h.repo, account: (await loadAccount(h.repo, h.email))!, now: at });
      expect(plan.jobs).toEqual([]);
      expect(plan.sync).toBe(nextDispatchSlot(at + 60_000));
      expect(await syncDue(h)).toBe(iso("2026-09-17T08:30:00Z"));
      // The Paris filing stays until the sync's plan, from the calendar read in Auckland, moves it.
      expect(await morningOfDue(h)).toBe(iso("2026-09-22T16:00:00Z"));
      expect(await runSync(h, iso("2026-09-17T08:30:00Z"))).toBe("synced");
      expect(await morningOfDue(h)).toBe(EVENING_BEFORE_IN_AUCKLAND);
    });
  });

  it("a calendar cursor from before cursors named their zone counts as another zone: the plan files only the sync", async () => {
    await inParis(async (h) => {
      const cursor = (await h.repo.getCursor(h.email, "calendar")) as Record<string, unknown>;
      expect(cursor.zone).toBe("Europe/Paris");
      const { zone: _zone, ...older } = cursor;
      await h.repo.putCursor(h.email, "calendar", older as never);
      const at = iso("2026-09-16T09:00:00Z");
      const plan = await planEventJobs({ repo: h.repo, account: h.account(), now: at });
      expect(plan.jobs).toEqual([]);
      expect(await syncDue(h)).toBe(nextDispatchSlot(at + 60_000));
    });
  });

  it("the new zone's read cut short after its first page: plans still file only the sync until the read reaches its end", async () => {
    // Calendar pages of 2 events: the full read in Auckland takes many.
    await inParis(async (h) => {
      await changeTimeZone(h.repo, h.email, AUCKLAND, SAVED);
      const slot = nextDispatchSlot(SAVED + 60_000);
      let pages = 0;
      expect(await runSync(h, slot, () => pages++ >= 1)).toBe("continued");
      // The cursor names Auckland from the read's first page; the Summit is still stored at Paris midnight.
      expect(await h.repo.getCursor(h.email, "calendar")).toMatchObject({ mode: "full", reread: true, zone: AUCKLAND });
      const at = iso("2026-09-17T08:25:00Z");
      const plan = await planEventJobs({ repo: h.repo, account: (await loadAccount(h.repo, h.email))!, now: at });
      expect(plan.jobs).toEqual([]);
      expect(await morningOfDue(h)).toBe(iso("2026-09-22T16:00:00Z"));
      // The read goes on at its next dispatch to the end, and plans.
      const next = (await syncDue(h))!;
      expect(next).toBeLessThanOrEqual(nextDispatchSlot(at + 60_000));
      expect(await runSync(h, next)).toBe("synced");
      expect(await morningOfDue(h)).toBe(EVENING_BEFORE_IN_AUCKLAND);
    }, 2);
  });

  it("a paused account with its calendar read in another zone: a plan (a goal set) files nothing from the old zone's meetings", async () => {
    await inParis(async (h) => {
      await updateAccount(h.repo, h.email, { status: "paused" }, START);
      await changeTimeZone(h.repo, h.email, AUCKLAND, SAVED);
      const paused = (await loadAccount(h.repo, h.email))!;
      expect(paused.status).toBe("paused");
      const plan = await planEventJobs({ repo: h.repo, account: paused, now: SAVED });
      expect(plan.jobs).toEqual([]);
      expect(await morningOfDue(h)).toBe(iso("2026-09-22T16:00:00Z"));
      expect(await syncDue(h)).toBeUndefined();
    });
  });

  it("a save in the minute before the quarter hour a sync is due at: that sync is kept, not put off to the next; one already dispatched moves on", async () => {
    await inParis(async (h) => {
      // A daily sync cut short is filed for 08:15; the owner saves at 08:14:30.
      await putEventJob(h.repo, h.email, "sync", undefined, iso("2026-09-17T08:15:00Z"));
      await changeTimeZone(h.repo, h.email, AUCKLAND, iso("2026-09-17T08:14:30Z"));
      expect(await syncDue(h)).toBe(iso("2026-09-17T08:15:00Z"));
      // One already dispatched (due at or before the save) is moved on to the next dispatch.
      await putEventJob(h.repo, h.email, "sync", undefined, iso("2026-09-17T08:15:00Z"));
      await changeTimeZone(h.repo, h.email, "Asia/Tokyo", iso("2026-09-17T08:15:10Z"));
      expect(await syncDue(h)).toBe(iso("2026-09-17T08:30:00Z"));
    });
  });

  it("a paused account: the zone is saved, and no sync is filed (the resume files it: functions/test/settings.test.ts)", async () => {
    await inParis(async (h) => {
      // With a goal's evening-before email ahead, the plan's next sync is 17:00 in Paris.
      const planned = await syncDue(h);
      expect(planned).toBe(iso("2026-09-16T15:00:00Z"));
      await updateAccount(h.repo, h.email, { status: "paused" }, START);
      expect((await changeTimeZone(h.repo, h.email, AUCKLAND, START))?.timeZone).toBe(AUCKLAND);
      expect(await syncDue(h)).toBe(planned);
    });
  });
});

describe("a time zone the owner changes in their calendar (Google Calendar's settings), followed without a reconnect", () => {
  /** The owner sets Auckland in Google Calendar's settings on Thursday 17 Sep. */
  const moveCalendar = (h: ScanHarness, zone: string) => h.control("POST", `/_control/accounts/${encodeURIComponent(h.email)}/time-zone`, { timeZone: zone });
  /** The daily sync due at 07:00 in Paris on Friday 18 Sep. */
  const DAILY = dispatchSlot(nextSyncAt(SAVED, "Europe/Paris", false));

  it("the next daily sync takes the new zone, files the calendar's read in it for the next dispatch, and the digest and the all-day event's email follow", async () => {
    await inParis(async (h) => {
      expect(DAILY).toBe(iso("2026-09-18T05:00:00Z"));
      await putEventJob(h.repo, h.email, "sync", undefined, DAILY);
      await moveCalendar(h, AUCKLAND);
      expect(await runSync(h, DAILY)).toBe("rezoned");
      const account = (await loadAccount(h.repo, h.email))!;
      expect(account).toMatchObject({ timeZone: AUCKLAND, calendarZone: AUCKLAND });
      expect(account.zoneChosen).toBeUndefined();
      // The digest's index is in the new zone: Monday 21 Sep, 08:00 in Auckland.
      expect(await h.repo.get(keys.account(h.email))).toMatchObject({ dueAt: iso("2026-09-20T20:00:00Z") });
      // The read in Auckland is the next dispatch's, with an adapter built in that zone.
      const slot = nextDispatchSlot(DAILY + 60_000 + 60_000);
      expect(await syncDue(h)).toBe(slot);
      expect(await runSync(h, slot)).toBe("synced");
      expect(await morningOfDue(h)).toBe(EVENING_BEFORE_IN_AUCKLAND);
      // The day after, the zone is as read: nothing changes, the sync reads and plans.
      const next = (await syncDue(h))!;
      expect(await runSync(h, next)).toBe("synced");
    });
  });

  it("a zone the owner chose on the settings page stays; the calendar's new zone is kept beside it, for \"My calendar's\"", async () => {
    await inParis(async (h) => {
      await changeTimeZone(h.repo, h.email, "Asia/Tokyo", SAVED);
      await moveCalendar(h, AUCKLAND);
      // The read in Tokyo the save filed (not a morning's: the zone is not read), then 07:00 in Tokyo.
      expect(await runSync(h, (await syncDue(h))!)).toBe("synced");
      expect((await loadAccount(h.repo, h.email))!.calendarZone).toBe("Europe/Paris");
      const morning = (await syncDue(h))!;
      expect(morning).toBe(dispatchSlot(nextSyncAt(SAVED + 3_600_000, "Asia/Tokyo", false)));
      expect(await runSync(h, morning)).toBe("synced");
      expect(await loadAccount(h.repo, h.email)).toMatchObject({ timeZone: "Asia/Tokyo", zoneChosen: true, calendarZone: AUCKLAND });
    });
  });

  it("the same zone under another name (\"Europe/Kiev\" and \"Europe/Kyiv\") is no move: nothing is read again (helper-142 #3)", async () => {
    await inParis(async (h) => {
      await updateAccount(h.repo, h.email, { timeZone: "Europe/Kiev", calendarZone: "Europe/Kiev" }, START);
      await putEventJob(h.repo, h.email, "sync", undefined, DAILY);
      await moveCalendar(h, "Europe/Kyiv");
      const kyiv = dispatchSlot(nextSyncAt(SAVED, "Europe/Kiev", false));
      await putEventJob(h.repo, h.email, "sync", undefined, kyiv);
      expect(await runSync(h, kyiv)).toBe("synced");
      expect((await loadAccount(h.repo, h.email))!.timeZone).toBe("Europe/Kiev");
    });
  });

  it("Outlook: MailboxSettings.Read withdrawn after consent leaves the zone as it is and the sync goes on, the account not put on hold (helper-142 #2)", async () => {
    const h = await startScanHarness({ fixture: join(import.meta.dirname, "fixtures", "spec-edges", "o-graph"), pageSize: 50 });
    try {
      await h.setClock(START);
      await h.scan(START);
      await h.control("POST", `/_control/accounts/${encodeURIComponent(h.email)}/withdraw-scopes`, { scopes: ["MailboxSettings.Read"] });
      const zone = (await loadAccount(h.repo, h.email))!.timeZone;
      const morning = dispatchSlot(nextSyncAt(SAVED, zone, false));
      await putEventJob(h.repo, h.email, "sync", undefined, morning);
      expect(await runSync(h, morning)).toBe("synced");
      expect(await loadAccount(h.repo, h.email)).toMatchObject({ status: "active", timeZone: zone });
      // The one call refused, the zone's read; taken off the list the harness checks when it closes.
      expect(h.sandbox.state.refusals.splice(0).map((r) => `${r.status} ${r.request}`)).toEqual(["403 GET /v1.0/me/mailboxSettings"]);
    } finally {
      await h.close();
    }
  });

  it("Outlook: an account stored in UTC with no zone read, whose mailbox settings now give none but their working hours do (msgraph-sample-reactspa issue 60), follows that zone at the morning sync, no longer marked as read without one", async () => {
    const h = await startScanHarness({ fixture: join(import.meta.dirname, "fixtures", "spec-edges", "o-graph"), pageSize: 50 });
    try {
      await h.setClock(START);
      await h.scan(START);
      const own = h.fixture.account.timeZone;
      expect(own).not.toBe("UTC");
      await updateAccount(h.repo, h.email, { timeZone: "UTC", calendarZone: undefined, zoneUnread: true }, START);
      await h.control("POST", `/_control/accounts/${encodeURIComponent(h.email)}/graph/mailbox-settings`, {});
      const morning = dispatchSlot(nextSyncAt(SAVED, "UTC", false));
      await putEventJob(h.repo, h.email, "sync", undefined, morning);
      expect(await runSync(h, morning)).toBe("rezoned");
      const account = (await loadAccount(h.repo, h.email))!;
      expect([account.timeZone, account.calendarZone, account.zoneUnread]).toEqual([own, own, undefined]);
    } finally {
      await h.close();
    }
  });

  it("a zone that cannot be read (the settings call failing past its retries) leaves the account's, and the sync goes on", async () => {
    await inParis(async (h) => {
      await putEventJob(h.repo, h.email, "sync", undefined, DAILY);
      await h.control("POST", "/_control/faults", { route: "calendar.settings.get", kind: "status", status: 500, times: 50 });
      try {
        expect(await runSync(h, DAILY)).toBe("synced");
      } finally {
        await h.control("DELETE", "/_control/faults");
      }
      expect((await loadAccount(h.repo, h.email))!.timeZone).toBe("Europe/Paris");
    });
  });
});
