/** Floor of the weekly worker for a Google account: the backfill's reads, one React Email render, one send. */
import type { SQSEvent } from "aws-lambda";
import { accountAndLease, bodyOf, cursorsRead, digestCalls } from "./common";
import { googleClients, googleReads } from "./google";
import { rawMail, renderDigest } from "./render";

export async function handler(event: SQSEvent) {
  const email = bodyOf(event);
  await accountAndLease(email);
  await cursorsRead(email);
  const c = googleClients();
  await googleReads(email, c, { cursorsRead: true });
  const { html } = await renderDigest();
  await digestCalls(email, () => c.g.users.messages.send({ userId: "me", requestBody: { raw: Buffer.from(rawMail(email, html)).toString("base64url") } }));
  return { batchItemFailures: [] };
}
