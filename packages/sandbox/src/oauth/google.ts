import { createHash } from "node:crypto";
import type { Context, Hono } from "hono";
import { send, type SandboxEnv } from "../guard";
import type { SandboxState } from "../state";
import { type AuthorizeProfile, type Problem, authorizeHandler } from "./authorize";
import { takeRefreshError } from "./policy";
import { errorPage, oauthFault, refusedOAuth } from "./shared";
import { type TokenProfile, tokenHandler } from "./token";

const EMAIL = "https://www.googleapis.com/auth/userinfo.email";
const PROFILE = "https://www.googleapis.com/auth/userinfo.profile";

/** Google's short scope names as its token responses spell them. */
const aliases: Record<string, string> = { email: EMAIL, profile: PROFILE };

const validScope = (s: string) => s === "openid" || s in aliases || s.startsWith("https://www.googleapis.com/auth/") || s === "https://mail.google.com/";

/** Sign-in scopes: Google's granular consent never offers to untick them. */
const SIGN_IN = new Set(["openid", EMAIL, PROFILE]);

const prompts = (q: URLSearchParams) => (q.get("prompt") ?? "").split(/\s+/).filter(Boolean);

const googleAuthorize: AuthorizeProfile = {
  provider: "google",
  title: "Sign in with Google (sandbox)",
  codePrefix: "4/0A",
  // Google shows its "Error 400" page for malformed requests; only access_denied and prompt=none errors go back to the client.
  redirectErrors: false,
  normalizeScopes: (raw) => [...new Set(raw.map((s) => aliases[s] ?? s))],
  // Granular consent (developers.google.com/identity/protocols/oauth2/resources/granular-permissions):
  // with more than one non-sign-in scope requested, each is a checkbox; the token's `scope` lists
  // what was left ticked, plus, with include_granted_scopes=true, what the account already granted
  // this client (developers.google.com/identity/protocols/oauth2/web-server#incrementalAuth).
  granular: true,
  grantScopes({ state, q, email, clientId, scopes, denied }) {
    const untick = new Set(denied.filter((s) => !SIGN_IN.has(s)));
    const optional = scopes.filter((s) => !SIGN_IN.has(s));
    if (untick.size && optional.length < 2)
      return { error: "invalid_request", message: "Google offers a checkbox per scope only when more than one non-sign-in scope is requested." };
    if (optional.length && optional.every((s) => untick.has(s))) return { error: "access_denied", message: "The user granted none of the requested scopes." };
    const granted = scopes.filter((s) => !untick.has(s));
    if (q.get("include_granted_scopes") === "true") for (const s of state.tokens.liveScopes(email, clientId)) if (!granted.includes(s)) granted.push(s);
    return granted;
  },
  check(q, scopes) {
    const invalid = scopes.filter((s) => !validScope(s));
    if (invalid.length) return { error: "invalid_scope", message: `Some requested scopes were invalid. {invalid=[${invalid.join(", ")}]}` };
    const accessType = q.get("access_type");
    if (accessType && accessType !== "online" && accessType !== "offline") return { error: "invalid_request", message: `Invalid access_type: ${accessType}` };
    const p = prompts(q);
    if (p.some((x) => !["none", "consent", "select_account"].includes(x))) return { error: "invalid_request", message: `Invalid prompt: ${q.get("prompt")}` };
    if (p.includes("none") && p.length > 1) return { error: "invalid_request", message: "prompt=none cannot be combined with other values" };
    return undefined;
  },
  // A refresh token comes with access_type=offline on first consent; afterwards only with prompt=consent (as Google does).
  wantsRefresh: (q, g, state) =>
    q.get("access_type") === "offline" && (prompts(q).includes("consent") || !state.tokens.hasRefreshToken(g.email, g.clientId)),
  page: (c, p) => errorPage(c, `Error 400: ${p.error}`, p.message),
  errorParams: () => ({}),
  // Google's redirect may carry its issuer (RFC 9207; to some people only: openiddict/openiddict-core#2428),
  // which a client checks when it is there. The sandbox always sends it; tests take it off the callback.
  successParams: (scopes) => ({ scope: scopes.join(" "), authuser: "0", prompt: "consent", iss: GOOGLE_ISSUER }),
};

/** The issuer Google names in its authorization responses. */
export const GOOGLE_ISSUER = "https://accounts.google.com";

const googleToken: TokenProfile = {
  route: "oauth.google.token",
  allowJson: true,
  codePrefix: "4/0A",
  refreshPrefix: "1//",
  errorBody: (p: Problem) => ({ error: p.error, error_description: p.message }),
  classify: () => 0,
  refreshProblem: (state, email) => takeRefreshError(state, email),
  successBody: (t) => ({
    access_token: t.access_token,
    expires_in: t.expires_in,
    ...(t.refresh_token ? { refresh_token: t.refresh_token } : {}),
    scope: t.scope,
    token_type: t.token_type,
  }),
};

/** Google's stable numeric subject id for an address (21 digits, like real `sub` values). */
export function googleSub(email: string): string {
  const h = createHash("sha256").update(email.toLowerCase()).digest();
  return "1" + [...h.subarray(0, 20)].map((b) => String(b % 10)).join("");
}

async function revoke(c: Context<SandboxEnv>, state: SandboxState): Promise<Response> {
  let token = new URL(c.req.url).searchParams.get("token") ?? undefined;
  if (!token && c.req.method === "POST") {
    const body = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    if (typeof body.token === "string") token = body.token;
  }
  if (!token) {
    refusedOAuth(c, state, "invalid_request", 400);
    return send(c, 400, { error: "invalid_request", error_description: "Missing required parameter: token" });
  }
  // Revoking either token of a grant ends the whole grant (every token of that account and client), as at Google.
  const grant = state.tokens.authenticate(token);
  if (grant) state.tokens.revokeAccount(grant.email, grant.clientId);
  else if (!state.tokens.revokeToken(token)) return send(c, 400, { error: "invalid_token", error_description: "Token expired or revoked" });
  return send(c, 200, {});
}

async function userinfo(c: Context<SandboxEnv>, state: SandboxState): Promise<Response> {
  const bearer = /^Bearer\s+(.+)$/i.exec(c.req.header("authorization") ?? "")?.[1] ?? new URL(c.req.url).searchParams.get("access_token");
  const grant = bearer ? state.tokens.authenticate(bearer) : undefined;
  const account = grant?.provider === "google" ? state.account(grant.email) : undefined;
  if (!grant || !account)
    return send(c, 401, { error: "invalid_request", error_description: "Invalid Credentials" }, { "www-authenticate": 'Bearer realm="https://accounts.google.com/", error="invalid_token"' });
  const faulted = await oauthFault(c, state, "oauth.google.userinfo", (status) => ({ error: "server_error", error_description: `Sandbox fault ${status}` }));
  if (faulted) return faulted;
  const { email, displayName } = account.info;
  const out: Record<string, unknown> = { sub: googleSub(email) };
  // Claims follow the granted scopes: email needs userinfo.email ("email"), the name needs userinfo.profile ("profile").
  if (grant.scopes.includes(PROFILE)) {
    const [given, ...rest] = displayName.split(/\s+/);
    out.name = displayName;
    out.given_name = given;
    if (rest.length) out.family_name = rest.join(" ");
  }
  if (grant.scopes.includes(EMAIL)) {
    out.email = email;
    out.email_verified = true;
  }
  return send(c, 200, out);
}

/**
 * Google OAuth: `GET|POST /google/o/oauth2/v2/auth`, `POST /google/token`, `POST|GET /google/revoke`,
 * `GET /google/oauth2/v3/userinfo`.
 */
export function googleOAuthRoutes(app: Hono<SandboxEnv>, state: SandboxState): void {
  const authorize = authorizeHandler(state, googleAuthorize);
  app.get("/google/o/oauth2/v2/auth", authorize);
  app.post("/google/o/oauth2/v2/auth", authorize);
  app.post("/google/token", tokenHandler(state, googleToken));
  app.post("/google/revoke", (c) => revoke(c, state));
  app.get("/google/revoke", (c) => revoke(c, state));
  app.get("/google/oauth2/v3/userinfo", (c) => userinfo(c, state));
  app.post("/google/oauth2/v3/userinfo", (c) => userinfo(c, state));
}
