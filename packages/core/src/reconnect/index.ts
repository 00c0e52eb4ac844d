/**
 * When a provider stops honouring an account's grant (revoked, password changed, token expired):
 * the account is marked "needs_reconnect" — which takes it out of the due-hour index, so the
 * dispatcher stops scanning it — and the owner gets exactly one email with a reconnect link.
 *
 * The email cannot go through the owner's own mailbox (that is what stopped working), so it goes
 * through a {@link SystemMailer}: SES on AWS (provided by the deployment), {@link TableOutboxMailer}
 * locally (mails recorded in the table under the account's partition, `OUTBOX#...`), and
 * {@link MemoryMailer} in unit tests.
 */
import { randomUUID } from "node:crypto";
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { type AccountRecord, loadAccount } from "../accounts";
import { linkPath, sealLink } from "../links";
import { CALENDAR_NOT_ENABLED, GMAIL_NOT_ENABLED, GrantError, MAILBOX_NOT_ENABLED, MissingScopeError, needsReconnect, REFUSED_ELSEWHERE, SCOPE_WORDS, scopeKey } from "../oauth";
import { ProviderError } from "../resilience";
import { NOTICE_CLAIM_STALE_MS } from "../limits";
import { keys, type Repository } from "../storage";
import { escapeHtml as esc } from "../text";

/** Mail from the service itself (not from the owner's mailbox). */
export interface SystemMailer {
  send(to: string, subject: string, text: string, html?: string): Promise<void>;
}

/** A failed system mail that may still have gone out (core/ses/failure sesMayHaveSent: a cut answer, a 5xx). */
export { sesMayHaveSent as mayHaveBeenSent } from "../ses/failure";

/** A mail a local or test mailer recorded. */
export interface RecordedMail {
  to: string;
  subject: string;
  text: string;
  html?: string;
  at: number;
}

/** Keeps mails in memory (unit tests). */
export class MemoryMailer implements SystemMailer {
  readonly sent: RecordedMail[] = [];
  constructor(private readonly now: () => number = Date.now) {}
  async send(to: string, subject: string, text: string, html?: string): Promise<void> {
    this.sent.push({ to, subject, text, ...(html ? { html } : {}), at: this.now() });
  }
}

/** Sort-key prefix of recorded system mails in an account's partition. */
export const OUTBOX_PREFIX = "OUTBOX#";

/**
 * Records mails in the table, in the recipient account's partition (`OUTBOX#<iso time>#<uuid>`):
 * the local stand-in for SES. Deleting the account's data (disconnect) deletes them too.
 */
export class TableOutboxMailer implements SystemMailer {
  constructor(
    private readonly repo: Repository,
    private readonly now: () => number = Date.now,
  ) {}
  async send(to: string, subject: string, text: string, html?: string): Promise<void> {
    const at = this.now();
    await this.repo.put({
      pk: keys.partition(to),
      sk: `${OUTBOX_PREFIX}${new Date(at).toISOString()}#${randomUUID()}`,
      mail: { to, subject, text, ...(html ? { html } : {}), at },
    });
  }
}

/** The system mails recorded for an account by {@link TableOutboxMailer}, oldest first. */
export async function outbox(repo: Repository, email: string): Promise<RecordedMail[]> {
  return (await repo.query(keys.partition(email), OUTBOX_PREFIX)).map((i) => i.mail as RecordedMail);
}

/**
 * True for a failure that means the grant no longer does what we need: ProviderError "auth-revoked"
 * (revoked, expired, or a permission missing: {@link MissingScopeError}) or a token-endpoint error
 * only the person can clear (invalid_grant, interaction_required, consent_required...), also as a cause.
 */
export function isRevoked(e: unknown): boolean {
  return reconnectReason(e) !== undefined;
}

/**
 * Why the account needs reconnecting, in a short stable form stored on the account:
 * `missing-scope: <permission>`, `<oauth error>[/<suberror>] AADSTS<n>`, or `auth-revoked`.
 * Undefined when the failure does not need the person.
 */
export function reconnectReason(e: unknown): string | undefined {
  for (let cur: unknown = e, depth = 0; cur && depth < 6; depth++) {
    if (cur instanceof MissingScopeError) {
      // Name the permission we request among those that would grant the call.
      const { provider, needed } = cur;
      const ours = SCOPE_WORDS[provider].map((w) => scopeKey(provider, w.scope));
      const scope = needed.find((s) => ours.includes(scopeKey(provider, s))) ?? needed[0];
      return `missing-scope: ${scope ?? "unknown"}`;
    }
    if (cur instanceof GrantError && needsReconnect(cur))
      return `${cur.code}${cur.suberror ? `/${cur.suberror}` : ""}${cur.aadsts.length ? ` AADSTS${cur.aadsts[0]}` : ""}`;
    if (cur instanceof ProviderError && cur.kind === "auth-revoked") {
      const inner = reconnectReason(cur.cause);
      return inner ?? "auth-revoked";
    }
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The plain-words name and use of the permission a `missing-scope:` reason names. */
function missingPermission(account: Pick<AccountRecord, "provider" | "reconnectReason">): { label: string; use: string } | undefined {
  const m = /^missing-scope: (.+)$/.exec(account.reconnectReason ?? "");
  if (!m) return undefined;
  const w = SCOPE_WORDS[account.provider].find((x) => scopeKey(account.provider, x.scope) === scopeKey(account.provider, m[1]!));
  return w ? { label: w.label, use: w.use } : { label: m[1]!, use: "" };
}

/**
 * Where the owner reconnects: a sealed link (`/l/reconnect/<token>`, act "reconnect", valid 30 days)
 * whose route starts the hosted connect flow for the account's provider with the stored address as
 * the sign-in hint. The address is only inside the token, never in the URL (browser history, logs,
 * Referer). Without a link key: the plain `/connect/<provider>`, with no hint at all.
 */
export function reconnectUrl(baseUrl: string, account: Pick<AccountRecord, "provider" | "email">, linkKey: Uint8Array | string | undefined, nowMs: number): string {
  const base = baseUrl.replace(/\/$/, "");
  if (linkKey === undefined || linkKey === "") return `${base}/connect/${account.provider}`;
  return `${base}${linkPath("reconnect", sealLink(linkKey, { act: "reconnect", acc: account.email }, nowMs))}`;
}

/**
 * The reason stored for a Google grant found gone 7 to 9 days after it was made (our name): how
 * every refresh token of an External app left in Testing ends, "issued a refresh token expiring in
 * 7 days" (developers.google.com/identity/protocols/oauth2, "Refresh token expiration"; met weekly
 * by tarickb/sasl-xoauth2 issue 29, insanum/gcalcli issue 628, levz0r/gmail-tester issue 56). Google
 * answers it as any dead token, invalid_grant "Token has been expired or revoked.", so only the
 * timing tells: the daily sync finds it within a day of the seventh. docs/deploy.md names the trap.
 */
export const GOOGLE_WEEK_EXPIRY = "expired-after-7-days";

const DAY_MS = 86_400_000;

/** The reason to store for a grant found gone at `now`: Google's plain one 7 to 9 days after the connect is {@link GOOGLE_WEEK_EXPIRY}. */
export function grantGoneReason(account: Pick<AccountRecord, "provider" | "connectedAt">, reason: string, now: number): string {
  const age = account.connectedAt === undefined ? Number.NaN : now - account.connectedAt;
  return account.provider === "google" && reason === "auth-revoked" && age >= 7 * DAY_MS && age < 9 * DAY_MS ? GOOGLE_WEEK_EXPIRY : reason;
}

/** Whether a reconnect reason is one only someone or something else can clear first (core/oauth REFUSED_ELSEWHERE): a reconnect works after. */
export const refusedElsewhere = (reason: string | undefined): boolean => reason !== undefined && REFUSED_ELSEWHERE.has(reason);

/**
 * Why the account needs its owner back, in the notice's words: who must act, and on what (also the
 * one-tap draft's page when a tap meets the refusal: functions/src/routes.ts).
 */
export function reconnectWhy(account: Pick<AccountRecord, "provider" | "email" | "reconnectReason">): string {
  const name = account.provider === "google" ? "Google" : "Microsoft";
  const missing = missingPermission(account);
  const reason = account.reconnectReason ?? "";
  if (missing) return `${name} no longer gives Followthrough the ${missing.label} permission for ${account.email}, which it needs.${missing.use ? ` ${missing.use}` : ""}`;
  // A Google Workspace administrator's policy, or Advanced Protection (core/oauth GOOGLE_POLICY_ERRORS): not the owner's doing alone.
  if (/^(admin_policy_enforced|domainPolicy)/.test(reason))
    return `${account.email.includes("@") ? `The Google Workspace administrator of ${account.email.slice(account.email.lastIndexOf("@") + 1)}` : "Your Google Workspace administrator"} no longer allows Followthrough to read ${account.email}. Ask them to allow it (Google Admin console: Security, API controls).`;
  if (reason === GMAIL_NOT_ENABLED)
    return `Google says Gmail is not turned on for ${account.email}: in a Google Workspace organisation, its administrator turns Gmail on for each account.`;
  if (reason === CALENDAR_NOT_ENABLED)
    return `Google says Google Calendar is not turned on for ${account.email}: in a Google Workspace organisation, its administrator turns Calendar on for each account (and a suspended account has none).`;
  if (reason === MAILBOX_NOT_ENABLED)
    return `Microsoft says ${account.email} has no mailbox Followthrough can read: it is inactive or deleted, has no Exchange Online licence, or is kept on your organisation's own Exchange server. Ask whoever manages it to make it available again.`;
  if (/^policy_enforced/.test(reason)) return `${account.email} is in Google's Advanced Protection Program, which does not let apps like Followthrough read it.`;
  if (/^interaction_required/.test(reason)) return `${name} asks you to sign in again before Followthrough can read ${account.email} (for example, your organisation now requires multi-factor authentication).`;
  if (/consent_required/.test(reason)) return `${name} no longer has your consent for Followthrough to read ${account.email}.`;
  if (reason === GOOGLE_WEEK_EXPIRY)
    // A reading of when, not a cause Google names (its refusal is the plain invalid_grant): said so.
    return `Google ended Followthrough's access to ${account.email} about a week after you connected it. If you did not remove that access yourself, this is Google's limit for apps in testing: it ends every account's access after seven days while this Followthrough's Google Cloud project is an External app still in Testing. Whoever runs it should publish the app (Google Cloud console: Google Auth Platform, Audience, Publish app), or you will be asked to reconnect every week.`;
  return `${name} no longer lets Followthrough read ${account.email} — access was revoked or has expired.`;
}

/** The reconnect email; its link is {@link reconnectUrl}'s (sealed with `links.key` when there is one). */
export function reconnectMail(
  baseUrl: string,
  account: AccountRecord,
  links: { key?: Uint8Array | string; now: number } = { now: Date.now() },
): { subject: string; text: string; html: string } {
  const name = account.provider === "google" ? "Google" : "Microsoft";
  const url = reconnectUrl(baseUrl, account, links.key, links.now);
  const subject = `Reconnect your ${name} account to keep getting your Followthrough digest`;
  const why = reconnectWhy(account);
  const hold = `Your weekly digest is on hold until ${refusedElsewhere(account.reconnectReason) ? "that has changed and you reconnect" : "you reconnect"}. Nothing you had is lost.`;
  const text = [
    why,
    "",
    hold,
    "",
    `Reconnect: ${url}`,
    "",
    "If you meant to stop, do nothing: no more scans will run for this account.",
  ].join("\n");
  const html = `<p>${esc(why)}</p>
<p>${esc(hold)}</p>
<p><a href="${esc(url)}">Reconnect ${esc(account.email)}</a></p>
<p>If you meant to stop, do nothing: no more scans will run for this account.</p>`;
  return { subject, text, html };
}

/** What {@link handleRevoked} did. */
export type RevokedOutcome =
  /** Marked needs_reconnect and mailed the owner (this call won the race). */
  | "notified"
  /** Another call already notified the owner for this connection, or is sending the notice now. */
  | "already-notified"
  /** The account reconnected (a new connection) since the failing run loaded it: nothing to do. */
  | "stale"
  /** The account is gone (disconnected). */
  | "gone"
  /**
   * The owner paused it (or a disconnect is under way, core/accounts deleteAccountData): no notice;
   * a resume finds the grant gone on its next run and notifies then.
   */
  | "paused";

/**
 * Where an account's reconnect notice stands: "none" when its grant is not found gone (or a
 * reconnect renewed it), "sent" once confirmed, "sending" while a run's claim on it is fresh (core/limits
 * NOTICE_CLAIM_STALE_MS), and "due" when it is to be sent: never claimed, its send failed (the
 * claim removed), or claimed by a run that was lost with it.
 */
export function noticeState(a: Pick<AccountRecord, "status" | "reconnectNotifiedAt" | "reconnectNotifyingAt">, now: number): "none" | "due" | "sending" | "sent" {
  if (a.status !== "needs_reconnect") return "none";
  if (a.reconnectNotifiedAt !== undefined) return "sent";
  if (a.reconnectNotifyingAt !== undefined && now - a.reconnectNotifyingAt < NOTICE_CLAIM_STALE_MS) return "sending";
  return "due";
}

/**
 * Marks the account's grant gone in one conditional update: status "needs_reconnect" and the
 * reason, the due-hour index keys removed, only while the connection is still the one the failing
 * run used (`connectedAt`) and the account is not paused (by the owner, or a disconnect under way).
 * With `claim`, also claims the reconnect notice (`reconnectNotifyingAt`), only while it was not
 * sent and no other run's claim is fresh ({@link noticeState} "due"): the call that wins it sends the
 * one email. False when the condition kept the account as it was.
 */
export async function markGrantGone(repo: Repository, account: Pick<AccountRecord, "email" | "connectedAt">, reason: string, claim?: NoticeClaim): Promise<boolean> {
  return repo.conditional(
    new UpdateCommand({
      TableName: repo.table,
      Key: keys.account(account.email),
      UpdateExpression: `SET #a.#s = :nr, #a.#r = :r${claim ? ", #a.#k = :now, #a.#i = :id" : ""} REMOVE gsi2pk, gsi2sk, dueAt, dueWeek`,
      ConditionExpression: `attribute_exists(pk)${claim ? " AND attribute_not_exists(#a.#n) AND (attribute_not_exists(#a.#k) OR #a.#k <= :stale)" : ""} AND #a.#c = :c AND #a.#s <> :paused`,
      ExpressionAttributeNames: {
        "#a": "account",
        "#s": "status",
        "#c": "connectedAt",
        "#r": "reconnectReason",
        ...(claim ? { "#n": "reconnectNotifiedAt", "#k": "reconnectNotifyingAt", "#i": "reconnectNotifyingId" } : {}),
      },
      ExpressionAttributeValues: {
        ":nr": "needs_reconnect",
        ":r": reason,
        ":c": account.connectedAt,
        ":paused": "paused",
        ...(claim ? { ":now": claim.at, ":id": claim.id, ":stale": claim.at - NOTICE_CLAIM_STALE_MS } : {}),
      },
    }),
  );
}

/** A run's claim on the reconnect notice: when, and an id no other run's claim has. */
export interface NoticeClaim {
  at: number;
  id: string;
}

/**
 * Settles the claim `claimAt` on the account's notice, only while it is still that claim (a
 * reconnect meanwhile removed it, or a later run took it over as stale): sent, it becomes
 * `reconnectNotifiedAt`; failed, it is removed, for the next delivery to send.
 */
async function settleClaim(repo: Repository, email: string, claimAt: number, sent: boolean): Promise<void> {
  await repo.conditional(
    new UpdateCommand({
      TableName: repo.table,
      Key: keys.account(email),
      UpdateExpression: sent ? "SET #a.#n = :at REMOVE #a.#k, #a.#i" : "REMOVE #a.#k, #a.#i",
      ConditionExpression: "#a.#k = :at",
      ExpressionAttributeNames: { "#a": "account", "#k": "reconnectNotifyingAt", "#i": "reconnectNotifyingId", ...(sent ? { "#n": "reconnectNotifiedAt" } : {}) },
      ExpressionAttributeValues: { ":at": claimAt },
    }),
  );
}

/**
 * Handles a run that failed because the grant is gone (see {@link isRevoked}). One conditional
 * update — only while the connection is still the one the run used (`connectedAt`) and the notice is
 * due ({@link noticeState}) — sets status "needs_reconnect", claims the notice
 * (`reconnectNotifyingAt`) and removes the due-hour index keys; only the call that wins it sends the
 * email, so concurrent failures send one. The send confirmed, the claim becomes
 * `reconnectNotifiedAt`. If sending fails, the claim is removed and the error is thrown: the record
 * fails, and its next delivery finds the account marked but not notified and sends the notice then
 * (core/dispatch runAccountJob). A run killed in the send (or before its confirmation) leaves its
 * claim, which goes stale: the record's redelivery (after the queue's visibility timeout) sends the
 * notice again. So the owner is told at least once; twice only when SES took a send whose answer was
 * lost (the request cut at its timeout, or the run killed before confirming it): SendEmail takes no
 * idempotency key. The claim carries an id of this call's own, so a claim the table applied whose
 * answer was lost, which the SDK's retry then finds standing, is known as this call's and sent.
 */
export async function handleRevoked(o: {
  repo: Repository;
  /** The account as the failing run loaded it. */
  account: AccountRecord;
  now: number;
  notify: SystemMailer;
  /** Public origin of the app (the reconnect link). */
  baseUrl: string;
  /** Key of the sealed links; without it the email links to the plain connect page (no address in any URL). */
  linkKey?: Uint8Array | string;
  /** The failure, whose {@link reconnectReason} is stored on the account and worded in the email. */
  error?: unknown;
}): Promise<RevokedOutcome> {
  const { repo, account, now } = o;
  // Without the failure (a notice retried after the mailer failed), the reason stored with the mark.
  const found = o.error !== undefined ? reconnectReason(o.error) : undefined;
  const reason = (found !== undefined ? grantGoneReason(account, found, now) : undefined) ?? account.reconnectReason ?? "auth-revoked";
  const claim: NoticeClaim = { at: now, id: randomUUID() };
  if (!(await markGrantGone(repo, account, reason, claim))) {
    const current = await loadAccount(repo, account.email);
    if (!current) return "gone";
    if (current.connectedAt !== account.connectedAt) return "stale";
    if (current.status === "paused" && current.reconnectNotifiedAt === undefined) return "paused";
    // The claim standing is this call's own: the table applied it and its answer was lost, and the
    // SDK's retry of the same update found it (helper-189 #3). Without this the notice was never sent
    // when the daily sync found the grant gone: no later record of the account comes to send it.
    if (current.reconnectNotifyingId !== claim.id) return "already-notified";
  }
  const mail = reconnectMail(o.baseUrl, { ...account, status: "needs_reconnect", reconnectReason: reason }, { key: o.linkKey, now });
  try {
    await o.notify.send(account.email, mail.subject, mail.text, mail.html);
  } catch (e) {
    await settleClaim(repo, account.email, now, false);
    throw e;
  }
  // Sent: the record's work is done whatever the stamp's write does. Tried three times; a stamp
  // that is still not written is logged, not thrown (a failed record would be delivered again and,
  // its claim stale, send a second notice: helper-110 #3).
  for (let attempt = 1; ; attempt++) {
    try {
      await settleClaim(repo, account.email, now, true);
      break;
    } catch (e) {
      if (attempt >= 3) {
        console.warn(JSON.stringify({ msg: "reconnect", account: account.email, notice: "sent, not stamped", error: e instanceof Error ? e.message : String(e) }));
        break;
      }
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
  return "notified";
}
