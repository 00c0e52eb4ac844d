import type { MailboxProvider, SyncPage } from "@followthrough/core/providers";
import type { MailMessage } from "@followthrough/core/model";

/**
 * `provider` with `onPage` told of each page its owner-mail stream (the owner's mail outside Sent,
 * the last stream a scan reads) returns: a test makes the read's last page (`done`) take the job's
 * time, as a page slowed by throttling does.
 */
export function watchOwnerMailPages(provider: MailboxProvider, onPage: (page: SyncPage<MailMessage>) => void): MailboxProvider {
  const ownerMail = (ids: ReadonlySet<string>) => {
    const stream = provider.ownerMail!(ids);
    const page: typeof stream.page = async (...args) => {
      const got = await stream.page(...args);
      onPage(got);
      return got;
    };
    return Object.assign(Object.create(stream), { page });
  };
  return Object.assign(Object.create(provider), { ownerMail }) as MailboxProvider;
}
