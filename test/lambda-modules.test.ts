/**
 * What each Lambda actually loads. The handlers are bundled as SST deploys them (ESM, minified,
 * split: test/support/lambda.ts), loaded in a fresh Node process that records every file it loads,
 * and invoked once against local endpoints (dynalite, the provider sandbox, an SQS stand-in). The
 * loaded files map back to the modules they hold through the bundle's metafile: a Google account's
 * weekly run loads no Graph module, an Outlook account's no Google one, the hourly dispatcher
 * loads no provider SDK and no email renderer, and the API serving a settings page loads neither a
 * provider SDK nor the mail composer nor React Email nor the local viewers' MIME parser (its provider
 * adapters are chunks of their own, imported by the requests that need one: a draft tap, a connect
 * callback; the local-only routes are not in its bundle at all). A backfill, which never writes
 * mail, deploys no mail composer: its adapters are read-only (core/loader/reader), so nodemailer is
 * not in its files at all; elsewhere it is a chunk of its own, loaded on the first draft or send.
 * A weekly run loads React's synchronous server renderer and not its streaming one.
 *
 * And what each Lambda sends to AWS: every DynamoDB, SQS and SES call of these runs is recorded (a
 * proxy in front of dynalite, the SQS and SES stand-ins) and must be one the function's role allows,
 * as infra declares it (test/support/infra.ts reads the role off the infra's links, permissions and
 * subscription); so must every AWS command in each function's deployed code.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { linkPath, sealLink } from "@followthrough/core/links";
import { keys } from "@followthrough/core/storage";
import { senderAddress } from "@followthrough/core/ses";
import { allows, allowsAction, effectivePermissions, evaluateInfra, functionOf, type Statement } from "./support/infra";
import {
  type AwsCall,
  type Bundle,
  bundle,
  freshAccount,
  functionUrlEvent,
  infraHandlers,
  inputsOf,
  LINK_KEY,
  lambdaEnv,
  NOTICES_SENDER,
  packagesOf,
  root,
  runCold,
  scheduledEvent,
  sqsEvent,
  stackWithBundles,
} from "./support/lambda";

const GOOGLE = ["@googleapis/gmail", "@googleapis/calendar", "googleapis-common", "google-auth-library"];
/** Graph's client, and the OAuth library of its token refresh (core/grants: Google's refresh is google-auth-library's). */
const GRAPH = ["@microsoft/microsoft-graph-client", "oauth4webapi"];
const RENDERER = ["@react-email/html", "@react-email/button", "react-dom"];
/** React's synchronous server renderer, which the digest uses, and its streaming one, which nothing of ours does (infra/esbuild-plugins.mjs reactDomServerStaticOnly). */
const SYNC_RENDERER = "node_modules/react-dom/cjs/react-dom-server-legacy.node.production.js";
const STREAMING_RENDERER = "node_modules/react-dom/cjs/react-dom-server.node.production.js";
/** Outlook's Windows-zone table (core/zones' generated module; windows-iana itself is deployed nowhere). */
const ZONE_TABLE = "packages/core/src/zones/windows.ts";
/**
 * The output files of a bundle its entry reaches: through static imports alone (what every start
 * loads), or through dynamic ones too (what some run can load).
 */
const reachable = (b: Bundle, o: { dynamic: boolean }): Set<string> => {
  const outputs = b.metafile.outputs;
  const seen = new Set<string>();
  const stack = [relative(root, b.file)];
  while (stack.length) {
    const k = stack.pop()!;
    if (seen.has(k)) continue;
    seen.add(k);
    for (const i of outputs[k].imports) if ((o.dynamic || i.kind === "import-statement") && outputs[i.path]) stack.push(i.path);
  }
  return seen;
};
/** Modules of the static graph of a bundle: the entry and the chunks it imports statically (what every start loads). */
const staticModules = (b: Bundle) => [...reachable(b, { dynamic: false })].flatMap((k) => Object.keys(b.metafile.outputs[k].inputs));
/** Modules whose code a bundle's files hold (esbuild lists among a file's inputs every module it read, with those it shook out). */
const written = (b: Bundle) => [...new Set(Object.values(b.metafile.outputs).flatMap((o) => Object.entries(o.inputs).filter(([, i]) => i.bytesInOutput > 0).map(([m]) => m)))];
/** Packages of the static graph of a bundle. */
const staticPackages = (b: Bundle) => packagesOf(staticModules(b));

const local = stackWithBundles({ recordAws: true });
const { bundles } = local;

/** The role infra gives a bundle's function: its statements (test/support/infra.ts). */
const roleOf = (b: Bundle): Statement[] => effectivePermissions(functionOf(infraHandlers().find((h) => h.name === b.name)!.entry.replace(/\.ts$/, "")));

/**
 * What AWS authorises a recorded call as: the IAM action, and the resources (named as infra's
 * stand-ins name them) it must be allowed on. The local table is infra's Table; SQS authorises a
 * batch as its single action; SES a send on the identity it sends from and that identity's
 * configuration set (infra/permissions.ts).
 */
function authorisedAs(c: AwsCall, table: string): { action: string; resources: string[] } {
  if (c.service === "dynamodb") return { action: `dynamodb:${c.operation}`, resources: [c.resource === table || c.resource.startsWith(`${table}/`) ? `Table.arn${c.resource.slice(table.length)}` : c.resource] };
  if (c.service === "sqs") return { action: `sqs:${c.operation.replace(/Batch$/, "")}`, resources: [`${c.resource}.arn`] };
  return { action: `ses:${c.operation}`, resources: c.resource === senderAddress(NOTICES_SENDER) ? ["Notices.identity.arn", "Notices.configurationSet.arn"] : [c.resource] };
}

/** The calls of `calls` that the bundle's role does not allow (each as what AWS would refuse). */
function refused(b: Bundle, calls: AwsCall[], table: string): string[] {
  const role = roleOf(b);
  return calls.flatMap((c) => {
    const { action, resources } = authorisedAs(c, table);
    return resources.filter((r) => !allows(role, action, r, { leadingKeys: c.leadingKeys })).map((r) => `${c.service} ${c.operation} on ${c.resource}${c.leadingKeys ? ` (${c.leadingKeys.join(", ")})` : ""}: ${action} on ${r}`);
  });
}

/** Runs a bundle cold, and expects every AWS call it sent to be one its role allows; returns the run and its calls. */
async function runWithinRole(b: Bundle, event: unknown, table: string, o: Parameters<typeof runCold>[3] = {}) {
  const from = local.stack.aws.length;
  const run = await runCold(b.file, event, lambdaEnv(local.stack, table), o);
  const calls = local.stack.aws.slice(from);
  expect(refused(b, calls, table), `${b.name}: calls its role does not allow`).toEqual([]);
  return { run, calls };
}

beforeAll(async () => {
  await evaluateInfra();
  // Every handler infra declares (a new one is checked too), and at least these four.
  expect(Object.keys(bundles)).toEqual(expect.arrayContaining(["dispatch", "worker", "backfill", "api"]));
});

/** The packages whose code the run loaded (files of the bundle the process read). */
async function loadedPackages(b: Bundle, event: unknown, table: string): Promise<{ packages: string[]; modules: string[]; result: unknown; calls: AwsCall[] }> {
  const { run, calls } = await runWithinRole(b, event, table, { trace: true });
  const files = run.loaded!.filter((f) => f.startsWith(b.dir));
  expect(files).toContain(b.file);
  const modules = inputsOf(b, files);
  return { packages: packagesOf(modules), modules, result: run.result, calls };
}

describe("modules loaded at run time, bundled as deployed", () => {
  it("the dispatcher loads DynamoDB's and SQS's clients and no provider SDK or email renderer", async () => {
    const { table, repo, account } = await freshAccount(local.stack, "google");
    // The quarter hour the account's digest is due (the occurrence its index was derived for).
    const dueAt = (await repo.get<{ dueAt: number }>(keys.account(account.email)))!.dueAt;
    const { packages, result, calls } = await loadedPackages(bundles.dispatch, scheduledEvent(new Date(dueAt).toISOString()), table);
    expect(result).toMatchObject({ due: 1, sent: 1, failed: [] });
    // Its AWS calls (each one its role allows, loadedPackages): the due-hour index, the last quarter
    // hour dispatched read and put (its own item), the batch to Digests; nothing else of the table.
    expect([...new Set(calls.map((c) => `${c.service}:${c.operation} ${c.resource.replace(table, "Table")}${c.leadingKeys ? ` ${c.leadingKeys.join(",")}` : ""}`))].sort()).toEqual(
      [`dynamodb:GetItem Table ${keys.dispatched.pk}`, `dynamodb:PutItem Table ${keys.dispatched.pk}`, "dynamodb:Query Table/index/gsi2", "sqs:SendMessageBatch Digests"].sort(),
    );
    // The record names the account and the slot it was due for (core/dispatch dueWeeklyBody).
    expect((local.stack.sqs.messages.get("Digests") ?? []).map((b) => (JSON.parse(b) as { acc: string }).acc)).toContain(account.email);
    expect(packages).toEqual(expect.arrayContaining(["@aws-sdk/client-dynamodb", "@aws-sdk/client-sqs"]));
    for (const p of [...GOOGLE, ...GRAPH, ...RENDERER, "@aws-sdk/client-sesv2", "nodemailer"]) expect(packages, p).not.toContain(p);
    // Nothing of the bundle is a provider SDK at all: the provider adapters are not even in its files.
    expect(packagesOf(Object.keys(bundles.dispatch.metafile.inputs)).filter((p) => [...GOOGLE, ...GRAPH, ...RENDERER].includes(p))).toEqual([]);
  }, 60_000);

  it("a Google account's weekly run loads Gmail, Calendar and the renderer, and no Graph module", async () => {
    const { table, account } = await freshAccount(local.stack, "google");
    const { packages, modules, result } = await loadedPackages(bundles.worker, sqsEvent(account.email), table);
    expect(result).toEqual({ batchItemFailures: [] });
    expect(packages).toEqual(expect.arrayContaining(["@googleapis/gmail", "@googleapis/calendar", "google-auth-library", "react-dom", "@react-email/button"]));
    for (const p of GRAPH) expect(packages, p).not.toContain(p);
    expect(modules.filter((m) => m.startsWith("packages/core/src/microsoft/"))).toEqual([]);
    expect(modules).toContain(SYNC_RENDERER);
    expect(modules).not.toContain(STREAMING_RENDERER);
    // No event text of the demo holds an HTML character reference: the decoder is not loaded (core/events/platform).
    expect(packages).not.toContain("entities");
    // The Graph adapter is in the deployed files (Outlook accounts use the same function): only its chunk was not loaded.
    expect(packagesOf(Object.keys(bundles.worker.metafile.inputs))).toContain("@microsoft/microsoft-graph-client");
  }, 60_000);

  it("an Outlook account's weekly run loads Graph's client and no Google module", async () => {
    const { table, account } = await freshAccount(local.stack, "microsoft");
    const { packages, modules, result } = await loadedPackages(bundles.worker, sqsEvent(account.email), table);
    expect(result).toEqual({ batchItemFailures: [] });
    expect(packages).toEqual(expect.arrayContaining([...GRAPH, "react-dom", "@react-email/button"]));
    for (const p of GOOGLE) expect(packages, p).not.toContain(p);
    expect(modules.filter((m) => m.startsWith("packages/core/src/google/"))).toEqual([]);
    expect(modules).toContain(SYNC_RENDERER);
    expect(modules).not.toContain(STREAMING_RENDERER);
    expect(packages).not.toContain("entities");
  }, 60_000);

  it("a Google account's backfill loads no Graph module, no email renderer and no mail composer", async () => {
    const { table, account } = await freshAccount(local.stack, "google");
    const { packages, modules, result } = await loadedPackages(bundles.backfill, sqsEvent(account.email, "Backfills"), table);
    expect(result).toEqual({ batchItemFailures: [] });
    expect(packages).toEqual(expect.arrayContaining(["@googleapis/gmail", "@googleapis/calendar"]));
    for (const p of [...GRAPH, ...RENDERER, "nodemailer"]) expect(packages, p).not.toContain(p);
    expect(modules.filter((m) => m.startsWith("packages/core/src/mail/compose"))).toEqual([]);
  }, 60_000);

  it("the backfill deploys no mail composer: its read-only adapters reference none (the worker's and the API's do)", async () => {
    const { outputs, inputs } = bundles.backfill.metafile;
    // Every deployed file of the backfill, by the modules it holds: no nodemailer, no composer module.
    const deployed = Object.values(outputs).flatMap((o) => Object.keys(o.inputs));
    expect(packagesOf(deployed)).not.toContain("nodemailer");
    expect(deployed.filter((m) => /^packages\/core\/src\/(mail\/compose|composer\/)/.test(m))).toEqual([]);
    expect(packagesOf(Object.keys(inputs))).not.toContain("nodemailer");
    // Its provider adapters are deployed (read-only entries), and the functions that draft or send keep the composer.
    expect(packagesOf(deployed)).toEqual(expect.arrayContaining(["@googleapis/gmail", "@microsoft/microsoft-graph-client"]));
    for (const b of [bundles.worker, bundles.api]) expect(packagesOf(Object.keys(b.metafile.inputs)), b.name).toContain("nodemailer");
  });

  it("the API serving a settings page loads no provider SDK, no mail composer and no React Email; their chunks are deployed, off its start", async () => {
    const { table, account } = await freshAccount(local.stack, "google");
    const event = functionUrlEvent(linkPath("settings", sealLink(LINK_KEY, { act: "settings", acc: account.email }, Date.now())));
    const { packages, modules, result } = await loadedPackages(bundles.api, event, table);
    expect(result).toMatchObject({ statusCode: 200 });
    expect(String((result as { body?: unknown }).body)).toContain(account.email);
    expect(packages).toEqual(expect.arrayContaining(["hono", "@aws-sdk/client-dynamodb"]));
    const heavy = [...GOOGLE, ...GRAPH, ...RENDERER, "nodemailer", "@aws-sdk/client-sesv2", "postal-mime"];
    for (const p of heavy) expect(packages, p).not.toContain(p);
    expect(packages.filter((p) => p.startsWith("@react-email/") || p.startsWith("@googleapis/") || p.startsWith("@microsoft/")), "provider SDKs or React Email").toEqual([]);
    expect(modules.filter((m) => /^packages\/core\/src\/(google|microsoft|runtime|mail)\//.test(m)), "adapters").toEqual([]);
    // The local-only routes (npm start's index and sandbox viewers) are not deployed with the API at all.
    // SES is (the link confirming a move to the other provider, core/connect offerMove), off its start (below).
    const deployed = Object.keys(bundles.api.metafile.inputs);
    expect(deployed.filter((m) => m.startsWith("functions/src/local"))).toEqual([]);
    expect(packagesOf(deployed)).toContain("@aws-sdk/client-sesv2");
    // Not a request that happened to skip them: no start of the API holds them (its static graph)…
    for (const p of heavy) expect(staticPackages(bundles.api), p).not.toContain(p);
    expect(staticModules(bundles.api)).not.toContain(ZONE_TABLE);
    // …while the draft tap's and the connect callback's adapters are deployed with it, as chunks of their own.
    expect(packagesOf(Object.keys(bundles.api.metafile.inputs))).toEqual(expect.arrayContaining(["@googleapis/gmail", "@microsoft/microsoft-graph-client", "nodemailer"]));
    // The API renders no email: the renderer's lazy chunk (react-dom/server) is not even deployed with it.
    for (const p of ["react-dom", "prettier", "@react-email/render"]) expect(packagesOf(Object.keys(bundles.api.metafile.inputs)), p).not.toContain(p);
    // Nor the adapters' readers (core/loader/mailbox): the API never syncs, so neither the streams nor
    // their mappers are deployed with it (the worker's adapters have them); its mailboxes import
    // core/google/adapter and core/microsoft/adapter, so not even the HTML decoder's chunk, which
    // core/events/platform imports on need, is written for it (below: no file no run can load).
    const readers = ["packages/core/src/google/sent.ts", "packages/core/src/google/calendar.ts", "packages/core/src/google/map.ts", "packages/core/src/microsoft/streams.ts", "packages/core/src/microsoft/map.ts", "packages/core/src/events/platform.ts"];
    expect(written(bundles.api).filter((m) => readers.includes(m)), "readers deployed with the API").toEqual([]);
    expect(packages).not.toContain("entities");
    expect(written(bundles.worker)).toEqual(expect.arrayContaining(readers));
  }, 60_000);

  it("the API's connect start loads the OAuth exchanges on use, from their own chunk: a 302 to the provider with PKCE", async () => {
    const { table } = await freshAccount(local.stack, "google");
    const { packages, result } = await loadedPackages(bundles.api, functionUrlEvent("/connect/google"), table);
    const r = result as { statusCode?: number; headers?: Record<string, string>; cookies?: string[] };
    expect(r.statusCode).toBe(302);
    const to = new URL(r.headers?.location ?? r.headers?.Location ?? "");
    expect(to.origin + to.pathname).toBe("https://accounts.google.com/o/oauth2/v2/auth");
    expect(to.searchParams.get("code_challenge_method")).toBe("S256");
    expect(to.searchParams.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(packages).toContain("oauth4webapi");
    // Not on the API's start: the settings page above loaded none of it.
    expect(staticPackages(bundles.api)).not.toContain("oauth4webapi");
  }, 60_000);

  it("the backfill's start holds neither Outlook's zone table nor SQS's client (loaded with the Microsoft chunk, on a continuation)", async () => {
    const start = staticPackages(bundles.backfill);
    expect(start).toContain("@aws-sdk/client-dynamodb");
    for (const p of ["@aws-sdk/client-sqs", "@aws-sdk/client-sesv2", ...GOOGLE, ...GRAPH, ...RENDERER]) expect(start, p).not.toContain(p);
    expect(staticModules(bundles.backfill)).not.toContain(ZONE_TABLE);
    const { table, account } = await freshAccount(local.stack, "microsoft");
    const { packages, modules, result } = await loadedPackages(bundles.backfill, sqsEvent(account.email, "Backfills"), table);
    expect(result).toEqual({ batchItemFailures: [] });
    expect(packages).toContain("@microsoft/microsoft-graph-client");
    expect(modules).toContain(ZONE_TABLE);
    for (const p of [...GOOGLE, "@aws-sdk/client-sqs", "nodemailer"]) expect(packages, p).not.toContain(p);
  }, 60_000);

  it("the worker renders with React's static markup: React Email's render() and what it brings (a plain-text converter, HTML parsers, Prettier) are deployed nowhere", () => {
    expect(packagesOf(written(bundles.worker))).toEqual(expect.arrayContaining(["react-dom", "@react-email/button"]));
    for (const b of Object.values(bundles))
      for (const p of ["@react-email/render", "html-to-text", "htmlparser2", "html5parser", "prettier"]) expect(packagesOf(written(b)), `${b.name}: ${p}`).not.toContain(p);
  });

  it("no function deploys a file no run of it can load, but a stand-in's one line; nor React's streaming renderer", () => {
    // esbuild writes a chunk for every import() it parses, even one in code it then drops as unused,
    // and SST deploys every file written. Until 2026-12-07 the worker deployed React's streaming
    // renderer (119 KiB) so: @react-email/components' barrel imports @react-email/render, whose
    // import() of react-dom/server stayed a chunk though none of render() was bundled. The digest now
    // imports each component's own package.
    const dead = (b: Bundle) => {
      const loadable = reachable(b, { dynamic: true });
      return Object.keys(b.metafile.outputs).filter((k) => !loadable.has(k) && !k.endsWith(".map"));
    };
    // Known, and left: the one-line stand-in for the AWS SDK's browser user-agent parser, bowser
    // (38 KiB, such a chunk in every function and every floor until 2026-12-07:
    // infra/esbuild-plugins.mjs awsSdkWithoutBrowserParser). Until then the API also deployed the
    // HTML decoder's chunk (core/events/platform), parsed with the provider adapters' event mappers,
    // which its mailboxes now leave out (core/google/adapter, core/microsoft/adapter).
    const known = (modules: string[]) => modules.every((m) => m === "infra/bowser-stand-in.mjs");
    for (const b of Object.values(bundles)) {
      const files = dead(b).map((k) => ({ file: k, modules: Object.keys(b.metafile.outputs[k].inputs) }));
      expect(files.filter((f) => !known(f.modules)).map((f) => `${f.file}: ${f.modules.slice(0, 3).join(", ")}`), b.name).toEqual([]);
      expect(Object.keys(b.metafile.inputs), b.name).not.toContain(STREAMING_RENDERER);
    }
  });

  it("React's production build only: no function deploys a development build (infra defines NODE_ENV; Lambda sets none)", () => {
    for (const b of Object.values(bundles)) {
      const inputs = Object.keys(b.metafile.inputs);
      expect(inputs.filter((m) => /node_modules\/react(-dom)?\/.*\.development\.js$/.test(m)), b.name).toEqual([]);
    }
    const worker = Object.keys(bundles.worker.metafile.inputs);
    expect(worker).toContain(SYNC_RENDERER);
  });

  it("no function deploys windows-iana: the Outlook ones carry core/zones' generated table, off their start", () => {
    for (const b of Object.values(bundles)) expect(packagesOf(Object.keys(b.metafile.inputs)), b.name).not.toContain("windows-iana");
    for (const b of [bundles.worker, bundles.backfill, bundles.api]) {
      expect(Object.keys(b.metafile.inputs), b.name).toContain(ZONE_TABLE);
      expect(staticModules(b), b.name).not.toContain(ZONE_TABLE);
    }
    expect(Object.keys(bundles.dispatch.metafile.inputs)).not.toContain(ZONE_TABLE);
  });

  it("no function deploys two copies of one package: each is bundled from one install", () => {
    // googleapis-common pins exact versions of gaxios and google-auth-library. When
    // packages/core asked for a newer google-auth-library of its own, npm installed both, and the
    // Google adapter's chain loaded two copies of gaxios (googleapis-common's, and the top-level one
    // gtoken and gcp-metadata resolved to): 16 KiB more code on every Google run (2026-12-05).
    const dirs = (b: Bundle) => {
      const at = new Map<string, Set<string>>();
      // What is written to the files (a module esbuild read and dropped every byte of is not deployed).
      const written = Object.values(b.metafile.outputs).flatMap((o) => Object.entries(o.inputs).filter(([, i]) => i.bytesInOutput > 0).map(([m]) => m));
      for (const i of new Set(written)) {
        const m = /^(.*node_modules\/((?:@[^/]+\/)?[^/]+))\//.exec(i);
        if (m) at.set(m[2], (at.get(m[2]) ?? new Set()).add(m[1]));
      }
      return [...at].filter(([, d]) => d.size > 1).map(([p, d]) => `${b.name}: ${p} from ${[...d].join(" and ")}`);
    };
    expect(Object.values(bundles).flatMap(dirs)).toEqual([]);
  });

  it("every file deployed is Latin-1 text, so V8 keeps each module's source at one byte a character", () => {
    // V8 stores a string with any character past U+00FF at two bytes a character: one such
    // character in a regular expression or a legal comment doubles its whole chunk in the heap, and
    // the worker's 90 KB entry was one (a typographic apostrophe in a pattern, 2026-12-04). esbuild
    // escapes strings and identifiers (charset "ascii"), not regular expression literals or comments.
    for (const b of Object.values(bundles)) {
      const files = Object.keys(b.metafile.outputs).filter((f) => f.endsWith(".mjs"));
      expect(files.length, b.name).toBeGreaterThan(1);
      for (const file of files) {
        const wide = [...readFileSync(join(root, file), "utf8").matchAll(/[^\u0000-\u00ff]/gu)].map((m) => m[0]);
        expect(wide, `${b.name}: ${file}`).toEqual([]);
      }
    }
  });
});

/** lib-dynamodb's document commands, by the DynamoDB action each sends. */
const DOCUMENT_COMMANDS: Record<string, string> = { Get: "GetItem", Put: "PutItem", Update: "UpdateItem", Delete: "DeleteItem", Query: "Query", Scan: "Scan", BatchWrite: "BatchWriteItem", BatchGet: "BatchGetItem", TransactWrite: "TransactWriteItems", TransactGet: "TransactGetItems" };
/** The SDK clients our code uses, by the IAM service prefix (SQS authorises a batch as its single action). */
const CLIENTS = [
  { pkg: "client-dynamodb", service: "dynamodb", action: (c: string) => c },
  { pkg: "client-sqs", service: "sqs", action: (c: string) => c.replace(/Batch$/, "") },
  { pkg: "client-sesv2", service: "ses", action: (c: string) => c },
];

/** The IAM action of an AWS SDK command (its class name less `Command`); `unknown:<name>`, allowed nowhere, for one of no client here. */
function actionOf(command: string): string {
  if (DOCUMENT_COMMANDS[command]) return `dynamodb:${DOCUMENT_COMMANDS[command]}`;
  const client = CLIENTS.find((c) => existsSync(join(root, "node_modules/@aws-sdk", c.pkg, "dist-types/commands", `${command}Command.d.ts`)));
  return client ? `${client.service}:${client.action(command)}` : `unknown:${command}`;
}

/**
 * The AWS actions of the SDK commands our own modules (packages/, functions/) construct in a
 * handler's deployed code: the handler bundled as deployed but unminified, where esbuild heads each
 * module's code with its path and keeps the identifiers (a clash gets a digit), and only the code
 * esbuild kept (a module read for one constant, core/storage table.ts's, brings none of its
 * functions' commands).
 */
async function deployedActions(name: string, entry: string): Promise<string[]> {
  const b = await bundle(`${name}`, entry, join(local.stack.tmp, "plain", name), { minify: false });
  const out = new Set<string>();
  for (const file of Object.keys(b.metafile.outputs).filter((f) => f.endsWith(".mjs"))) {
    const parts = readFileSync(join(root, file), "utf8").split(/^\/\/ (\S+)$/m);
    for (let i = 1; i < parts.length; i += 2) {
      if (!/^(packages|functions)\//.test(parts[i])) continue;
      for (const m of parts[i + 1].matchAll(/\bnew (\w+?)Command\d*\(/g)) out.add(actionOf(m[1]));
    }
  }
  return [...out].sort();
}

describe("AWS calls against each function's role, as infra declares it", () => {
  /**
   * Commands in the dispatcher's deployed code that its handler never reaches: it bundles the whole
   * Repository (core/storage repo.ts), and uses its GSI query, get and conditional put only
   * (core/dispatch dispatchDue, missedSlots, markDispatched). Its run above sends none of these, and
   * its role allows none.
   */
  const UNREACHED: Record<string, string[]> = { dispatch: ["dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:UpdateItem"] };

  it("every AWS command in a function's deployed code is one its role allows (the dispatcher's: those its handler reaches)", async () => {
    const deployed: Record<string, string[]> = {};
    for (const { name, entry } of infraHandlers()) deployed[name] = await deployedActions(name, entry);
    for (const b of Object.values(bundles)) {
      const actions = deployed[b.name];
      const role = roleOf(b);
      expect(actions.length, b.name).toBeGreaterThan(0);
      expect(actions.filter((a) => !allowsAction(role, a) && !(UNREACHED[b.name] ?? []).includes(a)), b.name).toEqual([]);
      // The exceptions are real: in the code, and refused.
      for (const a of UNREACHED[b.name] ?? []) {
        expect(actions, b.name).toContain(a);
        expect(allowsAction(role, a), `${b.name}: ${a}`).toBe(false);
      }
    }
    // The SES and SQS calls are deployed where infra grants them.
    for (const b of [bundles.api, bundles.worker, bundles.backfill]) expect(deployed[b.name], b.name).toEqual(expect.arrayContaining(["ses:SendEmail", "sqs:SendMessage"]));
  }, 60_000);

  it("the check refuses a call outside the role: the API sending to Digests, the dispatcher writing a batch or an account's item, a send from another address", () => {
    expect(refused(bundles.api, [{ service: "sqs", operation: "SendMessageBatch", resource: "Digests" }], "t")).toHaveLength(1);
    expect(refused(bundles.dispatch, [{ service: "dynamodb", operation: "BatchWriteItem", resource: "t", leadingKeys: [keys.dispatched.pk] }], "t")).toHaveLength(1);
    // The dispatcher's own item, and no account's.
    expect(refused(bundles.dispatch, [{ service: "dynamodb", operation: "PutItem", resource: "t", leadingKeys: [keys.dispatched.pk] }], "t")).toEqual([]);
    expect(refused(bundles.dispatch, [{ service: "dynamodb", operation: "PutItem", resource: "t", leadingKeys: [keys.account("someone@example.com").pk] }], "t")).toHaveLength(1);
    expect(refused(bundles.worker, [{ service: "dynamodb", operation: "Query", resource: "t/index/gsi1" }], "t")).toHaveLength(1);
    expect(refused(bundles.worker, [{ service: "ses", operation: "SendEmail", resource: "someone@else.example" }], "t")).toHaveLength(1);
  });

  for (const [job, queue] of [
    ["worker", "Digests"],
    ["backfill", "Backfills"],
  ] as const) {
    it(`${job}: a revoked grant's reconnect notice goes through SES from the Notices sender, which its role allows`, async () => {
      const { table, account } = await freshAccount(local.stack, "google");
      local.stack.sandbox.state.tokens.revokeAccount(account.email);
      const before = local.stack.ses.sent.length;
      const { run, calls } = await runWithinRole(bundles[job], sqsEvent(account.email, queue), table);
      expect(run.result).toEqual({ batchItemFailures: [] });
      expect(local.stack.ses.sent.slice(before)).toEqual([expect.objectContaining({ from: senderAddress(NOTICES_SENDER), to: [account.email] })]);
      expect(calls.filter((c) => c.service === "ses")).toHaveLength(1);
    }, 60_000);

    it(`${job}: a record its batch has no time left to start goes back to ${queue}, which its role allows`, async () => {
      const { table, account } = await freshAccount(local.stack, "google");
      const { run, calls } = await runWithinRole(bundles[job], sqsEvent(account.email, queue), table, { remainingMs: 60_000 });
      expect(run.result).toEqual({ batchItemFailures: [] });
      expect(calls).toEqual([{ service: "sqs", operation: "SendMessageBatch", resource: queue }]);
    }, 60_000);
  }
});
