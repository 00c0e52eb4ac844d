import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/**
 * Encryption keys by id; `current` seals, every listed key opens (so keys can rotate: list the new
 * key first, keep the old ones after it until every sealed value has been rewritten).
 */
export interface Keyring {
  current: string;
  keys: Record<string, Buffer>;
}

/** A key id: letters, digits, `_` and `-` (no dots: a dot separates the parts of a sealed value). */
const KID = /^[A-Za-z0-9_-]{1,64}$/;
/** Standard base64 with its padding, as `openssl rand -base64 32` prints it. */
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** One unpadded base64url field of a sealed value. */
const B64URL = /^[A-Za-z0-9_-]*$/;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

/** A keyring text or sealed value that cannot be used, with a one-line reason. */
export class SecretFormatError extends Error {
  override name = "SecretFormatError";
}

/**
 * Parses a keyring from text: `kid:base64key[,kid:base64key...]`, the first (the newest) being the
 * one that seals. Each key is 32 bytes (AES-256) of standard base64; key ids are letters, digits,
 * `_` and `-`, each listed once. Anything else is refused here, at parse time, not when a value
 * fails to open weeks later.
 */
export function parseKeyring(spec: string): Keyring {
  const keys: Record<string, Buffer> = {};
  let current = "";
  for (const part of spec.split(",").map((s) => s.trim())) {
    if (!part) throw new SecretFormatError("keyring has an empty entry (entries are kid:base64key, separated by commas)");
    const i = part.indexOf(":");
    if (i <= 0) throw new SecretFormatError("keyring entries are kid:base64key");
    const kid = part.slice(0, i);
    const text = part.slice(i + 1).trim();
    if (!KID.test(kid)) throw new SecretFormatError(`key id ${JSON.stringify(kid.slice(0, 70))} must be 1 to 64 letters, digits, _ or -`);
    if (Object.hasOwn(keys, kid)) throw new SecretFormatError(`key id ${kid} is listed twice`);
    if (!BASE64.test(text) || text.length % 4 !== 0) throw new SecretFormatError(`key ${kid} is not base64`);
    const key = Buffer.from(text, "base64");
    if (key.length !== KEY_BYTES) throw new SecretFormatError(`key ${kid} must be ${KEY_BYTES} bytes, got ${key.length}`);
    keys[kid] = key;
    current ||= kid;
  }
  if (!current) throw new SecretFormatError("keyring is empty");
  return { current, keys };
}

/** A fresh random keyring (local demo and tests; a deployment sets its own). */
export function randomKeyring(kid = "local"): Keyring {
  if (!KID.test(kid)) throw new SecretFormatError(`key id ${JSON.stringify(kid)} must be letters, digits, _ or -`);
  return { current: kid, keys: { [kid]: randomBytes(KEY_BYTES) } };
}

/** Encrypts with AES-256-GCM under the current key: `v1.<kid>.<iv>.<tag>.<ciphertext>` (base64url). */
export function encrypt(ring: Keyring, plaintext: string, context = ""): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", ring.keys[ring.current], iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(context));
  const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return ["v1", ring.current, iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), ct.toString("base64url")].join(".");
}

/** Decodes one base64url field that must be exactly `bytes` long (any length when undefined). */
function field(text: string, what: string, bytes?: number): Buffer {
  if (!B64URL.test(text)) throw new SecretFormatError(`sealed value: ${what} is not base64url`);
  const buf = Buffer.from(text, "base64url");
  // base64url of n bytes has exactly ceil(4n/3) characters: anything else carries stray bits.
  if (buf.toString("base64url") !== text) throw new SecretFormatError(`sealed value: ${what} is not canonical base64url`);
  if (bytes !== undefined && buf.length !== bytes) throw new SecretFormatError(`sealed value: ${what} must be ${bytes} bytes, got ${buf.length}`);
  return buf;
}

/**
 * Decrypts a value from {@link encrypt}; throws when the value is malformed (a tag shorter than 16
 * bytes, an IV other than 12, extra parts), the key is unknown, or the value was tampered with.
 */
export function decrypt(ring: Keyring, sealed: string, context = ""): string {
  const parts = sealed.split(".");
  if (parts.length !== 5 || parts[0] !== "v1") throw new SecretFormatError("not an encrypted value");
  const [, kid, ivText, tagText, ctText] = parts;
  if (!KID.test(kid)) throw new SecretFormatError("sealed value: bad key id");
  const key = Object.hasOwn(ring.keys, kid) ? ring.keys[kid] : undefined;
  if (!key) throw new SecretFormatError(`unknown key id ${kid}`);
  const iv = field(ivText, "iv", IV_BYTES);
  const tag = field(tagText, "tag", TAG_BYTES);
  const ct = field(ctText, "ciphertext");
  const decipher = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(context));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(ct), decipher.final()]).toString("utf8");
}
