import { type Client, RetryHandlerOptions } from "@microsoft/microsoft-graph-client";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type RunningSandbox, type UsageStats, defaultLimits, startSandbox } from "../src/index";
import { sandboxGraphClient, sandboxTokens } from "./graph-client";
import { control, graphFailure, tinyOutlook } from "./graph-support";

const email = "ana@contoso.example";
const noRetry = () => [new RetryHandlerOptions(0, 0)];

describe("Graph faults and throttling through the stock client", () => {
  let sb: RunningSandbox;
  let client: Client;
  const stats = async () => (await control(sb.url, `/accounts/${email}/stats`, undefined, "GET")) as UsageStats;

  beforeAll(async () => {
    sb = await startSandbox({ fixtures: [tinyOutlook(email)], pageSize: { graph: 7 }, https: true });
    client = sandboxGraphClient({ httpsUrl: sb.httpsUrl!, ca: sb.ca!, token: (await sandboxTokens(sb.url, email)).access_token });
  });
  afterAll(() => sb?.close());
  beforeEach(async () => {
    await control(sb.url, "/faults", undefined, "DELETE");
    await control(sb.url, "/stats/reset");
  });

  it("retries a single 429 with Retry-After: 1 transparently", async () => {
    await control(sb.url, "/faults", { route: "graph.me", kind: "status", status: 429, retryAfter: 1 });
    const t0 = Date.now();
    const me = await client.api("/me").get();
    expect(me.mail).toBe(email);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    const s = await stats();
    expect(s.calls["graph.me"]).toBe(2);
    expect(s.faults).toBe(1);
  });

  it("surfaces a persistent 429 as GraphError 429 after the client's retries", async () => {
    await control(sb.url, "/faults", { route: "graph.messages.list", kind: "status", status: 429, retryAfter: 1, times: 0 });
    const err = await graphFailure(client.api("/me/mailFolders/inbox/messages").get());
    expect(err.statusCode).toBe(429);
    expect(err.code).toBe("TooManyRequests");
    expect((await stats()).calls["graph.messages.list"]).toBe(4); // 1 + the RetryHandler's default 3 retries
  });

  it("surfaces a 500 at once, a reset as a network error, and serves through latency", async () => {
    await control(sb.url, "/faults", { route: "graph.calendarView", kind: "status", status: 500 });
    const err = await graphFailure(client.api("/me/calendarView").query({ startDateTime: "2026-05-01", endDateTime: "2026-06-01" }).get());
    expect(err.statusCode).toBe(500);
    expect(err.code).toBe("generalException");

    await control(sb.url, "/faults", { route: "graph.me", kind: "reset" });
    const reset = await graphFailure(client.api("/me").get());
    expect(reset.statusCode).toBe(-1);
    expect(String(reset.message)).toMatch(/fetch failed|socket|terminated|reset/i);

    await control(sb.url, "/faults", { route: "graph.me", kind: "latency", latencyMs: 300 });
    const t0 = Date.now();
    expect((await client.api("/me").get()).mail).toBe(email);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
  });

  it("answers a bad or missing token with 401 InvalidAuthenticationToken", async () => {
    const bad = sandboxGraphClient({ httpsUrl: sb.httpsUrl!, ca: sb.ca!, token: "eyJ0.not-a-token" });
    const err = await graphFailure(bad.api("/me").get());
    expect(err.statusCode).toBe(401);
    expect(err.code).toBe("InvalidAuthenticationToken");
  });

  it("holds at most 4 concurrent requests per mailbox: the rest get 429 TooManyRequests, which the client retries", async () => {
    // Long enough that all 8 are in flight together even when their TLS handshakes are slow (a loaded CI machine).
    const slow = { route: "graph.me", kind: "latency", latencyMs: 2_000, times: 8 };
    await control(sb.url, "/faults", slow);
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => client.api("/me").middlewareOptions(noRetry()).get()));
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(4);
    expect(rejected).toHaveLength(4);
    for (const r of rejected) expect(r.reason).toMatchObject({ statusCode: 429, code: "TooManyRequests" });
    expect((await stats()).throttled).toBe(4);

    await control(sb.url, "/stats/reset");
    // As long as the 429's Retry-After (1 s): a retry may find the slots still full and be refused
    // again (the client retries up to 3 times), so at least the 4 over the limit are refused, and
    // every refusal is retried.
    await control(sb.url, "/faults", { ...slow, latencyMs: 1_000 });
    const retried = await Promise.all(Array.from({ length: 8 }, () => client.api("/me").get()));
    expect(retried.every((me) => me.mail === email)).toBe(true);
    const s = await stats();
    expect(s.throttled).toBeGreaterThanOrEqual(4);
    expect(s.calls["graph.me"]).toBe(8 + s.throttled);
  });
});

describe("Graph request quota per 10 minutes", () => {
  let sb: RunningSandbox;
  let client: Client;

  beforeAll(async () => {
    sb = await startSandbox({ fixtures: [tinyOutlook(email)], https: true, quota: { ...defaultLimits, graphPer10Minutes: 5 } });
    client = sandboxGraphClient({ httpsUrl: sb.httpsUrl!, ca: sb.ca!, token: (await sandboxTokens(sb.url, email)).access_token });
  });
  afterAll(() => sb?.close());

  it("answers the request over the limit with 429 ApplicationThrottled and a Retry-After", async () => {
    for (let i = 0; i < 5; i++) await client.api("/me").get();
    const err = await graphFailure(client.api("/me").middlewareOptions(noRetry()).get());
    expect(err.statusCode).toBe(429);
    expect(err.code).toBe("ApplicationThrottled");
    expect(Number(err.headers?.get("retry-after"))).toBeGreaterThan(500);
    const s = (await control(sb.url, `/accounts/${email}/stats`, undefined, "GET")) as UsageStats;
    expect(s).toMatchObject({ totalCalls: 6, throttled: 1 });
  });
});
