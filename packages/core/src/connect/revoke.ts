/**
 * Revoking an account's grant at its provider when the owner disconnects.
 *
 * Google: the refresh token is POSTed to the revoke endpoint, which ends the whole grant (every
 * token of that account and client).
 *
 * Microsoft: nothing is called. The identity platform has no endpoint that revokes one app's
 * grant. The nearest, Graph `POST /me/revokeSignInSessions`, needs the `User.RevokeSessions.All`
 * delegated permission (packages/sandbox/official/microsoft/graph-permissions.json), which our
 * least-privilege scopes do not include, so Graph refuses it (403) every time; and where it is
 * allowed it ends every session of the user in every app, which no one asks of "disconnect this
 * app". Until 2026-12-05 a disconnect
 * still refreshed the token and made that call, to be refused: a call needing a permission we
 * never request. The caller deletes the stored (sealed) refresh token, so nothing of ours can use
 * the grant any more; the owner removes the app's consent at https://myapps.microsoft.com (work
 * or school) or https://account.live.com/consent/Manage (personal), as the page says.
 */
import { type AccountRecord, deleteAccountData, loadAccount, pauseForDisconnect, refreshTokenOf } from "../accounts";
import { googleEndpoints } from "../oauth";
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
  /** Opens the stored token; without one (an app configured without a keyring) Google's revocation is not tried. */
  ring: Keyring | undefined;
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
  /** The provider gives us no call that revokes (Microsoft): nothing was tried, so nothing failed. */
  noRevocation?: true;
}

/**
 * Whether the provider lets us revoke a grant (Google does; Microsoft gives no call our permissions
 * allow): what {@link revokeGrant} calls, and what the pages promise a disconnect does.
 */
export const revokesGrants = (provider: AccountRecord["provider"]): boolean => provider === "google";

/** {@link revokeGrant}'s answer for Microsoft. */
const MICROSOFT_NONE: RevokeOutcome = { revoked: false, noRevocation: true, detail: "microsoft: no call our permissions allow revokes a grant; our token is deleted" };

/** Revokes the account's grant at its provider (Google's; Microsoft gives no such call). Never throws. */
export async function revokeGrant(account: AccountRecord, o: RevokeOptions): Promise<RevokeOutcome> {
  if (!revokesGrants(account.provider)) return MICROSOFT_NONE;
  if (!o.ring) return { revoked: false, detail: "no keyring configured" };
  const doFetch = o.fetch ?? fetch;
  let token: string;
  try {
    token = refreshTokenOf(o.ring, account);
  } catch (e) {
    return { revoked: false, detail: `token could not be opened: ${(e as Error).message}` };
  }
  try {
    const res = await doFetch(o.revokeUrl ?? googleEndpoints().revokeUrl!, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token }).toString(),
      signal: AbortSignal.timeout(o.timeoutMs ?? 10_000),
    });
    // 400 invalid_token: already revoked or expired, which is what we wanted.
    if (res.ok) return { revoked: true, detail: "google: revoked" };
    const body = (await res.json().catch(() => ({}))) as { error?: string };
    if (res.status === 400 && body.error === "invalid_token") return { revoked: true, detail: "google: token was already invalid" };
    return { revoked: false, detail: `google revoke: HTTP ${res.status} ${body.error ?? ""}`.trim() };
  } catch (e) {
    return { revoked: false, detail: `google revoke failed: ${(e as Error).name}: ${(e as Error).message}` };
  }
}
