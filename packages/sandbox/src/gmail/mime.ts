import { addressParser } from "postal-mime";
/** Just enough RFC 822 / MIME handling for drafts and sent mail: headers, RFC 2047 words, a text snippet, multipart uploads. */

/** A header as Gmail's metadata format returns it: raw (unfolded, undecoded) value. */
export interface MimeHeader {
  name: string;
  value: string;
}

/** A message split into its unfolded header list and its body text. */
export interface ParsedMime {
  headers: MimeHeader[];
  body: string;
}

/** Splits an RFC 822 message into headers (unfolded, values kept raw as Gmail does) and body. */
export function parseRfc822(text: string): ParsedMime {
  const m = /\r?\n\r?\n/.exec(text);
  const head = m ? text.slice(0, m.index) : text;
  const body = m ? text.slice(m.index + m[0].length) : "";
  const headers: MimeHeader[] = [];
  for (const line of head.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && headers.length > 0) {
      headers[headers.length - 1].value += line;
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    headers.push({ name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() });
  }
  return { headers, body };
}

/** The first header of that name (case-insensitive). */
export function headerValue(headers: MimeHeader[] | undefined, name: string): string | undefined {
  const n = name.toLowerCase();
  return headers?.find((h) => h.name.toLowerCase() === n)?.value;
}

function decodeCharset(bytes: Uint8Array, charset: string): string {
  try {
    return new TextDecoder(charset.toLowerCase()).decode(bytes);
  } catch {
    return new TextDecoder("utf-8").decode(bytes);
  }
}

function qBytes(text: string, underscoreIsSpace: boolean): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "_" && underscoreIsSpace) out.push(0x20);
    else if (ch === "=" && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      out.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else out.push(...Buffer.from(ch, "utf8"));
  }
  return Uint8Array.from(out);
}

/** Decodes RFC 2047 encoded words (`=?utf-8?B?...?=`, `=?iso-8859-1?Q?...?=`); whitespace between adjacent words is dropped. */
export function decodeWords(value: string): string {
  return value
    .replace(/(=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=)\s+(?==\?[^?\s]+\?[BbQq]\?[^?\s]*\?=)/g, "$1")
    .replace(/=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g, (_all, charset: string, enc: string, text: string) => {
      const cs = charset.split("*")[0];
      const bytes = enc.toUpperCase() === "B" ? Buffer.from(text, "base64") : qBytes(text, true);
      return decodeCharset(bytes, cs);
    });
}

function param(contentType: string | undefined, name: string): string | undefined {
  if (!contentType) return undefined;
  const m = new RegExp(`;\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, "i").exec(contentType);
  return m ? (m[1] ?? m[2]) : undefined;
}

/** The parts of a multipart body (each parsed as headers + body), given the boundary. */
export function splitMultipart(body: string, boundary: string): ParsedMime[] {
  const parts: ParsedMime[] = [];
  const chunks = body.split(new RegExp(`\\r?\\n?--${boundary.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?:--)?[ \\t]*(?:\\r?\\n|$)`));
  // chunks[0] is the preamble, the last one the epilogue.
  for (const chunk of chunks.slice(1)) {
    if (chunk.trim() === "" || chunk.startsWith("--")) continue;
    parts.push(parseRfc822(chunk));
  }
  return parts;
}

function decodeBody(part: ParsedMime): string {
  const te = (headerValue(part.headers, "content-transfer-encoding") ?? "").toLowerCase();
  const charset = param(headerValue(part.headers, "content-type"), "charset") ?? "utf-8";
  if (te === "base64") return decodeCharset(Buffer.from(part.body.replace(/\s+/g, ""), "base64"), charset);
  if (te === "quoted-printable") return decodeCharset(qBytes(part.body.replace(/=\r?\n/g, ""), false), charset);
  return part.body;
}

function firstText(part: ParsedMime, depth = 0): { text: string; html: boolean } | undefined {
  const ct = (headerValue(part.headers, "content-type") ?? "text/plain").toLowerCase();
  if (ct.startsWith("multipart/") && depth < 5) {
    const boundary = param(headerValue(part.headers, "content-type"), "boundary");
    if (!boundary) return undefined;
    const parts = splitMultipart(part.body, boundary);
    let html: { text: string; html: boolean } | undefined;
    for (const p of parts) {
      const t = firstText(p, depth + 1);
      if (t && !t.html) return t;
      html ??= t;
    }
    return html;
  }
  if (ct.startsWith("text/plain")) return { text: decodeBody(part), html: false };
  if (ct.startsWith("text/html")) return { text: decodeBody(part), html: true };
  return undefined;
}

/** Gmail-like snippet: the first text of the message, whitespace collapsed, HTML-escaped, at most 200 characters. */
export function snippetOf(message: ParsedMime): string {
  const t = firstText(message);
  if (!t) return "";
  const plain = t.html ? t.text.replace(/<[^>]*>/g, " ") : t.text;
  const collapsed = plain.replace(/\s+/g, " ").trim().slice(0, 200);
  return collapsed.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** The mime type of a parsed message (`text/plain` when absent), without parameters. */
export function mimeTypeOf(message: ParsedMime): string {
  return (headerValue(message.headers, "content-type") ?? "text/plain").split(";")[0].trim().toLowerCase();
}

/** The `boundary` parameter of a Content-Type header. */
export function boundaryOf(contentType: string | undefined): string | undefined {
  return param(contentType, "boundary");
}

/** Bare addresses in an address-list header (angle-bracketed or bare), lower-cased. */
export function addressesIn(value: string | undefined): string[] {
  if (!value) return [];
  type Node = { address?: string; group?: Node[] };
  const flat = (nodes: Node[]): string[] => nodes.flatMap((n) => (n.group ? flat(n.group) : n.address ? [n.address.toLowerCase()] : []));
  try {
    // A real address-list parser: a quoted display name holding an address is not a recipient.
    return flat(addressParser(value) as Node[]).filter((a) => a.includes("@"));
  } catch {
    return [];
  }
}

/** RFC 5322 date text for a time (UTC offset), as a Date header carries it. */
export function rfc2822Date(ms: number): string {
  return new Date(ms).toUTCString().replace("GMT", "+0000");
}
