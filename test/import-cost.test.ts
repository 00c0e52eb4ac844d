/**
 * What a Lambda pays at its start for code it may never run: an Intl object built at a module's top
 * level (a Collator loads ICU's collation data, a DateTimeFormat ICU's locales: milliseconds each)
 * is built by every function that imports the module, whatever its request. The events module's
 * name Collator was, and cost the API's settings page about 4 % of its cold start (docs/benchmarks.md
 * (6), 2026-12-07 22:23): such objects are made on first use.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");
const sources = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : /\.tsx?$/.test(f) ? [p] : [];
  });

describe("the cost of importing our modules", () => {
  it("no module of the functions' code builds an Intl object at its top level", () => {
    const files = ["packages/core/src", "functions/src"].flatMap((d) => sources(join(root, d)));
    expect(files.length).toBeGreaterThan(50);
    const found = files.flatMap((f) =>
      readFileSync(f, "utf8")
        .split("\n")
        .map((line, i) => ({ line, at: `${relative(root, f)}:${i + 1}` }))
        // A statement at the module's top level (no indentation) that builds one.
        .filter(({ line }) => /^(?:export\s+)?(?:const|let|var)\s[^=]*=\s*new Intl\.\w+\(/.test(line))
        .map(({ at, line }) => `${at}: ${line.trim()}`),
    );
    expect(found).toEqual([]);
  });
});
