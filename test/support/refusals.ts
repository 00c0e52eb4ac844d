/**
 * What a test stack checks when it closes: that the sandbox refused none of our calls by the
 * providers' official contracts (SandboxState.refusals: 403 for a scope we do not hold, 400 for a
 * parameter the discovery document lacks, 500 for a route no official file lists). A call our code
 * tolerates being refused is still one the real provider refuses every time: until 2026-12-05 an
 * Outlook disconnect called Graph's revokeSignInSessions, which needs a permission we never request.
 * A file that withholds a permission on purpose passes `expected`.
 */
import type { RunningSandbox } from "@followthrough/sandbox";

export function checkNoRefusals(sandbox: RunningSandbox | undefined, o: { refusals?: "expected" } = {}): void {
  const refused = sandbox?.state.refusals ?? [];
  if (o.refusals === "expected" || refused.length === 0) return;
  const which = refused.slice(0, 5).map((r) => `${r.status} ${r.request} (${r.email}, holding ${r.scopes.join(" ") || "no scope"})`);
  throw new Error(`the sandbox refused ${refused.length} call(s) by the official contract, which our code never makes: ${which.join("; ")}`);
}
