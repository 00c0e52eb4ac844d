/**
 * The service's own sender (SES), for the one "please reconnect" email a revoked account gets (the
 * owner's mailbox cannot send it any more) and the link confirming an account's move to the other
 * provider (sent to the address, whose old mailbox may be gone). Verify the sender's domain in SES before the first deploy
 * (set FOLLOWTHROUGH_NOTICE_SENDER, e.g. "notices@followthrough.example", or a bare domain: notices then
 * come from notices@ it, core/ses senderAddress).
 */
export const notices = new sst.aws.Email("Notices", {
  sender: noticeSender(process.env),
});

/**
 * The notice sender from the environment. Required: a redeploy from a shell without it must not
 * silently swap the verified sender for an example address (SES would then refuse every notice).
 */
export function noticeSender(env: Record<string, string | undefined>): string {
  const v = env.FOLLOWTHROUGH_NOTICE_SENDER?.trim();
  if (!v) throw new Error("FOLLOWTHROUGH_NOTICE_SENDER is not set: export it (the SES sender, an address or a domain) before `sst deploy` (docs/deploy.md)");
  return v;
}
