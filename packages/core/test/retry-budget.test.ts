import { describe, expect, it } from "vitest";
import { type Clock, ProviderError, timedRequest, withRetry } from "@followthrough/core/resilience";

/** A clock that only records the pauses asked of it. */
function recordingClock(): Clock & { slept: number[] } {
  const slept: number[] = [];
  return { slept, now: () => 0, sleep: async (ms) => void slept.push(ms) };
}

const busy = (retryAfterMs?: number) => new ProviderError("rate-limited", "429", 429, retryAfterMs);
const classify = (e: unknown) => (e instanceof ProviderError ? e : new ProviderError("temporary", String(e)));

describe("withRetry's budget (what a call a person waits on may pause in all)", () => {
  it("without one, a Retry-After is waited out, however long", async () => {
    const clock = recordingClock();
    let n = 0;
    expect(await withRetry(async () => (n++ < 2 ? Promise.reject(busy(60_000)) : "ok"), classify, { clock })).toBe("ok");
    expect(clock.slept).toEqual([60_000, 60_000]);
  });

  it("with one, a pause that would pass it throws the provider's error at once, Retry-After and all", async () => {
    const clock = recordingClock();
    const err = await withRetry(() => Promise.reject(busy(60_000)), classify, { clock, budgetMs: 3_000 }).catch((e) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).retryAfterMs).toBe(60_000);
    expect(clock.slept).toEqual([]);
  });

  it("pauses inside it are taken, and counted: the one that passes it is not", async () => {
    const clock = recordingClock();
    let n = 0;
    expect(await withRetry(async () => (n++ < 2 ? Promise.reject(busy(1_000)) : "ok"), classify, { clock, budgetMs: 2_500 })).toBe("ok");
    expect(clock.slept).toEqual([1_000, 1_000]);
    n = 0;
    const failed = await withRetry(async () => (n++ < 3 ? Promise.reject(busy(1_000)) : "ok"), classify, { clock: recordingClock(), budgetMs: 2_500 }).catch((e) => e);
    expect(failed).toBeInstanceOf(ProviderError);
  });

  it("the time of each failed request counts too: requests that run until they are cut end the call; a wait for quota before a request does not count", async () => {
    let now = 0;
    const clock: Clock = { now: () => now, sleep: async (ms) => void (now += ms) };
    let attempts = 0;
    const stalled = () =>
      timedRequest(clock, async () => {
        attempts++;
        now += 20_000; // the request ran until its timeout
        throw new ProviderError("temporary", "request timed out");
      });
    const e = await withRetry(stalled, classify, { clock, random: () => 0, budgetMs: 60_000 }).catch((x) => x);
    expect(e).toBeInstanceOf(ProviderError);
    // 20, 40, 60 s spent: within the budget, so one more; after it, 80 s, none (a call ends within
    // its budget and one more attempt).
    expect(attempts).toBe(4);
    expect(now).toBe(80_000);
    // A call held 61 s by the pacer before its request, which then fails quickly: retried.
    let tries = 0;
    const queued = async () => {
      now += 61_000; // waiting for a quota slot, longer than the whole budget
      return timedRequest(clock, async () => {
        if (tries++ === 0) throw new ProviderError("temporary", "503");
        return "ok";
      });
    };
    expect(await withRetry(queued, classify, { clock, random: () => 0, budgetMs: 60_000 })).toBe("ok");
  });
});
