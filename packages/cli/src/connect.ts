import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import type { ParseArgsConfig } from "node:util";
import { accountByIdentity, type AccountRecord, linkIdentity, listAccounts, loadAccount, type ProviderEndpoints, saveAccount, sealRefreshToken, updateConnection } from "@followthrough/core/accounts";
import { type Grant, reconnectPatch } from "@followthrough/core/connect";
import { GOOGLE_SCOPES, googleEndpoints, identityKey, microsoftEndpoints, missingScopes, missingScopesMessage, type OAuthClientConfig, parseScopes } from "@followthrough/core/oauth";
import { authorizationRequest, exchangeCode } from "@followthrough/core/grants";
import { JOB_RETRY_BUDGET_MS } from "@followthrough/core/limits";
import { type ProviderContext, providerFor } from "@followthrough/core/runtime";
import { encrypt } from "@followthrough/core/secrets";
import { escapeHtml as esc } from "@followthrough/core/text";
import { isZone } from "@followthrough/core/time";
import { parseOnce } from "./args";
import { UsageError } from "./errors";
import { type LocalStore, localHome, saveClientSecret, withLocalStore } from "./local-store";

/**
 * The longest wait a timer holds (2^31 - 1 ms, Node's setTimeout: a longer one fires at once, with a
 * warning), in whole seconds.
 */
const MAX_TIMEOUT_S = Math.floor((2 ** 31 - 1) / 1000);

/**
 * `--timeout`: a whole number of seconds from 1 to {@link MAX_TIMEOUT_S}, 300 when not given. Before,
 * 1e9 passed and gave up at once, saying it had waited that long, and 0.5 waited half a second
 * and said 1 s (helper-171 #4, #10).
 */
function timeoutSeconds(v: string | undefined): number {
  if (v === undefined) return 300;
  const n = /^\d{1,7}$/.test(v.trim()) ? Number(v.trim()) : NaN;
  if (!(n >= 1 && n <= MAX_TIMEOUT_S)) throw new UsageError(`--timeout must be a whole number of seconds from 1 to ${MAX_TIMEOUT_S}, got ${JSON.stringify(v)}`);
  return n;
}

/** The connect flow failed after its arguments were accepted (denied, no refresh token, timeout): one line, exit 1. */
export class ConnectError extends Error {
  /** A sign-in server of a library is still listening (local-auth's, after a timeout): the command ends itself once this is reported. */
  lingering?: true;
}

const localZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

function parse(argv: string[], options: NonNullable<ParseArgsConfig["options"]>) {
  try {
    return parseOnce({ args: argv, options, strict: true, allowPositionals: false }) as Record<string, string | boolean | undefined>;
  } catch (e) {
    throw new UsageError(`connect: ${(e as Error).message} (try: followthrough help)`);
  }
}

// ---------------------------------------------------------------------------------------------
// Google: the OAuth client file downloaded from Google Cloud console

/** What the CLI needs from a Google OAuth client file. */
export interface GoogleClientFile {
  kind: "installed" | "web";
  clientId: string;
  clientSecret?: string;
  redirectUris: string[];
}

/**
 * Validates a Google OAuth client file (`client_secret_….json`) before anything else happens.
 * Every problem is a one-line {@link UsageError} naming the file (exit 2).
 */
export function readGoogleClientFile(path: string): GoogleClientFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`${path}: ${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory, not a client file" : `cannot read it (${code ?? (e as Error).message})`}`);
  }
  // local-auth loads the file with require(): anything but a .json name would be run as JavaScript.
  if (!/\.json$/i.test(path)) throw new UsageError(`${path}: the client file must have a .json name (as downloaded from Google Cloud console)`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError(`${path}: not JSON (download the OAuth client from Google Cloud console > APIs & Services > Credentials)`);
  }
  const obj = (json && typeof json === "object" ? json : {}) as Record<string, unknown>;
  const kind = "installed" in obj ? "installed" : "web" in obj ? "web" : undefined;
  if (!kind) throw new UsageError(`${path}: not a Google OAuth client file: it has neither an "installed" (Desktop app) nor a "web" key`);
  const keys = (obj[kind] && typeof obj[kind] === "object" ? obj[kind] : {}) as Record<string, unknown>;
  if (typeof keys.client_id !== "string" || !keys.client_id) throw new UsageError(`${path}: "${kind}.client_id" is missing`);
  const uris = keys.redirect_uris;
  if (!Array.isArray(uris) || uris.length === 0 || !uris.every((u) => typeof u === "string"))
    throw new UsageError(`${path}: "${kind}.redirect_uris" is missing or empty (a Desktop app client has ["http://localhost"])`);
  // @google-cloud/local-auth redirects to the first URI and insists on host "localhost".
  let first: URL | undefined;
  try {
    first = new URL(uris[0] as string);
  } catch {
    /* reported below */
  }
  if (!first || first.hostname !== "localhost")
    throw new UsageError(`${path}: the first redirect URI must be on http://localhost for the local sign-in, got ${JSON.stringify(uris[0])} (use a "Desktop app" client)`);
  return {
    kind,
    clientId: keys.client_id,
    clientSecret: typeof keys.client_secret === "string" ? keys.client_secret : undefined,
    redirectUris: uris as string[],
  };
}

/** What `authenticate` of @google-cloud/local-auth returns, as far as the CLI cares. */
export interface LocalAuthClient {
  credentials: { refresh_token?: string | null; scope?: string | null };
}
export type Authenticate = (o: { keyfilePath: string; scopes: string[] }) => Promise<LocalAuthClient>;

/** Options of {@link connectGoogle}; `apiUrl`/`tokenUrl` point the profile read elsewhere (tests only). */
export interface GoogleConnectOptions {
  credentials: string;
  home: string;
  authenticate?: Authenticate;
  apiUrl?: string;
  tokenUrl?: string;
  /** Where a partial grant is given back (Google's revoke endpoint by default). */
  revokeUrl?: string;
  /** How long to wait for the sign-in in the browser (default 300 s, `--timeout`). */
  timeoutMs?: number;
  log?: (line: string) => void;
}

/** Gives a refresh token back to Google (a partial grant we will not keep); best effort, never throws. */
async function revokeGoogle(url: string, token: string): Promise<void> {
  await fetch(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ token }), signal: AbortSignal.timeout(10_000) }).catch(
    () => undefined,
  );
}

/**
 * local-auth listens for a "web" client on a fixed port (its first redirect URI's, else 3000; a
 * Desktop app client gets a free one), with no handler for a port it cannot take: the process died
 * with its stack trace, leaving an empty store behind. Tried here first, as local-auth listens.
 */
async function checkLocalAuthPort(path: string, file: GoogleClientFile): Promise<void> {
  if (file.kind !== "web") return;
  const port = Number(new URL(file.redirectUris[0]).port || 3000);
  const probe = createServer();
  const error = await new Promise<NodeJS.ErrnoException | undefined>((res) => {
    probe.once("error", res);
    probe.listen(port, () => probe.close(() => res(undefined)));
  });
  if (error)
    throw new ConnectError(
      `port ${port} is ${error.code === "EADDRINUSE" ? "in use" : `not available (${error.code ?? error.message})`}: the sign-in of a "web" client listens there (${path}: its first redirect URI's port, else 3000); free it, or use a "Desktop app" client, which takes a free port`,
    );
}

/** The sign-in's wait ran out. */
class TimedOut extends Error {}

const realAuthenticate: Authenticate = async (o) => {
  const { authenticate } = await import("@google-cloud/local-auth");
  return (await authenticate(o)) as unknown as LocalAuthClient;
};

/**
 * `connect google`: @google-cloud/local-auth's loopback sign-in (it opens the browser itself and
 * asks for access_type=offline, without prompt=consent, state or PKCE: fine for a local CLI, never
 * in a server), then the profile through the real adapter, and the account saved in the local store.
 */
export async function connectGoogle(o: GoogleConnectOptions): Promise<AccountRecord> {
  const log = o.log ?? ((l: string) => console.log(l));
  const file = readGoogleClientFile(o.credentials);
  if (!o.authenticate) await checkLocalAuthPort(o.credentials, file);
  return withLocalStore(o.home, async (store) => {
    const timeoutMs = o.timeoutMs ?? 300_000;
    let client: LocalAuthClient;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let interrupt: (() => void) | undefined;
    try {
      // local-auth opens the browser itself and waits on its loopback server with no end and no URL
      // printed: on a machine with no browser it would wait for ever. Bounded here. Ctrl-C ends the
      // wait as a refusal does, so that a store this command created is removed (withLocalStore), as
      // connect microsoft does; Node's default ended the process and left it behind, empty.
      const gaveUp = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new TimedOut()), timeoutMs);
        interrupt = () => reject(Object.assign(new ConnectError("interrupted"), { lingering: true as const }));
        process.once("SIGINT", interrupt);
      });
      // Said once Ctrl-C is ours to handle: a Ctrl-C the moment the line shows ended the process by
      // Node's default and left the store behind (CI's loaded run of the Ctrl-C test, 2026-12-07).
      log(`Opening your browser on Google's consent page (it needs a browser on this machine; waiting ${Math.round(timeoutMs / 1000)} s, Ctrl-C to give up)…`);
      client = await Promise.race([(o.authenticate ?? realAuthenticate)({ keyfilePath: resolve(o.credentials), scopes: GOOGLE_SCOPES }), gaveUp]);
    } catch (e) {
      if (e instanceof ConnectError) throw e;
      if (e instanceof TimedOut) {
        // local-auth's loopback server is still listening and cannot be closed from here: the command
        // ends itself once the error is reported (connectCommand).
        throw Object.assign(new ConnectError(
          `no sign-in completed within ${Math.round(timeoutMs / 1000)} s: connect needs a browser on this machine (on one without, connect where there is one and copy the .followthrough folder, docs/self-hosting.md); --timeout <s> waits longer`,
        ), { lingering: true as const });
      }
      throw new ConnectError(`Google sign-in failed: ${oneLine((e as Error).message)}`);
    } finally {
      clearTimeout(timer);
      if (interrupt) process.off("SIGINT", interrupt);
    }
    const refreshToken = client.credentials.refresh_token;
    if (!refreshToken)
      throw new ConnectError(
        "Google returned no refresh token (it sends one only on the first consent, and local-auth cannot force a new one): " +
          "remove this app's access at https://myaccount.google.com/permissions, then run connect again",
      );
    // Granular consent: Google lists what the person left ticked in `scope`.
    const granted = parseScopes(client.credentials.scope);
    const missing = missingScopes("google", granted);
    if (missing.length) {
      await revokeGoogle(o.revokeUrl ?? googleEndpoints().revokeUrl!, refreshToken);
      throw new ConnectError(missingScopesMessage("google", missing));
    }
    const endpoints = o.apiUrl || o.tokenUrl ? { apiUrl: o.apiUrl, tokenUrl: o.tokenUrl } : undefined;
    const account = await storeAccount(store, "google", file.clientId, refreshToken, endpoints, { google: { clientSecret: file.clientSecret } }, granted);
    if (file.clientSecret) await saveClientSecret(store, "google", file.clientId, file.clientSecret);
    return account;
  });
}

// ---------------------------------------------------------------------------------------------
// Microsoft: authorization code + PKCE on a loopback redirect

/** Options of {@link connectMicrosoft}. */
export interface MicrosoftConnectOptions {
  clientId: string;
  tenant: string;
  home: string;
  /** Origin of the authorize/token endpoints (the sandbox); Microsoft's by default. */
  authorizeBase?: string;
  /** Graph origin (the sandbox's https URL); Microsoft's by default. */
  apiUrl?: string;
  browser: boolean;
  timeoutMs: number;
  log?: (line: string) => void;
  /** Adapter knobs (the sandbox's TLS trust in tests). */
  microsoft?: ProviderContext["microsoft"];
}

/** A best-effort browser launch; failure (no browser, no display) is ignored: the URL is printed. */
export function openBrowser(url: string): void {
  const [cmd, args] =
    process.platform === "darwin" ? ["open", [url]] : process.platform === "win32" ? ["cmd", ["/c", "start", '""', url.replace(/&/g, "^&")]] : ["xdg-open", [url]];
  try {
    const child = spawn(cmd, args, { stdio: "ignore", detached: true });
    child.on("error", () => {});
    child.unref();
  } catch {
    /* ignored */
  }
}

/**
 * The loopback's answer in the person's browser: laid out at a phone's width, in the system's light
 * or dark scheme, one landmark and heading (test/cli-connect-browser.test.ts checks it in Chromium).
 */
const page = (title: string, text: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
  `<meta name="color-scheme" content="light dark"><title>${esc(title)} · Followthrough</title></head>` +
  `<body style="font-family:system-ui,sans-serif;line-height:1.5;margin:0"><main style="max-width:32rem;margin:3rem auto;padding:0 1rem;overflow-wrap:anywhere">` +
  `<h1>${esc(title)}</h1><p>${esc(text)}</p></main></body></html>`;
const oneLine = (s: string) => s.replace(/\s+/g, " ").trim();

/** A loopback listener on 127.0.0.1 (and ::1 on the same port when available), as `localhost`. */
async function loopback(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ port: number; close(): Promise<void> }> {
  const servers: Server[] = [];
  const listen = (host: string, port: number) =>
    new Promise<Server>((res, rej) => {
      const s = createServer(handler);
      s.once("error", rej);
      s.listen(port, host, () => res(s));
    });
  const v4 = await listen("127.0.0.1", 0);
  servers.push(v4);
  const port = (v4.address() as AddressInfo).port;
  // Browsers may resolve localhost to ::1 first; answer there too when the machine has IPv6 loopback.
  await listen("::1", port).then((s) => servers.push(s), () => {});
  return {
    port,
    close: () =>
      Promise.all(
        servers.map((s) => new Promise<void>((res) => (s.close(() => res()), s.closeAllConnections()))),
      ).then(() => {}),
  };
}

/**
 * `connect microsoft`: a public client (no secret) with authorization code + PKCE. The redirect URI
 * is http://localhost:<port>/callback on a loopback server this command runs; Entra ignores the
 * port of localhost redirect URIs, so the app registers http://localhost/callback once.
 */
export async function connectMicrosoft(o: MicrosoftConnectOptions): Promise<AccountRecord> {
  const log = o.log ?? ((l: string) => console.log(l));
  return withLocalStore(o.home, async (store) => {
    const endpoints = microsoftEndpoints(o.authorizeBase, o.tenant);
    const client: OAuthClientConfig = { clientId: o.clientId, endpoints };
    let settle!: { ok: (v: URL) => void; fail: (e: Error) => void };
    const callback = new Promise<URL>((ok, fail) => (settle = { ok, fail }));
    let respond: ((status: number, title: string, text: string) => void) | undefined;
    let expectedState = "";
    const server = await loopback((req, res) => {
      const url = new URL(req.url ?? "/", "http://localhost");
      if (url.pathname !== "/callback" || req.method !== "GET") {
        res.writeHead(404, { "content-type": "text/plain" }).end("not found");
        return;
      }
      // A request without our state is not the answer to our request (a stray or forged one): refuse it, keep waiting.
      if (url.searchParams.get("state") !== expectedState || respond) {
        res.writeHead(400, { "content-type": "text/html; charset=utf-8" }).end(page("Sign-in not recognised", "This answer does not match the sign-in started by followthrough connect."));
        return;
      }
      respond = (status, title, text) => res.writeHead(status, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" }).end(page(title, text));
      settle.ok(url);
    });
    const timer = setTimeout(() => settle.fail(new ConnectError(`no answer from the browser within ${Math.round(o.timeoutMs / 1000)} s: run connect again`)), o.timeoutMs);
    const interrupt = () => settle.fail(new ConnectError("interrupted"));
    process.once("SIGINT", interrupt);
    try {
      const redirectUri = `http://localhost:${server.port}/callback`;
      const { url, pending } = await authorizationRequest("microsoft", client, redirectUri);
      expectedState = pending.state;
      log(o.browser ? "Sign in with Microsoft in your browser. If it does not open, open this URL:" : "Open this URL in a browser to sign in with Microsoft:");
      log(url);
      if (o.browser) openBrowser(url);
      const answer = await callback;
      clearTimeout(timer);
      try {
        const error = answer.searchParams.get("error");
        if (error) {
          // What to do next first, Entra's own words (AADSTS code, trace and correlation ids) after (helper-238 #12).
          // Any other error is the app registration's (a wrong client id, a redirect it does not allow): connecting again alone would not help (helper-239 #10).
          const next =
            error === "access_denied"
              ? "the permissions were declined, or an admin of your organisation must allow them first; nothing was stored: run connect again"
              : "nothing was stored: check --client-id and that the app registration allows the redirect http://localhost/callback (docs/self-hosting.md), then run connect again";
          const said = answer.searchParams.get("error_description");
          throw new ConnectError(`Microsoft sign-in failed: ${error}: ${next}${said ? ` (Microsoft said: ${oneLine(said)})` : ""}`);
        }
        let tokens;
        try {
          tokens = await exchangeCode(client, pending, answer);
        } catch (e) {
          throw new ConnectError(`Microsoft token exchange failed: ${oneLine((e as Error).message)}`);
        }
        if (!tokens.refreshToken) throw new ConnectError("Microsoft returned no refresh token (offline_access was not granted): run connect again and accept every permission");
        // A tenant policy can leave a permission out of the token: its `scope` lists what was granted.
        const granted = parseScopes(tokens.scope);
        // Entra lists the resource's scopes only; the ID token's identity shows openid and profile (helper-182 #2).
        const missing = missingScopes("microsoft", granted, { hasRefreshToken: true, hasIdToken: tokens.identity !== undefined });
        if (missing.length) throw new ConnectError(missingScopesMessage("microsoft", missing));
        const stored: ProviderEndpoints | undefined =
          o.authorizeBase || o.apiUrl || o.tenant !== "common" ? { apiUrl: o.apiUrl, tokenUrl: endpoints.tokenUrl, authorizeUrl: endpoints.authorizeUrl } : undefined;
        // Who signed in, kept and linked as the web connect keeps it: the refresh's ID token is checked
        // against its tenant (core/oauth microsoftAccountEndpoints), and the settings sign-in finds it (helper-184 #4).
        const identity = tokens.identity ? identityKey(tokens.identity) : undefined;
        const account = await storeAccount(store, "microsoft", o.clientId, tokens.refreshToken, stored, { microsoft: o.microsoft }, granted, identity);
        respond?.(200, "Connected", `${account.email} is connected to Followthrough. You can close this tab.`);
        return account;
      } catch (e) {
        respond?.(400, "Not connected", e instanceof ConnectError ? e.message : "The account could not be connected; see the terminal.");
        throw e;
      }
    } finally {
      clearTimeout(timer);
      process.off("SIGINT", interrupt);
      await server.close();
    }
  });
}

// ---------------------------------------------------------------------------------------------

/**
 * Reads the profile through the real adapter with the new refresh token, then saves the account
 * (the refresh token sealed). A reconnect writes only what the new grant decides: the owner's settings and a pause stay.
 */
async function storeAccount(
  store: LocalStore,
  provider: "google" | "microsoft",
  clientId: string,
  refreshToken: string,
  endpoints: ProviderEndpoints | undefined,
  ctx: Pick<ProviderContext, "google" | "microsoft">,
  scopes?: string[],
  /** The sign-in identity (core/oauth identityKey), when the flow read one. */
  identity?: string,
): Promise<AccountRecord> {
  let latest = refreshToken;
  // The adapter needs an account record: a provisional one, sealed under a placeholder address.
  const placeholder = "connecting@localhost";
  const provisional: AccountRecord = {
    provider,
    email: placeholder,
    aliases: [],
    timeZone: localZone(),
    clientId,
    refreshTokenSealed: encrypt(store.ring, refreshToken, placeholder),
    status: "active",
    endpoints,
    connectedAt: Date.now(),
  };
  const adapter = providerFor(provisional, {
    ring: store.ring,
    // A provider's wait is waited out for a minute at most, as followthrough start's is: a long
    // Retry-After (a Google project's daily quota, spent until midnight Pacific Time: core/google
    // classifyGoogleError) fails the connect with its one line instead of sleeping in retries for hours.
    retry: { budgetMs: JOB_RETRY_BUDGET_MS },
    google: ctx.google,
    // Microsoft rotates the refresh token on the first refresh: keep the newest.
    microsoft: { ...ctx.microsoft, onRefreshToken: async (t) => void (latest = t) },
  });
  let profile;
  try {
    profile = await adapter.profile();
  } catch (e) {
    throw new ConnectError(`signed in, but reading the ${provider} profile failed: ${oneLine((e as Error).message)}`);
  }
  const previous = await loadAccount(store.repo, profile.email);
  // A sign-in is linked to one account. The web connect decides the other cases (core/connect
  // storeConnection: the address given to a new owner, an account renamed); here they are refused,
  // nothing changed, rather than a new sign-in taking over another's account (helper-186 #5).
  if (identity) {
    if (previous?.identity && previous.identity !== identity)
      throw new ConnectError(`${previous.email} is connected with another ${provider} sign-in: disconnect it first (the settings page), then connect again`);
    const linked = await accountByIdentity(store.repo, identity);
    if (linked && linked.email !== profile.email.toLowerCase())
      throw new ConnectError(`this ${provider} sign-in is connected as ${linked.email}: disconnect that account first (the settings page), then connect again`);
  }
  if (previous && previous.provider === provider) {
    // A reconnect writes only what the new grant decides, the hosted one's patch (core/connect
    // reconnectPatch): the owner's settings (a pause, subject, signature, first names, event emails,
    // a chosen zone) stay. Saving a whole new record lost them and turned a paused account on (helper-106 #1).
    const grant: Grant = { provider, email: previous.email, profile, clientId, endpoints, scopes, now: Date.now(), ...(identity ? { identity } : {}) };
    const sealed = sealRefreshToken(store.ring, previous.email, latest);
    const updated = await updateConnection(store.repo, previous.email, (current) => reconnectPatch(grant, current, sealed), grant.now);
    if (updated) {
      if (identity) await linkIdentity(store.repo, identity, updated.email);
      return updated;
    }
  }
  const account = await saveAccount(store.repo, store.ring, {
    provider,
    email: profile.email,
    aliases: profile.aliases,
    displayName: profile.displayName,
    // As the hosted connect does (core/connect): a zone this runtime does not know is not stored.
    timeZone: (profile.timeZone && isZone(profile.timeZone) ? profile.timeZone : undefined) ?? previous?.timeZone ?? localZone(),
    clientId,
    refreshToken: latest,
    status: "active",
    endpoints,
    connectedAt: Date.now(),
    ...(previous?.schedule ? { schedule: previous.schedule } : {}),
    ...(previous?.template ? { template: previous.template } : {}),
    ...(scopes ? { scopes } : {}),
    ...(identity ? { identity } : {}),
  });
  if (identity) await linkIdentity(store.repo, identity, account.email);
  return account;
}

const describe = (a: AccountRecord) =>
  `${a.provider.padEnd(9)} ${a.email}${a.aliases.length ? ` (aliases: ${a.aliases.join(", ")})` : ""}, time zone ${a.timeZone}, ${a.status}`;

/** `followthrough connect google|microsoft|list …`. Returns the exit status. */
export async function connectCommand(argv: string[]): Promise<number> {
  const [what, ...rest] = argv;
  try {
    switch (what) {
      case "google": {
        const v = parse(rest, { credentials: { type: "string" }, home: { type: "string" }, timeout: { type: "string" } });
        if (!v.credentials) throw new UsageError("connect google needs --credentials <client_secret.json>");
        const timeout = timeoutSeconds(v.timeout as string | undefined);
        const account = await connectGoogle({ credentials: v.credentials as string, home: localHome(v.home as string | undefined), timeoutMs: timeout * 1000 }).catch((e: unknown) => {
          // Its error line is printed by the caller; then the process ends, though local-auth still listens.
          if (e instanceof ConnectError && e.lingering) setTimeout(() => process.exit(process.exitCode ?? 1), 1_000).unref();
          throw e;
        });
        console.log(`connected ${describe(account)}`);
        return 0;
      }
      case "microsoft": {
        const v = parse(rest, {
          "client-id": { type: "string" },
          tenant: { type: "string" },
          home: { type: "string" },
          "no-browser": { type: "boolean" },
          timeout: { type: "string" },
          "authorize-base": { type: "string" },
          "api-url": { type: "string" },
        });
        const clientId = v["client-id"] as string | undefined;
        if (!clientId) throw new UsageError("connect microsoft needs --client-id <application (client) id>");
        const tenant = (v.tenant as string | undefined) ?? "common";
        if (!/^[A-Za-z0-9.-]+$/.test(tenant)) throw new UsageError(`--tenant must be common, organizations, consumers, a tenant id or domain; got ${JSON.stringify(tenant)}`);
        const timeout = timeoutSeconds(v.timeout as string | undefined);
        for (const k of ["authorize-base", "api-url"] as const)
          if (v[k] !== undefined && !/^https?:\/\/[^/]+/.test(v[k] as string)) throw new UsageError(`--${k} must be an http(s) origin, got ${JSON.stringify(v[k])}`);
        if (v["authorize-base"] && !v["api-url"]) throw new UsageError("--authorize-base needs --api-url too (the Graph origin, e.g. the sandbox's https URL)");
        const account = await connectMicrosoft({
          clientId,
          tenant,
          home: localHome(v.home as string | undefined),
          authorizeBase: v["authorize-base"] as string | undefined,
          apiUrl: v["api-url"] as string | undefined,
          browser: !v["no-browser"],
          timeoutMs: timeout * 1000,
        });
        console.log(`connected ${describe(account)}`);
        return 0;
      }
      case "list": {
        const v = parse(rest, { home: { type: "string" } });
        const home = localHome(v.home as string | undefined);
        const accounts = await withLocalStore(home, (s) => listAccounts(s.repo), { create: false });
        if (!accounts.length) console.log(`no accounts in ${home}`);
        for (const a of accounts) console.log(describe(a));
        return 0;
      }
      default:
        throw new UsageError(what === undefined ? "connect needs google, microsoft or list (try: followthrough help)" : `connect: unknown provider ${JSON.stringify(what)} (google, microsoft or list)`);
    }
  } catch (e) {
    if (e instanceof ConnectError) {
      console.error(`followthrough: ${e.message}`);
      return 1;
    }
    throw e;
  }
}
