import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The project root. */
export const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** `../shared/fixtures` beside the clone, when present (CI has it; a plain clone may not). */
export const sharedFixturesDir = resolve(root, "../shared/fixtures");

/** True when the public labelled samples are available. */
export const haveShared = existsSync(join(sharedFixturesDir, "google-founder", "account.json"));

/** Reason printed by suites that skip without ../shared. */
export const sharedSkipReason = `../shared/fixtures not found beside the project (${sharedFixturesDir}): skipping tests of the public sample mailboxes`;

/**
 * {@link haveShared}, saying once per test file why its tests of the public samples skip when they
 * do: only files that ask, where until 2026-12-06 every file importing this module said it
 * (helper-237 #6).
 */
let said = false;
export function sharedPresent(): boolean {
  if (!haveShared && !said) {
    said = true;
    console.warn(sharedSkipReason);
  }
  return haveShared;
}

/** Path of a public sample mailbox (google-founder, outlook-consultant). */
export const sharedFixture = (name: string) => join(sharedFixturesDir, name);

/** Path of one of the project's own fixtures (fixtures/<name>). */
export const ownFixture = (name: string) => join(root, "fixtures", name);
