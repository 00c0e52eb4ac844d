import type { Hono } from "hono";
import { send, type SandboxEnv } from "../guard";
import type { SandboxState } from "../state";
import type { Problem } from "./authorize";

/**
 * What the identity provider decides on its own, set through the control API (docs/sandbox.md):
 * - a Microsoft tenant policy that withholds permissions from this account's tokens (an admin who
 *   has not consented to one permission): the authorize step grants the rest, and the token
 *   response's `scope` lists only what was granted;
 * - refresh errors: the token endpoint answers this account's refresh grant with one of its
 *   provider's documented errors (Microsoft: expired or revoked refresh token, MFA required, consent
 *   missing; Google: revoked, a Workspace administrator's policy, Advanced Protection) in its own
 *   body shape, every time until cleared or `times` times.
 * Scopes withdrawn after the grant (a permission removed at myaccount.google.com) are
 * `TokenStore.withdrawScopes`, exposed here too.
 */
interface Policies {
  withheld: Map<string, Set<string>>;
  refreshErrors: Map<string, { problem: Problem; left: number }>;
}

const byState = new WeakMap<SandboxState, Policies>();

function policiesOf(state: SandboxState): Policies {
  let p = byState.get(state);
  if (!p) byState.set(state, (p = { withheld: new Map(), refreshErrors: new Map() }));
  return p;
}

/** The requested scopes a tenant policy leaves in a Microsoft grant for `email` (case-insensitive). */
export function tenantGrants(state: SandboxState, email: string, scopes: string[]): string[] {
  const withheld = policiesOf(state).withheld.get(email.toLowerCase());
  return withheld ? scopes.filter((s) => !withheld.has(s.toLowerCase())) : scopes;
}

/** The refresh error set for `email`, counted as served; undefined when none. */
export function takeRefreshError(state: SandboxState, email: string): Problem | undefined {
  const key = email.toLowerCase();
  const set = policiesOf(state).refreshErrors.get(key);
  if (!set) return undefined;
  if (--set.left <= 0) policiesOf(state).refreshErrors.delete(key);
  return set.problem;
}

/**
 * Microsoft's refresh-grant failures that need the person back (learn.microsoft.com/entra/identity-platform/reference-error-codes;
 * bodies as seen in O365/python-o365 issue 323 and stevenmaguire/oauth2-microsoft issue 31).
 */
export const REFRESH_ERRORS: Record<string, Problem> = {
  // AADSTS700082 ExpiredOrRevokedGrantInactiveToken: unused for 90 days.
  inactive: { error: "invalid_grant", aadsts: 700082, message: "The refresh token has expired due to inactivity. The token was issued on 2026-01-01T00:00:00Z and was inactive for 90.00:00:00." },
  // AADSTS70008 ExpiredOrRevokedGrant.
  expired: { error: "invalid_grant", aadsts: 70008, message: "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource." },
  // AADSTS50173 FreshTokenNeeded: revoked by the user or an admin (password reset, revokeSignInSessions).
  revoked: { error: "invalid_grant", aadsts: 50173, message: "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password." },
  // AADSTS50076 UserStrongAuthClientAuthNRequired: a conditional-access policy now asks for MFA.
  mfa: {
    error: "interaction_required",
    aadsts: 50076,
    suberror: "basic_action",
    message: "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access 'https://graph.microsoft.com'.",
  },
  // AADSTS50079 UserStrongAuthEnrollmentRequired.
  "mfa-enrollment": {
    error: "interaction_required",
    aadsts: 50079,
    suberror: "basic_action",
    message: "Due to a configuration change made by your administrator, or because you moved to a new location, you must enroll in multi-factor authentication to access 'https://graph.microsoft.com'.",
  },
  // AADSTS50196 LoopDetected: the client asked for tokens too often; for a user's grant Entra answers
  // invalid_grant (learn.microsoft.com/entra/msal/dotnet/advanced/client-and-server-throttling,
  // "Server throttling"). Throttling, not a revoked grant: the grant works again later.
  loop: {
    error: "invalid_grant",
    aadsts: 50196,
    message: "The server terminated an operation because it encountered a client request loop. Please contact your app vendor.",
  },
  // AADSTS65001 DelegationDoesNotExist: consent withdrawn or never given for a permission; Entra answers invalid_grant with suberror consent_required.
  consent: {
    error: "invalid_grant",
    aadsts: 65001,
    suberror: "consent_required",
    message: "The user or administrator has not consented to use the application with ID 'followthrough' named 'Followthrough'. Send an interactive authorization request for this user and resource.",
  },
};

/**
 * Google's refresh-grant failures that need the person back, and first their administrator or their
 * own security settings. `admin_policy_enforced`: a Google Workspace administrator's policy no longer
 * lets this app (or one of its scopes) have the account's data (developers.google.com/identity/protocols/oauth2/web-server,
 * "Authorization errors: admin_policy_enforced"; on a refresh grant: dust-tt/dust pull request 31975).
 * `policy_enforced`: the account is in Google's Advanced Protection Program, which refuses non-Google
 * apps (twentyhq/twenty pull request 25148). The descriptions are ours; clients read `error`.
 */
export const GOOGLE_REFRESH_ERRORS: Record<string, Problem> = {
  "admin-policy": { error: "admin_policy_enforced", message: "Access to this account's data is restricted by a policy of its organisation." },
  "advanced-protection": { error: "policy_enforced", message: "This account is enrolled in Advanced Protection, which blocks this app." },
  revoked: { error: "invalid_grant", message: "Token has been expired or revoked." },
};

const ERROR_CODES = new Set(["invalid_grant", "interaction_required", "consent_required", "login_required", "temporarily_unavailable", "server_error", "admin_policy_enforced", "policy_enforced"]);

/**
 * Control routes:
 * - `POST /_control/accounts/:email/tenant-policy` `{ withhold: ["Mail.Send"] }` (Microsoft; `[]` clears);
 * - `POST /_control/accounts/:email/refresh-error` `{ kind: "inactive"|"expired"|"revoked"|"mfa"|"mfa-enrollment"|"consent"|"loop" }`
 *   (Google: `"admin-policy"|"advanced-protection"|"revoked"`)
 *   or `{ error, aadsts, suberror?, message? }`, optional `times` (default: until cleared); `{ clear: true }` clears;
 * - `POST /_control/accounts/:email/withdraw-scopes` `{ scopes: [...] }`: live grants lose them.
 */
export function policyRoutes(app: Hono<SandboxEnv>, state: SandboxState): void {
  const accountOr404 = (email: string) => state.account(email);

  app.post("/_control/accounts/:email/tenant-policy", async (c) => {
    const a = accountOr404(c.req.param("email"));
    if (!a) return send(c, 404, { error: `no sandbox account ${c.req.param("email")}` });
    if (a.info.provider !== "microsoft") return send(c, 400, { error: "tenant policies are a Microsoft Entra feature; Google's person unticks scopes on the consent screen (deny=)" });
    const body = (await c.req.json().catch(() => ({}))) as { withhold?: unknown };
    if (!Array.isArray(body.withhold) || body.withhold.some((s) => typeof s !== "string")) return send(c, 400, { error: "withhold must be an array of permission names" });
    const key = a.info.email.toLowerCase();
    if (body.withhold.length) policiesOf(state).withheld.set(key, new Set((body.withhold as string[]).map((s) => s.toLowerCase())));
    else policiesOf(state).withheld.delete(key);
    return c.json({ email: a.info.email, withheld: body.withhold });
  });

  app.post("/_control/accounts/:email/refresh-error", async (c) => {
    const a = accountOr404(c.req.param("email"));
    if (!a) return send(c, 404, { error: `no sandbox account ${c.req.param("email")}` });
    const body = (await c.req.json().catch(() => ({}))) as { kind?: string; error?: string; aadsts?: number; suberror?: string; message?: string; times?: number; clear?: boolean };
    const key = a.info.email.toLowerCase();
    if (body.clear) {
      policiesOf(state).refreshErrors.delete(key);
      return c.json({ cleared: a.info.email });
    }
    let problem: Problem | undefined;
    if (body.kind !== undefined) {
      const kinds = a.info.provider === "google" ? GOOGLE_REFRESH_ERRORS : REFRESH_ERRORS;
      problem = Object.hasOwn(kinds, body.kind) ? kinds[body.kind] : undefined;
      if (!problem) return send(c, 400, { error: `kind must be one of ${Object.keys(kinds).join(", ")} for a ${a.info.provider === "google" ? "Google" : "Microsoft"} account` });
    } else {
      if (!body.error || !ERROR_CODES.has(body.error)) return send(c, 400, { error: `error must be one of ${[...ERROR_CODES].join(", ")}` });
      if (body.aadsts !== undefined && !Number.isInteger(body.aadsts)) return send(c, 400, { error: "aadsts must be an integer" });
      problem = { error: body.error, aadsts: body.aadsts ?? 70000, message: body.message ?? "The request needs the user.", ...(body.suberror ? { suberror: body.suberror } : {}) };
    }
    const times = body.times === undefined ? Number.POSITIVE_INFINITY : Number(body.times);
    if (!(times >= 1)) return send(c, 400, { error: "times must be at least 1" });
    policiesOf(state).refreshErrors.set(key, { problem, left: times });
    return c.json({ email: a.info.email, ...problem, times: Number.isFinite(times) ? times : null });
  });

  app.post("/_control/accounts/:email/withdraw-scopes", async (c) => {
    const a = accountOr404(c.req.param("email"));
    if (!a) return send(c, 404, { error: `no sandbox account ${c.req.param("email")}` });
    const body = (await c.req.json().catch(() => ({}))) as { scopes?: unknown };
    if (!Array.isArray(body.scopes) || body.scopes.some((s) => typeof s !== "string")) return send(c, 400, { error: "scopes must be an array of strings" });
    state.tokens.withdrawScopes(a.info.email, body.scopes as string[]);
    return c.json({ email: a.info.email, withdrawn: body.scopes });
  });
}
