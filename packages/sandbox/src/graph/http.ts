import type { Context, Handler } from "hono";
import { graphError } from "../errors";
import { type SandboxEnv, send } from "../guard";
import { BASIC_WITHHELD } from "../official";
import type { GraphStore } from "./store";
import { GraphQueryError, parsePrefer } from "./query";

/** What a Graph handler gets: the Hono context, the account's Graph store and the request's `Prefer` header. */
export interface GraphCall {
  c: Context<SandboxEnv>;
  store: GraphStore;
  prefer: Map<string, string>;
  /** Origin the request came in on (https on the HTTPS listener): links the sandbox returns use it. */
  origin: string;
  /** Response headers to add (Preference-Applied). */
  headers: Record<string, string>;
  /** The request asked for immutable ids (`Prefer: IdType="ImmutableId"`); otherwise answers carry regular ones. */
  immutableIds: boolean;
}

/** Origin of the request itself, so @odata links point back at the listener (HTTP or HTTPS) the client used. */
export function requestOrigin(c: Context): string {
  return new URL(c.req.url).origin;
}

/** The item-not-found error Exchange returns for unknown ids. */
export const notFound = () => new GraphQueryError(404, "ErrorItemNotFound", "The specified object was not found in the store.");

/** The 410 Exchange sends for an expired or unknown delta/skip token: recover with a full sync. */
export const syncStateNotFound = () =>
  new GraphQueryError(410, "SyncStateNotFound", "The sync state generation is not found. The delta token is expired and data must be synchronized again.");

/**
 * Wraps a Graph route: resolves the account's store (404 when the account has no Outlook mailbox),
 * honours `Prefer: IdType="ImmutableId"` (echoed in Preference-Applied; without it, answers carry
 * the regular ids that change when an item moves: {@link ok}), and turns {@link GraphQueryError}s
 * into Graph's error body.
 */
export function graphHandler(fn: (call: GraphCall) => Response | Promise<Response>): Handler<SandboxEnv> {
  return async (c) => {
    const store = c.get("account").graph;
    if (!store) return send(c, 404, graphError("ResourceNotFound", "User not found or has no Outlook mailbox."));
    const prefer = parsePrefer(c.req.header("prefer"));
    const headers: Record<string, string> = {};
    const applied: string[] = [];
    const idType = prefer.get("idtype");
    const immutableIds = idType !== undefined && /immutableid/i.test(idType);
    if (immutableIds) applied.push('IdType="ImmutableId"');
    if (applied.length) headers["preference-applied"] = applied.join(", ");
    try {
      const res = await fn({ c, store, prefer, origin: requestOrigin(c), headers, immutableIds });
      for (const [k, v] of Object.entries(headers)) res.headers.set(k, v);
      return res;
    } catch (e) {
      if (e instanceof GraphQueryError) {
        if (e.contract) c.get("refuse")?.(e.status);
        return send(c, e.status, graphError(e.code, e.message), headers);
      }
      throw e;
    }
  };
}

/** Reads a JSON request body or fails with Graph's 400. */
export async function jsonBody(c: Context): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    throw new GraphQueryError(400, "BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.");
  }
}

/** A 200 JSON answer with the call's extra headers; its items' ids regular unless immutable ones were asked for. */
export function ok(call: GraphCall, body: unknown, status = 200): Response {
  const served = call.c.get("basic") ? withoutWithheld(body) : body;
  return send(call.c, status, call.immutableIds ? served : call.store.withRestIds(served), call.headers);
}

/** A body as a basic grant (Mail.ReadBasic, Calendars.ReadBasic) gets it: the item (or each item of a page) without what that permission withholds. */
function withoutWithheld(body: unknown): unknown {
  const strip = (m: unknown) => (m && typeof m === "object" ? Object.fromEntries(Object.entries(m).filter(([k]) => !BASIC_WITHHELD.includes(k))) : m);
  const page = body as { value?: unknown };
  return page && typeof page === "object" && Array.isArray(page.value) ? { ...page, value: page.value.map(strip) } : strip(body);
}

/** The item a request's path names by `:id` (either id form: GraphStore resolveId). */
export const pathId = (call: GraphCall): string => call.store.resolveId(call.c.req.param("id") ?? "");

/** The page size a request asks for: `Prefer: odata.maxpagesize`, else `$top`, else `fallback`; capped by the sandbox. */
export function pageSizeOf(call: GraphCall, top: number | undefined, fallback: number, cap: number): number {
  const pref = call.prefer.get("odata.maxpagesize");
  let size = fallback;
  if (pref !== undefined && /^\d+$/.test(pref) && Number(pref) > 0) {
    size = Number(pref);
    call.headers["preference-applied"] = [call.headers["preference-applied"], `odata.maxpagesize=${pref}`].filter(Boolean).join(", ");
  } else if (top !== undefined) size = top;
  return Math.max(1, Math.min(size, cap));
}
