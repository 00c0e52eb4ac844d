/**
 * SQS Backfills: the first scan of a just-connected account (record body: its email, or a
 * continuation naming it and when its chain began), under the
 * scan lease. A year of a heavy mailbox can outlast one Lambda run (15 minutes): the scan stops
 * between pages before the limit, its cursors stored, and the handler enqueues the account again
 * itself; the next invocation continues from the cursors. The record still succeeds, so a long
 * backfill never goes through the queue's retries or its dead-letter queue. So does a read the
 * provider refuses for longer than a call may wait (Google's daily limit, until midnight Pacific
 * Time; a long Retry-After): its continuation waits until then (`notBefore`). It never drafts or
 * sends: its adapters are read-only (core/loader/reader), so its bundle holds no mail composer.
 */
import { randomUUID } from "node:crypto";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { type AccountRecord, updateAccount } from "@followthrough/core/accounts";
import { processBatch, runAccountJob } from "@followthrough/core/dispatch";
import { adoptMeetingsZone, planEventJobs } from "@followthrough/core/events";
import { ownMeetingsZone } from "@followthrough/core/model";
import { JOB_READ_RESERVE_MS, PAGE_ABANDON_RESERVE_MS } from "@followthrough/core/limits";
import { loadReader } from "@followthrough/core/loader/reader";
import { scan } from "@followthrough/core/scan";
import { BUSY_DELAY_S, continuationSend, type JobDeps, jobDeps, refusedUntil, waitSend } from "../jobs";

/** Longer than the backfill's timeout (infra/backfill.ts: 15 minutes). */
export const BACKFILL_LEASE_MS = 16 * 60_000;

/**
 * No new page starts with less than this left (core/limits JOB_READ_RESERVE_MS, 2.5 minutes): the
 * longest page at the paced quota, storing it, and enqueueing the continuation fit in it, and a
 * page's calls stop in time when the page is slower than that.
 */
export const BACKFILL_STOP_RESERVE_MS = JOB_READ_RESERVE_MS;

/**
 * How long after its first link a backfill chain still enqueues its continuation. A year of the
 * heaviest mailbox is minutes of quota; a chain still going days later is one whose reads never end
 * (a provider expiring each new cursor before the re-read completes): it stops, logged, and the
 * weekly runs read on, each continuing itself for a day after its slot as a weekly chain does
 * (functions/src/handlers/worker.ts).
 */
export const BACKFILL_CHAIN_MAX_MS = 2 * 86_400_000;

/**
 * A backfill's continuation: the account and when its chain began (the first link's time); `notBefore`,
 * for a read the provider refused for longer than a call may wait (jobs refusedUntil): the instant
 * before which the link only sends itself on again.
 */
export const backfillContinuation = (acc: string, since: number, notBefore?: number) => JSON.stringify({ job: "backfill", acc, since, ...(notBefore !== undefined ? { notBefore } : {}) });

/**
 * A Backfills record: a bare account email (the connect's, a resume's: a chain that begins now), or
 * a continuation ({@link backfillContinuation}); a malformed one throws.
 */
export function parseBackfill(body: string, now: number): { acc: string; since: number; notBefore?: number } {
  if (!body.trimStart().startsWith("{")) return { acc: body.trim().toLowerCase(), since: now };
  const j = JSON.parse(body) as { job?: unknown; acc?: unknown; since?: unknown; notBefore?: unknown };
  if (j.job !== "backfill" || typeof j.acc !== "string" || !j.acc || typeof j.since !== "number" || !Number.isFinite(j.since)) throw new Error("malformed backfill continuation");
  if (j.notBefore !== undefined && (typeof j.notBefore !== "number" || !Number.isFinite(j.notBefore))) throw new Error("malformed backfill continuation");
  return { acc: j.acc.trim().toLowerCase(), since: j.since, ...(j.notBefore !== undefined ? { notBefore: j.notBefore as number } : {}) };
}

/** The handler over given deps (tests pass local ones). */
export function createBackfillHandler(deps: () => JobDeps, o: { stopReserveMs?: number } = {}) {
  const reserve = o.stopReserveMs ?? BACKFILL_STOP_RESERVE_MS;
  return async (event: SQSEvent, context?: Pick<Context, "getRemainingTimeInMillis">): Promise<SQSBatchResponse> => {
    const d = deps();
    const remainingMs = context ? () => context.getRemainingTimeInMillis() : undefined;
    const failed = await processBatch(
      event.Records.map((r) => ({ id: r.messageId, body: r.body })),
      async (r) => {
        const now = d.now();
        const { acc: email, since, notBefore } = parseBackfill(r.body, now);
        // A link waiting out the provider's refusal: received before its `notBefore`, it is sent on
        // again, delayed by the rest of the wait (at most SQS's 900 s: jobs waitSend), and does nothing
        // else: no lease, no table, no call to the provider. The chain's two days need no read: such
        // a link is sent only when its wait ends inside them (below). One whose wait ends past them
        // (or is longer than them from now) is none of ours (corrupted, forged): dropped now, not
        // sent on every 15 minutes for as long as it says.
        if (notBefore !== undefined && now < notBefore && d.backfills) {
          if (notBefore - since >= BACKFILL_CHAIN_MAX_MS || notBefore - now >= BACKFILL_CHAIN_MAX_MS) {
            console.log(JSON.stringify({ msg: "backfill", account: email, continued: false, reason: "a link waiting past the chain's two days; dropped", since, notBefore }));
            return true;
          }
          const { failed: notQueued } = await d.backfills.sendBatch([r.body], waitSend(notBefore, now));
          console.log(JSON.stringify({ msg: "backfill", account: email, waits: "until the provider may be asked again", notBefore: new Date(notBefore).toISOString(), queued: notQueued.length === 0 }));
          return notQueued.length === 0;
        }
        let complete = true;
        /** The provider refused the read until then (jobs refusedUntil): the chain goes on once it is past. */
        let refused: number | undefined;
        let provider: string | undefined;
        let marked = false;
        // One chain reads at a time (helper-295). A bare record begins one (a connect's, a reconnect's,
        // a resume's, a move's); the account names its newest chain (AccountRecord.backfillChain), and a
        // link of a chain begun before it (a reconnect, or a pause and resume, while it read, its
        // continuation already queued) is skipped before the lease and the provider, instead of taking
        // turns with the newer chain under the lease. A chain names itself in the writes its links make
        // anyway (the mark of a link cut short, of a bounce off a held lease, of the end of a read a
        // chain had marked): a chain that reads the account alone in one link writes nothing more.
        let newer: number | undefined;
        const belongs = (a: AccountRecord) => {
          newer = a.backfillChain !== undefined && a.backfillChain > since ? a.backfillChain : undefined;
          return newer === undefined;
        };
        const newest = (current: AccountRecord) => ((current.backfillChain ?? -Infinity) < since ? { backfillChain: since } : {});
        const job = { repo: d.repo, email, owner: `${r.id}/${randomUUID()}`, now, leaseMs: BACKFILL_LEASE_MS, onRevoked: d.onRevoked, clock: d.now, belongs, watchEveryMs: d.watchEveryMs };
        const outcome = await runAccountJob(job, async (account, watch) => {
          provider = account.provider;
          marked = account.backfillAt !== undefined;
          // Within a page, no call starts once less than one call's worst case is left (core/limits);
          // nor once the account is disconnected (core/dispatch connectionWatch).
          const { stopBefore, abandonPageBefore } = watch.reads(
            remainingMs && d.backfills ? () => remainingMs() < reserve : undefined,
            remainingMs && d.backfills ? () => remainingMs() < PAGE_ABANDON_RESERVE_MS : undefined,
          );
          let result;
          try {
            result = await scan({ owner: account, provider: await d.providerFor(account), repo: d.repo, now, stopBefore, abandonPageBefore });
          } catch (e) {
            // Refused for longer than a call may wait (Google's daily limit, until midnight Pacific
            // Time; a long Retry-After): the cursors hold what was read (each page stored before its
            // cursor), and the chain goes on from them once the wait is over, as after the time limit
            // (below), instead of failing the record into the queue's three receives, 90 minutes
            // apart, and the dead-letter queue hours before the wait ends, the first read stalled.
            refused = d.backfills ? refusedUntil(e, d.now(), email) : undefined;
            if (refused === undefined) throw e;
            complete = false;
            console.log(JSON.stringify({ msg: "backfill", account: email, complete, refused: e instanceof Error ? e.message : String(e), notBefore: new Date(refused).toISOString() }));
            return;
          }
          complete = result.complete;
          // The provider named no zone and the owner chose none (Outlook's mailboxSettings refused, or
          // giving none): the zone most of the owner's own meetings were made in, where they say one.
          // Taken, the digest's index moves to it and the calendar's sync is filed for the next
          // dispatch; the plan below places the week's event emails in it (the scan's meetings, all-day
          // ones by their dates in the new zone: model inZone).
          const rezoned =
            complete && account.zoneUnread && !account.zoneChosen && result.read ? await adoptMeetingsZone(d.repo, email, ownMeetingsZone(result.read.meetings), d.now()) : undefined;
          // A complete first read: the event emails of the coming week go on the due-hour index.
          // Its meetings are the scan's (not read again); the statements are read as they are now.
          if (complete) await planEventJobs({ repo: d.repo, account: { ...(rezoned ?? account), aliases: result.owner.aliases }, now, meetings: result.read?.meetings, clock: d.now });
          console.log(JSON.stringify({ msg: "backfill", account: email, complete, newContacts: result.newContacts.length, missingFollowUps: result.missingFollowUps.length }));
        });
        if (newer !== undefined) {
          console.log(JSON.stringify({ msg: "backfill", account: email, continued: false, reason: "a newer chain reads on", since, newer }));
          return true;
        }
        if (outcome !== "done") console.log(JSON.stringify({ msg: "backfill", account: email, outcome }));
        // The chain's mark ends with it: a weekly run reads on its own from then (jobs BACKFILL_MARK_FRESH_MS).
        // It names this chain the newest: an older chain's continuation still queued ends unread.
        if (outcome === "done" && complete && marked) await updateAccount(d.repo, email, (current) => ({ backfillAt: undefined, ...newest(current) }), d.now());
        if (outcome === "done" && !complete) {
          // Cut short by the time limit (the lease is released): continue in a new invocation, unless
          // the chain began two days ago, or the owner paused while it read (the resume queues the
          // read again, settings). The account is marked as read by this chain meanwhile, in the same
          // write that reads its status. Refused by the provider: the same, the continuation waiting
          // until the refusal's end, unless that end comes past the chain's two days: then the chain
          // stops now (its links would only hop until the bound), and the weekly runs read on.
          const expired = now - since >= BACKFILL_CHAIN_MAX_MS || (refused !== undefined && refused - since >= BACKFILL_CHAIN_MAX_MS);
          let paused = false;
          let superseded = false;
          await updateAccount(
            d.repo,
            email,
            (current) => {
              paused = current.status === "paused";
              // A newer chain began while this link read (it found the lease held, and is queued): the
              // read is its own from here, and so is the mark.
              superseded = (current.backfillChain ?? -Infinity) > since;
              return superseded ? {} : { backfillAt: expired || paused ? undefined : d.now(), ...newest(current) };
            },
            d.now(),
          );
          const stop = superseded
            ? "a newer chain reads on"
            : expired
            ? refused !== undefined && now - since < BACKFILL_CHAIN_MAX_MS
              ? "refused by the provider until past the chain's two days; the weekly runs read on"
              : "still reading two days after the chain began; the weekly runs read on"
            : paused
              ? "paused"
              : undefined;
          if (stop) {
            console.log(JSON.stringify({ msg: "backfill", account: email, continued: false, reason: stop }));
            return true;
          }
          const { failed: notQueued } = await d.backfills!.sendBatch([backfillContinuation(email, since, refused)], refused !== undefined ? waitSend(refused, d.now()) : continuationSend(provider));
          // Not queued: report the record failed, so the queue hands it out again (the cursors hold).
          if (notQueued.length) return false;
          console.log(JSON.stringify({ msg: "backfill", account: email, continued: true, ...(refused !== undefined ? { notBefore: new Date(refused).toISOString() } : {}) }));
        }
        if (outcome === "busy" && d.backfills) {
          // Another job holds the account (a weekly run, an event email): back with a delay, not
          // failed into the queue's retries, three of which would dead-letter the first read. The
          // chain is still reading: marked so, and named the newest (the holder may be an older chain's link).
          await updateAccount(d.repo, email, (current) => ({ backfillAt: d.now(), ...newest(current) }), d.now());
          const { failed: notQueued } = await d.backfills.sendBatch([backfillContinuation(email, since)], { delaySeconds: BUSY_DELAY_S });
          return notQueued.length === 0;
        }
        return outcome !== "busy";
      },
      { remainingMs, minStartMs: 5 * 60_000, requeue: d.backfills },
    );
    return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

export const handler = createBackfillHandler(() => jobDeps(loadReader));
