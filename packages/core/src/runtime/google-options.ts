import { type AccountRecord, refreshTokenOf } from "../accounts";
import { googleOAuthClient, type GoogleProviderOptions } from "../google/adapter";
import type { Composer } from "../mail";
import type { ProviderContext } from "./context";

/**
 * The adapter options of a stored account (./google-reader and ./google-mailbox build on them): a
 * module of its own, so that the API's mailbox does not import the readers' module.
 */
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
