import { randomBytes, randomInt } from "node:crypto";
import type { calendar_v3 } from "@googleapis/calendar";
import type { AccountInfo } from "../fixtures";

type Event = calendar_v3.Schema$Event;

/** One event of the store with its bookkeeping. */
export interface CalendarEntry {
  /** The event as stored (full form, or the fixture's minimal form for some cancelled instances). */
  event: Event;
  /** Change sequence number of its last change (0 for fixture events). */
  seq: number;
  /** Insertion order: the "unspecified, stable order" of an unordered listing. */
  ord: number;
  /** Purged by {@link CalendarStore.deleteEvent}: gone from listings, still reported to older sync tokens. */
  purged: boolean;
}

/** What a sync token stands for. */
export interface SyncPoint {
  epoch: number;
  seq: number;
}

const base32hex = "0123456789abcdefghijklmnopqrstuv";

/** A new event id in Google's alphabet (base32hex, lower case). */
export function newEventId(): string {
  return [...randomBytes(26)].map((b) => base32hex[b % 32]).join("");
}

/** The minimal form incremental sync returns for a cancelled event. */
export function minimalCancelled(e: Event): Event {
  const out: Event = { kind: "calendar#event", etag: e.etag, id: e.id, status: "cancelled" };
  if (e.recurringEventId) out.recurringEventId = e.recurringEventId;
  if (e.originalStartTime) out.originalStartTime = e.originalStartTime;
  return out;
}

/**
 * The primary calendar of one Google account: fixture events kept as given (expanded instances),
 * a change sequence and sync tokens encoding (epoch, sequence).
 */
export class CalendarStore {
  private entries = new Map<string, CalendarEntry>();
  private seq = 0;
  private nextOrd = 0;
  /** Random start so tokens of an earlier sandbox run are unknown here. */
  private epoch = randomInt(1, 2 ** 30);

  constructor(
    readonly account: AccountInfo,
    events: Event[],
    readonly now: () => number,
  ) {
    for (const e of events) this.entries.set(e.id!, { event: structuredClone(e), seq: 0, ord: this.nextOrd++, purged: false });
  }

  /** The calendar id of the primary calendar (the owner's address). */
  get calendarId(): string {
    return this.account.email;
  }

  /** The calendar's time zone. */
  get timeZone(): string {
    return this.account.timeZone;
  }

  /** The latest change sequence number. */
  get sequence(): number {
    return this.seq;
  }

  /** Every entry, purged ones included, in insertion order. */
  all(): CalendarEntry[] {
    return [...this.entries.values()];
  }

  /** One event by id (undefined when unknown or purged). */
  get(id: string): Event | undefined {
    const e = this.entries.get(id);
    return e && !e.purged ? e.event : undefined;
  }

  private stamp(e: Event, seq: number): void {
    const ms = this.now();
    e.updated = new Date(ms).toISOString();
    e.etag = `"${ms * 1000 + (seq % 1000)}"`;
  }

  /**
   * Adds or replaces an event (replace semantics, like events.update). Fills id, kind, etag,
   * created (kept from the replaced event), updated (the mailbox clock) and status "confirmed" when absent.
   */
  upsertEvent(input: Event): Event {
    const event = structuredClone(input);
    event.id ??= newEventId();
    const old = this.entries.get(event.id);
    const seq = ++this.seq;
    event.kind ??= "calendar#event";
    event.status ??= "confirmed";
    event.iCalUID ??= old?.event.iCalUID ?? `${event.recurringEventId ?? event.id}@google.com`;
    event.created ??= old && !old.purged ? old.event.created : new Date(this.now()).toISOString();
    this.stamp(event, seq);
    this.entries.set(event.id, { event, seq, ord: old?.ord ?? this.nextOrd++, purged: false });
    return structuredClone(event);
  }

  /** Cancels an event (status "cancelled", as events.delete does on Google). Undefined when unknown. */
  cancelEvent(id: string): Event | undefined {
    const entry = this.entries.get(id);
    if (!entry || entry.purged) return undefined;
    entry.seq = ++this.seq;
    entry.event.status = "cancelled";
    this.stamp(entry.event, entry.seq);
    return structuredClone(entry.event);
  }

  /**
   * Purges an event: it leaves every listing (even with showDeleted), but a sync token taken
   * before the purge still reports it, cancelled in minimal form. False when unknown.
   */
  deleteEvent(id: string): boolean {
    const entry = this.entries.get(id);
    if (!entry || entry.purged) return false;
    entry.seq = ++this.seq;
    entry.purged = true;
    entry.event.status = "cancelled";
    this.stamp(entry.event, entry.seq);
    return true;
  }

  /** Makes every sync token issued so far expire (events.list answers 410). */
  expireSyncTokens(): void {
    this.epoch++;
  }

  /** A sync token for the changes after `seq`, in the current epoch. */
  syncToken(seq = this.seq): string {
    return Buffer.from(`sbx1:${this.epoch}:${seq}`).toString("base64");
  }

  /**
   * Reads a sync token: `"malformed"` when it is not one of ours, `"expired"` when it belongs to an
   * older epoch (or another run), else the sequence it stands for.
   */
  readSyncToken(token: string): SyncPoint | "malformed" | "expired" {
    const m = /^sbx1:(\d+):(\d+)$/.exec(Buffer.from(token, "base64").toString("utf8"));
    if (!m) return "malformed";
    const point = { epoch: Number(m[1]), seq: Number(m[2]) };
    if (point.epoch !== this.epoch || point.seq > this.seq) return "expired";
    return point;
  }
}
