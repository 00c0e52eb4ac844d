/**
 * What the owner does while a scan runs: the scan reads the stored people, then reads the owner's
 * mail (minutes, in a backfill), then writes back the people whose record changed. A dismissal or an
 * Undo made in between is the owner's, and stays (helper-179 #1: the scan wrote the person back as
 * it had read them, and a dismissal the page had confirmed was lost for good).
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { dismissFollowUp, undoDismiss } from "@followthrough/core/followup";
import type { MailboxProvider } from "@followthrough/core/providers";
import { scan } from "@followthrough/core/scan";
import type { Repository } from "@followthrough/core/storage";
import { ownFixture } from "./support/fixtures";
import { type ScanHarness, startScanHarness } from "./support/scan-harness";

let h: ScanHarness;
let now: number;
beforeAll(async () => {
  h = await startScanHarness({ fixture: ownFixture("demo-google"), pageSize: 50 });
  now = Date.parse(h.expected.now);
  await h.setClock(now);
  expect((await h.scan(now)).complete).toBe(true);
}, 60_000);
afterAll(() => h?.close());

/** Stored people at "met" whose first meeting is a one-off event of the fixture, with that event. */
async function metAtPlainEvents() {
  const events = h.fixture.google!.events;
  const out: { email: string; event: (typeof events)[number] }[] = [];
  for (const p of await h.repo.loadPeople(h.email)) {
    const event = events.find((e) => e.id === p.eventId && !e.recurringEventId);
    if (p.stage === "met" && !p.gone && event) out.push({ email: p.email, event });
  }
  return out;
}

/** The harness's provider, with `during` run once as the scan starts reading the owner's mail (after it read the people). */
function readingOwnerMail(during: () => Promise<void>): MailboxProvider {
  let done = false;
  return new Proxy(h.provider, {
    get(target, prop, recv) {
      const v = Reflect.get(target, prop, recv);
      if (prop !== "ownerMail" || typeof v !== "function") return typeof v === "function" ? v.bind(target) : v;
      return (ids: ReadonlySet<string>) => {
        const stream = v.call(target, ids);
        return {
          ...stream,
          gone: stream.gone.bind(stream),
          page: async (...a: Parameters<typeof stream.page>) => {
            if (!done) [done] = [true, await during()];
            return stream.page(...a);
          },
        };
      };
    },
  });
}

/** The organiser renames the event, so the person's record changes in the next scan. */
async function rename(event: { summary?: string | null }, at: number) {
  await h.setClock(at);
  await h.control("POST", `/_control/accounts/${encodeURIComponent(h.email)}/calendar/events`, { ...event, summary: `${event.summary} (renamed ${at})`, updated: new Date(at).toISOString() });
}

it("a dismissal made while the scan reads the owner's mail stays, with the scan's change of the record", async () => {
  const [p] = await metAtPlainEvents();
  expect(p, "a person met at a one-off event").toBeTruthy();
  const later = now + 3_600_000;
  await rename(p.event, later);
  const result = await scan({ owner: h.account(), provider: readingOwnerMail(async () => void expect(await dismissFollowUp(h.repo, h.email, p.email)).toBe(true)), repo: h.repo, now: later });
  expect(result.complete).toBe(true);
  const after = await h.repo.getPerson(h.email, p.email);
  expect(after?.eventTitle).toContain(`(renamed ${later})`);
  expect(after?.stage).toBe("dismissed");
});

it("so does an Undo made then: the person is back in the digests", async () => {
  const [p] = await metAtPlainEvents();
  expect(p, "another person met at a one-off event").toBeTruthy();
  expect(await dismissFollowUp(h.repo, h.email, p.email)).toBe(true);
  const later = now + 2 * 3_600_000;
  await rename(p.event, later);
  const result = await scan({ owner: h.account(), provider: readingOwnerMail(async () => void expect(await undoDismiss(h.repo, h.email, p.email)).toBe(true)), repo: h.repo, now: later });
  expect(result.complete).toBe(true);
  const after = await h.repo.getPerson(h.email, p.email);
  expect(after?.eventTitle).toContain(`(renamed ${later})`);
  expect(after?.stage).toBe("met");
});

it("and the other way: a dismissal that read the person before the scan wrote them back sets the stage alone, so the scan's change stays (helper-181 #2)", async () => {
  const [p] = await metAtPlainEvents();
  expect(p, "a third person met at a one-off event").toBeTruthy();
  const later = now + 3 * 3_600_000;
  await rename(p.event, later);
  // The dismissal reads the person; the whole scan runs and writes them back renamed; then the dismissal writes.
  const slowRead = Object.create(h.repo) as Repository;
  slowRead.getPerson = async (account: string, email: string) => {
    const read = await h.repo.getPerson(account, email);
    expect((await scan({ owner: h.account(), provider: h.provider, repo: h.repo, now: later })).complete).toBe(true);
    expect((await h.repo.getPerson(account, email))?.eventTitle).toContain(`(renamed ${later})`);
    return read;
  };
  expect(await dismissFollowUp(slowRead, h.email, p.email)).toBe(true);
  const after = await h.repo.getPerson(h.email, p.email);
  expect(after?.stage).toBe("dismissed");
  expect(after?.eventTitle).toContain(`(renamed ${later})`);
});
