/**
 * `npm run bench -- oracle`: random small Google and Outlook mailboxes (bench/oracle/gen.mjs, over
 * shared/fixtures/generate/lib.mjs) scanned by `followthrough scan --json` and by an independent
 * reading of the spec written without the rule code (bench/oracle/oracle.mjs); every difference in
 * the new contacts, the missing follow-ups, the networking events' ids or the people met at each is
 * printed with its provider and seed. BENCH_ORACLE_SEEDS mailboxes (30 by default) from
 * BENCH_ORACLE_FROM (1); BENCH_ORACLE_PROVIDER `google`, `microsoft` or `both` (the default: an even
 * seed draws a Google mailbox, an odd one an Outlook mailbox, so a seed range is half each and a
 * seed names one mailbox; `google` or `microsoft` draws every seed for that provider, the Google
 * seeds' mailboxes as they were before Outlook was added); BENCH_ORACLE_DIR keeps them (folders
 * `r<seed>` Google, `m<seed>` Outlook). The generator needs ../shared beside the clone: without it
 * the bench says so and compares nothing.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const root = join(import.meta.dirname, "..");
const LIB = join(root, "../shared/fixtures/generate/lib.mjs");

/** BENCH_ORACLE_PROVIDER's settings (bench/run.ts refuses any other in one line). */
export const ORACLE_PROVIDERS = ["google", "microsoft", "both"] as const;
export type OracleProvider = (typeof ORACLE_PROVIDERS)[number];
/** The provider whose mailbox a seed draws under a setting: `both` alternates, even seeds Google. */
export const providerOf = (seed: number, p: OracleProvider): "google" | "microsoft" => (p === "both" ? (seed % 2 === 0 ? "google" : "microsoft") : p);

type Answer = { newContacts: string[]; missingFollowUps: string[]; upcoming: string[]; attended: string[]; met: Record<string, string[]> };
export interface OracleBench {
  skipped?: string;
  compared: number;
  /** Mailboxes compared, by provider. */
  byProvider: { google: number; microsoft: number };
  /** Seeds the spec leaves open (the oracle's own `ambiguous`): not compared. */
  open: number;
  differences: { provider: "google" | "microsoft"; seed: number; now: string; differs: Record<string, unknown> }[];
  ms: number;
}

/** The scan contract's answer for one mailbox, in the oracle's terms. */
function scanned(dir: string, now: string, norm: (a: string) => string): Answer {
  const out = execFileSync("npx", ["followthrough", "scan", "--fixtures", dir, "--now", now, "--json"], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const j = JSON.parse(out) as {
    newContacts: { email: string }[];
    missingFollowUps: { email: string }[];
    networkingEvents?: { upcoming: { eventId: string }[]; attended: { eventId: string; met?: string[] }[] };
  };
  const ne = j.networkingEvents ?? { upcoming: [], attended: [] };
  const sorted = (xs: string[]) => [...new Set(xs.map(norm))].sort();
  return {
    newContacts: sorted(j.newContacts.map((x) => x.email)),
    missingFollowUps: sorted(j.missingFollowUps.map((x) => x.email)),
    upcoming: ne.upcoming.map((x) => x.eventId).sort(),
    attended: ne.attended.map((x) => x.eventId).sort(),
    met: Object.fromEntries(ne.attended.map((a) => [a.eventId, sorted(a.met ?? [])])),
  };
}

/** What differs between the oracle's answer and the scan's: each list's one-sided entries, each attended event's people met. */
function differences(o: Answer & { openMet?: string[] }, s: Answer): Record<string, unknown> {
  const d: Record<string, unknown> = {};
  for (const k of ["newContacts", "missingFollowUps", "upcoming", "attended"] as const) {
    const [a, b] = [new Set(o[k]), new Set(s[k])];
    const oracleOnly = [...a].filter((x) => !b.has(x));
    const scanOnly = [...b].filter((x) => !a.has(x));
    if (oracleOnly.length || scanOnly.length) d[k] = { oracleOnly, scanOnly };
  }
  // A person the oracle met at one of two meetings alike in start and end is compared nowhere as met.
  const open = new Set(o.openMet ?? []);
  const certain = (met: string[]) => met.filter((p) => !open.has(p));
  for (const [id, met] of Object.entries(o.met)) {
    if (s.met[id] && JSON.stringify(certain(s.met[id])) !== JSON.stringify(certain(met))) d[`met ${id}`] = { oracle: met, scan: s.met[id] };
  }
  return d;
}

export async function benchOracle(o: { from?: number; count?: number; keep?: string; provider?: OracleProvider } = {}): Promise<OracleBench> {
  const started = performance.now();
  if (!existsSync(LIB)) {
    const skipped = `${LIB} is absent (the generator's library lives in ../shared beside the clone)`;
    console.log(`(oracle) skipped: ${skipped}`);
    return { skipped, compared: 0, byProvider: { google: 0, microsoft: 0 }, open: 0, differences: [], ms: 0 };
  }
  const from = o.from ?? 1;
  const count = o.count ?? 30;
  const setting = o.provider ?? "both";
  const { generate } = (await import(pathToFileURL(join(root, "bench/oracle/gen.mjs")).href)) as {
    generate: (seed: number, dir: string, provider: "google" | "microsoft") => { dir: string; now: string };
  };
  const { oracle, norm } = (await import(pathToFileURL(join(root, "bench/oracle/oracle.mjs")).href)) as { oracle: (dir: string, now: string) => Answer & { ambiguous: string[]; openMet: string[] }; norm: (a: string) => string };
  const dir = o.keep ?? mkdtempSync(join(tmpdir(), "ft-oracle-"));
  const result: OracleBench = { compared: 0, byProvider: { google: 0, microsoft: 0 }, open: 0, differences: [], ms: 0 };
  try {
    for (let seed = from; seed < from + count; seed++) {
      const log = console.log;
      console.log = () => undefined; // the library narrates what it writes
      const provider = providerOf(seed, setting);
      let box: { dir: string; now: string };
      try {
        box = generate(seed, dir, provider);
      } finally {
        console.log = log;
      }
      const expected = oracle(box.dir, box.now);
      if (expected.ambiguous.length) {
        result.open++;
        continue;
      }
      const d = differences(expected, scanned(box.dir, box.now, norm));
      result.compared++;
      result.byProvider[provider]++;
      if (Object.keys(d).length) {
        result.differences.push({ provider, seed, now: box.now, differs: d });
        console.log(`(oracle) ${provider} seed ${seed}, now ${box.now}: ${JSON.stringify(d)}`);
      }
    }
  } finally {
    if (!o.keep) rmSync(dir, { recursive: true, force: true });
  }
  result.ms = Math.round(performance.now() - started);
  const { google, microsoft } = result.byProvider;
  console.log(
    `(oracle) ${result.compared} mailboxes (seeds ${from}–${from + count - 1}; ${google} Google, ${microsoft} Outlook) compared with the spec's independent reading: ` +
      `${result.differences.length} differ; ${result.open} left open by the spec; ${(result.ms / 1000).toFixed(0)} s`,
  );
  return result;
}
