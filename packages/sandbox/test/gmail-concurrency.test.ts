import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { gmail_v1 } from "@googleapis/gmail";
import { type RunningSandbox, defaultLimits, startSandbox } from "../src/index";
import { control, gmailClient, tinyMailbox, tokenFor } from "./gmail-support";

const email = "ada@example.org";
const header = (e: any, name: string): string | null | undefined =>
  typeof e.response?.headers?.get === "function" ? e.response.headers.get(name) : e.response?.headers?.[name];

describe("Gmail's per-user concurrent-request limit", () => {
  let sb: RunningSandbox;
  let g: gmail_v1.Gmail;
  let id: string;

  beforeAll(async () => {
    // Each call takes 250 ms to answer, so calls sent together are in flight together.
    sb = await startSandbox({ fixtures: [tinyMailbox(5, email)], quota: { ...defaultLimits, gmailConcurrency: 3 }, serviceTimeMs: { gmail: 250 } });
    g = gmailClient(sb.url, await tokenFor(sb.url, email), { retry: false });
    id = sb.state.account(email)!.gmail!.list()[0].id!;
  });
  afterAll(() => sb?.close());

  it("answers 429 rateLimitExceeded 'Too many concurrent requests for user' above the limit, without a time to retry", async () => {
    await control(sb.url, "/stats/reset", "POST");
    // Each of these holds its slot 2 s (a latency fault, served after admission), so all six are in
    // flight together even on a loaded machine.
    await control(sb.url, "/faults", "POST", { route: "gmail.messages.get", kind: "latency", latencyMs: 2_000, times: 6 });
    const outcomes = await Promise.allSettled(Array.from({ length: 6 }, () => g.users.messages.get({ userId: "me", id, format: "minimal" })));
    const ok = outcomes.filter((o) => o.status === "fulfilled");
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected").map((o) => o.reason);
    // At most 3 are served while 3 are in flight (a call arriving after one is answered may be served too).
    expect(ok.length).toBeGreaterThanOrEqual(3);
    expect(refused.length).toBeGreaterThanOrEqual(2);
    for (const e of refused) {
      expect(e.status).toBe(429);
      expect(e.response.data.error).toMatchObject({
        code: 429,
        message: "Too many concurrent requests for user.",
        status: "RESOURCE_EXHAUSTED",
        errors: [{ reason: "rateLimitExceeded", domain: "global" }],
      });
      expect(header(e, "retry-after") ?? undefined).toBeUndefined();
    }
    const stats = await control(sb.url, `/accounts/${email}/stats`, "GET");
    // A refused call is charged no units; the in-flight peak never passes the limit.
    expect(stats).toMatchObject({ gmailUnits: 5 * ok.length, throttled: refused.length, throttledBy: { concurrency: refused.length }, peakConcurrency: { gmail: 3 } });
  });

  it("frees a slot when a call is answered: calls one after another are never refused", async () => {
    await control(sb.url, "/stats/reset", "POST");
    for (let i = 0; i < 6; i++) await g.users.messages.get({ userId: "me", id, format: "minimal" });
    const stats = await control(sb.url, `/accounts/${email}/stats`, "GET");
    expect(stats).toMatchObject({ throttled: 0, peakConcurrency: { gmail: 1 } });
  });
});
