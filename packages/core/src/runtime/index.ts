import { type AccountRecord, refreshTokenOf } from "../accounts";
import type { ClientOptions } from "@microsoft/microsoft-graph-client";
import { googleOAuthClient, googleProvider } from "../google";
import { microsoftProvider } from "../microsoft";
import { microsoftEndpoints } from "../oauth";
import type { MailboxProvider } from "../providers";
import type { Clock, RetryOptions } from "../resilience";
import type { Keyring } from "../secrets";

/** Everything an adapter needs besides the account: keys, client secrets, and knobs. */
export interface ProviderContext {
  ring: Keyring;
  google?: { clientSecret?: string };
  microsoft?: { clientSecret?: string; onRefreshToken?: (token: string) => Promise<void>; fetchOptions?: ClientOptions["fetchOptions"] };
  clock?: Clock;
  /**
   * Page sizes, concurrency and the provider limits to pace under (tests use small pages; a sandbox
   * with small quotas tells the adapters its limits here). Limits default to the documented ones.
   */
  tuning?: {
    pageSize?: number;
    concurrency?: number;
    quotaShare?: number;
    gmailConcurrency?: number;
    gmailUnitsPerMinute?: number;
    calendarPerMinute?: number;
    graphPer10Minutes?: number;
  };
  /** Retry policy of the adapters (tests use short pauses). */
  retry?: Partial<RetryOptions>;
}

/** Builds the provider adapter of a stored account: the one place that turns configuration into clients. */
export function providerFor(account: AccountRecord, ctx: ProviderContext): MailboxProvider {
  const refreshToken = refreshTokenOf(ctx.ring, account);
  if (account.provider === "google") {
    const auth = googleOAuthClient({
      clientId: account.clientId,
      clientSecret: ctx.google?.clientSecret,
      refreshToken,
      tokenUrl: account.endpoints?.tokenUrl,
    });
    return googleProvider({
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
    });
  }
  return microsoftProvider({
    owner: account,
    oauth: {
      clientId: account.clientId,
      clientSecret: ctx.microsoft?.clientSecret,
      endpoints: account.endpoints?.tokenUrl
        ? { tokenUrl: account.endpoints.tokenUrl, authorizeUrl: account.endpoints.authorizeUrl ?? account.endpoints.tokenUrl }
        : microsoftEndpoints(),
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
  });
}
