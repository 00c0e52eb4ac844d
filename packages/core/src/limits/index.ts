/**
 * Limits that code and infrastructure must agree on. infra/api.ts sets the API function's timeout
 * from API_TIMEOUT_SECONDS, so a claim that derives its lease from it outlives any request that can
 * hold it (test/infra.test.ts checks the two agree).
 */

/** The API function's timeout (Lambda ends a request there). */
export const API_TIMEOUT_SECONDS = 30;

/**
 * How long a tap waits for the provider to create a draft before it answers "your draft is being
 * made": well inside the function's timeout, so the page always gets out.
 */
export const DRAFT_CREATE_DEADLINE_MS = (API_TIMEOUT_SECONDS - 10) * 1000;

/**
 * The most one provider call of an API request may wait in retries (core/resilience `budgetMs`): a
 * tap's few calls, the create bounded by DRAFT_CREATE_DEADLINE_MS, end inside the function's timeout,
 * and a longer Retry-After is passed on to the person (503) instead of waited out.
 */
export const API_RETRY_BUDGET_MS = 3_000;

/**
 * A draft claim in "creating" older than this belongs to a request that has surely ended (twice the
 * function's timeout): a later tap may take it over, after looking for the draft by its marker.
 */
export const DRAFT_CLAIM_LEASE_MS = 2 * API_TIMEOUT_SECONDS * 1000;

/**
 * The most one provider call of a queued job (the weekly worker, an event job, a backfill) may wait
 * in retries and failed attempts (core/resilience `budgetMs`): with one more attempt
 * (PROVIDER_REQUEST_TIMEOUT_MS) it fits the reserve the weekly read, an event job's read and the
 * backfill keep (test/infra.test.ts), so a provider's long Retry-After or a stalled
 * connection fails the call instead of running the function into its timeout (which returns the
 * whole batch, its continuations already queued): the record fails for the queue to deliver again
 * later, or, for a rate limit whose wait alone is longer than this, the weekly run and the backfill
 * continue in a link that waits until it ends (functions/src/jobs.ts refusedUntil).
 */
export const JOB_RETRY_BUDGET_MS = 60_000;

/**
 * How long one provider request may go unanswered before it is cut and counts as a temporary
 * failure (a stalled connection; gaxios and node-fetch have no timeout of their own). With a call's
 * retry budget (JOB_RETRY_BUDGET_MS, which counts each failed request's time too) it fits within
 * PAGE_ABANDON_RESERVE_MS, and so within what every job's read keeps in reserve (test/infra.test.ts).
 */
export const PROVIDER_REQUEST_TIMEOUT_MS = 30_000;

/**
 * Within a page of many calls (a Gmail page: one list, then up to 500 `messages.get`), no call
 * starts once less than this is left: one call's worst case (JOB_RETRY_BUDGET_MS and one more
 * attempt cut at PROVIDER_REQUEST_TIMEOUT_MS) and 10 s to store the cursors, release the lease and
 * enqueue the continuation. The page is then given up, unstored, and read again by the
 * continuation. A page only starts with the job's whole reserve left (JOB_READ_RESERVE_MS: this and
 * LONGEST_PAGE_MS more), so a page at the paced quota ends before it; only one slowed by throttling
 * or stalls, which the between-page check cannot see, is cut.
 */
export const PAGE_ABANDON_RESERVE_MS = JOB_RETRY_BUDGET_MS + PROVIDER_REQUEST_TIMEOUT_MS + 10_000;

/**
 * The longest page at the paced quota: a Gmail page of 500 `messages.get` (5 units each) and its
 * list, 2,505 units against the adapter's 5,700 a minute, about 26 s.
 */
export const LONGEST_PAGE_MS = 30_000;

/**
 * No page of a job's read (the backfill, the weekly run, an event job) starts with less than this
 * left: PAGE_ABANDON_RESERVE_MS and the longest page, and 20 s to spare, so a page at the paced quota
 * ends before its calls must stop (until 2026-12-02 the reserve was 2 minutes, which left a page 20
 * s: one that began near it was given up part-way as a matter of course, helper-74 #1).
 */
export const JOB_READ_RESERVE_MS = PAGE_ABANDON_RESERVE_MS + LONGEST_PAGE_MS + 20_000;

/**
 * The same for a request a person waits on (the API: a tap's draft, the connect callback's profile):
 * short enough that the requests of one page, one after another, end inside the function's timeout
 * (API_TIMEOUT_SECONDS): a draft's create and then the look for its marker; Microsoft's token
 * refresh, profile and mailbox settings at connect. A stalled provider then gets the person a page
 * saying so, not the gateway's error, and never a draft claim left "creating". A create slower than
 * this is cut; the page asks for another tap, which finds the draft by its marker if it was made.
 * (20 s for a moment on 2026-12-01, as long as a tap waits before "being made": a create answered
 * just inside it, then its marker's look, outlasted the function, helper-71 finding 1.)
 */
export const API_REQUEST_TIMEOUT_MS = 6_000;

/** How far back the first scan of an account reads (core/scan; here so that light modules can read it). */
export const BACKFILL_DAYS = 365;

/**
 * How long one request to SES (the reconnect notice) may go unanswered before it is cut: the SDK's
 * client has no timeout of its own, and a send that hangs holds the notice's claim until the worker
 * is killed.
 */
export const SES_REQUEST_TIMEOUT_MS = 10_000;

/** How long a connection to SES may take to be made before it is cut (nothing was sent: tried again). */
export const SES_CONNECT_TIMEOUT_MS = 3_000;

/**
 * A reconnect notice claimed for sending and not confirmed sent after this long was lost with the
 * run that claimed it (killed in the send, or between the send and its confirmation): the next
 * delivery of the account's record sends it again. Far longer than a send can take (a request cut at
 * SES_REQUEST_TIMEOUT_MS, or three after 429s with pauses of at most 10 s, core/ses), far shorter than the queues' visibility timeouts
 * (30 and 90 minutes, infra/queue.ts and infra/backfill.ts), after which a killed run's record comes back.
 */
export const NOTICE_CLAIM_STALE_MS = 10 * 60_000;
