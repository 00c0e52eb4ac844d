import { benchInference } from "./inference";
import { ORACLE_PROVIDERS, type OracleProvider } from "./oracle";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const which = new Set(process.argv.slice(2));
/** The benchmarks by name (`npm run bench -- <name> ...`); none named runs every one. */
const BENCHMARKS = ["inference", "addresses", "links", "backfill", "incremental", "year", "firstlook", "handlers", "schedule", "scaling", "oracle", "faults", "pages"] as const;
const unknown = [...which].filter((n) => !(BENCHMARKS as readonly string[]).includes(n));
if (unknown.length) {
  console.error(`bench: no benchmark named ${unknown.join(", ")} (there are: ${BENCHMARKS.join(", ")})`);
  process.exit(2);
}
const all = which.size === 0;
// The handlers bench's settings, checked before any benchmark runs.
if (all || which.has("handlers")) {
  const { BenchSettingError, handlerSettings } = await import("./handlers");
  try {
    handlerSettings();
  } catch (e) {
    if (!(e instanceof BenchSettingError)) throw e;
    console.error(`bench: ${e.message}`);
    process.exit(2);
  }
}
// The oracle's and the fault runs' seeds, likewise: whole numbers, the count at least 1.
for (const [name, least, bench] of [
  ["BENCH_ORACLE_FROM", 0, "oracle"],
  ["BENCH_ORACLE_SEEDS", 1, "oracle"],
  ["BENCH_FAULT_FROM", 0, "faults"],
  ["BENCH_FAULT_SEEDS", 1, "faults"],
  ["BENCH_PAGES_RUNS", 1, "pages"],
] as const) {
  const v = process.env[name];
  if ((all || which.has(bench)) && v !== undefined && !(/^\d+$/.test(v) && Number(v) >= least)) {
    console.error(`bench: ${name}: ${JSON.stringify(v)} is not a whole number${least ? ` of at least ${least}` : ""}`);
    process.exit(2);
  }
}
// ...and its provider: google, microsoft or both.
const oracleProvider = process.env.BENCH_ORACLE_PROVIDER;
if ((all || which.has("oracle")) && oracleProvider !== undefined && !(ORACLE_PROVIDERS as readonly string[]).includes(oracleProvider)) {
  console.error(`bench: BENCH_ORACLE_PROVIDER: ${JSON.stringify(oracleProvider)} is not google, microsoft or both`);
  process.exit(2);
}
// ...and the pages bench's accounts: small, heavy or both.
const pageSizes = process.env.BENCH_PAGES_SIZES?.split(",");
if ((all || which.has("pages")) && pageSizes !== undefined && !pageSizes.every((s) => s === "small" || s === "heavy")) {
  console.error(`bench: BENCH_PAGES_SIZES: ${JSON.stringify(process.env.BENCH_PAGES_SIZES)} is not small, heavy or small,heavy`);
  process.exit(2);
}
const out: Record<string, unknown> = { date: new Date().toISOString(), node: process.version };
if (all || which.has("inference")) {
  const r = await benchInference();
  out.inference = r;
  console.log(
    `(1) rules ${r.rulesMs.toFixed(1)} ms vs JSON.parse ${r.parseMs.toFixed(1)} ms of ${(r.inputBytes / 1e6).toFixed(1)} MB: ratio ${r.ratio.toFixed(2)} (target <= 0.50); ` +
      `with mapping from provider JSON ${r.endToEndMs.toFixed(1)} ms, ratio ${r.endToEndRatio.toFixed(2)}`,
  );
}
if (all || which.has("addresses")) {
  const { benchAddresses } = await import("./addresses");
  const r = benchAddresses();
  out.addresses = r;
  for (const s of r.shapes) console.log(`(addresses) ${s.name}: ${s.medianMs} ms median, ${s.maxMs} ms max for 1 MB (goal < ${r.goalMs} ms)`);
}
if (all || which.has("links")) {
  const { benchLinks } = await import("./links");
  const r = await benchLinks();
  out.links = r;
  for (const s of r.shapes) console.log(`(links) ${s.name}: ${s.medianMs} ms median, ${s.maxMs} ms max for 1 MB (goal < ${r.goalMs} ms)`);
}
if (all || which.has("backfill") || which.has("incremental")) {
  const { benchBackfill } = await import("./backfill");
  const r = await benchBackfill();
  out.backfill = r;
  console.log(JSON.stringify(r, null, 2));
}
if (all || which.has("year")) {
  const { benchYear } = await import("./year");
  const r = await benchYear({ keep: process.env.BENCH_YEAR_DIR });
  // The answers themselves are long: the summary keeps whether each was exact.
  out.year = { ...r, scans: r.scans.map(({ result: _r, expected: _e, ...rest }) => rest) };
  console.log(JSON.stringify(out.year, null, 2));
}
if (all || which.has("firstlook")) {
  const { benchFirstLook } = await import("./firstlook");
  out.firstlook = await benchFirstLook({ sizes: process.env.BENCH_FIRSTLOOK_SIZES?.split(",").map(Number) });
}
if (all || which.has("handlers")) {
  const { benchHandlers } = await import("./handlers");
  out.handlers = await benchHandlers();
}
if (all || which.has("schedule")) {
  const { benchSchedule } = await import("./schedule");
  out.schedule = await benchSchedule();
}
if (all || which.has("scaling")) {
  const { benchScaling } = await import("./scaling");
  const r = await benchScaling();
  out.scaling = r;
  console.log(JSON.stringify(r, null, 2));
}
if (all || which.has("oracle")) {
  const { benchOracle } = await import("./oracle");
  const seeds = (name: string) => (process.env[name] ? Number(process.env[name]) : undefined);
  out.oracle = await benchOracle({
    from: seeds("BENCH_ORACLE_FROM"),
    count: seeds("BENCH_ORACLE_SEEDS"),
    keep: process.env.BENCH_ORACLE_DIR,
    provider: oracleProvider as OracleProvider | undefined,
  });
}
if (all || which.has("faults")) {
  const { benchFaults } = await import("./faults");
  const seeds = (name: string) => (process.env[name] ? Number(process.env[name]) : undefined);
  out.faults = await benchFaults({ from: seeds("BENCH_FAULT_FROM"), count: seeds("BENCH_FAULT_SEEDS") });
}
if (all || which.has("pages")) {
  const { benchPages } = await import("./pages");
  out.pages = await benchPages({ runs: process.env.BENCH_PAGES_RUNS ? Number(process.env.BENCH_PAGES_RUNS) : undefined, sizes: pageSizes });
}
console.log(JSON.stringify(out));
