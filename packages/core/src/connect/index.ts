/**
 * Connecting an account through the hosted web flow: what the browser keeps between the redirect
 * to the provider and the callback (sealed in a short-lived cookie), and storing the account once
 * the code is exchanged and the profile read. Revocation at disconnect lives in ./revoke.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { type AccountRecord, accountByIdentity, awaitsReconnect, calendarZoneOf, clearPartition, createAccount, deleteAccountData, finishMove, linkIdentity, loadAccountItem, sealRefreshToken, updateConnection } from "../accounts";
import { type AccountIdentity, identityKey, microsoftTenantOf, type OAuthEndpoints, type PendingAuth, personalMicrosoftIdentity } from "../oauth";
import type { Profile } from "../providers";
import { DEFAULT_SCHEDULE } from "../schedule";
import { decrypt, encrypt, type Keyring } from "../secrets";
import { keys, type Repository } from "../storage";
import { isZone } from "../time";

export { endAccount, revokeGrant, revokesGrants, type RevokeOutcome, type RevokeOptions } from "./revoke";
export { completeMove, dropMove, dropMoves, MOVE_MAILS_PER_ADDRESS, MOVE_MAILS_PER_IDENTITY, MOVE_TTL_MS, type MoveGrant, type MoveOutcome, type MoveRefusal, moveMail, offerMove, offerStands, pendingMove, signerName } from "./move";

export type ProviderName = "google" | "microsoft";
export const PROVIDERS: readonly ProviderName[] = ["google", "microsoft"];
/** Each provider as a person names it ("Connect Google", "Move Followthrough to Microsoft?"). */
export const PROVIDER_NAMES: Record<ProviderName, string> = { google: "Google", microsoft: "Microsoft" };
export const isProviderName = (s: string | undefined): s is ProviderName => s === "google" || s === "microsoft";

/** A provider's client registration as the app is configured with it. */
export interface ConnectClient {
  clientId: string;
  clientSecret?: string;
  endpoints: OAuthEndpoints;
  /** Gmail/Calendar root or Graph base URL (the sandbox's; the real APIs when absent). */
  apiUrl?: string;
}

/** How long a started connect flow stays valid (the cookie's lifetime and the sealed expiry). */
export const CONNECT_TTL_MS = 10 * 60_000;

/** AES-GCM additional data of the sealed cookie: a value sealed for one provider never opens for the other. */
const aad = (provider: ProviderName) => `connect-cookie:${provider}`;

interface SealedPending {
  s: string;
  v: string;
  r: string;
  /** Expiry, epoch ms. */
  x: number;
}

/**
 * Seals a pending authorization (state, PKCE verifier, redirect URI) for the browser's cookie:
 * AES-256-GCM under the keyring's current key, bound to the provider, expiring after `ttlMs`.
 * The verifier never leaves the server in clear, and any change to the value fails to open.
 */
export function sealPending(ring: Keyring, pending: PendingAuth, now: number, ttlMs = CONNECT_TTL_MS): string {
  const body: SealedPending = { s: pending.state, v: pending.verifier, r: pending.redirectUri, x: now + ttlMs };
  return encrypt(ring, JSON.stringify(body), aad(pending.provider));
}

/** Opens a sealed cookie value; undefined when missing, tampered with, for another provider or expired. */
export function openPending(ring: Keyring, value: string | undefined, provider: ProviderName, now: number): PendingAuth | undefined {
  if (!value || value.length > 4096) return undefined;
  let body: SealedPending;
  try {
    body = JSON.parse(decrypt(ring, value, aad(provider))) as SealedPending;
  } catch {
    return undefined;
  }
  if (typeof body.s !== "string" || typeof body.v !== "string" || typeof body.r !== "string" || typeof body.x !== "number") return undefined;
  if (body.x <= now) return undefined;
  return { provider, state: body.s, verifier: body.v, redirectUri: body.r };
}

/**
 * Burns a connect attempt's state on the server: true the first time its callback arrives, false
 * ever after, whatever became of that callback. The sealed cookie is cleared in the browser too, but
 * a copy of it (and of the code) must not work twice. Only a hash is stored; it expires in a day.
 * The burn carries an id of this call's own: one the table applied whose answer was lost, which the
 * SDK's retry then finds standing, is still this callback's (helper-189).
 */
export async function burnState(repo: Repository, provider: ProviderName, state: string, now: number): Promise<boolean> {
  const hash = createHash("sha256").update(`${provider}\n${state}`).digest("base64url");
  const burn = randomBytes(12).toString("base64url");
  if (await repo.putIf({ ...keys.oauthState(hash), burn, expiresAt: Math.floor(now / 1000) + 86_400 }, "attribute_not_exists(pk)")) return true;
  return (await repo.get<{ burn?: string }>(keys.oauthState(hash)))?.burn === burn;
}

/** Constant-time comparison of two state values. */
export function sameState(a: string | undefined, b: string | undefined): boolean {
  if (typeof a !== "string" || typeof b !== "string") return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/**
 * A throwaway account record for reading the profile of a just-granted token, before the address
 * is known: the token is sealed with an empty context, as {@link refreshTokenOf} opens it for an
 * empty address. Never stored.
 */
export function provisionalAccount(ring: Keyring, provider: ProviderName, client: ConnectClient, refreshToken: string, now: number): AccountRecord {
  return {
    provider,
    email: "",
    aliases: [],
    timeZone: "UTC",
    clientId: client.clientId,
    refreshTokenSealed: encrypt(ring, refreshToken, ""),
    status: "active",
    endpoints: endpointsOf(client),
    connectedAt: now,
  };
}

const endpointsOf = (client: ConnectClient): AccountRecord["endpoints"] => ({
  ...(client.apiUrl ? { apiUrl: client.apiUrl } : {}),
  tokenUrl: client.endpoints.tokenUrl,
  authorizeUrl: client.endpoints.authorizeUrl,
});

/**
 * What a rename carries to the new address: the owner's own choices (a pause among them, as a
 * reconnect keeps it) and the week last run, so the moved account gets no second digest that week.
 */
const settingsOf = (a: AccountRecord): Partial<AccountRecord> => {
  const { template, subjectTemplate, signatureName, firstNames, eventEmails, lastWeeklyAt, lastWeek } = a;
  return Object.fromEntries(Object.entries({ template, subjectTemplate, signatureName, firstNames, eventEmails, lastWeeklyAt, lastWeek }).filter(([, v]) => v !== undefined));
};

/** What a new grant of an account decides, however it was made (the hosted flow, the CLI's local one). */
export interface Grant {
  provider: ProviderName;
  /** The address signed in to (the profile's). */
  email: string;
  profile: Profile;
  clientId: string;
  /** The endpoints the account is read through; absent for the real APIs' defaults. */
  endpoints: AccountRecord["endpoints"];
  /** The scopes the token response granted; absent when it named none. */
  scopes?: string[];
  now: number;
  /** The sign-in identity key (core/oauth identityKey), when the flow learned it. */
  identity?: string;
}

/**
 * The fields a grant decides, from the record it is made from (`prior`: the account as stored, one
 * carried over from a renamed address, or none): the profile's aliases (not the address itself) and
 * name, the calendar's zone as the provider names it now (a zone the owner chose on the settings
 * page stays, and the calendar's is kept beside it), the client, endpoints and connection time.
 */
export function grantFields(g: Grant, prior: AccountRecord | undefined): Partial<AccountRecord> & Pick<AccountRecord, "provider" | "aliases" | "timeZone" | "clientId" | "connectedAt"> {
  const lower = g.email.toLowerCase();
  const aliases = [...new Set(g.profile.aliases.map((a) => a.trim()).filter((a) => a && a.toLowerCase() !== lower))];
  const fromCalendar = g.profile.timeZone && isZone(g.profile.timeZone) ? g.profile.timeZone : undefined;
  const calendarZone = fromCalendar ?? (prior ? calendarZoneOf(prior) : undefined);
  return {
    provider: g.provider,
    aliases,
    ...(g.profile.displayName ? { displayName: g.profile.displayName } : {}),
    timeZone: prior?.zoneChosen ? prior.timeZone : (fromCalendar ?? prior?.timeZone ?? "UTC"),
    // None read, none known before: the zone is no calendar's (the settings page offers none as one).
    // (A zone given from the owner's meetings stays, and says so, until one is read or chosen.)
    ...(calendarZone ? { calendarZone } : { zoneUnread: true as const, ...(prior?.zoneInferred && !prior.zoneChosen ? { zoneInferred: true as const } : {}) }),
    clientId: g.clientId,
    endpoints: g.endpoints,
    connectedAt: g.now,
    ...(g.identity ? { identity: g.identity } : {}),
  };
}

/**
 * A reconnect's write (core/accounts updateConnection), made from the record as it is at the write:
 * only what the grant decides ({@link grantFields}), its sealed token and scopes, the status (a pause
 * stays; one waiting for a reconnect is active again), a schedule where there was none, and the
 * marks of the old grant's failure removed (an undefined field is removed). The owner's settings
 * saved meanwhile (template, subject, signature, first names, event emails, a chosen zone) stay.
 */
export function reconnectPatch(g: Grant, current: AccountRecord, refreshTokenSealed: string): Partial<AccountRecord> {
  return {
    // A zone read now, or known before, removes the mark of none read (grantFields sets it again where neither).
    zoneUnread: undefined,
    zoneInferred: undefined,
    ...grantFields(g, current),
    status: current.status === "paused" ? "paused" : "active",
    ...(current.schedule ? {} : { schedule: { ...DEFAULT_SCHEDULE } }),
    refreshTokenSealed,
    scopes: g.scopes,
    reconnectNotifiedAt: undefined,
    reconnectNotifyingAt: undefined,
    reconnectNotifyingId: undefined,
    reconnectReason: undefined,
  };
}

/** What storing a connection did. */
export type StoreOutcome =
  | { kind: "connected" | "reconnected"; account: AccountRecord }
  /** The address is already connected through the other provider. */
  | { kind: "conflict"; existing: AccountRecord }
  /**
   * The address is connected through the other kind of Microsoft account (a personal one and a work
   * or school one can hold the same address at once): nothing is stored, nothing deleted.
   */
  | { kind: "other-kind"; existing: AccountRecord };

/**
 * Whether a Microsoft sign-in is of the other kind than the stored identity: one in the tenant of
 * personal accounts, the other in an organisation's. Microsoft lets a personal account and a work or
 * school account carry one address (its sign-in asks which to use), so such a sign-in is most likely
 * the same owner picking the other kind, not the address given to someone else (helper-244 #2: it
 * deleted the owner's data at once).
 */
export function otherKindOfMicrosoftAccount(stored: string, signIn: AccountIdentity): boolean {
  if (signIn.provider !== "microsoft" || microsoftTenantOf(stored) === undefined) return false;
  return personalMicrosoftIdentity(stored) !== personalMicrosoftIdentity(identityKey(signIn));
}

/**
 * Stores a connected account from its profile. A new account gets the default schedule and status
 * active. An existing one (reconnect) keeps its schedule, template, a "paused" choice and a time
 * zone the owner chose (else it takes the calendar's zone again), gets the new token, becomes active
 * again when it needed reconnecting, and loses `reconnectNotifiedAt` (so a later revocation mails
 * again). An address whose stored sign-in identity is not the one signing in
 * now is someone else's account: the previous owner's data is deleted first, and it is connected as
 * new; unless it is a Microsoft sign-in of the other kind ({@link otherKindOfMicrosoftAccount}),
 * which stores and deletes nothing ("other-kind"). `connectedAt` is the time of this connection: a late "revoked"
 * report about the previous connection then no longer matches it (see reconnect/handleRevoked).
 */
export async function storeConnection(o: StoreInput): Promise<StoreOutcome> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await storeOnce(o);
    } catch (e) {
      if (!(e instanceof Replaced) || attempt >= 3) throw e;
    }
  }
}

/** What {@link storeConnection} is given. */
export interface StoreInput {
  repo: Repository;
  ring: Keyring;
  provider: ProviderName;
  client: ConnectClient;
  refreshToken: string;
  profile: Profile;
  now: number;
  /** The scopes the token response granted (stored on the account). */
  scopes?: string[];
  /** Who signed in (the ID token's sub, or oid and tid): a later management sign-in must match it. */
  identity?: AccountIdentity;
  /**
   * The account this address had through the other provider, deleted by a confirmed move
   * (./move completeMove): a new connection takes the owner's choices from it, as from a rename.
   */
  carry?: AccountRecord;
}

async function storeOnce(o: StoreInput): Promise<StoreOutcome> {
  const email = o.profile.email.trim();
  if (!email.includes("@")) throw new Error("the provider's profile has no address");
  let existing = (await loadAccountItem(o.repo, email))?.account;
  if (existing && existing.provider !== o.provider) return { kind: "conflict", existing };
  if (existing?.identity && o.identity && existing.identity !== identityKey(o.identity)) {
    // Unless the stored account's grant is gone (its work account deleted, say): then the owner could
    // neither reconnect it nor sign in to disconnect it, and the address would be stuck (helper-246 #2).
    if (otherKindOfMicrosoftAccount(existing.identity, o.identity) && !awaitsReconnect(existing)) return { kind: "other-kind", existing };
    // Someone else signed in to this address (the provider gave it to a new account: a Workspace or
    // Entra user deleted and the name given again). What the account held is the previous owner's:
    // their people, digests, settings and links. It is deleted, as a disconnect deletes it, and this
    // is a new connection, never a reconnect that would hand it over. (The old account of a rename not
    // yet finished is its owner's to take first: helper-137 #3.)
    const mover = await accountByIdentity(o.repo, existing.identity);
    if (mover?.movedFrom?.email.toLowerCase() === existing.email.toLowerCase()) await finishMove(o.repo, mover, o.now);
    await deleteAccountData(o.repo, existing.email);
    existing = undefined;
  }
  // The same sign-in under another address (the provider renamed the account; its identity is
  // the same person's): that account is this one now. Its settings come along to a new record, and
  // what the owner said and was sent to its partition; its old record and data go, so no second
  // account keeps scanning the same mailbox unreachable.
  const moved = o.identity ? await accountByIdentity(o.repo, identityKey(o.identity)) : undefined;
  const carried = moved && moved.email.toLowerCase() !== email.toLowerCase() ? moved : undefined;
  // The new record is made first, with the settings and status as read here and `movedFrom`; then the
  // old account's records come along and it goes (core/accounts finishMove), and a move cut short
  // is finished by the next sign-in or job (helper-136 #1, #2). An account already under the new
  // address that is not this move's own (one stored before sign-ins were recorded) keeps its own
  // records: the old one just goes (helper-131 #6).
  if (carried && existing && existing.movedFrom?.email.toLowerCase() !== carried.email.toLowerCase()) await deleteAccountData(o.repo, carried.email);
  const grant: Grant = { provider: o.provider, email, profile: o.profile, clientId: o.client.clientId, endpoints: endpointsOf(o.client), scopes: o.scopes, now: o.now, ...(o.identity ? { identity: identityKey(o.identity) } : {}) };
  const connection = (prior: AccountRecord | undefined) => grantFields(grant, prior);
  if (existing) {
    const createdAt = existing.createdAt;
    // Only what the new grant decides is written, made from the record as it is at the write (core/accounts
    // updateConnection): a setting saved meanwhile stays. The grant's token replaces the old one, and the
    // marks of the old grant's failure go (an undefined field is removed).
    const sealed = sealRefreshToken(o.ring, existing.email, o.refreshToken);
    const account = await updateConnection(
      o.repo,
      existing.email,
      (current) => {
        // Another account under this address since it was read (disconnected and connected again, by
        // someone else or through the other provider): this connection is decided again from the start.
        if (current.createdAt !== createdAt || current.provider !== o.provider) throw new Replaced();
        return reconnectPatch(grant, current, sealed);
      },
      o.now,
    );
    if (account) {
      // The sign-in's link after the account it names (a disconnect finishing meanwhile deletes both).
      if (account.identity) await linkIdentity(o.repo, account.identity, account.email, existing.identity, account.createdAt);
      return { kind: "reconnected", account: await finishMove(o.repo, account, o.now) };
    }
    // Disconnected since it was read: this is a new connection.
  }
  // A new account starts with nothing a partition without an account holds (no one's: records left
  // by a connection cut short; helper-131 #6).
  await clearPartition(o.repo, email, { unlessAccount: true });
  const from = carried ?? o.carry;
  const settings = from ? settingsOf(from) : {};
  const status = from?.status === "paused" ? "paused" : "active";
  // `createdAt`: links of an earlier connection of this address (a previous owner's digests,
  // forwarded or not) open nothing of this one's (functions/src/kit authorise).
  const account = await createAccount(o.repo, o.ring, {
    ...settings,
    ...connection(from),
    email,
    ...(from?.zoneChosen ? { zoneChosen: true } : {}),
    refreshToken: o.refreshToken,
    ...(o.scopes ? { scopes: o.scopes } : {}),
    createdAt: o.now,
    status,
    ...(carried
      ? { movedFrom: { email: carried.email, ...(carried.createdAt !== undefined ? { createdAt: carried.createdAt } : {}), ...(carried.forwardedFrom?.length ? { forwardedFrom: carried.forwardedFrom } : {}) } }
      : {}),
    schedule: { ...(from?.schedule ?? DEFAULT_SCHEDULE) },
  });
  // Another first connection of this address stored its account meanwhile: this one reconnects it.
  if (!account) throw new Replaced();
  if (account.identity) await linkIdentity(o.repo, account.identity, account.email, undefined, account.createdAt);
  return { kind: "connected", account: await finishMove(o.repo, account, o.now) };
}

/** The account under the address changed while a connection was being stored: it is stored again from the start. */
class Replaced extends Error {}
