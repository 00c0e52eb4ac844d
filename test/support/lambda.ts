/**
 * Lambda handlers as deployed, run locally: each handler bundled with esbuild the way SST's Node
 * builder does it (infra/defaults.ts NODE: ESM, minify, splitting, its esbuild plugins; platform
 * node, Node 22 target, the createRequire banner), loaded in a fresh Node process and invoked once
 * against loopback endpoints only: dynalite as DynamoDB, the provider sandbox as Gmail/Calendar/Graph/OAuth, and a
 * small SQS stand-in (SQS's JSON protocol, SendMessage and SendMessageBatch) and an SES one (v2
 * SendEmail). A run can trace the files the process actually loaded (an ESM `load` hook), which the
 * bundle's metafile maps back to source modules and packages, and a stack can record every AWS call
 * the handlers send (`recordAws`: DynamoDB through a recording proxy in front of dynalite; SQS and
 * SES at their stand-ins), which test/lambda-modules.test.ts checks against each function's role.
 * Used by test/lambda-modules.test.ts and `npm run bench handlers`.
 */
import { spawn } from "node:child_process";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { build, type BuildOptions, type Metafile, type Plugin } from "esbuild";
import type { AccountRecord } from "@followthrough/core/accounts";
import { parseKeyring, type Keyring } from "@followthrough/core/secrets";
import { ensureTable, type LocalDynamo, Repository, startLocalDynamo, tableDefinition } from "@followthrough/core/storage";
import { loadFixture, type MailboxFixture, type RunningSandbox, startSandbox } from "@followthrough/sandbox";
import { afterAll, beforeAll } from "vitest";
import { checkThenClose } from "./refusals";
import { connectSandboxAccount } from "../../packages/cli/src/sandbox-consent";
import { NODE } from "../../infra/defaults";

export const root = resolve(import.meta.dirname, "../..");
const RUNNER = join(import.meta.dirname, "lambda-runner.mjs");
const TRACE = join(import.meta.dirname, "lambda-trace.mjs");

/** SST's banner for ESM bundles (its Node builder prepends it; infra/defaults.ts explains). */
const SST_ESM_BANNER = [
  `import { createRequire as topLevelCreateRequire } from 'module';`,
  `const require = topLevelCreateRequire(import.meta.url);`,
  `import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from "url"`,
  `const __filename = topLevelFileUrlToPath(import.meta.url)`,
  `const __dirname = topLevelFileUrlToPath(new topLevelURL(".", import.meta.url))`,
].join("\n");

/**
 * NODE's `nodejs.plugins` (infra/esbuild-plugins.mjs), loaded as SST's builder loads it: the path
 * joined to the project root, then `import()`ed.
 */
export const sstPlugins: Plugin[] = ((await import(pathToFileURL(join(root, NODE.nodejs.plugins)).href)) as { default: Plugin[] }).default;

/** esbuild options as SST builds a `nodejs` function of infra/defaults.ts NODE. */
export function sstBuildOptions(o: { minify?: boolean; splitting?: boolean; external?: string[] } = {}): BuildOptions {
  return {
    bundle: true,
    platform: "node",
    format: NODE.nodejs.format,
    target: "node22",
    mainFields: ["module", "main"],
    keepNames: true,
    define: { ...NODE.nodejs.esbuild.define },
    minify: o.minify ?? NODE.nodejs.minify,
    splitting: o.splitting ?? NODE.nodejs.splitting,
    external: ["sharp", "pg-native", ...(o.external ?? [])],
    banner: { js: SST_ESM_BANNER },
    plugins: sstPlugins,
    outExtension: { ".js": ".mjs" },
    metafile: true,
    logLevel: "error",
  };
}

/** The handlers infra declares: `handler: "functions/src/….handler"` in infra/*.ts and sst.config.ts. */
export function infraHandlers(): { name: string; entry: string; exportName: string }[] {
  const files = [...readdirSync(join(root, "infra")).map((f) => join(root, "infra", f)), join(root, "sst.config.ts")];
  const out = new Map<string, { name: string; entry: string; exportName: string }>();
  for (const f of files) {
    for (const m of readFileSync(f, "utf8").matchAll(/handler:\s*"(functions\/src\/[^"]+)\.(\w+)"/g)) {
      const entry = `${m[1]}.ts`;
      const name = m[1].split("/").pop()!;
      out.set(entry, { name, entry, exportName: m[2] });
    }
  }
  return [...out.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** One bundled entry: its files and what each holds. */
export interface Bundle {
  name: string;
  dir: string;
  /** The entry's output file (absolute). */
  file: string;
  metafile: Metafile;
  /** Every output file's bytes (what is deployed). */
  totalBytes: number;
  /** The entry and the chunks it imports statically (what any invocation loads). */
  staticBytes: number;
}

/** Bundles `entry` (relative to the repository) into `outdir`. */
export async function bundle(name: string, entry: string, outdir: string, o: Parameters<typeof sstBuildOptions>[0] = {}): Promise<Bundle> {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const r = await build({ ...sstBuildOptions(o), entryPoints: { [name]: join(root, entry) }, outdir, absWorkingDir: root });
  const outputs = r.metafile!.outputs;
  const key = Object.keys(outputs).find((k) => outputs[k].entryPoint === relative(root, join(root, entry)))!;
  const seen = new Set<string>();
  const stack = [key];
  while (stack.length) {
    const k = stack.pop()!;
    if (seen.has(k)) continue;
    seen.add(k);
    for (const i of outputs[k].imports) if (i.kind === "import-statement" && outputs[i.path]) stack.push(i.path);
  }
  const bytes = (ks: Iterable<string>) => [...ks].reduce((s, k) => s + outputs[k].bytes, 0);
  return { name, dir: outdir, file: join(root, key), metafile: r.metafile!, totalBytes: bytes(Object.keys(outputs)), staticBytes: bytes(seen) };
}

/**
 * Bundles a one-line entry module `source`, written to `dir` (outside node_modules, so it counts as
 * ours), as the functions are bundled, with `plugins` in place of infra's when given; the output is
 * written to `dir/out` when `write`. Returns every module esbuild read (dynamic imports' chunks
 * included) and the entry's output file.
 */
export async function bundleSource(dir: string, source: string, o: { plugins?: Plugin[]; write?: boolean } = {}): Promise<{ inputs: string[]; file: string }> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "entry.mjs"), `${source}\n`);
  const r = await build({ ...sstBuildOptions(), ...(o.plugins ? { plugins: o.plugins } : {}), entryPoints: [join(dir, "entry.mjs")], outdir: join(dir, "out"), absWorkingDir: root, nodePaths: [join(root, "node_modules")], write: o.write ?? false });
  return { inputs: Object.keys(r.metafile!.inputs), file: join(dir, "out", "entry.mjs") };
}

/** The source modules (repository-relative paths) bundled into the given output files. */
export function inputsOf(b: Bundle, files: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const f of files) {
    const o = b.metafile.outputs[relative(root, f)];
    if (o) for (const i of Object.keys(o.inputs)) out.add(i);
  }
  return [...out].sort();
}

/** npm packages among module paths (the innermost `node_modules/@scope/name/…` → `@scope/name`). */
export function packagesOf(inputs: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const i of inputs) {
    const at = i.lastIndexOf("node_modules/");
    const m = at < 0 ? null : /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(i.slice(at));
    if (m) out.add(m[1]);
  }
  return [...out].sort();
}

/**
 * One AWS call a handler sent: its service, its operation (the API's name: `PutItem`,
 * `SendMessageBatch`, `SendEmail`) and what it names (a table, `table/index/<name>`, a queue's name,
 * SES's From address).
 */
export interface AwsCall {
  service: "dynamodb" | "sqs" | "ses";
  operation: string;
  resource: string;
  /** DynamoDB's item calls: the partition key of each item named (IAM's `dynamodb:LeadingKeys`). */
  leadingKeys?: string[];
}

/** An SQS stand-in on loopback: SQS's JSON protocol, SendMessage and SendMessageBatch, recorded per queue. */
export interface SqsStandIn {
  endpoint: string;
  url(queue: string): string;
  messages: Map<string, string[]>;
  /** Each message's DelaySeconds (undefined when none), in the order of `messages`. */
  delays: Map<string, (number | undefined)[]>;
  close(): Promise<void>;
}

/** The most a message, and a whole batch, may hold (the SQS developer guide's batch actions: 1,048,576 bytes). */
const SQS_MAX_BYTES = 1_048_576;

/**
 * What SQS refuses of a send, as its API reference says (SendMessage, SendMessageBatch). A whole
 * batch is refused (`request`) when it has no entry or more than ten, an entry id not of letters,
 * digits, hyphens and underscores up to 80 or one used twice, or more than 1 MiB in all; one entry
 * fails alone (`entries`, the answer's `Failed`, a sender's fault) for a delay outside 0 to 900
 * seconds, an empty body or one with a character XML does not allow (only #x9, #xA, #xD,
 * #x20-#xD7FF, #xE000-#xFFFD and #x10000-#x10FFFF; localstack/localstack#4135: a batch answers such an
 * entry in `Failed`). A single SendMessage is refused for any of the latter. The stand-in took all of
 * them (helper-185 #3, helper-186 #3).
 */
export function sqsRefusal(
  target: string,
  input: { MessageBody?: string; DelaySeconds?: number; Entries?: { Id: string; MessageBody: string; DelaySeconds?: number }[] },
): { request?: [code: string, message: string]; entries?: Map<string, [code: string, message: string]> } {
  // (With the u flag a lone surrogate is a code point of its own, outside every allowed range.)
  const badBody = (b: string) => b.length === 0 || /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u.test(b);
  const badDelay = (d: number | undefined) => d !== undefined && (!Number.isInteger(d) || d < 0 || d > 900);
  const entryProblem = (body: string, delay: number | undefined): [string, string] | undefined =>
    badDelay(delay)
      ? ["InvalidParameterValue", "Value for parameter DelaySeconds is invalid. Reason: must be between 0 and 900, if provided."]
      : badBody(body)
        ? ["InvalidMessageContents", body.length ? "Invalid characters found." : "The request must contain the parameter MessageBody."]
        : undefined;
  if (target.endsWith(".SendMessageBatch")) {
    const entries = input.Entries ?? [];
    if (!entries.length) return { request: ["EmptyBatchRequest", "There should be at least one SendMessageBatchRequestEntry in the request."] };
    if (entries.length > 10) return { request: ["TooManyEntriesInBatchRequest", `Maximum number of entries per request are 10. You have sent ${entries.length}.`] };
    if (entries.some((e) => !/^[A-Za-z0-9_-]{1,80}$/.test(e.Id))) return { request: ["InvalidBatchEntryId", "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long."] };
    if (new Set(entries.map((e) => e.Id)).size !== entries.length) return { request: ["BatchEntryIdsNotDistinct", "Id must be distinct among batch entries."] };
    if (entries.reduce((n, e) => n + Buffer.byteLength(e.MessageBody), 0) > SQS_MAX_BYTES) return { request: ["BatchRequestTooLong", `Batch requests cannot be longer than ${SQS_MAX_BYTES} bytes.`] };
    const failed = new Map<string, [string, string]>();
    for (const e of entries) {
      const p = entryProblem(e.MessageBody, e.DelaySeconds);
      if (p) failed.set(e.Id, p);
    }
    return { entries: failed };
  }
  if (target.endsWith(".SendMessage")) {
    const p = entryProblem(input.MessageBody ?? "", input.DelaySeconds);
    if (p) return { request: p };
    if (Buffer.byteLength(input.MessageBody ?? "") > SQS_MAX_BYTES) return { request: ["InvalidParameterValue", `One or more parameters are invalid. Reason: Message must be shorter than ${SQS_MAX_BYTES} bytes.`] };
  }
  return {};
}

export async function startSqsStandIn(calls?: AwsCall[]): Promise<SqsStandIn> {
  const messages = new Map<string, string[]>();
  const delays = new Map<string, (number | undefined)[]>();
  const md5 = (s: string) => createHash("md5").update(s, "utf8").digest("hex");
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const target = String(req.headers["x-amz-target"] ?? "");
      const input = body ? (JSON.parse(body) as { QueueUrl: string; MessageBody?: string; DelaySeconds?: number; Entries?: { Id: string; MessageBody: string; DelaySeconds?: number }[] }) : ({} as never);
      const queue = String(input.QueueUrl ?? "").split("/").pop()!;
      calls?.push({ service: "sqs", operation: target.split(".").pop()!, resource: queue });
      const list = messages.get(queue) ?? [];
      messages.set(queue, list);
      let out: unknown;
      const problem = sqsRefusal(target, input);
      if (problem.request) {
        res.writeHead(400, { "content-type": "application/x-amz-json-1.0" });
        res.end(JSON.stringify({ __type: `com.amazonaws.sqs#${problem.request[0]}`, message: problem.request[1] }));
        return;
      }
      if (target.endsWith(".SendMessageBatch")) {
        const failed = problem.entries ?? new Map<string, [string, string]>();
        const taken = input.Entries!.filter((e) => !failed.has(e.Id));
        list.push(...taken.map((e) => e.MessageBody));
        delays.set(queue, [...(delays.get(queue) ?? []), ...taken.map((e) => e.DelaySeconds)]);
        out = {
          Successful: taken.map((e) => ({ Id: e.Id, MessageId: randomUUID(), MD5OfMessageBody: md5(e.MessageBody) })),
          Failed: [...failed].map(([Id, [Code, Message]]) => ({ Id, SenderFault: true, Code, Message })),
        };
      } else if (target.endsWith(".SendMessage")) {
        list.push(input.MessageBody!);
        delays.set(queue, [...(delays.get(queue) ?? []), (input as { DelaySeconds?: number }).DelaySeconds]);
        out = { MessageId: randomUUID(), MD5OfMessageBody: md5(input.MessageBody!) };
      } else {
        res.writeHead(400, { "content-type": "application/x-amz-json-1.0" });
        res.end(JSON.stringify({ __type: "com.amazonaws.sqs#UnsupportedOperation", message: `the stand-in does not do ${target}` }));
        return;
      }
      res.writeHead(200, { "content-type": "application/x-amz-json-1.0" });
      res.end(JSON.stringify(out));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    url: (queue) => `${endpoint}/000000000000/${queue}`,
    messages,
    delays,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

/** An SES stand-in on loopback: SES v2's SendEmail (REST JSON), each one recorded. */
export interface SesStandIn {
  endpoint: string;
  /** Each email taken: its From, recipients and subject. */
  sent: { from: string; to: string[]; subject: string }[];
  close(): Promise<void>;
}

export async function startSesStandIn(calls?: AwsCall[]): Promise<SesStandIn> {
  const sent: SesStandIn["sent"] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      if (req.method !== "POST" || req.url?.split("?")[0] !== "/v2/email/outbound-emails") {
        res.writeHead(404, { "content-type": "application/json", "x-amzn-errortype": "NotFoundException" });
        res.end(JSON.stringify({ message: `the stand-in does not do ${req.method} ${req.url}` }));
        return;
      }
      const input = JSON.parse(body || "{}") as { FromEmailAddress?: string; Destination?: { ToAddresses?: string[] }; Content?: { Simple?: { Subject?: { Data?: string } } } };
      calls?.push({ service: "ses", operation: "SendEmail", resource: String(input.FromEmailAddress) });
      sent.push({ from: String(input.FromEmailAddress), to: input.Destination?.ToAddresses ?? [], subject: input.Content?.Simple?.Subject?.Data ?? "" });
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ MessageId: randomUUID() }));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sent,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

/** The partition key attribute of the table (core/storage tableDefinition). */
const PARTITION_KEY = tableDefinition("t").KeySchema!.find((k) => k.KeyType === "HASH")!.AttributeName!;

type Attributes = Record<string, { S?: string }>;

/** The partition keys of the items a DynamoDB item call names (none for a Query or Scan: IAM reads those off the key condition). */
function leadingKeysOf(operation: string, input: { Key?: Attributes; Item?: Attributes; RequestItems?: Record<string, { PutRequest?: { Item: Attributes }; DeleteRequest?: { Key: Attributes } }[]> }): string[] | undefined {
  const pk = (a?: Attributes) => a?.[PARTITION_KEY]?.S ?? "";
  if (operation === "GetItem" || operation === "UpdateItem" || operation === "DeleteItem") return [pk(input.Key)];
  if (operation === "PutItem") return [pk(input.Item)];
  if (operation === "BatchWriteItem") return [...new Set(Object.values(input.RequestItems ?? {}).flatMap((rs) => rs.map((r) => pk(r.PutRequest?.Item ?? r.DeleteRequest?.Key))))];
  return undefined;
}

/**
 * A recording proxy in front of a DynamoDB endpoint (dynalite): each request's operation (its
 * X-Amz-Target), the table, index or tables it names and the partition keys of the items it names
 * go to `calls`; request and answer pass through unchanged.
 */
export async function startDynamoRecorder(target: string, calls: AwsCall[]): Promise<{ endpoint: string; close(): Promise<void> }> {
  const to = new URL(target);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const operation = String(req.headers["x-amz-target"] ?? "").split(".").pop()!;
      let input: Parameters<typeof leadingKeysOf>[1] & { TableName?: string; IndexName?: string; TransactItems?: Record<string, { TableName?: string }>[] } = {};
      try {
        input = JSON.parse(body.toString("utf8") || "{}");
      } catch {}
      const tables = input.TableName
        ? [input.IndexName ? `${input.TableName}/index/${input.IndexName}` : input.TableName]
        : input.RequestItems
          ? Object.keys(input.RequestItems)
          : (input.TransactItems ?? []).flatMap((t) => Object.values(t).map((i) => String(i.TableName)));
      const leadingKeys = leadingKeysOf(operation, input);
      for (const resource of tables.length ? tables : [""]) calls.push({ service: "dynamodb", operation, resource, ...(leadingKeys ? { leadingKeys } : {}) });
      const forward = httpRequest({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 500, answer.headers);
        answer.pipe(res);
      });
      forward.on("error", (e) => {
        res.writeHead(502);
        res.end(String(e));
      });
      forward.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

/** A small copy of a fixture (the first `n` items of each list), so an invocation is about its first calls. */
export function smallFixture(dir: string, n: number, into: string): string {
  const out = join(into, `${dir.split("/").pop()}-${n}`);
  cpSync(dir, out, { recursive: true });
  for (const sub of ["google", "microsoft"]) {
    const d = join(out, sub);
    if (!existsSync(d)) continue;
    for (const f of readdirSync(d)) {
      const data = JSON.parse(readFileSync(join(d, f), "utf8"));
      if (Array.isArray(data)) writeFileSync(join(d, f), JSON.stringify(data.slice(0, n)));
    }
  }
  return out;
}

/** Everything a local Lambda run talks to. */
export interface LocalStack {
  dynamo: LocalDynamo;
  /** Where the Lambdas reach DynamoDB: dynalite, or the recorder in front of it (`recordAws`). */
  dynamoEndpoint: string;
  sandbox: RunningSandbox;
  sqs: SqsStandIn;
  ses: SesStandIn;
  /** Every AWS call the Lambdas sent, in order (DynamoDB's only with `recordAws`). */
  aws: AwsCall[];
  fixtures: Record<"google" | "microsoft", MailboxFixture>;
  keyringSpec: string;
  ring: Keyring;
  caFile: string;
  tmp: string;
  stop(): Promise<void>;
}

/**
 * Starts dynalite, the sandbox (with small copies of the demo fixtures) and the SQS and SES
 * stand-ins; with `recordAws`, a recorder in front of dynalite too (`npm run bench handlers` times
 * the handlers without it).
 */
export async function startLocalStack(o: { items?: number; recordAws?: boolean } = {}): Promise<LocalStack> {
  const tmp = mkdtempSync(join(tmpdir(), "ft-lambda-"));
  const items = o.items ?? 3;
  const fixtures = {
    google: loadFixture(smallFixture(join(root, "fixtures/demo-google"), items, tmp)),
    microsoft: loadFixture(smallFixture(join(root, "fixtures/demo-microsoft"), items, tmp)),
  };
  const dynamo = await startLocalDynamo();
  const sandbox = await startSandbox({ fixtures: [fixtures.google, fixtures.microsoft], https: true });
  const aws: AwsCall[] = [];
  const sqs = await startSqsStandIn(aws);
  const ses = await startSesStandIn(aws);
  const recorder = o.recordAws ? await startDynamoRecorder(dynamo.endpoint, aws) : undefined;
  const caFile = join(tmp, "sandbox-ca.pem");
  writeFileSync(caFile, sandbox.ca!);
  const keyringSpec = `k1:${randomBytes(32).toString("base64")}`;
  return {
    dynamo,
    dynamoEndpoint: recorder?.endpoint ?? dynamo.endpoint,
    sandbox,
    sqs,
    ses,
    aws,
    fixtures,
    keyringSpec,
    ring: parseKeyring(keyringSpec),
    caFile,
    tmp,
    async stop() {
      await checkThenClose(sandbox, async () => {
        await recorder?.close();
        await ses.close();
        await sqs.close();
        await sandbox.close();
        await dynamo.stop();
        rmSync(tmp, { recursive: true, force: true });
      });
    },
  };
}

/**
 * For the tests of a file (or a describe): the local stack, and every handler infra/ declares bundled
 * as SST deploys it (into the stack's own folder), made before the tests and stopped after them.
 */
export function stackWithBundles(o: { recordAws?: boolean } = {}): { readonly stack: LocalStack; readonly bundles: Record<string, Bundle> } {
  let stack: LocalStack | undefined;
  const bundles: Record<string, Bundle> = {};
  beforeAll(async () => {
    stack = await startLocalStack(o);
    for (const { name, entry } of infraHandlers()) bundles[name] = await bundle(name, entry, join(stack.tmp, "bundles", name));
  }, 120_000);
  afterAll(() => stack?.stop());
  return {
    get stack(): LocalStack {
      return stack!;
    },
    bundles,
  };
}

/** The Notices sender the local Lambdas are linked to (SES's From: core/ses senderAddress). */
export const NOTICES_SENDER = "notices@followthrough.test";

/** The link signing key the local Lambdas are given. */
export const LINK_KEY = "local-link-key-of-the-bench-and-tests-0123456789";

let tables = 0;

/** A fresh table with the provider's demo account connected (through the sandbox's OAuth). */
export async function freshAccount(stack: LocalStack, provider: "google" | "microsoft"): Promise<{ table: string; repo: Repository; account: AccountRecord }> {
  const table = `t${process.pid}x${++tables}`;
  await ensureTable(stack.dynamo.client, table);
  const repo = new Repository(stack.dynamo.doc, table);
  const account = await connectSandboxAccount(stack.sandbox, stack.fixtures[provider].account, repo, stack.ring);
  return { table, repo, account };
}

/** The environment of a Lambda linked to the local stack (SST's SST_RESOURCE_* and AWS endpoint variables). */
export function lambdaEnv(stack: LocalStack, table: string, extra: Record<string, string> = {}): Record<string, string> {
  const resource = (v: unknown) => JSON.stringify(v);
  return {
    PATH: process.env.PATH ?? "",
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
    AWS_ENDPOINT_URL_DYNAMODB: stack.dynamoEndpoint,
    AWS_ENDPOINT_URL_SQS: stack.sqs.endpoint,
    AWS_ENDPOINT_URL_SESV2: stack.ses.endpoint,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    NODE_EXTRA_CA_CERTS: stack.caFile,
    SST_RESOURCE_App: resource({ name: "followthrough", stage: "local" }),
    SST_RESOURCE_Table: resource({ name: table }),
    SST_RESOURCE_Digests: resource({ url: stack.sqs.url("Digests") }),
    SST_RESOURCE_Backfills: resource({ url: stack.sqs.url("Backfills") }),
    SST_RESOURCE_Api: resource({ url: "https://app.followthrough.test", name: "Api" }),
    SST_RESOURCE_TokenKeyring: resource({ value: stack.keyringSpec }),
    SST_RESOURCE_LinkSigningKey: resource({ value: LINK_KEY }),
    SST_RESOURCE_GoogleClientId: resource({ value: "local-client" }),
    SST_RESOURCE_GoogleClientSecret: resource({ value: "local-secret" }),
    SST_RESOURCE_MicrosoftClientId: resource({ value: "local-client" }),
    SST_RESOURCE_MicrosoftClientSecret: resource({ value: "local-secret" }),
    SST_RESOURCE_Notices: resource({ sender: NOTICES_SENDER }),
    ...extra,
  };
}

/** What one fresh-process run measured (the runner's own clock: ms since the process's time origin). */
export interface ColdRun {
  /** Process start until the handler module started loading (Node's own start-up). */
  bootMs: number;
  importMs: number;
  invokeMs: number;
  /** Process start until the first invocation returned: import plus first invocation, Node's start included. */
  coldMs: number;
  /** Peak resident set of the process (KiB). */
  maxRssKiB: number;
  result: unknown;
  /** Files the process loaded (absolute paths), when traced. */
  loaded?: string[];
}

/**
 * Loads `file` in a fresh Node process, calls its `handler` export once with `event`, and reports.
 * `node` is the Node binary to run (this process's own by default).
 */
export async function runCold(file: string, event: unknown, env: Record<string, string>, o: { trace?: boolean; remainingMs?: number; node?: string } = {}): Promise<ColdRun> {
  const traceOut = o.trace ? join(tmpdir(), `ft-trace-${randomUUID()}.txt`) : undefined;
  const args = [...(traceOut ? ["--import", pathToFileURL(TRACE).href] : []), RUNNER, file, JSON.stringify(event), String(o.remainingMs ?? 900_000)];
  const child = spawn(o.node ?? process.execPath, args, { env: { ...env, ...(traceOut ? { FT_TRACE_OUT: traceOut } : {}) }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c) => (stdout += c));
  child.stderr.on("data", (c) => (stderr += c));
  const code = await new Promise<number | null>((r) => child.on("close", r));
  const line = stdout.split("\n").find((l) => l.startsWith("{\"coldRun\""));
  // The head of stderr names the error; its tail, where it was (an error's dump can be long).
  const excerpt = (s: string) => (s.length > 3000 ? `${s.slice(0, 2000)}\n…\n${s.slice(-1000)}` : s);
  if (code !== 0 || !line) throw new Error(`run of ${file} exited ${code}: ${excerpt(stderr)}\n${excerpt(stdout)}`);
  const run = (JSON.parse(line) as { coldRun: ColdRun }).coldRun;
  if (traceOut) {
    run.loaded = [...new Set(readFileSync(traceOut, "utf8").split("\n").filter(Boolean).map((u) => new URL(u).pathname))];
    rmSync(traceOut, { force: true });
  }
  return run;
}

/** An SQS event of one record. */
export function sqsEvent(body: string, queue = "Digests") {
  return {
    Records: [
      {
        messageId: randomUUID(),
        receiptHandle: `AQEB${randomUUID()}`,
        body,
        attributes: { ApproximateReceiveCount: "1", SentTimestamp: String(Date.now()), SenderId: "AIDAEXAMPLE", ApproximateFirstReceiveTimestamp: String(Date.now()) },
        messageAttributes: {},
        md5OfBody: createHash("md5").update(body).digest("hex"),
        eventSource: "aws:sqs",
        eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${queue}`,
        awsRegion: "us-east-1",
      },
    ],
  };
}

/** A Function URL (payload 2.0) GET event. */
export function functionUrlEvent(path: string) {
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: path,
    rawQueryString: "",
    headers: { host: "app.followthrough.test", accept: "text/html" },
    requestContext: {
      accountId: "anonymous",
      apiId: "local",
      domainName: "app.followthrough.test",
      domainPrefix: "app",
      http: { method: "GET", path, protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "bench" },
      requestId: randomUUID(),
      routeKey: "$default",
      stage: "$default",
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    isBase64Encoded: false,
  };
}

/** An EventBridge scheduled event at `time` (ISO). */
export function scheduledEvent(time: string) {
  return { version: "0", id: randomUUID(), "detail-type": "Scheduled Event", source: "aws.events", account: "000000000000", time, region: "us-east-1", resources: [], detail: {} };
}
