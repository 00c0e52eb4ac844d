import { calendar, type calendar_v3 } from "@googleapis/calendar";
import { OAuth2Client } from "google-auth-library";

import { control } from "./control";
export { control };

/** A Calendar client (the real library) authenticated with a control-API access token. */
export async function connect(url: string, email: string, scopes?: string[]): Promise<calendar_v3.Calendar> {
  const tokens = await control(url, `/accounts/${encodeURIComponent(email)}/tokens`, "POST", { clientId: "calendar-tests", scopes });
  return clientWithToken(url, tokens.access_token);
}

/**
 * A Calendar client using a given access token (no refresh token, so a 401 surfaces as is).
 */
export function clientWithToken(url: string, accessToken: string): calendar_v3.Calendar {
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: accessToken });
  return calendar({ version: "v3", auth, rootUrl: `${url}/` });
}

/** Every page of one events.list query (following nextPageToken), without gaxios retries. */
export async function listPages(cal: calendar_v3.Calendar, params: calendar_v3.Params$Resource$Events$List): Promise<calendar_v3.Schema$Events[]> {
  const pages: calendar_v3.Schema$Events[] = [];
  let pageToken: string | undefined;
  do {
    const res = await cal.events.list({ calendarId: "primary", ...params, pageToken }, { retry: false });
    pages.push(res.data);
    pageToken = res.data.nextPageToken ?? undefined;
  } while (pageToken);
  return pages;
}

/** The items of all pages. */
export const itemsOf = (pages: calendar_v3.Schema$Events[]) => pages.flatMap((p) => p.items ?? []);

/** Offset (ms) of an IANA zone from UTC at an instant, read back from Intl. */
function zoneOffset(zone: string, utcMs: number): number {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric" })
    .formatToParts(new Date(utcMs))
    .reduce<Record<string, number>>((acc, p) => (p.type === "literal" ? acc : { ...acc, [p.type]: Number(p.value) }), {});
  return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second) - Math.floor(utcMs / 1000) * 1000;
}

/** The instant (ms) a calendar day (`YYYY-MM-DD`) begins in a zone. */
export function midnightIn(date: string, zone: string): number {
  const wall = Date.parse(`${date}T00:00:00Z`);
  const guess = wall - zoneOffset(zone, wall);
  return wall - zoneOffset(zone, guess);
}

/** Instant (ms) of an event time: `dateTime` as given, an all-day `date` at midnight in `zone`; NaN when absent. */
export const instantMs = (t: calendar_v3.Schema$EventDateTime | undefined, zone: string) =>
  t?.dateTime ? Date.parse(t.dateTime) : t?.date ? midnightIn(t.date, t.timeZone ?? zone) : NaN;

/** Start instant (ms) of a fixture event, for expectations; all-day events start at midnight in `zone` (the calendar's). */
export const startMs = (e: calendar_v3.Schema$Event, zone: string) => {
  const start = instantMs(e.start, zone);
  return Number.isNaN(start) ? instantMs(e.originalStartTime, zone) : start;
};

/** End instant (ms) of a fixture event (its start when it has no end). */
export const endMs = (e: calendar_v3.Schema$Event, zone: string) => {
  const end = instantMs(e.end, zone);
  return Number.isNaN(end) ? startMs(e, zone) : end;
};
