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
    // Test files share their fork's imported modules, one file after another. With each file's own
    // module graph, vitest counted 163 s of imports (summed over both forks) in a 720 s run (CI at
    // 83a9416); sharing them, 22 s in 494 s (CI at 6365b45).
    // No test mocks a module or the clock, and those that set process.env give it back. A test of a
    // module's own first load imports it afresh (vi.resetModules: core's platform-decoder test).
    isolate: false,
    // The JSON report lets CI print a plain "N passed, N failed" line (test-artifacts/ is not committed).
    reporters: ["default", ["json", { outputFile: "test-artifacts/vitest.json" }]],
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  },
});
