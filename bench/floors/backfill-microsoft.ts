/** Floor of the backfill for an Outlook account: the table, the provider's clients, the first reads. */
import type { SQSEvent } from "aws-lambda";
import { accountAndLease, bodyOf } from "./common";
import { graphClient, graphReads } from "./microsoft";

export async function handler(event: SQSEvent) {
  const email = bodyOf(event);
  await accountAndLease(email);
  await graphReads(email, await graphClient());
  return { batchItemFailures: [] };
}
