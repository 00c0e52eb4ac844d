import { type Clock, systemClock } from "./clock";

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
    const turn = this.queue.then(async () => {
      for (;;) {
        const now = this.clock.now();
        const used = this.used(now);
        if (used + cost <= this.budget || this.spent.length === 0) {
          this.spent.push({ at: now, cost });
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
