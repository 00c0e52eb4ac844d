/**
 * nodemailer deployed without its extension <-> content type table (issue 12): infra/esbuild-plugins.mjs,
 * which infra/defaults.ts NODE gives SST and test/support/lambda.ts gives the local builds, resolves
 * nodemailer's mime-funcs/mime-types.js to infra/nodemailer-mime-types.mjs. The API's deployed files
 * hold no table; the bundled composer writes the same MIME as the unbundled one; the stand-in agrees
 * with nodemailer's table on the types we compose; the build fails in one line when the table would
 * be bundled after all or nodemailer stops importing it as ./mime-types.js; and SST's own plugin
 * bridge (.sst/platform/functions/nodejs-runtime/plugin.mjs, driven as SST's Go builder drives it)
 * loads the file at the path NODE names and does the same. (Since 2026-12-03 the composer calls no
 * function that consults the table, so esbuild drops table and stand-in alike; these tests keep the
 * guard working for the day something does.)
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build, type Plugin } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";
import type { MimeInput } from "@followthrough/core/mail";
import { composeMime } from "../packages/core/src/mail/compose";
import * as nodemailerTable from "../node_modules/nodemailer/dist/esm/mime-funcs/mime-types.js";
import { MIME_TYPES_STAND_IN } from "../infra/esbuild-plugins.mjs";
import * as standIn from "../infra/nodemailer-mime-types.mjs";
import { NODE } from "../infra/defaults";
import { bundle, root, sstBuildOptions, sstPlugins } from "./support/lambda";
import { SST_BRIDGE, sstBridge } from "./support/sst-bridge";

const TABLE = "node_modules/nodemailer/dist/esm/mime-funcs/mime-types.js";
const STAND_IN = "infra/nodemailer-mime-types.mjs";
/** Entries only nodemailer's table holds (so their absence from the output means the table is gone). */
const TABLE_MARKERS = ["application/vnd.ms-excel", "x-world/x-vrml", "application/x-xpinstall"];
const PLUGINS_FILE = join(root, NODE.nodejs.plugins);

const tmp = mkdtempSync(join(tmpdir(), "ft-mimetable-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The deployed files' text. */
const outputText = (outputs: Record<string, unknown>) => Object.keys(outputs).map((k) => readFileSync(join(root, k), "utf8")).join("\n");

describe("nodemailer without its MIME type table", () => {
  it("the API's deployed files hold no nodemailer MIME type table", async () => {
    const b = await bundle("api", "functions/src/api.ts", join(tmp, "api"));
    const outputs = b.metafile.outputs;
    const deployed = Object.values(outputs).flatMap((o) => Object.keys(o.inputs));
    expect(deployed).toContain("node_modules/nodemailer/dist/esm/mime-funcs/index.js");
    expect(deployed).not.toContain(TABLE);
    // (The composer calls no function of mime-funcs that consults a table since 2026-12-03, so
    // esbuild leaves the stand-in out too; it stays in place of the table should one ever be called.)
    const text = outputText(outputs);
    for (const m of TABLE_MARKERS) expect(text, m).not.toContain(m);
  }, 60_000);

  it("the bundled composer writes the same MIME as the unbundled one", async () => {
    const outdir = join(tmp, "compose");
    const r = await build({ ...sstBuildOptions(), entryPoints: { compose: join(root, "packages/core/src/mail/compose.ts") }, outdir, absWorkingDir: root });
    const inputs = Object.keys(r.metafile!.inputs);
    expect(inputs).not.toContain(TABLE);
    expect(inputs).toContain(STAND_IN);
    const bundled = (await import(pathToFileURL(join(outdir, "compose.mjs")).href)) as { composeMime(m: MimeInput): Promise<Buffer> };
    const message: MimeInput = {
      from: { name: "Zoë Ångström-Łukasiewicz 日本", address: "zoe@example.com" },
      to: [{ name: "=?utf-8?B?ZXZpbA==?= Müller", address: "m@example.org" }, { address: "plain@example.net" }],
      subject: "=?utf-8?Q?not_a_word?= — follow-up after the Café summit ✓",
      text: "Great to meet you.\nLine with a long run of text that has to be wrapped by quoted-printable encoding because it exceeds 76 characters, with ünïcödé.",
      html: "<p>Great to meet you, <b>Zoë</b>.</p>",
      inReplyTo: "<a1@mail.example.com>",
      references: ["<r0@mail.example.com>", "<a1@mail.example.com>"],
      messageId: "<m1@followthrough.test>",
      headers: { "X-Followthrough": "draft" },
    };
    const normalise = (b: Buffer) =>
      b
        .toString("utf8")
        .replace(/--_Ft-[0-9a-f]+/g, "--_Ft-BOUNDARY")
        .replace(/^Date: .*$/m, "Date: DATE");
    const a = normalise(await composeMime(message));
    const z = normalise(await bundled.composeMime(message));
    expect(a).toContain("Content-Type: multipart/alternative");
    expect(a).toContain("Content-Type: text/html; charset=utf-8");
    expect(a).toContain("Message-ID: <m1@followthrough.test>");
    expect(z).toBe(a);
  }, 60_000);

  it("the stand-in answers as nodemailer's table for the types we compose, and with nodemailer's defaults otherwise", () => {
    for (const f of ["txt", "html", "htm", "note.TXT", "dir/page.html?x=1", "", undefined, false, "bin", "noextension"] as const)
      expect(standIn.detectMimeType(f), String(f)).toBe(nodemailerTable.detectMimeType(f));
    for (const t of ["text/plain", "text/html", " TEXT/HTML ", "text/plain; charset=utf-8", "text/x-unknown", "", undefined, false] as const)
      expect(standIn.detectExtension(t), String(t)).toBe(nodemailerTable.detectExtension(t));
    // Everything else: the defaults (nodemailer's table knows these).
    expect(standIn.detectMimeType("photo.png")).toBe("application/octet-stream");
    expect(nodemailerTable.detectMimeType("photo.png")).toBe("image/png");
    expect(standIn.detectExtension("image/png")).toBe("bin");
  });

  it("fails the build in one line when nodemailer's table would be bundled", async () => {
    const dir = join(tmp, "direct");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "entry.mjs"), `export { detectMimeType } from ${JSON.stringify(join(root, TABLE))};\n`);
    const r = build({ ...sstBuildOptions(), entryPoints: [join(dir, "entry.mjs")], outdir: join(dir, "out"), write: false, logLevel: "silent" });
    await expect(r).rejects.toThrow(/infra\/esbuild-plugins\.mjs: nodemailer's MIME type table .*mime-types\.js would be bundled/);
  });

  it("fails the build in one line when nodemailer's mime-funcs no longer imports ./mime-types.js (an upgrade that moved it)", async () => {
    const dir = join(tmp, "moved");
    const pkg = join(dir, "node_modules/nodemailer");
    mkdirSync(join(pkg, "dist/esm/mime-funcs"), { recursive: true });
    writeFileSync(join(pkg, "package.json"), JSON.stringify({ name: "nodemailer", type: "module", exports: { "./lib/mime-funcs": "./dist/esm/mime-funcs/index.js" } }));
    writeFileSync(join(pkg, "dist/esm/mime-funcs/index.js"), `import { lookup } from './content-types.js';\nexport const detectMimeType = (f) => lookup(f);\n`);
    writeFileSync(join(pkg, "dist/esm/mime-funcs/content-types.js"), `export const lookup = () => 'application/octet-stream';\n`);
    writeFileSync(join(dir, "entry.mjs"), `export { detectMimeType } from "nodemailer/lib/mime-funcs";\n`);
    const r = build({ ...sstBuildOptions(), entryPoints: [join(dir, "entry.mjs")], outdir: join(dir, "out"), absWorkingDir: dir, write: false, logLevel: "silent" });
    await expect(r).rejects.toThrow(/mime-funcs\/index\.js no longer imports \.\/mime-types\.js/);
  });

  it("replaces only the import that reaches mime-funcs/mime-types.js, not another nodemailer module of the same name", async () => {
    const dir = join(tmp, "namesake");
    const pkg = join(dir, "node_modules/nodemailer");
    mkdirSync(join(pkg, "dist/esm/mime-node"), { recursive: true });
    writeFileSync(join(pkg, "package.json"), JSON.stringify({ name: "nodemailer", type: "module", exports: { "./lib/mime-node": "./dist/esm/mime-node/index.js" } }));
    writeFileSync(join(pkg, "dist/esm/mime-node/index.js"), `export { kinds } from './mime-types.js';\n`);
    writeFileSync(join(pkg, "dist/esm/mime-node/mime-types.js"), `export const kinds = ['namesake'];\n`);
    writeFileSync(join(dir, "entry.mjs"), `export { kinds } from "nodemailer/lib/mime-node";\n`);
    const r = await build({ ...sstBuildOptions(), entryPoints: [join(dir, "entry.mjs")], outdir: join(dir, "out"), absWorkingDir: dir, write: false, logLevel: "silent" });
    const inputs = Object.keys(r.metafile!.inputs);
    expect(inputs).toContain("node_modules/nodemailer/dist/esm/mime-node/mime-types.js");
    expect(inputs.some((i) => i.endsWith("nodemailer-mime-types.mjs"))).toBe(false);
  });

  it("the local builds use the file NODE names (the plugins SST is given)", async () => {
    expect(NODE.nodejs.plugins).toBe("infra/esbuild-plugins.mjs");
    const mod = (await import(pathToFileURL(PLUGINS_FILE).href)) as { default: Plugin[] };
    expect(sstPlugins).toBe(mod.default);
    expect(sstBuildOptions().plugins).toBe(sstPlugins);
    expect(MIME_TYPES_STAND_IN).toBe(join(root, STAND_IN));
  });
});

describe.skipIf(!existsSync(SST_BRIDGE))("through SST's own plugin bridge (skipped when .sst/platform is not unpacked: npm run sst:platform)", () => {
  it("builds the composer with the stand-in, and fails a build that would bundle the table with the plugin's one-line error", async () => {
    const bridge = sstBridge(PLUGINS_FILE);
    try {
      const opts = { ...sstBuildOptions(), plugins: [bridge.plugin], absWorkingDir: root };
      const r = await build({ ...opts, entryPoints: { compose: join(root, "packages/core/src/mail/compose.ts") }, outdir: join(tmp, "bridge"), write: false });
      const inputs = Object.keys(r.metafile!.inputs);
      expect(inputs).toContain("node_modules/nodemailer/dist/esm/mime-funcs/index.js");
      expect(inputs).not.toContain(TABLE);
      expect(inputs).toContain(STAND_IN);
      const text = r.outputFiles!.map((f) => f.text).join("\n");
      for (const m of TABLE_MARKERS) expect(text, m).not.toContain(m);

      const dir = join(tmp, "bridge-direct");
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "entry.mjs"), `export { detectMimeType } from ${JSON.stringify(join(root, TABLE))};\n`);
      const failed = build({ ...opts, entryPoints: [join(dir, "entry.mjs")], outdir: join(dir, "out"), write: false, logLevel: "silent" });
      await expect(failed).rejects.toThrow(/infra\/esbuild-plugins\.mjs: nodemailer's MIME type table .*would be bundled/);
    } finally {
      bridge.stop();
    }
  }, 60_000);
});
