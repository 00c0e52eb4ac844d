/** @jsxRuntime automatic */
/** @jsxImportSource react */
/**
 * Renders the weekly digest email (HTML + plain text + subject + preheader) from
 * DigestData with React Email. All provider text (names, titles, emails) goes in
 * as React text children, which React escapes; no dangerouslySetInnerHTML is used
 * anywhere, and every href passes through safeUrl (http/https only).
 *
 * The HTML is React's `renderToStaticMarkup` (react-dom/server, imported on the first render) under
 * the XHTML 1.0 Transitional doctype React Email's own `render()` writes: the same bytes less the
 * hydration comments of React's streaming renderer, which no email needs (checked against it in
 * packages/core/test/digest-render.test.ts). That helper adds what the digest does not use: a
 * stream and a Suspense boundary for async components, a plain-text converter with its HTML parsers
 * (loaded with it: about 200 KiB), Prettier. And the streaming renderer turns on Node's async hooks
 * for the rest of the process (its request storage is an AsyncLocalStorage), so every promise after
 * the first digest paid for them. The deployed bundles resolve `react-dom/server` to the synchronous
 * renderer's own file (infra/esbuild-plugins.mjs), so they compile that renderer alone, not also the
 * streaming one the package's Node entry requires beside it.
 */
import { DigestEmail } from "./email/DigestEmail";
import type { DigestData } from "./model";
import { preheaderFor, subjectFor } from "./render-format";
import { renderDigestText } from "./render-text";

/** Structurally a superset of send.ts's RenderedDigest (adds the preheader), so it can be passed straight to sending. */
export interface RenderedDigestEmail {
  html: string;
  text: string;
  /** One line, no CR/LF or other control characters. */
  subject: string;
  preheader: string;
  /**
   * The same digest with every person listed, for the app's "view in browser", where the email
   * ({@link EMAIL_LIST_MAX}) left some out; absent when it left none out (the view shows `html`).
   */
  webHtml?: string;
}

/**
 * The most people each of the email's lists (waiting for a follow-up, new this week, followed up)
 * shows. Gmail shows an email's first 102 KB and hides the rest behind "[Message clipped] View
 * entire message" (https://shkspr.mobi/blog/2019/05/102kb-ought-to-be-enough-for-any-email/). A
 * waiting person's card is about 2.6 KB with its two sealed links (2.9 KB with Graph's longer event
 * ids), and missing follow-ups are those of the last 30 days (shared/spec/behaviour.md), so a large
 * event keeps a long list for weeks: past about 35 cards the events, their goal links and the
 * footer's pause link fell behind the clip. A list cut short says how many more there are and links
 * to the digest in a browser (`DigestData.webUrl`), which lists every one (up to some 640 waiting
 * people: core/digest/send digestBodyFor); the text part lists every one too. The same lengths for
 * every account: Outlook does not clip, but a list of 60 cards is no easier to act on there.
 */
export const EMAIL_LIST_MAX = 15;

/**
 * The most bytes the HTML may take as sent ({@link quotedPrintableBytes}; whether Gmail counts the
 * encoded or the decoded size is not documented, so the larger), under Gmail's 102 KB. A render
 * past it shows fewer people in each list, down to {@link EMAIL_LIST_MIN}. The week's events are
 * never cut: the networking events of the coming and the past 7 days, usually a handful; a week of
 * some 40 of them passes the clip even so.
 */
export const EMAIL_HTML_BUDGET = 100_000;
export const EMAIL_LIST_STEPS = [EMAIL_LIST_MAX, 10, 5] as const;
export const EMAIL_LIST_MIN = EMAIL_LIST_STEPS[EMAIL_LIST_STEPS.length - 1];

/**
 * The size of `html` as the composer sends it, quoted-printable (core/mail/compose, RFC 2045 6.7):
 * `=` and every byte outside printable ASCII take three bytes, and each line ends in a soft break
 * (`=` CRLF). Lines are at most 76 bytes, but nodemailer breaks them at a space near the end and
 * never inside an escaped character, so they average 73–75: counting a break for every 70 bytes
 * keeps the estimate at or above the encoder's (checked in digest-render.test.ts), never the
 * encoding itself.
 */
export function quotedPrintableBytes(html: string): number {
  let n = 0;
  for (const b of Buffer.from(html, "utf8")) n += b === 0x3d || b > 0x7e || (b < 0x20 && b !== 0x0a && b !== 0x0d) ? 3 : 1;
  return n + 3 * Math.ceil(n / 70);
}

/** The doctype email clients expect, as React Email writes it. */
export const XHTML_DOCTYPE = '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">';

export async function renderDigest(d: DigestData): Promise<RenderedDigestEmail> {
  const subject = subjectFor(d);
  const preheader = preheaderFor(d);
  // A CommonJS module: in the esbuild bundle (Node mode) its exports come as the namespace's default.
  const server = await import("react-dom/server");
  const { renderToStaticMarkup } = server.default ?? server;
  const page = (max?: number) => XHTML_DOCTYPE + renderToStaticMarkup(<DigestEmail d={d} subject={subject} preheader={preheader} listMax={max} />);
  const longest = Math.max(d.missing.length, d.newPeople.length, d.wins.length);
  let listMax: number = EMAIL_LIST_MAX;
  let html = page(listMax);
  // Fewer people in each list while the email is past the budget and a list is longer than that.
  for (const max of EMAIL_LIST_STEPS.slice(1)) {
    if (longest <= max || quotedPrintableBytes(html) <= EMAIL_HTML_BUDGET) break;
    html = page((listMax = max));
  }
  const text = renderDigestText(d);
  return { html, text, subject, preheader, ...(longest > listMax ? { webHtml: page() } : {}) };
}

export { renderDigestText } from "./render-text";
