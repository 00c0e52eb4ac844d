import { createHash } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import { type AccountRecord, loadAccount } from "../accounts";
import type { MailSender, OutgoingMail } from "../providers";
import { openStored, sealStored } from "../links";
import { keys, type Repository } from "../storage";
import type { DigestData } from "./model";

/** A rendered digest, ready to send. */
export interface RenderedDigest {
  subject: string;
  html: string;
  text: string;
  /** What the app's "view in browser" shows where it is not `html`: every person, where the email listed some (core/digest/render). */
  webHtml?: string;
}

/** One week's digest as read back ({@link loadDigest}). */
export interface DigestRecord {
  status: "sending" | "sent" | "failed";
  week: string;
  messageId: string;
  claimedAt: number;
  sentAt?: number;
  subject?: string;
  /** Its kept HTML is sealed and does not open (the link key was changed since it was sent). */
  unopened?: boolean;
  /**
   * The HTML the app shows: as emailed, or where the email left people out for its size, the same
   * digest with every one (RenderedDigest.webHtml), unless that copy is too large to keep
   * ({@link digestBodyFor}: some 640 waiting people), when it is the email's own again.
   */
  html?: string;
  text?: string;
  error?: string;
}

/**
 * One week's digest as the table holds it: the HTML and text in `sealed`, gzipped JSON sealed under
 * the link key ({@link sealDigestBody}). A digest is tens of KB of inline-styled markup (the demo
 * accounts' 13 and 55 KB) that gzip shrinks to between a fifth and a third (its sealed links do not
 * compress), and DynamoDB bills writes and reads by the KB and caps an item at 400 KB. Its links are
 * live for six weeks, so they are not kept where a stolen table would give them away (helper-244
 * #1). Records written before it hold the gzipped JSON in `body`, or before that `html` and `text`
 * as plain strings, and are read as they are.
 */
export type StoredDigest = Omit<DigestRecord, "html" | "text"> & { sealed?: Uint8Array; body?: Uint8Array; html?: string; text?: string };

/** What a digest's sealed body is bound to: the account and the week of its record. */
const bodyContext = (account: string, week: string) => `digest ${account.toLowerCase()} ${week}`;

/** A packed body ({@link digestBodyFor}) sealed for the record of `account`'s `week` under the link key. */
export const sealDigestBody = (linkKey: Uint8Array | string, account: string, week: string, body: Uint8Array): Uint8Array => sealStored(linkKey, body, bodyContext(account, week));

/** The most of a packed digest body stored with its record (DynamoDB caps an item at 400 KB). */
export const DIGEST_BODY_MAX_BYTES = 300 * 1024;

/** The `body` of a stored digest: the HTML the app shows (`webHtml` where the email left people out) and the text. */
export function packDigestBody(rendered: { html: string; text: string; webHtml?: string }): Uint8Array {
  return gzipSync(JSON.stringify({ html: rendered.webHtml ?? rendered.html, text: rendered.text }));
}

/**
 * The body kept with a digest's record: {@link packDigestBody} while it is within
 * {@link DIGEST_BODY_MAX_BYTES}; past it, without the text (the app never shows it), then, for a
 * digest whose email left people out, the email's own HTML (its "See all" links then open what the
 * email showed, rather than a page saying nothing was kept); undefined when even that is too large.
 */
export function digestBodyFor(rendered: { html: string; text: string; webHtml?: string }): Uint8Array | undefined {
  const view = rendered.webHtml ?? rendered.html;
  const tries = [() => packDigestBody(rendered), () => gzipSync(JSON.stringify({ html: view })), ...(rendered.webHtml ? [() => gzipSync(JSON.stringify({ html: rendered.html }))] : [])];
  for (const pack of tries) {
    const body = pack();
    if (body.byteLength <= DIGEST_BODY_MAX_BYTES) return body;
  }
  return undefined;
}

/**
 * A stored digest as read back: its HTML and text opened from `sealed` with the link key, as sealed
 * for `account` or for one of the addresses it was renamed from (`formerly`: its digests came along,
 * core/accounts finishMove, sealed for the address they were sent to); none where it does not open
 * (the link key was changed, which also ended every link of the HTML). Else unpacked from `body`, or
 * as stored before either.
 */
export function unpackDigest(stored: StoredDigest, opener?: { linkKey: Uint8Array | string; account: string; formerly?: readonly string[] }): DigestRecord {
  const { sealed, body, ...rest } = stored;
  const opened = (s: Uint8Array, o: NonNullable<typeof opener>) => {
    for (const address of [o.account, ...(o.formerly ?? [])]) {
      const plain = openStored(o.linkKey, s, bodyContext(address, stored.week));
      if (plain) return plain;
    }
    return undefined;
  };
  const packed = sealed instanceof Uint8Array ? opener && opened(sealed, opener) : body;
  if (!(packed instanceof Uint8Array)) return sealed instanceof Uint8Array ? { ...rest, unopened: true } : rest;
  const { html, text } = JSON.parse(gunzipSync(packed).toString("utf8")) as { html: string; text?: string };
  return { ...rest, html, ...(text !== undefined ? { text } : {}) };
}

/** True when a stored digest holds what was emailed (the app can show it). */
export const digestHasBody = (stored: StoredDigest | undefined): boolean => stored?.sealed instanceof Uint8Array || stored?.body instanceof Uint8Array || typeof stored?.html === "string";

/** How the send went. */
export type DigestOutcome = "sent" | "already-sent" | "in-progress" | "reconciled" | "paused";

/** How long a send's claim holds off another attempt: a claim older than this was left by one that died. */
export const SEND_CLAIM_STALE_MS = 10 * 60_000;

/** A Message-ID stable for (account, week): a retried send is recognisable in Sent. */
export function digestMessageId(account: string, week: string): string {
  const h = createHash("sha256").update(`${account.toLowerCase()}|${week}`).digest("hex").slice(0, 24);
  return `<digest.${week}.${h}@followthrough.app>`;
}

/** What {@link sendOnce} stores of one email: the claim, then the outcome. */
export interface SendRecord {
  status: "sending" | "sent" | "failed";
  messageId: string;
  claimedAt: number;
  /**
   * When the first attempt that may have sent claimed it: Sent is looked in from there, not from the
   * last claim (an attempt that failed before sending still claims, and a retry an hour later must
   * still find a copy the first one sent). Absent on records written before it: `claimedAt`.
   */
  firstClaimedAt?: number;
  /**
   * The Message-IDs earlier attempts sent under, when not this one's (one made before the account's
   * address was renamed), carried from claim to claim like `firstClaimedAt`: each is looked for in Sent.
   */
  earlierMessageIds?: string[];
  sentAt?: number;
  error?: string;
}

/** How one exactly-once send went. */
export type SendOnceOutcome = "sent" | "already-sent" | "in-progress" | "reconciled" | "paused";

/**
 * Sends one email through the owner's own account exactly once per item `key`: a conditional write
 * of `record` (status "sending") under attribute `field` claims it before sending; a concurrent
 * run finds the claim and stops. A claim left "sending" by a run that died is taken over after a
 * lease, and a failed one at once; both are reconciled first: if the provider's Sent already holds
 * the mail's Message-ID, it is recorded as sent, not sent again. The digest and the event emails
 * (core/eventmail) share this.
 */
export async function sendOnce<R extends SendRecord>(o: {
  repo: Repository;
  provider: MailSender;
  key: { pk: string; sk: string };
  field: string;
  record: R;
  mail: OutgoingMail & { messageId: string };
  now: number;
  /**
   * Whether to send at all, asked beside the claim's first read (no round trip of its own on the
   * way): the owner may have paused since the run loaded the account, minutes ago for a long read.
   * False: nothing is claimed or sent ("paused"; also when the account is no longer the connection the run loaded).
   */
  proceed?: () => Promise<boolean>;
  /**
   * Look in Sent from this time before sending even when no earlier attempt claimed the email (its
   * record gone): an event email sent late on a connection newer than the email, whose record a
   * disconnect deleted after it went (helper-176 #1). Without it, Sent is looked in only when taking
   * over an earlier attempt's claim, from that attempt's first claim; with it, from the earlier of the two.
   */
  lookFirstSince?: number;
}): Promise<SendOnceOutcome> {
  const { repo, key, field, now } = o;
  const [item, go] = await Promise.all([repo.get<Record<string, SendRecord>>(key), o.proceed ? o.proceed() : true]);
  if (!go) return "paused";
  const previous = item?.[field];
  const unsent = previous && previous.status !== "sent" ? previous : undefined;
  const firstClaimedAt = unsent ? (unsent.firstClaimedAt ?? unsent.claimedAt) : now;
  // Every Message-ID an attempt may have sent under, this one's last (helper-133 #5: a second takeover lost the first's).
  const earlierMessageIds = [...new Set([...(unsent?.earlierMessageIds ?? []), ...(unsent?.messageId ? [unsent.messageId] : [])])].filter((id) => id !== o.mail.messageId).slice(-4);
  const messageIds = [...earlierMessageIds, o.mail.messageId];
  const record: R = { ...o.record, status: "sending", messageId: o.mail.messageId, claimedAt: now, firstClaimedAt, ...(earlierMessageIds.length ? { earlierMessageIds } : {}) };
  const claimed = await repo.putIf(
    { ...key, [field]: record },
    "attribute_not_exists(pk) OR #d.#s = :failed OR (#d.#s = :sending AND #d.claimedAt < :stale)",
    { ":failed": "failed", ":sending": "sending", ":stale": now - SEND_CLAIM_STALE_MS },
    { "#d": field, "#s": "status" },
  );
  if (!claimed) {
    const current = (await repo.get<Record<string, SendRecord>>(key))?.[field];
    return current?.status === "sent" ? "already-sent" : "in-progress";
  }
  // The outcome is written into this attempt's claim, not with the whole record again (a digest's
  // holds its email, kilobytes of it): an item deleted meanwhile (its account removed) stays
  // deleted, and a claim another attempt took over (this one ran past the lease) is left to it,
  // which looks in Sent before sending.
  const mark = (fields: Partial<SendRecord>) => repo.setIn(key, field, fields, { claimedAt: now });
  // An earlier attempt may have sent before failing or dying: look in Sent before sending again, for
  // its Message-ID as well as this one's (an attempt before the account's address was renamed wrote
  // one made from the old address: helper-131 #3).
  // The earlier of the two: a late email whose first look failed left a claim of its own, and its
  // retry must still look back to where the caller asked (helper-178 #1).
  const lookSince = unsent ? Math.min(firstClaimedAt - 5 * 60_000, o.lookFirstSince ?? Infinity) : o.lookFirstSince;
  if (lookSince !== undefined) {
    for (const id of messageIds) {
      if (!(await o.provider.sentRecently(id, lookSince))) continue;
      await mark({ status: "sent", sentAt: unsent?.claimedAt ?? now });
      return "reconciled";
    }
  }
  try {
    await o.provider.send(o.mail);
  } catch (e) {
    await mark({ status: "failed", error: String((e as Error).message).slice(0, 300) });
    throw e;
  }
  await mark({ status: "sent", sentAt: now });
  return "sent";
}

/**
 * Sends the week's digest through the owner's own account, exactly once per (account, week)
 * ({@link sendOnce}); nothing while the account is paused.
 */
export async function sendDigestOnce(o: {
  repo: Repository;
  provider: MailSender;
  account: AccountRecord;
  data: DigestData;
  rendered: RenderedDigest;
  now: number;
  /** The link key (core/links): the body kept for the app's view is sealed under it ({@link sealDigestBody}). */
  linkKey: Uint8Array | string;
}): Promise<DigestOutcome> {
  const { account, data, rendered, now } = o;
  if (account.status === "paused") return "paused";
  const messageId = digestMessageId(account.email, data.week);
  // The body is kept for the app's view only while the item stays well inside DynamoDB's 400 KB
  // (digestBodyFor: a browser copy of some 330 waiting people, each with its sealed links, which do
  // not compress, is kept without the text, and past about 640 the email's own HTML is, whose "See
  // all" links then open what the email showed): a digest with none of these kept is still sent,
  // and the view says it has no copy, rather than the claim failing every week.
  const body = digestBodyFor(rendered);
  const record: StoredDigest = { status: "sending", week: data.week, messageId, claimedAt: now, subject: rendered.subject, ...(body ? { sealed: sealDigestBody(o.linkKey, account.email, data.week, body) } : {}) };
  const mail = digestMail(account, data, rendered);
  return sendOnce({ repo: o.repo, provider: o.provider, key: keys.digest(account.email, data.week), field: "digest", record, mail: { ...mail, messageId }, now, proceed: () => stillActive(o.repo, account) });
}

/**
 * Whether the account a run loaded is still there, the same connection, and not paused (read
 * afresh: a pause during a run's read stops its send). A disconnect and a new connection under the
 * address (settings and connect delete the account's data without the scan lease) make another
 * account, whose data the run's read did not see whole: nothing is sent for it, and the job clears
 * what it wrote (core/dispatch runAccountJob; helper-127). `also`: what else the account as it is
 * now must allow (an event email's kind still switched on).
 */
export async function stillActive(repo: Repository, loaded: Pick<AccountRecord, "email" | "createdAt">, also: (current: AccountRecord) => boolean = () => true): Promise<boolean> {
  const current = await loadAccount(repo, loaded.email);
  return current !== undefined && current.status !== "paused" && current.createdAt === loaded.createdAt && also(current);
}

/** The digest as a message to the owner, with a stable Message-ID and one-click unsubscribe (pause) headers. */
export function digestMail(account: { email: string }, data: DigestData, rendered: RenderedDigest): OutgoingMail {
  return {
    to: account.email,
    subject: rendered.subject,
    html: rendered.html,
    text: rendered.text,
    messageId: digestMessageId(account.email, data.week),
    headers: {
      "List-Unsubscribe": `<${data.pauseUrl}>`,
      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
      "X-Followthrough-Week": data.week,
      "Auto-Submitted": "auto-generated",
    },
  };
}

/**
 * The week's digest claimed for its send and not recorded sent (the send failed, its answer was lost,
 * or the Sent lookup before it failed), with when its first attempt claimed it; undefined otherwise.
 * Its next attempt looks in Sent before sending.
 */
export async function digestSendUnsettled(repo: Repository, account: string, week: string): Promise<{ firstClaimedAt: number } | undefined> {
  const d = (await repo.get<{ digest?: Pick<SendRecord, "status" | "claimedAt" | "firstClaimedAt"> }>(keys.digest(account, week)))?.digest;
  return d && (d.status === "failed" || d.status === "sending") ? { firstClaimedAt: d.firstClaimedAt ?? d.claimedAt } : undefined;
}

/** True once any weekly digest of the account was sent. */
export async function hasSentDigest(repo: Repository, account: string): Promise<boolean> {
  return (await repo.query(keys.partition(account), keys.prefix.digest)).some((i) => (i.digest as StoredDigest | undefined)?.status === "sent");
}

/**
 * The stored digest of a week (for the app's "view in browser"), its body opened with the link key:
 * `account`'s, or (`formerly`) one of the addresses the account was renamed from.
 */
export async function loadDigest(repo: Repository, account: string, week: string, linkKey: Uint8Array | string, formerly: readonly string[] = []): Promise<DigestRecord | undefined> {
  const stored = (await repo.get<{ digest: StoredDigest }>(keys.digest(account, week)))?.digest;
  return stored && unpackDigest(stored, { linkKey, account, formerly });
}
