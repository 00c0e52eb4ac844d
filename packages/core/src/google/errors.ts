import { ApiNotEnabledError, CALENDAR_NOT_ENABLED, GMAIL_NOT_ENABLED, GOOGLE_POLICY_ERRORS, MissingScopeError, refusedFor } from "../oauth";
import { isNetworkError, parseRetryAfter, ProviderError } from "../resilience";
import { addDays, localDate, localMidnight } from "../time";

type GaxiosLike = {
  status?: number;
  code?: string | number;
  message?: string;
  response?: { status?: number; headers?: unknown; data?: unknown };
};

function header(headers: unknown, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  const h = headers as Record<string, string | string[] | undefined>;
  const v = h[name] ?? h[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * The time a Gmail per-user rate limit names in its message ("User-rate limit exceeded.  Retry after
 * 2024-11-12T11:16:42.247Z"), as a wait from `now`; undefined when there is none. Gmail puts it there,
 * often with no Retry-After header, and for up to about 15 minutes (twentyhq/twenty pull request
 * 17850, googleapis/google-api-ruby-client issue 20544, taers232c/GAMADV-XTD3 issue 337): retrying
 * within seconds only meets the same refusal.
 */
export function retryAfterInMessage(text: string | undefined, now: number): number | undefined {
  const at = /Retry after (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)/i.exec(text ?? "")?.[1];
  const ms = at === undefined ? Number.NaN : Date.parse(at);
  return Number.isNaN(ms) ? undefined : Math.max(0, ms - now);
}

/**
 * The zone of Google's quota day: a per-day quota resets at midnight Pacific Time
 * (developers.google.com/workspace/guides/quota-overview, the per-project-per-day dimension).
 */
export const GOOGLE_QUOTA_ZONE = "America/Los_Angeles";

/**
 * A daily-limit refusal this soon after midnight Pacific Time is taken for a quota day whose reset is
 * late, not for a project that spent the whole new day's quota already: the next try comes
 * {@link GOOGLE_LATE_RESET_WAIT_MS} later, not a day later. Google documents the reset at midnight
 * Pacific Time (developers.google.com/workspace/guides/quota-overview, the per-day quotas) and says
 * nothing of lateness: the hour is our margin, not Google's word.
 * A refusal still met once the hour is over waits for the next midnight, as any other.
 */
export const GOOGLE_RESET_GRACE_MS = 60 * 60_000;

/** The wait of a daily-limit refusal within {@link GOOGLE_RESET_GRACE_MS} of midnight Pacific Time. */
export const GOOGLE_LATE_RESET_WAIT_MS = 15 * 60_000;

/**
 * How long from `now` until Google's next quota day begins (midnight Pacific Time), in milliseconds;
 * within the first hour of a quota day, a quarter hour ({@link GOOGLE_RESET_GRACE_MS}).
 */
export function untilGoogleQuotaReset(now: number): number {
  const today = localDate(now, GOOGLE_QUOTA_ZONE);
  if (now - localMidnight(today, GOOGLE_QUOTA_ZONE) < GOOGLE_RESET_GRACE_MS) return GOOGLE_LATE_RESET_WAIT_MS;
  return localMidnight(addDays(today, 1), GOOGLE_QUOTA_ZONE) - now;
}

/** Google's refusals of our OAuth client itself, not of the owner's grant. */
const GOOGLE_CLIENT_ERRORS = new Set(["unauthorized_client", "invalid_client", "deleted_client", "disabled_client"]);

/**
 * Maps a Google client error (GaxiosError, OAuth refresh failure, network) to a neutral kind. `now`
 * (the adapter's clock) reads a wait the error names as a time.
 */
export function classifyGoogleError(e: unknown, now = Date.now()): ProviderError {
  if (e instanceof ProviderError) return e;
  const g = (e ?? {}) as GaxiosLike;
  const status = g.response?.status ?? (typeof g.status === "number" ? g.status : undefined);
  const data = g.response?.data as { error?: unknown; error_description?: string } | undefined;
  const oauthError = typeof data?.error === "string" ? data.error : undefined;
  const reason = (data?.error as { errors?: { reason?: string }[] } | undefined)?.errors?.[0]?.reason;
  const details = (data?.error as { details?: { reason?: string; metadata?: Record<string, unknown> }[] } | undefined)?.details ?? [];
  // An answer with no text of its own (a 431 with an empty body: helper-190 #6) is named by its status.
  const said = (g.message ?? String(e)).split("\n")[0]?.trim();
  const message = `google: ${said || (status !== undefined ? `HTTP ${status}` : "no answer")}`;
  const bodyMessage = (data?.error as { message?: unknown } | undefined)?.message;
  const retryAfter = parseRetryAfter(header(g.response?.headers, "retry-after"), now) ?? retryAfterInMessage(typeof bodyMessage === "string" ? bodyMessage : g.message, now);
  if (oauthError === "invalid_grant") return new ProviderError("auth-revoked", message, status, undefined, { cause: e });
  // Refused for our client, not for the owner's grant: a client secret wrong or rotated, one not
  // allowed this grant (401 unauthorized_client or invalid_client "Unauthorized": prasmussen/gdrive#375,
  // baptisteArno/typebot.io#580), a client deleted or disabled (401 deleted_client "The OAuth client
  // was deleted.": googleapis/google-api-nodejs-client#1256, r-lib/httr#687). The operator must act:
  // every run fails (logged, the queue's retries), and no account is put on hold with a notice to its
  // owner, as Microsoft's invalid_client is "invalid" too (helper-182 #4, helper-184 #2).
  if (oauthError !== undefined && GOOGLE_CLIENT_ERRORS.has(oauthError)) return new ProviderError("invalid", message, status, undefined, { cause: e });
  // A policy now refuses the grant (a Workspace administrator's, or Advanced Protection): the account
  // needs its owner, and the reason (core/reconnect reconnectReason) says which, so the notice can say
  // who must act. Until 2026-12-03 it was "invalid": every run failed into the queue's retries and the
  // owner was never told.
  if (oauthError !== undefined && GOOGLE_POLICY_ERRORS.has(oauthError))
    return refusedFor(oauthError, message, status, data?.error_description ?? oauthError);
  if (status === undefined) return new ProviderError(isNetworkError(e) ? "temporary" : "temporary", message, undefined, undefined, { cause: e });
  if (status === 429 || (status === 403 && /rateLimitExceeded|userRateLimitExceeded|quotaExceeded/.test(reason ?? "")))
    return new ProviderError("rate-limited", message, status, retryAfter, { cause: e });
  // The project's daily quota is spent (403 usageLimits/dailyLimitExceeded "Daily Limit Exceeded": the
  // courtesy limit of the whole Cloud project, not this user's rate; developers.google.com/gmail/api/guides/handle-errors,
  // "Resolve a 403 error: Daily limit exceeded"; developers.google.com/calendar/api/guides/errors,
  // "403: Daily Limit Exceeded"). Every call is refused until the quota day ends at midnight Pacific
  // Time (GOOGLE_QUOTA_ZONE), and Google names no time: rate-limited, its wait until then (a quarter
  // hour when met in the first hour of the quota day: GOOGLE_RESET_GRACE_MS). Nothing was
  // done, so a send or a create may go again later; no owner is asked to reconnect. A job's retry
  // budget gives it up at once rather than sleep (core/resilience withRetry), an event email is filed
  // again for after the reset, a tap answers 503 with the wait. Before helper-265 #1 it was "invalid":
  // a digest's send was not tried again and an event email came back an hour on, to the same refusal.
  if (status === 403 && reason === "dailyLimitExceeded")
    return new ProviderError("rate-limited", message, status, retryAfter ?? untilGoogleQuotaReset(now), { cause: e });
  if (status >= 500) return new ProviderError("temporary", message, status, retryAfter, { cause: e });
  // The domain's administrators turned Gmail off for apps (403 domainPolicy): the same as their
  // policy refusing the grant, above.
  if (status === 403 && reason === "domainPolicy") return refusedFor(reason, message, status);
  // The account has no Gmail, or its administrator turned it off (core/oauth GMAIL_NOT_ENABLED).
  if (status === 400 && reason === "failedPrecondition" && /mail service not enabled/i.test(typeof bodyMessage === "string" ? bodyMessage : ""))
    return refusedFor(GMAIL_NOT_ENABLED, message, status);
  // The account has no Google Calendar (core/oauth CALENDAR_NOT_ENABLED). Until 2026-12-07 it was
  // "invalid": every run failed into the queue's retries and the owner was never told (helper-248 #1).
  if (status === 403 && reason === CALENDAR_NOT_ENABLED) return refusedFor(CALENDAR_NOT_ENABLED, message, status);
  // The API is turned off in our Cloud project (core/oauth ApiNotEnabledError): the operator's to turn
  // on, for every account at once. Until 2026-12-07 a plain "invalid", and the connect page told the
  // person to check that their own account has email and a calendar turned on.
  const disabled = details.find((d) => d?.reason === "SERVICE_DISABLED");
  if (status === 403 && (reason === "accessNotConfigured" || disabled)) {
    const title = disabled?.metadata?.serviceTitle;
    const named = /^(?:Access Not Configured\.\s*)?(.+?) has not been used in project/.exec(typeof bodyMessage === "string" ? bodyMessage : "")?.[1];
    return new ApiNotEnabledError(typeof title === "string" && title ? title : named ?? "Google API", message, status, { cause: e });
  }
  // The token lacks a scope the method needs (the person removed it at myaccount.google.com, or never
  // granted it): 403 insufficientPermissions / ACCESS_TOKEN_SCOPE_INSUFFICIENT, with the scopes that
  // would do in WWW-Authenticate (RFC 6750 insufficient_scope). Only a reconnect can fix it.
  if (status === 403 && (reason === "insufficientPermissions" || details.some((d) => d?.reason === "ACCESS_TOKEN_SCOPE_INSUFFICIENT"))) {
    const challenge = header(g.response?.headers, "www-authenticate") ?? "";
    const needed = (/scope="([^"]*)"/.exec(challenge)?.[1] ?? "").split(/\s+/).filter(Boolean);
    return new MissingScopeError("google", needed, `${message} (needs one of: ${needed.join(" ") || "unknown"})`, status, { cause: e });
  }
  if (status === 401) return new ProviderError("auth-revoked", message, status, undefined, { cause: e });
  if (status === 410) return new ProviderError("cursor-expired", message, status, undefined, { cause: e });
  if (status === 404) return new ProviderError("not-found", message, status, undefined, { cause: e });
  return new ProviderError("invalid", message, status, undefined, { cause: e });
}
