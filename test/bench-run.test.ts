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

const root = join(import.meta.dirname, "..");
const tsx = createRequire(import.meta.url).resolve("tsx/cli");

describe("npm run bench", () => {
  it("refuses a benchmark name it does not have, in one line, exit 2, naming the ones it has", () => {
    const r = spawnSync(process.execPath, [tsx, "bench/run.ts", "handler"], { cwd: root, encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toEqual(["bench: no benchmark named handler (there are: inference, addresses, links, backfill, incremental, year, firstlook, handlers, schedule, scaling)"]);
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
});
