import type { calendar_v3 } from "@googleapis/calendar";
import type { Context, Hono } from "hono";
import { googleError } from "../errors";
import { type SandboxEnv, guard, send } from "../guard";
import type { SandboxState } from "../state";
import { calendarControlRoutes } from "./control";
import { listEvents } from "./list";
import type { CalendarStore } from "./store";

const base = "/calendar/v3";
const auth = "https://www.googleapis.com/auth/";

/** Scopes (after `https://www.googleapis.com/auth/`) that let a token call each route, per Google's discovery document. */
const routeScopes = {
  events: ["calendar", "calendar.readonly", "calendar.events", "calendar.events.readonly", "calendar.events.owned", "calendar.events.owned.readonly"],
  settings: ["calendar", "calendar.readonly", "calendar.settings.readonly"],
  calendarList: ["calendar", "calendar.readonly", "calendar.calendarlist", "calendar.calendarlist.readonly"],
};

/**
 * 403 when the grant names scopes and none of them allows the route. A grant without scopes
 * (the control API's default) may call everything.
 */
function scopeDenied(c: Context<SandboxEnv>, which: keyof typeof routeScopes): Response | undefined {
  const scopes = c.get("grant").scopes;
  if (scopes.length === 0) return undefined;
  const allowed = routeScopes[which];
  if (scopes.some((s) => allowed.includes(s.startsWith(auth) ? s.slice(auth.length) : s))) return undefined;
  const body = googleError(403, "Request had insufficient authentication scopes.", "insufficientPermissions");
  body.error.errors[0].message = "Insufficient Permission";
  return send(c, 403, body, {
    "www-authenticate": `Bearer realm="https://accounts.google.com/", error="insufficient_scope", scope="${allowed.map((s) => auth + s).join(" ")}"`,
  });
}

const notFound = (c: Context) => send(c, 404, googleError(404, "Not Found", "notFound"));

/** The account's calendar store when `calendarId` names its primary calendar. */
function primary(c: Context<SandboxEnv>): CalendarStore | undefined {
  const store = c.get("account").calendar;
  if (!store) return undefined;
  let id = c.req.param("calendarId") ?? "";
  try {
    id = decodeURIComponent(id);
  } catch {
    return undefined;
  }
  return id === "primary" || id.toLowerCase() === store.calendarId.toLowerCase() ? store : undefined;
}

/** Registers the Calendar v3 routes (calendarList, settings/timezone, events.list, events.get) and the calendar control routes. */
export function calendarRoutes(app: Hono<SandboxEnv>, state: SandboxState): void {
  app.get(`${base}/users/me/calendarList`, guard(state, "calendar", "calendar.calendarList.list"), (c) => {
    const denied = scopeDenied(c, "calendarList");
    if (denied) return denied;
    const store = c.get("account").calendar;
    const items: calendar_v3.Schema$CalendarListEntry[] = store
      ? [
          {
            kind: "calendar#calendarListEntry",
            etag: `"${store.sequence}"`,
            id: store.calendarId,
            summary: store.calendarId,
            timeZone: store.timeZone,
            colorId: "14",
            backgroundColor: "#9fe1e7",
            foregroundColor: "#000000",
            selected: true,
            accessRole: "owner",
            defaultReminders: [{ method: "popup", minutes: 10 }],
            notificationSettings: { notifications: [{ type: "eventCancellation", method: "email" }] },
            primary: true,
            conferenceProperties: { allowedConferenceSolutionTypes: ["hangoutsMeet"] },
          },
        ]
      : [];
    const body: calendar_v3.Schema$CalendarList = { kind: "calendar#calendarList", etag: `"${store?.sequence ?? 0}"`, nextSyncToken: "sbx-calendarlist", items };
    return send(c, 200, body);
  });

  app.get(`${base}/users/me/settings/timezone`, guard(state, "calendar", "calendar.settings.get"), (c) => {
    const denied = scopeDenied(c, "settings");
    if (denied) return denied;
    const body: calendar_v3.Schema$Setting = { kind: "calendar#setting", etag: '"sbx-timezone"', id: "timezone", value: c.get("account").info.timeZone };
    return send(c, 200, body);
  });

  app.get(`${base}/calendars/:calendarId/events`, guard(state, "calendar", "calendar.events.list"), (c) => {
    const denied = scopeDenied(c, "events");
    if (denied) return denied;
    const store = primary(c);
    if (!store) return notFound(c);
    const answer = listEvents(store, c.req.query(), state.pageSize.calendar);
    return send(c, answer.status, answer.body);
  });

  app.get(`${base}/calendars/:calendarId/events/:eventId`, guard(state, "calendar", "calendar.events.get"), (c) => {
    const denied = scopeDenied(c, "events");
    if (denied) return denied;
    const store = primary(c);
    const event = store?.get(c.req.param("eventId"));
    if (!event) return notFound(c);
    return send(c, 200, event);
  });

  calendarControlRoutes(app, state);
}
