/**
 * Integration harness of the production scan: the provider sandbox (HTTPS on, small pages) serving
 * one mailbox fixture, dynalite as the store, the account connected through the same OAuth path the
 * CLI uses, and the provider built by providerFor (Graph TLS trust, Microsoft token rotation).
 */
import type { AccountRecord } from "@followthrough/core/accounts";
import type { MailboxProvider } from "@followthrough/core/providers";
import { type RetryOptions, VirtualClock } from "@followthrough/core/resilience";
import { scan as runScan, type ScanResult } from "@followthrough/core/scan";
import { type Keyring, randomKeyring } from "@followthrough/core/secrets";
import { type LocalDynamo, Repository, startLocalDynamo } from "@followthrough/core/storage";
import { DAY } from "@followthrough/core/time";
import { type Expected, type FaultSpec, type MailboxFixture, type QuotaLimits, type RunningSandbox, type UsageStats, loadFixture, startSandbox } from "@followthrough/sandbox";
import { checkThenClose } from "./refusals";
import { connectSandboxProvider } from "../../packages/cli/src/sandbox-provider";

type Item = Record<string, unknown>;
const HOUR = 60 * 60 * 1000;

/** How to start a harness. */
export interface HarnessOptions {
  /** Mailbox fixture folder. */
  fixture: string;
  /** Page size of every API in the sandbox and asked for by the adapters (default 7). */
  pageSize?: number;
  /** Retry policy of the adapters (default: 5 ms base, 50 ms cap). */
  retry?: Partial<RetryOptions>;
  /** Initial mailbox clock of the sandbox (ms). */
  clock?: number;
  /** The sandbox's per-user quota model (documented limits by default). */
  quota?: QuotaLimits | false;
  /** Real ms each sandbox call of an API takes, so concurrent calls overlap (none by default). */
  serviceTimeMs?: Partial<Record<"gmail" | "calendar" | "graph", number>>;
  /**
   * Quotas, token lifetimes, pacing and retry pauses run on one VirtualClock (fixture mode, the
   * default); `false` runs them on the system clock.
   */
  virtualClock?: boolean;
  /** The adapter reads the owner's mail as the scan contract reads a fixture (core/google `wholeMailbox`). */
  wholeMailbox?: boolean;
  /** The adapters cut a request unanswered this long (core/limits PROVIDER_REQUEST_TIMEOUT_MS by default). */
  requestTimeoutMs?: number;
  /** When the account is recorded as connected (the real time by default). */
  connectedAt?: number;
}

/** A running sandbox + store + connected account. */
export interface ScanHarness {
  fixture: MailboxFixture;
  expected: Expected;
  /** The clock shared by the sandbox's quotas and tokens and the adapter, unless turned off. */
  clock?: VirtualClock;
  sandbox: RunningSandbox;
  dynamo: LocalDynamo;
  repo: Repository;
  provider: MailboxProvider;
  /** A provider of the same connection for the account as `as` changes it (a reconnect's new time zone). */
  providerAs(as: Partial<Pick<AccountRecord, "timeZone" | "aliases">>, retry?: Partial<RetryOptions>): MailboxProvider;
  /** The stored account (its refresh token rotates on Microsoft). */
  account(): AccountRecord;
  /** The keyring its refresh token is sealed with (core/accounts refreshTokenOf). */
  ring: Keyring;
  email: string;
  /** Runs the production scan as of `now` over this harness's store. */
  scan(now: number): Promise<ScanResult>;
  /** Provider calls the sandbox counted for the account since the last reset. */
  stats(): Promise<UsageStats>;
  resetStats(): Promise<void>;
  injectFault(spec: FaultSpec | FaultSpec[]): Promise<void>;
  clearFaults(): Promise<void>;
  /** Expires the account's access token at the sandbox, so the next call is refused 401 and refreshes it. */
  expireAccess(): Promise<void>;
  /** Calls the sandbox's control API over HTTP; throws on a non-2xx answer. */
  control<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  /** Sets the sandbox's mailbox clock. */
  setClock(ms: number): Promise<void>;
  /** Every item of the account's partition, sorted by sort key. */
  tableSnapshot(): Promise<Item[]>;
  close(): Promise<void>;
}

const DEFAULT_RETRY: Partial<RetryOptions> = { baseMs: 5, maxMs: 50 };

/** Starts sandbox and dynalite, connects the fixture's account and builds its provider. */
export async function startScanHarness(o: HarnessOptions): Promise<ScanHarness> {
  const fixture = loadFixture(o.fixture);
  if (!fixture.expected) throw new Error(`${o.fixture} has no expected.json`);
  const pageSize = o.pageSize ?? 7;
  const clock = o.virtualClock === false ? undefined : new VirtualClock();
  const [sandbox, dynamo] = await Promise.all([
    startSandbox({
      fixtures: [fixture],
      https: true,
      pageSize: { gmail: pageSize, calendar: pageSize, graph: pageSize },
      ...(o.quota !== undefined ? { quota: o.quota } : {}),
      ...(o.serviceTimeMs ? { serviceTimeMs: o.serviceTimeMs } : {}),
      ...(clock ? { clock: () => clock.now() } : {}),
    }),
    startLocalDynamo(),
  ]);
  const stop = async () => void (await Promise.all([sandbox.close(), dynamo.stop()]));
  // Fails the file when the sandbox refused any of our calls by the providers' contracts (test/support/refusals.ts).
  const close = () => checkThenClose(sandbox, stop);
  try {
    const repo = new Repository(dynamo.doc, dynamo.tableName);
    const ring = randomKeyring();
    const email = fixture.account.email;
    const control = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
      const res = await fetch(new URL(path, sandbox.url), {
        method,
        headers: body === undefined ? {} : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`sandbox control ${method} ${path}: HTTP ${res.status} ${text}`);
      return (text ? JSON.parse(text) : undefined) as T;
    };
    const setClock = async (ms: number) => void (await control("POST", "/_control/clock", { now: new Date(ms).toISOString() }));
    if (o.clock !== undefined) await setClock(o.clock);
    const conn = await connectSandboxProvider(sandbox, fixture.account, repo, ring, {
      ...(clock ? { clock } : {}),
      // The adapters pace under the sandbox's limits when a test sets its own.
      tuning: {
        pageSize,
        ...(o.wholeMailbox ? { wholeMailbox: true } : {}),
        ...(o.requestTimeoutMs !== undefined ? { requestTimeoutMs: o.requestTimeoutMs } : {}),
        ...(o.quota
          ? {
              gmailUnitsPerMinute: o.quota.gmailUnitsPerMinute,
              calendarPerMinute: o.quota.calendarPerMinute,
              graphPer10Minutes: o.quota.graphPer10Minutes,
              gmailConcurrency: o.quota.gmailConcurrency,
            }
          : {}),
      },
      retry: { ...DEFAULT_RETRY, ...o.retry },
    }, o.connectedAt !== undefined ? { connectedAt: o.connectedAt } : {});
    const enc = encodeURIComponent(email);
    return {
      fixture,
      expected: fixture.expected,
      clock,
      sandbox,
      dynamo,
      repo,
      provider: conn.provider,
      ring,
      providerAs: conn.providerAs,
      account: conn.account,
      email,
      scan: (now) => runScan({ owner: conn.account(), provider: conn.provider, repo, now }),
      stats: () => control<UsageStats>("GET", `/_control/accounts/${enc}/stats`),
      resetStats: async () => void (await control("POST", "/_control/stats/reset")),
      injectFault: async (spec) => void (await control("POST", "/_control/faults", spec)),
      clearFaults: async () => void (await control("DELETE", "/_control/faults")),
      expireAccess: async () => void (await control("POST", `/_control/accounts/${enc}/expire-access`)),
      control,
      setClock,
      tableSnapshot: async () => (await repo.allItems(email)).sort((a, b) => String(a.sk).localeCompare(String(b.sk))),
      close,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * The stored state two scans should agree on: meetings, messages and people, without the account
 * record (its sealed token differs per connection), sync cursors and sync generations.
 */
export function comparable(snapshot: Item[]): Item[] {
  return snapshot
    .filter((i) => i.sk !== "ACCOUNT" && !String(i.sk).startsWith("CURSOR#"))
    .map(({ gen: _gen, ...rest }) => rest);
}

/** Sort keys that occur more than once (none, if the store holds each item once). */
export function duplicateKeys(snapshot: Item[]): string[] {
  const seen = new Map<string, number>();
  for (const i of snapshot) seen.set(`${i.pk}|${i.sk}`, (seen.get(`${i.pk}|${i.sk}`) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([k]) => k);
}

/**
 * Stored items describing the same provider object twice: meetings with the same id in their body
 * under different keys, messages sharing an RFC 822 Message-ID.
 */
export function semanticDuplicates(snapshot: Item[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const i of snapshot) {
    const sk = String(i.sk);
    let key: string | undefined;
    if (sk.startsWith("MEETING#")) key = `meeting:${(i.meeting as { id: string }).id}`;
    else if (sk.startsWith("MSG#")) {
      const m = i.message as { id: string; messageId?: string };
      key = `message:${m.messageId ?? m.id}`;
    } else if (sk.startsWith("PERSON#")) key = `person:${(i.person as { email: string }).email}`;
    if (!key) continue;
    if (seen.has(key)) out.push(key);
    seen.add(key);
  }
  return out;
}

/** A scan's answer reduced to what the owner sees: both lists and every contact with its stage. */
export function outcome(r: ScanResult) {
  const c = (x: { email: string; eventId: string; metAt: number }) => `${x.email} @ ${x.eventId} ${new Date(x.metAt).toISOString()}`;
  return {
    newContacts: r.newContacts.map(c).sort(),
    missingFollowUps: r.missingFollowUps.map(c).sort(),
    contacts: r.people.map((p) => `${c(p)} ${p.stage}${p.followedUpBy ? ` by ${p.followedUpBy}` : ""}`).sort(),
  };
}

// ---------------------------------------------------------------------------------------------
// A week of activity, added through the sandbox's control API.

/** One person. */
export interface Person {
  email: string;
  name: string;
}

/** A message the owner sends. */
export interface SentSpec {
  key: string;
  at: number;
  to: Person[];
  subject: string;
}

/** A meeting added to the calendar; the owner accepted it unless `ownerResponse` says otherwise. */
export interface MeetingSpec {
  key: string;
  title: string;
  start: number;
  end: number;
  /** When the invitation landed in the calendar (the mailbox clock at creation). */
  createdAt: number;
  organizer: Person | "owner";
  attendees: Person[];
}

/** What happens during the week between two scans. */
export interface Activity {
  now0: number;
  now1: number;
  sent: SentSpec[];
  /** Mail to the owner (changes nothing the scan reads). */
  received: { key: string; at: number; from: Person; subject: string }[];
  meetings: MeetingSpec[];
  /** Provider ids of existing future events the organiser cancels, and when. */
  cancel: { id: string; at: number }[];
  /** Existing events removed from the calendar for good (gone from listings), and when. */
  purgeEvents: { id: string; at: number }[];
  /** Existing sent messages deleted for good, and when. */
  deleteSent: { id: string; at: number }[];
  /** Addresses the scenario is about. */
  roles: {
    /** A person missing a follow-up before the week, written to during it. */
    followedUpByMail: string;
    /** A person missing a follow-up, with a new later meeting booked during the week. */
    followedUpByMeeting: string;
    /** New people met during the week (new contacts as of now1). */
    newPeople: string[];
    /** Someone the owner wrote to, never met. */
    writtenOnly: string;
    /** The event cancelled. */
    cancelledEventId: string;
  };
}

const nameOf = (email: string) =>
  email
    .split("@")[0]
    .split(/[._-]/)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(" ");

const ownerDomain = (f: MailboxFixture) => f.account.email.split("@")[1].toLowerCase();

/** Existing events of the fixture as (id, start, external attendee present, recurring, cancelled). */
function fixtureEvents(f: MailboxFixture): { id: string; start: number; external: boolean; recurring: boolean; cancelled: boolean }[] {
  const domain = ownerDomain(f);
  const external = (addr?: string | null) => !!addr && !addr.toLowerCase().endsWith(domain) && !/resource\.calendar|group\.calendar/.test(addr);
  if (f.google)
    return f.google.events.map((e) => ({
      id: e.id!,
      start: Date.parse(e.start?.dateTime ?? e.start?.date ?? ""),
      external: (e.attendees ?? []).some((a) => external(a.email)),
      recurring: !!e.recurringEventId,
      cancelled: e.status === "cancelled",
    }));
  return f.microsoft!.events.map((e) => ({
    id: e.id!,
    start: Date.parse(`${(e.start?.dateTime ?? "").replace(/Z$/, "")}Z`),
    external: (e.attendees ?? []).some((a) => a.type !== "resource" && external(a.emailAddress?.address)),
    recurring: !!e.seriesMasterId,
    cancelled: e.isCancelled === true,
  }));
}

/** Ids of the fixture's sent messages, oldest first. */
function fixtureSent(f: MailboxFixture): string[] {
  if (f.google)
    return f.google.messages
      .filter((m) => m.labelIds?.includes("SENT"))
      .sort((a, b) => Number(a.internalDate) - Number(b.internalDate) || a.id!.localeCompare(b.id!))
      .map((m) => m.id!);
  return f.microsoft!.sentitems
    .slice()
    .sort((a, b) => Date.parse(a.sentDateTime ?? "") - Date.parse(b.sentDateTime ?? "") || a.id!.localeCompare(b.id!))
    .map((m) => m.id!);
}

/**
 * The week before `expected.now`: mail to someone missing a follow-up, mail to a brand-new address,
 * two meetings with new people (one followed up by mail), a new later meeting with a contact missing
 * a follow-up, an inbound message, the cancellation of a future event with an outside guest, and
 * the oldest event and oldest sent message removed for good.
 * Deterministic: the same fixture gives the same activity (ids included).
 */
export function weekOfActivity(f: MailboxFixture): Activity {
  const now1 = Date.parse(f.expected!.now);
  const now0 = now1 - 7 * DAY;
  const missing = [...f.expected!.missingFollowUps].sort();
  const followedUpByMail = missing[0];
  const followedUpByMeeting = missing[1];
  const ines = { email: "ines.duarte@copperleaf.io", name: "Inês Duarte" };
  const pavel = { email: "pavel@northbeam.dev", name: "Pavel Novak" };
  const rosa = { email: "rosa@lanternworks.io", name: "Rosa Lantern" };
  const colleague = { email: `maya.test@${ownerDomain(f)}`, name: "Maya Test" };
  const day0 = Math.floor(now0 / DAY) * DAY; // midnight UTC of now0's day
  const m1 = { start: day0 + 2 * DAY + 2 * HOUR, end: day0 + 2 * DAY + 3 * HOUR };
  const m2 = { start: day0 + 4 * DAY + 5 * HOUR, end: day0 + 4 * DAY + 5.75 * HOUR };
  const later = { start: day0 + 9 * DAY + 3 * HOUR, end: day0 + 9 * DAY + 3.5 * HOUR };
  const future = fixtureEvents(f)
    .filter((e) => e.start > now1 && !e.cancelled && e.external && !e.recurring)
    .sort((a, b) => a.start - b.start || a.id.localeCompare(b.id));
  if (!future.length) throw new Error(`${f.dir}: no future event with an outside guest to cancel`);
  const cancelled = future[0].id;
  // The oldest live event and the oldest sent message leave the mailbox for good (no tombstone in a
  // fresh listing: only change feeds report them, and a full re-sync must sweep them).
  const oldest = fixtureEvents(f)
    .filter((e) => !e.cancelled && Number.isFinite(e.start))
    .sort((a, b) => a.start - b.start || a.id.localeCompare(b.id))[0];
  return {
    now0,
    now1,
    sent: [
      { key: "s1", at: now0 + 1 * DAY, to: [rosa], subject: "Lanternworks — portfolio" },
      { key: "s2", at: m1.end + 3 * HOUR, to: [ines], subject: "Great to meet you today" },
      { key: "s3", at: now1 - 12 * HOUR, to: [{ email: followedUpByMail, name: nameOf(followedUpByMail) }], subject: "Following up on our chat" },
    ],
    received: [{ key: "r1", at: m2.end + 2 * HOUR, from: pavel, subject: "Thanks for the time" }],
    meetings: [
      { key: "m1", title: "Copperleaf intro", ...m1, createdAt: now0 + 2 * HOUR, organizer: ines, attendees: [ines] },
      { key: "m2", title: "Northbeam × us — pricing", ...m2, createdAt: now0 + 1 * DAY + 1 * HOUR, organizer: "owner", attendees: [pavel, colleague] },
      {
        key: "m3",
        title: "Second session",
        ...later,
        createdAt: now1 - 2 * DAY,
        organizer: "owner",
        attendees: [{ email: followedUpByMeeting, name: nameOf(followedUpByMeeting) }],
      },
    ],
    cancel: [{ id: cancelled, at: now1 - 1 * DAY }],
    purgeEvents: [{ id: oldest.id, at: now0 + 3 * DAY }],
    deleteSent: [{ id: fixtureSent(f)[0], at: now0 + 5 * DAY }],
    roles: { followedUpByMail, followedUpByMeeting, newPeople: [ines.email, pavel.email], writtenOnly: rosa.email, cancelledEventId: cancelled },
  };
}

/** Number of stream-visible changes an activity makes (sent messages, events added or cancelled). */
export const changeCount = (a: Activity) => a.sent.length + a.meetings.length + a.cancel.length + a.purgeEvents.length + a.deleteSent.length;

const rfc2822 = (ms: number) => new Date(ms).toUTCString().replace("GMT", "+0000");
const addr = (p: Person) => `"${p.name}" <${p.email}>`;
const gmailId = (at: number, n: number) => ((BigInt(at) << 20n) | BigInt(n)).toString(16);
/** Google event ids use base32hex (0-9, a-v). */
const googleEventId = (key: string) => `fthrough0week0${key.replace(/[^0-9a-v]/g, "0")}`;
const graphId = (kind: string, key: string) => `AAMkAGFthroughWeek${kind}${key}AAA=`;
const graphTime = (ms: number) => new Date(ms).toISOString();

/** Provider id of an activity meeting. */
export function meetingId(f: MailboxFixture, key: string): string {
  return f.account.provider === "google" ? googleEventId(key) : graphId("Event", key);
}

/**
 * Applies an activity through the control API, in time order, moving the mailbox clock to each
 * change; leaves the clock at `now1`.
 */
export async function applyActivity(h: ScanHarness, a: Activity): Promise<void> {
  const f = h.fixture;
  const owner = { email: f.account.email, name: f.account.displayName };
  const enc = encodeURIComponent(h.email);
  const steps: { at: number; run: () => Promise<unknown> }[] = [];
  const google = f.account.provider === "google";
  a.sent.forEach((s, n) => {
    steps.push({
      at: s.at,
      run: () =>
        google
          ? h.control("POST", `/_control/accounts/${enc}/gmail/messages`, {
              id: gmailId(s.at, n + 1),
              threadId: gmailId(s.at, n + 1),
              labelIds: ["SENT"],
              internalDate: String(s.at),
              headers: {
                From: addr(owner),
                To: s.to.map(addr).join(", "),
                Subject: s.subject,
                Date: rfc2822(s.at),
                "Message-ID": `<week-${s.key}@mail.gmail.com>`,
                "Content-Type": "text/plain; charset=UTF-8",
              },
            })
          : h.control("POST", `/_control/accounts/${enc}/graph/messages/sentitems`, {
              id: graphId("Sent", s.key),
              subject: s.subject,
              createdDateTime: graphTime(s.at),
              lastModifiedDateTime: graphTime(s.at),
              sentDateTime: graphTime(s.at),
              receivedDateTime: graphTime(s.at),
              internetMessageId: `<week-${s.key}@outlook.test>`,
              conversationId: `AAQkAGFthroughWeek${s.key}=`,
              isDraft: false,
              from: { emailAddress: { name: owner.name, address: owner.email } },
              sender: { emailAddress: { name: owner.name, address: owner.email } },
              toRecipients: s.to.map((p) => ({ emailAddress: { name: p.name, address: p.email } })),
            }),
    });
  });
  a.received.forEach((r, n) => {
    steps.push({
      at: r.at,
      run: () =>
        google
          ? h.control("POST", `/_control/accounts/${enc}/gmail/messages`, {
              id: gmailId(r.at, 100 + n),
              threadId: gmailId(r.at, 100 + n),
              labelIds: ["INBOX", "UNREAD"],
              internalDate: String(r.at),
              headers: { From: addr(r.from), To: addr(owner), Subject: r.subject, Date: rfc2822(r.at), "Message-ID": `<week-${r.key}@mail.test>` },
            })
          : h.control("POST", `/_control/accounts/${enc}/graph/messages/inbox`, {
              id: graphId("Inbox", r.key),
              subject: r.subject,
              sentDateTime: graphTime(r.at),
              receivedDateTime: graphTime(r.at),
              internetMessageId: `<week-${r.key}@mail.test>`,
              from: { emailAddress: { name: r.from.name, address: r.from.email } },
              toRecipients: [{ emailAddress: { name: owner.name, address: owner.email } }],
            }),
    });
  });
  for (const m of a.meetings) {
    const organizer = m.organizer === "owner" ? owner : m.organizer;
    steps.push({
      at: m.createdAt,
      run: () =>
        google
          ? h.control("POST", `/_control/accounts/${enc}/calendar/events`, {
              id: googleEventId(m.key),
              status: "confirmed",
              summary: m.title,
              eventType: "default",
              creator: { email: organizer.email, displayName: organizer.name, ...(m.organizer === "owner" ? { self: true } : {}) },
              organizer: { email: organizer.email, displayName: organizer.name, ...(m.organizer === "owner" ? { self: true } : {}) },
              start: { dateTime: graphTime(m.start), timeZone: "UTC" },
              end: { dateTime: graphTime(m.end), timeZone: "UTC" },
              attendees: [
                { email: owner.email, displayName: owner.name, self: true, responseStatus: "accepted", ...(m.organizer === "owner" ? { organizer: true } : {}) },
                ...m.attendees.map((p) => ({
                  email: p.email,
                  displayName: p.name,
                  responseStatus: m.organizer !== "owner" && p.email === organizer.email ? "accepted" : "needsAction",
                  ...(m.organizer !== "owner" && p.email === organizer.email ? { organizer: true } : {}),
                })),
              ],
            })
          : h.control("POST", `/_control/accounts/${enc}/graph/events`, {
              id: graphId("Event", m.key),
              subject: m.title,
              start: { dateTime: graphTime(m.start), timeZone: "UTC" },
              end: { dateTime: graphTime(m.end), timeZone: "UTC" },
              isAllDay: false,
              isCancelled: false,
              isOrganizer: m.organizer === "owner",
              type: "singleInstance",
              responseStatus: { response: m.organizer === "owner" ? "organizer" : "accepted", time: graphTime(m.createdAt) },
              organizer: { emailAddress: { name: organizer.name, address: organizer.email } },
              attendees: m.attendees.map((p) => ({
                type: "required",
                status: { response: m.organizer !== "owner" && p.email === organizer.email ? "accepted" : "none", time: "0001-01-01T00:00:00Z" },
                emailAddress: { name: p.name, address: p.email },
              })),
            }),
    });
  }
  for (const c of a.cancel) {
    const id = encodeURIComponent(c.id);
    steps.push({
      at: c.at,
      run: () => h.control("POST", google ? `/_control/accounts/${enc}/calendar/events/${id}/cancel` : `/_control/accounts/${enc}/graph/events/${id}/cancel`),
    });
  }
  for (const p of a.purgeEvents) {
    const id = encodeURIComponent(p.id);
    steps.push({ at: p.at, run: () => h.control("DELETE", google ? `/_control/accounts/${enc}/calendar/events/${id}` : `/_control/accounts/${enc}/graph/events/${id}`) });
  }
  for (const d of a.deleteSent) {
    const id = encodeURIComponent(d.id);
    steps.push({ at: d.at, run: () => h.control("DELETE", google ? `/_control/accounts/${enc}/gmail/messages/${id}` : `/_control/accounts/${enc}/graph/messages/${id}`) });
  }
  steps.sort((x, y) => x.at - y.at);
  for (const s of steps) {
    await h.setClock(s.at);
    await s.run();
  }
  await h.setClock(a.now1);
}
