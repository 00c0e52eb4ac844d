import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { googleEndpoints, microsoftEndpoints, microsoftIssuerTemplate, microsoftStoredEndpoints } from "@followthrough/core/oauth";
import { authorizationRequest, exchangeCode } from "@followthrough/core/grants";
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
