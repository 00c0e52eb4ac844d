import { SendEmailCommand, type SESv2Client } from "@aws-sdk/client-sesv2";
import { SES_REQUEST_TIMEOUT_MS } from "../limits";
import type { SystemMailer } from "../reconnect";

/**
 * The SES client's configuration: every request cut after `timeoutMs` (the SDK's own handler waits
 * without end), so a stalled send fails (the SDK retries it, up to its three attempts) instead of
 * holding the notice's claim until the worker is killed (core/reconnect handleRevoked).
 */
export const sesClientConfig = (timeoutMs: number = SES_REQUEST_TIMEOUT_MS) => ({ requestHandler: { connectionTimeout: timeoutMs, requestTimeout: timeoutMs, throwOnRequestTimeout: true } });

/**
 * The From address of a configured sender: an address as it is; a bare domain (SES verifies a
 * domain as an identity, which lets any address at it send; SES's From must be an address) as
 * `notices@` that domain.
 */
export const senderAddress = (sender: string): string => (sender.includes("@") ? sender : `notices@${sender}`);

/**
 * The service's own mail on AWS (the reconnect notice): Amazon SES v2 from a verified sender
 * (SST's `sst.aws.Email` component links it and grants ses:SendEmail).
 */
export class SesMailer implements SystemMailer {
  constructor(
    private readonly client: SESv2Client,
    private readonly from: string,
  ) {}

  async send(to: string, subject: string, text: string, html?: string): Promise<void> {
    await this.client.send(
      new SendEmailCommand({
        FromEmailAddress: senderAddress(this.from),
        Destination: { ToAddresses: [to] },
        Content: {
          Simple: {
            Subject: { Data: subject.replace(/[\r\n]+/g, " "), Charset: "UTF-8" },
            Body: { Text: { Data: text, Charset: "UTF-8" }, ...(html ? { Html: { Data: html, Charset: "UTF-8" } } : {}) },
          },
        },
      }),
    );
  }
}
