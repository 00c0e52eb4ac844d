import { domainToASCII } from "node:url";
import { SendEmailCommand, type SESv2Client } from "@aws-sdk/client-sesv2";
import { SES_CONNECT_TIMEOUT_MS, SES_REQUEST_TIMEOUT_MS } from "../limits";
import { ProviderError, type RetryOptions, withRetry } from "../resilience";
import { sesFailure } from "./failure";
import type { SystemMailer } from "../reconnect";

/**
 * The SES client's configuration: a connection not made within `connectMs` and a request
 * unanswered within `timeoutMs` are cut (the SDK's own handler waits without end), so a stalled
 * send fails instead of holding the notice's claim until the worker is killed (core/reconnect
 * handleRevoked); the connection's limit is the shorter, so a connection that never comes is told
 * from a request SES may have taken. One attempt only: SendEmail takes no idempotency key, and the
 * SDK retries a cut request, which SES may have taken and sent (helper-107 #2). {@link SesMailer}
 * retries only what surely was not sent (a 429, no connection made).
 */
export const sesClientConfig = (timeoutMs: number = SES_REQUEST_TIMEOUT_MS, connectMs: number = Math.min(SES_CONNECT_TIMEOUT_MS, timeoutMs)) => ({
  maxAttempts: 1,
  requestHandler: { connectionTimeout: connectMs, requestTimeout: timeoutMs, throwOnRequestTimeout: true },
});

/** Tried again: only what proves nothing was sent (see sesFailure). */
const unsentOnly = (e: ProviderError) => e.kind === "rate-limited" || e.kind === "temporary";

/**
 * The From address of a configured sender: an address as it is; a bare domain (SES verifies a
 * domain as an identity, which lets any address at it send; SES's From must be an address) as
 * `notices@` that domain.
 */
export const senderAddress = (sender: string): string => (sender.includes("@") ? sender : `notices@${sender}`);

/**
 * An address as SES takes it: SES has no SMTPUTF8, so a domain in Unicode goes in Punycode (the API
 * reference's Destination: "the domain part ... must be encoded using Punycode"). Our stored
 * addresses write an internationalised domain in its Unicode form (core/identity normalizeAddress),
 * which SES refused (helper-185). A local part outside ASCII cannot be sent through SES at all.
 */
export const sesAddress = (address: string): string => {
  const at = address.lastIndexOf("@");
  if (at < 0) return address;
  const domain = address.slice(at + 1);
  return /^[\x00-\x7f]*$/.test(domain) ? address : `${address.slice(0, at)}@${domainToASCII(domain) || domain}`;
};

/**
 * The service's own mail on AWS (the reconnect notice): Amazon SES v2 from a verified sender
 * (SST's `sst.aws.Email` component links it and grants ses:SendEmail).
 */
export class SesMailer implements SystemMailer {
  constructor(
    private readonly client: SESv2Client,
    private readonly from: string,
    /** How a send SES refused for its rate is tried again (tests shorten the pauses). */
    private readonly retry: Partial<RetryOptions> = {},
  ) {}

  /**
   * Sends once; again (three attempts in all) only after a failure that proves nothing was sent (a
   * 429, no connection). Any other, a cut request among them, is the caller's (the queue delivers the
   * record again).
   */
  async send(to: string, subject: string, text: string, html?: string): Promise<void> {
    const command = new SendEmailCommand({
      FromEmailAddress: sesAddress(senderAddress(this.from)),
      Destination: { ToAddresses: [sesAddress(to)] },
      Content: {
        Simple: {
          Subject: { Data: subject.replace(/[\r\n]+/g, " "), Charset: "UTF-8" },
          Body: { Text: { Data: text, Charset: "UTF-8" }, ...(html ? { Html: { Data: html, Charset: "UTF-8" } } : {}) },
        },
      },
    });
    await withRetry(() => this.client.send(command), sesFailure, { attempts: 3, baseMs: 1_000, maxMs: 10_000, retryOn: unsentOnly, ...this.retry }).catch((e: unknown) => {
      throw e instanceof ProviderError && e.cause !== undefined ? e.cause : e;
    });
  }
}
