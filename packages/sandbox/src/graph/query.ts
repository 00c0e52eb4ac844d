/** OData query options of the Graph routes: $select, $filter (dates only), $orderby, $top, paging links. */

/**
 * A Graph request error the routes turn into `graphError(code, message)` with `status`. A 400 is a
 * request the contract refuses (a query option, a payload of the wrong shape), kept among the
 * sandbox's refusals, unless `contract` is false: an answer that depends on the data sent (a
 * recipient Graph cannot take).
 */
export class GraphQueryError extends Error {
  readonly contract: boolean;
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    contract = status === 400,
  ) {
    super(message);
    this.contract = contract;
  }
}

/** Properties of `microsoft.graph.message` that `$select` accepts. */
export const messageProperties = new Set(
  [
    "bccRecipients", "body", "bodyPreview", "categories", "ccRecipients", "changeKey", "conversationId", "conversationIndex",
    "createdDateTime", "flag", "from", "hasAttachments", "id", "importance", "inferenceClassification", "internetMessageHeaders",
    "internetMessageId", "isDeliveryReceiptRequested", "isDraft", "isRead", "isReadReceiptRequested", "lastModifiedDateTime",
    "parentFolderId", "receivedDateTime", "replyTo", "sender", "sentDateTime", "subject", "toRecipients", "uniqueBody", "webLink",
  ].map((p) => p.toLowerCase()),
);

/** Properties of `microsoft.graph.event` that `$select` accepts. */
/** mailFolder's properties (learn.microsoft.com/graph/api/resources/mailfolder). */
export const mailFolderProperties = new Set(
  ["childFolderCount", "displayName", "id", "isHidden", "parentFolderId", "totalItemCount", "unreadItemCount"].map((p) => p.toLowerCase()),
);

export const eventProperties = new Set(
  [
    "allowNewTimeProposals", "attendees", "body", "bodyPreview", "categories", "changeKey", "createdDateTime", "end", "hasAttachments",
    "hideAttendees", "iCalUId", "id", "importance", "isAllDay", "isCancelled", "isDraft", "isOnlineMeeting", "isOrganizer", "isReminderOn",
    "lastModifiedDateTime", "location", "locations", "onlineMeeting", "onlineMeetingProvider", "onlineMeetingUrl", "organizer",
    "originalEndTimeZone", "originalStart", "originalStartTimeZone", "recurrence", "reminderMinutesBeforeStart", "responseRequested",
    "responseStatus", "sensitivity", "seriesMasterId", "showAs", "start", "subject", "transactionId", "type", "webLink",
  ].map((p) => p.toLowerCase()),
);

/** Query parameters with case-insensitive names (`$skipToken` and `$skiptoken` alike). */
export function queryOf(url: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of new URL(url).searchParams) out.set(k.toLowerCase(), v);
  return out;
}

/** Parses `$select` against the known properties of `type`; unknown names give Graph's 400. */
export function parseSelect(value: string | undefined, known: ReadonlySet<string>, type: string): string[] | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const names = value.split(",").map((s) => s.trim()).filter(Boolean);
  for (const n of names)
    if (!known.has(n.toLowerCase()))
      throw new GraphQueryError(400, "RequestBroker--ParseUri", `Could not find a property named '${n}' on type 'microsoft.graph.${type}'.`);
  return names;
}

/** Keeps only selected properties, plus `id` and OData annotations (`@odata.etag`, `@odata.type`). */
export function applySelect<T extends object>(item: T, select: string[] | undefined): T {
  if (!select) return structuredClone(item);
  const wanted = new Set(select.map((s) => s.toLowerCase()));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item))
    if (k.startsWith("@odata.") || k === "id" || wanted.has(k.toLowerCase())) out[k] = structuredClone(v);
  return out as T;
}

/** One comparison of a date property with a DateTimeOffset literal. */
export interface DateClause {
  prop: "receivedDateTime" | "sentDateTime";
  op: "ge" | "gt" | "le" | "lt";
  ms: number;
}

const dateProps: Record<string, DateClause["prop"]> = { receiveddatetime: "receivedDateTime", sentdatetime: "sentDateTime" };
const literal = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?)?(Z|[+-]\d{2}:\d{2})?$/i;

/**
 * Parses the only `$filter` grammar the sandbox knows: `prop op literal (and prop op literal)*`
 * with prop receivedDateTime|sentDateTime, op ge|gt|le|lt and an unquoted DateTimeOffset literal.
 */
export function parseDateFilter(value: string | undefined): DateClause[] {
  if (value === undefined || value.trim() === "") return [];
  const tokens = value.trim().split(/\s+/);
  const clauses: DateClause[] = [];
  const bad = (why: string) => new GraphQueryError(400, "BadRequest", `Invalid filter clause: ${why}`);
  for (let i = 0; i < tokens.length; i += 4) {
    const [p, op, lit, conj] = tokens.slice(i, i + 4);
    const prop = dateProps[p?.toLowerCase() ?? ""];
    if (!prop) throw bad(`the sandbox only filters on receivedDateTime and sentDateTime, not '${p}'.`);
    const o = op?.toLowerCase();
    if (o !== "ge" && o !== "gt" && o !== "le" && o !== "lt") throw bad(`unsupported operator '${op ?? ""}'.`);
    if (!lit || !literal.test(lit))
      throw bad(`'${lit ?? ""}' is not a DateTimeOffset literal (write it unquoted, e.g. 2026-05-01T00:00:00Z).`);
    const ms = Date.parse(/[zZ]|[+-]\d{2}:\d{2}$/.test(lit) || !lit.includes("T") ? lit : `${lit}Z`);
    if (Number.isNaN(ms)) throw bad(`'${lit}' is not a valid date.`);
    clauses.push({ prop, op: o, ms });
    if (conj !== undefined && conj.toLowerCase() !== "and") throw bad(`expected 'and', got '${conj}'.`);
    if (conj !== undefined && i + 4 >= tokens.length) throw bad("dangling 'and'.");
  }
  return clauses;
}

/** True when an item's date property satisfies every clause. */
export function matchesDates(item: Record<string, unknown>, clauses: DateClause[]): boolean {
  return clauses.every((c) => {
    const v = item[c.prop];
    if (typeof v !== "string") return false;
    const ms = Date.parse(v);
    if (c.op === "ge") return ms >= c.ms;
    if (c.op === "gt") return ms > c.ms;
    if (c.op === "le") return ms <= c.ms;
    return ms < c.ms;
  });
}

/** One `$orderby` key. */
export interface OrderKey {
  prop: string;
  desc: boolean;
}

/** Parses `$orderby` over the given properties (map of lower-case name to real name). */
export function parseOrderBy(value: string | undefined, allowed: Record<string, string>, type: string): OrderKey[] | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  return value.split(",").map((part) => {
    const [name, dir, extra] = part.trim().split(/\s+/);
    const prop = allowed[name?.toLowerCase() ?? ""];
    if (!prop) throw new GraphQueryError(400, "BadRequest", `Could not find a property named '${name}' on type 'microsoft.graph.${type}' to order by.`);
    const d = dir?.toLowerCase();
    if (extra !== undefined || (d !== undefined && d !== "asc" && d !== "desc"))
      throw new GraphQueryError(400, "BadRequest", `Invalid $orderby clause '${part.trim()}'.`);
    return { prop, desc: d === "desc" };
  });
}

/**
 * Exchange's rule for messages: properties in `$orderby` must lead `$filter` in the same order,
 * or the request fails with 400 InefficientFilter.
 */
export function checkOrderLeadsFilter(order: OrderKey[] | undefined, filter: DateClause[]): void {
  if (!order || filter.length === 0) return;
  const filterProps: string[] = [];
  for (const c of filter) if (!filterProps.includes(c.prop)) filterProps.push(c.prop);
  order.forEach((o, i) => {
    if (filterProps[i] !== o.prop)
      throw new GraphQueryError(400, "InefficientFilter", "The restriction or sort order is too complex for this operation.");
  });
}

/** Compares by order keys on date or string properties, then by id. */
export function compareBy(order: OrderKey[], get: (item: any, prop: string) => unknown) {
  return (a: any, b: any): number => {
    for (const k of order) {
      const x = get(a, k.prop);
      const y = get(b, k.prop);
      const xs = typeof x === "string" ? x : "";
      const ys = typeof y === "string" ? y : "";
      const dx = Date.parse(xs);
      const dy = Date.parse(ys);
      const c = !Number.isNaN(dx) && !Number.isNaN(dy) ? dx - dy : xs.localeCompare(ys);
      if (c !== 0) return k.desc ? -c : c;
    }
    return String(a.id).localeCompare(String(b.id));
  };
}

/** Parses `$top` (or `odata.maxpagesize`): a positive integer up to `max`; default when absent. */
export function parseTop(value: string | undefined, fallback: number, max = 1000): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1)
    throw new GraphQueryError(400, "BadRequest", `Invalid value '${value}' for $top: it must be a positive integer.`);
  return Math.min(Number(value), max);
}

/** Parses `$skip`: a non-negative integer. */
export function parseSkip(value: string | undefined): number {
  if (value === undefined) return 0;
  if (!/^\d+$/.test(value.trim())) throw new GraphQueryError(400, "BadRequest", `Invalid value '${value}' for $skip.`);
  return Number(value);
}

/** The `Prefer` header as a lower-cased map (`odata.maxpagesize` → "5", `idtype` → `"ImmutableId"`). */
export function parsePrefer(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? "").split(",")) {
    const [k, ...rest] = part.trim().split("=");
    if (k) out.set(k.trim().toLowerCase(), rest.join("=").trim());
  }
  return out;
}

/** Builds a link on `origin` + `path` with the given query (values percent-encoded, `$` names kept readable). */
export function link(origin: string, path: string, query: [string, string][]): string {
  const qs = query.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join("&");
  return `${origin}${path}${qs ? `?${qs}` : ""}`;
}
