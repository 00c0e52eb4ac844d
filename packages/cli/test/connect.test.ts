/**
 * `followthrough connect` and the persistent local store.
 *
 * - Google: the credentials file is validated first (one line naming the file, exit 2); the real
 *   @google-cloud/local-auth is driven as far as it can go offline (it only talks to Google's own
 *   endpoints): a fake browser captures the authorize URL it opens (scopes, access_type=offline,
 *   loopback redirect) and the consent is refused. The rest of the Google path (refresh token check,
 *   profile through the adapter, store) runs in-process with `authenticate` replaced, against the sandbox.
 * - Microsoft: the whole loopback authorization-code + PKCE flow, the CLI in a child process against
 *   the sandbox; then a second process sees the account, its refresh token sealed everywhere.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { accountByIdentity, listAccounts, loadAccount, refreshTokenOf, rotateRefreshToken, updateAccount, updateConnection } from "@followthrough/core/accounts";
import { GOOGLE_SCOPES, MICROSOFT_SCOPES, googleEndpoints } from "@followthrough/core/oauth";
import { authorizationRequest, exchangeCode, refreshGrant } from "@followthrough/core/grants";
import { providerFor } from "@followthrough/core/runtime";
import { type RunningSandbox, loadFixture, sandboxAgent, startSandbox } from "@followthrough/sandbox";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ConnectError, connectGoogle } from "../src/connect";
import { loadClientSecret, openLocalStore, withLocalStore } from "../src/local-store";
import { main } from "../src/main";
import { FOLLOWTHROUGH_BIN as bin, runCli } from "../../../test/support/cli";
import { checkThenClose } from "../../../test/support/refusals";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const scratch = mkdtempSync(join(tmpdir(), "ft-connect-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const run = (args: string[], env: Record<string, string> = {}) => runCli(args, { env, timeoutMs: 45_000 });

/** A running child with its output so far, and a way to wait for a line. */
function start(args: string[], env: Record<string, string> = {}) {
  const child: ChildProcess = spawn(process.execPath, [bin, ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const out = { stdout: "", stderr: "" };
  child.stdout!.on("data", (b) => (out.stdout += b));
  child.stderr!.on("data", (b) => (out.stderr += b));
  const exited = new Promise<number | null>((res) => child.once("exit", (code) => res(code)));
  const waitFor = async (re: RegExp, ms = 30_000) => {
    const end = Date.now() + ms;
    for (;;) {
      const m = re.exec(out.stdout);
      if (m) return m;
      if (child.exitCode !== null || Date.now() > end) throw new Error(`no ${re} in output (exit ${child.exitCode}): ${out.stdout}\n${out.stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { child, out, exited, waitFor };
}

/** Runs main() in-process; returns the status and what went to stderr. */
async function mainCapturing(argv: string[]) {
  const err = vi.spyOn(console, "error").mockImplementation(() => {});
  const log = vi.spyOn(console, "log").mockImplementation(() => {});
  try {
    const code = await main(argv);
    return { code, stderr: err.mock.calls.map((c) => c.join(" ")) };
  } finally {
    err.mockRestore();
    log.mockRestore();
  }
}

function file(name: string, content: string): string {
  const p = join(scratch, name);
  writeFileSync(p, content);
  return p;
}

const desktopClient = (o: Record<string, unknown> = {}) =>
  JSON.stringify({
    installed: {
      client_id: "123-abc.apps.googleusercontent.com",
      project_id: "followthrough-test",
      auth_uri: "https://accounts.google.com/o/oauth2/auth",
      token_uri: "https://oauth2.googleapis.com/token",
      client_secret: "GOCSPX-test-secret",
      redirect_uris: ["http://localhost"],
      ...o,
    },
  });

describe("connect google: the credentials file is checked first", () => {
  const cases: [string, () => string, RegExp][] = [
    ["a missing file", () => join(scratch, "nope.json"), /no such file/],
    ["a directory", () => (mkdirSync(join(scratch, "dir.json"), { recursive: true }), join(scratch, "dir.json")), /directory/],
    ["text that is not JSON", () => file("notjson.json", "client_id=123\n"), /not JSON/],
    ["JSON without installed or web", () => file("service.json", JSON.stringify({ type: "service_account", client_email: "x@y" })), /neither an "installed".*nor a "web" key/],
    ["no client_id", () => file("noid.json", JSON.stringify({ installed: { redirect_uris: ["http://localhost"] } })), /"installed\.client_id" is missing/],
    ["no redirect_uris", () => file("noredirect.json", JSON.stringify({ web: { client_id: "x" } })), /"web\.redirect_uris" is missing or empty/],
    ["empty redirect_uris", () => file("emptyredirect.json", desktopClient({ redirect_uris: [] })), /redirect_uris" is missing or empty/],
    ["a name without .json", () => file("client_secret", desktopClient()), /must have a \.json name/],
    ["a non-loopback first redirect", () => file("webredirect.json", desktopClient({ redirect_uris: ["https://app.example/cb"] })), /must be on http:\/\/localhost/],
  ];
  for (const [name, make, message] of cases)
    it(`refuses ${name}: one line naming the file, exit 2`, async () => {
      const path = make();
      const home = join(scratch, `home-${name.replace(/\W+/g, "-")}`);
      const r = await mainCapturing(["connect", "google", "--credentials", path, "--home", home]);
      expect(r.code).toBe(2);
      expect(r.stderr).toHaveLength(1);
      expect(r.stderr[0]).not.toContain("\n");
      expect(r.stderr[0]).toContain(path);
      expect(r.stderr[0]).toMatch(message);
      // Nothing was created before the file was accepted.
      expect(existsSync(home)).toBe(false);
    });

  it("as a child process too: exit 2 and a single stderr line", async () => {
    const r = await run(["connect", "google", "--credentials", join(scratch, "absent.json"), "--home", join(scratch, "h-child")]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toEqual([`followthrough: ${join(scratch, "absent.json")}: no such file`]);
  });

  it("usage errors: no --credentials, unknown provider, unknown flag", async () => {
    for (const argv of [["connect", "google"], ["connect", "yahoo"], ["connect"], ["connect", "microsoft"], ["connect", "microsoft", "--client-id", "x", "--bogus"]]) {
      const r = await mainCapturing(argv);
      expect(r.code, argv.join(" ")).toBe(2);
      expect(r.stderr).toHaveLength(1);
      expect(r.stderr[0]).not.toContain("\n");
    }
  });
});

describe("connect google through @google-cloud/local-auth", () => {
  it("opens the browser on Google's consent with the least-privilege scopes, offline access and a loopback redirect; a refusal is one line, exit 1", async () => {
    const creds = file("client_secret_desktop.json", desktopClient());
    const captured = join(scratch, "browser-url.txt");
    // A "browser" for xdg-open (used by local-auth's `open`): it records the URL it is given.
    const browser = file("fake-browser.sh", `#!/bin/sh\nprintf '%s' "$1" > '${captured}'\n`);
    chmodSync(browser, 0o755);
    const env: Record<string, string> = { BROWSER: browser, XDG_CURRENT_DESKTOP: "", DISPLAY: "", WAYLAND_DISPLAY: "", DESKTOP_SESSION: "", KDE_FULL_SESSION: "", GNOME_DESKTOP_SESSION_ID: "" };
    const p = start(["connect", "google", "--credentials", creds, "--home", join(scratch, "home-google-real")], env);
    try {
      const end = Date.now() + 30_000;
      while (!existsSync(captured) || !readFileSync(captured, "utf8")) {
        if (Date.now() > end || p.child.exitCode !== null) throw new Error(`no browser opened: ${p.out.stdout}\n${p.out.stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const url = new URL(readFileSync(captured, "utf8"));
      expect(url.origin).toBe("https://accounts.google.com");
      expect(url.searchParams.get("client_id")).toBe("123-abc.apps.googleusercontent.com");
      expect(url.searchParams.get("scope")!.split(" ")).toEqual(GOOGLE_SCOPES);
      expect(url.searchParams.get("access_type")).toBe("offline");
      expect(url.searchParams.get("response_type")).toBe("code");
      // What providers.md says local-auth does not send:
      expect(url.searchParams.has("state")).toBe(false);
      expect(url.searchParams.has("code_challenge")).toBe(false);
      expect(url.searchParams.has("prompt")).toBe(false);
      const redirect = new URL(url.searchParams.get("redirect_uri")!);
      expect(redirect.hostname).toBe("localhost");
      expect(Number(redirect.port)).toBeGreaterThan(0);
      // The person clicks "Cancel": Google redirects with error=access_denied.
      const res = await fetch(`${redirect.origin}${redirect.pathname}?error=access_denied`);
      expect(await res.text()).toMatch(/rejected/i);
      expect(await p.exited).toBe(1);
      expect(p.out.stderr.trim().split("\n")).toEqual(["followthrough: Google sign-in failed: access_denied"]);
    } finally {
      p.child.kill();
    }
  });

  it("Ctrl-C while waiting for the sign-in: one line, exit 1, and the store it created is removed (as connect microsoft does)", async () => {
    const creds = file("client_secret_ctrlc.json", desktopClient());
    const browser = file("no-browser.sh", "#!/bin/sh\nexit 0\n");
    chmodSync(browser, 0o755);
    const home = join(scratch, "home-google-ctrlc");
    const p = start(["connect", "google", "--credentials", creds, "--home", home], { BROWSER: browser, DISPLAY: "", WAYLAND_DISPLAY: "" });
    try {
      await p.waitFor(/Ctrl-C to give up/);
      expect(existsSync(join(home, "keyring"))).toBe(true);
      p.child.kill("SIGINT");
      expect(await p.exited).toBe(1);
      expect(p.out.stderr.trim().split("\n")).toEqual(["followthrough: interrupted"]);
      expect(existsSync(home)).toBe(false);
    } finally {
      p.child.kill();
    }
  });

  it("a \"web\" client whose fixed port is taken: one line naming the port, exit 1, nothing created (local-auth died with a stack trace)", async () => {
    const { createServer } = await import("node:net");
    const busy = createServer();
    await new Promise<void>((res) => busy.listen(0, res));
    const port = (busy.address() as { port: number }).port;
    try {
      const creds = file("client_secret_web.json", JSON.stringify({ web: { client_id: "123-abc.apps.googleusercontent.com", client_secret: "s", redirect_uris: [`http://localhost:${port}/oauth2callback`] } }));
      const home = join(scratch, "home-google-web-busy");
      const r = await run(["connect", "google", "--credentials", creds, "--home", home, "--timeout", "5"], { BROWSER: "/bin/true", DISPLAY: "", WAYLAND_DISPLAY: "" });
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split("\n")).toEqual([expect.stringMatching(new RegExp(`^followthrough: port ${port} is in use: the sign-in of a "web" client listens there`))]);
      expect(existsSync(home)).toBe(false);
    } finally {
      await new Promise((res) => busy.close(res));
    }
  });

  describe("after local-auth (authenticate replaced), against the sandbox", () => {
    let sandbox: RunningSandbox;
    const fixture = loadFixture(join(root, "fixtures/demo-google"));
    const clientId = "123-abc.apps.googleusercontent.com";
    beforeAll(async () => {
      sandbox = await startSandbox({ fixtures: [fixture] });
    });
    afterAll(async () => {
      await checkThenClose(sandbox, async () => {
        await sandbox?.close();
      });
    });

    /** A refresh token the sandbox issued to `clientId` for the fixture's account (what Google's consent would yield). */
    async function sandboxRefreshToken() {
      const client = { clientId, endpoints: googleEndpoints(sandbox.url) };
      const { url, pending } = await authorizationRequest("google", client, "http://localhost:1/");
      const consent = new URL(url);
      consent.searchParams.set("account", fixture.account.email);
      consent.searchParams.set("approve", "1");
      const res = await fetch(consent, { redirect: "manual" });
      const tokens = await exchangeCode(client, pending, new URL(res.headers.get("location")!));
      return tokens.refreshToken!;
    }

    it("reads the profile through the adapter and stores the account, token sealed, client secret kept", async () => {
      const creds = file("client_secret_ok.json", desktopClient());
      const home = join(scratch, "home-google-ok");
      const refreshToken = await sandboxRefreshToken();
      const calls: unknown[] = [];
      const account = await connectGoogle({
        credentials: creds,
        home,
        apiUrl: sandbox.url,
        tokenUrl: googleEndpoints(sandbox.url).tokenUrl,
        log: () => {},
        authenticate: async (o) => (calls.push(o), { credentials: { refresh_token: refreshToken, scope: GOOGLE_SCOPES.join(" ") } }),
      });
      expect(calls).toEqual([{ keyfilePath: creds, scopes: GOOGLE_SCOPES }]);
      expect(account.email.toLowerCase()).toBe(fixture.account.email.toLowerCase());
      expect(account.timeZone).toBe(fixture.account.timeZone);
      expect(account.clientId).toBe(clientId);
      await withLocalStore(home, async (s) => {
        const [stored] = await listAccounts(s.repo);
        expect(stored.email).toBe(account.email);
        expect(stored.refreshTokenSealed).not.toContain(refreshToken);
        expect(refreshTokenOf(s.ring, stored)).toBe(refreshToken);
        expect(await loadClientSecret(s, "google", clientId)).toBe("GOCSPX-test-secret");
      });
    });

    it("connecting again keeps the owner's settings and a pause, and takes the new token (helper-106 #1)", async () => {
      const creds = file("client_secret_again.json", desktopClient());
      const home = join(scratch, "home-google-again");
      const connect = async (refreshToken: string) =>
        connectGoogle({ credentials: creds, home, apiUrl: sandbox.url, tokenUrl: googleEndpoints(sandbox.url).tokenUrl, log: () => {}, authenticate: async () => ({ credentials: { refresh_token: refreshToken, scope: GOOGLE_SCOPES.join(" ") } }) });
      const first = await connect(await sandboxRefreshToken());
      const settings = {
        schedule: { day: 3, hour: 17 },
        template: "Hi {firstName}, my own words",
        subjectTemplate: "Great to meet you, {firstName}",
        signatureName: "Isla M.",
        firstNames: { "benosei@gmail.com": "Benjamin" },
        eventEmails: { morningOf: false, morningAfter: false },
        status: "paused" as const,
        timeZone: "Europe/London",
        zoneChosen: true,
      };
      await withLocalStore(home, (s) => updateAccount(s.repo, first.email, settings, Date.now()));
      const second = await sandboxRefreshToken();
      await connect(second);
      await withLocalStore(home, async (s) => {
        const stored = (await loadAccount(s.repo, first.email))!;
        expect(stored).toMatchObject(settings);
        expect(stored.calendarZone).toBe(fixture.account.timeZone);
        expect(refreshTokenOf(s.ring, stored)).toBe(second);
        expect(await listAccounts(s.repo)).toHaveLength(1);
      });
    });

    it("Google's daily limit on the profile read (the project's quota spent until midnight Pacific Time): one line at once, not a wait in retries until the reset", async () => {
      const refreshToken = await sandboxRefreshToken();
      const email = fixture.account.email;
      const faults = await fetch(`${sandbox.url}/_control/faults`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(["gmail.*", "calendar.*"].map((route) => ({ route, account: email, kind: "status", status: 403, reason: "dailyLimitExceeded", times: 0 }))),
      });
      expect(faults.status).toBe(201);
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        const err = await Promise.race([
          connectGoogle({
            credentials: file("client_secret_daily.json", desktopClient()),
            home: join(scratch, "home-google-daily"),
            apiUrl: sandbox.url,
            tokenUrl: googleEndpoints(sandbox.url).tokenUrl,
            log: () => {},
            authenticate: async () => ({ credentials: { refresh_token: refreshToken, scope: GOOGLE_SCOPES.join(" ") } }),
          }).catch((e: unknown) => e),
          // The adapter's retry sleeps a Retry-After of hours on the real clock: without a budget this never settles.
          new Promise((r) => (timer = setTimeout(() => r(new Error("still waiting after 20 s")), 20_000))),
        ]);
        expect(err).toBeInstanceOf(ConnectError);
        expect((err as Error).message).toBe("signed in, but reading the google profile failed: google: Daily Limit Exceeded");
      } finally {
        clearTimeout(timer);
        await fetch(`${sandbox.url}/_control/faults`, { method: "DELETE" });
      }
    }, 30_000);

    it("no refresh token (consent given before, no prompt=consent): one line pointing to myaccount.google.com/permissions", async () => {
      const creds = file("client_secret_again.json", desktopClient());
      const err = await connectGoogle({
        credentials: creds,
        home: join(scratch, "home-google-norefresh"),
        log: () => {},
        authenticate: async () => ({ credentials: { refresh_token: null, scope: GOOGLE_SCOPES.join(" ") } }),
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectError);
      expect((err as Error).message).not.toContain("\n");
      expect((err as Error).message).toMatch(/no refresh token.*https:\/\/myaccount\.google\.com\/permissions/);
    });

    it("says Ctrl-C gives up only once a Ctrl-C is handled (one the moment the line shows ended the process, the store left behind)", async () => {
      const before = process.listenerCount("SIGINT");
      const handledWhenSaid: boolean[] = [];
      await connectGoogle({
        credentials: file("client_secret_ctrlc_said.json", desktopClient()),
        home: join(scratch, "home-google-ctrlc-said"),
        log: (l) => void (/Ctrl-C to give up/.test(l) && handledWhenSaid.push(process.listenerCount("SIGINT") > before)),
        timeoutMs: 50,
        authenticate: () => new Promise(() => {}),
      }).catch(() => undefined);
      expect(handledWhenSaid).toEqual([true]);
      expect(process.listenerCount("SIGINT")).toBe(before);
    });

    it("no sign-in within the wait (no browser on this machine): one line saying so, not a wait for ever", async () => {
      const err = await connectGoogle({
        credentials: file("client_secret_nobrowser.json", desktopClient()),
        home: join(scratch, "home-google-nobrowser"),
        log: () => {},
        timeoutMs: 50,
        authenticate: () => new Promise(() => {}),
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectError);
      expect((err as Error).message).not.toContain("\n");
      expect((err as Error).message).toMatch(/^no sign-in completed within 0 s: connect needs a browser on this machine/);
    });

    it("a scope left unticked on the consent screen is named, and the partial grant is revoked", async () => {
      const refreshToken = await sandboxRefreshToken();
      const endpoints = googleEndpoints(sandbox.url);
      const err = await connectGoogle({
        credentials: file("client_secret_partial.json", desktopClient()),
        home: join(scratch, "home-google-partial"),
        log: () => {},
        revokeUrl: endpoints.revokeUrl,
        authenticate: async () => ({ credentials: { refresh_token: refreshToken, scope: `openid ${GOOGLE_SCOPES[1]}` } }),
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectError);
      expect((err as Error).message).not.toContain("\n");
      expect((err as Error).message).toMatch(/^Google did not grant permissions Followthrough needs, so nothing was stored: gmail\.compose \(.*\); calendar\.readonly \(/);
      // Given back: the refresh token no longer works.
      await expect(refreshGrant({ clientId, endpoints }, refreshToken)).rejects.toMatchObject({ code: "invalid_grant" });
    });
  });
});

describe("connect microsoft: loopback authorization code + PKCE against the sandbox", () => {
  let sandbox: RunningSandbox;
  const fixture = loadFixture(join(root, "fixtures/demo-microsoft"));
  const home = join(scratch, "home-microsoft");
  const clientId = "00000000-0000-0000-0000-00000000f011";
  let caFile: string;
  beforeAll(async () => {
    sandbox = await startSandbox({ fixtures: [fixture], https: true });
    caFile = file("sandbox-ca.pem", sandbox.ca!);
  });
  afterAll(async () => {
    await checkThenClose(sandbox, async () => {
      await sandbox?.close();
    });
  });

  it("prints the authorize URL, receives the code on its loopback server, exchanges it and stores the account", async () => {
    const t0 = Date.now();
    const p = start(
      ["connect", "microsoft", "--client-id", clientId, "--authorize-base", sandbox.url, "--api-url", sandbox.httpsUrl!, "--no-browser", "--home", home],
      // The CLI reads Graph over the sandbox's https listener: trust its self-signed certificate.
      { NODE_EXTRA_CA_CERTS: caFile },
    );
    try {
      const [line] = await p.waitFor(/^http\S+authorize\S*$/m);
      // --no-browser: no browser is opened, and the CLI does not say one was.
      expect(p.out.stdout).toContain("Open this URL in a browser to sign in with Microsoft:");
      expect(p.out.stdout).not.toMatch(/in your browser|does not open/);
      const url = new URL(line);
      expect(url.origin + url.pathname).toBe(`${sandbox.url}/microsoft/common/oauth2/v2.0/authorize`);
      expect(url.searchParams.get("client_id")).toBe(clientId);
      expect(url.searchParams.get("scope")!.split(" ")).toEqual(MICROSOFT_SCOPES);
      expect(url.searchParams.get("code_challenge_method")).toBe("S256");
      const redirect = new URL(url.searchParams.get("redirect_uri")!);
      expect(redirect.hostname).toBe("localhost");
      expect(redirect.pathname).toBe("/callback");

      // While connect waits, the store is held: another process gets a one-line "in use" error.
      await expect(openLocalStore(home)).rejects.toThrow(/in use by another followthrough process/);

      // A forged callback (wrong state) is refused and the CLI keeps waiting.
      const forged = await fetch(`${redirect.origin}/callback?code=forged&state=not-ours`);
      expect(forged.status).toBe(400);
      expect(p.child.exitCode).toBeNull();

      // The person approves in the browser: the sandbox redirects to the CLI's loopback server.
      url.searchParams.set("account", fixture.account.email);
      url.searchParams.set("approve", "1");
      const consent = await fetch(url, { redirect: "manual" });
      expect(consent.status).toBe(302);
      const back = new URL(consent.headers.get("location")!);
      expect(back.origin).toBe(redirect.origin);
      const landing = await fetch(back);
      expect(landing.status).toBe(200);
      expect(await landing.text()).toContain("is connected");
      expect(await p.exited).toBe(0);
      expect(p.out.stdout).toMatch(new RegExp(`connected microsoft +${fixture.account.email.replace(/[.+]/g, "\\$&")}`, "i"));
      expect(p.out.stderr).toBe("");
      console.log(`microsoft connect in a child process: ${Date.now() - t0} ms`);
    } finally {
      p.child.kill();
    }
  });

  it("the keyring is generated once, kid:base64, mode 0600", () => {
    const ring = join(home, "keyring");
    expect(readFileSync(ring, "utf8").trim()).toMatch(/^k1:[A-Za-z0-9+/]{43}=$/);
    expect(statSync(ring).mode & 0o777).toBe(0o600);
  });

  it("a second process sees the account (connect list)", async () => {
    const r = await run(["connect", "list", "--home", home]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(fixture.account.email);
    expect(r.stdout).toContain(`time zone ${fixture.account.timeZone}`);
  });

  it("this process reopens the store: the refresh token is sealed in every item and absent from the db files, and it works", async () => {
    await withLocalStore(home, async (s) => {
      const [account] = await listAccounts(s.repo);
      expect(account.email.toLowerCase()).toBe(fixture.account.email.toLowerCase());
      expect(account.provider).toBe("microsoft");
      expect(account.status).toBe("active");
      expect(account.endpoints?.apiUrl).toBe(sandbox.httpsUrl);
      // Who signed in is kept and linked, as the web connect keeps it (helper-184 #4).
      expect(account.identity).toMatch(/^microsoft:[0-9a-f-]{36}:[0-9a-f-]{36}$/);
      expect((await accountByIdentity(s.repo, account.identity!))?.email).toBe(account.email);
      const token = refreshTokenOf(s.ring, account);
      expect(token.length).toBeGreaterThan(10);
      const items = await s.dynamo.doc.send(new ScanCommand({ TableName: s.dynamo.tableName }));
      expect(items.Items!.length).toBeGreaterThan(0);
      expect(JSON.stringify(items.Items)).not.toContain(token);
      // The stored token is the newest (Microsoft returns a new one on each refresh) and still
      // refreshes: read the profile with it, storing the new one in turn.
      let current = account;
      const profile = await providerFor(account, {
        ring: s.ring,
        microsoft: {
          fetchOptions: { agent: sandboxAgent(sandbox.ca!) } as never,
          onRefreshToken: async (t) => void (current = await rotateRefreshToken(s.repo, s.ring, current, t)),
        },
      }).profile();
      expect(current.refreshTokenSealed).not.toBe(account.refreshTokenSealed);
      expect(profile.email.toLowerCase()).toBe(fixture.account.email.toLowerCase());
    });
    // Closed: the LevelDB files on disk hold no clear token either (checked after close so the log is flushed).
    const [account] = await withLocalStore(home, (s) => listAccounts(s.repo));
    const token = await withLocalStore(home, async (s) => refreshTokenOf(s.ring, (await listAccounts(s.repo))[0]));
    expect(account).toBeDefined();
    const files = readdirSync(join(home, "db"));
    expect(files.some((f) => f.endsWith(".log") || f.endsWith(".ldb"))).toBe(true);
    for (const f of files) expect(readFileSync(join(home, "db", f)).includes(Buffer.from(token)), f).toBe(false);
  });

  it("an approval refused in the browser ends connect with one line, exit 1, nothing stored", async () => {
    const denyHome = join(scratch, "home-microsoft-denied");
    const p = start(["connect", "microsoft", "--client-id", clientId, "--authorize-base", sandbox.url, "--api-url", sandbox.httpsUrl!, "--no-browser", "--home", denyHome]);
    try {
      const [line] = await p.waitFor(/^http\S+authorize\S*$/m);
      const url = new URL(line);
      url.searchParams.set("cancel", "1");
      const res = await fetch(url, { redirect: "manual" });
      const landing = await fetch(res.headers.get("location")!);
      expect(landing.status).toBe(400);
      expect(await p.exited).toBe(1);
      expect(p.out.stderr.trim().split("\n")).toHaveLength(1);
      expect(p.out.stderr).toMatch(/Microsoft sign-in failed: access_denied/);
      expect(await withLocalStore(denyHome, (s) => listAccounts(s.repo))).toEqual([]);
    } finally {
      p.child.kill();
    }
  });

  it("an error of the app registration (a wrong client id, a redirect not allowed) says to check them, not only to run connect again (helper-239 #10)", async () => {
    // (An empty folder made for it counts as none: helper-246 #4.)
    mkdirSync(join(scratch, "home-microsoft-setup"));
    const p = start(["connect", "microsoft", "--client-id", clientId, "--authorize-base", sandbox.url, "--api-url", sandbox.httpsUrl!, "--no-browser", "--home", join(scratch, "home-microsoft-setup")]);
    try {
      const [line] = await p.waitFor(/^http\S+authorize\S*$/m);
      const url = new URL(line);
      // What Entra sends to the redirect for such an error (its state kept).
      const back = new URL(url.searchParams.get("redirect_uri")!);
      back.searchParams.set("error", "unauthorized_client");
      back.searchParams.set("error_description", "AADSTS700016: Application not found in the directory.");
      back.searchParams.set("state", url.searchParams.get("state")!);
      expect((await fetch(back)).status).toBe(400);
      expect(await p.exited).toBe(1);
      expect(p.out.stderr).toMatch(/Microsoft sign-in failed: unauthorized_client: nothing was stored: check --client-id and that the app registration allows the redirect http:\/\/localhost\/callback/);
      // Nothing stored, and no store left behind that this attempt made (helper-245 #4); the empty
      // folder made for it stays, empty.
      expect(readdirSync(join(scratch, "home-microsoft-setup"))).toEqual([]);
    } finally {
      p.child.kill();
    }
  });

  it("`start` loads the connected account from the store and runs its weekly job; the demo is unchanged", async () => {
    const r = await run(["start", "--port", "0", "--home", home], { FOLLOWTHROUGH_EXIT_AFTER_START: "1", NODE_EXTRA_CA_CERTS: caFile });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines.filter((l) => /^(google|microsoft) .*: scanned as of/.test(l) && !l.includes("(connected)"))).toHaveLength(2);
    expect(lines.some((l) => l.includes(`${fixture.account.email} (connected): scanned as of`) && /digest \S+ (sent|already-sent|in-progress)/.test(l)), r.stdout).toBe(true);
    expect(r.stdout).not.toContain("note:");
  });

  it("connecting again with another sign-in than the stored one is a one-line refusal, exit 1, the account left as it was (helper-186 #5)", async () => {
    // The stored account's sign-in is someone else's (the address given to a new owner).
    const other = "microsoft:11111111-1111-4111-a111-111111111111:22222222-2222-4222-a222-222222222222";
    const before = await withLocalStore(home, async (s) => {
      const [account] = await listAccounts(s.repo);
      return updateConnection(s.repo, account.email, { identity: other }, Date.now());
    });
    const p = start(["connect", "microsoft", "--client-id", clientId, "--authorize-base", sandbox.url, "--api-url", sandbox.httpsUrl!, "--no-browser", "--home", home], { NODE_EXTRA_CA_CERTS: caFile });
    try {
      const [line] = await p.waitFor(/^http\S+authorize\S*$/m);
      const url = new URL(line);
      url.searchParams.set("account", fixture.account.email);
      url.searchParams.set("approve", "1");
      const consent = await fetch(url, { redirect: "manual" });
      await fetch(consent.headers.get("location")!);
      expect(await p.exited).toBe(1);
      expect(p.out.stderr.trim().split("\n")).toHaveLength(1);
      expect(p.out.stderr).toMatch(/is connected with another microsoft sign-in: disconnect it first/);
    } finally {
      p.child.kill();
    }
    const [after] = await withLocalStore(home, (s) => listAccounts(s.repo));
    expect(after.identity).toBe(other);
    expect(after.refreshTokenSealed).toBe(before!.refreshTokenSealed);
  });

  it("`start` with an empty or absent store runs the demo only and creates nothing", async () => {
    const empty = join(scratch, "home-absent");
    const r = await run(["start", "--port", "0", "--home", empty], { FOLLOWTHROUGH_EXIT_AFTER_START: "1" });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain("(connected)");
    // The folder named is not there: said, not silent (helper-106 #6).
    expect(r.stdout.split("\n").filter((l) => l.startsWith("note:"))).toEqual([expect.stringMatching(/^note: --home ".*home-absent": no such folder, so the demo only/)]);
    expect(existsSync(empty)).toBe(false);
  });
});

describe("the local store", () => {
  it("keeps its records in a folder only the owner can open, in a home readable by others too", async () => {
    const home = join(scratch, "home-open");
    mkdirSync(join(home, "db"), { recursive: true, mode: 0o755 });
    chmodSync(home, 0o755);
    chmodSync(join(home, "db"), 0o755);
    await withLocalStore(home, async (s) => s.repo.put({ pk: "LOCALTEST", sk: "x" }));
    expect(statSync(join(home, "db")).mode & 0o777).toBe(0o700);
    // A new store's folder too.
    const fresh = join(scratch, "home-new");
    await withLocalStore(fresh, async (s) => s.repo.put({ pk: "LOCALTEST", sk: "x" }));
    expect(statSync(join(fresh, "db")).mode & 0o777).toBe(0o700);
  });

  it("tightens a keyring readable by others to 0600; a malformed one is a one-line error naming it", async () => {
    const home = join(scratch, "home-keyring");
    mkdirSync(home, { recursive: true });
    writeFileSync(join(home, "keyring"), `k2:${Buffer.alloc(32, 7).toString("base64")},k1:${Buffer.alloc(32, 1).toString("base64")}\n`, { mode: 0o644 });
    const ring = await withLocalStore(home, async (s) => s.ring);
    expect(ring.current).toBe("k2");
    expect(Object.keys(ring.keys)).toEqual(["k2", "k1"]);
    expect(statSync(join(home, "keyring")).mode & 0o777).toBe(0o600);
    writeFileSync(join(home, "keyring"), "not a keyring");
    const err = (await openLocalStore(home).then((s) => s.close(), (e: unknown) => e)) as Error;
    expect(err.message).toContain(join(home, "keyring"));
    expect(err.message).not.toContain("\n");
  });

  it("a store whose database folder is a file cannot be opened: one line naming the folder (helper-190 #8)", async () => {
    const home = join(scratch, "home-db-file");
    await withLocalStore(home, async () => undefined);
    rmSync(join(home, "db"), { recursive: true, force: true });
    writeFileSync(join(home, "db"), "not a folder");
    const err = (await openLocalStore(home).then((s) => s.close(), (e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toContain(`the local store ${join(home, "db")} cannot be opened`);
    expect(err.message).not.toContain("\n");
  });

  it("an on-disk path is for dynalite only; the default stays in memory", async () => {
    const { startLocalDynamo } = await import("@followthrough/core/storage");
    await expect(startLocalDynamo({ engine: "dynamodb-local", path: join(scratch, "x") })).rejects.toThrow(/dynalite engine only/);
    const mem = await startLocalDynamo();
    await mem.stop();
  });

  it("connect list on a directory without a store is a one-line error and creates nothing", async () => {
    const r = await mainCapturing(["connect", "list", "--home", join(scratch, "nothing-here")]);
    expect(r.code).toBe(2);
    expect(r.stderr[0]).toMatch(/no local store at .*nothing-here/);
    expect(existsSync(join(scratch, "nothing-here"))).toBe(false);
  });
});
