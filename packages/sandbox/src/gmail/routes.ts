import type { Context, Hono } from "hono";
import type { gmail_v1 } from "@googleapis/gmail";
import { type SandboxEnv, guard } from "../guard";
import type { SandboxState } from "../state";
import { gmailControlRoutes } from "./control";
import { type HistoryType, toHistory } from "./history";
import { boundaryOf, splitMultipart } from "./mime";
import { answer, checkUser, decodePageToken, encodePageToken, formatParam, jsonBody, pageSizeParam, refuseMetadataQuery, shape } from "./params";
import { GmailError, type GmailStore } from "./store";

const base = "/gmail/v1/users/:userId";
const upload = "/upload/gmail/v1/users/:userId";

/**
 * Gmail quota units per method (Google's published table). drafts.get/list cost 5 like
 * messages.get/list; settings.sendAs.list costs 1.
 */
export const gmailUnits = {
  getProfile: 1,
  sendAsList: 1,
  messagesList: 5,
  messagesGet: 5,
  messagesSend: 100,
  historyList: 2,
  draftsCreate: 10,
  draftsGet: 5,
  draftsList: 5,
  draftsDelete: 10,
  threadsGet: 10,
} as const;

function store(c: Context<SandboxEnv>): GmailStore {
  checkUser(c);
  const g = c.get("account").gmail;
  if (!g) throw new GmailError(400, "Mail service not enabled", "failedPrecondition");
  return g;
}

const missingRaw = () => new GmailError(400, "'raw' RFC822 payload message string or uploading message via /upload/* URL required", "invalidArgument", true);

/** The RFC 822 text and threadId of a JSON `{raw, threadId}` message. */
function rawOf(message: gmail_v1.Schema$Message | undefined): { raw: string; threadId?: string | null } {
  if (!message || typeof message.raw !== "string" || message.raw === "") throw missingRaw();
  return { raw: Buffer.from(message.raw, "base64url").toString("utf8"), threadId: message.threadId };
}

/** An `/upload/` request: `uploadType=media` (the body is the message) or `multipart` (JSON metadata + the message). */
async function uploaded<T>(c: Context<SandboxEnv>): Promise<{ meta: T; raw: string }> {
  const type = c.req.query("uploadType") ?? "media";
  const body = await c.req.text();
  if (type === "media") {
    if (!body) throw missingRaw();
    return { meta: {} as T, raw: body };
  }
  if (type !== "multipart") throw new GmailError(400, `Unsupported uploadType "${type}" in the sandbox`, "invalidArgument", true);
  const boundary = boundaryOf(c.req.header("content-type"));
  if (!boundary) throw new GmailError(400, "Missing multipart boundary", "badContent", true);
  const parts = splitMultipart(body, boundary);
  if (parts.length < 2) throw missingRaw();
  let meta: T;
  try {
    meta = (parts[0].body.trim() ? JSON.parse(parts[0].body) : {}) as T;
  } catch (e) {
    throw new GmailError(400, `Invalid JSON payload received. ${(e as Error).message}`, "parseError", true);
  }
  return { meta, raw: parts[1].body };
}

/** Registers the Gmail v1 routes (and the Gmail control routes). */
export function gmailRoutes(app: Hono<SandboxEnv>, state: SandboxState): void {
  app.get(`${base}/profile`, guard(state, "gmail", "gmail.getProfile", gmailUnits.getProfile), (c) =>
    answer(c, () => c.json(store(c).profile())),
  );

  app.get(`${base}/settings/sendAs`, guard(state, "gmail", "gmail.settings.sendAs.list", gmailUnits.sendAsList), (c) =>
    answer(c, () => c.json({ sendAs: store(c).sendAs() } satisfies gmail_v1.Schema$ListSendAsResponse)),
  );

  app.get(`${base}/messages`, guard(state, "gmail", "gmail.messages.list", gmailUnits.messagesList), (c) =>
    answer(c, () => {
      const g = store(c);
      refuseMetadataQuery(c);
      const size = pageSizeParam(c, 100, 500, state.pageSize.gmail);
      const after = decodePageToken<{ d: string; i: string }>(c.req.query("pageToken"), (v) => typeof v.d === "string" && typeof v.i === "string");
      const all = g.list(c.req.queries("labelIds") ?? [], c.req.query("includeSpamTrash") === "true");
      let start = 0;
      if (after && g.listOrder === "stored") {
        // In stored order a page goes on after the message it ended with, by the order it was stored
        // in (a message deleted since keeps its place).
        const mark = g.storedOrdinal(after.i);
        const idx = all.findIndex((m) => g.storedOrdinal(m.id!) < mark);
        start = idx < 0 ? all.length : idx;
      } else if (after) {
        const d = Number(after.d);
        const idx = all.findIndex((m) => Number(m.internalDate) < d || (Number(m.internalDate) === d && cmpId(m.id!, after.i) < 0));
        start = idx < 0 ? all.length : idx;
      }
      const page = all.slice(start, start + size);
      const out: gmail_v1.Schema$ListMessagesResponse = {};
      if (page.length) out.messages = page.map((m) => ({ id: m.id, threadId: m.threadId }));
      const last = page[page.length - 1];
      if (start + size < all.length && last) out.nextPageToken = encodePageToken({ d: last.internalDate!, i: last.id! });
      out.resultSizeEstimate = all.length - start;
      return c.json(out);
    }),
  );

  app.get(`${base}/messages/:id`, guard(state, "gmail", "gmail.messages.get", gmailUnits.messagesGet), (c) =>
    answer(c, () => {
      const g = store(c);
      const format = formatParam(c);
      const m = g.getMessage(c.req.param("id"));
      if (!m) throw new GmailError(404, "Requested entity was not found.", "notFound");
      return c.json(shape(m, format, c.req.queries("metadataHeaders") ?? []));
    }),
  );

  // format minimal or metadata (FULL refused to gmail.metadata, by formatParam; RAW is not in
  // threads.get's enum, refused by the guard); 404 once no message of the thread is left.
  app.get(`${base}/threads/:id`, guard(state, "gmail", "gmail.threads.get", gmailUnits.threadsGet), (c) =>
    answer(c, () => {
      const g = store(c);
      const format = formatParam(c);
      const messages = g.getThread(c.req.param("id"));
      if (!messages) throw new GmailError(404, "Requested entity was not found.", "notFound");
      const historyId = String(Math.max(...messages.map((m) => Number(m.historyId ?? 0))));
      const metadataHeaders = c.req.queries("metadataHeaders") ?? [];
      return c.json({ id: c.req.param("id"), historyId, messages: messages.map((m) => shape(m, format, metadataHeaders)) } satisfies gmail_v1.Schema$Thread);
    }),
  );

  app.get(`${base}/history`, guard(state, "gmail", "gmail.history.list", gmailUnits.historyList), (c) =>
    answer(c, () => {
      const g = store(c);
      const startRaw = c.req.query("startHistoryId");
      if (startRaw === undefined || startRaw === "") throw new GmailError(400, "Missing startHistoryId", "invalidArgument", true);
      if (!/^\d+$/.test(startRaw)) throw new GmailError(400, `Invalid value at 'start_history_id' (TYPE_UINT64), "${startRaw}"`, "invalidArgument", true);
      // Values were checked against the discovery document's enum by the guard.
      const types = c.req.queries("historyTypes") ?? [];
      const size = pageSizeParam(c, 100, 500, state.pageSize.gmail);
      const after = decodePageToken<{ h: number }>(c.req.query("pageToken"), (v) => typeof v.h === "number");
      const records = g.historySince({ startHistoryId: Number(startRaw), types: types as HistoryType[], labelId: c.req.query("labelId") }, after?.h ?? 0);
      const page = records.slice(0, size);
      const out: gmail_v1.Schema$ListHistoryResponse = {};
      if (page.length) out.history = page.map(toHistory);
      if (records.length > size) out.nextPageToken = encodePageToken({ h: page[page.length - 1].id });
      out.historyId = g.historyId();
      return c.json(out);
    }),
  );

  const createDraft = (c: Context<SandboxEnv>, raw: string, threadId?: string | null) => c.json(store(c).createDraft(raw, threadId));
  app.post(`${base}/drafts`, guard(state, "gmail", "gmail.drafts.create", gmailUnits.draftsCreate), (c) =>
    answer(c, async () => {
      store(c);
      const body = await jsonBody<gmail_v1.Schema$Draft>(c);
      const { raw, threadId } = rawOf(body.message ?? undefined);
      return createDraft(c, raw, threadId);
    }),
  );
  app.post(`${upload}/drafts`, guard(state, "gmail", "gmail.drafts.create", gmailUnits.draftsCreate), (c) =>
    answer(c, async () => {
      store(c);
      const { meta, raw } = await uploaded<gmail_v1.Schema$Draft>(c);
      return createDraft(c, raw, meta.message?.threadId);
    }),
  );

  app.get(`${base}/drafts`, guard(state, "gmail", "gmail.drafts.list", gmailUnits.draftsList), (c) =>
    answer(c, () => {
      const g = store(c);
      refuseMetadataQuery(c);
      const size = pageSizeParam(c, 100, 500, state.pageSize.gmail);
      const after = decodePageToken<{ r: string }>(c.req.query("pageToken"), (v) => typeof v.r === "string");
      const all = g.listDrafts();
      let start = 0;
      if (after) {
        const idx = all.findIndex((d) => d.id === after.r);
        start = idx < 0 ? all.length : idx + 1;
      }
      const page = all.slice(start, start + size);
      const out: gmail_v1.Schema$ListDraftsResponse = {};
      if (page.length)
        out.drafts = page.map((d) => {
          const m = g.getMessage(d.messageId)!;
          return { id: d.id, message: { id: m.id, threadId: m.threadId } };
        });
      if (start + size < all.length) out.nextPageToken = encodePageToken({ r: page[page.length - 1].id });
      out.resultSizeEstimate = all.length - start;
      return c.json(out);
    }),
  );

  app.get(`${base}/drafts/:id`, guard(state, "gmail", "gmail.drafts.get", gmailUnits.draftsGet), (c) =>
    answer(c, () => {
      const g = store(c);
      const format = formatParam(c);
      const d = g.getDraft(c.req.param("id"));
      if (!d) throw new GmailError(404, "Requested entity was not found.", "notFound");
      return c.json({ id: d.id, message: shape(d.message, format, []) } satisfies gmail_v1.Schema$Draft);
    }),
  );

  app.delete(`${base}/drafts/:id`, guard(state, "gmail", "gmail.drafts.delete", gmailUnits.draftsDelete), (c) =>
    answer(c, () => {
      const g = store(c);
      if (!g.deleteDraft(c.req.param("id"))) throw new GmailError(404, "Requested entity was not found.", "notFound");
      // Gmail answers 204 with an empty body.
      return c.body(null, 204);
    }),
  );

  const sendRaw = (c: Context<SandboxEnv>, raw: string, threadId?: string | null) => c.json(store(c).send(raw, threadId));
  app.post(`${base}/messages/send`, guard(state, "gmail", "gmail.messages.send", gmailUnits.messagesSend), (c) =>
    answer(c, async () => {
      store(c);
      const { raw, threadId } = rawOf(await jsonBody<gmail_v1.Schema$Message>(c));
      return sendRaw(c, raw, threadId);
    }),
  );
  app.post(`${upload}/messages/send`, guard(state, "gmail", "gmail.messages.send", gmailUnits.messagesSend), (c) =>
    answer(c, async () => {
      store(c);
      const { meta, raw } = await uploaded<gmail_v1.Schema$Message>(c);
      return sendRaw(c, raw, meta.threadId);
    }),
  );

  gmailControlRoutes(app, state);
}

/** Orders Gmail ids like {@link GmailStore.list} does: longer is newer, then lexicographic. */
function cmpId(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
