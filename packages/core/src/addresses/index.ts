import { decodeWords } from "postal-mime";
import { normalizeAddress } from "../identity";
import { NAME_KEPT_MAX } from "../model";
import { plainText } from "../text";

/** One recipient or sender from an address header. */
export interface ParsedAddress {
  /** Normalised comparison form (see identity.normalizeAddress). */
  email: string;
  /** The address as written (trimmed). */
  raw: string;
  /** Decoded display name; empty when none. */
  name: string;
}

/** The longest display name kept (characters before decoding); a longer one is cut there: the mappers' cut of a calendar's names (model NAME_KEPT_MAX). */
export const MAX_NAME = NAME_KEPT_MAX;
/** The longest address considered (RFC 5321: 64 for the local part, 255 for the domain). */
const MAX_ADDRESS = 320;

/**
 * How many entries of one header are read. Gmail and Outlook refuse a message with more than a few
 * hundred to a couple of thousand recipients, so nothing real is cut; a hostile 1 MB list stops here.
 */
export const MAX_ENTRIES = 2000;

/**
 * One entry of an address list as written, before normalisation. Words are kept as offsets into the
 * header (a string is made only for the entries that are resolved), quoted strings as text.
 */
interface Entry {
  /** The angle-bracketed address (`Name <addr>`), when there is one. */
  angle?: string;
  /**
   * The phrase in order, two numbers a part: a word as (start, end) offsets, a quoted string as
   * (-1 - its index in `quoted`, 0). With an angle address, the phrase is the display name.
   */
  parts: number[];
  quoted: string[];
  /** The first comment, a name of last resort (`addr (Name)`). */
  comment?: string;
  /** Whether a word holds an @ (then a colon is no group's name). */
  hasAt: boolean;
}

const newEntry = (): Entry => ({ parts: [], quoted: [], hasAt: false });

/** Appends to a bounded text part: a hostile header cannot make a name or an address grow without end. */
const bounded = (s: string, limit = MAX_NAME) => (s.length > limit ? s.slice(0, limit) : s);

/**
 * Splits an RFC 5322 address-list header (To, Cc, Bcc, From) into entries in one pass: quoted
 * strings with escapes, nested comments, angle addresses and groups (`name: a, b;`, whose members
 * are flattened). Every character is looked at once, so the work is linear in the header's length
 * whatever its shape (long runs of white space, deep comments, unbalanced quotes); it stops after
 * {@link MAX_ENTRIES} entries. `steps` counts the characters visited, for tests of that bound.
 */
export function splitAddressList(header: string, steps?: { count: number }): Entry[] {
  const out: Entry[] = [];
  let cur = newEntry();
  let wordStart = -1;
  let wordAt = false;
  // In a word that opens an RFC 2047 encoded word (`=?charset?q?text?=`): the `?` seen so far, 3
  // once in its text; -1 outside. In its text a comma, semicolon or colon is taken for the word's
  // own (some mailers write them bare, `=?utf-8?q?Lima,_Ana?=`, which the RFC's section 5 forbids
  // there) until the word ends: closed by `?=`, they were; ended otherwise (white space, a second
  // `?`, 75 characters, the header's end), the split resumes at the first of them (`held`), with
  // no encoded word looked for up to where it ended (`plainUntil`), so a character is visited at
  // most twice and the work stays linear.
  let encoded = -1;
  let textStart = 0;
  let held = -1;
  let heldAt = false;
  let plainUntil = 0;
  let reopenAt = -1;
  let i = 0;
  const n = header.length;
  const endWord = (i: number) => {
    if (wordStart >= 0) {
      cur.parts.push(wordStart, i);
      if (wordAt) cur.hasAt = true;
      wordStart = -1;
      wordAt = false;
    }
    encoded = -1;
    held = -1;
  };
  /** An encoded word ended unclosed at `at`: back to its first separator, if one was taken for its own. */
  const unclosed = (at: number): boolean => {
    encoded = -1;
    if (held < 0) return false;
    plainUntil = at;
    if (steps && at < n) steps.count++; // the character that ended it, visited again after the rewind
    i = held;
    wordAt = heldAt;
    held = -1;
    return true;
  };
  const used = (e: Entry) => e.angle !== undefined || e.parts.length > 0 || e.comment !== undefined;
  const endEntry = () => {
    // An empty entry (`,,`, `;`, a group's name) is reused, not replaced: no garbage per comma.
    if (used(cur)) {
      out.push(cur);
      cur = newEntry();
    }
  };
  while (out.length < MAX_ENTRIES) {
    if (i >= n) {
      if (encoded === 3 && unclosed(n)) continue;
      break;
    }
    const ch = header.charCodeAt(i);
    if (encoded === 3) {
      if (ch === 0x2c /* , */ || ch === 0x3b /* ; */ || ch === 0x3a /* : */) {
        if (held < 0) [held, heldAt] = [i, wordAt];
        if (steps) steps.count++;
        i++;
        continue;
      }
      if (ch === 0x3f /* ? */ && header.charCodeAt(i + 1) === 0x3d /* = */) {
        encoded = -1;
        held = -1;
        reopenAt = i + 2; // another encoded word may follow with no space between (`?==?`)
      } else if ((ch === 0x3f || i - textStart >= 75 || ch === 0x20 || ch === 0x09 || ch === 0x0d || ch === 0x0a || ch === 0x22 || ch === 0x28 || ch === 0x3c) && unclosed(i)) continue;
    }
    if (ch === 0x22 /* " */) {
      endWord(i);
      let j = i + 1;
      let text = "";
      let from = j;
      for (; j < n; j++) {
        if (steps) steps.count++;
        const c = header.charCodeAt(j);
        if (c === 0x5c /* \ */ && j + 1 < n) {
          if (text.length < MAX_NAME) text += header.slice(from, j);
          from = j + 1;
          j++;
        } else if (c === 0x22) break;
      }
      if (text.length < MAX_NAME) text += header.slice(from, Math.min(j, n));
      cur.parts.push(-1 - cur.quoted.length, 0);
      cur.quoted.push(bounded(text));
      i = j + 1;
    } else if (ch === 0x28 /* ( */) {
      endWord(i);
      let depth = 1;
      let j = i + 1;
      for (; j < n && depth > 0; j++) {
        if (steps) steps.count++;
        const c = header.charCodeAt(j);
        if (c === 0x5c) j++;
        else if (c === 0x28) depth++;
        else if (c === 0x29) depth--;
      }
      if (cur.comment === undefined) cur.comment = bounded(header.slice(i + 1, Math.max(i + 1, depth === 0 ? j - 1 : j)));
      i = j;
    } else if (ch === 0x3c /* < */) {
      endWord(i);
      let j = i + 1;
      while (j < n && header.charCodeAt(j) !== 0x3e /* > */) {
        if (steps) steps.count++;
        j++;
      }
      cur.angle = bounded(header.slice(i + 1, j), MAX_ADDRESS + 1);
      i = j + 1;
    } else if (ch === 0x2c /* , */ || ch === 0x3b /* ; */) {
      endWord(i);
      endEntry();
      i++;
    } else if (ch === 0x3a /* : */ && cur.angle === undefined && !cur.hasAt && !wordAt) {
      // A group's display name: its members follow, each an entry of its own.
      wordStart = -1;
      if (cur.parts.length) cur.parts.length = 0;
      if (cur.quoted.length) cur.quoted.length = 0;
      cur.comment = undefined;
      i++;
    } else if (ch === 0x20 || ch === 0x09 || ch === 0x0d || ch === 0x0a) {
      endWord(i);
      i++;
    } else {
      if ((wordStart < 0 || i === reopenAt) && i >= plainUntil && ch === 0x3d /* = */ && header.charCodeAt(i + 1) === 0x3f /* ? */) encoded = 0;
      if (wordStart < 0) wordStart = i;
      if (ch === 0x40 /* @ */) wordAt = true;
      // A charset and an encoding hold no @ (RFC 2047 2: especials); the third ? opens the text.
      if (encoded >= 0 && encoded < 3) {
        if (ch === 0x40) encoded = -1;
        else if (ch === 0x3f && ++encoded === 3) textStart = i + 1;
      }
      i++;
    }
    if (steps) steps.count++;
  }
  endWord(Math.min(i, n));
  if (out.length < MAX_ENTRIES) endEntry();
  return out;
}

/** An encoded word in UTF-16 (or UCS-2) of no stated byte order: its language, encoding and text. */
const UTF16_WORD = /=\?(?:utf-16|ucs-2)(\*[^?]*)?\?([bq])\?([^?]*)\?=/gi;

/** The bytes an encoded word's text stands for (RFC 2047 4.1 B, 4.2 Q). */
function wordBytes(encoding: string, text: string): Buffer {
  if (encoding.toLowerCase() === "b") return Buffer.from(text, "base64");
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const hex = text[i] === "=" ? text.slice(i + 1, i + 3) : "";
    if (/^[0-9a-f]{2}$/i.test(hex)) {
      out.push(Number.parseInt(hex, 16));
      i += 2;
    } else out.push(text[i] === "_" ? 0x20 : text.charCodeAt(i) & 0xff);
  }
  return Buffer.from(out);
}

/**
 * UTF-16 without a byte order in its name, in one order for every such word of the text (a name
 * split over two words is joined before it is decoded): the order its byte-order mark says, else
 * the one its zero bytes say (the high byte of Latin text, in most of its code units; Windows
 * writes little-endian without a mark), else big-endian (RFC 2781 4.3). A decoder given "UTF-16" alone (WHATWG's Encoding standard,
 * postal-mime's) reads little-endian, so "Ana" in big-endian would read "䄀渀愀".
 */
function withByteOrder(s: string): string {
  const bytes = Buffer.concat([...s.matchAll(UTF16_WORD)].map((w) => wordBytes(w[2], w[3])));
  let little = bytes[0] === 0xff && bytes[1] === 0xfe;
  if (!little && !(bytes[0] === 0xfe && bytes[1] === 0xff)) {
    // Little-endian where most code units end in a zero byte and fewer start with one: a CJK name's
    // one character ending in 00 (耀, U+8000) is not enough to turn it.
    let [odd, even] = [0, 0];
    for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0) i % 2 ? odd++ : even++;
    little = odd > even && 2 * odd > bytes.length / 2;
  }
  return s.replace(UTF16_WORD, (_, language: string | undefined, encoding: string, text: string) => `=?UTF-16${little ? "LE" : "BE"}${language ?? ""}?${encoding}?${text}?=`);
}

/** Decodes RFC 2047 encoded words; the text as it is when they are malformed. */
function decoded(s: string): string {
  if (!s.includes("=?")) return s;
  try {
    return decodeWords(/=\?(?:utf-16|ucs-2)[*?]/i.test(s) ? withByteOrder(s) : s);
  } catch {
    return s;
  }
}

/** The address and name an entry stands for, or undefined when it holds no usable address. */
function resolve(e: Entry, header: string): ParsedAddress | undefined {
  const part = (k: number) => (e.parts[k] >= 0 ? bounded(header.slice(e.parts[k], e.parts[k + 1]), MAX_ADDRESS + 1) : e.quoted[-1 - e.parts[k]]);
  let raw: string;
  let skip = -1;
  let quotedLocal = -1;
  if (e.angle !== undefined) raw = e.angle.trim();
  else {
    // No angle brackets: the (last) word with an @ is the address, any other parts a name.
    for (let k = e.parts.length - 2; k >= 0 && skip < 0; k -= 2) if (e.parts[k] >= 0 && part(k).includes("@")) skip = k;
    if (skip < 0) return undefined;
    raw = part(skip);
    // A quoted local part written bare (`"gus"@t.io`, RFC 5322 3.4.1): the quoted part right before a
    // word that starts with the @ is the address's, not a name (core/identity reads it; helper-120).
    if (raw.startsWith("@") && skip >= 2 && e.parts[skip - 2] < 0) {
      quotedLocal = skip - 2;
      raw = `"${part(quotedLocal)}"${raw}`;
    }
  }
  if (raw.length > MAX_ADDRESS) return undefined;
  const email = normalizeAddress(raw);
  if (!email) return undefined;
  let nameText = "";
  for (let k = 0; k < e.parts.length && nameText.length < MAX_NAME; k += 2) if (k !== skip && k !== quotedLocal) nameText += (nameText ? " " : "") + part(k);
  let name = nameText ? plainText(decoded(bounded(nameText))) : "";
  if (!name && e.comment) name = plainText(decoded(e.comment));
  return { email, raw, name };
}

/**
 * Parses an RFC 5322 address-list header (To, Cc, Bcc, From): the list is split first (quoted
 * names with commas, groups, comments), then RFC 2047 encoded words in names are decoded and
 * control and bidi characters removed. Entries that are not addresses are dropped; never throws;
 * linear in the header's length.
 */
export function parseAddressList(header: string | null | undefined): ParsedAddress[] {
  if (!header) return [];
  const out: ParsedAddress[] = [];
  for (const e of splitAddressList(header)) {
    const p = resolve(e, header);
    if (p) out.push(p);
  }
  return out;
}

/** Decodes RFC 2047 encoded words in an unstructured header such as Subject; never throws. */
export function decodeHeader(value: string | null | undefined): string {
  if (!value) return "";
  return plainText(decoded(value));
}
