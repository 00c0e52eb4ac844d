/**
 * Evaluates sst.config.ts and infra/*.ts with SST's globals stubbed (test/support/infra.ts: `$config`
 * returns its input, `sst.*` constructors record (name, args) and link as SST's components do). No
 * .sst/platform, no network, no AWS. Checks what the infrastructure declares, what each function may
 * do in AWS, and that every handler path names a file that exports it.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { GMAIL_DEFAULTS, GMAIL_UNITS } from "@followthrough/core/google";
import { API_TIMEOUT_SECONDS, DRAFT_CLAIM_LEASE_MS, DRAFT_CREATE_DEADLINE_MS, JOB_RETRY_BUDGET_MS, LONGEST_PAGE_MS, PAGE_ABANDON_RESERVE_MS, PROVIDER_REQUEST_TIMEOUT_MS } from "@followthrough/core/limits";
import { SEND_CLAIM_STALE_MS } from "@followthrough/core/digest";
import { EVENT_READ_RESERVE_MS, WEEKLY_SCAN_RESERVE_MS, WORKER_LEASE_MS } from "../functions/src/handlers/worker";
import { BACKFILL_LEASE_MS, BACKFILL_STOP_RESERVE_MS } from "../functions/src/handlers/backfill";
import { keys, tableDefinition, TTL_ATTRIBUTE } from "@followthrough/core/storage";
import { allows, effectivePermissions, evaluateInfra, functionOf, functions, grantPairs, made, root, SST_LINKS, SST_SUBSCRIPTION, subscriptions, typeOf } from "./support/infra";

type Args = Record<string, any>;
let config: { app(input: { stage: string }): Args; run(): Promise<Args> };
let outputs: Args;

const one = (type: string, name: string) => {
  const found = made.filter((m) => m.type === type && m.name === name);
  expect(found, `${type} ${name}`).toHaveLength(1);
  return found[0];
};
const linkNames = (link: unknown[]) => link.map((l: any) => l.name as string).sort();
const seconds = (d: string) => {
  const m = /^(\d+) (second|minute|hour)s?$/.exec(d);
  if (!m) throw new Error(`not a duration: ${d}`);
  return Number(m[1]) * { second: 1, minute: 60, hour: 3600 }[m[2] as "second"];
};

beforeAll(async () => {
  ({ config, outputs } = await evaluateInfra());
});

describe("sst.config.ts", () => {
  it("names the app, keeps prod's data and outputs the endpoints", () => {
    expect(config.app({ stage: "dev" })).toMatchObject({ name: "followthrough", home: "aws", removal: "remove" });
    expect(config.app({ stage: "prod" })).toMatchObject({ removal: "retain" });
    expect(outputs).toMatchObject({ api: "Api.url", table: "Table.name", digests: "Digests.url", digestsDlq: "DigestsDLQ.url" });
  });
});

describe("infra", () => {
  it("declares the single table as core/storage defines it: pk/sk, gsi1, gsi2, TTL on expiresAt", () => {
    const { args } = one("Dynamo", "Table");
    const def = tableDefinition("t");
    const key = (ks: { AttributeName?: string; KeyType?: string }[]) => ({
      hashKey: ks.find((k) => k.KeyType === "HASH")!.AttributeName,
      rangeKey: ks.find((k) => k.KeyType === "RANGE")!.AttributeName,
    });
    expect(args.primaryIndex).toEqual(key(def.KeySchema!));
    expect(args.globalIndexes).toEqual(Object.fromEntries(def.GlobalSecondaryIndexes!.map((g) => [g.IndexName, key(g.KeySchema!)])));
    expect(args.fields).toEqual(Object.fromEntries(def.AttributeDefinitions!.map((a) => [a.AttributeName, "string"])));
    expect(args.ttl).toBe(TTL_ATTRIBUTE);
  });

  it("declares the secrets, the token keyring and the link key among them", () => {
    const names = made.filter((m) => m.type === "Secret").map((m) => m.name).sort();
    expect(names).toEqual(["GoogleClientId", "GoogleClientSecret", "LinkSigningKey", "MicrosoftClientId", "MicrosoftClientSecret", "TokenKeyring"]);
  });

  it("serves the API from a Function URL, linked to the table, the secrets, the backfill queue and the SES sender (a move's confirming link)", () => {
    const { args } = one("Function", "Api");
    expect(args.handler).toBe("functions/src/api.handler");
    expect(args.url).toBe(true);
    expect(linkNames(args.link)).toEqual(
      ["Backfills", "GoogleClientId", "GoogleClientSecret", "LinkSigningKey", "MicrosoftClientId", "MicrosoftClientSecret", "Notices", "Table.name", "TokenKeyring"].sort(),
    );
  });

  it("dispatches every quarter hour to the Digests queue, with EventBridge's own event", () => {
    const { args } = one("Cron", "Dispatch");
    expect(args.schedule).toBe("cron(0/15 * * * ? *)");
    expect(args.function.handler).toBe("functions/src/handlers/dispatch.handler");
    expect(linkNames(args.function.link)).toEqual(["Digests", "Table.name"]);
    // sst.aws.Cron would otherwise send `{}` in place of the scheduled event (and its `time`).
    expect(args.transform.target).toHaveProperty("input", undefined);
  });

  it("the scan leases and the digest's send claim outlive the function that holds them (a run that died is not taken for a live one's, and no live one is taken over)", () => {
    const timeoutMs = (queue: string) => seconds(subscriptions.find((s) => s.queue === queue)!.subscriber.timeout) * 1000;
    expect(WORKER_LEASE_MS).toBeGreaterThan(timeoutMs("Digests"));
    expect(SEND_CLAIM_STALE_MS).toBeGreaterThan(timeoutMs("Digests"));
    expect(BACKFILL_LEASE_MS).toBeGreaterThan(timeoutMs("Backfills"));
  });

  it("a job's reads keep in reserve what one call may take (its retry budget and one more attempt cut at the request timeout), and the reserve fits the function", () => {
    const call = JOB_RETRY_BUDGET_MS + PROVIDER_REQUEST_TIMEOUT_MS;
    for (const [reserve, queue] of [
      [EVENT_READ_RESERVE_MS, "Digests"],
      [WEEKLY_SCAN_RESERVE_MS, "Digests"],
      [BACKFILL_STOP_RESERVE_MS, "Backfills"],
    ] as const) {
      expect(reserve).toBeGreaterThanOrEqual(call);
      expect(reserve).toBeLessThan(seconds(subscriptions.find((s) => s.queue === queue)!.subscriber.timeout) * 1000);
      // Within a page no call starts with less than one call's worst case left; a page starts only
      // with that and the longest page at the paced quota left, so such a page is never cut.
      expect(reserve).toBeGreaterThanOrEqual(PAGE_ABANDON_RESERVE_MS + LONGEST_PAGE_MS);
    }
    // The longest page: a Gmail listing and a get for each of its messages, at the units a minute the adapter paces to.
    const pageUnits = GMAIL_UNITS.list + GMAIL_DEFAULTS.pageSize * GMAIL_UNITS.get;
    expect((pageUnits / (GMAIL_DEFAULTS.unitsPerMinute * GMAIL_DEFAULTS.quotaShare)) * 60_000).toBeLessThanOrEqual(LONGEST_PAGE_MS);
  });

  for (const [queue, dlq, handler, maxBatch] of [
    ["Digests", "DigestsDLQ", "functions/src/handlers/worker.handler", 10],
    ["Backfills", "BackfillsDLQ", "functions/src/handlers/backfill.handler", 1],
  ] as const) {
    it(`${queue}: dead-letter queue after 3 tries, visibility ≥ 6 × the subscriber's timeout, partial batch responses`, () => {
      const q = one("Queue", queue);
      one("Queue", dlq);
      expect(q.args.dlq).toEqual({ queue: `${dlq}.arn`, retry: 3 });
      const subs = subscriptions.filter((s) => s.queue === queue);
      expect(subs).toHaveLength(1);
      const [{ subscriber, args }] = subs;
      expect(subscriber.handler).toBe(handler);
      expect(seconds(q.args.visibilityTimeout)).toBeGreaterThanOrEqual(6 * seconds(subscriber.timeout));
      expect(args.batch.partialResponses).toBe(true);
      expect(args.batch.size).toBeGreaterThanOrEqual(1);
      expect(args.batch.size).toBeLessThanOrEqual(maxBatch);
      expect(linkNames(subscriber.link)).toEqual(expect.arrayContaining(["Table.name", "TokenKeyring", "GoogleClientSecret", "MicrosoftClientSecret"]));
    });
  }

  it("links the SES sender to the jobs that may find a revoked grant", () => {
    one("Email", "Notices");
    for (const queue of ["Digests", "Backfills"]) {
      const sub = subscriptions.find((s) => s.queue === queue);
      expect(sub, queue).toBeDefined();
      expect(linkNames(sub!.subscriber.link)).toContain("Notices");
      // The reconnect email's link needs the app's URL, and the link key that seals it (no address in it).
      expect(linkNames(sub!.subscriber.link)).toContain("Api");
      expect(linkNames(sub!.subscriber.link)).toContain("LinkSigningKey");
    }
  });

  it("links the backfill and the worker to their own queues, where a run cut short by the time limit asks for its continuation", () => {
    expect(linkNames(subscriptions.find((s) => s.queue === "Backfills")!.subscriber.link)).toContain("Backfills");
    expect(linkNames(subscriptions.find((s) => s.queue === "Digests")!.subscriber.link)).toContain("Digests");
  });

  it("lets each consumer that sends to its own queue run its chains past Lambda's recursive loop detection (16 hops, then the DLQ)", () => {
    for (const queue of ["Digests", "Backfills"]) {
      const sub = subscriptions.find((s) => s.queue === queue)!;
      expect(linkNames(sub.subscriber.link), queue).toContain(queue);
      const configs = made.filter((m) => m.type === "FunctionRecursionConfig" && m.args.functionName === `${queue}Subscriber.name`);
      expect(configs, queue).toHaveLength(1);
      expect(configs[0].args.recursiveLoop).toBe("Allow");
    }
  });

  it("caps concurrent scans under Google's per-project Gmail quota", () => {
    const cap = (queue: string) => subscriptions.find((s) => s.queue === queue)!.args.transform.eventSourceMapping.scalingConfig.maximumConcurrency as number;
    expect(cap("Digests")).toBe(100);
    // 1,200,000 units/min per project ÷ 5,700 units/min per scan ≈ 210 scans at once, all queues together.
    expect(cap("Digests") + cap("Backfills")).toBeLessThanOrEqual(Math.floor(1_200_000 / 5_700));
    // The worker links the API for the digest's link origin.
    expect(linkNames(subscriptions.find((s) => s.queue === "Digests")!.subscriber.link)).toContain("Api");
  });

  it("runs every function on Node 22, arm64, ESM, with memory and timeout stated, one handler each", () => {
    const all = functions();
    expect(all.length).toBe(4);
    expect(new Set(all.map((f) => f.args.handler)).size).toBe(all.length);
    for (const { where, args } of all) {
      expect(args.runtime, where).toBe("nodejs22.x");
      expect(args.architecture, where).toBe("arm64");
      expect(args.nodejs?.format, where).toBe("esm");
      // Each provider's adapter is a chunk of its own (core/loader's import()), loaded only for its accounts.
      expect(args.nodejs?.splitting, where).toBe(true);
      // SST's builder starts ESM bundles with `const require = createRequire(...)` already: a banner repeating it breaks the bundle.
      expect(args.nodejs?.banner ?? "", where).not.toMatch(/\b(const|let|var)\s+require\b/);
      expect(args.memory, where).toMatch(/^\d+ (MB|GB)$/);
      expect(seconds(args.timeout), where).toBeLessThanOrEqual(15 * 60);
    }
  });

  it("the API's timeout is the one the draft claim's lease derives from, and the lease outlives it", () => {
    const api = functions().find((f) => f.args.handler === "functions/src/api.handler")!;
    expect(seconds(api.args.timeout)).toBe(API_TIMEOUT_SECONDS);
    expect(DRAFT_CLAIM_LEASE_MS).toBeGreaterThan(API_TIMEOUT_SECONDS * 1000);
    expect(DRAFT_CREATE_DEADLINE_MS).toBeLessThan(API_TIMEOUT_SECONDS * 1000);
  });

  it("points every handler at a file that exports it", async () => {
    for (const { where, args } of functions()) {
      const m = /^(functions\/src\/.+)\.(\w+)$/.exec(args.handler);
      expect(m, `${where}: ${args.handler}`).not.toBeNull();
      const file = join(root, `${m![1]}.ts`);
      expect(existsSync(file), file).toBe(true);
      const mod = await import(pathToFileURL(file).href);
      expect(typeof mod[m![2]], `${where}: export ${m![2]}`).toBe("function");
    }
  });
});

/**
 * What each function's code calls in AWS, on which resource (named as the stand-ins name them:
 * `Table.arn` is the table's ARN), read from the code; its role must allow these and nothing more.
 * - DynamoDB: the Repository (core/storage repo.ts) and the modules that send their own commands
 *   (core/accounts, core/lease, core/connect/move, core/events/statements, core/reconnect): GetItem,
 *   PutItem, UpdateItem, DeleteItem, Query (on the table) and BatchWriteItem (puts and deletes by 25);
 *   no Scan, BatchGetItem, transaction or PartiQL anywhere. An index is queried by the dispatcher
 *   alone (gsi2, the due-hour pages: core/accounts accountsDue, core/events/due eventJobsDue), which
 *   otherwise reads and conditionally puts the one item of the last quarter hour dispatched
 *   (core/dispatch missedSlots, markDispatched); gsi1 (every account) is the local CLI's.
 * - SQS: SendMessageBatch (core/queue/sqs), which SQS authorises as sqs:SendMessage: the API to
 *   Backfills (a connect's first scan, a resume's), the dispatcher to Digests, each job to its own
 *   queue (continuations, a record bounced while the lease is held or too late to start).
 * - SES: v2 SendEmail from the Notices sender (core/ses), authorised on its identity and on the
 *   configuration set SST attaches to it: the jobs' reconnect notice, the API's move link.
 * test/lambda-modules.test.ts checks every call the bundled handlers make in its runs against the
 * grants, and that the DynamoDB commands in their deployed code are granted.
 */
const ITEM_ACTIONS = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query", "dynamodb:BatchWriteItem"];
const on = (resource: string, actions: string[]) => actions.map((a) => `${a} ${resource}`);
const SENDS_NOTICES = [...on("Notices.identity.arn", ["ses:SendEmail"]), ...on("Notices.configurationSet.arn", ["ses:SendEmail"])];
const NEEDS: Record<string, string[]> = {
  "functions/src/api.handler": [...on("Table.arn", ITEM_ACTIONS), ...on("Backfills.arn", ["sqs:SendMessage"]), ...SENDS_NOTICES],
  "functions/src/handlers/worker.handler": [...on("Table.arn", ITEM_ACTIONS), ...on("Digests.arn", ["sqs:SendMessage"]), ...SENDS_NOTICES],
  "functions/src/handlers/backfill.handler": [...on("Table.arn", ITEM_ACTIONS), ...on("Backfills.arn", ["sqs:SendMessage"]), ...SENDS_NOTICES],
  "functions/src/handlers/dispatch.handler": [
    ...on("Table.arn/index/gsi2", ["dynamodb:Query"]),
    // Its own item alone (core/storage keys.dispatched), by its partition key.
    ...on(`Table.arn when ForAllValues:StringEquals dynamodb:LeadingKeys ${keys.dispatched.pk}`, ["dynamodb:GetItem", "dynamodb:PutItem"]),
    ...on("Digests.arn", ["sqs:SendMessage"]),
  ],
};
/**
 * What SST's queue subscription adds to its subscriber's role on the queue it consumes
 * (queue-lambda-subscriber.ts), not narrowed here: Lambda's poller needs ReceiveMessage,
 * DeleteMessage and GetQueueAttributes (AWS's AWSLambdaSQSQueueExecutionRole); SST adds
 * ChangeMessageVisibility and GetQueueUrl on the same queue (docs/security.md).
 */
const SUBSCRIBED = (queue: string) => on(`${queue}.arn`, ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ReceiveMessage"]);

describe("what each function may do in AWS", () => {
  it("no function may do anything on `*`: every action and every resource of its role is named", () => {
    const wild = functions().flatMap((f) =>
      effectivePermissions(f).flatMap((s) => [
        ...s.actions.filter((a) => /[*?]/.test(a)).map((a) => `${f.where}: action ${a} (${s.from})`),
        ...s.resources.filter((r) => /[*?]/.test(r)).map((r) => `${f.where}: resource ${r} (${s.from})`),
      ]),
    );
    expect(wild).toEqual([]);
  });

  it("each function may make exactly the AWS calls its code makes, on the resources it makes them on", () => {
    expect(functions().map((f) => f.args.handler).sort()).toEqual(Object.keys(NEEDS).sort());
    for (const f of functions()) {
      const expected = [...NEEDS[f.args.handler], ...(f.queue ? SUBSCRIBED(f.queue) : [])];
      expect(grantPairs(effectivePermissions(f)), f.where).toEqual([...new Set(expected)].sort());
    }
  });

  it("every call each function needs is allowed (IAM's matching), so the narrowing breaks none", () => {
    for (const f of functions()) {
      const statements = effectivePermissions(f);
      for (const need of NEEDS[f.args.handler]) {
        const [action, resource] = need.split(" ");
        const leadingKeys = / dynamodb:LeadingKeys (\S+)$/.exec(need)?.[1].split("|");
        expect(allows(statements, action, resource, { leadingKeys }), `${f.where}: ${need}`).toBe(true);
      }
    }
  });

  it("the dispatcher may read and write its own item (the last quarter hour dispatched) and no other item of the table", () => {
    const role = effectivePermissions(functionOf("functions/src/handlers/dispatch"));
    for (const action of ["dynamodb:GetItem", "dynamodb:PutItem"]) {
      expect(allows(role, action, "Table.arn", { leadingKeys: [keys.dispatched.pk] }), action).toBe(true);
      expect(allows(role, action, "Table.arn", { leadingKeys: [keys.account("someone@example.com").pk] }), action).toBe(false);
      expect(allows(role, action, "Table.arn", { leadingKeys: [keys.dispatched.pk, keys.account("someone@example.com").pk] }), action).toBe(false);
    }
    for (const action of ["dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem", "dynamodb:Scan"]) expect(allows(role, action, "Table.arn", { leadingKeys: [keys.dispatched.pk] }), action).toBe(false);
    expect(allows(role, "dynamodb:Query", "Table.arn/index/gsi1")).toBe(false);
  });

  it("each link gives what SST's own link gives (names, URLs, the sender: Resource.* as functions/src/linked.ts reads it) and no permission", () => {
    for (const f of functions()) {
      for (const l of f.args.link) {
        const type = typeOf(l)!;
        const link = l.getSSTLink();
        expect(link.properties, `${f.where}: ${l.name}`).toEqual(SST_LINKS[type].link(l).properties);
        expect((link.include ?? []).filter((i: { type: string }) => i.type === "aws.permission"), `${f.where}: ${l.name}`).toEqual([]);
      }
    }
    // The API's URL and the sender still reach the jobs, and the table's and queues' names the code reads.
    const worker = functionOf("functions/src/handlers/worker");
    expect(Object.fromEntries(worker.args.link.map((l: any) => [l.name, l.getSSTLink().properties]))).toMatchObject({
      Api: { url: "Api.url" },
      Notices: { sender: "Notices.sender" },
      "Table.name": { name: "Table.name" },
      Digests: { url: "Digests.url" },
    });
  });

  const platform = join(root, ".sst/platform/src/components");
  it.skipIf(!existsSync(platform))("the stand-ins link and subscribe as SST's own components do (its source in .sst/platform; skipped before `npm run sst:platform`)", () => {
    const source = (file: string) => readFileSync(join(platform, file), "utf8");
    /** The body of a class's getSSTLink (to the method's closing brace at two spaces' indent). */
    const linkBody = (file: string) => {
      const s = source(file);
      const at = s.indexOf("public getSSTLink() {");
      expect(at, file).toBeGreaterThan(0);
      return s.slice(at, s.indexOf("\n  }\n", at));
    };
    const probe = { name: "N", arn: "A", url: "U", fnName: "F", sender: "S", configSet: "C", nodes: { identity: { arn: "I" }, configurationSet: { arn: "CS" } } };
    for (const [type, { file, link }] of Object.entries(SST_LINKS)) {
      if (!file) continue;
      const body = linkBody(file);
      const include = link(probe).include ?? [];
      // As many permissions as SST includes, each of its actions there, `*` resources where SST has them.
      expect(body.match(/permission\(\{/g)?.length ?? 0, type).toBe(include.length);
      for (const p of include) for (const a of p.actions!) expect(body, `${type}: ${a}`).toContain(`"${a}"`);
      expect(body.includes(`resources: ["*"]`), type).toBe(include.some((p) => p.resources!.includes("*")));
      for (const key of Object.keys(link(probe).properties)) expect(body, `${type}: ${key}`).toMatch(new RegExp(`\\b${key}:`));
    }
    const subscriber = source(SST_SUBSCRIPTION.file);
    for (const a of SST_SUBSCRIPTION.actions) expect(subscriber).toContain(`"${a}"`);
    // And SST's wrap replaces the class's link, as the stand-in's does.
    expect(source("linkable.ts")).toMatch(/cls\.prototype\.getSSTLink = function \(\) \{\s*return cb\(this\);/);
  });
});

describe("docs/deploy.md against the infrastructure", () => {
  const deploy = () => readFileSync(join(root, "docs/deploy.md"), "utf8");

  it("names the URL shape infra creates: a Lambda Function URL, not an API Gateway", () => {
    const api = one("Function", "Api");
    expect(api.args.url).toBe(true);
    expect(made.some((m) => /ApiGateway/i.test(m.type))).toBe(false);
    expect(deploy()).toContain(".lambda-url.");
    expect(deploy()).not.toContain("execute-api");
  });

  it("names every secret infra declares, and the region sst.config.ts fixes", async () => {
    const secrets = made.filter((m) => m.type === "Secret").map((m) => m.name);
    expect(secrets.length).toBeGreaterThan(0);
    for (const s of secrets) expect(deploy(), s).toContain(`\`${s}\``);
    const region = /region:\s*"([a-z0-9-]+)"/.exec(readFileSync(join(root, "sst.config.ts"), "utf8"))![1];
    expect(deploy()).toContain(`\`${region}\``);
  });

  it("refuses to deploy without FOLLOWTHROUGH_NOTICE_SENDER instead of falling back to an example address", async () => {
    const { noticeSender } = await import(pathToFileURL(join(root, "infra/email.ts")).href);
    expect(() => noticeSender({})).toThrow(/FOLLOWTHROUGH_NOTICE_SENDER/);
    expect(() => noticeSender({ FOLLOWTHROUGH_NOTICE_SENDER: " " })).toThrow(/FOLLOWTHROUGH_NOTICE_SENDER/);
    expect(noticeSender({ FOLLOWTHROUGH_NOTICE_SENDER: "notices@x.example" })).toBe("notices@x.example");
    expect(deploy()).toContain("FOLLOWTHROUGH_NOTICE_SENDER");
  });

  it("a domain sender's DNS records: FOLLOWTHROUGH_NOTICE_DNS says who adds them, required on every deploy; an address takes none (helper-185 #2, helper-186 #1)", async () => {
    const { noticeDns } = await import(pathToFileURL(join(root, "infra/email.ts")).href);
    const domain = { FOLLOWTHROUGH_NOTICE_SENDER: "notices.example" };
    // SST's Email adds a domain's records through Route 53 unless told dns: false.
    expect(noticeDns({ ...domain, FOLLOWTHROUGH_NOTICE_DNS: "none" })).toEqual({ dns: false });
    expect(noticeDns({ ...domain, FOLLOWTHROUGH_NOTICE_DNS: "route53" })).toEqual({});
    // Unset for a domain: refused, as a redeploy that switched would delete or miss the records.
    expect(() => noticeDns(domain)).toThrow(/FOLLOWTHROUGH_NOTICE_DNS is not set/);
    expect(() => noticeDns({ ...domain, FOLLOWTHROUGH_NOTICE_DNS: "cloudflare" })).toThrow(/FOLLOWTHROUGH_NOTICE_DNS must be/);
    // An address sender takes none, whatever the variable says.
    expect(noticeDns({ FOLLOWTHROUGH_NOTICE_SENDER: "notices@x.example" })).toEqual({});
    // And infra/email.ts passes it to the component: evaluated again with a domain sender.
    const before = { sender: process.env.FOLLOWTHROUGH_NOTICE_SENDER, dns: process.env.FOLLOWTHROUGH_NOTICE_DNS };
    Object.assign(process.env, { FOLLOWTHROUGH_NOTICE_SENDER: "notices.example", FOLLOWTHROUGH_NOTICE_DNS: "none" });
    try {
      const { notices } = await import(`${pathToFileURL(join(root, "infra/email.ts")).href}?domain`);
      expect(made.find((m) => m.self === notices)?.args).toMatchObject({ sender: "notices.example", dns: false });
    } finally {
      process.env.FOLLOWTHROUGH_NOTICE_SENDER = before.sender;
      if (before.dns === undefined) delete process.env.FOLLOWTHROUGH_NOTICE_DNS;
      else process.env.FOLLOWTHROUGH_NOTICE_DNS = before.dns;
    }
    expect(deploy()).toContain("FOLLOWTHROUGH_NOTICE_DNS");
  });

  it("docs/security.md names every action each function's role allows, and the resources it is held to", () => {
    const doc = readFileSync(join(root, "docs/security.md"), "utf8");
    const section = doc.slice(doc.indexOf("## What each function may do in AWS"), doc.indexOf("## Left open, knowingly"));
    expect(section.length).toBeGreaterThan(100);
    for (const f of functions())
      for (const s of effectivePermissions(f)) for (const a of s.actions) expect(section, `${f.where}: ${a}`).toContain(a.split(":")[1]);
    for (const words of ["table/index/gsi2", "dynamodb:LeadingKeys", keys.dispatched.pk, "Notices identity", "configuration set"]) expect(section).toContain(words);
  });

  it("a provider left at the placeholder client is not offered", async () => {
    const { isConfiguredClient } = await import("@followthrough/functions/resources");
    expect(isConfiguredClient("placeholder")).toBe(false);
    expect(isConfiguredClient("")).toBe(false);
    expect(isConfiguredClient(undefined)).toBe(false);
    expect(isConfiguredClient("1234.apps.googleusercontent.com")).toBe(true);
    expect(deploy()).toMatch(/placeholder[^\n]*not offered|not offered[^\n]*placeholder/);
  });
});
