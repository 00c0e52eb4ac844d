/**
 * `followthrough scan` as a user (or an evaluation harness) runs it: a child process on the labelled
 * mailboxes, the JSON contract of shared/spec/mailbox-fixtures.md, the readable summary, and
 * one-line usage errors with exit status 2.
 */
import { spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { normalizeAddress } from "@followthrough/core/identity";
import { loadFixture } from "@followthrough/sandbox";
import { afterAll, describe, expect, it } from "vitest";
import { sharedPresent, ownFixture, root, sharedFixture } from "./support/fixtures";

import { type CliRun as Run, FOLLOWTHROUGH_BIN as bin, runCli } from "./support/cli";

/**
 * How long one run of the command may take, and a test of several (the file's describes run their
 * tests five at a time, each a node process with the sandbox and a local store, on CI's two cores:
 * a run took up to 28 s there, and a test of four runs 45 s). Hang guards, not speed goals.
 */
const RUN_MS = 120_000;
const TEST_MS = 300_000;

const run = (args: string[]) => runCli(args, { timeoutMs: RUN_MS });

const norm = (a: string) => normalizeAddress(a) ?? a.toLowerCase();
/**
 * shared/spec/behaviour.md's address normalisation alone, as shared/tools/score-fixtures.mjs compares
 * the contract's answers: lower-case, the `+tag` dropped, Gmail's dots and googlemail.com. Not the
 * rules' key (core/identity normalizeAddress), which also writes an internationalised domain and
 * Unicode one way: compared under that, the contract printed a spelling the labels never used
 * (`jonas@bäckerei.de` for `jonas@xn--bckerei-5wa.de`) and passed (helper-247).
 */
const specNorm = (a: string) => {
  const s = a.trim().toLowerCase();
  const at = s.lastIndexOf("@");
  let [local, domain] = [s.slice(0, at), s.slice(at + 1)];
  if (local.indexOf("+") > 0) local = local.slice(0, local.indexOf("+"));
  if (domain === "googlemail.com") domain = "gmail.com";
  if (domain === "gmail.com") local = local.replace(/\./g, "");
  return `${local}@${domain}`;
};
const sortedSet = (xs: string[]) => [...new Set(xs)].sort();

interface ContactJson {
  email: string;
  name: string;
  eventId: string;
  eventTitle: string;
  metAt: string;
}

function expectContactShape(c: ContactJson) {
  expect(c).toEqual(
    expect.objectContaining({
      email: expect.any(String),
      name: expect.any(String),
      eventId: expect.any(String),
      eventTitle: expect.any(String),
      metAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/),
    }),
  );
  expect(c.eventId.length).toBeGreaterThan(0);
  expect(Number.isNaN(Date.parse(c.metAt))).toBe(false);
}

const mailboxes = [
  { name: "demo-google", dir: ownFixture("demo-google"), shared: false },
  { name: "demo-microsoft", dir: ownFixture("demo-microsoft"), shared: false },
  { name: "google-founder", dir: sharedFixture("google-founder"), shared: true },
  { name: "outlook-consultant", dir: sharedFixture("outlook-consultant"), shared: true },
  // Spec edges (test/fixtures/spec-edges/README.md): labelled from the spec's words alone.
  ...["g-windows", "g-identities", "g-calendar", "g-events", "g-intl", "g-text", "g-mail", "o-graph", "o-intl", "o-send-as", "o-series", "g-idn", "g-nfd", "o-events"].map((name) => ({ name: `spec-edges/${name}`, dir: join(root, "test/fixtures/spec-edges", name), shared: false })),
];

interface EventJson { eventId: string; title: string; start: string; end: string; met?: string[]; followedUp?: string[] }

/** events.md's `networkingEvents`: the contract's fields, ISO times, and the labelled ids where expected.json has them. */
function expectNetworkingEvents(out: { networkingEvents?: { upcoming: EventJson[]; attended: EventJson[] } }, dir: string) {
  const ne = out.networkingEvents!;
  expect(Array.isArray(ne.upcoming) && Array.isArray(ne.attended)).toBe(true);
  for (const e of [...ne.upcoming, ...ne.attended]) {
    expect(typeof e.eventId === "string" && typeof e.title === "string").toBe(true);
    expect(new Date(e.start).toISOString()).toBe(e.start);
    expect(new Date(e.end).toISOString()).toBe(e.end);
  }
  for (const e of ne.attended) expect(Array.isArray(e.met) && Array.isArray(e.followedUp) && e.followedUp.every((x) => e.met!.includes(x))).toBe(true);
  const labels = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8")) as { upcomingEvents?: string[]; attendedEvents?: string[] };
  if (labels.upcomingEvents) expect(ne.upcoming.map((e) => e.eventId).sort()).toEqual([...labels.upcomingEvents].sort());
  if (labels.attendedEvents) expect(ne.attended.map((e) => e.eventId).sort()).toEqual([...labels.attendedEvents].sort());
}

describe.concurrent.each(mailboxes)("followthrough scan --json on $name", { timeout: TEST_MS }, ({ dir, shared }) => {
  it.skipIf(shared && !sharedPresent())("exits 0 with the contract's JSON, matching the labels", async () => {
    const f = loadFixture(dir);
    const expected = f.expected!;
    const r = await run(["scan", "--fixtures", dir, "--now", expected.now, "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      account: string;
      now: string;
      newContacts: ContactJson[];
      missingFollowUps: ContactJson[];
      networkingEvents?: { upcoming: EventJson[]; attended: EventJson[] };
    };
    expect(out.account).toBe(f.account.email);
    expect(Date.parse(out.now)).toBe(Date.parse(expected.now));
    expect(Array.isArray(out.newContacts)).toBe(true);
    expect(Array.isArray(out.missingFollowUps)).toBe(true);
    for (const c of [...out.newContacts, ...out.missingFollowUps]) expectContactShape(c);
    // a person is reported once per list
    expect(new Set(out.newContacts.map((c) => c.email)).size).toBe(out.newContacts.length);
    expect(new Set(out.missingFollowUps.map((c) => c.email)).size).toBe(out.missingFollowUps.length);
    expect(sortedSet(out.newContacts.map((c) => specNorm(c.email)))).toEqual(sortedSet(expected.newContacts.map(specNorm)));
    expect(sortedSet(out.missingFollowUps.map((c) => specNorm(c.email)))).toEqual(sortedSet(expected.missingFollowUps.map(specNorm)));
    expectNetworkingEvents(out, dir);
  });
});

describe("followthrough scan reads the whole mailbox's outbound mail (behaviour.md: From an owner identity, or in the sent folder)", { timeout: TEST_MS }, () => {
  const tmp = mkdtempSync(join(tmpdir(), "ft-whole-"));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  /** A Gmail message resource as messages.get format=metadata returns it. */
  const message = (id: string, labelIds: string[], at: string, from: string, to: string, subject: string) => ({
    id,
    threadId: id,
    labelIds,
    snippet: subject,
    historyId: "4999000",
    internalDate: String(Date.parse(at)),
    sizeEstimate: 2048,
    payload: {
      partId: "",
      mimeType: "text/plain",
      filename: "",
      headers: [
        { name: "Date", value: new Date(at).toUTCString().replace("GMT", "+0000") },
        { name: "Message-ID", value: `<${id}@mail.example>` },
        { name: "Subject", value: subject },
        { name: "From", value: from },
        { name: "To", value: to },
      ],
    },
  });

  /** A copy of one of the project's mailboxes under `name`, with its labels, and its JSON files to edit. */
  const copyOf = (fixture: string, name: string) => {
    const dir = join(tmp, name);
    cpSync(ownFixture(fixture), dir, { recursive: true });
    const f = loadFixture(dir);
    const read = <T>(file: string) => JSON.parse(readFileSync(join(dir, file), "utf8")) as T;
    const write = (file: string, value: unknown) => writeFileSync(join(dir, file), JSON.stringify(value));
    return { dir, expected: f.expected!, read, write };
  };
  type ScanJson = { newContacts: ContactJson[]; missingFollowUps: ContactJson[]; networkingEvents: { upcoming: EventJson[]; attended: EventJson[] } };
  /** `followthrough scan --json` of a copy as of its labels' now: no error, and what it printed. */
  const scanned = async (c: ReturnType<typeof copyOf>): Promise<ScanJson> => {
    const r = await run(["scan", "--fixtures", c.dir, "--now", c.expected.now, "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout) as ScanJson;
  };
  /** The two lists, compared as the labels compare them. */
  const news = (out: ScanJson) => sortedSet(out.newContacts.map((c) => norm(c.email)));
  const missingOf = (out: ScanJson) => sortedSet(out.missingFollowUps.map((c) => norm(c.email)));
  const labelled = (list: string[], less: string[] = []) => sortedSet(list.filter((e) => !less.includes(e)).map(norm));

  it("Calendar event ids as long as the discovery document allows (1,024 characters) are scanned like any other (helper-116 #1)", async () => {
    const c = copyOf("demo-google", "demo-google-long-ids");
    const events = c.read<{ id: string }[]>("google/events.json");
    // base32hex, as Calendar's ids are; each its own, 1,024 characters (an event's) or 1,007 (a series' instance adds 17).
    const long = (i: number, n: number) => `${i.toString(32).padStart(4, "0")}${"0123456789abcdefghijklmnopqrstuv".repeat(33)}`.slice(0, n);
    const renamed = new Map(events.map((e, i) => [e.id, long(i, /_\d{8}T\d{6}Z$/.test(e.id) ? 1007 : 1024)]));
    c.write("google/events.json", events.map((e) => ({ ...e, id: renamed.get(e.id) })));
    const out = await scanned(c);
    expect(news(out)).toEqual(labelled(c.expected.newContacts));
    expect(missingOf(out)).toEqual(labelled(c.expected.missingFollowUps));
    for (const contact of out.newContacts) expect([...renamed.values()]).toContain(contact.eventId);
    expect(out.networkingEvents.upcoming.length + out.networkingEvents.attended.length).toBeGreaterThan(0);
  });

  it("Graph entries whose emailAddress is null, lists that are null, and a sent message with sentDateTime only, are read as Graph's types allow (helper-119)", async () => {
    const c = copyOf("demo-microsoft", "demo-microsoft-nulls");
    const written = c.expected.missingFollowUps[0]; // a missing follow-up of the labels
    const events = c.read<{ attendees?: unknown[] }[]>("microsoft/events.json");
    // (Not on a gathering near the 26 entries that make it large: an entry without an address is still an entry.)
    for (const e of events) if ((e.attendees ?? []).length < 20) e.attendees = [...(e.attendees ?? []), { type: "required", status: { response: "none", time: "0001-01-01T00:00:00Z" }, emailAddress: null }];
    const sent = c.read<Record<string, unknown>[]>("microsoft/sentitems.json");
    const { receivedDateTime: _, ...template } = sent[0];
    sent.push({
      ...template,
      id: "AAMkAGNullsAndSentOnly0000000000000000000000000000000000000000000001AAA=",
      internetMessageId: "<nulls-and-sent-only@followthrough.test>",
      sentDateTime: new Date(Date.parse(c.expected.now) - 3_600_000).toISOString().replace(/\.\d+Z$/, "Z"),
      toRecipients: [{ emailAddress: { address: written, name: "" } }],
      ccRecipients: [{ emailAddress: null }],
      bccRecipients: null,
    });
    // An event of nobody else's, its attendees null (Graph's NullableOption<Attendee[]>).
    events.push({ ...(events[0] as object), id: "AAMkAGNullAttendees000000000000000000000000000000000000000000000001AAA=", iCalUId: "null-attendees", subject: "Focus", attendees: null } as never);
    c.write("microsoft/events.json", events);
    c.write("microsoft/sentitems.json", sent);
    const out = await scanned(c);
    // The entries without an address change nothing; the message sent an hour before now is the follow-up.
    expect(news(out)).toEqual(labelled(c.expected.newContacts));
    expect(missingOf(out)).toEqual(labelled(c.expected.missingFollowUps, [written]));
  });

  it("Calendar attendees whose email is null are entries without an address, as googleapis' types allow", async () => {
    const c = copyOf("demo-google", "demo-google-nulls");
    const events = c.read<{ attendees?: unknown[] }[]>("google/events.json");
    // (Not on a gathering near the 26 entries that make it large: an entry without an address is still an entry.)
    for (const e of events) if (e.attendees?.length && e.attendees.length < 20) e.attendees.push({ email: null, displayName: null, responseStatus: "needsAction" });
    c.write("google/events.json", events);
    const out = await scanned(c);
    expect(news(out)).toEqual(labelled(c.expected.newContacts));
    expect(missingOf(out)).toEqual(labelled(c.expected.missingFollowUps));
  });

  it("a message in Sent the owner redirected (Resent-From, RFC 5322 3.6.6): its author stays a person, and its Resent-To is written to (helper-120 #1)", async () => {
    const c = copyOf("demo-google", "demo-google-resent");
    const author = "elena.popescu@verdantlabs.eu"; // a missing follow-up of the labels, who wrote to the owner
    const sentOn = "kwame@tallgrass.ai"; // another, to whom the owner sent her message on
    expect(c.expected.missingFollowUps).toEqual(expect.arrayContaining([author, sentOn]));
    const redirected = message("19f0000000000b01", ["SENT"], "2026-05-26T20:00:00Z", `Elena <${author}>`, "Isla Marchetti <isla@paperkite.studio>", "Slides from Thursday");
    redirected.payload.headers.unshift({ name: "Resent-From", value: "Isla Marchetti <isla@paperkite.studio>" }, { name: "Resent-To", value: `Kwame <${sentOn}>` });
    c.write("google/messages.json", [...c.read<unknown[]>("google/messages.json"), redirected]);
    const out = await scanned(c);
    // Her address (and so her domain) is not learned as the owner's: she and everything else stay as labelled, but Kwame.
    expect(news(out)).toEqual(labelled(c.expected.newContacts));
    expect(missingOf(out)).toEqual(labelled(c.expected.missingFollowUps, [sentOn]));
  });

  it("an Inbox copy From the owner older than the service's 45 days, or an archived one, makes a person known; sent mail in the Trash is a follow-up, mail in Spam is not", async () => {
    const c = copyOf("demo-google", "demo-google");
    const known = "ana@fernstudio.co"; // a new contact of the labels
    const archived = "aroha@tuimotion.co.nz"; // another
    const written = "elena.popescu@verdantlabs.eu"; // a missing follow-up of the labels
    const trashedCopy = "kwame@tallgrass.ai"; // another
    const spam = "mira@wattle.coop"; // another: mail in Spam forging the owner's From does not count
    expect(c.expected.newContacts).toEqual(expect.arrayContaining([known, archived]));
    expect(c.expected.missingFollowUps).toEqual(expect.arrayContaining([written, trashedCopy, spam]));
    const messages = c.read<unknown[]>("google/messages.json");
    messages.push(
      // Sent from the owner's phone two months ago, Bcc'd to the Inbox: no copy in Sent.
      message("19f0000000000a01", ["INBOX", "CATEGORY_PERSONAL"], "2026-03-27T09:00:00Z", "Isla Marchetti <isla@paperkite.studio>", `Ana <${known}>`, "Intro, as promised"),
      // Sent from another client and archived: neither SENT nor INBOX.
      message("19f0000000000a03", ["CATEGORY_PERSONAL"], "2026-04-02T09:00:00Z", "Isla Marchetti <isla@paperkite.studio>", `Aroha <${archived}>`, "Our chat in March"),
      // Written this evening, then moved to the Trash.
      message("19f0000000000a02", ["SENT", "TRASH"], "2026-05-26T20:00:00Z", "Isla Marchetti <isla@paperkite.studio>", `Elena <${written}>`, "Good to meet you"),
      // A copy From the owner (not Sent's) in the Trash, and a forged one in Spam.
      message("19f0000000000a04", ["TRASH"], "2026-05-26T20:10:00Z", "Isla Marchetti <isla@paperkite.studio>", `Kwame <${trashedCopy}>`, "Good to meet you"),
      message("19f0000000000a05", ["SPAM"], "2026-05-26T20:20:00Z", "Isla Marchetti <isla@paperkite.studio>", `Mira <${spam}>`, "Claim your prize"),
      message("19f0000000000a06", ["SENT", "SPAM"], "2026-05-26T20:30:00Z", "Isla Marchetti <isla@paperkite.studio>", `Mira <${spam}>`, "Claim your prize"),
    );
    c.write("google/messages.json", messages);
    const out = await scanned(c);
    const newOnes = news(out);
    const missing = missingOf(out);
    expect(newOnes).not.toContain(known);
    expect(newOnes).not.toContain(archived);
    expect(missing).not.toContain(written);
    expect(missing).not.toContain(trashedCopy);
    expect(missing).toContain(spam);
    // Nothing else moved.
    const known_ = [known, archived];
    const followed = [...known_, written, trashedCopy];
    expect(newOnes).toEqual(labelled(c.expected.newContacts, known_));
    expect(missing).toEqual(labelled(c.expected.missingFollowUps, followed));
  });
});

describe.concurrent("followthrough scan: summary and usage errors", { timeout: TEST_MS }, () => {
  const tmp = mkdtempSync(join(tmpdir(), "ft-cli-"));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it("prints a readable summary without --json", async () => {
    const dir = ownFixture("demo-google");
    const f = loadFixture(dir);
    const expected = f.expected!;
    const r = await run(["scan", "--fixtures", dir, "--now", expected.now]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(() => JSON.parse(r.stdout)).toThrow();
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe(`Scan of ${f.account.email} as of ${new Date(expected.now).toISOString()}`);
    expect(r.stdout).toContain(`New contacts (${expected.newContacts.length}):`);
    expect(r.stdout).toContain(`Missing follow-ups (${expected.missingFollowUps.length}):`);
    for (const e of [...expected.newContacts, ...expected.missingFollowUps]) expect(r.stdout).toContain(`<${norm(e)}>`);
    // one line per reported person, plus the headings
    expect(lines.filter((l) => l.startsWith("  - ")).length).toBe(expected.newContacts.length + expected.missingFollowUps.length);
  });

  const oneLineError = (r: Run) => {
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    return lines[0];
  };

  it("missing --fixtures: exit 2, one line", async () => {
    const line = oneLineError(await run(["scan", "--now", "2026-05-26T22:30:00Z", "--json"]));
    expect(line).toMatch(/--fixtures/);
  });

  it("a bad --now: exit 2, one line naming the value", async () => {
    const line = oneLineError(await run(["scan", "--fixtures", ownFixture("demo-google"), "--now", "next tuesday", "--json"]));
    expect(line).toMatch(/--now/);
    expect(line).toContain("next tuesday");
  });

  it("a --now that names no real date or time (30 February, 24:00), or none at all: exit 2, one line", async () => {
    for (const now of ["2026-02-30T10:00:00Z", "2026-04-31T10:00:00Z", "2026-04-22T24:00:00Z"]) {
      const line = oneLineError(await run(["scan", "--fixtures", ownFixture("demo-google"), "--now", now, "--json"]));
      expect(line).toContain(now);
    }
    expect(oneLineError(await run(["scan", "--fixtures", ownFixture("demo-google"), "--json"]))).toMatch(/--now/);
  });

  it("output that cannot be written (a full disk): exit 1, one line, no stack", async () => {
    const r = await new Promise<Run>((resolve) => {
      const child = spawn(process.execPath, [bin, "scan", "--fixtures", ownFixture("demo-google"), "--now", "2026-05-26T22:30:00Z", "--json"], { cwd: root, stdio: ["ignore", openSync("/dev/full", "w"), "pipe"] });
      let stderr = "";
      child.stderr!.on("data", (d) => (stderr += d));
      child.on("close", (code) => resolve({ code, stdout: "", stderr }));
    });
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd().split("\n")).toEqual(["followthrough: could not write the output (ENOSPC)"]);
  });

  it("a local store that does not start ends the command (exit 2 for an engine it does not have, as for any setting given wrong; one line) instead of leaving the sandbox running", async () => {
    const r = await runCli(["scan", "--fixtures", ownFixture("demo-google"), "--now", "2026-05-26T22:30:00Z", "--json"], { timeoutMs: RUN_MS, env: { FOLLOWTHROUGH_DYNAMO_ENGINE: "bogus" } });
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split("\n")).toEqual([expect.stringMatching(/^followthrough: FOLLOWTHROUGH_DYNAMO_ENGINE must be one of/)]);
  });

  it("start with a bad FOLLOWTHROUGH_LINK_KEY: exit 2, one line, and the process ends, with nothing left listening (helper-171 #1)", async () => {
    const r = await runCli(["start", "--port", "0"], { timeoutMs: RUN_MS, env: { FOLLOWTHROUGH_LINK_KEY: "abc", FOLLOWTHROUGH_EXIT_AFTER_START: "1" } });
    // Before the fix the error was printed over the local store and sandbox still listening: the process never ended.
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split("\n")).toEqual([expect.stringMatching(/^followthrough: FOLLOWTHROUGH_LINK_KEY must be at least 16 characters/)]);
  });

  it("a folder that does not exist: exit 2, one line naming it", async () => {
    const missing = join(tmp, "no-such-mailbox");
    const line = oneLineError(await run(["scan", "--fixtures", missing, "--now", "2026-05-26T22:30:00Z", "--json"]));
    expect(line).toContain(missing);
    expect(line).toMatch(/does not exist/);
  });

  it("a broken events.json: exit 2, one line naming the file", async () => {
    const dir = join(tmp, "broken-events");
    cpSync(ownFixture("demo-google"), dir, { recursive: true });
    const file = join(dir, "google", "events.json");
    writeFileSync(file, '[{"id": "abc", "status": "confirmed",');
    const line = oneLineError(await run(["scan", "--fixtures", dir, "--now", "2026-05-26T22:30:00Z", "--json"]));
    expect(line).toContain(file);
    expect(line).toMatch(/not valid JSON/);
  });
});

describe("scan --fixtures reads the calendar as far ahead as it goes: a later meeting 400 days away follows a person up (behaviour.md: 'even if it is still in the future')", { timeout: TEST_MS }, () => {
  const ahead = mkdtempSync(join(tmpdir(), "ft-ahead-"));
  afterAll(() => rmSync(ahead, { recursive: true, force: true }));
  const DAY = 86_400_000;

  it.each([
    ["demo-google", "kwame@tallgrass.ai"],
    ["demo-microsoft", "aisha@sandbar.vc"],
  ] as const)("%s", async (name, person) => {
    const dir = join(ahead, name);
    cpSync(ownFixture(name), dir, { recursive: true });
    const expected = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8")) as { now: string; missingFollowUps: string[] };
    expect(expected.missingFollowUps).toContain(person);
    const start = new Date(Date.parse(expected.now) + 400 * DAY);
    const end = new Date(start.getTime() + 3_600_000);
    const account = JSON.parse(readFileSync(join(dir, "account.json"), "utf8")) as { email: string };
    if (name === "demo-google") {
      const file = join(dir, "google", "events.json");
      const events = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>[];
      events.push({ kind: "calendar#event", id: "farahead1", status: "confirmed", summary: "Catch-up next year", organizer: { email: account.email, self: true }, start: { dateTime: start.toISOString() }, end: { dateTime: end.toISOString() },
        attendees: [{ email: account.email, self: true, organizer: true, responseStatus: "accepted" }, { email: person, responseStatus: "accepted" }], eventType: "default" });
      writeFileSync(file, JSON.stringify(events));
    } else {
      const file = join(dir, "microsoft", "events.json");
      const events = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>[];
      const at = (d: Date) => ({ dateTime: d.toISOString().replace(/\.\d{3}Z$/, ".0000000"), timeZone: "UTC" });
      events.push({ id: "AAMkFarAhead1", subject: "Catch-up next year", type: "singleInstance", isOrganizer: true, isCancelled: false, isAllDay: false, responseStatus: { response: "organizer" }, organizer: { emailAddress: { address: account.email } }, start: at(start), end: at(end),
        attendees: [{ type: "required", status: { response: "accepted" }, emailAddress: { address: person } }] });
      writeFileSync(file, JSON.stringify(events));
    }
    const r = await run(["scan", "--fixtures", dir, "--now", expected.now, "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { missingFollowUps: { email: string }[] };
    const missing = out.missingFollowUps.map((c) => norm(c.email));
    expect(missing).not.toContain(person);
    expect(sortedSet(missing)).toEqual(sortedSet(expected.missingFollowUps.map(norm).filter((e) => e !== person)));
  });
});

describe("scan --fixtures reads the whole mailbox, however old (the spec's rules have no horizon; the service's first read is a year)", { timeout: TEST_MS }, () => {
  const aged = mkdtempSync(join(tmpdir(), "ft-aged-"));
  afterAll(() => rmSync(aged, { recursive: true, force: true }));
  const DAY = 86_400_000;

  it.each([
    ["demo-google", "kwame@tallgrass.ai"], // new and a missing follow-up
    ["demo-microsoft", "aisha@sandbar.vc"],
  ] as const)("%s: a mail to a new contact sent 400 days ago makes them known", async (name, person) => {
    const dir = join(aged, name);
    cpSync(ownFixture(name), dir, { recursive: true });
    const expected = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8")) as { now: string; newContacts: string[] };
    expect(expected.newContacts).toContain(person);
    const at = new Date(Date.parse(expected.now) - 400 * DAY);
    if (name === "demo-google") {
      const file = join(dir, "google", "messages.json");
      const messages = JSON.parse(readFileSync(file, "utf8")) as { id: string; threadId: string; labelIds: string[]; internalDate: string; historyId: string; payload: { headers: { name: string; value: string }[] } }[];
      const sent = messages.find((m) => m.labelIds.includes("SENT"))!;
      const headers = sent.payload.headers.map((h) =>
        h.name === "To" ? { ...h, value: person } : h.name === "Date" ? { ...h, value: at.toUTCString().replace("GMT", "+0000") } : h.name === "Message-ID" ? { ...h, value: "<aged-1@mail.gmail.com>" } : h.name === "Subject" ? { ...h, value: "Last year" } : h,
      );
      messages.push({ ...sent, id: "aged00000000001", threadId: "aged00000000001", internalDate: String(at.getTime()), historyId: "1000", payload: { ...sent.payload, headers } });
      writeFileSync(file, JSON.stringify(messages));
    } else {
      const file = join(dir, "microsoft", "sentitems.json");
      const messages = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>[];
      const iso = at.toISOString().replace(/\.\d{3}Z$/, "Z");
      messages.push({ ...messages[0], id: "AAMkAged0001", internetMessageId: "<aged-1@outlook.com>", subject: "Last year", createdDateTime: iso, lastModifiedDateTime: iso, receivedDateTime: iso, sentDateTime: iso, toRecipients: [{ emailAddress: { name: "Them", address: person } }], ccRecipients: [], bccRecipients: [] });
      writeFileSync(file, JSON.stringify(messages));
    }
    const r = await run(["scan", "--fixtures", dir, "--now", expected.now, "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { newContacts: { email: string }[] };
    const found = out.newContacts.map((c) => norm(c.email));
    expect(found).not.toContain(person);
    expect(sortedSet(found)).toEqual(sortedSet(expected.newContacts.map(norm).filter((e) => e !== person)));
    if (name === "demo-google") {
      // `digest --fixtures` reads the same: no missing follow-up for someone written to 400 days ago.
      const out = join(aged, `${name}-digest`);
      const d = await run(["digest", "--fixtures", dir, "--now", expected.now, "--out", out]);
      expect(d.code).toBe(0);
      expect(readFileSync(join(out, "digest.txt"), "utf8")).not.toContain(`<${person}>`);
    }
  });
});

describe.concurrent("scan --fixtures: the aliases account.json names are owner identities (behaviour.md: 'the account's primary address and its aliases')", { timeout: TEST_MS }, () => {
  const tmp = mkdtempSync(join(tmpdir(), "ft-cli-aliases-"));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const NOW = "2026-06-10T12:00:00Z";
  /** A mailbox of one meeting on 8 June 10:00–11:00 UTC, written as its provider serves it. */
  const mailbox = (name: string, account: Record<string, unknown>, files: Record<string, unknown[]>) => {
    const dir = join(tmp, name);
    for (const [file, items] of Object.entries({ "account.json": account, ...files })) {
      mkdirSync(join(dir, file, ".."), { recursive: true });
      writeFileSync(join(dir, file), JSON.stringify(items));
    }
    return dir;
  };
  const scanOf = async (dir: string) => {
    const r = await run(["scan", "--fixtures", dir, "--now", NOW, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { newContacts: ContactJson[]; missingFollowUps: ContactJson[] };
    return { news: out.newContacts.map((c) => c.email).sort(), missing: out.missingFollowUps.map((c) => c.email).sort() };
  };

  it("Outlook.com: an alias on the invitation is the owner, and mail From it follows the guest up, though a personal account's profile shows no proxyAddresses", async () => {
    const person = (address: string, response = "accepted") => ({ type: "required", status: { response, time: "0001-01-01T00:00:00Z" }, emailAddress: { name: "", address } });
    const dir = mailbox("outlook-com", { provider: "microsoft", email: "tomas.h@outlook.com", aliases: ["tomas.work@hotmail.com"], displayName: "Tomás H", timeZone: "UTC" }, {
      "microsoft/events.json": [
        {
          id: "coffee-1", subject: "Coffee", bodyPreview: "", isAllDay: false, isCancelled: false, isOrganizer: false, type: "singleInstance",
          responseStatus: { response: "accepted", time: "0001-01-01T00:00:00Z" },
          start: { dateTime: "2026-06-08T10:00:00", timeZone: "UTC" }, end: { dateTime: "2026-06-08T11:00:00", timeZone: "UTC" },
          location: { displayName: "" }, organizer: { emailAddress: { name: "", address: "pia@yarrow.example" } },
          attendees: [person("tomas.work@hotmail.com"), person("pia@yarrow.example", "none")],
        },
      ],
      "microsoft/inbox.json": [
        {
          id: "in-1", receivedDateTime: "2026-06-09T10:00:00Z", sentDateTime: "2026-06-09T10:00:00Z", subject: "Good to meet you", isDraft: false,
          from: { emailAddress: { name: "Tomás H", address: "tomas.work@hotmail.com" } }, sender: { emailAddress: { name: "Tomás H", address: "tomas.work@hotmail.com" } },
          toRecipients: [{ emailAddress: { name: "", address: "pia@yarrow.example" } }], ccRecipients: [], bccRecipients: [], conversationId: "in-1", internetMessageId: "<in-1@hotmail.example>",
        },
      ],
      "microsoft/sentitems.json": [],
    });
    expect(await scanOf(dir)).toEqual({ news: ["pia@yarrow.example"], missing: [] });
  });

  it("Google: an alias no mail or calendar entry shows still makes its domain the owner's, so its people are colleagues", async () => {
    const dir = mailbox("google-alias", { provider: "google", email: "me@acme.example", aliases: ["me@acme-labs.example"], displayName: "Me", timeZone: "UTC" }, {
      "google/events.json": [
        {
          kind: "calendar#event", id: "coffee1", status: "confirmed", summary: "Coffee", iCalUID: "coffee1@google.com", eventType: "default",
          start: { dateTime: "2026-06-08T10:00:00Z" }, end: { dateTime: "2026-06-08T11:00:00Z" },
          organizer: { email: "me@acme.example", self: true }, creator: { email: "me@acme.example", self: true },
          attendees: [{ email: "me@acme.example", self: true, organizer: true, responseStatus: "accepted" }, { email: "bob@acme-labs.example", responseStatus: "accepted" }],
        },
      ],
      "google/messages.json": [],
    });
    expect(await scanOf(dir)).toEqual({ news: [], missing: [] });
  });
});
