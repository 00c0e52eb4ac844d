import { createRequire } from "node:module";
import { Client, type ClientOptions } from "@microsoft/microsoft-graph-client";

/** Whatever undici `Dispatcher` Node's fetch accepts as `dispatcher`. */
type Dispatcher = object;
type AgentClass = new (options: { connect: { ca: string } }) => Dispatcher;

/**
 * undici's `Agent` class: the `undici` package when installed, else the copy bundled inside Node
 * (Node 18-22 keep their global dispatcher under this well-known symbol once fetch has been used).
 */
function agentClass(): AgentClass {
  try {
    return (createRequire(import.meta.url)("undici") as { Agent: AgentClass }).Agent;
  } catch {
    const key = Symbol.for("undici.globalDispatcher.1");
    const g = globalThis as unknown as Record<symbol, { constructor: AgentClass } | undefined>;
    if (!g[key]) void fetch("data:,").catch(() => undefined); // loads Node's bundled undici, which installs its global Agent
    const agent = g[key];
    if (!agent) throw new Error("cannot find undici's Agent: install undici@6");
    return agent.constructor;
  }
}

const dispatchers = new Map<string, Dispatcher>();

/** A fetch dispatcher that trusts the sandbox's self-signed certificate (and only on requests given it). */
export function sandboxDispatcher(ca: string): Dispatcher {
  let d = dispatchers.get(ca);
  if (!d) dispatchers.set(ca, (d = new (agentClass())({ connect: { ca } })));
  return d;
}

/** Where the sandbox's HTTPS listener is and how to get a token. */
export interface SandboxGraphOptions {
  /** `RunningSandbox.httpsUrl`, e.g. `https://localhost:43123`. */
  httpsUrl: string;
  /** `RunningSandbox.ca`: PEM of the sandbox's self-signed certificate. */
  ca: string;
  /** An access token, or a function returning one (called per request, as the auth middleware does). */
  token: string | (() => string | Promise<string>);
  /** Extra client options (e.g. `middleware` for a custom chain). */
  options?: Partial<ClientOptions>;
}

/**
 * A stock `@microsoft/microsoft-graph-client` pointed at the sandbox: the default middleware chain
 * (auth, retry, redirect, telemetry), `baseUrl` = the HTTPS origin, `customHosts` = localhost so the
 * token is attached, and `fetchOptions.dispatcher` trusting the sandbox certificate.
 * With `options.middleware` (a custom chain) no auth provider is set: the chain must add the token.
 */
export function sandboxGraphClient(o: SandboxGraphOptions): Client {
  const host = new URL(o.httpsUrl).hostname;
  const getToken = typeof o.token === "function" ? o.token : () => o.token as string;
  const auth = o.options?.middleware ? {} : { authProvider: { getAccessToken: async () => getToken() } };
  return Client.initWithMiddleware({
    ...auth,
    baseUrl: o.httpsUrl,
    customHosts: new Set([host]),
    fetchOptions: { dispatcher: sandboxDispatcher(o.ca) } as ClientOptions["fetchOptions"],
    ...o.options,
  });
}

/** Issues tokens for a sandbox account through the control API (plain HTTP). */
export async function sandboxTokens(url: string, email: string, body: { clientId?: string; scopes?: string[] } = {}) {
  const res = await fetch(`${url}/_control/accounts/${encodeURIComponent(email)}/tokens`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`sandbox tokens for ${email}: ${res.status} ${await res.text()}`);
  return (await res.json()) as { access_token: string; refresh_token: string; expires_in: number; scope: string };
}
