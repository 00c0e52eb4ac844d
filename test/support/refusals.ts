/**
 * What a test stack checks when it closes: that the sandbox refused none of our calls by the
 * providers' contracts (SandboxState.refusals: 403 for a scope we do not hold, 400 for a parameter
 * the discovery document lacks or a malformed request, 500 for a route no official file lists, 404
 * for an API path the sandbox has no route for, an OAuth request that breaks the protocol). A call our code tolerates being refused is still
 * one the real provider refuses every time: until 2026-12-05 an Outlook disconnect called Graph's
 * revokeSignInSessions, which needs a permission we never request. A test that withholds a
 * permission on purpose asserts the refusals it caused and takes them off the list
 * (`sandbox.state.refusals.splice(0)`), so that any other still fails the file.
 *
 * Closed inside a test (a harness a test closes in its `finally`), the refusals fail that test
 * softly (`expect.soft`): a test that failed for itself reports its own error and the refusals
 * both, where a throw from its `finally` had replaced its error with the refusals'. Closed in a hook
 * (`afterAll`), they are thrown, which fails the file. (The current test is vitest's one current
 * test: no test of the suite that closes a stack runs concurrently with another.)
 */
import type { RunningSandbox } from "@followthrough/sandbox";
import { expect, TestRunner } from "vitest";

function refusalsFound(sandbox: RunningSandbox | undefined): string | undefined {
  const refused = sandbox?.state.refusals ?? [];
  if (refused.length === 0) return undefined;
  const which = refused.slice(0, 5).map((r) => `${r.status} ${r.request} (${r.email ? `${r.email}, holding ${r.scopes.join(" ") || "no scope"}` : "no grant read"})`);
  return `the sandbox refused ${refused.length} call(s) by the official contract, which our code never makes: ${which.join("; ")}`;
}

/**
 * A stack's close: the check first, then `teardown` whatever it found, and its error after. Every
 * test stack closes this way, so a teardown that fails cannot skip the check.
 */
export async function checkThenClose(sandbox: RunningSandbox | undefined, teardown: () => unknown): Promise<void> {
  const found = refusalsFound(sandbox);
  try {
    if (found && TestRunner.getCurrentTest()) expect.soft(sandbox!.state.refusals.length, found).toBe(0);
    else if (found) throw new Error(found);
  } finally {
    await teardown();
  }
}
