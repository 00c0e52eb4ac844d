import type { Hono } from "hono";
import type { Event as GraphEvent } from "@microsoft/microsoft-graph-types";
import { guard, type SandboxEnv } from "../guard";
import type { SandboxState } from "../state";
import { type GraphCall, graphHandler, notFound, ok, pageSizeOf, pathId, syncStateNotFound } from "./http";
import { GraphQueryError, applySelect, compareBy, eventProperties, link, parseOrderBy, parseSelect, parseSkip, parseTop, queryOf } from "./query";
import { resumedCursor } from "./delta";
import { type EventRecord, type GraphStore, graphTime, wallIn } from "./store";
import { ianaOf } from "./zones";

const orderable: Record<string, string> = {
  "start/datetime": "start/dateTime",
  "end/datetime": "end/dateTime",
  subject: "subject",
  createddatetime: "createdDateTime",
  lastmodifieddatetime: "lastModifiedDateTime",
};

const windowError = () =>
  new GraphQueryError(400, "ErrorInvalidParameter", "This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.");

/** Parses startDateTime/endDateTime (UTC when no offset is given, as Graph does). */
function windowOf(call: GraphCall): [number, number] {
  const q = queryOf(call.c.req.url);
  const s = q.get("startdatetime");
  const e = q.get("enddatetime");
  if (!s || !e) throw windowError();
  const parse = (v: string) => Date.parse(/[zZ]$|[+-]\d{2}:\d{2}$/.test(v) || !v.includes("T") ? v : `${v}Z`);
  const start = parse(s);
  const end = parse(e);
  if (Number.isNaN(start) || Number.isNaN(end))
    throw new GraphQueryError(400, "ErrorInvalidParameter", "The value of StartDateTime or EndDateTime is not a valid DateTime.");
  return [start, end];
}

/** True when [s, e) overlaps the window [ws, we); zero-length events count when they start inside it. */
export function overlaps([s, e]: [number, number], ws: number, we: number): boolean {
  return s < we && (e > ws || (s === e && s >= ws));
}

const getProp = (ev: GraphEvent, prop: string): unknown => {
  if (prop === "start/dateTime") return new Date(graphTime(ev.start)).toISOString();
  if (prop === "end/dateTime") return new Date(graphTime(ev.end)).toISOString();
  return (ev as Record<string, unknown>)[prop];
};

/**
 * An event's start and end in the zone the request asks for (`Prefer: outlook.timezone`, UTC when
 * absent: "If not specified, those time values are returned in UTC", user-list-calendarview.md), as
 * Graph converts them; a time already in that zone as stored. An all-day event's are its dates at
 * midnight, labelled with the zone asked for, whatever zone it was stored in: "All day events
 * always return midnight-to-midnight regardless of time zone" (microsoftgraph/microsoft-graph-docs
 * #1802, a Microsoft engineer's answer; #6003).
 */
function inAskedZone<T extends GraphEvent>(call: GraphCall, e: T): T {
  const asked = (call.prefer.get("outlook.timezone") ?? "").replace(/^"|"$/g, "") || "UTC";
  const zone = ianaOf(asked) ?? "UTC";
  if (e.isAllDay) {
    const midnight = (dt: GraphEvent["start"]) => (dt?.dateTime ? { dateTime: `${dt.dateTime.slice(0, 10)}T00:00:00.0000000`, timeZone: zone === "UTC" ? "UTC" : asked } : dt);
    return { ...e, ...(e.start ? { start: midnight(e.start) } : {}), ...(e.end ? { end: midnight(e.end) } : {}) };
  }
  const convert = (dt: GraphEvent["start"]) => {
    if (!dt?.dateTime || ianaOf(dt.timeZone) === zone) return dt;
    return { dateTime: wallIn(graphTime(dt), zone), timeZone: zone === "UTC" ? "UTC" : asked };
  };
  return { ...e, ...(e.start ? { start: convert(e.start) } : {}), ...(e.end ? { end: convert(e.end) } : {}) };
}

/** GET /me/calendarView: events overlapping the window, $select, $orderby, $top and $skip paging. */
function calendarView(state: SandboxState) {
  return graphHandler((call) => {
    const [ws, we] = windowOf(call);
    const q = queryOf(call.c.req.url);
    const select = parseSelect(q.get("$select"), eventProperties, "event");
    if (q.has("$filter") || q.has("$search")) throw new GraphQueryError(400, "BadRequest", "The sandbox does not implement $filter or $search on calendarView.");
    const order = parseOrderBy(q.get("$orderby"), orderable, "event") ?? [{ prop: "start/dateTime", desc: false }];
    const page = pageSizeOf(call, q.has("$top") ? parseTop(q.get("$top"), 10) : undefined, 10, state.pageSize.graph);
    const skip = parseSkip(q.get("$skip"));
    const items = call.store
      .eventList()
      .filter((r) => r.event.type !== "seriesMaster" && overlaps(r.span, ws, we))
      .map((r) => r.event)
      .sort(compareBy(order, getProp));
    const body: Record<string, unknown> = {
      "@odata.context": `${call.origin}/v1.0/$metadata#users('${call.store.userId}')/calendarView${select ? `(${select.join(",")})` : ""}`,
      value: items.slice(skip, skip + page).map((e) => applySelect(inAskedZone(call, e), select)),
    };
    if (skip + page < items.length) {
      const url = new URL(call.c.req.url);
      const params = [...url.searchParams].filter(([k]) => k.toLowerCase() !== "$skip");
      body["@odata.nextLink"] = link(call.origin, url.pathname, [...params, ["$skip", String(skip + page)]]);
    }
    return ok(call, body);
  });
}

/** GET /me/calendarView/delta: initial round over the window, then changes (deletions as @removed). */
function calendarDelta(state: SandboxState) {
  return graphHandler((call) => {
    const q = queryOf(call.c.req.url);
    let cursor = resumedCursor(call, (saved) => saved.kind === "events");
    const opening = !cursor;
    if (!cursor) {
      for (const opt of ["$select", "$filter", "$orderby", "$expand", "$search"])
        if (q.has(opt)) throw new GraphQueryError(400, "BadRequest", `calendarView delta does not support ${opt}.`);
      const [start, end] = windowOf(call);
      const top = q.has("$top") ? parseTop(q.get("$top"), 10) : undefined;
      cursor = { kind: "events", start, end, through: call.store.changeNumber, after: 0, pageSize: pageSizeOf(call, top, 10, state.pageSize.graph) };
    }
    if (cursor.kind !== "events") throw syncStateNotFound();
    const { start, end, after, through } = cursor;
    const size = Math.min(cursor.pageSize ?? 10, state.pageSize.graph);
    const initial = cursor.since === undefined;
    const inWindow = (span?: [number, number]) => !!span && overlaps(span, start, end);
    // A calendar view holds occurrences, exceptions and single instances; its delta also serves the
    // series master of a series with an occurrence in the window, in full, with the series' own start
    // and end, which may lie years before the window (reported, not documented: ridafkih/keeper.sh
    // issue 407 and pull requests 409, 410; AvengeMedia/dankcalendar issue 95). The plain calendarView
    // serves no master (microsoftgraph/microsoft-graph-docs issue 2182).
    const masterInView = (r: EventRecord) =>
      r.event.type === "seriesMaster" && !r.deleted && call.store.seriesEvents(r.event.id!).some((o) => inWindow(o.span));
    const inView = (r: EventRecord) => (r.event.type === "seriesMaster" ? masterInView(r) : !r.deleted && inWindow(r.span));
    const records = call.store.eventRecords();
    let pending: EventRecord[];
    if (initial) pending = records.filter((r) => r.ord > after && inView(r)).sort((a, b) => a.ord - b.ord);
    // A change round reports every event changed since, those out of the window as removed, whether
    // or not the client ever had them: "Events that are outside the date range and that have been
    // added, deleted, or updated since the previous delta call" come as @removed
    // (microsoft-graph-docs api-reference/v1.0/api/event-delta.md; helper-108 #3).
    else pending = records.filter((r) => r.seq > after && r.seq <= through).sort((a, b) => a.seq - b.seq);
    const pageRecs = pending.slice(0, size);
    const body: Record<string, unknown> = {
      "@odata.context": `${call.origin}/v1.0/$metadata#Collection(event)`,
      value: pageRecs.map((r) => (!inView(r) ? { id: r.event.id, "@removed": { reason: "deleted" } } : inAskedZone(call, deltaItem(call.store, r.event)))),
    };
    const path = new URL(call.c.req.url).pathname;
    // An initial round over a window with nothing in it opens with an empty page and a nextLink; the
    // deltaLink comes on the page after (microsoftgraph/msgraph-sdk-javascript#129, a maintainer: keep
    // fetching until the deltaLink is returned). A client that took an empty page for the end of the
    // round would never store a delta token.
    if (opening && initial && pending.length === 0) {
      body["@odata.nextLink"] = link(call.origin, path, [["$skiptoken", call.store.saveCursor({ ...cursor, after: 0 })]]);
    } else if (pending.length > size) {
      const last = pageRecs[pageRecs.length - 1];
      body["@odata.nextLink"] = link(call.origin, path, [["$skiptoken", call.store.saveCursor({ ...cursor, after: initial ? last.ord : last.seq })]]);
    } else {
      body["@odata.deltaLink"] = link(call.origin, path, [["$deltatoken", call.store.saveCursor({ ...cursor, since: undefined, after: 0, through })]]);
    }
    return ok(call, body);
  });
}

/**
 * An event as calendarView/delta returns it. An occurrence of a recurring series comes as a stub:
 * id, type, start, end, seriesMasterId and its etag, nothing else (microsoftgraph/microsoft-graph-docs
 * issues 7632 and 22197); an occurrence that differs from its master comes in full as an exception;
 * single instances come in full.
 */
function deltaItem(store: GraphStore, e: GraphEvent): GraphEvent {
  if (!e.seriesMasterId || (e.type !== "occurrence" && e.type !== "exception")) return structuredClone(e);
  if (store.isException(e)) return { ...structuredClone(e), type: "exception" };
  return {
    "@odata.type": "#microsoft.graph.event",
    "@odata.etag": (e as Record<string, unknown>)["@odata.etag"],
    id: e.id,
    seriesMasterId: e.seriesMasterId,
    type: "occurrence",
    start: structuredClone(e.start),
    end: structuredClone(e.end),
  } as GraphEvent;
}

/** GET /me/events/{id}: one event (a series master, an occurrence or a single instance), with $select. */
function getEvent() {
  return graphHandler((call) => {
    const ev = call.store.event(pathId(call));
    if (!ev) throw notFound();
    const select = parseSelect(queryOf(call.c.req.url).get("$select"), eventProperties, "event");
    return ok(call, { "@odata.context": `${call.origin}/v1.0/$metadata#users('${call.store.userId}')/events/$entity`, ...applySelect(inAskedZone(call, ev), select) });
  });
}

/** Calendar routes: calendarView and its delta (paths in both spellings Graph accepts), and one event by id. */
export function graphCalendarRoutes(app: Hono<SandboxEnv>, state: SandboxState): void {
  app.get("/v1.0/me/events/:id", guard(state, "graph", "graph.events.get"), getEvent());
  for (const p of ["/v1.0/me/calendarView/delta", "/v1.0/me/calendarview/delta"])
    app.get(p, guard(state, "graph", "graph.calendarView.delta"), calendarDelta(state));
  for (const p of ["/v1.0/me/calendarView", "/v1.0/me/calendarview"]) app.get(p, guard(state, "graph", "graph.calendarView"), calendarView(state));
}
