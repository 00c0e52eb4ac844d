/**
 * The close every test stack makes (test/support/refusals.ts checkThenClose), run by vitest itself
 * on a probe file: a test that fails for itself and then closes a stack the sandbox refused a call
 * of reports both errors (its own was replaced by the refusals' until 2026-12-05), a clean test
 * closing such a stack fails on the refusals, and a close in `afterAll` still fails the file.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { root } from "./support/fixtures";

const header = `
import { afterAll, describe, it } from "vitest";
import { checkThenClose } from ${JSON.stringify(join(root, "test/support/refusals.ts"))};
const refused = () => ({ state: { refusals: [{ status: 403, request: "GET /gmail/v1/users/me/labels", email: "a@example.com", scopes: ["gmail.metadata"] }] } }) as never;
`;
/** Stacks closed inside tests, as a harness closed in a test's \`finally\`. */
const inTests = `${header}
describe("closing", () => {
  it("a test that fails for itself", async () => {
    try {
      throw new Error("PROBE-OWN-FAILURE");
    } finally {
      await checkThenClose(refused(), () => undefined);
    }
  });
  it("a test that passes for itself", async () => {
    let closed = false;
    await checkThenClose(refused(), () => void (closed = true));
    if (!closed) throw new Error("PROBE-NOT-TORN-DOWN");
  });
  it("a clean stack", async () => {
    await checkThenClose({ state: { refusals: [] } } as never, () => undefined);
  });
});
`;
/** A stack closed in afterAll, after a test that passed. */
const inHook = `${header}
describe("closing", () => {
  it("passes", () => undefined);
  afterAll(() => checkThenClose(refused(), () => undefined));
});
`;

describe("a test stack's close", () => {
  it("keeps a failed test's own error beside the refusals, fails a clean one on them, and fails the file from afterAll", () => {
    mkdirSync(join(root, "test-artifacts"), { recursive: true });
    const dir = mkdtempSync(join(root, "test-artifacts", "refusals-probe-"));
    try {
      writeFileSync(join(dir, "in-tests.probe.ts"), inTests);
      writeFileSync(join(dir, "in-hook.probe.ts"), inHook);
      writeFileSync(join(dir, "vitest.config.ts"), `export default { test: { include: ["*.probe.ts"] } };\n`);
      const r = spawnSync(process.execPath, [join(root, "node_modules/vitest/vitest.mjs"), "run", "--root", dir, "--reporter", "json"], { cwd: dir, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
      type FileResult = { name: string; status: string; assertionResults: { title: string; status: string; failureMessages: string[] }[] };
      const report = JSON.parse(r.stdout.slice(r.stdout.indexOf("{"))) as { testResults: FileResult[] };
      const file = (name: string) => report.testResults.find((f) => f.name.endsWith(name))!;
      const test = (f: FileResult, title: string) => f.assertionResults.find((a) => a.title === title)!;
      const own = test(file("in-tests.probe.ts"), "a test that fails for itself");
      expect(own.status).toBe("failed");
      expect(own.failureMessages.join("\n")).toContain("PROBE-OWN-FAILURE");
      expect(own.failureMessages.join("\n")).toContain("the sandbox refused 1 call(s)");
      const passing = test(file("in-tests.probe.ts"), "a test that passes for itself");
      expect(passing.status).toBe("failed");
      expect(passing.failureMessages.join("\n")).toContain("the sandbox refused 1 call(s)");
      expect(passing.failureMessages.join("\n")).not.toContain("PROBE-NOT-TORN-DOWN");
      expect(test(file("in-tests.probe.ts"), "a clean stack").status).toBe("passed");
      // In afterAll, outside any one test: its test passed and the file failed.
      expect(test(file("in-hook.probe.ts"), "passes").status).toBe("passed");
      expect(file("in-hook.probe.ts").status).toBe("failed");
      expect(r.status).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
