import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { serve, type ServerType } from "@hono/node-server";
import { type AccountRecord, listAccounts, rotateRefreshToken, setAccountStatus } from "@followthrough/core/accounts";
import { type EventJobOutcome, runEventJob } from "@followthrough/core/eventmail";
import { addDays, atLocal, type EventMailKind, localDate, planEventJobs, setGoal } from "@followthrough/core/events";
import { LinkError, openLink } from "@followthrough/core/links";
import { API_RETRY_BUDGET_MS, JOB_RETRY_BUDGET_MS } from "@followthrough/core/limits";
import { loopbackOnly } from "@followthrough/core/net";
import { VirtualClock } from "@followthrough/core/resilience";
import { grantGoneReason, markGrantGone, reconnectReason, reconnectWhy, refusedElsewhere } from "@followthrough/core/reconnect";
import { providerFor } from "@followthrough/core/runtime";
import type { MailboxProvider } from "@followthrough/core/providers";
import { randomKeyring } from "@followthrough/core/secrets";
import { type LocalDynamo, Repository, startLocalDynamo } from "@followthrough/core/storage";
import type { LinkConfig } from "@followthrough/core/digest";
import { parseOnce } from "./args";
import { envLinkKey } from "./digest";
import { runWeekly, type WeeklyResult } from "@followthrough/core/weekly";
import { createApp, localDraftLanding } from "@followthrough/functions/app";
import { inProcessBackfill } from "@followthrough/functions/connect";
import { googleEndpoints, microsoftEndpoints } from "@followthrough/core/oauth";
import { type SystemMailer, TableOutboxMailer } from "@followthrough/core/reconnect";
import { distinctAccounts, loadFixture, type RunningSandbox, sandboxAgent, sandboxDispatcher, startSandbox } from "@followthrough/sandbox";
import { UsageError } from "./errors";
import { connectSandboxProvider } from "./sandbox-provider";
import { checkLinkKey, keyringFile, type LocalStore, loadClientSecret, loadLinkKey, localHome, localStoreExists, openLocalStore } from "./local-store";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
/** The demo mailboxes shipped with the project. */
export const demoFixtures = [join(repo, "fixtures/demo-google"), join(repo, "fixtures/demo-microsoft")];

/** One demo account of the local stack. */
export interface LocalAccount {
  account: AccountRecord;
  provider: MailboxProvider;
  /** The demo's "this week": the fixture's labelled `now`. */
  now: number;
  weekly: WeeklyResult;
  /** The demo's event emails (demo accounts only): the jobs run at their due hours and how each went. */
  eventEmails?: DemoEventEmail[];
}

/** One event job the demo ran. */
export interface DemoEventEmail {
  kind: EventMailKind;
  eventId: string;
  title: string;
  /** The UTC hour it was due in, and ran as of. */
  hour: number;
  outcome: EventJobOutcome;
}

/** The goal the demo sets for each demo's mixer, as the owner would from the digest's Coming up. */
export const DEMO_MIXER_GOAL = 3;

/**
 * After a demo account's weekly run: sets a goal for the coming mixer (core/events setGoal, as the
 * owner would), plans the event emails as the weekly worker does (planEventJobs as of `now`), and
 * runs the jobs due until the end of tomorrow (the owner's local day) the way the dispatcher
 * would, each as of its due hour (runEventJob): this morning's and tomorrow's emails. A due hour
 * after the demo's `now` is a preview of what comes next. Later jobs stay on the index, unrun; the
 * daily calendar sync is not run (the demo's calendar does not change).
 */
async function runDemoEventEmails(o: { repo: Repository; provider: MailboxProvider; account: AccountRecord; weekly: WeeklyResult; now: number; links: LinkConfig }): Promise<DemoEventEmail[]> {
  const { repo, provider, now } = o;
  const account = { ...o.account, aliases: o.weekly.scan.owner.aliases };
  const upcoming = o.weekly.scan.networkingEvents?.upcoming ?? [];
  const attended = o.weekly.scan.networkingEvents?.attended ?? [];
  for (const e of upcoming.filter((x) => /\bmixer\b/i.test(x.title))) await setGoal(repo, account, e.eventId, DEMO_MIXER_GOAL, now);
  const plan = await planEventJobs({ repo, account, now });
  const title = (id: string) => [...upcoming, ...attended].find((e) => e.eventId === id)?.title ?? "";
  const horizon = atLocal(addDays(localDate(now, account.timeZone), 2), 0, account.timeZone);
  const out: DemoEventEmail[] = [];
  for (const j of [...plan.jobs].filter((x) => x.hour < horizon).sort((a, b) => a.hour - b.hour || a.kind.localeCompare(b.kind))) {
    const job = { job: "event" as const, kind: j.kind, acc: account.email.toLowerCase(), evt: j.eventId, due: j.hour };
    const outcome = await runEventJob({ repo, provider, account, job, now: j.hour, links: o.links });
    out.push({ kind: j.kind, eventId: j.eventId, title: title(j.eventId), hour: j.hour, outcome });
  }
  return out;
}

/** The whole service on one machine: store, sandbox, the accounts' weekly job done, and the app. */
export interface LocalStack {
  url: string;
  sandbox: RunningSandbox;
  dynamo: LocalDynamo;
  repo: Repository;
  accounts: LocalAccount[];
  /** Accounts of the persistent local store (`followthrough connect`), run against the real providers; none when it is empty or absent. */
  realAccounts: LocalAccount[];
  /** One-line notices about the persistent store (in use elsewhere, an account to reconnect…). */
  notes: string[];
  /** The demo's virtual clock: the sandbox's time and its adapters' (tests move it on). */
  clock: VirtualClock;
  close(): Promise<void>;
}

/** The provider of a connected account, by address (the local stack builds them once). */
function lookup(providers: Map<string, MailboxProvider>) {
  return (a: AccountRecord): MailboxProvider => {
    const p = providers.get(a.email.toLowerCase());
    if (!p) throw new Error(`no provider for ${a.email}`);
    return p;
  };
}

function listen(server: ServerType): Promise<number> {
  return new Promise((res, rej) => {
    if (server.listening) return res((server.address() as AddressInfo).port);
    server.once("listening", () => res((server.address() as AddressInfo).port));
    server.once("error", rej);
  });
}

/**
 * Starts the local stack: the embedded DynamoDB, the sandbox on the mailboxes, each account
 * connected through OAuth and its weekly job run (scan, digest, send into its own sandbox
 * mailbox), and the Hono app on `port` (0 picks one). With `home` (the `start` command passes the
 * local store's directory), the accounts connected there with `followthrough connect` also run
 * their weekly job against their real providers, in that on-disk store, never in the demo's.
 */
export async function startLocalStack(
  o: {
    fixtures?: string[];
    port?: number;
    linkKey?: string;
    home?: string;
    /** What the service's own mail goes through, given the table's outbox (tests wrap it, to fail as SES can). */
    notify?: (outbox: SystemMailer) => SystemMailer;
  } = {},
): Promise<LocalStack> {
  // The environment's link key is checked before anything listens: a bad one is the command's
  // one-line error and exit, not one printed over servers left running (helper-171 #1).
  // A fresh key each run otherwise: a demo link cannot be forged from a constant in the source.
  const linkKey = o.linkKey ?? envLinkKey() ?? randomBytes(32).toString("base64url");
  // So is the on-disk store's own key, when the real accounts would use it (helper-178 #6).
  if (o.home && localStoreExists(o.home) && envLinkKey() === undefined) checkLinkKey(o.home);
  const fixtures = distinctAccounts((o.fixtures ?? demoFixtures.filter((f) => existsSync(f))).map((f) => loadFixture(f)));
  const dynamo = await startLocalDynamo();
  // The demo runs offline: one virtual clock for the sandbox's quotas and tokens and the adapters' waits.
  const clock = new VirtualClock();
  // A sandbox that cannot start (a fixture it cannot serve) leaves no DynamoDB running behind the
  // command's error, which kept the process from exiting (helper-190 #1).
  const sandbox = await startSandbox({ fixtures, https: true, clock: () => clock.now() }).catch(async (e: unknown) => {
    await dynamo.stop();
    throw e;
  });
  const store = new Repository(dynamo.doc, dynamo.tableName);
  const ring = randomKeyring();
  let app: { fetch: (r: Request) => Response | Promise<Response> } = { fetch: () => new Response("starting", { status: 503 }) };
  // Loopback only, and only loopback Host names: a page elsewhere cannot rebind a name to this app.
  const server = serve({ fetch: loopbackOnly((req: Request) => app.fetch(req)), port: o.port ?? 8787, hostname: "127.0.0.1" });
  let port: number;
  try {
    port = await listen(server);
  } catch (e) {
    await Promise.all([sandbox.close(), dynamo.stop()]);
    if ((e as NodeJS.ErrnoException).code === "EADDRINUSE") throw new UsageError(`port ${o.port ?? 8787} is in use: pass --port <n> (0 picks a free one; through npm: npm start -- --port 0)`);
    throw e;
  }
  const url = `http://localhost:${port}`;
  const providers = new Map<string, MailboxProvider>();
  // The connection (connectedAt) each demo provider holds the token of: after a disconnect (Google's
  // grant revoked) and a new connect in the browser, the old provider would read with a dead token
  // and the new connection's first look would never come (helper-104 #2).
  const builtFor = new Map<string, number | undefined>();
  const accounts: LocalAccount[] = [];
  try {
    for (const f of fixtures) {
      const conn = await connectSandboxProvider(sandbox, f.account, store, ring, { clock });
      const now = f.expected ? Date.parse(f.expected.now) : Date.now();
      providers.set(f.account.email.toLowerCase(), conn.provider);
      builtFor.set(f.account.email.toLowerCase(), conn.account().connectedAt);
      const links = { baseUrl: url, key: linkKey, issuedAt: Date.now() };
      const weekly = await runWeekly({ repo: store, provider: conn.provider, account: conn.account(), now, links });
      // The event emails of the demo's coming days: a goal for the mixer, then the jobs at their hours.
      const eventEmails = f.expected ? await runDemoEventEmails({ repo: store, provider: conn.provider, account: conn.account(), weekly, now, links }) : undefined;
      accounts.push({ account: conn.account(), provider: conn.provider, now, weekly, eventEmails });
    }
  } catch (e) {
    // Leave nothing running behind a failed start.
    await new Promise<void>((res) => server.close(() => res()));
    await Promise.all([sandbox.close(), dynamo.stop()]);
    throw e;
  }
  // The real accounts live in their own (on-disk) store and app, so they never mix with the demo's.
  const notes: string[] = [];
  let real: Awaited<ReturnType<typeof startRealAccounts>>;
  try {
    real = await startRealAccounts(o.home, url, notes);
  } catch (e) {
    server.close();
    await Promise.all([sandbox.close(), dynamo.stop()]);
    throw e;
  }
  // /connect works here too, with the sandbox as the provider: its OAuth endpoints (an account
  // chooser in the browser), its Gmail/Calendar and Graph APIs, as the hosted app uses the real ones.
  const tls = sandbox.ca ? { fetchOptions: { agent: sandboxAgent(sandbox.ca) } as never } : {};
  const build = (a: AccountRecord, onRefreshToken: (t: string) => Promise<void>, retry?: { budgetMs: number }) => providerFor(a, { ring, clock, ...(retry ? { retry } : {}), microsoft: { ...tls, onRefreshToken } });
  const known = lookup(providers);
  const demoProviderFor = (a: AccountRecord): MailboxProvider => {
    const key = a.email.toLowerCase();
    if (providers.has(key) && builtFor.get(key) === a.connectedAt) return known(a);
    let current = a;
    const p = build(a, async (t) => void (current = await rotateRefreshToken(store, ring, current, t)));
    providers.set(key, p);
    builtFor.set(key, a.connectedAt);
    return p;
  };
  // A new account's first scan, run here; close() waits for any still running.
  // The service's own mail (a reconnect notice, a move's confirming link) kept in the table.
  const outbox = new TableOutboxMailer(store);
  const backfills = inProcessBackfill({ repo: store, providerFor: demoProviderFor, now: () => Date.now(), mailer: outbox, baseUrl: url, linkKey });
  const demoApp = createApp({
    repo: store,
    linkKey,
    baseUrl: url,
    now: () => Date.now(),
    // The demo's accounts live at their mailbox's labelled "now": the events pages read their calendar as of then.
    asOf: (a) => accounts.find((x) => x.account.email.toLowerCase() === a.email.toLowerCase())?.now ?? Date.now(),
    providerFor: demoProviderFor,
    draftLanding: localDraftLanding(),
    local: { sandboxUrl: sandbox.url },
    oauth: {
      google: { clientId: "followthrough-local", endpoints: googleEndpoints(sandbox.url), apiUrl: sandbox.url },
      microsoft: { clientId: "followthrough-local", endpoints: microsoftEndpoints(sandbox.url), apiUrl: sandbox.httpsUrl },
    },
    ring,
    // A connect's profile read waits in retries no longer than the hosted one does (functions/connect:
    // the API's budget): a long Retry-After (a Google project's daily quota, spent until midnight
    // Pacific Time) fails the connect at once with its wait on the page. Without it the read slept
    // the quota day through on the virtual clock, five times over, and the page said "in about 24
    // hours" whatever the time (helper-272 #3), the demo's clock days ahead.
    providerForNew: (a, onRefreshToken) => build(a, onRefreshToken, { budgetMs: API_RETRY_BUDGET_MS }),
    enqueueBackfill: backfills,
    notify: o.notify ? o.notify(outbox) : outbox,
    ...(sandbox.ca ? { httpFetch: ((input, init) => fetch(input, { ...init, dispatcher: sandboxDispatcher(sandbox.ca!) } as RequestInit)) as typeof fetch } : {}),
  });
  // One-tap links are opaque (/l/<act>/<token>): a token the real accounts' key opens goes to their app.
  const routed = real;
  app = {
    fetch: (req) => {
      const m = routed && /^\/l\/[a-z]+\/([^/?]+)/.exec(new URL(req.url).pathname);
      return routed && m && routed.opens(m[1]) ? routed.app.fetch(req) : demoApp.fetch(req);
    },
  };
  const close = async () => {
    await new Promise<void>((res) => {
      server.close(() => res());
      (server as ServerType & { closeAllConnections?: () => void }).closeAllConnections?.();
    });
    // A first scan begun by a connect or a move still reads the sandbox and writes the table: it
    // ends first (a demo account's takes a second or two; at most 10 s are given), where stopping
    // both under it failed it with "Database is closed".
    await Promise.race([backfills.idle(), new Promise((res) => setTimeout(res, 10_000).unref())]);
    await Promise.all([sandbox.close(), dynamo.stop(), real?.store.close()]);
  };
  return { url, sandbox, dynamo, repo: store, accounts, realAccounts: real?.accounts ?? [], notes, clock, close };
}

/**
 * Opens the persistent store at `home` when one exists and runs the weekly job of each active
 * account against its real provider (one digest a week: a restart does not send it twice).
 * Undefined when there is no store or it holds no account.
 */
async function startRealAccounts(home: string | undefined, url: string, notes: string[]) {
  if (!home || !localStoreExists(home)) return undefined;
  let store: LocalStore;
  try {
    store = await openLocalStore(home, { create: false });
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    notes.push(`${e.message}; running the demo only`);
    return undefined;
  }
  try {
    return await runRealAccounts(store, home, url, notes);
  } catch (e) {
    // The store is given back on any failure after it opened, as on success (helper-172: it stayed
    // open, its lock held, until the process ended).
    await store.close().catch(() => undefined);
    throw e;
  }
}

/** {@link startRealAccounts} once the store is open: undefined (the store closed) when it holds no account. */
async function runRealAccounts(store: LocalStore, home: string, url: string, notes: string[]) {
  const records = await listAccounts(store.repo);
  if (!records.length) {
    await store.close();
    return undefined;
  }
  const linkKey = envLinkKey() ?? loadLinkKey(home);
  const providers = new Map<string, MailboxProvider>();
  const accounts: LocalAccount[] = [];
  for (const record of records) {
    let account = record;
    let provider: MailboxProvider;
    try {
      provider = providerFor(record, {
        ring: store.ring,
        // A provider call waits in retries no longer than a queued job's does (core/limits): a long
        // Retry-After (a Google project's daily quota, spent until midnight Pacific Time) fails the
        // account's weekly job with a note instead of holding the start for hours (helper-265 #1).
        retry: { budgetMs: JOB_RETRY_BUDGET_MS },
        google: { clientSecret: record.provider === "google" ? await loadClientSecret(store, "google", record.clientId) : undefined },
        microsoft: { onRefreshToken: async (t) => void (account = await rotateRefreshToken(store.repo, store.ring, account, t)) },
      });
    } catch (e) {
      // Its sealed token (or Google client secret) does not open under this keyring: a keyring lost
      // or replaced (docs/self-hosting.md). A note for this account, as any other problem is; the
      // whole start stopped on "Unsupported state or unable to authenticate data", the demo and
      // the other accounts with it. Nothing is changed: the right keyring put back opens it again.
      notes.push(
        `${record.email}: its stored token cannot be unsealed with ${keyringFile(home)} (${String((e as Error).message ?? e).replace(/\s+/g, " ")}): put back the keyring it was sealed with, or run followthrough connect ${record.provider} again; weekly job skipped`,
      );
      continue;
    }
    providers.set(record.email.toLowerCase(), provider);
    if (record.status !== "active") {
      notes.push(`${record.email}: ${record.status}, weekly job skipped`);
      continue;
    }
    const now = Date.now();
    try {
      const weekly = await runWeekly({ repo: store.repo, provider, account, now, links: { baseUrl: url, key: linkKey, issuedAt: now } });
      accounts.push({ account, provider, now, weekly });
    } catch (e) {
      // Only a grant the provider refused needs the person (not a token endpoint that was down).
      const found = reconnectReason(e);
      const reason = found === undefined ? undefined : grantGoneReason(account, found, now);
      if (reason) {
        // Marked with its reason, as the service marks it (core/reconnect markGrantGone), and said as its notice says it.
        if (!(await markGrantGone(store.repo, account, reason))) await setAccountStatus(store.repo, record.email, "needs_reconnect");
        notes.push(`${record.email}: ${reconnectWhy({ ...account, reconnectReason: reason })} Run followthrough connect ${record.provider} again${refusedElsewhere(reason) ? " once that has changed" : ""}.`);
      } else notes.push(`${record.email}: weekly job failed: ${String((e as Error).message ?? e).replace(/\s+/g, " ")}`);
    }
  }
  const app = createApp({
    repo: store.repo,
    linkKey,
    baseUrl: url,
    now: () => Date.now(),
    providerFor: lookup(providers),
  });
  /** True when a link token was sealed by this app (the real accounts' link key). */
  const opens = (token: string) => {
    try {
      openLink(linkKey, token, Date.now());
      return true;
    } catch (e) {
      // An expired token still authenticated: its app says it expired.
      return e instanceof LinkError && e.problem === "expired";
    }
  };
  return { store, accounts, app, emails: new Set(providers.keys()), opens };
}

/** FOLLOWTHROUGH_EXIT_AFTER_START as a person sets it: "1", "true" or "yes" stop after the jobs; unset, empty, "0", "false" or "no" serve (helper-245 #7: "0" stopped too). */
export const exitAfterStart = (value: string | undefined): boolean => value !== undefined && !["", "0", "false", "no", "off"].includes(value.trim().toLowerCase());

/** `followthrough start`: the local stack on the demo mailboxes; runs until interrupted. */
export async function start(argv: string[]): Promise<number> {
  let values;
  try {
    values = parseOnce({ args: argv, options: { fixtures: { type: "string", multiple: true }, port: { type: "string" }, home: { type: "string" } }, strict: true });
  } catch (e) {
    // `npm start --port 0` hands `0` over as an argument (npm takes `--port` for itself): say where npm wants them.
    const message = (e as Error).message;
    throw new UsageError(`${message} (${/Unexpected argument/.test(message) ? "through npm, options go after --: npm start -- --port 0; " : ""}try: followthrough help)`);
  }
  if (values.port !== undefined && (!/^\d{1,5}$/.test(values.port) || Number(values.port) > 65535))
    throw new UsageError(`--port must be a port number from 0 to 65535, got ${JSON.stringify(values.port)}`);
  // A --home that is not there (a typo, or no connect yet): the demo runs, and says why no account
  // of that folder does, instead of nothing said (helper-106 #6). Nothing is created there.
  const missingHome = values.home !== undefined && !existsSync(localHome(values.home));
  const stack = await startLocalStack({ fixtures: values.fixtures, port: values.port === undefined ? undefined : Number(values.port), home: localHome(values.home) });
  console.log(`local DynamoDB (${stack.dynamo.engine}) at ${stack.dynamo.endpoint}; provider sandbox at ${stack.sandbox.url}`);
  for (const a of stack.accounts) {
    const d = a.weekly.digest;
    console.log(
      `${a.account.provider.padEnd(9)} ${a.account.email}: scanned as of ${new Date(a.now).toISOString()} — ` +
        `${a.weekly.scan.newContacts.length} new contacts, ${a.weekly.scan.missingFollowUps.length} missing follow-ups; digest ${d.week} ${a.weekly.outcome}: "${a.weekly.rendered.subject}"`,
    );
  }
  for (const a of stack.accounts)
    for (const e of (a.eventEmails ?? []).filter((x) => x.outcome === "sent"))
      console.log(`          ${a.account.email}: ${e.kind} email of "${e.title}" sent as of ${new Date(e.hour).toISOString()}${e.hour > a.now ? " (a preview: after the demo's now)" : ""}`);
  for (const a of stack.realAccounts) {
    const d = a.weekly.digest;
    console.log(
      `${a.account.provider.padEnd(9)} ${a.account.email} (connected): scanned as of ${new Date(a.now).toISOString()} — ` +
        `${a.weekly.scan.newContacts.length} new contacts, ${a.weekly.scan.missingFollowUps.length} missing follow-ups; digest ${d.week} ${a.weekly.outcome}`,
    );
  }
  for (const n of stack.notes) console.log(`note: ${n}`);
  if (missingHome) console.log(`note: --home ${JSON.stringify(values.home)}: no such folder, so the demo only (connect an account there first: followthrough connect google|microsoft --home ${JSON.stringify(values.home)} ...)`);
  if (exitAfterStart(process.env.FOLLOWTHROUGH_EXIT_AFTER_START)) {
    console.log(`\nFollowthrough ran its weekly jobs and stops now, serving nothing (FOLLOWTHROUGH_EXIT_AFTER_START is set)`);
    await stack.close();
    return 0;
  }
  console.log(`\nFollowthrough is running at ${stack.url}/  (press Ctrl-C to stop)`);
  await new Promise<void>((res) => {
    process.once("SIGINT", res);
    process.once("SIGTERM", res);
  });
  await stack.close();
  return 0;
}
