import { updateAccount } from "../accounts";
import { loadStatements, networkingEvents, type NetworkingEvents, type OwnerStatements, recordKnownConfirmations } from "../events";
import { metAtEvents } from "../followup";
import { type Contact, infer, type Inference } from "../inference";
import type { MailMessage, Meeting, Owner } from "../model";
import { ownerIdentity } from "../identity";
import type { CalendarReader, OwnerMailReader, OwnerMailStream, SentMailReader, SyncCursor } from "../providers";
import type { PersonRecord, Repository } from "../storage";
import { deleteItems, putMeetings, putMessages, sweep } from "../storage/synced";
import { DAY } from "../time";
import { mapLimit } from "../resilience/pacer";
import { learnOwnerIdentities } from "./identities";
import { refoldStored, respellRecords } from "./spellings";
import { BACKFILL_DAYS } from "../limits";
import { OWNER_MAIL_STREAM, readOnce, restartCursor, type StreamReport, type StreamSink, syncStream } from "./sync";

export { OWNER_MAIL_STREAM, readOnce, restartCursor, syncStream, type StreamReport, type StreamSink } from "./sync";
export { learnOwnerIdentities, type LearnedIdentities } from "./identities";

/** How far back the first scan of an account reads. */
export { BACKFILL_DAYS };

/** What a scan needs: the owner, where to read, where to store, and the time it runs as of. */
export interface ScanInput {
  owner: Owner;
  provider: SentMailReader & OwnerMailReader & CalendarReader;
  repo: Repository;
  now: number;
  backfillDays?: number;
  /**
   * How many days ahead of `now` the calendar is read (default {@link BACKFILL_DAYS}): a later
   * meeting with someone counts "even if it is still in the future" (shared/spec/behaviour.md); the
   * service reads a year ahead, the scan contract as far as its fixture's calendar goes.
   */
  aheadDays?: number;
  /**
   * Asked before each page: true when no new page should start (a Lambda near its time limit).
   * The scan then stops with what it read stored and its cursors saved, and reports `complete: false`.
   */
  stopBefore?: () => boolean;
  /**
   * Asked before each call of a page made of several (SyncWindow.abandon): true when no call may
   * start any more. The page is given up unstored, and the scan stops as after `stopBefore`.
   */
  abandonPageBefore?: () => boolean;
  /**
   * When the owner-mail stream (OwnerMailReader) stops before its end, infer from what is stored and
   * report `complete: true` (the stream's report says `stopped`): for an account whose calendar and
   * Sent were read to the end before that stream existed, its first read continues at the next scan
   * instead of holding back the weekly digest. Calendar or Sent stopping still ends the scan.
   */
  ownerMailMayLag?: boolean;
  /**
   * The streams' cursors as {@link readSoFar} read them under the scan lease this scan runs in (the
   * other writers of cursors take that lease; a disconnect deletes them without it, and then the
   * account is another connection, for which nothing is sent: core/digest stillActive): each stream
   * starts from its own instead of reading it again, three table reads less for a weekly run.
   */
  cursors?: ReadCursors;
}

/** The stored cursors of the scan's streams, as read (a stream absent here is read by the scan). */
export type ReadCursors = { calendar?: SyncCursor; sent?: SyncCursor; [OWNER_MAIL_STREAM]?: SyncCursor };

/** The cursor of `stream`: the one already read for this scan where there is one, else the stored one. */
const cursorOf = (repo: Repository, account: string, stream: keyof ReadCursors, read: ReadCursors | undefined): Promise<SyncCursor | undefined> =>
  read && stream in read ? Promise.resolve(read[stream]) : repo.getCursor(account, stream);

/**
 * The records of an account that only its scan writes (under the scan lease): the meetings and sent
 * messages the provider's streams hold. A job that has just scanned uses the scan's copy: for a heavy
 * mailbox, a year of sent headers is not read a second time.
 */
export interface ScannedRecords {
  meetings: Meeting[];
  messages: MailMessage[];
}

/** A scan's outcome: the spec's two lists, every contact with its stage, and what each stream did. */
export interface ScanResult extends Inference {
  people: PersonRecord[];
  /** The owner as the rules saw it: the stored aliases plus those learned from sent mail and the calendar (Gmail). */
  owner: Owner;
  /** `ownerMail`: the owner's mail outside Sent, where the provider reads it (OwnerMailReader). */
  streams: { calendar: StreamReport; sentMail: StreamReport; ownerMail?: StreamReport };
  /** Upcoming and attended networking events (shared/spec/events.md), with the owner's goals; absent when the rules did not run. */
  networkingEvents?: NetworkingEvents;
  /** The owner's statements the rules read (marks, goals, whom they met). */
  statements?: OwnerStatements;
  /**
   * The stored meetings and sent messages the rules ran over (set by a complete scan only), so the
   * same job's digest and event plan use them instead of reading the account's partition again.
   */
  read?: ScannedRecords;
  /**
   * False when `stopBefore` cut the sync short: the rules did not run (they run over complete data
   * only), the lists are empty and no person was written; a later scan continues from the cursors.
   */
  complete: boolean;
}

/** Next stage of a person given the rules' verdict and what the owner did before. */
export function nextStage(contact: Contact, previous?: PersonRecord): PersonRecord["stage"] {
  if (contact.followedUpAt !== undefined) return "followed_up";
  if (previous?.stage === "drafted" || previous?.stage === "dismissed") return previous.stage;
  return "met";
}

/** How many people a scan writes back at once (conditional puts, one request each). */
const PEOPLE_WRITES_IN_FLIGHT = 8;

/**
 * Writes a stored person's new record if the owner's part of it (stage, draft) is still as the scan
 * read it; otherwise the record is made again over the person as stored now (`remake`) and written
 * the same way. A person deleted meanwhile (a disconnect) is not written back.
 */
async function writeBackPerson(repo: Repository, account: string, record: PersonRecord, read: PersonRecord, remake: (stored: PersonRecord) => PersonRecord): Promise<void> {
  let next = record;
  let expected = read;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await repo.putPersonIf(account, next, expected)) return;
    const stored = await repo.getPerson(account, record.email);
    if (!stored) return;
    expected = stored;
    next = remake(stored);
  }
  throw new Error(`person ${record.email}: changed by the owner on every write-back`);
}

/**
 * The shape of the meetings the calendar sync stores. Version 2 reads the event platform from a
 * description at ingest (`Meeting.platform`, shared/spec/events.md rule 3); meetings stored by an
 * earlier version lack it. Version 3 stores a Gmail ticket (`fromGmail`) as organised by the owner
 * whatever organiser Google names (events.md), where version 2 needed `organizer.self`, and ends a
 * platform link at non-ASCII punctuation and Markdown emphasis (core/events/platform). Version 4
 * keeps an entry's address as written where normalising changed it (`Attendee.address`: a
 * `+tag`, Gmail's dots), which a follow-up draft is addressed to. Version 5 holds Google's ordinary
 * events and Gmail's tickets only (core/google READ_EVENT_TYPES, named on each request since), and a
 * sync token made without `eventTypes` is not used with it. Version 6 reads a link with a query or
 * fragment straight after its host (`partner.example?ref=lu.ma`, an internationalised host's too) as
 * that host's, not the platform's named inside it, and a Google `iCalUID` that is `@events.lu.ma` alone as Luma's (helper-123).
 * Version 7 kept who made a Google event organised by a shared (group) calendar (`madeBy`, its
 * creator; helper-150 #1, helper-152), unused since 2026-12-05 (core/events rules othersOn: the
 * calendar is someone, as events.md reads; helper-195 #2), so a stored one is ignored. Version 8 writes an internationalised domain in one
 * spelling, its Unicode form, where an entry named its ASCII `xn--` form (core/identity normalizeAddress; helper-159). Version 9
 * reads a link written with no scheme straight after prose in a script other than Latin
 * (`詳細はlu.ma/…`, `…/events/301234567から`) as the platform's (core/events/platform; helper-212), a link
 * after an ellipsis (`info...lu.ma/…`) too, and ends a path at `|` or `^` (helper-213); prose with
 * digits and Latin words before a link, `_lu.ma/…_`, and `lu.ma<br>hello@acme.io` (helper-216), and
 * keeps a display name to its first 512 characters (model keptName; helper-218). Version 10 keeps an
 * all-day event's own dates (Meeting.dates), which every meeting stored before lacks. A stored calendar cursor of another version is not used: the next sync
 * is a full one under a new generation, which rewrites every meeting of the window (a few requests
 * per account, once) and, once complete, sweeps those it did not see, as after an expired cursor.
 */
export const MEETING_SHAPE = 10;

/**
 * Where an account's calendar stream goes (the scan's and the daily event sync's): its meetings,
 * and its cursor kept with the shape of the meetings it stored and the zone it read them in. A
 * cursor of an older shape starts a full read of `window` under a new generation, as for an
 * expired one (core/scan/sync restartCursor); so does one of another zone: an all-day event is
 * stored as its day's local midnight in the owner's zone (core/google, core/microsoft map), and an
 * incremental sync never rewrites an unchanged one, so after a reconnect that changed the zone its
 * day would be read in the new zone from the old zone's midnight, a day early or late. (A cursor
 * stored before cursors carried their zone is taken as of the account's.)
 */
export function calendarSink(repo: Repository, account: string, window: { since: number; until: number }, zone: string, read?: ReadCursors): StreamSink<Meeting> {
  return {
    loadCursor: async (): Promise<SyncCursor | undefined> => {
      const c = await cursorOf(repo, account, "calendar", read);
      if (!c || (c.shape === MEETING_SHAPE && (c.zone === undefined || c.zone === zone))) return c;
      return restartCursor(c, window);
    },
    saveCursor: (c: SyncCursor) => repo.putCursor(account, "calendar", { ...c, shape: MEETING_SHAPE, zone }),
    upsert: (items, gen) => putMeetings(repo, account, items, gen),
    remove: (ids) => deleteItems(repo, account, "meeting", ids),
    sweep: (gen, since) => sweep(repo, account, "meeting", gen, { since }),
  };
}

/**
 * How far the account's streams have been read: `backfilled` when calendar and Sent were read to
 * the end once ({@link readOnce}: caught up, or reading their window again, `reread`, since the
 * provider expired a cursor or the stored shape changed); `ownerMail` the same of the owner's mail
 * outside Sent (or, `ownerMail` false, the provider reads none). An account connected before that
 * stream existed is backfilled without it, and reads it in its weekly runs, under the time limit.
 */
export async function readSoFar(repo: Repository, account: string, ownerMail = true): Promise<{ backfilled: boolean; ownerMail: boolean; cursors: ReadCursors }> {
  const [calendar, sent, owned] = await Promise.all([
    repo.getCursor(account, "calendar"),
    repo.getCursor(account, "sent"),
    ownerMail ? repo.getCursor(account, OWNER_MAIL_STREAM) : undefined,
  ]);
  const cursors: ReadCursors = { calendar, sent, ...(ownerMail ? { [OWNER_MAIL_STREAM]: owned } : {}) };
  return { backfilled: readOnce(calendar) && readOnce(sent), ownerMail: !ownerMail || readOnce(owned), cursors };
}

/** Every stream read to the end once ({@link readSoFar}): what a first backfill reads before it stops, and what the first digest waits for. */
export async function firstReadDone(repo: Repository, account: string): Promise<boolean> {
  const read = await readSoFar(repo, account);
  return read.backfilled && read.ownerMail;
}

/**
 * Where the owner-mail stream's messages and cursor go. Its cursor carries the identities it read
 * by: when they change (a new alias learned), the stream reads its folder again under a new
 * generation. A copy stored stays the owner's mail until it is gone from the mailbox: deleted, or
 * in the trash or spam folder (a copy that left the folder is asked about, OwnerMailStream.gone); a
 * full re-read (a new alias, an expired cursor) sweeps nothing, since a copy it no longer finds in
 * the folder may only have been archived. A copy From an address that
 * is no longer an owner identity (aliases are replaced at a reconnect) stays stored but stops
 * counting: the rules check each From against the identities of the day (inference isOutbound).
 * Removals of messages it never stored (any received message deleted) are dropped.
 */
function ownerMailSink(repo: Repository, account: string, stream: OwnerMailStream, identities: ReadonlySet<string>, stored: readonly MailMessage[], window: { since: number; until: number }, read?: ReadCursors): StreamSink<MailMessage> & { changed: boolean } {
  const selector = [...identities].sort().join(" ");
  const mine = new Set(stored.filter((m) => !m.inSent).map((m) => m.id));
  return {
    changed: false,
    loadCursor: async () => {
      const c = await cursorOf(repo, account, OWNER_MAIL_STREAM, read);
      if (!c || c.selector === selector) return c;
      return restartCursor(c, window);
    },
    saveCursor: (c) => repo.putCursor(account, OWNER_MAIL_STREAM, { ...c, selector }),
    async upsert(items, gen) {
      for (const m of items) mine.add(m.id);
      this.changed ||= items.length > 0;
      await putMessages(repo, account, items, gen, OWNER_MAIL_STREAM);
    },
    async remove(ids) {
      const gone = ids.filter((id) => mine.delete(id));
      this.changed ||= gone.length > 0;
      await deleteItems(repo, account, "message", gone);
    },
    async left(ids) {
      const held = ids.filter((id) => mine.has(id));
      if (held.length) await this.remove(await stream.gone(held));
    },
    sweep: async () => 0,
  };
}

/**
 * Syncs calendar, sent mail and (where the provider reads it) the owner's mail outside Sent into the
 * store, runs the rules over everything stored, and records people.
 */
export async function scan(input: ScanInput): Promise<ScanResult> {
  const { owner, provider, repo, now } = input;
  const account = owner.email;
  const window = { since: now - (input.backfillDays ?? BACKFILL_DAYS) * DAY, until: now + (input.aheadDays ?? BACKFILL_DAYS) * DAY, now, ...(input.abandonPageBefore ? { abandon: input.abandonPageBefore } : {}) };
  const calendar = await syncStream(provider.calendar, calendarSink(repo, account, window, owner.timeZone, input.cursors), window, input.stopBefore);
  const sentMail = await syncStream(provider.sentMail, {
    loadCursor: () => cursorOf(repo, account, "sent", input.cursors),
    saveCursor: (c) => repo.putCursor(account, "sent", c),
    upsert: (items, gen) => putMessages(repo, account, items, gen),
    remove: (ids) => deleteItems(repo, account, "message", ids),
    sweep: (gen, since) => sweep(repo, account, "message", gen, { since }),
  }, window, input.stopBefore);
  const incomplete = (streams: ScanResult["streams"]): ScanResult =>
    ({ newContacts: [], missingFollowUps: [], contacts: [], stats: { meetingsAttended: 0, newPeopleMet: 0, followUpsSent: 0 }, people: [], owner, streams, complete: false });
  if (calendar.stopped || sentMail.stopped) return incomplete({ calendar, sentMail });
  const [meetings, stored, storedPeople, storedStatements] = await Promise.all([
    repo.loadMeetings(account),
    repo.loadMessages(account),
    repo.loadPeople(account),
    loadStatements(repo, account),
  ]);
  const { people: previous, statements } = await respellRecords(repo, account, storedPeople, storedStatements);
  let messages = refoldStored(stored);
  // Gmail's aliases come from what the read scopes show (the From of sent mail, the calendar's self
  // entry; an organisation's Outlook's are Graph's list, stored at connect; a personal Microsoft
  // account's, which Graph does not list, the From of its Sent Items); they are stored on the
  // account, so later scans, digests and drafts use them too.
  const learned = learnOwnerIdentities(owner, meetings, messages);
  const self: Owner = { ...owner, aliases: learned.aliases, ...(learned.displayName ? { displayName: learned.displayName } : {}) };
  if (learned.changed)
    await updateAccount(repo, account, { aliases: learned.aliases, ...(learned.displayName ? { displayName: learned.displayName } : {}) }, now);
  // Mail From an owner identity outside Sent, read with the identities just learned.
  let ownerMail: StreamReport | undefined;
  if (provider.ownerMail) {
    const identities = ownerIdentity(self.email, self.aliases).addresses;
    const stream = provider.ownerMail(identities);
    const sink = ownerMailSink(repo, account, stream, identities, stored, window, input.cursors);
    ownerMail = await syncStream(stream, sink, window, input.stopBefore);
    if (ownerMail.stopped && !input.ownerMailMayLag) return incomplete({ calendar, sentMail, ownerMail });
    if (sink.changed) messages = refoldStored(await repo.loadMessages(account));
  }
  const streams = { calendar, sentMail, ...(ownerMail ? { ownerMail } : {}) };
  const result = infer(self, meetings, messages, now, { confirmations: statements.confirmations });
  const events = networkingEvents(self, meetings, result.contacts, now, statements);
  const before = new Map(previous.map((p) => [p.email, p]));
  // Whose first meeting is a networking event: their drafts default to the "After an event" template.
  const atEvent = metAtEvents(self, meetings, result.contacts, statements.marks);
  /** A contact's record, over the person as stored (the owner's stage and draft carried). */
  const recordOf = (c: Contact, prev: PersonRecord | undefined): PersonRecord => {
    const record: PersonRecord = { ...c, stage: nextStage(c, prev), ...(atEvent.has(c.email) ? { atEvent: true as const } : {}) };
    if (prev?.draftId) Object.assign(record, { draftId: prev.draftId, draftLink: prev.draftLink });
    return record;
  };
  const people: PersonRecord[] = result.contacts.map((c) => recordOf(c, before.get(c.email)));
  const changed = people.filter((p) => JSON.stringify(p) !== JSON.stringify(before.get(p.email)));
  // Stored people the rules no longer find are kept, marked gone: a link in an earlier email about
  // them must not draft a follow-up to a meeting that is not there any more.
  const current = new Set(people.map((p) => p.email));
  const gone = previous.filter((p) => !current.has(p.email) && !p.gone).map((p): PersonRecord => ({ ...p, gone: true }));
  // New people in one batch. A person stored when the scan read is written back only as the owner
  // left them: a dismissal, an Undo or a draft recorded since (a backfill's scan reads the owner's
  // mail for minutes between its read and this write) is kept, the record made again over it.
  // Written whole as read, a dismissal made meanwhile was lost for good (helper-179 #1).
  await repo.putPeople(account, changed.filter((p) => !before.has(p.email)));
  const contactOf = new Map(result.contacts.map((c) => [c.email, c]));
  await mapLimit([...changed.filter((p) => before.has(p.email)), ...gone], PEOPLE_WRITES_IN_FLIGHT, (record) =>
    writeBackPerson(repo, account, record, before.get(record.email)!, (stored) => {
      const c = contactOf.get(record.email);
      return c ? recordOf(c, stored) : { ...stored, gone: true };
    }),
  );
  await recordKnownConfirmations(repo, account, ownerIdentity(self.email, self.aliases), meetings, statements.confirmations, result.contacts, now);
  return { ...result, people, owner: self, streams, complete: true, networkingEvents: events, statements, read: { meetings, messages } };
}
