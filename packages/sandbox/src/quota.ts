import type { Api } from "./errors";

/** Per-user limits the sandbox enforces; documented provider values by default. */
export interface QuotaLimits {
  /** Gmail quota units per user per minute (6,000 for projects created from May 2026). */
  gmailUnitsPerMinute: number;
  /**
   * Gmail requests in flight per user. Google enforces a per-user concurrent-request limit (429
   * "Too many concurrent requests for user", reason rateLimitExceeded) without publishing it;
   * public reports put it between 5 (reported safe) and a few dozen (docs/provider-quirks.md).
   * Default 5 when left out.
   */
  gmailConcurrency?: number;
  /** Calendar requests per user per minute. */
  calendarPerMinute: number;
  /** Graph requests per app per mailbox per 10 minutes. */
  graphPer10Minutes: number;
  /** Graph concurrent requests per mailbox. */
  graphConcurrency: number;
  /**
   * Whether Gmail's per-user rate-limit answer (429 userRateLimitExceeded) carries a Retry-After
   * header besides the time its message names ("Retry after <ISO time>"). Default true; false
   * answers as Gmail is reported to (twentyhq/twenty pull request 17850, taers232c/GAMADV-XTD3
   * issue 337): the time in the message only.
   */
  gmailRetryAfterHeader?: boolean;
}

/** Documented per-user limits (shared/reference/providers.md). */
export const defaultLimits: QuotaLimits = {
  gmailUnitsPerMinute: 6000,
  gmailConcurrency: 5,
  calendarPerMinute: 600,
  graphPer10Minutes: 10_000,
  graphConcurrency: 4,
};

/** What one account has used, as counted by the sandbox. */
export interface UsageStats {
  calls: Record<string, number>;
  totalCalls: number;
  gmailUnits: number;
  throttled: number;
  faults: number;
  /** Highest Gmail units seen in any sliding minute. */
  peakGmailUnitsPerMinute: number;
  /** Highest Graph requests seen in any sliding 10 minutes. */
  peakGraphPer10Minutes: number;
  /** Most requests admitted in flight at once, per API. */
  peakConcurrency: { gmail: number; graph: number };
  /** Calls throttled, by reason (userRateLimitExceeded, concurrency, ...). */
  throttledBy: Record<string, number>;
  firstCallAt?: number;
  lastCallAt?: number;
}

interface Window {
  at: number;
  amount: number;
}

/** Outcome of admitting a call: allowed, or throttled with a Retry-After in seconds. */
export type Admission = { ok: true; release: () => void } | { ok: false; retryAfter: number; reason: string };

const emptyStats = (): UsageStats => ({
  calls: {},
  totalCalls: 0,
  gmailUnits: 0,
  throttled: 0,
  faults: 0,
  peakGmailUnitsPerMinute: 0,
  peakGraphPer10Minutes: 0,
  peakConcurrency: { gmail: 0, graph: 0 },
  throttledBy: {},
});

/** Sliding-window quota model and usage counters, per account. */
export class QuotaModel {
  private windows = new Map<string, Window[]>();
  private inflight = new Map<string, number>();
  private stats = new Map<string, UsageStats>();

  constructor(
    public limits: QuotaLimits | false = defaultLimits,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Usage of one account. */
  usage(account: string): UsageStats {
    let s = this.stats.get(account);
    if (!s) this.stats.set(account, (s = emptyStats()));
    return s;
  }

  /** Forgets counters and windows (all accounts, or one). */
  reset(account?: string): void {
    if (account === undefined) {
      this.stats.clear();
      this.windows.clear();
      return;
    }
    this.stats.delete(account);
    for (const k of this.windows.keys()) if (k.startsWith(`${account}|`)) this.windows.delete(k);
  }

  /** Counts a call that a fault answered (no quota charged). */
  countFault(account: string, route: string): void {
    const s = this.usage(account);
    this.count(s, route);
    s.faults++;
  }

  private count(s: UsageStats, route: string) {
    const now = this.clock();
    s.calls[route] = (s.calls[route] ?? 0) + 1;
    s.totalCalls++;
    s.firstCallAt ??= now;
    s.lastCallAt = now;
  }

  private used(key: string, spanMs: number): number {
    const now = this.clock();
    const w = (this.windows.get(key) ?? []).filter((e) => e.at > now - spanMs);
    this.windows.set(key, w);
    return w.reduce((a, e) => a + e.amount, 0);
  }

  private retryAfter(key: string, spanMs: number, need: number, limit: number): number {
    const now = this.clock();
    const w = this.windows.get(key) ?? [];
    let total = w.reduce((a, e) => a + e.amount, 0);
    for (const e of w) {
      total -= e.amount;
      if (total + need <= limit) return Math.max(1, Math.ceil((e.at + spanMs - now) / 1000));
    }
    return Math.ceil(spanMs / 1000);
  }

  /** Admits or throttles one call of `units` cost on `api` for `account`. */
  admit(account: string, api: Api, route: string, units: number): Admission {
    const s = this.usage(account);
    this.count(s, route);
    const limits = this.limits;
    const throttle = (key: string, span: number, need: number, limit: number, reason: string): Admission => {
      s.throttled++;
      s.throttledBy[reason] = (s.throttledBy[reason] ?? 0) + 1;
      return { ok: false, retryAfter: this.retryAfter(key, span, need, limit), reason };
    };
    // One request in flight on `key` until released; `api` names its peak.
    const occupy = (key: string, api: "gmail" | "graph"): Admission => {
      const busy = (this.inflight.get(key) ?? 0) + 1;
      this.inflight.set(key, busy);
      s.peakConcurrency[api] = Math.max(s.peakConcurrency[api], busy);
      let released = false;
      return {
        ok: true,
        release: () => {
          if (released) return;
          released = true;
          this.inflight.set(key, (this.inflight.get(key) ?? 1) - 1);
        },
      };
    };
    const charge = (key: string, amount: number) => this.windows.get(key)!.push({ at: this.clock(), amount });
    if (api === "gmail") {
      const key = `${account}|gmail`;
      const used = this.used(key, 60_000);
      const busy = this.inflight.get(key) ?? 0;
      if (limits && busy + 1 > (limits.gmailConcurrency ?? defaultLimits.gmailConcurrency!)) {
        s.throttled++;
        s.throttledBy.concurrency = (s.throttledBy.concurrency ?? 0) + 1;
        return { ok: false, retryAfter: 0, reason: "concurrency" };
      }
      if (limits && used + units > limits.gmailUnitsPerMinute) return throttle(key, 60_000, units, limits.gmailUnitsPerMinute, "userRateLimitExceeded");
      charge(key, units);
      s.gmailUnits += units;
      s.peakGmailUnitsPerMinute = Math.max(s.peakGmailUnitsPerMinute, used + units);
      return occupy(key, "gmail");
    }
    if (api === "calendar") {
      const key = `${account}|calendar`;
      const used = this.used(key, 60_000);
      if (limits && used + 1 > limits.calendarPerMinute) return throttle(key, 60_000, 1, limits.calendarPerMinute, "rateLimitExceeded");
      charge(key, 1);
      return { ok: true, release: () => {} };
    }
    if (api === "graph") {
      const key = `${account}|graph`;
      const used = this.used(key, 600_000);
      const busy = this.inflight.get(key) ?? 0;
      if (limits && busy + 1 > limits.graphConcurrency) {
        s.throttled++;
        s.throttledBy.concurrency = (s.throttledBy.concurrency ?? 0) + 1;
        return { ok: false, retryAfter: 1, reason: "concurrency" };
      }
      if (limits && used + 1 > limits.graphPer10Minutes) return throttle(key, 600_000, 1, limits.graphPer10Minutes, "ApplicationThrottled");
      charge(key, 1);
      s.peakGraphPer10Minutes = Math.max(s.peakGraphPer10Minutes, used + 1);
      return occupy(key, "graph");
    }
    return { ok: true, release: () => {} };
  }
}
