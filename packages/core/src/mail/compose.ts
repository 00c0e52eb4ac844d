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
import { encodeWord, encodeWords, quoteString } from "nodemailer/lib/mime-funcs/index.js";
import { encode as qpEncode, wrap as qpWrap } from "nodemailer/lib/qp/index.js";
import { DOT_ATOM } from "../identity";
import { headerSafe, type MimeInput } from "./index";

/**
 * Something a mail reader would take for an RFC 2047 encoded word (`=?charset?B|Q?...?=`), white
 * space in the charset included: Python's email package decodes `=?utf 8?q?x?=` as "x" (nodemailer's
 * own lenient pattern takes it too; helper-173 #2).
 */
const ENCODED_WORD = /=\?[^?]*\?[bq]\?/i;

/**
 * A header text as the reader must show it. Text that merely looks like an encoded word (a name
 * such as `=?utf-8?B?ZXZpbA==?=`) is itself encoded, so the reader decodes our word once and shows
 * the literal text, instead of decoding the lookalike into something else.
 */
export function literalHeaderText(s: string): string {
  const text = headerSafe(s);
  return ENCODED_WORD.test(text) ? encodeWord(text, "B", 52) : text;
}

/**
 * A run of characters a header line cannot break: this long, a value is written as encoded words,
 * which split. 78 characters a line (RFC 5322 2.1.1's SHOULD) less the longest field name before
 * such a value, "Subject: ": a first word this long could not stay within 78 (helper-173 #3).
 */
const LONG_WORD = /[^ \t]{70,}/;

/**
 * A header's text as MailComposer wrote it: encoded words (Q, as for text mostly in Latin letters)
 * once anything needs them (non-ASCII, a quote, a lookalike encoded word), ASCII as it is.
 */
const encodedText = (s: string) => encodeWords(s, "Q", 52, true);

/**
 * The subject: its text encoded as needed, and a word too long for one line encoded too, so that
 * the line folds (RFC 5322 2.1.1: 998 characters at most, 78 should; a subject keeps an earlier
 * one's, which may be long). Not for an extra header, which may be structured (List-Unsubscribe's
 * <URL> is not read through encoded words; ours stay far below the limit).
 */
function subjectText(s: string): string {
  const v = encodedText(s);
  return LONG_WORD.test(v) ? encodeWord(s, "Q", 52) : v;
}

const NON_ASCII = /[\u0080-\uffff]/;
/** A local part that is a quoted string (one that is a dot-atom: core/identity DOT_ATOM). */
const QUOTED_STRING = /^"(?:[^"\\]|\\[\s\S])*"$/;
/** A domain literal ending an address (`a@[192.0.2.1]`): its "@" is the one before the bracket, not the last. */
const DOMAIN_LITERAL = /@(\[[^[\]\\]*\])$/;
/** An address with nothing a header parser could split on: written bare when it has no name. */
const PLAIN_ADDRESS = /^[^\s"(),:;<>@[\\\]]+@[^\s"(),:;<>@[\\\]]+$/;

/**
 * An address as a header carries it, as nodemailer 10.6's MimeNode normalises it
 * (`_normalizeAddress`, `_normalizeLocalPart`; the compose test's oracle trips should that change):
 * a domain in Unicode as its A-label (`bücher.de` → `xn--bcher-kva.de`) unless the local part needs
 * SMTPUTF8 anyway, a local part that is neither a dot-atom nor a quoted string quoted, angle
 * brackets and control characters never inside; empty when nothing is left.
 */
function headerAddress(address: string): string {
  const a = address.replace(/[\x00-\x1f\x7f<>]+/g, " ").trim();
  const literal = DOMAIN_LITERAL.exec(a);
  const at = literal ? a.length - literal[1].length - 1 : a.lastIndexOf("@");
  const localPart = (l: string) => (DOT_ATOM.test(l) || QUOTED_STRING.test(l) ? l : quoteString(l));
  if (!a) return "";
  if (at < 0) return localPart(a);
  const local = a.slice(0, at);
  const domain = a.slice(at + 1);
  const ascii = NON_ASCII.test(domain) && !NON_ASCII.test(local) ? domainToASCII(domain) : "";
  return `${localPart(local)}@${ascii || domain}`;
}

/**
 * `Name <address>`: a name of word characters as it is, other ASCII quoted, anything else (or too
 * long a word) an encoded word. Undefined for an address that is empty once made header-safe: no
 * recipient at all, as MailComposer left it out (helper-115 #2).
 */
function mailbox(a: { name?: string; address: string }): string | undefined {
  const address = headerAddress(headerSafe(a.address));
  if (!address) return undefined;
  const name = headerSafe(a.name ?? "");
  if (!name) return PLAIN_ADDRESS.test(address) ? address : `<${address}>`;
  // A name that looks like an encoded word is itself written as encoded words, bare: inside a quoted
  // string an encoded word is not one (RFC 2047 5(3)), and a reader keeping to that showed ours
  // as its raw text (helper-173 #1).
  const shown = ENCODED_WORD.test(name) ? encodeWord(name, "Q", 52) : /^[\w ]*$/.test(name) ? name : /^[\x20-\x7e]*$/.test(name) ? quoteString(name) : encodeWord(name, "Q", 52);
  return `${LONG_WORD.test(shown) ? encodeWord(name, "Q", 52) : shown} <${address}>`;
}

/**
 * Message ids (Message-ID, In-Reply-To, References) in their angle brackets, one per
 * white-space-separated id, none inside (RFC 5322 3.6.4: a msg-id holds no white space, so what
 * stands inside one pair of brackets is one id). An id too long for a header line is left out.
 */
function msgIds(value: string): string[] {
  return headerSafe(value)
    .replace(/<[^<>]*>/g, (id) => id.replace(/\s+/g, ""))
    .split(/\s+/)
    .filter(Boolean)
    .map((v) => `${v.startsWith("<") ? "" : "<"}${v}${v.endsWith(">") ? "" : ">"}`)
    .filter((id) => id.length <= 900);
}

/**
 * A header line folded before white space past 76 characters. Only at a space or tab (RFC 5322
 * 2.2.3, folding white space), never between two of them or before trailing ones: nodemailer's
 * foldLines breaks at any JavaScript white space, a no-break space included, which starts a line
 * a reader takes for a new header (helper-113 P1).
 */
function line(key: string, value: string): string {
  const [first, ...rest] = value.split(/(?<=[^ \t])(?=[ \t]+[^ \t])/);
  let out = "";
  // (The first word stays on the name's line.)
  let current = `${key}: ${first ?? ""}`;
  for (const piece of rest) {
    if (current.length + piece.length > 76) {
      out += `${current}\r\n`;
      current = piece;
    } else current += piece;
  }
  return out + current;
}

/** A header of a list (addresses, message ids): none when the list is empty. */
const listLine = (key: string, items: readonly string[], separator: string): string[] => (items.length ? [line(key, items.join(separator))] : []);

/** Header names the composer writes itself (or never writes): an extra header of one of these names is not written. */
const OWN_HEADER = /^(?:from|sender|reply-to|to|cc|bcc|subject|date|message-id|in-reply-to|references|mime-version|content-.*)$/i;

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
    // Extra headers: never one the message has of its own, never an empty one (as MailComposer).
    ...Object.entries(m.headers ?? {})
      .map(([k, v]) => [headerSafe(k).replace(/[^A-Za-z0-9-]/g, ""), headerSafe(v)] as const)
      .filter(([k, v]) => k && !OWN_HEADER.test(k) && v.trim())
      .map(([k, v]) => line(k, encodedText(v))),
    ...listLine("From", [mailbox(m.from)].filter((b) => b !== undefined), ", "),
    ...listLine("To", m.to.map(mailbox).filter((b) => b !== undefined), ", "),
    ...listLine("In-Reply-To", m.inReplyTo ? msgIds(m.inReplyTo) : [], " "),
    ...listLine("References", (m.references ?? []).flatMap(msgIds), " "),
    line("Subject", subjectText(literalHeaderText(m.subject))),
    line("Message-ID", (m.messageId && msgIds(m.messageId)[0]) || `<${randomUUID()}@${from.slice(from.lastIndexOf("@") + 1) || "localhost"}>`),
    `Date: ${new Date(m.date ?? Date.now()).toUTCString().replace(/GMT/, "+0000")}`,
    "MIME-Version: 1.0",
  ];
  // As MailComposer: an empty text beside HTML is no part.
  const parts = [...(m.text || !m.html ? [part("text/plain", m.text)] : []), ...(m.html ? [part("text/html", m.html)] : [])];
  if (parts.length === 1) return Buffer.from([...head, ...parts[0].head, "", parts[0].body].join("\r\n"), "utf8");
  const boundary = `--_Ft-${randomBytes(12).toString("hex")}`;
  const body = parts.map((p) => [`--${boundary}`, ...p.head, "", p.body].join("\r\n")).join("\r\n");
  return Buffer.from([...head, line("Content-Type", `multipart/alternative; boundary="${boundary}"`), "", body, `--${boundary}--`, ""].join("\r\n"), "utf8");
}
