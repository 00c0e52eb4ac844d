/**
 * End to end, as a person and the schedule would do it: in headless Chromium, connect a sandbox
 * Google account and a sandbox Microsoft account through the web flow; the backfill runs (SQS-shaped
 * event to the backfill handler); the sandbox advances a week; the hourly schedule fires at the
 * owner's digest hour (EventBridge-shaped event to the dispatcher, SQS-shaped batch to the worker);
 * each sandbox mailbox then holds exactly one digest naming the right follow-ups.
 */
import { loadProvider } from "@followthrough/core/loader";
import type { AddressInfo } from "node:net";
import { serve, type ServerType } from "@hono/node-server";
import type { SQSEvent } from "aws-lambda";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadAccount, updateAccount } from "@followthrough/core/accounts";
import { normalizeAddress } from "@followthrough/core/identity";
import { googleEndpoints, microsoftEndpoints } from "@followthrough/core/oauth";
import { memorySender } from "@followthrough/core/queue";
import { MemoryMailer } from "@followthrough/core/reconnect";
import { providerFor } from "@followthrough/core/runtime";
import { randomKeyring } from "@followthrough/core/secrets";
import { isoWeek } from "@followthrough/core/schedule";
import { type LocalDynamo, startLocalDynamo } from "@followthrough/core/storage";
import { DAY, zoneOffset } from "@followthrough/core/time";
import { prepareDigest } from "@followthrough/core/weekly";
import { createApp } from "@followthrough/functions/app";
import { createBackfillHandler } from "@followthrough/functions/handlers/backfill";
import { dueWeeklyBody } from "@followthrough/core/dispatch";
import { createDispatchHandler } from "@followthrough/functions/handlers/dispatch";
import { createWorkerHandler } from "@followthrough/functions/handlers/worker";
import { buildDeps, type Deps, appDeps } from "@followthrough/functions/resources";
import { loadFixture, type MailboxFixture, type RunningSandbox, sandboxAgent, startSandbox } from "@followthrough/sandbox";
import { launchChromium } from "./support/browser";
import { ownFixture } from "./support/fixtures";
import { checkThenClose } from "./support/refusals";

const fixtures = [loadFixture(ownFixture("demo-google")), loadFixture(ownFixture("demo-microsoft"))];

let sandbox: RunningSandbox;
let dynamo: LocalDynamo;
let server: ServerType;
let browser: Browser;
let deps: Deps;
let appUrl: string;
let clock = 0;
const digests = memorySender();
const backfills = memorySender();

const sqsEvent = (bodies: string[]): SQSEvent =>
  ({ Records: bodies.map((body, i) => ({ messageId: `m${i}-${Math.random().toString(36).slice(2)}`, body })) }) as unknown as SQSEvent;

beforeAll(async () => {
  sandbox = await startSandbox({ fixtures, https: true });
  dynamo = await startLocalDynamo();
  let fetchApp: (r: Request) => Response | Promise<Response> = () => new Response("starting", { status: 503 });
  server = serve({ fetch: (r) => fetchApp(r), port: 0, hostname: "127.0.0.1" });
  await new Promise<void>((res) => (server.listening ? res() : server.once("listening", () => res())));
  appUrl = `http://localhost:${(server.address() as AddressInfo).port}`;
  const ring = randomKeyring();
  const tls = { agent: sandboxAgent(sandbox.ca!) } as never;
  deps = buildDeps({ loader: loadProvider,
    tableName: dynamo.tableName,
    doc: dynamo.doc,
    tokenKeyring: ring,
    linkKey: "e2e-link-key",
    baseUrl: appUrl,
    oauth: {
      google: { clientId: "e2e-google", endpoints: googleEndpoints(sandbox.url), apiUrl: sandbox.url },
      microsoft: { clientId: "e2e-microsoft", endpoints: microsoftEndpoints(sandbox.url), apiUrl: sandbox.httpsUrl },
    },
    digests,
    backfills,
    notify: new MemoryMailer(),
    now: () => clock,
    provider: { microsoftFetchOptions: tls },
  });
  const app = createApp({
    ...appDeps(deps),
    providerForNew: (account, onRefreshToken) => providerFor(account, { ring, microsoft: { fetchOptions: tls, onRefreshToken } }),
  });
  fetchApp = (r) => app.fetch(r);
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await checkThenClose(sandbox, async () => {
    await browser?.close();
    await new Promise<void>((res) => (server ? server.close(() => res()) : res()));
    await sandbox?.close();
    await dynamo?.stop();
  });
});

/** Digests in a sandbox mailbox: messages sent through the API whose subject is a digest's. */
async function digestsIn(f: MailboxFixture): Promise<{ subject: string; body: string }[]> {
  const enc = encodeURIComponent(f.account.email);
  if (f.account.provider === "google") {
    const sent = (await (await fetch(`${sandbox.url}/_control/accounts/${enc}/gmail/sent`)).json()) as { headers: Record<string, string>; raw: string }[];
    return sent.filter((m) => /^(Your week|A quiet week)/.test(m.headers.Subject ?? "")).map((m) => ({ subject: m.headers.Subject, body: m.raw }));
  }
  const sent = (await (await fetch(`${sandbox.url}/_control/accounts/${enc}/graph/sent`)).json()) as { subject?: string; body?: { content?: string } }[];
  return sent.filter((m) => /^(Your week|A quiet week)/.test(m.subject ?? "")).map((m) => ({ subject: m.subject ?? "", body: m.body?.content ?? "" }));
}

/** The local weekday (1 = Monday) and hour of an instant in a zone. */
function localDayHour(ms: number, zone: string) {
  const local = new Date(ms + zoneOffset(ms, zone));
  return { day: ((local.getUTCDay() + 6) % 7) + 1, hour: local.getUTCHours() };
}

describe.each(fixtures.map((f) => [f.account.provider, f] as const))("%s: connect, backfill, a week later the schedule fires", (provider, f) => {
  const now1 = Date.parse(f.expected!.now);
  const now0 = now1 - 7 * DAY;

  it("connects through the web flow in a browser and runs the backfill", async () => {
    clock = now0;
    await fetch(`${sandbox.url}/_control/clock`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ now: new Date(now0).toISOString() }) });
    const page = await browser.newPage();
    await page.goto(`${appUrl}/connect`);
    await page.getByRole("link", { name: provider === "google" ? /Connect Google/ : /Connect Microsoft/ }).click();
    await page.getByRole("button", { name: `Continue as ${f.account.email}` }).click();
    // The callback answers with a 303 to the Connected page, a GET a reload repeats.
    await page.waitForURL(new RegExp(`${appUrl}/l/connected/`));
    expect(await page.textContent("body")).toMatch(/Connected/);
    await page.close();

    const stored = await loadAccount(deps.repo, f.account.email);
    expect(stored?.status).toBe("active");
    expect(stored?.timeZone).toBe(f.account.timeZone);
    expect(backfills.batches.flat()).toContain(f.account.email.toLowerCase());

    const backfill = createBackfillHandler(() => deps);
    const res = await backfill(sqsEvent([f.account.email.toLowerCase()]));
    expect(res.batchItemFailures).toEqual([]);
    const people = await deps.repo.loadPeople(f.account.email);
    expect(people.length).toBeGreaterThan(0);
  });

  it("a week later, the hourly schedule at the owner's digest hour sends exactly one digest naming the right follow-ups", async () => {
    // The sandbox advances a week; the owner's digest hour is the one that contains now1.
    clock = now1;
    await fetch(`${sandbox.url}/_control/clock`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ now: new Date(now1).toISOString() }) });
    // The owner chose that hour before it came round (a schedule saved within its own hour is next week's).
    await updateAccount(deps.repo, f.account.email, { schedule: localDayHour(now1, f.account.timeZone) }, Math.floor(now1 / 3_600_000) * 3_600_000 - 3_600_000);

    const dispatch = createDispatchHandler(() => deps);
    const worker = createWorkerHandler(() => deps);
    const before = digests.batches.length;
    // The hour before: not due. (Its run may catch up the daily syncs filed in the day since the
    // test's last dispatch, a day and an hour back at most: those are event jobs, not digests.)
    await dispatch({ time: new Date(now1 - 3_600_000).toISOString() });
    expect(digests.batches.slice(before).flat().filter((b) => !b.includes('"job":"event"')).join("\n")).not.toContain(f.account.email.toLowerCase());
    // The owner's hour (the rule fires at hh:00; the digest is as of the job's clock).
    const hour = new Date(Math.floor(now1 / 3_600_000) * 3_600_000).toISOString();
    const result = await dispatch({ time: hour });
    expect(result.due).toBeGreaterThanOrEqual(1);
    const queued = digests.batches.slice(before).flat();
    // The body names the account and the slot it was due for.
    const account0 = (await loadAccount(deps.repo, f.account.email))!;
    const mine = queued.filter((b) => b === dueWeeklyBody(f.account.email.toLowerCase(), Date.parse(hour), isoWeek(Date.parse(hour), account0.timeZone)));
    expect(mine).toHaveLength(1);
    expect((await worker(sqsEvent(mine))).batchItemFailures).toEqual([]);
    // The schedule fires twice (EventBridge retry), SQS redelivers: still one digest.
    await dispatch({ time: hour });
    expect((await worker(sqsEvent([f.account.email.toLowerCase()]))).batchItemFailures).toEqual([]);

    const got = await digestsIn(f);
    expect(got).toHaveLength(1);
    const expected = f.expected!.missingFollowUps.map((a) => normalizeAddress(a)!);
    expect(got[0].subject).toContain(`${expected.length} follow-up`);
    const body = got[0].body.replace(/=\r?\n/g, "").replace(/=40/g, "@");
    for (const email of expected) expect(body).toContain(email);
    const account = (await loadAccount(deps.repo, f.account.email))!;
    const { digest } = await prepareDigest({ repo: deps.repo, account, now: now1, links: { baseUrl: appUrl, key: "e2e-link-key" } });
    expect(digest.missing.map((m) => m.email).sort()).toEqual([...expected].sort());
  });
});
