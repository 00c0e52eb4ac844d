import { createHash } from "node:crypto";
import type { AccountRecord } from "../accounts";
import type { MailSender, OutgoingMail } from "../providers";
import { keys, type Repository } from "../storage";
import type { DigestData } from "./model";

/** A rendered digest, ready to send. */
export interface RenderedDigest {
  subject: string;
  html: string;
  text: string;
}

/** The stored record of one week's digest. */
export interface DigestRecord {
  status: "sending" | "sent" | "failed";
  week: string;
  messageId: string;
  claimedAt: number;
  sentAt?: number;
  subject?: string;
  /** The HTML exactly as emailed, so the app can show it. */
  html?: string;
  text?: string;
  error?: string;
}

/** How the send went. */
export type DigestOutcome = "sent" | "already-sent" | "in-progress" | "reconciled" | "paused";

const LEASE_MS = 10 * 60_000;

/** A Message-ID stable for (account, week): a retried send is recognisable in Sent. */
export function digestMessageId(account: string, week: string): string {
  const h = createHash("sha256").update(`${account.toLowerCase()}|${week}`).digest("hex").slice(0, 24);
  return `<digest.${week}.${h}@followthrough.app>`;
}

/**
 * Sends the week's digest through the owner's own account, exactly once: a conditional write
 * claims (account, week) before sending; a concurrent run finds the claim and stops. A claim left
 * "sending" by a run that died is taken over after a lease, and a failed one at once; both are
 * reconciled first: if the provider's Sent already holds our Message-ID, the digest is recorded
 * as sent, not sent again.
 */
export async function sendDigestOnce(o: {
  repo: Repository;
  provider: MailSender;
  account: AccountRecord;
  data: DigestData;
  rendered: RenderedDigest;
  now: number;
}): Promise<DigestOutcome> {
  const { repo, account, data, rendered, now } = o;
  if (account.status === "paused") return "paused";
  const key = keys.digest(account.email, data.week);
  const messageId = digestMessageId(account.email, data.week);
  const previous = (await repo.get<{ digest: DigestRecord }>(key))?.digest;
  const record: DigestRecord = { status: "sending", week: data.week, messageId, claimedAt: now, subject: rendered.subject, html: rendered.html, text: rendered.text };
  const claimed = await repo.putIf(
    { ...key, digest: record },
    "attribute_not_exists(pk) OR #d.#s = :failed OR (#d.#s = :sending AND #d.claimedAt < :stale)",
    { ":failed": "failed", ":sending": "sending", ":stale": now - LEASE_MS },
    { "#d": "digest", "#s": "status" },
  );
  if (!claimed) {
    const current = (await repo.get<{ digest: DigestRecord }>(key))?.digest;
    return current?.status === "sent" ? "already-sent" : "in-progress";
  }
  // An earlier attempt may have sent before failing or dying: look in Sent before sending again.
  if (previous && previous.status !== "sent" && (await o.provider.sentRecently(messageId, previous.claimedAt - 5 * 60_000))) {
    await repo.put({ ...key, digest: { ...record, status: "sent", sentAt: previous.claimedAt } });
    return "reconciled";
  }
  try {
    await o.provider.send(digestMail(account, data, rendered));
  } catch (e) {
    await repo.put({ ...key, digest: { ...record, status: "failed", error: String((e as Error).message).slice(0, 300) } });
    throw e;
  }
  await repo.put({ ...key, digest: { ...record, status: "sent", sentAt: now } });
  return "sent";
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

/** The stored digest of a week (for the app's "view in browser"). */
export async function loadDigest(repo: Repository, account: string, week: string): Promise<DigestRecord | undefined> {
  return (await repo.get<{ digest: DigestRecord }>(keys.digest(account, week)))?.digest;
}
