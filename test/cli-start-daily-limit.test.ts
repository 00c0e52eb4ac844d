/**
 * `followthrough start` with a persistent store (`--home`) whose Google account meets the project's
 * daily limit (403 usageLimits/dailyLimitExceeded, spent until midnight Pacific Time: helper-265 #1):
 * the account's weekly job fails at once with a note, as any other provider failure, instead of the
 * start sleeping in retries until the quota day ends; the account stays connected.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadAccount } from "@followthrough/core/accounts";
import { loadFixture, type RunningSandbox, startSandbox } from "@followthrough/sandbox";
import { withLocalStore } from "../packages/cli/src/local-store";
import { connectSandboxAccount } from "../packages/cli/src/sandbox-consent";
import { startLocalStack } from "../packages/cli/src/start";
import { ownFixture } from "./support/fixtures";
import { checkThenClose } from "./support/refusals";

const google = loadFixture(ownFixture("demo-google"));
let sandbox: RunningSandbox;
let home: string;
beforeAll(async () => {
  sandbox = await startSandbox({ fixtures: [google], https: true });
  home = mkdtempSync(join(tmpdir(), "ft-start-daily-limit-"));
}, 60_000);
afterAll(async () => {
  await checkThenClose(sandbox, async () => {
    await sandbox?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });
});

it("Google's daily limit: the weekly job fails at once with a note, the account still active, and the start goes on", async () => {
  const email = google.account.email;
  await withLocalStore(home, (s) => connectSandboxAccount(sandbox, google.account, s.repo, s.ring), { create: true });
  const faults = await fetch(`${sandbox.url}/_control/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(["gmail.*", "calendar.*"].map((route) => ({ route, account: email, kind: "status", status: 403, reason: "dailyLimitExceeded", times: 0 }))),
  });
  expect(faults.status).toBe(201);
  const t0 = Date.now();
  const stack = await startLocalStack({ port: 0, fixtures: [], home });
  try {
    expect(stack.notes).toContainEqual(`${email}: weekly job failed: google: Daily Limit Exceeded`);
  } finally {
    await stack.close();
  }
  expect(Date.now() - t0).toBeLessThan(30_000);
  expect(await withLocalStore(home, (s) => loadAccount(s.repo, email))).toMatchObject({ status: "active" });
}, 60_000);
