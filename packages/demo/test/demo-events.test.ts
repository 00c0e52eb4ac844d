// The networking events of the demo mailboxes (shared/spec/events.md) that `npm start` turns into
// event emails: a 200-attendee conference the owner attended yesterday and met two people at by
// writing to them, a small mixer tomorrow, and a ticket alone in the owner's own calendar.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { morningAfterAt, morningOfAt, MORNING_AFTER_LATE_MS, networkingEvents } from "@followthrough/core/events";
import { mapGmailMessage, mapGoogleEvent } from "@followthrough/core/google";
import { normalizeAddress } from "@followthrough/core/identity";
import { infer } from "@followthrough/core/inference";
import { mapGraphEvent, mapGraphMessage } from "@followthrough/core/microsoft";
import { defaultOutDir, MAILBOXES } from "../src/generate.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const read = (mailbox: string, rel: string) => JSON.parse(readFileSync(join(defaultOutDir, mailbox, rel), "utf8"));
const PUBLIC = new Set(["gmail.com", "outlook.com", "icloud.com", "hotmail.com", "yahoo.com.sg"]);

function load(mailbox: string) {
  const account = read(mailbox, "account.json");
  const expected = read(mailbox, "expected.json");
  const owner = { email: account.email, aliases: account.aliases ?? [], displayName: account.displayName, timeZone: account.timeZone };
  const now = Date.parse(expected.now);
  const google = account.provider === "google";
  const raw: Record<string, unknown>[] = google
    ? read(mailbox, "google/events.json")
    : read(mailbox, "microsoft/events.json").filter((e: { type?: string }) => e.type !== "seriesMaster");
  const meetings = raw.map((e) => (google ? mapGoogleEvent(e as never, owner) : mapGraphEvent(e as never, owner)));
  const messages = google
    ? read(mailbox, "google/messages.json").map((m: never) => mapGmailMessage(m))
    : [...read(mailbox, "microsoft/sentitems.json").map((m: never) => mapGraphMessage(m, "sentitems")), ...read(mailbox, "microsoft/inbox.json").map((m: never) => mapGraphMessage(m, "inbox"))];
  const r = infer(owner, meetings, messages, now);
  const ev = networkingEvents(owner, meetings, r.contacts, now);
  const rawOf = (id: string) => raw.find((e) => e.id === id) as Record<string, any>;
  const roles: { email: string; expected: string[]; classification: string }[] = read(mailbox, "roles.json");
  return { account, expected, owner, now, google, meetings, r, ev, rawOf, roles };
}

describe.each(MAILBOXES)("%s networking events for the demo's event emails", (mailbox) => {
  const d = load(mailbox);
  const conference = d.ev.attended.find((e) => /\bconference\b/i.test(e.title))!;
  const mixer = d.ev.upcoming.find((e) => /\bmixer\b/i.test(e.title))!;

  it("a 200-attendee conference, attended, ended in the day before now: two people met there by mail, both followed up", () => {
    expect(conference, "an attended conference").toBeDefined();
    const raw = d.rawOf(conference.eventId);
    const entries: { email: string; declined: boolean }[] = d.google
      ? raw.attendees.map((a: any) => ({ email: a.email, declined: a.responseStatus === "declined" }))
      : raw.attendees.map((a: any) => ({ email: a.emailAddress.address, declined: a.status.response === "declined" }));
    expect(entries).toHaveLength(200);
    // the owner attended it; it is not internal: a couple of colleagues, some declines, a few public domains
    const m = d.meetings.find((x) => x.id === conference.eventId)!;
    expect(m.selfResponse).toBe("accepted");
    const domain = d.account.email.split("@")[1];
    const colleagues = entries.filter((e) => e.email.endsWith(`@${domain}`));
    expect(colleagues.length).toBeGreaterThanOrEqual(2);
    expect(colleagues.length).toBeLessThan(5);
    expect(entries.filter((e) => e.declined).length).toBeGreaterThanOrEqual(10);
    const publicCount = entries.filter((e) => PUBLIC.has(e.email.split("@")[1].toLowerCase())).length;
    expect(publicCount).toBeGreaterThanOrEqual(3);
    expect(publicCount).toBeLessThan(40);
    expect(new Set(entries.map((e) => e.email.split("@")[1])).size).toBeGreaterThanOrEqual(20);
    expect(d.now - conference.end).toBeGreaterThan(0);
    expect(d.now - conference.end).toBeLessThan(DAY);
    // met there: exactly the two people she wrote to, followed up, new and not missing
    const met = conference.met.map((c) => c.email).sort();
    expect(met).toHaveLength(2);
    expect(conference.followedUp.map((c) => c.email).sort()).toEqual(met);
    const labelled = (xs: string[]) => xs.map((a) => normalizeAddress(a));
    for (const a of met) {
      expect(labelled(d.expected.newContacts)).toContain(a);
      expect(labelled(d.expected.missingFollowUps)).not.toContain(a);
      expect(d.roles.find((x) => normalizeAddress(x.email) === a)?.expected).toEqual(["new"]);
    }
    // the 14-day prior-mail rule: no outbound mail to them before the conference
    for (const c of conference.met) expect(c.followedUpAt! > conference.end && c.followedUpAt! < d.now).toBe(true);
    // everyone else there is met by nobody's rule (never written to)
    const others = d.roles.filter((x) => x.classification === "person" && entries.some((e) => normalizeAddress(e.email) === normalizeAddress(x.email)));
    expect(others.filter((x) => x.expected.length).map((x) => normalizeAddress(x.email)).sort()).toEqual(met);
  });

  it("the conference's morning-after is still due when planned as of now (within the 12-hour late window), and it is the only one", () => {
    const zone = d.owner.timeZone;
    expect(morningAfterAt(conference, zone) + MORNING_AFTER_LATE_MS).toBeGreaterThan(d.now);
    for (const e of d.ev.attended.filter((x) => x.eventId !== conference.eventId))
      expect(morningAfterAt(e, zone) + MORNING_AFTER_LATE_MS, e.title).toBeLessThan(d.now);
  });

  it("a small mixer starting tomorrow, accepted by the owner, its morning-of after now", () => {
    expect(mixer, "an upcoming mixer").toBeDefined();
    const m = d.meetings.find((x) => x.id === mixer.eventId)!;
    expect(m.selfResponse).toBe("accepted");
    expect(m.attendees.length).toBeGreaterThanOrEqual(3);
    expect(m.attendees.length).toBeLessThanOrEqual(8);
    expect(mixer.start - d.now).toBeLessThan(2 * DAY);
    expect(morningOfAt(mixer, d.owner.timeZone)).toBeGreaterThan(d.now);
    expect(mixer.reason).toBe("keyword");
  });

  it("a ticket alone in the owner's own calendar, upcoming, from an event platform's link", () => {
    const tickets = d.ev.upcoming.filter((e) => {
      const raw = d.rawOf(e.eventId);
      return d.google
        ? raw.eventType === "fromGmail" && raw.organizer?.self === true && !(raw.attendees ?? []).length
        : raw.isOrganizer === true && raw.attendees.length === 0;
    });
    expect(tickets).toHaveLength(1);
    const raw = d.rawOf(tickets[0].eventId);
    const text = d.google ? `${raw.location ?? ""} ${raw.description ?? ""}` : `${raw.location.displayName} ${raw.bodyPreview}`;
    expect(text).toMatch(/https:\/\/(www\.)?(lu\.ma|eventbrite\.[a-z.]+\/e)\//);
    expect(tickets[0].start - d.now).toBeLessThanOrEqual(7 * DAY);
  });

  it("expected.json labels exactly these lists (ids), with the conference attended and the mixer upcoming", () => {
    expect(d.ev.upcoming.map((e) => e.eventId).sort()).toEqual([...d.expected.upcomingEvents].sort());
    expect(d.ev.attended.map((e) => e.eventId).sort()).toEqual([...d.expected.attendedEvents].sort());
    expect(d.expected.attendedEvents).toContain(conference.eventId);
    expect(d.expected.upcomingEvents).toContain(mixer.eventId);
  });
});
