/**
 * What the bundles get in place of nodemailer's mime-funcs/mime-types.js (infra/esbuild-plugins.mjs
 * swaps it in): the same two functions with the same signatures, knowing only the types our composer
 * writes (text/plain and text/html, core/mail/compose). nodemailer's own file is a 90 KB table of
 * every extension and content type, consulted only to guess the type of an attachment, an
 * alternative or a MIME node given a filename, none of which core/mail/compose passes: its text and
 * html parts carry their content type. Anything else gets nodemailer's own defaults:
 * application/octet-stream for a file name, "txt" for another text/* type and "bin" for the rest.
 *
 * Since 2026-12-03 (core/mail/compose lays out its messages around nodemailer's encoders, without
 * MailComposer) nothing we bundle calls these two functions, so esbuild leaves the table and this
 * stand-in out alike: the swap changes no output today. It stays as the guard that a later call of
 * them (an attachment's type, say) deploys this file, not the table.
 */
import path from "node:path";

const DEFAULT_TYPE = "application/octet-stream";
const DEFAULT_EXTENSION = "bin";

/** Extension (lower case) -> content type, as nodemailer's table gives them. */
const TYPES = new Map([
  ["txt", "text/plain"],
  ["html", "text/html"],
  ["htm", "text/html"],
]);

/** Content type (lower case) -> extension, as nodemailer's table gives them. */
const EXTENSIONS = new Map([
  ["text/plain", "txt"],
  ["text/html", "html"],
]);

/** The content type of a file name or bare extension (nodemailer's detectMimeType). */
export function detectMimeType(filename) {
  if (!filename) return DEFAULT_TYPE;
  const parsed = path.parse(filename);
  const extension = (parsed.ext.slice(1) || parsed.name || "").split("?")[0].trim().toLowerCase();
  return TYPES.get(extension) ?? DEFAULT_TYPE;
}

/** The file extension of a content type (nodemailer's detectExtension). */
export function detectExtension(mimeType) {
  if (!mimeType) return DEFAULT_EXTENSION;
  const parts = mimeType.toLowerCase().trim().split("/");
  const rootType = parts.shift().trim();
  const subType = parts.join("/").trim();
  return EXTENSIONS.get(`${rootType}/${subType}`) ?? (rootType === "text" ? "txt" : DEFAULT_EXTENSION);
}
