import { createServer } from "node:net";
import { DescribeTableCommand, DescribeTimeToLiveCommand, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureTable, keys, Repository, startLocalDynamo, TTL_ATTRIBUTE, type LocalDynamo } from "@followthrough/core/storage";
import { eventJobsDue, putEventJob } from "@followthrough/core/events";

/** Resolves true if the port can be bound again on loopback (i.e. the engine released it). */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

describe.each(["dynalite", "dynamodb-local"] as const)("local DynamoDB (%s)", (engine) => {
  let db: LocalDynamo;

  beforeAll(async () => {
    // No skip when Java is missing: startLocalDynamo throws and the whole suite fails.
    db = await startLocalDynamo({ engine, tableName: `t_${engine.replace("-", "_")}` });
  }, 40_000);

  afterAll(async () => {
    await db?.stop();
  });

  it("starts on a loopback endpoint with the table created", async () => {
    expect(db.engine).toBe(engine);
    expect(db.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const { TableNames } = await db.client.send(new ListTablesCommand({}));
    expect(TableNames).toContain(db.tableName);
  });

  it("ensureTable is idempotent", async () => {
    await ensureTable(db.client, db.tableName);
    await ensureTable(db.client, db.tableName);
    const { Table } = await db.client.send(new DescribeTableCommand({ TableName: db.tableName }));
    expect(Table?.TableStatus).toBe("ACTIVE");
    expect(Table?.KeySchema?.map((k) => k.AttributeName)).toEqual(["pk", "sk"]);
    expect(Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName).sort()).toEqual(["gsi1", "gsi2"]);
  });

  it("puts and gets through the document client", async () => {
    const item = { pk: "USER#1", sk: "PROFILE", name: "Ada", tags: ["a", "b"], n: 42, nested: { ok: true } };
    await db.doc.send(new PutCommand({ TableName: db.tableName, Item: item }));
    const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: { pk: "USER#1", sk: "PROFILE" } }));
    expect(Item).toEqual(item);
  });

  it("queries gsi1", async () => {
    for (const [sk, at] of [["TASK#1", "2024-01-02"], ["TASK#2", "2024-01-01"], ["TASK#3", "2024-01-03"]]) {
      await db.doc.send(
        new PutCommand({ TableName: db.tableName, Item: { pk: "USER#2", sk, gsi1pk: "DUE#USER#2", gsi1sk: at } }),
      );
    }
    await db.doc.send(new PutCommand({ TableName: db.tableName, Item: { pk: "USER#2", sk: "NOGSI" } }));
    const { Items } = await db.doc.send(
      new QueryCommand({
        TableName: db.tableName,
        IndexName: "gsi1",
        KeyConditionExpression: "gsi1pk = :p AND gsi1sk <= :to",
        ExpressionAttributeValues: { ":p": "DUE#USER#2", ":to": "2024-01-02" },
      }),
    );
    expect(Items?.map((i) => i.sk)).toEqual(["TASK#2", "TASK#1"]);
  });

  it("conditional put fails the second time", async () => {
    const put = () =>
      db.doc.send(
        new PutCommand({
          TableName: db.tableName,
          Item: { pk: "LOCK#1", sk: "LOCK" },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
    await put();
    await expect(put()).rejects.toMatchObject({ name: "ConditionalCheckFailedException" });
  });

  it("accepts the TTL attribute", async () => {
    const expiresAt = Math.floor(Date.now() / 1000) + 3600;
    const Key = { pk: "SESSION#1", sk: "SESSION" };
    await db.doc.send(new PutCommand({ TableName: db.tableName, Item: { ...Key, [TTL_ATTRIBUTE]: expiresAt } }));
    const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key }));
    expect(Item?.[TTL_ATTRIBUTE]).toBe(expiresAt);
    const { TimeToLiveDescription: ttl } = await db.client.send(
      new DescribeTimeToLiveCommand({ TableName: db.tableName }),
    );
    // dynalite has no UpdateTimeToLive and always reports DISABLED.
    if (engine === "dynamodb-local") {
      expect(ttl).toMatchObject({ TimeToLiveStatus: "ENABLED", AttributeName: TTL_ATTRIBUTE });
    } else {
      expect(ttl?.TimeToLiveStatus).toBe("DISABLED");
    }
  });

  it("refuses an index key longer than a key may be, as DynamoDB does (dynalite told to: helper-185 #1), in a put and in a batch", async () => {
    const repo = new Repository(db.doc, db.tableName);
    const long = { pk: "ACC#long@example.org", sk: "EVJOB#x", gsi2pk: "EVDUE#x", gsi2sk: "z".repeat(1025) };
    await expect(repo.put(long)).rejects.toMatchObject({ name: "ValidationException", message: expect.stringMatching(/^One or more parameter values were invalid: Size limit exceeded/) });
    await expect(repo.batch([{ PutRequest: { Item: { ...long, sk: "EVJOB#y" } } }])).rejects.toMatchObject({ name: "ValidationException" });
    await expect(repo.put({ ...long, gsi2sk: "z".repeat(1024) })).resolves.toBeUndefined();
  });

  it("an event job for a Calendar id of 1,041 characters (an instance of a 1,024-character series) is filed and read back by its slot", async () => {
    const repo = new Repository(db.doc, db.tableName);
    const id = `${"e".repeat(1024)}_20260601T070000Z`;
    const hour = Date.parse("2026-06-01T07:00:00Z");
    await putEventJob(repo, "owner@example.org", "morning-of", id, hour);
    expect(await repo.get(keys.eventJob("owner@example.org", "morning-of", id))).toMatchObject({ due: hour });
    expect((await eventJobsDue(repo, hour)).bodies.map((b) => (JSON.parse(b) as { evt?: string }).evt)).toContain(id);
  });

  it("stop() frees the port and is idempotent", async () => {
    const port = Number(new URL(db.endpoint).port);
    expect(await portIsFree(port)).toBe(false);
    await db.stop();
    await db.stop();
    expect(await portIsFree(port)).toBe(true);
  });
});
