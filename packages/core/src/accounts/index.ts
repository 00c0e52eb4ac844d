import { QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { Owner } from "../model";
import { decrypt, encrypt, type Keyring } from "../secrets";
import { GSI, keys, type Repository } from "../storage";

/** Where a provider's APIs and token endpoint are (Google's and Microsoft's own, or the sandbox). */
export interface ProviderEndpoints {
  /** Gmail/Calendar root, or Graph base URL. */
  apiUrl?: string;
  tokenUrl?: string;
  authorizeUrl?: string;
}

/** A connected account as stored: the owner, the encrypted refresh token and its client. */
export interface AccountRecord extends Owner {
  provider: "google" | "microsoft";
  clientId: string;
  /** AES-256-GCM sealed refresh token (see secrets). Never logged, never stored in clear. */
  refreshTokenSealed: string;
  status: "active" | "needs_reconnect" | "paused";
  endpoints?: ProviderEndpoints;
  connectedAt: number;
}

/** Stores an account, sealing its refresh token with the keyring's current key. */
export async function saveAccount(
  repo: Repository,
  ring: Keyring,
  account: Omit<AccountRecord, "refreshTokenSealed"> & { refreshToken: string },
): Promise<AccountRecord> {
  const { refreshToken, ...rest } = account;
  const record: AccountRecord = { ...rest, refreshTokenSealed: encrypt(ring, refreshToken, account.email.toLowerCase()) };
  await repo.put({ ...keys.account(account.email), gsi1pk: keys.allAccounts, gsi1sk: account.email.toLowerCase(), account: record });
  return record;
}

/** Replaces the stored refresh token (Microsoft rotates it on every use); only that field is written. */
export async function rotateRefreshToken(repo: Repository, ring: Keyring, record: AccountRecord, refreshToken: string): Promise<AccountRecord> {
  const sealed = encrypt(ring, refreshToken, record.email.toLowerCase());
  await repo.doc.send(
    new UpdateCommand({
      TableName: repo.table,
      Key: keys.account(record.email),
      UpdateExpression: "SET #a.#t = :t",
      ConditionExpression: "attribute_exists(pk)",
      ExpressionAttributeNames: { "#a": "account", "#t": "refreshTokenSealed" },
      ExpressionAttributeValues: { ":t": sealed },
    }),
  );
  return { ...record, refreshTokenSealed: sealed };
}

/** Loads an account. */
export async function loadAccount(repo: Repository, email: string): Promise<AccountRecord | undefined> {
  return (await repo.get<{ account: AccountRecord }>(keys.account(email)))?.account;
}

/** The account's refresh token in clear, for the OAuth client only. */
export const refreshTokenOf = (ring: Keyring, record: AccountRecord) => decrypt(ring, record.refreshTokenSealed, record.email.toLowerCase());

/**
 * Sets an account's status in place (an update of `account.status` only, so a refresh token rotated
 * meanwhile is not overwritten). False when the account does not exist.
 */
export async function setAccountStatus(repo: Repository, email: string, status: AccountRecord["status"]): Promise<boolean> {
  try {
    await repo.doc.send(
      new UpdateCommand({
        TableName: repo.table,
        Key: keys.account(email),
        UpdateExpression: "SET #a.#s = :s",
        ConditionExpression: "attribute_exists(pk)",
        ExpressionAttributeNames: { "#a": "account", "#s": "status" },
        ExpressionAttributeValues: { ":s": status },
      }),
    );
    return true;
  } catch (e) {
    if ((e as { name?: string }).name === "ConditionalCheckFailedException") return false;
    throw e;
  }
}

/** Every connected account (GSI `gsi1`, partition "ACCOUNTS"), ordered by address. */
export async function listAccounts(repo: Repository): Promise<AccountRecord[]> {
  const out: AccountRecord[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await repo.doc.send(
      new QueryCommand({
        TableName: repo.table,
        IndexName: GSI.gsi1,
        KeyConditionExpression: "gsi1pk = :p",
        ExpressionAttributeValues: { ":p": keys.allAccounts },
        ExclusiveStartKey: start,
      }),
    );
    for (const i of page.Items ?? []) if (i.account) out.push(i.account as AccountRecord);
    start = page.LastEvaluatedKey as Record<string, unknown> | undefined;
  } while (start);
  return out;
}
