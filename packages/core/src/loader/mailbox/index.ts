/**
 * Loads one provider's adapter without its readers, on demand: the profile, drafts and sends, what
 * the API uses (a connect's profile, a draft tap), which never syncs. Like core/loader, one chunk per
 * provider; unlike it, neither entry references the sync streams or their mappers (./sent,
 * ./calendar, ./streams, ./map and the HTML decoder of event platforms), so a bundle that loads its
 * adapters here does not hold them. Their readers fail if asked (core/providers NO_READERS).
 */
import type { AccountRecord } from "../../accounts";
import type { MailboxProvider } from "../../providers";
import type { ProviderContext } from "../../runtime/context";

/** The reader-less adapter of a stored account, loading only its provider's clients. */
export async function loadMailbox(account: AccountRecord, ctx: ProviderContext): Promise<MailboxProvider> {
  if (account.provider === "google") return (await import("../../runtime/google-mailbox")).googleMailboxFor(account, ctx);
  return (await import("../../runtime/microsoft-mailbox")).microsoftMailboxFor(account, ctx);
}
