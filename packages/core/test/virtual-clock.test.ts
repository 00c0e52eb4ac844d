import { describe, expect, it } from "vitest";
import { held, mapLimit, Pacer, Slots, VirtualClock } from "../src/resilience";

const T0 = Date.parse("2026-01-01T00:00:00Z");
/** Lets pending I/O, timers and immediates run (a real macrotask turn or two). */
const settle = (ms = 5) => new Promise((r) => setTimeout(r, ms));

describe("VirtualClock", () => {
  it("stands still while nobody waits, and jumps to the earliest sleeper's deadline when everyone waits", async () => {
    const clock = new VirtualClock(T0);
    expect(clock.now()).toBe(T0);
    await settle();
    expect(clock.now()).toBe(T0);
    const woke: string[] = [];
    const a = clock.sleep(60_000).then(() => woke.push(`a@${clock.now() - T0}`));
    const b = clock.sleep(1_000).then(() => woke.push(`b@${clock.now() - T0}`));
    const started = Date.now();
    await Promise.all([a, b]);
    expect(woke).toEqual(["b@1000", "a@60000"]);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(clock.jumps).toEqual({ count: 2, skippedMs: 60_000 });
  });

  it("does not jump while work is held, and jumps once the last hold is released", async () => {
    const clock = new VirtualClock(T0);
    const release1 = clock.hold();
    const release2 = clock.hold();
    let woken = false;
    const sleeping = clock.sleep(5_000).then(() => (woken = true));
    await settle(20);
    expect(woken).toBe(false);
    expect(clock.now()).toBe(T0);
    release1();
    release1(); // idempotent: the second hold still counts
    await settle(20);
    expect(woken).toBe(false);
    expect(clock.inProgress).toBe(1);
    release2();
    await sleeping;
    expect(clock.now()).toBe(T0 + 5_000);
  });

  it("wakes a zero-length sleep without moving time, even while work is held", async () => {
    const clock = new VirtualClock(T0);
    const release = clock.hold();
    await clock.sleep(0);
    expect(clock.now()).toBe(T0);
    release();
  });

  it("wakes sleepers with the same deadline together, in the order they slept", async () => {
    const clock = new VirtualClock(T0);
    const order: number[] = [];
    await Promise.all([1, 2, 3].map((i) => clock.sleep(100).then(() => order.push(i))));
    expect(order).toEqual([1, 2, 3]);
    expect(clock.now()).toBe(T0 + 100);
    expect(clock.jumps.count).toBe(1);
  });

  it("keeps jumping for a sleeper left behind by one that woke and finished", async () => {
    const clock = new VirtualClock(T0);
    await Promise.all([clock.sleep(10), clock.sleep(10_000)]);
    expect(clock.now()).toBe(T0 + 10_000);
  });

  it("advance() moves time by hand and wakes who is due", async () => {
    const clock = new VirtualClock(T0);
    const release = clock.hold();
    let woken = false;
    const p = clock.sleep(300).then(() => (woken = true));
    clock.advance(299);
    await settle();
    expect(woken).toBe(false);
    clock.advance(1);
    await p;
    expect(clock.now()).toBe(T0 + 300);
    release();
  });

  it("held() holds around a function and releases when it throws", async () => {
    const clock = new VirtualClock(T0);
    await expect(
      held(clock, async () => {
        expect(clock.inProgress).toBe(1);
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(clock.inProgress).toBe(0);
  });
});

describe("Pacer on a VirtualClock", () => {
  it("runs minutes of budget waits at machine speed, never exceeding the budget in any window", async () => {
    const clock = new VirtualClock(T0);
    const pacer = new Pacer(50, 60_000, clock);
    const charges: number[] = [];
    const started = Date.now();
    // 20 workers, 400 calls of 5 units: 2,000 units at 50 a minute = 40 virtual minutes.
    await mapLimit(Array.from({ length: 400 }), 20, async () => {
      await pacer.run(5, async () => {
        charges.push(clock.now());
        await settle(0); // a request's I/O: the clock is held meanwhile
      });
    });
    expect(Date.now() - started).toBeLessThan(10_000);
    const minutes = (clock.now() - T0) / 60_000;
    expect(minutes).toBeGreaterThan(38);
    expect(minutes).toBeLessThan(41);
    for (let i = 0; i < charges.length; i++) {
      const inWindow = charges.filter((t) => t > charges[i] - 60_000 && t <= charges[i]).length;
      expect(inWindow * 5).toBeLessThanOrEqual(50);
    }
  });

  it("holds from the charge until the call settles, so time cannot move between them", async () => {
    const clock = new VirtualClock(T0);
    const pacer = new Pacer(5, 60_000, clock);
    const seen: [number, number][] = [];
    // A retry-like sleeper that would make the clock jump if nothing were held.
    const other = clock.sleep(1_000);
    await Promise.all(
      [0, 1, 2].map(() =>
        pacer.run(5, async () => {
          const charged = clock.now();
          await settle(10);
          seen.push([charged, clock.now()]);
        }),
      ),
    );
    await other;
    for (const [charged, answered] of seen) expect(answered).toBe(charged);
    expect(seen.map(([c]) => c - T0)).toEqual([0, 60_001, 120_002]);
  });
});

describe("Slots", () => {
  it("keeps at most `limit` in flight and hands slots over in order", async () => {
    const slots = new Slots(3);
    let active = 0;
    let peak = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        slots.run(async () => {
          active++;
          peak = Math.max(peak, active);
          order.push(i);
          await settle(1);
          active--;
        }),
      ),
    );
    expect(peak).toBe(3);
    expect(slots.peak).toBe(3);
    expect(order).toEqual([...Array(12).keys()]);
  });
});
