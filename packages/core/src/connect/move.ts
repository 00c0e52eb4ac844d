/**
 * Moving an address's account to the other provider: a company that went from Google Workspace to
 * Microsoft 365 (or back) signs in through the new provider and finds its address connected through
 * the old one ({@link storeConnection}'s "conflict"). Disconnecting there first takes a sign-in with
 * the old provider, which is gone when the old user was deleted: the address was locked out for good
 * (helper-132 #2).
 *
 * The new provider's sign-in alone does not prove the address is the signer's today (a personal
 * Microsoft account can carry any address its owner once confirmed, years ago, at a former
 * employer), and the address's mail alone does not prove the sign-in is its reader's (anyone with
 * such an account can have the service mail the address a link, which its reader might follow). A
 * move takes both: each sign-in's grant is kept aside, sealed, for an hour ({@link offerMove}: an
 * item of its own, under the hash of a random reference), the reference goes to the address in a
 * mailed link and to the signing-in browser in a cookie (functions/src/connect.ts), and only that
 * browser following that link confirms it ({@link completeMove}). So one person's sign-in is never
 * confirmed by another's mail. Each identity gets a few mails an hour, and an address a few more.
 */
import { createHash, randomBytes } from "node:crypto";
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { type AccountRecord, loadAccount } from "../accounts";
import { API_TIMEOUT_SECONDS } from "../limits";
import { type AccountIdentity, identityKey } from "../oauth";
import type { Profile } from "../providers";
import { decrypt, encrypt, type Keyring } from "../secrets";
import { keys, type Repository } from "../storage";
import { escapeHtml as esc, plainText } from "../text";
import { type ConnectClient, PROVIDER_NAMES, type ProviderName, type StoreOutcome, storeConnection } from "./index";
import { endAccount } from "./revoke";

/** How long an offered move waits for its confirmation (the mailed link's lifetime, core/links; the cookie's). */
export const MOVE_TTL_MS = 60 * 60_000;
/** Offers (and so mails) in an hour: per signing-in identity, and per address whoever signs in. */
export const MOVE_MAILS_PER_IDENTITY = 3;
export const MOVE_MAILS_PER_ADDRESS = 10;
/**
 * A confirmation that took an offer and did not finish within this (a Lambda that died between
 * deleting the old account and storing the new) leaves it to be confirmed again: twice the API's
 * timeout, past any request still running.
 */
export const MOVE_TAKE_STALE_MS = 2 * API_TIMEOUT_SECONDS * 1000;

/** The grant a sign-in through the other provider gave, kept aside until the move is confirmed. */
export interface MoveGrant {
  provider: ProviderName;
  refreshToken: string;
  profile: Profile;
  scopes?: string[];
  identity?: AccountIdentity;
}

/**
 * The address's move under way: which offer's confirmation holds it and since when, and the old
 * account as it was before the first of them touched it (sealed), so a confirmation cut off at any
 * point is finished by the next, of this offer or another, with the owner's choices.
 */
interface MoveLock {
  pk: string;
  sk: string;
  ref: string;
  takenAt: number;
  /** The confirmation's own id for its take (absent on a lock taken before 2026-12-05). */
  takeId?: string;
  carried?: string;
  expiresAt: number;
}

/** A stored offer: the grant sealed to the address, under the hash of its reference. */
interface MoveItem {
  pk: string;
  sk: string;
  provider: ProviderName;
  /** The signing-in identity (core/oauth identityKey), for the per-identity count. */
  identity?: string;
  /** The account it moves from: its provider and creation (a later account under the address is not it). */
  fromProvider: ProviderName;
  fromCreatedAt?: number;
  sealed: string;
  mailedAt: number;
  /** DynamoDB TTL, epoch seconds. */
  expiresAt: number;
}

const aad = (email: string) => `move:${email.toLowerCase()}`;
const hashOf = (ref: string) => createHash("sha256").update(ref).digest("base64url");
const live = (i: MoveItem, now: number) => i.expiresAt * 1000 > now;
/** The address's offers (not its lock). */
const offersOf = async (repo: Repository, email: string) => ((await repo.query(keys.providerMoves(email), "")) as unknown as MoveItem[]).filter((i) => i.sk !== MOVE_LOCK);
const MOVE_LOCK = "LOCK";

/** Deletes every offer of the address and its lock (a move done; a disconnect). */
export async function dropMoves(repo: Repository, email: string): Promise<void> {
  await repo.deleteEach((await repo.query(keys.providerMoves(email), "")).map((i) => ({ pk: i.pk as string, sk: i.sk as string })));
}

/** Why an offer cannot be confirmed: none is waiting (confirmed, given up or never made), or its hour is over. */
export type MoveRefusal = "gone" | "expired";

/**
 * Keeps `grant` aside for the address of `from` (connected through the other provider) and returns
 * the reference its link and cookie carry; undefined when this identity, or the address, has had
 * its mails for the hour (nothing is kept then). The caller mails the link, and gives the offer up
 * ({@link dropMove}) when the mail could not be sent.
 */
export async function offerMove(repo: Repository, ring: Keyring, from: AccountRecord, grant: MoveGrant, now: number): Promise<string | undefined> {
  const email = from.email.toLowerCase();
  const identity = grant.identity ? identityKey(grant.identity) : undefined;
  const recent = (await offersOf(repo, email)).filter((i) => live(i, now));
  if (recent.length >= MOVE_MAILS_PER_ADDRESS || recent.filter((i) => i.identity === identity).length >= MOVE_MAILS_PER_IDENTITY) return undefined;
  const ref = randomBytes(24).toString("base64url");
  const item: MoveItem = {
    ...keys.providerMove(email, hashOf(ref)),
    provider: grant.provider,
    ...(identity ? { identity } : {}),
    fromProvider: from.provider,
    ...(from.createdAt !== undefined ? { fromCreatedAt: from.createdAt } : {}),
    sealed: encrypt(ring, JSON.stringify(grant), aad(email)),
    mailedAt: now,
    expiresAt: Math.ceil((now + MOVE_TTL_MS) / 1000),
  };
  await repo.put({ ...item });
  return ref;
}

/** Gives up the offer `ref` names (its mail was not sent). */
export async function dropMove(repo: Repository, email: string, ref: string): Promise<void> {
  await repo.delete(keys.providerMove(email, hashOf(ref)));
}

/** Whether an offer `ref` names is waiting, with its grant. */
export async function pendingMove(repo: Repository, ring: Keyring, email: string, ref: string, now: number): Promise<{ item: MoveItem; grant: MoveGrant } | MoveRefusal> {
  const item = await repo.get<MoveItem>(keys.providerMove(email, hashOf(ref)));
  if (!item) return "gone";
  if (!live(item, now)) return "expired";
  return { item, grant: JSON.parse(decrypt(ring, item.sealed, aad(email))) as MoveGrant };
}

/**
 * Whether the address's account is still the one an offer was made for: through the provider it
 * named, created when it said (or none at all, the offer's own move under way or the account
 * disconnected since).
 */
export const offerStands = (item: Pick<MoveItem, "provider" | "fromProvider" | "fromCreatedAt">, account: AccountRecord | undefined): boolean =>
  !account || (account.provider !== item.provider && account.provider === item.fromProvider && account.createdAt === item.fromCreatedAt);

/** What {@link completeMove} did. */
export type MoveOutcome =
  | { kind: "moved"; account: AccountRecord; from?: AccountRecord }
  /** The offer cannot be confirmed. */
  | { kind: MoveRefusal }
  /** The address's account is not the one the offer was made for any more (disconnected and connected again meanwhile). */
  | { kind: "changed" };

/**
 * Confirms the offer `ref` names: takes it (a conditional write: one confirmation at a time), then
 * the address's account at the other provider is paused, retired (`retire`: its grant revoked where
 * the provider can, best effort) and deleted with everything stored for it, as a disconnect deletes
 * it; and the kept grant is stored as a new connection carrying the owner's choices (schedule, zone
 * chosen, template, signature, first names, event emails, a pause) from the old account. What was
 * read from the old provider (people, follow-ups, events, digests) goes: the new mailbox is read
 * afresh. One confirmation of an address at a time (its lock, whichever offer), and the old account
 * is kept on the lock, sealed, as the first found it, so a confirmation cut off anywhere is finished
 * by the next (after {@link MOVE_TAKE_STALE_MS}), of this offer or another, with the same choices.
 * Once stored, every offer of the address and the lock go.
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
  const { grant, item } = pending;
  // The account the offer was made for, as it was before this move touched it (its choices carry).
  const from = await loadAccount(o.repo, email);
  if (!offerStands(item, from)) return { kind: "changed" };
  // The address's lock, one confirmation at a time whichever offer it is (a write that holds unless
  // another took it less than MOVE_TAKE_STALE_MS ago); the old account as first found stays on it.
  const lock = keys.providerMove(email, MOVE_LOCK);
  // The take carries an id of this confirmation's own: a take the table applied whose answer was lost
  // fails its condition on the SDK's retry, and is known as this confirmation's by it (helper-189).
  const takeId = randomBytes(12).toString("base64url");
  const taken = await o.repo.conditional(
    new UpdateCommand({
      TableName: o.repo.table,
      Key: lock,
      UpdateExpression: `SET #r = :r, takenAt = :now, takeId = :id, expiresAt = :exp${from ? ", carried = if_not_exists(carried, :c)" : ""}`,
      ConditionExpression: "attribute_not_exists(pk) OR takenAt <= :stale",
      ExpressionAttributeNames: { "#r": "ref" },
      ExpressionAttributeValues: { ":r": item.sk, ":now": o.now, ":id": takeId, ":stale": o.now - MOVE_TAKE_STALE_MS, ":exp": item.expiresAt, ...(from ? { ":c": encrypt(o.ring, JSON.stringify(from), aad(email)) } : {}) },
    }),
  );
  const held = await o.repo.get<MoveLock>(lock);
  if (!taken && held?.takeId !== takeId) return { kind: "gone" };
  // The account as the first confirmation found it (one cut off after pausing it left it paused).
  const carry = held?.carried ? (JSON.parse(decrypt(o.ring, held.carried, aad(email))) as AccountRecord) : from;
  if (from) await endAccount(o.repo, from, o.now, o.retire);
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
    ...(carry ? { carry } : {}),
  });
  if (stored.kind === "conflict" || stored.kind === "other-kind") return { kind: "changed" };
  await dropMoves(o.repo, email);
  return { kind: "moved", account: stored.account, ...(carry ? { from: carry } : {}) };
}

/** The name a provider gave the signer (their own words): one line of plain text, 60 characters at most (whole characters). */
export const signerName = (name: string | undefined): string => Array.from(plainText(name)).slice(0, 60).join("").trim();

/**
 * The email of an offer: who signed in where, what moving does, and the link (`url`, a sealed `move`
 * link), which works in the browser that signed in. Sent to the address itself, by the service (a
 * SystemMailer), since the account's own mailbox may be the one that is gone. The name the provider
 * gave is the signer's own words: one line of plain text, 60 characters at most.
 */
export function moveMail(o: { email: string; from: ProviderName; to: ProviderName; signedInAs?: string; url: string }): { subject: string; text: string; html: string } {
  const [from, to] = [PROVIDER_NAMES[o.from], PROVIDER_NAMES[o.to]];
  const name = signerName(o.signedInAs);
  const subject = `Move Followthrough to ${to}?`;
  const asked = `Someone signed in to ${to} with this address${name ? ` (as "${name}")` : ""} and asked Followthrough to connect it. ${o.email} is connected to Followthrough through ${from}.`;
  const move = `If that was you, and your mail has moved to ${to}, open this link within an hour, in the browser where you signed in, to move Followthrough there. Your digest's day and time and your settings come along; what we read from ${from} is deleted, and your ${to} mailbox and calendar are read afresh.`;
  const ignore = "If it wasn't you, ignore this email: nothing changes.";
  const text = [asked, "", move, "", `Move: ${o.url}`, "", ignore].join("\n");
  const html = `<p>${esc(asked)}</p>
<p>${esc(move)}</p>
<p><a href="${esc(o.url)}">Move Followthrough to ${esc(to)}</a></p>
<p>${esc(ignore)}</p>`;
  return { subject, text, html };
}
