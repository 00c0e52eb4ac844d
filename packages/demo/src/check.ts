// Checks a generated mailbox folder against core's rules: maps its provider JSON with the
// adapters' own mappers, runs `infer` as of expected.json's `now`, and compares the two lists with
// expected.json (addresses in the rules' comparison form).

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { mapGmailMessage, mapGoogleEvent } from "@followthrough/core/google";
import { normalizeAddress } from "@followthrough/core/identity";
import { infer } from "@followthrough/core/inference";
import { mapGraphEvent, mapGraphMessage } from "@followthrough/core/microsoft";

const read = (dir: string, rel: string) => JSON.parse(readFileSync(join(dir, rel), "utf8"));
const form = (xs: string[]) => [...new Set(xs.map((x) => normalizeAddress(x) ?? x))].sort();

/** What `infer` answers on a fixture folder, next to its expected.json. */
export function checkMailbox(dir: string) {
  const account = read(dir, "account.json");
  const expected = read(dir, "expected.json") as { now: string; newContacts: string[]; missingFollowUps: string[] };
  const owner = { email: account.email, aliases: account.aliases ?? [], displayName: account.displayName, timeZone: account.timeZone ?? "UTC" };
  const now = Date.parse(expected.now);
  const google = account.provider === "google";
  const meetings = google
    ? read(dir, "google/events.json").map((e: never) => mapGoogleEvent(e, owner))
    : read(dir, "microsoft/events.json").filter((e: { type?: string }) => e.type !== "seriesMaster").map((e: never) => mapGraphEvent(e, owner));
  const messages = google
    ? read(dir, "google/messages.json").map((m: never) => mapGmailMessage(m))
    : [...read(dir, "microsoft/sentitems.json").map((m: never) => mapGraphMessage(m, "sentitems")), ...read(dir, "microsoft/inbox.json").map((m: never) => mapGraphMessage(m, "inbox"))];
  const r = infer(owner, meetings, messages, now);
  const got = { newContacts: form(r.newContacts.map((c) => c.email)), missingFollowUps: form(r.missingFollowUps.map((c) => c.email)) };
  const want = { newContacts: form(expected.newContacts), missingFollowUps: form(expected.missingFollowUps) };
  const same = JSON.stringify(got) === JSON.stringify(want);
  return { same, got, want, meetings: meetings.length, messages: messages.length };
}
