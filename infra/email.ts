/**
 * The service's own sender (SES), for the one "please reconnect" email a revoked account gets: the
 * owner's mailbox cannot send it any more. Verify the sender's domain in SES before the first deploy
 * (set FOLLOWTHROUGH_NOTICE_SENDER, e.g. "notices@followthrough.example" or a bare domain).
 */
export const notices = new sst.aws.Email("Notices", {
  sender: process.env.FOLLOWTHROUGH_NOTICE_SENDER ?? "notices@followthrough.example",
});
