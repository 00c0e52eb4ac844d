/**
 * Shared by the floor stubs of `npm run bench handlers`: a floor imports only the SDK clients its
 * handler must use and makes the same first calls, nothing of ours. Configuration comes from the
 * same SST_RESOURCE_* variables the handlers read, plus FLOOR_* (the account's plain refresh token
 * and endpoints, which the real handler reads from its table).
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { BatchWriteCommand, DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";

export const resource = <T>(name: string): T => JSON.parse(process.env[`SST_RESOURCE_${name}`]!) as T;
export const floorEnv = (name: string): string => process.env[`FLOOR_${name}`]!;

export const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
export const table = () => resource<{ name: string }>("Table").name;

/**
 * What every account job does first, as the handler's table calls go: read the account, take the
 * scan lease (a conditional put), read the calendar stream's cursor.
 */
export async function accountAndLease(email: string): Promise<Record<string, unknown>> {
  const pk = `ACCOUNT#${email}`;
  const got = await doc.send(new GetCommand({ TableName: table(), Key: { pk, sk: "ACCOUNT" } }));
  const now = Math.floor(Date.now() / 1000);
  await doc.send(
    new PutCommand({
      TableName: table(),
      Item: { pk, sk: "LEASE#floor", owner: "floor", expiresAt: now + 960 },
      ConditionExpression: "attribute_not_exists(pk) OR expiresAt < :now",
      ExpressionAttributeValues: { ":now": now },
    }),
  );
  await doc.send(new GetCommand({ TableName: table(), Key: { pk, sk: "CURSOR#calendar" } }));
  return got.Item ?? {};
}

/**
 * The most calls one mailbox may have in flight in the provider the bench runs against (set by
 * bench/handlers.ts from the sandbox's `gmailConcurrency`, 5, and `graphConcurrency`, 4: its reading
 * of Gmail's per-user and Graph's per-mailbox concurrent-request limits, over which a call is
 * refused 429; docs/provider-quirks.md). A floor makes the calls the provider allows as fast as it
 * allows them; the adapter holds 4 Gmail calls, one fewer, and that difference is ours. Until
 * 2026-12-05 the floor sent a page's metadata reads all at once (13 in the weekly run), which the
 * sandbox let through only because it answers in-process and never sees two calls overlap.
 */
export const inFlight = (provider: "GMAIL" | "GRAPH"): number => {
  const n = Number(floorEnv(`${provider}_IN_FLIGHT`));
  if (!Number.isInteger(n) || n < 1) throw new Error(`FLOOR_${provider}_IN_FLIGHT: not set (bench/handlers.ts sets it)`);
  return n;
};

/** `fn` over `items`, at most `n` at a time, the answers in the items' order. */
export async function atMost<T, R>(n: number, items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, lane));
  return out;
}

/** An Outlook account's refresh token rotated (the adapter's onRefreshToken: one conditional update of the account). */
export async function rotateToken(email: string): Promise<void> {
  await doc.send(new UpdateCommand({ TableName: table(), Key: { pk: `ACCOUNT#${email}`, sk: "ACCOUNT" }, UpdateExpression: "SET floorToken = :t", ExpressionAttributeValues: { ":t": Date.now() } }));
}

/**
 * The weekly run's first questions: has the first read of every stream ended (their cursors read:
 * with `accountAndLease`'s, three, which the scan then starts from), and, as it has not on a new
 * account, has a digest been sent (core/digest hasSentDigest, one Query).
 */
export async function cursorsRead(email: string): Promise<void> {
  const pk = `ACCOUNT#${email}`;
  await Promise.all(["sent", "ownermail"].map((s) => doc.send(new GetCommand({ TableName: table(), Key: { pk, sk: `CURSOR#${s}` } }))));
  await doc.send(new QueryCommand({ TableName: table(), KeyConditionExpression: "pk = :p AND begins_with(sk, :s)", ExpressionAttributeValues: { ":p": pk, ":s": "DIGEST#" } }));
}

/** Where a scan's streams' cursors were read before it began (the weekly run's `cursorsRead`): none is read again. */
export type Reads = { cursorsRead?: boolean };

/** After a stream's page: its items and its cursor stored; then the next stream's cursor read (unless read before). */
export async function storePage(email: string, stream: "calendar" | "sent", items: { id?: string | null }[], o: Reads = {}): Promise<void> {
  const pk = `ACCOUNT#${email}`;
  await store(email, stream === "calendar" ? "MEETING" : "MSG", items);
  await doc.send(new PutCommand({ TableName: table(), Item: { pk, sk: `CURSOR#${stream}`, mode: "incremental", at: Date.now() } }));
  if (stream === "calendar" && !o.cursorsRead) await doc.send(new GetCommand({ TableName: table(), Key: { pk, sk: "CURSOR#sent" } }));
}

/** A stream that stores nothing: its cursor read (unless read before), `read`, its cursor stored after each of `pages` pages. */
export async function ownerMailPage(email: string, read: () => Promise<void>, pages = 1, o: Reads = {}): Promise<void> {
  const key = { pk: `ACCOUNT#${email}`, sk: "CURSOR#ownermail" };
  if (!o.cursorsRead) await doc.send(new GetCommand({ TableName: table(), Key: key }));
  await read();
  for (let n = 0; n < pages; n++) await doc.send(new PutCommand({ TableName: table(), Item: { ...key, mode: "incremental", at: Date.now() } }));
}

/**
 * The end of a scan with the handler's table calls, in its order (counted through a proxy, a Google
 * backfill: 6 Get, 7 Put, 2 BatchWrite, 5 Query, 2 Update, 1 Delete in all (the owner-mail stream's
 * cursor read and stored twice: `ownerMailPage`); an Outlook one: 5 Get, 5 Put (that cursor stored
 * once), the same others, one Update being its refresh token's rotation, `rotateToken`): the stored
 * records read back for the rules, the owner's learned aliases stored (`ownerLearned`: the Gmail
 * adapter's Send-As aliases; and its sent cursor is written twice, the floor's second Put is its
 * scan mark), then (a complete first read) the week's event emails planned from the meetings the
 * rules read and the statements read again, with the next day's calendar sync put on the due-hour
 * index (every active account has one since e20680c; it was deleted when no networking event was
 * near), the lease released, the account's due-hour index set.
 */
export async function finishScan(email: string, o: { ownerLearned: boolean }): Promise<void> {
  const pk = `ACCOUNT#${email}`;
  const load = (prefix: string) => doc.send(new QueryCommand({ TableName: table(), KeyConditionExpression: "pk = :p AND begins_with(sk, :s)", ExpressionAttributeValues: { ":p": pk, ":s": prefix } }));
  await Promise.all([load("MEETING#"), load("MSG#"), load("PERSON#"), load("SAYS#")]);
  if (o.ownerLearned) {
    await doc.send(new GetCommand({ TableName: table(), Key: { pk, sk: "ACCOUNT" } }));
    await doc.send(new UpdateCommand({ TableName: table(), Key: { pk, sk: "ACCOUNT" }, UpdateExpression: "SET floorSeen = :t", ExpressionAttributeValues: { ":t": Date.now() } }));
  }
  await load("SAYS#");
  // Conditional, as the handler's: a sync due after the write and sooner (a continuation) is not put off.
  const now = Date.now();
  const due = now + 86_400_000;
  await doc.send(
    new PutCommand({
      TableName: table(),
      Item: { pk, sk: "FLOOREVJOB#sync", gsi2pk: `EVDUE#${new Date(due).toISOString().slice(0, 13)}`, gsi2sk: pk, due },
      ConditionExpression: "attribute_not_exists(#d) OR #d <= :from OR #d >= :to",
      ExpressionAttributeNames: { "#d": "due" },
      ExpressionAttributeValues: { ":from": now, ":to": due },
    }),
  );
  if (o.ownerLearned) await doc.send(new PutCommand({ TableName: table(), Item: { pk, sk: "FLOORSCAN", at: Date.now() } }));
  await doc.send(new DeleteCommand({ TableName: table(), Key: { pk, sk: "LEASE#floor" } }));
  await doc.send(new GetCommand({ TableName: table(), Key: { pk, sk: "ACCOUNT" } }));
  await doc.send(new UpdateCommand({ TableName: table(), Key: { pk, sk: "ACCOUNT" }, UpdateExpression: "SET floorDone = :t", ExpressionAttributeValues: { ":t": Date.now() } }));
}

/**
 * The weekly digest's table calls around its one send (counted through a proxy: 2 Query, 2 Get,
 * 1 Put and 1 Update more than a scan: the claim, then its outcome; `cursorsRead` adds 2 Get and a Query, and the scan does not read the sent and owner-mail cursors again:
 * with `accountAndLease`'s calendar read, three cursor reads in all, as the handler's `readSoFar`). The digest is built on the scan's meetings and
 * sent messages (core/scan ScanResult.read) and reads the people and the statements again.
 */
export async function digestCalls(email: string, send: () => Promise<unknown>): Promise<void> {
  const pk = `ACCOUNT#${email}`;
  const load = (prefix: string) => doc.send(new QueryCommand({ TableName: table(), KeyConditionExpression: "pk = :p AND begins_with(sk, :s)", ExpressionAttributeValues: { ":p": pk, ":s": prefix } }));
  await Promise.all([load("PERSON#"), load("SAYS#")]);
  // The claim's first read, and beside it the account read again (a pause meanwhile stops the send).
  await Promise.all([doc.send(new GetCommand({ TableName: table(), Key: { pk, sk: "DIGEST#floor" } })), doc.send(new GetCommand({ TableName: table(), Key: { pk, sk: "ACCOUNT" } }))]);
  const claimedAt = Date.now();
  await doc.send(new PutCommand({ TableName: table(), Item: { pk, sk: "DIGEST#floor", status: "sending", claimedAt } }));
  await send();
  await doc.send(
    new UpdateCommand({
      TableName: table(),
      Key: { pk, sk: "DIGEST#floor" },
      UpdateExpression: "SET #s = :s",
      ConditionExpression: "attribute_exists(pk) AND claimedAt = :c",
      ExpressionAttributeNames: { "#s": "status" },
      ExpressionAttributeValues: { ":s": "sent", ":c": claimedAt },
    }),
  );
}

/**
 * Stores what was read (one batch write), as a sync stores a page: each item as the provider gave
 * it, under the prefix `finishScan` reads back for the rules (until 2026-12-02 the floor stored bare
 * ids under `FLOOR…` prefixes, so its read-back found nothing where the handler's reads its records).
 */
export async function store(email: string, kind: string, read: { id?: string | null }[]): Promise<void> {
  const items = read.slice(0, 25).map((item) => ({ PutRequest: { Item: { pk: `ACCOUNT#${email}`, sk: `${kind}#${item.id}`, item: JSON.stringify(item) } } }));
  if (items.length) await doc.send(new BatchWriteCommand({ RequestItems: { [table()]: items } }));
}

/** An SQS record's body. */
export const bodyOf = (event: { Records: { body: string }[] }) => event.Records[0].body.trim().toLowerCase();
