import type { calendar_v3 } from "@googleapis/calendar";
import type { gmail_v1 } from "@googleapis/gmail";

/** A large synthetic Google mailbox for benchmarks: deterministic for a seed. */
export interface BigMailbox {
  account: { provider: "google"; email: string; aliases: string[]; displayName: string; timeZone: string };
  messages: gmail_v1.Schema$Message[];
  events: calendar_v3.Schema$Event[];
  now: number;
}

/** mulberry32: a small seeded generator, so a generated input (or a failing scenario) can be made again. */
export function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = ["Ana", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jon", "Kemi", "Luis", "Mara", "Nils", "Omar", "Pia", "Quinn", "Rosa", "Sami", "Tara"];
const LAST = ["Osei", "Park", "Rossi", "Kim", "Novak", "Silva", "Dubois", "Okafor", "Lind", "Haddad", "Moreau", "Tanaka"];
const DOMAINS = ["acme.io", "globex.com", "initech.co", "umbrella.org", "hooli.com", "vandelay.net", "gmail.com", "outlook.com", "stark.ai", "wayne.vc"];

/** Generates `messages` sent messages and `events` meetings over the year before `now`. */
export function bigMailbox(o: { messages: number; events: number; people?: number; now?: number; seed?: number }): BigMailbox {
  const r = rng(o.seed ?? 7);
  const now = o.now ?? Date.parse("2026-11-23T14:00:00Z");
  const year = 365 * 24 * 3600 * 1000;
  const owner = "owner@bench.example";
  const pick = <T>(a: readonly T[]) => a[Math.floor(r() * a.length)];
  const people = Array.from({ length: o.people ?? 3000 }, (_, i) => {
    const first = pick(FIRST);
    const last = pick(LAST);
    return { name: `${first} ${last}`, email: `${first.toLowerCase()}.${last.toLowerCase()}${i}@${pick(DOMAINS)}` };
  });
  const colleague = (i: number) => ({ name: `Colleague ${i}`, email: `c${i}@bench.example` });
  const events: calendar_v3.Schema$Event[] = [];
  for (let i = 0; i < o.events; i++) {
    const start = now - year + Math.floor(r() * (year + 14 * 86400_000));
    const n = 1 + Math.floor(r() * 4);
    const attendees: calendar_v3.Schema$EventAttendee[] = [{ email: owner, self: true, responseStatus: r() < 0.9 ? "accepted" : "needsAction" }];
    for (let k = 0; k < n; k++) {
      const p = pick(people);
      attendees.push({ email: p.email, displayName: p.name, responseStatus: pick(["accepted", "accepted", "tentative", "needsAction", "declined"]) });
    }
    if (r() < 0.3) attendees.push({ email: colleague(Math.floor(r() * 20)).email, responseStatus: "accepted" });
    if (r() < 0.1) attendees.push({ email: `room-${i % 9}@resource.calendar.google.com`, resource: true, responseStatus: "accepted" });
    const organizerSelf = r() < 0.5;
    events.push({
      kind: "calendar#event",
      id: `ev${i.toString(36)}`,
      status: r() < 0.03 ? "cancelled" : "confirmed",
      summary: `Meeting ${i}`,
      created: new Date(start - 7 * 86400_000).toISOString(),
      updated: new Date(start - 6 * 86400_000).toISOString(),
      organizer: organizerSelf ? { email: owner, self: true } : { email: attendees[1].email ?? undefined, displayName: attendees[1].displayName ?? undefined },
      start: { dateTime: new Date(start).toISOString(), timeZone: "UTC" },
      end: { dateTime: new Date(start + 1800_000).toISOString(), timeZone: "UTC" },
      attendees,
    });
  }
  const messages: gmail_v1.Schema$Message[] = [];
  let history = 100_000;
  const times = Array.from({ length: o.messages }, () => now - Math.floor(r() * year)).sort((a, b) => a - b);
  times.forEach((t, i) => {
    const to = pick(people);
    const cc = r() < 0.2 ? `, "${pick(LAST)}, ${pick(FIRST)}" <${pick(people).email}>` : "";
    const notice = r() < 0.05;
    messages.push({
      id: (0x18a000000000 + i).toString(16),
      threadId: (0x18a000000000 + i - (i % 3)).toString(16),
      labelIds: ["SENT"],
      snippet: "",
      historyId: String((history += 3)),
      internalDate: String(t),
      sizeEstimate: 4000,
      payload: {
        partId: "",
        mimeType: "multipart/alternative",
        filename: "",
        headers: [
          { name: "From", value: `Bench Owner <${owner}>` },
          { name: "To", value: `${to.name} <${to.email}>${cc}` },
          { name: "Subject", value: notice ? `Accepted: Meeting ${i}` : `Re: topic ${i % 500}` },
          { name: "Date", value: new Date(t).toUTCString() },
          { name: "Message-ID", value: `<m${i}@bench.example>` },
          { name: "Content-Type", value: 'multipart/alternative; boundary="b"' },
        ],
      },
    });
  });
  return {
    account: { provider: "google", email: owner, aliases: [], displayName: "Bench Owner", timeZone: "Europe/Berlin" },
    messages: messages.reverse(),
    events,
    now,
  };
}
