import { type AccountRecord, rotateRefreshToken } from "@followthrough/core/accounts";
import { googleEndpoints, microsoftEndpoints } from "@followthrough/core/oauth";
import { providerFor } from "@followthrough/core/runtime";
import { type Keyring, randomKeyring } from "@followthrough/core/secrets";
import { type LocalDynamo, Repository, startLocalDynamo } from "@followthrough/core/storage";
import { expect } from "vitest";
import { loadFixture, type MailboxFixture, type RunningSandbox, type SandboxOptions, sandboxAgent, sandboxDispatcher, startSandbox } from "@followthrough/sandbox";
import { ownFixture } from "../../../test/support/fixtures";
import { checkThenClose } from "../../../test/support/refusals";
import { type AppDeps, createApp } from "../../src/app";

/**
 * As a browser: a connect callback's or a move's 303 to its Connected page is followed on `app`, the
 * redirect's Set-Cookie kept on what it returns; any other answer is returned as it is.
 */
export async function followConnected(res: Response, app: { request: (path: string) => Response | Promise<Response> }): Promise<Response> {
  if (res.status !== 303) return res;
  const to = new URL(res.headers.get("location")!);
  expect(to.pathname).toMatch(/^\/l\/connected\/[A-Za-z0-9_-]+$/);
  const page = await app.request(`${to.pathname}${to.search}`);
  const headers = new Headers(page.headers);
  for (const c of res.headers.getSetCookie()) headers.append("set-cookie", c);
  return new Response(page.body, { status: page.status, headers });
}

/** The two demo providers. */
export type Provider = "google" | "microsoft";

/** The hosted app over the sandbox (both demo mailboxes) and dynalite, wired as production wires it. */
export interface WebStack {
  sandbox: RunningSandbox;
  dynamo: LocalDynamo;
  repo: Repository;
  ring: Keyring;
  fixtures: Record<Provider, MailboxFixture>;
  deps: AppDeps;
  app: ReturnType<typeof createApp>;
  close(): Promise<void>;
}

/**
 * Starts the stack; `extra` overrides app deps (the backfill queue, the clock…); `fixtures` replaces a
 * demo mailbox folder; `sandbox` adds options of the sandbox (page sizes…). `close()` fails the file when the sandbox refused any of our calls by the
 * providers' contracts (test/support/refusals.ts).
 */
export async function startWebStack(o: { baseUrl: string; linkKey: string; extra?: Partial<AppDeps>; fixtures?: Partial<Record<Provider, string>>; sandbox?: Partial<SandboxOptions> }): Promise<WebStack> {
  const fixtures = {
    google: loadFixture(o.fixtures?.google ?? ownFixture("demo-google")),
    microsoft: loadFixture(o.fixtures?.microsoft ?? ownFixture("demo-microsoft")),
  };
  const [sandbox, dynamo] = await Promise.all([startSandbox({ fixtures: [fixtures.google, fixtures.microsoft], https: true, ...o.sandbox }), startLocalDynamo()]);
  const repo = new Repository(dynamo.doc, dynamo.tableName);
  const ring = randomKeyring();
  const tls = { agent: sandboxAgent(sandbox.ca!) };
  /** The adapter as production builds it, trusting the sandbox's certificate for Graph. */
  const build = (a: AccountRecord, onRefreshToken: (t: string) => Promise<void>) =>
    providerFor(a, { ring, microsoft: { fetchOptions: tls as never, onRefreshToken }, retry: { baseMs: 5, maxMs: 50 } });
  /** The adapter of a stored account, storing rotated Microsoft tokens back. */
  const stored = (a: AccountRecord) => {
    let current = a;
    return build(a, async (t) => void (current = await rotateRefreshToken(repo, ring, current, t)));
  };
  const deps: AppDeps = {
    repo,
    linkKey: o.linkKey,
    baseUrl: o.baseUrl,
    now: () => Date.now(),
    providerFor: stored,
    oauth: {
      google: { clientId: "followthrough-web", endpoints: googleEndpoints(sandbox.url), apiUrl: sandbox.url },
      microsoft: { clientId: "followthrough-web", endpoints: microsoftEndpoints(sandbox.url), apiUrl: sandbox.httpsUrl },
    },
    ring,
    enqueueBackfill: async () => {},
    providerForNew: build,
    httpFetch: (input, init) => fetch(input, { ...init, dispatcher: sandboxDispatcher(sandbox.ca!) } as RequestInit),
    ...o.extra,
  };
  const close = () => checkThenClose(sandbox, () => Promise.all([sandbox.close(), dynamo.stop()]));
  return { sandbox, dynamo, repo, ring, fixtures, deps, app: createApp(deps), close };
}
