/**
 * An owner whose calendar was read in Auckland and who is now in Chicago, before the calendar is
 * read again (helper-288): each all-day event is stored at Auckland's midnight, the afternoon before
 * in Chicago. Carmen is met at an intro call and again at an all-day site visit on Monday 2 November;
 * Dev at a design summit, with an all-day workshop ahead from Monday 9 November. `now` is Thursday
 * 5 November, noon in Chicago. Shared by the digest's, the morning-after email's and the first
 * look's tests of an all-day second meeting's own date.
 */
import { mapGoogleEvent } from "../../src/google/map";

export const auckland = { email: "rosa@ferro.example", aliases: [] as string[], timeZone: "Pacific/Auckland" };
export const chicago = "America/Chicago";
export const now = Date.parse("2026-11-05T18:00:00Z");

const me = { email: auckland.email, self: true, responseStatus: "accepted" };
const carmen = { email: "carmen@vidal.example", displayName: "Carmen Vidal", responseStatus: "accepted" };
const dev = { email: "dev@rao.example", displayName: "Dev Rao", responseStatus: "accepted" };

export const readInAuckland = () =>
  [
    { id: "c1", summary: "Intro call", start: { dateTime: "2026-10-28T15:00:00Z" }, end: { dateTime: "2026-10-28T16:00:00Z" }, attendees: [me, carmen] },
    { id: "c2", summary: "Site visit", start: { date: "2026-11-02" }, end: { date: "2026-11-03" }, attendees: [me, carmen] },
    { id: "d1", summary: "Design summit", start: { dateTime: "2026-11-03T15:00:00Z" }, end: { dateTime: "2026-11-03T23:00:00Z" }, attendees: [me, dev] },
    { id: "d2", summary: "Workshop", start: { date: "2026-11-09" }, end: { date: "2026-11-11" }, attendees: [me, dev] },
  ].map((e) => mapGoogleEvent(e, auckland));
