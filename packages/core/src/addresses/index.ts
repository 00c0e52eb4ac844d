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

type Node = { address?: string; name?: string; group?: Node[] };

function flatten(nodes: Node[], out: Node[]): Node[] {
  for (const n of nodes) {
    if (Array.isArray(n.group)) flatten(n.group, out);
    else out.push(n);
  }
  return out;
}

const clean = (s: string) => s.replace(/[\r\n\t]+/g, " ").replace(/\s{2,}/g, " ").trim();

/**
 * Parses an RFC 5322 address-list header (To, Cc, Bcc, From): the list is split first (quoted
 * names with commas, groups, comments), then RFC 2047 encoded words in names are decoded.
 * Entries that are not addresses are dropped; never throws.
 */
export function parseAddressList(header: string | null | undefined): ParsedAddress[] {
  if (!header) return [];
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
  try {
    return clean(decodeWords(value));
  } catch {
    return clean(value);
  }
}
