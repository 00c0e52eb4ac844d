import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import type { Server as HttpServer } from "node:http";
import { createRequire } from "node:module";
import { createServer, type AddressInfo, type Socket } from "node:net";
import { dirname, join } from "node:path";
import { DynamoDBClient, ListTablesCommand, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { ensureTable } from "./table";

/** Local DynamoDB implementations: in-process dynalite, or AWS DynamoDB Local (Java). */
export type LocalDynamoEngine = "dynalite" | "dynamodb-local";

/** Options for {@link startLocalDynamo}. */
export interface LocalDynamoOptions {
  /** Defaults to env FOLLOWTHROUGH_DYNAMO_ENGINE, else "dynalite". */
  engine?: LocalDynamoEngine;
  /** Defaults to "followthrough". */
  tableName?: string;
  /** Defaults to a free loopback port. */
  port?: number;
  /**
   * dynalite only: a directory where the data persists (LevelDB; one process at a time).
   * Absent (the default): in memory.
   */
  path?: string;
}

/** A running local DynamoDB with its table created and clients configured as for AWS. */
export interface LocalDynamo {
  engine: LocalDynamoEngine;
  endpoint: string;
  tableName: string;
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  /** Destroys the clients and shuts the engine down (idempotent). */
  stop(): Promise<void>;
}

interface RunningEngine {
  endpoint: string;
  stop(): Promise<void>;
}

const ENGINES: readonly LocalDynamoEngine[] = ["dynalite", "dynamodb-local"];
const READY_TIMEOUT_MS = 30_000;
const requireCjs = createRequire(import.meta.url);

/** AWS SDK client config for a local endpoint: region "local" and static dummy credentials. */
export function localClientConfig(endpoint: string): DynamoDBClientConfig {
  return { endpoint, region: "local", credentials: { accessKeyId: "local", secretAccessKey: "local" } };
}

/** Starts a local DynamoDB engine, ensures the single table exists and returns configured clients. */
export async function startLocalDynamo(options: LocalDynamoOptions = {}): Promise<LocalDynamo> {
  const engine = options.engine ?? defaultEngine();
  const tableName = options.tableName ?? "followthrough";
  if (options.path !== undefined && engine !== "dynalite") throw new Error(`an on-disk path is supported by the dynalite engine only, not ${engine}`);
  const running = engine === "dynalite" ? await startDynalite(options.port, options.path) : await startDynamoDbLocal(options.port);
  const client = new DynamoDBClient(localClientConfig(running.endpoint));
  if (engine === "dynalite") refuseLongIndexKeys(client);
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= (client.destroy(), running.stop()));
  try {
    await ensureTable(client, tableName);
  } catch (err) {
    await stop();
    throw err;
  }
  return { engine, endpoint: running.endpoint, tableName, client, doc, stop };
}

/** DynamoDB's limits on a key value (docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html: partition key 2,048 bytes, sort key 1,024). */
const KEY_BYTES = { pk: 2048, sk: 1024 } as const;
const INDEX_KEYS: Record<string, [index: string, kind: keyof typeof KEY_BYTES]> = { gsi1pk: ["gsi1", "pk"], gsi1sk: ["gsi1", "sk"], gsi2pk: ["gsi2", "pk"], gsi2sk: ["gsi2", "sk"] };

/**
 * Makes dynalite refuse what DynamoDB refuses and it takes: an item whose index key is longer than
 * a key may be. DynamoDB applies the key limits to an index's keys too ("Size limit exceeded for
 * Index Key … IndexName", quoted in wellcomecollection/platform#2285; DynamoDB Local raises it,
 * getmoto/moto#3974); dynalite checks only their type (architect/dynalite#35). Puts and batch puts,
 * the writes that carry index keys here (an update sets only an account's short ones).
 */
function refuseLongIndexKeys(client: DynamoDBClient): void {
  // (Marshalled or not: the document client's commands may come here either way.)
  const check = (item: Record<string, unknown> | undefined) => {
    for (const [attr, [index, kind]] of Object.entries(INDEX_KEYS)) {
      const raw = item?.[attr];
      const value = typeof raw === "string" ? raw : (raw as { S?: unknown } | undefined)?.S;
      const bytes = typeof value === "string" ? Buffer.byteLength(value) : 0;
      if (bytes > KEY_BYTES[kind])
        throw Object.assign(new Error(`One or more parameter values were invalid: Size limit exceeded for Index Key ${attr} Actual Size: ${bytes} bytes Max Size: ${KEY_BYTES[kind]} bytes IndexName: ${index}`), { name: "ValidationException", $fault: "client" });
    }
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { Item?: Record<string, unknown>; RequestItems?: Record<string, { PutRequest?: { Item?: Record<string, unknown> } }[]> };
      if (context.commandName === "PutItemCommand") check(input.Item);
      if (context.commandName === "BatchWriteItemCommand") for (const writes of Object.values(input.RequestItems ?? {})) for (const w of writes) check(w.PutRequest?.Item);
      return next(args);
    },
    { step: "initialize", name: "refuseLongIndexKeys" },
  );
}

function defaultEngine(): LocalDynamoEngine {
  const env = process.env.FOLLOWTHROUGH_DYNAMO_ENGINE;
  if (!env) return "dynalite";
  if (!(ENGINES as readonly string[]).includes(env)) {
    // A setting given wrong, as a command-line argument is (the CLI: exit 2, helper-245 #8).
    throw Object.assign(new Error(`FOLLOWTHROUGH_DYNAMO_ENGINE must be one of ${ENGINES.join(", ")}; got "${env}"`), { name: "ConfigError" });
  }
  return env as LocalDynamoEngine;
}

type Dynalite = (options: { createTableMs?: number; updateTableMs?: number; deleteTableMs?: number; path?: string }) => HttpServer;

/** The on-disk store is held by another process (LevelDB allows one at a time). */
export class LocalStoreLockedError extends Error {
  readonly code = "STORE_LOCKED";
  constructor(readonly path: string) {
    super(`the local store ${path} is in use by another process`);
    this.name = "LocalStoreLockedError";
  }
}

/**
 * Opens and closes the LevelDB at `path` once, so a lock held by another process is reported as a
 * {@link LocalStoreLockedError} (dynalite itself would throw it asynchronously, killing the process).
 */
async function probeLevel(path: string): Promise<void> {
  const requireFromDynalite = createRequire(requireCjs.resolve("dynalite"));
  const { Level } = requireFromDynalite("level") as { Level: new (p: string) => { open(): Promise<void>; close(): Promise<void> } };
  const db = new Level(path);
  try {
    await db.open();
  } catch (err) {
    if ((err as { cause?: { code?: string } }).cause?.code === "LEVEL_LOCKED") throw new LocalStoreLockedError(path);
    throw err;
  }
  await db.close();
}

async function startDynalite(port = 0, path?: string): Promise<RunningEngine> {
  const dynalite = requireCjs("dynalite") as Dynalite;
  if (path !== undefined) await probeLevel(path);
  const server = dynalite({ createTableMs: 0, updateTableMs: 0, deleteTableMs: 0, ...(path !== undefined ? { path } : {}) });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => (server.off("error", reject), resolve()));
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const stop = () =>
    new Promise<void>((resolve, reject) => {
      server.close((err) => (err ? reject(err) : resolve()));
      server.closeAllConnections();
    });
  return { endpoint, stop };
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve, reject) => srv.once("error", reject).listen(0, "127.0.0.1", resolve));
  const { port } = srv.address() as AddressInfo;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

async function startDynamoDbLocal(requestedPort?: number): Promise<RunningEngine> {
  const dir = dirname(requireCjs.resolve("amplify-dynamodb-simulator/package.json"));
  const emulator = join(dir, "emulator");
  const jar = join(emulator, "DynamoDBLocal.jar");
  if (!existsSync(jar)) throw new Error(`dynamodb-local: jar missing at ${jar}`);
  for (let attempt = 1; ; attempt++) {
    const port = requestedPort ?? (await freePort());
    try {
      return await launchJava(emulator, jar, port);
    } catch (err) {
      // Lost the race for an auto-picked port: pick another.
      if (requestedPort || attempt >= 3 || !/BindException|already in use/i.test(String(err))) throw err;
    }
  }
}

async function launchJava(emulator: string, jar: string, port: number): Promise<RunningEngine> {
  const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, "bin", "java") : "java";
  const args = [`-Djava.library.path=${join(emulator, "DynamoDBLocal_lib")}`, "-jar", jar];
  const child = spawn(java, [...args, "-inMemory", "-disableTelemetry", "-port", String(port)], {
    cwd: emulator,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keepTail = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-2000));
  child.stdout?.on("data", keepTail);
  child.stderr?.on("data", keepTail);
  let failure: Error | undefined;
  child.once("error", (err: NodeJS.ErrnoException) => {
    failure = new Error(
      err.code === "ENOENT"
        ? `dynamodb-local: Java not found (${java}); install Java 17+ or set JAVA_HOME`
        : `dynamodb-local: failed to spawn ${java}: ${err.message}`,
    );
  });
  child.once("exit", (code, signal) => {
    const tail = output.trim().split("\n").slice(-3).join(" | ");
    failure ??= new Error(`dynamodb-local: java exited (${signal ?? code}) before answering on port ${port}: ${tail}`);
  });
  const killOnExit = () => child.kill("SIGKILL");
  process.on("exit", killOnExit);
  // Don't let a forgotten stop() keep the event loop alive; the exit hook still kills java.
  child.unref();
  for (const s of [child.stdout, child.stderr]) (s as Socket | null)?.unref();

  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    process.off("exit", killOnExit);
    await terminate(child);
  };
  try {
    await waitUntilAnswering(endpoint, () => failure);
  } catch (err) {
    await stop();
    throw err;
  }
  return { endpoint, stop };
}

async function waitUntilAnswering(endpoint: string, failed: () => Error | undefined): Promise<void> {
  const probe = new DynamoDBClient({
    ...localClientConfig(endpoint),
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 500, requestTimeout: 1000, throwOnRequestTimeout: true },
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  try {
    for (;;) {
      let last: unknown;
      try {
        await probe.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch (err) {
        last = err;
      }
      const failure = failed();
      if (failure) throw failure;
      if (Date.now() > deadline) {
        throw new Error(`dynamodb-local: no answer on ${endpoint} after ${READY_TIMEOUT_MS / 1000} s (${String(last)})`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    probe.destroy();
  }
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
  await exited;
  clearTimeout(timer);
}
