/**
 * Loads one provider's read-only adapter on demand (core/loader's, without a mail composer): what a
 * backfill uses, which reads and never drafts or sends. Neither this module nor the reader entries
 * it imports reference core/composer, so a bundle split by esbuild from a handler that loads its
 * adapters here holds no nodemailer chunk at all. createDraft and send of these adapters throw.
 */
import type { AccountRecord } from "../../accounts";
import type { MailboxProvider } from "../../providers";
import type { ProviderContext } from "../../runtime/context";

/** The read-only adapter of a stored account, loading only its provider's clients. */
export async function loadReader(account: AccountRecord, ctx: ProviderContext): Promise<MailboxProvider> {
  if (account.provider === "google") return (await import("../../runtime/google-reader")).googleReaderFor(account, ctx);
  return (await import("../../runtime/microsoft-reader")).microsoftReaderFor(account, ctx);
}
