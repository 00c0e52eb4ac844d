/** Floor of the hourly dispatcher: one GSI2 query, one SendMessageBatch. */
import { SQSClient, SendMessageBatchCommand } from "@aws-sdk/client-sqs";
import { QueryCommand } from "@aws-sdk/lib-dynamodb";
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
  return { due: emails.length };
}
