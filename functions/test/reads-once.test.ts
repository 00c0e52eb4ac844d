/**
 * A backfill and a weekly run read the records only the scan writes (meetings, sent messages) once:
 * the rules, the digest and the plan of the coming week's event emails use the scan's copy
 * (core/scan ScanResult.read, planEventJobs' meetings), not a second and third Query of the same
 * items. The owner's own records, which the app changes at any time (people's stages, statements),
 * are read again where they are used. Counted at the DynamoDB client (a real local endpoint), by the
 * sort-key prefix each Query asks for.
 */
import { randomUUID } from "node:crypto";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { SQSEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keys } from "@followthrough/core/storage";
import { createBackfillHandler } from "../src/handlers/backfill";
import { createWorkerHandler } from "../src/handlers/worker";
import { type HandlerStack, startHandlerStack } from "./support/handler-stack";

const now = Date.parse("2026-10-14T23:30:00Z");
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
      const { dynamo, fixtures } = stack;
      const email = fixtures[provider].account.email;
      const table = `readsOnce${provider}`;
      const repo = await stack.connect(fixtures[provider].account, table);
      const run = async (kind: "backfill" | "worker") => {
        const reads = new Map<string, number>();
        const deps = stack.deps(table, { doc: counting(dynamo.doc, reads), linkKey: "reads-once-link-key", baseUrl: "https://app.followthrough.test", now: () => now });
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
      const sent = await repo.query(keys.partition(email), digest);
      expect(sent.map((d) => (d.digest as { status: string }).status)).toEqual(["sent"]);
    }, 60_000);
  }
});
