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
import { GrantError } from "../oauth";
import { ProviderError } from "../resilience";
import { keys, type Repository } from "../storage";

/** Mail from the service itself (not from the owner's mailbox). */
export interface SystemMailer {
  send(to: string, subject: string, text: string, html?: string): Promise<void>;
}

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

/** True for a failure that means the grant is gone: ProviderError "auth-revoked" or an invalid_grant, also as a cause. */
export function isRevoked(e: unknown): boolean {
  for (let cur: unknown = e, depth = 0; cur && depth < 6; depth++) {
    if (cur instanceof ProviderError && cur.kind === "auth-revoked") return true;
    if (cur instanceof GrantError && cur.code === "invalid_grant") return true;
    cur = (cur as { cause?: unknown }).cause;
  }
  return false;
}

/** Where the owner reconnects: the hosted connect flow with the address pre-selected. */
export function reconnectUrl(baseUrl: string, account: Pick<AccountRecord, "provider" | "email">): string {
  return `${baseUrl.replace(/\/$/, "")}/connect/${account.provider}?login_hint=${encodeURIComponent(account.email)}`;
}

/** The reconnect email. */
export function reconnectMail(baseUrl: string, account: AccountRecord): { subject: string; text: string; html: string } {
  const name = account.provider === "google" ? "Google" : "Microsoft";
  const url = reconnectUrl(baseUrl, account);
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
  const subject = `Reconnect your ${name} account to keep getting your Followthrough digest`;
  const text = [
    `${name} no longer lets Followthrough read ${account.email} — access was revoked or has expired.`,
    "",
    "Your weekly digest is on hold until you reconnect. Nothing you had is lost.",
    "",
    `Reconnect: ${url}`,
    "",
    "If you meant to stop, do nothing: no more scans will run for this account.",
  ].join("\n");
  const html = `<p>${esc(name)} no longer lets Followthrough read <b>${esc(account.email)}</b> — access was revoked or has expired.</p>
<p>Your weekly digest is on hold until you reconnect. Nothing you had is lost.</p>
<p><a href="${esc(url)}">Reconnect ${esc(account.email)}</a></p>
<p>If you meant to stop, do nothing: no more scans will run for this account.</p>`;
  return { subject, text, html };
}

/** What {@link handleRevoked} did. */
export type RevokedOutcome =
  /** Marked needs_reconnect and mailed the owner (this call won the race). */
  | "notified"
  /** Another call already notified the owner for this connection. */
  | "already-notified"
  /** The account reconnected (a new connection) since the failing run loaded it: nothing to do. */
  | "stale"
  /** The account is gone (disconnected). */
  | "gone";

const isConditionFailed = (e: unknown) => (e as { name?: string }).name === "ConditionalCheckFailedException";

/**
 * Handles a run that failed because the grant is gone (see {@link isRevoked}). One conditional
 * update — only while `reconnectNotifiedAt` is unset and the connection is still the one the run
 * used (`connectedAt`) — sets status "needs_reconnect", stamps `reconnectNotifiedAt` and removes the
 * due-hour index keys; only the call that wins it sends the email, so concurrent failures send one.
 * If sending fails, the stamp is rolled back (the next failure retries) and the error is thrown.
 */
export async function handleRevoked(o: {
  repo: Repository;
  /** The account as the failing run loaded it. */
  account: AccountRecord;
  now: number;
  notify: SystemMailer;
  /** Public origin of the app (the reconnect link). */
  baseUrl: string;
}): Promise<RevokedOutcome> {
  const { repo, account, now } = o;
  const key = keys.account(account.email);
  const names = { "#a": "account", "#s": "status", "#n": "reconnectNotifiedAt", "#c": "connectedAt" };
  try {
    await repo.doc.send(
      new UpdateCommand({
        TableName: repo.table,
        Key: key,
        UpdateExpression: "SET #a.#s = :nr, #a.#n = :now REMOVE gsi2pk, gsi2sk",
        ConditionExpression: "attribute_exists(pk) AND attribute_not_exists(#a.#n) AND #a.#c = :c",
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ":nr": "needs_reconnect", ":now": now, ":c": account.connectedAt },
      }),
    );
  } catch (e) {
    if (!isConditionFailed(e)) throw e;
    const current = await loadAccount(repo, account.email);
    if (!current) return "gone";
    if (current.connectedAt !== account.connectedAt) return "stale";
    return "already-notified";
  }
  const mail = reconnectMail(o.baseUrl, { ...account, status: "needs_reconnect" });
  try {
    await o.notify.send(account.email, mail.subject, mail.text, mail.html);
  } catch (e) {
    await repo.doc
      .send(
        new UpdateCommand({
          TableName: repo.table,
          Key: key,
          UpdateExpression: "REMOVE #a.#n",
          ConditionExpression: "#a.#n = :now",
          ExpressionAttributeNames: { "#a": "account", "#n": "reconnectNotifiedAt" },
          ExpressionAttributeValues: { ":now": now },
        }),
      )
      .catch((rollback) => {
        if (!isConditionFailed(rollback)) throw rollback;
      });
    throw e;
  }
  return "notified";
}
