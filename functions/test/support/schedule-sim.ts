/**
 * One account's weekly digests, simulated: the real dispatcher (core/dispatch dispatchDue) at every
 * quarter hour the account's due index names, the real worker a minute after each dispatch, and at
 * given times the jobs other than the weekly run that re-derive the index (an event email, the
 * daily sync: core/dispatch runAccountJob) and the owner's changes (core/accounts updateAccount).
 *
 * Only the quarter hours this account's index names are dispatched (every other quarter hour's
 * query finds nothing of it), so the simulation jumps from one to the next and weeks run in a
 * fraction of a second. Used by functions/test/schedule-simulation.test.ts and, over many random
 * scenarios, by `npm run bench -- schedule` (bench/schedule.ts).
 */
import type { SQSEvent } from "aws-lambda";
import { type AccountPatch, saveAccount, updateAccount } from "@followthrough/core/accounts";
import { dispatchDue, markDispatched, missedSlots, runAccountJob } from "@followthrough/core/dispatch";
import type { MailboxProvider } from "@followthrough/core/providers";
import { memorySender } from "@followthrough/core/queue";
import { CATCH_UP_MS, type DigestSchedule, DUE_SLOT_MS, dueKey, nextScheduled, previousOccurrence, slotStart, utcHourOfWeek } from "@followthrough/core/schedule";
import { randomKeyring } from "@followthrough/core/secrets";
import { keys, type Repository } from "@followthrough/core/storage";
import { createWorkerHandler } from "../../src/handlers/worker";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A digest the simulated provider was asked to send: the week it names and when. */
export interface Sent {
  week: string;
  at: number;
  /** Queued by a catch-up of a missed quarter hour (so up to its reach late). */
  caughtUp?: true;
}

export interface Scenario {
  zone: string;
  schedule: DigestSchedule;
  from: string;
  to: string;
  /** UTC hours of the day (fractions for minutes) at which a job other than the weekly run re-derives the index. */
  otherJobsAt?: number[];
  /** The owner's changes (schedule, zone) at given instants. */
  changes?: { at: string; patch: AccountPatch }[];
  /**
   * The share (0–1) of the account's dispatches the dispatcher misses (chosen by the quarter hour,
   * so a scenario runs the same every time): a job other than the weekly run re-derives the index
   * twenty minutes after the missed one (in the next quarter hour), and a later dispatcher run (two
   * to eight quarter hours on, also by the quarter hour) catches it up (core/dispatch missedSlots).
   */
  missed?: number;
}

/** A number in [0, 1) from a quarter hour and a salt (FNV-1a over both). */
function unit(q: number, salt: number): number {
  let h = 0x811c9dc5 ^ salt;
  for (const c of String(q)) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193);
  return (h >>> 0) / 4294967296;
}

let n = 0;

/** Runs a scenario on a fresh account of `repo`; the digests sent, in order. Throws if a worker's record fails. */
export async function simulate(repo: Repository, s: Scenario): Promise<Sent[]> {
  const email = `sim${process.pid}-${++n}@acme.example`;
  let clock = Date.parse(s.from);
  const sent: Sent[] = [];
  // Set while the worker runs a record a catch-up queued (a dispatch of a quarter hour missed).
  let caughtUp = false;
  const nothing = { page: async (c?: { generation?: number }) => ({ upserts: [], deletes: [], next: { mode: "incremental", cursor: "c", generation: c?.generation ?? 1 }, done: true }) };
  const provider = {
    calendar: nothing,
    sentMail: nothing,
    send: async (m: { headers?: Record<string, string> }) => (sent.push({ week: m.headers?.["X-Followthrough-Week"] ?? "?", at: clock, ...(caughtUp ? { caughtUp } : {}) }), { id: `sent-${sent.length}` }),
    sentRecently: async () => false,
  } as unknown as MailboxProvider;
  await saveAccount(repo, randomKeyring(), { email, aliases: [], displayName: "Owner", timeZone: s.zone, provider: "google", clientId: "c", refreshToken: "r", status: "active", connectedAt: clock, schedule: s.schedule });
  const queue = memorySender();
  const worker = createWorkerHandler(() => ({ repo, now: () => clock, providerFor: () => provider, onRevoked: async () => {}, linkKey: "k", baseUrl: "https://app.followthrough.test", digests: queue }));
  // The dispatcher's record of the last quarter hour it completed is the table's, not the account's:
  // each scenario starts its own (a catch-up reaches back from it).
  await repo.delete(keys.dispatched);
  await markDispatched(repo, clock);
  const end = Date.parse(s.to);
  const others: { at: number; run: () => Promise<unknown> }[] = [];
  for (let d = clock - (clock % DAY); d < end; d += DAY) {
    for (const h of s.otherJobsAt ?? []) {
      const at = d + Math.round(h * HOUR) + 7 * 60_000;
      if (at > clock) others.push({ at, run: () => runAccountJob({ repo, email, owner: `other-${at}`, now: at, leaseMs: 60_000 }, async () => undefined) });
    }
  }
  for (const c of s.changes ?? []) {
    const at = Date.parse(c.at);
    others.push({ at, run: () => updateAccount(repo, email, c.patch, at) });
  }
  others.sort((a, b) => a.at - b.at);
  /** One dispatcher run at the quarter hour `at` (as functions' dispatch handler: its own, then the ones missed), and the worker a minute after. */
  const dispatchRun = async (at: number) => {
    clock = at;
    const mine = (from: number) => queue.batches.flat().slice(from).filter((b) => b.includes(`"${email}"`) && !b.includes('"event"'));
    const before = queue.batches.flat().length;
    await dispatchDue({ repo, queue, at });
    const own = mine(before);
    const between = queue.batches.flat().length;
    for (const m of await missedSlots(repo, at)) await dispatchDue({ repo, queue, at: m });
    await markDispatched(repo, at);
    const late = mine(between);
    for (const [bodies, isLate] of [[own, false], [late, true]] as const) {
      if (!bodies.length) continue;
      clock = at + 60_000;
      caughtUp = isLate;
      const r = await worker({ Records: bodies.map((body, i) => ({ messageId: `m${at}-${isLate}-${i}`, body })) } as SQSEvent);
      if (r.batchItemFailures.length) throw new Error(`the worker failed a record at ${new Date(clock).toISOString()}`);
    }
    caughtUp = false;
  };
  const quiet = { log: console.log, warn: console.warn };
  console.log = () => undefined;
  console.warn = () => undefined;
  try {
    let q = slotStart(clock) + DUE_SLOT_MS;
    while (q <= end) {
      // The next quarter hour the account's index names (the dispatcher queries that key then).
      const key = (await repo.get<{ gsi2pk?: string }>(keys.account(email)))?.gsi2pk;
      let fire = Infinity;
      for (let t = q; key && t <= Math.min(end, q + 8 * DAY); t += DUE_SLOT_MS) {
        if (dueKey(utcHourOfWeek(t)) === key) {
          fire = t;
          break;
        }
      }
      const other = others[0];
      if (other && other.at < fire) {
        others.shift();
        clock = other.at;
        await other.run();
        q = slotStart(other.at) + DUE_SLOT_MS;
        continue;
      }
      if (fire === Infinity) break;
      if (s.missed && unit(fire, 1) < s.missed) {
        // Missed: a job re-derives the index meanwhile; a later run catches the quarter hour up.
        const job = fire + 20 * 60_000;
        const run = fire + (2 + Math.floor(unit(fire, 2) * 7)) * DUE_SLOT_MS;
        others.push({ at: job, run: () => runAccountJob({ repo, email, owner: `other-${job}`, now: job, leaseMs: 60_000 }, async () => undefined) });
        others.push({ at: run, run: () => dispatchRun(run) });
        others.sort((a, b) => a.at - b.at);
        q = fire + DUE_SLOT_MS;
        continue;
      }
      await dispatchRun(fire);
      q = fire + DUE_SLOT_MS;
    }
  } finally {
    console.log = quiet.log;
    console.warn = quiet.warn;
  }
  return sent;
}

/**
 * What is wrong with a scenario's digests under one schedule and zone throughout: a week sent twice,
 * a digest not within two minutes after an occurrence (one a catch-up queued: within the catch-up's
 * reach), an occurrence in the span without its digest. Empty when right.
 */
export function weeklyViolations(sent: Sent[], s: Pick<Scenario, "zone" | "schedule" | "from" | "to">): string[] {
  const out: string[] = [];
  const weeks = sent.map((x) => x.week);
  if (new Set(weeks).size !== weeks.length) out.push(`a week sent twice: ${weeks.join(", ")}`);
  for (const x of sent) {
    const occurrence = previousOccurrence(s.schedule, s.zone, x.at);
    if (x.at - occurrence >= lateness(x)) out.push(`${x.week} sent at ${new Date(x.at).toISOString()}, not at an occurrence (the last was ${new Date(occurrence).toISOString()})`);
  }
  const expected: string[] = [];
  for (let o = nextScheduled(s.schedule, s.zone, Date.parse(s.from) + DUE_SLOT_MS); o < Date.parse(s.to) - HOUR; o = nextScheduled(s.schedule, s.zone, o + DAY)) expected.push(new Date(o).toISOString());
  const got = sent.map((x) => new Date(previousOccurrence(s.schedule, s.zone, x.at)).toISOString());
  const missing = expected.filter((o) => !got.includes(o));
  if (missing.length) out.push(`no digest for the occurrences ${missing.join(", ")}`);
  return out;
}

/** How long after its occurrence a digest may go: two minutes, or the catch-up's reach and two minutes for one a catch-up queued. */
export const lateness = (x: Pick<Sent, "caughtUp">) => (x.caughtUp ? CATCH_UP_MS : 0) + 2 * 60_000;
