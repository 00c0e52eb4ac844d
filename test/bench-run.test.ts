/**
 * `npm run bench -- <name>`: a name that is no benchmark is refused in one line with exit 2, where
 * it used to run nothing and exit 0 with an empty report (helper-188), so a typo looked like a run.
 * The handlers bench's own settings likewise, where a typo used to start the local stack and end
 * in a stack trace.
 */
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { haveShared } from "./support/fixtures";

const root = join(import.meta.dirname, "..");
const tsx = createRequire(import.meta.url).resolve("tsx/cli");

describe("npm run bench", () => {
  it("refuses a benchmark name it does not have, in one line, exit 2, naming the ones it has", () => {
    const r = spawnSync(process.execPath, [tsx, "bench/run.ts", "handler"], { cwd: root, encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toEqual(["bench: no benchmark named handler (there are: inference, addresses, links, backfill, incremental, year, firstlook, handlers, schedule, scaling, oracle)"]);
  });

  it("refuses a BENCH_NODE that is no Node, and a BENCH_HANDLERS name infra/ lacks, in one line, exit 2, before anything starts", () => {
    const run = (env: Record<string, string>) => spawnSync(process.execPath, [tsx, "bench/run.ts", "handlers"], { cwd: root, encoding: "utf8", env: { ...process.env, ...env } });
    const notNode = run({ BENCH_NODE: join(root, "package.json") });
    expect(notNode.status).toBe(2);
    expect(notNode.stdout).toBe("");
    expect(notNode.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^bench: BENCH_NODE: .*package\.json is not a Node binary \(.+\)$/)]);
    const typo = run({ BENCH_HANDLERS: "wrker" });
    expect(typo.status).toBe(2);
    expect(typo.stderr.trim().split("\n")).toEqual(["bench: BENCH_HANDLERS: no handler named wrker in infra/ (there are api, backfill, dispatch, worker)"]);
  });

  it("refuses oracle seeds that are no whole number and a provider it does not have, in one line, exit 2, before anything starts", () => {
    const run = (env: Record<string, string>) => spawnSync(process.execPath, [tsx, "bench/run.ts", "oracle"], { cwd: root, encoding: "utf8", env: { ...process.env, ...env } });
    for (const [name, value] of [["BENCH_ORACLE_SEEDS", "0"], ["BENCH_ORACLE_SEEDS", "ten"], ["BENCH_ORACLE_FROM", "-3"]]) {
      const r = run({ [name]: value });
      expect(r.status, `${name}=${value}`).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr.trim().split("\n")).toEqual([`bench: ${name}: "${value}" is not a whole number${name === "BENCH_ORACLE_SEEDS" ? " of at least 1" : ""}`]);
    }
    for (const value of ["outlook", "Google", ""]) {
      const r = run({ BENCH_ORACLE_PROVIDER: value });
      expect(r.status, `BENCH_ORACLE_PROVIDER=${value}`).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr.trim().split("\n")).toEqual([`bench: BENCH_ORACLE_PROVIDER: "${value}" is not google, microsoft or both`]);
    }
  });

  // The generator's library is in ../shared (test/support/fixtures says so when it is absent).
  // By default an even seed draws a Google mailbox and an odd one an Outlook mailbox: one of each here.
  it.skipIf(!haveShared)("the oracle bench sets two random mailboxes' scans (one Google, one Outlook) against the spec's independent reading: no difference", () => {
    const env: NodeJS.ProcessEnv = { ...process.env, BENCH_ORACLE_FROM: "8000", BENCH_ORACLE_SEEDS: "2" };
    delete env.BENCH_ORACLE_PROVIDER;
    const r = spawnSync(process.execPath, [tsx, "bench/run.ts", "oracle"], { cwd: root, encoding: "utf8", env });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\(oracle\) 2 mailboxes \(seeds 8000–8001; 1 Google, 1 Outlook\) compared with the spec's independent reading: 0 differ; 0 left open by the spec; \d+ s$/m);
    const report = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as { oracle: { compared: number; differences: unknown[] } };
    expect(report.oracle).toMatchObject({ compared: 2, byProvider: { google: 1, microsoft: 1 }, differences: [] });
  }, 120_000);
});
