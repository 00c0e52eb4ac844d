// Before the table exists: its link carries its name only (infra/permissions.ts).
import "./permissions";

/**
 * The single DynamoDB table: pk/sk, generic GSIs (gsi1: every account; gsi2: accounts by the UTC
 * quarter hour of the week their digest is due, and event jobs by theirs, queried by the dispatcher), TTL on `expiresAt`
 * (leases, link nonces and other expiring items). Mirrors core/storage tableDefinition.
 */
export const table = new sst.aws.Dynamo("Table", {
  fields: { pk: "string", sk: "string", gsi1pk: "string", gsi1sk: "string", gsi2pk: "string", gsi2sk: "string" },
  primaryIndex: { hashKey: "pk", rangeKey: "sk" },
  globalIndexes: {
    gsi1: { hashKey: "gsi1pk", rangeKey: "gsi1sk" },
    gsi2: { hashKey: "gsi2pk", rangeKey: "gsi2sk" },
  },
  ttl: "expiresAt",
});
