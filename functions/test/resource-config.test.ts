/**
 * The API's configuration as its Lambda builds it from what it links (SST's SST_RESOURCE_* variables,
 * read when "sst" is first imported: set here before the import, in this file's own worker).
 */
import { describe, expect, it } from "vitest";
import { API_RETRY_BUDGET_MS } from "@followthrough/core/limits";
import { loadMailbox } from "@followthrough/core/loader/mailbox";

const link = (name: string, value: unknown) => (process.env[`SST_RESOURCE_${name}`] = JSON.stringify(value));
link("Table", { name: "followthrough-table" });
link("LinkSigningKey", { value: "k" });
link("Api", { url: "https://app.example", name: "Api" });
const { resourceConfig } = await import("../src/resources");

describe("the API's resource configuration", () => {
  it("loads adapters without their readers, and bounds each provider call's retries so a tap ends inside the function's timeout", () => {
    const config = resourceConfig();
    expect(config.tableName).toBe("followthrough-table");
    expect(config.loader).toBe(loadMailbox);
    expect(config.provider?.retry?.budgetMs).toBe(API_RETRY_BUDGET_MS);
  });
});
