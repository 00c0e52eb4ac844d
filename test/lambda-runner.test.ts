/**
 * The cold-start runner of `npm run bench -- handlers` and test/lambda-modules.test.ts reports the
 * peak memory of the handler's own process. getrusage's maxRSS survives exec on Linux, so a child of
 * a large parent reported the parent's size at the fork: after the year-long mailboxes of a full
 * `npm run bench`, every handler and floor "peaked" at 201.8 MiB.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { runCold } from "./support/lambda";

it.skipIf(process.platform !== "linux")("reports the handler process's own peak, not its parent's size at the fork", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ft-runner-"));
  try {
    const file = join(dir, "handler.mjs");
    // A handler that holds 64 MiB: its peak is above that and far below the parent's.
    writeFileSync(file, "export const handler = async () => { const b = Buffer.alloc(64 * 2 ** 20, 1); return { held: b.length }; };\n");
    const parent = Buffer.alloc(400 * 2 ** 20, 1);
    const run = await runCold(file, {}, { PATH: process.env.PATH ?? "" });
    expect(run.result).toEqual({ held: 64 * 2 ** 20 });
    expect(process.memoryUsage().rss).toBeGreaterThan(400 * 2 ** 20);
    expect(run.maxRssKiB / 1024).toBeGreaterThan(64);
    expect(run.maxRssKiB / 1024).toBeLessThan(300);
    // (The parent's 400 MiB held until here, so the child was forked from a process that large.)
    parent.fill(0, 0, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
