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
  /** The Date field's instant (ms); the time of writing when absent. */
  date?: number;
}

/**
 * The MIME builder, loaded by the caller: `loadComposer` (core/composer) imports ./compose
 * (with nodemailer's header and body encoders) on first use. This module never imports it, so a
 * bundle whose adapters are given no composer (a backfill's, which never writes mail) holds no
 * composer chunk at all.
 */
export type Composer = () => Promise<{ composeMime(m: MimeInput): Promise<Buffer> }>;

/** The composer an adapter was given; one built without (read-only) refuses to write mail. */
export function composerOf(composer: Composer | undefined, action: string): Composer {
  if (!composer) throw new Error(`cannot ${action}: this adapter was built read-only (no mail composer)`);
  return composer;
}

/**
 * Builds MIME (./compose: nodemailer's RFC 2047 header and quoted-printable body encoders). Names,
 * subject and extra headers are stripped of control characters first, so nothing supplied by a
 * provider or a person can add a header.
 */
export async function buildMime(m: MimeInput, composer: Composer): Promise<Buffer> {
  return (await composer()).composeMime(m);
}

/** The MIME of an outgoing message from the owner (what the adapters send, and what `digest --out` writes). */
export function mimeOfOutgoing(owner: { email: string; displayName?: string }, mail: { to: string; subject: string; text: string; html?: string; messageId?: string; headers?: Record<string, string>; date?: number }, composer: Composer): Promise<Buffer> {
  return buildMime({
    from: { name: owner.displayName ?? "Followthrough", address: owner.email },
    to: [{ address: mail.to }],
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    messageId: mail.messageId,
    // The id again in a header of our own: a provider that gives the message a Message-ID of its own
    // (Gmail's API is reported to) still keeps this one, which sentRecently also matches.
    headers: mail.messageId ? { ...mail.headers, [SENT_ID_HEADER]: mail.messageId } : mail.headers,
    date: mail.date,
  }, composer);
}

/** The header a sent message carries its Message-ID in again (see {@link mimeOfOutgoing}). */
export const SENT_ID_HEADER = "X-Followthrough-Id";
