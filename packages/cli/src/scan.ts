import type { AccountRecord } from "@followthrough/core/accounts";
import type { NetworkingEvent } from "@followthrough/core/events";
import { normalizeAddress, specSteps } from "@followthrough/core/identity";
import type { Contact } from "@followthrough/core/inference";
import { BACKFILL_DAYS } from "@followthrough/core/limits";
import type { ScanResult } from "@followthrough/core/scan";
import { plainText } from "@followthrough/core/text";
import { DAY, isCalendarDate, localDate, utcInstant } from "@followthrough/core/time";
import type { MailboxFixture } from "@followthrough/sandbox";
import { parseOnce } from "./args";
import { UsageError } from "./errors";

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * A person's address as the scan contract prints it: as their entry at the first meeting wrote it,
 * in shared/spec/behaviour.md's comparison form alone (lower-case, the `+tag` dropped, Gmail's dots
 * and googlemail.com), which is how the contract's answers are compared (mailbox-fixtures.md). The
 * rules' own key (core/identity normalizeAddress) goes further: one spelling for an internationalised
 * domain (`xn--bckerei-5wa.de` is `bäckerei.de`) and Unicode NFC, so that the two spellings of one
 * mailbox are one person. Printed, that key named a person written `jonas@xn--bckerei-5wa.de` in a
 * spelling the fixture never used (helper-247).
 */
export function contractAddress(c: Pick<Contact, "email" | "address">): string {
  const written = c.address?.trim().toLowerCase();
  const at = written?.lastIndexOf("@") ?? -1;
  if (!written || at <= 0) return c.email;
  const { local, domain } = specSteps(written.slice(0, at), written.slice(at + 1));
  return `${local}@${domain}`;
}

const contactJson = (c: Contact) => ({
  email: contractAddress(c),
  name: c.name,
  eventId: c.eventId,
  eventTitle: c.eventTitle,
  metAt: iso(c.metAt),
  metEnd: iso(c.metEnd),
  ...(c.followedUpAt !== undefined ? { followedUpAt: iso(c.followedUpAt), followedUpBy: c.followedUpBy } : {}),
  ...(c.metBy ? { metBy: c.metBy } : {}),
});

const eventJson = (e: NetworkingEvent) => ({
  eventId: e.eventId,
  title: e.title,
  start: iso(e.start),
  end: iso(e.end),
  ...(e.goal !== undefined ? { goal: e.goal } : {}),
});

/**
 * The scan contract's JSON (shared/spec/mailbox-fixtures.md, extended by shared/spec/events.md with
 * `networkingEvents`), with statistics added.
 */
export function scanJson(account: string, now: number, r: ScanResult) {
  return {
    account,
    now: iso(now),
    newContacts: r.newContacts.map(contactJson),
    missingFollowUps: r.missingFollowUps.map(contactJson),
    networkingEvents: {
      upcoming: (r.networkingEvents?.upcoming ?? []).map(eventJson),
      attended: (r.networkingEvents?.attended ?? []).map((e) => ({
        ...eventJson(e),
        met: e.met.map(contractAddress),
        followedUp: e.followedUp.map(contractAddress),
      })),
    },
    stats: r.stats,
  };
}

export function summary(account: string, zone: string, now: number, r: ScanResult): string {
  // The meeting's day in the owner's zone, as every page and email says it; names and titles come
  // from other people's calendars and mail: no line breaks or terminal escapes reach the screen.
  const line = (c: Contact) => `  - ${plainText(c.name) || c.email} <${c.email}>, met at "${plainText(c.eventTitle)}" on ${localDate(c.metAt, zone)}`;
  return [
    `Scan of ${account} as of ${iso(now)}`,
    `${r.stats.meetingsAttended} meetings attended in the last 7 days; ${r.newContacts.length} new people met; ${r.stats.followUpsSent} follow-ups sent.`,
    `New contacts (${r.newContacts.length}):`,
    ...r.newContacts.map(line),
    `Missing follow-ups (${r.missingFollowUps.length}):`,
    ...r.missingFollowUps.map(line),
  ].join("\n");
}

/**
 * The window a scan of this fixture reads, as `scan`'s `backfillDays` and `aheadDays`: all of it.
 * Back: the service reads a year at connect (core/scan BACKFILL_DAYS, a quota's worth of Gmail for a
 * heavy sender); shared/spec/behaviour.md's "first meeting" and "no outbound message more than 14
 * days before" have no horizon, and a fixture costs no quota, so the scan contract sees every
 * message and event the mailbox holds. Ahead: as far as its calendar goes (a later meeting "even if
 * it is still in the future" follows a person up), a year at least, as the service reads. Each with
 * a day's slack for zone-less Graph times.
 */
export function fixtureWindow(f: MailboxFixture, now: number): { backfillDays: number; aheadDays: number } {
  let earliest = now;
  let latest = now;
  const back = (ms: number) => void (ms < earliest && (earliest = ms)); // NaN never is
  const ahead = (ms: number) => void (ms > latest && (latest = ms));
  for (const m of f.google?.messages ?? []) back(Number(m.internalDate));
  for (const e of f.google?.events ?? []) {
    back(Date.parse(e.start?.dateTime ?? e.start?.date ?? ""));
    ahead(Date.parse(e.end?.dateTime ?? e.end?.date ?? e.start?.dateTime ?? e.start?.date ?? ""));
  }
  // Graph's mail windows are cut by receivedDateTime: the earlier of the two times counts.
  for (const m of [...(f.microsoft?.sentitems ?? []), ...(f.microsoft?.inbox ?? [])]) for (const t of [m.sentDateTime, m.receivedDateTime]) back(Date.parse(t ?? ""));
  for (const e of f.microsoft?.events ?? []) {
    back(Date.parse(e.start?.dateTime ?? ""));
    ahead(Date.parse(e.end?.dateTime ?? e.start?.dateTime ?? ""));
  }
  return { backfillDays: Math.max(BACKFILL_DAYS, Math.ceil((now - earliest) / DAY) + 1), aheadDays: Math.max(BACKFILL_DAYS, Math.ceil((latest - now) / DAY) + 1) };
}

/**
 * Parses `--now`; a bad value is a usage error. A date-time without an offset is read as UTC, not in
 * this machine's zone (as ECMAScript would): the same arguments scan the same on any host.
 */
export function parseNow(given: string | undefined): number {
  if (given === undefined) return Date.now();
  // ISO 8601's other spellings of the same instant, as RFC 3339 (5.6: "t" and "z" in lower case, a
  // space for the "T" as its note allows, `date --rfc-3339=seconds`) and
  // ISO 8601 itself allow them: a comma before the fraction, an offset of hours alone (helper-116 #3).
  const value = given
    .trim()
    .replace(/^(\d{4}-\d{2}-\d{2})[t ]/, "$1T")
    .replace(/z$/, "Z")
    .replace(/(T\d{2}:\d{2}:\d{2}),(\d)/, "$1.$2")
    .replace(/([+-]\d{2})$/, "$1:00");
  const ms = utcInstant(value);
  const bad = () => new UsageError(`--now must be an ISO-8601 date-time such as 2026-05-26T22:30:00Z, got ${JSON.stringify(given)}`);
  const parts = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})/.exec(value);
  if (!parts) throw bad();
  // A scan reads a year (and more) either side of it: a date the providers' windows cannot hold is
  // refused here, not answered by a provider's "Bad Request".
  const year = Number(parts[1].slice(0, 4));
  if (year < 1971 || year > 9997) throw new UsageError(`--now must be between the years 1971 and 9997, got ${JSON.stringify(given)}`);
  // A date or time that does not exist (30 February, 24:00) is refused, not rolled over into the next.
  if (Number.isNaN(ms) || !isCalendarDate(parts[1]) || Number(parts[2]) > 23 || Number(parts[3]) > 59) throw bad();
  return ms;
}

/**
 * The owner a fixture is scanned as: the connected account with every alias its account.json names
 * (mailbox-fixtures.md), since behaviour.md's owner identities are "the account's primary address
 * and its aliases". What the provider's profile shows has fewer: Gmail shows no send-as address to a
 * service without a settings scope, and a personal Microsoft account's /me has no proxyAddresses,
 * so such an alias counted as a person (a contact of the owner's own, and the owner's mail from it
 * no follow-up) unless the data taught it (helper-195 #1, #3). The service learns them from the
 * data alone; a fixture states them.
 */
export function fixtureOwner(account: AccountRecord, fixture: Pick<MailboxFixture, "account">): AccountRecord {
  const norm = (a: string) => normalizeAddress(a) ?? a.trim().toLowerCase();
  const known = new Set([account.email, ...account.aliases].map(norm));
  const stated = [...new Set(fixture.account.aliases.map(norm))].filter((a) => a !== "" && !known.has(a));
  return stated.length ? { ...account, aliases: [...account.aliases, ...stated] } : account;
}

/** `followthrough scan --fixtures <mailbox> --now <ISO> [--json]`: serve the mailbox, connect, scan, print. */
export async function scanCommand(argv: string[]): Promise<number> {
  let values;
  try {
    values = parseOnce({ args: argv, options: { fixtures: { type: "string" }, now: { type: "string" }, json: { type: "boolean" } }, strict: true });
  } catch (e) {
    throw new UsageError(`${(e as Error).message} (try: followthrough help)`);
  }
  if (!values.fixtures) throw new UsageError("scan needs --fixtures <mailbox>");
  // The contract's `--now <ISO-8601>`: a forgotten one would scan as of this machine's clock, plausibly and wrongly.
  if (values.now === undefined) throw new UsageError("scan needs --now <ISO-8601 date-time>");
  const now = parseNow(values.now);
  // The arguments checked first: what the scan itself needs (the sandbox, the local store, the
  // adapters) is loaded only for a command that will run.
  const [{ loadFixture }, { withFixtureSession }, { scan }] = await Promise.all([import("@followthrough/sandbox/fixtures"), import("./session"), import("@followthrough/core/scan")]);
  const fixture = loadFixture(values.fixtures);
  // The whole mailbox, as behaviour.md defines outbound mail: every copy From the owner, however old.
  return withFixtureSession(
    fixture,
    async ({ repo, account: current, provider }) => {
      const account = fixtureOwner(current(), fixture);
      const result = await scan({ owner: account, provider, repo, now, ...fixtureWindow(fixture, now) });
      console.log(values.json ? JSON.stringify(scanJson(account.email, now, result), null, 2) : summary(account.email, account.timeZone, now, result));
      return 0;
    },
    {},
    { wholeMailbox: true },
  );
}
