/**
 * A full re-read (an expired cursor) sweeps what it did not see before it stores the cursor that
 * ends it: a run that dies in the sweep (killed, or the batch delete throttled) is redelivered, replays
 * the last page and sweeps then. Stored the other way round, the next run resumed incrementally and an
 * item deleted at the provider stayed stored until the next full re-read (helper-105 #3).
 */
import { expect, it } from "vitest";
import type { ChangeStream, SyncCursor } from "../src/providers";
import { ProviderError } from "../src/resilience";
import { syncStream, type StreamSink } from "../src/scan";
import { deleteItems, ensureTable, putMessages, Repository, startLocalDynamo, sweep } from "../src/storage";

it("a sweep interrupted at the end of a full re-read runs on the next delivery", async () => {
  const dynamo = await startLocalDynamo();
  try {
    await ensureTable(dynamo.client, "sweepkill");
    const repo = new Repository(dynamo.doc, "sweepkill");
    const acc = "owner@example.com";
    const now = Date.parse("2026-03-02T08:00:00Z");
    const msg = (id: string) => ({ id, threadId: id, sentAt: now - 86_400_000 * 10, from: acc, recipients: [{ email: "x@y.z", name: "X" }], subject: id, inSent: true }) as never;
    // Generation 1 stored a and b; b has since been deleted at the provider, and the cursor expired.
    await putMessages(repo, acc, [msg("a"), msg("b")], 1);
    await repo.putCursor(acc, "sent", { mode: "incremental", cursor: "h1", generation: 1 });
    const stream: ChangeStream<never> = {
      async page(cursor: SyncCursor | undefined) {
        if (cursor?.mode === "incremental" && cursor.cursor === "h1") throw new ProviderError("cursor-expired", "historyId too old");
        if (cursor?.mode === "full") return { upserts: [msg("a")], deletes: [], next: { mode: "incremental", cursor: "h2", generation: cursor.generation }, done: true };
        return { upserts: [], deletes: [], next: cursor!, done: true };
      },
    };
    let dies = true;
    const sink: StreamSink<never> = {
      loadCursor: () => repo.getCursor(acc, "sent"),
      saveCursor: (c) => repo.putCursor(acc, "sent", c),
      upsert: (items, gen) => putMessages(repo, acc, items, gen),
      remove: (ids) => deleteItems(repo, acc, "message", ids),
      sweep: async (gen, since) => {
        if (dies) throw new Error("the run died in the sweep");
        return sweep(repo, acc, "message", gen, { since });
      },
    };
    const window = { since: now - 365 * 86_400_000, until: now + 365 * 86_400_000, now };
    await expect(syncStream(stream, sink, window)).rejects.toThrow(/sweep/);
    expect((await repo.getCursor(acc, "sent"))?.mode).toBe("full");
    dies = false;
    const report = await syncStream(stream, sink, window);
    expect(report.swept).toBe(1);
    expect((await repo.loadMessages(acc)).map((m) => m.id)).toEqual(["a"]);
    expect(await repo.getCursor(acc, "sent")).toMatchObject({ mode: "incremental", cursor: "h2" });
  } finally {
    await dynamo.stop();
  }
});
