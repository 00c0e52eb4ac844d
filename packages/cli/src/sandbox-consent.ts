import { type AccountRecord, linkIdentity, saveAccount } from "@followthrough/core/accounts";
import { provisionalAccount } from "@followthrough/core/connect";
import { googleEndpoints, identityKey, microsoftEndpoints, missingScopes, missingScopesMessage, parseScopes } from "@followthrough/core/oauth";
import { authorizationRequest, exchangeCode } from "@followthrough/core/grants";
import { providerFor } from "@followthrough/core/runtime";
import type { Keyring } from "@followthrough/core/secrets";
import type { Repository } from "@followthrough/core/storage";
import { type AccountInfo, type RunningSandbox, sandboxAgent } from "@followthrough/sandbox";
import { ConnectError } from "./connect";

/** The OAuth client id the local tools use against the sandbox. */
export const LOCAL_CLIENT_ID = "followthrough-local";

/** How the sandbox's consent is answered. */
export interface SandboxConsentOptions {
  /** Scopes the person unticks on the consent screen (Google's granular consent; `&deny=` of the shortcut). */
  deny?: string[];
  /**
   * When the account is recorded as connected (`connectedAt`; now by default): a test whose clock
   * lies elsewhere connects it at its own moment, as an event email's look in Sent depends on
   * whether the connection is older than the email (core/eventmail).
   */
  connectedAt?: number;
}

/**
 * Connects a sandbox account through the normal OAuth path: authorization request with PKCE and
 * state, the sandbox's consent approved for that account (with `deny` unticked), the code exchanged
 * at the token endpoint, the granted scopes checked against the ones we need (a partial grant is
 * revoked and nothing is stored: {@link ConnectError} naming the permission), the profile read
 * through the real adapter, and the account stored with its refresh token sealed and its scopes.
 * The owner's aliases are what the profile shows; Gmail send-as addresses are learned by the scan.
 */
export async function connectSandboxAccount(
  sandbox: RunningSandbox,
  info: AccountInfo,
  repo: Repository,
  ring: Keyring,
  o: SandboxConsentOptions = {},
): Promise<AccountRecord> {
  const endpoints = info.provider === "google" ? googleEndpoints(sandbox.url) : microsoftEndpoints(sandbox.url);
  const client = { clientId: LOCAL_CLIENT_ID, endpoints };
  const redirectUri = "http://127.0.0.1/oauth/callback";
  const { url, pending } = await authorizationRequest(info.provider, client, redirectUri, { login_hint: info.email });
  const consent = new URL(url);
  consent.searchParams.set("account", info.email);
  consent.searchParams.set("approve", "1");
  for (const s of o.deny ?? []) consent.searchParams.append("deny", s);
  const res = await fetch(consent, { redirect: "manual" });
  const location = res.headers.get("location");
  if (res.status !== 302 || !location) throw new Error(`sandbox consent for ${info.email} failed with HTTP ${res.status}`);
  const tokens = await exchangeCode(client, pending, new URL(location));
  if (!tokens.refreshToken) throw new Error(`sandbox consent for ${info.email} returned no refresh token`);
  const granted = parseScopes(tokens.scope);
  const missing = missingScopes(info.provider, granted, { hasRefreshToken: true, hasIdToken: tokens.identity !== undefined });
  if (missing.length) {
    // Nothing of a partial grant is kept: Google's is given back at its revoke endpoint.
    if (info.provider === "google")
      await fetch(endpoints.revokeUrl!, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ token: tokens.refreshToken }) });
    throw new ConnectError(missingScopesMessage(info.provider, missing));
  }
  const apiUrl = info.provider === "google" ? sandbox.url : sandbox.httpsUrl;
  // The profile through the real adapter, as a real connect reads it (Microsoft rotates the token meanwhile).
  let refreshToken = tokens.refreshToken;
  const provisional = { ...provisionalAccount(ring, info.provider, { ...client, apiUrl }, refreshToken, Date.now()), clientId: LOCAL_CLIENT_ID };
  const profile = await providerFor(provisional, {
    ring,
    microsoft: {
      ...(sandbox.ca ? { fetchOptions: { agent: sandboxAgent(sandbox.ca) } as never } : {}),
      onRefreshToken: async (t) => void (refreshToken = t),
    },
  }).profile();
  // Who signed in (the ID token's sub, or oid and tid), as a connect through the app stores it: the
  // settings sign-in that disconnecting needs finds the account by it (helper-104 #1).
  const identity = tokens.identity ? identityKey(tokens.identity) : undefined;
  // No `createdAt`: the demo's links are issued on its virtual clock, which may lie before this
  // connect's real time, and a link issued before an account's createdAt opens nothing (functions/src/kit).
  const connectedAt = o.connectedAt ?? Date.now();
  const account = await saveAccount(repo, ring, {
    provider: info.provider,
    email: profile.email,
    aliases: profile.aliases,
    ...(profile.displayName ? { displayName: profile.displayName } : {}),
    timeZone: profile.timeZone ?? "UTC",
    clientId: LOCAL_CLIENT_ID,
    refreshToken,
    status: "active",
    endpoints: { apiUrl, tokenUrl: endpoints.tokenUrl, authorizeUrl: endpoints.authorizeUrl },
    connectedAt,
    ...(granted ? { scopes: granted } : {}),
    ...(identity ? { identity } : {}),
  });
  if (identity) await linkIdentity(repo, identity, account.email);
  return account;
}
