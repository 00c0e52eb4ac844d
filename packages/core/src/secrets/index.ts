import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/** Encryption keys by id; `current` encrypts, every key decrypts (so keys can rotate). */
export interface Keyring {
  current: string;
  keys: Record<string, Buffer>;
}

/**
 * Parses a keyring from text: `kid:base64key[,kid:base64key...]`, the first being current.
 * Each key must be 32 bytes (AES-256).
 */
export function parseKeyring(spec: string): Keyring {
  const keys: Record<string, Buffer> = {};
  let current = "";
  for (const part of spec.split(",").map((s) => s.trim()).filter(Boolean)) {
    const i = part.indexOf(":");
    if (i <= 0) throw new Error("keyring entries are kid:base64key");
    const kid = part.slice(0, i);
    const key = Buffer.from(part.slice(i + 1), "base64");
    if (key.length !== 32) throw new Error(`key ${kid} must be 32 bytes, got ${key.length}`);
    keys[kid] = key;
    current ||= kid;
  }
  if (!current) throw new Error("keyring is empty");
  return { current, keys };
}

/** A fresh random keyring (local demo and tests; a deployment sets its own). */
export function randomKeyring(kid = "local"): Keyring {
  return { current: kid, keys: { [kid]: randomBytes(32) } };
}

/** Encrypts with AES-256-GCM under the current key: `v1.<kid>.<iv>.<tag>.<ciphertext>` (base64url). */
export function encrypt(ring: Keyring, plaintext: string, context = ""): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", ring.keys[ring.current], iv);
  cipher.setAAD(Buffer.from(context));
  const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return ["v1", ring.current, iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), ct.toString("base64url")].join(".");
}

/** Decrypts a value from {@link encrypt}; throws when the key is unknown or the value was tampered with. */
export function decrypt(ring: Keyring, sealed: string, context = ""): string {
  const [v, kid, iv, tag, ct] = sealed.split(".");
  if (v !== "v1" || !kid || !iv || !tag || ct === undefined) throw new Error("not an encrypted value");
  const key = ring.keys[kid];
  if (!key) throw new Error(`unknown key id ${kid}`);
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
  decipher.setAAD(Buffer.from(context));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(ct, "base64url")), decipher.final()]).toString("utf8");
}
