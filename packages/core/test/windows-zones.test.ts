/**
 * core/zones maps Windows zone names through a generated table (src/zones/windows.ts) instead of
 * bundling windows-iana. windows-iana stays the source of truth here: toIanaZone answers what the
 * former implementation (pass IANA names through, else the first of findIana(name) this runtime
 * knows) answers, for every Windows name and for inputs that are neither, and the committed table is
 * exactly what the generator writes now.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { findIana, WINDOWS_TO_IANA_MAP } from "windows-iana";
import { isZone } from "@followthrough/core/time";
import { parseInstant, toIanaZone } from "@followthrough/core/zones";
import { checkTable, renderWindowsZones, tablePath, windowsZones } from "../scripts/windows-zones.ts";
import { WINDOWS_ZONES } from "../src/zones/windows.ts";

/** toIanaZone as it was when it called windows-iana at run time. */
function former(name: string | null | undefined): string | undefined {
  if (!name) return undefined;
  if (isZone(name)) return name;
  return findIana(name).find((z) => isZone(z));
}

const windowsNames = [...new Set(WINDOWS_TO_IANA_MAP.map((e) => e.windowsName as string))];

describe("toIanaZone from the generated table", () => {
  it("answers findIana(name).find(isZone) for every Windows name of windows-iana", () => {
    expect(windowsNames.length).toBeGreaterThan(100);
    for (const name of windowsNames) {
      const expected = isZone(name) ? name : findIana(name).find((z) => isZone(z));
      expect(expected, name).toBeDefined();
      expect(toIanaZone(name), name).toBe(expected);
    }
    // The table itself, not only the pass-through, answers each one ("UTC" is also an IANA name).
    for (const name of windowsNames) expect(WINDOWS_ZONES[name], name).toBe(findIana(name).find((z) => isZone(z)));
  });

  it("answers as before for IANA names, near-misses and names that are neither", () => {
    const inputs = [
      undefined,
      null,
      "",
      "UTC",
      "Europe/Madrid",
      "America/Los_Angeles",
      "tzone://Microsoft/Custom",
      "Customized Time Zone",
      "pacific standard time",
      "Pacific Standard Time ",
      " Pacific Standard Time",
      "Pacific",
      // Keys every plain object inherits: not Windows names.
      "constructor",
      "__proto__",
      "toString",
      "hasOwnProperty",
      "valueOf",
      ...windowsNames.flatMap((n) => findIana(n)),
      ...Intl.supportedValuesOf("timeZone"),
    ];
    for (const input of inputs) expect(toIanaZone(input), String(input)).toBe(former(input));
    expect(toIanaZone("constructor")).toBeUndefined();
  });

  it("reads a Graph time in a Windows zone from the table", () => {
    expect(parseInstant("2026-01-15T09:00:00.0000000", "Tokyo Standard Time")).toBe(Date.parse("2026-01-15T00:00:00Z"));
    expect(parseInstant("2026-01-15T09:00:00.0000000", "No Such Standard Time")).toBe(Date.parse("2026-01-15T09:00:00Z"));
  });
});

describe("the committed table", () => {
  it("is what the generator writes from the installed windows-iana", () => {
    const committed = readFileSync(tablePath, "utf8");
    expect(committed).toBe(renderWindowsZones());
    expect(checkTable(committed)).toBeNull();
    expect(Object.entries(WINDOWS_ZONES)).toEqual(windowsZones());
  });

  it("fails the check, in one line, when an entry differs", () => {
    const committed = readFileSync(tablePath, "utf8");
    const corrupted = committed.replace('"Pacific Standard Time": "America/Los_Angeles"', '"Pacific Standard Time": "America/Denver"');
    expect(corrupted).not.toBe(committed);
    const problem = checkTable(corrupted);
    expect(problem).toMatch(/^packages\/core\/src\/zones\/windows\.ts differs from a fresh generation from windows-iana \d+\.\d+\.\d+: run npx tsx packages\/core\/scripts\/windows-zones\.ts$/);
  });

  it("passes the generator's --check mode and rejects unknown arguments", () => {
    const script = fileURLToPath(new URL("../scripts/windows-zones.ts", import.meta.url));
    const tsx = fileURLToPath(new URL("../../../node_modules/tsx/dist/cli.mjs", import.meta.url));
    const check = spawnSync(process.execPath, [tsx, script, "--check"], { encoding: "utf8" });
    expect(check.status, check.stderr).toBe(0);
    expect(check.stdout).toContain("is up to date");
    const bad = spawnSync(process.execPath, [tsx, script, "--chek"], { encoding: "utf8" });
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim()).toBe("windows-zones: unknown argument --chek (usage: npx tsx packages/core/scripts/windows-zones.ts [--check])");
  });
});
