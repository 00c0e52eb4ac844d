import { DeleteCommand } from "@aws-sdk/lib-dynamodb";
import { keys, type Repository } from "../storage";

/**
 * A per-account lease: one item `LEASE#<name>` in the account's partition, written with a
 * conditional put. Whoever holds an unexpired lease owns the account's job; a worker that died
 * leaves a lease that simply expires (the condition compares `expiresAt`, so it does not wait for
 * DynamoDB's lazy TTL deletion, which only tidies up).
 */
export interface Lease {
  email: string;
  name: string;
  owner: string;
  /** Epoch seconds (the table's TTL attribute). */
  expiresAt: number;
}

/** The key of an account's lease item. */
export const leaseKey = (email: string, name: string) => ({ pk: keys.partition(email), sk: `LEASE#${name}` });

/** Takes the lease when nobody holds an unexpired one; undefined when it is held. */
export async function acquireLease(
  repo: Repository,
  o: { email: string; name: string; owner: string; ttlMs: number; now: number },
): Promise<Lease | undefined> {
  const lease: Lease = { email: o.email.toLowerCase(), name: o.name, owner: o.owner, expiresAt: Math.ceil((o.now + o.ttlMs) / 1000) };
  const taken = await repo.putIf(
    { ...leaseKey(o.email, o.name), owner: lease.owner, expiresAt: lease.expiresAt, takenAt: o.now },
    "attribute_not_exists(pk) OR expiresAt <= :now",
    { ":now": Math.floor(o.now / 1000) },
  );
  return taken ? lease : undefined;
}

/** Releases a lease this owner holds (a no-op when it expired and someone else took it). */
export async function releaseLease(repo: Repository, lease: Lease): Promise<boolean> {
  try {
    await repo.doc.send(
      new DeleteCommand({
        TableName: repo.table,
        Key: leaseKey(lease.email, lease.name),
        ConditionExpression: "#o = :me",
        ExpressionAttributeNames: { "#o": "owner" },
        ExpressionAttributeValues: { ":me": lease.owner },
      }),
    );
    return true;
  } catch (e) {
    if ((e as { name?: string }).name === "ConditionalCheckFailedException") return false;
    throw e;
  }
}

/** Runs `job` under the lease; `{ held: true }` without running it when another owner holds it. */
export async function withLease<T>(
  repo: Repository,
  o: { email: string; name: string; owner: string; ttlMs: number; now: number },
  job: () => Promise<T>,
): Promise<{ held: true } | { held: false; value: T }> {
  const lease = await acquireLease(repo, o);
  if (!lease) return { held: true };
  try {
    return { held: false, value: await job() };
  } finally {
    await releaseLease(repo, lease);
  }
}
