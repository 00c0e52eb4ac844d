/**
 * `followthrough start` with a persistent store (`--home`) whose account's grant is refused: the
 * account is marked as the service marks it (its reason kept) and the note says why and who must act,
 * as the reconnect notice does (helper-138 #8: it said "revoked or has expired" of a Workspace policy).
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
  home = mkdtempSync(join(tmpdir(), "ft-start-revoked-"));
}, 60_000);
afterAll(async () => {
  await checkThenClose(sandbox, async () => {
    await sandbox?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });
});

it("a Workspace administrator's policy refusing the refresh: marked needs_reconnect with its reason, and the note says who must act", async () => {
  const email = google.account.email;
  await withLocalStore(home, (s) => connectSandboxAccount(sandbox, google.account, s.repo, s.ring), { create: true });
  const refused = await fetch(`${sandbox.url}/_control/accounts/${encodeURIComponent(email)}/refresh-error`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ kind: "admin-policy" }) });
  expect(refused.status).toBe(200);
  const stack = await startLocalStack({ port: 0, fixtures: [], home });
  try {
    expect(stack.notes).toContainEqual(expect.stringMatching(/no longer allows Followthrough to read .+ Ask them to allow it .+ Run followthrough connect google again once that has changed\.$/));
  } finally {
    await stack.close();
  }
  const stored = await withLocalStore(home, (s) => loadAccount(s.repo, email));
  expect(stored).toMatchObject({ status: "needs_reconnect", reconnectReason: "admin_policy_enforced" });
}, 120_000);
