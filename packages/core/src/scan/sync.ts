import type { ChangeStream, SyncCursor, SyncWindow } from "../providers";
import { PageAbandoned, ProviderError } from "../resilience";

/** What one stream's sync did. */
export interface StreamReport {
  pages: number;
  upserts: number;
  deletes: number;
  /** Full syncs started because the stored cursor had expired. */
  recoveries: number;
  swept: number;
  mode: "full" | "incremental";
  /**
   * Set when `stopBefore` said to stop before the stream was caught up (its cursor is stored), or a
   * page was given up part-way (`window.abandon`: nothing of it stored, its cursor where it was).
   */
  stopped?: true;
}

/** The stored cursor of the owner-mail stream (core/scan's OwnerMailReader): mail From the owner outside Sent. */
export const OWNER_MAIL_STREAM = "ownermail";

/** True when the stream under `cursor` was read to the end once: caught up, or reading its window again (`reread`). */
export const readOnce = (cursor: SyncCursor | undefined): boolean => cursor?.mode === "incremental" || cursor?.reread === true;

/**
 * The cursor of a full read of `window` that replaces `cursor` under a new generation: bound to the
 * window's end when `cursor` was (Graph's calendar view renews its window by it), and marked
 * `reread` while it replaces a complete read. After an expired cursor (syncStream), a renewed
 * meeting shape or a new owner alias (core/scan's sinks).
 */
export function restartCursor(cursor: SyncCursor | undefined, window: { since: number; until: number }): SyncCursor {
  return {
    mode: "full",
    since: window.since,
    generation: (cursor?.generation ?? 0) + 1,
    ...(cursor?.until !== undefined ? { until: window.until } : {}),
    ...(readOnce(cursor) ? { reread: true as const } : {}),
    // A Graph round read without its page size stays so (core/microsoft/streams deltaStream; helper-194 #2).
    ...(cursor?.plain ? { plain: true as const } : {}),
  };
}

/** Where a stream's items and cursor are kept. */
export interface StreamSink<T> {
  loadCursor(): Promise<SyncCursor | undefined>;
  saveCursor(cursor: SyncCursor): Promise<void>;
  upsert(items: T[], generation: number): Promise<void>;
  remove(ids: string[]): Promise<void>;
  /** Items that left the part of the mailbox the stream reads (SyncPage.left); without it, they stay. */
  left?(ids: string[]): Promise<void>;
  /**
   * Deletes items older than `generation` once a full sync of it completed: of those, only items the
   * full sync's window reaches (`since`, the cursor's; core/storage/synced sweep). An item older
   * than that window was not asked for, so not seeing it says nothing: it stays until its TTL.
   */
  sweep(generation: number, since?: number): Promise<number>;
}

/**
 * Pulls a stream until it is caught up. Items are written before the cursor that follows them, so
 * a sync that dies resumes from the last stored cursor and replays at most one page (idempotently).
 * An expired cursor restarts a full sync of the window under a new generation ({@link restartCursor});
 * when that full sync completes, items it did not see are swept. `stopBefore`, asked before each
 * page, ends the sync early (report.stopped) with everything read so far stored; so does a page
 * given up part-way by `window.abandon` (PageAbandoned), which is not stored and is read again next.
 */
export async function syncStream<T>(stream: ChangeStream<T>, sink: StreamSink<T>, window: SyncWindow, stopBefore?: () => boolean): Promise<StreamReport> {
  const report: StreamReport = { pages: 0, upserts: 0, deletes: 0, recoveries: 0, swept: 0, mode: "incremental" };
  let cursor = await sink.loadCursor();
  for (;;) {
    if (!cursor || cursor.mode === "full") report.mode = "full";
    // Out of time (a Lambda near its limit): stop between pages; the stored cursor continues it.
    if (stopBefore?.()) {
      report.stopped = true;
      return report;
    }
    let page;
    try {
      page = await stream.page(cursor, window);
    } catch (e) {
      if (e instanceof PageAbandoned) {
        report.stopped = true;
        return report;
      }
      if (e instanceof ProviderError && e.kind === "cursor-expired") {
        const fresh = restartCursor(cursor, window);
        // Its restarts spent, the read fails; the next run starts a fresh round, not the cursor that
        // kept expiring (a Graph round repeating its page, core/microsoft/streams: helper-194 #1).
        if (report.recoveries >= 3) {
          await sink.saveCursor(fresh);
          throw e;
        }
        report.recoveries++;
        cursor = fresh;
        await sink.saveCursor(cursor);
        continue;
      }
      throw e;
    }
    report.pages++;
    if (page.upserts.length) await sink.upsert(page.upserts, page.next.generation);
    if (page.deletes.length) await sink.remove(page.deletes);
    if (page.left?.length && sink.left) await sink.left(page.left);
    report.upserts += page.upserts.length;
    report.deletes += page.deletes.length;
    const finishedFull = (!cursor || cursor.mode === "full") && page.next.mode === "incremental";
    const fullSince = cursor?.mode === "full" ? cursor.since : undefined;
    const next: SyncCursor = cursor?.reread && page.next.mode === "full" ? { ...page.next, reread: true } : page.next;
    // The sweep before the cursor that ends the full re-read: a run that dies in between replays
    // the last page and sweeps again (both idempotent), where the other order left the sweep undone
    // for good, the next run resuming incrementally (helper-105 #3).
    if (finishedFull && page.next.generation > 1) report.swept += await sink.sweep(page.next.generation, fullSince);
    await sink.saveCursor(next);
    cursor = next;
    if (page.done) return report;
  }
}
