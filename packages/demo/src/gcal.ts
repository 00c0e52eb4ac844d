// Renders a Mailbox's events as Google Calendar API v3 Event resources, as
// `events.list?singleEvents=true&showDeleted=true` returns them for the
// owner's primary calendar.

import type { Attendee, Event, Mailbox } from "./model.ts";
import { rand, rfc3339 } from "./util.ts";

const BASE32HEX = "0123456789abcdefghijklmnopqrstuv";
const LOWER = "abcdefghijkmnopqrstuvwxyz";

const stamp = (t: Date) => t.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");

export function renderCalendar(mb: Mailbox): unknown[] {
  const seriesIds = new Map<string, string>();
  const baseId = (key: string) => rand(mb.cfg.id, "gcal", key).text(26, BASE32HEX);
  const sorted = [...mb.events].sort((a, b) => a.start.getTime() - b.start.getTime() || a.key.localeCompare(b.key));
  return sorted.map((ev) => renderEvent(mb, ev, seriesIds, baseId));
}

function renderEvent(mb: Mailbox, ev: Event, seriesIds: Map<string, string>, baseId: (k: string) => string) {
  const r = rand(mb.cfg.id, "gcal-ev", ev.key);
  let id = baseId(ev.key);
  let seriesId: string | undefined;
  if (ev.series) {
    if (!seriesIds.has(ev.series)) seriesIds.set(ev.series, baseId(ev.series));
    seriesId = seriesIds.get(ev.series) as string;
    id = ev.allDay ? `${seriesId}_${ev.allDay.start.replace(/-/g, "")}` : `${seriesId}_${stamp(ev.originalStart ?? ev.start)}`;
  }
  const updated = new Date(Math.min(ev.created.getTime() + r.int(300, 90_000) * 1000, mb.now.getTime() - 120_000));
  const etag = `"${updated.getTime()}${r.text(3, "0123456789")}"`;
  const when = ev.allDay ? { date: ev.allDay.start } : { dateTime: rfc3339(ev.start, ev.zone), timeZone: ev.zone };
  if (ev.minimal) {
    // a deleted instance of a recurring event: only where it was
    return { kind: "calendar#event", etag, id, status: "cancelled", recurringEventId: seriesId, originalStartTime: when };
  }
  const ownerOrg = ev.organizer.kind === "owner";
  const o: Record<string, unknown> = {
    kind: "calendar#event",
    etag,
    id,
    status: ev.status,
    htmlLink: `https://www.google.com/calendar/event?eid=${Buffer.from(`${id} ${mb.owner.email}`).toString("base64").replace(/=+$/, "")}`,
    created: new Date(Math.floor(ev.created.getTime() / 1000) * 1000).toISOString(),
    updated: updated.toISOString(),
    summary: ev.title,
  };
  if (ev.description) o.description = ev.description;
  if (ev.location) o.location = ev.location;
  const who = ownerOrg ? { email: mb.owner.email, self: true } : { email: ev.organizer.email, displayName: ev.organizer.name };
  o.creator = who;
  o.organizer = who;
  o.start = when;
  o.end = ev.allDay ? { date: ev.allDay.end } : { dateTime: rfc3339(ev.end, ev.zone), timeZone: ev.zone };
  if (seriesId) {
    o.recurringEventId = seriesId;
    o.originalStartTime = ev.originalStart ? { dateTime: rfc3339(ev.originalStart, ev.zone), timeZone: ev.zone } : when;
  }
  if (ev.allDay || ev.eventType === "workingLocation") o.transparency = "transparent";
  o.iCalUID = ev.iCalUID ?? `${seriesId ?? id}@google.com`;
  o.sequence = ev.status === "cancelled" ? 1 : 0;

  const list: Attendee[] = [];
  if (ev.attendees.length) {
    if (!ownerOrg && ev.organizerInList && !ev.attendees.some((a) => a.p === ev.organizer)) list.push({ p: ev.organizer, rsvp: "accepted" });
    list.push(...ev.attendees);
    if (ev.ownerInList) list.splice(ownerOrg ? 0 : Math.min(1, list.length), 0, { p: mb.owner, rsvp: ev.ownerRsvp });
  }
  if (list.length) {
    o.attendees = list.map((a) => {
      const x: Record<string, unknown> = { email: a.email ?? a.p.email };
      if (a.p.kind !== "owner" && a.p.name) x.displayName = a.p.name;
      if (a.p === ev.organizer) x.organizer = true;
      if (a.p.kind === "owner") x.self = true;
      if (a.p.kind === "room") x.resource = true;
      if (a.optional) x.optional = true;
      x.responseStatus = a.rsvp ?? (a.p.kind === "room" ? "accepted" : "needsAction");
      return x;
    });
    if (list.length > 20) o.guestsCanSeeOtherGuests = true;
  }
  const online = ev.eventType === undefined && !ev.allDay && !ev.location && list.length > 1;
  if (online) {
    const code = `${r.text(3, LOWER)}-${r.text(4, LOWER)}-${r.text(3, LOWER)}`;
    o.hangoutLink = `https://meet.google.com/${code}`;
    o.conferenceData = {
      entryPoints: [{ entryPointType: "video", uri: `https://meet.google.com/${code}`, label: `meet.google.com/${code}` }],
      conferenceSolution: { key: { type: "hangoutsMeet" }, name: "Google Meet" },
      conferenceId: code,
    };
  }
  o.reminders = { useDefault: true };
  if (ev.eventType === "outOfOffice")
    o.outOfOfficeProperties = { autoDeclineMode: "declineAllConflictingInvitations", declineMessage: "Away — back soon." };
  if (ev.eventType === "focusTime")
    o.focusTimeProperties = { autoDeclineMode: "declineOnlyNewConflictingInvitations", chatStatus: "doNotDisturb" };
  if (ev.eventType === "workingLocation") o.workingLocationProperties = { type: "homeOffice", homeOffice: {} };
  o.eventType = ev.eventType ?? "default";
  return o;
}
