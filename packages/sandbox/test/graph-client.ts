import { Client, type ClientOptions } from "@microsoft/microsoft-graph-client";
import { sandboxDispatcher } from "@followthrough/sandbox";

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
  /**
   * Ask for immutable ids on every request (`Prefer: IdType="ImmutableId"`, as the adapter does),
   * so answers carry the fixture's ids; a request's own Prefer header replaces it. Default true.
   */
  immutableIds?: boolean;
}

/**
 * A stock `@microsoft/microsoft-graph-client` pointed at the sandbox: the default middleware chain
 * (auth, retry, redirect, telemetry), `baseUrl` = the HTTPS origin, `customHosts` = localhost so the
 * token is attached, and `fetchOptions.dispatcher` = the package's `sandboxDispatcher` (an undici
 * `Agent` trusting the sandbox certificate on these requests only).
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
    fetchOptions: { dispatcher: sandboxDispatcher(o.ca), ...(o.immutableIds === false ? {} : { headers: { Prefer: 'IdType="ImmutableId"' } }) } as ClientOptions["fetchOptions"],
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
