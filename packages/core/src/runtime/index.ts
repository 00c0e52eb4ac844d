import type { AccountRecord } from "../accounts";
import type { MailboxProvider } from "../providers";
import type { ProviderContext } from "./context";
import { googleFor } from "./google";
import { microsoftFor } from "./microsoft";

export type { ProviderContext } from "./context";
export { googleFor } from "./google";
export { microsoftFor } from "./microsoft";

/**
 * Builds the provider adapter of a stored account: the one place that turns configuration into
 * clients. This entry loads both providers' clients; a Lambda handler uses core/loader instead,
 * which loads only the account's provider (its own chunk in a split bundle).
 */
export function providerFor(account: AccountRecord, ctx: ProviderContext): MailboxProvider {
  return account.provider === "google" ? googleFor(account, ctx) : microsoftFor(account, ctx);
}
