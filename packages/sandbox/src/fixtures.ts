import { constants, isUtf8 } from "node:buffer";
import { readFileSync, type Stats, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { gmail_v1 } from "@googleapis/gmail";
import type { calendar_v3 } from "@googleapis/calendar";
import type { Event as GraphEvent, Message as GraphMessage } from "@microsoft/microsoft-graph-types";
import { isCalendarDate, utcInstant } from "@followthrough/core/time";
import { ianaOf } from "./graph/zones";

/** The owner of a mailbox fixture, as `account.json` describes it. */
export interface AccountInfo {
  provider: "google" | "microsoft";
  email: string;
  aliases: string[];
  displayName: string;
  timeZone: string;
}

/** Gmail and Calendar resources of a Google mailbox fixture. */
export interface GoogleData {
  messages: gmail_v1.Schema$Message[];
  events: calendar_v3.Schema$Event[];
}

/** Graph resources of a Microsoft mailbox fixture. */
export interface MicrosoftData {
  inbox: GraphMessage[];
  sentitems: GraphMessage[];
  events: GraphEvent[];
}

/** Labels of a labelled fixture (`expected.json`). */
export interface Expected {
  now: string;
  newContacts: string[];
  missingFollowUps: string[];
}

/** One mailbox fixture folder, loaded and validated. */
export interface MailboxFixture {
  dir: string;
  account: AccountInfo;
  google?: GoogleData;
  microsoft?: MicrosoftData;
  expected?: Expected;
}

/** A fixture that cannot be served; the message is one line naming the file and the problem. */
export class FixtureError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = "FixtureError";
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The largest fixture file read: as many bytes as V8's longest string has characters (UTF-8 text of
 * that many bytes decodes to no more), about 536 MB in Node 20 and 22. A year of the heaviest
 * mailbox the demo generates is 145 MB over all its files.
 */
const MAX_FILE_BYTES = constants.MAX_STRING_LENGTH;

/**
 * Where the first byte sequence that is not UTF-8 starts in `b` (RFC 3629 section 4: no overlong
 * forms, no surrogates, nothing past U+10FFFF), or -1. Only asked once Node's own `isUtf8` has
 * said the text is not UTF-8, for the error to say where.
 */
function firstNonUtf8(b: Uint8Array): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    const n = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0;
    // A lead byte that starts no sequence, or a sequence cut off by the end of the file.
    if (n === 0 || i + n >= b.length) return i;
    const lo = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
    if (b[i + 1] < lo || b[i + 1] > hi) return i;
    for (let k = 2; k <= n; k++) if (b[i + k] < 0x80 || b[i + k] > 0xbf) return i;
    i += n + 1;
  }
  return -1;
}

/**
 * What `path` is, or undefined when it is not there: only "no such file" is absence; a link loop or a
 * folder without permission throws, said as such (`what` names the path in the message).
 */
function statOf(path: string, what?: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    throw new FixtureError(path, `${what ? `${what} ` : ""}cannot be read (${code ?? "error"})`);
  }
}

function readJson(file: string): unknown {
  // Only a regular file is read, and only up to the size a string can hold: a link to /dev/zero or
  // a pipe would be read without end (helper-171 #3). A file that cannot be looked at (a link loop,
  // a folder without permission) says why, not that it is missing (helper-171 #9).
  const st = statOf(file);
  if (!st) throw new FixtureError(file, "file is missing");
  if (st.isDirectory()) throw new FixtureError(file, "is a folder, not a file");
  if (!st.isFile()) throw new FixtureError(file, "is not a regular file");
  const size = st.size;
  if (size > MAX_FILE_BYTES) throw new FixtureError(file, `is too large (${Math.round(size / 1e6)} MB; a fixture file can be at most ${Math.floor(MAX_FILE_BYTES / 1e6)} MB)`);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new FixtureError(file, `cannot be read (${(e as NodeJS.ErrnoException).code ?? "error"})`);
  }
  // UTF-16 is not UTF-8, said as such rather than as unreadable bytes; other bytes that are not
  // UTF-8 (Latin-1, a damaged copy) are refused where they start, not read as U+FFFD (helper-171 #5).
  if (bytes.includes(0)) throw new FixtureError(file, "is not UTF-8 text (saved as UTF-16?)");
  if (!isUtf8(bytes)) {
    const at = firstNonUtf8(bytes);
    throw new FixtureError(file, `is not UTF-8 text${at < 0 ? "" : ` (byte 0x${bytes[at].toString(16).toUpperCase().padStart(2, "0")} at offset ${at})`}`);
  }
  let text = bytes.toString("utf8");
  // A byte-order mark (Windows Notepad, PowerShell 5) is no part of the JSON (RFC 8259 8.1 lets a
  // reader ignore it).
  text = text.replace(/^\uFEFF/, "");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new FixtureError(file, `is not valid JSON (${oneLine((e as Error).message)})`);
  }
  if (depthOver(value, MAX_DEPTH)) throw new FixtureError(file, `is nested more than ${MAX_DEPTH} levels deep (no provider's item is)`);
  return value;
}

/**
 * How deep a fixture's JSON may nest: a provider's item is a handful of levels (a Gmail message's
 * parts, a Graph event's attendees); the emulator copies items recursively, so thousands of levels
 * would overflow its stack far from the file that held them.
 */
const MAX_DEPTH = 64;

/** Whether `value` nests deeper than `max` arrays and objects (read without recursion). */
function depthOver(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (typeof v !== "object" || v === null) continue;
    if (d >= max) return true;
    for (const x of Array.isArray(v) ? v : Object.values(v)) if (typeof x === "object" && x !== null) stack.push([x, d + 1]);
  }
  return false;
}

const oneLine = (s: string) => s.replace(/\s+/g, " ").trim();

function requireArray(file: string, value: unknown, check: (item: Obj, i: number) => string | undefined): Obj[] {
  if (!Array.isArray(value)) throw new FixtureError(file, "must be a JSON array");
  value.forEach((item, i) => {
    if (!isObj(item)) throw new FixtureError(file, `item ${i} is not an object`);
    const problem = check(item, i);
    if (problem) throw new FixtureError(file, `item ${i}${typeof item.id === "string" ? ` (id ${item.id})` : ""}: ${problem}`);
  });
  const seen = new Set<string>();
  for (const [i, item] of (value as Obj[]).entries()) {
    const id = item.id as string;
    if (seen.has(id)) throw new FixtureError(file, `item ${i}: duplicate id ${id}`);
    seen.add(id);
  }
  return value as Obj[];
}

const str = (v: unknown) => typeof v === "string" && v.length > 0;
/**
 * The longest id an item may have: Calendar's event ids run to 1,024 characters (its reference's
 * `id`: "5-1024 characters"), Gmail's and Graph's are far shorter. A longer one made a request URL
 * the sandbox refused (431) with an error that named nothing (helper-190 #6).
 */
const ID_MAX = 1024;
/**
 * An instance of a recurring Calendar event (events.list singleEvents=true) has its series' id and
 * `_` and its start (`_20260501T100000Z`, 17 characters) for an id (helper-191 #5).
 */
const INSTANCE_ID_MAX = ID_MAX + 17;
/** A string id within `max`, or what is wrong with it. */
const idProblem = (v: unknown, max = ID_MAX) => (!str(v) ? "missing string id" : (v as string).length > max ? `id is longer than ${max} characters` : undefined);
/** Absent, null or a boolean: the type of the providers' flags (`self`, `isCancelled`, ...). */
const optionalFlag = (v: unknown) => v === undefined || v === null || typeof v === "boolean";

function checkGmailMessage(m: Obj): string | undefined {
  const id = idProblem(m.id);
  if (id) return id;
  if (!str(m.threadId)) return "missing string threadId";
  if (typeof m.internalDate !== "string" || !/^\d+$/.test(m.internalDate)) return "internalDate must be a string of digits";
  // Milliseconds a Date can hold (±8.64e15): beyond, no clock (nor DynamoDB's numbers) reads it.
  if (Number(m.internalDate) > 8.64e15) return "internalDate is out of range (milliseconds since 1970, at most 8640000000000000)";
  if (m.historyId !== undefined && (typeof m.historyId !== "string" || !/^\d+$/.test(m.historyId)))
    return "historyId must be a string of digits";
  if (m.labelIds !== undefined && !(Array.isArray(m.labelIds) && m.labelIds.every((l) => typeof l === "string")))
    return "labelIds must be an array of strings";
  const p = m.payload;
  if (!isObj(p) || !Array.isArray(p.headers)) return "payload.headers must be an array";
  if (!p.headers.every((h) => isObj(h) && typeof h.name === "string" && typeof h.value === "string"))
    return "every payload header needs string name and value";
  if (!optionalText(p.mimeType)) return "payload.mimeType must be a string";
  if (!optionalText(m.snippet)) return "snippet must be a string";
  return undefined;
}

/**
 * A date-time a provider would send: RFC 3339's form (Calendar's `dateTime`, with an offset or a
 * `timeZone` beside it; Graph's `dateTime`, without an offset, to seven decimals), one the clock can
 * read, and before the year 9999, the end of the calendars' own range (Calendar answers "Bad
 * Request", Graph ErrorInvalidParameter). "Mon, 20 Apr 2026 10:00:00 PDT" reads as a date to
 * ECMAScript but to neither provider, and no scan would read it.
 */
const readableTime = (v: unknown) =>
  typeof v === "string" && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/i.test(v) && !Number.isNaN(utcInstant(v)) && v < "9999";
/** When a Calendar or Graph time is, for comparing a start with its end (a date as its midnight, no offset as UTC). */
const instantOf = (t: Obj) => utcInstant(str(t.dateTime) ? (t.dateTime as string) : `${t.date}T00:00:00`);
/** Absent, null or a string: the type of every optional text field the providers send. */
const optionalText = (v: unknown) => v === undefined || v === null || typeof v === "string";
/**
 * An attendee or organiser entry: an object whose `email` and `displayName`, if any, are strings or
 * null (googleapis' `Schema$EventAttendee` types every field `string | null`; an entry with no address).
 */
const personEntry = (a: unknown) => isObj(a) && optionalText(a.email) && optionalText(a.displayName);
/**
 * A Graph recipient or attendee: an object whose `emailAddress`, if any, is null or an object with a
 * string (or no) address and name. Graph's own types make it nullable (microsoft-graph-types
 * `Recipient.emailAddress?: NullableOption<EmailAddress>`); such an entry has no address, as one
 * without the field (helper-119: a null one made the whole scan exit 2).
 */
const graphEntry = (a: unknown) =>
  isObj(a) && (a.emailAddress === undefined || a.emailAddress === null || (isObj(a.emailAddress) && optionalText(a.emailAddress.address) && optionalText(a.emailAddress.name)));

function checkGoogleEvent(e: Obj): string | undefined {
  const id = idProblem(e.id, typeof e.recurringEventId === "string" ? INSTANCE_ID_MAX : ID_MAX);
  if (id) return id;
  if (!optionalText(e.status)) return "status must be a string";
  if (e.status === "cancelled") return undefined; // minimal form allowed
  if (!isObj(e.start) || !isObj(e.end)) return "start and end are required unless cancelled";
  for (const side of ["start", "end"] as const) {
    const t = e[side] as Obj;
    if (!str(t.dateTime) && !str(t.date)) return `${side} needs dateTime or date`;
    if (str(t.dateTime) && !readableTime(t.dateTime)) return `${side}.dateTime is not a date-time (RFC 3339: YYYY-MM-DDThh:mm:ss, an offset or none, before 9999)`;
    if (!str(t.dateTime) && !(typeof t.date === "string" && isCalendarDate(t.date) && t.date < "9999")) return `${side}.date is not a date (YYYY-MM-DD, before 9999)`;
    // Calendar's `timeZone` is an IANA name (its reference: "formatted as an IANA Time Zone Database name").
    if (t.timeZone !== undefined && t.timeZone !== null && !(typeof t.timeZone === "string" && validZone(t.timeZone))) return `${side}.timeZone ${JSON.stringify(t.timeZone)} is not an IANA zone`;
  }
  if (instantOf(e.end as Obj) < instantOf(e.start as Obj)) return "end is before start";
  if (e.attendees !== undefined && !Array.isArray(e.attendees)) return "attendees must be an array";
  if (Array.isArray(e.attendees) && !e.attendees.every(personEntry)) return "every attendee must be an object with a string email and displayName";
  if (Array.isArray(e.attendees) && !e.attendees.every((a) => ["self", "organizer", "resource", "optional"].every((f) => optionalFlag((a as Obj)[f])) && optionalText((a as Obj).responseStatus)))
    return "every attendee's self, organizer, resource and optional must be true or false, and its responseStatus a string";
  if (e.organizer !== undefined && !personEntry(e.organizer)) return "organizer must be an object with a string email and displayName";
  if (isObj(e.organizer) && !optionalFlag(e.organizer.self)) return "organizer.self must be true or false";
  for (const f of ["summary", "location", "description", "iCalUID", "recurringEventId", "eventType", "transparency"]) if (!optionalText(e[f])) return `${f} must be a string`;
  return undefined;
}

function checkGraphMessage(m: Obj): string | undefined {
  const id = idProblem(m.id);
  if (id) return id;
  if (!optionalText(m["@odata.type"])) return "@odata.type must be a string";
  if (!optionalFlag(m.isDraft)) return "isDraft must be true or false";
  for (const f of ["receivedDateTime", "sentDateTime"])
    if (m[f] !== undefined && m[f] !== null && (typeof m[f] !== "string" || Number.isNaN(Date.parse(m[f] as string))))
      return `${f} is not a date`;
  for (const f of ["toRecipients", "ccRecipients", "bccRecipients"]) {
    // Null as Graph's types allow (NullableOption<Recipient[]>): no recipients of that kind.
    if (m[f] !== undefined && m[f] !== null && !Array.isArray(m[f])) return `${f} must be an array`;
    if (Array.isArray(m[f]) && !(m[f] as unknown[]).every(graphEntry)) return `every entry of ${f} must be an object with an emailAddress object (string address and name)`;
  }
  if (m.from !== undefined && m.from !== null && !graphEntry(m.from)) return "from must be an object with an emailAddress object (string address and name)";
  if (m.sender !== undefined && m.sender !== null && !graphEntry(m.sender)) return "sender must be an object with an emailAddress object (string address and name)";
  if (!optionalText(m.subject)) return "subject must be a string";
  return undefined;
}

function checkGraphEvent(e: Obj): string | undefined {
  const id = idProblem(e.id);
  if (id) return id;
  for (const side of ["start", "end"] as const) {
    const zone = isObj(e[side]) ? (e[side] as Obj).timeZone : undefined;
    // A Windows name ("Pacific Standard Time") or an IANA one, as Graph's dateTimeTimeZone takes.
    if (zone !== undefined && zone !== null && !(typeof zone === "string" && ianaOf(zone) !== undefined)) return `${side}.timeZone ${JSON.stringify(zone)} is neither a Windows nor an IANA zone name`;
  }
  for (const f of ["isCancelled", "isAllDay", "isOrganizer", "responseRequested"]) if (!optionalFlag(e[f])) return `${f} must be true or false`;
  for (const f of ["showAs", "type"]) if (!optionalText(e[f])) return `${f} must be a string`;
  if (!isObj(e.start) || !str(e.start.dateTime)) return "start.dateTime is required";
  if (!isObj(e.end) || !str(e.end.dateTime)) return "end.dateTime is required";
  if (!readableTime(e.start.dateTime)) return "start.dateTime is not a date-time (RFC 3339: YYYY-MM-DDThh:mm:ss, before 9999)";
  if (!readableTime(e.end.dateTime)) return "end.dateTime is not a date-time (RFC 3339: YYYY-MM-DDThh:mm:ss, before 9999)";
  if (instantOf(e.end) < instantOf(e.start)) return "end is before start";
  if (e.attendees !== undefined && e.attendees !== null && !Array.isArray(e.attendees)) return "attendees must be an array";
  if (Array.isArray(e.attendees) && !e.attendees.every(graphEntry)) return "every attendee must be an object with an emailAddress object (string address and name)";
  if (e.organizer !== undefined && e.organizer !== null && !graphEntry(e.organizer)) return "organizer must be an object with an emailAddress object (string address and name)";
  for (const f of ["subject", "bodyPreview", "iCalUId", "seriesMasterId"]) if (!optionalText(e[f])) return `${f} must be a string`;
  if (e.location !== undefined && e.location !== null && !(isObj(e.location) && optionalText(e.location.displayName))) return "location must be an object with a string displayName";
  return undefined;
}

function validZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function readAccount(file: string): AccountInfo {
  const a = readJson(file);
  if (!isObj(a)) throw new FixtureError(file, "must be a JSON object");
  if (a.provider !== "google" && a.provider !== "microsoft")
    throw new FixtureError(file, `provider must be "google" or "microsoft", got ${JSON.stringify(a.provider)}`);
  // An address as a mailbox has one (RFC 5321's limits: 64 characters before the @, 254 in all), with
  // none of the characters an address header would have to quote: the digest's From and To are made
  // from it (helper-190 #7: a 5,000-character one reached DynamoDB's index key limit).
  const address = (x: unknown): boolean => typeof x === "string" && x.length <= 254 && /^[^@\s<>()[\]\\,;:"]{1,64}@[^@\s<>()[\]\\,;:"]+$/.test(x);
  if (typeof a.email !== "string" || !address(a.email)) throw new FixtureError(file, "email must be an address (at most 64 characters before the @ and 254 in all, none of <>()[]\\,;:\")");
  const aliases = a.aliases ?? [];
  if (!Array.isArray(aliases) || !aliases.every((x) => typeof x === "string")) throw new FixtureError(file, "aliases must be an array of strings");
  // Each an address as the email is: the scan contract takes them as the owner's (packages/cli
  // fixtureOwner), and a display name or a list in one was silently not honoured (helper-199 #2).
  const notAddress = (aliases as string[]).find((x) => !address(x));
  if (notAddress !== undefined) throw new FixtureError(file, `aliases: ${JSON.stringify(notAddress.slice(0, 80))} is not an address (write each bare, as the email)`);
  const timeZone = a.timeZone ?? "UTC";
  if (typeof timeZone !== "string" || !validZone(timeZone)) throw new FixtureError(file, `timeZone ${JSON.stringify(timeZone)} is not an IANA zone`);
  if (!optionalText(a.displayName)) throw new FixtureError(file, "displayName must be a string");
  const displayName = typeof a.displayName === "string" ? a.displayName : a.email;
  return { provider: a.provider, email: a.email, aliases, displayName, timeZone };
}


function readExpected(file: string): Expected | undefined {
  // A labels file that cannot be read is said, not taken as absent (helper-172 #4).
  if (!statOf(file, "labels file")) return undefined;
  const e = readJson(file);
  if (!isObj(e) || typeof e.now !== "string" || Number.isNaN(Date.parse(e.now)))
    throw new FixtureError(file, "must be an object with an ISO-8601 now");
  const list = (k: string) => {
    const v = e[k];
    if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) throw new FixtureError(file, `${k} must be an array of addresses`);
    return v as string[];
  };
  return { now: e.now, newContacts: list("newContacts"), missingFollowUps: list("missingFollowUps") };
}

/**
 * Mailboxes served together, each of another account: the sandbox keeps one mailbox per address (a
 * later one replaces the earlier), so a folder given twice, or two folders of one account, would
 * serve one of them silently (helper-171 #10). Throws naming both folders.
 */
export function distinctAccounts(fixtures: MailboxFixture[]): MailboxFixture[] {
  const seen = new Map<string, string>();
  for (const f of fixtures) {
    const key = f.account.email.toLowerCase();
    const before = seen.get(key);
    if (before !== undefined) throw new FixtureError(f.dir, before === f.dir ? `given twice: give each mailbox once` : `is ${f.account.email}'s mailbox, as ${before} is: give each account once`);
    seen.set(key, f.dir);
  }
  return fixtures;
}

/**
 * Reads and validates a mailbox fixture folder (see shared/spec/mailbox-fixtures.md).
 * Throws {@link FixtureError} naming the first bad file.
 */
export function loadFixture(dirArg: string): MailboxFixture {
  const dir = resolve(dirArg);
  const st = statOf(dir, "fixture folder");
  if (!st) throw new FixtureError(dir, "fixture folder does not exist");
  if (!st.isDirectory()) throw new FixtureError(dir, "is not a folder");
  const account = readAccount(join(dir, "account.json"));
  const fixture: MailboxFixture = { dir, account, expected: readExpected(join(dir, "expected.json")) };
  if (account.provider === "google") {
    const f = (n: string) => join(dir, "google", n);
    fixture.google = {
      messages: requireArray(f("messages.json"), readJson(f("messages.json")), checkGmailMessage) as gmail_v1.Schema$Message[],
      events: requireArray(f("events.json"), readJson(f("events.json")), checkGoogleEvent) as calendar_v3.Schema$Event[],
    };
  } else {
    const f = (n: string) => join(dir, "microsoft", n);
    fixture.microsoft = {
      inbox: requireArray(f("inbox.json"), readJson(f("inbox.json")), checkGraphMessage) as GraphMessage[],
      sentitems: requireArray(f("sentitems.json"), readJson(f("sentitems.json")), checkGraphMessage) as GraphMessage[],
      events: requireArray(f("events.json"), readJson(f("events.json")), checkGraphEvent) as GraphEvent[],
    };
  }
  return fixture;
}
