import type { calendar_v3 } from "@googleapis/calendar";
import type { Context, Hono } from "hono";
import { type SandboxEnv, send } from "../guard";
import type { SandboxState } from "../state";
import type { CalendarStore } from "./store";

const prefix = "/_control/accounts/:email/calendar/events";

function storeOf(c: Context<SandboxEnv>, state: SandboxState): CalendarStore | Response {
  const email = c.req.param("email") ?? "";
  const store = state.account(email)?.calendar;
  return store ?? send(c, 404, { error: `no sandbox Google calendar for ${email}` });
}

/**
 * Control routes that change a calendar as its owner would:
 * - `POST .../calendar/events` upserts one event or an array (returns what was stored);
 * - `POST .../calendar/events/:id/cancel` cancels one (incremental sync then reports it in minimal form);
 * - `DELETE .../calendar/events/:id` purges one (gone from listings; older sync tokens see it cancelled).
 */
export function calendarControlRoutes(app: Hono<SandboxEnv>, state: SandboxState): void {
  app.post(prefix, async (c) => {
    const store = storeOf(c, state);
    if (store instanceof Response) return store;
    const body = (await c.req.json().catch(() => undefined)) as calendar_v3.Schema$Event | calendar_v3.Schema$Event[] | undefined;
    const list = Array.isArray(body) ? body : body && typeof body === "object" ? [body] : undefined;
    if (!list || list.some((e) => typeof e !== "object" || e === null))
      return send(c, 400, { error: "body must be a Calendar event or an array of events" });
    const stored = list.map((e) => store.upsertEvent(e));
    return send(c, 200, Array.isArray(body) ? stored : stored[0]);
  });

  app.post(`${prefix}/:id/cancel`, (c) => {
    const store = storeOf(c, state);
    if (store instanceof Response) return store;
    const event = store.cancelEvent(c.req.param("id"));
    return event ? send(c, 200, event) : send(c, 404, { error: `no event ${c.req.param("id")}` });
  });

  app.delete(`${prefix}/:id`, (c) => {
    const store = storeOf(c, state);
    if (store instanceof Response) return store;
    const id = c.req.param("id");
    return store.deleteEvent(id) ? send(c, 200, { deleted: id }) : send(c, 404, { error: `no event ${id}` });
  });
}
