import type { Context } from "hono";
import type { SandboxEnv } from "../guard";
import type { SandboxState } from "../state";
import { type IssuedTokens, OAuthError } from "../tokens";
import type { Problem } from "./authorize";
import { idTokenFor } from "./id-token";
import { oauthFault, readTokenRequest, refusedOAuth, tokenJson } from "./shared";

/** What differs between the Google and Microsoft token endpoints. */
export interface TokenProfile {
  /** Fault route id, e.g. `oauth.google.token`. */
  route: string;
  /** Google also takes a JSON body; Microsoft only form encoding. */
  allowJson: boolean;
  /** Prefix the authorize endpoint put on codes. */
  codePrefix: string;
  /** Prefix of this provider's refresh tokens (a token of the other provider is unknown here). */
  refreshPrefix: string;
  /** The provider's JSON error body. */
  errorBody(p: Problem): Record<string, unknown>;
  /**
   * What a throttled (429) token request is answered with instead of a JSON error, where the
   * provider answers so: Entra's plain "Too Many Requests" beside its Retry-After
   * (AzureAD/microsoft-authentication-library-for-dotnet issue 2855, an MsalThrottledServiceException
   * over "ResponseBody: Too Many Requests, Headers: Retry-After: 60").
   */
  throttledText?: string;
  /** AADSTS number for a TokenStore failure (Microsoft). */
  classify(e: OAuthError): number;
  /** An error the provider answers this account's refresh grant with instead (set through the control API). */
  refreshProblem?(state: SandboxState, email: string): Problem | undefined;
  /** The success body. */
  successBody(t: IssuedTokens): Record<string, unknown>;
}

const statusOf = (error: string) => (error === "invalid_client" ? 401 : 400);

/** The token endpoint: authorization_code (with PKCE) and refresh_token grants; OAuth JSON errors; `Cache-Control: no-store`. */
export function tokenHandler(state: SandboxState, profile: TokenProfile) {
  return async (c: Context<SandboxEnv>): Promise<Response> => {
    const faulted = await oauthFault(c, state, profile.route, (status) =>
      status === 429 && profile.throttledText !== undefined
        ? profile.throttledText
        : profile.errorBody({ error: status === 503 ? "temporarily_unavailable" : "server_error", message: "The service is temporarily unavailable.", aadsts: 90033 }),
    );
    if (faulted) return faulted;
    const fail = (p: Problem) => {
      refusedOAuth(c, state, p.error, statusOf(p.error));
      return tokenJson(c, statusOf(p.error), profile.errorBody(p));
    };
    const missing = (name: string) => fail({ error: "invalid_request", message: `Missing required parameter: ${name}`, aadsts: 900144 });

    const req = await readTokenRequest(c, profile.allowJson);
    if (req.problem) return fail({ error: "invalid_request", message: req.problem, aadsts: 90014 });
    const p = req.params;
    const grantType = p.get("grant_type");
    if (!grantType) return missing("grant_type");
    if (grantType !== "authorization_code" && grantType !== "refresh_token")
      return fail({ error: "unsupported_grant_type", message: `Invalid grant_type: ${grantType}`, aadsts: 70003 });
    if (!req.clientId) return fail({ error: "invalid_request", message: "Could not determine client ID from request.", aadsts: 900144 });

    try {
      if (grantType === "authorization_code") {
        const code = p.get("code");
        if (!code) return missing("code");
        const redirectUri = p.get("redirect_uri");
        if (!redirectUri) return missing("redirect_uri");
        if (!code.startsWith(profile.codePrefix)) throw new OAuthError("invalid_grant", "Malformed auth code.");
        const stored = code.slice(profile.codePrefix.length);
        const tokens = state.tokens.redeemCode(stored, req.clientId, redirectUri, p.get("code_verifier") ?? undefined);
        // An authorization code granted with `openid` also returns an ID token (OIDC Core 3.1.3.3).
        const idToken = tokens.grant ? idTokenFor(state, tokens.grant) : undefined;
        return tokenJson(c, 200, { ...profile.successBody(tokens), ...(idToken ? { id_token: idToken } : {}) });
      }
      const refresh = p.get("refresh_token");
      if (!refresh) return missing("refresh_token");
      if (!refresh.startsWith(profile.refreshPrefix)) throw new OAuthError("invalid_grant", "Token has been expired or revoked.");
      const holder = state.tokens.grantOfRefresh(refresh);
      const imposed = holder && profile.refreshProblem?.(state, holder.email);
      if (imposed) return fail(imposed);
      const tokens = state.tokens.refreshGrant(refresh, req.clientId);
      // The Microsoft identity platform's refresh answer carries an ID token too when `openid` was
      // granted (learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow, "Refresh the
      // access token", its successful response: id_token "only provided if openid scope was
      // requested"; MicrosoftDocs/azure-docs#2039 added that note), issued by the account's own
      // tenant on the common endpoint as at the code exchange. Until 2026-12-04 the sandbox gave none,
      // and the adapter's refresh, which checked it against the endpoint's origin, failed only in
      // production (helper-180). Google's refresh answers are read by google-auth-library, which does
      // not check one; none is modelled there.
      const idToken = tokens.grant?.provider === "microsoft" ? idTokenFor(state, tokens.grant) : undefined;
      return tokenJson(c, 200, { ...profile.successBody(tokens), ...(idToken ? { id_token: idToken } : {}) });
    } catch (e) {
      if (!(e instanceof OAuthError)) throw e;
      return fail({ error: e.code, message: e.description, aadsts: profile.classify(e) });
    }
  };
}
