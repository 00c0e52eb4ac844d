import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { googleEndpoints, microsoftAccountEndpoints, microsoftEndpoints, microsoftIssuerTemplate, microsoftStoredEndpoints } from "@followthrough/core/oauth";
import { authorizationRequest, exchangeCode, refreshGrant } from "@followthrough/core/grants";
import { type RunningSandbox, startSandbox } from "@followthrough/sandbox";

let sandbox: RunningSandbox;
/** A sandbox whose Google ID tokens name the issuer without the scheme. */
let bare: RunningSandbox;
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "ft-iss-"));
  mkdirSync(join(dir, "google"));
  writeFileSync(join(dir, "account.json"), JSON.stringify({ provider: "google", email: "o@acme.io", aliases: [], displayName: "O", timeZone: "UTC" }));
  writeFileSync(join(dir, "google/messages.json"), "[]");
  writeFileSync(join(dir, "google/events.json"), "[]");
  [sandbox, bare] = await Promise.all([startSandbox({ fixtures: [dir] }), startSandbox({ fixtures: [dir], googleIdTokenIssuer: "accounts.google.com" })]);
});
afterAll(() => Promise.all([sandbox?.close(), bare?.close()]));

async function consent(endpoints: ReturnType<typeof googleEndpoints>) {
  const client = { clientId: "c", endpoints };
  const { url, pending } = await authorizationRequest("google", client, "http://127.0.0.1/cb");
  const res = await fetch(`${url}&account=o@acme.io&approve=1`, { redirect: "manual" });
  return { client, pending, callback: new URL(res.headers.get("location")!) };
}

it("Google names its issuer in the authorization response, and the exchange checks it", async () => {
  const ok = await consent(googleEndpoints(sandbox.url));
  expect(ok.callback.searchParams.get("iss")).toBe("https://accounts.google.com");
  await expect(exchangeCode(ok.client, ok.pending, ok.callback)).resolves.toMatchObject({ refreshToken: expect.any(String) });

  const wrong = await consent({ ...googleEndpoints(sandbox.url), issuer: "https://evil.example" });
  await expect(exchangeCode(wrong.client, wrong.pending, wrong.callback)).rejects.toThrow(/iss/);
});

it("a Google ID token naming its issuer without the scheme is Google's too, as its reference says; any other issuer is still refused", async () => {
  const ok = await consent(googleEndpoints(bare.url));
  await expect(exchangeCode(ok.client, ok.pending, ok.callback)).resolves.toMatchObject({ identity: { provider: "google", sub: expect.any(String) } });
  // Only that form: told to take another instead, the same token (not the https form) is refused.
  const other = await consent({ ...googleEndpoints(bare.url), idTokenIssuerAlso: "accounts.example.com" });
  await expect(exchangeCode(other.client, other.pending, other.callback)).rejects.toThrow(/iss/);
});

it("a stored Microsoft account's endpoints carry the tenant issuer its refresh's ID token is checked against, whatever tenant its token URL names (helper-180)", () => {
  // An account stores only its token and authorize URLs (core/connect); the refresh answer's ID
  // token names the account's own tenant (core/grants), so the template is made from the token URL.
  expect(microsoftIssuerTemplate("https://login.microsoftonline.com/common/oauth2/v2.0/token")).toBe("https://login.microsoftonline.com/{tenantid}/v2.0");
  expect(microsoftIssuerTemplate("https://login.microsoftonline.com/organizations/oauth2/v2.0/token")).toBe("https://login.microsoftonline.com/{tenantid}/v2.0");
  expect(microsoftIssuerTemplate("https://127.0.0.1:4443/microsoft/common/oauth2/v2.0/token")).toBe("https://127.0.0.1:4443/microsoft/{tenantid}/v2.0");
  expect(microsoftIssuerTemplate("https://login.microsoftonline.com/common/oauth2/token")).toBeUndefined();
  for (const e of [microsoftEndpoints(), microsoftEndpoints("http://127.0.0.1:4000"), microsoftEndpoints(undefined, "consumers")])
    expect(microsoftStoredEndpoints(e.tokenUrl, e.authorizeUrl)).toEqual(e);
});

it("a stored Microsoft account's refresh takes an ID token of its own tenant only, as OpenID Connect asks of a refreshed one (helper-181 #3)", async () => {
  // A token endpoint answering each refresh with an ID token of the tenant `tid` names, issued as
  // Microsoft's common endpoint issues them (the tenant's own issuer).
  let tid = "";
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const server = createServer((req, res) => {
    req.resume().on("end", () => {
      const at = Math.floor(Date.now() / 1000);
      const claims = { ver: "2.0", iss: `${base}/${tid}/v2.0`, aud: "client-1", sub: "pairwise-sub", oid: "22222222-2222-4222-a222-222222222222", tid, iat: at, nbf: at, exp: at + 3600 };
      res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
      res.end(JSON.stringify({ access_token: "at", token_type: "Bearer", expires_in: 3600, refresh_token: "rt2", id_token: `${b64({ alg: "RS256", typ: "JWT" })}.${b64(claims)}.c2ln` }));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const own = "11111111-1111-4111-a111-111111111111";
    const stored = { tokenUrl: `${base}/common/oauth2/v2.0/token`, authorizeUrl: `${base}/common/oauth2/v2.0/authorize` };
    const client = (identity?: string) => ({ clientId: "client-1", endpoints: microsoftAccountEndpoints(stored, identity) });
    tid = own;
    await expect(refreshGrant(client(`microsoft:${own}:22222222-2222-4222-a222-222222222222`), "rt1")).resolves.toMatchObject({ accessToken: "at", refreshToken: "rt2" });
    tid = "33333333-3333-4333-a333-333333333333";
    await expect(refreshGrant(client(`microsoft:${own}:22222222-2222-4222-a222-222222222222`), "rt1")).rejects.toThrow(/iss/);
    // An account stored before identities were kept: its tenant is not known, and the token's own is taken.
    await expect(refreshGrant(client(), "rt1")).resolves.toMatchObject({ accessToken: "at" });
    expect(microsoftAccountEndpoints(undefined, `microsoft:${own}:x`).issuerTemplate).toBe(`https://login.microsoftonline.com/${own}/v2.0`);
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
});
