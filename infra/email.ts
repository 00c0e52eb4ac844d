/**
 * The service's own sender (SES), for the one "please reconnect" email a revoked account gets (the
 * owner's mailbox cannot send it any more) and the link confirming an account's move to the other
 * provider (sent to the address, whose old mailbox may be gone). Verify the sender's domain in SES before the first deploy
 * (set FOLLOWTHROUGH_NOTICE_SENDER, e.g. "notices@followthrough.example", or a bare domain: notices then
 * come from notices@ it, core/ses senderAddress).
 */
export const notices = new sst.aws.Email("Notices", {
  sender: noticeSender(process.env),
  ...noticeDns(process.env),
});

/**
 * Who adds a domain sender's DNS records (DKIM, DMARC). SST's Email component adds them through
 * Route 53 unless told `dns: false` (anomalyco/sst platform/src/components/aws/email.ts: `dns`
 * defaults to `sst.aws.dns()`), and a deploy for a domain whose DNS is elsewhere then fails looking
 * for its hosted zone (helper-185 #2). So by default the operator adds them (docs/deploy.md), and
 * FOLLOWTHROUGH_NOTICE_DNS=route53 lets SST add them in the account's hosted zone. Either way the
 * deploy waits for SES to verify a domain. An address sender takes no DNS.
 */
export function noticeDns(env: Record<string, string | undefined>): { dns?: false } {
  const v = env.FOLLOWTHROUGH_NOTICE_DNS?.trim();
  const domain = !(env.FOLLOWTHROUGH_NOTICE_SENDER ?? "").includes("@");
  if (v === "route53") return {};
  if (v !== undefined && v !== "" && v !== "none") throw new Error(`FOLLOWTHROUGH_NOTICE_DNS must be "route53" or "none", not "${v}" (docs/deploy.md)`);
  return domain ? { dns: false } : {};
}

/**
 * The notice sender from the environment. Required: a redeploy from a shell without it must not
 * silently swap the verified sender for an example address (SES would then refuse every notice).
 */
export function noticeSender(env: Record<string, string | undefined>): string {
  const v = env.FOLLOWTHROUGH_NOTICE_SENDER?.trim();
  if (!v) throw new Error("FOLLOWTHROUGH_NOTICE_SENDER is not set: export it (the SES sender, an address or a domain) before `sst deploy` (docs/deploy.md)");
  return v;
}
