/**
 * Google's 403 dailyLimitExceeded: the Cloud project's daily (courtesy) quota is spent, for every
 * user, until Google's quota day ends at midnight Pacific Time (developers.google.com/gmail/api/guides/handle-errors,
 * "Resolve a 403 error: Daily limit exceeded"; developers.google.com/calendar/api/guides/errors,
 * "403: Daily Limit Exceeded"; developers.google.com/workspace/guides/quota-overview for the reset).
 * It is a rate limit whose wait lasts until that reset, not a refusal of the request (helper-265 #1:
 * it was "invalid"), and never the owner's grant.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { classifyGoogleError } from "@followthrough/core/google";
import { JOB_RETRY_BUDGET_MS } from "@followthrough/core/limits";
import { isRevoked, reconnectReason } from "@followthrough/core/reconnect";
import { ProviderError } from "@followthrough/core/resilience";
import { addDays, localDate, localMidnight } from "@followthrough/core/time";
import { type RunningSandbox, startSandbox } from "@followthrough/sandbox";
import { connect } from "../packages/sandbox/test/calendar-support";
import { control, gmailClient, rejection, tokenFor } from "../packages/sandbox/test/gmail-support";
import { demoGoogle } from "../packages/sandbox/test/mailboxes";
import { ownFixture } from "./support/fixtures";
import { type ScanHarness, startScanHarness } from "./support/scan-harness";

const { email } = demoGoogle.load().account;
const HOUR = 3_600_000;
/** Google's next quota day, from `now`: midnight in Los Angeles. */
const PACIFIC = "America/Los_Angeles";
const untilPacificMidnight = (now: number) => localMidnight(addDays(localDate(now, PACIFIC), 1), PACIFIC) - now;
/** The daily limit's answer as gaxios hands it over (no Retry-After). */
const dailyLimit = { message: "Daily Limit Exceeded", response: { status: 403, headers: {}, data: { error: { code: 403, message: "Daily Limit Exceeded", errors: [{ domain: "usageLimits", reason: "dailyLimitExceeded" }] } } } };
const header = (e: any, name: string): string | null | undefined =>
  typeof e.response?.headers?.get === "function" ? e.response.headers.get(name) : e.response?.headers?.[name];

describe("Google's daily limit through the real client libraries", () => {
  let sb: RunningSandbox;
  beforeAll(async () => {
    sb = await startSandbox({ fixtures: [demoGoogle.dir], quota: false });
  });
  afterEach(() => sb.state.faults.clear());
  afterAll(() => sb?.close());

  it("Gmail and Calendar answer 403 usageLimits/dailyLimitExceeded with no Retry-After; it is rate-limited until midnight Pacific Time, never a grant to reconnect", async () => {
    const g = gmailClient(sb.url, await tokenFor(sb.url, email), { retry: false });
    const cal = await connect(sb.url, email);
    await control(sb.url, "/faults", "POST", [
      { route: "gmail.messages.list", account: email, kind: "status", status: 403, reason: "dailyLimitExceeded" },
      { route: "calendar.events.list", account: email, kind: "status", status: 403, reason: "dailyLimitExceeded" },
    ]);
    const mail = await rejection(g.users.messages.list({ userId: "me" }));
    const calendar = await rejection(cal.events.list({ calendarId: "primary" }, { retry: false }));
    // July: Pacific daylight time (UTC-7), so the quota day ends at 07:00 UTC. January: standard time, 08:00 UTC.
    const summer = Date.parse("2026-07-15T10:00:00Z");
    const winter = Date.parse("2026-01-15T10:00:00Z");
    for (const e of [mail, calendar]) {
      expect(e.status).toBe(403);
      expect(header(e, "retry-after")).toBeFalsy();
      expect(e.response.data.error).toMatchObject({ code: 403, message: "Daily Limit Exceeded", errors: [{ domain: "usageLimits", reason: "dailyLimitExceeded", message: "Daily Limit Exceeded" }] });
      const p = classifyGoogleError(e, summer);
      expect(p.kind).toBe("rate-limited");
      expect(p.retryAfterMs).toBe(Date.parse("2026-07-16T07:00:00Z") - summer);
      expect(classifyGoogleError(e, winter).retryAfterMs).toBe(Date.parse("2026-01-16T08:00:00Z") - winter);
      expect(isRevoked(p)).toBe(false);
      expect(reconnectReason(p)).toBeUndefined();
    }
    // A minute before midnight in Los Angeles, a minute's wait; an hour after it, the rest of the day.
    expect(classifyGoogleError(dailyLimit, Date.parse("2026-07-16T06:59:00Z")).retryAfterMs).toBe(60_000);
    expect(classifyGoogleError(dailyLimit, Date.parse("2026-07-16T08:00:00Z")).retryAfterMs).toBe(23 * HOUR);
    // The day the clocks go back (1 November 2026) lasts 25 hours: from 01:00 PDT, 24 more.
    expect(classifyGoogleError(dailyLimit, Date.parse("2026-11-01T08:00:00Z")).retryAfterMs).toBe(24 * HOUR);
  });

  it("met in the first hour of Google's quota day, it is taken for a reset come late: a quarter hour's wait, not a day's", () => {
    // developers.google.com/workspace/guides/quota-overview puts the reset at midnight Pacific Time;
    // a refusal just after it waits GOOGLE_RESET_GRACE_MS's quarter hour (our margin, not Google's word).
    for (const at of ["2026-07-16T07:00:00Z", "2026-07-16T07:10:00Z", "2026-07-16T07:59:59Z", "2026-01-16T08:30:00Z", "2026-11-01T07:05:00Z"])
      expect(classifyGoogleError(dailyLimit, Date.parse(at)).retryAfterMs, at).toBe(15 * 60_000);
    // At the hour, the next midnight again.
    expect(classifyGoogleError(dailyLimit, Date.parse("2026-07-16T08:00:00Z")).retryAfterMs).toBe(23 * HOUR);
    expect(classifyGoogleError(dailyLimit, Date.parse("2026-01-16T09:00:00Z")).retryAfterMs).toBe(23 * HOUR);
  });

  it("the control API takes the reason on a Gmail or Calendar 403 only", async () => {
    for (const bad of [
      { route: "gmail.messages.list", kind: "status", status: 429, reason: "dailyLimitExceeded" },
      { route: "graph.*", kind: "status", status: 403, reason: "dailyLimitExceeded" },
    ]) {
      const res = await fetch(`${sb.url}/_control/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(bad) });
      expect(res.status).toBe(400);
    }
  });
});

describe("Google's daily limit through the adapter, with a job's retry budget (demo-google)", () => {
  let h: ScanHarness;
  beforeAll(async () => {
    h = await startScanHarness({ fixture: ownFixture("demo-google") });
  }, 60_000);
  afterEach(() => h.clearFaults());
  afterAll(() => h?.close());

  it("a call meeting it gives up at the first answer, with the wait until midnight Pacific Time, rather than sleep there or spend its attempts", async () => {
    const provider = h.providerAs({}, { budgetMs: JOB_RETRY_BUDGET_MS });
    await h.injectFault([
      { route: "gmail.*", account: h.email, kind: "status", status: 403, reason: "dailyLimitExceeded", times: 0 },
      { route: "calendar.*", account: h.email, kind: "status", status: 403, reason: "dailyLimitExceeded", times: 0 },
    ]);
    await h.resetStats();
    const before = h.clock!.now();
    const e = await provider.profile().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ProviderError);
    expect((e as ProviderError).kind).toBe("rate-limited");
    expect((e as ProviderError).retryAfterMs).toBe(untilPacificMidnight(before));
    expect(isRevoked(e)).toBe(false);
    // One request of each of its two calls (Gmail's profile, Calendar's zone), and no pause on the adapter's clock.
    const stats = await h.stats();
    expect(stats.calls).toEqual({ "gmail.getProfile": 1, "calendar.settings.get": 1 });
    expect(stats.faults).toBe(2);
    expect(h.clock!.now() - before).toBeLessThan(1_000);
  });
});
