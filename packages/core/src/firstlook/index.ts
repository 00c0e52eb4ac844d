/**
 * The first look a newly connected person gets while their backfill runs: the backfill reads the
 * calendar first, then Sent newest first, storing every page as it goes (core/scan), so as soon as
 * the calendar and the newest sent mail are stored this can answer "whom did I meet in the last 30
 * days and not write to?" from what is stored so far. It is provisional until the sent mail's full
 * sync completes, and then the owner's mail outside Sent (older mail may show a person as known, or
 * as written to); the weekly digest never uses it (it runs the rules over complete data only). Plain data; the "Connected" page renders it.
 */
import type { AccountRecord } from "../accounts";
import { loadStatements } from "../events/statements";
import { type Confirmation, infer } from "../inference";
import type { Owner } from "../model";
import { learnOwnerIdentities } from "../scan/identities";
import { OWNER_MAIL_STREAM, readOnce } from "../scan/sync";
import type { Repository } from "../storage";
import { DAY } from "../time";

/** How far back the first look looks for meetings. */
export const FIRST_LOOK_DAYS = 30;

/** One person of the first look. */
export interface FirstLookPerson {
  email: string;
  /** The address as written on the meeting, where it differs from the normalised `email` (what is shown). */
  address?: string;
  name: string;
  /** The meeting where they were first met. */
  eventTitle: string;
  metAt: number;
  /** That meeting's own date where it is an all-day event (Contact.metDate). */
  metDate?: string;
  /**
   * Their next meeting with the owner after that one (a weekly series' next occurrence, a second
   * meeting booked), held or still ahead (`ahead`): a follow-up by the rules (behaviour.md), so the
   * digest will not ask about them, and the list says why. `date`: that meeting's own date where it
   * is an all-day event (Contact.secondMeetingDate).
   */
  again?: { at: number; ahead: boolean; date?: string };
}

/** What a first look shows, and how far the backfill has come. */
export interface FirstLook {
  /** The calendar is read and at least one page of sent mail is stored: there is something to show. */
  ready: boolean;
  /** True until the sent mail's backfill completed: older mail may still change the list. */
  provisional: boolean;
  calendarComplete: boolean;
  sentComplete: boolean;
  /** Sent messages stored so far, and the oldest of them (epoch ms): "mail read back to …". */
  messagesRead: number;
  readBackTo?: number;
  /** Met in the last 30 days and not written to since, in the mail read so far; the most recent first. */
  people: FirstLookPerson[];
}

/** How far an account's backfill has come: what a first look says of it besides its people. */
export type FirstLookProgress = Pick<FirstLook, "ready" | "provisional" | "calendarComplete" | "sentComplete">;

/**
 * The backfill's progress from the streams' cursors alone (three item reads), before any meeting or
 * message is read: a page that shows no first look once the read is complete (a reconnect's) or
 * while it is paused asks this, not {@link firstLook}, which reads every stored meeting and message
 * (a heavy year's 22,000 items, about 2 s: docs/benchmarks.md (11)).
 */
export async function firstLookProgress(repo: Repository, account: string): Promise<FirstLookProgress> {
  const email = account.toLowerCase();
  const [calendar, sent, ownerMail] = await Promise.all([repo.getCursor(email, "calendar"), repo.getCursor(email, "sent"), repo.getCursor(email, OWNER_MAIL_STREAM)]);
  // Read to the end once (core/scan readOnce): caught up, or reading the window again (the provider
  // expired a cursor, the stored meeting shape was renewed) over what the read before stored.
  const calendarComplete = readOnce(calendar);
  const sentComplete = readOnce(sent);
  // A stored cursor of the sent stream means at least its first (newest) page is stored.
  const ready = calendarComplete && sent !== undefined;
  // Provisional until the owner's mail outside Sent is read too (core/scan reads it after Sent): a
  // copy From the owner there (sent from another system, a Bcc to self) is mail to the person.
  return { ready, provisional: !sentComplete || !readOnce(ownerMail), calendarComplete, sentComplete };
}

/**
 * The first look of an account as of `now`, from what its backfill stored so far; `progress`: the
 * account's {@link firstLookProgress} where the caller read it already.
 */
export async function firstLook(
  repo: Repository,
  account: Pick<AccountRecord, "email" | "aliases" | "displayName" | "timeZone" | "provider" | "identity">,
  now: number,
  progress?: FirstLookProgress,
): Promise<FirstLook> {
  const email = account.email.toLowerCase();
  const base = progress ?? (await firstLookProgress(repo, email));
  if (!base.ready) return { ...base, messagesRead: 0, people: [] };
  // The owner's "who I met at E" (events.md) too, as the scan reads them: someone confirmed at an
  // event this week and not written to is met and waiting, in the first digest and so here.
  const [meetings, messages, statements] = await Promise.all([repo.loadMeetings(email), repo.loadMessages(email), loadStatements(repo, email)]);
  return { ...base, ...firstLookOf({ email, aliases: account.aliases ?? [], displayName: account.displayName, timeZone: account.timeZone, provider: account.provider, identity: account.identity }, meetings, messages, now, statements.confirmations) };
}

/** The pure part: the people of the first look over the stored meetings and messages. */
export function firstLookOf(owner: Owner, meetings: Parameters<typeof infer>[1], messages: Parameters<typeof infer>[2], now: number, confirmations: readonly Confirmation[] = []): Pick<FirstLook, "messagesRead" | "readBackTo" | "people"> {
  const learned = learnOwnerIdentities(owner, meetings, messages);
  const self: Owner = { ...owner, aliases: learned.aliases };
  const { contacts } = infer(self, meetings, messages, now, { confirmations });
  const since = now - FIRST_LOOK_DAYS * DAY;
  // Written to: a message sent after the first meeting started (behaviour.md, as the rules read it,
  // core/inference: strictly after). One sent at the very instant it began is no follow-up there, and
  // the digest asks about that person; until 2026-12-07 this took it for one and left them out.
  const people = contacts
    .filter((c) => c.metEnd >= since && c.metEnd <= now && !(c.lastOutboundAt !== undefined && c.lastOutboundAt > c.metAt))
    .sort((a, b) => b.metAt - a.metAt || (a.email < b.email ? -1 : 1))
    .map((c) => ({
      email: c.email,
      ...(c.address ? { address: c.address } : {}),
      name: c.name,
      eventTitle: c.eventTitle,
      metAt: c.metAt,
      ...(c.metDate ? { metDate: c.metDate } : {}),
      ...(c.secondMeetingAt !== undefined ? { again: { at: c.secondMeetingAt, ahead: c.secondMeetingAt > now, ...(c.secondMeetingDate ? { date: c.secondMeetingDate } : {}) } } : {}),
    }));
  const sent = messages.filter((m) => m.inSent && !m.draft);
  const readBackTo = sent.length ? sent.reduce((min, m) => Math.min(min, m.sentAt), Infinity) : undefined;
  return { messagesRead: sent.length, ...(readBackTo !== undefined ? { readBackTo } : {}), people };
}
