import { type Client, RetryHandlerOptions } from "@microsoft/microsoft-graph-client";
import type { Event, Message } from "@microsoft/microsoft-graph-types";
import type { MailMessage, Meeting, Owner } from "../model";
import { type ChangeStream, listingEndsSoon, type OwnerMailStream, type SyncCursor, type SyncPage } from "../providers";
import { idsGone, mapLimit, ProviderError } from "../resilience";
import { platformTextsReady } from "../events/platform";
import { graphEventTexts, mapGraphEvent, mapGraphMessage, withSeriesMaster } from "./map";

/** A Graph GET through the adapter's pacing and retry policy. */
/** A GET of a path or link; with `abandon`, asked as the request goes out (after its wait for quota, and again on each retry), it rejects with PageAbandoned instead. */
export type GraphGet = (url: string, o?: { abandon?: () => boolean; plain?: boolean }) => Promise<DeltaResponse>;

type Removed = { id?: string; "@removed"?: { reason?: string } };
/** One page of a Graph delta round. */
export interface DeltaResponse {
  value?: (Record<string, unknown> & Removed)[];
  "@odata.nextLink"?: string;
  "@odata.deltaLink"?: string;
}

/** Message fields the rules need: headers only, never the body. (Pure: a bundle that syncs nothing drops it.) */
export const MESSAGE_SELECT = /* @__PURE__ */ [
  "id", "subject", "sentDateTime", "receivedDateTime", "from", "sender", "toRecipients", "ccRecipients", "bccRecipients", "isDraft", "internetMessageId", "conversationId",
].join(",");


const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/**
 * A Graph delta query as a change stream. The first round (full) starts at `start(window)`, pages
 * by @odata.nextLink and ends at an @odata.deltaLink, which later rounds resume from.
 */
function deltaStream<T>(
  get: GraphGet,
  start: (since: number, until: number) => string,
  map: (item: Record<string, unknown>) => T | "remove",
  boundWindow = false,
): ChangeStream<T> {
  // A round that serves the same page again and again, each time with a new nextLink and never a
  // deltaLink (calendarView delta on calendars of many recurring meetings: msgraph-sdk-dotnet issues
  // 3082 and 3070, open; the second ties it to the odata.maxpagesize preference): without a guard a
  // sync pages until its time runs out, every run, and the account is never read to the end
  // (helper-193 #1). The same non-empty page REPEATS_MAX times more ends the round, and a new one
  // starts without the page size (`plain`, kept in its cursors, restarted ones too); if that one
  // repeats as well, the sync's restarts run out and the read fails, naming why.
  let last: string | undefined;
  let lastUrl: string | undefined;
  let repeats = 0;
  let plainNow = false;
  return {
    async page(cursor, window): Promise<SyncPage<T>> {
      // A calendarView delta keeps the window of its first round forever: renew it (a full round
      // under a new generation, then a sweep) before its end comes within half a year of now.
      // A cursor bound to no end (stored before cursors carried one) is renewed at once.
      if (boundWindow && listingEndsSoon(cursor, window))
        throw new ProviderError("cursor-expired", "microsoft: calendar view window ends soon; renewing it");
      const given: SyncCursor = cursor ?? { mode: "full", since: window.since, generation: 1 };
      // A full round of a bound view is bound to the window's end it starts with, whoever made the
      // cursor (core/scan/sync's after an expired one, core/scan's for a renewed meeting shape, or one
      // stored before cursors carried `until`), so the incremental cursor it ends in can be renewed.
      const c: SyncCursor = boundWindow && given.mode === "full" && given.until === undefined ? { ...given, until: window.until } : given;
      const plain = plainNow || c.plain === true;
      if (!c.page) [last, lastUrl, repeats] = [undefined, undefined, 0];
      const url = c.page ?? (c.mode === "full" ? start(c.since, c.until ?? window.until) : c.cursor);
      const res = await get(url, { plain });
      const upserts: T[] = [];
      const deletes: string[] = [];
      for (const item of lastOfEach(res.value ?? [])) {
        const mapped = item["@removed"] ? "remove" : map(item);
        if (mapped === "remove") deletes.push(item.id);
        else upserts.push(mapped);
      }
      const nextLink = res["@odata.nextLink"];
      const deltaLink = res["@odata.deltaLink"];
      const ids = (res.value ?? []).map((v) => String(v.id)).join("\n");
      // (The same page read again from the same link, after a page given up part-way, is no repeat.)
      if (url !== lastUrl) {
        if (nextLink && ids && ids === last) {
          if (++repeats >= REPEATS_MAX) {
            // Without the page size too: as an expired cursor still, so the sync starts a fresh round
            // (and, its restarts spent, fails the read with this reason, the stored cursor a fresh
            // round for the next run, not the looping link: helper-194 #1).
            if (plain) throw new ProviderError("cursor-expired", "microsoft: the delta round serves the same page again and again, without a page size too (msgraph-sdk-dotnet#3082)");
            plainNow = true;
            throw new ProviderError("cursor-expired", "microsoft: the delta round serves the same page again and again (msgraph-sdk-dotnet#3082); reading it again without a page size");
          }
        } else [last, repeats] = [ids, 0];
      }
      lastUrl = url;
      const kept = plain ? { plain: true as const } : {};
      let next: SyncCursor;
      if (nextLink) next = { ...c, page: nextLink, ...kept };
      else if (deltaLink) next = { mode: "incremental", cursor: deltaLink, generation: c.generation, ...(c.until !== undefined ? { until: c.until } : {}), ...kept };
      else throw new Error("microsoft: delta page carried neither nextLink nor deltaLink");
      return { upserts, deletes, next, done: !nextLink };
    },
  };
}

/** How many times more the same page may come back in one round before the round is given up. */
export const REPEATS_MAX = 3;

type Item = Record<string, unknown> & Removed;

/**
 * A page's items with one entry per id, the last: "a single entity will be contained multiple times
 * in the response if that entity was changed multiple times" (learn.microsoft.com/graph/delta-query-overview),
 * and the later entry is its later state (a message updated, then removed; an event removed, then
 * restored). Items without an id are dropped.
 */
function lastOfEach<T extends { id?: string }>(items: T[]): (T & { id: string })[] {
  const last = new Map<string, number>();
  items.forEach((item, i) => item.id && last.set(item.id, i));
  return items.filter((item, i): item is T & { id: string } => !!item.id && last.get(item.id) === i);
}

/** Upserts and deletes of a page of Graph items (`@removed` entries are `left` when not `removals`). */
function split<T>(items: Item[], map: (item: Item) => T | "remove" | "skip", removals = true): { upserts: T[]; deletes: string[]; left?: string[] } {
  const upserts: T[] = [];
  const deletes: string[] = [];
  const left: string[] = [];
  // Where a removal is only "left the folder" (the owner-mail stream), a copy that arrived and left
  // within one page is still read (its last full entry), and then asked about as left, as when the
  // two fall on different pages.
  const lastFull = new Map<string, Item>();
  if (!removals) for (const item of items) if (item.id && !item["@removed"]) lastFull.set(item.id, item);
  for (const item of lastOfEach(items)) {
    if (item["@removed"] && !removals) {
      const arrived = lastFull.get(item.id);
      const mapped = arrived ? map(arrived) : "skip";
      if (mapped !== "remove" && mapped !== "skip") upserts.push(mapped);
      left.push(item.id);
      continue;
    }
    const mapped = item["@removed"] ? "remove" : map(item);
    if (mapped === "remove") deletes.push(item.id);
    else if (mapped !== "skip") upserts.push(mapped);
  }
  return { upserts, deletes, ...(left.length ? { left } : {}) };
}

/** How far before the scan's time the anchoring delta round starts at the latest. */
const ANCHOR_MARGIN_MS = 3_600_000;

/** Most pages with items the anchoring delta round may take (it only holds mail sent during the backfill's first call). */
const ANCHOR_PAGES = 20;
/**
 * Most empty pages it may take besides. Graph answers delta rounds with runs of empty pages that
 * carry a nextLink, "normal behavior" per a maintainer (microsoftgraph/msgraph-sdk-java#493,
 * calendarView; microsoftgraph/microsoft-graph-docs-contrib#1316, directory objects): they prove
 * nothing about the round's length, so they count apart, against a bound that only stops a round
 * that never ends (helper-114 #7: 24 of them failed the backfill's first call on every attempt).
 */
const ANCHOR_EMPTY_PAGES = 200;

/**
 * Sent Items, headers only; drafts and meeting notices are kept and flagged (the rules skip them).
 *
 * A delta query with `$filter` returns at most 5,000 messages, in no guaranteed order
 * (learn.microsoft.com/graph/delta-query-messages), so it cannot backfill a busy year. The backfill
 * instead pages the folder's listing, newest first (`$filter=receivedDateTime ge {since}` with
 * `$orderby=receivedDateTime desc`: the ordered property leads the filter, as Graph requires) by
 * @odata.nextLink. Its first call also anchors the change tracking: a filtered delta round from the
 * newest message's receivedDateTime (or the scan's time less an hour, if earlier), which holds only
 * the mail newer than that, ends at the deltaLink that later rounds resume from. The cursor keeps the listing's next page and the anchor,
 * so a backfill that dies resumes at its page; once the listing ends, one delta round from the
 * anchor catches up with what changed meanwhile.
 */
export function graphSentStream(get: GraphGet, pageSize = 200): ChangeStream<MailMessage> {
  return graphFolderStream(get, "sentitems", pageSize, () => true);
}

/** Copies asked about at once (Graph serves a mailbox 4 requests at a time, docs/provider-quirks.md). */
const GONE_CONCURRENCY = 4;

/**
 * The Inbox's messages From one of the owner's `identities` (normalised addresses), headers only:
 * shared/spec/behaviour.md counts a message From an owner identity as the owner's, wherever it is
 * (a copy the owner sent from another system, or Bcc'd to themselves). The stream reads the Inbox's
 * headers as the Sent Items stream reads Sent (a listing, then delta rounds) and keeps only those;
 * Graph's own `$filter=from/emailAddress/address eq` is not used: for a sender of the mailbox's own
 * organisation it has been reported to match nothing (microsoftgraph/microsoft-graph-docs#121), and
 * the owner is always of their own organisation. The folder's delta reports a message moved out of
 * it (to Archive, another folder, Deleted Items) as `@removed`, as it reports one deleted
 * (learn.microsoft.com/graph/delta-query-messages: a delta query is per folder), so each is `left`;
 * `gone` then reads the copy's folder (`GET /me/messages/{id}`, an immutable id that a move keeps:
 * learn.microsoft.com/graph/outlook-immutable-id): deleted (404), in Deleted Items, in Junk Email or
 * in Recoverable Items (a deletion past Deleted Items) it is gone; archived or filed, it is still mail
 * the owner sent.
 */
export function graphOwnerInboxStream(get: GraphGet, identities: ReadonlySet<string>, pageSize = 200): OwnerMailStream {
  const stream = graphFolderStream(get, "inbox", pageSize, (m) => m.from !== undefined && identities.has(m.from), false);
  let outside: Promise<Set<string>> | undefined;
  // The ids of the folders a read of the mailbox leaves out, asked once per scan when needed (a
  // mailbox without Recoverable Items answers 404 for it).
  const folderId = (f: string) =>
    (get(`/me/mailFolders/${f}?$select=id`) as Promise<{ id?: string }>).then(
      (r) => r.id,
      (e) => {
        if (e instanceof ProviderError && e.kind === "not-found") return undefined;
        throw e;
      },
    );
  const foldersOut = () =>
    (outside ??= Promise.all(["deleteditems", "junkemail", "recoverableitemsdeletions"].map(folderId)).then(
      (ids) => new Set(ids.filter((id): id is string => !!id)),
      (e) => {
        outside = undefined;
        throw e;
      },
    ));
  const gone = (ids: string[]) =>
    idsGone(ids, GONE_CONCURRENCY, async (id) => {
      const m = (await get(`/me/messages/${encodeURIComponent(id)}?$select=id,parentFolderId`)) as { parentFolderId?: string };
      return !!m.parentFolderId && (await foldersOut()).has(m.parentFolderId);
    });
  return { ...stream, gone };
}

/** Where a page of a folder's listing began: after `skip` messages of the second starting at `second` (ms). */
interface ListedUpTo {
  second: number;
  skip: number;
}

/** The bound a listing URL of graphFolderStream's was read with; none for the first page, or Graph's own nextLink. */
function listedUpTo(url: string): ListedUpTo | undefined {
  const lt = / and receivedDateTime lt (\S+?)(?=&|$)/.exec(url);
  if (!lt) return undefined;
  const second = Date.parse(lt[1]) - 1000;
  return Number.isFinite(second) ? { second, skip: Number(/[?&]\$skip=(\d+)/.exec(url)?.[1] ?? 0) } : undefined;
}

/**
 * A mail folder by listing then delta (see graphSentStream), keeping the messages `keep` accepts;
 * a message the delta reports `@removed` is a delete when `removals`.
 */
function graphFolderStream(get: GraphGet, folder: "sentitems" | "inbox", pageSize: number, keep: (m: MailMessage) => boolean, removals = true): ChangeStream<MailMessage> {
  /**
   * An entry received before the window is none of the stream's: a filtered delta tracks the whole
   * folder, and its later rounds may bring a change to a message older than the filter (its flag or
   * categories; corso issue 1866 saw a read-state change come back), which would be stored a year
   * past the window until its expiry (helper-183 #2). Removals stay as they are.
   */
  const mapIn = (since: number) => (item: Item): MailMessage | "skip" => {
    const received = Date.parse(String((item as Message).receivedDateTime ?? ""));
    if (Number.isFinite(received) && received < since) return "skip";
    const m = mapGraphMessage(item as Message, folder);
    return keep(m) ? m : "skip";
  };
  const top = Math.max(1, Math.min(pageSize, 1000));
  /**
   * The listing from `since`, newest first; with `upTo`, the rest of it after a page: the messages
   * received in or before the second of the page's last one, less `skip` of them where a whole page
   * was of that second. Graph's own nextLink is the whole query again with `$skip` counted from the
   * top (learn.microsoft.com/graph/paging), so a message that left the folder between two pages
   * (deleted, moved; the next page may be read in the next run) made the one after the page's end
   * move up into the part skipped, not read until the next full read (helper-193 #4). Messages
   * arriving meanwhile are newer than the page and change nothing either way.
   */
  const listing = (since: number, upTo?: ListedUpTo) =>
    `/me/mailFolders/${folder}/messages?$filter=receivedDateTime ge ${isoSeconds(since)}${upTo ? ` and receivedDateTime lt ${isoSeconds(upTo.second + 1000)}` : ""}` +
    `&$orderby=receivedDateTime desc&$select=${MESSAGE_SELECT}&$top=${top}${upTo?.skip ? `&$skip=${upTo.skip}` : ""}`;
  /**
   * The page after `res`, a page of the listing from `since` read at `url`: undefined at its end.
   * Graph's nextLink where the page's times cannot say (a message without a receivedDateTime, which
   * Graph always gives).
   */
  const nextListing = (res: DeltaResponse, since: number, url: string): string | undefined => {
    const nextLink = res["@odata.nextLink"];
    const times = ((res.value ?? []) as Message[]).map((m) => Date.parse(String(m.receivedDateTime ?? "")));
    if (!nextLink || !times.length || !times.every(Number.isFinite)) return nextLink;
    const secondOf = (t: number) => Math.floor(t / 1000) * 1000;
    const second = secondOf(times[times.length - 1]);
    // The next page starts at the last second again, its messages already listed read once more
    // (a page holds a few at most), so it takes no order among them: Graph promises none for equal
    // times, less still across two queries (helper-198). Only a page all of one second skips what it
    // listed, from the skip it was read with when of the same second, or it would come back forever.
    if (secondOf(times[0]) !== second) return listing(since, { second, skip: 0 });
    const before = listedUpTo(url);
    return listing(since, { second, skip: times.length + (before?.second === second ? before.skip : 0) });
  };
  const anchor = (from: number) => `/me/mailFolders/${folder}/messages/delta?$select=${MESSAGE_SELECT}&$filter=receivedDateTime ge ${isoSeconds(from)}`;
  return {
    async page(cursor, window): Promise<SyncPage<MailMessage>> {
      const c: SyncCursor = cursor ?? { mode: "full", since: window.since, generation: 1 };
      // A full read goes on from its own start (a re-read resumed days later lists what its sweep
      // then keeps, from the cursor's `since`): what it lists from there is stored (helper-184 #5).
      const map = mapIn(c.mode === "full" ? Math.min(window.since, c.since) : window.since);
      if (c.mode === "incremental") {
        const res = await get(c.page ?? c.cursor);
        const next = nextOf(res, c, undefined);
        return { ...split(res.value ?? [], map, removals), next, done: next.mode === "incremental" && !next.page };
      }
      // A backfill page of the listing, anchored.
      if (c.page && c.anchor) {
        const res = await get(c.page);
        const nextPage = nextListing(res, c.since, c.page);
        const next: SyncCursor = nextPage ? { ...c, page: nextPage } : { mode: "incremental", cursor: c.anchor, generation: c.generation };
        return { ...split(res.value ?? [], map, removals), next, done: false };
      }
      // The backfill's first call (also where a cursor of the former delta-only backfill restarts).
      const firstUrl = listing(c.since);
      const first = await get(firstUrl);
      const items: Item[] = [...(first.value ?? [])];
      // The anchor starts no later than the newest message or the scan's time (less a margin for
      // clock skew), so whatever arrives after it is at or past its filter.
      const newest = Date.parse(String(first.value?.[0]?.receivedDateTime ?? ""));
      const from = Math.min(Number.isFinite(newest) ? newest : Infinity, window.now !== undefined ? window.now - ANCHOR_MARGIN_MS : Infinity);
      let res = await get(anchor(Number.isFinite(from) ? Math.max(from, c.since) : c.since));
      items.push(...(res.value ?? []));
      const taken = { full: 0, empty: 0 };
      while (res["@odata.nextLink"]) {
        taken[res.value?.length ? "full" : "empty"]++;
        if (taken.full >= ANCHOR_PAGES || taken.empty >= ANCHOR_EMPTY_PAGES) throw new ProviderError("temporary", `microsoft: the anchoring delta round of ${folder} did not end`);
        res = await get(res["@odata.nextLink"]);
        items.push(...(res.value ?? []));
      }
      const deltaLink = res["@odata.deltaLink"];
      if (!deltaLink) throw new Error("microsoft: delta page carried neither nextLink nor deltaLink");
      const nextPage = nextListing(first, c.since, firstUrl);
      const next: SyncCursor = nextPage
        ? { mode: "full", since: c.since, page: nextPage, anchor: deltaLink, generation: c.generation }
        : { mode: "incremental", cursor: deltaLink, generation: c.generation };
      return { ...split(items, map, removals), next, done: !nextPage };
    },
  };
}

/** The cursor after a delta page: the next page of the round, or the round's deltaLink. */
function nextOf(res: DeltaResponse, c: SyncCursor, until: number | undefined): SyncCursor {
  const nextLink = res["@odata.nextLink"];
  const deltaLink = res["@odata.deltaLink"];
  if (nextLink) return { ...c, page: nextLink };
  if (deltaLink) return { mode: "incremental", cursor: deltaLink, generation: c.generation, ...(until !== undefined ? { until } : {}) };
  throw new Error("microsoft: delta page carried neither nextLink nor deltaLink");
}

/** Event fields read from a series master to fill its occurrences. */
export const MASTER_SELECT = /* @__PURE__ */ ["subject", "organizer", "attendees", "isAllDay", "isCancelled", "isOrganizer", "responseStatus", "type", "location", "bodyPreview", "originalStartTimeZone"].join(",");

/** Series masters fetched at once. */
const MASTER_CONCURRENCY = 4;

/**
 * The calendar view of the window by delta; cancelled occurrences are removals.
 *
 * calendarView/delta returns each occurrence of a recurring series as a stub (id, type, start,
 * end, seriesMasterId: microsoftgraph/microsoft-graph-docs issues 7632 and 22197); exceptions and
 * single instances come in full. Stubs are filled from their series master (`GET /me/events/{id}`),
 * fetched once per series per round of the stream (a scan), however many pages hold its
 * occurrences. A master that is gone (404: the series was deleted since) removes its stubs.
 */
export function graphCalendarStream(get: GraphGet, owner: Owner): ChangeStream<Meeting> {
  const rounds = deltaStream<Item>(
    get,
    (since, until) => `/me/calendarView/delta?startDateTime=${isoSeconds(since)}&endDateTime=${isoSeconds(until)}`,
    (item) => item,
    true,
  );
  let masters = new Map<string, Promise<Event | null>>();
  const master = (id: string, abandon?: () => boolean) => {
    let p = masters.get(id);
    if (!p) {
      p = (get(`/me/events/${encodeURIComponent(id)}?$select=${MASTER_SELECT}`, { abandon }) as Promise<Event>).catch((e) => {
        if (e instanceof ProviderError && e.kind === "not-found") return null;
        masters.delete(id);
        throw e;
      });
      masters.set(id, p);
    }
    return p;
  };
  return {
    async page(cursor, window): Promise<SyncPage<Meeting>> {
      // A new round (not the next page of one): series may have changed since, fetch masters afresh.
      if (!cursor?.page) masters = new Map();
      const raw = await rounds.page(cursor, window);
      const stub = (e: Event) => e.type === "occurrence" && !!e.seriesMasterId && !("subject" in e);
      const series = [...new Set((raw.upserts as Event[]).filter(stub).map((e) => e.seriesMasterId!))];
      const found = new Map(
        // Each series master is a call of its own: none goes out once the page must be given up.
        await mapLimit(series, MASTER_CONCURRENCY, async (id) => [id, await master(id, window.abandon)] as const),
      );
      const upserts: Meeting[] = [];
      const deletes = [...raw.deletes];
      const events: Event[] = [];
      for (const item of raw.upserts as Event[]) {
        // A series master is the series, not a meeting: calendarView/delta serves one beside its
        // occurrences, at the series' own first start, which may be years before the window
        // (ridafkih/keeper.sh issue 407, AvengeMedia/dankcalendar issue 95). Its id is removed,
        // so a master stored as a meeting before 2026-12-07 goes too (helper-253).
        if (item.type === "seriesMaster") {
          deletes.push(item.id!);
          continue;
        }
        const full = stub(item) ? withSeriesMaster(item, found.get(item.seriesMasterId!) ?? null) : item;
        if (!full || full.isCancelled) deletes.push(item.id!);
        else events.push(full);
      }
      await platformTextsReady(events.flatMap(graphEventTexts));
      for (const e of events) upserts.push(mapGraphEvent(e, owner));
      return { upserts, deletes, next: raw.next, done: raw.done };
    },
  };
}

/** Issues a GET for a path or an absolute @odata link; the client's own retries are off (the adapter retries). */
export function graphGetter(client: Client, pageSize: number): (url: string, o?: { plain?: boolean }) => Promise<DeltaResponse> {
  return (url, o) =>
    client
      .api(url)
      .header("Prefer", `IdType="ImmutableId", outlook.timezone="UTC"${o?.plain ? "" : `, odata.maxpagesize=${pageSize}`}`)
      .middlewareOptions([new RetryHandlerOptions(0, 0)])
      .get() as Promise<DeltaResponse>;
}
