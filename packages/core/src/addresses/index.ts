import { addressParser, decodeWords } from "postal-mime";
import { normalizeAddress } from "../identity";

/** One recipient or sender from an address header. */
export interface ParsedAddress {
  /** Normalised comparison form (see identity.normalizeAddress). */
  email: string;
  /** The address as written (trimmed). */
  raw: string;
  /** Decoded display name; empty when none. */
  name: string;
}

/** A parsed entry before normalisation. */
export type Node = { address?: string; name?: string; group?: Node[] };

function flatten(nodes: Node[], out: Node[]): Node[] {
  for (const n of nodes) {
    if (Array.isArray(n.group)) flatten(n.group, out);
    else out.push(n);
  }
  return out;
}

const clean = (s: string) => s.replace(/[\r\n\t]+/g, " ").replace(/\s{2,}/g, " ").trim();

const SIMPLE_ENTRY = /^\s*(?:(?:"([^"\\]*)"|([^<>"]*?))\s*<([^<>\s"]+)>|([^<>\s"]+))\s*$/;

/**
 * Fast path for the common shapes (`addr`, `Name <addr>`, `"Last, First" <addr>`, comma lists of
 * them). Anything with encoded words, comments, groups, escapes or CR/LF returns undefined and goes
 * to the full parser, which stays the authority.
 */
export function parseSimpleList(header: string): Node[] | undefined {
  if (/=\?|[()\\:;\r\n]/.test(header)) return undefined;
  const nodes: Node[] = [];
  let start = 0;
  let quoted = false;
  let angle = false;
  for (let i = 0; i <= header.length; i++) {
    const ch = header[i];
    if (ch === '"' && !angle) quoted = !quoted;
    else if (ch === "<" && !quoted) angle = true;
    else if (ch === ">" && !quoted) angle = false;
    else if ((ch === "," && !quoted && !angle) || i === header.length) {
      const part = header.slice(start, i);
      start = i + 1;
      if (!part.trim()) continue;
      const m = SIMPLE_ENTRY.exec(part);
      if (!m) return undefined;
      nodes.push(m[4] !== undefined ? { address: m[4], name: "" } : { address: m[3], name: (m[1] ?? m[2] ?? "").trim() });
    }
  }
  return quoted || angle ? undefined : nodes;
}

/**
 * Parses an RFC 5322 address-list header (To, Cc, Bcc, From): the list is split first (quoted
 * names with commas, groups, comments), then RFC 2047 encoded words in names are decoded.
 * Entries that are not addresses are dropped; never throws.
 */
export function parseAddressList(header: string | null | undefined): ParsedAddress[] {
  if (!header) return [];
  const simple = parseSimpleList(header);
  if (simple) return simple.flatMap((n) => {
    const raw = (n.address ?? "").trim();
    const email = normalizeAddress(raw);
    return email ? [{ email, raw, name: clean(n.name ?? "") }] : [];
  });
  let nodes: Node[];
  try {
    nodes = flatten(addressParser(header) as Node[], []);
  } catch {
    return [];
  }
  const out: ParsedAddress[] = [];
  for (const n of nodes) {
    const raw = clean(n.address ?? "");
    const email = normalizeAddress(raw);
    if (!email) continue;
    let name = n.name ?? "";
    try {
      name = decodeWords(name);
    } catch {
      /* keep the undecoded name */
    }
    out.push({ email, raw, name: clean(name) });
  }
  return out;
}

/** Decodes RFC 2047 encoded words in an unstructured header such as Subject; never throws. */
export function decodeHeader(value: string | null | undefined): string {
  if (!value) return "";
  if (!value.includes("=?")) return clean(value);
  try {
    return clean(decodeWords(value));
  } catch {
    return clean(value);
  }
}
