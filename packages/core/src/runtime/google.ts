import type { AccountRecord } from "../accounts";
import { loadComposer } from "../composer";
import type { MailboxProvider } from "../providers";
import type { ProviderContext } from "./context";
import { googleAdapter } from "./google-reader";

/** The Gmail + Calendar adapter of a stored Google account (loads Google's clients only), drafts and sends included. */
export function googleFor(account: AccountRecord, ctx: ProviderContext): MailboxProvider {
  return googleAdapter(account, ctx, loadComposer);
}
