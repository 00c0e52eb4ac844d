import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/*/test/**/*.test.ts", "test/**/*.test.ts", "functions/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Vitest runs one fork fewer than the CPUs: on a 2-core machine (CI's), one test file at a time.
    // Most of the suite waits on I/O (the provider sandbox, the local DynamoDB, Chromium, child
    // processes), so two files at once there: the suite took 415 s instead of 568–700 s on 2 cores.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // The JSON report lets CI print a plain "N passed, N failed" line (test-artifacts/ is not committed).
    reporters: ["default", ["json", { outputFile: "test-artifacts/vitest.json" }]],
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  },
});
