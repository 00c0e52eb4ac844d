/**
 * What a Lambda reads from SST's `Resource`, and nothing else: handlers import this (small) module
 * and build only the clients they use, so no handler loads another one's SDKs.
 */
import { Resource } from "sst";

/** Linked resources as SST exposes them (names from infra/*.ts). */
export interface Linked {
  Table: { name: string };
  Digests: { url: string };
  Backfills: { url: string };
  Api: { url: string; name: string };
  TokenKeyring: { value: string };
  LinkSigningKey: { value: string };
  GoogleClientId: { value: string };
  GoogleClientSecret: { value: string };
  MicrosoftClientId: { value: string };
  MicrosoftClientSecret: { value: string };
  Notices: { sender: string };
}

/** A linked resource, or undefined when this function does not link it. */
export function linked<K extends keyof Linked>(name: K): Linked[K] | undefined {
  return name in Resource ? ((Resource as unknown as Linked)[name] as Linked[K]) : undefined;
}

/** The fewest characters of a link key: `openssl rand -base64 32` (docs/deploy.md) gives 44. */
export const LINK_KEY_MIN_CHARS = 32;

/**
 * The deployment's link key (undefined when this function does not link it), refused when shorter
 * than {@link LINK_KEY_MIN_CHARS}: every owner holds tokens sealed under it, and a token's GCM tag
 * tells whether a guessed key is the one, offline, so a short or guessable key (a password, a
 * placeholder) would let any owner forge links for every account (helper-244 #4).
 */
export function linkKeyOf(): string | undefined {
  const key = linked("LinkSigningKey")?.value;
  if (key !== undefined && key !== "" && key.trim().length < LINK_KEY_MIN_CHARS)
    throw new Error(`LinkSigningKey must be at least ${LINK_KEY_MIN_CHARS} characters of random data (set it to the output of \`openssl rand -base64 32\`, docs/deploy.md)`);
  return key;
}

/** A configured value a handler cannot do without. */
export function need<T>(value: T | undefined, what: string): T {
  if (value === undefined || value === "") throw new Error(`${what} is not configured (not linked to this function?)`);
  return value;
}
