import type { gmail_v1 } from "@googleapis/gmail";
import type { MailMessage } from "../model";
import type { ChangeStream, SyncCursor, SyncPage } from "../providers";
import { mapLimit, ProviderError } from "../resilience";
import { GMAIL_HEADERS, mapGmailMessage } from "./map";

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

const UNITS = { list: 5, get: 5, history: 2, profile: 1 };

/**
 * The owner's sent mail from Gmail, headers only: a backfill lists the SENT label newest first and
 * stops at the window; later syncs follow history.list from the history id taken before the backfill.
 */
export function gmailSentStream(o: GmailSentOptions): ChangeStream<MailMessage> {
  const { gmail, call } = o;
  const req = { retry: false } as const;

  async function fetchMessages(ids: string[]): Promise<{ found: MailMessage[]; gone: string[] }> {
    const gone: string[] = [];
    const got = await mapLimit(ids, o.concurrency, async (id) => {
      try {
        const r = await call(UNITS.get, () =>
          gmail.users.messages.get({ userId: "me", id, format: "metadata", metadataHeaders: GMAIL_HEADERS }, req),
        );
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

  async function full(cursor: Extract<SyncCursor, { mode: "full" }>): Promise<SyncPage<MailMessage>> {
    const anchor = cursor.anchor ?? (await call(UNITS.profile, () => gmail.users.getProfile({ userId: "me" }, req))).data.historyId ?? undefined;
    if (!anchor) throw new ProviderError("temporary", "gmail: profile has no historyId");
    const list = await call(UNITS.list, () =>
      gmail.users.messages.list({ userId: "me", labelIds: ["SENT"], maxResults: o.pageSize, pageToken: cursor.page, includeSpamTrash: false }, req),
    );
    const ids = (list.data.messages ?? []).map((m) => m.id!).filter(Boolean);
    const { found } = await fetchMessages(ids);
    const inWindow = found.filter((m) => m.sentAt >= cursor.since);
    const reachedWindowEnd = found.length > 0 && found.some((m) => m.sentAt < cursor.since);
    const more = list.data.nextPageToken && !reachedWindowEnd;
    const next: SyncCursor = more
      ? { mode: "full", since: cursor.since, page: list.data.nextPageToken!, anchor, generation: cursor.generation }
      : { mode: "incremental", cursor: anchor, generation: cursor.generation };
    return { upserts: inWindow, deletes: [], next, done: false };
  }

  async function incremental(cursor: Extract<SyncCursor, { mode: "incremental" }>): Promise<SyncPage<MailMessage>> {
    let res;
    try {
      res = await call(UNITS.history, () =>
        gmail.users.history.list(
          {
            userId: "me",
            startHistoryId: cursor.cursor,
            labelId: "SENT",
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
    const added = new Set<string>();
    const removed = new Set<string>();
    for (const h of res.data.history ?? []) {
      for (const a of h.messagesAdded ?? []) if (a.message?.id && (a.message.labelIds ?? ["SENT"]).includes("SENT")) added.add(a.message.id);
      for (const a of h.labelsAdded ?? []) if (a.message?.id && (a.labelIds ?? []).includes("SENT")) added.add(a.message.id);
      for (const d of h.messagesDeleted ?? []) if (d.message?.id) removed.add(d.message.id);
      for (const r of h.labelsRemoved ?? []) if (r.message?.id && (r.labelIds ?? []).includes("SENT")) removed.add(r.message.id);
    }
    for (const id of removed) added.delete(id);
    const { found, gone } = await fetchMessages([...added]);
    const next: SyncCursor = res.data.nextPageToken
      ? { mode: "incremental", cursor: cursor.cursor, page: res.data.nextPageToken, generation: cursor.generation }
      : { mode: "incremental", cursor: res.data.historyId ?? cursor.cursor, generation: cursor.generation };
    return { upserts: found, deletes: [...removed, ...gone], next, done: !res.data.nextPageToken };
  }

  return {
    page(cursor, window) {
      if (!cursor) return full({ mode: "full", since: window.since, generation: 1 });
      return cursor.mode === "full" ? full(cursor) : incremental(cursor);
    },
  };
}
