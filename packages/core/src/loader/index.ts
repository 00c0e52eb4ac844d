/**
 * Loads one provider's adapter on demand. `import()` of a module of its own, so a bundler that
 * splits ESM (esbuild `splitting`, SST `nodejs.splitting`) puts each provider in a chunk of its own:
 * a Google account's run never loads or parses Graph's client, an Outlook account's never Google's.
 * (core/runtime's providerFor imports both, for the CLI and tests.) These adapters draft and send
 * (their mail composer, core/composer, is a chunk of its own); a backfill loads read-only ones
 * through core/loader/reader instead, whose bundle holds no composer.
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

/** How a handler's deps load an account's adapter: {@link loadProvider}, or core/loader/reader's `loadReader`. */
export type ProviderLoader = (account: AccountRecord, ctx: ProviderContext) => Promise<MailboxProvider>;

/** The adapter of a stored account, loading only its provider's clients. */
export async function loadProvider(account: AccountRecord, ctx: ProviderContext): Promise<MailboxProvider> {
  return (await loadProviderFactory(account.provider))(account, ctx);
}
