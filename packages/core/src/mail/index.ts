import { encodeWord } from "nodemailer/lib/mime-funcs/index.js";
import { plainText } from "../text";

/** Text bound for a header: one line, no control or bidi formatting characters (see core/text). */
export const headerSafe = (s: string) => plainText(s);

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

/** A message to build as RFC 5322 MIME. */
export interface MimeInput {
  from: { name?: string; address: string };
  to: { name?: string; address: string }[];
  subject: string;
  text: string;
  html?: string;
  inReplyTo?: string;
  references?: string[];
  messageId?: string;
  headers?: Record<string, string>;
}

/**
 * Builds MIME with nodemailer's composer (RFC 2047 headers, quoted-printable bodies). Names,
 * subject and extra headers are stripped of control characters first, so nothing supplied by a
 * provider or a person can add a header.
 */
export async function buildMime(m: MimeInput): Promise<Buffer> {
  const addr = (a: { name?: string; address: string }) => ({ name: literalHeaderText(a.name ?? ""), address: headerSafe(a.address) });
  const headers = Object.fromEntries(Object.entries(m.headers ?? {}).map(([k, v]) => [headerSafe(k).replace(/[^A-Za-z0-9-]/g, ""), headerSafe(v)]));
  // The composer (most of nodemailer) is loaded on first use: a backfill or a dispatch never builds mail.
  const { default: MailComposer } = await import("nodemailer/lib/mail-composer/index.js");
  const composer = new MailComposer({
    from: addr(m.from),
    to: m.to.map(addr),
    subject: literalHeaderText(m.subject),
    text: m.text,
    ...(m.html ? { html: m.html } : {}),
    ...(m.inReplyTo ? { inReplyTo: headerSafe(m.inReplyTo) } : {}),
    ...(m.references?.length ? { references: m.references.map(headerSafe) } : {}),
    ...(m.messageId ? { messageId: headerSafe(m.messageId) } : {}),
    headers,
  });
  return new Promise((resolve, reject) => composer.compile().build((err, buf) => (err ? reject(err) : resolve(buf))));
}

/** The MIME of an outgoing message from the owner (what the adapters send, and what `digest --out` writes). */
export function mimeOfOutgoing(owner: { email: string; displayName?: string }, mail: { to: string; subject: string; text: string; html?: string; messageId?: string; headers?: Record<string, string> }): Promise<Buffer> {
  return buildMime({
    from: { name: owner.displayName ?? "Followthrough", address: owner.email },
    to: [{ address: mail.to }],
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    messageId: mail.messageId,
    headers: mail.headers,
  });
}
