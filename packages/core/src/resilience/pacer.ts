import { type Clock, systemClock } from "./clock";
import { ProviderError } from "./errors";

/**
 * Keeps a caller under a per-window budget (e.g. Gmail's 6,000 units a minute per user) by waiting
 * before a call would exceed it, instead of provoking 429s. Sliding window, like the provider's.
 */
export class Pacer {
  private spent: { at: number; cost: number }[] = [];
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly budget: number,
    readonly windowMs: number,
    private readonly clock: Clock = systemClock,
  ) {}

  private used(now: number): number {
    while (this.spent.length && this.spent[0].at <= now - this.windowMs) this.spent.shift();
    return this.spent.reduce((a, s) => a + s.cost, 0);
  }

  /** Waits until `cost` fits in the window, then charges it. Calls are admitted in order. */
  take(cost: number): Promise<void> {
    return this.admit(cost);
  }

  /**
   * Charges `cost` like {@link take}, then runs `fn` as work in progress on the clock (held from
   * the very instant of the charge until `fn` settles), so a virtual clock cannot move between the
   * charge and the provider's own count of the call.
   */
  async run<T>(cost: number, fn: () => Promise<T>): Promise<T> {
    let release: (() => void) | undefined;
    await this.admit(cost, () => {
      release = this.clock.hold?.();
    });
    try {
      return await fn();
    } finally {
      release?.();
    }
  }

  private admit(cost: number, onCharge?: () => void): Promise<void> {
    const turn = this.queue.then(async () => {
      for (;;) {
        const now = this.clock.now();
        const used = this.used(now);
        if (used + cost <= this.budget || this.spent.length === 0) {
          this.spent.push({ at: now, cost });
          onCharge?.();
          return;
        }
        let free = used;
        let until = now;
        for (const s of this.spent) {
          free -= s.cost;
          until = s.at + this.windowMs;
          if (free + cost <= this.budget) break;
        }
        await this.clock.sleep(Math.max(1, until - now + 1));
      }
    });
    this.queue = turn.catch(() => {});
    return turn;
  }
}

/** At most `limit` calls of {@link Slots.run} in flight at once; the others wait in order. */
export class Slots {
  private active = 0;
  private waiting: (() => void)[] = [];
  /** Highest number in flight seen. */
  peak = 0;

  constructor(readonly limit: number) {
    if (!(limit >= 1)) throw new RangeError(`Slots: limit must be >= 1, got ${limit}`);
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((r) => this.waiting.push(r));
    else this.active++;
    this.peak = Math.max(this.peak, this.active);
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter, so nobody can overtake it.
      if (next) next();
      else this.active--;
    }
  }
}

/** Runs async work over items with at most `limit` in flight, preserving result order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    // After a failure no worker starts another item: the caller has already been rejected.
    while (!failed && next < items.length) {
      const i = next++;
      try {
        out[i] = await fn(items[i], i);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  });
  await Promise.all(workers);
  return out;
}

/**
 * Of `ids`, those `isGone` says are gone, asked `limit` at a time; an id whose read answers
 * not-found (ProviderError "not-found") is gone too. Any other error fails the whole call.
 */
export async function idsGone(ids: readonly string[], limit: number, isGone: (id: string) => Promise<boolean>): Promise<string[]> {
  const gone = await mapLimit(ids, limit, async (id) => {
    try {
      return await isGone(id);
    } catch (e) {
      if (e instanceof ProviderError && e.kind === "not-found") return true;
      throw e;
    }
  });
  return ids.filter((_, i) => gone[i]);
}
