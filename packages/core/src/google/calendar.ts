import type { calendar_v3 } from "@googleapis/calendar";
import type { Meeting, Owner } from "../model";
import { type ChangeStream, listingEndsSoon, type SyncCursor, type SyncPage } from "../providers";
import { ProviderError } from "../resilience";
import { platformTextsReady } from "../events/platform";
import { googleEventTexts, mapGoogleEvent } from "./map";

/** Options of the calendar stream. */
export interface GoogleCalendarOptions {
  calendar: calendar_v3.Calendar;
  call: <T>(fn: () => Promise<T>) => Promise<T>;
  owner: Owner;
  pageSize: number;
}

/**
 * The event types read: ordinary events (meetings, behaviour.md) and the tickets Gmail puts in the
 * calendar (events.md); out of office, focus time, working location and birthdays are neither, and
 * are not read at all. Named on every request, full listing and sync round alike: the Calendar
 * document (revision 20240111) gives `eventTypes` a default of default, focusTime and outOfOffice,
 * which would leave the tickets out, while the event-types guide says every type comes when none is
 * named (developers.google.com/calendar/api/guides/event-types); and a sync token is only good for
 * the parameters it was made with (the document's `syncToken`: "All other query parameters should be
 * the same as for the initial synchronization").
 */
export const READ_EVENT_TYPES: readonly string[] = ["default", "fromGmail"];

/**
 * The primary calendar's event instances of READ_EVENT_TYPES: a full listing of the window
 * (singleEvents, showDeleted), then syncToken rounds. Cancelled events are removals: a cancelled
 * event is no meeting. A sync round has no time bounds (the document's `syncToken` refuses
 * `timeMin`/`timeMax`), and a change to a recurring series brings every instance of it, years
 * ahead (garrytan/gbrain PR 5015 saw about 700 from one weekly series): an instance past the
 * window's end is a removal, not kept. The incremental cursor keeps the
 * end its listing ran to (`until`), and is renewed by a full listing before that comes within 185
 * days of the window's end (core/providers listingEndsSoon, as Graph's calendar view is).
 */
export function googleCalendarStream(o: GoogleCalendarOptions): ChangeStream<Meeting> {
  const req = { retry: false } as const;
  /**
   * A page's items as upserts and removals; with `after`, a meeting starting at or after it is a
   * removal, not kept: one stored at its old time and moved there goes at once (a removal of one
   * never stored writes nothing that stays). A meeting before the window is kept, as the sweep keeps
   * one (a person met there is known).
   */
  const split = (items: calendar_v3.Schema$Event[], after?: number) => {
    const upserts: Meeting[] = [];
    const deletes: string[] = [];
    for (const e of items) {
      if (!e.id) continue;
      if (e.status === "cancelled") {
        deletes.push(e.id);
        continue;
      }
      const m = mapGoogleEvent(e, o.owner);
      if (after !== undefined && m.start >= after) deletes.push(e.id);
      else upserts.push(m);
    }
    return { upserts, deletes };
  };

  return {
    async page(cursor, window): Promise<SyncPage<Meeting>> {
      // The listing renewed before its end comes near (or at once, for a cursor stored without one).
      if (listingEndsSoon(cursor, window))
        throw new ProviderError("cursor-expired", "calendar: the listing's end comes near; renewing it");
      const c: SyncCursor = cursor ?? { mode: "full", since: window.since, generation: 1 };
      const base = { calendarId: "primary", eventTypes: [...READ_EVENT_TYPES], singleEvents: true, showDeleted: true, maxResults: o.pageSize, pageToken: c.page };
      // The end a full listing runs to: its first page's, kept in `anchor` across its pages.
      const end = c.mode === "full" ? Number(c.anchor ?? window.until) : undefined;
      let res;
      try {
        res = await o.call(() =>
          o.calendar.events.list(
            c.mode === "full"
              ? { ...base, timeMin: new Date(c.since).toISOString(), timeMax: new Date(end!).toISOString() }
              : { ...base, syncToken: c.cursor },
            req,
          ),
        );
      } catch (e) {
        if (e instanceof ProviderError && e.kind === "cursor-expired")
          throw new ProviderError("cursor-expired", "calendar: sync token expired", 410, undefined, { cause: e });
        throw e;
      }
      await platformTextsReady((res.data.items ?? []).flatMap(googleEventTexts));
      const { upserts, deletes } = split(res.data.items ?? [], c.mode === "incremental" ? window.until : undefined);
      const nextPage = res.data.nextPageToken ?? undefined;
      let next: SyncCursor;
      if (nextPage) next = c.mode === "full" ? { ...c, anchor: String(end), page: nextPage } : { ...c, page: nextPage };
      else if (res.data.nextSyncToken) {
        const until = end ?? c.until;
        next = { mode: "incremental", cursor: res.data.nextSyncToken, generation: c.generation, ...(until !== undefined ? { until } : {}) };
      }
      else throw new ProviderError("temporary", "calendar: last page carried no nextSyncToken");
      return { upserts, deletes, next, done: !nextPage };
    },
  };
}
