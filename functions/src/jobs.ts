/**
 * The dependencies of the queue workers (weekly digest, backfill), built from what the function
 * links. Only DynamoDB's client is built up front: the account's provider adapter is loaded on
 * demand by the loader the handler passes (core/loader's loadProvider for the weekly worker,
 * core/loader/reader's read-only loadReader for the backfill, whose bundle then holds no mail
 * composer; a chunk of its own per provider in the split bundle), and SES and SQS are imported
 * the first time they are used (a revoked grant's notice, a backfill's continuation).
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { type AccountRecord, rotateRefreshToken } from "@followthrough/core/accounts";
import { type RevokedHandler, revokedHandler } from "@followthrough/core/dispatch";
import type { ProviderLoader } from "@followthrough/core/loader";
import type { MailboxProvider } from "@followthrough/core/providers";
import type { QueueSender } from "@followthrough/core/queue";
import { JOB_RETRY_BUDGET_MS } from "@followthrough/core/limits";
import { ProviderError } from "@followthrough/core/resilience";
import { parseKeyring } from "@followthrough/core/secrets";
import { Repository } from "@followthrough/core/storage";
import { linked, linkKeyOf, need } from "./linked";
import { lazySesMailer } from "./ses";
import { lazySqsSender } from "./sqs";

export { lazySesMailer } from "./ses";
export { lazySqsSender } from "./sqs";

/**
 * How long a record that found the account's lease held (a weekly chain, a first backfill, an event
 * job) waits before it is received again: sent back with this delay rather than failed into the
 * queue's 30-minute retries and, after three, its dead-letter queue, which a holder running for an
 * hour (a chain at Monday 08:00, the default digest slot and the event emails' hour) would reach.
 * Each kind ends on its own: an event email once its event is past (core/eventmail), a weekly record
 * as a continuation of its week's slot, dropped a day after it, a backfill once its read is done.
 */
export const BUSY_DELAY_S = 120;

/**
 * How a continuation (a read cut short by the time limit) is sent on: for a Google account, a minute
 * later. The adapter's quota pacer (core/resilience Pacer) lives in the invocation and the next one
 * starts it empty, while Gmail still counts what the run before spent in its last minute (a per-user
 * rate over a sliding window, developers.google.com/gmail/api/reference/quota; the sandbox's model,
 * docs/sandbox.md): without the wait, the new run could spend up to its whole budget again inside
 * that minute and meet 429s. SQS holds the message (DelaySeconds); no function runs meanwhile.
 * Graph's limits are over 10 minutes and far beyond a year's reads (docs/benchmarks.md (4)).
 */
export const continuationSend = (provider: string | undefined): { delaySeconds: number } | undefined => (provider === "google" ? { delaySeconds: 60 } : undefined);

/** SQS's longest message delay (DelaySeconds, 0 to 900 seconds). */
export const SQS_MAX_DELAY_S = 900;

/**
 * The instant before which the provider is not to be asked again, when `e` is a rate-limited refusal
 * whose wait is longer than a job's call may wait in its retries (JOB_RETRY_BUDGET_MS, which gave it
 * up at once: Google's daily limit, until midnight Pacific Time, core/google untilGoogleQuotaReset;
 * a long Retry-After of Graph or Gmail), or a service unavailable for now that names such a wait (a
 * 503 with a Retry-After: learn.microsoft.com/graph/errors, "503 Service Unavailable ... may include a
 * Retry-After header"; developers.google.com/gmail/api/guides/handle-errors, backend errors); undefined
 * for any other error. The wait runs from `now` (the handler's clock; the adapter read it on its own,
 * the same in Lambda).
 */
export function refusedUntil(e: unknown, now: number, account: string): number | undefined {
  if (!(e instanceof ProviderError) || (e.kind !== "rate-limited" && e.kind !== "temporary") || e.retryAfterMs === undefined || e.retryAfterMs <= JOB_RETRY_BUDGET_MS) return undefined;
  const wait = Math.min(e.retryAfterMs, LONGEST_WAIT_MS);
  return now + wait + (wait >= SPREAD_WAITS_FROM_MS ? wakeOffsetMs(account) : 0);
}

/**
 * How far past the end of a long wait each account's job looks again: a share of
 * {@link WAKE_SPREAD_MS} in whole seconds, the same for an account every time and spread evenly over
 * accounts (FNV-1a of its address). Google's daily limit is the whole project's, so every Google
 * account whose job met it waits for the same midnight Pacific Time; without the spread all of them
 * would read at that instant, a burst against the project's per-minute quota, the table and the
 * functions' concurrency at once (developers.google.com/workspace/guides/quota-overview: the
 * per-minute and per-day quotas are per project). Waits under an hour (a Retry-After of minutes, a
 * late reset's quarter hour: core/google GOOGLE_LATE_RESET_WAIT_MS) are one account's and end as named.
 */
export function wakeOffsetMs(account: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < account.length; i++) h = Math.imul(h ^ account.charCodeAt(i), 0x01000193);
  return ((h >>> 0) % (WAKE_SPREAD_MS / 1000)) * 1000;
}

/** The spread of {@link wakeOffsetMs}: within the first hour after a reset, whose refusal waits a quarter hour only. */
export const WAKE_SPREAD_MS = 10 * 60_000;

/** The shortest wait {@link refusedUntil} spreads over accounts. */
const SPREAD_WAITS_FROM_MS = 60 * 60_000;

/**
 * The longest wait {@link refusedUntil} names: past every chain's bound (a weekly chain's day, a
 * backfill's two days), so a longer one stops a chain just as it would, and an instant a Date can
 * still hold for the logs (a Retry-After of 10^14 seconds was "Invalid time value", the record failed).
 */
const LONGEST_WAIT_MS = 7 * 86_400_000;

/**
 * How a link that must not ask the provider before `notBefore` is sent on: delayed by the rest of
 * the wait in whole seconds (rounded up, so it never arrives early), at most SQS's 900. A wait longer
 * than that is a chain of such links, each received, seen early and sent on again without the lease,
 * the account or the provider (the workers' `notBefore` check).
 */
export const waitSend = (notBefore: number, now: number): { delaySeconds: number } => ({ delaySeconds: Math.min(SQS_MAX_DELAY_S, Math.max(1, Math.ceil((notBefore - now) / 1000))) });

/**
 * How fresh a first backfill's mark (AccountRecord.backfillAt, written by each link that continues
 * the chain) says the chain is still reading: a link's 15 minutes, the minute before the next, and
 * slack. Within it, a weekly run that finds the first read unfinished reads nothing itself and looks
 * again {@link FIRST_READ_WAIT_S} later: two chains reading in turn lost Gmail's per-minute quota at
 * each hand-over and the weekly chain's short links held the read, about 20 % slower in all for a
 * heavy year (helper-163). A chain gone without ending (its function died) leaves a mark that goes
 * stale, and the weekly runs read on.
 */
export const BACKFILL_MARK_FRESH_MS = 20 * 60_000;

/** How much later a weekly run that leaves the first read to the backfill's chain looks again. */
export const FIRST_READ_WAIT_S = 300;

/** What a queue worker uses; functions/src/resources.ts buildDeps (tests) gives a superset. */
export interface JobDeps {
  repo: Repository;
  now: () => number;
  /** The adapter of a stored account (may load its provider's module first). */
  providerFor(account: AccountRecord): MailboxProvider | Promise<MailboxProvider>;
  onRevoked: RevokedHandler;
  linkKey?: string;
  baseUrl?: string;
  /** The Backfills queue: where a backfill cut short by the time limit asks for its continuation. */
  backfills?: QueueSender;
  /** The Digests queue: where a weekly run whose read was cut short by the time limit asks for its continuation. */
  digests?: QueueSender;
  /** How often a job's long read looks whether the account was disconnected (core/dispatch CONNECTION_WATCH_MS by default). */
  watchEveryMs?: number;
}

/** The deps of this Lambda from what it links, its adapters loaded by `load`. */
export function resourceJobDeps(load: ProviderLoader): JobDeps {
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
  const repo = new Repository(doc, need(linked("Table")?.name, "Table"));
  const keyring = linked("TokenKeyring")?.value;
  const ring = keyring ? parseKeyring(keyring) : undefined;
  const baseUrl = linked("Api")?.url;
  const sender = linked("Notices")?.sender;
  const notify = sender ? lazySesMailer(sender) : undefined;
  const backfillsUrl = linked("Backfills")?.url;
  const digestsUrl = linked("Digests")?.url;
  const linkKey = linkKeyOf();
  const onRevoked = revokedHandler(notify, baseUrl, linkKey);
  return {
    repo,
    now: Date.now,
    onRevoked,
    linkKey,
    baseUrl,
    ...(backfillsUrl ? { backfills: lazySqsSender(backfillsUrl) } : {}),
    ...(digestsUrl ? { digests: lazySqsSender(digestsUrl) } : {}),
    providerFor(account) {
      let current = account;
      const secret = (name: "GoogleClientSecret" | "MicrosoftClientSecret") => linked(name)?.value;
      return load(account, {
        ring: need(ring, "TokenKeyring"),
        retry: { budgetMs: JOB_RETRY_BUDGET_MS },
        google: { clientSecret: secret("GoogleClientSecret") },
        microsoft: {
          clientSecret: secret("MicrosoftClientSecret"),
          onRefreshToken: async (token) => void (current = await rotateRefreshToken(repo, need(ring, "TokenKeyring"), current, token)),
        },
      });
    },
  };
}

let cached: JobDeps | undefined;

/**
 * The deps of this Lambda instance, built on first use (importing a handler stays side-effect free).
 * One handler per Lambda, so one `load`: the handler's module names it.
 */
export function jobDeps(load: ProviderLoader): JobDeps {
  return (cached ??= resourceJobDeps(load));
}
