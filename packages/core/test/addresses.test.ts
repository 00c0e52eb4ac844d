import { describe, expect, it } from "vitest";
import { decodeHeader, parseAddressList } from "../src/addresses";

const emails = (h: string) => parseAddressList(h).map((p) => p.email);

describe("parseAddressList", () => {
  it("empty, null and undefined give no addresses", () => {
    expect(parseAddressList("")).toEqual([]);
    expect(parseAddressList(null)).toEqual([]);
    expect(parseAddressList(undefined)).toEqual([]);
  });

  it("a bare address, normalised, keeping the raw spelling", () => {
    expect(parseAddressList("Ana.Lima+News@GoogleMail.com")).toEqual([
      { email: "analima@gmail.com", raw: "Ana.Lima+News@GoogleMail.com", name: "" },
    ]);
  });

  it("a quoted display name containing a comma is one entry", () => {
    expect(parseAddressList('"Osei, Daniel" <Daniel.Osei@Acme.io>, ana@x.io')).toEqual([
      { email: "daniel.osei@acme.io", raw: "Daniel.Osei@Acme.io", name: "Osei, Daniel" },
      { email: "ana@x.io", raw: "ana@x.io", name: "" },
    ]);
  });

  it("groups are flattened into their members", () => {
    expect(emails("Team: a@x.io, b@y.io;, c@z.io")).toEqual(["a@x.io", "b@y.io", "c@z.io"]);
    expect(emails('Ana <ana@x.io>, "Board, Inner": Bo <bo@y.io>, cy@z.io;')).toEqual(["ana@x.io", "bo@y.io", "cy@z.io"]);
  });

  it("an empty group gives nothing", () => {
    expect(parseAddressList("undisclosed-recipients:;")).toEqual([]);
    expect(emails("undisclosed-recipients:;, ana@x.io")).toEqual(["ana@x.io"]);
  });

  it("decodes an RFC 2047 B-encoded name", () => {
    // "Jürgen Müller"
    expect(parseAddressList("=?UTF-8?B?SsO8cmdlbiBNw7xsbGVy?= <jm@x.de>")).toEqual([{ email: "jm@x.de", raw: "jm@x.de", name: "Jürgen Müller" }]);
  });

  it("decodes an RFC 2047 Q-encoded name (ISO-8859-1, underscores as spaces)", () => {
    expect(parseAddressList("=?ISO-8859-1?Q?Fran=E7ois_Dupont?= <fd@x.fr>")[0].name).toBe("François Dupont");
  });

  it("an encoded word containing a comma is decoded after the split: one entry", () => {
    // B: "Müller, Jürgen"; Q: "Müller, Jürgen" with =2C
    expect(parseAddressList("=?UTF-8?B?TcO8bGxlciwgSsO8cmdlbg==?= <jm@x.de>, ana@x.io")).toEqual([
      { email: "jm@x.de", raw: "jm@x.de", name: "Müller, Jürgen" },
      { email: "ana@x.io", raw: "ana@x.io", name: "" },
    ]);
    expect(parseAddressList('"=?UTF-8?Q?M=C3=BCller=2C_J=C3=BCrgen?=" <jm@x.de>, bo@y.io').map((p) => [p.email, p.name])).toEqual([
      ["jm@x.de", "Müller, Jürgen"],
      ["bo@y.io", ""],
    ]);
  });

  it("a Q-encoded word with a bare comma, semicolon or colon in its text (RFC 2047 5 forbids them; mailers write them): one entry, its name decoded (helper-159)", () => {
    expect(parseAddressList("=?UTF-8?Q?M=C3=BCller,_J=C3=BCrgen?= <jm@x.de>, ana@x.io").map((p) => [p.email, p.name])).toEqual([
      ["jm@x.de", "Müller, Jürgen"],
      ["ana@x.io", ""],
    ]);
    expect(parseAddressList("=?utf-8?q?Team:_Ana;_Bo?= <team@x.io>; cy@y.io").map((p) => [p.email, p.name])).toEqual([
      ["team@x.io", "Team: Ana; Bo"],
      ["cy@y.io", ""],
    ]);
    // Not an encoded word (a charset holds no @; nothing after its text's end is its own): split as ever.
    expect(emails("=?a@x.io, b@y.io")).toEqual(["=?a@x.io", "b@y.io"]);
    expect(emails("=?utf-8?q?Ana?=,bo@y.io, cy@z.io")).toEqual(["bo@y.io", "cy@z.io"]);
    // The second of two encoded words written with no space between them (helper-161).
    expect(parseAddressList("=?utf-8?q?Ana,?==?utf-8?q?_Lima,_Bo?= <b@y.io>, cy@z.io").map((p) => [p.email, p.name])).toEqual([
      ["b@y.io", "Ana, Lima, Bo"],
      ["cy@z.io", ""],
    ]);
    // One left unclosed (cut off, or no encoded word at all): split at its separators after all (helper-160).
    expect(emails("=?utf-8?q?Ana_Lima,bo@y.io,cy@z.io")).toEqual(["bo@y.io", "cy@z.io"]);
    expect(emails("=?utf-8?q?Ana_Lima,bo@y.io;cy@z.io")).toEqual(["bo@y.io", "cy@z.io"]);
    expect(emails("=?a?b?c@x.io, bo@y.io")).toEqual(["=?a?b?c@x.io", "bo@y.io"]);
    expect(emails("=?utf-8?q?a,b?c@x.io,d@y.io")).toEqual(["b?c@x.io", "d@y.io"]);
    expect(parseAddressList("Team: =?utf-8?q?x,ana@x.io, bo@y.io;").map((p) => p.email)).toEqual(["ana@x.io", "bo@y.io"]);
  });

  it("UTF-16 of no stated byte order reads in the order its mark or its zero bytes say, else big-endian (RFC 2781 4.3; helper-159, helper-160)", () => {
    const name = (h: string) => parseAddressList(h)[0]?.name;
    const little = (t: string) => Buffer.from(t, "utf16le");
    const big = (t: string) => Buffer.from(t, "utf16le").swap16();
    const b64 = (...parts: Buffer[]) => Buffer.concat(parts).toString("base64");
    expect(name(`=?UTF-16?B?${b64(big("Ana"))}?= <ana@x.io>`)).toBe("Ana");
    expect(name(`=?utf-16?b?${b64(Buffer.from([0xfe, 0xff]), big("Ana"))}?= <ana@x.io>`)).toBe("Ana");
    expect(name(`=?UTF-16?B?${b64(Buffer.from([0xff, 0xfe]), little("Ana"))}?= <ana@x.io>`)).toBe("Ana");
    // Little-endian without a mark, as Windows writes it: its zero bytes say so.
    expect(name(`=?UTF-16?B?${b64(little("Jürgen"))}?= <j@x.de>`)).toBe("Jürgen");
    // The mark in the first of two words holds for both, which are joined.
    expect(name(`=?utf-16?B?${b64(Buffer.from([0xff, 0xfe]), little("Jür"))}?= =?utf-16?B?${b64(little("gen"))}?= <j@x.de>`)).toBe("Jürgen");
    // No zero bytes to tell by: big-endian.
    expect(name(`=?UTF-16?B?${b64(big("王伟"))}?= <w@x.cn>`)).toBe("王伟");
    // One character ending in a zero byte does not make a CJK name little-endian (helper-161).
    for (const n of ["王耀", "一郎", "张开", "가영"]) expect(name(`=?UTF-16?B?${b64(big(n))}?= <w@x.cn>`)).toBe(n);
    expect(name("=?UTF-16?Q?=00A=00n=00a?= <ana@x.io>")).toBe("Ana");
    expect(name("=?UCS-2?B?AEEAbgBh?= <ana@x.io>")).toBe("Ana");
    expect(name(`=?UTF-16LE?B?${b64(little("Ana"))}?= <ana@x.io>`)).toBe("Ana");
    expect(name("=?UTF-16?B?QQ==?= <ana@x.io>")).toBeTypeOf("string");
  });

  it("mixed-case addresses compare lower-case", () => {
    expect(emails("ANA@X.IO, Bo <Bo.Smith@Y.Io>")).toEqual(["ana@x.io", "bo.smith@y.io"]);
  });

  it("comments are not part of the address (a trailing comment serves as the name)", () => {
    const r = parseAddressList("ana@x.io (Ana Lima), bo@y.io");
    expect(r.map((p) => p.email)).toEqual(["ana@x.io", "bo@y.io"]);
    expect(r[0].name).toBe("Ana Lima");
  });

  it("garbage entries are dropped, good ones kept", () => {
    expect(emails('garbage, <>, "x" <not an address>, @@, ;;, ok@ok.io')).toEqual(["ok@ok.io"]);
    expect(emails("Just A Name")).toEqual([]);
  });

  it("CRLF-folded headers", () => {
    expect(parseAddressList("Ana Lima <ana@x.io>,\r\n Bo Smith\r\n\t<bo@y.io>,\r\n  \"Osei,\r\n Daniel\" <d@z.io>").map((p) => [p.email, p.name])).toEqual([
      ["ana@x.io", "Ana Lima"],
      ["bo@y.io", "Bo Smith"],
      ["d@z.io", "Osei, Daniel"],
    ]);
  });
});

describe("decodeHeader", () => {
  it("decodes encoded words in an unstructured header", () => {
    expect(decodeHeader("=?UTF-8?B?SW52aXRhdGlvbjogQ29mZmVl?=")).toBe("Invitation: Coffee");
    expect(decodeHeader("Re: =?UTF-8?Q?Caf=C3=A9?=")).toBe("Re: Café");
  });

  it("unfolds CRLF and never throws", () => {
    expect(decodeHeader("Hello\r\n world")).toBe("Hello world");
    expect(decodeHeader(undefined)).toBe("");
    expect(() => decodeHeader("=?bogus?X?@@?=")).not.toThrow();
  });
});

describe("a quoted local part (helper-120)", () => {
  it("in angle brackets: the mailbox unquoted when its content is dot-atom text", () => {
    expect(parseAddressList('Gil <"gil.x"@t.io>, "Ana Lee" <"ana"@studio.io>').map((a) => a.email)).toEqual(["gil.x@t.io", "ana@studio.io"]);
  });
  it("written bare: the same, with no name; one that is not dot-atom text is still no address", () => {
    expect(parseAddressList('"gus"@t.io, "Fay.B" @u.io (Fay), "a b"@t.io, "Kim" kim@v.io')).toEqual([
      { email: "gus@t.io", raw: '"gus"@t.io', name: "" },
      { email: "fay.b@u.io", raw: '"Fay.B"@u.io', name: "Fay" },
      { email: "kim@v.io", raw: "kim@v.io", name: "Kim" },
    ]);
  });
});
