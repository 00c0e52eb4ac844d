import type { Context } from "hono";
import type { SandboxEnv } from "../guard";
import type { SandboxState } from "../state";
import type { TokenGrant } from "../tokens";
import { consentPage, errorPage, redirectWith, refusedOAuth, validRedirectUri } from "./shared";

/** An authorization-request problem: the OAuth error code, a message and (Microsoft) its AADSTS number. */
export interface Problem {
  error: string;
  message: string;
  aadsts?: number;
  /** Microsoft's `suberror` (consent_required, basic_action...), when the error has one. */
  suberror?: string;
}

/** What differs between the Google and Microsoft authorize endpoints. */
export interface AuthorizeProfile {
  provider: "google" | "microsoft";
  title: string;
  /** Prepended to the TokenStore code, so a code only redeems at its own provider's token endpoint. */
  codePrefix: string;
  /** Whether problems found after the redirect URI is validated go back to the client (Microsoft) or show a page (Google). */
  redirectErrors: boolean;
  /** Scopes as recorded in the grant. */
  normalizeScopes(raw: string[]): string[];
  /** Provider-specific parameter checks (scopes, access_type, prompt, response_mode). */
  check(q: URLSearchParams, scopes: string[]): Problem | undefined;
  /**
   * Which scopes the grant gets, given the requested ones and those the person unticked (`deny`):
   * Google's granular consent grants the rest (sign-in scopes always; previously granted ones with
   * include_granted_scopes=true); Microsoft's consent is all or nothing, but a tenant policy may
   * withhold permissions. A Problem when the consent cannot be given that way.
   */
  grantScopes(o: { state: SandboxState; q: URLSearchParams; email: string; clientId: string; scopes: string[]; denied: string[] }): string[] | Problem;
  /** Whether the consent page offers a checkbox per scope (Google's granular consent). */
  granular: boolean;
  /** Whether redeeming the code returns a refresh token. */
  wantsRefresh(q: URLSearchParams, grant: TokenGrant, state: SandboxState): boolean;
  /** The error page for a problem that must not be redirected. */
  page(c: Context, p: Problem): Response;
  /** Extra parameters of an error redirect (error_description wording, error_uri...). */
  errorParams(p: Problem): Record<string, string>;
  /** Extra parameters of the success redirect besides code and state. */
  successParams(scopes: string[]): Record<string, string>;
}

const challengeFormat = /^[A-Za-z0-9\-._~]{43,128}$/;

/** Generic checks shared by both providers, after client_id and redirect_uri. */
function commonProblem(q: URLSearchParams): Problem | undefined {
  const responseType = q.get("response_type");
  if (!responseType) return { error: "invalid_request", message: "Required parameter is missing: response_type", aadsts: 900144 };
  if (responseType !== "code")
    return { error: "unsupported_response_type", message: `The sandbox only supports response_type=code, got ${responseType}.`, aadsts: 700051 };
  if (!q.get("scope")?.trim()) return { error: "invalid_request", message: "Required parameter is missing: scope", aadsts: 900144 };
  const challenge = q.get("code_challenge");
  const method = q.get("code_challenge_method");
  if (method && !challenge) return { error: "invalid_request", message: "code_challenge_method was sent without code_challenge.", aadsts: 501491 };
  if (method && method !== "S256" && method !== "plain")
    return { error: "invalid_request", message: `Invalid code_challenge_method: ${method} (S256 or plain).`, aadsts: 501491 };
  if (challenge && !challengeFormat.test(challenge))
    return { error: "invalid_request", message: "Invalid code_challenge: 43 to 128 characters of [A-Za-z0-9-._~].", aadsts: 501491 };
  return undefined;
}

/**
 * The authorize endpoint (GET shows the account chooser, POST is its forms).
 * Non-browser shortcut: `?account=<email>&approve=1` approves with a 302, `?cancel=1` denies.
 */
export function authorizeHandler(state: SandboxState, profile: AuthorizeProfile) {
  return async (c: Context<SandboxEnv>): Promise<Response> => {
    const q = new URL(c.req.url).searchParams;
    const body = c.req.method === "POST" ? await c.req.parseBody({ all: true }).catch(() => ({}) as Record<string, unknown>) : {};
    const values = (k: string): string[] => {
      const v = body[k];
      return (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === "string");
    };
    const field = (k: string) => values(k)[0] ?? q.get(k) ?? undefined;

    // An error page (not redirected): kept among the refusals where the request broke the protocol.
    const page = (p: Problem) => {
      const res = profile.page(c, p);
      refusedOAuth(c, state, p.error, res.status);
      return res;
    };
    const clientId = q.get("client_id");
    if (!clientId) return page({ error: "invalid_request", message: "Missing required parameter: client_id", aadsts: 900144 });
    const redirectUri = q.get("redirect_uri") ?? undefined;
    if (!redirectUri) return page({ error: "invalid_request", message: "Missing required parameter: redirect_uri", aadsts: 900144 });
    if (!validRedirectUri(redirectUri)) return page({ error: "redirect_uri_mismatch", message: `Invalid redirect_uri: ${redirectUri}`, aadsts: 50011 });
    const oauthState = q.get("state") ?? undefined;
    const fail = (p: Problem, redirect = profile.redirectErrors) => {
      if (!redirect) return page(p);
      refusedOAuth(c, state, p.error, 302, field("account"));
      return redirectWith(redirectUri, { error: p.error, ...profile.errorParams(p), state: oauthState });
    };

    const rawScopes = (q.get("scope") ?? "").split(/\s+/).filter(Boolean);
    const problem = commonProblem(q) ?? profile.check(q, rawScopes);
    if (problem) return fail(problem);

    if (field("cancel"))
      return fail({ error: "access_denied", message: "The user declined to consent to access the app.", aadsts: 65004 }, true);

    const scopes = profile.normalizeScopes(rawScopes);
    const email = field("account");
    if (!field("approve") || !email) {
      if ((q.get("prompt") ?? "").split(/\s+/).includes("none"))
        return fail({ error: "interaction_required", message: "The user must sign in and consent interactively.", aadsts: 50058 }, true);
      const emails = [...state.accounts.values()].filter((a) => a.info.provider === profile.provider).map((a) => a.info.email);
      return consentPage(c, { title: profile.title, clientId, scopes, emails, loginHint: q.get("login_hint") ?? undefined, granular: profile.granular });
    }
    const account = state.account(email);
    if (!account || account.info.provider !== profile.provider)
      return errorPage(c, "Error 400: unknown account", `No ${profile.provider} sandbox account ${email}.`);

    // Unticked scopes: the consent form's checkboxes (what is not posted as `grant`), or `deny=` of the shortcut.
    const denied = profile.normalizeScopes([
      ...q.getAll("deny"),
      ...values("deny"),
      ...(field("consent_form") ? scopes.filter((s) => !values("grant").includes(s)) : []),
    ]);
    const granted = profile.grantScopes({ state, q, email: account.info.email, clientId, scopes, denied });
    if (!Array.isArray(granted)) return fail(granted, true);
    const grant: TokenGrant = { email: account.info.email, provider: profile.provider, clientId, scopes: granted };
    const challenge = q.get("code_challenge") ?? undefined;
    const method = challenge ? (q.get("code_challenge_method") ?? "plain") : undefined;
    const code = state.tokens.createCode(grant, redirectUri, challenge, method, profile.wantsRefresh(q, grant, state));
    return redirectWith(redirectUri, { code: profile.codePrefix + code, state: oauthState, ...profile.successParams(granted) });
  };
}
