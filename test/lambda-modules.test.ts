/**
 * What each Lambda actually loads. The handlers are bundled as SST deploys them (ESM, minified,
 * split: test/support/lambda.ts), loaded in a fresh Node process that records every file it loads,
 * and invoked once against local endpoints (dynalite, the provider sandbox, an SQS stand-in). The
 * loaded files map back to the modules they hold through the bundle's metafile: a Google account's
 * weekly run loads no Graph module, an Outlook account's no Google one, and the hourly dispatcher
 * loads no provider SDK and no email renderer.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_SCHEDULE, dueSlot } from "@followthrough/core/schedule";
import { type Bundle, bundle, freshAccount, inputsOf, type LocalStack, lambdaEnv, packagesOf, runCold, scheduledEvent, sqsEvent, startLocalStack } from "./support/lambda";

const GOOGLE = ["@googleapis/gmail", "@googleapis/calendar", "googleapis-common", "google-auth-library"];
const GRAPH = ["@microsoft/microsoft-graph-client"];
const RENDERER = ["@react-email/render", "@react-email/components", "react-dom"];

let stack: LocalStack;
let out: string;
const bundles: Record<string, Bundle> = {};

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), "ft-bundles-"));
  stack = await startLocalStack();
  for (const [name, entry] of [
    ["dispatch", "functions/src/handlers/dispatch.ts"],
    ["worker", "functions/src/handlers/worker.ts"],
    ["backfill", "functions/src/handlers/backfill.ts"],
  ] as const)
    bundles[name] = await bundle(name, entry, join(out, name));
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  if (out) rmSync(out, { recursive: true, force: true });
});

/** The packages whose code the run loaded (files of the bundle the process read). */
async function loadedPackages(b: Bundle, event: unknown, table: string): Promise<{ packages: string[]; modules: string[]; result: unknown }> {
  const run = await runCold(b.file, event, lambdaEnv(stack, table), { trace: true });
  const files = run.loaded!.filter((f) => f.startsWith(b.dir));
  expect(files).toContain(b.file);
  const modules = inputsOf(b, files);
  return { packages: packagesOf(modules), modules, result: run.result };
}

describe("modules loaded at run time, bundled as deployed", () => {
  it("the dispatcher loads DynamoDB's and SQS's clients and no provider SDK or email renderer", async () => {
    const { table, account } = await freshAccount(stack, "google");
    // Monday 2 March 2026: the hour of the week the account's digest is due.
    const monday = Date.parse("2026-03-02T00:00:00Z");
    const slot = dueSlot(account.schedule ?? DEFAULT_SCHEDULE, account.timeZone, monday);
    const { packages, result } = await loadedPackages(bundles.dispatch, scheduledEvent(new Date(monday + slot * 3_600_000).toISOString()), table);
    expect(result).toMatchObject({ due: 1, sent: 1, failed: [] });
    expect(stack.sqs.messages.get("Digests")).toContain(account.email);
    expect(packages).toEqual(expect.arrayContaining(["@aws-sdk/client-dynamodb", "@aws-sdk/client-sqs"]));
    for (const p of [...GOOGLE, ...GRAPH, ...RENDERER, "@aws-sdk/client-sesv2", "nodemailer"]) expect(packages, p).not.toContain(p);
    // Nothing of the bundle is a provider SDK at all: the provider adapters are not even in its files.
    expect(packagesOf(Object.keys(bundles.dispatch.metafile.inputs)).filter((p) => [...GOOGLE, ...GRAPH, ...RENDERER].includes(p))).toEqual([]);
  }, 60_000);

  it("a Google account's weekly run loads Gmail, Calendar and the renderer, and no Graph module", async () => {
    const { table, account } = await freshAccount(stack, "google");
    const { packages, modules, result } = await loadedPackages(bundles.worker, sqsEvent(account.email), table);
    expect(result).toEqual({ batchItemFailures: [] });
    expect(packages).toEqual(expect.arrayContaining(["@googleapis/gmail", "@googleapis/calendar", "google-auth-library", "@react-email/render"]));
    for (const p of GRAPH) expect(packages, p).not.toContain(p);
    expect(modules.filter((m) => m.startsWith("packages/core/src/microsoft/"))).toEqual([]);
    // The Graph adapter is in the deployed files (Outlook accounts use the same function): only its chunk was not loaded.
    expect(packagesOf(Object.keys(bundles.worker.metafile.inputs))).toContain("@microsoft/microsoft-graph-client");
  }, 60_000);

  it("an Outlook account's weekly run loads Graph's client and no Google module", async () => {
    const { table, account } = await freshAccount(stack, "microsoft");
    const { packages, modules, result } = await loadedPackages(bundles.worker, sqsEvent(account.email), table);
    expect(result).toEqual({ batchItemFailures: [] });
    expect(packages).toEqual(expect.arrayContaining(["@microsoft/microsoft-graph-client", "@react-email/render"]));
    for (const p of GOOGLE) expect(packages, p).not.toContain(p);
    expect(modules.filter((m) => m.startsWith("packages/core/src/google/"))).toEqual([]);
  }, 60_000);

  it("a Google account's backfill loads no Graph module and no email renderer", async () => {
    const { table, account } = await freshAccount(stack, "google");
    const { packages, result } = await loadedPackages(bundles.backfill, sqsEvent(account.email, "Backfills"), table);
    expect(result).toEqual({ batchItemFailures: [] });
    expect(packages).toEqual(expect.arrayContaining(["@googleapis/gmail", "@googleapis/calendar"]));
    for (const p of [...GRAPH, ...RENDERER]) expect(packages, p).not.toContain(p);
  }, 60_000);
});
