import {
  CreateTableCommand,
  DescribeTimeToLiveCommand,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from "@aws-sdk/client-dynamodb";

/** Attribute that holds the item's expiry (epoch seconds) for DynamoDB TTL. */
export const TTL_ATTRIBUTE = "expiresAt";

/** Names of the generic global secondary indexes of the single-table design. */
export const GSI = { gsi1: "gsi1", gsi2: "gsi2" } as const;

const gsi = (name: string) => ({
  IndexName: name,
  KeySchema: [
    { AttributeName: `${name}pk`, KeyType: "HASH" as const },
    { AttributeName: `${name}sk`, KeyType: "RANGE" as const },
  ],
  Projection: { ProjectionType: "ALL" as const },
});

/** CreateTable input for the single table: pk/sk key, generic GSIs gsi1 and gsi2, on-demand billing. */
export function tableDefinition(tableName: string): CreateTableCommandInput {
  const attrs = ["pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk"];
  return {
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: attrs.map((AttributeName) => ({ AttributeName, AttributeType: "S" })),
    KeySchema: [
      { AttributeName: "pk", KeyType: "HASH" },
      { AttributeName: "sk", KeyType: "RANGE" },
    ],
    GlobalSecondaryIndexes: [gsi(GSI.gsi1), gsi(GSI.gsi2)],
  };
}

/**
 * Creates the table if it does not exist, waits until it is ACTIVE and enables TTL on `expiresAt`.
 * Idempotent. Engines that lack UpdateTimeToLive (dynalite) or report TTL as already enabled are tolerated.
 */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new CreateTableCommand(tableDefinition(tableName)));
  } catch (err) {
    if (!(err instanceof ResourceInUseException)) throw err;
  }
  await waitUntilTableExists({ client, minDelay: 1, maxDelay: 5, maxWaitTime: 120 }, { TableName: tableName });
  await enableTtl(client, tableName);
}

async function enableTtl(client: DynamoDBClient, tableName: string): Promise<void> {
  const { TimeToLiveDescription: ttl } = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  const on = ttl?.TimeToLiveStatus === "ENABLED" || ttl?.TimeToLiveStatus === "ENABLING";
  if (on && ttl?.AttributeName === TTL_ATTRIBUTE) return;
  try {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      }),
    );
  } catch (err) {
    const { name, message } = err as Error;
    if (name === "UnknownOperationException") return; // dynalite: no TTL support
    if (name === "ValidationException" && /already enabled/i.test(message)) return;
    throw err;
  }
}
