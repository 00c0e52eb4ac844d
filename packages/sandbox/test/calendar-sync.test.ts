import type { calendar_v3 } from "@googleapis/calendar";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningSandbox, startSandbox } from "../src/index";
import { connect, control, itemsOf, listPages, midnightIn } from "./calendar-support";
import { demoGoogle, googleData } from "./mailboxes";

// Sync mechanics need some Google mailbox, not a particular one: the project's own demo mailbox, so these never skip.
const demo = demoGoogle.load();
const { email, timeZone } = demo.account;
const events = `/accounts/${email}/calendar/events`;

describe(`Calendar v3 emulator: incremental sync (${demoGoogle.name})`, () => {
  let sb: RunningSandbox;
  let cal: calendar_v3.Calendar;
  const fixture: calendar_v3.Schema$Event[] = googleData(demo).events;

  beforeAll(async () => {
    sb = await startSandbox({ fixtures: [demoGoogle.dir], pageSize: { calendar: 7 }, quota: false });
    cal = await connect(sb.url, email);
  });
  afterAll(() => sb?.close());

  const fullSync = async () => {
    const pages = await listPages(cal, { singleEvents: true, showDeleted: true });
    expect(pages.length).toBeGreaterThan(1);
    expect(pages.slice(0, -1).every((p) => p.nextPageToken && !p.nextSyncToken)).toBe(true);
    return pages[pages.length - 1].nextSyncToken!;
  };

  it("full sync, then exactly the upserted and cancelled events, then nothing new", async () => {
    const token1 = await fullSync();
    await control(sb.url, "/clock", "POST", { now: "2026-11-20T10:00:00Z" });

    const added = await control(sb.url, events, "POST", {
      summary: "Coffee with Dana",
      start: { dateTime: "2026-11-21T09:00:00-08:00", timeZone: "America/Los_Angeles" },
      end: { dateTime: "2026-11-21T09:30:00-08:00", timeZone: "America/Los_Angeles" },
      attendees: [{ email: "dana@example.org", responseStatus: "accepted" }, { email, self: true, responseStatus: "accepted" }],
    });
    expect(added).toMatchObject({ kind: "calendar#event", status: "confirmed", updated: "2026-11-20T10:00:00.000Z" });
    expect(added.id).toMatch(/^[0-9a-v]+$/);
    const instance = fixture.find((e) => e.recurringEventId && e.status === "confirmed")!;
    const cancelled = await control(sb.url, `${events}/${instance.id}/cancel`);
    expect(cancelled.status).toBe("cancelled");

    const pages2 = await listPages(cal, { syncToken: token1, singleEvents: true });
    expect(pages2).toHaveLength(1);
    const changes = itemsOf(pages2);
    expect(changes).toEqual([
      { kind: "calendar#event", etag: cancelled.etag, id: instance.id, status: "cancelled", recurringEventId: instance.recurringEventId, originalStartTime: instance.originalStartTime },
      added,
    ]);
    const token2 = pages2[0].nextSyncToken!;
    expect(token2).toBeTruthy();
    expect(token2).not.toBe(token1);

    const pages3 = await listPages(cal, { syncToken: token2, singleEvents: true });
    expect(itemsOf(pages3)).toEqual([]);
    expect(pages3[0].nextSyncToken).toBe(token2);

    // The full listing shows the cancelled instance only with showDeleted, and the new event either way.
    const live = itemsOf(await listPages(cal, { singleEvents: true }));
    expect(live.map((e) => e.id)).not.toContain(instance.id);
    expect(live.map((e) => e.id)).toContain(added.id);
  });

  it("pages an incremental sync and reports a purged event in minimal form", async () => {
    const token = await fullSync();
    const batch = Array.from({ length: 10 }, (_, i) => ({
      id: `batch${i}abc`,
      summary: `Batch ${i}`,
      start: { dateTime: `2026-11-2${i % 10}T15:00:00Z` },
      end: { dateTime: `2026-11-2${i % 10}T16:00:00Z` },
    }));
    const stored = await control(sb.url, events, "POST", batch);
    expect(stored).toHaveLength(10);
    const plain = fixture.find((e) => !e.recurringEventId && e.status === "confirmed")!;
    await control(sb.url, `${events}/${plain.id}`, "DELETE");

    const pages = await listPages(cal, { syncToken: token });
    expect(pages).toHaveLength(2);
    expect(pages[0].nextSyncToken).toBeUndefined();
    const changes = itemsOf(pages);
    expect(changes.map((e) => e.id)).toEqual([plain.id, ...batch.map((b) => b.id)]);
    expect(changes[0]).toEqual({ kind: "calendar#event", etag: changes[0].etag, id: plain.id, status: "cancelled" });
    const all = itemsOf(await listPages(cal, { singleEvents: true, showDeleted: true }));
    expect(all.map((e) => e.id)).not.toContain(plain.id);
  });

  it("answers an all-day event by its date in the calendar's zone", async () => {
    const day = await control(sb.url, events, "POST", { id: "offsite2026", summary: "Offsite", start: { date: "2026-05-01" }, end: { date: "2026-05-02" } });
    const ids = async (timeMin: string, timeMax: string) => itemsOf(await listPages(cal, { singleEvents: true, timeMin, timeMax })).map((e) => e.id);
    // The day runs from midnight on May 1 to midnight on May 2 in the calendar's zone (not UTC).
    const from = midnightIn("2026-05-01", timeZone);
    const to = midnightIn("2026-05-02", timeZone);
    expect(to - from).toBe(24 * 3600_000);
    const iso = (ms: number) => new Date(ms).toISOString();
    const minute = 60_000;
    const wide = 2 * 24 * 3600_000;
    expect(await ids(iso(from - wide), iso(from - minute))).not.toContain(day.id);
    expect(await ids(iso(from - wide), iso(from + minute))).toContain(day.id);
    expect(await ids(iso(to - minute), iso(to + wide))).toContain(day.id);
    expect(await ids(iso(to), iso(to + wide))).not.toContain(day.id);
  });

  it("refuses a syncToken with timeMin (400) and with orderBy", async () => {
    const token = await fullSync();
    for (const extra of [{ timeMin: "2026-01-01T00:00:00Z" }, { orderBy: "updated" }]) {
      const err = await cal.events.list({ calendarId: "primary", syncToken: token, ...extra }, { retry: false }).catch((e) => e);
      expect(err.status).toBe(400);
      expect(err.message).toBe("Sync token cannot be used with other request restrictions.");
    }
  });

  it("refuses a syncToken with showDeleted=false (the discovery document: 'it is not allowed to set showDeleted to False'); true is fine", async () => {
    const token = await fullSync();
    const err = await cal.events.list({ calendarId: "primary", syncToken: token, showDeleted: false }, { retry: false }).catch((e) => e);
    expect(err.status).toBe(400);
    expect(err.message).toBe("Sync token cannot be used with showDeleted=false.");
    expect((await cal.events.list({ calendarId: "primary", syncToken: token, showDeleted: true }, { retry: false })).status).toBe(200);
  });

  it("answers 410 fullSyncRequired after expireSyncTokens, and a new full sync recovers", async () => {
    const token = await fullSync();
    sb.state.account(email)!.calendar!.expireSyncTokens();
    const err = await cal.events.list({ calendarId: "primary", syncToken: token }, { retry: false }).catch((e) => e);
    expect(err.status).toBe(410);
    expect(err.response.data.error.errors[0]).toMatchObject({ domain: "calendar", reason: "fullSyncRequired", location: "syncToken" });
    expect(err.message).toBe("Sync token is no longer valid, a full sync is required.");
    const fresh = await fullSync();
    const ok = await cal.events.list({ calendarId: "primary", syncToken: fresh }, { retry: false });
    expect(ok.data.items).toEqual([]);
  });

  it("answers 410 when an expire fault hits calendar.events.list (and only then)", async () => {
    const token = await fullSync();
    await control(sb.url, "/faults", "POST", { route: "calendar.events.list", account: email, kind: "expire" });
    const err = await cal.events.list({ calendarId: "primary", syncToken: token }, { retry: false }).catch((e) => e);
    expect(err.status).toBe(410);
    const again = await cal.events.list({ calendarId: "primary", syncToken: token }, { retry: false }).catch((e) => e);
    expect(again.status).toBe(410);
    const fresh = await fullSync();
    expect((await cal.events.list({ calendarId: "primary", syncToken: fresh }, { retry: false })).status).toBe(200);
  });

  it("answers 400 for a sync token that is not one", async () => {
    const err = await cal.events.list({ calendarId: "primary", syncToken: "garbage" }, { retry: false }).catch((e) => e);
    expect(err.status).toBe(400);
  });
});
