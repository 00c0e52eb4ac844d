import type { Context } from "hono";
import type { gmail_v1 } from "@googleapis/gmail";
import { googleError } from "../errors";
import { type SandboxEnv, send } from "../guard";
import { exceptions, holdsGmailMetadata } from "../official";
import { GmailError } from "./store";

/** Opaque page token carrying a keyset position (never an offset, so inserts between pages do not shift results). */
export function encodePageToken(position: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(position)).toString("base64url");
}

/** Decodes a page token made by {@link encodePageToken}; throws 400 like Gmail for a bad one. */
export function decodePageToken<T>(token: string | undefined, check: (v: Record<string, unknown>) => boolean): T | undefined {
  if (token === undefined || token === "") return undefined;
  try {
    const v = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as Record<string, unknown>;
    if (v && typeof v === "object" && check(v)) return v as T;
  } catch {
    /* fall through */
  }
  throw new GmailError(400, "Invalid pageToken", "invalidArgument", true);
}

/** `maxResults`: Gmail's default and maximum, further capped by the sandbox page size. */
export function pageSizeParam(c: Context<SandboxEnv>, def: number, max: number, cap: number): number {
  const raw = c.req.query("maxResults");
  let n = def;
  if (raw !== undefined) {
    if (!/^\d+$/.test(raw)) throw new GmailError(400, `Invalid value at 'max_results' (TYPE_UINT32), "${raw}"`, "invalidArgument", true);
    n = Number(raw) === 0 ? def : Number(raw);
  }
  return Math.max(1, Math.min(n, max, cap));
}

/** The message formats Gmail accepts (validated against the discovery document's enum by the guard). */
export type Format = "full" | "metadata" | "minimal" | "raw";

/**
 * A token holding gmail.metadata is refused what that scope cannot see, even when it also holds a
 * broader scope (exceptions.gmailMetadata in ../official/exceptions.ts, with its sources).
 */
function metadataRefuses(c: Context<SandboxEnv>): boolean {
  return holdsGmailMetadata(c.get("grant").scopes);
}

/** 403 for `q` (even empty) when the token holds gmail.metadata. */
export function refuseMetadataQuery(c: Context<SandboxEnv>): void {
  for (const p of exceptions.gmailMetadata.refusedParams)
    if (c.req.query(p) !== undefined && metadataRefuses(c)) throw new GmailError(403, `Metadata scope does not support '${p}' parameter`, "forbidden", true);
}

/** `format` for messages.get / drafts.get (default `full`); FULL and RAW are refused (403) to a token holding gmail.metadata. */
export function formatParam(c: Context<SandboxEnv>): Format {
  const f = (c.req.query("format") ?? "full").toLowerCase() as Format;
  if (exceptions.gmailMetadata.refusedFormats.includes(f) && metadataRefuses(c))
    throw new GmailError(403, `Metadata scope doesn't allow format ${f.toUpperCase()}`, "forbidden", true);
  return f;
}

/**
 * A message in the requested format: metadata keeps the top-level headers only, those named in
 * `metadataHeaders` exactly, case included (all when none), and no MIME parts or body ("Returns only email message ID,
 * labels, and email headers": the gmail-v1 discovery document, `format`'s enumDescriptions); minimal
 * drops the payload; full is the stored message; raw replaces the payload with the RFC 822 header
 * block the sandbox holds (its messages have no bodies).
 */
export function shape(m: gmail_v1.Schema$Message, format: Format, metadataHeaders: string[]): gmail_v1.Schema$Message {
  if (format === "minimal" || format === "raw") {
    const { payload, ...rest } = m;
    if (format === "minimal") return rest;
    const text = (payload?.headers ?? []).map((h) => `${h.name}: ${h.value}`).join("\r\n") + "\r\n\r\n";
    return { ...rest, raw: Buffer.from(text).toString("base64url") };
  }
  if (format === "full" || !m.payload) return m;
  const { parts: _parts, body: _body, ...top } = m.payload;
  // Names match exactly: the stricter of the two readings (docs/provider-quirks.md, "Gmail's
  // metadataHeaders and the case of header names"); until 2026-12-06 the sandbox ignored case.
  const wanted = new Set(metadataHeaders);
  return { ...m, payload: metadataHeaders.length === 0 ? top : { ...top, headers: (top.headers ?? []).filter((h) => wanted.has(h.name ?? "")) } };
}

/** Runs a handler, answering {@link GmailError}s in Google's JSON error shape. */
export async function answer(c: Context<SandboxEnv>, run: () => Response | Promise<Response>): Promise<Response> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof GmailError) {
      if (e.contract) c.get("refuse")?.(e.status);
      return send(c, e.status, googleError(e.status, e.message, e.reason));
    }
    throw e;
  }
}

/**
 * `:userId` must be `me` or the authenticated address (case-insensitive); Gmail answers
 * anything else with 403 "Delegation denied".
 */
export function checkUser(c: Context<SandboxEnv>): void {
  const userId = decodeURIComponent(c.req.param("userId") ?? "");
  const email = c.get("account").info.email;
  if (userId === "me" || userId.toLowerCase() === email.toLowerCase()) return;
  throw new GmailError(403, `Delegation denied for ${email}`, "forbidden", true);
}

/** Reads a JSON request body; Gmail answers bad JSON with 400. */
export async function jsonBody<T>(c: Context<SandboxEnv>): Promise<T> {
  const text = await c.req.text();
  if (text.trim() === "") return {} as T;
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new GmailError(400, `Invalid JSON payload received. ${(e as Error).message}`, "parseError", true);
  }
}
