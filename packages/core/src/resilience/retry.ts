import { type Clock, systemClock } from "./clock";
import { PageAbandoned, ProviderError, retryable } from "./errors";

/** Retry policy: exponential backoff with full jitter, honouring Retry-After. */
export interface RetryOptions {
  attempts: number;
  baseMs: number;
  maxMs: number;
  clock: Clock;
  random: () => number;
  /** Called before each pause (logging, counters). */
  onRetry?: (error: ProviderError, attempt: number, waitMs: number) => void;
  /**
   * Which retryable errors to retry (all temporary and rate-limited ones by default). Calls that
   * are not idempotent (send, create a draft) retry only what the provider surely refused.
   */
  retryOn?: (error: ProviderError) => boolean;
  /**
   * The most the pauses of one call and its failed requests (as {@link timedRequest} measured them,
   * not their wait for quota before) may add up to: a pause that would pass it (a long Retry-After,
   * requests that each ran until they were cut) throws
   * the error instead, for a caller a person waits on (the API answers 503 with the provider's
   * Retry-After rather than outlasting its own timeout) or a job with a reserve to keep. A call so
   * ends within its budget and one more attempt (bounded by the adapters' request timeout).
   * Unbounded by default.
   */
  budgetMs?: number;
}

/** For calls that must not happen twice: only a rate limit (429) proves the provider did nothing. */
export const onlyRateLimited = (e: ProviderError) => e.kind === "rate-limited";

/** Defaults: 6 attempts, 500 ms base, 60 s cap. */
export const defaultRetry: RetryOptions = { attempts: 6, baseMs: 500, maxMs: 60_000, clock: systemClock, random: Math.random };

/**
 * Runs `fn`, retrying temporary and rate-limited failures. `classify` turns anything thrown into a
 * ProviderError. A Retry-After is honoured as a floor; otherwise the wait is a random share of an
 * exponentially growing ceiling (full jitter).
 */
export async function withRetry<T>(fn: () => Promise<T>, classify: (e: unknown) => ProviderError, options: Partial<RetryOptions> = {}): Promise<T> {
  const o = { ...defaultRetry, ...options } satisfies RetryOptions;
  let spent = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (raw) {
      if (raw instanceof PageAbandoned) throw raw;
      const e = raw instanceof ProviderError ? raw : classify(raw);
      if (!retryable(e) || attempt >= o.attempts || (o.retryOn && !o.retryOn(e))) throw e;
      const ceiling = Math.min(o.maxMs, o.baseMs * 2 ** (attempt - 1));
      const jitter = Math.round(o.random() * ceiling);
      const wait = e.retryAfterMs !== undefined ? Math.max(e.retryAfterMs, Math.min(jitter, 1000)) : jitter;
      if (o.budgetMs !== undefined && (spent += requestMsOf(raw) + wait) > o.budgetMs) throw e;
      o.onRetry?.(e, attempt, wait);
      await o.clock.sleep(wait);
    }
  }
}

const REQUEST_MS = Symbol("requestMs");

/**
 * Runs one provider request, and marks its failure with how long it ran on `clock`: a retry budget
 * ({@link withRetry} `budgetMs`) counts that time, not the call's wait for a quota slot before it (a
 * busy minute's pacer can hold a call for most of a minute before its request goes out).
 */
export async function timedRequest<T>(clock: Clock, fn: () => Promise<T>): Promise<T> {
  const began = clock.now();
  try {
    return await fn();
  } catch (e) {
    if (e !== null && typeof e === "object") (e as Record<symbol, unknown>)[REQUEST_MS] = clock.now() - began;
    throw e;
  }
}

const requestMsOf = (e: unknown): number => {
  const ms = e !== null && typeof e === "object" ? (e as Record<symbol, unknown>)[REQUEST_MS] : undefined;
  return typeof ms === "number" && ms > 0 ? ms : 0;
};
