/**
 * `npm run bench -- <name>`: a name that is no benchmark is refused in one line with exit 2, where
 * it used to run nothing and exit 0 with an empty report (helper-188), so a typo looked like a run.
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
    expect(r.stderr.trim().split("\n")).toEqual(["bench: no benchmark named handler (there are: inference, addresses, backfill, incremental, year, firstlook, handlers, schedule, scaling)"]);
  });
});
