/**
 * The Graph adapter against two documented behaviours the sandbox emulates:
 * - calendarView/delta returns occurrences of a recurring series as stubs (id, type, start, end,
 *   seriesMasterId: microsoftgraph/microsoft-graph-docs issues 7632 and 22197): the adapter fills
 *   them from the series master, fetched once per series per round;
 * - a message delta with $filter returns at most 5,000 messages (learn.microsoft.com/graph/delta-query-messages;
 *   the sandbox's cap is 50 here): the adapter backfills Sent Items by an ordered listing instead,
 *   anchored by a delta round from the newest message, so the backfill is complete and the rounds
 *   after it cost only the changes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MailMessage, Meeting } from "@followthrough/core/model";
import type { ChangeStream, MailboxProvider, SyncCursor } from "@followthrough/core/providers";
import { scan as runScan, syncStream } from "@followthrough/core/scan";
import { randomKeyring } from "@followthrough/core/secrets";
import { type LocalDynamo, Repository, startLocalDynamo } from "@followthrough/core/storage";
import { DAY } from "@followthrough/core/time";
import { type RunningSandbox, type UsageStats, startSandbox } from "@followthrough/sandbox";
import { connectSandboxProvider, type SandboxConnection } from "../packages/cli/src/sandbox-provider";
import { memorySink } from "./support/memory-sink";
import { NOW, OWNER, SERIES, outlookQuirksMailbox, sentMessages } from "./support/outlook-quirks";
import { checkThenClose } from "./support/refusals";

const SENT = 130;
const CAP = 50;
const window = { since: NOW - 365 * DAY, until: NOW + 365 * DAY };

/** Pages a stream from `cursor` until caught up; returns the items, every cursor stored and the page count. */
async function drain<T extends { id: string }>(stream: ChangeStream<T>, from?: SyncCursor) {
  const items = new Map<string, T>();
  const cursors: SyncCursor[] = [];
  let cursor = from;
  for (;;) {
    const page = await stream.page(cursor, window);
    for (const u of page.upserts) items.set(u.id, u);
    for (const d of page.deletes) items.delete(d);
    cursor = page.next;
    cursors.push(cursor);
    if (page.done) return { items, cursor, cursors, pages: cursors.length };
  }
}

describe("Graph adapter: documented behaviours of calendarView/delta and filtered message delta", () => {
  let sandbox: RunningSandbox;
  let dynamo: LocalDynamo;
  let repo: Repository;
  let conn: SandboxConnection;
  let provider: MailboxProvider;
  const enc = encodeURIComponent(OWNER);
  const control = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(new URL(path, sandbox.url), { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  const stats = async () => (await control("GET", `/_control/accounts/${enc}/stats`)) as UsageStats;
  const resetStats = () => control("POST", "/_control/stats/reset");
  const calls = (s: UsageStats, route: string) => s.calls[route] ?? 0;

  beforeAll(async () => {
    [sandbox, dynamo] = await Promise.all([
      startSandbox({ fixtures: [outlookQuirksMailbox(SENT)], https: true, pageSize: { graph: 7 }, quota: false, graphFilteredDeltaCap: CAP }),
      startLocalDynamo(),
    ]);
    repo = new Repository(dynamo.doc, dynamo.tableName);
    conn = await connectSandboxProvider(sandbox, outlookQuirksMailbox().account, repo, randomKeyring(), { tuning: { pageSize: 7 }, retry: { baseMs: 5, maxMs: 50 } });
    provider = conn.provider;
  });
  afterAll(async () => {
    await checkThenClose(sandbox, async () => {
      await Promise.all([sandbox?.close(), dynamo?.stop()]);
    });
  });

  it("a calendar page whose series masters may not start (no time left) is given up: none fetched, nothing of it stored, read again next", async () => {
    await resetStats();
    const mem = memorySink<Meeting>();
    const report = await syncStream(provider.calendar, mem.sink, { ...window, abandon: () => true });
    expect(report.stopped).toBe(true);
    expect(calls(await stats(), "graph.events.get")).toBe(0);
    expect([...mem.items.keys()].filter((id) => id.includes("-occ"))).toEqual([]);
    expect(mem.cursor()?.mode).not.toBe("incremental");
    // The next read, with time, picks up where the stored cursor is and fills every occurrence.
    const again = await syncStream(provider.calendar, mem.sink, window);
    expect(again.stopped).toBeUndefined();
    expect(mem.items.get("AAMkSeriesReview-occ0=")?.title).toBe("Design review");
    expect(mem.cursor()?.mode).toBe("incremental");
  });

  it("fills occurrence stubs from their series master, once per series per round; exceptions keep their own fields", async () => {
    await resetStats();
    const { items, cursor, pages } = await drain<Meeting>(provider.calendar);
    expect(pages).toBeGreaterThan(1);
    const review = (n: number) => items.get(`AAMkSeriesReview-occ${n}=`);
    for (const n of [0, 1, 2]) {
      expect(review(n)).toMatchObject({ title: "Design review", organizer: { email: "bo@fabrikam.example" }, selfResponse: "accepted", seriesId: SERIES.review.id });
      expect(review(n)!.attendees.map((a) => a.email).sort()).toEqual(["bo@fabrikam.example", "cy@fabrikam.example"]);
    }
    expect(review(3), "the cancelled occurrence is not a meeting").toBeUndefined();
    expect(new Date(review(4)!.start).toISOString()).toBe("2026-05-04T15:00:00.000Z");
    expect(review(5)!.attendees.map((a) => a.email)).toContain("dee@fabrikam.example");
    for (const n of [0, 1, 2]) expect(items.get(`AAMkSeriesStandup-occ${n}=`)?.title).toBe("Standup");
    expect(items.get("AAMkSingle=")?.title).toBe("Coffee with Eve");
    for (const m of items.values()) expect(m.title, m.id).not.toBe("");
    // The series masters the delta serves beside their occurrences are no meetings (helper-253).
    for (const s of [SERIES.review, SERIES.standup]) expect(items.has(s.id), s.id).toBe(false);
    // Two series, two masters fetched, though the standup's occurrences span two pages.
    expect(calls(await stats(), "graph.events.get")).toBe(2);

    // A quiet round fetches no master; a change to a series fetches its master once, afresh.
    await resetStats();
    const quiet = await drain<Meeting>(provider.calendar, cursor);
    expect(quiet.items.size).toBe(0);
    expect(calls(await stats(), "graph.events.get")).toBe(0);
    await control("POST", `/_control/accounts/${enc}/graph/events`, { id: SERIES.standup.id, subject: "Daily standup" });
    const changed = await drain<Meeting>(provider.calendar, quiet.cursor);
    expect([...changed.items.values()].map((m) => m.title)).toEqual(["Daily standup", "Daily standup", "Daily standup"]);
    expect(calls(await stats(), "graph.events.get")).toBe(1);
  });

  it("a series master that is gone (404) removes its stubs instead of storing blank meetings", async () => {
    await control("POST", "/_control/faults", { route: "graph.events.get", kind: "status", status: 404, times: 0, account: OWNER });
    try {
      const { items } = await drain<Meeting>(provider.calendar);
      expect([...items.keys()].sort()).toEqual(["AAMkSeriesReview-occ4=", "AAMkSeriesReview-occ5=", "AAMkSingle="]);
    } finally {
      await control("DELETE", "/_control/faults");
    }
  });

  it("backfills every sent message of the year past the filtered-delta cap, then costs only the changes", async () => {
    await resetStats();
    const { items, cursor, pages } = await drain<MailMessage>(provider.sentMail);
    expect(items.size).toBe(SENT);
    expect([...items.keys()].sort()).toEqual(sentMessages(SENT).map((m) => m.id).sort());
    const s = await stats();
    // The listing's pages (after the first, each reads the last one's final message again: the next
    // page starts at its second, as Graph orders no equal times), one anchoring delta call and one catch-up round.
    const listed = 1 + Math.ceil((SENT - 7) / 6);
    expect(calls(s, "graph.messages.list")).toBe(listed);
    expect(calls(s, "graph.messages.delta")).toBe(2);
    expect(pages).toBe(listed + 1);
    expect(cursor.mode).toBe("incremental");

    await resetStats();
    const newMail = [0, 1, 2].map((i) => ({ subject: `New ${i}`, receivedDateTime: new Date(NOW + i * 60_000).toISOString(), toRecipients: [{ emailAddress: { address: `new${i}@example.org` } }] }));
    await control("POST", `/_control/accounts/${enc}/graph/messages/sentitems`, newMail);
    const round = await provider.sentMail.page(cursor, window);
    expect(round.upserts.map((m) => m.subject).sort()).toEqual(["New 0", "New 1", "New 2"]);
    expect(round.done).toBe(true);
    expect((await stats()).totalCalls).toBe(1);
  });

  it("a backfill that dies after any page resumes from the cursor stored there and ends complete", async () => {
    const pages: string[][] = [];
    const cursors: SyncCursor[] = [];
    let cursor: SyncCursor | undefined;
    for (;;) {
      const page = await provider.sentMail.page(cursor, window);
      pages.push(page.upserts.map((m) => m.id));
      cursors.push((cursor = page.next));
      if (page.done) break;
    }
    const expected = [...new Set(pages.flat())].sort();
    expect(expected).toHaveLength(SENT + 3);
    // Pages 1..k were written with their cursor; the process died before page k+1.
    for (let k = 1; k < pages.length; k++) {
      const rest = await drain<MailMessage>(provider.sentMail, cursors[k - 1]);
      expect([...new Set([...pages.slice(0, k).flat(), ...rest.items.keys()])].sort(), `died after page ${k}`).toEqual(expected);
    }
  });

  it("an expired delta link (410 SyncStateNotFound) mid-backfill or later restarts a complete backfill", async () => {
    const mem = memorySink<MailMessage>();
    // Three pages of a backfill, then every delta link expires.
    let cursor: SyncCursor | undefined;
    for (let i = 0; i < 3; i++) {
      const page = await provider.sentMail.page(cursor, window);
      await mem.sink.upsert(page.upserts, page.next.generation);
      cursor = page.next;
    }
    mem.setCursor(cursor);
    await control("POST", `/_control/accounts/${enc}/expire-cursors`, { api: "graph" });
    const report = await syncStream(provider.sentMail, mem.sink, window);
    expect(report.recoveries).toBe(1);
    expect(mem.items.size).toBe(SENT + 3);
    expect(mem.cursor()?.mode).toBe("incremental");

    await control("POST", `/_control/accounts/${enc}/expire-cursors`, { api: "graph" });
    const again = await syncStream(provider.sentMail, mem.sink, window);
    expect(again.recoveries).toBe(1);
    // Every message once, and each listing page's first message (the last one's final, read again) twice.
    expect(mem.items.size).toBe(SENT + 3);
    expect(again.upserts).toBe(SENT + 3 + Math.ceil((SENT + 3 - 7) / 6));
  });

  it("scans: the scan after a backfill reads only the new sent mail", async () => {
    await runScan({ owner: conn.account(), provider, repo, now: NOW });
    await control("POST", `/_control/accounts/${enc}/graph/messages/sentitems`, { subject: "Later", receivedDateTime: new Date(NOW + 3_600_000).toISOString(), toRecipients: [{ emailAddress: { address: "later@example.org" } }] });
    await resetStats();
    await runScan({ owner: conn.account(), provider, repo, now: NOW + 2 * 3_600_000 });
    const s = await stats();
    expect(calls(s, "graph.messages.list")).toBe(0);
    // one delta round per folder: Sent Items, and the Inbox's mail From the owner (behaviour.md)
    expect(calls(s, "graph.messages.delta")).toBe(2);
    expect(calls(s, "graph.events.get")).toBe(0);
  });

  it("a message leaving Sent Items between two pages of the listing costs the backfill no other message (helper-193 #4)", async () => {
    // Sixteen messages of one second, more than two pages of 7: the listing pages through them too.
    const second = new Date(NOW - 40 * DAY).toISOString();
    const same = Array.from({ length: 16 }, (_, i) => ({ subject: `Batch ${i}`, receivedDateTime: second, toRecipients: [{ emailAddress: { address: `batch${i}@example.org` } }] }));
    await control("POST", `/_control/accounts/${enc}/graph/messages/sentitems`, same);
    // The listing's first page, stored as a run's cursor would be.
    const first = await provider.sentMail.page(undefined, window);
    expect(first.next.mode).toBe("full");
    // One message of that page is deleted before the next page is read (the next run, or the owner
    // meanwhile): Graph's own nextLink is the same query with $skip=7, which now passes over the
    // message that moved up into the seventh place.
    await control("DELETE", `/_control/accounts/${enc}/graph/messages/${encodeURIComponent(first.upserts[2].id)}`);
    const rest = await drain<MailMessage>(provider.sentMail, first.next);
    const now = await drain<MailMessage>(provider.sentMail);
    const read = new Set([...first.upserts.map((m) => m.id), ...rest.items.keys()]);
    expect([...now.items.keys()].filter((id) => !read.has(id))).toEqual([]);
    expect(now.items.has(first.upserts[2].id)).toBe(false);
    expect([...now.items.values()].filter((m) => m.subject?.startsWith("Batch ")).length).toBe(16);
  });
});
