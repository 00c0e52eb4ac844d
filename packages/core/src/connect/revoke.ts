/**
 * Revoking an account's grant at its provider when the owner disconnects.
 *
 * Google: the refresh token is POSTed to the revoke endpoint, which ends the whole grant (every
 * token of that account and client).
 *
 * Microsoft has no endpoint that revokes one app's grant. The closest is Graph
 * `POST /me/revokeSignInSessions`, which invalidates *every* refresh token of the user (all apps,
 * all devices) and, on the real Graph, needs the `User.RevokeSessions.All` delegated permission
 * (work or school accounts only), which our least-privilege scopes do not include: it is therefore
 * best-effort: the real Graph refuses it (403) under our scopes, and so does the sandbox.
 * Either way the caller deletes the stored (sealed) refresh token, so nothing of ours can use the
 * grant any more; the owner removes the app's consent at https://myapps.microsoft.com (work or
 * school) or https://account.live.com/consent/Manage (personal).
 */
import { type AccountRecord, deleteAccountData, loadAccount, pauseForDisconnect, refreshTokenOf } from "../accounts";
import { googleEndpoints, microsoftAccountEndpoints, microsoftEndpoints } from "../oauth";
import type { Keyring } from "../secrets";
import type { Repository } from "../storage";

/**
 * Ends an account as a disconnect does: paused first (a job that then finds the grant gone sends no
 * reconnect notice, core/reconnect handleRevoked), then its grant revoked (`revoke`, given the
 * account as stored after the pause: it needs the stored token), then everything stored for it
 * deleted, whatever revocation said. The settings page's disconnect, and a move's end of the old
 * account (./move completeMove).
 */
export async function endAccount<T>(repo: Repository, account: AccountRecord, now: number, revoke: (current: AccountRecord) => Promise<T>): Promise<{ current: AccountRecord; revoked: T }> {
  await pauseForDisconnect(repo, account, now);
  const current = (await loadAccount(repo, account.email)) ?? account;
  const revoked = await revoke(current);
  await deleteAccountData(repo, account.email);
  return { current, revoked };
}

/** Where and how to revoke. */
export interface RevokeOptions {
  ring: Keyring;
  /** Client secret of the account's provider registration, when it has one. */
  clientSecret?: string;
  /** Google's revoke endpoint (googleEndpoints(base).revokeUrl); Google's own when absent. */
  revokeUrl?: string;
  /** fetch for these calls (tests: one that trusts the sandbox's certificate). */
  fetch?: typeof fetch;
  /** Gives up after this long (default 10 s). */
  timeoutMs?: number;
}

/** What revocation achieved; `revoked: false` never stops the deletion. */
export interface RevokeOutcome {
  revoked: boolean;
  /** One line for the log (never the token). */
  detail: string;
}

/** Revokes the account's grant at its provider. Never throws. */
export async function revokeGrant(account: AccountRecord, o: RevokeOptions): Promise<RevokeOutcome> {
  const doFetch = o.fetch ?? fetch;
  const signal = AbortSignal.timeout(o.timeoutMs ?? 10_000);
  let token: string;
  try {
    token = refreshTokenOf(o.ring, account);
  } catch (e) {
    return { revoked: false, detail: `token could not be opened: ${(e as Error).message}` };
  }
  try {
    if (account.provider === "google") {
      const url = o.revokeUrl ?? googleEndpoints().revokeUrl!;
      const res = await doFetch(url, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ token }).toString(),
        signal,
      });
      // 400 invalid_token: already revoked or expired, which is what we wanted.
      if (res.ok) return { revoked: true, detail: "google: revoked" };
      const body = (await res.json().catch(() => ({}))) as { error?: string };
      if (res.status === 400 && body.error === "invalid_token") return { revoked: true, detail: "google: token was already invalid" };
      return { revoked: false, detail: `google revoke: HTTP ${res.status} ${body.error ?? ""}`.trim() };
    }
    const tokenUrl = account.endpoints?.tokenUrl ?? microsoftEndpoints().tokenUrl;
    let access: string;
    try {
      // The OAuth library is loaded here, for an Outlook account's disconnect only (core/grants).
      const { refreshGrant } = await import("../grants");
      const t = await refreshGrant({ clientId: account.clientId, clientSecret: o.clientSecret, endpoints: microsoftAccountEndpoints({ tokenUrl, authorizeUrl: account.endpoints?.authorizeUrl }, account.identity) }, token);
      access = t.accessToken;
    } catch (e) {
      if ((e as { code?: string }).code === "invalid_grant") return { revoked: true, detail: "microsoft: token was already invalid" };
      throw e;
    }
    const graph = (account.endpoints?.apiUrl ?? "https://graph.microsoft.com").replace(/\/$/, "");
    const res = await doFetch(`${graph}/v1.0/me/revokeSignInSessions`, {
      method: "POST",
      headers: { authorization: `Bearer ${access}`, "content-type": "application/json" },
      body: "{}",
      signal,
    });
    if (res.ok) return { revoked: true, detail: "microsoft: sign-in sessions revoked" };
    return { revoked: false, detail: `microsoft revokeSignInSessions: HTTP ${res.status}` };
  } catch (e) {
    return { revoked: false, detail: `${account.provider} revoke failed: ${(e as Error).name}: ${(e as Error).message}` };
  }
}
