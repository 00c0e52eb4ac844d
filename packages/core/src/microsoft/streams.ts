import { type Client, RetryHandlerOptions } from "@microsoft/microsoft-graph-client";
import type { Event, Message } from "@microsoft/microsoft-graph-types";
import type { MailMessage, Meeting, Owner } from "../model";
import type { ChangeStream, SyncCursor, SyncPage } from "../providers";
import { ProviderError } from "../resilience";
import { mapGraphEvent, mapGraphMessage } from "./map";

/** A Graph GET through the adapter's pacing and retry policy. */
export type GraphGet = (url: string) => Promise<DeltaResponse>;

type Removed = { id?: string; "@removed"?: { reason?: string } };
/** One page of a Graph delta round. */
export interface DeltaResponse {
  value?: (Record<string, unknown> & Removed)[];
  "@odata.nextLink"?: string;
  "@odata.deltaLink"?: string;
}

/** Message fields the rules need: headers only, never the body. */
export const MESSAGE_SELECT = [
  "id", "subject", "sentDateTime", "receivedDateTime", "from", "toRecipients", "ccRecipients", "bccRecipients", "isDraft", "internetMessageId", "conversationId",
].join(",");

/** Renew a calendar view window when its end is less than this ahead of the scan's own horizon. */
const RENEW_BEFORE_MS = 185 * 86_400_000;

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
  return {
    async page(cursor, window): Promise<SyncPage<T>> {
      // A calendarView delta keeps the window of its first round forever: renew it (a full round
      // under a new generation, then a sweep) before its end comes within half a year of now.
      if (boundWindow && cursor?.mode === "incremental" && cursor.until !== undefined && cursor.until < window.until - RENEW_BEFORE_MS)
        throw new ProviderError("cursor-expired", "microsoft: calendar view window ends soon; renewing it");
      const c: SyncCursor = cursor ?? { mode: "full", since: window.since, generation: 1, ...(boundWindow ? { until: window.until } : {}) };
      const url = c.page ?? (c.mode === "full" ? start(c.since, c.until ?? window.until) : c.cursor);
      const res = await get(url);
      const upserts: T[] = [];
      const deletes: string[] = [];
      for (const item of res.value ?? []) {
        if (!item.id) continue;
        const mapped = item["@removed"] ? "remove" : map(item);
        if (mapped === "remove") deletes.push(item.id);
        else upserts.push(mapped);
      }
      const nextLink = res["@odata.nextLink"];
      const deltaLink = res["@odata.deltaLink"];
      let next: SyncCursor;
      if (nextLink) next = { ...c, page: nextLink };
      else if (deltaLink) next = { mode: "incremental", cursor: deltaLink, generation: c.generation, ...(c.until !== undefined ? { until: c.until } : {}) };
      else throw new Error("microsoft: delta page carried neither nextLink nor deltaLink");
      return { upserts, deletes, next, done: !nextLink };
    },
  };
}

/** Sent Items by delta, headers only; drafts and meeting notices are kept and flagged (the rules skip them). */
export function graphSentStream(get: GraphGet): ChangeStream<MailMessage> {
  return deltaStream(
    get,
    (since) => `/me/mailFolders/sentitems/messages/delta?$select=${MESSAGE_SELECT}&$filter=receivedDateTime ge ${isoSeconds(since)}`,
    (item) => mapGraphMessage(item as Message, "sentitems"),
  );
}

/** The calendar view of the window by delta; cancelled occurrences are removals. */
export function graphCalendarStream(get: GraphGet, owner: Owner): ChangeStream<Meeting> {
  return deltaStream(
    get,
    (since, until) => `/me/calendarView/delta?startDateTime=${isoSeconds(since)}&endDateTime=${isoSeconds(until)}`,
    (item) => ((item as Event).isCancelled ? "remove" : mapGraphEvent(item as Event, owner)),
    true,
  );
}

/** Issues a GET for a path or an absolute @odata link; the client's own retries are off (the adapter retries). */
export function graphGetter(client: Client, pageSize: number): (url: string) => Promise<DeltaResponse> {
  return (url) =>
    client
      .api(url)
      .header("Prefer", `IdType="ImmutableId", outlook.timezone="UTC", odata.maxpagesize=${pageSize}`)
      .middlewareOptions([new RetryHandlerOptions(0, 0)])
      .get() as Promise<DeltaResponse>;
}
