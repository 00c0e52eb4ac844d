import type { Context } from "hono";
import { resetConnection, send, type SandboxEnv } from "../guard";
import type { SandboxState } from "../state";

/** HTML-escapes text for the authorize and error pages. */
export const esc = (s: string) =>
  s.replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!);

// A phone-width viewport, one main landmark, the system's light or dark colours, long scope URLs
// that wrap instead of widening the page, and an empty icon, so that a browser asks for no /favicon.ico.
const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title><link rel="icon" href="data:,">` +
  `<style>:root{color-scheme:light dark}body{font-family:sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem}code{overflow-wrap:anywhere}` +
  `fieldset{margin:.5rem 0}label{display:block;margin:.25rem 0}button{display:block;margin:.5rem 0;padding:.5rem 1rem}.hinted{font-weight:bold}</style>` +
  `</head><body><main>${body}</main></body></html>`;

/** A 400 HTML error page, as the providers show for a bad client or redirect URI (nothing is redirected). */
export function errorPage(c: Context, heading: string, message: string, status = 400): Response {
  return c.html(page(heading, `<h1>${esc(heading)}</h1><p id="error-message">${esc(message)}</p>`), status as 400);
}

/** What the consent page shows. */
export interface ConsentView {
  title: string;
  clientId: string;
  scopes: string[];
  emails: string[];
  loginHint?: string;
  /** A checkbox per scope (Google's granular consent); otherwise the scopes are listed. */
  granular?: boolean;
}

/**
 * The account chooser: one POST form per account ("Continue as <email>", hidden `account`, `approve=1`)
 * and a Cancel form (`cancel=1`). Forms post to the same URL, so the query string carries the request.
 * With granular consent (Google) every scope is a ticked checkbox (`grant`) in each account's form,
 * with `consent_form=1`: a scope left unticked is not granted.
 */
export function consentPage(c: Context, v: ConsentView): Response {
  const action = esc(new URL(c.req.url).pathname + new URL(c.req.url).search);
  const hint = v.loginHint?.toLowerCase();
  const emails = [...v.emails].sort((a, b) => Number(b.toLowerCase() === hint) - Number(a.toLowerCase() === hint));
  // Each account's form holds its own checkboxes, grouped under a legend naming the account.
  const boxes = (e: string) =>
    v.granular
      ? `<input type="hidden" name="consent_form" value="1"><fieldset><legend>What ${esc(e)} shares</legend>` +
        v.scopes.map((s) => `<label><input type="checkbox" name="grant" value="${esc(s)}" checked> <code>${esc(s)}</code></label>`).join("") +
        `</fieldset>`
      : "";
  const forms = emails
    .map((e) => {
      const hinted = e.toLowerCase() === hint;
      return (
        `<form method="post" action="${action}"><input type="hidden" name="account" value="${esc(e)}">${boxes(e)}` +
        `<button type="submit" name="approve" value="1"${hinted ? ' class="hinted" autofocus' : ""} data-account="${esc(e)}">Continue as ${esc(e)}</button></form>`
      );
    })
    .join("");
  const body =
    `<h1>${esc(v.title)}</h1><p>Client <code>${esc(v.clientId)}</code> asks for:</p>` +
    `<ul>${v.scopes.map((s) => `<li><code>${esc(s)}</code></li>`).join("")}</ul>` +
    (v.granular ? `<p>Untick what you do not want to share.</p>` : "") +
    (emails.length ? forms : `<p>No sandbox accounts for this provider.</p>`) +
    `<form method="post" action="${action}"><button type="submit" name="cancel" value="1">Cancel</button></form>`;
  return c.html(page(v.title, body));
}

/**
 * The OAuth errors that say the request itself breaks the protocol (RFC 6749 4.1.2.1 and 5.2:
 * a parameter missing, repeated or malformed, a response or grant type the server has not, a scope
 * it does not know, a redirect URI not registered): a client sending one has a bug, whatever it
 * then does with the answer. Not a person's Cancel (access_denied), a sign-in needed
 * (interaction_required), a grant gone (invalid_grant) or a client the server no longer knows
 * (invalid_client): those are answers about the grant, which our code must meet.
 */
const PROTOCOL_ERRORS = new Set(["invalid_request", "unsupported_response_type", "unsupported_grant_type", "invalid_scope", "redirect_uri_mismatch"]);

/** Keeps an OAuth endpoint's answer `error` among the sandbox's refusals (SandboxState.refusals) when it is a protocol error. */
export function refusedOAuth(c: Context, state: SandboxState, error: string | undefined, status: number, email = ""): void {
  if (error && PROTOCOL_ERRORS.has(error)) state.refused({ api: "oauth", request: `${c.req.method} ${c.req.path} (${error})`, status, email, scopes: [] });
}

/** A 302 to `redirectUri` with parameters added to its query (existing query parameters are kept). */
export function redirectWith(redirectUri: string, params: Record<string, string | undefined>): Response {
  const url = new URL(redirectUri);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return new Response(null, { status: 302, headers: { location: url.toString(), "cache-control": "no-store" } });
}

/** True for a redirect URI the sandbox may send a browser to: absolute, no fragment, not a script scheme. */
export function validRedirectUri(value: string | undefined): boolean {
  if (!value) return false;
  try {
    const u = new URL(value);
    return !u.hash && !["javascript:", "data:", "file:", "vbscript:"].includes(u.protocol);
  } catch {
    return false;
  }
}

/** A token request: its parameters and the client id from the body or HTTP Basic credentials. */
export interface TokenRequest {
  params: URLSearchParams;
  clientId?: string;
  /** A problem with the request framing itself (duplicate parameters, two client-authentication methods). */
  problem?: string;
}

const formDecode = (s: string) => decodeURIComponent(s.replace(/\+/g, " "));

/** Reads a token-endpoint request: form-encoded body (JSON too when `allowJson`), client credentials from body or Basic auth. */
export async function readTokenRequest(c: Context, allowJson: boolean): Promise<TokenRequest> {
  const type = c.req.header("content-type") ?? "";
  const text = await c.req.text().catch(() => "");
  let params = new URLSearchParams();
  if (allowJson && type.includes("json")) {
    try {
      const obj = JSON.parse(text) as Record<string, unknown>;
      for (const [k, v] of Object.entries(obj)) if (typeof v === "string" || typeof v === "number") params.set(k, String(v));
    } catch {
      /* an unparseable body is a request without parameters */
    }
  } else if (type.includes("application/x-www-form-urlencoded")) params = new URLSearchParams(text);
  const out: TokenRequest = { params };
  for (const k of new Set(params.keys())) if (params.getAll(k).length > 1) out.problem = `Parameter ${k} was sent more than once.`;
  const basic = /^Basic\s+(.+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
  let basicId: string | undefined;
  if (basic) {
    const decoded = Buffer.from(basic, "base64").toString("utf8");
    const i = decoded.indexOf(":");
    try {
      basicId = formDecode(i < 0 ? decoded : decoded.slice(0, i));
    } catch {
      out.problem = "Malformed HTTP Basic client credentials.";
    }
  }
  const bodyId = params.get("client_id") ?? undefined;
  if (basicId !== undefined && bodyId !== undefined && basicId !== bodyId) out.problem = "Client credentials were sent by two methods that disagree.";
  out.clientId = basicId ?? bodyId;
  return out;
}

/** Headers every token response carries. */
export const noStore = { "cache-control": "no-store", pragma: "no-cache" };

/** A JSON token-endpoint answer with `Cache-Control: no-store`. */
export const tokenJson = (c: Context, status: number, body: unknown) => send(c, status, body, noStore);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Applies an injected fault to an unauthenticated OAuth route (`oauth.google.token`, `oauth.microsoft.token`, ...).
 * Faults bound to an account never match here: the caller is not known yet. Returns a response when the fault answers.
 */
export async function oauthFault(c: Context<SandboxEnv>, state: SandboxState, route: string, body: (status: number) => unknown): Promise<Response | undefined> {
  const f = state.faults.take(route, undefined);
  if (!f || f.kind === "expire") return undefined;
  if (f.kind === "latency") {
    await sleep(f.latencyMs ?? 1000);
    return undefined;
  }
  if (f.kind === "reset") return resetConnection(c);
  const status = f.status ?? 503;
  const headers = { ...noStore, ...(f.retryAfter !== undefined ? { "retry-after": String(f.retryAfter) } : {}) };
  const answer = body(status);
  // A string is a plain-text answer (Entra's throttled token request: oauth/token.ts throttledText).
  if (typeof answer === "string") return new Response(answer, { status, headers: { "content-type": "text/plain; charset=utf-8", ...headers } });
  return send(c, status, answer, headers);
}
