/** Shapes of hostile address headers, for the linearity tests and `npm run bench`. */
export interface HostileShape {
  name: string;
  /** A header of about `size` characters. */
  build(size: number): string;
  /** Asserts what parsing it must give (the normalised addresses). */
  check(emails: string[]): void;
  /** How many times the splitter may visit a character of it (1 unless said; core/addresses splitAddressList). */
  visits?: number;
}

const fill = (unit: string, size: number) => unit.repeat(Math.max(1, Math.floor(size / unit.length)));
const expectEqual = (got: unknown, want: unknown) => {
  if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`expected ${JSON.stringify(want)}, got ${JSON.stringify(got).slice(0, 200)}`);
};

export const HOSTILE_SHAPES: HostileShape[] = [
  { name: "long whitespace between two words", build: (n) => `a${" ".repeat(n)}b`, check: (e) => expectEqual(e, []) },
  { name: "long whitespace before an angle address", build: (n) => `a${" ".repeat(n)}<b@c.io>`, check: (e) => expectEqual(e, ["b@c.io"]) },
  { name: "folded white space (CRLF + tab) runs", build: (n) => `Ana${fill("\r\n\t", n)}<ana@x.io>`, check: (e) => expectEqual(e, ["ana@x.io"]) },
  { name: "deeply nested comments", build: (n) => `${"(".repeat(n / 2)}x${")".repeat(n / 2)} a@b.io`, check: (e) => expectEqual(e, ["a@b.io"]) },
  { name: "an unclosed comment", build: (n) => `a@b.io, (${fill("x ", n)}`, check: (e) => expectEqual(e, ["a@b.io"]) },
  { name: "a quoted name full of escapes", build: (n) => `"${fill('a\\"', n)}" <a@b.io>`, check: (e) => expectEqual(e, ["a@b.io"]) },
  { name: "an unbalanced quote", build: (n) => `"${fill("a ", n)}`, check: (e) => expectEqual(e, []) },
  { name: "many nested group openers", build: (n) => `${fill("g:", n)}a@b.io;`, check: (e) => expectEqual(e, ["a@b.io"]) },
  { name: "a colon after an address, repeated", build: (n) => `a@b.io ${fill("x:", n)}`, check: (e) => expectEqual(e, ["a@b.io"]) },
  { name: "a list of 100,000+ addresses", build: (n) => fill("a@b.io, ", n), check: (e) => expectEqual(e.length > 1000 && e.every((x) => x === "a@b.io"), true) },
  { name: "one huge encoded word", build: (n) => `=?utf-8?q?${"a".repeat(n)}?= <a@b.io>`, check: (e) => expectEqual(e, ["a@b.io"]) },
  { name: "many encoded words", build: (n) => `${fill("=?utf-8?B?YQ==?= ", n)}<a@b.io>`, check: (e) => expectEqual(e, ["a@b.io"]) },
  {
    name: "unclosed encoded words holding commas (each split again from its first comma)",
    build: (n) => fill("=?a?q?b,c@d.io,", n),
    check: (e) => expectEqual(e.length === 1000 && e.every((x) => x === "c@d.io"), true), // 2,000 entries, every other one no address
    visits: 2,
  },
  { name: "unclosed angle brackets", build: (n) => `${"<".repeat(n)}a@b.io`, check: (e) => expectEqual(e, []) },
  { name: "only commas", build: (n) => ",".repeat(n), check: (e) => expectEqual(e, []) },
  { name: "only at signs", build: (n) => "@".repeat(n), check: (e) => expectEqual(e, []) },
  { name: "colon-semicolon pairs", build: (n) => fill(":;", n), check: (e) => expectEqual(e, []) },
  { name: "a 1 MB local part", build: (n) => `${"a".repeat(n)}@b.io, c@d.io`, check: (e) => expectEqual(e, ["c@d.io"]) },
  { name: "bidi and control characters", build: (n) => `${fill("\u202e\u0001\u2066", n)} <a@b.io>`, check: (e) => expectEqual(e, ["a@b.io"]) },
];
