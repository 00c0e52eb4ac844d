import { type AccountRecord, refreshTokenOf } from "../accounts";
import { googleOAuthClient, googleProvider, type GoogleProviderOptions } from "../google";
import type { Composer } from "../mail";
import type { MailboxProvider } from "../providers";
import type { ProviderContext } from "./context";

/**
 * The Gmail + Calendar adapter of a stored Google account (loads Google's clients only), drafting
 * and sending through `composer` when given (./google's googleFor), read-only without it.
 */
export function googleAdapter(account: AccountRecord, ctx: ProviderContext, composer?: Composer): MailboxProvider {
  return googleProvider(googleOptions(account, ctx, composer));
}

/** The adapter options of a stored account (./google-mailbox builds the API's adapter on them). */
export function googleOptions(account: AccountRecord, ctx: ProviderContext, composer?: Composer): GoogleProviderOptions {
  const refreshToken = refreshTokenOf(ctx.ring, account);
  const auth = googleOAuthClient({
    clientId: account.clientId,
    clientSecret: ctx.google?.clientSecret,
    refreshToken,
    tokenUrl: account.endpoints?.tokenUrl,
    ...(ctx.tuning?.requestTimeoutMs !== undefined ? { requestTimeoutMs: ctx.tuning.requestTimeoutMs } : {}),
  });
  return {
    owner: account,
    auth,
    rootUrl: account.endpoints?.apiUrl,
    clock: ctx.clock,
    concurrency: ctx.tuning?.concurrency,
    gmailConcurrency: ctx.tuning?.gmailConcurrency,
    gmailUnitsPerMinute: ctx.tuning?.gmailUnitsPerMinute,
    calendarPerMinute: ctx.tuning?.calendarPerMinute,
    quotaShare: ctx.tuning?.quotaShare,
    gmailPageSize: ctx.tuning?.pageSize,
    calendarPageSize: ctx.tuning?.pageSize,
    retry: ctx.retry,
    ...(ctx.tuning?.requestTimeoutMs !== undefined ? { requestTimeoutMs: ctx.tuning.requestTimeoutMs } : {}),
    ...(ctx.tuning?.wholeMailbox ? { wholeMailbox: true } : {}),
    composer,
  };
}

/** A read-only Google adapter (a backfill's): this module never references the mail composer. */
export function googleReaderFor(account: AccountRecord, ctx: ProviderContext): MailboxProvider {
  return googleAdapter(account, ctx);
}
