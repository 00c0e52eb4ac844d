/**
 * The MIME builder itself, nodemailer's composer and its header encoder: a module of its own that
 * core/composer imports on the first draft or send, so a bundle split by esbuild holds nodemailer in
 * a chunk of its own, off the start of every handler, and not deployed with a backfill at all (its
 * adapters are given no composer: it never writes mail).
 */
import MailComposer from "nodemailer/lib/mail-composer/index.js";
import { encodeWord } from "nodemailer/lib/mime-funcs/index.js";
import { headerSafe, type MimeInput } from "./index";

/** Something a mail reader would take for an RFC 2047 encoded word (`=?charset?B|Q?...?=`). */
const ENCODED_WORD = /=\?[^?\s]*\?[bq]\?/i;

/**
 * A header text as the reader must show it. Text that merely looks like an encoded word (a name
 * such as `=?utf-8?B?ZXZpbA==?=`) is itself encoded, so the reader decodes our word once and shows
 * the literal text, instead of decoding the lookalike into something else.
 */
export function literalHeaderText(s: string): string {
  const text = headerSafe(s);
  return ENCODED_WORD.test(text) ? encodeWord(text, "B", 52) : text;
}

/** See core/mail buildMime (loaded through core/composer). */
export function composeMime(m: MimeInput): Promise<Buffer> {
  const addr = (a: { name?: string; address: string }) => ({ name: literalHeaderText(a.name ?? ""), address: headerSafe(a.address) });
  const headers = Object.fromEntries(Object.entries(m.headers ?? {}).map(([k, v]) => [headerSafe(k).replace(/[^A-Za-z0-9-]/g, ""), headerSafe(v)]));
  const composer = new MailComposer({
    from: addr(m.from),
    to: m.to.map(addr),
    subject: literalHeaderText(m.subject),
    text: m.text,
    // Quoted-printable always, as nodemailer would choose for text mostly in Latin letters (every
    // email we write): without it, nodemailer counts each body's characters to choose, one by one,
    // 14–17 ms of a cold worker's first digest (docs/benchmarks.md (6)). It also makes the Subject's
    // and names' encoded words Q rather than B. Text in other scripts is still valid, only longer
    // than base64 would be (a Chinese body about 3× its size rather than 1.33×).
    textEncoding: "quoted-printable",
    ...(m.html ? { html: m.html } : {}),
    ...(m.inReplyTo ? { inReplyTo: headerSafe(m.inReplyTo) } : {}),
    ...(m.references?.length ? { references: m.references.map(headerSafe) } : {}),
    ...(m.messageId ? { messageId: headerSafe(m.messageId) } : {}),
    headers,
  });
  return new Promise((resolve, reject) => composer.compile().build((err, buf) => (err ? reject(err) : resolve(buf))));
}
