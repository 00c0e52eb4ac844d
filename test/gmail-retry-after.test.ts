/**
 * Gmail names the end of a per-user rate limit in its message ("User-rate limit exceeded.  Retry
 * after <ISO time>"), often with no Retry-After header (helper-61 finding 2; twentyhq/twenty pull
 * request 17850, taers232c/GAMADV-XTD3 issue 337). The adapter's classifier reads that time, so its
 * retries wait for it instead of spending their few quick attempts inside the same refusal.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { gmail_v1 } from "@googleapis/gmail";
import { classifyGoogleError, retryAfterInMessage } from "@followthrough/core/google";
import { defaultLimits, type RunningSandbox, startSandbox } from "@followthrough/sandbox";
import { gmailClient, rejection, tinyMailbox, tokenFor } from "../packages/sandbox/test/gmail-support";

const email = "ada@example.org";

describe("a Gmail rate limit that names its end only in its message", () => {
  let sb: RunningSandbox;
  let g: gmail_v1.Gmail;
  beforeAll(async () => {
    sb = await startSandbox({ fixtures: [tinyMailbox(5, email)], quota: { ...defaultLimits, gmailUnitsPerMinute: 20, gmailRetryAfterHeader: false } });
    g = gmailClient(sb.url, await tokenFor(sb.url, email), { retry: false });
  });
  afterAll(() => sb?.close());

  it("the 429 carries no Retry-After; the classifier reads the time in the message as the wait", async () => {
    const id = sb.state.account(email)!.gmail!.list()[0].id!;
    for (let i = 0; i < 4; i++) await g.users.messages.get({ userId: "me", id, format: "minimal" });
    const e = await rejection(g.users.messages.get({ userId: "me", id, format: "minimal" }));
    expect(e.status).toBe(429);
    const headers = e.response.headers;
    expect(typeof headers?.get === "function" ? headers.get("retry-after") : headers?.["retry-after"]).toBeFalsy();
    expect(typeof headers?.get === "function" ? headers.get("content-type") : headers?.["content-type"]).toMatch(/json/); // headers are read right
    expect(e.response.data.error.message).toMatch(/^User-rate limit exceeded\. Retry after \d{4}-\d\d-\d\dT[\d:.]+Z$/);
    const now = Date.now();
    const p = classifyGoogleError(e, now);
    expect(p.kind).toBe("rate-limited");
    expect(p.retryAfterMs).toBeGreaterThan(0);
    expect(p.retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  it("reads Gmail's wording (two spaces, milliseconds), and nothing from other messages", () => {
    const now = Date.parse("2024-11-12T11:01:42.247Z");
    expect(retryAfterInMessage("User-rate limit exceeded.  Retry after 2024-11-12T11:16:42.247Z (Forwarding rules)", now)).toBe(15 * 60_000);
    expect(retryAfterInMessage("User-rate limit exceeded.  Retry after 2024-11-12T11:00:00Z", now)).toBe(0);
    expect(retryAfterInMessage("Quota exceeded for quota metric 'Queries'", now)).toBeUndefined();
    expect(retryAfterInMessage(undefined, now)).toBeUndefined();
    // A header wins over the message.
    const both = classifyGoogleError({ message: "User-rate limit exceeded.  Retry after 2024-11-12T11:16:42.247Z", response: { status: 429, headers: { "retry-after": "7" }, data: { error: { message: "User-rate limit exceeded.  Retry after 2024-11-12T11:16:42.247Z" } } } }, now);
    expect(both.retryAfterMs).toBe(7_000);
  });
});
