/** The SQS queue sender over SQS's own client, against the loopback stand-in speaking SQS's JSON protocol. */
import { SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memorySender } from "@followthrough/core/queue";
import { sqsSender } from "@followthrough/core/queue/sqs";
import { startSqsStandIn, type SqsStandIn } from "./support/lambda";

let sqs: SqsStandIn;
let client: SQSClient;
beforeAll(async () => {
  sqs = await startSqsStandIn();
  client = new SQSClient({ endpoint: sqs.endpoint, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
});
afterAll(async () => {
  client?.destroy();
  await sqs?.close();
});

describe("sqsSender", () => {
  it("sends a batch, with DelaySeconds on every entry when asked for a delay and none otherwise", async () => {
    const sender = sqsSender(client, sqs.url("Digests"));
    expect(await sender.sendBatch(["a@x.io", "b@x.io"])).toEqual({ failed: [] });
    expect(await sender.sendBatch(["c@x.io"], { delaySeconds: 120 })).toEqual({ failed: [] });
    expect(await sender.sendBatch(["d@x.io"], { delaySeconds: 0 })).toEqual({ failed: [] });
    expect(sqs.messages.get("Digests")).toEqual(["a@x.io", "b@x.io", "c@x.io", "d@x.io"]);
    expect(sqs.delays.get("Digests")).toEqual([undefined, undefined, 120, 0]);
  });

  it("refuses a delay SQS would refuse, and more than ten messages, before any request", async () => {
    const sender = sqsSender(client, sqs.url("Refused"));
    await expect(sender.sendBatch(["x"], { delaySeconds: 901 })).rejects.toThrow(/DelaySeconds must be a whole number from 0 to 900/);
    await expect(sender.sendBatch(["x"], { delaySeconds: 1.5 })).rejects.toThrow(RangeError);
    await expect(sender.sendBatch(Array.from({ length: 11 }, (_, i) => `m${i}`))).rejects.toThrow(/at most 10 messages/);
    await expect(sender.sendBatch([], { delaySeconds: -1 })).rejects.toThrow(RangeError);
    expect(sqs.messages.get("Refused")).toBeUndefined();
    // The in-memory sender refuses the same.
    await expect(memorySender().sendBatch(["x"], { delaySeconds: 901 })).rejects.toThrow(/DelaySeconds/);
  });
});

describe("the SQS stand-in refuses what SQS refuses (its API reference: SendMessage, SendMessageBatch; helper-185 #3)", () => {
  const send = async (entries: { Id: string; MessageBody: string; DelaySeconds?: number }[]) => {
    const res = await fetch(sqs.endpoint, {
      method: "POST",
      headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "AmazonSQS.SendMessageBatch" },
      body: JSON.stringify({ QueueUrl: sqs.url("Strict"), Entries: entries }),
    });
    const body = (await res.json()) as { __type?: string; Failed?: { Id: string; Code: string; SenderFault: boolean }[] };
    return { status: res.status, type: body.__type, failed: body.Failed?.length ? body.Failed.map((f) => [f.Id, f.Code]) : undefined };
  };
  const entry = (i: number, over: Partial<{ Id: string; MessageBody: string; DelaySeconds: number }> = {}) => ({ Id: String(i), MessageBody: `m${i}`, ...over });

  it("a batch of none, or of more than ten, an entry id SQS does not allow or used twice, or more than 1 MiB is refused whole", async () => {
    const refused = async (entries: ReturnType<typeof entry>[], code: string) => expect(await send(entries)).toEqual({ status: 400, type: `com.amazonaws.sqs#${code}`, failed: undefined });
    await refused([], "EmptyBatchRequest");
    await refused(Array.from({ length: 11 }, (_, i) => entry(i)), "TooManyEntriesInBatchRequest");
    await refused([entry(0, { Id: "a.b" })], "InvalidBatchEntryId");
    await refused([entry(0), entry(0)], "BatchEntryIdsNotDistinct");
    await refused([entry(0, { MessageBody: "x".repeat(600_000) }), entry(1, { MessageBody: "x".repeat(600_000) })], "BatchRequestTooLong");
    expect(sqs.messages.get("Strict") ?? []).toEqual([]);
  });

  it("an entry with a delay past 900 s, an empty body or a character XML does not allow fails alone, in the answer's Failed, and the others are taken", async () => {
    const bad = [entry(1, { DelaySeconds: 901 }), entry(2, { MessageBody: "" }), entry(3, { MessageBody: "\u0000" }), entry(4, { MessageBody: "\uFFFF" }), entry(5, { MessageBody: "\uD800 alone" })];
    expect(await send([entry(0), ...bad, entry(6)])).toEqual({
      status: 200,
      type: undefined,
      failed: [
        ["1", "InvalidParameterValue"],
        ["2", "InvalidMessageContents"],
        ["3", "InvalidMessageContents"],
        ["4", "InvalidMessageContents"],
        ["5", "InvalidMessageContents"],
      ],
    });
    expect(sqs.messages.get("Strict")).toEqual(["m0", "m6"]);
    // The product's sender reports those bodies failed, as SQS's answer names them.
    expect(await sqsSender(client, sqs.url("Strict")).sendBatch(["ok", "\u0000"])).toEqual({ failed: ["\u0000"] });
    // What the product sends is taken: ten entries, ids 0-9, an address, a JSON body with a long id, a delay of 900 s.
    expect((await send(Array.from({ length: 10 }, (_, i) => entry(i, { MessageBody: i ? `{"job":"event","evt":"${"e".repeat(1041)}"}` : "ana@example.org", DelaySeconds: 900 })))).status).toBe(200);
  });
});
