import { STATUS_CODES } from "node:http";
import type { HttpBindings } from "@hono/node-server";
import type { Context, MiddlewareHandler } from "hono";
import { type Api, faultBody, googleEnumError, googleError, googleScopeChallenge, googleScopeError, googleUnknownParameterError, graphAccessDenied, graphError } from "./errors";
import { authorises, authorisingScopes, basicExcludes, basicOnly, invalidEnum, officialContract, unknownParameter } from "./official";
import { queryOf } from "./graph/query";
import type { Account, SandboxState } from "./state";
import type { FaultSpec } from "./faults";
import type { TokenGrant } from "./tokens";

/** Hono environment of sandbox routes: the authenticated account is set by {@link guard}. */
export type SandboxEnv = {
  Bindings: Partial<HttpBindings>;
  Variables: {
    account: Account;
    grant: TokenGrant;
    /** Granted through Mail.ReadBasic or Calendars.ReadBasic alone (official/graph basicOnly). */ basic?: boolean;
    /** Records a refusal by the contract of this call, with its status (SandboxState.refusals). */
    refuse?: (status: number) => void;
  };
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sends a JSON body with a status; Hono's typed `c.json` is too narrow for arbitrary statuses. */
export function send(c: Context, status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=UTF-8", ...headers },
  });
}

/** Drops the TCP connection without an answer (a "connection reset" fault). */
export function resetConnection(c: Context<SandboxEnv>): Response {
  const socket = c.env?.incoming?.socket;
  if (socket) socket.destroy();
  // Without a socket (app.request in-process) the closest thing is a thrown network error.
  else throw new TypeError("fetch failed: connection reset by sandbox");
  return new Response(null, { status: 500 });
}

function unauthorized(api: Api): { status: number; body: unknown } {
  if (api === "graph") return { status: 401, body: graphError("InvalidAuthenticationToken", "Access token has expired or is not yet valid.") };
  return {
    status: 401,
    body: googleError(401, "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.", "authError", {
      location: "Authorization",
      locationType: "header",
    }),
  };
}

/**
 * What the official contract says about a request, checked where the provider's front end checks it:
 * after authentication, before the backend (faults) and before the quota is charged.
 * 403 when the grant holds none of the scopes/permissions the official files list for the request,
 * or reaches a mail call through Mail.ReadBasic alone and asks for what it excludes;
 * for Google, 400 when a query parameter is outside its discovery enum, or (Gmail) not one the
 * method has. A route with no official
 * entry (nor a documented exception) is a sandbox defect: 500.
 */
function contractDenied(c: Context<SandboxEnv>, api: Api, grant: TokenGrant): Response | undefined {
  const contract = officialContract(api, c.req.method, c.req.path);
  if (!contract) return send(c, 500, { error: { code: 500, message: `sandbox defect: no official entry for ${c.req.method} ${c.req.path}` } });
  if (!authorises(contract, grant.scopes)) {
    if (contract.kind === "graph") return send(c, 403, graphAccessDenied());
    return send(c, 403, googleScopeError(contract.method.errorInfo), { "www-authenticate": googleScopeChallenge(authorisingScopes(contract)) });
  }
  // A mail call granted through Mail.ReadBasic alone asks for none of what that permission
  // withholds, and is served without it (graph/http `ok`).
  if (contract.kind === "graph" && basicOnly(contract.entry, grant.scopes)) {
    if (basicExcludes(queryOf(c.req.url))) return send(c, 403, graphAccessDenied());
    c.set("basic", true);
  }
  if (contract.kind === "google") {
    const query = new URL(c.req.url).searchParams;
    // Gmail refuses a parameter its method does not have; Calendar's answer is not documented, so none is given.
    const unknown = contract.method.api === "gmail" ? unknownParameter(contract.method, query) : undefined;
    if (unknown !== undefined) return send(c, 400, googleUnknownParameterError(unknown));
    const bad = invalidEnum(contract.method, query);
    if (bad) return send(c, 400, googleEnumError(contract.method.api, bad.name, bad.value, bad.allowed));
  }
  return undefined;
}

/** A gateway's answer in front of Graph, not Graph's JSON error, or Graph's JSON error under a label that does not say JSON (FaultSpec `body`). */
function gatewayAnswer(status: number, body: NonNullable<FaultSpec["body"]>, headers: Record<string, string>, reason: FaultSpec["reason"]): Response {
  // The status's standard reason phrase (Node's table), as a gateway's page names it.
  const phrase = STATUS_CODES[status] ?? "Error";
  if (body === "empty") return new Response(null, { status, headers });
  if (body === "json-as-text" || body === "json-untyped") {
    const json = JSON.stringify(faultBody("graph", status, reason));
    // Bytes, not a string: a string body would be labelled text/plain by the Response itself.
    if (body === "json-untyped") return new Response(new TextEncoder().encode(json), { status, headers });
    return new Response(json, { status, headers: { "content-type": "text/plain; charset=utf-8", ...headers } });
  }
  if (body === "text") return new Response(`${status} ${phrase}`, { status, headers: { "content-type": "text/plain; charset=utf-8", ...headers } });
  const page = `<!DOCTYPE html><html><head><title>${phrase}</title></head><body><h2>${phrase}</h2><p>HTTP Error ${status}. Please try again later.</p></body></html>`;
  return new Response(page, { status, headers: { "content-type": "text/html; charset=us-ascii", ...headers } });
}

/** The answer of a `status` or `reset` fault: the provider's error body (with Retry-After), or a dropped connection. */
function faultAnswer(c: Context<SandboxEnv>, api: Api, fault: FaultSpec): Response {
  if (fault.kind === "reset") return resetConnection(c);
  const status = fault.status ?? 503;
  const headers: Record<string, string> = fault.retryAfter !== undefined ? { "retry-after": String(fault.retryAfter) } : {};
  if (api === "graph" && fault.body) return gatewayAnswer(status, fault.body, headers, fault.reason);
  return send(c, status, faultBody(api, status, fault.reason), headers);
}

/**
 * Authenticates the bearer token (401), enforces the official contract (403 scopes, 400 enums),
 * applies injected faults and the quota model, and counts the call.
 * `units` is the Gmail quota cost of the route (ignored for other APIs).
 */
export function guard(state: SandboxState, api: Api, route: string, units = 1): MiddlewareHandler<SandboxEnv> {
  return async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const bearer = /^Bearer\s+(.+)$/i.exec(header)?.[1];
    const grant = bearer ? state.tokens.authenticate(bearer) : undefined;
    const account = grant ? state.account(grant.email) : undefined;
    if (!grant || !account) {
      const u = unauthorized(api);
      return send(c, u.status, u.body, api === "graph" ? {} : { "www-authenticate": 'Bearer realm="https://accounts.google.com/"' });
    }
    c.set("grant", grant);
    c.set("account", account);
    const email = account.info.email;
    // Kept for tests of our flows (SandboxState.refusals); the routes call it for their own contract refusals.
    const refuse = (status: number) => state.refused({ api, request: `${c.req.method} ${c.req.path}`, status, email, scopes: [...grant.scopes] });
    c.set("refuse", refuse);
    const denied = contractDenied(c, api, grant);
    if (denied) {
      refuse(denied.status);
      return denied;
    }

    const taken = state.faults.take(route, email);
    // A fault of phase "after" lets the call act, then loses its answer (below).
    const lostAnswer = taken && taken.phase === "after" && (taken.kind === "status" || taken.kind === "reset") ? taken : undefined;
    const fault = lostAnswer ? undefined : taken;
    // Latency is served after admission so a slow call holds its Graph concurrency slot, as a slow server does.
    let latencyMs = state.serviceTime(api);
    if (fault) {
      if (fault.kind === "latency") latencyMs = fault.latencyMs ?? 1000;
      else if (fault.kind === "expire") {
        if (api === "gmail" || api === "calendar" || api === "graph") state.expireCursors(email, api);
      } else {
        state.quota.countFault(email, route);
        return faultAnswer(c, api, fault);
      }
    }

    const admission = state.quota.admit(email, api, route, units);
    if (!admission.ok) {
      // Gmail's per-user concurrency limit: 429 rateLimitExceeded, no time to retry at (docs/provider-quirks.md).
      if (api === "gmail" && admission.reason === "concurrency") return send(c, 429, googleError(429, "Too many concurrent requests for user.", "rateLimitExceeded"));
      // Calendar's own answer, not Gmail's: 403 usageLimits/rateLimitExceeded "Rate Limit Exceeded",
      // with no time to retry at (developers.google.com/calendar/api/guides/errors, "403: Rate Limit
      // Exceeded"; helper-109 #2: the sandbox gave Calendar Gmail's 429 and a Retry-After).
      if (api === "calendar") return send(c, 403, googleError(403, "Rate Limit Exceeded", "rateLimitExceeded", { domain: "usageLimits" }));
      const body =
        api === "graph"
          ? graphError(admission.reason === "concurrency" ? "TooManyRequests" : "ApplicationThrottled", "Application is over its MailboxConcurrency or request limit.")
          : googleError(429, `User-rate limit exceeded. Retry after ${new Date(state.clock() + admission.retryAfter * 1000).toISOString()}`, admission.reason);
      const withHeader = !(api === "gmail" && state.quota.limits && state.quota.limits.gmailRetryAfterHeader === false);
      return send(c, 429, body, withHeader ? { "retry-after": String(admission.retryAfter) } : {});
    }
    try {
      if (latencyMs > 0) await sleep(latencyMs);
      await next();
    } finally {
      admission.release();
    }
    if (lostAnswer) {
      // The call was admitted and counted; only the fault is added.
      state.quota.usage(email).faults++;
      c.res = faultAnswer(c, api, lostAnswer);
    }
  };
}
