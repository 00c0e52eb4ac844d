/** processBatch: records run one after another; those the time left cannot start go back, as new messages when the queue is given. */
import { describe, expect, it } from "vitest";
import { processBatch } from "../src/dispatch";
import { memorySender } from "../src/queue";

const records = ["a@x.io", "b@x.io", "c@x.io", "d@x.io"].map((body, i) => ({ id: `m${i}`, body }));

/** A clock of the time left: each record handled takes a minute of the 3 the function started with. */
function timed() {
  let left = 3 * 60_000;
  return { remainingMs: () => left, handle: async () => ((left -= 60_000), true) };
}

describe("processBatch", () => {
  it("reports the records it had no time to start as failed, so the queue delivers them again", async () => {
    const t = timed();
    expect(await processBatch(records, t.handle, { remainingMs: t.remainingMs, minStartMs: 90_000 })).toEqual(["m2", "m3"]);
  });

  it("sends them again through the function's queue when given it: none failed, nothing waits a visibility timeout", async () => {
    const t = timed();
    const queue = memorySender();
    expect(await processBatch(records, t.handle, { remainingMs: t.remainingMs, minStartMs: 90_000, requeue: queue })).toEqual([]);
    expect(queue.batches).toEqual([["c@x.io", "d@x.io"]]);
  });

  it("reports failed those the queue did not accept, or all of them when the send throws", async () => {
    const t = timed();
    const queue = memorySender();
    queue.failNext.add("d@x.io");
    expect(await processBatch(records, t.handle, { remainingMs: t.remainingMs, minStartMs: 90_000, requeue: queue })).toEqual(["m3"]);
    const broken = { sendBatch: async () => Promise.reject(new Error("SQS is down")) };
    const u = timed();
    expect(await processBatch(records, u.handle, { remainingMs: u.remainingMs, minStartMs: 90_000, requeue: broken })).toEqual(["m2", "m3"]);
  });

  it("still reports a record whose handler failed or threw, and runs the rest", async () => {
    const seen: string[] = [];
    const handle = async (r: { body: string }) => {
      seen.push(r.body);
      if (r.body === "b@x.io") throw new Error("boom");
      return r.body !== "c@x.io";
    };
    expect(await processBatch(records, handle, { requeue: memorySender() })).toEqual(["m1", "m2"]);
    expect(seen).toEqual(records.map((r) => r.body));
  });
});
