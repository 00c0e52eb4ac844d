/**
 * core/dispatch connectionWatch: how often a job's reads look whether its account is still there.
 * A long read (a backfill's link, a weekly run reading the year) looks every few seconds and stops
 * once the account is gone; a short run (a weekly run's few pages, the cold start issue 12 measures
 * against a floor that makes the same table calls) looks not at all.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deleteAccountData, saveAccount } from "@followthrough/core/accounts";
import { CONNECTION_WATCH_MS, connectionWatch } from "@followthrough/core/dispatch";
import { randomKeyring } from "@followthrough/core/secrets";
import { type LocalDynamo, Repository, startLocalDynamo } from "@followthrough/core/storage";

let db: LocalDynamo;
let repo: Repository;
beforeAll(async () => {
  db = await startLocalDynamo({ engine: "dynalite" });
  repo = new Repository(db.doc, db.tableName);
});
afterAll(() => db?.stop());

/** Counts the account reads a watch makes. */
function counted(r: Repository): { repo: Repository; gets: () => number } {
  let gets = 0;
  const get = r.get.bind(r);
  const proxy = Object.create(r) as Repository;
  proxy.get = ((...a: Parameters<Repository["get"]>) => (gets++, get(...a))) as Repository["get"];
  return { repo: proxy, gets: () => gets };
}

const connect = (email: string) =>
  saveAccount(repo, randomKeyring(), { email, provider: "microsoft", clientId: "c", refreshToken: "r", connectedAt: 1, aliases: [], timeZone: "UTC", status: "active" });

describe("a job's connection watch", () => {
  it(`looks only once ${CONNECTION_WATCH_MS / 1000} s have passed since the account was loaded, then at that pace, and sees a disconnect`, async () => {
    const account = await connect("watched@example.com");
    const c = counted(repo);
    let t = 1_000;
    const watch = connectionWatch(c.repo, account, CONNECTION_WATCH_MS, () => t);
    // A short run's pages: no look.
    for (let page = 0; page < 20; page++) {
      expect(watch.left(true)).toBe(false);
      t += 100;
    }
    await watch.settled();
    expect(c.gets()).toBe(0);
    // Past the pace: one look, and none again until the pace has passed once more.
    t = 1_000 + CONNECTION_WATCH_MS;
    expect(watch.left(true)).toBe(false);
    await watch.settled();
    expect(c.gets()).toBe(1);
    t += CONNECTION_WATCH_MS - 1;
    watch.left(true);
    await watch.settled();
    expect(c.gets()).toBe(1);
    // Disconnected: the next look past the pace sees it, and every answer after says so.
    await deleteAccountData(repo, account.email);
    t += 1;
    watch.left(true);
    await watch.settled();
    expect(c.gets()).toBe(2);
    expect(watch.left()).toBe(true);
    expect(watch.left(true)).toBe(true);
  });

  it("with no pace (tests), looks at every page asked, one look at a time", async () => {
    const account = await connect("every@example.com");
    const c = counted(repo);
    const watch = connectionWatch(c.repo, account, 0);
    watch.left(true);
    watch.left(true); // a look is under way: no second one
    await watch.settled();
    expect(c.gets()).toBe(1);
    watch.left(true);
    await watch.settled();
    expect(c.gets()).toBe(2);
    expect(watch.left()).toBe(false);
  });
});
