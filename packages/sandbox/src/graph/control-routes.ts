import type { Context, Hono } from "hono";
import type { Event as GraphEvent, Message as GraphMessage } from "@microsoft/microsoft-graph-types";
import { type SandboxEnv, send } from "../guard";
import type { SandboxState } from "../state";
import type { GraphStore } from "./store";

const base = "/_control/accounts/:email/graph";

/** Control routes of Outlook mailboxes: add mail, upsert/cancel/delete events, read drafts and sent mail. */
export function graphControlRoutes(app: Hono<SandboxEnv>, state: SandboxState): void {
  const storeOf = (c: Context): GraphStore | Response => {
    const email = c.req.param("email") ?? "";
    const a = state.account(email);
    if (!a) return send(c, 404, { error: `no sandbox account ${email}` });
    if (!a.graph) return send(c, 404, { error: `${email} is not a Microsoft account` });
    return a.graph;
  };
  const list = async <T>(c: Context, key: string): Promise<T[] | Response> => {
    const body = (await c.req.json().catch(() => undefined)) as unknown;
    const items = Array.isArray(body) ? body : body && typeof body === "object" && Array.isArray((body as Record<string, unknown>)[key]) ? (body as Record<string, T[]>)[key] : body ? [body] : [];
    if (items.length === 0 || items.some((i) => typeof i !== "object" || i === null)) return send(c, 400, { error: `body must be one ${key.slice(0, -1)}, an array, or {${key}: [...]}` });
    return items as T[];
  };

  /** Adds one or many messages to inbox or sentitems (fields missing are filled from the mailbox clock). */
  app.post(`${base}/messages/:folder`, async (c) => {
    const store = storeOf(c);
    if (store instanceof Response) return store;
    const folder = store.folder(c.req.param("folder"));
    if (folder !== "inbox" && folder !== "sentitems") return send(c, 400, { error: "folder must be inbox or sentitems" });
    const items = await list<GraphMessage>(c, "messages");
    if (items instanceof Response) return items;
    return c.json({ messages: items.map((m) => store.addMessage(folder, m)) }, 201);
  });

  /** Moves a message to another folder (`{ "folder": "archive" }`: a well-known name or a folder id), as the owner's mail app would. */
  app.post(`${base}/messages/:id/move`, async (c) => {
    const store = storeOf(c);
    if (store instanceof Response) return store;
    const body = (await c.req.json().catch(() => undefined)) as { folder?: unknown } | undefined;
    const folder = typeof body?.folder === "string" ? store.folder(body.folder) : undefined;
    if (!folder) return send(c, 400, { error: "body must be {folder}: inbox, sentitems, drafts, archive, deleteditems, junkemail or recoverableitemsdeletions" });
    const moved = store.moveMessage(c.req.param("id"), folder);
    return moved ? c.json({ message: moved }) : send(c, 404, { error: "no such message" });
  });

  /**
   * The owner sends a draft from Outlook: a copy in Sent Items under an id of its own, the draft gone
   * (GraphStore sendDraft); with `?keepId=1`, as the documentation page describes a send, the Sent
   * Items copy under the draft's own immutable id.
   */
  app.post(`${base}/messages/:id/send`, (c) => {
    const store = storeOf(c);
    if (store instanceof Response) return store;
    const sent = store.sendDraft(c.req.param("id"), { keepId: c.req.query("keepId") === "1" });
    return sent ? c.json({ message: sent }) : send(c, 404, { error: "no such draft" });
  });

  app.delete(`${base}/messages/:id`, (c) => {
    const store = storeOf(c);
    if (store instanceof Response) return store;
    return store.purgeMessage(c.req.param("id")) ? c.json({ deleted: c.req.param("id") }) : send(c, 404, { error: "no such message" });
  });

  /** Adds or updates (merging fields) one or many events. */
  app.post(`${base}/events`, async (c) => {
    const store = storeOf(c);
    if (store instanceof Response) return store;
    const items = await list<GraphEvent>(c, "events");
    if (items instanceof Response) return items;
    try {
      return c.json({ events: items.map((e) => store.upsertEvent(e)) }, 201);
    } catch (e) {
      return send(c, 400, { error: (e as Error).message });
    }
  });

  app.post(`${base}/events/:id/cancel`, (c) => {
    const store = storeOf(c);
    if (store instanceof Response) return store;
    const ev = store.cancelEvent(c.req.param("id"));
    return ev ? c.json(ev) : send(c, 404, { error: "no such event" });
  });

  app.delete(`${base}/events/:id`, (c) => {
    const store = storeOf(c);
    if (store instanceof Response) return store;
    return store.deleteEvent(c.req.param("id")) ? c.json({ deleted: c.req.param("id") }) : send(c, 404, { error: "no such event" });
  });

  /**
   * The mailbox's zones as `/me/mailboxSettings` answers them (GraphStore settingsZones): `{timeZone}`
   * serves that value (any JSON: null, [], "tzone://Microsoft/Custom"), a body without it leaves the
   * property out; `{workingHoursTimeZone}` names the working hours' zone (the owner's by default).
   * DELETE: both name the owner's zone again.
   */
  app.post(`${base}/mailbox-settings`, async (c) => {
    const store = storeOf(c);
    if (store instanceof Response) return store;
    const body = (await c.req.json().catch(() => undefined)) as unknown;
    if (typeof body !== "object" || body === null || Array.isArray(body) || Object.keys(body).some((k) => k !== "timeZone" && k !== "workingHoursTimeZone"))
      return send(c, 400, { error: "body must be an object with timeZone (left out: the property is left out) and optionally workingHoursTimeZone" });
    store.settingsZones = body as GraphStore["settingsZones"];
    return c.json(store.settingsZones);
  });
  app.delete(`${base}/mailbox-settings`, (c) => {
    const store = storeOf(c);
    if (store instanceof Response) return store;
    store.settingsZones = undefined;
    return c.json({ reset: true });
  });

  app.get(`${base}/drafts`, (c) => {
    const store = storeOf(c);
    if (store instanceof Response) return store;
    return c.json(store.messagesIn("drafts").map((r) => r.message));
  });

  app.get(`${base}/sent`, (c) => {
    const store = storeOf(c);
    if (store instanceof Response) return store;
    return c.json(store.sent());
  });
}
