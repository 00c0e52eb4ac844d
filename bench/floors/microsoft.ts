/**
 * Floor calls of an Outlook account, the calls the adapter makes on a small mailbox: token refresh,
 * a calendar view delta page, the series masters of its occurrences, a Sent Items page, its delta,
 * an Inbox page and its delta.
 * Over the transport the adapter must use (core/microsoft/transport): node-fetch on node:http(s),
 * the Graph client's default chain ending in a handler that sends with it, not the global fetch.
 */
import { type Context, Client, MiddlewareFactory } from "@microsoft/microsoft-graph-client";
import fetch from "node-fetch";
import { atMost, finishScan, floorEnv, inFlight, ownerMailPage, type Reads, rotateToken, storePage } from "./common";

export async function graphClient(): Promise<Client> {
  const res = await fetch(floorEnv("TOKEN_URL"), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: floorEnv("REFRESH_TOKEN"), client_id: floorEnv("CLIENT_ID"), client_secret: "local-secret" }),
  });
  const token = ((await res.json()) as { access_token: string }).access_token;
  await rotateToken(floorEnv("EMAIL"));
  const baseUrl = floorEnv("API_URL");
  const middleware = MiddlewareFactory.getDefaultMiddlewareChain({ getAccessToken: async () => token });
  middleware[middleware.length - 1] = {
    execute: async (context: Context) => void (context.response = (await fetch(context.request as string, context.options as never)) as unknown as Response),
  };
  // A host other than Graph's gets the token only when named (the sandbox's, as in the adapter).
  return Client.initWithMiddleware({ baseUrl, customHosts: new Set([new URL(baseUrl).hostname]), defaultVersion: "v1.0", middleware });
}

export async function graphReads(email: string, c: Client, o: Reads = {}): Promise<void> {
  const start = new Date(Date.now() - 365 * 864e5).toISOString();
  const end = new Date(Date.now() + 365 * 864e5).toISOString();
  const events = await c.api("/me/calendarView/delta").query({ startDateTime: start, endDateTime: end }).get();
  const masters = [...new Set((events.value ?? []).map((e: { seriesMasterId?: string }) => e.seriesMasterId).filter(Boolean))] as string[];
  await atMost(inFlight("GRAPH"), masters, (id) => c.api(`/me/events/${id}`).get());
  await storePage(email, "calendar", events.value ?? [], o);
  const sent = await c.api("/me/mailFolders/sentitems/messages").select("id,from,toRecipients,ccRecipients,sentDateTime").top(50).get();
  await c.api("/me/mailFolders/sentitems/messages/delta").select("id").get();
  await storePage(email, "sent", sent.value ?? []);
  // The Inbox's mail From the owner (core/scan's owner-mail stream): its cursor read, a page and its
  // delta, the cursor stored; a small mailbox's Inbox has no copy From the owner, so nothing else.
  await ownerMailPage(email, async () => {
    await c.api("/me/mailFolders/inbox/messages").select("id,from,toRecipients,ccRecipients,sentDateTime").top(50).get();
    await c.api("/me/mailFolders/inbox/messages/delta").select("id").get();
  }, 1, o);
  await finishScan(email, { ownerLearned: false });
}
