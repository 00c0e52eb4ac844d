import { readFileSync } from "node:fs";
import { join } from "node:path";
import { calendar, type calendar_v3 } from "@googleapis/calendar";
import { OAuth2Client } from "google-auth-library";
import { sharedFixture } from "../../../test/support/fixtures";

/** The google-founder fixture's events, as the file holds them. */
export const founderEvents = (): calendar_v3.Schema$Event[] =>
  JSON.parse(readFileSync(join(sharedFixture("google-founder"), "google", "events.json"), "utf8"));

/** Calls the sandbox control API with plain fetch; returns the parsed JSON body. */
export async function control(url: string, path: string, method = "POST", body?: unknown): Promise<any> {
  const res = await fetch(`${url}/_control${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** A Calendar client (the real library) authenticated with a control-API access token. */
export async function connect(url: string, email: string, scopes?: string[]): Promise<calendar_v3.Calendar> {
  const tokens = await control(url, `/accounts/${encodeURIComponent(email)}/tokens`, "POST", { clientId: "calendar-tests", scopes });
  return clientWithToken(url, tokens.access_token);
}

/**
 * A Calendar client using a given access token (no refresh token, so a 401 surfaces as is).
 * google-auth-library's OAuth2Client is a newer copy than the one googleapis-common types against, hence the cast.
 */
export function clientWithToken(url: string, accessToken: string): calendar_v3.Calendar {
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: accessToken });
  return calendar({ version: "v3", auth: auth as unknown as calendar_v3.Options["auth"], rootUrl: `${url}/` });
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

/** Start instant (ms) of a fixture event, for expectations. */
export const startMs = (e: calendar_v3.Schema$Event) => Date.parse(e.start?.dateTime ?? e.originalStartTime?.dateTime ?? "");
