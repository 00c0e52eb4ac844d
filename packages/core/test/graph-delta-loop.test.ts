/**
 * Graph's calendarView delta is reported to serve the same page again and again, each time with a new
 * nextLink and never a deltaLink, on calendars of many recurring meetings (msgraph-sdk-dotnet issues
 * 3082 and 3070, open; the second ties it to the odata.maxpagesize preference). The sync paged until
 * its time ran out, every run, and never read the calendar to the end (helper-193 #1). A round that
 * repeats its page is given up and read again without the page size; one that repeats even so fails.
 */
import { describe, expect, it } from "vitest";
import { graphCalendarStream, type GraphGet, REPEATS_MAX } from "../src/microsoft/streams";
import { ProviderError } from "../src/resilience";
import { syncStream } from "../src/scan";
import { memorySink } from "../../../test/support/memory-sink";
import type { Meeting } from "../src/model";

const owner = { email: "owner@contoso.example", aliases: [], timeZone: "UTC" };
const now = Date.parse("2026-06-01T08:00:00Z");
const window = { since: now - 30 * 86_400_000, until: now + 365 * 86_400_000, now };
const event = (id: string, day: number) => ({
  id,
  subject: `Meeting ${id}`,
  type: "singleInstance",
  isCancelled: false,
  start: { dateTime: new Date(now - day * 86_400_000).toISOString().slice(0, 19), timeZone: "UTC" },
  end: { dateTime: new Date(now - day * 86_400_000 + 3_600_000).toISOString().slice(0, 19), timeZone: "UTC" },
  attendees: [],
  organizer: { emailAddress: { address: owner.email } },
});

/** A calendar of three pages; with the page size asked (`loops`), its second page comes back forever. */
function loopingGraph(loops: "with-page-size" | "always") {
  const calls: { url: string; plain: boolean }[] = [];
  let n = 0;
  const get: GraphGet = async (url, o) => {
    const plain = o?.plain === true;
    calls.push({ url, plain });
    const looping = loops === "always" || !plain;
    if (url.startsWith("/me/calendarView/delta")) return { value: [event("a", 1), event("b", 2)], "@odata.nextLink": `https://graph.test/delta?skip=p2-${++n}` };
    if (url.includes("skip=p2")) return looping ? { value: [event("c", 3), event("d", 4)], "@odata.nextLink": `https://graph.test/delta?skip=p2-${++n}` } : { value: [event("c", 3), event("d", 4)], "@odata.nextLink": "https://graph.test/delta?skip=p3" };
    if (url.includes("skip=p3")) return { value: [event("e", 5)], "@odata.deltaLink": "https://graph.test/delta?token=d1" };
    throw new Error(`unexpected ${url}`);
  };
  return { get, calls };
}

describe("a Graph delta round that repeats its page", () => {
  it("is read again without the page size, to its deltaLink, within a few pages; its cursors say so", async () => {
    const g = loopingGraph("with-page-size");
    const m = memorySink<Meeting>();
    // (Stopped after 50 calls, as a run's time limit would stop it, so a loop fails the test, not hangs it.)
    const report = await syncStream(graphCalendarStream(g.get, owner), m.sink, window, () => g.calls.length >= 50);
    expect(report.stopped).toBeUndefined();
    expect(report.recoveries).toBe(1);
    expect([...m.items.keys()].sort()).toEqual(["a", "b", "c", "d", "e"]);
    expect(m.cursor()).toMatchObject({ mode: "incremental", cursor: "https://graph.test/delta?token=d1", plain: true });
    // The first round: its start, then the second page REPEATS_MAX times more; the second round, plain.
    expect(g.calls.length).toBe(2 + REPEATS_MAX + 3);
    expect(g.calls.slice(-3).every((c) => c.plain)).toBe(true);
    expect(g.calls.slice(0, 2 + REPEATS_MAX).some((c) => c.plain)).toBe(false);
  });

  it("a restarted round keeps reading without the page size (an expired cursor, a renewed window)", async () => {
    const g = loopingGraph("with-page-size");
    const m = memorySink<Meeting>();
    await syncStream(graphCalendarStream(g.get, owner), m.sink, window);
    const { restartCursor } = await import("../src/scan/sync");
    expect(restartCursor(m.cursor(), window)).toMatchObject({ mode: "full", plain: true });
    // A new process (a new stream object) resumes a plain round as plain.
    const calls = g.calls.length;
    await m.sink.saveCursor(restartCursor(m.cursor(), window));
    await syncStream(graphCalendarStream(g.get, owner), m.sink, window);
    expect(g.calls.slice(calls).every((c) => c.plain)).toBe(true);
    expect(g.calls.length - calls).toBe(3);
  });

  it("the same link read again (a page given up part-way, read again by the next sync) is no repeat", async () => {
    const g = loopingGraph("with-page-size");
    const stream = graphCalendarStream(g.get, owner);
    const first = await stream.page(undefined, window);
    for (let i = 0; i < REPEATS_MAX + 2; i++) await expect(stream.page(first.next, window)).resolves.toMatchObject({ done: false });
  });

  it("fails the read, naming the reason, when the round repeats without the page size too", async () => {
    const g = loopingGraph("always");
    const m = memorySink<Meeting>();
    const e = await syncStream(graphCalendarStream(g.get, owner), m.sink, window, () => g.calls.length >= 50).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ProviderError);
    expect((e as ProviderError).message).toMatch(/same page again and again, without a page size too/);
    expect(g.calls.length).toBeLessThan(50);
    // The next run starts a fresh round, still without the page size, not the looping link.
    expect(m.cursor()).toMatchObject({ mode: "full", plain: true });
    expect(m.cursor()!.page).toBeUndefined();
  });
});
