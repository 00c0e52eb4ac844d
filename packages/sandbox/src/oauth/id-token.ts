/**
 * OpenID Connect ID tokens, as Google and the Microsoft identity platform return them from the
 * token endpoint when `openid` was granted: a compact JWS (RS256) whose claims name the account.
 * Google: `iss` https://accounts.google.com, `sub` a stable numeric id, `aud`/`azp` the client
 * (developers.google.com/identity/openid-connect/openid-connect#an-id-tokens-payload). Microsoft v2:
 * `iss` https://login.microsoftonline.com/{tid}/v2.0 (per tenant, also on the common endpoint), `oid`
 * the user's object id, `tid` the tenant (9188040d-… for personal accounts), `sub` pairwise per app
 * (learn.microsoft.com/entra/identity-platform/id-token-claims-reference). Clients that receive the
 * token over TLS from the token endpoint may skip the signature check (OIDC Core 3.1.3.7), and the
 * sandbox signs with a key of its own, made per process.
 */
import { createHash, createSign, generateKeyPairSync, type KeyObject } from "node:crypto";
import type { SandboxState } from "../state";
import type { TokenGrant } from "../tokens";
import { MICROSOFT_CONSUMER_TENANT } from "@followthrough/core/oauth";
import { GOOGLE_ISSUER, googleSub } from "./google";

let key: KeyObject | undefined;
const signingKey = () => (key ??= generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey);

const CONSUMER_DOMAINS = new Set([
  "outlook.com", "hotmail.com", "live.com", "msn.com", "passport.com", "windowslive.com",
  "outlook.de", "outlook.fr", "outlook.es", "outlook.it", "outlook.jp", "outlook.co.uk", "outlook.com.au",
  "hotmail.co.uk", "hotmail.fr", "hotmail.de", "hotmail.es", "hotmail.it", "live.co.uk", "live.fr", "live.de", "live.nl", "live.com.au",
]);

const guidOf = (text: string) => {
  const h = createHash("sha256").update(text).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

/** The tenant id of a sandbox Microsoft account: the consumer tenant for personal domains, else one per domain. */
export function microsoftTenant(email: string): string {
  const domain = email.slice(email.lastIndexOf("@") + 1).toLowerCase();
  return CONSUMER_DOMAINS.has(domain) ? MICROSOFT_CONSUMER_TENANT : guidOf(`tenant:${domain}`);
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");

function sign(claims: Record<string, unknown>): string {
  const head = `${b64({ alg: "RS256", kid: "sandbox", typ: "JWT" })}.${b64(claims)}`;
  return `${head}.${createSign("RSA-SHA256").update(head).sign(signingKey()).toString("base64url")}`;
}

/** The ID token for a grant that holds `openid`; undefined otherwise. Times are wall-clock (clients check them so). */
export function idTokenFor(state: SandboxState, grant: TokenGrant): string | undefined {
  if (!grant.scopes.includes("openid")) return undefined;
  const iat = Math.floor(Date.now() / 1000);
  const account = state.account(grant.email);
  if (grant.provider === "google") {
    return sign({
      iss: state.options.googleIdTokenIssuer ?? GOOGLE_ISSUER,
      azp: grant.clientId,
      aud: grant.clientId,
      sub: googleSub(grant.email),
      ...(grant.scopes.some((s) => s === "email" || s.endsWith("/userinfo.email")) ? { email: grant.email, email_verified: true } : {}),
      iat,
      auth_time: iat,
      exp: iat + 3600,
    });
  }
  const tid = microsoftTenant(grant.email);
  const oid = account?.graph?.userId ?? guidOf(`oid:${grant.email.toLowerCase()}`);
  // The object id, name and username come only with `profile` (learn.microsoft.com/entra/identity-platform/
  // id-token-claims-reference: "the profile scope is required to receive this claim"); `sub` and
  // `tid` always. Until 2026-12-04 every token had them, and a connect asking openid alone passed
  // here and stored no identity in production (helper-182 #1).
  const profile = grant.scopes.some((s) => s.toLowerCase() === "profile");
  return sign({
    ver: "2.0",
    iss: `${state.baseUrl}/microsoft/${tid}/v2.0`,
    aud: grant.clientId,
    sub: createHash("sha256").update(`${oid}|${grant.clientId}`).digest("base64url").slice(0, 43),
    tid,
    ...(profile ? { oid, preferred_username: grant.email, name: account?.info.displayName ?? grant.email } : {}),
    iat,
    nbf: iat,
    exp: iat + 3600,
  });
}
