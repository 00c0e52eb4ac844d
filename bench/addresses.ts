/**
 * Hostile address headers: the time parseAddressList takes on 1 MB of each shape (median of 9 runs,
 * after a warm-up). Goal: under 100 ms each. Tests assert linear growth by counted steps; the times
 * live here.
 */
import { parseAddressList } from "@followthrough/core/addresses";
import { HOSTILE_SHAPES } from "../packages/core/test/support/hostile-shapes";
import { timeRuns } from "./timing";

export interface AddressBench {
  sizeBytes: number;
  goalMs: number;
  shapes: { name: string; medianMs: number; maxMs: number; addresses: number }[];
}

export function benchAddresses(size = 1 << 20, runs = 9): AddressBench {
  const shapes = HOSTILE_SHAPES.map((shape) => {
    const header = shape.build(size);
    const { medianMs, maxMs, answer } = timeRuns(() => parseAddressList(header).length, runs);
    return { name: shape.name, medianMs, maxMs, addresses: answer };
  });
  return { sizeBytes: size, goalMs: 100, shapes };
}
