import { type AccountRecord, refreshTokenOf } from "../accounts";
import { microsoftProvider, type MicrosoftProviderOptions } from "../microsoft";
import { microsoftAccountEndpoints } from "../oauth";
import type { Composer } from "../mail";
import type { MailboxProvider } from "../providers";
import type { ProviderContext } from "./context";

/**
 * The Graph adapter of a stored Microsoft account (loads Graph's client only), drafting and sending
 * when given `composer` (./microsoft's microsoftFor), read-only without it.
 */
export function microsoftAdapter(account: AccountRecord, ctx: ProviderContext, composer?: Composer): MailboxProvider {
  return microsoftProvider(microsoftOptions(account, ctx, composer));
}

/** The adapter options of a stored account (./microsoft-mailbox builds the API's adapter on them). */
export function microsoftOptions(account: AccountRecord, ctx: ProviderContext, composer?: Composer): MicrosoftProviderOptions {
  const refreshToken = refreshTokenOf(ctx.ring, account);
  return {
    owner: account,
    oauth: {
      clientId: account.clientId,
      clientSecret: ctx.microsoft?.clientSecret,
      endpoints: microsoftAccountEndpoints(account.endpoints, account.identity),
    },
    refreshToken,
    onRefreshToken: ctx.microsoft?.onRefreshToken,
    grantedScopes: account.scopes,
    baseUrl: account.endpoints?.apiUrl,
    fetchOptions: ctx.microsoft?.fetchOptions,
    clock: ctx.clock,
    requestsPer10Minutes: ctx.tuning?.graphPer10Minutes,
    quotaShare: ctx.tuning?.quotaShare,
    pageSize: ctx.tuning?.pageSize,
    retry: ctx.retry,
    ...(ctx.tuning?.requestTimeoutMs !== undefined ? { requestTimeoutMs: ctx.tuning.requestTimeoutMs } : {}),
    composer,
  };
}

/** A read-only Graph adapter (a backfill's): this module never references the mail composer. */
export function microsoftReaderFor(account: AccountRecord, ctx: ProviderContext): MailboxProvider {
  return microsoftAdapter(account, ctx);
}
