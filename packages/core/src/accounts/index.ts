import { QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { Owner } from "../model";
import { gmailDraftsLink } from "../providers";
import { decrypt, encrypt, type Keyring } from "../secrets";
import { DEFAULT_SCHEDULE, type DigestSchedule, DUE_SLOT_MS, dispatchSlot, dueKey, isoWeek, nextDue, slotStart, utcHourOfWeek } from "../schedule";
import { GSI, keys, RETAIN_DAYS, type Repository } from "../storage";

/** Where a provider's APIs and token endpoint are (Google's and Microsoft's own, or the sandbox). */
export interface ProviderEndpoints {
  /** Gmail/Calendar root, or Graph base URL. */
  apiUrl?: string;
  tokenUrl?: string;
  authorizeUrl?: string;
}

/** A connected account as stored: the owner, the encrypted refresh token and its client. */
export interface AccountRecord extends Owner {
  provider: "google" | "microsoft";
  clientId: string;
  /** AES-256-GCM sealed refresh token (see secrets). Never logged, never stored in clear. */
  refreshTokenSealed: string;
  status: "active" | "needs_reconnect" | "paused";
  endpoints?: ProviderEndpoints;
  connectedAt: number;
  /** When the digest goes out, in the owner's zone (DEFAULT_SCHEDULE when absent). */
  schedule?: DigestSchedule;
  /** The owner's follow-up template (followup.DEFAULT_TEMPLATE when absent). */
  template?: string;
  /** The owner's subject template (followup's default subject when absent). */
  subjectTemplate?: string;
  /** The name the owner signs drafts with ({ownerName}); their first name when absent. */
  signatureName?: string;
  /** First names the owner corrected, by person address (lower case): used in drafts and the digest. */
  firstNames?: Record<string, string>;
  /**
   * The two event emails of shared/spec/events.md (core/eventmail): each kind is on unless set to
   * false here (a settings toggle). Pausing the account pauses them with the digest.
   */
  eventEmails?: { morningOf?: boolean; morningAfter?: boolean };
  /** When the one "please reconnect" email went out (confirmed sent). */
  reconnectNotifiedAt?: number;
  /**
   * When a run claimed the reconnect email to send it (core/reconnect handleRevoked): removed when
   * the send is confirmed or fails; one left older than core/limits NOTICE_CLAIM_STALE_MS was lost
   * with its run, and the next delivery sends the email again.
   */
  reconnectNotifyingAt?: number;
  /**
   * The id of that claim, unique to the run that made it: a run whose claim the table applied but
   * whose answer was lost knows it again by this (core/reconnect handleRevoked).
   */
  reconnectNotifyingId?: string;
  /** When the weekly job last completed (a duplicate dispatch within hours is skipped). */
  lastWeeklyAt?: number;
  /**
   * When the first backfill's chain last continued itself (functions/src/handlers/backfill): a
   * weekly run that finds the first read unfinished leaves it to that chain while this is fresh, so
   * one chain reads at a time at the provider's pace. Removed when the chain ends.
   */
  backfillAt?: number;
  /**
   * When the newest backfill chain began (its first link's time, functions/src/handlers/backfill): a
   * chain begun earlier (a reconnect's, a resume's, a move's read while one still went on) ends at its
   * next link, so one chain reads, not two taking turns under the lease.
   */
  backfillChain?: number;
  /** The ISO week (the owner's zone) that run was for: a run for another week is no duplicate, however soon. */
  lastWeek?: string;
  /**
   * The scopes the provider granted at connect (the token response's `scope`); a later 403 for a
   * permission outside them is the grant, not the call, and needs a reconnect.
   */
  scopes?: string[];
  /** Why the account needs reconnecting, when it does ("auth-revoked", "missing-scope: Mail.Send"...). */
  reconnectReason?: string;
  /**
   * The provider's fixed id of the account (oauth.identityKey: Google's sub; Microsoft's tid and
   * oid), from the ID token at connect. Disconnect and delete need a fresh sign-in that matches it.
   */
  identity?: string;
  /**
   * When this record was created by a connection (epoch ms; absent on records from before it). A job
   * that began before it ran for an account since disconnected: what it wrote belongs to nobody. A
   * link whose chain of pages began before it is an earlier connection's (the address's previous
   * owner's, or the owner's own before a disconnect): refused.
   */
  createdAt?: number;
  /**
   * The zone the provider's calendar named at the last connect or reconnect (absent on records from
   * before it was kept: `timeZone` is that zone then, unless {@link zoneChosen}).
   */
  calendarZone?: string;
  /**
   * The owner chose `timeZone` on the settings page (core/events changeTimeZone): a reconnect keeps
   * it, and records the calendar's zone only in {@link calendarZone}. Absent while the account
   * follows its calendar's zone.
   */
  zoneChosen?: boolean;
  /**
   * The provider named no zone at the last connect or reconnect, and none was known before (Outlook's
   * mailboxSettings refused, or giving none: core/microsoft settingsZone): `timeZone` is UTC, or the
   * zone the account had, or the owner's choice, not a calendar's, so nothing is offered as "My
   * calendar's" ({@link calendarZoneOf}). Removed once a zone is read (a reconnect, the morning sync).
   */
  zoneUnread?: true;
  /**
   * `timeZone` is the zone most of the owner's own meetings were created in (core/model
   * ownMeetingsZone), given by the first backfill to an account whose provider named none
   * ({@link zoneUnread}) and whose owner chose none (core/events adoptMeetingsZone); the pages say it
   * is from the calendar. Removed once a zone is read or chosen; a reconnect that reads none keeps it.
   */
  zoneInferred?: true;
  /**
   * The account this one was renamed from (the provider renamed it; the same sign-in): its address and
   * creation, set when the record is made, removed once the old account's records have come along and
   * it has gone ({@link finishMove}). A move cut short is finished by the next sign-in or job, or goes
   * with this account's disconnect.
   */
  movedFrom?: { email: string; createdAt?: number; forwardedFrom?: string[] };
  /**
   * The addresses this account was renamed from whose links reach it ({@link finishMove}: their
   * forward points here); removed with the account.
   */
  forwardedFrom?: string[];
  /**
   * Every address this account was renamed from, whose records came along ({@link finishMove}),
   * whether or not its links are forwarded: a digest kept from then was sealed for that address.
   */
  formerly?: string[];
}

/** The zone the account's calendar named when last connected, where known ({@link AccountRecord.calendarZone}). */
export const calendarZoneOf = (a: Pick<AccountRecord, "timeZone" | "calendarZone" | "zoneChosen" | "zoneUnread">): string | undefined =>
  a.calendarZone ?? (a.zoneChosen || a.zoneUnread ? undefined : a.timeZone);

/**
 * Index attributes of an account item: every account is listed under GSI1 "ACCOUNTS"; an active
 * one is also under GSI2 by the UTC hour of the week (to the quarter) its digest is due, which the
 * dispatcher queries every quarter hour (a paused or disconnected account simply has no GSI2 key),
 * with `dueAt`, the occurrence that hour was derived for (core/schedule nextDue: the first of a week
 * not yet run, looked for from where {@link keptFrom} says, else from the next quarter hour), so that
 * the dispatcher can tell the hour's own week from a later one's, and `dueWeek`, that occurrence's
 * ISO week in the zone it was derived in, which the dispatcher hands the worker to name the digest
 * by (a zone changed while the record waits in the queue reads the slot as another day: helper-164
 * #2). `previous` is the item as stored before this write ({@link keptFrom}).
 */
export function accountIndexes(record: AccountRecord, at: number, previous?: StoredAccountItem): Record<string, string | number> {
  const base = { gsi1pk: keys.allAccounts, gsi1sk: record.email.toLowerCase() };
  if (record.status !== "active") return base;
  const from = keptFrom(previous, record, at) ?? dispatchSlot(at);
  const dueAt = nextDue(record.schedule ?? DEFAULT_SCHEDULE, record.timeZone, from, record.lastWeek);
  return { ...base, gsi2pk: dueKey(utcHourOfWeek(dueAt)), gsi2sk: record.email.toLowerCase(), dueAt, dueWeek: isoWeek(dueAt, record.timeZone) };
}

/** An account item as stored: the record and its index's occurrence. */
export type StoredAccountItem = { account: AccountRecord; dueAt?: unknown; gsi2pk?: unknown };

/**
 * How far back the index is kept for a catch-up: two hours. Shorter than the catch-up's own reach
 * (core/schedule `CATCH_UP_MS`, a day and an hour): while the dispatcher is down no job of the
 * account runs (the dispatcher queues them), so only the owner's own writes (a settings save) can
 * move the index meanwhile, and keeping a past occurrence named longer would keep a week whose run
 * failed for good from moving on for a day.
 */
const INDEX_REACH_MS = 2 * 3_600_000;

/**
 * How long past its occurrence the index keeps naming it: {@link INDEX_REACH_MS}, and a quarter hour for a run that
 * starts late or retries (helper-82 #1: a job at 10:00:30 moved the index off 08:00 before the
 * 10:00 run, started after it, caught 08:00 up).
 */
export const KEEP_PAST_OCCURRENCE_MS = INDEX_REACH_MS + DUE_SLOT_MS;

/**
 * Where the index's next occurrence is looked for from, on an account active before and after the
 * write whose schedule and zone it leaves as they were: the occurrence the index names (`dueAt`), if
 * it is not older than {@link KEEP_PAST_OCCURRENCE_MS}: past, the dispatch of its quarter hour may
 * have been skipped, and a catch-up up to two hours later reads the index as it is then, so a job
 * or a settings save meanwhile must not move it to next week's, which the catch-up would find ahead
 * (helper-80 #1); its week's run, once recorded (`lastWeek`), moves it on. An older one (a week's run
 * that failed, nothing re-derived since) or none (an item indexed before `dueAt` was kept): the
 * catch-up's reach back from now (helper-83 #1; an item indexed before `dueAt` was kept, the same).
 * Undefined otherwise: a resume, a new connection, a changed schedule or zone, a week run then
 * forgotten, an active item not on the index, derive from the next quarter hour (an occurrence
 * before them is not theirs to send, helper-81 #2).
 */
function keptFrom(previous: StoredAccountItem | undefined, next: AccountRecord, at: number): number | undefined {
  const current = previous?.account;
  if (!current || current.status !== "active" || next.status !== "active" || current.timeZone !== next.timeZone) return undefined;
  const was = current.schedule ?? DEFAULT_SCHEDULE;
  const will = next.schedule ?? DEFAULT_SCHEDULE;
  if (was.day !== will.day || was.hour !== will.hour) return undefined;
  // A week recorded as run and then forgotten (a job's record of a week cleared on a new connection,
  // core/dispatch runAccountJob): the stored occurrence may have passed one now due again (helper-84 #1).
  if (current.lastWeek !== undefined && (next.lastWeek === undefined || next.lastWeek < current.lastWeek)) return undefined;
  if (typeof previous.dueAt !== "number") return previous.gsi2pk !== undefined ? at - INDEX_REACH_MS : undefined;
  return previous.dueAt >= at - KEEP_PAST_OCCURRENCE_MS ? previous.dueAt : at - INDEX_REACH_MS;
}

/** An account as stored anew: the record with its refresh token in clear, which is sealed on the write. */
type NewAccount = Omit<AccountRecord, "refreshTokenSealed"> & { refreshToken: string };

/** The record, its refresh token sealed with the keyring's current key, and its item with the indexes of a new connection. */
function newAccountItem(ring: Keyring, account: NewAccount) {
  const { refreshToken, ...rest } = account;
  const record: AccountRecord = { ...rest, refreshTokenSealed: sealRefreshToken(ring, account.email, refreshToken) };
  return { record, item: { ...keys.account(account.email), ...accountIndexes(record, account.connectedAt), account: record } };
}

/** Stores an account, sealing its refresh token with the keyring's current key (whatever was stored under the address is replaced). */
export async function saveAccount(repo: Repository, ring: Keyring, account: NewAccount): Promise<AccountRecord> {
  const { record, item } = newAccountItem(ring, account);
  await repo.put(item);
  return record;
}

/**
 * {@link saveAccount} for an address with no account: undefined, and nothing written, when one was
 * stored meanwhile (another first connection of the same address: core/connect storeConnection then
 * reconnects it instead).
 */
export async function createAccount(repo: Repository, ring: Keyring, account: NewAccount): Promise<AccountRecord | undefined> {
  const { record, item } = newAccountItem(ring, account);
  return (await repo.putIf(item, "attribute_not_exists(pk)")) ? record : undefined;
}

/**
 * Sets (or with `first` undefined, removes) the first name kept for one person, writing that one
 * entry of the account's `firstNames` map: corrections saved at the same moment each keep theirs,
 * where writing back the whole map as read kept only the last (helper-106 #4). A new entry is
 * refused once `max` are kept ("full"); "gone" when the account is.
 */
export async function setFirstName(repo: Repository, email: string, person: string, first: string | undefined, max: number): Promise<"saved" | "full" | "gone"> {
  const Key = keys.account(email);
  const names = { "#a": "account", "#fn": "firstNames", "#p": person };
  for (let attempt = 0; attempt < 5; attempt++) {
    const set =
      first === undefined
        ? new UpdateCommand({ TableName: repo.table, Key, UpdateExpression: "REMOVE #a.#fn.#p", ConditionExpression: "attribute_exists(pk) AND attribute_exists(#a.#fn)", ExpressionAttributeNames: names })
        : new UpdateCommand({
            TableName: repo.table,
            Key,
            UpdateExpression: "SET #a.#fn.#p = :f",
            // A new entry only while fewer than `max` are kept (size() of a map counts its entries).
            ConditionExpression: "attribute_exists(pk) AND attribute_exists(#a.#fn) AND (attribute_exists(#a.#fn.#p) OR size(#a.#fn) < :max)",
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: { ":f": first, ":max": max },
          });
    if (await repo.conditional(set)) return "saved";
    // Gone, no map yet (a path into a missing map cannot be set), or full.
    const current = await loadAccount(repo, email);
    if (!current) return "gone";
    if (current.firstNames === undefined) {
      if (first === undefined) return "saved";
      const created = await repo.conditional(
        new UpdateCommand({
          TableName: repo.table,
          Key,
          UpdateExpression: "SET #a.#fn = :m",
          ConditionExpression: "attribute_exists(pk) AND attribute_not_exists(#a.#fn)",
          ExpressionAttributeNames: { "#a": "account", "#fn": "firstNames" },
          ExpressionAttributeValues: { ":m": { [person]: first } },
        }),
      );
      if (created) return "saved";
      continue;
    }
    if (first !== undefined && !(person in current.firstNames) && Object.keys(current.firstNames).length >= max) return "full";
  }
  throw new Error(`account ${email}: its first names kept changing; not saved`);
}

/** The account item as stored (the record, and its index's occurrence). */
export const loadAccountItem = async (repo: Repository, email: string) => (couldBeAccount(email) ? repo.get<StoredAccountItem>(keys.account(email)) : undefined);

/** The fields {@link updateAccount} changes. */
export type AccountPatch = Partial<Pick<AccountRecord, "status" | "schedule" | "template" | "subjectTemplate" | "signatureName" | "firstNames" | "eventEmails" | "reconnectNotifiedAt" | "reconnectNotifyingAt" | "reconnectNotifyingId" | "timeZone" | "calendarZone" | "zoneChosen" | "zoneUnread" | "zoneInferred" | "aliases" | "displayName" | "lastWeeklyAt" | "lastWeek" | "reconnectReason" | "backfillAt" | "backfillChain">>;

/**
 * Changes account settings (status, schedule, template, notices) and re-derives its due-hour index.
 * A field patched to `undefined` is removed. The sealed refresh token is left as stored (it may have
 * rotated meanwhile). A change given as a function is made from the record each attempt reads (the
 * write holds only while that record's status, zone, schedule, week, connection and backfill chain are as read: a
 * reconnect in between is a new connection, and the change is made again from its record).
 * Undefined when unknown.
 */
export function updateAccount(
  repo: Repository,
  email: string,
  change: AccountPatch | ((current: AccountRecord) => AccountPatch),
  at: number,
): Promise<AccountRecord | undefined> {
  return updateConnection(repo, email, change, at);
}

/**
 * {@link updateAccount} for any field of the record: a reconnect's write (core/connect
 * storeConnection), the fields a new grant decides (its sealed token, scopes, endpoints,
 * connectedAt, the zone it reads). Only those fields are written: a setting the owner saved between
 * the reconnect's read and its write (a template, the schedule, a pause) stays, where a put of the
 * whole record read before would have put the old one back (helper-96 #4). Undefined when the
 * account is gone.
 */
export async function updateConnection(
  repo: Repository,
  email: string,
  change: Partial<AccountRecord> | ((current: AccountRecord) => Partial<AccountRecord>),
  at: number,
): Promise<AccountRecord | undefined> {
  // The index is derived from what was read: the write holds only if none of that changed meanwhile
  // (another job's refresh, the owner's save); otherwise it reads again (helper-84 #2: a refresh that
  // read Friday 17:00 and wrote after the owner's Monday 08:00 left the index on Friday).
  for (let attempt = 1; ; attempt++) {
    const item = await loadAccountItem(repo, email);
    const current = item?.account;
    if (!current) return undefined;
    const patch = typeof change === "function" ? change(current) : change;
    const next: AccountRecord = { ...current, ...patch };
    const names: Record<string, string> = { "#a": "account" };
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    const removes: string[] = [];
    Object.entries(patch).forEach(([k, v], i) => {
      names[`#f${i}`] = k;
      if (v === undefined) {
        delete (next as unknown as Record<string, unknown>)[k];
        removes.push(`#a.#f${i}`);
        return;
      }
      values[`:v${i}`] = v;
      sets.push(`#a.#f${i} = :v${i}`);
    });
    const idx = accountIndexes(next, at, item);
    for (const k of ["gsi2pk", "gsi2sk", "dueAt", "dueWeek"]) {
      if (idx[k] !== undefined) {
        names[`#${k}`] = k;
        values[`:${k}`] = idx[k];
        sets.push(`#${k} = :${k}`);
      }
    }
    if (!idx.gsi2pk) removes.push("gsi2pk", "gsi2sk", "dueAt", "dueWeek");
    const expression = [sets.length ? `SET ${sets.join(", ")}` : "", removes.length ? `REMOVE ${removes.join(", ")}` : ""].filter(Boolean).join(" ");
    // What the derivation read, as it was read.
    const read: [string, Record<string, string>, unknown][] = [
      ["#a.#cst", { "#cst": "status" }, current.status],
      ["#a.#ctz", { "#ctz": "timeZone" }, current.timeZone],
      // What a reconnect's zone is decided from (a zone pinned meanwhile, even the one the account had, stays: helper-98 #1).
      ["#a.#czc", { "#czc": "zoneChosen" }, current.zoneChosen],
      ["#a.#ccz", { "#ccz": "calendarZone" }, current.calendarZone],
      ["#a.#csc.#cday", { "#csc": "schedule", "#cday": "day" }, current.schedule?.day],
      ["#a.#csc.#chr", { "#csc": "schedule", "#chr": "hour" }, current.schedule?.hour],
      ["#a.#clw", { "#clw": "lastWeek" }, current.lastWeek],
      ["#a.#cca", { "#cca": "connectedAt" }, current.connectedAt],
      // The backfill chain it names (functions/src/handlers/backfill): a link's mark made from a read
      // that a newer chain's mark followed would put the older chain back, and both read on.
      ["#a.#cbc", { "#cbc": "backfillChain" }, current.backfillChain],
      ["#cdue", { "#cdue": "dueAt" }, item.dueAt],
    ];
    const condition = ["attribute_exists(pk)"];
    read.forEach(([path, n, v], i) => {
      Object.assign(names, n);
      if (v === undefined) condition.push(`attribute_not_exists(${path})`);
      else {
        values[`:c${i}`] = v;
        condition.push(`${path} = :c${i}`);
      }
    });
    const conditionExpression = condition.join(" AND ");
    try {
      await repo.doc.send(
        new UpdateCommand({
          TableName: repo.table,
          Key: keys.account(email),
          UpdateExpression: expression,
          ConditionExpression: conditionExpression,
          // Every name is added with its use, and the condition always names the account map (#a).
          ExpressionAttributeNames: names,
          ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
        }),
      );
      return next;
    } catch (e) {
      if ((e as { name?: string }).name !== "ConditionalCheckFailedException") throw e;
      // Gone (the next read says so) or changed (read again). Not a ConditionalCheckFailedException
      // past the last attempt: callers take that for an account deleted meanwhile.
      if (attempt >= 5) throw new Error(`account ${email}: changed by another writer during each of ${attempt} updates`);
    }
  }
}

/** Whether `week` is the ISO week of instant `at` in some zone (UTC-12 to UTC+14). */
const weekAnywhere = (at: number, week: string) => [-12, 0, 14].some((h) => isoWeek(at + h * 3_600_000, "UTC") === week);

/**
 * Accounts whose digest is due in a UTC hour-of-week slot (to the quarter): one query on GSI2, pages
 * of up to `limit`. Given `at`, the quarter hour being dispatched, an account whose index was
 * derived for a later week's occurrence (`dueAt` past that quarter hour: the week the clocks change,
 * next week's occurrence has another UTC hour, which can come round before it) is left for then,
 * and counted in `ahead`. An item indexed before `dueAt` was kept is always due.
 */
export async function accountsDue(repo: Repository, slot: number, start?: Record<string, unknown>, limit = 1000, at?: number) {
  const page = await repo.gsi2Items(dueKey(slot), ["gsi2sk", "dueAt", "dueWeek"], start, limit);
  const ahead = (i: Record<string, unknown>) => at !== undefined && typeof i.dueAt === "number" && i.dueAt >= slotStart(at) + DUE_SLOT_MS;
  const due = page.items.filter((i) => !ahead(i));
  return {
    emails: due.map((i) => String(i.gsi2sk)),
    // The week each was indexed for, where its occurrence is this quarter hour's (not one kept from
    // an earlier week, nor an item indexed before it was kept) and the week is that occurrence's in
    // some zone: a `dueAt` rewritten by a release that did not know `dueWeek` (a deploy's window)
    // leaves an earlier week beside it, which would name this week's digest after that one.
    weeks: due.map((i) =>
      at !== undefined && typeof i.dueWeek === "string" && typeof i.dueAt === "number" && slotStart(i.dueAt) === slotStart(at) && weekAnywhere(i.dueAt, i.dueWeek) ? i.dueWeek : undefined,
    ),
    ahead: page.items.length - due.length,
    next: page.next,
  };
}

/**
 * Deletes every item of an account's partition (disconnect). Returns how many were deleted. First
 * the account is paused (off the due-hour index; a job already running that finds the grant gone
 * sends no reconnect notice to a paused account, core/reconnect handleRevoked), then its data goes,
 * then the account record, then whatever a job running meanwhile wrote since (read again), and its
 * sign-in identity last: a disconnect cut short before the account record goes (a time limit, a
 * failed write) leaves a paused account its owner can sign in to and disconnect again.
 * `beforeDelete` is given each read's items before they go (a rename copies what it carries from
 * them: {@link finishMove}), the late writes' read included. `only`: nothing is done unless the
 * account as read here passes it. An account renamed from another whose move is not finished takes
 * that one with it ({@link AccountRecord.movedFrom}; helper-137 #1).
 */
export async function deleteAccountData(
  repo: Repository,
  email: string,
  o: { beforeDelete?: (items: Record<string, unknown>[]) => Promise<void>; only?: (account: AccountRecord | undefined) => boolean } = {},
): Promise<number> {
  const account = await loadAccount(repo, email);
  if (o.only && !o.only(account)) return 0;
  if (account?.movedFrom && !o.only) await deleteAccountData(repo, account.movedFrom.email, { only: sourceOf(account) });
  if (account) await pauseForDisconnect(repo, account, Date.now());
  // A lease a job still holds stays until that job ends (it releases it, and finds the account
  // gone): a connection made meanwhile waits for it instead of reading beside the job's late writes.
  const held = (i: Record<string, unknown>) => String(i.sk).startsWith("LEASE#") && typeof i.expiresAt === "number" && i.expiresAt * 1000 > Date.now();
  const items = (await repo.allItems(email)).filter((i) => !held(i));
  await o.beforeDelete?.(items);
  const own = keys.account(email);
  const isAccount = (i: Record<string, unknown>) => i.pk === own.pk && i.sk === own.sk;
  await repo.deleteEach(items.filter((i) => !isAccount(i)));
  if (items.some(isAccount)) await repo.delete(own);
  // A job running meanwhile (it holds no lock this waits for) may have written since the read above:
  // read once more now that the account is gone. A job that writes after this read ends after the
  // account went, and sweeps its own writes (core/dispatch runAccountJob).
  // A new connection's account stored since its record went (a reconnect in another tab, made new) is
  // not this disconnect's: it stays, and so does its sign-in's link (helper-99 #1).
  const newer = (i: Record<string, unknown>) => isAccount(i) && (i.account as AccountRecord | undefined)?.createdAt !== account?.createdAt;
  const after = await repo.allItems(email);
  const late = after.filter((i) => !held(i) && !newer(i));
  // What a newer account's connection wrote is never another's to take (helper-136 #3).
  if (!after.some(newer)) await o.beforeDelete?.(late);
  await repo.deleteEach(late);
  // The forwards of the addresses it was renamed from go with it (the Disconnected page says everything
  // went), those of a move not finished too (still pointing at the old account, or already here:
  // helper-145 #3); a move's delete (`only`) leaves them for the move to point at the new address.
  if (account && !o.only) {
    const from = account.movedFrom;
    await dropForwards(repo, [...(account.forwardedFrom ?? []), ...(from ? [from.email, ...(from.forwardedFrom ?? [])] : [])], email, account.createdAt);
    if (from) await dropForwards(repo, from.forwardedFrom ?? [], from.email, from.createdAt);
  }
  if (account?.identity) {
    // The link of this account: to its address, and (since links record it) of its creation.
    const link = keys.identity(account.identity);
    const address = { ":e": account.email.toLowerCase() };
    if (account.createdAt === undefined) await repo.deleteIf(link, "#e = :e", address, { "#e": "email" });
    else await repo.deleteIf(link, "#e = :e AND (attribute_not_exists(#c) OR #c = :c)", { ...address, ":c": account.createdAt }, { "#e": "email", "#c": "createdAt" });
  }
  return items.length + late.length;
}

/**
 * What a renamed account's owner said and was sent, which no read of the mailbox gives back: its
 * statements (events.md: they "survive every rescan and are deleted with the account"), the event
 * emails sent (each goes once per event), the people with their stages (a follow-up dismissed or
 * drafted stays so), the drafts made (a tap lands on the draft made, not a second one) and the
 * digests sent (a week's is not sent again, its copy in Sent found by its Message-ID). Copied to
 * the new address's partition from the reads of the old account's delete, which pauses it first (a
 * job that has not read it yet sends nothing from it), the read made after its record went included
 * (a claim a running job writes meanwhile comes along: helper-135 #1); what the mailbox holds is
 * read again there. (Until 2026-12-03 they went with the old partition: helper-129 #1, helper-130 #3.)
 */
const CARRIED_PREFIXES = [keys.prefix.says, keys.prefix.eventMail, keys.prefix.person, keys.prefix.draft, keys.prefix.digest];

async function carryOwnersRecords(repo: Repository, read: Record<string, unknown>[], from: string, to: string): Promise<void> {
  const pk = keys.account(to).pk;
  const items = read.filter((i) => CARRIED_PREFIXES.some((prefix) => String(i.sk).startsWith(prefix)));
  if (!items.length) return;
  // A Gmail draft's link names the mailbox's address: the copy names the new one (helper-131 #6).
  const [was, now] = [gmailDraftsLink(from), gmailDraftsLink(to)];
  const relinked = (o: unknown, field: string) => (o && typeof o === "object" && (o as Record<string, unknown>)[field] === was ? { ...o, [field]: now } : o);
  const copy = (item: Record<string, unknown>) => ({
    ...item,
    pk,
    ...(item.person ? { person: relinked(item.person, "draftLink") } : {}),
    ...(item.claim ? { claim: relinked(item.claim, "webLink") } : {}),
  });
  await repo.batch(items.map((item) => ({ PutRequest: { Item: copy(item) } })));
}

/**
 * The addresses an account was renamed from, whose records it holds (or, while a move is being
 * finished, is taking): a digest kept from before a rename was sealed for the address it went to.
 */
export const formerAddresses = (a: Pick<AccountRecord, "forwardedFrom" | "movedFrom" | "formerly">): string[] => [
  ...new Set([...(a.formerly ?? []), ...(a.forwardedFrom ?? []), ...(a.movedFrom ? [a.movedFrom.email, ...(a.movedFrom.forwardedFrom ?? [])] : [])].map((e) => e.toLowerCase())),
];

/**
 * The second half of a rename ({@link AccountRecord.movedFrom}): the old account's records are copied
 * to this one's partition as its delete reads them, the old account goes, and the mark is removed.
 * Done again until it completes: every step can be repeated (a copy puts the same items again).
 */
export async function finishMove(repo: Repository, account: AccountRecord, at: number): Promise<AccountRecord> {
  const from = account.movedFrom;
  if (from === undefined) return account;
  await deleteAccountData(repo, from.email, { only: sourceOf(account), beforeDelete: (items) => carryOwnersRecords(repo, items, from.email, account.email) });
  // The addresses whose links reached the old account (its own earlier renames), as the new record
  // was made with them: a run of this repeated, or beside another, finds them still (helper-145 #2).
  const pointed = await forwardLinks(repo, account, from, from.forwardedFrom ?? []);
  return (
    (await updateConnection(
      repo,
      account.email,
      (current) => {
        if (current.createdAt !== account.createdAt) return {};
        const forwardedFrom = [...new Set([...(current.forwardedFrom ?? []), ...pointed])];
        // Every address it was renamed from, forwarded or not (an account made before creations were
        // recorded forwards nothing): its digests came along sealed for it (helper-246 #3).
        const formerly = [...new Set([...(current.formerly ?? []), from.email.toLowerCase(), ...(from.forwardedFrom ?? []).map((e) => e.toLowerCase())])].slice(-20);
        return { movedFrom: undefined, formerly, ...(forwardedFrom.length ? { forwardedFrom } : {}) };
      },
      at,
    )) ?? account
  );
}

/** Deletes the forwards at `addresses` that point at the account created at `createdAt` at `to`. */
async function dropForwards(repo: Repository, addresses: string[], to: string, createdAt: number | undefined): Promise<void> {
  if (createdAt === undefined) return;
  for (const address of new Set(addresses))
    await repo.deleteIf(keys.movedTo(address), "#m.#to = :to AND #m.#tc = :tc", { ":to": to.toLowerCase(), ":tc": createdAt }, { "#m": "movedTo", "#to": "to", "#tc": "toCreatedAt" });
}

/** Where a renamed account went (kept at its old address; {@link finishMove}). */
export interface MovedTo {
  /** The address the account is at now. */
  to: string;
  /** When the account left this address (ms): the account at the next one was created then. Links issued later are not followed. */
  at: number;
  /** This address's account's creation (ms): links issued earlier are an earlier connection's. */
  fromCreatedAt: number;
  /** The creation of the account at `to` (ms): a later connection of that address is not reached. */
  toCreatedAt: number;
}

/**
 * Points the links of the old address (and of the addresses the old account was itself renamed
 * from, `earlier`) at the account the move made, while no account is at them: one hop each, so a
 * chain of renames is never walked through an address someone else holds. Only where both
 * creations are recorded. Returns the addresses that point here now.
 */
async function forwardLinks(repo: Repository, account: AccountRecord, from: { email: string; createdAt?: number }, earlier: string[]): Promise<string[]> {
  const to = account.email.toLowerCase();
  if (account.createdAt === undefined) return [];
  const pointed: string[] = [];
  const ttl = (ms: number) => Math.floor(ms / 1000) + RETAIN_DAYS * 86_400;
  if (from.createdAt !== undefined && !(await loadAccount(repo, from.email))) {
    const forward: MovedTo = { to, at: account.createdAt, fromCreatedAt: from.createdAt, toCreatedAt: account.createdAt };
    await repo.put({ ...keys.movedTo(from.email), movedTo: forward, expiresAt: ttl(forward.at) });
    pointed.push(from.email.toLowerCase());
  }
  for (const address of earlier) {
    // Only a forward still pointing at the old address, to the old account: one cleared by a
    // connection of that address since is not made again.
    const key = keys.movedTo(address);
    const forward = (await repo.get<{ movedTo?: MovedTo }>(key))?.movedTo;
    // (Already pointing here: a run of this repeated.)
    if (forward?.to === to && forward.toCreatedAt === account.createdAt) {
      pointed.push(address);
      continue;
    }
    if (!forward || forward.to !== from.email.toLowerCase() || forward.toCreatedAt !== from.createdAt) continue;
    const moved = await repo.conditional(
      new UpdateCommand({
        TableName: repo.table,
        Key: key,
        UpdateExpression: "SET #m.#to = :to, #m.#tc = :tc",
        ConditionExpression: "#m.#to = :was AND #m.#tc = :wasc",
        ExpressionAttributeNames: { "#m": "movedTo", "#to": "to", "#tc": "toCreatedAt" },
        ExpressionAttributeValues: { ":to": to, ":tc": account.createdAt, ":was": forward.to, ":wasc": forward.toCreatedAt },
      }),
    );
    if (moved) pointed.push(address);
  }
  return pointed;
}

/**
 * The account a link sealed for `email` reaches when no account is there any more because the
 * provider renamed it (the same sign-in at a new address; renamed again, the forward points at the
 * latest): the link must have been issued while that address's account was there (after its
 * creation, by the time the account at the next address was made: `issuedAt`, seconds, core/links
 * chainIssuedAt), and the account it points at must be the one the move made (not a later
 * connection of that address). Undefined otherwise.
 */
export async function movedAccount(repo: Repository, email: string, issuedAt: number): Promise<AccountRecord | undefined> {
  const forward = (await repo.get<{ movedTo?: MovedTo }>(keys.movedTo(email)))?.movedTo;
  if (!forward || typeof forward.fromCreatedAt !== "number" || typeof forward.toCreatedAt !== "number") return undefined;
  if (issuedAt > Math.floor(forward.at / 1000) || issuedAt < Math.floor(forward.fromCreatedAt / 1000)) return undefined;
  const there = await loadAccount(repo, forward.to);
  return there?.createdAt === forward.toCreatedAt ? there : undefined;
}

/**
 * Whether an account read at the address `mover` was renamed from is the one it was renamed from (the
 * same sign-in, the same creation), or none is there any more (what is left is no one's). Another
 * account there (the address given to someone else, or the owner's own later connection of it after
 * a rename back) is left alone (helper-137 #2).
 */
const sourceOf = (mover: AccountRecord) => (there: AccountRecord | undefined) =>
  there === undefined || (there.identity === mover.identity && there.createdAt === mover.movedFrom?.createdAt);

/**
 * Deletes what an account's partition holds besides its account record and its jobs' leases (a
 * lease stays until its job ends: the next read waits on it, then reads afresh). `unlessAccount`:
 * only when there is no account record at all, records that are no one's now: a rename's copy whose
 * account was never made (the connection cut short between them: helper-131 #6). Returns how many went.
 */
export async function clearPartition(repo: Repository, email: string, o: { unlessAccount?: boolean } = {}): Promise<number> {
  const own = keys.account(email);
  const items = await repo.allItems(email);
  if (o.unlessAccount && items.some((i) => i.pk === own.pk && i.sk === own.sk)) return 0;
  const gone = items.filter((i) => i.sk !== own.sk && !String(i.sk).startsWith("LEASE#"));
  await repo.deleteEach(gone);
  return gone.length;
}

/**
 * Points an identity at its account (and drops the account's previous identity, if it changed).
 * `createdAt`, the account's, lets a disconnect of an earlier account under the address tell this
 * link from its own.
 */
export async function linkIdentity(repo: Repository, identity: string, email: string, previous?: string, createdAt?: number): Promise<void> {
  await repo.put({ ...keys.identity(identity), email: email.toLowerCase(), ...(createdAt === undefined ? {} : { createdAt }) });
  if (previous && previous !== identity) await repo.deleteIf(keys.identity(previous), "#e = :e", { ":e": email.toLowerCase() }, { "#e": "email" });
}

/** The account an identity (oauth.identityKey) was connected as; undefined when none. */
export async function accountByIdentity(repo: Repository, identity: string): Promise<AccountRecord | undefined> {
  const link = await repo.get<{ email?: string }>(keys.identity(identity));
  if (!link?.email) return undefined;
  const account = await loadAccount(repo, link.email);
  return account?.identity === identity ? account : undefined;
}

/**
 * Replaces the stored refresh token (Microsoft rotates it on every use); only that field is written,
 * and only while the account is the connection `record` was loaded as (`connectedAt`): a job that
 * started before a reconnect rotates its old grant's token, which must not replace the new grant's
 * (a reconnect made to grant a missing permission would be undone: helper-98 #3): then nothing is
 * written and the job goes on with its own token in memory. An account gone throws, as before.
 */
export async function rotateRefreshToken(repo: Repository, ring: Keyring, record: AccountRecord, refreshToken: string): Promise<AccountRecord> {
  const sealed = sealRefreshToken(ring, record.email, refreshToken);
  try {
    await repo.doc.send(
      new UpdateCommand({
        TableName: repo.table,
        Key: keys.account(record.email),
        UpdateExpression: "SET #a.#t = :t",
        ConditionExpression: "attribute_exists(pk) AND #a.#c = :c",
        ExpressionAttributeNames: { "#a": "account", "#t": "refreshTokenSealed", "#c": "connectedAt" },
        ExpressionAttributeValues: { ":t": sealed, ":c": record.connectedAt },
      }),
    );
  } catch (e) {
    if ((e as { name?: string }).name !== "ConditionalCheckFailedException") throw e;
    // Disconnected: the job stops here, as it did when the token had nowhere to go (Microsoft has no
    // revocation endpoint: the stored token's deletion is what ends a job's access; helper-99 #3).
    if (!(await loadAccount(repo, record.email))) throw e;
    console.warn(`account ${record.email}: a rotated refresh token of an earlier connection was not stored (reconnected since)`);
  }
  return { ...record, refreshTokenSealed: sealed };
}

/** Loads an account. */
export async function loadAccount(repo: Repository, email: string): Promise<AccountRecord | undefined> {
  if (!couldBeAccount(email)) return undefined;
  return (await repo.get<{ account: AccountRecord }>(keys.account(email)))?.account;
}

/**
 * No stored account has an address this long (an address is at most 254 characters, RFC 5321's
 * path less its brackets): one is not looked up, so an over-long address from a URL is "no such
 * account", not the table's ValidationException on its key (helper-106 #9: a 500).
 */
const couldBeAccount = (email: string) => email.length <= 320;

/** The account's refresh token in clear, for the OAuth client only. */
export const refreshTokenOf = (ring: Keyring, record: AccountRecord) => decrypt(ring, record.refreshTokenSealed, record.email.toLowerCase());

/** A refresh token sealed for the account of `email` (its address is the additional data {@link refreshTokenOf} opens it with). */
export const sealRefreshToken = (ring: Keyring, email: string, refreshToken: string) => encrypt(ring, refreshToken, email.toLowerCase());

/**
 * Pauses an account a disconnect is taking apart, as a grant found gone is paused (its reconnect
 * reason set): no job runs or mails for it meanwhile (core/reconnect handleRevoked leaves a paused
 * account alone), and a Resume of a disconnect cut short, whose grant was revoked, asks for the
 * reconnect (awaitsReconnect) instead of running on it. Nothing to write when it already is.
 */
export async function pauseForDisconnect(repo: Repository, account: AccountRecord, at: number): Promise<void> {
  if (account.status === "paused" && account.reconnectReason !== undefined) return;
  await updateAccount(repo, account.email, { status: "paused", reconnectReason: account.reconnectReason ?? "auth-revoked" }, at);
}

/**
 * The update that pauses an account at the owner's word (settings, the digest's one-tap pause): one
 * waiting for a reconnect is paused too, keeping that state (its reason), so resuming asks for the
 * reconnect ({@link awaitsReconnect}).
 */
export const pausePatch = (a: Pick<AccountRecord, "status" | "reconnectReason">): Pick<AccountRecord, "status" | "reconnectReason"> =>
  a.status === "needs_reconnect" && !a.reconnectReason ? { status: "paused", reconnectReason: "auth-revoked" } : { status: "paused" };

/**
 * Whether the account's grant was found gone and no reconnect has renewed it since (the reason and
 * the notice's stamp stay until a reconnect clears them, core/connect storeConnection): a pause keeps
 * that state, so resuming such an account asks for the reconnect instead of turning it on unread.
 */
export const awaitsReconnect = (a: Pick<AccountRecord, "status" | "reconnectReason" | "reconnectNotifiedAt" | "reconnectNotifyingAt">): boolean =>
  a.status === "needs_reconnect" || a.reconnectReason !== undefined || a.reconnectNotifiedAt !== undefined || a.reconnectNotifyingAt !== undefined;

/**
 * Sets an account's status in place (an update of `account.status` only, so a refresh token rotated
 * meanwhile is not overwritten). False when the account does not exist.
 */
export async function setAccountStatus(repo: Repository, email: string, status: AccountRecord["status"], at = Date.now()): Promise<boolean> {
  return (await updateAccount(repo, email, { status }, at)) !== undefined;
}

/** Every connected account (GSI `gsi1`, partition "ACCOUNTS"), ordered by address. */
export async function listAccounts(repo: Repository): Promise<AccountRecord[]> {
  const out: AccountRecord[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await repo.doc.send(
      new QueryCommand({
        TableName: repo.table,
        IndexName: GSI.gsi1,
        KeyConditionExpression: "gsi1pk = :p",
        ExpressionAttributeValues: { ":p": keys.allAccounts },
        ExclusiveStartKey: start,
      }),
    );
    for (const i of page.Items ?? []) if (i.account) out.push(i.account as AccountRecord);
    start = page.LastEvaluatedKey as Record<string, unknown> | undefined;
  } while (start);
  return out;
}
