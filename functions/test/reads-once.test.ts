/**
 * A backfill and a weekly run read the records only the scan writes (meetings, sent messages) once:
 * the rules, the digest and the plan of the coming week's event emails use the scan's copy
 * (core/scan ScanResult.read, planEventJobs' meetings), not a second and third Query of the same
 * items. The owner's own records, which the app changes at any time (people's stages, statements),
 * are read again where they are used. Counted at the DynamoDB client (a real local endpoint), by the
 * sort-key prefix each Query asks for.
 */
import { loadProvider } from "@followthrough/core/loader";
import { randomUUID } from "node:crypto";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { SQSEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomKeyring } from "@followthrough/core/secrets";
import { ensureTable, keys, Repository } from "@followthrough/core/storage";
import { sandboxAgent } from "@followthrough/sandbox";
import { connectSandboxAccount } from "../../packages/cli/src/sandbox-consent";
import { createBackfillHandler } from "../src/handlers/backfill";
import { createWorkerHandler } from "../src/handlers/worker";
import { buildDeps } from "../src/resources";
import { type HandlerStack, startHandlerStack } from "./support/handler-stack";

const now = Date.parse("2026-10-14T23:30:00Z");
const ring = randomKeyring();
let stack: HandlerStack;

beforeAll(async () => {
  stack = await startHandlerStack(now);
}, 60_000);
afterAll(() => stack?.close());

/** The same client, counting each Query by the prefix of the sort key it asks for. */
function counting(doc: DynamoDBDocumentClient, reads: Map<string, number>): DynamoDBDocumentClient {
  const send = (command: { constructor: { name: string }; input: { ExpressionAttributeValues?: Record<string, unknown> } }, ...rest: unknown[]) => {
    if (command.constructor.name === "QueryCommand") {
      const prefix = String(command.input.ExpressionAttributeValues?.[":p"] ?? "(whole partition)");
      reads.set(prefix, (reads.get(prefix) ?? 0) + 1);
    }
    return (doc.send as (...a: unknown[]) => unknown)(command, ...rest);
  };
  return Object.assign(Object.create(doc), { send }) as DynamoDBDocumentClient;
}

describe("each kind of record is read once per run", () => {
  for (const provider of ["google", "microsoft"] as const) {
    it(`${provider}: meetings and sent messages read once by a backfill and by a weekly run; people and statements where they are used`, async () => {
      const { dynamo, sandbox, fixtures } = stack;
      const email = fixtures[provider].account.email;
      const table = `readsOnce${provider}`;
      await ensureTable(dynamo.client, table);
      await connectSandboxAccount(sandbox, fixtures[provider].account, new Repository(dynamo.doc, table), ring);
      const run = async (kind: "backfill" | "worker") => {
        const reads = new Map<string, number>();
        const deps = buildDeps({ loader: loadProvider,
          tableName: table,
          doc: counting(dynamo.doc, reads),
          tokenKeyring: ring,
          linkKey: "reads-once-link-key",
          baseUrl: "https://app.followthrough.test",
          now: () => now,
          provider: { retry: { baseMs: 5, maxMs: 50 }, microsoftFetchOptions: { agent: sandboxAgent(sandbox.ca!) } as never },
        });
        const handler = (kind === "backfill" ? createBackfillHandler : createWorkerHandler)(() => deps);
        expect(await handler({ Records: [{ messageId: randomUUID(), body: email }] } as SQSEvent)).toEqual({ batchItemFailures: [] });
        return reads;
      };
      const { meeting, message, person, says, digest } = keys.prefix;
      const counts = (reads: Map<string, number>) => Object.fromEntries([meeting, message, person, says].map((p) => [p, reads.get(p) ?? 0]));
      // The first backfill (a first full sync: nothing stored to sweep): the rules' reads, then the
      // plan on the same meetings and the statements read again.
      expect(counts(await run("backfill"))).toEqual({ [meeting]: 1, [message]: 1, [person]: 1, [says]: 2 });
      // The weekly run: the scan's reads; the digest reads people and statements again, the plan the statements.
      expect(counts(await run("worker"))).toEqual({ [meeting]: 1, [message]: 1, [person]: 2, [says]: 3 });
      // And it did send the week's digest.
      const sent = await new Repository(dynamo.doc, table).query(keys.partition(email), digest);
      expect(sent.map((d) => (d.digest as { status: string }).status)).toEqual(["sent"]);
    }, 60_000);
  }
});
