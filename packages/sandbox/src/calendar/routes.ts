import type { calendar_v3 } from "@googleapis/calendar";
import type { Context, Hono } from "hono";
import { googleError } from "../errors";
import { type SandboxEnv, guard, send } from "../guard";
import type { SandboxState } from "../state";
import { calendarControlRoutes } from "./control";
import { listEvents } from "./list";
import type { CalendarStore } from "./store";

const base = "/calendar/v3";
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
    const body: calendar_v3.Schema$Setting = { kind: "calendar#setting", etag: '"sbx-timezone"', id: "timezone", value: c.get("account").info.timeZone };
    return send(c, 200, body);
  });

  app.get(`${base}/calendars/:calendarId/events`, guard(state, "calendar", "calendar.events.list"), (c) => {
    const store = primary(c);
    if (!store) return notFound(c);
    const answer = listEvents(store, c.req.query(), state.pageSize.calendar, c.req.queries("eventTypes") ?? []);
    return send(c, answer.status, answer.body);
  });

  app.get(`${base}/calendars/:calendarId/events/:eventId`, guard(state, "calendar", "calendar.events.get"), (c) => {
    const store = primary(c);
    const event = store?.get(c.req.param("eventId"));
    if (!event) return notFound(c);
    return send(c, 200, event);
  });

  calendarControlRoutes(app, state);
}
