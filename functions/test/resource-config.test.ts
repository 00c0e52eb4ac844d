/**
 * The API's configuration as its Lambda builds it from what it links (SST's SST_RESOURCE_* variables,
 * read when "sst" is first imported: set here before the import, in this file's own worker).
 */
import { describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import type { AccountRecord } from "@followthrough/core/accounts";
import { API_REQUEST_TIMEOUT_MS, API_RETRY_BUDGET_MS, API_TIMEOUT_SECONDS, JOB_RETRY_BUDGET_MS } from "@followthrough/core/limits";
import type { ProviderLoader } from "@followthrough/core/loader";
import { loadMailbox } from "@followthrough/core/loader/mailbox";

const link = (name: string, value: unknown) => (process.env[`SST_RESOURCE_${name}`] = JSON.stringify(value));
link("Table", { name: "followthrough-table" });
link("LinkSigningKey", { value: randomBytes(32).toString("base64") });
link("Api", { url: "https://app.example", name: "Api" });
link("TokenKeyring", { value: `k1:${randomBytes(32).toString("base64")}` });
const { resourceConfig } = await import("../src/resources");
const { resourceJobDeps } = await import("../src/jobs");
const { WEEKLY_SCAN_RESERVE_MS } = await import("../src/handlers/worker");

describe("the API's resource configuration", () => {
  it("loads adapters without their readers, and bounds each provider call's retries so a tap ends inside the function's timeout", () => {
    const config = resourceConfig();
    expect(config.tableName).toBe("followthrough-table");
    expect(config.loader).toBe(loadMailbox);
    expect(config.provider?.retry?.budgetMs).toBe(API_RETRY_BUDGET_MS);
    // A stalled provider request is cut well inside the function's timeout, so the page gets out.
    expect(config.provider?.tuning?.requestTimeoutMs).toBe(API_REQUEST_TIMEOUT_MS);
    // Three requests one after another (a create, then its marker's look; Microsoft's refresh,
    // profile and settings at connect), each with its retry budget, end inside the function's timeout.
    expect(3 * (API_REQUEST_TIMEOUT_MS + API_RETRY_BUDGET_MS)).toBeLessThan(API_TIMEOUT_SECONDS * 1000);
  });
});

describe("the queue workers' resource configuration", () => {
  it("bounds each provider call's retries under the weekly read's reserve: a long Retry-After fails the record for the queue, not the function into its timeout", async () => {
    let options: Parameters<ProviderLoader>[1] | undefined;
    const load: ProviderLoader = async (_account, o) => {
      options = o;
      return {} as Awaited<ReturnType<ProviderLoader>>;
    };
    await resourceJobDeps(load).providerFor({ email: "a@example.com", provider: "google" } as AccountRecord);
    expect(options?.retry?.budgetMs).toBe(JOB_RETRY_BUDGET_MS);
    expect(JOB_RETRY_BUDGET_MS).toBeLessThan(WEEKLY_SCAN_RESERVE_MS);
  });
});

describe("the link key", () => {
  it("is refused, in one line, by the API's and the workers' configuration when shorter than 32 characters (helper-244 #4: a guessable key lets any owner forge every account's links)", () => {
    // SST's Resource reads its links once, into this object (sst/dist/resource/shared.js).
    const raw = (globalThis as { __SST_RESOURCE_RAW__?: Record<string, unknown> }).__SST_RESOURCE_RAW__!;
    const strong = raw.LinkSigningKey;
    expect((strong as { value: string }).value.length).toBeGreaterThanOrEqual(32);
    try {
      for (const weak of ["placeholder", "correct horse battery staple", "x".repeat(31)]) {
        raw.LinkSigningKey = { value: weak };
        const refusal = /^LinkSigningKey must be at least 32 characters of random data \(set it to the output of `openssl rand -base64 32`, docs\/deploy\.md\)$/;
        expect(() => resourceConfig()).toThrow(refusal);
        expect(() => resourceJobDeps(async () => ({}) as never)).toThrow(refusal);
      }
      raw.LinkSigningKey = { value: "x".repeat(32) };
      expect(resourceConfig().linkKey).toBe("x".repeat(32));
    } finally {
      raw.LinkSigningKey = strong;
    }
  });
});
