import { type AccountRecord, refreshTokenOf } from "../accounts";
import type { MicrosoftProviderOptions } from "../microsoft/adapter";
import { microsoftAccountEndpoints } from "../oauth";
import type { Composer } from "../mail";
import type { ProviderContext } from "./context";

/**
 * The adapter options of a stored account (./microsoft-reader and ./microsoft-mailbox build on them):
 * a module of its own, so that the API's mailbox does not import the readers' module.
 */
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
