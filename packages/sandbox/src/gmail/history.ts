import type { gmail_v1 } from "@googleapis/gmail";

/**
 * The kinds of change Gmail's history records, as `historyTypes` names them. Which values a request
 * may pass is read from the discovery document (users.history.list's enum) by the guard.
 */
export type HistoryType = "messageAdded" | "messageDeleted" | "labelAdded" | "labelRemoved";

/** One change to the mailbox: a message snapshot after the change and, for label changes, the labels changed. */
export interface HistoryEntry {
  id: number;
  at: number;
  type: HistoryType;
  message: { id: string; threadId: string; labelIds: string[] };
  labelIds?: string[];
}

/** Filters of users.history.list. */
export interface HistoryQuery {
  startHistoryId: number;
  types?: HistoryType[];
  labelId?: string;
}

/**
 * The history log of a mailbox: monotonically increasing ids, one record per change,
 * and a horizon below which start ids have expired (history.list answers 404).
 */
export class HistoryLog {
  private entries: HistoryEntry[] = [];
  /** Seeds arrive in any order; the log is sorted once, when next read (not per seed: a year is 40,000). */
  private unsorted = false;
  /** The last history id issued. */
  current: number;
  /** Start ids below this have expired. */
  horizon: number;

  constructor(current: number, horizon: number) {
    this.current = current;
    this.horizon = horizon;
  }

  /** Issues the next history id and records the change under it. */
  record(type: HistoryType, message: gmail_v1.Schema$Message, at: number, labelIds?: string[]): HistoryEntry {
    const entry: HistoryEntry = {
      id: ++this.current,
      at,
      type,
      message: { id: message.id!, threadId: message.threadId!, labelIds: [...(message.labelIds ?? [])] },
      ...(labelIds ? { labelIds: [...labelIds] } : {}),
    };
    this.entries.push(entry);
    return entry;
  }

  /** Seeds a record with a given id (fixture messages' own history ids); keeps the log sorted. */
  seed(type: HistoryType, message: gmail_v1.Schema$Message, id: number, at: number): void {
    this.entries.push({ id, at, type, message: { id: message.id!, threadId: message.threadId!, labelIds: [...(message.labelIds ?? [])] } });
    this.unsorted = true;
    this.current = Math.max(this.current, id);
  }

  /**
   * Expires every id issued so far: a fresh id is issued (so getProfile hands out a usable start id)
   * and becomes the horizon.
   */
  expire(): void {
    this.current++;
    this.horizon = this.current;
  }

  /** Expires ids of records older than `maxAgeMs` before `now` (Gmail keeps history about a week). */
  expireOlderThan(now: number, maxAgeMs: number): void {
    const old = this.log().filter((e) => e.at < now - maxAgeMs);
    if (old.length > 0) this.horizon = Math.max(this.horizon, old[old.length - 1].id + 1);
  }

  /** The records in id order. */
  private log(): HistoryEntry[] {
    if (this.unsorted) {
      this.entries.sort((a, b) => a.id - b.id);
      this.unsorted = false;
    }
    return this.entries;
  }

  /** True when a start id can no longer be served. */
  expired(startHistoryId: number): boolean {
    return startHistoryId < this.horizon;
  }

  /** Records after `startHistoryId` (and after `afterId` for paging) that match the filters. */
  query(q: HistoryQuery, afterId = 0): HistoryEntry[] {
    const from = Math.max(q.startHistoryId, afterId);
    return this.log().filter((e) => {
      if (e.id <= from) return false;
      if (q.types && q.types.length > 0 && !q.types.includes(e.type)) return false;
      if (q.labelId && !e.message.labelIds.includes(q.labelId) && !(e.labelIds ?? []).includes(q.labelId)) return false;
      return true;
    });
  }
}

/** A log entry in the API's shape (`messages` plus one typed list). */
export function toHistory(e: HistoryEntry): gmail_v1.Schema$History {
  const message = { ...e.message, labelIds: [...e.message.labelIds] };
  const h: gmail_v1.Schema$History = { id: String(e.id), messages: [{ id: e.message.id, threadId: e.message.threadId }] };
  if (e.type === "messageAdded") h.messagesAdded = [{ message }];
  if (e.type === "messageDeleted") h.messagesDeleted = [{ message }];
  if (e.type === "labelAdded") h.labelsAdded = [{ message, labelIds: e.labelIds ?? [] }];
  if (e.type === "labelRemoved") h.labelsRemoved = [{ message, labelIds: e.labelIds ?? [] }];
  return h;
}
