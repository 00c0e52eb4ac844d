import type { AccountRecord } from "../accounts";
import { loadComposer } from "../composer";
import type { MailboxProvider } from "../providers";
import type { ProviderContext } from "./context";
import { microsoftAdapter } from "./microsoft-reader";

/** The Graph adapter of a stored Microsoft account (loads Graph's client only), drafts and sends included. */
export function microsoftFor(account: AccountRecord, ctx: ProviderContext): MailboxProvider {
  return microsoftAdapter(account, ctx, loadComposer);
}
