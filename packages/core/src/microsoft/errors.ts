import { isNetworkError, parseRetryAfter, ProviderError } from "../resilience";
import { AADSTS_LOOP_DETECTED, GrantError, LOOP_DETECTED_WAIT_MS, MAILBOX_NOT_ENABLED, MICROSOFT_SCOPES, MissingScopeError, needsReconnect, refusedFor, scopeKey } from "../oauth";
import { permissionsFor } from "./permissions";

/** Maps a Graph client error (GraphError, grant failure, network) to a neutral kind. */
export function classifyGraphError(e: unknown): ProviderError {
  if (e instanceof ProviderError) return e;
  // Refresh refused: invalid_grant (AADSTS700082/70008/50173), interaction_required (MFA, AADSTS50076/50079),
  // consent_required (AADSTS65001) need the person; a token endpoint outage is passing.
  if (e instanceof GrantError) {
    // A 429 of the token endpoint (Entra throttles it too) is a rate, whatever its body says, and so
    // is Entra's loop detection (AADSTS50196, an invalid_grant: core/oauth AADSTS_LOOP_DETECTED); each
    // with the answer's Retry-After.
    const loop = e.aadsts.includes(AADSTS_LOOP_DETECTED);
    const kind = e.status === 429 || loop ? "rate-limited" : needsReconnect(e) ? "auth-revoked" : e.code === "temporarily_unavailable" || e.code === "server_error" || (e.status ?? 0) >= 500 ? "temporary" : "invalid";
    return new ProviderError(kind, `microsoft: ${e.message}`, e.status ?? 400, e.retryAfterMs ?? (loop ? LOOP_DETECTED_WAIT_MS : undefined), { cause: e });
  }
  const g = (e ?? {}) as { statusCode?: number; code?: string | null; message?: string; headers?: Headers; body?: unknown };
  const status = typeof g.statusCode === "number" && g.statusCode > 0 ? g.statusCode : undefined;
  const code = (g.code ?? "").toString();
  const message = `microsoft: ${code ? `${code}: ` : ""}${g.message ?? String(e)}`.split("\n")[0];
  const retryAfter = parseRetryAfter(g.headers?.get?.("retry-after"));
  if (status === undefined) return new ProviderError(isNetworkError(e) || g.statusCode === -1 ? "temporary" : "temporary", message, undefined, undefined, { cause: e });
  if (status === 410 || /syncstatenotfound|syncstateinvalid|resyncrequired/i.test(code)) return new ProviderError("cursor-expired", message, status, undefined, { cause: e });
  if (status === 429) return new ProviderError("rate-limited", message, status, retryAfter, { cause: e });
  // A mailbox Graph cannot serve (inactive, unlicensed, on premises): the owner must hear of it; a
  // retry meets it again (core/oauth MAILBOX_NOT_ENABLED). Until 2026-12-03 a plain not-found.
  if (code.toLowerCase() === MAILBOX_NOT_ENABLED.toLowerCase()) return refusedFor(MAILBOX_NOT_ENABLED, message, status);
  if (status >= 500) return new ProviderError("temporary", message, status, retryAfter, { cause: e });
  if (status === 401) return new ProviderError("auth-revoked", message, status, undefined, { cause: e });
  // A 403 is about the grant only when the granted permissions do not cover the call (see
  // classifyAccessDenied, which the adapter applies with the request and the token's scopes).
  if (status === 403) return new ProviderError("invalid", message, status, undefined, { cause: e });
  if (status === 404) return new ProviderError("not-found", message, status, undefined, { cause: e });
  return new ProviderError("invalid", message, status, undefined, { cause: e });
}

/**
 * A Graph 403 (ErrorAccessDenied) for `request` ("GET https://…/me/mailboxSettings"), told apart by the
 * permissions the token was granted: none of those that grant the call ({@link permissionsFor}) →
 * {@link MissingScopeError} (the account needs reconnecting, naming the permission); otherwise the
 * denial is about something else (a mailbox or conditional-access policy, a locked mailbox) → a plain
 * "invalid" error: the run fails, the next run tries again, the account stays connected.
 */
export function classifyAccessDenied(e: unknown, request: string | undefined, granted: readonly string[] | undefined): ProviderError {
  const plain = classifyGraphError(e);
  const [method, url] = (request ?? "").split(" ", 2);
  const need = method && url ? permissionsFor(method, url) : undefined;
  if (!need || !granted) return plain;
  const have = new Set(granted.map((s) => scopeKey("microsoft", s)));
  if (need.some((p) => have.has(scopeKey("microsoft", p))))
    return new ProviderError("invalid", `${plain.message} (not about the grant: the token holds a permission for this call; retried next run)`, 403, undefined, { cause: e });
  const ours = new Set(MICROSOFT_SCOPES.map((s) => s.toLowerCase()));
  const ordered = [...need].sort((a, b) => Number(ours.has(b.toLowerCase())) - Number(ours.has(a.toLowerCase())));
  return new MissingScopeError("microsoft", ordered, `${plain.message} (the grant lacks ${ordered[0]})`, 403, { cause: e });
}
