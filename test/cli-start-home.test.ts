/**
 * `followthrough start` with a persistent store (`--home`) holding a connected account: its link key
 * file is checked as FOLLOWTHROUGH_LINK_KEY is (an emptied one sealed every link with an empty key),
 * and a start that fails once the store is open gives the store back (its lock) rather than holding
 * it until the process ends (helper-172).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { listAccounts } from "@followthrough/core/accounts";
import { loadFixture, type RunningSandbox, startSandbox } from "@followthrough/sandbox";
import { UsageError } from "../packages/cli/src/errors";
import { newKeyringSpec, withLocalStore } from "../packages/cli/src/local-store";
import { connectSandboxAccount } from "../packages/cli/src/sandbox-consent";
import { startLocalStack } from "../packages/cli/src/start";
import { ownFixture } from "./support/fixtures";
import { checkThenClose } from "./support/refusals";

const google = loadFixture(ownFixture("demo-google"));
let sandbox: RunningSandbox;
let home: string;
beforeAll(async () => {
  sandbox = await startSandbox({ fixtures: [google], https: true });
  home = mkdtempSync(join(tmpdir(), "ft-start-home-"));
  await withLocalStore(home, (s) => connectSandboxAccount(sandbox, google.account, s.repo, s.ring), { create: true });
}, 60_000);
afterAll(async () => {
  await checkThenClose(sandbox, async () => {
    await sandbox?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });
});
afterEach(() => rmSync(join(home, "link-key"), { recursive: true, force: true }));

it.each([
  ["empty", ""],
  ["cut short", "abc123\n"],
])("a link key file that is %s is refused in one line naming it, and the store is given back", async (_, text) => {
  writeFileSync(join(home, "link-key"), text, { mode: 0o600 });
  // Said before anything starts (helper-178 #6): a mailbox folder that is not there is not even read.
  const started = startLocalStack({ port: 0, fixtures: [join(home, "no-such-mailbox")], home });
  await expect(started).rejects.toThrow(UsageError);
  await expect(started).rejects.toThrow(/^the link key .*link-key holds fewer than 16 characters: delete it to have a new one made/);
  // The store opens again in this process: the failed start did not keep its lock.
  expect((await withLocalStore(home, (s) => listAccounts(s.repo), { create: false })).map((a) => a.email)).toEqual([google.account.email]);
}, 120_000);

it("a link key that cannot be read (a folder in its place) is refused naming it and why", async () => {
  mkdirSync(join(home, "link-key"));
  await expect(startLocalStack({ port: 0, fixtures: [], home })).rejects.toThrow(/^cannot read the link key .*link-key \(EISDIR\)$/);
  expect(await withLocalStore(home, (s) => listAccounts(s.repo), { create: false })).toHaveLength(1);
}, 120_000);

it("a keyring that does not open the stored token (lost, replaced): a note for that account, the demo and the store unharmed (helper-258 #3)", async () => {
  const ringFile = join(home, "keyring");
  const original = readFileSync(ringFile, "utf8");
  writeFileSync(ringFile, `${newKeyringSpec()}\n`, { mode: 0o600 });
  try {
    // The whole start stopped on "Unsupported state or unable to authenticate data", exit 1.
    const stack = await startLocalStack({ port: 0, fixtures: [], home });
    try {
      expect(stack.realAccounts).toEqual([]);
      expect(stack.notes).toContainEqual(
        expect.stringMatching(new RegExp(`^${google.account.email.replace(/\./g, "\\.")}: its stored token cannot be unsealed with .*keyring \\(.*\\): put back the keyring it was sealed with, or run followthrough connect google again; weekly job skipped$`)),
      );
    } finally {
      await stack.close();
    }
  } finally {
    writeFileSync(ringFile, original, { mode: 0o600 });
  }
  // Nothing was changed: the keyring put back opens the account as before.
  const [stored] = await withLocalStore(home, (s) => listAccounts(s.repo), { create: false });
  expect(stored).toMatchObject({ email: google.account.email, status: "active" });
}, 120_000);
