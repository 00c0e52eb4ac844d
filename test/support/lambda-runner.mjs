// Loads a bundled handler in this fresh process, invokes it once, prints one JSON line and exits.
// Times are this process's own clock: performance.now() counts from the process's time origin.
import { pathToFileURL } from "node:url";

const [file, eventJson, remaining] = process.argv.slice(2);
const bootMs = performance.now();
const mod = await import(pathToFileURL(file).href);
const loaded = performance.now();
const deadline = Date.now() + Number(remaining);
const context = {
  functionName: "local",
  awsRequestId: "local",
  getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  callbackWaitsForEmptyEventLoop: false,
};
const result = await mod.handler(JSON.parse(eventJson), context);
const done = performance.now();
const coldRun = { bootMs, importMs: loaded - bootMs, invokeMs: done - loaded, coldMs: done, maxRssKiB: process.resourceUsage().maxRSS, result };
process.stdout.write(`${JSON.stringify({ coldRun })}\n`, () => process.exit(0));
