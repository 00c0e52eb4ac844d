import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { normalizeAddress } from "../packages/core/src/identity";
import { scan } from "../packages/core/src/scan";
import { scanJson } from "../packages/cli/src/scan";
import { withFixtureSession } from "../packages/cli/src/session";
import { generateYear } from "../packages/demo/src/generate";
import { YEAR_SIZES } from "../packages/demo/src/year";
import { defaultLimits, loadFixture } from "../packages/sandbox/src/index";

/** One scanned mailbox: what it cost and whether it answered exactly. */
export interface YearScan {
  mailbox: string;
  provider: string;
  messages: number;
  events: number;
  wallSeconds: number;
  virtualMinutes: number;
  calls: number;
  callsByRoute: Record<string, number>;
  gmail?: { units: number; unitsPerVirtualMinute: number; /** Units over the most the sliding window allows in the scan's virtual time. */ shareOfQuota: number; peakUnitsPerMinute: number; limit: number; peakConcurrency: number; concurrencyLimit: number };
  graph?: { calls: number; peakPer10Minutes: number; limit: number; peakConcurrency: number; concurrencyLimit: number };
  throttled429: number;
  throttledBy: Record<string, number>;
  faults: number;
  clockJumps: number;
  exact: boolean;
  result: { newContacts: string[]; missingFollowUps: string[] };
  expected: { newContacts: string[]; missingFollowUps: string[] };
  error?: string;
}

const form = (xs: string[]) => [...new Set(xs.map((x) => normalizeAddress(x) ?? x))].sort();

/**
 * The production scan of `followthrough scan --fixtures <dir> --now <ISO> --json` (the same code,
 * in-process, so the sandbox's counters can be read): sandbox + dynalite + OAuth connect + scan on
 * the fixture-mode virtual clock.
 */
async function scanFolder(dir: string, serviceTimeMs: number): Promise<YearScan> {
  const fixture = loadFixture(dir);
  const expected = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8")) as { now: string; newContacts: string[]; missingFollowUps: string[] };
  const now = Date.parse(expected.now);
  const google = fixture.account.provider === "google";
  const messages = google ? fixture.google!.messages.length : fixture.microsoft!.sentitems.length + fixture.microsoft!.inbox.length;
  const events = google ? fixture.google!.events.length : fixture.microsoft!.events.length;
  return withFixtureSession(
    fixture,
    async ({ sandbox, repo, account, provider, clock }) => {
      const email = fixture.account.email;
      // Count the scan alone: the connect's two profile calls are not part of it.
      sandbox.state.quota.reset(email);
      const v0 = clock.now();
      const w0 = performance.now();
      let json: ReturnType<typeof scanJson> | undefined;
      let error: string | undefined;
      try {
        json = scanJson(email, now, await scan({ owner: account(), provider, repo, now }));
      } catch (e) {
        error = String((e as Error).message ?? e).split("\n")[0];
      }
      const wallSeconds = (performance.now() - w0) / 1000;
      const virtualMinutes = (clock.now() - v0) / 60_000;
      const s = sandbox.state.quota.usage(email);
      const result = json
        ? { newContacts: form(json.newContacts.map((c) => c.email)), missingFollowUps: form(json.missingFollowUps.map((c) => c.email)) }
        : { newContacts: [], missingFollowUps: [] };
      const want = { newContacts: form(expected.newContacts), missingFollowUps: form(expected.missingFollowUps) };
      const graphCalls = Object.entries(s.calls).filter(([k]) => k.startsWith("graph.")).reduce((a, [, n]) => a + n, 0);
      // Gmail's use of its quota: units against the most a sliding minute allows over the scan's
      // virtual time (a scan spanning k whole minutes may spend k + 1 windows' worth: one at its
      // start and one per minute waited), and the plain average per elapsed virtual minute.
      const gmailMinutes = Math.max(virtualMinutes, 1);
      const windows = Math.floor((clock.now() - v0) / 60_000) + 1;
      return {
        mailbox: dir.split("/").pop()!,
        provider: fixture.account.provider,
        messages,
        events,
        wallSeconds: Number(wallSeconds.toFixed(1)),
        virtualMinutes: Number(virtualMinutes.toFixed(2)),
        calls: s.totalCalls,
        callsByRoute: { ...s.calls },
        ...(google
          ? {
              gmail: {
                units: s.gmailUnits,
                unitsPerVirtualMinute: Math.round(s.gmailUnits / gmailMinutes),
                shareOfQuota: Number((s.gmailUnits / (windows * defaultLimits.gmailUnitsPerMinute)).toFixed(3)),
                peakUnitsPerMinute: s.peakGmailUnitsPerMinute,
                limit: defaultLimits.gmailUnitsPerMinute,
                peakConcurrency: s.peakConcurrency.gmail,
                concurrencyLimit: defaultLimits.gmailConcurrency!,
              },
            }
          : {
              graph: {
                calls: graphCalls,
                peakPer10Minutes: s.peakGraphPer10Minutes,
                limit: defaultLimits.graphPer10Minutes,
                peakConcurrency: s.peakConcurrency.graph,
                concurrencyLimit: defaultLimits.graphConcurrency,
              },
            }),
        throttled429: s.throttled,
        throttledBy: { ...s.throttledBy },
        faults: s.faults,
        clockJumps: clock.jumps.count,
        exact: !error && JSON.stringify(result) === JSON.stringify(want),
        result,
        expected: want,
        ...(error ? { error } : {}),
      };
    },
    { serviceTimeMs: { gmail: serviceTimeMs, calendar: serviceTimeMs, graph: serviceTimeMs } },
  );
}

/**
 * (4) Year-long mailboxes scanned offline at machine speed: the Gmail year of issue 8 (20,000 sent,
 * 20,000 received, 2,000 events), the Outlook rendering of the same people, and an Outlook year of
 * 12,000 sent with weekly recurring meetings. Each sandbox call takes `serviceTimeMs` of real time
 * so concurrent calls overlap as on a real server.
 */
export async function benchYear(o: { serviceTimeMs?: number; keep?: string } = {}) {
  const serviceTimeMs = o.serviceTimeMs ?? 2;
  const dir = o.keep ?? mkdtempSync(join(tmpdir(), "followthrough-year-"));
  try {
    const g0 = performance.now();
    generateYear({ size: YEAR_SIZES.year, out: dir, id: "year" });
    generateYear({ size: YEAR_SIZES["year-recurring"], out: dir, id: "year-recurring", providers: ["microsoft"] });
    const generateSeconds = Number(((performance.now() - g0) / 1000).toFixed(1));
    const scans: YearScan[] = [];
    for (const name of ["year-google", "year-microsoft", "year-recurring-microsoft"]) {
      const r = await scanFolder(join(dir, name), serviceTimeMs);
      scans.push(r);
      console.log(
        `(4) ${r.mailbox}: wall ${r.wallSeconds} s, virtual ${r.virtualMinutes} min, ${r.calls} calls, 429s ${r.throttled429}, exact ${r.exact}` +
          (r.gmail ? `, ${r.gmail.units} units, ${(r.gmail.shareOfQuota * 100).toFixed(1)} % of quota, peak ${r.gmail.peakUnitsPerMinute}/min, peak in flight ${r.gmail.peakConcurrency}` : "") +
          (r.graph ? `, Graph peak ${r.graph.peakPer10Minutes}/10 min, peak in flight ${r.graph.peakConcurrency}` : "") +
          (r.error ? `, FAILED: ${r.error}` : ""),
      );
    }
    const [g, m] = scans;
    const sameAcrossProviders = JSON.stringify(g.result) === JSON.stringify(m.result);
    return { serviceTimeMs, generateSeconds, scans, outlookEqualsGoogle: sameAcrossProviders };
  } finally {
    if (!o.keep) rmSync(dir, { recursive: true, force: true });
  }
}
