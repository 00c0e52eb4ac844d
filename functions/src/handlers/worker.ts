/**
 * SQS Digests: a record is an account's weekly run (the dispatcher's `{job: "weekly", acc, slot, due}`,
 * a run's own continuation, or a bare email queued before the slot was in the body: scan, build and
 * send its weekly digest once), or an
 * event job's JSON (core/events/due: an event email or the daily event sync, core/eventmail).
 */
import { randomUUID } from "node:crypto";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { type AccountRecord, loadAccount } from "@followthrough/core/accounts";
import { digestSendUnsettled, hasSentDigest, isoWeek } from "@followthrough/core/digest";
import { CONTINUES, processBatch, RETRY_LATER, runAccountJob } from "@followthrough/core/dispatch";
import { runEventJob } from "@followthrough/core/eventmail";
import { JOB_READ_RESERVE_MS, PAGE_ABANDON_RESERVE_MS } from "@followthrough/core/limits";
import { loadProvider } from "@followthrough/core/loader";
import { retryable } from "@followthrough/core/resilience";
import { parseEventJob, planEventJobs } from "@followthrough/core/events";
import { DEFAULT_SCHEDULE, previousOccurrence } from "@followthrough/core/schedule";
import { readSoFar, scan } from "@followthrough/core/scan";
import { runWeekly } from "@followthrough/core/weekly";
import { DAY } from "@followthrough/core/time";
import { BACKFILL_MARK_FRESH_MS, BUSY_DELAY_S, continuationSend, FIRST_READ_WAIT_S, type JobDeps, jobDeps, refusedUntil, waitSend } from "../jobs";
import { need } from "../linked";

/** Longer than the worker's timeout (infra/queue.ts: 5 minutes), so a worker that died frees the account. */
export const WORKER_LEASE_MS = 6 * 60_000;
/**
 * An event job's read starts no page with less than this left (core/limits JOB_READ_RESERVE_MS, 2.5
 * minutes): one call of the page may take its retry budget and one more attempt (core/limits
 * JOB_RETRY_BUDGET_MS + PROVIDER_REQUEST_TIMEOUT_MS, 90 s), and no call of a page starts with less
 * than that and 10 s left: a page at the paced quota ends with two minutes for the email's send, a
 * slowed one with 10 s at the least (until 2026-12-01 the reserve was a minute, the budget alone;
 * until 2026-12-02, 2 minutes). With less than one call's worst case left after the reads, the email
 * is not sent from this invocation but filed for the next dispatch (core/eventmail runEventJob;
 * until 2026-12-06 the send was started anyway, and Lambda could end the invocation in it).
 */
export const EVENT_READ_RESERVE_MS = JOB_READ_RESERVE_MS;

/**
 * A weekly run's read starts no new page with less than this left (core/limits JOB_READ_RESERVE_MS,
 * 2.5 minutes): the longest page (500 Gmail headers at the paced quota, about 30 s), then, when that
 * page completes the read, the rules over the year, the digest's render and send, and the event
 * plan, or else the continuation's enqueue. No record starts with less (it goes back to the queue as
 * a new message).
 */
export const WEEKLY_SCAN_RESERVE_MS = JOB_READ_RESERVE_MS;

/**
 * How long after the week's scheduled occurrence a cut-short read keeps continuing itself to send
 * that week's digest: a chain that never completes (a provider expiring each new cursor before the
 * re-read ends) stops within a day. A continuation received past it is dropped before it reads; the
 * week's own record processed that late (retried) reads as far as its time allows and, cut short,
 * records the week without a digest. Either way the read goes on in the next week's run.
 */
export const CONTINUE_WITHIN_MS = 24 * 3_600_000;

export { BUSY_DELAY_S } from "../jobs";

/**
 * How long after a failed send of the week's digest its run looks again (SQS's longest delay):
 * past a claim's staleness (core/digest SEND_CLAIM_STALE_MS, 10 minutes), so a claim left "sending"
 * by a failed Sent lookup is taken over, and the next attempt looks in Sent before sending. Until
 * 2026-12-04 the record failed into the queue's three receives, 30 minutes apart, and an hour of
 * provider errors dead-lettered the week, its digest "failed" even when the last send had gone out
 * and only its answer was lost (helper-174 #1; the event emails are filed again an hour on).
 */
export const SEND_RETRY_S = 900;

/**
 * How long after a digest's first send attempt its run still goes on that way: about a dozen
 * attempts. A failure that lasts longer (a sending limit that holds until Gmail's quota resets) falls
 * to the queue's receives, as every failure did before, rather than a scan, render and send every
 * quarter hour for the rest of the day (helper-175 #2). A rate limit that names its wait, SEND_RETRY_S
 * or longer (Google's daily limit, a long Retry-After), is not tried every quarter hour: the
 * run waits it out in a continuation that asks nothing of the provider until then (jobs refusedUntil).
 */
export const SEND_RETRY_WITHIN_MS = 3 * 3_600_000;


/**
 * A weekly run's continuation, as this worker enqueues it on Digests: the account and the scheduled
 * occurrence the run belongs to, so every link names the same week and measures its one-day bound
 * from the same slot, whatever the owner changes in the schedule meanwhile. The dispatcher's record
 * has the same form, marked `due` (core/dispatch dueWeeklyBody: the slot it was found due for).
 * `send`: a continuation enqueued because a complete read left too little time to send; it sends
 * whatever time its own read leaves, so that a read throttled in every run cannot hold the week's
 * digest back link after link until the day's bound drops it.
 * `notBefore`: a continuation of a run the provider refused for longer than a call may wait (jobs
 * refusedUntil: Google's daily limit, a long Retry-After): received before that instant, it is sent
 * on again (jobs waitSend) and does nothing else.
 * Undefined for any other body (a bare account email, an event job); a malformed one throws.
 */
export function parseContinuation(body: string): { acc: string; slot: number; week?: string; due?: true; send?: true; notBefore?: number } | undefined {
  if (!body.trimStart().startsWith("{")) return undefined;
  const j = JSON.parse(body) as { job?: unknown; acc?: unknown; slot?: unknown; week?: unknown; due?: unknown; send?: unknown; notBefore?: unknown };
  if (j.job !== "weekly") return undefined;
  if (typeof j.acc !== "string" || !j.acc || typeof j.slot !== "number" || !Number.isFinite(j.slot)) throw new Error("malformed weekly continuation");
  if (j.week !== undefined && (typeof j.week !== "string" || !/^\d{4}-W\d{2}$/.test(j.week))) throw new Error("malformed weekly continuation");
  if (j.notBefore !== undefined && (typeof j.notBefore !== "number" || !Number.isFinite(j.notBefore))) throw new Error("malformed weekly continuation");
  return {
    acc: j.acc.trim().toLowerCase(),
    slot: j.slot,
    ...(j.week !== undefined ? { week: j.week as string } : {}),
    ...(j.due === true ? { due: true as const } : {}),
    ...(j.send === true ? { send: true as const } : {}),
    ...(j.notBefore !== undefined ? { notBefore: j.notBefore as number } : {}),
  };
}

/**
 * The instant that names a run's digest: the occurrence it belongs to, unless the record names the
 * ISO week its slot was indexed for (core/dispatch dueWeeklyBody `week`) and the run is that slot's:
 * then the same occurrence read a day or two either side, in the week it names. A zone changed while
 * the record waited reads the slot as another day (London's Sunday 23:00 is Monday in Tokyo), and
 * the digest named after it skipped a week (helper-164 #2).
 */
function namingInstant(at: number, timeZone: string, body: { slot: number; week?: string } | undefined): number {
  if (!body?.week || at !== body.slot) return at;
  for (const shift of [0, -1, 1, -2, 2]) if (isoWeek(at + shift * DAY, timeZone) === body.week) return at + shift * DAY;
  return at;
}

/**
 * The occurrence a dispatched run belongs to: the later of the slot it was dispatched for and the
 * one just past under the schedule and zone stored now (a record redriven a week late names the
 * current week, as a bare email always did; one run after the owner moved the slot names the week
 * it was dispatched in, not the one before).
 */
const occurrenceOf = (account: Pick<AccountRecord, "schedule" | "timeZone">, now: number, dispatched?: number) =>
  Math.max(previousOccurrence(account.schedule ?? DEFAULT_SCHEDULE, account.timeZone, now), dispatched ?? -Infinity);

/** The body of a weekly run's continuation ({@link parseContinuation}). */
export const continuationBody = (acc: string, slot: number, week?: string, send?: boolean, notBefore?: number) =>
  JSON.stringify({ job: "weekly", acc, slot, ...(week ? { week } : {}), ...(send ? { send: true } : {}), ...(notBefore !== undefined ? { notBefore } : {}) });

/**
 * A continuation sent on to send the week's digest must arrive this long inside the week's day
 * (CONTINUE_WITHIN_MS) beyond its delay, or the run sends now: a link received past the day's
 * bound is dropped before it reads.
 */
const CONTINUATION_SLACK_MS = 5 * 60_000;

/**
 * Sends a record that found the account's lease held back to Digests with a delay
 * ({@link BUSY_DELAY_S}); false when the queue did not take it (or there is none), so the record is
 * reported failed and the queue's own retries apply.
 */
async function bounce(d: JobDeps, body: string): Promise<boolean> {
  if (!d.digests) return false;
  const { failed } = await d.digests.sendBatch([body], { delaySeconds: BUSY_DELAY_S });
  return failed.length === 0;
}

/** The handler over given deps (tests pass local ones). */
export function createWorkerHandler(deps: () => JobDeps) {
  return async (event: SQSEvent, context?: Pick<Context, "getRemainingTimeInMillis">): Promise<SQSBatchResponse> => {
    const d = deps();
    const links = { baseUrl: need(d.baseUrl, "Api URL"), key: need(d.linkKey, "LinkSigningKey") };
    const records = event.Records.map((r) => ({ id: r.messageId, body: r.body }));
    const remainingMs = context ? () => context.getRemainingTimeInMillis() : undefined;
    // Within a page of several calls, none starts once less than one call's worst case is left (core/limits).
    const abandonPage = remainingMs ? () => remainingMs() < PAGE_ABANDON_RESERVE_MS : undefined;
    const failed = await processBatch(
      records,
      async (r) => {
        const now = d.now();
        /** What every job of this record runs under (its own lease owner per attempt). */
        const jobFor = (email: string) => ({ repo: d.repo, email, owner: `${r.id}/${randomUUID()}`, now, leaseMs: WORKER_LEASE_MS, onRevoked: d.onRevoked, clock: d.now, watchEveryMs: d.watchEveryMs });
        const weeklyBody = parseContinuation(r.body);
        // The dispatcher's record of a due slot, or a run's own continuation.
        const dispatched = weeklyBody?.due ? weeklyBody.slot : undefined;
        const continued = weeklyBody?.due ? undefined : weeklyBody;
        const eventJob = weeklyBody ? undefined : parseEventJob(r.body);
        if (eventJob) {
          // An event email or the daily event sync: under the scan lease like the weekly run; a paused account is skipped.
          const job = jobFor(eventJob.acc);
          const outcome = await runAccountJob(job, async (account, watch) => {
            // Its reads stop too once the account is disconnected (core/dispatch connectionWatch).
            const { stopBefore, abandonPageBefore } = watch.reads(remainingMs ? () => remainingMs() < EVENT_READ_RESERVE_MS : undefined, abandonPage);
            const result = await runEventJob({ repo: d.repo, provider: await d.providerFor(account), account, job: eventJob, now, links, stopBefore, abandonPageBefore, clock: d.now });
            console.log(JSON.stringify({ msg: "event", account: eventJob.acc, kind: eventJob.kind, outcome: result }));
          });
          if (outcome !== "done") console.log(JSON.stringify({ msg: "event", account: eventJob.acc, kind: eventJob.kind, outcome }));
          return outcome !== "busy" || (await bounce(d, r.body));
        }
        const email = weeklyBody?.acc ?? r.body.trim().toLowerCase();
        // A link delivered past the chain's bound (redelivered, redriven): dropped before it reads or
        // records anything; the week's own run and the next week's are left as they are. Unless it is
        // a link whose run found the grant gone and was lost sending the notice: then the notice is
        // still its work (core/dispatch runAccountJob), as no record of the account may come again (helper-107 #3).
        if (continued && now - continued.slot >= CONTINUE_WITHIN_MS) {
          // (One read decides: a reconnect meanwhile makes it an active account's link, dropped; helper-110 #2.)
          const notice = await runAccountJob({ ...jobFor(email), noticeOnly: true }, async () => undefined);
          if (notice === "busy" && d.digests) {
            const requeued = await bounce(d, continuationBody(email, continued.slot, continued.week));
            console.log(JSON.stringify({ msg: "weekly", account: email, outcome: notice, requeued }));
            return requeued;
          }
          if (notice !== "revoked") console.log(JSON.stringify({ msg: "weekly", account: email, digest: "not-yet", reason: "continuation past its day; the read goes on next week" }));
          return notice !== "busy";
        }
        // A link waiting out the provider's refusal (`notBefore`, below): received before that instant,
        // it is sent on again, delayed by the rest of the wait (at most SQS's 900 s: jobs waitSend), and
        // does nothing else: no lease, no table, no call to the provider. Its chain's bound needs no
        // read: such a link is sent only when its wait ends inside the week's day, and one received
        // past the day is dropped above.
        if (continued?.notBefore !== undefined && now < continued.notBefore && d.digests) {
          const { failed: notQueued } = await d.digests.sendBatch([r.body], waitSend(continued.notBefore, now));
          console.log(JSON.stringify({ msg: "weekly", account: email, digest: "not-yet", reason: "waits until the provider may be asked again", notBefore: new Date(continued.notBefore).toISOString(), queued: notQueued.length === 0 }));
          return notQueued.length === 0;
        }
        // The scheduled occurrence this run belongs to: a continuation's, or the one just past (not
        // before the slot it was dispatched for). The digest is named after it, so a late retry (or a
        // continuation) stays in its week.
        const weekFor = (account: AccountRecord) => continued?.slot ?? occurrenceOf(account, now, dispatched);
        // What names its digest: that occurrence, in the week the dispatched record says it was indexed for.
        const namedBy = (account: AccountRecord) => namingInstant(weekFor(account), account.timeZone, weeklyBody);
        // The week a record sent on for `slot` carries: the record's own, while the run is its slot's.
        const weekCarried = (slot: number) => (slot === weeklyBody?.slot ? weeklyBody.week : undefined);
        let weekOf: number | undefined;
        let accountProvider: string | undefined;
        /** The run left the first read to the backfill's chain: it looks again later. */
        let waits = false;
        /** The week's digest was claimed and not sent: its run looks again {@link SEND_RETRY_S} on. */
        let sendAgain = false;
        /** A complete read left too little time to send: the digest goes from a continuation ({@link parseContinuation} `send`). */
        let sendNext = false;
        /** The provider refused the run until then: it goes on in a continuation that waits ({@link parseContinuation} `notBefore`). */
        let notBefore: number | undefined;
        /**
         * The run was refused by the provider (a rate limit longer than a call may wait: jobs
         * refusedUntil) until `until`: it goes on in a continuation that waits until then, while that
         * continuation would still arrive within the week's day (CONTINUE_WITHIN_MS, with the slack a
         * sent-on link is given). Not queued, the record would fail into the queue's three receives
         * (30 minutes apart) and reach the dead-letter queue hours before the wait ends (Google's
         * daily limit lasts until midnight Pacific Time), the week's digest lost. Past the day, the
         * chain stops now rather than hop for hours to be dropped: false.
         */
        const waitFor = (until: number) => {
          if (until + CONTINUATION_SLACK_MS - weekOf! >= CONTINUE_WITHIN_MS) return false;
          notBefore = until;
          return true;
        };
        // The week it is for, so the duplicate guard skips only a run for the week last run. A record
        // naming a slot (dispatched, or a continuation) before the account was connected is an earlier
        // connection's (its record of the week's send deleted with it): not this one's to send, as its
        // index says (core/accounts accountIndexes: from the connection on). A bare email names none:
        // it asks for a run now, whenever the account was connected.
        const recordSlot = continued?.slot ?? dispatched;
        const job = { ...jobFor(email), weekly: true, weekOf: (a: AccountRecord) => isoWeek(namedBy(a), a.timeZone), belongs: (a: AccountRecord) => a.createdAt === undefined || recordSlot === undefined || recordSlot >= a.createdAt };
        const outcome = await runAccountJob(job, async (account, watch) => {
          accountProvider = account.provider;
          // How far the streams were read (three cursor reads) goes while the provider's module loads.
          const readSoFarAsked = readSoFar(d.repo, email);
          // (Awaited below; when the provider fails first, its failure is the run's, not an unhandled one.)
          readSoFarAsked.catch(() => undefined);
          const provider = await d.providerFor(account);
          // The first digest uses complete data only: while the first read is not done (the first
          // backfill continues on the Backfills queue; an account connected before the owner-mail
          // stream existed, with no digest yet, reads that stream here), this run reads on as far as
          // its time allows and sends no digest unless that completes it; cut off, it continues as
          // any read does (below), so the week's digest goes once the read is complete. While the
          // backfill's own chain is alive, it reads nothing and leaves the read to that chain (below).
          // The record succeeds either way (no retry, no DLQ).
          // An account past that (it has had digests, or read everything once) reads the owner's mail
          // outside Sent (a stream it had none of before, or one re-reading its window) as far as the
          // time allows and gets its digest regardless, built on Sent and the calendar as its earlier
          // ones were; that read goes on next time. Every read is bounded by the time left. A full
          // re-read of the year (a cursor the provider expired, a stored shape renewed) can be as long
          // as a backfill: Gmail keeps history "typically at least one week", sometimes much less
          // (developers.google.com/gmail/api/guides/sync), about the time between two weekly runs, and
          // an Outlook delta token lasts as long as Graph's token cache keeps it (410,
          // learn.microsoft.com/graph/delta-query-overview#synchronization-reset). Cut off at the time
          // limit, an established account's read continues in a new invocation this run enqueues on
          // Digests, which sends the week's digest, instead of the Lambda timing out into the queue's
          // retries and DLQ (without the Digests queue linked, the week goes without and the read on).
          const read = { ...(await readSoFarAsked), ...(provider.ownerMail === undefined ? { ownerMail: true } : {}) };
          const hadDigest = (!read.backfilled || !read.ownerMail) && (await hasSentDigest(d.repo, email));
          const firstRead = !hadDigest && (!read.backfilled || !read.ownerMail);
          weekOf = weekFor(account);
          // The first backfill's chain still reading (its fresh mark; the owner's mail outside Sent is
          // part of its read, helper-166 #1): this run reads nothing and looks again a few minutes later,
          // so that one chain reads at a time at the provider's pace (jobs BACKFILL_MARK_FRESH_MS;
          // helper-163). Not when that look would come past the chain's one-day bound: then it reads
          // on itself, as before (helper-166 #2).
          if (firstRead && d.digests && now - (account.backfillAt ?? -Infinity) < BACKFILL_MARK_FRESH_MS && now + FIRST_READ_WAIT_S * 1000 - weekOf < CONTINUE_WITHIN_MS) {
            console.log(JSON.stringify({ msg: "weekly", account: email, digest: "not-yet", reason: "first read: the backfill's chain is reading it" }));
            waits = true;
            return CONTINUES;
          }
          const ownerMailMayLag = !firstRead;
          // Stopped by the time left, or once the account is disconnected (core/dispatch connectionWatch).
          const { stopBefore, abandonPageBefore } = watch.reads(remainingMs ? () => remainingMs() < WEEKLY_SCAN_RESERVE_MS : undefined, abandonPage);
          let scanned;
          try {
            scanned = await scan({ owner: account, provider, repo: d.repo, now, stopBefore, abandonPageBefore, ownerMailMayLag, cursors: read.cursors });
          } catch (e) {
            // Refused for longer than a call may wait: the cursors hold what was read (each page is
            // stored before its cursor, core/scan syncStream), and the read goes on from them once
            // the wait is over, in a continuation (waitFor). A wait that ends past the week's day
            // ends the run as a read still going then does (below): the week recorded without a
            // digest, the read going on in next week's run.
            const until = d.digests ? refusedUntil(e, d.now(), email) : undefined;
            if (until === undefined) throw e;
            if (waitFor(until)) return CONTINUES;
            const reason = `${firstRead ? "first read" : "read"} refused by the provider until past the week's day; it goes on next week`;
            console.log(JSON.stringify({ msg: "weekly", account: email, digest: "not-yet", reason, notBefore: new Date(until).toISOString(), error: e instanceof Error ? e.message : String(e) }));
            return;
          }
          if (!scanned.complete) {
            // A first read too (helper-162): the Connected page promised this week's digest, and the
            // backfill's own chain may be gone (its enqueue failed, dead-lettered, past its two days).
            if (d.digests && now - weekOf < CONTINUE_WITHIN_MS) {
              if (firstRead) console.log(JSON.stringify({ msg: "weekly", account: email, digest: "not-yet", reason: "first read still going" }));
              return CONTINUES;
            }
            const reason = `${firstRead ? "first read" : "read"} ${d.digests ? "still going a day after the week's slot; it goes on" : "cut short by the time limit (no Digests queue to continue on)"}`;
            console.log(JSON.stringify({ msg: "weekly", account: email, digest: "not-yet", reason }));
            return;
          }
          if (scanned.streams.ownerMail?.stopped) console.log(JSON.stringify({ msg: "weekly", account: email, ownerMail: "still reading" }));
          // The read took the run's time: a page slowed by throttling may end with seconds left (its
          // calls start with PAGE_ABANDON_RESERVE_MS left, and each may take its retry budget and one
          // more attempt). The digest's send is such a call too; started past that reserve, Lambda
          // may end the invocation in it, and the record comes back through the queue's receives
          // (30 minutes apart, then the dead-letter queue). Instead the week goes on in a new
          // invocation, which reads on from the cursors this read stored, plans and sends.
          // Once: a continuation made for this sends whatever time its read leaves (an owner-mail
          // read allowed to lag reads on to its reserve in every run, and throttled in every run, it
          // would hold the digest back link after link), and so does a run whose continuation could
          // arrive too late in the week's day to be read.
          const sendBy = d.now() + (continuationSend(account.provider)?.delaySeconds ?? 0) * 1000 + CONTINUATION_SLACK_MS;
          if (!continued?.send && abandonPage?.() && d.digests && sendBy - weekOf < CONTINUE_WITHIN_MS) {
            console.log(JSON.stringify({ msg: "weekly", account: email, digest: "not-yet", reason: "the read took the run's time; the digest goes from a new invocation" }));
            sendNext = true;
            return CONTINUES;
          }
          // The event emails of the coming week go on the due-hour index (core/events planEventJobs),
          // planned from the meetings the scan read (not read again) and the statements as they are
          // now. The plan needs nothing of the digest: its table round trips run while the digest is
          // built, rendered and sent, and the run ends once both have.
          // An email item filed for the slot this run was dispatched in stays there: that dispatch queued its job too.
          const planning = planEventJobs({ repo: d.repo, account: { ...account, aliases: scanned.owner.aliases }, now, meetings: scanned.read?.meetings, clock: d.now, keepSlot: dispatched });
          // (Awaited below; a plan that fails while the digest is still under way is not an unhandled rejection.)
          planning.catch(() => undefined);
          let weekly;
          try {
            // That read is this run's scan (the same `now`): the digest is built on it, not on a second sync.
            weekly = await runWeekly({ repo: d.repo, provider, account, now, links, weekOf: namedBy(account), scanned });
          } catch (e) {
            // The plan is waited for (none of its writes outlives the lease); the digest's failure is
            // the record's, the plan's own is logged.
            await planning.catch((p: unknown) => console.warn(JSON.stringify({ msg: "weekly", account: email, plan: "failed", error: p instanceof Error ? p.message : String(p) })));
            // A send that failed for a while (the provider's temporary error or rate limit, an answer
            // or a Sent lookup lost) goes on as a continuation of the week, not through the queue's
            // three receives (SEND_RETRY_S): while that continuation still arrives within the week's
            // day (a later one is dropped, helper-175 #1) and within SEND_RETRY_WITHIN_MS of the first
            // attempt. A refusal (a 4xx other than 429) and a revoked grant are not waited out; any
            // other failure is the record's, as before.
            // A rate limit that names a longer wait than that quarter hour (Google's daily limit, a
            // long Retry-After) is waited out instead, by a continuation that asks nothing of the
            // provider before it ends (waitFor), whenever the first attempt was: not tried again every
            // quarter hour, each a read and a send refused, and then the queue's receives and the
            // dead-letter queue hours before the wait ends. A wait that ends past the week's day
            // ends the run now, logged: the week recorded without its digest (its claim "failed").
            // A wait of just the quarter hour is one too: Google's daily limit met in the hour after
            // midnight Pacific Time (core/google GOOGLE_LATE_RESET_WAIT_MS), most often after a
            // wait for that midnight, hours past SEND_RETRY_WITHIN_MS of the first attempt.
            const refusedAt = d.now();
            const until = d.digests ? refusedUntil(e, refusedAt, email) : undefined;
            if (until !== undefined && until - refusedAt >= SEND_RETRY_S * 1000) {
              const error = e instanceof Error ? e.message : String(e);
              if (waitFor(until)) {
                console.warn(JSON.stringify({ msg: "weekly", account: email, digest: "not-yet", reason: "the send was refused; it is tried again once the refusal's wait is over", error }));
                return CONTINUES;
              }
              console.warn(JSON.stringify({ msg: "weekly", account: email, digest: "failed", reason: "the send was refused until past the week's day", notBefore: new Date(until).toISOString(), error }));
              return;
            }
            const unsettled = d.digests && retryable(e) && d.now() + SEND_RETRY_S * 1000 - weekOf < CONTINUE_WITHIN_MS ? await digestSendUnsettled(d.repo, email, job.weekOf(account)).catch(() => undefined) : undefined;
            if (unsettled && d.now() - unsettled.firstClaimedAt < SEND_RETRY_WITHIN_MS) {
              console.warn(JSON.stringify({ msg: "weekly", account: email, digest: "not-yet", reason: "the send failed; it is tried again", error: e instanceof Error ? e.message : String(e) }));
              sendAgain = true;
              return CONTINUES;
            }
            throw e;
          }
          console.log(JSON.stringify({ msg: "weekly", account: email, digest: weekly.outcome, week: weekly.digest.week }));
          await planning;
          // The week's digest is claimed by an attempt that died (its claim outlives the scan lease):
          // back later, when the claim is stale and this run's successor looks in Sent before sending.
          if (weekly.outcome === "in-progress") return RETRY_LATER;
        });
        if (outcome === "continued") {
          // Enqueued once the lease is released, so the next invocation can take it. Not queued: the
          // record fails and the queue hands it out again (the cursors hold what was read).
          const delay = notBefore !== undefined ? waitSend(notBefore, d.now()) : waits ? { delaySeconds: FIRST_READ_WAIT_S } : sendAgain ? { delaySeconds: SEND_RETRY_S } : continuationSend(accountProvider);
          const { failed: notQueued } = await d.digests!.sendBatch([continuationBody(email, weekOf!, weekCarried(weekOf!), sendNext || continued?.send, notBefore)], delay);
          const reason =
            notBefore !== undefined ? "refused by the provider; goes on once its wait is over" : waits ? "looks again once the backfill's chain has read on" : sendAgain ? "sends again later" : sendNext ? "sends from a new invocation" : "read continues in a new invocation";
          console.log(JSON.stringify({ msg: "weekly", account: email, digest: "not-yet", reason, ...(notBefore !== undefined ? { notBefore: new Date(notBefore).toISOString() } : {}), queued: notQueued.length === 0 }));
          return notQueued.length === 0;
        }
        if (outcome === "busy" && d.digests) {
          // Back as a continuation of its week's slot, so a record that keeps finding the lease held
          // is dropped a day after the slot like any other link.
          const account = continued ? undefined : await loadAccount(d.repo, email);
          const slot = account ? weekFor(account) : (continued?.slot ?? dispatched);
          const requeued = slot !== undefined && (await bounce(d, continuationBody(email, slot, weekCarried(slot), continued?.send)));
          console.log(JSON.stringify({ msg: "weekly", account: email, outcome, requeued }));
          return requeued;
        }
        if (outcome !== "done") console.log(JSON.stringify({ msg: "weekly", account: email, outcome }));
        return outcome !== "busy";
      },
      // A record starts with the weekly read's reserve left at least (one that cannot goes back as a new message).
      { remainingMs, minStartMs: WEEKLY_SCAN_RESERVE_MS, requeue: d.digests },
    );
    return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

export const handler = createWorkerHandler(() => jobDeps(loadProvider));
