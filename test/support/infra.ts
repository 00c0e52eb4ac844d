/**
 * sst.config.ts and infra/*.ts evaluated with SST's globals stubbed: `$config` returns its input,
 * and `sst.*` constructors record (name, args). No .sst/platform, no network, no AWS. The stand-ins
 * link as SST's own components do (sst 4.17.1: each one's `getSSTLink`, its properties and the
 * permissions it includes, {@link SST_LINKS}), `sst.Linkable.wrap` replaces a class's link as SST's
 * does, and a queue's subscriber gets the statement SST's subscription adds
 * ({@link SST_SUBSCRIPTION}), so what each function may do in AWS can be read off
 * ({@link effectivePermissions}). Used by test/infra.test.ts and test/lambda-modules.test.ts.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";

export const root = join(import.meta.dirname, "../..");

export type Args = Record<string, any>;
export interface Made {
  type: string;
  name: string;
  args: Args;
  self: any;
}
export const made: Made[] = [];
export const subscriptions: { queue: string; subscriber: Args; args: Args }[] = [];

/** An IAM statement as a function's role gets it (Allow; resources as the stand-ins' outputs name them). */
export interface Statement {
  actions: string[];
  resources: string[];
  conditions?: Condition[];
  /** Where it comes from: the function's `permissions`, a link, the subscription. */
  from: string;
}

/** An IAM condition of a statement (SST's FunctionPermissionArgs `conditions`). */
export interface Condition {
  test: string;
  variable: string;
  values: string[];
}

interface LinkDefinition {
  properties: Record<string, unknown>;
  include?: { type: string; actions?: string[]; resources?: string[] }[];
}

const permission = (input: { actions: string[]; resources: string[] }) => ({ type: "aws.permission", ...input });

/**
 * SST's own links, as sst 4.17.1 builds them (.sst/platform/src/components/aws/<file> `getSSTLink`;
 * test/infra.test.ts checks these actions against that source when it is installed).
 */
export const SST_LINKS: Record<string, { file?: string; link(self: any): LinkDefinition }> = {
  Dynamo: {
    file: "aws/dynamo.ts",
    link: (t) => ({ properties: { name: t.name }, include: [permission({ actions: ["dynamodb:*"], resources: [t.arn, `${t.arn}/*`] })] }),
  },
  Queue: { file: "aws/queue.ts", link: (q) => ({ properties: { url: q.url }, include: [permission({ actions: ["sqs:*"], resources: [q.arn] })] }) },
  Email: {
    file: "aws/email.ts",
    link: (e) => ({
      properties: { sender: e.sender, configSet: e.configSet },
      include: [
        permission({ actions: ["ses:*"], resources: [e.nodes.identity.arn, e.nodes.configurationSet.arn] }),
        permission({ actions: ["ses:SendEmail", "ses:SendRawEmail", "ses:SendTemplatedEmail"], resources: ["*"] }),
      ],
    }),
  },
  Function: { file: "aws/function.ts", link: (f) => ({ properties: { name: f.fnName, url: f.url }, include: [permission({ actions: ["lambda:InvokeFunction"], resources: [f.arn] })] }) },
  Secret: { link: (s) => ({ properties: { value: s.value } }) },
  Linkable: { link: (l) => l.definition },
};

/** What SST's queue subscription adds to its subscriber's role, on the queue (aws/queue-lambda-subscriber.ts). */
export const SST_SUBSCRIPTION = {
  file: "aws/queue-lambda-subscriber.ts",
  actions: ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ReceiveMessage"],
};

/** A recording stand-in for an SST component; outputs are readable strings. */
function component(type: string, outputs: string[]) {
  return class {
    readonly name: string;
    constructor(name: string, args: Args = {}) {
      this.name = name;
      for (const o of outputs) (this as any)[o] = `${name}.${o}`;
      if (type === "Dynamo") (this as any).name = `${name}.name`;
      if (type === "Function") (this as any).fnName = `${name}.name`;
      if (type === "Email") (this as any).nodes = { identity: { arn: `${name}.identity.arn` }, configurationSet: { arn: `${name}.configurationSet.arn` } };
      if (type === "Linkable") (this as any).definition = args;
      made.push({ type, name, args, self: this });
    }
    subscribe(subscriber: Args, args: Args = {}) {
      subscriptions.push({ queue: this.name, subscriber, args });
      // SST's QueueLambdaSubscriber: its function under `nodes`.
      return { nodes: { function: { name: `${this.name}Subscriber.name` } } };
    }
    /** The link SST's component of this type makes (a prototype method: `sst.Linkable.wrap` replaces it). */
    getSSTLink(): LinkDefinition {
      return SST_LINKS[type].link(this);
    }
  };
}

const Linkable = Object.assign(component("Linkable", []), {
  /** As SST's: every instance of `cls` links as `cb` says, from then on. */
  wrap(cls: { prototype: any }, cb: (resource: any) => LinkDefinition) {
    cls.prototype.getSSTLink = function () {
      return cb(this);
    };
  },
});

export const stubs = {
  $config: (x: unknown) => x,
  $app: { name: "followthrough", stage: "test" },
  $dev: false,
  $interpolate: (parts: TemplateStringsArray, ...values: unknown[]) => parts.reduce((s, p, i) => s + p + (i < values.length ? String(values[i]) : ""), ""),
  sst: {
    Secret: component("Secret", ["value"]),
    Linkable,
    aws: {
      Dynamo: component("Dynamo", ["arn"]),
      Function: component("Function", ["url", "arn"]),
      Queue: component("Queue", ["url", "arn"]),
      Cron: component("Cron", []),
      Email: component("Email", ["sender", "configSet"]),
      permission,
    },
  },
  aws: { lambda: { FunctionRecursionConfig: component("FunctionRecursionConfig", []) } },
};

let evaluated: Promise<{ config: { app(input: { stage: string }): Args; run(): Promise<Args> }; outputs: Args }> | undefined;

/** sst.config.ts's app, evaluated once with the stubs (its `run()` declares every resource). */
export function evaluateInfra() {
  return (evaluated ??= (async () => {
    Object.assign(globalThis, stubs);
    // deploy.md has the deployer export it; infra refuses to deploy without it (test/infra.test.ts).
    process.env.FOLLOWTHROUGH_NOTICE_SENDER ??= "notices@test.example";
    // Not a static import: the root type-check must not follow sst.config.ts into .sst/platform.
    const config = (await import(pathToFileURL(join(root, "sst.config.ts")).href)).default;
    return { config, outputs: await config.run() };
  })());
}

/** A declared function: where, its arguments, and the queue it consumes (a subscriber). */
export interface DeclaredFunction {
  where: string;
  args: Args;
  queue?: string;
}

/** Every function the infra declares: standalone, as a cron job, as a queue subscriber. */
export function functions(): DeclaredFunction[] {
  return [
    ...made.filter((m) => m.type === "Function").map((m) => ({ where: `Function ${m.name}`, args: m.args })),
    ...made.filter((m) => m.type === "Cron").map((m) => ({ where: `Cron ${m.name}`, args: m.args.function })),
    ...subscriptions.map((s) => ({ where: `subscriber of ${s.queue}`, args: s.subscriber, queue: s.queue })),
  ];
}

/** The declared function of a handler path (`functions/src/api` or `functions/src/api.handler`). */
export function functionOf(handler: string): DeclaredFunction {
  const found = functions().filter((f) => f.args.handler === handler || String(f.args.handler).startsWith(`${handler}.`));
  if (found.length !== 1) throw new Error(`${found.length} functions of ${handler}`);
  return found[0];
}

/** The component type of a linked value (its stand-in's record). */
export const typeOf = (linked: unknown) => made.find((m) => m.self === linked)?.type;

/**
 * Every statement the function's role gets: its `permissions`, what each of its links includes, and
 * a subscriber's subscription (SST_SUBSCRIPTION on the queue it consumes). Not listed: AWS's managed
 * AWSLambdaBasicExecutionRole (its own logs), which SST attaches to every function.
 */
export function effectivePermissions(fn: DeclaredFunction): Statement[] {
  const out: Statement[] = [];
  for (const p of fn.args.permissions ?? []) out.push({ actions: p.actions, resources: p.resources, ...(p.conditions ? { conditions: p.conditions } : {}), from: "permissions" });
  for (const l of fn.args.link ?? []) {
    for (const i of (l.getSSTLink() as LinkDefinition).include ?? []) {
      if (i.type === "aws.permission") out.push({ actions: i.actions!, resources: i.resources!, from: `link ${l.name}` });
    }
  }
  if (fn.queue) out.push({ actions: SST_SUBSCRIPTION.actions, resources: [`${fn.queue}.arn`], from: `subscription to ${fn.queue}` });
  return out;
}

/** A statement's conditions as words: ` when <test> <variable> <value>|<value>`, each. */
export const conditionWords = (conditions: Condition[] = []) => conditions.map((c) => ` when ${c.test} ${c.variable} ${c.values.join("|")}`).join("");

/** Every (action, resource) pair the statements grant, as `action resource` and any conditions, sorted. */
export const grantPairs = (statements: Statement[]) =>
  [...new Set(statements.flatMap((s) => s.actions.flatMap((a) => s.resources.map((r) => `${a} ${r}${conditionWords(s.conditions)}`))))].sort();

/** An IAM pattern (`*` any run, `?` one character) as a regular expression. */
const pattern = (p: string, flags = "") => new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, flags);

/** What a call gives IAM's conditions: the partition keys of the items it names (`dynamodb:LeadingKeys`). */
export interface CallContext {
  leadingKeys?: string[];
}

/**
 * Whether a condition holds for the call. Only the one infra uses is known: every partition key the
 * call names among the values (`ForAllValues:StringEquals` on `dynamodb:LeadingKeys`); a call whose
 * keys are not known, or any other condition, does not satisfy it.
 */
function holds(c: Condition, context: CallContext): boolean {
  if (c.test === "ForAllValues:StringEquals" && c.variable === "dynamodb:LeadingKeys") return !!context.leadingKeys?.length && context.leadingKeys.every((k) => c.values.includes(k));
  return false;
}

/** Whether the statements allow `action` on `resource` (IAM's matching: actions case-insensitive, resources not; conditions must hold). */
export function allows(statements: Statement[], action: string, resource: string, context: CallContext = {}): boolean {
  return statements.some(
    (s) => s.actions.some((a) => pattern(a, "i").test(action)) && s.resources.some((r) => pattern(r).test(resource)) && (s.conditions ?? []).every((c) => holds(c, context)),
  );
}

/** Whether the statements allow `action` on some resource. */
export const allowsAction = (statements: Statement[], action: string): boolean => statements.some((s) => s.actions.some((a) => pattern(a, "i").test(action)));
