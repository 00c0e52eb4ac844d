/**
 * A provider request that never answers (a stalled connection) is cut after the adapter's request
 * timeout and counts as a temporary failure, and a job's retry budget counts those failed attempts'
 * time as well as its pauses: a call against a provider that stalls ends within its budget instead of
 * holding the run to Lambda's limit (helper-66 finding 3: gaxios and node-fetch have no timeout of
 * their own, Graph's was 300 s, the whole worker's time, and the budget counted only pauses).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JOB_RETRY_BUDGET_MS, PROVIDER_REQUEST_TIMEOUT_MS } from "@followthrough/core/limits";
import { ProviderError } from "@followthrough/core/resilience";
import { ownFixture } from "./support/fixtures";
import { type ScanHarness, startScanHarness } from "./support/scan-harness";

const TIMEOUT_MS = 250;
const BUDGET_MS = 700;

/** The adapter's profile() while `route` answers nothing for 5 s: what it threw (or undefined) and how long it took. */
async function profileWhileStalled(h: ScanHarness, route: string): Promise<{ e: unknown; took: number }> {
  await h.injectFault({ route, kind: "latency", latencyMs: 5_000, times: 0 });
  const began = Date.now();
  try {
    const e = await h.provider.profile().then(
      () => undefined,
      (x: unknown) => x,
    );
    return { e, took: Date.now() - began };
  } finally {
    await h.clearFaults();
  }
}

describe.each([
  ["demo-google", "gmail.getProfile"],
  ["demo-microsoft", "graph.me"],
])("a stalled provider: %s", (fixture, route) => {
  let h: ScanHarness;
  beforeAll(async () => {
    // The real clock: a timeout is real time, and the budget counts it on the adapter's clock.
    h = await startScanHarness({ fixture: ownFixture(fixture), virtualClock: false, requestTimeoutMs: TIMEOUT_MS, retry: { baseMs: 5, maxMs: 20, budgetMs: BUDGET_MS } });
  });
  afterAll(() => h?.close());

  it("each attempt is cut at the request timeout, and the call gives up once its attempts and pauses pass the budget", async () => {
    // Asked once before the stall, so the attempts counted are the stalled request's alone: the
    // access token, the connection and the client's first use are done (on a loaded machine a first
    // attempt with all of them once took the whole 700 ms budget, and one call was counted: CI at 511b06e).
    await h.provider.profile();
    await h.resetStats();
    const { e, took } = await profileWhileStalled(h, route);
    expect(e).toBeInstanceOf(ProviderError);
    expect((e as ProviderError).kind).toBe("temporary");
    // Not the 5 s the provider stalls for; three attempts of 250 ms pass the 700 ms budget, where
    // without it counting them six would run.
    expect(took).toBeLessThan(3_000);
    const calls = (await h.stats()).calls[route] ?? 0;
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(calls).toBeLessThanOrEqual(4);
    // Answered again, it works.
    expect((await h.provider.profile()).email.toLowerCase()).toBe(h.fixture.account.email.toLowerCase());
  });
});

it("a request cut at the deployed timeout leaves a job's retry budget room for another attempt", () => {
  expect(2 * PROVIDER_REQUEST_TIMEOUT_MS).toBeLessThanOrEqual(JOB_RETRY_BUDGET_MS);
});

describe("a stalled Google token endpoint", () => {
  let h: ScanHarness;
  beforeAll(async () => {
    h = await startScanHarness({ fixture: ownFixture("demo-google"), virtualClock: false, requestTimeoutMs: TIMEOUT_MS, retry: { baseMs: 5, maxMs: 20, budgetMs: BUDGET_MS } });
  });
  afterAll(() => h?.close());

  it("the token refresh (google-auth-library's own transporter) is cut at the request timeout too, and is no revoked grant", async () => {
    const { e, took } = await profileWhileStalled(h, "oauth.google.token");
    expect(e).toBeInstanceOf(ProviderError);
    expect((e as ProviderError).kind).not.toBe("auth-revoked");
    expect(took).toBeLessThan(3_000);
  });
});
