import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decrypt, encrypt, parseKeyring, randomKeyring, SecretFormatError } from "../src/secrets";

const b64 = (n = 32) => randomBytes(n).toString("base64");

describe("keyring parsing refuses what can never work", () => {
  it("parses kid:key lists, the first one sealing", () => {
    const ring = parseKeyring(`k2:${b64()}, k1:${b64()}`);
    expect(ring.current).toBe("k2");
    expect(Object.keys(ring.keys)).toEqual(["k2", "k1"]);
  });

  it.each([
    ["a dotted key id", `k.1:${b64()}`, /key id "k.1"/],
    ["a duplicate key id", `k1:${b64()},k1:${b64()}`, /k1 is listed twice/],
    ["an empty key id", `:${b64()}`, /kid:base64key/],
    ["a key id with a space", `k 1:${b64()}`, /key id/],
    ["a short key", `k1:${b64(16)}`, /32 bytes, got 16/],
    ["a long key", `k1:${b64(48)}`, /32 bytes, got 48/],
    ["a key that is not base64", `k1:${"*".repeat(44)}`, /not base64/],
    ["a key with junk inside", `k1:${b64().slice(0, 20)}!!${b64().slice(22)}`, /not base64/],
    ["an empty entry", `k1:${b64()},,k2:${b64()}`, /empty entry/],
    ["an empty keyring", "", /empty entry|empty/],
    ["no colon", "justakey", /kid:base64key/],
  ])("refuses %s", (_what, spec, message) => {
    expect(() => parseKeyring(spec)).toThrow(SecretFormatError);
    expect(() => parseKeyring(spec)).toThrow(message);
  });
});

describe("AES-GCM sealing", () => {
  const ring = randomKeyring("k1");
  const sealed = encrypt(ring, "refresh-token", "ctx");
  const parts = () => sealed.split(".");
  const withPart = (i: number, value: string) => parts().map((p, j) => (j === i ? value : p)).join(".");

  it("round-trips and binds the context", () => {
    expect(decrypt(ring, sealed, "ctx")).toBe("refresh-token");
    expect(() => decrypt(ring, sealed, "other")).toThrow();
  });

  it.each([4, 8, 12, 15])("refuses a tag cut to %i bytes (GCM would accept a short tag if its length were not fixed)", (n) => {
    const tag = Buffer.from(parts()[3], "base64url").subarray(0, n).toString("base64url");
    expect(() => decrypt(ring, withPart(3, tag), "ctx")).toThrow(/tag must be 16 bytes/);
  });

  it("refuses a longer tag, another IV length, extra or missing parts, and non-base64url fields", () => {
    expect(() => decrypt(ring, withPart(3, Buffer.alloc(17).toString("base64url")), "ctx")).toThrow(/tag must be 16 bytes/);
    expect(() => decrypt(ring, withPart(2, Buffer.alloc(16).toString("base64url")), "ctx")).toThrow(/iv must be 12 bytes/);
    expect(() => decrypt(ring, `${sealed}.extra`, "ctx")).toThrow(/not an encrypted value/);
    expect(() => decrypt(ring, parts().slice(0, 4).join("."), "ctx")).toThrow(/not an encrypted value/);
    expect(() => decrypt(ring, withPart(4, "a+b/"), "ctx")).toThrow(/not base64url/);
    expect(() => decrypt(ring, withPart(0, "v2"), "ctx")).toThrow(/not an encrypted value/);
  });

  it("refuses non-canonical base64url (stray trailing bits)", () => {
    const tag = parts()[3];
    // 16 bytes encode to 22 characters whose last one carries 4 unused bits; flipping them keeps the bytes.
    const last = tag.at(-1)!;
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const twin = alphabet[alphabet.indexOf(last) ^ 1];
    expect(() => decrypt(ring, withPart(3, tag.slice(0, -1) + twin), "ctx")).toThrow(/canonical/);
  });

  it("an unknown or inherited key id is refused, never looked up on the prototype", () => {
    expect(() => decrypt(ring, withPart(1, "k9"), "ctx")).toThrow(/unknown key id k9/);
    expect(() => decrypt(ring, withPart(1, "constructor"), "ctx")).toThrow(/unknown key id/);
  });

  it("rotates: the newest key seals, every listed key opens", () => {
    const old = randomKeyring("k1");
    const oldSealed = encrypt(old, "token");
    const rotated = parseKeyring(`k2:${randomBytes(32).toString("base64")},k1:${old.keys.k1.toString("base64")}`);
    expect(decrypt(rotated, oldSealed)).toBe("token");
    const fresh = encrypt(rotated, "token");
    expect(fresh.split(".")[1]).toBe("k2");
    expect(() => decrypt(old, fresh)).toThrow(/unknown key id k2/);
  });
});
