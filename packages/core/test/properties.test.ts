import type { calendar_v3 } from "@googleapis/calendar";
import type { gmail_v1 } from "@googleapis/gmail";
import type { Event } from "@microsoft/microsoft-graph-types";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseAddressList } from "../src/addresses";
import { GMAIL_HEADERS, mapGmailMessage, mapGoogleEvent } from "../src/google/map";
import { normalizeAddress } from "../src/identity";
import { infer } from "../src/inference";
import { mapGraphEvent } from "../src/microsoft/map";
import type { Owner } from "../src/model";
import { DAY, HOUR, NOW } from "./support/builders";

// ---------------------------------------------------------------------------------------------
// (a) Parsers never throw
// ---------------------------------------------------------------------------------------------

const word = fc.stringMatching(/^[A-Za-z0-9]{1,8}$/);
const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
const qEnc = (s: string) => [...Buffer.from(s, "utf8")].map((b) => (/[A-Za-z0-9]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, "0")}`)).join("");

/** Address-ish fragments: good addresses, broken ones, and odd characters. */
const addrPiece = fc.oneof(
  fc.tuple(word, fc.constantFrom("x.io", "gmail.com", "googlemail.com", "resource.calendar.google.com", "a.b.c")).map(([l, d]) => `${l}@${d}`),
  fc.tuple(word, word).map(([l, t]) => `${l}+${t}@Partner.IO`),
  fc.constantFrom("@", "@@", "a@", "@b.io", "<>", "<a@b.io", "a@b.io>", "a@b", "\"@\"@x.io", "a@[127.0.0.1]", "a..b@x.io", ".a@x.io"),
);

/** Display-name fragments: quotes, commas, encoded words (valid and broken), comments. */
const namePiece = fc.oneof(
  word,
  fc.tuple(word, word).map(([a, b]) => `"${a}, ${b}"`),
  fc.tuple(word, word).map(([a, b]) => `${a} ${b}`),
  fc.string({ unit: "grapheme", maxLength: 6 }).map((s) => `=?UTF-8?B?${b64(s)}?=`),
  fc.string({ unit: "grapheme", maxLength: 6 }).map((s) => `=?UTF-8?Q?${qEnc(s)}?=`),
  fc.string({ unit: "grapheme", maxLength: 6 }).map((s) => `"=?UTF-8?Q?${qEnc(s)}?="`),
  fc.constantFrom("=?UTF-8?B?@@@?=", "=?bogus?X?abc?=", "=?UTF-8?Q?=ZZ?=", "=?ISO-8859-1?Q?Fran=E7ois?=", "\"unterminated", "(comment", "(nested (comment))", "\\"),
);

/** One mailbox or group entry. */
const entry = fc.oneof(
  addrPiece,
  fc.tuple(namePiece, addrPiece).map(([n, a]) => `${n} <${a}>`),
  fc.tuple(addrPiece, namePiece).map(([a, n]) => `${a} (${n})`),
  fc.tuple(word, fc.array(addrPiece, { maxLength: 3 })).map(([g, as]) => `${g}: ${as.join(", ")};`),
  fc.constantFrom("undisclosed-recipients:;", ":;", ";", ",", ":", "<", ">", "\"", "(", ")"),
);

const separator = fc.constantFrom(", ", ",", ",\r\n ", "\r\n\t", " ", ";", "");

/** Header-like strings built from the pieces above. */
const headerLike = fc
  .array(fc.tuple(entry, separator), { maxLength: 6 })
  .map((parts) => parts.map(([e, s]) => e + s).join(""));

const anyHeader = fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.string({ unit: "grapheme" }), headerLike);

describe("a Gmail message's header names are read in any case (RFC 5322 1.2.2; docs/provider-quirks.md)", () => {
  /** A value for each header the scan reads: two redirect blocks, so the latest's fields are told from the older's. */
  const values: Record<string, string> = {
    From: '"Ana Ortiz" <ana@ortiz.example>',
    To: "ben@client.example",
    Cc: '"Cy, Dee" <cy@client.example>',
    Bcc: "eve@else.example",
    Subject: "Thanks for today",
    Date: "Tue, 06 Oct 2026 09:30:00 +0200",
    "Message-ID": "<abc@ortiz.example>",
    "Content-Type": "text/plain; charset=utf-8",
    "Content-Class": "urn:content-classes:message",
  };
  const resent = ["Resent-Date", "Resent-From", "Resent-Sender", "Resent-Message-ID", "Resent-To", "Resent-Cc", "Resent-Bcc"];
  const headersIn = (caseOf: (name: string, i: number) => string) => [
    ...resent.map((n, i) => ({ name: caseOf(n, i), value: n === "Resent-Date" ? "Wed, 07 Oct 2026 08:00:00 +0200" : n.endsWith("Message-ID") ? "<re@owner.example>" : `${n.slice(7).toLowerCase()}@owner.example` })),
    { name: "Received", value: "from a by b; Wed, 07 Oct 2026 08:00:00 +0200" },
    ...resent.map((n, i) => ({ name: caseOf(n, i + resent.length), value: n === "Resent-Date" ? "Mon, 05 Oct 2026 08:00:00 +0200" : n.endsWith("Message-ID") ? "<old@owner.example>" : `old-${n.slice(7).toLowerCase()}@owner.example` })),
    ...Object.entries(values).map(([n, v], i) => ({ name: caseOf(n, i + 2 * resent.length), value: v })),
  ];
  const read = (caseOf: (name: string, i: number) => string) => mapGmailMessage({ id: "m1", threadId: "m1", internalDate: "1791360000000", labelIds: ["SENT"], payload: { mimeType: "text/plain", headers: headersIn(caseOf) } });

  it("covers every name the scan reads, and maps the same whatever their case", () => {
    expect([...Object.keys(values), ...resent].sort()).toEqual([...GMAIL_HEADERS].sort());
    const asWritten = read((n) => n);
    expect(asWritten.recipients.map((r) => r.email).sort()).toEqual(["bcc@owner.example", "cc@owner.example", "to@owner.example"]);
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 64, maxLength: 64 }), fc.array(fc.constantFrom("upper", "lower", "mixed"), { minLength: 40, maxLength: 40 }), (flips, cases) => {
        const caseOf = (n: string, i: number) => (cases[i] === "upper" ? n.toUpperCase() : cases[i] === "lower" ? n.toLowerCase() : [...n].map((ch, j) => (flips[j % 64] ? ch.toUpperCase() : ch.toLowerCase())).join(""));
        expect(read(caseOf)).toEqual(asWritten);
      }),
      { numRuns: 200 },
    );
  });

  it("a Cc written CC, To written TO, From written FROM: the same recipients and author", () => {
    const m = mapGmailMessage({ id: "m2", internalDate: "1791360000000", labelIds: ["SENT"], payload: { headers: [{ name: "FROM", value: "ana@ortiz.example" }, { name: "TO", value: "ben@client.example" }, { name: "CC", value: "cy@client.example" }, { name: "bcc", value: "eve@else.example" }] } });
    expect(m.from).toBe("ana@ortiz.example");
    expect(m.recipients.map((r) => r.email).sort()).toEqual(["ben@client.example", "cy@client.example", "eve@else.example"]);
  });
});

describe("parsers never throw", () => {
  it("parseAddressList on arbitrary and header-like strings returns normalised addresses", () => {
    fc.assert(
      fc.property(anyHeader, (h) => {
        const out = parseAddressList(h);
        for (const p of out) expect(normalizeAddress(p.email)).toBe(p.email);
      }),
      { numRuns: 500 },
    );
  });

  it("mapGmailMessage with arbitrary To/Cc/From/Subject/Content-Type values", () => {
    fc.assert(
      fc.property(anyHeader, anyHeader, anyHeader, anyHeader, anyHeader, fc.option(fc.string(), { nil: undefined }), (to, cc, from, subject, ct, internalDate) => {
        const m = mapGmailMessage({
          id: "x",
          internalDate,
          labelIds: ["SENT"],
          payload: {
            headers: [
              { name: "To", value: to },
              { name: "Cc", value: cc },
              { name: "From", value: from },
              { name: "Subject", value: subject },
              { name: "Content-Type", value: ct },
              { name: "Date", value: subject },
            ],
          },
        });
        expect(Array.isArray(m.recipients)).toBe(true);
        for (const r of m.recipients) expect(normalizeAddress(r.email)).toBe(r.email);
        if (m.from !== undefined) expect(normalizeAddress(m.from)).toBe(m.from);
      }),
      { numRuns: 300 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// (b), (c) infer() over generated calendars and mailboxes
// ---------------------------------------------------------------------------------------------

interface OwnerCase {
  owner: Owner;
  /** Independent oracle: the owner's addresses in comparison form. */
  canonical: string[];
  /** Independent oracle: domains whose addresses (and subdomains) are colleagues. */
  colleagueDomains: string[];
}

const OWNERS: OwnerCase[] = [
  { owner: { email: "owner@acme.io", aliases: ["o.wner@acme-labs.com", "ana.lima@gmail.com"], timeZone: "Europe/Berlin" }, canonical: ["owner@acme.io", "o.wner@acme-labs.com", "analima@gmail.com"], colleagueDomains: ["acme.io", "acme-labs.com"] },
  { owner: { email: "ana.lima@gmail.com", aliases: ["ana@lima.dev"], timeZone: "America/Los_Angeles" }, canonical: ["analima@gmail.com", "ana@lima.dev"], colleagueDomains: ["lima.dev"] },
  { owner: { email: "Ana.Lima@googlemail.com", aliases: [], timeZone: "UTC" }, canonical: ["analima@gmail.com"], colleagueDomains: [] },
];

const SPEC_ROLES = [
  "noreply", "no-reply", "donotreply", "do-not-reply", "notifications", "notification", "calendar-notification",
  "mailer-daemon", "postmaster", "bounce", "bounces", "events", "rsvp", "invites", "info", "team", "hello",
  "support", "sales", "admin", "office", "contact",
];
const ROOM_DOMAIN = "rooms.partner.io"; // only ever used with a resource flag

const randomCase = (s: string) => fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }).map((bs) => [...s].map((c, i) => (bs[i] ? c.toUpperCase() : c)).join(""));
const tag = fc.option(word, { nil: undefined });

/** A spelling of `canonical`: random case, maybe a +tag, and for gmail random dots and googlemail. */
function spelling(canonical: string): fc.Arbitrary<string> {
  const [local, domain] = canonical.split("@");
  if (domain !== "gmail.com")
    return fc.tuple(randomCase(local), tag, randomCase(domain)).map(([l, t, d]) => `${l}${t ? `+${t}` : ""}@${d}`);
  const letters = local.replace(/\./g, "");
  return fc
    .tuple(fc.array(fc.boolean(), { minLength: letters.length - 1, maxLength: letters.length - 1 }), tag, fc.constantFrom("gmail.com", "googlemail.com", "GoogleMail.com", "GMAIL.COM"))
    .chain(([dots, t, d]) => {
      const dotted = [...letters].map((c, i) => c + (i < letters.length - 1 && dots[i] ? "." : "")).join("");
      return randomCase(dotted).map((l) => `${l}${t ? `+${t}` : ""}@${d}`);
    });
}

type Kind = "owner" | "colleague" | "room" | "group" | "role" | "person";
interface RawEntry {
  kind: Kind;
  address: string;
  name: string;
  response: "accepted" | "tentative" | "declined" | "needsAction";
  resource: boolean;
}

const PERSONS = ["dan.osei@partner.io", "maria@client.co", "li.wei@gmail.com", "sam@startup.dev", "kofi@partner.io", "eve.k@outlook.com"];

function entryArb(oc: OwnerCase): fc.Arbitrary<RawEntry> {
  const response = fc.constantFrom("accepted", "tentative", "declined", "needsAction") as fc.Arbitrary<RawEntry["response"]>;
  const name = fc.constantFrom("", "Dan Osei", "Osei, Daniel", "x@y.io");
  const addr: fc.Arbitrary<{ kind: Kind; address: string; resource: boolean }> = fc.oneof(
    fc.constantFrom(...oc.canonical).chain(spelling).map((address) => ({ kind: "owner" as const, address, resource: false })),
    ...(oc.colleagueDomains.length
      ? [fc.tuple(word, fc.constantFrom(...oc.colleagueDomains), fc.constantFrom("", "eu.", "a.b.")).chain(([l, d, sub]) => randomCase(`${l}@${sub}${d}`)).map((address) => ({ kind: "colleague" as const, address, resource: false }))]
      : []),
    fc.oneof(
      fc.tuple(word, fc.boolean()).map(([w, flag]) => ({ kind: "room" as const, address: `c_${w}@resource.calendar.google.com`, resource: flag })),
      word.map((w) => ({ kind: "room" as const, address: `${w}@${ROOM_DOMAIN}`, resource: true })),
    ),
    word.map((w) => ({ kind: "group" as const, address: `${w}@group.calendar.google.com`, resource: false })),
    fc.tuple(fc.constantFrom(...SPEC_ROLES), fc.constantFrom("partner.io", "client.co", "gmail.com")).chain(([r, d]) => spelling(`${r}@${d}`)).map((address) => ({ kind: "role" as const, address, resource: false })),
    fc.constantFrom(...PERSONS).chain(spelling).map((address) => ({ kind: "person" as const, address, resource: false })),
    fc.constantFrom(...PERSONS).chain(spelling).map((address) => ({ kind: "person" as const, address, resource: false })),
  );
  return fc.tuple(addr, name, response).map(([a, n, r]) => ({ ...a, name: n, response: r }));
}

interface RawMeeting {
  provider: "google" | "graph";
  id: string;
  start: number;
  duration: number;
  allDay: boolean;
  cancelled: boolean;
  eventType: string;
  selfResponse: RawEntry["response"] | "organizer";
  selfOnList: boolean;
  organizer: RawEntry | "owner" | undefined;
  organizerOnList: boolean;
  attendees: RawEntry[];
}

function meetingArb(oc: OwnerCase): fc.Arbitrary<RawMeeting> {
  return fc.record({
    provider: fc.constantFrom("google", "graph"),
    id: word,
    start: fc.oneof(fc.integer({ min: -8 * 24, max: 0 }), fc.integer({ min: -40 * 24, max: 10 * 24 })).map((h) => NOW + h * HOUR),
    duration: fc.constantFrom(0, 30 * 60_000, HOUR, 3 * HOUR),
    allDay: fc.constantFrom(false, false, false, false, true),
    cancelled: fc.constantFrom(false, false, false, true),
    eventType: fc.constantFrom("default", "default", "default", "focusTime", "outOfOffice", "birthday"),
    selfResponse: fc.constantFrom("accepted", "accepted", "tentative", "declined", "needsAction", "organizer"),
    selfOnList: fc.boolean(),
    // A room is only recognisable by its address when it is the organiser (there is no resource flag there).
    organizer: fc.option(fc.oneof(fc.constant("owner" as const), entryArb(oc).filter((e) => e.kind !== "room" || !e.address.endsWith(ROOM_DOMAIN))), { nil: undefined }),
    organizerOnList: fc.boolean(),
    attendees: fc.array(entryArb(oc), { maxLength: 8 }),
  });
}

const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function toGoogle(m: RawMeeting, oc: OwnerCase): calendar_v3.Schema$Event {
  const attendees: calendar_v3.Schema$EventAttendee[] = m.attendees.map((a) => ({ email: a.address, displayName: a.name || undefined, responseStatus: a.response, resource: a.resource || undefined }));
  if (m.selfOnList) attendees.push({ email: oc.owner.email, self: true, responseStatus: m.selfResponse === "organizer" ? "accepted" : m.selfResponse });
  const org = m.organizer === "owner" ? { email: oc.owner.email, self: true } : m.organizer ? { email: m.organizer.address, displayName: m.organizer.name } : undefined;
  if (m.organizer && m.organizer !== "owner" && m.organizerOnList) attendees.push({ email: m.organizer.address, responseStatus: m.organizer.response, organizer: true });
  return {
    id: m.id,
    status: m.cancelled ? "cancelled" : "confirmed",
    eventType: m.eventType,
    start: m.allDay ? { date: isoDate(m.start) } : { dateTime: new Date(m.start).toISOString() },
    end: m.allDay ? { date: isoDate(m.start + DAY) } : { dateTime: new Date(m.start + m.duration).toISOString() },
    organizer: org,
    attendees,
  };
}

const graphResponse = { accepted: "accepted", tentative: "tentativelyAccepted", declined: "declined", needsAction: "notResponded", organizer: "organizer" } as const;
const naive = (ms: number) => new Date(ms).toISOString().replace("Z", "0000");

function toGraph(m: RawMeeting, oc: OwnerCase): Event {
  const attendees: NonNullable<Event["attendees"]> = m.attendees.map((a) => ({
    type: a.resource ? "resource" : "required",
    emailAddress: { address: a.address, name: a.name },
    status: { response: graphResponse[a.response] },
  }));
  if (m.selfOnList) attendees.push({ type: "required", emailAddress: { address: oc.owner.email }, status: { response: graphResponse[m.selfResponse] } });
  const org = m.organizer === "owner" ? oc.owner.email : m.organizer?.address;
  if (m.organizer && m.organizer !== "owner" && m.organizerOnList)
    attendees.push({ type: m.organizer.resource ? "resource" : "required", emailAddress: { address: m.organizer.address, name: m.organizer.name }, status: { response: graphResponse[m.organizer.response] } });
  return {
    id: m.id,
    isCancelled: m.cancelled,
    isAllDay: m.allDay,
    isOrganizer: m.organizer === "owner",
    responseStatus: { response: graphResponse[m.selfResponse] },
    start: { dateTime: naive(m.allDay ? Date.parse(`${isoDate(m.start)}T00:00:00Z`) : m.start), timeZone: "UTC" },
    end: { dateTime: naive(m.allDay ? Date.parse(`${isoDate(m.start)}T00:00:00Z`) + DAY : m.start + m.duration), timeZone: "UTC" },
    organizer: org ? { emailAddress: { address: org, name: "" } } : undefined,
    attendees,
  };
}

interface RawMessage {
  fromOwner: boolean;
  fromSpelling: RawEntry;
  labels: string[];
  subject: string;
  sentAt: number;
  to: RawEntry[];
  cc: RawEntry[];
  bcc: RawEntry[];
}

function messageArb(oc: OwnerCase): fc.Arbitrary<RawMessage> {
  return fc.record({
    fromOwner: fc.boolean(),
    fromSpelling: entryArb(oc),
    labels: fc.subarray(["SENT", "DRAFT", "INBOX"]),
    subject: fc.constantFrom("Great to meet you", "Invitation: Coffee", "Accepted: Coffee", "Re: Invitation: Coffee", "=?UTF-8?B?SGVsbG8=?="),
    sentAt: fc.integer({ min: -80 * 24, max: 5 * 24 }).map((h) => NOW + h * HOUR),
    to: fc.array(entryArb(oc), { maxLength: 3 }),
    cc: fc.array(entryArb(oc), { maxLength: 2 }),
    bcc: fc.array(entryArb(oc), { maxLength: 2 }),
  });
}

const header = (list: RawEntry[]) => list.map((e) => (e.name ? `"${e.name.replace(/"/g, "")}" <${e.address}>` : e.address)).join(",\r\n ");

function toGmail(m: RawMessage, oc: OwnerCase, i: number): gmail_v1.Schema$Message {
  return {
    id: `msg${i}`,
    internalDate: String(m.sentAt),
    labelIds: m.labels,
    payload: {
      headers: [
        { name: "From", value: m.fromOwner ? `Owner <${oc.owner.aliases[0] ?? oc.owner.email}>` : header([m.fromSpelling]) },
        { name: "To", value: header(m.to) },
        { name: "Cc", value: header(m.cc) },
        { name: "Bcc", value: header(m.bcc) },
        { name: "Subject", value: m.subject },
      ],
    },
  };
}

const scenario = fc.constantFrom(...OWNERS).chain((oc) =>
  fc.record({
    oc: fc.constant(oc),
    meetings: fc.array(meetingArb(oc), { maxLength: 12 }),
    messages: fc.array(messageArb(oc), { maxLength: 10 }),
  }),
);

function runScenario(s: { oc: OwnerCase; meetings: RawMeeting[]; messages: RawMessage[] }) {
  const { oc } = s;
  const meetings = s.meetings.map((m, i) => {
    const withId = { ...m, id: `${m.id}-${i}` };
    return m.provider === "google" ? mapGoogleEvent(toGoogle(withId, oc), oc.owner) : mapGraphEvent(toGraph(withId, oc), oc.owner);
  });
  const messages = s.messages.map((m, i) => mapGmailMessage(toGmail(m, oc, i)));
  return infer(oc.owner, meetings, messages, NOW);
}

/** Independent oracle: is `email` (normalised) something that must never be reported? */
function forbidden(oc: OwnerCase, email: string): string | undefined {
  const [local, domain] = email.split("@");
  if (oc.canonical.includes(email)) return "owner";
  if (oc.colleagueDomains.some((d) => domain === d || domain.endsWith(`.${d}`))) return "colleague";
  if (domain.endsWith("calendar.google.com")) return "calendar resource/group";
  if (domain === ROOM_DOMAIN) return "resource";
  if (SPEC_ROLES.includes(local)) return "role";
  return undefined;
}

const noDupes = (list: { email: string }[]) => new Set(list.map((c) => c.email)).size === list.length;

describe("infer() over generated calendars and mailboxes", () => {
  it("never reports an owner identity, a colleague or a non-person; emails normalised; no duplicates", () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const r = runScenario(s);
        for (const list of [r.newContacts, r.missingFollowUps, r.contacts]) {
          expect(noDupes(list)).toBe(true);
          for (const c of list) {
            expect(normalizeAddress(c.email)).toBe(c.email);
            expect(forbidden(s.oc, c.email)).toBeUndefined();
          }
        }
      }),
      { numRuns: 400 },
    );
  });

  it("newContacts and missingFollowUps ⊆ contacts; missingFollowUps never has followedUpAt; windows hold", () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const r = runScenario(s);
        const byEmail = new Map(r.contacts.map((c) => [c.email, c]));
        for (const c of [...r.newContacts, ...r.missingFollowUps]) expect(byEmail.get(c.email)).toEqual(c);
        for (const c of r.missingFollowUps) {
          expect(c.followedUpAt).toBeUndefined();
          expect(c.metEnd).toBeGreaterThanOrEqual(NOW - 30 * DAY);
          expect(c.metEnd).toBeLessThanOrEqual(NOW - DAY);
        }
        for (const c of r.newContacts) {
          expect(c.metEnd).toBeGreaterThan(NOW - 7 * DAY);
          expect(c.metEnd).toBeLessThan(NOW);
        }
        for (const c of r.contacts) if (c.followedUpBy === "mail") expect(c.followedUpAt!).toBeGreaterThan(c.metAt);
        for (const c of r.contacts) if (c.followedUpBy === "meeting") expect(c.followedUpAt!).toBeGreaterThanOrEqual(c.metEnd);
      }),
      { numRuns: 300 },
    );
  });
});
