/**
 * esbuild plugins of every function (infra/defaults.ts NODE: `nodejs.plugins`), and of the local
 * builds that stand for them (test/support/lambda.ts sstBuildOptions, so `npm run bench` and
 * test/lambda-modules.test.ts build what SST deploys).
 *
 * How SST loads this file: its Go builder (pkg/runtime/node) joins the `plugins` path to its working
 * directory, the project root, and runs `node .sst/platform/functions/nodejs-runtime/plugin.mjs
 * <absolute path>`, which `import()`s it (so plain ESM JavaScript: Node 20 does not load .ts) and
 * calls each plugin's `setup` with a stand-in of esbuild's build object. That stand-in has only
 * onResolve, onLoad and onEnd, and differs from esbuild's in three ways this file allows for:
 * - every resolve and load of the build is sent to it, and each callback's `filter` is tested
 *   against the message's `path` field, which its messages do not have (the path is in `value`),
 *   so a filter sees the string "undefined": the filters here match anything and the callbacks match;
 * - onEnd callbacks are never called (the Go side never asks), so every check happens on load;
 * - a callback's `errors` list does not survive the trip to Go (its decoder asserts integers where
 *   JSON gives floats), and a thrown error ends the bridge process without a reply (the Go side
 *   then waits for one); what fails a build is a reply `{ error: "text" }`, which Go returns as the
 *   callback's error. fail() picks the form.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The module bundled in place of nodemailer's table. */
export const MIME_TYPES_STAND_IN = fileURLToPath(new URL("./nodemailer-mime-types.mjs", import.meta.url));

const IN_NODEMAILER = /[\\/]node_modules[\\/]nodemailer[\\/]/;
/** How nodemailer's modules import the table: `./mime-types.js` (mime-funcs), `../mime-funcs/mime-types.js` (mailer). */
const TABLE_IMPORT = /^\.\.?\/(?:mime-funcs\/)?mime-types(?:\.js)?$/;
/** nodemailer's table itself (ESM and CommonJS builds). */
const TABLE_FILE = /[\\/]mime-funcs[\\/]mime-types\.[cm]?js$/;
/** The module that uses the table: mime-funcs/index.js. */
const MIME_FUNCS_FILE = /[\\/]mime-funcs[\\/]index\.[cm]?js$/;
/** mime-funcs's import of the table, ESM or CommonJS. */
const MIME_FUNCS_IMPORTS_TABLE = /(?:\bfrom\s*|\brequire\(\s*)["']\.\/mime-types(?:\.js)?["']/;

/**
 * nodemailer without its extension <-> content type table: the imports of nodemailer's
 * mime-funcs/mime-types.js resolve to infra/nodemailer-mime-types.mjs, which knows the two types
 * our composer writes (its header there says why that is all it needs). The precedent is webpack's
 * IgnorePlugin for moment's locales: data the deployed code never consults is not deployed. Since
 * 2026-12-03 no code of ours calls into the table (esbuild drops it unasked); this keeps it out
 * should any.
 *
 * The build fails (one line) if nodemailer's table would still be bundled, or if nodemailer's
 * mime-funcs no longer imports it as `./mime-types.js` (an upgrade that moved or renamed the
 * table, which would otherwise undo this silently).
 */
export function nodemailerWithoutMimeTable() {
  return {
    name: "nodemailer-without-mime-table",
    setup(build) {
      const inSst = typeof build.resolve !== "function";
      const fail = (text) => (inSst ? { error: text } : { errors: [{ text }] });
      // Under SST's bridge every callback must match "undefined" (see above); esbuild itself gets
      // narrow filters, so it calls into JavaScript only for the few paths that can matter.
      const anything = /.*/;
      build.onResolve({ filter: inSst ? anything : /(?:^|\/)mime-types(?:\.js)?$/ }, (args) => {
        if (!TABLE_IMPORT.test(args.path) || !IN_NODEMAILER.test(args.importer ?? "")) return undefined;
        // Only the import that reaches the table itself (mime-funcs/mime-types), not any future module of the same name.
        if (!TABLE_FILE.test(resolve(args.resolveDir ?? "", args.path).replace(/(?<!\.[cm]?js)$/, ".js"))) return undefined;
        return { path: MIME_TYPES_STAND_IN, namespace: "file" };
      });
      build.onLoad({ filter: inSst ? anything : IN_NODEMAILER }, (args) => {
        const file = args.path ?? "";
        if (!IN_NODEMAILER.test(file)) return undefined;
        if (TABLE_FILE.test(file))
          return fail(`infra/esbuild-plugins.mjs: nodemailer's MIME type table ${file} would be bundled; its import was not replaced (see nodemailerWithoutMimeTable)`);
        if (MIME_FUNCS_FILE.test(file) && !MIME_FUNCS_IMPORTS_TABLE.test(readFileSync(file, "utf8")))
          return fail(`infra/esbuild-plugins.mjs: ${file} no longer imports ./mime-types.js, so nodemailer's MIME type table cannot be replaced; update nodemailerWithoutMimeTable`);
        return undefined;
      });
    },
  };
}

/** React DOM's server renderer without its streaming half (see reactDomServerStaticOnly). */
export const REACT_DOM_SERVER_LEGACY = join(dirname(createRequire(import.meta.url).resolve("react-dom/package.json")), "cjs", "react-dom-server-legacy.node.production.js");
const IN_NODE_MODULES = /[\\/]node_modules[\\/]/;

/**
 * `react-dom/server` as our code uses it: only `renderToStaticMarkup` (core/digest/render.tsx).
 * The package's Node entry (server.node.js) requires two renderers, the synchronous one that
 * function lives in (react-dom-server-legacy) and the streaming one (react-dom-server: pipeable and
 * readable streams, resume), so a bundle compiles and runs both at the first render. Our imports of
 * `react-dom/server` resolve to the synchronous renderer's production build alone; a module in
 * node_modules importing it keeps the package's entry. The bundles define NODE_ENV as production
 * (infra/defaults.ts), which is the build the entry would pick. The build fails (one line) if a
 * React upgrade moved that file.
 */
export function reactDomServerStaticOnly(file = REACT_DOM_SERVER_LEGACY) {
  return {
    name: "react-dom-server-static-only",
    setup(build) {
      const inSst = typeof build.resolve !== "function";
      const fail = (text) => (inSst ? { error: text } : { errors: [{ text }] });
      build.onResolve({ filter: inSst ? /.*/ : /^react-dom\/server$/ }, (args) => {
        if (args.path !== "react-dom/server" || IN_NODE_MODULES.test(args.importer ?? "")) return undefined;
        if (!existsSync(file)) return fail(`infra/esbuild-plugins.mjs: React's synchronous server renderer ${file} is not there; update reactDomServerStaticOnly for this React`);
        return { path: file, namespace: "file" };
      });
    },
  };
}

/** The module bundled in place of bowser (see awsSdkWithoutBrowserParser). */
export const BOWSER_STAND_IN = fileURLToPath(new URL("./bowser-stand-in.mjs", import.meta.url));
const IN_AWS_SDK_CORE = /[\\/]node_modules[\\/]@aws-sdk[\\/]core[\\/]/;

/**
 * The AWS SDK without bowser (38 KiB), the browser user-agent parser @aws-sdk/core's browser
 * provider imports on demand: every client's bundle parses that import(), so esbuild wrote bowser
 * as a chunk of every function (and of every floor), though no Node run can reach it. Imports of
 * `bowser` from @aws-sdk/core resolve to infra/bowser-stand-in.mjs, which says why it gives the
 * same answer the real parser gives in Node; any other importer keeps the package.
 */
export function awsSdkWithoutBrowserParser(file = BOWSER_STAND_IN) {
  return {
    name: "aws-sdk-without-browser-parser",
    setup(build) {
      const inSst = typeof build.resolve !== "function";
      build.onResolve({ filter: inSst ? /.*/ : /^bowser$/ }, (args) => {
        if (args.path !== "bowser" || !IN_AWS_SDK_CORE.test(args.importer ?? "")) return undefined;
        return { path: file, namespace: "file" };
      });
    },
  };
}

export default [nodemailerWithoutMimeTable(), reactDomServerStaticOnly(), awsSdkWithoutBrowserParser()];
