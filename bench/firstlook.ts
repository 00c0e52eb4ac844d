/**
 * `npm run bench firstlook`: how soon a new person sees a first look, and how long the whole
 * backfill takes, for 5,000- and 20,000-message years (sent; as many received; a tenth as many
 * events), Google and Outlook. Fixture mode: the sandbox's real quota model on the virtual clock
 * (core/resilience VirtualClock, docs/sandbox.md), so the times are provider time, not this
 * machine's. The backfill runs as the Lambda does: a first run that stops once the calendar and the
 * newest page of sent mail are stored (a cut like the time limit's), the first look read then, and
 * a continuation from the stored cursors to the end.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withFixtureSession } from "../packages/cli/src/session";
import { firstLook } from "../packages/core/src/firstlook";
import type { MailboxProvider } from "../packages/core/src/providers";
import { scan } from "../packages/core/src/scan";
import { generateYear } from "../packages/demo/src/generate";
import { YEAR_SIZES } from "../packages/demo/src/year";
import { loadFixture } from "../packages/sandbox/src/index";

export interface FirstLookBench {
  mailbox: string;
  provider: string;
  sent: number;
  /** Virtual minutes from connect to the first look (goal <= 3). */
  firstLookMinutes: number;
  firstLook: { people: number; provisional: boolean; messagesRead: number; readBackToDays: number; calls: number; gmailUnits?: number; wallSeconds: number };
  /** The first look as the page shows it 3 minutes after connecting (the backfill read on until then). */
  atThreeMinutes: { minutes: number; people: number; provisional: boolean; messagesRead: number; readBackToDays: number; keptInFinal: number };
  /** Virtual minutes from connect to the end of the backfill. */
  completeMinutes: number;
  /** Provider calls (and Gmail quota units) of the whole backfill. */
  calls: number;
  gmailUnits?: number;
  /** The first look again once complete (no longer provisional), and how many of the provisional people it kept. */
  final: { people: number; provisional: boolean; keptFromFirstLook: number };
  /** The digest's rules over the complete data (what the first weekly digest uses). */
  missingFollowUps: number;
  wallSeconds: number;
}

export async function benchFirstLook(o: { sizes?: number[]; serviceTimeMs?: number } = {}): Promise<FirstLookBench[]> {
  const sizes = o.sizes ?? [5_000, 20_000];
  const serviceTimeMs = o.serviceTimeMs ?? 2;
  const dir = mkdtempSync(join(tmpdir(), "followthrough-firstlook-"));
  const out: FirstLookBench[] = [];
  try {
    for (const sent of sizes) {
      const id = `sent${sent}`;
      generateYear({ size: { ...YEAR_SIZES.year, sent, received: sent, events: Math.round(sent / 10) }, out: dir, id });
      for (const provider of ["google", "microsoft"] as const) {
        const folder = join(dir, `${id}-${provider}`);
        const fixture = loadFixture(folder);
        const now = Date.parse((JSON.parse(readFileSync(join(folder, "expected.json"), "utf8")) as { now: string }).now);
        const w0 = performance.now();
        const r = await withFixtureSession(
          fixture,
          async ({ sandbox, repo, account, provider: p, clock }) => {
            const email = fixture.account.email;
            // Count the backfill alone: the connect's profile calls are not part of it.
            sandbox.state.quota.reset(email);
            const v0 = clock.now();
            const w1 = performance.now();
            let sentPages = 0;
            const counted: MailboxProvider = { ...p, sentMail: { page: (c, w) => p.sentMail.page(c, w).then((page) => (sentPages++, page)) } } as MailboxProvider;
            // First run: calendar, then the newest sent page; stop there as a run cut short would.
            const first = await scan({ owner: account(), provider: counted, repo, now, stopBefore: () => sentPages >= 1 });
            const t1 = clock.now();
            const look = await firstLook(repo, account(), now);
            const u1 = { ...sandbox.state.quota.usage(email) };
            const wall1 = (performance.now() - w1) / 1000;
            // Reading on (a page never starts past 2.5 minutes: the longest Gmail page is ~0.5 of quota): the look at 3 minutes.
            await scan({ owner: account(), provider: p, repo, now, stopBefore: () => clock.now() - v0 >= 150_000 });
            const t3 = clock.now();
            const look3 = await firstLook(repo, account(), now);
            if (!look.ready || first.complete) throw new Error(`${fixture.account.email}: no first look after the first run (${JSON.stringify({ ready: look.ready, complete: first.complete })})`);
            // Continuation from the stored cursors.
            const rest = await scan({ owner: account(), provider: p, repo, now });
            const t2 = clock.now();
            const final = await firstLook(repo, account(), now);
            const kept = look.people.filter((x) => final.people.some((y) => y.email === x.email)).length;
            const u2 = { ...sandbox.state.quota.usage(email) };
            const google = fixture.account.provider === "google";
            return {
              firstLookMinutes: Number(((t1 - v0) / 60_000).toFixed(2)),
              firstLook: { people: look.people.length, provisional: look.provisional, messagesRead: look.messagesRead, readBackToDays: Number(((now - (look.readBackTo ?? now)) / 86_400_000).toFixed(1)), calls: u1.totalCalls, ...(google ? { gmailUnits: u1.gmailUnits } : {}), wallSeconds: Number(wall1.toFixed(1)) },
              atThreeMinutes: {
                minutes: Number(((t3 - v0) / 60_000).toFixed(2)),
                people: look3.people.length,
                provisional: look3.provisional,
                messagesRead: look3.messagesRead,
                readBackToDays: Number(((now - (look3.readBackTo ?? now)) / 86_400_000).toFixed(1)),
                keptInFinal: look3.people.filter((x) => final.people.some((y) => y.email === x.email)).length,
              },
              completeMinutes: Number(((t2 - v0) / 60_000).toFixed(2)),
              calls: u2.totalCalls,
              ...(google ? { gmailUnits: u2.gmailUnits } : {}),
              final: { people: final.people.length, provisional: final.provisional, keptFromFirstLook: kept },
              missingFollowUps: rest.missingFollowUps.length,
            };
          },
          { serviceTimeMs: { gmail: serviceTimeMs, calendar: serviceTimeMs, graph: serviceTimeMs } },
        );
        const row: FirstLookBench = { mailbox: `${id}-${provider}`, provider, sent, ...r, wallSeconds: Number(((performance.now() - w0) / 1000).toFixed(1)) };
        out.push(row);
        console.log(
          `(firstlook) ${row.mailbox}: first look at ${row.firstLookMinutes} virtual min (goal <= 3): ${row.firstLook.people} people, provisional ${row.firstLook.provisional}, ` +
            `${row.firstLook.messagesRead} sent read back ${row.firstLook.readBackToDays} days, ${row.firstLook.calls} calls${row.firstLook.gmailUnits !== undefined ? `, ${row.firstLook.gmailUnits} units` : ""}, ${row.firstLook.wallSeconds} s wall; at ${row.atThreeMinutes.minutes} min: ${row.atThreeMinutes.people} people, provisional ${row.atThreeMinutes.provisional}, read back ${row.atThreeMinutes.readBackToDays} days; complete at ${row.completeMinutes} min: ${row.final.people} people ` +
            `(${row.final.keptFromFirstLook} of the first look's kept), provisional ${row.final.provisional}, ${row.calls} calls${row.gmailUnits !== undefined ? `, ${row.gmailUnits} units` : ""}; ${row.missingFollowUps} missing follow-ups over complete data; wall ${row.wallSeconds} s`,
        );
      }
      for (const provider of ["google", "microsoft"]) rmSync(join(dir, `${id}-${provider}`), { recursive: true, force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}
