import type { Hono } from "hono";
import type { SandboxEnv } from "../guard";
import type { SandboxState } from "../state";
import type { OAuthError } from "../tokens";
import { type AuthorizeProfile, type Problem, authorizeHandler } from "./authorize";
import { tenantGrants, takeRefreshError } from "./policy";
import { errorPage } from "./shared";
import { type TokenProfile, tokenHandler } from "./token";
import { MICROSOFT_SIGN_IN_SCOPES } from "@followthrough/core/oauth";

const GRAPH = /^https:\/\/graph\.microsoft\.com\//i;

/** Microsoft's error timestamp format: `2026-01-31 12:00:00Z`. */
const msTimestamp = () => new Date().toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");

/** The AADSTS-prefixed description and trace fields every Microsoft identity error carries. */
function aad(p: Problem) {
  const code = p.aadsts ?? 70000;
  const trace_id = crypto.randomUUID();
  const correlation_id = crypto.randomUUID();
  const timestamp = msTimestamp();
  return {
    code,
    trace_id,
    correlation_id,
    timestamp,
    error_description: `AADSTS${code}: ${p.message} Trace ID: ${trace_id} Correlation ID: ${correlation_id} Timestamp: ${timestamp}`,
    error_uri: `https://login.microsoftonline.com/error?code=${code}`,
  };
}

const microsoftAuthorize: AuthorizeProfile = {
  provider: "microsoft",
  title: "Sign in to your Microsoft account (sandbox)",
  codePrefix: "0.A",
  // Once client_id and redirect_uri are valid, Microsoft reports problems to the client by redirect.
  redirectErrors: true,
  // Graph scopes are recorded in short form: https://graph.microsoft.com/Mail.Read -> Mail.Read.
  normalizeScopes: (raw) => [...new Set(raw.map((s) => s.replace(GRAPH, "")))],
  // The consent prompt is all or nothing; a tenant policy (./policy) can still leave permissions out
  // of the grant, and the token response's `scope` lists only what was granted.
  granular: false,
  grantScopes({ state, email, scopes, denied }) {
    if (denied.length)
      return { error: "invalid_request", message: "Microsoft's consent prompt cannot untick one permission; a tenant policy can withhold it (POST /_control/accounts/:email/tenant-policy).", aadsts: 900144 };
    return tenantGrants(state, email, scopes);
  },
  check(q) {
    const mode = q.get("response_mode");
    if (mode && mode !== "query")
      return { error: "invalid_request", message: `The sandbox only supports response_mode=query, got ${mode}.`, aadsts: 900144 };
    const prompt = q.get("prompt");
    if (prompt && !["login", "none", "consent", "select_account"].includes(prompt))
      return { error: "invalid_request", message: `Invalid prompt: ${prompt}`, aadsts: 90023 };
    return undefined;
  },
  // Microsoft returns a refresh token only when offline_access was granted.
  wantsRefresh: (_q, g) => g.scopes.some((s) => s.toLowerCase() === "offline_access"),
  page: (c, p) => errorPage(c, "Sign in: Sorry, but we're having trouble signing you in.", `AADSTS${p.aadsts ?? 70000}: ${p.message}`),
  errorParams(p) {
    const a = aad(p);
    return { error_description: a.error_description, error_uri: a.error_uri, ...(p.error === "access_denied" ? { error_subcode: "cancel" } : {}) };
  },
  successParams: () => ({ session_state: crypto.randomUUID() }),
};

/** AADSTS numbers for TokenStore failures. */
function classify(e: OAuthError): number {
  const d = e.description;
  if (/already redeemed/i.test(d)) return 54005;
  if (/verifier/i.test(d)) return 501481;
  if (/expired|revoked/i.test(d)) return 70008;
  if (/malformed/i.test(d)) return 9002313;
  return 70000;
}

const microsoftToken: TokenProfile = {
  route: "oauth.microsoft.token",
  allowJson: false,
  codePrefix: "0.A",
  refreshPrefix: "M.R",
  errorBody(p) {
    const a = aad(p);
    return {
      error: p.error,
      error_description: a.error_description,
      error_codes: [a.code],
      timestamp: a.timestamp,
      trace_id: a.trace_id,
      correlation_id: a.correlation_id,
      error_uri: a.error_uri,
      ...(p.suberror ? { suberror: p.suberror } : {}),
    };
  },
  refreshProblem: (state, email) => takeRefreshError(state, email),
  throttledText: "Too Many Requests",
  classify,
  // `scope` names the resource's permissions only, not the sign-in ones (openid, profile, email,
  // offline_access), though the ID token and the refresh token they gave come with it: so the
  // documented answers show it for the code exchange and the refresh
  // (learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow; MicrosoftDocs/azure-docs#68619).
  // Until 2026-12-04 the sandbox echoed them, and the CLI's check for openid passed only here (helper-182 #2).
  successBody: (t) => ({
    token_type: t.token_type,
    scope: t.scope
      .split(" ")
      .filter((s) => !SIGN_IN_ONLY.has(s.toLowerCase()))
      .join(" "),
    expires_in: t.expires_in,
    ext_expires_in: t.expires_in,
    access_token: t.access_token,
    ...(t.refresh_token ? { refresh_token: t.refresh_token } : {}),
  }),
};

/** The sign-in scopes Entra grants without naming them in a token answer's `scope`. */
const SIGN_IN_ONLY = new Set(MICROSOFT_SIGN_IN_SCOPES);

/**
 * Microsoft identity platform v2.0: `GET|POST /microsoft/:tenant/oauth2/v2.0/authorize` and
 * `POST /microsoft/:tenant/oauth2/v2.0/token`; any tenant (common, organizations, consumers, a GUID) is accepted.
 * Each refresh returns a new refresh token; the one used stays valid (sandbox tokens.ts refreshGrant).
 */
export function microsoftOAuthRoutes(app: Hono<SandboxEnv>, state: SandboxState): void {
  const authorize = authorizeHandler(state, microsoftAuthorize);
  app.get("/microsoft/:tenant/oauth2/v2.0/authorize", authorize);
  app.post("/microsoft/:tenant/oauth2/v2.0/authorize", authorize);
  app.post("/microsoft/:tenant/oauth2/v2.0/token", tokenHandler(state, microsoftToken));
}
