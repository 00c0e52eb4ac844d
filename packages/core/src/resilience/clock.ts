/** Time as adapters see it: the only place that reads the wall clock or waits. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
  /**
   * Marks provider work in progress (a request between its quota charge and its answer) until the
   * returned function is called. Only a {@link VirtualClock} cares: it never jumps while anything
   * is held. Real clocks leave it out.
   */
  hold?(): () => void;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};

/** A clock running `factor` times faster than real time (benchmarks against the sandbox's quota model). */
export function scaledClock(factor: number, origin = Date.now()): Clock {
  return {
    now: () => origin + (Date.now() - origin) * factor,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms / factor))),
  };
}

/** Runs `fn` as work in progress on `clock` (see {@link Clock.hold}). */
export async function held<T>(clock: Clock, fn: () => Promise<T>): Promise<T> {
  const release = clock.hold?.();
  try {
    return await fn();
  } finally {
    release?.();
  }
}

interface Sleeper {
  at: number;
  seq: number;
  wake: () => void;
}

/**
 * Time for offline runs (fixture mode): it stands still while work is in progress and JUMPS to the
 * earliest sleeper's deadline as soon as everyone waits, so a scan that must wait minutes for
 * quota finishes at machine speed while every sliding window still sees consistent times.
 *
 * "Everyone waits" means: at least one `sleep` is pending and nothing is held. Holds mark provider
 * requests in flight: a request is held from the instant its pacer charges it until its answer
 * arrives, so the sandbox admits it at the very time the pacer charged it (time cannot move in
 * between), and the two windows never disagree. Checks run on `setImmediate`, after pending
 * microtasks, so a continuation that takes a hold right after waking is seen before the next jump.
 *
 * Anything that waits on this clock while holding it would wait forever: hold only around calls
 * that do not sleep on the same clock.
 */
export class VirtualClock implements Clock {
  private t: number;
  private sleepers: Sleeper[] = [];
  private busy = 0;
  private seq = 0;
  private scheduled = false;
  /** Jumps taken and virtual milliseconds skipped by them. */
  readonly jumps = { count: 0, skippedMs: 0 };

  constructor(start: number = Date.now()) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  /** Requests in flight (holds not yet released). */
  get inProgress(): number {
    return this.busy;
  }

  /** Sleeps not yet woken. */
  get pending(): number {
    return this.sleepers.length;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((wake) => {
      this.sleepers.push({ at: this.t + Math.max(0, ms), seq: this.seq++, wake });
      this.schedule();
    });
  }

  hold(): () => void {
    this.busy++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.busy--;
      if (this.busy === 0) this.schedule();
    };
  }

  /** Moves time forward by `ms` at once (tests) and wakes whoever is due. */
  advance(ms: number): void {
    this.t += Math.max(0, ms);
    this.wakeDue();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.tick();
    });
  }

  private tick(): void {
    if (this.wakeDue() === 0 && this.busy === 0 && this.sleepers.length > 0) {
      const next = this.sleepers.reduce((a, s) => Math.min(a, s.at), Infinity);
      this.jumps.count++;
      this.jumps.skippedMs += next - this.t;
      this.t = next;
      this.wakeDue();
    }
    // Look again once the woken have run, unless a hold is taken first (its release looks then).
    if (this.sleepers.length > 0 && this.busy === 0) this.schedule();
  }

  /** Wakes every sleeper whose deadline has come, earliest first; returns how many. */
  private wakeDue(): number {
    const due = this.sleepers.filter((s) => s.at <= this.t).sort((a, b) => a.at - b.at || a.seq - b.seq);
    if (due.length === 0) return 0;
    this.sleepers = this.sleepers.filter((s) => s.at > this.t);
    for (const s of due) s.wake();
    return due.length;
  }
}
