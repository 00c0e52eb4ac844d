/**
 * The AWS SDK's browser user-agent parser (bowser) deployed nowhere: infra/esbuild-plugins.mjs
 * resolves @aws-sdk/core's on-demand import of it to infra/bowser-stand-in.mjs. The SDK's provider
 * gives the same user agent with the stand-in as with bowser in Node; a bundle of a client holds no
 * module of bowser, where without the plugin it does; another package's import of bowser keeps it;
 * SST's own plugin bridge does the same. That no function deploys a file it cannot load is checked
 * in test/lambda-modules.test.ts.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Plugin } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";
import { awsSdkWithoutBrowserParser, BOWSER_STAND_IN } from "../infra/esbuild-plugins.mjs";
import { NODE } from "../infra/defaults";
import { bundleSource, root } from "./support/lambda";
import { SST_BRIDGE, sstBridge } from "./support/sst-bridge";

const tmp = mkdtempSync(join(tmpdir(), "ft-bowser-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Every module a bundle of a one-line entry holds, dynamic imports' chunks included (`plugins` in place of infra's, when given). */
async function inputsOf(name: string, source: string, plugins?: Plugin[]): Promise<string[]> {
  return (await bundleSource(join(tmp, name), source, { plugins })).inputs;
}

const BOWSER = /node_modules\/bowser\//;
const CLIENT = `export { DynamoDBClient } from "@aws-sdk/client-dynamodb";`;

describe("the AWS SDK bundled without its browser user-agent parser", () => {
  it("a bundle of a client holds none of bowser, where without the plugin it does", async () => {
    expect((await inputsOf("with", CLIENT)).filter((m) => BOWSER.test(m))).toEqual([]);
    expect((await inputsOf("without", CLIENT, [])).filter((m) => BOWSER.test(m)).length).toBeGreaterThan(0);
  }, 60_000);

  it("the SDK's browser provider gives the same user agent with the stand-in as with bowser in Node", async () => {
    // The provider as @aws-sdk/core ships it, its import of bowser resolved each way.
    const provider = `export { createUserAgentStringParsingProvider } from "@aws-sdk/core/client";`;
    const answers: unknown[] = [];
    for (const [name, plugins] of [["stand-in", [awsSdkWithoutBrowserParser()]], ["bowser", []]] as const) {
      const { inputs, file } = await bundleSource(join(tmp, `run-${name}`), provider, { plugins: [...plugins], write: true });
      expect(inputs.some((m) => BOWSER.test(m)), name).toBe(name === "bowser");
      const m = (await import(pathToFileURL(file).href)) as { createUserAgentStringParsingProvider: (o: object) => (c?: object) => Promise<unknown> };
      answers.push(await m.createUserAgentStringParsingProvider({ serviceId: "DynamoDB", clientVersion: "3.0.0" })({ userAgentAppId: async () => "followthrough" }));
    }
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0]).toContainEqual(["os/other", undefined]);
  }, 60_000);

  it("another package's import of bowser keeps the package", async () => {
    // Written outside node_modules, so it counts as ours, not the SDK's.
    expect((await inputsOf("ours", `export { default } from "bowser";`)).filter((m) => BOWSER.test(m)).length).toBeGreaterThan(0);
  }, 60_000);

  it("the stand-in is there", () => {
    expect(existsSync(BOWSER_STAND_IN)).toBe(true);
  });
});

describe.skipIf(!existsSync(SST_BRIDGE))("through SST's own plugin bridge (skipped when .sst/platform is not unpacked: npm run sst:platform)", () => {
  it("resolves the SDK's import of bowser to the stand-in", async () => {
    const bridge = sstBridge(join(root, NODE.nodejs.plugins));
    try {
      const inputs = await inputsOf("bridge", CLIENT, [bridge.plugin]);
      expect(inputs.filter((m) => BOWSER.test(m))).toEqual([]);
      expect(inputs).toContain("infra/bowser-stand-in.mjs");
    } finally {
      bridge.stop();
    }
  }, 60_000);
});
