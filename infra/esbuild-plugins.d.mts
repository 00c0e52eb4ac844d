/** Types of infra/esbuild-plugins.mjs (plain JavaScript: SST's Node builder loads it with `node`). */
import type { Plugin } from "esbuild";

/** The module bundled in place of nodemailer's MIME type table. */
export declare const MIME_TYPES_STAND_IN: string;
/** nodemailer without its extension <-> content type table (see the .mjs). */
export declare function nodemailerWithoutMimeTable(): Plugin;
/** React's synchronous server renderer (react-dom-server-legacy.node.production.js), where renderToStaticMarkup lives. */
export declare const REACT_DOM_SERVER_LEGACY: string;
/** Our `react-dom/server` imports resolved to `file` (by default that renderer) alone (see the .mjs). */
export declare function reactDomServerStaticOnly(file?: string): Plugin;
/** The module bundled in place of bowser, the browser user-agent parser @aws-sdk/core imports on demand. */
export declare const BOWSER_STAND_IN: string;
/** @aws-sdk/core's import of bowser resolved to `file` (by default the stand-in) (see the .mjs). */
export declare function awsSdkWithoutBrowserParser(file?: string): Plugin;
/** The plugins of every function (infra/defaults.ts NODE `nodejs.plugins`). */
declare const plugins: Plugin[];
export default plugins;
