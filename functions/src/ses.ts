/**
 * The service's own mail (the reconnect notice; the API's link confirming an account's move to the
 * other provider) through SES, its client imported on first use: a chunk of its own, which a
 * function loads only when it sends.
 */
import type { SystemMailer } from "@followthrough/core/reconnect";

/** SES through the linked sender, imported on first use (only a revoked grant or a move's link sends). */
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
