import type { AccountRecord } from "../accounts";
import { loadStatements } from "../events";
import { buildDigest, type DigestData, type DigestOutcome, type LinkConfig, renderDigest, type RenderedDigestEmail, sendDigestOnce } from "../digest";
import type { MailboxProvider } from "../providers";
import { scan, type ScannedRecords, type ScanResult } from "../scan";
import type { Repository } from "../storage";

/** The outcome of one account's weekly job. */
export interface WeeklyResult {
  scan: ScanResult;
  digest: DigestData;
  rendered: RenderedDigestEmail;
  outcome: DigestOutcome;
}

/** The owner as a scan learned them: the account with the aliases and name its reads showed. */
export function withLearnedIdentity(account: AccountRecord, owner: ScanResult["owner"]): AccountRecord {
  return { ...account, aliases: owner.aliases, ...(owner.displayName ? { displayName: owner.displayName } : {}) };
}

/**
 * Builds and renders the digest of an account as of `now`. The meetings and sent messages come from
 * `scanned` when the same job's complete scan has them, otherwise from the table; the people (a
 * dismissal or a draft tapped a moment ago) and the owner's statements (a goal, a mark, "we met")
 * are read fresh either way: the owner changes them at any time, and they are few.
 */
export async function prepareDigest(o: { repo: Repository; account: AccountRecord; now: number; links: LinkConfig; weekOf?: number; scanned?: ScannedRecords }) {
  const email = o.account.email;
  const [meetings, messages, people, statements] = await Promise.all([
    o.scanned?.meetings ?? o.repo.loadMeetings(email),
    o.scanned?.messages ?? o.repo.loadMessages(email),
    o.repo.loadPeople(email),
    loadStatements(o.repo, email),
  ]);
  const digest = buildDigest({
    account: o.account, meetings, messages, people, now: o.now, links: o.links, weekOf: o.weekOf, statements,
  });
  return { digest, rendered: await renderDigest(digest) };
}

/** The weekly job of one account: scan, build the digest, send it once through the owner's own mailbox. */
export async function runWeekly(o: {
  repo: Repository;
  provider: MailboxProvider;
  account: AccountRecord;
  now: number;
  links: LinkConfig;
  send?: boolean;
  /** The scheduled occurrence this run belongs to (names the digest's week); `now` by default. */
  weekOf?: number;
  /**
   * A complete scan this job already made as of the same `now` (the worker's own read, bounded by its
   * time limit): its result is used, not a second sync and a second run of the rules.
   */
  scanned?: ScanResult;
}): Promise<WeeklyResult> {
  if (o.scanned && !o.scanned.complete) throw new Error("runWeekly: scanned must be a complete scan (the rules did not run on an incomplete one)");
  const result = o.scanned ?? (await scan({ owner: o.account, provider: o.provider, repo: o.repo, now: o.now }));
  // The digest sees the owner as the scan did: with the aliases and name it learned.
  const account = withLearnedIdentity(o.account, result.owner);
  // The meetings and sent messages the scan read: not read a second time.
  const { digest, rendered } = await prepareDigest({ ...o, account, scanned: result.read });
  const outcome = o.send === false ? "in-progress" : await sendDigestOnce({ repo: o.repo, provider: o.provider, account, data: digest, rendered, now: o.now, linkKey: o.links.key });
  return { scan: result, digest, rendered, outcome };
}
