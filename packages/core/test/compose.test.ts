/**
 * core/mail/compose: the MIME of every draft and digest, built with nodemailer's encoders around one
 * of two fixed shapes. nodemailer's own MailComposer (which built it until 2026-12-03) is the oracle:
 * whatever the input, a reader (postal-mime) gets the same message from both.
 */
import fc from "fast-check";
import MailComposer from "nodemailer/lib/mail-composer/index.js";
import PostalMime, { decodeWords } from "postal-mime";
import { describe, expect, it } from "vitest";
import type { MimeInput } from "../src/mail";
import { composeMime, literalHeaderText } from "../src/mail/compose";
import { headerSafe } from "../src/mail";

/**
 * The same message through nodemailer's MailComposer, configured as core/mail/compose was until it
 * replaced it; its bodies' line ends made LF first, as compose makes them (MailComposer leaves a CR
 * alone, which RFC 5322 does not allow; compose makes it a line end).
 */
function oracle(given: MimeInput): Promise<Buffer> {
  const lf = (s: string) => s.replace(/\r\n?/g, "\n");
  const m = { ...given, text: lf(given.text), ...(given.html ? { html: lf(given.html) } : {}) };
  const addr = (a: { name?: string; address: string }) => ({ name: literalHeaderText(a.name ?? ""), address: headerSafe(a.address) });
  const headers = Object.fromEntries(Object.entries(m.headers ?? {}).map(([k, v]) => [headerSafe(k).replace(/[^A-Za-z0-9-]/g, ""), headerSafe(v)]));
  const composer = new MailComposer({
    from: addr(m.from),
    to: m.to.map(addr),
    subject: literalHeaderText(m.subject),
    text: m.text,
    textEncoding: "quoted-printable",
    ...(m.html ? { html: m.html } : {}),
    ...(m.inReplyTo ? { inReplyTo: headerSafe(m.inReplyTo) } : {}),
    ...(m.references?.length ? { references: m.references.map(headerSafe) } : {}),
    ...(m.messageId ? { messageId: headerSafe(m.messageId) } : {}),
    headers,
  });
  return new Promise((resolve, reject) => composer.compile().build((err, buf) => (err ? reject(err) : resolve(buf))));
}

/** What a reader gets: every field a draft or digest carries, bodies with their line ends as the reader gives them. */
async function read(raw: Buffer) {
  const p = await PostalMime.parse(raw);
  const extra = p.headers.filter((h) => h.key.startsWith("x-")).map((h) => [h.key, h.value]);
  return { from: p.from, to: p.to, subject: p.subject, text: p.text, html: p.html, inReplyTo: p.inReplyTo, references: p.references, messageId: p.messageId, extra };
}

/**
 * Lines past RFC 5322's 998 characters, or past its recommended 78 where they could have been
 * folded (a space or tab after the first word; an address alone is one word), and line ends other
 * than CRLF.
 */
function shapeFaults(raw: Buffer): string[] {
  const s = raw.toString("latin1");
  const foldable = (l: string) => /[ \t]/.test(l.slice(l.search(/[ \t]/) + 1 || l.length, 78));
  const faults = s.split("\r\n").filter((l) => l.length > 998 || (l.length > 78 && foldable(l))).map((l) => `long line: ${l.slice(0, 40)}…`);
  if (/[^\r]\n|\r(?!\n)/.test(s)) faults.push("a line end other than CRLF");
  return faults;
}

const base: MimeInput = { from: { name: "Owner", address: "owner@x.io" }, to: [{ name: "Ana", address: "ana@x.io" }], subject: "Great to meet you", text: "Hi Ana", messageId: "<m1@x.io>" };

const cases: [string, MimeInput][] = [
  ["a draft: text only", base],
  ["a digest: text and HTML", { ...base, html: "<p>Your week</p>\n<p>Caf\u00e9 = 3 people</p>", headers: { "X-Followthrough-Id": "<m1@x.io>" } }],
  ["a reply, with In-Reply-To and References", { ...base, inReplyTo: "a1@mail.example.com", references: ["<r0@mail.example.com>", "r1@x <r2@x>"] }],
  ["names that need quoting, encoding, or neither", { ...base, from: { name: "O'Brien, \"Pat\" \\ x", address: "pat@x.io" }, to: [{ name: "Zo\u00eb \u00c5ngstr\u00f6m \u65e5\u672c", address: "z@x.io" }, { name: "Ana (work)", address: "a.b+c@x.io" }, { address: "plain@x.io" }] }],
  ["an internationalised domain and a local part that is not a dot-atom", { ...base, to: [{ address: "d@b\u00fccher.de" }, { address: "weird,local@x.io" }, { address: "\u00fcn\u00ef@b\u00fccher.de" }] }],
  // Read back alike; how the name is written (bare encoded words, not quoted: MailComposer quotes
  // them, against RFC 2047 5(3)) is packages/core/test/mail-headers.test.ts's to check (helper-175 #6).
  ["lookalike encoded words in a name and the subject", { ...base, to: [{ name: "=?utf-8?B?ZXZpbA==?= M\u00fcller", address: "m@x.io" }], subject: "=?utf-8?Q?not_a_word?= \u2014 after the Caf\u00e9 summit \u2713" }],
  ["control, bidi and line-break characters in headers", { ...base, to: [{ name: "Sofia \u202eevil\u202c", address: "s@x.io" }], subject: "Hello\r\nBcc: all@x.io \u2066x\u2069", headers: { "X-Note": "a\r\nInjected: yes", "X-Na\u00efve": "na\u00efve" } }],
  ["a long subject and long body lines", { ...base, subject: `Re: ${"a long subject ".repeat(12)}`, text: `${"word ".repeat(60)}\n${"x".repeat(300)}\nshort`, html: `<p>${"caf\u00e9 ".repeat(120)}</p>` }],
  ["trailing white space, equals signs and every line end", { ...base, text: "line with trailing space \nand = sign\r\nand a CR alone\rend\n\n", html: "<p>a</p>\r\n<p>b</p>\r" }],
  ["text in another script", { ...base, subject: "\u4f1a\u8b70\u306e\u3042\u3068\u3067", text: "\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8\n".repeat(20) }],
  ["no Message-ID given", { ...base, messageId: undefined }],
];


describe("composeMime header lines", () => {
  it("a subject's or a name's first word that fits 78 characters alone but not after its field name is encoded, so the line keeps within 78 (RFC 5322 2.1.1; helper-173 #3)", async () => {
    for (const m of [{ ...base, subject: `${"a".repeat(70)} b` }, { ...base, subject: "a".repeat(77) }, { ...base, to: [{ name: `${"n".repeat(75)} x`, address: "n@x.io" }] }, { ...base, to: [{ name: "n".repeat(77), address: "n@x.io" }] }]) {
      const raw = await composeMime(m);
      const head = raw.toString("latin1").split("\r\n\r\n")[0];
      for (const l of head.split("\r\n").filter((x) => /^(Subject|To):|^[ \t]/.test(x))) expect(l.length, l).toBeLessThanOrEqual(78);
      const back = await PostalMime.parse(raw);
      expect([back.subject, back.to?.[0].name]).toEqual([m.subject, m.to[0].name]);
    }
  });
});

describe("composeMime", () => {
  it.each(cases)("%s: reads back as nodemailer's MailComposer's message does, in CRLF lines of 78 characters at most", async (_, m) => {
    const [ours, theirs] = await Promise.all([composeMime(m), oracle(m)]);
    const [a, b] = await Promise.all([read(ours), read(theirs)]);
    // A message id we generate is our own; everything else is the same message.
    if (!m.messageId) {
      expect(a.messageId).toMatch(/^<[0-9a-f-]{36}@x\.io>$/);
      a.messageId = b.messageId;
    }
    expect(a).toEqual(b);
    expect(shapeFaults(ours)).toEqual([]);
  });

  it("writes a text part alone, or text and HTML as multipart/alternative, with the transfer encoding each needs", async () => {
    const plain = (await composeMime(base)).toString("latin1");
    expect(plain).toMatch(/^Content-Type: text\/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\nHi Ana$/m);
    expect(plain).not.toContain("multipart");
    const both = (await composeMime({ ...base, text: "caf\u00e9", html: "<p>x</p>" })).toString("latin1");
    const boundary = /boundary="([^"]+)"/.exec(both)![1];
    expect(both.split(`--${boundary}\r\n`)).toHaveLength(3);
    expect(both).toContain(`\r\n--${boundary}--\r\n`);
    expect(both).toContain("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\ncaf=C3=A9");
    expect(both).toContain("Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n<p>x</p>");
    // Every message its own boundary.
    const again = (await composeMime({ ...base, html: "<p>x</p>" })).toString("latin1");
    expect(/boundary="([^"]+)"/.exec(again)![1]).not.toBe(boundary);
  });

  it("keeps headers one line each: nothing supplied adds a header", async () => {
    const head = (await composeMime(cases[6][1])).toString("latin1").split("\r\n\r\n")[0];
    const names = head.split("\r\n").filter((l) => !/^\s/.test(l)).map((l) => l.slice(0, l.indexOf(":")));
    expect(names).toEqual(["X-Note", "X-Nave", "From", "To", "Subject", "Message-ID", "Date", "MIME-Version", "Content-Type", "Content-Transfer-Encoding"]);
  });

  it("writes a long List-Unsubscribe URL as it is: a structured header is never encoded for its length", async () => {
    const url = `<https://app.followthrough.test/l/pause/${"A".repeat(300)}>`;
    const raw = await composeMime({ ...base, headers: { "List-Unsubscribe": url } });
    expect(raw.toString("latin1").split("\r\n")).toContain(`List-Unsubscribe: ${url}`);
  });

  it("writes no extra header the message has of its own, nor an empty one (helper-113 #1)", async () => {
    const raw = await composeMime({ ...base, headers: { From: "ceo@x.io", "Message-ID": "<x@y>", "Content-Type": "text/html", Bcc: "spy@x.io", "X-Empty": " ", "List-Unsubscribe": "<https://a.example/l/x>" } });
    const names = raw.toString("latin1").split("\r\n\r\n")[0].split("\r\n").filter((l) => !/^\s/.test(l)).map((l) => l.slice(0, l.indexOf(":")));
    expect(names).toEqual(["List-Unsubscribe", "From", "To", "Subject", "Message-ID", "Date", "MIME-Version", "Content-Type", "Content-Transfer-Encoding"]);
    expect(await read(raw)).toMatchObject({ from: { address: "owner@x.io" }, messageId: "<m1@x.io>" });
  });

  it("an address that is empty once made header-safe is no recipient; with none left, no To at all (helper-115 #2)", async () => {
    const some = await composeMime({ ...base, to: [{ address: "" }, { name: "N", address: "\u0007" }, { address: "b@x.io" }] });
    expect(some.toString("latin1")).toMatch(/^To: b@x\.io$/m);
    expect((await read(some)).to).toEqual([{ address: "b@x.io", name: "" }]);
    const none = (await composeMime({ ...base, to: [{ address: " " }] })).toString("latin1").split("\r\n\r\n")[0];
    expect(none).not.toMatch(/^To:/m);
  });

  it("keeps a quoted local part and splits a domain literal at its own @ (helper-113 #2)", async () => {
    const raw = await composeMime({ ...base, to: [{ address: '"john doe"@x.io' }, { address: "a@[x@evil.com]" }] });
    expect(raw.toString("latin1")).toMatch(/^To: <"john doe"@x\.io>, <a@\[x@evil\.com\]>$/m);
  });

  it("reads a message id with white space inside its brackets as one id, in In-Reply-To and References alike (helper-113 #3)", async () => {
    const r = await read(await composeMime({ ...base, inReplyTo: "<abc def@x.io>", references: ["<r1@x.io> <abc def@x.io>"] }));
    expect(r.inReplyTo).toBe("<abcdef@x.io>");
    expect(r.references).toBe("<r1@x.io> <abcdef@x.io>");
  });

  it("an extra header's value that looks like an encoded word reaches the reader literally (helper-113 #4)", async () => {
    const id = `<${"x".repeat(20)}=?utf-8?q?x?=${"y".repeat(20)}@x.io>`;
    const raw = await composeMime({ ...base, headers: { "X-Followthrough-Id": id } });
    // (postal-mime gives an X- header's value as written: decoded here as a reader that decodes it would.)
    const [[key, value]] = (await read(raw)).extra;
    expect([key, decodeWords(value)]).toEqual(["x-followthrough-id", id]);
    expect(shapeFaults(raw)).toEqual([]);
  });

  it("no white space but a space or tab starts a folded line: a no-break space in a message id adds no header (helper-113 P1)", async () => {
    const smuggled = `<${"a".repeat(55)}\u00a0Bcc:boss@evil.example>`;
    for (const m of [{ ...base, inReplyTo: smuggled, references: [smuggled] }, { ...base, to: [{ address: `${"a".repeat(60)}\u00a0Bcc:boss@evil.example` }] }, { ...base, subject: `${"a".repeat(70)}\u00a0Bcc: boss@evil.example` }]) {
      const head = (await composeMime(m)).toString("utf8").split("\r\n\r\n")[0];
      for (const l of head.split("\r\n")) expect(l, l).toMatch(/^(?:[ \t]|(?:From|To|Subject|Message-ID|In-Reply-To|References|Date|MIME-Version|Content-Type|Content-Transfer-Encoding): )/);
      expect(head).not.toMatch(/\r\n[^ \t]*Bcc/i);
    }
  });

  it("writes no header line past RFC 5322's 998 characters, whatever the length of a word (helper-113 P2)", async () => {
    const subject = `Re: ${"x".repeat(1500)}`;
    const name = '"'.repeat(512);
    const raw = await composeMime({ ...base, subject, to: [{ name, address: "a@x.io" }], references: [`<${"r".repeat(2000)}@x.io>`, "<kept@x.io>"] });
    expect(shapeFaults(raw)).toEqual([]);
    const r = await read(raw);
    expect(r.subject).toBe(subject);
    expect(r.to?.[0].name).toBe(name);
    expect(r.references).toBe("<kept@x.io>");
  });

  it("agrees with MailComposer on generated messages", async () => {
    const text = fc.string({ unit: "binary", maxLength: 300 });
    // Message ids as providers give them (no white space, never empty), and extra headers of our own kind.
    const id = fc.tuple(fc.stringMatching(/^[A-Za-z0-9.$%_+-]{1,40}$/), fc.domain()).map(([l, d]) => `<${l}@${d}>`);
    const headerName = fc.stringMatching(/^X-[A-Za-z0-9-]{1,20}$/);
    const name = fc.oneof(fc.constant(""), fc.string({ unit: "binary", maxLength: 40 }), fc.constantFrom("Ana", "Osei, Daniel", "Zo\u00eb", "=?utf-8?B?ZXZpbA==?=", 'A "quoted" \\ name'));
    const address = fc.oneof(fc.constantFrom("ana@x.io", "a.b+c@x.io", "d@b\u00fccher.de", "odd,local@x.io", '"john doe"@x.io', "a@[192.0.2.1]"), fc.emailAddress());
    await fc.assert(
      fc.asyncProperty(name, fc.array(fc.record({ name, address }), { minLength: 1, maxLength: 3 }), text, text, fc.option(text, { nil: undefined }), fc.array(id, { maxLength: 3 }), fc.dictionary(headerName, text, { maxKeys: 2 }), async (fromName, to, subject, body, html, references, headers) => {
        const m: MimeInput = { ...base, from: { name: fromName, address: "owner@x.io" }, to, subject, text: body, ...(html ? { html } : {}), ...(references.length ? { inReplyTo: references[0], references } : {}), headers };
        const ours = await composeMime(m);
        expect(await read(ours)).toEqual(await read(await oracle(m)));
        expect(shapeFaults(ours)).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });
});
