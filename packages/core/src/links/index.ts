import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

/**
 * What a one-tap link may do. `manage` is the short-lived link a fresh sign-in with the connected
 * account earns (settings plus disconnect and delete); it is never put in an email. `met` (the
 * morning-after event email, core/eventmail) opens "whom did you meet at this event": its token
 * carries the event id in `evt` and no person. `events` opens the owner's events of the next 14 days
 * (mark, unmark, goals); `goal` sets the goal of the one event in `evt` (the digest's Coming up).
 * `reconnect` (the reconnect email, the settings page's Reconnect button) starts the connect flow
 * for the account's provider with its address as the sign-in hint, so the address is never in the URL.
 * `move` (mailed to the address when a sign-in through the other provider finds it connected,
 * core/connect offerMove) confirms moving the account to that provider; `ref` names the one
 * pending move it confirms. `disconnected` opens the page a disconnect redirects to: the account is
 * gone by then, so the link carries what the page says (the address in `acc`, the provider in `pv`,
 * a revocation the provider confirmed in `rv`) and opens nothing of an account.
 */
export type LinkAction = "draft" | "dismiss" | "settings" | "pause" | "view" | "manage" | "met" | "events" | "goal" | "reconnect" | "move" | "connected" | "disconnected";
export const LINK_ACTIONS: readonly LinkAction[] = ["draft", "dismiss", "settings", "pause", "view", "manage", "met", "events", "goal", "reconnect", "move", "connected", "disconnected"];
export const isLinkAction = (s: string): s is LinkAction => (LINK_ACTIONS as readonly string[]).includes(s);

/** The claims a link carries: bound to the account, and for follow-ups to the person and the meeting. */
export interface LinkClaims {
  act: LinkAction;
  /** Account (owner's primary address, lower-case). */
  acc: string;
  /** Person (normalised address), for draft and dismiss. */
  per?: string;
  /** Meeting id where the person was first met, for draft and dismiss. */
  evt?: string;
  /**
   * A digest's own view link: its ISO week, the only digest it opens (a forwarded digest shows no
   * other week's people, and no first look). A view link without it (a page's "Your latest digest")
   * opens no digest made after it was issued.
   */
  wk?: string;
  /**
   * On a link a page handed out: when the link that page was reached through was issued (epoch
   * seconds), carried on down the chain of pages. Links issued whole (a digest's, a connect or
   * sign-in page's) have none: they live their full lifetime, so they were issued at `exp` less it.
   */
  org?: number;
  /**
   * On a link a page handed out after a link of a renamed account's old address was followed
   * (core/accounts movedAccount): the creation of the account it reached (epoch seconds). The
   * chain is that account's though it began before it: its links are not an earlier connection's.
   * `org` stays the chain's start, for everything else it limits.
   */
  mv?: number;
  /** On a move link: the pending move it confirms (core/connect offerMove's reference, never stored in clear). */
  ref?: string;
  /** On a "connected" link (the page a connect callback or a move redirects to): how the account came to be connected, where not new. */
  how?: "reconnected" | "moved";
  /** On a "disconnected" link: the provider the account was connected through. */
  pv?: "google" | "microsoft";
  /** On a "disconnected" link: the provider confirmed the grant revoked (absent: not confirmed, or no call for it, as at Microsoft). */
  rv?: true;
  /** Expiry, epoch seconds. */
  exp: number;
}

/**
 * When the chain of pages a link belongs to began (epoch seconds): the issue of the digest, sign-in
 * or connect page whose link it was reached from. A view link without a week opens no digest made
 * after it; the live first look opens only from a link issued whole.
 */
export const chainIssuedAt = (claims: LinkClaims): number => claims.org ?? claims.exp - LINK_TTL_SECONDS[claims.act];

/**
 * Why a link was refused. `old-form`: a link of the earlier, readable form (`/a/<account>/…`),
 * refused outright since it carried personal data in the clear.
 */
export type LinkProblem = "malformed" | "tampered" | "expired" | "wrong-account" | "wrong-action" | "old-form";

/** A refused link; `problem` decides the page the person sees. */
export class LinkError extends Error {
  constructor(readonly problem: LinkProblem) {
    super(`link refused: ${problem}`);
    this.name = "LinkError";
  }
}

/**
 * How long links stay valid: a digest's links for six weeks, settings links for a week, a signed-in
 * management link for 15 minutes, a reconnect link for 30 days (its email is sent once), a move
 * link for an hour (as long as the grant it confirms is kept aside, core/connect MOVE_TTL_MS), the
 * Connected page a sign-in redirects to for an hour (its reloads: it hands out the links, issued as
 * of the sign-in, that the sign-in's own page did), and the Disconnected page a disconnect redirects
 * to for an hour (its reloads, and Back to it: it opens nothing of an account, which is gone).
 */
export const LINK_TTL_SECONDS: Record<LinkAction, number> = {
  draft: 42 * 86400,
  dismiss: 42 * 86400,
  settings: 7 * 86400,
  pause: 42 * 86400,
  view: 42 * 86400,
  manage: 15 * 60,
  met: 42 * 86400,
  events: 42 * 86400,
  goal: 42 * 86400,
  reconnect: 30 * 86400,
  move: 3600,
  connected: 3600,
  disconnected: 3600,
};

/** Version byte of a sealed token; a token of another version is malformed. */
const VERSION = 2;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Plaintext is padded to a multiple of this, so a token's length says little about an address's. */
const PAD = 64;
const AAD = Buffer.from("followthrough-link-v2");

const derived = new Map<string, Buffer>();

/** An AES-256 key derived (HKDF-SHA256) from the configured link key for one use (`info`). */
function derivedKey(key: Uint8Array | string, info: string): Buffer {
  const id = `${info}|${typeof key === "string" ? `s:${key}` : `b:${Buffer.from(key).toString("base64")}`}`;
  let k = derived.get(id);
  if (!k) {
    if (derived.size > 16) derived.clear();
    k = Buffer.from(hkdfSync("sha256", typeof key === "string" ? Buffer.from(key, "utf8") : key, "followthrough/links", info, 32));
    derived.set(id, k);
  }
  return k;
}

/** The AES-256 key of links. */
const linkCipherKey = (key: Uint8Array | string) => derivedKey(key, "aes-256-gcm link tokens v2");

/** The HKDF info and version byte of what {@link sealStored} seals. */
const STORED_INFO = "aes-256-gcm stored bodies v1";
const STORED_VERSION = 1;

/**
 * What the table keeps that holds live links (a digest's HTML, for its view in the browser), sealed
 * under a key of its own derived from the link key: a stolen table (an export, a backup) then yields
 * no link, as the link key is not in it (docs/security.md). `context` (the account and the week) is
 * the associated data, so a sealed body opens only as the record it was written for. The format:
 * version 1, the IV, the ciphertext, the tag.
 */
export function sealStored(key: Uint8Array | string, data: Uint8Array, context: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", derivedKey(key, STORED_INFO), iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(context, "utf8"));
  return Buffer.concat([Buffer.from([STORED_VERSION]), iv, cipher.update(data), cipher.final(), cipher.getAuthTag()]);
}

/**
 * Opens what {@link sealStored} sealed under this link key for this `context`; undefined when it
 * does not open (another link key: the deployment's was changed, which ends every link it made too;
 * another record's bytes; damage).
 */
export function openStored(key: Uint8Array | string, sealed: Uint8Array, context: string): Buffer | undefined {
  if (sealed.length < 1 + IV_BYTES + TAG_BYTES || sealed[0] !== STORED_VERSION) return undefined;
  try {
    const decipher = createDecipheriv("aes-256-gcm", derivedKey(key, STORED_INFO), sealed.subarray(1, 1 + IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(context, "utf8"));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    return Buffer.concat([decipher.update(sealed.subarray(1 + IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
  } catch {
    return undefined;
  }
}

/**
 * Seals claims into an opaque token: AES-256-GCM (key derived from the link key), a random IV, the
 * JSON padded to a multiple of 64 bytes; `base64url(version ‖ iv ‖ ciphertext ‖ tag)`. Nobody who
 * sees the URL (a proxy, a scanner, the browser's history) learns the account, the person or the
 * meeting; any change to the token fails to open.
 */
export function sealLink(key: Uint8Array | string, claims: Omit<LinkClaims, "exp">, nowMs: number, ttlSeconds = LINK_TTL_SECONDS[claims.act]): string {
  const full: LinkClaims = { ...claims, acc: claims.acc.toLowerCase(), exp: Math.floor(nowMs / 1000) + ttlSeconds };
  const json = Buffer.from(JSON.stringify(full), "utf8");
  const padded = Buffer.concat([json, Buffer.alloc(PAD - (json.length % PAD), 0x20)]);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", linkCipherKey(key), iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(AAD);
  const ct = Buffer.concat([cipher.update(padded), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), iv, ct, cipher.getAuthTag()]).toString("base64url");
}

/** The path of a link: the action, then the opaque token (no address, no meeting id). */
export const linkPath = (act: LinkAction, token: string) => `/l/${act}/${token}`;

/**
 * Opens a token: decrypts and authenticates it (any change fails), then checks its expiry and what
 * the caller expects. Throws {@link LinkError}; never trusts the claims before they authenticate.
 */
export function openLink(
  key: Uint8Array | string,
  token: string,
  nowMs: number,
  expect: {
    act?: LinkAction | LinkAction[];
    acc?: string;
    /** Accept an authentic link past its expiry (a digest's one-click unsubscribe, RFC 8058, which must keep working). */
    evenExpired?: boolean;
  } = {},
): LinkClaims {
  if (!/^[A-Za-z0-9_-]{100,4096}$/.test(token)) throw new LinkError("malformed");
  const raw = Buffer.from(token, "base64url");
  if (raw.toString("base64url") !== token || raw.length < 1 + IV_BYTES + PAD + TAG_BYTES || raw[0] !== VERSION) throw new LinkError("malformed");
  const iv = raw.subarray(1, 1 + IV_BYTES);
  const tag = raw.subarray(raw.length - TAG_BYTES);
  const ct = raw.subarray(1 + IV_BYTES, raw.length - TAG_BYTES);
  let plain: string;
  try {
    const decipher = createDecipheriv("aes-256-gcm", linkCipherKey(key), iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(AAD);
    decipher.setAuthTag(tag);
    plain = Buffer.concat([decipher.update(ct), decipher.final()]).toString("utf8");
  } catch {
    throw new LinkError("tampered");
  }
  let claims: LinkClaims;
  try {
    claims = JSON.parse(plain) as LinkClaims;
  } catch {
    throw new LinkError("malformed");
  }
  if (typeof claims !== "object" || claims === null || typeof claims.acc !== "string" || !isLinkAction(String(claims.act))) throw new LinkError("malformed");
  if ((claims.org !== undefined && typeof claims.org !== "number") || (claims.mv !== undefined && typeof claims.mv !== "number") || (claims.ref !== undefined && typeof claims.ref !== "string")) throw new LinkError("malformed");
  if (claims.how !== undefined && claims.how !== "reconnected" && claims.how !== "moved") throw new LinkError("malformed");
  if ((claims.pv !== undefined && claims.pv !== "google" && claims.pv !== "microsoft") || (claims.rv !== undefined && claims.rv !== true)) throw new LinkError("malformed");
  if (typeof claims.exp !== "number" || (claims.exp * 1000 <= nowMs && !expect.evenExpired)) throw new LinkError("expired");
  const acts = expect.act === undefined ? undefined : Array.isArray(expect.act) ? expect.act : [expect.act];
  if (acts && !acts.includes(claims.act)) throw new LinkError("wrong-action");
  if (expect.acc !== undefined && claims.acc !== expect.acc.toLowerCase()) throw new LinkError("wrong-account");
  return claims;
}
