/**
 * The deployed floor of the worker (bundle size only): one function serves Google and Outlook
 * accounts, so its floor holds both providers' clients; each run is measured against the floor of
 * its own provider (worker-google.ts, worker-microsoft.ts).
 *
 * It also holds SES's client, imported on first use as the handler imports it (a chunk of its
 * own): the reconnect notice when the grant is found revoked (infra/queue.ts links `Notices` to the
 * worker, as to the backfill, bench/floors/backfill.ts); and SQS's, to enqueue its own continuation
 * on Digests when the time limit cuts a week's read short (an expired cursor's re-read of the
 * year; infra/queue.ts links `Digests` to the worker). The timed runs make neither call.
 */
import type { Context, SQSEvent } from "aws-lambda";
import { bodyOf, resource } from "./common";
import { handler as google } from "./worker-google";
import { handler as microsoft } from "./worker-microsoft";

async function noticeRevoked(email: string): Promise<void> {
  const { SESv2Client, SendEmailCommand } = await import("@aws-sdk/client-sesv2");
  const from = resource<{ sender: string }>("Notices").sender;
  await new SESv2Client({}).send(
    new SendEmailCommand({ FromEmailAddress: from, Destination: { ToAddresses: [email] }, Content: { Simple: { Subject: { Data: "Reconnect" }, Body: { Text: { Data: "Reconnect your account." } } } } }),
  );
}

async function continueLater(email: string): Promise<void> {
  const { SQSClient, SendMessageCommand } = await import("@aws-sdk/client-sqs");
  await new SQSClient({}).send(new SendMessageCommand({ QueueUrl: resource<{ url: string }>("Digests").url, MessageBody: email }));
}

export async function handler(event: SQSEvent, context?: Context) {
  try {
    await (process.env.FLOOR_PROVIDER === "microsoft" ? microsoft(event) : google(event));
  } catch (e) {
    if (!/invalid_grant/.test(String(e))) throw e;
    await noticeRevoked(bodyOf(event));
  }
  if ((context?.getRemainingTimeInMillis() ?? Infinity) < 150_000) await continueLater(bodyOf(event));
  return { batchItemFailures: [] };
}
