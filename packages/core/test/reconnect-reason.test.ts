/** Why an account needs reconnecting, as stored and as the reconnect email words it. */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import type { AccountRecord } from "../src/accounts";
import { classifyGoogleError } from "../src/google/errors";
import { googleOAuthClient } from "../src/google";
import { GrantError, MissingScopeError } from "../src/oauth";
import { LINK_TTL_SECONDS, LinkError, openLink } from "../src/links";
import { isRevoked, reconnectMail, reconnectReason, reconnectUrl } from "../src/reconnect";
import { ProviderError } from "../src/resilience";

const KEY = "reconnect-test-link-key-0123456789abcdef";

const account = (over: Partial<AccountRecord>): AccountRecord => ({
  provider: "google",
  email: "o@acme.io",
  aliases: [],
  timeZone: "UTC",
  clientId: "c",
  refreshTokenSealed: "x",
  status: "needs_reconnect",
  connectedAt: 0,
  ...over,
});

describe("reconnectReason", () => {
  it("names the scope we request among those a Google 403 challenge lists", () => {
    const e = classifyGoogleError({
      message: "Request had insufficient authentication scopes.",
      response: {
        status: 403,
        headers: { "www-authenticate": 'Bearer realm="https://accounts.google.com/", error="insufficient_scope", scope="https://mail.google.com/ https://www.googleapis.com/auth/gmail.modify https://www.googleapis.com/auth/gmail.compose https://www.googleapis.com/auth/gmail.send"' },
        data: { error: { code: 403, errors: [{ reason: "insufficientPermissions" }], details: [{ reason: "ACCESS_TOKEN_SCOPE_INSUFFICIENT" }] } },
      },
    });
    expect(e).toBeInstanceOf(MissingScopeError);
    expect(e.kind).toBe("auth-revoked");
    expect(reconnectReason(e)).toBe("missing-scope: https://www.googleapis.com/auth/gmail.compose");
  });

  it("a Google 403 for the rate is still rate-limited, not a missing scope", () => {
    const e = classifyGoogleError({ response: { status: 403, data: { error: { errors: [{ reason: "userRateLimitExceeded" }] } } } });
    expect(e.kind).toBe("rate-limited");
    expect(isRevoked(e)).toBe(false);
  });

  it("Entra errors: code, suberror and AADSTS number; a passing outage is no reason", () => {
    expect(reconnectReason(new GrantError("invalid_grant", "x", "consent_required", [65001]))).toBe("invalid_grant/consent_required AADSTS65001");
    expect(reconnectReason(new ProviderError("auth-revoked", "x", 400, undefined, { cause: new GrantError("interaction_required", "x", "basic_action", [50076]) }))).toBe(
      "interaction_required/basic_action AADSTS50076",
    );
    expect(reconnectReason(new GrantError("temporarily_unavailable", "x", undefined, [90033]))).toBeUndefined();
    expect(reconnectReason(new ProviderError("invalid", "403 not about the grant", 403))).toBeUndefined();
    expect(reconnectReason(new ProviderError("auth-revoked", "401", 401))).toBe("auth-revoked");
  });
});

describe("reconnectMail", () => {
  it("names the missing permission in plain words", () => {
    const m = reconnectMail("https://app.test", account({ provider: "microsoft", reconnectReason: "missing-scope: Mail.Send" }));
    expect(m.text).toMatch(/^Microsoft no longer gives Followthrough the Mail.Send permission for o@acme.io, which it needs. We send your weekly digest/);
    expect(m.html).toContain("Mail.Send permission");
  });

  /** The link of a mail: the one after "Reconnect:" in the text, and the html's href (the same). */
  const linkOf = (m: { text: string; html: string }) => {
    const text = /^Reconnect: (\S+)$/m.exec(m.text)?.[1];
    const href = /<a href="([^"]+)">Reconnect /.exec(m.html)?.[1]?.replace(/&amp;/g, "&");
    expect(text).toBeTruthy();
    expect(href).toBe(text);
    return text!;
  };
  /** Every way an address could be spelled in a URL. */
  const spellings = (email: string) => [email, encodeURIComponent(email), email.replace("@", "%2540"), email.split("@")[0]!, email.split("@")[1]!];

  it("links to a sealed /l/reconnect token for the account, valid 30 days, with no address in the URL", () => {
    const now = Date.parse("2026-03-02T10:00:00Z");
    const m = reconnectMail("https://app.test/", account({ provider: "microsoft", email: "Owner.Name@acme.io" }), { key: KEY, now });
    const url = linkOf(m);
    expect(url).toMatch(/^https:\/\/app\.test\/l\/reconnect\/[A-Za-z0-9_-]{100,}$/);
    for (const s of spellings("owner.name@acme.io")) expect(url.toLowerCase()).not.toContain(s.toLowerCase());
    expect(url).not.toContain("login_hint");
    const claims = openLink(KEY, url.split("/").at(-1)!, now, { act: "reconnect" });
    expect(claims.acc).toBe("owner.name@acme.io");
    expect(claims.exp).toBe(now / 1000 + LINK_TTL_SECONDS.reconnect);
    expect(LINK_TTL_SECONDS.reconnect).toBe(30 * 86400);
    expect(() => openLink(KEY, url.split("/").at(-1)!, now + 30 * 86400_000, { act: "reconnect" })).toThrow(LinkError);
    // The link is only for reconnecting: it opens nothing else.
    expect(() => openLink(KEY, url.split("/").at(-1)!, now, { act: "settings" })).toThrow(/wrong-action/);
  });

  it("without a link key, links to the plain connect page: no login_hint, no address", () => {
    for (const provider of ["google", "microsoft"] as const) {
      const m = reconnectMail("https://app.test", account({ provider }), { now: Date.now() });
      expect(linkOf(m)).toBe(`https://app.test/connect/${provider}`);
      expect(m.text + m.html).not.toContain("login_hint");
      expect(reconnectUrl("https://app.test/", account({ provider }), undefined, Date.now())).toBe(`https://app.test/connect/${provider}`);
      expect(reconnectUrl("https://app.test", account({ provider }), "", Date.now())).toBe(`https://app.test/connect/${provider}`);
    }
  });

  it("asks to sign in again after an MFA prompt, says consent is gone for AADSTS65001, revoked otherwise", () => {
    expect(reconnectMail("https://app.test", account({ provider: "microsoft", reconnectReason: "interaction_required/basic_action AADSTS50076" })).text).toMatch(/asks you to sign in again.*multi-factor/);
    expect(reconnectMail("https://app.test", account({ provider: "microsoft", reconnectReason: "invalid_grant/consent_required AADSTS65001" })).text).toMatch(/no longer has your consent/);
    expect(reconnectMail("https://app.test", account({})).text).toMatch(/access was revoked or has expired/);
  });
});

describe("a Google refresh refused for our client, not for the owner (helper-182 #4)", () => {
  for (const error of ["unauthorized_client", "invalid_client", "deleted_client"]) {
    it(`401 ${error} (a client secret wrong or rotated, a client deleted) is the operator's error, not a grant to reconnect; invalid_grant still is`, async () => {
      let answer = { status: 401, error };
      const server = createServer((req, res) => req.resume().on("end", () => res.writeHead(answer.status, { "content-type": "application/json" }).end(JSON.stringify({ error: answer.error, error_description: "Unauthorized" }))));
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
      try {
        const refused = () => googleOAuthClient({ clientId: "c", clientSecret: "rotated", refreshToken: "1//rt", tokenUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/token` }).getAccessToken().catch((x: unknown) => x);
        const e = classifyGoogleError(await refused());
        expect(e.kind).toBe("invalid");
        expect(isRevoked(e)).toBe(false);
        answer = { status: 400, error: "invalid_grant" };
        expect(classifyGoogleError(await refused()).kind).toBe("auth-revoked");
      } finally {
        await new Promise<void>((r) => server.close(() => r()));
      }
    });
  }
});
