/** @jsxRuntime automatic */
/** @jsxImportSource react */
/**
 * Renders the weekly digest email (HTML + plain text + subject + preheader) from
 * DigestData with React Email. All provider text (names, titles, emails) goes in
 * as React text children, which React escapes; no dangerouslySetInnerHTML is used
 * anywhere, and every href passes through safeUrl (http/https only).
 */
import { render } from "@react-email/render";
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
}

export async function renderDigest(d: DigestData): Promise<RenderedDigestEmail> {
  const subject = subjectFor(d);
  const preheader = preheaderFor(d);
  const html = await render(<DigestEmail d={d} subject={subject} preheader={preheader} />);
  const text = renderDigestText(d);
  return { html, text, subject, preheader };
}

export { renderDigestText } from "./render-text";
