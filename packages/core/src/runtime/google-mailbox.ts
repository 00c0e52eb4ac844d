import type { AccountRecord } from "../accounts";
import { loadComposer } from "../composer";
import { googleMailbox } from "../google/adapter";
import type { MailboxProvider } from "../providers";
import type { ProviderContext } from "./context";
import { googleOptions } from "./google-options";

/** The Google adapter of a stored account without its readers: its profile, drafts and sends (core/loader/mailbox). */
export function googleMailboxFor(account: AccountRecord, ctx: ProviderContext): MailboxProvider {
  return googleMailbox(googleOptions(account, ctx, loadComposer));
}
