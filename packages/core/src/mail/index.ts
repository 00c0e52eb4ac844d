import { plainText } from "../text";

/** Text bound for a header: one line, no control or bidi formatting characters (see core/text). */
export const headerSafe = (s: string) => plainText(s);

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
  // All of nodemailer (the composer and its header encoder) is in ./compose, imported on the first
  // draft or send: a backfill, a dispatch or the API's start never loads it (a chunk of its own).
  return (await import("./compose")).composeMime(m);
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
