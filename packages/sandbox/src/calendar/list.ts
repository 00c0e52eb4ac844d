import type { calendar_v3 } from "@googleapis/calendar";
import { googleError } from "../errors";
import { type CalendarEntry, type CalendarStore, minimalCancelled } from "./store";
import { eventSpan, rfc3339 } from "./time";

type Event = calendar_v3.Schema$Event;

/** An HTTP answer: status and JSON body. */
export interface Answer {
  status: number;
  body: unknown;
}

const bad = (message: string, reason: string, location?: string): Answer => ({
  status: 400,
  body: googleError(400, message, reason, location ? { location, locationType: "parameter" } : {}),
});

/** Query parameters that Google refuses next to a syncToken. */
const syncRestrictions = ["timeMin", "timeMax", "orderBy", "q", "updatedMin", "iCalUID", "privateExtendedProperty", "sharedExtendedProperty"];

interface PageToken {
  /** Sort key of the last item handed out. */
  k: number[];
  /** Change sequence when the listing began: the nextSyncToken of its last page. */
  s: number;
}

const encodePage = (p: PageToken) => Buffer.from(JSON.stringify(p)).toString("base64url");

function decodePage(token: string): PageToken | undefined {
  try {
    const p = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as PageToken;
    if (Array.isArray(p.k) && p.k.every((n) => typeof n === "number") && typeof p.s === "number") return p;
  } catch {
    // fall through
  }
  return undefined;
}

function compareKeys(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function bool(v: string | undefined, fallback: boolean): boolean {
  if (v === undefined) return fallback;
  return v === "true" || v === "1";
}

function matchesText(e: Event, q: string): boolean {
  const words = q.toLowerCase().split(/\s+/).filter(Boolean);
  const hay = [
    e.summary,
    e.description,
    e.location,
    e.organizer?.email,
    e.organizer?.displayName,
    ...(e.attendees ?? []).flatMap((a) => [a.email, a.displayName]),
  ]
    .filter(Boolean)
    .join(" ")
    .toLowerCase();
  return words.every((w) => hay.includes(w));
}

/**
 * events.list over the store. Instances only: the store holds expanded instances, so
 * `singleEvents=false` returns them too (Google would return the recurring parents instead).
 * Pages are cut from the candidates in key order; cancelled events hidden by showDeleted=false
 * still use up room, so a page may be short (as on Google) while nextPageToken is set.
 * `eventTypes` (the repeated parameter's values) keeps the events of those types, in a listing and
 * in a sync round alike (an event with no `eventType` is a `default` one); none given, every type,
 * as developers.google.com/calendar/api/guides/event-types says ("If no type is specified, all
 * event types will be returned"). The Calendar document of revision 20240111 names a narrower
 * default (default, focusTime, outOfOffice); the adapter names its types, so it relies on neither.
 */
export function listEvents(store: CalendarStore, q: Record<string, string>, pageCap: number, eventTypes: readonly string[] = []): Answer {
  const zone = store.timeZone;
  const syncToken = q.syncToken;
  if (syncToken !== undefined) {
    const clash = syncRestrictions.find((p) => q[p] !== undefined);
    if (clash) return bad("Sync token cannot be used with other request restrictions.", "invalid", clash);
    // "it is not allowed to set showDeleted to False" (the syncToken parameter, calendar-v3 discovery document).
    if (q.showDeleted !== undefined && !bool(q.showDeleted, true)) return bad("Sync token cannot be used with showDeleted=false.", "invalid", "showDeleted");
  }
  const singleEvents = bool(q.singleEvents, false);
  const showDeleted = bool(q.showDeleted, false);
  const orderBy = q.orderBy;
  // orderBy's values (and every other enum parameter's) are checked against the discovery document by the guard.
  if (orderBy === "startTime" && !singleEvents) return bad("The requested ordering is not available for the particular query.", "invalid", "orderBy");

  let maxResults = 250;
  if (q.maxResults !== undefined) {
    maxResults = Number(q.maxResults);
    if (!Number.isInteger(maxResults) || maxResults < 1)
      return bad(`Invalid value '${q.maxResults}'. Values must be within the range: [1, 2500]`, "invalidParameter", "maxResults");
  }
  const limit = Math.max(1, Math.min(maxResults, 2500, pageCap));

  const times: Record<string, number> = {};
  for (const p of ["timeMin", "timeMax", "updatedMin"]) {
    const v = q[p];
    if (v === undefined) continue;
    if (!rfc3339.test(v) || Number.isNaN(Date.parse(v))) return bad("Bad Request", "badRequest");
    times[p] = Date.parse(v);
  }
  if (times.timeMin !== undefined && times.timeMax !== undefined && times.timeMax <= times.timeMin)
    return bad("The specified time range is empty.", "timeRangeEmpty", "timeMax");

  let since: number | undefined;
  if (syncToken !== undefined) {
    const point = store.readSyncToken(syncToken);
    if (point === "malformed") return bad("Invalid sync token value.", "invalid", "syncToken");
    if (point === "expired")
      return {
        status: 410,
        body: googleError(410, "Sync token is no longer valid, a full sync is required.", "fullSyncRequired", {
          domain: "calendar",
          location: "syncToken",
          locationType: "parameter",
        }),
      };
    since = point.seq;
  }

  let page: PageToken | undefined;
  if (q.pageToken !== undefined) {
    page = decodePage(q.pageToken);
    if (!page) return bad("Invalid page token value.", "invalid", "pageToken");
  }
  const snapshot = page?.s ?? store.sequence;

  const key = (en: CalendarEntry): number[] => {
    if (orderBy === "startTime") return [eventSpan(en.event, zone)?.start ?? 0, en.ord];
    if (orderBy === "updated") return [Date.parse(en.event.updated ?? "") || 0, en.ord];
    return [en.ord];
  };

  // Candidates: what the query selects; cancelled events hidden by showDeleted are dropped per page.
  const candidates = store
    .all()
    .filter((en) => {
      if (eventTypes.length && !eventTypes.includes(en.event.eventType ?? "default")) return false;
      if (since !== undefined) return en.seq > since;
      if (en.purged) return false;
      const e = en.event;
      if (q.iCalUID !== undefined && e.iCalUID !== q.iCalUID) return false;
      if (times.updatedMin !== undefined && (Date.parse(e.updated ?? "") || 0) < times.updatedMin) return false;
      if (q.q !== undefined && !matchesText(e, q.q)) return false;
      if (times.timeMin !== undefined || times.timeMax !== undefined) {
        const span = eventSpan(e, zone);
        if (!span) return e.status === "cancelled";
        const min = times.timeMin ?? -Infinity;
        const max = times.timeMax ?? Infinity;
        const overlaps = (span.end > min || (span.end === span.start && span.start >= min)) && span.start < max;
        if (!overlaps) return false;
      }
      return true;
    })
    .map((en) => ({ en, k: key(en) }))
    .sort((a, b) => compareKeys(a.k, b.k));

  const rest = page ? candidates.filter((c) => compareKeys(c.k, page.k) > 0) : candidates;
  const slice = rest.slice(0, limit);
  // updatedMin: "entries deleted since this time will always be included regardless of showDeleted".
  const keepCancelled = showDeleted || since !== undefined || times.updatedMin !== undefined;
  const items: Event[] = [];
  for (const { en } of slice) {
    const cancelled = en.event.status === "cancelled" || en.purged;
    if (cancelled && !keepCancelled) continue;
    items.push(since !== undefined && cancelled ? minimalCancelled(en.event) : structuredClone(en.event));
  }

  const updatedMs = Math.max(0, ...store.all().map((en) => Date.parse(en.event.updated ?? "") || 0));
  const body: calendar_v3.Schema$Events = {
    kind: "calendar#events",
    etag: `"p${store.sequence.toString(36)}${updatedMs.toString(36)}"`,
    summary: store.calendarId,
    description: "",
    updated: new Date(updatedMs || store.now()).toISOString(),
    timeZone: q.timeZone ?? zone,
    accessRole: "owner",
    defaultReminders: [{ method: "popup", minutes: 10 }],
  };
  if (rest.length > slice.length) body.nextPageToken = encodePage({ k: slice[slice.length - 1].k, s: snapshot });
  else body.nextSyncToken = store.syncToken(snapshot);
  body.items = items;
  return { status: 200, body };
}
