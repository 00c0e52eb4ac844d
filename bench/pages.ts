/**
 * `npm run bench -- pages`: the server time and the DynamoDB reads of each page and fragment the
 * API answers a person, for a heavy Gmail account (a year of 20,000 sent and 20,000 received
 * messages and 2,000 events, `packages/demo` buildYear's "year") against a small one (its "small":
 * 400 / 400 / 160), measured in the same run. Both get the same two 300-guest conferences (one
 * attended 3 days ago, with 20 guests confirmed as met and 10 written to after; one in 5 days, with
 * a goal) and a year of weekly digests (the one a weekly run sent, and 51 earlier weeks' copies).
 *
 * The backfill runs as in `bench/firstlook.ts` (fixture mode: the sandbox's quota model on the
 * virtual clock, in this process); the first look and the Connected page are measured after its
 * first run (the calendar and the newest page of Sent), once Sent is read to the end (the owner's
 * other mail still to read: still provisional, so still polled every 10 s), and once complete;
 * every other page once complete. The pages are requested through the app as the API Lambda builds
 * it (functions/src/routes.ts buildApp). dynalite runs in a child process, so this process's CPU
 * time is the app's own (the SDK's HTTP and unmarshalling included, as on Lambda); the time spent
 * waiting on dynalite is given apart, as are the items and bytes read (DynamoDB's item sizes:
 * attribute names and values; reads are billed per 4 KB of them).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { connectSandboxProvider } from "../packages/cli/src/sandbox-provider";
import { confirmMet, setGoal } from "../packages/core/src/events";
import { type LinkClaims, linkPath, sealLink } from "../packages/core/src/links";
import type { MailboxProvider } from "../packages/core/src/providers";
import { VirtualClock } from "../packages/core/src/resilience";
import { scan } from "../packages/core/src/scan";
import { isoWeek } from "../packages/core/src/schedule";
import { randomKeyring } from "../packages/core/src/secrets";
import { ensureTable, keys, localClientConfig, Repository } from "../packages/core/src/storage";
import { runWeekly } from "../packages/core/src/weekly";
import { type Mailbox, type Person } from "../packages/demo/src/model";
import { buildYear, YEAR_SIZES } from "../packages/demo/src/year";
import { writeMailboxes } from "../packages/demo/src/writer";
import { loadFixture, startSandbox } from "../packages/sandbox/src/index";
import { buildApp } from "../functions/src/routes";

const DAY = 86_400_000;
const LINK_KEY = "bench-pages-link-key";
const BASE = "https://app.followthrough.test";

/** One page's measurement: medians over the runs, reads of one run (every run reads the same). */
export interface PageRow {
  page: string;
  status: number;
  /** Median wall time of the request in this process (dynalite in its own), ms. */
  wallMs: number;
  /** Median CPU time of this process over the request (user + system), ms. */
  cpuMs: number;
  /** Median time with a DynamoDB request in flight, ms (dynalite's, not DynamoDB's). */
  dynamoMs: number;
  requests: number;
  items: number;
  /** Item bytes read (DynamoDB's item size). */
  kb: number;
  /** Read units of those reads (strongly consistent: 4 KB each, per Query page or item). */
  rcu: number;
  htmlKb: number;
}

export interface PagesBench {
  account: string;
  stored: { meetings: number; messages: number; people: number; digests: number; kb: number };
  rows: PageRow[];
  /** CPU profiles of some pages: the sampled ms per request, and the shares (%) of its parts and top functions. */
  profiles: { page: string; totalMs: number; byPart: [string, number][]; topFunctions: [string, number][] }[];
}

/** DynamoDB's size of an attribute value, as the document client hands it back (names and values, docs "Item sizes"). */
function valueBytes(v: unknown): number {
  if (v === null || v === undefined || typeof v === "boolean") return 1;
  if (typeof v === "string") return Buffer.byteLength(v);
  if (typeof v === "number") return Math.ceil(String(Math.abs(v)).replace(/[.-]/g, "").length / 2) + 1;
  if (v instanceof Uint8Array) return v.byteLength;
  if (v instanceof Set) return [...v].reduce((a: number, x) => a + valueBytes(x), 0);
  if (Array.isArray(v)) return 3 + v.reduce((a: number, x) => a + 1 + valueBytes(x), 0);
  if (typeof v === "object") return 3 + Object.entries(v).reduce((a, [k, x]) => a + 1 + Buffer.byteLength(k) + valueBytes(x), 0);
  return 0;
}
const itemBytes = (item: Record<string, unknown>) => Object.entries(item).reduce((a, [k, x]) => a + Buffer.byteLength(k) + valueBytes(x), 0);

/** Counts requests, items, bytes and read units, and the time a request is in flight, at the client's middleware. */
function meter(client: { middlewareStack: { add: (mw: unknown, opts: unknown) => void } }) {
  /** `selfMs`: the meter's own counting, taken off the request's times. */
  const m = { requests: 0, items: 0, bytes: 0, rcu: 0, inFlight: 0, since: 0, busyMs: 0, selfMs: 0, off: false };
  client.middlewareStack.add(
    (next: (a: unknown) => Promise<{ output: unknown }>) => async (args: unknown) => {
      if (m.off) return next(args);
      m.requests++;
      if (m.inFlight++ === 0) m.since = performance.now();
      try {
        const result = await next(args);
        const t0 = performance.now();
        const out = result.output as { Items?: Record<string, unknown>[]; Item?: Record<string, unknown> };
        const items = out.Items ?? (out.Item ? [out.Item] : []);
        const bytes = items.reduce((a, i) => a + itemBytes(i), 0);
        m.items += items.length;
        m.bytes += bytes;
        m.rcu += Math.max(1, Math.ceil(bytes / 4096));
        m.selfMs += performance.now() - t0;
        return result;
      } finally {
        if (--m.inFlight === 0) m.busyMs += performance.now() - m.since;
      }
    },
    { step: "initialize", name: "benchPagesMeter" },
  );
  return {
    reset: () => Object.assign(m, { requests: 0, items: 0, bytes: 0, rcu: 0, busyMs: 0, selfMs: 0 }),
    read: () => ({ ...m }),
    /** Off while a profile is taken: its counting is not the page's. */
    set off(off: boolean) {
      m.off = off;
    },
  };
}

/** dynalite in a child process: its work is not this process's. */
function startDynalite(): Promise<{ proc: ChildProcess; endpoint: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ["-e", "const s=require('dynalite')({createTableMs:0});s.listen(0,'127.0.0.1',()=>console.log('port '+s.address().port))"], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    proc.stdout!.on("data", (b) => {
      out += b;
      const match = out.match(/port (\d+)/);
      if (match) resolve({ proc, endpoint: `http://127.0.0.1:${match[1]}` });
    });
    proc.once("exit", (code) => reject(new Error(`dynalite exited ${code}`)));
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (n: number, d = 1) => Number(n.toFixed(d));

/**
 * The two conferences, 300 guests each (new people, at 30 companies): one attended 3 days before
 * now, to 10 of whose guests the owner wrote the next day; one in 5 days.
 */
function addConferences(mb: Mailbox): void {
  const first = ["Ada", "Bram", "Carys", "Dmitri", "Esme", "Faisal", "Greta", "Hugo", "Ilse", "Joao", "Kofi", "Leila", "Milo", "Noor", "Otto", "Priya", "Rhea", "Soren", "Talia", "Umar"];
  const last = ["Abara", "Brandt", "Castell", "Dufour", "Eklund", "Farrow", "Gallo", "Hale", "Iversen", "Jansen", "Kowalski", "Lindqvist", "Mendes", "Nakamura", "Okoye"];
  const guests = (tag: string): Person[] =>
    Array.from({ length: 300 }, (_, i) => {
      const f = first[i % first.length];
      const l = last[Math.floor(i / first.length) % last.length];
      return mb.add(`${f} ${l}`, `${f.toLowerCase()}.${l.toLowerCase()}${i}@${tag}-co${i % 30}.example`, "person", "conference guest");
    });
  const host = mb.add("Summit Team", "team@summit-events.example", "person", "conference host");
  const went = guests("went");
  mb.event({ key: "conf-attended", title: "Product Summit 2026", start: mb.at(-3, "09:00"), mins: 8 * 60, organizer: host, organizerInList: true, attendees: [{ p: host, rsvp: "accepted" }, ...went.map((p) => ({ p, rsvp: "accepted" as const }))], location: "Convention Centre", networking: "attended" });
  for (const p of went.slice(0, 10)) mb.sent({ subject: "Great to meet you at the summit", at: mb.at(-2, "10:00"), to: [p] });
  const going = guests("going");
  mb.event({ key: "conf-upcoming", title: "Growth Conference 2026", start: mb.at(5, "09:00"), mins: 8 * 60, organizer: host, organizerInList: true, attendees: [{ p: host, rsvp: "accepted" }, ...going.map((p) => ({ p, rsvp: "accepted" as const }))], location: "Exhibition Hall", networking: "upcoming" });
}

/** Self time of a CPU profile, by part of the code and by function. */
function summarise(profile: { nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[]; samples: number[]; timeDeltas: number[] }) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
  const part = (url: string, fn: string) => {
    if (fn === "(garbage collector)") return "garbage collection";
    if (fn === "(idle)" || fn === "(root)") return "(idle)";
    if (fn === "(program)") return fn;
    if (fn === "dispatch" && url === "") return "(profiler)";
    if (/@aws-sdk|@smithy/.test(url)) return "AWS SDK (HTTP, JSON, unmarshalling)";
    // (The SDK parses a response with JSON.parse of its Buffer, which decodes it here.)
    if (url === "node:buffer" && fn === "toString") return "AWS SDK (HTTP, JSON, unmarshalling)";
    if (/node_modules\/hono/.test(url)) return "hono (routing, html)";
    if (/packages\/core\/src\/inference/.test(url)) return "core/inference (the rules)";
    if (/packages\/core\/src\/(identity|addresses)/.test(url)) return "core/identity, addresses";
    if (/packages\/core\/src\/storage/.test(url)) return "core/storage";
    if (/packages\/core\/src\/scan/.test(url)) return "core/scan (owner identities)";
    if (/packages\/core\/src\/firstlook/.test(url)) return "core/firstlook";
    if (/packages\/core\/src\//.test(url)) return `core/${url.match(/packages\/core\/src\/([^/]+)/)![1]}`;
    if (/functions\/src/.test(url)) return "functions (pages)";
    if (url.startsWith("node:") || url === "") return "Node internals (net, JSON, zlib…)";
    return "other";
  };
  const parts = new Map<string, number>();
  const fns = new Map<string, number>();
  for (const [id, ms] of self) {
    const n = byId.get(id)!;
    const p = part(n.callFrame.url, n.callFrame.functionName);
    parts.set(p, (parts.get(p) ?? 0) + ms);
    const where = n.callFrame.url.replace(/^.*\/(node_modules\/|packages\/|functions\/)/, "$1");
    const f = `${n.callFrame.functionName || "(anonymous)"} ${where}:${n.callFrame.lineNumber + 1}`;
    fns.set(f, (fns.get(f) ?? 0) + ms);
  }
  const top = (m: Map<string, number>, k: number) => [...m].filter(([p]) => !/^(\(idle\)|\(profiler\)|\(root\)|dispatch) ?/.test(p)).sort((a, b) => b[1] - a[1]).slice(0, k).map(([p, ms]) => [p, round(ms)] as [string, number]);
  return { totalMs: round([...parts].filter(([p]) => p !== "(idle)" && p !== "(profiler)").reduce((a, [, ms]) => a + ms, 0)), byPart: top(parts, 10), topFunctions: top(fns, 12) };
}

async function benchAccount(name: string, size: typeof YEAR_SIZES.year, runs: number, profile: string[]): Promise<PagesBench> {
  const dir = mkdtempSync(join(tmpdir(), "followthrough-pages-"));
  const db = await startDynalite();
  const client = new DynamoDBClient(localClientConfig(db.endpoint));
  const rows: PageRow[] = [];
  const profiles: PagesBench["profiles"] = [];
  try {
    await ensureTable(client, "followthrough");
    const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    const m = meter(client as never);
    const repo = new Repository(doc, "followthrough");
    const mb = buildYear(size, { id: name }).google;
    addConferences(mb);
    const [written] = writeMailboxes([mb], dir);
    const fixture = loadFixture(written.dir);
    const now = mb.now.getTime();
    const clock = new VirtualClock();
    const sandbox = await startSandbox({ fixtures: [fixture], https: true, clock: () => clock.now(), serviceTimeMs: { gmail: 0, calendar: 0, graph: 0 } });
    try {
      const { account, provider: p } = await connectSandboxProvider(sandbox, fixture.account, repo, randomKeyring(), { clock });
      const app = buildApp({ repo, linkKey: LINK_KEY, baseUrl: BASE, now: () => Date.now(), asOf: () => now, providerFor: () => p });
      const email = account().email;
      const link = (claims: Omit<LinkClaims, "exp" | "acc">) => linkPath(claims.act, sealLink(LINK_KEY, { ...claims, acc: email }, Date.now()));

      const measure = async (page: string, path: string) => {
        const walls: number[] = [];
        const cpus: number[] = [];
        const waits: number[] = [];
        let last: { status: number; html: number; reads: ReturnType<typeof m.read> } | undefined;
        for (let i = 0; i <= runs; i++) {
          m.reset();
          const c0 = process.cpuUsage();
          const t0 = performance.now();
          const res = await app.request(path);
          const body = await res.text();
          const wall = performance.now() - t0;
          const cpu = process.cpuUsage(c0);
          if (i === 0) continue; // the first warms the code paths
          const self = m.read().selfMs;
          walls.push(wall - self);
          cpus.push((cpu.user + cpu.system) / 1000 - self);
          waits.push(m.read().busyMs - self);
          last = { status: res.status, html: Buffer.byteLength(body), reads: m.read() };
        }
        const r = last!;
        const row: PageRow = {
          page,
          status: r.status,
          wallMs: round(median(walls)),
          cpuMs: round(median(cpus)),
          dynamoMs: round(median(waits)),
          requests: r.reads.requests,
          items: r.reads.items,
          kb: round(r.reads.bytes / 1024),
          rcu: r.reads.rcu,
          htmlKb: round(r.html / 1024),
        };
        rows.push(row);
        console.log(`(pages) ${name}: ${page}: ${row.status}, ${row.wallMs} ms wall, ${row.cpuMs} ms CPU, ${row.dynamoMs} ms waiting on dynalite; ${row.requests} requests, ${row.items} items, ${row.kb} KB, ${row.rcu} RCU; ${row.htmlKb} KB of HTML`);
        if (profile.includes(page)) {
          m.off = true;
          const session = new Session();
          session.connect();
          await session.post("Profiler.enable");
          await session.post("Profiler.setSamplingInterval", { interval: 200 });
          await session.post("Profiler.start");
          for (let i = 0; i < runs; i++) await (await app.request(path)).text();
          const { profile: prof } = await session.post("Profiler.stop");
          session.disconnect();
          m.off = false;
          const s = summarise(prof as never);
          // Shares of the sampled time: the samples' own times are wall time, which a loaded machine stretches.
          const share = (xs: [string, number][]) => xs.map(([k, v]) => [k, round((100 * v) / s.totalMs)] as [string, number]);
          profiles.push({ page, totalMs: round(s.totalMs / runs), byPart: share(s.byPart), topFunctions: share(s.topFunctions) });
          console.log(`(pages) ${name}: ${page}: profile, ${round(s.totalMs / runs)} ms sampled per request, by part (%): ${share(s.byPart).map(([k, v]) => `${k} ${v}`).join("; ")}`);
          console.log(`(pages) ${name}: ${page}: top functions (%): ${share(s.topFunctions).map(([k, v]) => `${k} ${v}`).join("; ")}`);
        }
      };
      const viewLink = link({ act: "view" });
      const firstLookPages = async (when: string) => {
        await measure(`first-look fragment (${when})`, `${viewLink}/first-look`);
        await measure(`Connected page (${when})`, link({ act: "connected" }));
      };

      // The backfill's first run: the calendar and the newest page of Sent.
      let sentPages = 0;
      let ownerMailBegun = false;
      const counted: MailboxProvider = {
        ...p,
        sentMail: { page: (c, w) => p.sentMail.page(c, w).then((page) => (sentPages++, page)) },
        ...(p.ownerMail ? { ownerMail: (ids: ReadonlySet<string>) => ((ownerMailBegun = true), p.ownerMail!(ids)) } : {}),
      } as MailboxProvider;
      await scan({ owner: account(), provider: counted, repo, now, stopBefore: () => sentPages >= 1 });
      await firstLookPages("backfill: first run");
      // On until Sent is read to the end, before the owner's other mail: still provisional, polled.
      await scan({ owner: account(), provider: counted, repo, now, stopBefore: () => ownerMailBegun });
      await firstLookPages("backfill: Sent read, provisional");
      await scan({ owner: account(), provider: p, repo, now });
      // The first weekly run sends its digest; 51 earlier weeks' records beside it (a year of them).
      await runWeekly({ repo, provider: p, account: account(), now, links: { baseUrl: BASE, key: LINK_KEY } });
      const [digest] = await repo.query(keys.partition(email), keys.prefix.digest);
      const stored = digest.digest as { claimedAt: number };
      for (let w = 1; w <= 51; w++) {
        const at = now - w * 7 * DAY;
        const week = isoWeek(at, account().timeZone);
        await repo.put({ ...digest, ...keys.digest(email, week), digest: { ...stored, week, claimedAt: stored.claimedAt - w * 7 * DAY } });
      }
      // The attended conference: 20 guests said met; the coming one: a goal.
      const meetings = await repo.loadMeetings(email);
      const attended = meetings.find((x) => x.title === "Product Summit 2026")!;
      const upcoming = meetings.find((x) => x.title === "Growth Conference 2026")!;
      const guests = attended.attendees.filter((a) => a.email.includes("@went-")).slice(20, 40).map((a) => a.email);
      await confirmMet(repo, account(), attended.id, { picked: guests, added: [] }, now);
      await setGoal(repo, account(), upcoming.id, 5, now, now);
      // A rescan, as the next weekly run would, so the people reflect the statements.
      await scan({ owner: account(), provider: p, repo, now });
      const people = await repo.loadPeople(email);
      const tapped = people.find((x) => x.stage === "met" && !x.gone && x.followedUpAt === undefined) ?? people[0];

      await firstLookPages("complete");
      await measure("Connected page (a reconnect, read complete)", link({ act: "connected", how: "reconnected" }));
      const [own] = await repo.query(keys.partition(email), keys.prefix.digest).then((ds) => ds.map((d) => String(d.sk).slice(keys.prefix.digest.length)).sort().slice(-1));
      await measure("digest view (its own link, week in it)", link({ act: "view", wk: own }));
      await measure("digest view (latest, from a page)", viewLink);
      await measure("events page", link({ act: "events" }));
      await measure("goal page (300 guests, in 5 days)", link({ act: "goal", evt: upcoming.id }));
      await measure("who did you meet (300 guests)", link({ act: "met", evt: attended.id }));
      await measure("settings", link({ act: "settings" }));
      await measure("draft tap (GET confirm page)", link({ act: "draft", per: tapped.email, evt: tapped.eventId }));

      const all = await repo.allItems(email);
      const count = (prefix: string) => all.filter((i) => String(i.sk).startsWith(prefix)).length;
      return {
        account: name,
        stored: { meetings: count(keys.prefix.meeting), messages: count(keys.prefix.message), people: count(keys.prefix.person), digests: count(keys.prefix.digest), kb: round(all.reduce((a, i) => a + itemBytes(i), 0) / 1024, 0) },
        rows,
        profiles,
      };
    } finally {
      await sandbox.close();
    }
  } finally {
    client.destroy();
    db.proc.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `sizes`: which accounts, "small" and "heavy" by default (BENCH_PAGES_SIZES); `runs`: timed requests per page (BENCH_PAGES_RUNS, 5). */
export async function benchPages(o: { runs?: number; sizes?: string[] } = {}): Promise<PagesBench[]> {
  const runs = o.runs ?? 5;
  const profile = (process.env.BENCH_PAGES_PROFILE ?? "first-look fragment (backfill: Sent read, provisional)|events page|who did you meet (300 guests)").split("|");
  const out: PagesBench[] = [];
  const sizes = o.sizes ?? ["small", "heavy"];
  if (sizes.includes("small")) out.push(await benchAccount("small", YEAR_SIZES.small, runs, []));
  if (sizes.includes("heavy")) out.push(await benchAccount("heavy", YEAR_SIZES.year, runs, profile));
  return out;
}
