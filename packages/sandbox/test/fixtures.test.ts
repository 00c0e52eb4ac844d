import { constants } from "node:buffer";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FixtureError, loadFixture } from "@followthrough/sandbox";
import { root } from "../../../test/support/fixtures";
import { googleMailboxes, microsoftMailboxes } from "./mailboxes";

const tmp = mkdtempSync(join(tmpdir(), "ft-fixtures-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const goodAccount = { provider: "google", email: "owner@acme.test", aliases: [], displayName: "Owner", timeZone: "Europe/Paris" };
const goodMessage = { id: "m1", threadId: "t1", labelIds: ["SENT"], historyId: "10", internalDate: "1700000000000", payload: { headers: [{ name: "To", value: "a@b.test" }] } };
const goodEvent = { id: "e1", status: "confirmed", start: { dateTime: "2026-01-01T10:00:00Z" }, end: { dateTime: "2026-01-01T11:00:00Z" } };
/** An object `levels` deep: { a: { a: … } }. */
const nested = (levels: number): unknown => Array.from({ length: levels }).reduce<unknown>((inner) => ({ a: inner }), {});

let n = 0;
/** Writes a fixture folder from a map of relative path to content (string = raw text, else JSON). */
function folder(files: Record<string, unknown>): string {
  const dir = join(tmp, `f${n++}`);
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(join(dir, rel, ".."), { recursive: true });
    writeFileSync(join(dir, rel), typeof content === "string" || Buffer.isBuffer(content) ? content : JSON.stringify(content));
  }
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** An Outlook fixture whose calendar holds `events` (mail folders empty). */
const outlookWith = (events: unknown[]) =>
  folder({ "account.json": { ...goodAccount, provider: "microsoft" }, "microsoft/inbox.json": [], "microsoft/sentitems.json": [], "microsoft/events.json": events });

const google = (over: Record<string, unknown> = {}) =>
  folder({ "account.json": goodAccount, "google/messages.json": [goodMessage], "google/events.json": [goodEvent], ...over });

/** `dir` with `rel` replaced by a symbolic link to `target`. */
function linked(dir: string, rel: string, target: string): string {
  unlinkSync(join(dir, rel));
  symlinkSync(target, join(dir, rel));
  return dir;
}

/** `dir` with `rel` a folder instead of its file. */
function asFolder(dir: string, rel: string): string {
  unlinkSync(join(dir, rel));
  mkdirSync(join(dir, rel));
  return dir;
}

/** `dir` with `rel` a sparse file of `bytes` (no disk used). */
function sparse(dir: string, rel: string, bytes: number): string {
  truncateSync(join(dir, rel), bytes);
  return dir;
}

function problem(dir: string): FixtureError {
  try {
    loadFixture(dir);
  } catch (e) {
    expect(e).toBeInstanceOf(FixtureError);
    return e as FixtureError;
  }
  throw new Error("expected loadFixture to throw");
}

describe("malformed fixtures give a one-line error naming the file and the problem", () => {
  const cases: [string, () => string, string, RegExp][] = [
    ["missing folder", () => join(tmp, "nope"), "nope", /does not exist/],
    ["missing account.json", () => folder({ "google/messages.json": [] }), "account.json", /missing/],
    ["account.json not JSON", () => google({ "account.json": "{ provider: google" }), "account.json", /not valid JSON/],
    ["unknown provider", () => google({ "account.json": { ...goodAccount, provider: "yahoo" } }), "account.json", /provider must be/],
    ["bad time zone", () => google({ "account.json": { ...goodAccount, timeZone: "Mars/Olympus" } }), "account.json", /IANA/],
    ["bad email", () => google({ "account.json": { ...goodAccount, email: "nobody" } }), "account.json", /email/],
    ["messages not an array", () => google({ "google/messages.json": { id: 1 } }), "messages.json", /JSON array/],
    ["message without internalDate", () => google({ "google/messages.json": [{ ...goodMessage, internalDate: 17 }] }), "messages.json", /item 0 \(id m1\): internalDate/],
    ["message headers wrong", () => google({ "google/messages.json": [{ ...goodMessage, payload: {} }] }), "messages.json", /payload.headers/],
    ["duplicate message id", () => google({ "google/messages.json": [goodMessage, goodMessage] }), "messages.json", /duplicate id m1/],
    ["internalDate past what a Date holds", () => google({ "google/messages.json": [{ ...goodMessage, internalDate: "99999999999999999" }] }), "messages.json", /item 0 \(id m1\): internalDate is out of range/],
    ["attendee name a number", () => google({ "google/events.json": [{ ...goodEvent, attendees: [{ email: "a@x.io", displayName: 5 }] }] }), "events.json", /every attendee must be an object with a string email and displayName/],
    ["event title a number", () => google({ "google/events.json": [{ ...goodEvent, summary: 123 }] }), "events.json", /summary must be a string/],
    ["account displayName a number", () => google({ "account.json": { ...goodAccount, displayName: 7 } }), "account.json", /displayName must be a string/],
    ["events missing", () => folder({ "account.json": goodAccount, "google/messages.json": [] }), "events.json", /missing/],
    ["event without start", () => google({ "google/events.json": [{ id: "e9", status: "confirmed" }] }), "events.json", /item 0 \(id e9\): start and end/],
    ["truncated events", () => google({ "google/events.json": '[{"id": "e1"' }), "events.json", /not valid JSON/],
    [
      "graph event without dateTime",
      () =>
        folder({
          "account.json": { ...goodAccount, provider: "microsoft" },
          "microsoft/inbox.json": [],
          "microsoft/sentitems.json": [],
          "microsoft/events.json": [{ id: "x", start: {}, end: {} }],
        }),
      "events.json",
      /start.dateTime/,
    ],
    [
      "graph recipient name a number",
      () =>
        folder({
          "account.json": { ...goodAccount, provider: "microsoft" },
          "microsoft/inbox.json": [],
          "microsoft/sentitems.json": [{ id: "s", toRecipients: [{ emailAddress: { address: "a@x.io", name: 5 } }] }],
          "microsoft/events.json": [],
        }),
      "sentitems.json",
      /every entry of toRecipients must be an object with an emailAddress object \(string address and name\)/,
    ],
    [
      "graph sent date not a date",
      () =>
        folder({
          "account.json": { ...goodAccount, provider: "microsoft" },
          "microsoft/inbox.json": [],
          "microsoft/sentitems.json": [{ id: "s", sentDateTime: "yesterday" }],
          "microsoft/events.json": [],
        }),
      "sentitems.json",
      /sentDateTime is not a date/,
    ],
    ["bad expected.json", () => google({ "expected.json": { newContacts: [] } }), "expected.json", /ISO-8601 now/],
    // Shapes that are JSON but no provider would send: each crashed deep in the scan before.
    ["event dateTime not a date", () => google({ "google/events.json": [{ ...goodEvent, start: { dateTime: "not-a-date" } }] }), "events.json", /start.dateTime is not a date-time/],
    ["event date that does not exist", () => google({ "google/events.json": [{ ...goodEvent, start: { date: "2026-02-30" }, end: { date: "2026-03-01" } }] }), "events.json", /start.date is not a date/],
    // A time ECMAScript reads and no provider sends, one past the calendars' range, an end before its start (helper-143 #3, #4, #8).
    ["event dateTime with a named zone", () => google({ "google/events.json": [{ ...goodEvent, start: { dateTime: "Mon, 20 Apr 2026 10:00:00 PDT" } }] }), "events.json", /start.dateTime is not a date-time \(RFC 3339/],
    ["event in the year 9999", () => google({ "google/events.json": [{ ...goodEvent, start: { date: "9999-12-30" }, end: { date: "9999-12-31" } }] }), "events.json", /start.date is not a date \(YYYY-MM-DD, before 9999\)/],
    ["event ending before it starts", () => google({ "google/events.json": [{ ...goodEvent, end: { dateTime: "2026-01-01T09:00:00Z" } }] }), "events.json", /end is before start/],
    // Thousands of levels overflowed the emulator's copy of the item, in the scan, naming no file (helper-143 #8c).
    ["a field nested 3,000 levels deep", () => google({ "google/events.json": [{ ...goodEvent, extendedProperties: nested(3000) }] }), "events.json", /nested more than 64 levels deep/],
    ["account.json in UTF-16", () => google({ "account.json": `\ufeff${JSON.stringify(goodAccount)}`.split("").join("\u0000") }), "account.json", /not UTF-8 text/],
    // Bytes that are not UTF-8 were read as U+FFFD and the fixture served (helper-171 #5).
    ["account.json in Latin-1", () => google({ "account.json": Buffer.from(JSON.stringify({ ...goodAccount, displayName: "Ren\u00e9" }), "latin1") }), "account.json", /is not UTF-8 text \(byte 0xE9 at offset \d+\)/],
    ["a message's snippet with bytes of no UTF-8 sequence", () => google({ "google/messages.json": Buffer.concat([Buffer.from('[{"snippet":"a'), Buffer.from([0xff, 0xfe, 0xc3, 0x28]), Buffer.from(`",${JSON.stringify(goodMessage).slice(1)}]`)]) }), "messages.json", /is not UTF-8 text \(byte 0xFF at offset 14\)/],
    ["a sequence cut off by the end of the file", () => google({ "google/events.json": Buffer.concat([Buffer.from(JSON.stringify([goodEvent])), Buffer.from([0xe2, 0x82])]) }), "events.json", /is not UTF-8 text \(byte 0xE2 at offset \d+\)/],
    // Links and folders where a file should be (helper-171 #3, #9): said as what they are, never read without end.
    ["events.json a link to /dev/zero", () => linked(google(), "google/events.json", "/dev/zero"), "events.json", /is not a regular file/],
    ["events.json a link to itself", () => linked(google(), "google/events.json", "events.json"), "events.json", /cannot be read \(ELOOP\)/],
    ["messages.json a folder", () => asFolder(google(), "google/messages.json"), "messages.json", /is a folder, not a file/],
    ["messages.json larger than a string can hold", () => sparse(google(), "google/messages.json", 600_000_000), "messages.json", new RegExp(`is too large \\(600 MB; a fixture file can be at most ${Math.floor(constants.MAX_STRING_LENGTH / 1e6)} MB\\)`)],
    // Not "does not exist", nor a labels file quietly absent (helper-172 #4).
    ["expected.json a link to itself", () => linked(google({ "expected.json": { now: "2026-01-01T00:00:00Z" } }), "expected.json", "expected.json"), "expected.json", /labels file cannot be read \(ELOOP\)/],
    ["the fixture folder a link to itself", () => { const d = join(tmp, `loop${n++}`); symlinkSync(d, d); return d; }, "", /fixture folder cannot be read \(ELOOP\)/],
    ["null attendee", () => google({ "google/events.json": [{ ...goodEvent, attendees: [{ email: "a@b.test" }, null] }] }), "events.json", /every attendee/],
    ["attendee email a number", () => google({ "google/events.json": [{ ...goodEvent, attendees: [{ email: 5 }] }] }), "events.json", /every attendee/],
    [
      "graph event dateTime garbage",
      () => outlookWith([{ id: "x", start: { dateTime: "garbage", timeZone: "UTC" }, end: { dateTime: "2026-01-01T11:00:00.0000000", timeZone: "UTC" } }]),
      "events.json",
      /start.dateTime is not a date-time/,
    ],
    [
      "graph event ending before it starts",
      () => outlookWith([{ id: "x", start: { dateTime: "2026-01-01T12:00:00.0000000", timeZone: "UTC" }, end: { dateTime: "2026-01-01T11:00:00.0000000", timeZone: "UTC" } }]),
      "events.json",
      /end is before start/,
    ],
    // Fields of the wrong type or beyond what a provider sends crashed deep in the scan, or ended in an
    // error naming nothing (helper-190 #5-#7).
    ["a message's payload.mimeType a number", () => google({ "google/messages.json": [{ ...goodMessage, payload: { ...goodMessage.payload, mimeType: 5 } }] }), "messages.json", /payload.mimeType must be a string/],
    ["a message id of 100 KB", () => google({ "google/messages.json": [{ ...goodMessage, id: "m".repeat(100_000) }] }), "messages.json", /id is longer than 1024 characters/],
    ["an instance id past 1,041 characters", () => google({ "google/events.json": [{ ...goodEvent, id: "e".repeat(1042), recurringEventId: "e" }] }), "events.json", /id is longer than 1041 characters/],
    ["an event id (no series) past 1,024 characters", () => google({ "google/events.json": [{ ...goodEvent, id: "e".repeat(1025) }] }), "events.json", /id is longer than 1024 characters/],
    ["an event in a zone that is no IANA zone", () => google({ "google/events.json": [{ ...goodEvent, start: { ...goodEvent.start, timeZone: "Mars/Base" } }] }), "events.json", /start.timeZone "Mars\/Base" is not an IANA zone/],
    ["an attendee's self a string", () => google({ "google/events.json": [{ ...goodEvent, attendees: [{ email: "a@b.test", self: "yes" }] }] }), "events.json", /self, organizer, resource and optional must be true or false/],
    ["an eventType a number", () => google({ "google/events.json": [{ ...goodEvent, eventType: 5 }] }), "events.json", /eventType must be a string/],
    ["an account address of 5,000 characters", () => google({ "account.json": { ...goodAccount, email: `${"a".repeat(5000)}@acme.test` } }), "account.json", /email must be an address \(at most 64/],
    ["an account address with markup", () => google({ "account.json": { ...goodAccount, email: '<b>"x"</b>@acme.test' } }), "account.json", /email must be an address/],
    ["an alias with a display name (helper-199 #2)", () => google({ "account.json": { ...goodAccount, aliases: ["Priya <p@acme.test>"] } }), "account.json", /aliases: "Priya <p@acme.test>" is not an address/],
    ["a graph event in a zone of no name", () => outlookWith([{ id: "x", start: { dateTime: "2026-01-01T10:00:00.0000000", timeZone: 5 }, end: { dateTime: "2026-01-01T11:00:00.0000000", timeZone: "UTC" } }]), "events.json", /start.timeZone 5 is neither a Windows nor an IANA zone name/],
    ["a graph event's isCancelled a string", () => outlookWith([{ id: "x", isCancelled: "yes", start: { dateTime: "2026-01-01T10:00:00.0000000", timeZone: "UTC" }, end: { dateTime: "2026-01-01T11:00:00.0000000", timeZone: "UTC" } }]), "events.json", /isCancelled must be true or false/],
    [
      "a graph message's @odata.type a number",
      () => folder({ "account.json": { ...goodAccount, provider: "microsoft" }, "microsoft/inbox.json": [{ id: "i", "@odata.type": 5 }], "microsoft/sentitems.json": [], "microsoft/events.json": [] }),
      "inbox.json",
      /@odata.type must be a string/,
    ],
    [
      "graph null recipient",
      () =>
        folder({
          "account.json": { ...goodAccount, provider: "microsoft" },
          "microsoft/inbox.json": [],
          "microsoft/sentitems.json": [{ id: "s", sentDateTime: "2026-01-01T10:00:00Z", toRecipients: [null] }],
          "microsoft/events.json": [],
        }),
      "sentitems.json",
      /every entry of toRecipients/,
    ],
  ];
  it.each(cases)("%s", (_name, make, file, pattern) => {
    const dir = make();
    const err = problem(dir);
    expect(err.message).not.toContain("\n");
    // The file named, or (where the fixture folder itself is the fault) the folder.
    const named = file || dir;
    expect(err.file.endsWith(named)).toBe(true);
    expect(err.message).toContain(named);
    expect(err.message).toMatch(pattern);
  });

  it("an instance id of a series whose id is 1,024 characters loads (helper-191 #5)", () => {
    const base = "b".repeat(1024);
    expect(() => loadFixture(google({ "google/events.json": [{ ...goodEvent, id: `${base}_20260101T100000Z`, recurringEventId: base }] }))).not.toThrow();
  });

  it("a good minimal fixture loads", () => {
    const f = loadFixture(google());
    expect(f.account.email).toBe("owner@acme.test");
    expect(f.google?.messages).toHaveLength(1);
  });

  it("a file saved with a byte-order mark (Windows Notepad, PowerShell 5) loads (RFC 8259 8.1; helper-143 #5)", () => {
    const f = loadFixture(google({ "account.json": `\ufeff${JSON.stringify(goodAccount)}`, "google/events.json": `\ufeff${JSON.stringify([goodEvent, { ...goodEvent, id: "e2", start: { dateTime: "2026-01-01T10:00:00.1234567" }, end: { dateTime: "2026-01-01T13:00:00+02:00" } }])}` }));
    expect(f.account.email).toBe("owner@acme.test");
    expect(f.google?.events).toHaveLength(2);
  });

  it("the sandbox command exits non-zero with the one-line error", () => {
    const dir = google({ "google/events.json": "not json" });
    const r = spawnSync(process.execPath, [join(root, "packages/sandbox/bin/sandbox.mjs"), "--fixtures", dir], { encoding: "utf8" });
    expect(r.status).toBe(2);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/events\.json: is not valid JSON/);
  });
});

describe("the project's demo mailboxes and the public sample mailboxes load", () => {
  const cases = [...googleMailboxes.map((m) => ["google", m] as const), ...microsoftMailboxes.map((m) => ["microsoft", m] as const)];
  for (const [provider, mailbox] of cases)
    it.skipIf(!mailbox.present)(`${mailbox.name}${mailbox.shared ? " (../shared)" : ""}`, () => {
      const f = loadFixture(mailbox.dir);
      expect(f.account.provider).toBe(provider);
      expect(f.expected?.now).toMatch(/^2026-/);
      const data = f.google ?? f.microsoft;
      expect(data).toBeDefined();
      expect(provider === "google" ? f.google?.messages.length : f.microsoft?.inbox.length).toBeGreaterThan(0);
    });
});
