import type { Context, Hono } from "hono";
import type { gmail_v1 } from "@googleapis/gmail";
import { type SandboxEnv, send } from "../guard";
import type { SandboxState } from "../state";
import { GmailError, type GmailStore } from "./store";

const base = "/_control/accounts/:email/gmail";

/** A message to add through the control API: a partial Gmail message, optionally with headers as a plain object. */
export type NewMessage = gmail_v1.Schema$Message & { headers?: Record<string, string> };

function gmailOf(c: Context<SandboxEnv>, state: SandboxState): GmailStore | Response {
  const email = c.req.param("email") ?? "";
  const g = state.account(email)?.gmail;
  return g ?? send(c, 404, { error: `no sandbox Gmail account ${email}` });
}

function toMessage(n: NewMessage): gmail_v1.Schema$Message {
  const { headers, ...m } = n;
  if (!headers) return m;
  const list = Object.entries(headers).map(([name, value]) => ({ name, value }));
  return { ...m, payload: { ...m.payload, headers: [...(m.payload?.headers ?? []), ...list] } };
}

/**
 * Gmail control routes: add mail (`POST .../gmail/messages`, one message or an array), change labels
 * (`POST .../gmail/messages/:id/labels` `{add, remove}`), delete (`DELETE .../gmail/messages/:id`), read
 * drafts and mail sent through the API (`GET .../gmail/drafts`, `GET .../gmail/sent`), send a draft as
 * the owner does from their mailbox (`POST .../gmail/drafts/:id/send`), the history state
 * (`GET .../gmail/history`), and set how messages.list orders (`POST .../gmail/list-order`).
 */
export function gmailControlRoutes(app: Hono<SandboxEnv>, state: SandboxState): void {
  app.post(`${base}/messages`, async (c) => {
    const g = gmailOf(c, state);
    if (g instanceof Response) return g;
    const body = (await c.req.json().catch(() => undefined)) as NewMessage | NewMessage[] | undefined;
    if (!body || typeof body !== "object") return send(c, 400, { error: "body must be a message or an array of messages" });
    try {
      const added = (Array.isArray(body) ? body : [body]).map((m) => g.addMessage(toMessage(m)));
      return c.json(Array.isArray(body) ? added : added[0], 201);
    } catch (e) {
      if (e instanceof GmailError) return send(c, e.status, { error: e.message });
      throw e;
    }
  });

  app.post(`${base}/messages/:id/labels`, async (c) => {
    const g = gmailOf(c, state);
    if (g instanceof Response) return g;
    const body = (await c.req.json().catch(() => ({}))) as { add?: string[]; remove?: string[] };
    const m = g.modifyLabels(c.req.param("id"), body.add ?? [], body.remove ?? []);
    return m ? c.json(m) : send(c, 404, { error: `no message ${c.req.param("id")}` });
  });

  app.delete(`${base}/messages/:id`, (c) => {
    const g = gmailOf(c, state);
    if (g instanceof Response) return g;
    return g.deleteMessage(c.req.param("id")) ? c.json({ deleted: c.req.param("id") }) : send(c, 404, { error: `no message ${c.req.param("id")}` });
  });

  // How messages.list orders (GmailStore listOrder): `{order: "date" | "stored"}`.
  app.post(`${base}/list-order`, async (c) => {
    const g = gmailOf(c, state);
    if (g instanceof Response) return g;
    const { order } = (await c.req.json().catch(() => ({}))) as { order?: unknown };
    if (order !== "date" && order !== "stored") return send(c, 400, { error: 'body must be {"order": "date" | "stored"}' });
    g.listOrder = order;
    return c.json({ order });
  });

  app.get(`${base}/drafts`, (c) => {
    const g = gmailOf(c, state);
    return g instanceof Response ? g : c.json(g.writtenDrafts());
  });

  // The owner sends a draft from their mailbox: deleted, and a new message (a new id, the same thread) sent mail (GmailStore sendDraft).
  app.post(`${base}/drafts/:id/send`, (c) => {
    const g = gmailOf(c, state);
    if (g instanceof Response) return g;
    const sent = g.sendDraft(c.req.param("id"));
    return sent ? c.json({ sent: c.req.param("id"), message: { id: sent.id, threadId: sent.threadId, labelIds: sent.labelIds } }) : send(c, 404, { error: `no draft ${c.req.param("id")}` });
  });

  app.get(`${base}/sent`, (c) => {
    const g = gmailOf(c, state);
    return g instanceof Response ? g : c.json(g.listSent());
  });

  app.get(`${base}/history`, (c) => {
    const g = gmailOf(c, state);
    return g instanceof Response ? g : c.json({ historyId: g.historyId(), horizon: String(g.history.horizon) });
  });
}
