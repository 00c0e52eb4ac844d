import * as oauth from "oauth4webapi";

/** Least-privilege Google scopes: headers only, drafts, calendar metadata. */
export const GOOGLE_SCOPES = [
  "https://www.googleapis.com/auth/gmail.metadata",
  "https://www.googleapis.com/auth/gmail.compose",
  "https://www.googleapis.com/auth/calendar.readonly",
];

/** Least-privilege Microsoft Graph scopes. */
export const MICROSOFT_SCOPES = ["offline_access", "User.Read", "Mail.ReadBasic", "Mail.ReadWrite", "Mail.Send", "Calendars.Read"];

/** OAuth endpoints of a provider. */
export interface OAuthEndpoints {
  authorizeUrl: string;
  tokenUrl: string;
  revokeUrl?: string;
  /** The issuer the provider names in its authorization response (`iss`, RFC 9207), when it does. */
  issuer?: string;
}

/** Google's endpoints, or the sandbox's at `base`. */
export function googleEndpoints(base?: string): OAuthEndpoints {
  // Google's authorization redirect carries iss=https://accounts.google.com (the sandbox's does too).
  const issuer = "https://accounts.google.com";
  if (!base) return { authorizeUrl: "https://accounts.google.com/o/oauth2/v2/auth", tokenUrl: "https://oauth2.googleapis.com/token", revokeUrl: "https://oauth2.googleapis.com/revoke", issuer };
  const b = base.replace(/\/$/, "");
  return { authorizeUrl: `${b}/google/o/oauth2/v2/auth`, tokenUrl: `${b}/google/token`, revokeUrl: `${b}/google/revoke`, issuer };
}

/** Microsoft identity platform endpoints (tenant "common" by default), or the sandbox's at `base`. */
export function microsoftEndpoints(base?: string, tenant = "common"): OAuthEndpoints {
  const b = (base ?? "https://login.microsoftonline.com").replace(/\/$/, "");
  const prefix = base ? `${b}/microsoft/${tenant}` : `${b}/${tenant}`;
  return { authorizeUrl: `${prefix}/oauth2/v2.0/authorize`, tokenUrl: `${prefix}/oauth2/v2.0/token` };
}

/** What a connect flow keeps between the redirect and the callback (bound to the browser). */
export interface PendingAuth {
  provider: "google" | "microsoft";
  state: string;
  verifier: string;
  redirectUri: string;
}

/** A client registration. */
export interface OAuthClientConfig {
  clientId: string;
  clientSecret?: string;
  endpoints: OAuthEndpoints;
}

/** Starts an authorization-code flow with PKCE (S256) and a random state; returns the URL to send the browser to. */
export async function authorizationRequest(
  provider: "google" | "microsoft",
  client: OAuthClientConfig,
  redirectUri: string,
  extra: Record<string, string> = {},
): Promise<{ url: string; pending: PendingAuth }> {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const url = new URL(client.endpoints.authorizeUrl);
  const p = url.searchParams;
  p.set("client_id", client.clientId);
  p.set("redirect_uri", redirectUri);
  p.set("response_type", "code");
  p.set("scope", (provider === "google" ? GOOGLE_SCOPES : MICROSOFT_SCOPES).join(" "));
  p.set("state", state);
  p.set("code_challenge", await oauth.calculatePKCECodeChallenge(verifier));
  p.set("code_challenge_method", "S256");
  if (provider === "google") {
    p.set("access_type", "offline");
    p.set("prompt", "consent");
    p.set("include_granted_scopes", "true");
  }
  for (const [k, v] of Object.entries(extra)) p.set(k, v);
  return { url: url.toString(), pending: { provider, state, verifier, redirectUri } };
}

/** Tokens from a grant. */
export interface GrantedTokens {
  accessToken: string;
  refreshToken?: string;
  expiresIn?: number;
  scope?: string;
}

function server(client: OAuthClientConfig): oauth.AuthorizationServer {
  const issuer = client.endpoints.issuer ?? new URL(client.endpoints.tokenUrl).origin;
  return { issuer, authorization_endpoint: client.endpoints.authorizeUrl, token_endpoint: client.endpoints.tokenUrl };
}

const auth = (client: OAuthClientConfig) => (client.clientSecret ? oauth.ClientSecretPost(client.clientSecret) : oauth.None());
const insecure = (client: OAuthClientConfig) => ({ [oauth.allowInsecureRequests]: client.endpoints.tokenUrl.startsWith("http://") });

/** A refused grant (invalid_grant and friends): the account must reconnect. */
export class GrantError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "GrantError";
  }
}

function toGrantError(e: unknown): unknown {
  if (e instanceof oauth.ResponseBodyError) return new GrantError(e.error, `${e.error}: ${e.error_description ?? ""}`.trim());
  return e;
}

/** Completes the callback: checks state, exchanges the code with the PKCE verifier. */
export async function exchangeCode(client: OAuthClientConfig, pending: PendingAuth, callback: URL | URLSearchParams): Promise<GrantedTokens> {
  const as = server(client);
  const c: oauth.Client = { client_id: client.clientId };
  try {
    const params = oauth.validateAuthResponse(as, c, callback, pending.state);
    const res = await oauth.authorizationCodeGrantRequest(as, c, auth(client), params, pending.redirectUri, pending.verifier, insecure(client));
    const t = await oauth.processAuthorizationCodeResponse(as, c, res, { requireIdToken: false });
    return { accessToken: t.access_token, refreshToken: t.refresh_token, expiresIn: t.expires_in, scope: t.scope };
  } catch (e) {
    throw toGrantError(e);
  }
}

/** Refresh grant; Microsoft returns a new refresh token each time, which the caller must store. */
export async function refreshGrant(client: OAuthClientConfig, refreshToken: string): Promise<GrantedTokens> {
  const as = server(client);
  const c: oauth.Client = { client_id: client.clientId };
  try {
    const res = await oauth.refreshTokenGrantRequest(as, c, auth(client), refreshToken, insecure(client));
    const t = await oauth.processRefreshTokenResponse(as, c, res);
    return { accessToken: t.access_token, refreshToken: t.refresh_token, expiresIn: t.expires_in, scope: t.scope };
  } catch (e) {
    throw toGrantError(e);
  }
}
