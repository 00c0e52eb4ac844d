import { type AccountRecord, saveAccount } from "@followthrough/core/accounts";
import { authorizationRequest, exchangeCode, googleEndpoints, microsoftEndpoints } from "@followthrough/core/oauth";
import type { Keyring } from "@followthrough/core/secrets";
import type { Repository } from "@followthrough/core/storage";
import type { AccountInfo, RunningSandbox } from "@followthrough/sandbox";

/** The OAuth client id the local tools use against the sandbox. */
export const LOCAL_CLIENT_ID = "followthrough-local";

/**
 * Connects a sandbox account through the normal OAuth path: authorization request with PKCE and
 * state, the sandbox's consent approved for that account, the code exchanged at the token
 * endpoint, and the account stored with its refresh token sealed.
 */
export async function connectSandboxAccount(sandbox: RunningSandbox, info: AccountInfo, repo: Repository, ring: Keyring): Promise<AccountRecord> {
  const endpoints = info.provider === "google" ? googleEndpoints(sandbox.url) : microsoftEndpoints(sandbox.url);
  const client = { clientId: LOCAL_CLIENT_ID, endpoints };
  const redirectUri = "http://127.0.0.1/oauth/callback";
  const { url, pending } = await authorizationRequest(info.provider, client, redirectUri, { login_hint: info.email });
  const consent = new URL(url);
  consent.searchParams.set("account", info.email);
  consent.searchParams.set("approve", "1");
  const res = await fetch(consent, { redirect: "manual" });
  const location = res.headers.get("location");
  if (res.status !== 302 || !location) throw new Error(`sandbox consent for ${info.email} failed with HTTP ${res.status}`);
  const tokens = await exchangeCode(client, pending, new URL(location));
  if (!tokens.refreshToken) throw new Error(`sandbox consent for ${info.email} returned no refresh token`);
  return saveAccount(repo, ring, {
    provider: info.provider,
    email: info.email,
    aliases: info.aliases,
    displayName: info.displayName,
    timeZone: info.timeZone,
    clientId: LOCAL_CLIENT_ID,
    refreshToken: tokens.refreshToken,
    status: "active",
    endpoints: {
      apiUrl: info.provider === "google" ? sandbox.url : sandbox.httpsUrl,
      tokenUrl: endpoints.tokenUrl,
      authorizeUrl: endpoints.authorizeUrl,
    },
    connectedAt: Date.now(),
  });
}
