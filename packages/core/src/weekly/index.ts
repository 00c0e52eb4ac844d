import type { AccountRecord } from "../accounts";
import { loadStatements, type OwnerStatements } from "../events";
import { buildDigest, type DigestData, type DigestOutcome, type LinkConfig, renderDigest, type RenderedDigestEmail, sendDigestOnce } from "../digest";
import type { MailMessage, Meeting } from "../model";
import type { MailboxProvider } from "../providers";
import { scan, type ScanResult } from "../scan";
import type { PersonRecord, Repository } from "../storage";

/** The outcome of one account's weekly job. */
export interface WeeklyResult {
  scan: ScanResult;
  digest: DigestData;
  rendered: RenderedDigestEmail;
  outcome: DigestOutcome;
}

/** What a digest is built from: the account's stored meetings, sent messages, people and statements. */
export interface DigestInputs {
  meetings: Meeting[];
  messages: MailMessage[];
  people: PersonRecord[];
  statements: OwnerStatements;
}

/** What a complete scan already read and wrote: the same as reading the account's partition again. */
export function inputsOf(scanned: ScanResult): DigestInputs | undefined {
  return scanned.complete && scanned.read && scanned.statements
    ? { meetings: scanned.read.meetings, messages: scanned.read.messages, people: scanned.people, statements: scanned.statements }
    : undefined;
}

/**
 * Builds and renders the digest of an account as of `now`: from `inputs` when the same job's
 * complete scan has them, otherwise from what is stored.
 */
export async function prepareDigest(o: { repo: Repository; account: AccountRecord; now: number; links: LinkConfig; weekOf?: number; inputs?: DigestInputs }) {
  const { meetings, messages, people, statements } = o.inputs ?? (await loadInputs(o.repo, o.account.email));
  const digest = buildDigest({
    account: o.account, meetings, messages, people, now: o.now, links: o.links, weekOf: o.weekOf, statements,
  });
  return { digest, rendered: await renderDigest(digest) };
}

async function loadInputs(repo: Repository, email: string): Promise<DigestInputs> {
  const [meetings, messages, people, statements] = await Promise.all([repo.loadMeetings(email), repo.loadMessages(email), repo.loadPeople(email), loadStatements(repo, email)]);
  return { meetings, messages, people, statements };
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
   * A complete scan this job already made as of the same `now` (the worker's read that finished an
   * unfinished first backfill): its result is used, not a second sync and a second run of the rules.
   */
  scanned?: ScanResult;
}): Promise<WeeklyResult> {
  if (o.scanned && !o.scanned.complete) throw new Error("runWeekly: scanned must be a complete scan (the rules did not run on an incomplete one)");
  const result = o.scanned ?? (await scan({ owner: o.account, provider: o.provider, repo: o.repo, now: o.now }));
  // The digest sees the owner as the scan did: with the aliases and name it learned.
  const account: AccountRecord = { ...o.account, aliases: result.owner.aliases, ...(result.owner.displayName ? { displayName: result.owner.displayName } : {}) };
  // The scan's own reads (it ran the rules over them and wrote the people): not read a second time.
  const { digest, rendered } = await prepareDigest({ ...o, account, inputs: inputsOf(result) });
  const outcome = o.send === false ? "in-progress" : await sendDigestOnce({ repo: o.repo, provider: o.provider, account, data: digest, rendered, now: o.now });
  return { scan: result, digest, rendered, outcome };
}
