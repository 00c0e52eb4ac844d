/** The few neutral kinds every provider error maps to. */
export type ProviderErrorKind = "temporary" | "rate-limited" | "cursor-expired" | "auth-revoked" | "not-found" | "invalid";

/** A provider failure, classified; `retryAfterMs` comes from a Retry-After header when there was one. */
export class ProviderError extends Error {
  constructor(
    readonly kind: ProviderErrorKind,
    message: string,
    readonly status?: number,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "ProviderError";
  }
}

/**
 * A page given up part-way because no call may start any more (SyncWindow.abandon): not a provider
 * failure, never retried (withRetry passes it through as it is); the sync stops with the page unread.
 */
export class PageAbandoned extends Error {
  constructor() {
    super("page given up: too little time left to start another call");
    this.name = "PageAbandoned";
  }
}

/** True for kinds worth retrying after a pause. */
export const retryable = (e: unknown): e is ProviderError =>
  e instanceof ProviderError && (e.kind === "temporary" || e.kind === "rate-limited");

/** Parses a Retry-After header (seconds or an HTTP date) into milliseconds from `now`. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

const NETWORK_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "UND_ERR_SOCKET", "UND_ERR_CONNECT_TIMEOUT", "ECONNABORTED"]);

/** True when an error (or its causes) is a dropped or refused connection. */
export function isNetworkError(e: unknown): boolean {
  for (let cur: unknown = e, depth = 0; cur && depth < 6; depth++) {
    const err = cur as { code?: string; message?: string; cause?: unknown; name?: string };
    if (err.code && NETWORK_CODES.has(err.code)) return true;
    if (typeof err.message === "string" && /fetch failed|socket hang up|other side closed|ECONNRESET|terminated/i.test(err.message)) return true;
    cur = err.cause;
  }
  return false;
}
