import { createHmac, timingSafeEqual } from "node:crypto";

/** What a one-tap link may do. */
export type LinkAction = "draft" | "dismiss" | "settings" | "pause" | "view";

/** The claims a link carries: bound to the account, and for follow-ups to the person and the meeting. */
export interface LinkClaims {
  act: LinkAction;
  /** Account (owner's primary address, lower-case). */
  acc: string;
  /** Person (normalised address), for draft and dismiss. */
  per?: string;
  /** Meeting id where the person was first met, for draft and dismiss. */
  evt?: string;
  /** Expiry, epoch seconds. */
  exp: number;
}

/** Why a link was refused. */
export type LinkProblem = "malformed" | "tampered" | "expired" | "wrong-account" | "wrong-action";

/** A refused link; `problem` decides the page the person sees. */
export class LinkError extends Error {
  constructor(readonly problem: LinkProblem) {
    super(`link refused: ${problem}`);
    this.name = "LinkError";
  }
}

/** How long links stay valid: a digest's links for six weeks, settings links for a week. */
export const LINK_TTL_SECONDS: Record<LinkAction, number> = { draft: 42 * 86400, dismiss: 42 * 86400, settings: 7 * 86400, pause: 42 * 86400, view: 42 * 86400 };

const sign = (key: Uint8Array | string, body: string) => createHmac("sha256", key).update(body).digest("base64url");

/** Signs claims with HMAC-SHA256: `<base64url(JSON)>.<base64url(mac)>`. */
export function signLink(key: Uint8Array | string, claims: Omit<LinkClaims, "exp">, nowMs: number, ttlSeconds = LINK_TTL_SECONDS[claims.act]): string {
  const full: LinkClaims = { ...claims, acc: claims.acc.toLowerCase(), exp: Math.floor(nowMs / 1000) + ttlSeconds };
  const body = Buffer.from(JSON.stringify(full)).toString("base64url");
  return `${body}.${sign(key, body)}`;
}

/**
 * Verifies a token: the MAC first (constant time), then expiry, then what the caller expects.
 * Throws {@link LinkError}; never trusts the claims before the MAC checks out.
 */
export function verifyLink(
  key: Uint8Array | string,
  token: string,
  nowMs: number,
  expect: { act?: LinkAction | LinkAction[]; acc?: string } = {},
): LinkClaims {
  const m = /^([A-Za-z0-9_-]{10,4096})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) throw new LinkError("malformed");
  const given = Buffer.from(m[2], "base64url");
  const want = Buffer.from(sign(key, m[1]), "base64url");
  if (given.length !== want.length || !timingSafeEqual(given, want)) throw new LinkError("tampered");
  let claims: LinkClaims;
  try {
    claims = JSON.parse(Buffer.from(m[1], "base64url").toString("utf8")) as LinkClaims;
  } catch {
    throw new LinkError("malformed");
  }
  if (typeof claims.exp !== "number" || claims.exp * 1000 <= nowMs) throw new LinkError("expired");
  const acts = expect.act === undefined ? undefined : Array.isArray(expect.act) ? expect.act : [expect.act];
  if (acts && !acts.includes(claims.act)) throw new LinkError("wrong-action");
  if (expect.acc !== undefined && claims.acc !== expect.acc.toLowerCase()) throw new LinkError("wrong-account");
  return claims;
}
