/** Why an account needs reconnecting, as stored and as the reconnect email words it. */
import { describe, expect, it } from "vitest";
import type { AccountRecord } from "../src/accounts";
import { classifyGoogleError } from "../src/google/errors";
import { GrantError, MissingScopeError } from "../src/oauth";
import { isRevoked, reconnectMail, reconnectReason } from "../src/reconnect";
import { ProviderError } from "../src/resilience";

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
    expect(m.text).toContain("https://app.test/connect/microsoft?login_hint=o%40acme.io");
  });

  it("asks to sign in again after an MFA prompt, says consent is gone for AADSTS65001, revoked otherwise", () => {
    expect(reconnectMail("https://app.test", account({ provider: "microsoft", reconnectReason: "interaction_required/basic_action AADSTS50076" })).text).toMatch(/asks you to sign in again.*multi-factor/);
    expect(reconnectMail("https://app.test", account({ provider: "microsoft", reconnectReason: "invalid_grant/consent_required AADSTS65001" })).text).toMatch(/no longer has your consent/);
    expect(reconnectMail("https://app.test", account({})).text).toMatch(/access was revoked or has expired/);
  });
});
