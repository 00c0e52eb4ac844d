/**
 * Text from outside (provider names, titles, subjects) made safe to show and to put in a header:
 * C0 and C1 control characters and the bidi embedding, override, isolate and mark characters are
 * removed (a U+202E in a name reverses what a reader sees after it; a CR or LF in a header starts
 * another header). Zero-width joiners and non-joiners stay: Persian and Indic names need them.
 */

/** C0 controls, DEL, C1 controls, and the bidi marks/embeddings/overrides/isolates (with the Arabic letter mark). */
export const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const UNSAFE_TEST = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** True when `s` holds a control or bidi formatting character. */
export const hasUnsafeChars = (s: string): boolean => UNSAFE_TEST.test(s);

/**
 * One line of plain text: white space (tabs and line breaks included) folds to single spaces, other
 * control and bidi formatting characters are dropped, and the ends are trimmed.
 */
export function plainText(s: string | null | undefined): string {
  if (!s) return "";
  return s
    .replace(/[\t\n\v\f\r\u0085\u2028\u2029]+/g, " ")
    .replace(UNSAFE_CHARS, "")
    .replace(/ {2,}/g, " ")
    .trim();
}

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Text for HTML built by hand (the event emails, the reconnect notice): the five characters with a meaning in markup escaped. */
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
