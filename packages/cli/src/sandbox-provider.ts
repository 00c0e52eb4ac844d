import { type AccountRecord, rotateRefreshToken } from "@followthrough/core/accounts";
import type { MailboxProvider } from "@followthrough/core/providers";
import { type ProviderContext, providerFor } from "@followthrough/core/runtime";
import type { Keyring } from "@followthrough/core/secrets";
import type { Repository } from "@followthrough/core/storage";
import { type AccountInfo, type RunningSandbox, sandboxAgent } from "@followthrough/sandbox";
import { connectSandboxAccount, type SandboxConsentOptions } from "./sandbox-consent";

/** A sandbox account connected and stored, and the provider adapter that reads it. */
export interface SandboxConnection {
  /** The stored account as of now (Microsoft rotates the refresh token on every use). */
  account(): AccountRecord;
  provider: MailboxProvider;
  /**
   * A provider for the same connection read as `as` says (a changed time zone, as after a
   * reconnect); built as `provider` was, with `retry` over its retry policy (a caller's own budget:
   * an API request's, a queued job's).
   */
  providerAs(as: Partial<Pick<AccountRecord, "timeZone" | "aliases">>, retry?: ProviderContext["retry"]): MailboxProvider;
}

/**
 * Connects a sandbox account through the OAuth consent path and builds its provider as production
 * does: Graph over the sandbox's HTTPS listener (trusting its certificate), rotated Microsoft
 * refresh tokens stored back. `ctx` adds knobs (page sizes, retry policy, clock).
 */
export async function connectSandboxProvider(
  sandbox: RunningSandbox,
  info: AccountInfo,
  repo: Repository,
  ring: Keyring,
  ctx: Omit<ProviderContext, "ring" | "microsoft"> = {},
  consent: SandboxConsentOptions = {},
): Promise<SandboxConnection> {
  let account = await connectSandboxAccount(sandbox, info, repo, ring, consent);
  const build = (acc: AccountRecord, retry?: ProviderContext["retry"]) =>
    providerFor(acc, {
      ...ctx,
      ...(retry ? { retry: { ...ctx.retry, ...retry } } : {}),
      ring,
      microsoft: {
        ...(sandbox.ca ? { fetchOptions: { agent: sandboxAgent(sandbox.ca) } as never } : {}),
        onRefreshToken: async (token) => void (account = await rotateRefreshToken(repo, ring, account, token)),
      },
    });
  return { account: () => account, provider: build(account), providerAs: (as, retry) => build({ ...account, ...as }, retry) };
}
