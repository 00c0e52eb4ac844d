import type { MailMessage, Meeting } from "../model";

/**
 * Where a stream's sync stands, stored after every page so a scan that dies resumes there.
 * `full`: a backfill of the window is in progress (`pageToken` is the next page; `anchor` the
 * incremental cursor taken before the backfill began). `incremental`: caught up at `cursor`
 * (`pageToken`/`nextLink` when an incremental round is itself paged). `until`: the end of a window
 * that the cursor is bound to (Graph's calendarView delta), so the stream can renew it in time.
 */
export type SyncCursor = (
  | { mode: "full"; since: number; page?: string; anchor?: string; generation: number; until?: number }
  | { mode: "incremental"; cursor: string; page?: string; generation: number; until?: number }
) & {
  /** The shape of the items stored under this cursor (core/scan MEETING_SHAPE); the store's, never an adapter's. */
  shape?: number;
  /** The time zone all-day meetings stored under this cursor were read in (core/scan calendarSink); the store's, never an adapter's. */
  zone?: string;
  /** What the items stored under this cursor were selected by (core/scan: the owner identities of the owner-mail stream); the store's. */
  selector?: string;
  /**
   * A full read that replaces a complete one: the provider stopped honouring the stream's
   * incremental cursor (core/scan/sync), so the stream reads its window again. Set by the sync, never
   * an adapter; the stream's first read was done.
   */
  reread?: true;
  /**
   * A Graph delta round read without the page size preference, after one with it served the same
   * page again and again (core/microsoft/streams deltaStream); the adapter's, kept by the sync.
   */
  plain?: true;
};

/** One page of changes from a stream. */
export interface SyncPage<T> {
  upserts: T[];
  /** Ids of items removed since the cursor (deleted mail, deleted events). */
  deletes: string[];
  /**
   * Ids of items that left the part of the mailbox the stream reads, and may still be elsewhere in
   * it (an owner-mail copy moved out of the Inbox): see OwnerMailStream.gone.
   */
  left?: string[];
  /** The cursor to store once this page's changes are written. */
  next: SyncCursor;
  /** True when the stream is caught up (the stored cursor is incremental with no page left). */
  done: boolean;
}

/**
 * The span a stream syncs: items from `since` (and, for a calendar, up to `until`); `now` is the
 * scan's own time, when the caller knows it.
 */
export interface SyncWindow {
  since: number;
  until: number;
  now?: number;
  /**
   * Asked before each provider call of a page made of several (Gmail's `messages.get` after a list,
   * Graph's series masters after a calendar page): true when no call may start any more (a Lambda
   * near its time limit). The page then rejects with PageAbandoned (core/resilience), nothing of it
   * stored and its cursor where it was, so the next read replays it.
   */
  abandon?: () => boolean;
}

/** Renew a calendar listing when its end is less than this ahead of the scan's own horizon: 185 days (a literal: a product of two is kept by a bundle that drops the rest). */
const CALENDAR_RENEW_BEFORE_MS = 15_984_000_000;

/**
 * True when a calendar stream's incremental cursor must be renewed by a full listing: the end its
 * listing ran to (`until`) comes within CALENDAR_RENEW_BEFORE_MS of the window's, or it has none (a
 * cursor stored before cursors carried one). A round reports changes only, so what lies past that
 * end never arrives otherwise (Google's listing and Graph's calendar view alike).
 */
export function listingEndsSoon(cursor: SyncCursor | undefined, window: SyncWindow): boolean {
  return cursor?.mode === "incremental" && (cursor.until === undefined || cursor.until < window.until - CALENDAR_RENEW_BEFORE_MS);
}

/** A stream of changes: call `page` with the stored cursor (undefined the first time) until `done`. */
export interface ChangeStream<T> {
  page(cursor: SyncCursor | undefined, window: SyncWindow): Promise<SyncPage<T>>;
}

/** Reads the messages the owner sent (headers only). */
export interface SentMailReader {
  sentMail: ChangeStream<MailMessage>;
}

/**
 * The owner-mail stream: its deletes are copies gone from the mailbox; its `left` are copies that
 * left the folder it reads, which are still the owner's mail unless `gone` says otherwise.
 */
export interface OwnerMailStream extends ChangeStream<MailMessage> {
  /**
   * Of these ids (copies the store holds that a page reported `left`), those no longer the owner's
   * mail: deleted, or in the trash or spam folder (Gmail `TRASH`/`SPAM`; Outlook Deleted Items, Junk
   * Email and Recoverable Items), which a read of the mailbox leaves out. An archived or otherwise
   * filed copy stays.
   */
  gone(ids: string[]): Promise<string[]>;
}

/**
 * Reads the owner's mail outside the sent folder whose From is an owner identity (headers only):
 * shared/spec/behaviour.md counts it as outbound. A factory, since the identities are learned as
 * the scan goes. Optional: a provider without it reads Sent alone (both adapters have it; Gmail's
 * reads 45 days back, since gmail.metadata refuses a `q` search by sender).
 */
export interface OwnerMailReader {
  ownerMail?(identities: ReadonlySet<string>): OwnerMailStream;
}

/** Reads the owner's calendar (metadata only). */
export interface CalendarReader {
  calendar: ChangeStream<Meeting>;
}

/** A draft to create in the owner's mailbox. */
export interface DraftRequest {
  to: { email: string; name: string };
  subject: string;
  text: string;
  /** Reply threading, when an earlier message to the person exists. */
  replyTo?: {
    /** Provider thread / conversation id. */
    threadId?: string;
    /** RFC 5322 Message-ID of the earlier message. */
    messageId?: string;
    /** The provider's id of the earlier message (Graph replies by item id). */
    providerMessageId?: string;
  };
}

/** A created draft and where the owner opens it. */
export interface DraftResult {
  id: string;
  /** Opens the draft (Outlook) or the account's Drafts folder (Gmail has no reliable link to one draft). */
  webLink: string;
  /**
   * Gmail: the thread the draft's message is in (drafts.create and drafts.get give it), kept so that
   * {@link DraftWriter.draftSent} can look there once the draft has left Drafts. Graph: absent.
   */
  threadId?: string;
}

/** A draft found again by its marker. */
export interface MarkedDraft extends DraftResult {
  /** When the provider made it (epoch ms): the oldest of duplicates is the one kept. */
  createdAt: number;
}

/**
 * Creates drafts in the owner's mailbox and finds them again. Neither Gmail's drafts.create nor
 * Graph's POST /me/messages takes an idempotency key, so each follow-up draft carries an opaque
 * `marker` (a header on Gmail, a single-value extended property on Graph) that the caller can look
 * for before creating again and after creating (to remove duplicates).
 */
export interface DraftWriter {
  createDraft(draft: DraftRequest & { marker?: string }): Promise<DraftResult>;
  /**
   * Drafts carrying `marker`, oldest first. Bounded in provider quota (see each adapter). `since`:
   * when the marker was claimed (no draft carrying it is older), so the look goes back that far
   * (Gmail reads its newest drafts back to it, at most DRAFT_LOOKBACK_MAX; Graph's filter finds the
   * marker in one request anyway).
   */
  findDrafts(marker: string, since?: number): Promise<MarkedDraft[]>;
  /**
   * The owner's recent drafts addressed to `email` (the same bounded look at the newest drafts as
   * findDrafts without `since`: Gmail reads DRAFT_LOOKBACK drafts' headers, Graph one page), oldest first.
   */
  draftsTo(email: string): Promise<MarkedDraft[]>;
  /** Deletes a draft; a draft already gone is not an error. */
  deleteDraft(id: string): Promise<void>;
  /**
   * Whether a draft we made is still in the owner's Drafts: false once they deleted or sent it. One
   * request (Gmail drafts.get; Graph the marker's lookup, which reads the Drafts folder only).
   */
  draftExists(draft: { id: string; marker: string }): Promise<boolean>;
  /**
   * Whether a draft we made, no longer in Drafts, was sent: `{ sentAt }` (when, if the provider says)
   * once it was; undefined when the provider cannot tell (deleted, or not known), with the scopes we
   * hold. Graph reads the message by its immutable id, then, where that answers nothing, looks in
   * Sent Items for the copy carrying the draft's `marker` (sending files a copy of its own there,
   * under another id: microsoftgraph/microsoft-graph-docs issues 6250 and 1533). Gmail gives the
   * sent message a new id (the draft's is deleted), so it reads the draft's thread (`threadId`,
   * users.threads.get, format minimal, which gmail.metadata allows) for a message labelled SENT dated
   * no earlier than `since` (when the draft was made); a draft stored without its thread (made
   * before 2026-12-07) is not known. docs/provider-quirks.md, "Sent or deleted".
   */
  draftSent?(draft: { id: string; marker: string; threadId?: string; since: number }): Promise<{ sentAt?: number } | undefined>;
}

/** A message to send from the owner's account (the digest). */
export interface OutgoingMail {
  to: string;
  subject: string;
  html: string;
  text: string;
  /** Message-ID to set, so a retried send can be recognised in Sent. */
  messageId?: string;
  headers?: Record<string, string>;
}

/** Sends mail from the owner's account. */
export interface MailSender {
  send(mail: OutgoingMail): Promise<{ id: string }>;
  /**
   * True when a message with this Message-ID is in the owner's sent mail, looking back to `since`
   * (epoch ms; reconciling a send that may have happened before its run died).
   */
  sentRecently(messageId: string, since?: number): Promise<boolean>;
}

/** The owner's profile as the provider reports it. */
export interface Profile {
  email: string;
  aliases: string[];
  displayName?: string;
  timeZone?: string;
}

/** Reads the owner's profile. */
export interface ProfileReader {
  profile(): Promise<Profile>;
  /**
   * The zone the owner's calendar names now, as {@link Profile.timeZone} reads it, in one request
   * (the daily sync's check for a move: core/events followCalendarZone). Undefined when it names none.
   */
  calendarZone?(): Promise<string | undefined>;
}

/** Everything the service needs from one connected mailbox. */
export type MailboxProvider = SentMailReader & OwnerMailReader & CalendarReader & DraftWriter & MailSender & ProfileReader;

/** An adapter's readers: the streams a scan syncs. */
export type MailboxReaders = SentMailReader & OwnerMailReader & CalendarReader;

const unread = (): Promise<never> => Promise.reject(new Error("this adapter does not read the mailbox or calendar (a profile, drafts and sends only)"));

/** Gmail has no reliable link to one draft: a draft's link lands on the Drafts folder of the mailbox of `email`. */
export const gmailDraftsLink = (email: string) => `https://mail.google.com/mail/u/${encodeURIComponent(email)}/#drafts`;

/**
 * The readers of an adapter that has none (core/loader/mailbox's: the API's, which never syncs, so
 * that its bundle holds no stream or mapping module): any page it is asked for fails.
 */
export const NO_READERS: MailboxReaders = { sentMail: { page: unread }, calendar: { page: unread } };
