/**
 * The providers' official contracts, read at runtime from packages/sandbox/official/ (so they
 * cannot drift from what the sandbox enforces): which scopes or permissions a request needs, and
 * which values its enum parameters take.
 */
import type { Api } from "../errors";
import { resourceScopes } from "./exceptions";
import { type GoogleMethod, googleAuthorises, matchGoogle } from "./google";
import { type GraphEntry, graphAuthorises, matchGraph } from "./graph";

export { exceptions, holdsGmailMetadata, resourceScopes } from "./exceptions";
export { type GoogleMethod, enumOf, enumParameters, googleMethods, invalidEnum, matchGoogle, unknownParameter } from "./google";
export { BASIC_WITHHELD, basicExcludes, basicOnly, type GraphEntry, graphPathOf, matchGraph, matchGraphMap, permissionName } from "./graph";

/** The official entry of a provider request. */
export type Contract = { kind: "google"; method: GoogleMethod } | { kind: "graph"; entry: GraphEntry };

/** Finds the official entry for a request to one of the provider APIs; undefined when none (a sandbox defect). */
export function officialContract(api: Api, httpMethod: string, pathname: string): Contract | undefined {
  if (api === "gmail" || api === "calendar") {
    const method = matchGoogle(api, httpMethod, pathname);
    return method ? { kind: "google", method } : undefined;
  }
  if (api === "graph") {
    const entry = matchGraph(httpMethod, pathname);
    return entry ? { kind: "graph", entry } : undefined;
  }
  return undefined;
}

/** The scopes or permissions any one of which authorises the request. */
export function authorisingScopes(contract: Contract): string[] {
  return contract.kind === "google" ? contract.method.scopes : contract.entry.permissions;
}

/** True when a grant's scopes authorise the request (sign-in scopes authorise nothing). */
export function authorises(contract: Contract, scopes: readonly string[]): boolean {
  const held = resourceScopes(scopes);
  return contract.kind === "google" ? googleAuthorises(contract.method, held) : graphAuthorises(contract.entry, held);
}
