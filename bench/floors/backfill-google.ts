/** Floor of the backfill for a Google account: the table, the provider's clients, the first reads. */
import type { SQSEvent } from "aws-lambda";
import { accountAndLease, bodyOf } from "./common";
import { googleClients, googleReads } from "./google";

export async function handler(event: SQSEvent) {
  const email = bodyOf(event);
  await accountAndLease(email);
  await googleReads(email, googleClients());
  return { batchItemFailures: [] };
}
