/**
 * The OAuth exchanges themselves, through oauth4webapi: the authorization request (PKCE, state), the
 * code exchange at the callback and the refresh grant. A module apart from core/oauth (scopes,
 * endpoints, the grant's errors), which every handler's run imports for its error classes: a bundle
 * split by esbuild keeps oauth4webapi in the chunks that exchange a grant (the connect pages, the
 * Graph adapter's refresh), and a Google account's weekly run does not load or parse it
 * (docs/benchmarks.md (6)).
 */
import * as oauth from "oauth4webapi";
import { type AccountIdentity, GOOGLE_SCOPES, type GrantedTokens, GrantError, MICROSOFT_SCOPES, type OAuthClientConfig, type PendingAuth, SIGN_IN_SCOPES } from "../oauth";
import { parseRetryAfter } from "../resilience";

/** Starts an authorization-code flow with PKCE (S256) and a random state; returns the URL to send the browser to. */
export async function authorizationRequest(
  provider: "google" | "microsoft",
  client: OAuthClientConfig,
  redirectUri: string,
  extra: Record<string, string> = {},
  /** A sign-in only (management): just `openid`, a fresh sign-in, no refresh token. */
  signInOnly = false,
): Promise<{ url: string; pending: PendingAuth }> {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const url = new URL(client.endpoints.authorizeUrl);
  const p = url.searchParams;
  p.set("client_id", client.clientId);
  p.set("redirect_uri", redirectUri);
  p.set("response_type", "code");
  p.set("scope", (signInOnly ? SIGN_IN_SCOPES[provider] : provider === "google" ? GOOGLE_SCOPES : MICROSOFT_SCOPES).join(" "));
  p.set("state", state);
  p.set("code_challenge", await oauth.calculatePKCECodeChallenge(verifier));
  p.set("code_challenge_method", "S256");
  if (signInOnly) {
    // Ask the person to sign in again now, whatever session their browser holds.
    p.set("prompt", provider === "google" ? "select_account" : "login");
    p.set("max_age", "0");
  } else if (provider === "google") {
    p.set("access_type", "offline");
    p.set("prompt", "consent");
    p.set("include_granted_scopes", "true");
  }
  for (const [k, v] of Object.entries(extra)) p.set(k, v);
  return { url: url.toString(), pending: { provider, state, verifier, redirectUri } };
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The payload of a compact JWT, unverified (only to read `tid` before the checked processing). */
function peekClaims(jwt: unknown): Record<string, unknown> | undefined {
  if (typeof jwt !== "string") return undefined;
  try {
    return JSON.parse(Buffer.from(jwt.split(".")[1] ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function server(client: OAuthClientConfig): oauth.AuthorizationServer {
  const issuer = client.endpoints.issuer ?? new URL(client.endpoints.tokenUrl).origin;
  return {
    issuer,
    authorization_endpoint: client.endpoints.authorizeUrl,
    token_endpoint: client.endpoints.tokenUrl,
  };
}

/**
 * The server as the token endpoint's answer names it, for the check of its ID token's issuer.
 * Microsoft's common endpoint: an ID token's issuer is its own tenant's (`issuerTemplate` with its
 * `tid`), not the endpoint's. Both grants carry one when `openid` was granted: the code exchange,
 * and every refresh (learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow, "Refresh
 * the access token", its successful response; helper-180). Google's may name its issuer without the
 * scheme (`idTokenIssuerAlso`), which its reference says to accept as well.
 */
async function issuerOfAnswer(as: oauth.AuthorizationServer, client: OAuthClientConfig, res: Response): Promise<oauth.AuthorizationServer> {
  const { issuerTemplate: template, idTokenIssuerAlso: also } = client.endpoints;
  if ((!template && !also) || !res.ok) return as;
  const claims = peekClaims(((await res.clone().json().catch(() => ({}))) as { id_token?: unknown }).id_token);
  if (template && typeof claims?.tid === "string" && GUID.test(claims.tid)) return { ...as, issuer: template.replace("{tenantid}", claims.tid.toLowerCase()) };
  return also !== undefined && claims?.iss === also ? { ...as, issuer: also } : as;
}

const auth = (client: OAuthClientConfig) => (client.clientSecret ? oauth.ClientSecretPost(client.clientSecret) : oauth.None());
const insecure = (client: OAuthClientConfig) => ({ [oauth.allowInsecureRequests]: client.endpoints.tokenUrl.startsWith("http://") });

/** A token endpoint's error body ({@link toGrantError}): `error` and what Microsoft adds to it. */
type ErrorBody = { error?: unknown; error_description?: unknown; suberror?: unknown; error_codes?: unknown };

function grantErrorOf(body: ErrorBody, code: string, status: number | undefined, res?: Response): GrantError {
  const suberror = typeof body.suberror === "string" && body.suberror ? body.suberror : undefined;
  const codes = Array.isArray(body.error_codes) ? body.error_codes.filter((n): n is number => typeof n === "number") : [];
  const description = typeof body.error_description === "string" ? body.error_description : "";
  const text = `${code}${suberror ? ` (${suberror})` : ""}: ${description.split(/\r?\n| Trace ID:/)[0]}`.trim();
  return new GrantError(code, text, suberror, codes, status, parseRetryAfter(res?.headers.get("retry-after") ?? null));
}

/**
 * A token endpoint's refusal as a GrantError, named by its `error`. oauth4webapi throws one of two:
 * a ResponseBodyError (the JSON body's `error`), or, for any answer that is not a success and carries a
 * WWW-Authenticate header it can parse, a WWWAuthenticateChallengeError before it reads the body at
 * all (3.8.8, checkOAuthBodyError). RFC 6749 section 5.2 has invalid_client from a client that
 * authenticated by HTTP auth answer 401 with that header, with the same JSON body. That error passed
 * through as it was, of no status, and classifyGraphError took it for a passing outage: a client
 * secret rotated away was retried as "temporary" in every run, and a revoked grant (invalid_grant
 * with a challenge) never asked its owner to reconnect (helper-265 #3). Its body is read from the
 * response the error keeps; without one, the challenge's own `error` parameter names it (RFC 6750
 * section 3), and a bare 401 is invalid_client's.
 */
async function toGrantError(e: unknown, res?: Response): Promise<unknown> {
  if (e instanceof oauth.ResponseBodyError) return grantErrorOf((e.cause ?? {}) as ErrorBody, e.error, e.status, e.response);
  if (e instanceof oauth.WWWAuthenticateChallengeError) {
    const body = ((await e.response.clone().json().catch(() => undefined)) ?? {}) as ErrorBody;
    const challenged = e.cause.map((c) => c.parameters.error).find((x): x is string => typeof x === "string" && x !== "");
    const code = typeof body.error === "string" && body.error ? body.error : (challenged ?? (e.status === 401 ? "invalid_client" : `http_${e.status}`));
    return grantErrorOf(body, code, e.status, e.response);
  }
  // A throttled or failing endpoint's answer without OAuth's JSON (Entra's 429 is the text "Too Many
  // Requests" with a Retry-After: AzureAD/microsoft-authentication-library-for-dotnet issue 2855; a
  // gateway's 503 page), which oauth4webapi refuses as a body it cannot parse: named by its status,
  // with its Retry-After, not a passing failure of no status that ignored the wait.
  if (res && (res.status === 429 || res.status >= 500))
    return grantErrorOf({ error_description: `the token endpoint answered HTTP ${res.status} without an OAuth error (${e instanceof Error ? e.message : String(e)})` }, `http_${res.status}`, res.status, res);
  return e;
}

/** Completes the callback: checks state, exchanges the code with the PKCE verifier. */
export async function exchangeCode(client: OAuthClientConfig, pending: PendingAuth, callback: URL | URLSearchParams): Promise<GrantedTokens> {
  const as = server(client);
  const c: oauth.Client = { client_id: client.clientId };
  let params: URLSearchParams;
  try {
    params = oauth.validateAuthResponse(as, c, callback, pending.state);
  } catch (e) {
    // A callback that does not check out (state, a missing or wrong iss): the person's request, refused.
    throw new GrantError("invalid_callback", `the authorization response was refused: ${e instanceof Error ? e.message : String(e)}`);
  }
  let res: Response | undefined;
  try {
    res = await oauth.authorizationCodeGrantRequest(as, c, auth(client), params, pending.redirectUri, pending.verifier, insecure(client));
    const t = await oauth.processAuthorizationCodeResponse(await issuerOfAnswer(as, client, res), c, res, { requireIdToken: false });
    const claims = t.id_token ? oauth.getValidatedIdTokenClaims(t) : undefined;
    let identity: AccountIdentity | undefined;
    if (claims && pending.provider === "google" && typeof claims.sub === "string") identity = { provider: "google", sub: claims.sub };
    if (claims && pending.provider === "microsoft" && typeof claims.oid === "string" && typeof claims.tid === "string" && GUID.test(claims.oid) && GUID.test(claims.tid))
      identity = { provider: "microsoft", oid: claims.oid.toLowerCase(), tid: claims.tid.toLowerCase() };
    return { accessToken: t.access_token, refreshToken: t.refresh_token, expiresIn: t.expires_in, scope: t.scope, ...(identity ? { identity } : {}) };
  } catch (e) {
    throw await toGrantError(e, res);
  }
}

/**
 * Refresh grant; Microsoft returns a new refresh token each time, which the caller must store.
 * `customFetch` sends the request instead of the global fetch (the Microsoft adapter's node:https transport).
 */
export async function refreshGrant(client: OAuthClientConfig, refreshToken: string, customFetch?: (url: string, init: RequestInit) => Promise<Response>): Promise<GrantedTokens> {
  const as = server(client);
  const c: oauth.Client = { client_id: client.clientId };
  let res: Response | undefined;
  try {
    res = await oauth.refreshTokenGrantRequest(as, c, auth(client), refreshToken, { ...insecure(client), ...(customFetch ? { [oauth.customFetch]: customFetch } : {}) });
    const t = await oauth.processRefreshTokenResponse(await issuerOfAnswer(as, client, res), c, res);
    return { accessToken: t.access_token, refreshToken: t.refresh_token, expiresIn: t.expires_in, scope: t.scope };
  } catch (e) {
    throw await toGrantError(e, res);
  }
}
