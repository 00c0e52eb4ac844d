/**
 * React's synchronous server renderer alone in the bundles (issue 12): infra/esbuild-plugins.mjs
 * resolves our `react-dom/server` imports to react-dom-server-legacy.node.production.js, so a
 * weekly run compiles and runs one renderer, not also the streaming one react-dom's Node entry
 * requires beside it. The bundled digest renders byte for byte as the unbundled one; a package in
 * node_modules keeps the package's entry; a React that moved the file fails the build in one line;
 * SST's own plugin bridge does the same. The weekly run's loaded files are checked in
 * test/lambda-modules.test.ts.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build, type Plugin } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";
import type { DigestData } from "@followthrough/core/digest";
import { renderDigest } from "../packages/core/src/digest/render";
import { digestFixture } from "../packages/core/test/support/digest-fixture";
import { REACT_DOM_SERVER_LEGACY, reactDomServerStaticOnly } from "../infra/esbuild-plugins.mjs";
import { NODE } from "../infra/defaults";
import { bundleSource, root, sstBuildOptions } from "./support/lambda";
import { SST_BRIDGE, sstBridge } from "./support/sst-bridge";

const SYNC = "node_modules/react-dom/cjs/react-dom-server-legacy.node.production.js";
const STREAMING = "node_modules/react-dom/cjs/react-dom-server.node.production.js";
const ENTRY = "node_modules/react-dom/server.node.js";
const RENDER = join(root, "packages/core/src/digest/render.tsx");

const tmp = mkdtempSync(join(tmpdir(), "ft-reactdom-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/**
 * The modules a bundle of a one-line entry module holds: `source` written outside node_modules (so
 * it counts as ours), bundled as the functions are (`plugins` in place of infra's, when given).
 */
async function inputsOf(name: string, source: string, plugins?: Plugin[]): Promise<string[]> {
  return (await bundleSource(join(tmp, name), source, { plugins })).inputs;
}

describe("react-dom/server bundled as its synchronous renderer alone", () => {
  it("our import of react-dom/server bundles React's synchronous renderer, not the streaming one", async () => {
    const inputs = await inputsOf("ours", `export { renderToStaticMarkup } from "react-dom/server";`);
    expect(inputs).toContain(SYNC);
    expect(inputs).not.toContain(STREAMING);
    expect(inputs).not.toContain(ENTRY);
  }, 60_000);

  it("the bundled digest renderer writes the same digest as the unbundled one", async () => {
    const outdir = join(tmp, "render");
    await build({ ...sstBuildOptions(), entryPoints: { render: RENDER }, outdir, absWorkingDir: root });
    const bundled = (await import(pathToFileURL(join(outdir, "render.mjs")).href)) as { renderDigest(d: DigestData): Promise<{ html: string }> };
    const d = digestFixture();
    const html = (await bundled.renderDigest(d)).html;
    expect(html).toContain("Ana Souza");
    expect(html).toBe((await renderDigest(d)).html);
  }, 60_000);

  it("a package in node_modules that imports react-dom/server keeps the package's entry (both renderers)", async () => {
    const inputs = await inputsOf("package", `export { render } from "@react-email/render";`);
    expect(inputs).toContain(ENTRY);
    expect(inputs).toContain(STREAMING);
  }, 60_000);

  it("fails the build in one line when React no longer has the synchronous renderer's file", async () => {
    const missing = join(tmp, "react-dom", "cjs", "react-dom-server-legacy.node.production.js");
    const r = build({ ...sstBuildOptions(), plugins: [reactDomServerStaticOnly(missing)], entryPoints: [RENDER], outdir: join(tmp, "missing"), absWorkingDir: root, write: false, logLevel: "silent" });
    await expect(r).rejects.toThrow(/infra\/esbuild-plugins\.mjs: React's synchronous server renderer .*react-dom-server-legacy\.node\.production\.js is not there/);
  }, 60_000);

  it("the file the plugin points at is the one react-dom's Node entry requires in production", () => {
    expect(REACT_DOM_SERVER_LEGACY).toBe(join(root, SYNC));
    expect(existsSync(REACT_DOM_SERVER_LEGACY)).toBe(true);
  });
});

describe.skipIf(!existsSync(SST_BRIDGE))("through SST's own plugin bridge (skipped when .sst/platform is not unpacked: npm run sst:platform)", () => {
  it("resolves our import of react-dom/server to React's synchronous renderer alone", async () => {
    const bridge = sstBridge(join(root, NODE.nodejs.plugins));
    try {
      const inputs = await inputsOf("bridge", `export { renderToStaticMarkup } from "react-dom/server";`, [bridge.plugin]);
      expect(inputs).toContain(SYNC);
      expect(inputs).not.toContain(STREAMING);
      expect(inputs).not.toContain(ENTRY);
    } finally {
      bridge.stop();
    }
  }, 60_000);
});
