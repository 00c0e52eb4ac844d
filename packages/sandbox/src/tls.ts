import { Agent } from "undici";

const dispatchers = new Map<string, Agent>();

/**
 * A fetch `dispatcher` that trusts the sandbox's self-signed certificate, for the requests it is
 * given to only (Graph client `fetchOptions: { dispatcher }`); process-wide TLS stays untouched.
 */
export function sandboxDispatcher(ca: string): Agent {
  let d = dispatchers.get(ca);
  if (!d) dispatchers.set(ca, (d = new Agent({ connect: { ca } })));
  return d;
}
