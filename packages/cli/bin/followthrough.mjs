#!/usr/bin/env node
import { register } from "tsx/esm/api";

// The local stack runs on Node 20 on purpose (Lambda runs 22): silence the SDK's Node-version notice.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
register();
const { main } = await import("../src/main.ts");
process.exitCode = await main(process.argv.slice(2));
