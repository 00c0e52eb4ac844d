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

/** True when `test` holds for the error or one of its causes (six deep at most). */
function anyCause(e: unknown, test: (err: { code?: string; message?: string }) => boolean): boolean {
  for (let cur: unknown = e, depth = 0; cur && depth < 6; depth++) {
    if (test(cur as { code?: string; message?: string })) return true;
    cur = (cur as { cause?: unknown }).cause;
  }
  return false;
}

/** True when an error (or its causes) is a dropped or refused connection. */
export const isNetworkError = (e: unknown): boolean =>
  anyCause(e, (err) => (!!err.code && NETWORK_CODES.has(err.code)) || (typeof err.message === "string" && /fetch failed|socket hang up|other side closed|ECONNRESET|terminated/i.test(err.message)));

/** Codes of a connection that was never made: the request never left (helper-191 #3). */
const UNCONNECTED = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "UND_ERR_CONNECT_TIMEOUT"]);

/** True when an error (or its causes) is a connection that was never made, so the request never reached the service. */
export const neverConnected = (e: unknown): boolean => anyCause(e, (err) => UNCONNECTED.has(err.code ?? ""));
