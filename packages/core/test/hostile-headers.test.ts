/**
 * Hostile address headers (docs/security.md): parsing is linear in the header's length for every
 * shape (counted steps, never a wall-clock threshold; the times are in `npm run bench`), never
 * throws, and no control or bidi formatting character survives into an address or a name.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeHeader, parseAddressList, splitAddressList } from "../src/addresses";
import { isAddress } from "../src/identity";
import { hasUnsafeChars, plainText } from "../src/text";
import { HOSTILE_SHAPES } from "./support/hostile-shapes";

const MB = 1 << 20;

describe("address parsing is linear in the header's length", () => {
  for (const shape of HOSTILE_SHAPES) {
    it(`${shape.name}: steps grow linearly from 64 KB to 1 MB, and the answer is right`, () => {
      const small = shape.build(64 * 1024);
      const large = shape.build(MB);
      const steps = (h: string) => {
        const s = { count: 0 };
        splitAddressList(h, s);
        return s.count;
      };
      // One step a character, give or take the closing characters of quotes and comments (two where
      // an unclosed encoded word is split again from its first separator).
      const visits = shape.visits ?? 1;
      expect(steps(large)).toBeLessThanOrEqual(visits * large.length + 2);
      expect(steps(small)).toBeLessThanOrEqual(visits * small.length + 2);
      expect(steps(large) / Math.max(1, steps(small))).toBeLessThan((large.length / small.length) * 1.1);
      const got = parseAddressList(large).map((p) => p.email);
      shape.check(got);
    });
  }
});

// Characters the property draws from, weighted towards what breaks parsers and readers.
const nasty = fc.constantFrom(
  "\u0000", "\u0001", "\u0007", "\u001b", "\u007f", "\u0085", "\u009b", "\u061c", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
  "\u2066", "\u2067", "\u2068", "\u2069", "\r", "\n", "\t", "\u200c", "\u200d", " ", '"', "\\", "(", ")", "<", ">", ",", ";", ":", "@", ".", "=?", "?=",
  "=?UTF-8?B?4oCu?=", "=?UTF-8?Q?=E2=80=AE?=", "a", "bo", "x.io", "gmail.com",
);
const fragment = fc.oneof(fc.string({ unit: "binary", maxLength: 12 }), fc.array(nasty, { maxLength: 12 }).map((a) => a.join("")));
const header = fc.array(fragment, { maxLength: 40 }).map((a) => a.join(""));
/** A fragment repeated up to 1 MB: the sizes where a superlinear parser stalls. */
const huge = fc.tuple(fc.array(fragment, { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: MB })).map(([parts, size]) => {
  const unit = parts.join("") || "a";
  return unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
});

const clean = (p: { email: string; raw: string; name: string }) => {
  expect(hasUnsafeChars(p.email)).toBe(false);
  expect(hasUnsafeChars(p.raw)).toBe(false);
  expect(hasUnsafeChars(p.name)).toBe(false);
  expect(isAddress(p.email)).toBe(true);
};

describe("arbitrary header strings up to 1 MB", () => {
  it("never throw, and no control or bidi character reaches an address or a name", () => {
    fc.assert(
      fc.property(header, (h) => {
        for (const p of parseAddressList(h)) clean(p);
        expect(hasUnsafeChars(decodeHeader(h).replace(/ /g, ""))).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it("the same for headers of up to 1 MB", () => {
    fc.assert(
      fc.property(huge, (h) => {
        for (const p of parseAddressList(h)) clean(p);
      }),
      { numRuns: 40 },
    );
  });
});

describe("control and bidi characters", () => {
  it("an address holding one is no address, and never a contact", () => {
    expect(parseAddressList('Sofia <"so fia\u202e"@brightloop.io>')).toEqual([]);
    expect(parseAddressList("so\u0001fia@brightloop.io, ana@x.io").map((p) => p.email)).toEqual(["ana@x.io"]);
    expect(parseAddressList("sofia\u202e@brightloop.io")).toEqual([]);
    expect(isAddress("sofia\u200f@brightloop.io")).toBe(false);
  });

  it("names lose them, also when an encoded word hides them; joiners stay", () => {
    expect(parseAddressList('"Sofia \u202eevil\u202c" <sofia@x.io>')[0].name).toBe("Sofia evil");
    expect(parseAddressList("=?UTF-8?B?U29maWEg4oCuZXZpbA==?= <sofia@x.io>")[0].name).toBe("Sofia evil");
    expect(parseAddressList("Bo\u0007\u001b[31m <bo@x.io>")[0].name).toBe("Bo[31m");
    // Persian "mikhaham" with a zero-width non-joiner, and a Devanagari conjunct with a joiner.
    const persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645";
    const hindi = "\u0915\u094d\u200d\u0937";
    expect(parseAddressList(`"${persian} ${hindi}" <p@x.io>`)[0].name).toBe(`${persian} ${hindi}`);
  });

  it("plainText folds line breaks and drops every listed character", () => {
    expect(plainText("a\r\nb\tc\u2028d")).toBe("a b c d");
    const all = "\u0000\u001f\u007f\u0080\u009f\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069";
    expect(plainText(`x${all}y`)).toBe("xy");
    expect(plainText("zw\u200c\u200dj")).toBe("zw\u200c\u200dj");
  });
});
