/**
 * The digest's activity figure (shared/spec/events.md "Emails and the digest"): hours spent at
 * meetings and networking events, as the union of the time spans of the attended meetings and
 * attended networking events that ended in the digest's 7 days. All-day events are left out and
 * overlapping spans are counted once. Pure over stored records.
 */
import { type EventMarks, networkingReason } from "../events";
import { ownerIdentity } from "../identity";
import { asOwnerSees, attended, attendedEvent } from "../inference";
import type { Meeting, Owner } from "../model";
import { DAY } from "../time";

const HOUR = 3_600_000;

/** The digest's window: events that ended in the 7 days before `now` (now − 7 days < end < now). */
export const ACTIVITY_WINDOW_MS = 7 * DAY;

/**
 * The spans counted as activity as of `now`: each attended meeting (behaviour.md) and each attended
 * networking event (events.md, a Gmail ticket included) that ended in the 7 days before `now`, not
 * all-day, with its whole span. Merged: sorted, disjoint, overlaps and touching spans joined.
 */
export function activitySpans(ownerInfo: Owner, meetings: readonly Meeting[], now: number, marks: EventMarks = new Map()): [number, number][] {
  const owner = ownerIdentity(ownerInfo.email, ownerInfo.aliases);
  const spans: [number, number][] = [];
  for (const raw of meetings) {
    if (raw.allDay || !Number.isFinite(raw.start) || !Number.isFinite(raw.end) || !(raw.end > raw.start)) continue;
    if (!(raw.end > now - ACTIVITY_WINDOW_MS && raw.end < now)) continue;
    const m = asOwnerSees(raw, owner);
    const counts = attended(m, now) || (attendedEvent(m, now) && networkingReason(m, owner, marks) !== undefined);
    if (counts) spans.push([m.start, m.end]);
  }
  spans.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const merged: [number, number][] = [];
  for (const [s, e] of spans) {
    const last = merged[merged.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else merged.push([s, e]);
  }
  return merged;
}

/** Milliseconds at meetings and networking events in the 7 days before `now` (see {@link activitySpans}). */
export function activityMs(owner: Owner, meetings: readonly Meeting[], now: number, marks?: EventMarks): number {
  return activitySpans(owner, meetings, now, marks).reduce((sum, [s, e]) => sum + (e - s), 0);
}

/** The same in hours, to the half hour, as the digest shows it. */
export function activityHours(owner: Owner, meetings: readonly Meeting[], now: number, marks?: EventMarks): number {
  return Math.round((activityMs(owner, meetings, now, marks) / HOUR) * 2) / 2;
}
