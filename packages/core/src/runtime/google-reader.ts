import type { AccountRecord } from "../accounts";
import { googleProvider } from "../google";
import type { Composer } from "../mail";
import type { MailboxProvider } from "../providers";
import type { ProviderContext } from "./context";
import { googleOptions } from "./google-options";

export { googleOptions } from "./google-options";

/**
 * The Gmail + Calendar adapter of a stored Google account (loads Google's clients only), drafting
 * and sending through `composer` when given (./google's googleFor), read-only without it.
 */
export function googleAdapter(account: AccountRecord, ctx: ProviderContext, composer?: Composer): MailboxProvider {
  return googleProvider(googleOptions(account, ctx, composer));
}

/** A read-only Google adapter (a backfill's): this module never references the mail composer. */
export function googleReaderFor(account: AccountRecord, ctx: ProviderContext): MailboxProvider {
  return googleAdapter(account, ctx);
}
