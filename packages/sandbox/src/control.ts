import { GOOGLE_SCOPES, MICROSOFT_SCOPES } from "@followthrough/core/oauth";
import { isZone } from "@followthrough/core/time";
import type { Hono } from "hono";
import { type FaultSpec, GATEWAY_BODIES } from "./faults";
import { FixtureError } from "./fixtures";
import { type SandboxEnv, send } from "./guard";
import type { SandboxState } from "./state";

const apis = ["gmail", "calendar", "graph"] as const;

/**
 * The control API tests and the CLI use: accounts, tokens, faults, quotas, the mailbox clock.
 * Provider-specific control routes (adding mail and events, reading drafts and sent mail) live with each provider.
 */
export function controlRoutes(app: Hono<SandboxEnv>, state: SandboxState): void {
  const missing = (email: string) => send({} as never, 404, { error: `no sandbox account ${email}` });

  app.get("/_control/accounts", (c) => c.json([...state.accounts.values()].map((a) => a.info)));

  app.post("/_control/accounts", async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as { fixture?: string };
    if (typeof body.fixture !== "string") return send(c, 400, { error: "body needs a fixture folder path" });
    try {
      return c.json(state.addFixture(body.fixture).info, 201);
    } catch (e) {
      if (e instanceof FixtureError) return send(c, 400, { error: e.message });
      throw e;
    }
  });

  /**
   * Consent shortcut: issue tokens for an account as if its owner had approved `clientId` for
   * exactly the scopes our connect requests (GOOGLE_SCOPES / MICROSOFT_SCOPES), or for `scopes` when
   * the body names them. `scopes: []` is a token holding no scope at all (every provider call 403).
   */
  app.post("/_control/accounts/:email/tokens", async (c) => {
    const a = state.account(c.req.param("email"));
    if (!a) return missing(c.req.param("email"));
    const body = (await c.req.json().catch(() => ({}))) as { clientId?: string; scopes?: unknown };
    if (body.scopes !== undefined && (!Array.isArray(body.scopes) || body.scopes.some((s) => typeof s !== "string")))
      return send(c, 400, { error: "scopes must be an array of strings" });
    const connectScopes = a.info.provider === "google" ? GOOGLE_SCOPES : MICROSOFT_SCOPES;
    const scopes = (body.scopes as string[] | undefined) ?? [...connectScopes];
    const tokens = state.tokens.issue({ email: a.info.email, provider: a.info.provider, clientId: body.clientId ?? "sandbox-client", scopes }, true);
    return c.json(tokens);
  });

  app.post("/_control/accounts/:email/revoke", (c) => {
    const a = state.account(c.req.param("email"));
    if (!a) return missing(c.req.param("email"));
    state.tokens.revokeAccount(a.info.email);
    return c.json({ revoked: a.info.email });
  });

  /**
   * The owner sets another zone in Google Calendar's settings or Outlook's (a move): the Calendar
   * settings' `timezone` and Graph's mailboxSettings answer it from now on. `{timeZone}`: an IANA name.
   */
  app.post("/_control/accounts/:email/time-zone", async (c) => {
    const a = state.account(c.req.param("email"));
    if (!a) return missing(c.req.param("email"));
    const body = (await c.req.json().catch(() => ({}))) as { timeZone?: unknown };
    const zone = typeof body.timeZone === "string" ? body.timeZone : "";
    if (!isZone(zone)) return send(c, 400, { error: "timeZone must be an IANA time zone name" });
    a.info.timeZone = zone;
    return c.json({ timeZone: zone });
  });

  app.post("/_control/accounts/:email/expire-access", (c) => {
    const a = state.account(c.req.param("email"));
    if (!a) return missing(c.req.param("email"));
    state.tokens.expireAccess(a.info.email);
    return c.json({ expired: a.info.email });
  });

  app.post("/_control/accounts/:email/expire-cursors", async (c) => {
    const a = state.account(c.req.param("email"));
    if (!a) return missing(c.req.param("email"));
    const body = (await c.req.json().catch(() => ({}))) as { api?: string };
    const which = body.api ? [body.api] : [...apis];
    for (const api of which) {
      if (!(apis as readonly string[]).includes(api)) return send(c, 400, { error: `api must be one of ${apis.join(", ")}` });
      state.expireCursors(a.info.email, api as (typeof apis)[number]);
    }
    return c.json({ expired: which });
  });

  app.get("/_control/accounts/:email/stats", (c) => {
    const a = state.account(c.req.param("email"));
    if (!a) return missing(c.req.param("email"));
    return c.json(state.quota.usage(a.info.email));
  });

  app.post("/_control/stats/reset", (c) => {
    state.quota.reset();
    return c.json({ reset: true });
  });

  app.get("/_control/faults", (c) => c.json(state.faults.list()));
  app.post("/_control/faults", async (c) => {
    const body = (await c.req.json().catch(() => undefined)) as FaultSpec | FaultSpec[] | undefined;
    const specs = Array.isArray(body) ? body : body ? [body] : [];
    if (specs.length === 0 || specs.some((s) => typeof s.route !== "string" || !["status", "reset", "latency", "expire"].includes(s.kind)))
      return send(c, 400, { error: "a fault needs route and kind (status, reset, latency, expire)" });
    if (specs.some((s) => s.phase !== undefined && s.phase !== "before" && s.phase !== "after")) return send(c, 400, { error: "phase is before or after" });
    // A refusal a provider answers instead of doing the call: a status fault, never one that lets the call act first.
    const reasonFits = (s: FaultSpec) =>
      s.reason === undefined ||
      (s.kind === "status" &&
        s.phase !== "after" &&
        ((s.reason === "domainPolicy" && s.status === 403 && /^gmail\./.test(s.route)) ||
          (s.reason === "failedPrecondition" && s.status === 400 && /^gmail\./.test(s.route)) ||
          (s.reason === "notACalendarUser" && s.status === 403 && /^calendar\./.test(s.route)) ||
          (s.reason === "dailyLimitExceeded" && s.status === 403 && /^(gmail|calendar)\./.test(s.route)) ||
          (s.reason === "accessNotConfigured" && s.status === 403 && /^(gmail|calendar)\./.test(s.route)) ||
          (s.reason === "MailboxNotEnabledForRESTAPI" && s.status === 404 && /^graph\./.test(s.route))));
    // A gateway's body instead of Graph's JSON error (or Graph's under another label): a status fault on a Graph route.
    if (specs.some((s) => s.body !== undefined && (s.kind !== "status" || !/^graph\./.test(s.route) || !(GATEWAY_BODIES as readonly string[]).includes(s.body))))
      return send(c, 400, { error: `body (${GATEWAY_BODIES.join(", ")}) is for a status fault on a Graph route (graph.*)` });
    if (!specs.every(reasonFits))
      return send(c, 400, {
        error: "reason is for a status fault before the call: domainPolicy with a Gmail route's 403 or failedPrecondition with its 400 (route gmail.*), notACalendarUser with a Calendar route's 403 (route calendar.*), dailyLimitExceeded or accessNotConfigured with a Gmail or Calendar route's 403, or MailboxNotEnabledForRESTAPI with a Graph route's 404 (route graph.*)",
      });
    return c.json({ ids: specs.map((s) => state.faults.add(s)) }, 201);
  });
  app.delete("/_control/faults", (c) => {
    state.faults.clear();
    return c.json({ cleared: true });
  });

  app.get("/_control/clock", (c) => c.json({ now: new Date(state.now()).toISOString() }));
  app.post("/_control/clock", async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as { now?: string | null; advanceMs?: number };
    if (body.now === null) state.setNow(undefined);
    else if (typeof body.now === "string") {
      const ms = Date.parse(body.now);
      if (Number.isNaN(ms)) return send(c, 400, { error: "now must be ISO-8601" });
      state.setNow(ms);
    } else if (typeof body.advanceMs === "number") state.setNow(state.now() + body.advanceMs);
    else return send(c, 400, { error: "body needs now or advanceMs" });
    return c.json({ now: new Date(state.now()).toISOString() });
  });
}
