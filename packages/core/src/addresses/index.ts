import { decodeWords } from "postal-mime";
import { normalizeAddress } from "../identity";
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

/** The longest display name kept (characters before decoding); a longer one is cut there. */
export const MAX_NAME = 512;
/** The longest address considered (RFC 5321: 64 for the local part, 255 for the domain). */
const MAX_ADDRESS = 320;

/** One entry of an address list as written, before normalisation. */
interface Entry {
  /** The angle-bracketed address (`Name <addr>`), when there is one. */
  angle?: string;
  /** The words outside quotes, comments and angle brackets. */
  words: string[];
  /** The phrase: quoted strings and words, in order (the display name when there is an angle address). */
  phrase: string[];
  /** The first comment, a name of last resort (`addr (Name)`). */
  comment?: string;
  /** Whether a word holds an @ (then a colon is no group's name). */
  hasAt: boolean;
}

const newEntry = (): Entry => ({ words: [], phrase: [], hasAt: false });

/** Appends to a bounded text part: a hostile header cannot make a name or an address grow without end. */
const bounded = (s: string, limit = MAX_NAME) => (s.length > limit ? s.slice(0, limit) : s);

/**
 * Splits an RFC 5322 address-list header (To, Cc, Bcc, From) into entries in one pass: quoted
 * strings with escapes, nested comments, angle addresses and groups (`name: a, b;`, whose members
 * are flattened). Every character is looked at once, so the work is linear in the header's length
 * whatever its shape (long runs of white space, deep comments, unbalanced quotes). `steps` counts
 * the characters visited, for tests of that bound.
 */
export function splitAddressList(header: string, steps?: { count: number }): Entry[] {
  const out: Entry[] = [];
  let cur = newEntry();
  let word: string;
  let wordStart = -1;
  const tick = steps ? () => void steps.count++ : () => {};
  const n = header.length;
  const endWord = (i: number) => {
    if (wordStart >= 0) {
      word = bounded(header.slice(wordStart, i), MAX_ADDRESS + 1);
      cur.words.push(word);
      cur.phrase.push(word);
      if (word.includes("@")) cur.hasAt = true;
      wordStart = -1;
    }
  };
  const used = (e: Entry) => e.angle !== undefined || e.phrase.length > 0 || e.comment !== undefined;
  const endEntry = () => {
    // An empty entry (`,,`, `;`, a group's name) is reused, not replaced: no garbage per comma.
    if (used(cur)) {
      out.push(cur);
      cur = newEntry();
    }
  };
  let i = 0;
  while (i < n) {
    const ch = header.charCodeAt(i);
    if (ch === 0x22 /* " */) {
      endWord(i);
      let j = i + 1;
      let text = "";
      let from = j;
      for (; j < n; j++) {
        tick();
        const c = header.charCodeAt(j);
        if (c === 0x5c /* \ */ && j + 1 < n) {
          if (text.length < MAX_NAME) text += header.slice(from, j);
          from = j + 1;
          j++;
        } else if (c === 0x22) break;
      }
      if (text.length < MAX_NAME) text += header.slice(from, Math.min(j, n));
      cur.phrase.push(bounded(text));
      i = j + 1;
    } else if (ch === 0x28 /* ( */) {
      endWord(i);
      let depth = 1;
      let j = i + 1;
      for (; j < n && depth > 0; j++) {
        tick();
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
        tick();
        j++;
      }
      cur.angle = bounded(header.slice(i + 1, j), MAX_ADDRESS + 1);
      i = j + 1;
    } else if (ch === 0x2c /* , */ || ch === 0x3b /* ; */) {
      endWord(i);
      endEntry();
      i++;
    } else if (ch === 0x3a /* : */ && cur.angle === undefined && !cur.hasAt) {
      // A group's display name: its members follow, each an entry of its own.
      endWord(i);
      cur.words.length = 0;
      cur.phrase.length = 0;
      cur.comment = undefined;
      cur.hasAt = false;
      i++;
    } else if (ch === 0x20 || ch === 0x09 || ch === 0x0d || ch === 0x0a) {
      endWord(i);
      i++;
    } else {
      if (wordStart < 0) wordStart = i;
      i++;
    }
    tick();
  }
  endWord(n);
  endEntry();
  return out;
}

/** Decodes RFC 2047 encoded words; the text as it is when they are malformed. */
function decoded(s: string): string {
  if (!s.includes("=?")) return s;
  try {
    return decodeWords(s);
  } catch {
    return s;
  }
}

/** The address and name an entry stands for, or undefined when it holds no usable address. */
function resolve(e: Entry): ParsedAddress | undefined {
  let raw: string;
  let nameParts: string[];
  if (e.angle !== undefined) {
    raw = e.angle.trim();
    nameParts = e.phrase;
  } else {
    // No angle brackets: the (last) word with an @ is the address, any other words a name.
    let at = -1;
    for (let k = e.words.length - 1; k >= 0; k--)
      if (e.words[k].includes("@")) {
        at = k;
        break;
      }
    if (at < 0) return undefined;
    raw = e.words[at];
    const addressWord = raw;
    nameParts = e.phrase.length === 1 ? [] : e.phrase.filter((p) => p !== addressWord);
  }
  if (raw.length > MAX_ADDRESS) return undefined;
  const email = normalizeAddress(raw);
  if (!email) return undefined;
  let name = nameParts.length ? plainText(decoded(bounded(nameParts.join(" ")))) : "";
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
    const p = resolve(e);
    if (p) out.push(p);
  }
  return out;
}

/** Decodes RFC 2047 encoded words in an unstructured header such as Subject; never throws. */
export function decodeHeader(value: string | null | undefined): string {
  if (!value) return "";
  return plainText(decoded(value));
}
