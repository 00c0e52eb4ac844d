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
