import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { gmail_v1 } from "@googleapis/gmail";
import { GaxiosError } from "gaxios";
import { type RunningSandbox, defaultLimits, startSandbox } from "../src/index";
import { control, gmailClient, rejection, tinyMailbox, tokenFor } from "./gmail-support";

const email = "ada@example.org";
const header = (e: any, name: string): string | null | undefined =>
  typeof e.response?.headers?.get === "function" ? e.response.headers.get(name) : e.response?.headers?.[name];

describe("Gmail v1 faults as the real client surfaces them", () => {
  let sb: RunningSandbox;
  let token: string;
  let g: gmail_v1.Gmail;
  let id: string;

  beforeAll(async () => {
    sb = await startSandbox({ fixtures: [tinyMailbox(5, email)], pageSize: { gmail: 7 } });
    token = await tokenFor(sb.url, email);
    g = gmailClient(sb.url, token, { retry: false });
    id = (await g.users.messages.list({ userId: "me" })).data.messages![0].id!;
  });
  beforeEach(async () => {
    await control(sb.url, "/faults", "DELETE");
    await control(sb.url, "/stats/reset", "POST");
  });
  afterAll(() => sb?.close());

  it("a 429 with Retry-After reaches the caller as a GaxiosError when retries are off", async () => {
    await control(sb.url, "/faults", "POST", { route: "gmail.messages.get", kind: "status", status: 429, retryAfter: 7 });
    const e = await rejection(g.users.messages.get({ userId: "me", id, format: "metadata" }));
    expect(e).toBeInstanceOf(GaxiosError);
    expect(e.status).toBe(429);
    expect(header(e, "retry-after")).toBe("7");
    expect(e.response.data.error).toMatchObject({ code: 429, status: "RESOURCE_EXHAUSTED", errors: [{ reason: "rateLimitExceeded" }] });
    // The fault hit once: the next call is served.
    expect((await g.users.messages.get({ userId: "me", id, format: "minimal" })).data.id).toBe(id);
  });

  it("a 503 fails without retries, and the default client retries it transparently", async () => {
    await control(sb.url, "/faults", "POST", { route: "gmail.messages.list", kind: "status", status: 503 });
    const e = await rejection(g.users.messages.list({ userId: "me" }));
    expect(e.status).toBe(503);
    expect(e.message).toBe("The service is currently unavailable.");

    await control(sb.url, "/faults", "POST", { route: "gmail.messages.list", kind: "status", status: 503 });
    const retrying = gmailClient(sb.url, token);
    const ok = await retrying.users.messages.list({ userId: "me" });
    expect(ok.data.messages).toHaveLength(5);
    const stats = await control(sb.url, `/accounts/${email}/stats`, "GET");
    expect(stats.calls["gmail.messages.list"]).toBe(3);
    expect(stats.faults).toBe(2);
  });

  it("a connection reset rejects the call", async () => {
    await control(sb.url, "/faults", "POST", { route: "gmail.getProfile", kind: "reset" });
    const e = await rejection(g.users.getProfile({ userId: "me" }));
    expect(e.status).toBeUndefined();
    expect(String(e.code ?? e.cause?.code ?? e.message)).toMatch(/ECONNRESET|socket hang up|other side closed/i);
  });

  it("latency delays the call, which still succeeds", async () => {
    await control(sb.url, "/faults", "POST", { route: "gmail.*", kind: "latency", latencyMs: 300 });
    const t0 = Date.now();
    const p = await g.users.getProfile({ userId: "me" });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(p.data.emailAddress).toBe(email);
  });

  it("a bad token gets 401 with Google's authError body and WWW-Authenticate", async () => {
    const bad = gmailClient(sb.url, "ya29.not-a-token", { retry: false });
    const e = await rejection(bad.users.messages.list({ userId: "me" }));
    expect(e.status).toBe(401);
    expect(e.response.data.error).toMatchObject({ code: 401, status: "UNAUTHENTICATED", errors: [{ reason: "authError", location: "Authorization" }] });
    expect(header(e, "www-authenticate")).toContain("Bearer");
  });
});

describe("Gmail v1 quota units", () => {
  let sb: RunningSandbox;
  let g: gmail_v1.Gmail;

  beforeAll(async () => {
    sb = await startSandbox({ fixtures: [tinyMailbox(5, email)], quota: { ...defaultLimits, gmailUnitsPerMinute: 20 } });
    g = gmailClient(sb.url, await tokenFor(sb.url, email), { retry: false });
  });
  afterAll(() => sb?.close());

  it("charges 5 units per messages.get: the 5th call in a minute over 20 units gets 429 userRateLimitExceeded", async () => {
    const id = sb.state.account(email)!.gmail!.list()[0].id!;
    for (let i = 0; i < 4; i++) await g.users.messages.get({ userId: "me", id, format: "minimal" });
    const e = await rejection(g.users.messages.get({ userId: "me", id, format: "minimal" }));
    expect(e.status).toBe(429);
    expect(e.response.data.error.errors[0].reason).toBe("userRateLimitExceeded");
    expect(Number(header(e, "retry-after"))).toBeGreaterThan(0);
    const stats = await control(sb.url, `/accounts/${email}/stats`, "GET");
    expect(stats).toMatchObject({ gmailUnits: 20, throttled: 1, totalCalls: 5, calls: { "gmail.messages.get": 5 } });
    // getProfile costs 1 unit: still over the limit in this minute.
    expect((await rejection(g.users.getProfile({ userId: "me" }))).status).toBe(429);
  });
});
