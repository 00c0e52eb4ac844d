// Checks a generated mailbox folder against core's rules: maps its provider JSON with the
// adapters' own mappers, runs `infer` as of expected.json's `now`, and compares the two lists with
// expected.json (addresses in the rules' comparison form).

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { googleEventTexts, mapGmailMessage, mapGoogleEvent, platformTextsReady } from "@followthrough/core/google";
import { normalizeAddress } from "@followthrough/core/identity";
import { networkingEvents } from "@followthrough/core/events";
import { infer } from "@followthrough/core/inference";
import { graphEventTexts, mapGraphEvent, mapGraphMessage } from "@followthrough/core/microsoft";

const read = (dir: string, rel: string) => JSON.parse(readFileSync(join(dir, rel), "utf8"));
const form = (xs: string[]) => [...new Set(xs.map((x) => normalizeAddress(x) ?? x))].sort();

/** What `infer` answers on a fixture folder, next to its expected.json. */
export async function checkMailbox(dir: string) {
  const account = read(dir, "account.json");
  const expected = read(dir, "expected.json") as { now: string; newContacts: string[]; missingFollowUps: string[]; upcomingEvents?: string[]; attendedEvents?: string[] };
  const owner = { email: account.email, aliases: account.aliases ?? [], displayName: account.displayName, timeZone: account.timeZone ?? "UTC" };
  const now = Date.parse(expected.now);
  const google = account.provider === "google";
  const events = google ? read(dir, "google/events.json") : read(dir, "microsoft/events.json").filter((e: { type?: string }) => e.type !== "seriesMaster");
  // As the adapters do before mapping: the HTML decoder where an event's text needs it.
  await platformTextsReady(google ? events.flatMap(googleEventTexts) : events.flatMap(graphEventTexts));
  const meetings = google ? events.map((e: never) => mapGoogleEvent(e, owner)) : events.map((e: never) => mapGraphEvent(e, owner));
  const messages = google
    ? read(dir, "google/messages.json").map((m: never) => mapGmailMessage(m))
    : [...read(dir, "microsoft/sentitems.json").map((m: never) => mapGraphMessage(m, "sentitems")), ...read(dir, "microsoft/inbox.json").map((m: never) => mapGraphMessage(m, "inbox"))];
  const r = infer(owner, meetings, messages, now);
  const got: Record<string, string[]> = { newContacts: form(r.newContacts.map((c) => c.email)), missingFollowUps: form(r.missingFollowUps.map((c) => c.email)) };
  const want: Record<string, string[]> = { newContacts: form(expected.newContacts), missingFollowUps: form(expected.missingFollowUps) };
  // events.md labels, where the mailbox has them
  if (expected.upcomingEvents || expected.attendedEvents) {
    const ev = networkingEvents(owner, meetings, r.contacts, now);
    Object.assign(got, { upcomingEvents: ev.upcoming.map((e) => e.eventId).sort(), attendedEvents: ev.attended.map((e) => e.eventId).sort() });
    Object.assign(want, { upcomingEvents: [...(expected.upcomingEvents ?? [])].sort(), attendedEvents: [...(expected.attendedEvents ?? [])].sort() });
  }
  const same = JSON.stringify(got) === JSON.stringify(want);
  return { same, got, want, meetings: meetings.length, messages: messages.length };
}
