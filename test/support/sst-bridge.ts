import { spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { Plugin } from "esbuild";
import { root } from "./lambda";

/** SST's plugin bridge, unpacked by `npm run sst:platform` (CI does it before the tests). */
export const SST_BRIDGE = join(root, ".sst/platform/functions/nodejs-runtime/plugin.mjs");

/**
 * esbuild's side of SST's plugin bridge, as SST's Go builder (pkg/runtime/node/plugin.go) drives it:
 * `node .sst/platform/functions/nodejs-runtime/plugin.mjs <root>/<nodejs.plugins>` from the project
 * root, every resolve and load sent to it as a JSON line `{id, command, value}`, its reply's `path`,
 * `namespace`, `external`, `contents`, `loader`, `resolveDir` applied and its `error` returned as the
 * callback's error.
 */
export function sstBridge(pluginsPath: string): { plugin: Plugin; stop(): void } {
  const child = spawn(process.execPath, ["--no-warnings", ".sst/platform/functions/nodejs-runtime/plugin.mjs", pluginsPath], { cwd: root, stdio: ["pipe", "pipe", "inherit"] });
  const pending = new Map<number, (v: Record<string, unknown>) => void>();
  createInterface({ input: child.stdout! }).on("line", (line) => {
    const m = JSON.parse(line) as { id: number; value: Record<string, unknown> };
    pending.get(m.id)?.(m.value);
    pending.delete(m.id);
  });
  let id = 0;
  const request = (command: string, value: Record<string, unknown>) =>
    new Promise<Record<string, unknown>>((resolve) => {
      pending.set(id, resolve);
      child.stdin!.write(JSON.stringify({ id: id++, command, value }) + "\n");
    });
  const plugin: Plugin = {
    name: "nodejs-plugin",
    setup(b) {
      b.onResolve({ filter: /.*/ }, async (a) => {
        const r = await request("resolve", { path: a.path, importer: a.importer, namespace: a.namespace, resolveDir: a.resolveDir, kind: a.kind, pluginData: null, with: a.with });
        if (typeof r.error === "string") throw new Error(r.error);
        if (!r.path && !r.external) return undefined;
        return { path: r.path as string, ...(r.namespace ? { namespace: r.namespace as string } : {}), ...(r.external ? { external: true } : {}) };
      });
      b.onLoad({ filter: /.*/ }, async (a) => {
        const r = await request("load", { path: a.path, namespace: a.namespace, suffix: a.suffix, pluginData: null, with: a.with });
        if (typeof r.error === "string") throw new Error(r.error);
        if (typeof r.contents !== "string") return undefined;
        return { contents: r.contents, loader: r.loader as "js", resolveDir: r.resolveDir as string };
      });
    },
  };
  return { plugin, stop: () => child.kill() };
}
