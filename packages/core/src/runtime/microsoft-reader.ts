import type { AccountRecord } from "../accounts";
import { microsoftProvider } from "../microsoft";
import type { Composer } from "../mail";
import type { MailboxProvider } from "../providers";
import type { ProviderContext } from "./context";
import { microsoftOptions } from "./microsoft-options";

export { microsoftOptions } from "./microsoft-options";

/**
 * The Graph adapter of a stored Microsoft account (loads Graph's client only), drafting and sending
 * when given `composer` (./microsoft's microsoftFor), read-only without it.
 */
export function microsoftAdapter(account: AccountRecord, ctx: ProviderContext, composer?: Composer): MailboxProvider {
  return microsoftProvider(microsoftOptions(account, ctx, composer));
}

/** A read-only Graph adapter (a backfill's): this module never references the mail composer. */
export function microsoftReaderFor(account: AccountRecord, ctx: ProviderContext): MailboxProvider {
  return microsoftAdapter(account, ctx);
}
