import { createHash } from "node:crypto";
import type { Hono } from "hono";
import type { Message as GraphMessage } from "@microsoft/microsoft-graph-types";
import { guard, type SandboxEnv } from "../guard";
import { esc } from "../oauth/shared";
import type { SandboxState } from "../state";
import { type GraphCall, graphHandler, jsonBody, notFound, ok, pageSizeOf, pathId, syncStateNotFound } from "./http";
import {
  GraphQueryError,
  applySelect,
  checkOrderLeadsFilter,
  compareBy,
  link,
  mailFolderProperties,
  matchesDates,
  messageProperties,
  parseDateFilter,
  parseOrderBy,
  parseSelect,
  parseSkip,
  parseTop,
  queryOf,
} from "./query";
import { type DeltaCursor, FOLDER_DISPLAY, type FolderName, type MessageRecord } from "./store";
import { resumedCursor } from "./delta";
import { graphMessageFromMime } from "./mime-send";

/**
 * `singleValueExtendedProperties/Any(ep: ep/id eq '<property id>' and ep/value eq '<value>')`, the
 * filter Graph documents for finding items by an extended property's value
 * (learn.microsoft.com/graph/api/singlevaluelegacyextendedproperty-get). Values compare without case.
 */
const EXTENDED_FILTER = /^\s*singleValueExtendedProperties\/Any\(\s*(\w+)\s*:\s*\1\/id\s+eq\s+'((?:[^']|'')*)'\s+and\s+\1\/value\s+eq\s+'((?:[^']|'')*)'\s*\)\s*$/i;
const unquote = (s: string) => s.replace(/''/g, "'");

const orderable: Record<string, string> = {
  receiveddatetime: "receivedDateTime",
  sentdatetime: "sentDateTime",
  createddatetime: "createdDateTime",
  lastmodifieddatetime: "lastModifiedDateTime",
  subject: "subject",
};

/** Graph lets paths differ in case; clients write `mailFolders` and `mailfolders` alike. */
/** A mail folder's path, in either case Graph takes. */
const folderRoutes = ["/v1.0/me/mailFolders/:folder", "/v1.0/me/mailfolders/:folder"];
const folderPaths = (suffix: string) => folderRoutes.map((p) => `${p}/messages${suffix}`);

function folderOf(call: GraphCall): FolderName {
  const f = call.store.folder(call.c.req.param("folder") ?? "");
  if (!f) throw notFound();
  return f;
}

/** GET /me/mailFolders/{folder}/messages: $select, $filter on dates, $orderby, $top and $skip paging. */
function listMessages(state: SandboxState) {
  return graphHandler((call) => {
    const folder = folderOf(call);
    const q = queryOf(call.c.req.url);
    const select = parseSelect(q.get("$select"), messageProperties, "message");
    // Besides dates, two equalities Graph supports and the service uses: internetMessageId eq '<id>',
    // and an extended property's value (singlevaluelegacyextendedproperty-get).
    const byId = /^\s*internetMessageId\s+eq\s+'((?:[^']|'')*)'\s*$/i.exec(q.get("$filter") ?? "");
    const byProp = EXTENDED_FILTER.exec(q.get("$filter") ?? "");
    const filter = byId || byProp ? [] : parseDateFilter(q.get("$filter"));
    const order = parseOrderBy(q.get("$orderby"), orderable, "message");
    checkOrderLeadsFilter(order, filter);
    if (q.has("$search")) throw new GraphQueryError(400, "BadRequest", "The sandbox does not implement $search.");
    const page = Math.min(parseTop(q.get("$top"), 10), state.pageSize.graph);
    const skip = parseSkip(q.get("$skip"));
    const items = call.store
      .messagesIn(folder)
      .map((r) => r.message)
      .filter((m) => matchesDates(m as Record<string, unknown>, filter))
      .filter((m) => !byId || m.internetMessageId === byId[1].replace(/''/g, "'"))
      .filter((m) => !byProp || (call.store.extendedValue(m.id!, unquote(byProp[2])) ?? "").toLowerCase() === unquote(byProp[3]).toLowerCase())
      .sort(compareBy(order ?? [{ prop: "receivedDateTime", desc: true }], (m, p) => m[p]));
    const body: Record<string, unknown> = {
      "@odata.context": `${call.origin}/v1.0/$metadata#users('${call.store.userId}')/mailFolders('${folder}')/messages${select ? `(${select.join(",")})` : ""}`,
    };
    if (q.get("$count") === "true") body["@odata.count"] = items.length;
    body.value = items.slice(skip, skip + page).map((m) => applySelect(m, select));
    if (skip + page < items.length) {
      const url = new URL(call.c.req.url);
      const params = [...url.searchParams].filter(([k]) => k.toLowerCase() !== "$skip");
      body["@odata.nextLink"] = link(call.origin, url.pathname, [...params, ["$skip", String(skip + page)]]);
    }
    return ok(call, body);
  });
}

/** Microsoft's cap on a filtered delta round: "Applying $filter in a delta query returns only up to 5,000 messages" (learn.microsoft.com/graph/delta-query-messages). */
export const FILTERED_DELTA_CAP = 5000;

/** A stable order that is not the folder's: Graph guarantees no order for a delta round without $orderby. */
const scrambled = (id: string) => createHash("sha1").update(id).digest("hex");

function startCursor(call: GraphCall, folder: FolderName, state: SandboxState): DeltaCursor {
  const q = queryOf(call.c.req.url);
  const select = parseSelect(q.get("$select"), messageProperties, "message");
  const filter = parseDateFilter(q.get("$filter"));
  if (filter.some((f) => f.prop !== "receivedDateTime" || (f.op !== "ge" && f.op !== "gt")) || filter.length > 1)
    throw new GraphQueryError(400, "BadRequest", "Delta on messages only supports $filter=receivedDateTime ge|gt {value}.");
  const order = parseOrderBy(q.get("$orderby"), orderable, "message");
  if (order && (order.length !== 1 || order[0].prop !== "receivedDateTime" || !order[0].desc))
    throw new GraphQueryError(400, "BadRequest", "Delta on messages only supports $orderby=receivedDateTime desc.");
  const top = q.has("$top") ? parseTop(q.get("$top"), 10) : undefined;
  const receivedFrom = filter[0] ? { ms: filter[0].ms, inclusive: filter[0].op === "ge" } : undefined;
  let snapshot: string[] | undefined;
  if (receivedFrom) {
    // A filtered round is cut at the cap, in no guaranteed order unless $orderby asks for newest first.
    const cap = state.options.graphFilteredDeltaCap ?? FILTERED_DELTA_CAP;
    const received = (r: MessageRecord) => Date.parse(r.message.receivedDateTime ?? "");
    const recs = call.store.messagesIn(folder).filter((r) => (receivedFrom.inclusive ? received(r) >= receivedFrom.ms : received(r) > receivedFrom.ms));
    if (order) recs.sort((a, b) => received(b) - received(a) || a.ord - b.ord);
    else recs.sort((a, b) => scrambled(a.message.id!).localeCompare(scrambled(b.message.id!)));
    snapshot = recs.slice(0, cap).map((r) => r.message.id!);
  }
  return {
    kind: "messages",
    folder,
    select,
    receivedFrom,
    through: call.store.changeNumber,
    after: 0,
    pageSize: pageSizeOf(call, top, 10, state.pageSize.graph),
    ...(snapshot ? { snapshot } : {}),
  };
}

const removed = (id: string) => ({ id, "@removed": { reason: "deleted" } });

/** GET /me/mailFolders/{folder}/messages/delta: initial round, then changes since a deltaLink. */
function messagesDelta(state: SandboxState) {
  return graphHandler((call) => {
    const folder = folderOf(call);
    const cursor = resumedCursor(call, (saved) => saved.kind === "messages" && saved.folder === folder) ?? startCursor(call, folder, state);
    if (cursor.kind !== "messages") throw syncStateNotFound();
    const size = Math.min(cursor.pageSize ?? 10, state.pageSize.graph);
    const from = cursor.receivedFrom;
    const inRange = (m: GraphMessage) => {
      if (!from) return true;
      const ms = Date.parse(m.receivedDateTime ?? "");
      return from.inclusive ? ms >= from.ms : ms > from.ms;
    };
    const initial = cursor.since === undefined;
    const after = cursor.after;
    const through = cursor.through;
    const snapshot = initial ? cursor.snapshot : undefined;
    // Positions in the snapshot of its messages still in the folder.
    const live = snapshot
      ?.map((id, i) => [i, call.store.messageRecord(id)] as const)
      .slice(after)
      .filter((x): x is readonly [number, MessageRecord] => !!x[1] && !x[1].deleted && x[1].folder === folder);
    const pending: MessageRecord[] = live
      ? live.map(([, r]) => r)
      : initial
      ? call.store.messageRecords(folder).filter((r) => !r.deleted && r.folder === folder && r.ord > after && inRange(r.message)).sort((a, b) => a.ord - b.ord)
      : call.store
          .messageRecords(folder)
          .filter((r) => r.seq > after && r.seq <= through && (r.deleted || r.folder !== folder || inRange(r.message)))
          .sort((a, b) => a.seq - b.seq);
    const pageRecs = pending.slice(0, size);
    const body: Record<string, unknown> = {
      "@odata.context": `${call.origin}/v1.0/$metadata#Collection(message)`,
      // A removal names the item as this folder's listing did (without immutable ids, the regular id it had here).
      value: pageRecs.map((r) =>
        r.deleted || r.folder !== folder ? removed(call.immutableIds ? r.message.id! : call.store.restId(r.message.id!, folder)!) : applySelect(r.message, cursor.kind === "messages" ? cursor.select : undefined),
      ),
    };
    const path = new URL(call.c.req.url).pathname;
    if (pending.length > size) {
      const last = pageRecs[pageRecs.length - 1];
      const token = call.store.saveCursor({ ...cursor, after: live ? live[size - 1][0] + 1 : initial ? last.ord : last.seq });
      body["@odata.nextLink"] = link(call.origin, path, [["$skiptoken", token]]);
    } else {
      const token = call.store.saveCursor({ ...cursor, since: undefined, after: 0, through, snapshot: undefined });
      body["@odata.deltaLink"] = link(call.origin, path, [["$deltatoken", token]]);
    }
    return ok(call, body);
  });
}

function recipientsOk(m: GraphMessage): boolean {
  return (["toRecipients", "ccRecipients", "bccRecipients", "replyTo"] as const).every((k) => {
    const v = m[k];
    return v === undefined || v === null || (Array.isArray(v) && v.every((r) => typeof r?.emailAddress?.address === "string"));
  });
}

/**
 * A reply's subject as Exchange writes it: "RE: " before the original's, from which one prefix of
 * one to three characters and a colon ("Re:", "AW:", "FW:") is taken first (MS-OXCMAIL 2.2.3.2.6.1,
 * the normalised subject): "Re: Lunch?" gives "RE: Lunch?", not "RE: Re: Lunch?" (helper-243 #3).
 */
export function replySubject(subject: string | undefined): string {
  return `RE: ${(subject ?? "").replace(/^[^\s:]{1,3}:\s*/, "")}`;
}

/**
 * The body createReply writes without a message body: HTML, the comment above the original quoted
 * under its From, Sent, To and Subject, "Sent" in UTC unless `Prefer: outlook.timezone` names a zone
 * (learn.microsoft.com/graph/api/message-createreply, "If the header is not specified, by default UTC
 * timezone is followed"); the comment goes in as text in HTML, so its line breaks collapse into one
 * paragraph in any reader (reported, docs.rs pidge-client create_reply_draft; helper-243 #1).
 */
function quotedReplyBody(comment: string, original: GraphMessage): { contentType: "html"; content: string } {
  const who = (r: { emailAddress?: { name?: string | null; address?: string | null } | null } | null | undefined) => {
    const a = r?.emailAddress;
    return a ? `${esc(a.name ?? "")}${a.address ? ` &lt;${esc(a.address)}&gt;` : ""}` : "";
  };
  const sent = original.sentDateTime ? new Date(original.sentDateTime).toUTCString() : "";
  const quoted = original.body?.contentType?.toLowerCase() === "html" ? (original.body.content ?? "") : esc(original.body?.content ?? "");
  return {
    contentType: "html",
    content: `<html><body><div>${esc(comment)}</div><hr><div><b>From:</b> ${who(original.from)}<br><b>Sent:</b> ${sent}<br><b>To:</b> ${(original.toRecipients ?? []).map(who).join("; ")}<br><b>Subject:</b> ${esc(original.subject ?? "")}</div><div>${quoted}</div></body></html>`,
  };
}

/** Message routes: listing, delta, get one, create a draft, sendMail. */
export function graphMailRoutes(app: Hono<SandboxEnv>, state: SandboxState): void {
  for (const p of folderPaths("")) app.get(p, guard(state, "graph", "graph.messages.list"), listMessages(state));
  for (const p of folderPaths("/delta")) app.get(p, guard(state, "graph", "graph.messages.delta"), messagesDelta(state));

  // GET /me/mailFolders/{id}: a well-known name or a folder's id (learn.microsoft.com/graph/api/mailfolder-get).
  for (const p of folderRoutes)
    app.get(
      p,
      guard(state, "graph", "graph.mailFolders.get"),
      graphHandler((call) => {
        const folder = folderOf(call);
        const id = call.store.folderIds[folder];
        const count = call.store.messagesIn(folder).length;
        const entity = { id, displayName: FOLDER_DISPLAY[folder], parentFolderId: null, childFolderCount: 0, unreadItemCount: 0, totalItemCount: count, isHidden: false };
        const select = parseSelect(queryOf(call.c.req.url).get("$select"), mailFolderProperties, "mailFolder");
        return ok(call, { "@odata.context": `${call.origin}/v1.0/$metadata#users('${call.store.userId}')/mailFolders/$entity`, ...applySelect(entity, select) });
      }),
    );

  app.get(
    "/v1.0/me/messages/:id",
    guard(state, "graph", "graph.messages.get"),
    graphHandler((call) => {
      const m = call.store.message(pathId(call));
      if (!m) throw notFound();
      const select = parseSelect(queryOf(call.c.req.url).get("$select"), messageProperties, "message");
      return ok(call, { "@odata.context": `${call.origin}/v1.0/$metadata#users('${call.store.userId}')/messages/$entity`, ...applySelect(m, select) });
    }),
  );

  app.post(
    "/v1.0/me/messages",
    guard(state, "graph", "graph.messages.create"),
    graphHandler(async (call) => {
      const body = (await jsonBody(call.c)) as GraphMessage;
      if (typeof body !== "object" || body === null || Array.isArray(body)) throw new GraphQueryError(400, "BadRequest", "Empty Payload. JSON content expected.");
      if (!recipientsOk(body)) throw new GraphQueryError(400, "ErrorInvalidRecipients", "At least one recipient isn't valid.", false);
      const draft = call.store.createDraft(body);
      return ok(call, { "@odata.context": `${call.origin}/v1.0/$metadata#users('${call.store.userId}')/messages/$entity`, ...structuredClone(draft) }, 201);
    }),
  );

  app.post(
    "/v1.0/me/messages/:id/createReply",
    guard(state, "graph", "graph.messages.createReply"),
    graphHandler(async (call) => {
      const original = call.store.message(pathId(call));
      if (!original) throw notFound();
      const text = await call.c.req.text();
      const body = (text ? JSON.parse(text) : {}) as { message?: GraphMessage; comment?: string };
      if (body.message && !recipientsOk(body.message)) throw new GraphQueryError(400, "ErrorInvalidRecipients", "At least one recipient isn't valid.", false);
      // "You can specify either a comment or the body property of the message parameter. Specifying
      // both will return an HTTP 400 Bad Request error." (learn.microsoft.com/graph/api/message-createreply)
      if (body.comment !== undefined && body.message?.body !== undefined)
        throw new GraphQueryError(400, "ErrorInvalidRequest", "Specify either a comment or the body of the message, not both.");
      const fromOwner = original.from?.emailAddress?.address?.toLowerCase() === call.store.account.email.toLowerCase();
      const draft = call.store.createDraft({
        ...(body.message?.singleValueExtendedProperties ? { singleValueExtendedProperties: body.message.singleValueExtendedProperties } : {}),
        subject: body.message?.subject ?? replySubject(original.subject ?? undefined),
        // Null lists and addresses (Graph's types allow them) give no recipient, as Graph gives [] (helper-121).
        toRecipients: body.message?.toRecipients ?? (fromOwner ? (original.toRecipients ?? []) : original.from?.emailAddress?.address ? [original.from] : []),
        ccRecipients: body.message?.ccRecipients ?? [],
        body: body.message?.body ?? quotedReplyBody(body.comment ?? "", original),
      } as GraphMessage, original.conversationId);
      return ok(call, { "@odata.context": `${call.origin}/v1.0/$metadata#users('${call.store.userId}')/messages/$entity`, ...structuredClone(draft) }, 201);
    }),
  );

  app.delete(
    "/v1.0/me/messages/:id",
    guard(state, "graph", "graph.messages.delete"),
    graphHandler((call) => {
      if (!call.store.deleteMessage(pathId(call))) throw notFound();
      return new Response(null, { status: 204, headers: call.headers });
    }),
  );

  app.post(
    "/v1.0/me/sendMail",
    guard(state, "graph", "graph.sendMail"),
    graphHandler(async (call) => {
      const mime = /^text\/plain/i.test(call.c.req.header("content-type") ?? "");
      let body: { message?: GraphMessage; saveToSentItems?: boolean | string };
      let raw: string | undefined;
      if (mime) {
        try {
          const read = await graphMessageFromMime(await call.c.req.text());
          body = { message: read.message };
          raw = read.raw;
        } catch {
          throw new GraphQueryError(400, "ErrorMimeContentInvalidBase64String", "Invalid base64 string for MIME content.");
        }
      } else body = (await jsonBody(call.c)) as typeof body;
      const message = body?.message;
      if (typeof message !== "object" || message === null) throw new GraphQueryError(400, "ErrorInvalidParameter", "The message parameter is required.");
      if (!recipientsOk(message)) throw new GraphQueryError(400, "ErrorInvalidRecipients", "At least one recipient isn't valid.", false);
      const count = (message.toRecipients?.length ?? 0) + (message.ccRecipients?.length ?? 0) + (message.bccRecipients?.length ?? 0);
      if (count === 0) throw new GraphQueryError(400, "ErrorInvalidRecipients", "At least one recipient isn't valid.", false);
      const save = body.saveToSentItems === undefined ? true : String(body.saveToSentItems).toLowerCase() !== "false";
      call.store.sendMail(message, save, raw);
      return new Response(null, { status: 202, headers: call.headers });
    }),
  );
}
