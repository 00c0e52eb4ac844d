import type { calendar_v3 } from "@googleapis/calendar";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningSandbox, startSandbox } from "../src/index";
import { connect, endMs, itemsOf, listPages, startMs } from "./calendar-support";
import { googleData, googleMailboxes } from "./mailboxes";

for (const mailbox of googleMailboxes) {
  describe.skipIf(!mailbox.present)(`Calendar v3 emulator: listing ${mailbox.name} through @googleapis/calendar`, () => {
    let sb: RunningSandbox;
    let cal: calendar_v3.Calendar;
    let fixture: calendar_v3.Schema$Event[];
    let email: string;
    let zone: string;

    beforeAll(async () => {
      const loaded = mailbox.load();
      fixture = googleData(loaded).events;
      email = loaded.account.email;
      zone = loaded.account.timeZone;
      sb = await startSandbox({ fixtures: [mailbox.dir], pageSize: { calendar: 7 }, quota: false });
      cal = await connect(sb.url, email);
    });
    afterAll(() => sb?.close());

    it("returns every fixture event unchanged over several pages with showDeleted and singleEvents", async () => {
      const pages = await listPages(cal, { singleEvents: true, showDeleted: true, maxResults: 250 });
      expect(pages.length).toBe(Math.ceil(fixture.length / 7));
      expect(itemsOf(pages)).toEqual(fixture);
      for (const p of pages.slice(0, -1)) {
        expect(p.nextPageToken).toBeTruthy();
        expect(p.nextSyncToken).toBeUndefined();
      }
      const last = pages[pages.length - 1];
      expect(last.nextPageToken).toBeUndefined();
      expect(last.nextSyncToken).toBeTruthy();
      expect(last).toMatchObject({ kind: "calendar#events", summary: email, timeZone: zone, accessRole: "owner" });
    });

    it("hides cancelled events without showDeleted (pages may come back short)", async () => {
      const pages = await listPages(cal, { singleEvents: true });
      const items = itemsOf(pages);
      const live = fixture.filter((e) => e.status !== "cancelled");
      expect(live.length).toBeLessThan(fixture.length);
      expect(items).toEqual(live);
      expect(pages.some((p) => (p.items?.length ?? 0) < 7 && p.nextPageToken)).toBe(true);
    });

    it("keeps events overlapping a timeMin/timeMax window (all-day events from midnight in the calendar's zone)", async () => {
      const starts = fixture
        .filter((e) => e.start?.dateTime)
        .map((e) => startMs(e, zone))
        .sort((a, b) => a - b);
      const min = starts[Math.floor(starts.length / 3)];
      const max = starts[Math.floor((2 * starts.length) / 3)];
      const timeMin = new Date(min + 60_000).toISOString(); // an event starting at `min` still overlaps when it lasts longer
      const timeMax = new Date(max).toISOString(); // an event starting exactly at timeMax is outside
      const items = itemsOf(await listPages(cal, { singleEvents: true, timeMin, timeMax }));
      const expected = fixture.filter(
        (e) => e.status !== "cancelled" && endMs(e, zone) > min + 60_000 && startMs(e, zone) < max,
      );
      expect(expected.length).toBeGreaterThan(3);
      expect(items.map((e) => e.id).sort()).toEqual(expected.map((e) => e.id).sort());
    });

    it("orders by start time with singleEvents, and refuses orderBy startTime without it", async () => {
      const items = itemsOf(await listPages(cal, { singleEvents: true, orderBy: "startTime", showDeleted: true }));
      expect(items).toHaveLength(fixture.length);
      const times = items.map((e) => startMs(e, zone));
      expect(times.every((t) => !Number.isNaN(t))).toBe(true);
      expect(times).toEqual([...times].sort((a, b) => a - b));
      const err = await cal.events.list({ calendarId: "primary", orderBy: "startTime" }, { retry: false }).catch((e) => e);
      expect(err.status).toBe(400);
      expect(err.response.data.error.errors[0]).toMatchObject({ reason: "invalid", location: "orderBy" });
      expect(err.message).toBe("The requested ordering is not available for the particular query.");
    });

    it("addresses the primary calendar by its address; other calendars are 404", async () => {
      const byEmail = itemsOf(await listPages(cal, { calendarId: email, showDeleted: true, singleEvents: true }));
      expect(byEmail).toHaveLength(fixture.length);
      const err = await cal.events.list({ calendarId: "someone@else.example" }, { retry: false }).catch((e) => e);
      expect(err.status).toBe(404);
      expect(err.response.data.error.errors[0].reason).toBe("notFound");
    });

    it("serves calendarList, the timezone setting and events.get", async () => {
      const list = await cal.calendarList.list({}, { retry: false });
      expect(list.data.items).toHaveLength(1);
      expect(list.data.items![0]).toMatchObject({ id: email, primary: true, timeZone: zone, accessRole: "owner" });
      const tz = await cal.settings.get({ setting: "timezone" }, { retry: false });
      expect(tz.data).toMatchObject({ kind: "calendar#setting", id: "timezone", value: zone });
      const one = await cal.events.get({ calendarId: "primary", eventId: fixture[3].id! }, { retry: false });
      expect(one.data).toEqual(fixture[3]);
      const missing = await cal.events.get({ calendarId: "primary", eventId: "nope" }, { retry: false }).catch((e) => e);
      expect(missing.status).toBe(404);
    });

    it("returns the stored instances even with singleEvents=false, and filters by q", async () => {
      const unexpanded = itemsOf(await listPages(cal, { showDeleted: true }));
      expect(unexpanded).toEqual(fixture);
      // q matches words in the title, description, location, organizer and attendees: pick a title word
      // that some live events have and others lack (for google-founder, "acme" and the like).
      const live = fixture.filter((e) => e.status !== "cancelled");
      const text = (e: calendar_v3.Schema$Event) =>
        [e.summary, e.description, e.location, e.organizer?.email, e.organizer?.displayName, ...(e.attendees ?? []).flatMap((a) => [a.email, a.displayName])]
          .filter(Boolean)
          .join(" ")
          .toLowerCase();
      const having = (word: string) => live.filter((e) => text(e).includes(word));
      const word = live
        .flatMap((e) => (e.summary ?? "").toLowerCase().split(/[^\p{L}\p{N}]+/u))
        .filter((w) => w.length >= 4)
        .find((w) => having(w).length > 1 && having(w).length < live.length)!;
      expect(word).toBeTruthy();
      const found = itemsOf(await listPages(cal, { singleEvents: true, q: word }));
      expect(found.map((e) => e.id)).toEqual(having(word).map((e) => e.id));
      expect(found.length).toBeLessThan(live.length);
    });

    it("rejects a timeMin without offset and an empty range as Google does", async () => {
      const noOffset = await cal.events.list({ calendarId: "primary", timeMin: "2026-03-01T00:00:00" }, { retry: false }).catch((e) => e);
      expect(noOffset.status).toBe(400);
      const empty = await cal.events
        .list({ calendarId: "primary", timeMin: "2026-03-02T00:00:00Z", timeMax: "2026-03-01T00:00:00Z" }, { retry: false })
        .catch((e) => e);
      expect(empty.status).toBe(400);
      expect(empty.response.data.error.errors[0].reason).toBe("timeRangeEmpty");
    });
  });
}
