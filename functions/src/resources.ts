/**
 * The one place that reads SST's `Resource` and turns configuration into adapters. Handlers call
 * {@link resourceDeps}; tests and local runs call {@link buildDeps} with local endpoints, an
 * in-memory queue and the sandbox. Core never imports "sst".
 */
import { DynamoDBClient, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { lazySqsSender } from "./sqs";
import { linked, linkKeyOf, need } from "./linked";
import { type AccountRecord, rotateRefreshToken } from "@followthrough/core/accounts";
import type { ConnectClient } from "@followthrough/core/connect";
import { API_REQUEST_TIMEOUT_MS, API_RETRY_BUDGET_MS } from "@followthrough/core/limits";
import { type RevokedHandler, revokedHandler } from "@followthrough/core/dispatch";
import { googleEndpoints, microsoftEndpoints } from "@followthrough/core/oauth";
import type { MailboxProvider } from "@followthrough/core/providers";
import type { QueueSender } from "@followthrough/core/queue";
import type { SystemMailer } from "@followthrough/core/reconnect";
import type { ProviderContext, ProviderLoader } from "@followthrough/core/loader";
import { loadMailbox } from "@followthrough/core/loader/mailbox";
import { type Keyring, parseKeyring } from "@followthrough/core/secrets";
import { Repository } from "@followthrough/core/storage";
import type { AppDeps } from "./app";
import { lazySesMailer } from "./ses";

/** Everything the handlers may need; each handler's function links only what it uses. */
export interface DepsConfig {
  tableName: string;
  /** A ready document client (tests: the local DynamoDB's); else one is built from `dynamo`. */
  doc?: DynamoDBDocumentClient;
  /** Client config when `doc` is absent (the Lambda's region and role by default). */
  dynamo?: DynamoDBClientConfig;
  /** `kid:base64key[,…]`, the first current, or a parsed keyring. */
  tokenKeyring?: string | Keyring;
  linkKey?: string;
  /** Public origin of the app: the base of links in digests and reconnect emails. */
  baseUrl?: string;
  /** OAuth clients (id, secret, endpoints). */
  oauth?: { google?: ConnectClient; microsoft?: ConnectClient };
  /** Where the dispatcher sends due accounts. */
  digests?: QueueSender;
  /** Where the API asks for a first scan after a connect. */
  backfills?: QueueSender;
  /** Mail from the service itself (the reconnect email); without it a revoked grant only sets the status. */
  notify?: SystemMailer;
  now?: () => number;
  /**
   * How an account's adapter is loaded: core/loader/mailbox's `loadMailbox` for the API (a profile,
   * drafts and sends; no readers in its bundle), core/loader's `loadProvider` where deps scan (tests).
   */
  loader: ProviderLoader;
  /** Adapter knobs (page sizes, retry policy, clock) and Graph fetch options (the sandbox's TLS trust). */
  provider?: Pick<ProviderContext, "tuning" | "retry" | "clock"> & { microsoftFetchOptions?: NonNullable<ProviderContext["microsoft"]>["fetchOptions"] };
}

/** The adapters built from a {@link DepsConfig}. */
export interface Deps {
  repo: Repository;
  now: () => number;
  /**
   * The provider adapter of a stored account (Microsoft's rotated refresh tokens are stored back).
   * Its provider's module is imported on first use (core/loader): the API's static graph holds no
   * provider SDK, and a request that needs none (a settings page) never loads one.
   */
  providerFor(account: AccountRecord): Promise<MailboxProvider>;
  /** What a job does when the grant is gone. */
  onRevoked: RevokedHandler;
  ring?: Keyring;
  linkKey?: string;
  baseUrl?: string;
  oauth: { google?: ConnectClient; microsoft?: ConnectClient };
  digests?: QueueSender;
  backfills?: QueueSender;
  config: DepsConfig;
}

export { need } from "./linked";

/** Builds the adapters; nothing here talks to the network until used. */
export function buildDeps(config: DepsConfig): Deps {
  const doc = config.doc ?? DynamoDBDocumentClient.from(new DynamoDBClient(config.dynamo ?? {}), { marshallOptions: { removeUndefinedValues: true } });
  const repo = new Repository(doc, config.tableName);
  const ring = typeof config.tokenKeyring === "string" ? parseKeyring(config.tokenKeyring) : config.tokenKeyring;
  const oauth = config.oauth ?? {};
  const now = config.now ?? Date.now;
  const knobs = config.provider ?? {};
  const { notify, baseUrl } = config;
  const onRevoked = revokedHandler(notify, baseUrl, config.linkKey);
  return {
    repo,
    now,
    ring,
    linkKey: config.linkKey,
    baseUrl,
    oauth,
    digests: config.digests,
    backfills: config.backfills,
    onRevoked,
    config,
    providerFor(account) {
      let current = account;
      return config.loader(account, {
        ring: need(ring, "TokenKeyring"),
        tuning: knobs.tuning,
        retry: knobs.retry,
        clock: knobs.clock,
        google: { clientSecret: oauth.google?.clientSecret },
        microsoft: {
          clientSecret: oauth.microsoft?.clientSecret,
          fetchOptions: knobs.microsoftFetchOptions,
          onRefreshToken: async (token) => void (current = await rotateRefreshToken(repo, need(ring, "TokenKeyring"), current, token)),
        },
      });
    },
  };
}

/** The Hono app's dependencies (connect flow included) from the built adapters. */
export function appDeps(deps: Deps, baseUrl = deps.baseUrl): AppDeps {
  const backfills = deps.backfills;
  return {
    repo: deps.repo,
    linkKey: need(deps.linkKey, "LinkSigningKey"),
    baseUrl: need(baseUrl, "the app's base URL"),
    now: deps.now,
    providerFor: (a) => deps.providerFor(a),
    oauth: deps.oauth,
    ring: deps.ring,
    enqueueBackfill: backfills
      ? async (email) => {
          const { failed } = await backfills.sendBatch([email.toLowerCase()]);
          if (failed.length) throw new Error(`backfill of ${email} was not queued`);
        }
      : undefined,
    ...(deps.config.notify ? { notify: deps.config.notify } : {}),
  };
}


/** The configuration of this Lambda from what its function links. */
export function resourceConfig(): DepsConfig {
  const queue = (name: "Digests" | "Backfills") => {
    const q = linked(name);
    return q ? lazySqsSender(q.url) : undefined;
  };
  const client = (id: "GoogleClientId" | "MicrosoftClientId", secret: "GoogleClientSecret" | "MicrosoftClientSecret", endpoints: ConnectClient["endpoints"]) => {
    const clientId = linked(id)?.value;
    return isConfiguredClient(clientId) ? { clientId: clientId!, clientSecret: linked(secret)?.value, endpoints } : undefined;
  };
  return {
    tableName: need(linked("Table")?.name, "Table"),
    tokenKeyring: linked("TokenKeyring")?.value,
    linkKey: linkKeyOf(),
    baseUrl: linked("Api")?.url,
    oauth: {
      google: client("GoogleClientId", "GoogleClientSecret", googleEndpoints()),
      microsoft: client("MicrosoftClientId", "MicrosoftClientSecret", microsoftEndpoints()),
    },
    digests: queue("Digests"),
    backfills: queue("Backfills"),
    loader: loadMailbox,
    // A person waits on each request: a provider's long Retry-After is answered, not waited out.
    provider: { retry: { budgetMs: API_RETRY_BUDGET_MS }, tuning: { requestTimeoutMs: API_REQUEST_TIMEOUT_MS } },
    // SQS's client is imported on first use (its own chunk): most requests need none. SES's too
    // (functions/src/ses.ts): the API mails only the link that confirms moving an account to the
    // other provider (core/connect offerMove); a revoked grant found by the first backfill is the
    // backfill worker's to announce.
    ...(linked("Notices") ? { notify: lazySesMailer(linked("Notices")!.sender) } : {}),
  };
}

let cached: Deps | undefined;

/** The deps of this Lambda instance, built on first use (not at import: importing a handler stays side-effect free). */
export function resourceDeps(): Deps {
  return (cached ??= buildDeps(resourceConfig()));
}

/**
 * A client ID that names a real OAuth client: not empty and not the `placeholder` docs/deploy.md
 * sets on the first deploy. A provider left at the placeholder (a Google-only deployment) is not
 * offered on /connect or /settings, instead of a button that fails at the provider.
 */
export function isConfiguredClient(clientId: string | undefined): boolean {
  const v = clientId?.trim();
  return !!v && v.toLowerCase() !== "placeholder";
}
