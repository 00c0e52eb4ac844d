import { type AccountRecord, awaitsReconnect, clearPartition, deleteAccountData, finishMove, loadAccount, updateAccount } from "../accounts";
import { withLease } from "../lease";
import { syncSoon } from "../events/due";
import { grantGoneReason, handleRevoked, isRevoked, markGrantGone, noticeState, reconnectReason, type SystemMailer } from "../reconnect";
import type { Repository } from "../storage";

/**
 * How one account's job went. "busy" (a held lease, or {@link RETRY_LATER}) and a thrown error make
 * the queue deliver it again.
 * "continued": the job stopped before the time limit to go on in a new invocation (it returned
 * {@link CONTINUES}); the run is not recorded, so a weekly job is still this week's, and the caller
 * enqueues it (a record whose enqueue fails is delivered again too).
 */
export type JobOutcome = "done" | "busy" | "skipped" | "revoked" | "continued";

/** What a job returns when it stopped early and goes on in a new invocation (the caller enqueues it, after the lease is released). */
export const CONTINUES: unique symbol = Symbol("continues");

/**
 * What a job returns when the send it came for is claimed by an earlier attempt that died and whose
 * claim is not stale yet (core/digest sendOnce "in-progress": a claim outlives the scan lease, so the
 * next attempt can find it): "busy", as a held lease is, so the queue delivers it again later; the
 * run is not recorded, and the week is not taken for done.
 */
export const RETRY_LATER: unique symbol = Symbol("retry-later");

/** The lease every scan of an account takes (the weekly worker and the backfill alike). */
export const SCAN_LEASE = "scan";

/** What {@link runAccountJob} needs. */
export interface AccountJobOptions {
  repo: Repository;
  email: string;
  /** Unique per attempt (a redelivered message must not re-enter a lease it still holds). */
  owner: string;
  now: number;
  /** Longer than the function's timeout, so a worker that died frees the account after it. */
  leaseMs: number;
  /**
   * Called when the provider says the grant is gone (core/reconnect isRevoked); functions inject
   * core/reconnect handleRevoked (status + one reconnect email). Default {@link markNeedsReconnect}.
   */
  onRevoked?: RevokedHandler;
  /**
   * Only the reconnect notice a lost run claimed (or whose send failed) is this record's work: sent
   * (or "busy" while another run's claim is fresh), and otherwise "skipped" without running the job.
   * One read decides both (a weekly continuation past its day, functions/src/handlers/worker.ts).
   */
  noticeOnly?: boolean;
  /**
   * The weekly job: skipped when it already ran in the last 20 hours (the due index moves an hour
   * when clocks change, half an hour at Lord Howe, which can name a slot just after the one run
   * once a year; a duplicate dispatch then finds the week done), and recorded as run afterwards.
   */
  weekly?: boolean;
  /**
   * The ISO week a weekly run is for (the week its digest is named after). With it the guard skips
   * only a run for the week last run: a digest moved to an earlier slot within 20 hours of the last
   * one, into the next week, is that week's run, not a duplicate. Recorded with the run.
   */
  weekOf?: (account: AccountRecord) => string;
  /**
   * Whether the record is the loaded account's at all: a weekly record for an occurrence before the
   * account was connected (a continuation an earlier connection of the address sent on, run after a
   * disconnect and a new connection, or a move to the other provider, which delete that week's record
   * of its send) is not, and is skipped: nothing run, nothing recorded (helper-257).
   */
  belongs?: (account: AccountRecord) => boolean;
  /** The time as the job ends (the worker's clock); `Date.now` by default. */
  clock?: () => number;
  /** How often the job's reads look whether the account is still there ({@link CONNECTION_WATCH_MS} by default; tests: 0, every page). */
  watchEveryMs?: number;
}

/** A weekly run this recent makes another one a duplicate. */
export const WEEKLY_GUARD_MS = 20 * 3_600_000;

/**
 * Whether the account a job loaded is still there, as the same connection: asked by the job's reads
 * (core/scan `stopBefore` between pages, `abandonPageBefore` before each call of a page), which stop
 * once it is not. A disconnect takes no lease (it cannot wait out a 15-minute backfill), so a job
 * reading meanwhile went on to the end of its link with the access token it held: what it wrote was
 * deleted after it (sweptIfGone), but it read a departed owner's mail and calendar for up to the rest
 * of its 15 minutes, and a Microsoft grant, which we have no call to revoke (core/connect/revoke), did
 * not stop it (helper-295). `left()` answers at once from the last look at the table and, asked
 * between pages (`look`), starts the next look when none is under way and `everyMs` have passed
 * since the last (the first: since the job loaded the account): one read of the account item every
 * few seconds of a long read at most, never in the way of a call, and none in a short run (a weekly
 * run's few pages, whose cold start issue 12 measures against its floor).
 */
export interface ConnectionWatch {
  /**
   * The account is gone, another connection now (disconnected, connected again), or being
   * disconnected (paused for it, core/accounts pauseForDisconnect: a disconnect's first step, its
   * record deleted last, after the revocation and the data; or its grant found gone), as last looked.
   */
  left(look?: boolean): boolean;
  /**
   * A read's bounds (core/scan's) with the watch in them: `stopBefore` between pages, where a look may
   * start, and `abandonPageBefore` before each call of a page, answered from the last look; each also
   * true when the job's own bound (the time left) is.
   */
  reads(stop?: () => boolean, abandon?: () => boolean): { stopBefore: () => boolean; abandonPageBefore: () => boolean };
  /** The look under way, if any, settled (the job's end waits for it: no read outlives the job). */
  settled(): Promise<void>;
}

/** How often a long read looks whether its account is still there ({@link ConnectionWatch}). */
export const CONNECTION_WATCH_MS = 5_000;

/**
 * A {@link ConnectionWatch} of `loaded`, looking at most every `everyMs` of elapsed time (a monotonic
 * clock, as the draft tap's deadlines are). A look that fails leaves the answer as it was.
 */
export function connectionWatch(repo: Repository, loaded: AccountRecord, everyMs = CONNECTION_WATCH_MS, elapsed: () => number = () => performance.now()): ConnectionWatch {
  let gone = false;
  let looking: Promise<void> | undefined;
  let lastLook = elapsed();
  const look = () =>
    loadAccount(repo, loaded.email).then(
      (current) => {
        // Awaiting a reconnect since the job loaded it: a disconnect under way (its pause, with the
        // reason, comes first; cut short, nothing deletes the record), or the grant found gone.
        if (!current || current.createdAt !== loaded.createdAt || (awaitsReconnect(current) && !awaitsReconnect(loaded))) gone = true;
      },
      () => undefined,
    );
  const left = (asked = false) => {
    if (asked && !gone && !looking && elapsed() - lastLook >= everyMs) {
      lastLook = elapsed();
      looking = look().finally(() => (looking = undefined));
    }
    return gone;
  };
  return {
    left,
    reads: (stop, abandon) => ({ stopBefore: () => left(true) || (stop?.() ?? false), abandonPageBefore: () => left() || (abandon?.() ?? false) }),
    settled: async () => {
      await looking;
    },
  };
}

/**
 * Runs `job` for an active account under its scan lease. An unknown, paused or disconnected
 * account is skipped; a held lease is "busy" (retry later); a revoked grant is handled here and is
 * not retried; any other error propagates (the queue retries, then dead-letters).
 */
export async function runAccountJob(o: AccountJobOptions, job: (account: AccountRecord, watch: ConnectionWatch) => Promise<unknown>): Promise<JobOutcome> {
  const account = await loadAccount(o.repo, o.email);
  // A grant found gone whose reconnect notice did not go (the mailer failed, or the run sending it
  // was lost, and the record is delivered again): the notice is this delivery's work; while another
  // run's claim on it is fresh, the record comes back later. Nothing else runs until a reconnect.
  const notice = account && o.onRevoked?.notifies ? noticeState(account, o.now) : "none";
  if (notice === "sending") return "busy";
  if (notice === "due" && account && o.onRevoked) {
    await o.onRevoked(o.repo, account, undefined, o.now);
    return "revoked";
  }
  if (o.noticeOnly) return "skipped";
  if (!account || account.status !== "active" || (o.belongs && !o.belongs(account))) return "skipped";
  const week = o.weekly && o.weekOf ? o.weekOf(account) : undefined;
  if (o.weekly && account.lastWeeklyAt !== undefined && o.now - account.lastWeeklyAt < WEEKLY_GUARD_MS && (week === undefined || account.lastWeek === undefined || account.lastWeek === week)) return "skipped";
  try {
    // A rename cut short is finished first (its records come along before this job reads them).
    const run = await withLease(o.repo, { email: o.email, name: SCAN_LEASE, owner: o.owner, ttlMs: o.leaseMs, now: o.now }, async () => {
      const moved = await finishMove(o.repo, account, o.now);
      const watch = connectionWatch(o.repo, moved, o.watchEveryMs);
      try {
        return await job(moved, watch);
      } finally {
        await watch.settled();
      }
    });
    if (run.held) return "busy";
    if (run.value === RETRY_LATER || run.value === CONTINUES) {
      // (Its plan, if it made one, may have moved a zone change's sync: filed again, as below.)
      await syncIfZoneMoved(o, account);
      // Disconnected while it ran: nothing goes on (no retry, no continuation), and what it wrote goes.
      if (await sweptIfGone(o.repo, o.email, o.now)) return "skipped";
      return run.value === RETRY_LATER ? "busy" : "continued";
    }
    // Re-derive the due index for the next occurrence not yet run (the zone's offset may change by
    // then): the first from now of a week later than the one last run (core/schedule nextDue), which
    // after the weekly run is this run's week, and after any other job (an event email, the daily
    // sync, a backfill) may be this week's still to come. An account whose runs recorded no week
    // (before weeks were recorded) derives it as it did: after the weekly run, from 20 hours on;
    // after any other job, from now, not before 20 hours after the last weekly run.
    const lastWeek = o.weekly ? week : account.lastWeek;
    const refreshAt = lastWeek !== undefined ? o.now : o.weekly ? o.now + WEEKLY_GUARD_MS : Math.max(o.now, (account.lastWeeklyAt ?? -Infinity) + WEEKLY_GUARD_MS);
    const recorded = await updateAccount(o.repo, o.email, o.weekly ? { lastWeeklyAt: o.now, ...(week !== undefined ? { lastWeek: week } : {}) } : {}, refreshAt).catch((e: unknown) => {
      // The account went between that read and this write (a disconnect): as below.
      if ((e as { name?: string }).name === "ConditionalCheckFailedException") return undefined;
      throw e;
    });
    if (!recorded) {
      await deleteAccountData(o.repo, o.email);
      return "skipped";
    }
    await syncIfZoneMoved(o, account, recorded);
    if (connectedSince(recorded, o.now)) {
      // Recorded on a new connection's account: its data goes (above), and so does this run's record
      // of a week, with its due index derived again from now.
      await clearForNewConnection(o.repo, o.email);
      if (o.weekly) await updateAccount(o.repo, o.email, { lastWeeklyAt: undefined, lastWeek: undefined }, o.now);
      return "skipped";
    }
    return "done";
  } catch (e) {
    if (isRevoked(e)) {
      // At the time the failure was found, not the record's start: a notice claimed 11 minutes into a
      // backfill is a fresh claim, not one already stale (helper-107 #1).
      await (o.onRevoked ?? markNeedsReconnect)(o.repo, account, e, o.clock?.() ?? o.now);
      await sweptIfGone(o.repo, o.email, o.now);
      return "revoked";
    }
    // The failure is the record's either way; a disconnect meanwhile still gets what the job wrote.
    await syncIfZoneMoved(o, account);
    await sweptIfGone(o.repo, o.email, o.now).catch(() => undefined);
    throw e;
  }
}

/**
 * A job's writes are plain puts (cursors, meetings, messages, people, event jobs): a disconnect that
 * deletes the account's data while one runs (settings' disconnect: no lease, it cannot wait out a
 * 15-minute backfill) would leave what the job wrote after the deletion read the partition. So a
 * job that ends (done, cut short, failed) and finds its account gone deletes the partition again
 * (core/accounts deleteAccountData, whose last read comes after the account item is deleted: a job
 * either wrote before that read, or ends after the account is gone and sweeps here). True when it did.
 */
async function sweptIfGone(repo: Repository, email: string, began: number): Promise<boolean> {
  const current = await loadAccount(repo, email);
  if (!current) {
    await deleteAccountData(repo, email);
    return true;
  }
  if (!connectedSince(current, began)) return false;
  await clearForNewConnection(repo, email);
  return true;
}

/**
 * The owner set another zone while the job ran (the settings page, core/events changeTimeZone): what
 * the job planned was reckoned in the zone it loaded, and its plan (of its own scan's meetings), or a
 * failed sync's refiling, may have moved the sync the save filed. The calendar's sync goes to the
 * next dispatch again (core/events syncSoon), which reads it in the new zone and plans; an account
 * disconnected meanwhile has that item deleted with the rest ({@link sweptIfGone}). `stored`: the
 * account as the job's last write read it back, when it made one. Failures are logged: the next
 * plan finds the calendar read in another zone and files the sync itself.
 */
async function syncIfZoneMoved(o: AccountJobOptions, loaded: AccountRecord, stored?: AccountRecord): Promise<void> {
  try {
    const current = stored ?? (await loadAccount(o.repo, o.email));
    if (!current || current.status !== "active" || current.timeZone === loaded.timeZone || connectedSince(current, o.now)) return;
    await syncSoon(o.repo, o.email, (o.clock ?? Date.now)());
    await sweptIfGone(o.repo, o.email, o.now);
  } catch (e) {
    console.warn(JSON.stringify({ msg: "zone", account: o.email, sync: "not filed", error: e instanceof Error ? e.message : String(e) }));
  }
}

/** The account was disconnected and connected again (a new record) since a job that began at `began`. */
const connectedSince = (account: AccountRecord, began: number) => (account.createdAt ?? -Infinity) > began;

/**
 * Disconnected and connected again while a job ran: the job's writes after the deletion belong to
 * nobody, and would have the new connection's first read resume from the old one's cursors (its
 * newest pages deleted, never read again). Everything of the partition goes but the new account
 * record and the leases (the new connection's first read waits on the job's, then reads afresh).
 */
async function clearForNewConnection(repo: Repository, email: string): Promise<void> {
  await clearPartition(repo, email);
}

/** What a job does with an account whose grant is gone. */
export type RevokedHandler = ((repo: Repository, account: AccountRecord, error: unknown, now: number) => Promise<void>) & {
  /** It emails the owner (core/reconnect handleRevoked): a notice not yet sent is retried. */
  notifies?: boolean;
};

/**
 * The fallback when no system mailer is configured: status "needs_reconnect" only (which also takes
 * the account off the due-hour index), no email. With a mailer, functions/src/resources.ts injects
 * core/reconnect handleRevoked instead.
 */
export async function markNeedsReconnect(repo: Repository, account: AccountRecord, error: unknown, now: number): Promise<void> {
  // One conditional update, as handleRevoked's (core/reconnect markGrantGone): an account paused
  // meanwhile (the owner, a disconnect under way) stays paused, and one reconnected meanwhile (a new
  // connectedAt: the grant the run found gone is not the account's any more) stays active.
  if (!(await markGrantGone(repo, account, grantGoneReason(account, reconnectReason(error) ?? "auth-revoked", now)))) return;
  console.warn(`account ${account.email}: grant revoked (${(error as Error)?.message}); marked needs_reconnect, no reconnect email (no mailer)`);
}

/**
 * The revoked-grant handler of a deployment: with a system mailer and the app's URL, core/reconnect
 * handleRevoked (status, reason and one reconnect email, whose link is sealed with `linkKey`: no
 * address in it); without them, {@link markNeedsReconnect}.
 */
export function revokedHandler(notify: SystemMailer | undefined, baseUrl: string | undefined, linkKey: Uint8Array | string | undefined): RevokedHandler {
  if (!notify || !baseUrl) return markNeedsReconnect;
  const handler: RevokedHandler = async (repo, account, error, at) => {
    const outcome = await handleRevoked({ repo, account, now: at, notify, baseUrl, error, ...(linkKey !== undefined ? { linkKey } : {}) });
    console.warn(`account ${account.email}: grant revoked; ${outcome}`);
  };
  handler.notifies = true;
  return handler;
}
