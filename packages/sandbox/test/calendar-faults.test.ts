import type { calendar_v3 } from "@googleapis/calendar";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type RunningSandbox, startSandbox } from "../src/index";
import { clientWithToken, connect, control } from "./calendar-support";
import { demoGoogle } from "./mailboxes";

// Faults and quotas need some Google mailbox, not a particular one: the project's own demo mailbox, so these never skip.
const { email, timeZone } = demoGoogle.load().account;
const list = (cal: calendar_v3.Calendar, opts: { retry?: boolean } = { retry: false }) =>
  cal.events.list({ calendarId: "primary", singleEvents: true }, opts);
const fault = (url: string, spec: Record<string, unknown>) => control(url, "/faults", "POST", { route: "calendar.events.list", account: email, ...spec });

describe(`Calendar v3 emulator: faults as @googleapis/calendar surfaces them (${demoGoogle.name})`, () => {
  let sb: RunningSandbox;
  let cal: calendar_v3.Calendar;

  beforeAll(async () => {
    sb = await startSandbox({ fixtures: [demoGoogle.dir], pageSize: { calendar: 7 }, quota: false });
    cal = await connect(sb.url, email);
  });
  afterEach(() => sb.state.faults.clear());
  afterAll(() => sb?.close());

  it("429 with Retry-After in Google's error shape", async () => {
    await fault(sb.url, { kind: "status", status: 429, retryAfter: 7 });
    const err = await list(cal).catch((e) => e);
    expect(err.status).toBe(429);
    expect(err.response.headers.get("retry-after")).toBe("7");
    expect(err.response.data.error).toMatchObject({ code: 429, status: "RESOURCE_EXHAUSTED", errors: [{ reason: "rateLimitExceeded" }] });
    expect((await list(cal)).status).toBe(200);
  });

  it("500 and 503 fail without retries and are retried away by gaxios' default policy", async () => {
    for (const status of [500, 503]) {
      await fault(sb.url, { kind: "status", status });
      const err = await list(cal).catch((e) => e);
      expect(err.status).toBe(status);
    }
    await fault(sb.url, { kind: "status", status: 503, times: 2 });
    const before = (await control(sb.url, `/accounts/${email}/stats`, "GET")).calls["calendar.events.list"];
    const res = await list(cal, {}); // the library's default: retry 5xx with backoff
    expect(res.status).toBe(200);
    const after = (await control(sb.url, `/accounts/${email}/stats`, "GET")).calls["calendar.events.list"];
    expect(after - before).toBe(3);
  });

  it("connection reset surfaces as an error without a response", async () => {
    await fault(sb.url, { kind: "reset" });
    const err = await list(cal).catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err.response).toBeUndefined();
    expect((await list(cal)).status).toBe(200);
  });

  it("latency delays the answer but serves it", async () => {
    await fault(sb.url, { kind: "latency", latencyMs: 300 });
    const t0 = Date.now();
    const res = await list(cal);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
    expect(res.data.items!.length).toBeGreaterThan(0);
  });

  it("401 for an unknown token, 401 fault, and 403 for a token without a calendar scope", async () => {
    const bad = await list(clientWithToken(sb.url, "ya29.not-a-token")).catch((e) => e);
    expect(bad.status).toBe(401);
    expect(bad.response.data.error.errors[0].reason).toBe("authError");
    expect(bad.response.headers.get("www-authenticate")).toMatch(/^Bearer/);

    await fault(sb.url, { kind: "status", status: 401 });
    expect((await list(cal).catch((e) => e)).status).toBe(401);

    const eventsOnly = await connect(sb.url, email, ["https://www.googleapis.com/auth/calendar.events.readonly"]);
    expect((await list(eventsOnly)).status).toBe(200);
    const tz = await eventsOnly.settings.get({ setting: "timezone" }, { retry: false }).catch((e) => e);
    expect(tz.status).toBe(403);
    expect(tz.response.data.error.errors[0].reason).toBe("insufficientPermissions");
    const readonly = await connect(sb.url, email, ["https://www.googleapis.com/auth/calendar.readonly"]);
    expect((await readonly.settings.get({ setting: "timezone" }, { retry: false })).data.value).toBe(timeZone);
  });
});

describe(`Calendar v3 emulator: per-user quota (${demoGoogle.name})`, () => {
  let sb: RunningSandbox;
  beforeAll(async () => {
    sb = await startSandbox({
      fixtures: [demoGoogle.dir],
      pageSize: { calendar: 7 },
      quota: { gmailUnitsPerMinute: 6000, calendarPerMinute: 5, graphPer10Minutes: 10_000, graphConcurrency: 4 },
    });
  });
  afterAll(() => sb?.close());

  it("answers Calendar's 403 usageLimits/rateLimitExceeded over calendarPerMinute, with no time to retry at, and counts the calls", async () => {
    const cal = await connect(sb.url, email);
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push(await list(cal).then((r) => r.status, (e) => e.status));
    // developers.google.com/calendar/api/guides/errors, "403: Rate Limit Exceeded" (not Gmail's 429 and Retry-After).
    expect(statuses).toEqual([200, 200, 200, 200, 200, 403, 403]);
    const err = await list(cal).catch((e) => e);
    expect(err.response.headers.get("retry-after")).toBeNull();
    expect(err.response.data.error).toMatchObject({ code: 403, message: "Rate Limit Exceeded", errors: [{ domain: "usageLimits", reason: "rateLimitExceeded", message: "Rate Limit Exceeded" }] });
    const stats = await control(sb.url, `/accounts/${email}/stats`, "GET");
    expect(stats.calls["calendar.events.list"]).toBe(8);
    expect(stats.throttled).toBe(3);
  });
});
