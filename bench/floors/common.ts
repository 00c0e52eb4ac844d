/**
 * Shared by the floor stubs of `npm run bench handlers`: a floor imports only the SDK clients its
 * handler must use and makes the same first calls, nothing of ours. Configuration comes from the
 * same SST_RESOURCE_* variables the handlers read, plus FLOOR_* (the account's plain refresh token
 * and endpoints, which the real handler reads from its table).
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand, BatchWriteCommand } from "@aws-sdk/lib-dynamodb";

export const resource = <T>(name: string): T => JSON.parse(process.env[`SST_RESOURCE_${name}`]!) as T;
export const floorEnv = (name: string): string => process.env[`FLOOR_${name}`]!;

export const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
export const table = () => resource<{ name: string }>("Table").name;

/** What every account job does first: read the account, take the scan lease. */
export async function accountAndLease(email: string): Promise<Record<string, unknown>> {
  const pk = `ACCOUNT#${email}`;
  const got = await doc.send(new GetCommand({ TableName: table(), Key: { pk, sk: "ACCOUNT" } }));
  await doc.send(new PutCommand({ TableName: table(), Item: { pk, sk: "LEASE#floor", owner: "floor", expiresAt: Math.floor(Date.now() / 1000) + 960 } }));
  return got.Item ?? {};
}

/** Stores what was read (one batch write), as a sync stores a page. */
export async function store(email: string, kind: string, ids: string[]): Promise<void> {
  const items = ids.slice(0, 25).map((id) => ({ PutRequest: { Item: { pk: `ACCOUNT#${email}`, sk: `FLOOR${kind}#${id}` } } }));
  if (items.length) await doc.send(new BatchWriteCommand({ RequestItems: { [table()]: items } }));
}

/** An SQS record's body. */
export const bodyOf = (event: { Records: { body: string }[] }) => event.Records[0].body.trim().toLowerCase();
