/** Floor of the weekly worker for an Outlook account: the backfill's reads, one React Email render, one send. */
import type { SQSEvent } from "aws-lambda";
import { accountAndLease, bodyOf, cursorsRead, digestCalls } from "./common";
import { graphClient, graphReads } from "./microsoft";
import { rawMail, renderDigest } from "./render";

export async function handler(event: SQSEvent) {
  const email = bodyOf(event);
  await accountAndLease(email);
  await cursorsRead(email);
  const c = await graphClient();
  await graphReads(email, c, { cursorsRead: true });
  const { html } = await renderDigest();
  await digestCalls(email, () => c.api("/me/sendMail").header("Content-Type", "text/plain").post(Buffer.from(rawMail(email, html)).toString("base64")));
  return { batchItemFailures: [] };
}
