/**
 * Meetings stored before the calendar sync read event platforms (`Meeting.platform`, events.md rule
 * 3) lack it, and an incremental sync would never rewrite an unchanged event. A calendar cursor of
 * an older shape is therefore not used: the next scan syncs the calendar in full once, and the
 * ticket whose description links to Eventbrite is a networking event again.
 */
import { describe, expect, it } from "vitest";
import type { AccountRecord } from "@followthrough/core/accounts";
import { composeFollowUp, draftDate, eventWhen, humanDay } from "@followthrough/core/followup";
import { MEETING_SHAPE, scan } from "@followthrough/core/scan";
import { keys } from "@followthrough/core/storage";
import { localDate, localMidnight } from "@followthrough/core/time";
import { ownFixture } from "./support/fixtures";
import { startScanHarness } from "./support/scan-harness";

const TICKET = "3pt1gg520vdmjaikcfcudsi2eo"; // demo-google: Melbourne Design Week, an Eventbrite link in its description

describe("the calendar cursor carries the shape of the meetings stored", () => {
  it("a cursor of an older shape starts a full calendar sync that fills in the platform", async () => {
    const h = await startScanHarness({ fixture: ownFixture("demo-google"), pageSize: 50 });
    try {
      const now = Date.parse(h.expected.now);
      const first = await h.scan(now);
      const upcoming = first.networkingEvents?.upcoming.map((e) => e.eventId) ?? [];
      expect(upcoming).toContain(TICKET);
      expect((await h.repo.getCursor(h.email, "calendar"))?.shape).toBe(MEETING_SHAPE);

      // As an earlier release left it: no platform on the stored meeting, a cursor without a shape.
      const key = keys.meeting(h.email, TICKET);
      const stored = (await h.repo.get<{ meeting: Record<string, unknown> }>(key))!;
      expect(stored.meeting.platform).toBe("eventbrite");
      const { platform: _, ...old } = stored.meeting;
      await h.repo.put({ ...stored, ...key, meeting: old });
      const { shape: __, ...oldCursor } = (await h.repo.getCursor(h.email, "calendar"))!;
      await h.repo.putCursor(h.email, "calendar", oldCursor);

      const again = await h.scan(now);
      expect(again.streams.calendar.mode).toBe("full");
      expect(again.networkingEvents?.upcoming.map((e) => e.eventId)).toContain(TICKET);
      expect((await h.repo.get<{ meeting: Record<string, unknown> }>(key))?.meeting.platform).toBe("eventbrite");
      // And then incremental again.
      expect((await h.scan(now)).streams.calendar.mode).toBe("incremental");
    } finally {
      await h.close();
    }
  });

  it("Outlook: the full read of a renewed shape stays bound to its window's end, which Graph's calendar view renews by", async () => {
    const h = await startScanHarness({ fixture: ownFixture("demo-microsoft"), pageSize: 50 });
    try {
      const now = Date.parse(h.expected.now);
      await h.scan(now);
      const before = (await h.repo.getCursor(h.email, "calendar"))!;
      expect(before).toMatchObject({ mode: "incremental", shape: MEETING_SHAPE });
      expect(before.until).toBeGreaterThan(now);
      const { shape: _, ...oldCursor } = before;
      await h.repo.putCursor(h.email, "calendar", oldCursor);
      expect((await h.scan(now)).streams.calendar.mode).toBe("full");
      const after = (await h.repo.getCursor(h.email, "calendar"))!;
      expect(after).toMatchObject({ mode: "incremental", shape: MEETING_SHAPE, generation: before.generation + 1 });
      expect(after.until).toBeGreaterThan(now);
      // A cursor stored before cursors carried the window's end: the renewal binds it.
      const { shape: __, until: ___, ...older } = after;
      await h.repo.putCursor(h.email, "calendar", older);
      expect((await h.scan(now)).streams.calendar.mode).toBe("full");
      expect((await h.repo.getCursor(h.email, "calendar"))?.until).toBeGreaterThan(now);
      // One of the current shape without it is renewed at once (a full round under a new generation).
      const { until: ____, ...unbound } = (await h.repo.getCursor(h.email, "calendar"))!;
      await h.repo.putCursor(h.email, "calendar", unbound);
      const renewed = await h.scan(now);
      expect(renewed.streams.calendar.recoveries).toBe(1);
      expect((await h.repo.getCursor(h.email, "calendar"))?.until).toBeGreaterThan(now);
    } finally {
      await h.close();
    }
  });

  // An all-day event is stored as its day's midnight in the owner's zone. A reconnect that changes
  // the zone (storeConnection takes the provider's) would leave unchanged ones at the old zone's
  // midnight under an incremental sync: a day early or late in the new zone.
  it.each([
    ["demo-google", "Wattle co-design day", "2026-05-19", "America/New_York"],
    ["demo-microsoft", "Coral Bay — data-centre site visit", "2026-10-07", "America/Los_Angeles"],
  ])("%s: an all-day event shows its own date in a zone changed before the next read; a cursor read in another time zone starts a full calendar sync, which stores all-day events at the new zone's midnight", async (fixture, title, day, zone) => {
    const h = await startScanHarness({ fixture: ownFixture(fixture), pageSize: 50 });
    try {
      const now = Date.parse(h.expected.now);
      const before = h.account().timeZone;
      await h.scan(now);
      const stored = async () => (await h.repo.loadMeetings(h.email)).find((m) => m.title === title)!;
      expect((await stored()).allDay).toBe(true);
      expect((await stored()).start).toBe(localMidnight(day, before));
      expect((await h.repo.getCursor(h.email, "calendar"))?.zone).toBe(before);
      // Until that read, what is shown of it is its own dates (Meeting.dates, and the metDate of the
      // people first met there), stored with it: the day stays the day in the new zone (helper-208).
      const meeting = await stored();
      expect(meeting.dates?.start).toBe(day);
      const people = (await h.repo.loadPeople(h.email)).filter((p) => p.eventId === meeting.id);
      expect(people.length).toBeGreaterThan(0);
      for (const p of people) expect(p.metDate).toBe(day);
      expect(localDate(meeting.start, zone)).not.toBe(day);
      expect(eventWhen(meeting, zone)).toMatch(new RegExp(`^${humanDay(day)}`));
      const changed = { ...h.account(), timeZone: zone, template: "Good to meet you on {date}." } as AccountRecord;
      expect(composeFollowUp(changed, people[0]).text).toContain(`on ${draftDate({ metAt: Number.NaN, metDate: day }, zone)}.`);
      // Reconnected in another zone: the account and its adapters read in it.
      const owner = { ...h.account(), timeZone: zone };
      const moved = await scan({ owner, provider: h.providerAs({ timeZone: zone }), repo: h.repo, now });
      expect(moved.streams.calendar.mode).toBe("full");
      expect((await stored()).start).toBe(localMidnight(day, zone));
      expect(localDate((await stored()).start, zone)).toBe(day);
      expect((await h.repo.getCursor(h.email, "calendar"))?.zone).toBe(zone);
      // Then incremental again; a cursor from before cursors carried a zone is taken as the account's.
      expect((await scan({ owner, provider: h.providerAs({ timeZone: zone }), repo: h.repo, now })).streams.calendar.mode).toBe("incremental");
      const { zone: _, ...older } = (await h.repo.getCursor(h.email, "calendar"))!;
      await h.repo.putCursor(h.email, "calendar", older);
      expect((await scan({ owner, provider: h.providerAs({ timeZone: zone }), repo: h.repo, now })).streams.calendar.mode).toBe("incremental");
    } finally {
      await h.close();
    }
  });

});
