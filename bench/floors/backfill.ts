/**
 * The deployed floor of the backfill (bundle size only): one function serves Google and Outlook
 * accounts, so its floor holds both providers' clients; each run is measured against the floor of
 * its own provider (backfill-google.ts, backfill-microsoft.ts).
 *
 * It also holds the two clients the backfill must use off the timed path, imported as the handler
 * imports them (on first use, chunks of their own): SQS, to enqueue its own continuation when the
 * run nears Lambda's limit (issue 12: a long backfill continues in a new invocation, never through
 * the queue's retries), and SES, for the reconnect notice when the grant is found revoked
 * (infra/backfill-worker.ts links `Backfills` and `Notices`).
 */
import type { Context, SQSEvent } from "aws-lambda";
import { handler as google } from "./backfill-google";
import { handler as microsoft } from "./backfill-microsoft";
import { bodyOf, resource } from "./common";

async function continueLater(email: string): Promise<void> {
  const { SQSClient, SendMessageCommand } = await import("@aws-sdk/client-sqs");
  await new SQSClient({}).send(new SendMessageCommand({ QueueUrl: resource<{ url: string }>("Backfills").url, MessageBody: email }));
}

async function noticeRevoked(email: string): Promise<void> {
  const { SESv2Client, SendEmailCommand } = await import("@aws-sdk/client-sesv2");
  const from = resource<{ sender: string }>("Notices").sender;
  await new SESv2Client({}).send(
    new SendEmailCommand({ FromEmailAddress: from, Destination: { ToAddresses: [email] }, Content: { Simple: { Subject: { Data: "Reconnect" }, Body: { Text: { Data: "Reconnect your account." } } } } }),
  );
}

export async function handler(event: SQSEvent, context?: Context) {
  const email = bodyOf(event);
  try {
    await (process.env.FLOOR_PROVIDER === "microsoft" ? microsoft(event) : google(event));
  } catch (e) {
    if (!/invalid_grant/.test(String(e))) throw e;
    await noticeRevoked(email);
  }
  if ((context?.getRemainingTimeInMillis() ?? Infinity) < 60_000) await continueLater(email);
  return { batchItemFailures: [] };
}
