/**
 * `npm run bench -- schedule`: the weekly digest over many random scenarios (functions/test/support/
 * schedule-sim: the real dispatcher, worker and index re-derivations on a local DynamoDB). Each
 * scenario is a zone that changes its clocks, a span of five weeks around one of its changes, a
 * random schedule (half of them within two hours of the end of the ISO week), one to three other jobs a day at random minutes, and up to two changes of the
 * schedule or zone at random instants; in half of them a third of the account's dispatches are
 * missed and caught up later, a job re-deriving the index between. Counted as wrong: a week sent
 * twice, a digest not within two minutes (two hours more for one a catch-up queued) after an
 * occurrence of the schedule and zone in force, an occurrence without its digest from eight days
 * after the last change on. Seeded (BENCH_SCHEDULE_SEED), BENCH_SCHEDULE_RUNS runs.
 */
import type { DigestSchedule } from "../packages/core/src/schedule";
import { DUE_SLOT_MS, nextScheduled, previousOccurrence } from "../packages/core/src/schedule";
import { Repository, startLocalDynamo } from "../packages/core/src/storage";
import { zoneOffset } from "../packages/core/src/time";
import { rng } from "./mailbox";
import { lateness, type Scenario, type Sent, simulate } from "../functions/test/support/schedule-sim";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ZONES = ["Europe/Berlin", "Europe/London", "America/New_York", "America/Los_Angeles", "America/Santiago", "Australia/Sydney", "Australia/Lord_Howe", "Pacific/Auckland", "Pacific/Chatham", "Asia/Jerusalem", "America/Havana"];

/** The instants in 2026–2027 at which `zone`'s offset changes (to the hour). */
function changesOf(zone: string): number[] {
  const out: number[] = [];
  for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2028, 0, 1); t += HOUR) if (zoneOffset(t, zone) !== zoneOffset(t + HOUR, zone)) out.push(t + HOUR);
  return out;
}

export interface ScheduleBench {
  runs: number;
  seed: number;
  wrong: number;
  digests: number;
  ms: number;
  /** The first few wrong scenarios, to run again. */
  examples: { scenario: Scenario; problems: string[] }[];
}

export async function benchSchedule(o: { runs?: number; seed?: number } = {}): Promise<ScheduleBench> {
  const runs = o.runs ?? Number(process.env.BENCH_SCHEDULE_RUNS ?? 200);
  const seed = o.seed ?? Number(process.env.BENCH_SCHEDULE_SEED ?? 1);
  const random = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];
  const dynamo = await startLocalDynamo();
  const repo = new Repository(dynamo.doc, dynamo.tableName);
  const changes = new Map(ZONES.map((z) => [z, changesOf(z)]));
  const started = performance.now();
  const result: ScheduleBench = { runs, seed, wrong: 0, digests: 0, ms: 0, examples: [] };
  try {
    for (let i = 0; i < runs; i++) {
      const zone = pick(ZONES);
      const change = pick(changes.get(zone)!);
      const from = change - Math.floor(random() * 21) * DAY - Math.floor(random() * 24) * HOUR;
      const to = from + 35 * DAY;
      // Half of them within two hours of the ISO week's end (Sunday to Monday), where an hour's shift changes the week a slot names.
      const schedule: DigestSchedule = random() < 0.5 ? pick([{ day: 7, hour: 22 }, { day: 7, hour: 23 }, { day: 1, hour: 0 }, { day: 1, hour: 1 }]) : { day: 1 + Math.floor(random() * 7), hour: Math.floor(random() * 24) };
      const otherJobsAt = Array.from({ length: 1 + Math.floor(random() * 3) }, () => Math.floor(random() * 96) / 4);
      const owned: NonNullable<Scenario["changes"]> = [];
      for (let c = Math.floor(random() * 3); c > 0; c--) {
        const at = from + 7 * DAY + Math.floor(random() * 14 * 96) * DUE_SLOT_MS + 30_000;
        owned.push({ at: new Date(at).toISOString(), patch: random() < 0.75 ? { schedule: { day: 1 + Math.floor(random() * 7), hour: Math.floor(random() * 24) } } : { timeZone: pick(ZONES) } });
      }
      owned.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
      // Half of them with a third of the account's dispatches missed and caught up (a job re-deriving the index between).
      const scenario: Scenario = { zone, schedule, from: new Date(from).toISOString(), to: new Date(to).toISOString(), otherJobsAt, changes: owned, ...(random() < 0.5 ? { missed: 0.33 } : {}) };
      const sent = await simulate(repo, scenario);
      result.digests += sent.length;
      const problems = violations(sent, scenario);
      if (problems.length) {
        result.wrong++;
        if (result.examples.length < 5) result.examples.push({ scenario, problems });
      }
    }
  } finally {
    await dynamo.stop();
  }
  result.ms = Math.round(performance.now() - started);
  console.log(`(schedule) ${result.wrong} of ${runs} random scenarios wrong (seed ${seed}; ${result.digests} digests; ${(result.ms / 1000).toFixed(1)} s)`);
  for (const e of result.examples) console.log(`(schedule)   ${JSON.stringify(e.scenario)}\n(schedule)     ${e.problems.join("\n(schedule)     ")}`);
  return result;
}

/** The schedule and zone in force at `t`. */
function inForce(s: Scenario, t: number): { schedule: DigestSchedule; zone: string } {
  let schedule = s.schedule;
  let zone = s.zone;
  for (const c of s.changes ?? []) {
    if (Date.parse(c.at) > t) break;
    if (c.patch.schedule) schedule = c.patch.schedule;
    if (c.patch.timeZone) zone = c.patch.timeZone;
  }
  return { schedule, zone };
}

function violations(sent: Sent[], s: Scenario): string[] {
  const out: string[] = [];
  const weeks = sent.map((x) => x.week);
  if (new Set(weeks).size !== weeks.length) out.push(`a week sent twice: ${weeks.join(", ")}`);
  for (const x of sent) {
    const f = inForce(s, x.at - 60_000);
    const occurrence = previousOccurrence(f.schedule, f.zone, x.at);
    if (x.at - occurrence >= lateness(x)) out.push(`${x.week} sent at ${new Date(x.at).toISOString()}, not at an occurrence (the last was ${new Date(occurrence).toISOString()})`);
  }
  const last = Math.max(Date.parse(s.from), ...(s.changes ?? []).map((c) => Date.parse(c.at)));
  const f = inForce(s, Date.parse(s.to));
  const got = new Set(sent.map((x) => previousOccurrence(f.schedule, f.zone, x.at)));
  for (let o = nextScheduled(f.schedule, f.zone, last + 8 * DAY); o < Date.parse(s.to) - HOUR; o = nextScheduled(f.schedule, f.zone, o + DAY)) {
    if (!got.has(o)) out.push(`no digest for the occurrence ${new Date(o).toISOString()}`);
  }
  return out;
}
