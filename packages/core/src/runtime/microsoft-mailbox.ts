import type { AccountRecord } from "../accounts";
import { loadComposer } from "../composer";
import { microsoftMailbox } from "../microsoft/adapter";
import type { MailboxProvider } from "../providers";
import type { ProviderContext } from "./context";
import { microsoftOptions } from "./microsoft-options";

/** The Graph adapter of a stored account without its readers: its profile, drafts and sends (core/loader/mailbox). */
export function microsoftMailboxFor(account: AccountRecord, ctx: ProviderContext): MailboxProvider {
  return microsoftMailbox(microsoftOptions(account, ctx, loadComposer));
}
