/**
 * The median and the longest of `runs` timed calls of `call`, after one untimed warm-up, to 0.1 ms;
 * and what the last call answered. The hostile-input benches' shared measure.
 */
export function timeRuns<T>(call: () => T, runs: number): { medianMs: number; maxMs: number; answer: T } {
  let answer = call();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    answer = call();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { medianMs: Number(times[runs >> 1].toFixed(1)), maxMs: Number(times[runs - 1].toFixed(1)), answer };
}
