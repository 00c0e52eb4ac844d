/**
 * Moving an address's account to the other provider: a company that went from Google Workspace to
 * Microsoft 365 (or back) signs in through the new provider and finds its address connected through
 * the old one ({@link storeConnection}'s "conflict"). Disconnecting there first takes a sign-in with
 * the old provider, which is gone when the old user was deleted: the address was locked out for good
 * (helper-132 #2).
 *
 * The new provider's sign-in alone does not prove the address is the signer's today (a personal
 * Microsoft account can carry any address its owner once confirmed, years ago, at a former
 * employer), so the new grant is kept aside, sealed, for an hour ({@link offerMove}), and a link is
 * mailed to the address: whoever reads its mail now confirms the move ({@link completeMove}). The
 * link names this one offer (a reference only its mail carries; the item keeps its hash), so an
 * offer made after it cannot be confirmed with it; an offer is not replaced within
 * {@link MOVE_RESEND_MS} of the last mail, so no one can send the address a stream of them, nor
 * swap the grant behind a link just mailed.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { type AccountRecord, deleteAccountData, loadAccount, pauseForDisconnect } from "../accounts";
import type { AccountIdentity } from "../oauth";
import type { Profile } from "../providers";
import { decrypt, encrypt, type Keyring } from "../secrets";
import { keys, type Repository } from "../storage";
import { escapeHtml as esc } from "../text";
import { type ConnectClient, type ProviderName, type StoreOutcome, storeConnection } from "./index";

/** How long an offered move waits for its confirmation (the mailed link's lifetime, core/links). */
export const MOVE_TTL_MS = 60 * 60_000;
/** An offer mailed less than this ago is not replaced, nor mailed again. */
export const MOVE_RESEND_MS = 10 * 60_000;

/** The grant a sign-in through the other provider gave, kept aside until the address confirms the move. */
export interface MoveGrant {
  provider: ProviderName;
  refreshToken: string;
  profile: Profile;
  scopes?: string[];
  identity?: AccountIdentity;
}

/** The stored offer: the grant sealed to the address, the hash of the mailed reference. */
interface MoveItem {
  pk: string;
  sk: string;
  provider: ProviderName;
  /** The account it moves from: its provider and creation (a later account under the address is not it). */
  fromProvider: ProviderName;
  fromCreatedAt?: number;
  sealed: string;
  refHash: string;
  mailedAt: number;
  /** DynamoDB TTL, epoch seconds. */
  expiresAt: number;
}

const aad = (email: string) => `move:${email.toLowerCase()}`;
const hashOf = (ref: string) => createHash("sha256").update(ref).digest("base64url");

/**
 * Keeps `grant` aside for the address of `from` (connected through the other provider) and returns
 * the reference the mailed link carries; undefined when an offer was mailed less than
 * {@link MOVE_RESEND_MS} ago (that one stands, and no mail goes). The caller mails the link, and
 * gives the offer up ({@link dropMove}) when the mail could not be sent.
 */
export async function offerMove(repo: Repository, ring: Keyring, from: AccountRecord, grant: MoveGrant, now: number): Promise<string | undefined> {
  const email = from.email.toLowerCase();
  const ref = randomBytes(24).toString("base64url");
  const item: MoveItem = {
    ...keys.providerMove(email),
    provider: grant.provider,
    fromProvider: from.provider,
    ...(from.createdAt !== undefined ? { fromCreatedAt: from.createdAt } : {}),
    sealed: encrypt(ring, JSON.stringify(grant), aad(email)),
    refHash: hashOf(ref),
    mailedAt: now,
    expiresAt: Math.ceil((now + MOVE_TTL_MS) / 1000),
  };
  const placed = await repo.putIf({ ...item }, "attribute_not_exists(pk) OR mailedAt <= :before", { ":before": now - MOVE_RESEND_MS });
  return placed ? ref : undefined;
}

/** Gives up the offer `ref` names (its mail was not sent). */
export async function dropMove(repo: Repository, email: string, ref: string): Promise<void> {
  await repo.deleteIf(keys.providerMove(email), "refHash = :h", { ":h": hashOf(ref) });
}

/** Why an offer cannot be confirmed: none is waiting (confirmed, given up or never made), a later one replaced it, or its hour is over. */
export type MoveRefusal = "gone" | "replaced" | "expired";

/** The offer `ref` names, as the confirm page shows it: the provider it moves to and the profile signed in. */
export async function pendingMove(repo: Repository, ring: Keyring, email: string, ref: string, now: number): Promise<{ item: MoveItem; grant: MoveGrant } | MoveRefusal> {
  const item = await repo.get<MoveItem>(keys.providerMove(email));
  if (!item) return "gone";
  const a = Buffer.from(item.refHash);
  const b = Buffer.from(hashOf(ref));
  if (a.length !== b.length || !timingSafeEqual(a, b)) return "replaced";
  if (item.expiresAt * 1000 <= now) return "expired";
  return { item, grant: JSON.parse(decrypt(ring, item.sealed, aad(email))) as MoveGrant };
}

/** What {@link completeMove} did. */
export type MoveOutcome =
  | { kind: "moved"; account: AccountRecord; from?: AccountRecord }
  /** The offer cannot be confirmed. */
  | { kind: MoveRefusal }
  /** The address's account is not the one the offer was made for any more (disconnected and connected again meanwhile, or through this provider already). */
  | { kind: "changed" };

/**
 * Confirms the offer `ref` names: takes it (once: a second confirmation finds none), then the
 * address's account at the other provider is paused, retired (`retire`: its grant revoked where the
 * provider can, best effort) and deleted with everything stored for it, as a disconnect deletes it;
 * and the kept grant is stored as a new connection carrying the owner's choices (schedule, zone
 * chosen, template, signature, first names, event emails, a pause) from the old account. What was
 * read from the old provider (people, follow-ups, events, digests) goes: the new mailbox is read
 * afresh.
 */
export async function completeMove(o: {
  repo: Repository;
  ring: Keyring;
  client: ConnectClient;
  email: string;
  ref: string;
  now: number;
  retire: (old: AccountRecord) => Promise<void>;
}): Promise<MoveOutcome> {
  const email = o.email.toLowerCase();
  const pending = await pendingMove(o.repo, o.ring, email, o.ref, o.now);
  if (typeof pending === "string") return { kind: pending };
  // Taken once: of two confirmations at once, one goes on.
  if (!(await o.repo.deleteIf(keys.providerMove(email), "refHash = :h", { ":h": pending.item.refHash }))) return { kind: "gone" };
  const { grant, item } = pending;
  // The account the offer was made for, as it was before this move touched it (its choices carry).
  const from = await loadAccount(o.repo, email);
  if (from) {
    if (from.provider === grant.provider || from.provider !== item.fromProvider || from.createdAt !== item.fromCreatedAt) return { kind: "changed" };
    await pauseForDisconnect(o.repo, from, o.now);
    await o.retire((await loadAccount(o.repo, email)) ?? from);
    await deleteAccountData(o.repo, email);
  }
  const stored: StoreOutcome = await storeConnection({
    repo: o.repo,
    ring: o.ring,
    provider: grant.provider,
    client: o.client,
    refreshToken: grant.refreshToken,
    profile: grant.profile,
    now: o.now,
    ...(grant.scopes ? { scopes: grant.scopes } : {}),
    ...(grant.identity ? { identity: grant.identity } : {}),
    ...(from ? { carry: from } : {}),
  });
  if (stored.kind === "conflict") return { kind: "changed" };
  return { kind: "moved", account: stored.account, ...(from ? { from } : {}) };
}

const PROVIDER_NAME: Record<ProviderName, string> = { google: "Google", microsoft: "Microsoft" };

/**
 * The email of an offer: who signed in where, what moving does, and the link (`url`, a sealed `move`
 * link). Sent to the address itself, by the service (a SystemMailer), since the account's own
 * mailbox may be the one that is gone.
 */
export function moveMail(o: { email: string; from: ProviderName; to: ProviderName; signedInAs?: string; url: string }): { subject: string; text: string; html: string } {
  const [from, to] = [PROVIDER_NAME[o.from], PROVIDER_NAME[o.to]];
  const who = o.signedInAs ? `${o.signedInAs} <${o.email}>` : o.email;
  const subject = `Move Followthrough to ${to}?`;
  const asked = `Someone signed in to ${to} as ${who} and asked Followthrough to connect it. ${o.email} is connected to Followthrough through ${from}.`;
  const move = `If your mail has moved to ${to}, open this link within an hour to move Followthrough there. Your digest's day and time and your settings come along; what we read from ${from} is deleted, and your ${to} mailbox and calendar are read afresh.`;
  const ignore = "If this wasn't you, ignore this email: nothing changes.";
  const text = [asked, "", move, "", `Move: ${o.url}`, "", ignore].join("\n");
  const html = `<p>${esc(asked)}</p>
<p>${esc(move)}</p>
<p><a href="${esc(o.url)}">Move Followthrough to ${esc(to)}</a></p>
<p>${esc(ignore)}</p>`;
  return { subject, text, html };
}
