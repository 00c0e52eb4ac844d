// Before the sender exists: its link carries the sender only (infra/permissions.ts).
import "./permissions";

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
 * Who adds a domain sender's DNS records (DKIM, DMARC): FOLLOWTHROUGH_NOTICE_DNS, required for a
 * domain on every deploy, as the sender is. `route53` is SST's Email default, which adds them through
 * a Route 53 hosted zone of the account (anomalyco/sst platform/src/components/aws/email.ts: `dns`
 * defaults to `sst.aws.dns()`); a deploy for a domain whose DNS is elsewhere fails there looking for
 * the zone (helper-185 #2). `none` is `dns: false`: the operator adds them (docs/deploy.md). Either
 * way the deploy waits for SES to verify the domain. Required, not defaulted: a redeploy that switched
 * a deployment made with SST's default to `none` would delete its records from Route 53 (helper-186
 * #1), and one the other way would fail. An address sender takes no DNS.
 */
export function noticeDns(env: Record<string, string | undefined>): { dns?: false } {
  const domain = !(env.FOLLOWTHROUGH_NOTICE_SENDER ?? "").includes("@");
  const v = env.FOLLOWTHROUGH_NOTICE_DNS?.trim();
  if (!domain) return {};
  if (v === "route53") return {};
  if (v === "none") return { dns: false };
  throw new Error(
    v
      ? `FOLLOWTHROUGH_NOTICE_DNS must be "route53" or "none", not "${v}" (docs/deploy.md)`
      : 'FOLLOWTHROUGH_NOTICE_DNS is not set: for a domain sender export "route53" (SST adds its DNS records in Route 53, as every earlier release did) or "none" (you add them) before `sst deploy` (docs/deploy.md)',
  );
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
