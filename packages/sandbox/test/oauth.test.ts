import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CodeChallengeMethod, OAuth2Client, gaxios } from "google-auth-library";
import * as oauth from "oauth4webapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningSandbox, startSandbox } from "../src/index";

const GOOGLE = "founder@sandbox.test";
const GOOGLE_2 = "cofounder@sandbox.test";
const MS = "consultant@sandbox.test";
const GMAIL_SCOPE = "https://www.googleapis.com/auth/gmail.metadata";
const REDIRECT = "http://127.0.0.1:8976/oauth/callback";

let dir: string;
let sb: RunningSandbox;

function writeFixture(name: string, provider: "google" | "microsoft", email: string, displayName: string): string {
  const d = join(dir, name);
  const sub = join(d, provider);
  mkdirSync(sub, { recursive: true });
  writeFileSync(join(d, "account.json"), JSON.stringify({ provider, email, aliases: [], displayName, timeZone: "UTC" }));
  const files = provider === "google" ? ["messages.json", "events.json"] : ["inbox.json", "sentitems.json", "events.json"];
  for (const f of files) writeFileSync(join(sub, f), "[]");
  return d;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sandbox-oauth-"));
  const fixtures = [
    writeFixture("g1", "google", GOOGLE, "Fay Founder"),
    writeFixture("g2", "google", GOOGLE_2, "Cody Cofounder"),
    writeFixture("m1", "microsoft", MS, "Connie Consultant"),
  ];
  sb = await startSandbox({ fixtures });
});

afterAll(async () => {
  await sb?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Approves an authorization request in one request (the sandbox's non-browser shortcut); returns the redirect URL. */
async function approve(authUrl: string, email: string): Promise<URL> {
  const res = await fetch(`${authUrl}&account=${encodeURIComponent(email)}&approve=1`, { redirect: "manual" });
  expect(res.status).toBe(302);
  return new URL(res.headers.get("location")!);
}

const control = (path: string) => fetch(`${sb.url}/_control${path}`, { method: "POST" });

const tokenPost = (path: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(`${sb.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(form),
  });

async function refreshError(p: Promise<unknown>): Promise<unknown> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(gaxios.GaxiosError);
  return (e as gaxios.GaxiosError).response?.data;
}

describe("the sandbox's own address", () => {
  it("names the mailboxes it serves, what it answers and where it is described", async () => {
    const res = await fetch(`${sb.url}/`);
    expect(res.status).toBe(200);
    const text = await res.text();
    for (const email of [GOOGLE, GOOGLE_2, MS]) expect(text).toContain(email);
    expect(text).toMatch(/\/gmail\/v1.*\/calendar\/v3.*\/v1\.0.*\/_control.*docs\/sandbox\.md/);
  });
});

describe("Google OAuth through google-auth-library", () => {
  const clientId = "1234-sandbox.apps.googleusercontent.com";
  const makeClient = () =>
    new OAuth2Client({
      clientId,
      clientSecret: "sandbox-secret",
      redirectUri: REDIRECT,
      forceRefreshOnFailure: true,
      endpoints: {
        oauth2AuthBaseUrl: `${sb.url}/google/o/oauth2/v2/auth`,
        oauth2TokenUrl: `${sb.url}/google/token`,
        oauth2RevokeUrl: `${sb.url}/google/revoke`,
      },
    });

  async function authorize(client: OAuth2Client, email: string, extra: { prompt?: string; state?: string } = {}) {
    const { codeVerifier, codeChallenge } = await client.generateCodeVerifierAsync();
    const state = extra.state ?? "st/ate+=&ü";
    const url = client.generateAuthUrl({
      access_type: "offline",
      scope: [GMAIL_SCOPE, "email", "profile"],
      state,
      code_challenge: codeChallenge,
      code_challenge_method: CodeChallengeMethod.S256,
      login_hint: email,
      prompt: extra.prompt,
    });
    const back = await approve(url, email);
    expect(back.origin + back.pathname).toBe(REDIRECT);
    expect(back.searchParams.get("state")).toBe(state);
    return { code: back.searchParams.get("code")!, codeVerifier, back };
  }

  it("runs the PKCE code flow, calls userinfo, refreshes after expiry and dies after revoke", async () => {
    const client = makeClient();
    const { code, codeVerifier, back } = await authorize(client, GOOGLE);
    expect(code.startsWith("4/0A")).toBe(true);
    expect(back.searchParams.get("scope")).toContain(GMAIL_SCOPE);

    const { tokens } = await client.getToken({ code, codeVerifier });
    expect(tokens.access_token).toBeTruthy();
    expect(tokens.refresh_token).toBeTruthy();
    expect(tokens.token_type).toBe("Bearer");
    expect(tokens.scope?.split(" ").sort()).toEqual(
      [GMAIL_SCOPE, "https://www.googleapis.com/auth/userinfo.email", "https://www.googleapis.com/auth/userinfo.profile"].sort(),
    );
    client.setCredentials(tokens);

    const me = await client.request<{ sub: string; email: string; email_verified: boolean; name: string }>({ url: `${sb.url}/google/oauth2/v3/userinfo` });
    expect(me.data).toMatchObject({ email: GOOGLE, email_verified: true, name: "Fay Founder" });
    expect(me.data.sub).toMatch(/^\d{21}$/);

    // Expire the access token on the server: the client's 401 retry refreshes via the sandbox token endpoint.
    await control(`/accounts/${GOOGLE}/expire-access`);
    const stale = await fetch(`${sb.url}/google/oauth2/v3/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(stale.status).toBe(401);
    const again = await client.request<{ email: string }>({ url: `${sb.url}/google/oauth2/v3/userinfo` });
    expect(again.data.email).toBe(GOOGLE);
    expect(client.credentials.access_token).not.toBe(tokens.access_token);
    expect(client.credentials.refresh_token).toBe(tokens.refresh_token); // Google does not rotate

    // Explicit refresh also works (and keeps working: no rotation).
    const refreshed = await client.refreshAccessToken();
    expect(refreshed.credentials.access_token).toBeTruthy();

    await client.revokeToken(tokens.refresh_token!);
    const data = await refreshError(client.refreshAccessToken());
    expect(data).toMatchObject({ error: "invalid_grant", error_description: "Token has been expired or revoked." });
  });

  it("rejects a wrong code verifier and a replayed code with invalid_grant", async () => {
    const client = makeClient();
    const first = await authorize(client, GOOGLE_2, { prompt: "consent" });
    const wrong = await refreshError(client.getToken({ code: first.code, codeVerifier: "x".repeat(64) }));
    expect(wrong).toMatchObject({ error: "invalid_grant" });

    const second = await authorize(client, GOOGLE_2, { prompt: "consent" });
    const ok = await client.getToken({ code: second.code, codeVerifier: second.codeVerifier });
    expect(ok.tokens.access_token).toBeTruthy();
    const replay = await refreshError(client.getToken({ code: second.code, codeVerifier: second.codeVerifier }));
    expect(replay).toMatchObject({ error: "invalid_grant" });
    // A replayed code revokes what the code issued.
    const me = await fetch(`${sb.url}/google/oauth2/v3/userinfo`, { headers: { authorization: `Bearer ${ok.tokens.access_token}` } });
    expect(me.status).toBe(401);
  });

  it("returns a refresh token on first offline consent, then only with prompt=consent, and again after revocation", async () => {
    const client = makeClient();
    const redeem = async (prompt?: string) => {
      const a = await authorize(client, GOOGLE, { prompt });
      return (await client.getToken({ code: a.code, codeVerifier: a.codeVerifier })).tokens;
    };
    await control(`/accounts/${GOOGLE}/revoke`);
    const first = await redeem();
    expect(first.refresh_token).toBeTruthy();
    expect((await redeem()).refresh_token).toBeUndefined();
    expect((await redeem("consent")).refresh_token).toBeTruthy();

    // Control revoke kills refresh tokens; the next offline consent issues a new one.
    await control(`/accounts/${GOOGLE}/revoke`);
    client.setCredentials({ refresh_token: first.refresh_token });
    const data = await refreshError(client.refreshAccessToken());
    expect(data).toMatchObject({ error: "invalid_grant" });
    expect((await redeem()).refresh_token).toBeTruthy();
  });

  it("omits the refresh token without access_type=offline and gates userinfo claims by scope", async () => {
    const client = makeClient();
    const { codeVerifier, codeChallenge } = await client.generateCodeVerifierAsync();
    const url = client.generateAuthUrl({ scope: [GMAIL_SCOPE], code_challenge: codeChallenge, code_challenge_method: CodeChallengeMethod.S256 });
    const back = await approve(url, GOOGLE);
    expect(back.searchParams.has("state")).toBe(false);
    const { tokens } = await client.getToken({ code: back.searchParams.get("code")!, codeVerifier });
    expect(tokens.refresh_token).toBeUndefined();
    const me = await fetch(`${sb.url}/google/oauth2/v3/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    const body = (await me.json()) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(["sub"]);
  });

  it("revoke endpoint: unknown token -> invalid_token; access-token revoke ends the grant; GET ?token= works", async () => {
    const bad = await fetch(`${sb.url}/google/revoke?token=nope`, { method: "POST" });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: "invalid_token" });

    const issued = (await (await fetch(`${sb.url}/_control/accounts/${GOOGLE_2}/tokens`, { method: "POST" })).json()) as {
      access_token: string;
      refresh_token: string;
    };
    const res = await fetch(`${sb.url}/google/revoke?token=${encodeURIComponent(issued.access_token)}`);
    expect(res.status).toBe(200);
    const r = await tokenPost("/google/token", { grant_type: "refresh_token", refresh_token: issued.refresh_token, client_id: "sandbox-client" });
    expect(r.status).toBe(400);
    expect(await r.json()).toMatchObject({ error: "invalid_grant" });
  });
});

describe("Google token endpoint (raw HTTP)", () => {
  async function code(extra: Record<string, string> = {}) {
    const q = new URLSearchParams({ client_id: "raw-client", redirect_uri: REDIRECT, response_type: "code", scope: GMAIL_SCOPE, access_type: "offline", prompt: "consent", ...extra });
    return (await approve(`${sb.url}/google/o/oauth2/v2/auth?${q}`, GOOGLE)).searchParams.get("code")!;
  }

  it("answers OAuth JSON errors with no-store", async () => {
    const before = sb.state.refusals.length;
    const res = await tokenPost("/google/token", { grant_type: "password", client_id: "raw-client" });
    expect(res.status).toBe(400);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.json()).toEqual({ error: "unsupported_grant_type", error_description: "Invalid grant_type: password" });

    const noClient = await tokenPost("/google/token", { grant_type: "refresh_token", refresh_token: "1//x" });
    expect(await noClient.json()).toMatchObject({ error: "invalid_request" });

    const wrongRedirect = await tokenPost("/google/token", { grant_type: "authorization_code", code: await code(), client_id: "raw-client", redirect_uri: "http://127.0.0.1:1/other" });
    expect(await wrongRedirect.json()).toMatchObject({ error: "invalid_grant" });

    const wrongClient = await tokenPost("/google/token", { grant_type: "authorization_code", code: await code(), client_id: "other-client", redirect_uri: REDIRECT });
    expect(await wrongClient.json()).toMatchObject({ error: "invalid_grant" });

    const foreign = await tokenPost("/microsoft/common/oauth2/v2.0/token", { grant_type: "authorization_code", code: await code(), client_id: "raw-client", redirect_uri: REDIRECT });
    expect(await foreign.json()).toMatchObject({ error: "invalid_grant" });
    // The requests that broke the protocol are kept among the refusals our own tests fail on (docs/sandbox.md,
    // "Refusals"); a code or grant refused (invalid_grant) is an answer about the grant, not one.
    expect(sb.state.refusals.slice(before)).toEqual([
      { api: "oauth", request: "POST /google/token (unsupported_grant_type)", status: 400, email: "", scopes: [] },
      { api: "oauth", request: "POST /google/token (invalid_request)", status: 400, email: "", scopes: [] },
    ]);
    // So are an authorization request without its redirect URI, and a revocation without its token.
    await fetch(`${sb.url}/google/o/oauth2/v2/auth?${new URLSearchParams({ client_id: "raw-client", response_type: "code", scope: GMAIL_SCOPE })}`);
    expect((await fetch(`${sb.url}/google/revoke`, { method: "POST" })).status).toBe(400);
    expect(sb.state.refusals.slice(before + 2).map((r) => `${r.status} ${r.request}`)).toEqual(["400 GET /google/o/oauth2/v2/auth (invalid_request)", "400 POST /google/revoke (invalid_request)"]);
    sb.state.refusals.splice(before);
  });

  it("accepts client credentials by HTTP Basic auth and a JSON body", async () => {
    const basic = Buffer.from(`${encodeURIComponent("raw-client")}:secret`).toString("base64");
    const res = await tokenPost("/google/token", { grant_type: "authorization_code", code: await code(), redirect_uri: REDIRECT }, { authorization: `Basic ${basic}` });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ token_type: "Bearer", expires_in: 3600, scope: GMAIL_SCOPE });
    expect(typeof body.refresh_token).toBe("string");

    const json = await fetch(`${sb.url}/google/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ grant_type: "refresh_token", refresh_token: body.refresh_token, client_id: "raw-client" }),
    });
    expect(json.status).toBe(200);
    expect(await json.json()).not.toHaveProperty("refresh_token");
  });

  it("serves an injected token-endpoint fault once", async () => {
    await fetch(`${sb.url}/_control/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ route: "oauth.google.token", kind: "status", status: 503 }) });
    const res = await tokenPost("/google/token", { grant_type: "refresh_token", refresh_token: "1//nope", client_id: "raw-client" });
    expect(res.status).toBe(503);
    const next = await tokenPost("/google/token", { grant_type: "refresh_token", refresh_token: "1//nope", client_id: "raw-client" });
    expect(next.status).toBe(400);
  });
});

describe("Microsoft OAuth through oauth4webapi", () => {
  const tenant = "common";
  const client: oauth.Client = { client_id: "11111111-2222-3333-4444-555555555555" };
  const clientAuth = oauth.None();
  const opts = { [oauth.allowInsecureRequests]: true };
  let as: oauth.AuthorizationServer;
  beforeAll(() => {
    as = {
      issuer: `${sb.url}/microsoft/${tenant}/v2.0`,
      authorization_endpoint: `${sb.url}/microsoft/${tenant}/oauth2/v2.0/authorize`,
      token_endpoint: `${sb.url}/microsoft/${tenant}/oauth2/v2.0/token`,
    };
  });

  async function authorize(scope = "offline_access User.Read https://graph.microsoft.com/Mail.Read") {
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const url = new URL(as.authorization_endpoint!);
    url.search = new URLSearchParams({
      client_id: client.client_id,
      redirect_uri: REDIRECT,
      response_type: "code",
      scope,
      state,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
    }).toString();
    const back = await approve(url.toString(), MS);
    const params = oauth.validateAuthResponse(as, client, back, state);
    return { params, verifier };
  }

  const redeem = async (params: URLSearchParams, verifier: string) =>
    oauth.processAuthorizationCodeResponse(as, client, await oauth.authorizationCodeGrantRequest(as, client, clientAuth, params, REDIRECT, verifier, opts));
  const refresh = async (rt: string) =>
    oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, clientAuth, rt, opts));

  async function bodyError(p: Promise<unknown>) {
    const e = await p.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(oauth.ResponseBodyError);
    return e as oauth.ResponseBodyError;
  }

  it("runs the PKCE code flow; each refresh returns a new refresh token and the old one stays valid", async () => {
    const { params, verifier } = await authorize();
    const tokens = await redeem(params, verifier);
    expect(tokens.token_type).toBe("bearer"); // oauth4webapi lower-cases it
    expect(tokens.refresh_token).toBeTruthy();
    // The sign-in scopes are granted (the refresh token shows offline_access) but not named: Entra lists the resource's only (helper-182 #2).
    expect(tokens.scope?.split(" ")).toEqual(["User.Read", "Mail.Read"]);
    expect(tokens.ext_expires_in).toBe(tokens.expires_in);
    expect(sb.state.tokens.authenticate(tokens.access_token)).toMatchObject({ email: MS, provider: "microsoft", clientId: client.client_id });

    const next = await refresh(tokens.refresh_token!);
    expect(next.refresh_token).toBeTruthy();
    expect(next.refresh_token).not.toBe(tokens.refresh_token);
    expect(next.access_token).not.toBe(tokens.access_token);

    // The token used stays valid: "The Microsoft identity platform doesn't revoke old refresh tokens
    // when used to fetch new access tokens" (learn.microsoft.com/entra/identity-platform/refresh-tokens).
    // Two runs refreshing the same stored token both get tokens.
    const reused = await refresh(tokens.refresh_token!);
    expect(reused.refresh_token).toBeTruthy();
    expect(reused.refresh_token).not.toBe(next.refresh_token);

    // The new token works too, then control revocation kills every one of the grant's tokens.
    const third = await refresh(next.refresh_token!);
    await control(`/accounts/${MS}/revoke`);
    for (const t of [tokens.refresh_token!, third.refresh_token!]) {
      const revoked = await bodyError(refresh(t));
      expect(revoked.error).toBe("invalid_grant");
      expect(revoked.status).toBe(400);
      expect(revoked.cause).toMatchObject({ error_codes: [70008] });
      expect(revoked.cause.trace_id).toBeTruthy();
      expect(revoked.cause.correlation_id).toBeTruthy();
      expect(revoked.cause.timestamp).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
      expect(revoked.error_description).toMatch(/^AADSTS70008:/);
    }
  });

  it("a refresh of a grant holding openid carries an ID token as the code exchange's does, issued by the account's own tenant; one without openid carries none (helper-180)", async () => {
    const claimsOf = (jwt: unknown) => JSON.parse(Buffer.from(String(jwt).split(".")[1], "base64url").toString("utf8")) as Record<string, unknown>;
    const refreshRaw = async (rt: string) => {
      const res = await tokenPost("/microsoft/common/oauth2/v2.0/token", { grant_type: "refresh_token", refresh_token: rt, client_id: client.client_id });
      expect(res.status).toBe(200);
      return (await res.json()) as { id_token?: string; refresh_token: string };
    };
    const { params, verifier } = await authorize("openid offline_access User.Read https://graph.microsoft.com/Mail.Read");
    const res = await oauth.authorizationCodeGrantRequest(as, client, clientAuth, params, REDIRECT, verifier, opts);
    const first = (await res.json()) as { id_token?: string; refresh_token: string };
    const signedIn = claimsOf(first.id_token);
    const refreshed = await refreshRaw(first.refresh_token);
    expect(refreshed.id_token).toBeTruthy();
    const again = claimsOf(refreshed.id_token);
    // On the common endpoint the issuer is the tenant's, not the endpoint's (as at the code exchange).
    expect(again.iss).toBe(`${sb.url}/microsoft/${again.tid}/v2.0`);
    expect(again.iss).not.toBe(as.issuer);
    for (const k of ["iss", "sub", "aud", "oid", "tid"]) expect(again[k]).toBe(signedIn[k]);
    // And again on the rotated token.
    expect(claimsOf((await refreshRaw(refreshed.refresh_token)).id_token).tid).toBe(signedIn.tid);
    const plain = await authorize();
    const plainTokens = await redeem(plain.params, plain.verifier);
    expect((await refreshRaw(plainTokens.refresh_token!)).id_token).toBeUndefined();
  });

  it("an ID token holds the object id, name and username only when profile was granted; sub and tid always (helper-182 #1)", async () => {
    const claimsOf = (jwt: unknown) => JSON.parse(Buffer.from(String(jwt).split(".")[1], "base64url").toString("utf8")) as Record<string, unknown>;
    const idTokenOf = async (scope: string) => {
      const { params, verifier } = await authorize(scope);
      const body = (await (await oauth.authorizationCodeGrantRequest(as, client, clientAuth, params, REDIRECT, verifier, opts)).json()) as { id_token?: string; scope: string };
      // The sign-in scopes are not named in `scope`, whichever were asked.
      expect(body.scope.split(" ")).toEqual(["User.Read"]);
      return claimsOf(body.id_token);
    };
    const bare = await idTokenOf("openid offline_access User.Read");
    expect(bare).toMatchObject({ sub: expect.any(String), tid: expect.any(String) });
    for (const k of ["oid", "name", "preferred_username"]) expect(bare).not.toHaveProperty(k);
    expect(await idTokenOf("openid profile offline_access User.Read")).toMatchObject({ oid: expect.any(String), preferred_username: MS, tid: bare.tid, sub: bare.sub });
  });

  it("rejects a wrong verifier and a redeemed code with invalid_grant", async () => {
    const a = await authorize();
    const wrong = await bodyError(redeem(a.params, oauth.generateRandomCodeVerifier()));
    expect(wrong.error).toBe("invalid_grant");
    expect(wrong.cause).toMatchObject({ error_codes: [501481] });

    const b = await authorize();
    await redeem(b.params, b.verifier);
    const replay = await bodyError(redeem(b.params, b.verifier));
    expect(replay.error).toBe("invalid_grant");
    expect(replay.cause).toMatchObject({ error_codes: [54005] });
  });

  it("issues no refresh token without offline_access; any tenant works", async () => {
    const { params, verifier } = await authorize("User.Read Mail.Read");
    const tokens = await redeem(params, verifier);
    expect(tokens.refresh_token).toBeUndefined();

    const res = await tokenPost("/microsoft/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token", { grant_type: "client_credentials", client_id: client.client_id });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: "unsupported_grant_type", error_codes: [70003] });
  });
});

describe("authorize pages", () => {
  const q = (o: Record<string, string>) => new URLSearchParams(o).toString();
  const base = { client_id: "page-client", redirect_uri: REDIRECT, response_type: "code", scope: GMAIL_SCOPE, state: "s1" };

  it("lists the provider's accounts as POST forms, hinted account first", async () => {
    const res = await fetch(`${sb.url}/google/o/oauth2/v2/auth?${q({ ...base, login_hint: GOOGLE_2 })}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    const html = await res.text();
    expect(html).toContain(`Continue as ${GOOGLE}`);
    expect(html).toContain(`Continue as ${GOOGLE_2}`);
    expect(html).not.toContain(MS);
    expect(html.indexOf(GOOGLE_2)).toBeLessThan(html.indexOf(`Continue as ${GOOGLE}`));
    expect(html).toContain('method="post"');
    expect(html).toContain("Cancel");

    const ms = await (await fetch(`${sb.url}/microsoft/consumers/oauth2/v2.0/authorize?${q({ ...base, scope: "User.Read" })}`)).text();
    expect(ms).toContain(`Continue as ${MS}`);
    expect(ms).not.toContain(GOOGLE);
  });

  it("approves through the posted form and cancels with access_denied", async () => {
    const url = `${sb.url}/google/o/oauth2/v2/auth?${q(base)}`;
    const post = (form: Record<string, string>) =>
      fetch(url, { method: "POST", redirect: "manual", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(form) });
    const ok = await post({ account: GOOGLE, approve: "1" });
    expect(ok.status).toBe(302);
    const back = new URL(ok.headers.get("location")!);
    expect(back.searchParams.get("code")).toBeTruthy();
    expect(back.searchParams.get("state")).toBe("s1");

    const cancel = await post({ cancel: "1" });
    const denied = new URL(cancel.headers.get("location")!);
    expect(denied.searchParams.get("error")).toBe("access_denied");
    expect(denied.searchParams.get("state")).toBe("s1");

    const msCancel = await fetch(`${sb.url}/microsoft/common/oauth2/v2.0/authorize?${q({ ...base, scope: "User.Read", cancel: "1" })}`, { redirect: "manual" });
    const msDenied = new URL(msCancel.headers.get("location")!);
    expect(msDenied.searchParams.get("error")).toBe("access_denied");
    expect(msDenied.searchParams.get("error_description")).toMatch(/^AADSTS65004/);

    const wrongProvider = await post({ account: MS, approve: "1" });
    expect(wrongProvider.status).toBe(400);
  });

  it("shows a 400 page for a missing client_id or a bad redirect_uri, never redirecting", async () => {
    for (const path of ["/google/o/oauth2/v2/auth", "/microsoft/common/oauth2/v2.0/authorize"]) {
      const { client_id: _c, ...rest } = base;
      const noClient = await fetch(`${sb.url}${path}?${q(rest)}`, { redirect: "manual" });
      expect(noClient.status).toBe(400);
      expect(noClient.headers.get("content-type")).toContain("text/html");
      expect(await noClient.text()).toContain("client_id");

      const badRedirect = await fetch(`${sb.url}${path}?${q({ ...base, redirect_uri: "/relative" })}`, { redirect: "manual" });
      expect(badRedirect.status).toBe(400);
      expect(badRedirect.headers.get("location")).toBeNull();
    }
  });

  it("rejects response_type=token: a page at Google, a redirect at Microsoft", async () => {
    const g = await fetch(`${sb.url}/google/o/oauth2/v2/auth?${q({ ...base, response_type: "token" })}`, { redirect: "manual" });
    expect(g.status).toBe(400);
    expect(await g.text()).toContain("unsupported_response_type");

    const m = await fetch(`${sb.url}/microsoft/common/oauth2/v2.0/authorize?${q({ ...base, scope: "User.Read", response_type: "token" })}`, { redirect: "manual" });
    expect(m.status).toBe(302);
    const back = new URL(m.headers.get("location")!);
    expect(back.searchParams.get("error")).toBe("unsupported_response_type");
    expect(back.searchParams.get("state")).toBe("s1");
  });

  it("rejects an unknown Google scope and a bad PKCE method", async () => {
    const scope = await fetch(`${sb.url}/google/o/oauth2/v2/auth?${q({ ...base, scope: "gmail.readonly" })}`);
    expect(scope.status).toBe(400);
    expect(await scope.text()).toContain("invalid_scope");
    const pkce = await fetch(`${sb.url}/google/o/oauth2/v2/auth?${q({ ...base, code_challenge: "a".repeat(43), code_challenge_method: "S512" })}`);
    expect(pkce.status).toBe(400);
  });

  it("prompt=none without approval redirects with interaction_required", async () => {
    const res = await fetch(`${sb.url}/google/o/oauth2/v2/auth?${q({ ...base, prompt: "none" })}`, { redirect: "manual" });
    expect(res.status).toBe(302);
    expect(new URL(res.headers.get("location")!).searchParams.get("error")).toBe("interaction_required");
  });
});

describe("a Google app left in Testing (SandboxOptions googleTestingApp)", () => {
  it("its refresh tokens die 7 days of the mailbox clock after they were issued, unless they hold sign-in scopes only; Microsoft's are untouched", async () => {
    // developers.google.com/identity/protocols/oauth2, "Refresh token expiration".
    const { SandboxState } = await import("../src/state");
    const state = new SandboxState({ googleTestingApp: true });
    const t0 = Date.parse("2026-06-01T12:00:00Z");
    state.setNow(t0);
    const grant = (provider: "google" | "microsoft", scopes: string[]) => state.tokens.issue({ email: "ana@example.com", provider, clientId: "c", scopes }, true).refresh_token!;
    const mail = grant("google", ["https://www.googleapis.com/auth/gmail.metadata"]);
    const signIn = grant("google", ["openid", "email", "profile"]);
    const outlook = grant("microsoft", ["Mail.ReadBasic"]);
    state.setNow(t0 + 7 * 86_400_000 - 1);
    expect(state.tokens.refreshGrant(mail, "c").access_token).toBeTruthy();
    state.setNow(t0 + 7 * 86_400_000);
    expect(() => state.tokens.refreshGrant(mail, "c")).toThrow("Token has been expired or revoked.");
    expect(() => state.tokens.refreshGrant(mail, "c")).toThrow("Token has been expired or revoked.");
    expect(state.tokens.refreshGrant(signIn, "c").access_token).toBeTruthy();
    expect(state.tokens.refreshGrant(outlook, "c").access_token).toBeTruthy();
    // A published app's (the default) do not expire so.
    const published = new SandboxState();
    published.setNow(t0);
    const kept = published.tokens.issue({ email: "ana@example.com", provider: "google", clientId: "c", scopes: ["https://www.googleapis.com/auth/gmail.metadata"] }, true).refresh_token!;
    published.setNow(t0 + 400 * 86_400_000);
    expect(published.tokens.refreshGrant(kept, "c").access_token).toBeTruthy();
  });
});
