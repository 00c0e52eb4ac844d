/**
 * Floor calls of a Google account, the calls the adapter makes on a small mailbox: token refresh,
 * a calendar page, the profile (history anchor), a SENT page and its headers, one history page; the
 * same for the INBOX label.
 */
import { calendar } from "@googleapis/calendar";
import { auth as googleAuth, gmail } from "@googleapis/gmail";
import { atMost, finishScan, floorEnv, inFlight, ownerMailPage, type Reads, storePage } from "./common";

export function googleClients() {
  // The OAuth2 client of the API packages' own google-auth-library (as the adapter uses).
  const auth = new googleAuth.OAuth2({ clientId: floorEnv("CLIENT_ID"), clientSecret: "local-secret", endpoints: { oauth2TokenUrl: floorEnv("TOKEN_URL") } });
  auth.setCredentials({ refresh_token: floorEnv("REFRESH_TOKEN") });
  const rootUrl = `${floorEnv("API_URL").replace(/\/$/, "")}/`;
  return { g: gmail({ version: "v1", auth, rootUrl }), cal: calendar({ version: "v3", auth: auth as never, rootUrl }) };
}

export async function googleReads(email: string, c: ReturnType<typeof googleClients>, o: Reads = {}): Promise<void> {
  const events = await c.cal.events.list({ calendarId: "primary", maxResults: 250, singleEvents: true, timeMin: new Date(Date.now() - 365 * 864e5).toISOString() });
  await storePage(email, "calendar", events.data.items ?? [], o);
  const profile = await c.g.users.getProfile({ userId: "me" });
  const list = await c.g.users.messages.list({ userId: "me", labelIds: ["SENT"], maxResults: 500 });
  const ids = (list.data.messages ?? []).map((m) => m.id!);
  const messages = await atMost(inFlight("GMAIL"), ids, (id) => c.g.users.messages.get({ userId: "me", id, format: "metadata" }));
  await c.g.users.history.list({ userId: "me", startHistoryId: profile.data.historyId!, labelId: "SENT", historyTypes: ["messageAdded"] });
  await storePage(email, "sent", messages.map((m) => m.data));
  // The INBOX's mail From the owner (core/scan's owner-mail stream): the profile (its history anchor),
  // an INBOX page and its headers, one history page; a small mailbox has no copy From the owner.
  await ownerMailPage(email, async () => {
    const anchor = await c.g.users.getProfile({ userId: "me" });
    const inbox = await c.g.users.messages.list({ userId: "me", labelIds: ["INBOX"], maxResults: 500 });
    await atMost(inFlight("GMAIL"), inbox.data.messages ?? [], (m) => c.g.users.messages.get({ userId: "me", id: m.id!, format: "metadata" }));
    await c.g.users.history.list({ userId: "me", startHistoryId: anchor.data.historyId!, labelId: "INBOX", historyTypes: ["messageAdded"] });
  }, 2, o);
  await finishScan(email, { ownerLearned: true });
}
