import type { ClientOptions } from "@microsoft/microsoft-graph-client";
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
    /** Gmail: read the owner's mail as the scan contract reads a fixture (core/google GoogleProviderOptions.wholeMailbox). */
    wholeMailbox?: boolean;
    /** How long one provider request may go unanswered (core/limits PROVIDER_REQUEST_TIMEOUT_MS by default). */
    requestTimeoutMs?: number;
  };
  /** Retry policy of the adapters (tests use short pauses). */
  retry?: Partial<RetryOptions>;
}
