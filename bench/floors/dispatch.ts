/**
 * Floor of the dispatcher: one GSI2 query, one SendMessageBatch, and (since 2026-12-01, as the
 * handler) its own record read and written: the last quarter hour dispatched, which a run that
 * finds a gap catches up.
 */
import { SQSClient, SendMessageBatchCommand } from "@aws-sdk/client-sqs";
import { GetCommand, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { doc, resource, table } from "./common";

const sqs = new SQSClient({});

export async function handler(event: { time: string }) {
  const at = Date.parse(event.time);
  const d = new Date(at);
  const slot = ((d.getUTCDay() + 6) % 7) * 24 + d.getUTCHours();
  const page = await doc.send(new QueryCommand({ TableName: table(), IndexName: "gsi2", KeyConditionExpression: "gsi2pk = :p", ExpressionAttributeValues: { ":p": `DUE#${String(slot).padStart(3, "0")}` } }));
  const emails = (page.Items ?? []).map((i) => String(i.gsi2sk ?? i.email));
  if (emails.length)
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: resource<{ url: string }>("Digests").url, Entries: emails.slice(0, 10).map((MessageBody, i) => ({ Id: String(i), MessageBody })) }));
  const quarter = Math.floor(at / 900_000) * 900_000;
  await doc.send(new GetCommand({ TableName: table(), Key: { pk: "DISPATCH", sk: "LAST" } }));
  await doc.send(new PutCommand({ TableName: table(), Item: { pk: "DISPATCH", sk: "LAST", at: quarter }, ConditionExpression: "attribute_not_exists(pk) OR #a < :a", ExpressionAttributeNames: { "#a": "at" }, ExpressionAttributeValues: { ":a": quarter } }));
  return { due: emails.length };
}
