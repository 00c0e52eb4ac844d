/**
 * The service's own mail (the reconnect notice) through SES, its client imported on first use: a
 * module of its own, imported by the queue workers only (the functions that link `Notices`); the
 * API links no sender, so its bundle holds no SES client.
 */
import type { SystemMailer } from "@followthrough/core/reconnect";

/** SES through the linked sender, imported on first use (only a revoked grant sends it). */
export function lazySesMailer(sender: string): SystemMailer {
  let mailer: Promise<SystemMailer> | undefined;
  return {
    async send(to, subject, text, html) {
      mailer ??= Promise.all([import("@aws-sdk/client-sesv2"), import("@followthrough/core/ses")]).then(
        ([{ SESv2Client }, { SesMailer, sesClientConfig }]) => new SesMailer(new SESv2Client(sesClientConfig()), sender),
      );
      return (await mailer).send(to, subject, text, html);
    },
  };
}
