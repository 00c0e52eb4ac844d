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

/** A configured value a handler cannot do without. */
export function need<T>(value: T | undefined, what: string): T {
  if (value === undefined || value === "") throw new Error(`${what} is not configured (not linked to this function?)`);
  return value;
}
