import type { gmail_v1 } from "@googleapis/gmail";
import type { MailMessage } from "../model";
import type { ChangeStream, OwnerMailStream, SyncCursor, SyncPage, SyncWindow } from "../providers";
import { idsGone, mapLimit, PageAbandoned, ProviderError } from "../resilience";
import { mapGmailMessage } from "./map";

/** Calls Gmail through the adapter's pacing and retry policy; `units` is the call's quota cost. */
export type GmailCall = <T>(units: number, fn: () => Promise<T>) => Promise<T>;

/** Options of the sent-mail stream. */
export interface GmailSentOptions {
  gmail: gmail_v1.Gmail;
  call: GmailCall;
  /** messages.get calls in flight. */
  concurrency: number;
  /** messages.list / history.list page size (max 500). */
  pageSize: number;
}

/** Gmail's quota units per call (developers.google.com/gmail/api/reference/quota). */
export const GMAIL_UNITS = { list: 5, get: 5, history: 2, profile: 1 } as const;
const UNITS = GMAIL_UNITS;

/**
 * The owner's sent mail from Gmail, headers only: a backfill lists the SENT label newest first and
 * stops at the window; later syncs follow history.list from the history id taken before the backfill.
 * It reads sent mail the owner has since moved to the Trash too (Gmail's `includeSpamTrash`; the
 * list leaves it out by default): it was still sent (behaviour.md). Mail in Spam is not read.
 */
export function gmailSentStream(o: GmailSentOptions, x: { seen?: SentSeen } = {}): ChangeStream<MailMessage> {
  return gmailLabelStream(o, { label: "SENT", keep: () => true, ...WHOLE_MAILBOX, ...(x.seen ? { seen: x.seen } : {}) });
}

/**
 * The messages a full read of SENT got (id to sent time), for a whole-mailbox read of the owner's
 * mail in the same scan to pass over: every one carries SENT, which that read's `keep` refuses, so
 * getting it again (5 units and a request each) changes nothing. A mailbox fixture's scan reads both
 * from the start: the generated Gmail year (20,000 of its 40,000 messages sent) took 59.6 s through
 * `followthrough scan --fixtures`, 36.7 s without the second gets (helper-116 #2, docs/benchmarks.md (4)).
 */
export type SentSeen = Map<string, number>;

/** Labels that take a message out of what a read of the mailbox finds (Gmail's list leaves them out unless asked). */
const TRASH_AND_SPAM: readonly string[] = ["TRASH", "SPAM"];

/** What a read takes in besides a label's usual list: the Trash, never Spam (a forged From lands there). SENT's always; the scan contract's whole mailbox too. */
const WHOLE_MAILBOX = { includeSpamTrash: true, hidden: ["SPAM"], skipHidden: true } as const;

/**
 * How far back the Inbox is read for mail From the owner: the longest a missing follow-up looks back
 * (a first meeting that ended up to 30 days ago, shared/spec/behaviour.md) and a fortnight more for
 * the meeting's own length and the Sunday-to-Sunday of a weekly scan.
 */
export const OWNER_INBOX_DAYS = 45;

/**
 * The INBOX label's messages From one of the owner's `identities` that are not in SENT (those the
 * sent stream has): a copy the owner sent from another system, or Bcc'd to themselves. The
 * gmail.metadata scope refuses a `q` search (`from:`), so each Inbox message costs a
 * `messages.get` (5 units) to see its From: the stream reads the last OWNER_INBOX_DAYS only, which
 * is as far as a missing follow-up looks. A copy that loses the INBOX label is reported `left`:
 * archived, it is still the owner's mail; `gone` reads its labels (`messages.get`, format minimal)
 * and says whether it was trashed or marked as spam, or deleted. An owner's Inbox copy older than
 * the window, which would make a person known before a first meeting, is not read (docs/rules.md).
 */
export function gmailOwnerInboxStream(o: GmailSentOptions, identities: ReadonlySet<string>, x: { days?: number; allMail?: boolean; sent?: ReadonlyMap<string, number> } = {}): OwnerMailStream {
  const days = x.days ?? OWNER_INBOX_DAYS;
  // `allMail` (the scan contract's whole mailbox): every message, whatever its labels (an archived
  // copy, one in the Trash), not the Inbox's; never one in Spam.
  const hidden: readonly string[] = x.allMail ? WHOLE_MAILBOX.hidden : TRASH_AND_SPAM;
  const stream = gmailLabelStream(o, {
    ...(x.allMail ? WHOLE_MAILBOX : {}),
    label: x.allMail ? undefined : "INBOX",
    keep: (m) => !m.inSent && !m.draft && m.from !== undefined && identities.has(m.from),
    since: (w) => (w.now === undefined || !Number.isFinite(days) ? w.since : Math.max(w.since, w.now - days * 86_400_000)),
    // At most one page past the window's start is read for nothing: a smaller page than SENT's.
    pageSize: Math.min(o.pageSize, 100),
    leaving: "left",
    ...(x.sent?.size ? { skip: x.sent } : {}),
  });
  const gone = (ids: string[]) =>
    idsGone(ids, o.concurrency, async (id) => {
      const r = await o.call(UNITS.get, () => o.gmail.users.messages.get({ userId: "me", id, format: "minimal" }, { retry: false }));
      return (r.data.labelIds ?? []).some((l) => hidden.includes(l));
    });
  return { ...stream, gone };
}

interface LabelStream {
  /** The label read; none: all mail (Gmail's messages.list and history.list without a label). */
  label: "SENT" | "INBOX" | undefined;
  /** Which messages of the label the stream keeps. */
  keep: (m: MailMessage) => boolean;
  /** The first day the backfill reads (default the window's). */
  since?: (w: SyncWindow) => number;
  /** messages.list page size (default the options'). */
  pageSize?: number;
  /** The backfill's list includes the label's messages in the Trash or Spam too. */
  includeSpamTrash?: boolean;
  /** Labels that take a message out of what a read of the mailbox finds (default TRASH_AND_SPAM). */
  hidden?: readonly string[];
  /**
   * A message read carrying one of `hidden` is not the stream's (gone, for a history round): with
   * `includeSpamTrash` the list holds such messages, and history reports mail arriving in Spam.
   */
  skipHidden?: boolean;
  /**
   * What a message the label is taken from is: "delete" (SENT's, the default: it is no longer in the
   * sent folder) or "left" (INBOX's: reported in SyncPage.left, since an archived copy is still the
   * owner's mail).
   */
  leaving?: "delete" | "left";
  /** A full read records here each message it got (SentSeen). */
  seen?: SentSeen;
  /**
   * A full read does not get these messages (SentSeen: another stream of the scan got them, and
   * `keep` refuses them); their sent times still count where the read decides it has reached the
   * window's start, as if got.
   */
  skip?: ReadonlyMap<string, number>;
}

/** One label's messages, headers only, by listing and then history.list (see gmailSentStream). */
function gmailLabelStream(o: GmailSentOptions, spec: LabelStream): ChangeStream<MailMessage> {
  const { gmail, call } = o;
  const { label } = spec;
  const hiddenLabels = spec.hidden ?? TRASH_AND_SPAM;
  const isHidden = (ids: readonly string[] | null | undefined) => (ids ?? []).some((l) => hiddenLabels.includes(l));
  const req = { retry: false } as const;

  /** The messages of `ids`; with `abandon`, asked before each `messages.get` goes out (after its wait for quota), the page is given up. */
  async function fetchMessages(ids: string[], abandon?: () => boolean): Promise<{ found: MailMessage[]; gone: string[] }> {
    const gone: string[] = [];
    const got = await mapLimit(ids, o.concurrency, async (id) => {
      try {
        const r = await call(UNITS.get, () => {
          if (abandon?.()) throw new PageAbandoned();
          // Every header (no `metadataHeaders`): the mapper reads GMAIL_HEADERS' names in any case.
          return gmail.users.messages.get({ userId: "me", id, format: "metadata" }, req);
        });
        if (spec.skipHidden && isHidden(r.data.labelIds)) {
          gone.push(id);
          return undefined;
        }
        return mapGmailMessage(r.data);
      } catch (e) {
        if (e instanceof ProviderError && e.kind === "not-found") {
          gone.push(id);
          return undefined;
        }
        throw e;
      }
    });
    return { found: got.filter((m): m is MailMessage => m !== undefined), gone };
  }

  async function full(c: Extract<SyncCursor, { mode: "full" }>, window: SyncWindow): Promise<SyncPage<MailMessage>> {
    // A stream that reads less than the window starts later, however its full read began (a first
    // sync, an expired history id's recovery, the caller's re-read).
    const cursor = spec.since ? { ...c, since: Math.max(c.since, spec.since(window)) } : c;
    const anchor = cursor.anchor ?? (await call(UNITS.profile, () => gmail.users.getProfile({ userId: "me" }, req))).data.historyId ?? undefined;
    if (!anchor) throw new ProviderError("temporary", "gmail: profile has no historyId");
    const list = await call(UNITS.list, () =>
      gmail.users.messages.list({ userId: "me", ...(label ? { labelIds: [label] } : {}), maxResults: spec.pageSize ?? o.pageSize, pageToken: cursor.page, includeSpamTrash: spec.includeSpamTrash === true }, req),
    );
    const listed = (list.data.messages ?? []).map((m) => m.id!).filter(Boolean);
    const skip = spec.skip;
    const ids = skip ? listed.filter((id) => !skip.has(id)) : listed;
    const { found } = await fetchMessages(ids, window.abandon);
    if (spec.seen) for (const m of found) spec.seen.set(m.id, m.sentAt);
    const inWindow = found.filter((m) => m.sentAt >= cursor.since && spec.keep(m));
    const dates = found.map((m) => m.sentAt);
    if (skip) for (const id of listed) if (skip.has(id)) dates.push(skip.get(id)!);
    // The listing ends where a whole page is older than the window. Gmail lists only roughly newest
    // first (a page's internalDates go back up by hours, googleapis/google-api-nodejs-client#3508): one
    // older message on a page is no end, and ending there could lose what the next page held of the
    // window (helper-109 #1). A whole page out of place (a page of old-dated copies listed first)
    // would still end it: nothing observed of Gmail does that (helper-111 #1).
    const reachedWindowEnd = dates.length > 0 && dates.every((at) => at < cursor.since);
    const more = list.data.nextPageToken && !reachedWindowEnd;
    const next: SyncCursor = more
      ? { mode: "full", since: cursor.since, page: list.data.nextPageToken!, anchor, generation: cursor.generation }
      : { mode: "incremental", cursor: anchor, generation: cursor.generation };
    return { upserts: inWindow, deletes: [], next, done: false };
  }

  async function incremental(cursor: Extract<SyncCursor, { mode: "incremental" }>, window: SyncWindow): Promise<SyncPage<MailMessage>> {
    let res;
    try {
      res = await call(UNITS.history, () =>
        gmail.users.history.list(
          {
            userId: "me",
            startHistoryId: cursor.cursor,
            ...(label ? { labelId: label } : {}),
            historyTypes: ["messageAdded", "messageDeleted", "labelAdded", "labelRemoved"],
            maxResults: o.pageSize,
            pageToken: cursor.page,
          },
          req,
        ),
      );
    } catch (e) {
      if (e instanceof ProviderError && e.kind === "not-found") throw new ProviderError("cursor-expired", "gmail: history id expired", 404, undefined, { cause: e });
      throw e;
    }
    // Records come oldest first; a message's last one decides (an INBOX label removed and given
    // back, a snooze or an undone archive, leaves it in). A deletion is final.
    const last = new Map<string, "added" | "removed">();
    const addedHere = new Set<string>();
    const mark = (id: string | null | undefined, what: "added" | "removed") => {
      if (!id) return;
      last.set(id, what);
      if (what === "added") addedHere.add(id);
    };
    const deleted = new Set<string>();
    for (const h of res.data.history ?? []) {
      for (const a of h.messagesAdded ?? []) if (label === undefined || (a.message?.labelIds ?? [label]).includes(label)) mark(a.message?.id, "added");
      for (const a of h.labelsAdded ?? []) {
        if (label !== undefined && (a.labelIds ?? []).includes(label)) mark(a.message?.id, "added");
        // Trashed or marked as spam with the label kept: it leaves what a read of the mailbox finds.
        // So does a SENT message a full read skips (`skipHidden`: Spam's, a forgery Gmail filed in
        // Sent and reclassified), where a round that kept it disagreed with the next full re-read.
        else if ((spec.leaving === "left" || spec.skipHidden) && isHidden(a.labelIds)) mark(a.message?.id, "removed");
      }
      for (const r of h.labelsRemoved ?? []) {
        if (label !== undefined && (r.labelIds ?? []).includes(label)) mark(r.message?.id, "removed");
        // A message taken out of the Trash or Spam is back in what a read finds: all mail's, and a
        // label's that a full read skips while hidden ("Not spam" on a SENT message); read again,
        // it is the stream's if nothing else hides it.
        else if ((label === undefined || spec.skipHidden) && isHidden(r.labelIds)) mark(r.message?.id, "added");
      }
      for (const d of h.messagesDeleted ?? []) if (d.message?.id) deleted.add(d.message.id);
    }
    const lastRemoved = [...last].filter(([id, what]) => what === "removed" && !deleted.has(id)).map(([id]) => id);
    const leftIds = spec.leaving === "left" ? lastRemoved : [];
    // A message added and then taken out within the round is still read: it was in the label (an
    // Inbox copy archived since), and `left` then asks where it went.
    const added = [...last].filter(([id, what]) => !deleted.has(id) && (what === "added" || (spec.leaving === "left" && addedHere.has(id)))).map(([id]) => id);
    const removed = new Set([...deleted, ...(spec.leaving === "left" ? [] : lastRemoved)]);
    const fetched = await fetchMessages(added, window.abandon);
    const found = fetched.found.filter(spec.keep);
    const gone = fetched.gone;
    const next: SyncCursor = res.data.nextPageToken
      ? { mode: "incremental", cursor: cursor.cursor, page: res.data.nextPageToken, generation: cursor.generation }
      : { mode: "incremental", cursor: res.data.historyId ?? cursor.cursor, generation: cursor.generation };
    return { upserts: found, deletes: [...removed, ...gone], ...(leftIds.length ? { left: leftIds } : {}), next, done: !res.data.nextPageToken };
  }

  return {
    page(cursor, window) {
      if (!cursor) return full({ mode: "full", since: window.since, generation: 1 }, window);
      return cursor.mode === "full" ? full(cursor, window) : incremental(cursor, window);
    },
  };
}
