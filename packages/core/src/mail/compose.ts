/**
 * The MIME builder: a module of its own that core/composer imports on the first draft or send, so a
 * bundle split by esbuild holds it in a chunk of its own, off the start of every handler, and not
 * deployed with a backfill at all (its adapters are given no composer: it never writes mail).
 *
 * The encodings are nodemailer's (RFC 2047 encoded words, header folding, quoted-printable), its
 * plain functions; the message around them is one of two fixed shapes (a text part, or text and HTML
 * as multipart/alternative), laid out here as nodemailer's MailComposer lays them out, which stays
 * the oracle of packages/core/test/compose.test.ts. Until 2026-12-03 the MailComposer itself built
 * it: its module graph (MIME nodes, streams, a URL fetcher loading http, https, zlib and dns) and its
 * stream pipeline were about 4 % of a cold Google worker's first run (docs/benchmarks.md (6)).
 * Bodies that are not short-lined ASCII are quoted-printable, as MailComposer chose for text mostly
 * in Latin letters (every email we write; core/digest/render measures the HTML's size so).
 */
import { randomBytes, randomUUID } from "node:crypto";
import { domainToASCII } from "node:url";
import { encodeWord, encodeWords, foldLines, quoteString } from "nodemailer/lib/mime-funcs/index.js";
import { encode as qpEncode, wrap as qpWrap } from "nodemailer/lib/qp/index.js";
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

/** Non-ASCII text: encoded words (Q, as for text mostly in Latin letters); ASCII text as it is. */
const NON_ASCII = /[\u0080-\uffff]/;
const encodedText = (s: string) => (NON_ASCII.test(s) ? encodeWords(s, "Q", 52, true) : s);

/** RFC 5322 atext, and a local part made of it (a dot-atom). */
const DOT_ATOM = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u0080-\uffff]+(?:\.[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u0080-\uffff]+)*$/;
/** An address with nothing a header parser could split on: written bare when it has no name. */
const PLAIN_ADDRESS = /^[^\s"(),:;<>@[\\\]]+@[^\s"(),:;<>@[\\\]]+$/;

/**
 * An address as a header carries it: a domain in Unicode as its A-label (`bücher.de` →
 * `xn--bcher-kva.de`) unless the local part needs SMTPUTF8 anyway, a local part that is not a
 * dot-atom quoted, angle brackets and control characters never inside.
 */
function headerAddress(address: string): string {
  const a = address.replace(/[\x00-\x1f\x7f<>]+/g, " ").trim();
  const at = a.lastIndexOf("@");
  if (at < 0) return DOT_ATOM.test(a) ? a : quoteString(a);
  const local = a.slice(0, at);
  const domain = a.slice(at + 1);
  const ascii = NON_ASCII.test(domain) && !NON_ASCII.test(local) ? domainToASCII(domain) : "";
  return `${DOT_ATOM.test(local) ? local : quoteString(local)}@${ascii || domain}`;
}

/** `Name <address>`: a name of word characters as it is, other ASCII quoted, anything else an encoded word. */
function mailbox(a: { name?: string; address: string }): string {
  const address = headerAddress(headerSafe(a.address));
  const name = literalHeaderText(a.name ?? "");
  if (!name) return PLAIN_ADDRESS.test(address) ? address : `<${address}>`;
  const shown = /^[\w ]*$/.test(name) ? name : /^[\x20-\x7e]*$/.test(name) ? quoteString(name) : encodeWord(name, "Q", 52);
  return `${shown} <${address}>`;
}

/** A message id in its angle brackets (RFC 5322 msg-id). */
const msgId = (id: string) => {
  const v = headerSafe(id).trim();
  return `${v.startsWith("<") ? "" : "<"}${v}${v.endsWith(">") ? "" : ">"}`;
};

/** A header line, folded at 76 characters. */
const line = (key: string, value: string) => foldLines(`${key}: ${value}`, 76);

/**
 * A text part's transfer encoding and body: 7bit for ASCII with no line past 76 characters (as
 * nodemailer chooses), quoted-printable otherwise; lines end in CRLF.
 */
function textBody(content: string): { encoding: string; body: string } {
  const lf = content.replace(/\r\n|\r/g, "\n");
  const sevenBit = !/[\u0080-\uffff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(lf) && !/^.{77,}/m.test(lf);
  const body = sevenBit ? lf : qpWrap(qpEncode(lf), 76);
  return { encoding: sevenBit ? "7bit" : "quoted-printable", body: body.replace(/\r?\n/g, "\r\n") };
}

const part = (type: string, content: string) => {
  const { encoding, body } = textBody(content);
  return { head: [`Content-Type: ${type}; charset=utf-8`, `Content-Transfer-Encoding: ${encoding}`], body };
};

/** See core/mail buildMime (loaded through core/composer). */
export async function composeMime(m: MimeInput): Promise<Buffer> {
  const from = headerAddress(headerSafe(m.from.address));
  const head = [
    ...Object.entries(m.headers ?? {}).map(([k, v]) => line(headerSafe(k).replace(/[^A-Za-z0-9-]/g, ""), encodedText(headerSafe(v)))).filter((h) => !/^:/.test(h)),
    line("From", mailbox(m.from)),
    line("To", m.to.map(mailbox).join(", ")),
    ...(m.inReplyTo ? [line("In-Reply-To", msgId(m.inReplyTo))] : []),
    ...(m.references?.length ? [line("References", m.references.flatMap((r) => headerSafe(r).trim().split(/\s+/)).filter(Boolean).map(msgId).join(" "))] : []),
    line("Subject", encodedText(literalHeaderText(m.subject))),
    line("Message-ID", m.messageId ? msgId(m.messageId) : `<${randomUUID()}@${from.slice(from.lastIndexOf("@") + 1) || "localhost"}>`),
    `Date: ${new Date().toUTCString().replace(/GMT/, "+0000")}`,
    "MIME-Version: 1.0",
  ];
  // As MailComposer: an empty text beside HTML is no part.
  const parts = [...(m.text || !m.html ? [part("text/plain", m.text)] : []), ...(m.html ? [part("text/html", m.html)] : [])];
  if (parts.length === 1) return Buffer.from([...head, ...parts[0].head, "", parts[0].body].join("\r\n"), "utf8");
  const boundary = `--_Ft-${randomBytes(12).toString("hex")}`;
  const body = parts.map((p) => [`--${boundary}`, ...p.head, "", p.body].join("\r\n")).join("\r\n");
  return Buffer.from([...head, line("Content-Type", `multipart/alternative; boundary="${boundary}"`), "", body, `--${boundary}--`, ""].join("\r\n"), "utf8");
}
