import { Agent as HttpsAgent } from "node:https";
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

const agents = new Map<string, HttpsAgent>();

/**
 * The same trust for `node:https` requests: an `https.Agent` with the sandbox's certificate as its
 * CA, for the Graph adapter's transport (`fetchOptions: { agent }`, core/microsoft), which does not
 * go through the global fetch.
 */
export function sandboxAgent(ca: string): HttpsAgent {
  let a = agents.get(ca);
  if (!a) agents.set(ca, (a = new HttpsAgent({ ca, keepAlive: true })));
  return a;
}
