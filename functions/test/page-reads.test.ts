/**
 * What a page reads of the table, counted at the DynamoDB client (a real local endpoint) by the
 * sort-key prefix each Query asks for and the items it returns: a page reads the records it shows,
 * not the whole account. The first look reads every stored meeting and message (a heavy year's
 * 22,000 items, about 2 s: docs/benchmarks.md (11)), so a Connected page that shows none (a
 * reconnect after a finished read, or a paused account's) does not compute one; the latest digest
 * is found from the newest week down, not by reading every week's digest (one a week, each with its
 * body, kept).
 */
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { saveAccount } from "@followthrough/core/accounts";
import { type LinkClaims, linkPath, sealLink } from "@followthrough/core/links";
import { OWNER_MAIL_STREAM } from "@followthrough/core/scan";
import { randomKeyring } from "@followthrough/core/secrets";
import { ensureTable, keys, type LocalDynamo, Repository, startLocalDynamo } from "@followthrough/core/storage";
import { putMeetings, putMessages } from "../../packages/core/src/storage/synced";
import { meeting, NOW, sent } from "../../packages/core/test/support/builders";
import { buildApp } from "../src/routes";
import { latestDigestWeek } from "../src/kit";

const KEY = "page-reads-test-link-key-0123456789";
const DAY = 86_400_000;
const EMAIL = "owner@acme.io";
let dynamo: LocalDynamo;
let tables = 0;

beforeAll(async () => {
  dynamo = await startLocalDynamo();
}, 60_000);
afterAll(() => dynamo?.stop());

/** The same client, counting each Query by the prefix of the sort key it asks for, and the items it returned. */
function counting(doc: DynamoDBDocumentClient) {
  const queries = new Map<string, number>();
  const items = new Map<string, number>();
  const send = async (command: { constructor: { name: string }; input: { ExpressionAttributeValues?: Record<string, unknown> } }, ...rest: unknown[]) => {
    const out = (await (doc.send as (...a: unknown[]) => Promise<{ Items?: unknown[] }>)(command, ...rest)) as { Items?: unknown[] };
    if (command.constructor.name === "QueryCommand") {
      const prefix = String(command.input.ExpressionAttributeValues?.[":p"] ?? "(whole partition)");
      queries.set(prefix, (queries.get(prefix) ?? 0) + 1);
      items.set(prefix, (items.get(prefix) ?? 0) + (out.Items?.length ?? 0));
    }
    return out;
  };
  const reset = () => (queries.clear(), items.clear());
  return { doc: Object.assign(Object.create(doc), { send }) as DynamoDBDocumentClient, queries, items, reset };
}

/** A table of its own with an active Google account of EMAIL, its meetings and sent mail stored; the app over it. */
async function stack() {
  const table = `pageReads${++tables}`;
  await ensureTable(dynamo.client, table);
  const count = counting(dynamo.doc);
  const repo = new Repository(count.doc, table);
  await saveAccount(repo, randomKeyring(), {
    email: EMAIL,
    aliases: [],
    displayName: "Owner",
    timeZone: "Europe/Berlin",
    provider: "google",
    clientId: "test",
    refreshToken: "refresh",
    status: "active",
    connectedAt: NOW - 60 * DAY,
    createdAt: NOW - 60 * DAY,
  });
  // Met Ada three days ago and not written to since; wrote to Bo before and after meeting him.
  await putMeetings(repo, EMAIL, [meeting({ title: "Intro with Ada", attendees: ["ada@partner.io"], start: NOW - 3 * DAY }), meeting({ title: "Bo sync", attendees: ["bo@partner.io"], start: NOW - 40 * DAY })], 1);
  await putMessages(repo, EMAIL, [sent({ to: ["bo@partner.io"], sentAt: NOW - 39 * DAY }), sent({ to: ["carl@partner.io"], sentAt: NOW - 10 * DAY })], 1);
  const app = buildApp({ repo, linkKey: KEY, baseUrl: "https://app.test", now: () => Date.now(), asOf: () => NOW, providerFor: () => Promise.reject(new Error("no provider here")) });
  const get = async (claims: Omit<LinkClaims, "exp" | "acc">) => {
    count.reset();
    const res = await app.request(linkPath(claims.act, sealLink(KEY, { ...claims, acc: EMAIL }, Date.now())));
    return { status: res.status, html: await res.text(), queries: new Map(count.queries), items: new Map(count.items) };
  };
  /** Each stream's cursor: read to the end once (incremental), or still in its first full read. */
  const cursors = async (streams: Partial<Record<"calendar" | "sent" | typeof OWNER_MAIL_STREAM, "incremental" | "full">>) => {
    for (const [stream, mode] of Object.entries(streams))
      await repo.putCursor(EMAIL, stream, mode === "full" ? { mode, since: NOW - 365 * DAY, page: "p2", generation: 1 } : { mode, cursor: "c1", generation: 1 });
  };
  return { repo, count, get, cursors };
}

const { meeting: MEETINGS, message: MESSAGES } = keys.prefix;

describe("the Connected page reads the meetings and messages only for a first look it shows", () => {
  it("a fresh connection's page shows the first look, from every meeting and message stored", async () => {
    const s = await stack();
    await s.cursors({ calendar: "incremental", sent: "full" });
    const page = await s.get({ act: "connected" });
    expect(page.status).toBe(200);
    expect(page.html).toContain('id="first-look"');
    expect(page.html).toContain('data-provisional="true"');
    expect(page.html).toContain("ada@partner.io");
    expect(page.queries.get(MEETINGS)).toBe(1);
    expect(page.queries.get(MESSAGES)).toBe(1);
  });

  it("a reconnect after a finished read: no first look, and no meeting or message read for one", async () => {
    const s = await stack();
    await s.cursors({ calendar: "incremental", sent: "incremental", [OWNER_MAIL_STREAM]: "incremental" });
    const page = await s.get({ act: "connected", how: "reconnected" });
    expect(page.status).toBe(200);
    expect(page.html).toContain("<h1>Reconnected</h1>");
    expect(page.html).not.toContain('id="first-look"');
    expect(page.queries.get(MEETINGS)).toBeUndefined();
    expect(page.queries.get(MESSAGES)).toBeUndefined();
    // A reconnect while the first read is still going on shows it, as before.
    await s.cursors({ [OWNER_MAIL_STREAM]: "full" });
    const reading = await s.get({ act: "connected", how: "reconnected" });
    expect(reading.html).toContain('data-provisional="true"');
    expect(reading.html).toContain("ada@partner.io");
    expect(reading.queries.get(MESSAGES)).toBe(1);
  });

  it("a paused account with its read unfinished: the page says so, and reads no meeting or message", async () => {
    const s = await stack();
    await s.cursors({ calendar: "incremental", sent: "full" });
    await s.repo.setIn(keys.account(EMAIL), "account", { status: "paused" });
    const page = await s.get({ act: "connected" });
    expect(page.status).toBe(200);
    expect(page.html).toContain("Your digests are paused, so your calendar and mail are not read for now.");
    expect(page.html).not.toContain("ada@partner.io");
    expect(page.queries.get(MEETINGS)).toBeUndefined();
    expect(page.queries.get(MESSAGES)).toBeUndefined();
  });
});

describe("the latest digest is found from the newest week down", () => {
  /** The ISO weeks of 2025, W01 to W52, oldest first. */
  const WEEKS = Array.from({ length: 52 }, (_, i) => `2025-W${String(i + 1).padStart(2, "0")}`);
  const claimedAt = (i: number) => NOW - (52 - i) * 7 * DAY;
  /** As it was read before: every digest of the account, the latest shown one made by `madeBy`. */
  const everyWeek = async (repo: Repository, madeBy = Infinity) =>
    (await repo.query(keys.partition(EMAIL), keys.prefix.digest))
      .filter((i) => {
        const d = i.digest as { status?: string; body?: Uint8Array; claimedAt: number };
        return (d.body instanceof Uint8Array || d.status === "sent") && d.claimedAt <= madeBy;
      })
      .map((i) => String(i.sk).slice(keys.prefix.digest.length))
      .sort()
      .at(-1);

  it("a year of digests: the latest read with a few items, the same week as reading them all, whatever the link's time", async () => {
    const s = await stack();
    for (const [i, week] of WEEKS.entries()) {
      // Each with a body of a few KB, as kept; the newest two unsent and bodiless (a send under way, one given up).
      const newest = i >= WEEKS.length - 2;
      await s.repo.put({ ...keys.digest(EMAIL, week), digest: { week, status: newest ? "claimed" : "sent", claimedAt: claimedAt(i), ...(newest ? {} : { body: new Uint8Array(4096).fill(i) }) } });
    }
    s.count.reset();
    expect(await latestDigestWeek(s.repo, EMAIL)).toBe("2025-W50");
    expect(s.count.queries.get(keys.prefix.digest)).toBe(1);
    expect(s.count.items.get(keys.prefix.digest)).toBeLessThanOrEqual(4);
    for (const madeBy of [Infinity, claimedAt(51), claimedAt(49), claimedAt(49) - 1, claimedAt(30) + 1, claimedAt(0), claimedAt(0) - 1]) expect(await latestDigestWeek(s.repo, EMAIL, madeBy)).toBe(await everyWeek(s.repo, madeBy));
    expect(await latestDigestWeek(s.repo, EMAIL, claimedAt(0) - 1)).toBeUndefined();
  });

  it("none kept: undefined, in one read", async () => {
    const s = await stack();
    s.count.reset();
    expect(await latestDigestWeek(s.repo, EMAIL)).toBeUndefined();
    expect(s.count.queries.get(keys.prefix.digest)).toBe(1);
  });
});
