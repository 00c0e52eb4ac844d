#!/usr/bin/env node
import { register } from "tsx/esm/api";

// The local stack runs on Node 20 on purpose (Lambda runs 22): silence the SDK's Node-version notice.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
register();
// Output that cannot be written (a full disk, a closed pipe) is one line, not a stack trace: a reader
// that stopped reading (`| head`) ends the command quietly.
process.stdout.on("error", (e) => {
  if (e.code !== "EPIPE") process.stderr.write(`followthrough: could not write the output (${e.code ?? e.message})\n`);
  process.exit(e.code === "EPIPE" ? (process.exitCode ?? 0) : 1);
});
const { main } = await import("../src/main.ts");
process.exitCode = await main(process.argv.slice(2));
