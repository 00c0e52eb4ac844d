/**
 * Loads one provider's adapter on demand. `import()` of a module of its own, so a bundler that
 * splits ESM (esbuild `splitting`, SST `nodejs.splitting`) puts each provider in a chunk of its own:
 * a Google account's run never loads or parses Graph's client, an Outlook account's never Google's.
 * (core/runtime's providerFor imports both, for the CLI and tests.)
 */
import type { AccountRecord } from "../accounts";
import type { MailboxProvider } from "../providers";
import type { ProviderContext } from "../runtime/context";

export type { ProviderContext } from "../runtime/context";

/** Builds a provider adapter once its module is loaded. */
export type ProviderFactory = (account: AccountRecord, ctx: ProviderContext) => MailboxProvider;

/** The adapter factory of one provider, loading only that provider's clients. */
export async function loadProviderFactory(provider: AccountRecord["provider"]): Promise<ProviderFactory> {
  if (provider === "google") return (await import("../runtime/google")).googleFor;
  return (await import("../runtime/microsoft")).microsoftFor;
}

/** The adapter of a stored account, loading only its provider's clients. */
export async function loadProvider(account: AccountRecord, ctx: ProviderContext): Promise<MailboxProvider> {
  return (await loadProviderFactory(account.provider))(account, ctx);
}
