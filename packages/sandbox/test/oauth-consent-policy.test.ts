/**
 * Partial grants and identity-provider decisions, as the sandbox emulates them (docs/provider-quirks.md):
 * Google's granular consent (a checkbox per scope; `deny=` in the non-browser shortcut; the token's
 * `scope` lists what was granted, with include_granted_scopes the earlier grant too); a Microsoft
 * tenant policy withholding a permission; Microsoft refresh errors in Entra's body shape, and how
 * core reads them (needs reconnect or not); scopes withdrawn after the grant.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { classifyGraphError } from "@followthrough/core/microsoft";
import { GOOGLE_SCOPES, GrantError, googleEndpoints, MICROSOFT_SCOPES, MICROSOFT_SIGN_IN_SCOPES, microsoftEndpoints } from "@followthrough/core/oauth";
import { authorizationRequest, exchangeCode, refreshGrant } from "@followthrough/core/grants";
import { isRevoked, reconnectReason } from "@followthrough/core/reconnect";
import { type RunningSandbox, startSandbox } from "../src/index";

const G = "granular@sandbox.test";
const M = "tenant@sandbox.test";
const REDIRECT = "http://127.0.0.1:8976/oauth/callback";
const COMPOSE = "https://www.googleapis.com/auth/gmail.compose";

let dir: string;
let sb: RunningSandbox;

function writeFixture(name: string, provider: "google" | "microsoft", email: string): string {
  const d = join(dir, name);
  const sub = join(d, provider);
  mkdirSync(sub, { recursive: true });
  writeFileSync(join(d, "account.json"), JSON.stringify({ provider, email, aliases: [], displayName: "Test Person", timeZone: "UTC" }));
  for (const f of provider === "google" ? ["messages.json", "events.json"] : ["inbox.json", "sentitems.json", "events.json"]) writeFileSync(join(sub, f), "[]");
  return d;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sandbox-consent-"));
  sb = await startSandbox({ fixtures: [writeFixture("g", "google", G), writeFixture("m", "microsoft", M)] });
});
afterAll(async () => {
  await sb?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const control = (path: string, body: unknown) =>
  fetch(`${sb.url}/_control${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

const clients = () => ({
  google: { clientId: "consent-test", endpoints: googleEndpoints(sb.url) },
  microsoft: { clientId: "consent-test", endpoints: microsoftEndpoints(sb.url) },
});

/** Authorization request → consent (shortcut with extra parameters) → code exchange. */
async function connect(provider: "google" | "microsoft", email: string, extra: Record<string, string | string[]> = {}) {
  const client = clients()[provider];
  const { url, pending } = await authorizationRequest(provider, client, REDIRECT);
  const u = new URL(url);
  u.searchParams.set("account", email);
  u.searchParams.set("approve", "1");
  for (const [k, v] of Object.entries(extra)) for (const x of [v].flat()) u.searchParams.append(k, x);
  const res = await fetch(u, { redirect: "manual" });
  expect(res.status).toBe(302);
  const back = new URL(res.headers.get("location")!);
  if (back.searchParams.get("error")) return { error: back.searchParams.get("error")!, description: back.searchParams.get("error_description") ?? "" };
  return { tokens: await exchangeCode(client, pending, back), client };
}

describe("Google granular consent", () => {
  it("deny= unticks a scope: the token's scope lists only what was granted, and Gmail refuses the unticked one", async () => {
    const r = await connect("google", G, { deny: COMPOSE });
    const granted = r.tokens!.scope!.split(" ");
    expect(granted.sort()).toEqual(GOOGLE_SCOPES.filter((s) => s !== COMPOSE).sort());
    // The strict sandbox: drafts.create needs gmail.compose (or modify / mail.google.com).
    const res = await fetch(`${sb.url}/gmail/v1/users/me/drafts`, {
      method: "POST",
      headers: { authorization: `Bearer ${r.tokens!.accessToken}`, "content-type": "application/json" },
      body: JSON.stringify({ message: { raw: Buffer.from("Subject: x\r\n\r\nx").toString("base64url") } }),
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { errors: { reason: string }[] } }).error.errors[0].reason).toBe("insufficientPermissions");
    await fetch(`${sb.url}/_control/accounts/${G}/revoke`, { method: "POST" });
  });

  it("the consent page has a ticked checkbox per scope; a posted form without one grants the rest", async () => {
    const { url } = await authorizationRequest("google", clients().google, REDIRECT);
    const page = await (await fetch(url)).text();
    for (const s of GOOGLE_SCOPES) expect(page).toContain(`<input type="checkbox" name="grant" value="${s}" checked>`);
    const form = new URLSearchParams({ account: G, approve: "1", consent_form: "1" });
    for (const s of GOOGLE_SCOPES.filter((x) => !x.endsWith("calendar.readonly"))) form.append("grant", s);
    const res = await fetch(url, { method: "POST", body: form, redirect: "manual" });
    expect(res.status).toBe(302);
    expect(new URL(res.headers.get("location")!).searchParams.get("scope")!.split(" ").sort()).toEqual(GOOGLE_SCOPES.filter((x) => !x.endsWith("calendar.readonly")).sort());
  });

  it("unticking every scope is a refusal (access_denied)", async () => {
    expect((await connect("google", G, { deny: GOOGLE_SCOPES })).error).toBe("access_denied");
  });

  it("include_granted_scopes=true adds what the account already granted this client (our authorization request sends it)", async () => {
    const full = await connect("google", G);
    expect(full.tokens!.scope!.split(" ").sort()).toEqual([...GOOGLE_SCOPES].sort());
    const again = await connect("google", G, { deny: COMPOSE });
    expect(again.tokens!.scope!.split(" ")).toContain(COMPOSE);
    await fetch(`${sb.url}/_control/accounts/${G}/revoke`, { method: "POST" });
  });

  it("a scope withdrawn later (myaccount.google.com): live tokens lose it, the refresh's scope lacks it", async () => {
    const r = await connect("google", G);
    expect((await control(`/accounts/${G}/withdraw-scopes`, { scopes: [COMPOSE] })).status).toBe(200);
    const refreshed = await refreshGrant(r.client!, r.tokens!.refreshToken!);
    expect(refreshed.scope!.split(" ")).not.toContain(COMPOSE);
    await fetch(`${sb.url}/_control/accounts/${G}/revoke`, { method: "POST" });
  });
});

describe("Microsoft: all-or-nothing consent, tenant policy", () => {
  it("deny= is refused: Entra's consent prompt has no per-permission choice", async () => {
    const r = await connect("microsoft", M, { deny: "Mail.Send" });
    expect(r.error).toBe("invalid_request");
    expect(r.description).toMatch(/^AADSTS900144: .*tenant policy/);
  });

  it("a tenant policy withholding Mail.Send: the token's scope lacks it and Graph answers 403 ErrorAccessDenied", async () => {
    expect((await control(`/accounts/${M}/tenant-policy`, { withhold: ["Mail.Send"] })).status).toBe(200);
    const r = await connect("microsoft", M);
    const granted = r.tokens!.scope!.split(" ");
    // (The sign-in scopes are granted but not named: Entra's `scope` lists the resource's only.)
    expect(granted.sort()).toEqual(MICROSOFT_SCOPES.filter((s) => s !== "Mail.Send" && !MICROSOFT_SIGN_IN_SCOPES.includes(s)).sort());
    expect(r.tokens!.refreshToken).toBeTruthy();
    const send = await fetch(`${sb.url}/v1.0/me/sendMail`, {
      method: "POST",
      headers: { authorization: `Bearer ${r.tokens!.accessToken}`, "content-type": "application/json" },
      body: JSON.stringify({ message: { subject: "x", toRecipients: [{ emailAddress: { address: M } }] } }),
    });
    expect(send.status).toBe(403);
    expect(((await send.json()) as { error: { code: string } }).error.code).toBe("ErrorAccessDenied");
    expect((await control(`/accounts/${M}/tenant-policy`, { withhold: [] })).status).toBe(200);
    expect((await connect("microsoft", M)).tokens!.scope!.split(" ")).toContain("Mail.Send");
    const bad = await control(`/accounts/${G}/tenant-policy`, { withhold: ["x"] });
    expect(bad.status).toBe(400);
  });
});

describe("Microsoft refresh errors in Entra's shape, and what core makes of them", () => {
  const cases = [
    { kind: "inactive", error: "invalid_grant", code: 700082, suberror: undefined, reason: "invalid_grant AADSTS700082" },
    { kind: "expired", error: "invalid_grant", code: 70008, suberror: undefined, reason: "invalid_grant AADSTS70008" },
    { kind: "revoked", error: "invalid_grant", code: 50173, suberror: undefined, reason: "invalid_grant AADSTS50173" },
    { kind: "mfa", error: "interaction_required", code: 50076, suberror: "basic_action", reason: "interaction_required/basic_action AADSTS50076" },
    { kind: "mfa-enrollment", error: "interaction_required", code: 50079, suberror: "basic_action", reason: "interaction_required/basic_action AADSTS50079" },
    { kind: "consent", error: "invalid_grant", code: 65001, suberror: "consent_required", reason: "invalid_grant/consent_required AADSTS65001" },
  ] as const;

  it.each(cases)("$kind: HTTP 400 $error AADSTS$code, needs reconnect", async (c) => {
    const r = await connect("microsoft", M);
    expect((await control(`/accounts/${M}/refresh-error`, { kind: c.kind, times: 1 })).status).toBe(200);
    const raw = await fetch(r.client!.endpoints.tokenUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: r.tokens!.refreshToken!, client_id: "consent-test" }),
    });
    expect(raw.status).toBe(400);
    expect(raw.headers.get("cache-control")).toBe("no-store");
    const body = (await raw.json()) as Record<string, unknown>;
    expect(body.error).toBe(c.error);
    expect(body.error_description).toMatch(new RegExp(`^AADSTS${c.code}: `));
    expect(body.error_codes).toEqual([c.code]);
    expect(body.suberror).toBe(c.suberror);
    expect(body).toMatchObject({ trace_id: expect.any(String), correlation_id: expect.any(String), timestamp: expect.any(String) });

    // times: 1 was served above; set it again and read it through core.
    await control(`/accounts/${M}/refresh-error`, { kind: c.kind, times: 1 });
    const err = await refreshGrant(r.client!, r.tokens!.refreshToken!).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GrantError);
    expect((err as GrantError).aadsts).toEqual([c.code]);
    expect(classifyGraphError(err).kind).toBe("auth-revoked");
    expect(isRevoked(classifyGraphError(err))).toBe(true);
    expect(reconnectReason(classifyGraphError(err))).toBe(c.reason);
    // Served once each: the grant works again.
    await expect(refreshGrant(r.client!, r.tokens!.refreshToken!)).resolves.toMatchObject({ accessToken: expect.any(String) });
  });

  it("consent_required as the error itself, and an outage of the token endpoint (not a reconnect)", async () => {
    const r = await connect("microsoft", M);
    await control(`/accounts/${M}/refresh-error`, { error: "consent_required", aadsts: 65001, times: 1 });
    const consent = await refreshGrant(r.client!, r.tokens!.refreshToken!).catch((e: unknown) => e);
    expect(classifyGraphError(consent).kind).toBe("auth-revoked");
    expect(reconnectReason(consent)).toBe("consent_required AADSTS65001");
    await control(`/accounts/${M}/refresh-error`, { error: "temporarily_unavailable", aadsts: 90033, times: 1 });
    const outage = await refreshGrant(r.client!, r.tokens!.refreshToken!).catch((e: unknown) => e);
    expect(classifyGraphError(outage).kind).toBe("temporary");
    expect(isRevoked(classifyGraphError(outage))).toBe(false);
  });

  it("Entra's throttling is a wait, not a reconnect: loop detection (invalid_grant AADSTS50196) and a 429 in plain text with its Retry-After", async () => {
    const r = await connect("microsoft", M);
    await control(`/accounts/${M}/refresh-error`, { kind: "loop", times: 1 });
    const loop = await refreshGrant(r.client!, r.tokens!.refreshToken!).catch((e: unknown) => e);
    expect(loop).toBeInstanceOf(GrantError);
    expect((loop as GrantError).code).toBe("invalid_grant");
    expect((loop as GrantError).aadsts).toEqual([50196]);
    expect(classifyGraphError(loop).kind).toBe("rate-limited");
    // No Retry-After: MSAL's two minutes, past a job's minute of retries, so it waits rather than asks again.
    expect(classifyGraphError(loop).retryAfterMs).toBe(2 * 60_000);
    expect(isRevoked(classifyGraphError(loop))).toBe(false);
    expect(reconnectReason(classifyGraphError(loop))).toBeUndefined();

    // The token endpoint's own throttling: "Too Many Requests" as text, Retry-After: 60.
    const fault = await control("/faults", { route: "oauth.microsoft.token", kind: "status", status: 429, retryAfter: 60, times: 1 });
    expect(fault.ok).toBe(true);
    const throttled = await refreshGrant(r.client!, r.tokens!.refreshToken!).catch((e: unknown) => e);
    expect(throttled).toBeInstanceOf(GrantError);
    expect((throttled as GrantError).status).toBe(429);
    const classified = classifyGraphError(throttled);
    expect([classified.kind, classified.status, classified.retryAfterMs]).toEqual(["rate-limited", 429, 60_000]);
    // A JSON error of the endpoint with a Retry-After keeps it too (a 503's temporarily_unavailable).
    await control("/faults", { route: "oauth.microsoft.token", kind: "status", status: 503, retryAfter: 30, times: 1 });
    const outage = classifyGraphError(await refreshGrant(r.client!, r.tokens!.refreshToken!).catch((e: unknown) => e));
    expect([outage.kind, outage.status, outage.retryAfterMs]).toEqual(["temporary", 503, 30_000]);
    await expect(refreshGrant(r.client!, r.tokens!.refreshToken!)).resolves.toMatchObject({ accessToken: expect.any(String) });
  });

  it("until cleared by default; bad requests are refused", async () => {
    const r = await connect("microsoft", M);
    await control(`/accounts/${M}/refresh-error`, { kind: "mfa" });
    for (let i = 0; i < 2; i++) await expect(refreshGrant(r.client!, r.tokens!.refreshToken!)).rejects.toBeInstanceOf(GrantError);
    expect((await control(`/accounts/${M}/refresh-error`, { clear: true })).status).toBe(200);
    await expect(refreshGrant(r.client!, r.tokens!.refreshToken!)).resolves.toMatchObject({ accessToken: expect.stringMatching(/\S/) });
    expect((await control(`/accounts/${M}/refresh-error`, { kind: "nope" })).status).toBe(400);
    expect((await control(`/accounts/${M}/refresh-error`, { error: "access_denied" })).status).toBe(400);
  });
});
