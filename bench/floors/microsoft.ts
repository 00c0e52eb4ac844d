/** Floor calls of an Outlook account: token refresh, a calendar view page, a Sent Items page. */
import { Client } from "@microsoft/microsoft-graph-client";
import { floorEnv, store } from "./common";

export async function graphClient(): Promise<Client> {
  const res = await fetch(floorEnv("TOKEN_URL"), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: floorEnv("REFRESH_TOKEN"), client_id: floorEnv("CLIENT_ID"), client_secret: "local-secret" }),
  });
  const token = ((await res.json()) as { access_token: string }).access_token;
  const baseUrl = floorEnv("API_URL");
  // A host other than Graph's gets the token only when named (the sandbox's, as in the adapter).
  return Client.init({ baseUrl, customHosts: new Set([new URL(baseUrl).hostname]), defaultVersion: "v1.0", authProvider: (done) => done(null, token) });
}

export async function graphReads(email: string, c: Client): Promise<void> {
  const start = new Date(Date.now() - 365 * 864e5).toISOString();
  const end = new Date(Date.now() + 365 * 864e5).toISOString();
  const events = await c.api("/me/calendarView/delta").query({ startDateTime: start, endDateTime: end }).get();
  await store(email, "EV", (events.value ?? []).map((e: { id: string }) => e.id));
  const sent = await c.api("/me/mailFolders/sentitems/messages").select("id,from,toRecipients,ccRecipients,sentDateTime").top(50).get();
  await store(email, "MSG", (sent.value ?? []).map((m: { id: string }) => m.id));
}
