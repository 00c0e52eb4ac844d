// Loads a bundled handler in this fresh process, invokes it once, prints one JSON line and exits.
// Times are this process's own clock: performance.now() counts from the process's time origin.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

/**
 * This process's peak resident set (KiB). On Linux, the kernel's high-water mark of this address
 * space (VmHWM): getrusage's maxRSS survives exec, so a child spawned by a large parent (the bench,
 * after its year-long mailboxes) reports at least the parent's size at the fork.
 */
function peakRssKiB() {
  try {
    const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync("/proc/self/status", "utf8"));
    if (hwm) return Number(hwm[1]);
  } catch {}
  return process.resourceUsage().maxRSS;
}

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
const coldRun = { bootMs, importMs: loaded - bootMs, invokeMs: done - loaded, coldMs: done, maxRssKiB: peakRssKiB(), result };
process.stdout.write(`${JSON.stringify({ coldRun })}\n`, () => process.exit(0));
