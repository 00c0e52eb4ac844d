import type { gmail_v1 } from "@googleapis/gmail";
import type { AccountInfo } from "../fixtures";
import { HistoryLog, type HistoryEntry, type HistoryQuery } from "./history";
import { type MimeHeader, addressesIn, decodeWords, headerValue, mimeTypeOf, parseRfc822, rfc2822Date, snippetOf } from "./mime";

type Message = gmail_v1.Schema$Message;

/** A Gmail API failure a store operation raises; routes answer it in Google's error shape. */
export class GmailError extends Error {
  /**
   * `contract`: a request Gmail's contract refuses whatever the mailbox holds (a scope's limits, a
   * parameter of the wrong type, a malformed upload), kept among the sandbox's refusals; not an
   * answer about the data (a thread gone, no recipient).
   */
  constructor(
    readonly status: number,
    message: string,
    readonly reason: string,
    readonly contract = false,
  ) {
    super(message);
  }
}

/** A draft: a stable id and the id of its current message. */
export interface StoredDraft {
  id: string;
  messageId: string;
}

/** A message written through the API (draft or sent) as the control API shows it. */
export interface WrittenMessage {
  /** Draft id, for drafts. */
  draftId?: string;
  message: Message;
  /** Header values with RFC 2047 words decoded, by header name as written. */
  headers: Record<string, string>;
  /** Recipient addresses (To, Cc, Bcc), lower-cased. */
  recipients: string[];
  /** The RFC 822 text the client sent. */
  raw: string;
}

/** Labels messages.list hides unless asked for. */
const hidden = ["SPAM", "TRASH"];

const clone = <T>(v: T): T => structuredClone(v);

/** Newest first by internalDate, then by id (Gmail ids grow with time). */
function newestFirst(a: Message, b: Message): number {
  const d = Number(b.internalDate ?? 0) - Number(a.internalDate ?? 0);
  if (d !== 0) return d;
  const ia = a.id ?? "";
  const ib = b.id ?? "";
  return ib.length - ia.length || (ib < ia ? -1 : ib > ia ? 1 : 0);
}

/** Strips reply/forward prefixes for Gmail's "subjects must match" threading rule. */
const baseSubject = (s: string | undefined) => decodeWords(s ?? "").replace(/^\s*((re|fwd?|aw|wg)\s*:\s*)+/i, "").trim().toLowerCase();

/** The Gmail mailbox of one account: messages, history log, drafts and mail sent through the API. */
export class GmailStore {
  private messages = new Map<string, Message>();
  private raws = new Map<string, string>();
  private drafts = new Map<string, StoredDraft>();
  private sentIds: string[] = [];
  private seq = 0;
  /** The history log (ids, records, horizon). */
  readonly history: HistoryLog;
  /** When set, history older than this many ms expires (Gmail: about a week, sometimes hours). */
  historyMaxAgeMs?: number;
  /**
   * When set, messages.send gives the message a Message-ID of Gmail's own in place of the one the
   * raw message carries, as sends through the API are reported to get (gauteh/lieer issue 198);
   * other headers are kept as sent.
   */
  rewritesMessageId?: boolean;

  constructor(
    readonly account: AccountInfo,
    messages: gmail_v1.Schema$Message[],
    readonly now: () => number,
  ) {
    const ids = messages.map((m) => Number(m.historyId ?? 0)).filter((n) => n > 0);
    const max = ids.length ? Math.max(...ids) : 1000;
    const min = ids.length ? Math.min(...ids) : max;
    this.history = new HistoryLog(max, min);
    for (const m of messages) {
      const copy = clone(m);
      this.messages.set(copy.id!, copy);
      this.storedOrdinal(copy.id!);
      // Fixture messages appear in history as added at their own history id.
      if (copy.historyId) this.history.seed("messageAdded", copy, Number(copy.historyId), Number(copy.internalDate ?? 0));
      if (copy.labelIds?.includes("DRAFT")) this.drafts.set(draftIdFor(copy.id!), { id: draftIdFor(copy.id!), messageId: copy.id! });
    }
  }

  /** Makes every history id issued so far expire (history.list answers 404). */
  expireHistory(): void {
    this.history.expire();
  }

  /** The current mailbox history id. */
  historyId(): string {
    return String(this.history.current);
  }

  /** users.getProfile. */
  profile(): gmail_v1.Schema$Profile {
    const all = [...this.messages.values()];
    return {
      emailAddress: this.account.email,
      messagesTotal: all.length,
      threadsTotal: new Set(all.map((m) => m.threadId)).size,
      historyId: this.historyId(),
    };
  }

  /** users.settings.sendAs.list: the primary address and each alias. */
  sendAs(): gmail_v1.Schema$SendAs[] {
    const primary: gmail_v1.Schema$SendAs = {
      sendAsEmail: this.account.email,
      displayName: this.account.displayName,
      replyToAddress: "",
      signature: "",
      isPrimary: true,
      isDefault: true,
    };
    const aliases = this.account.aliases.map(
      (a): gmail_v1.Schema$SendAs => ({
        sendAsEmail: a,
        displayName: this.account.displayName,
        replyToAddress: "",
        signature: "",
        isDefault: false,
        treatAsAlias: true,
        verificationStatus: "accepted",
      }),
    );
    return [primary, ...aliases];
  }

  /**
   * How messages.list orders what it returns. Gmail's reference promises no order; its lists come
   * roughly newest first, but a page's `internalDate`s are observed to go back up by hours
   * (googleapis/google-api-nodejs-client#3508). "date" (the default) serves strictly newest
   * `internalDate` first; "stored" serves the last stored first, whatever its `internalDate`: a
   * harsher model than anything observed (a copy stored late with an old date comes first), for
   * tests of a reader that must not take one old date for the end.
   */
  listOrder: "date" | "stored" = "date";

  /** When each message was first stored, in order (the "stored" list order, and its page tokens). */
  private readonly storedAt = new Map<string, number>();
  private stores = 0;

  /** The order a message was first stored in (1, 2, ...): a "stored" listing goes on after one, gone or not. */
  storedOrdinal(id: string): number {
    let n = this.storedAt.get(id);
    if (n === undefined) this.storedAt.set(id, (n = ++this.stores));
    return n;
  }

  /** Messages carrying all `labelIds`, in {@link listOrder}; SPAM and TRASH only when asked for. */
  list(labelIds: string[] = [], includeSpamTrash = false): Message[] {
    const found = [...this.messages.values()]
      .filter((m) => labelIds.every((l) => m.labelIds?.includes(l)))
      .filter((m) => includeSpamTrash || !hidden.some((h) => m.labelIds?.includes(h) && !labelIds.includes(h)));
    return this.listOrder === "stored" ? found.sort((a, b) => this.storedOrdinal(b.id!) - this.storedOrdinal(a.id!)) : found.sort(newestFirst);
  }

  /** One message (a copy), or undefined. */
  getMessage(id: string): Message | undefined {
    const m = this.messages.get(id);
    return m ? clone(m) : undefined;
  }

  /** A fresh Gmail-like id: hex of the time in ms shifted left by 20 bits, plus a counter. */
  private newId(): string {
    let id: string;
    do {
      this.seq = (this.seq + 1) & 0xfffff;
      id = ((BigInt(this.now()) << 20n) | BigInt(this.seq)).toString(16);
    } while (this.messages.has(id));
    return id;
  }

  /** Adds a message (control API: "mail arrives"); fills id, threadId, internalDate, labels, headers and history. */
  addMessage(partial: Message): Message {
    if (partial.id && this.messages.has(partial.id)) throw new GmailError(409, `Message ${partial.id} already exists.`, "duplicate");
    const id = partial.id ?? this.newId();
    const internalDate = partial.internalDate ?? String(this.now());
    const headers: MimeHeader[] = [...(partial.payload?.headers ?? []).map((h) => ({ name: h.name ?? "", value: h.value ?? "" }))];
    if (!headerValue(headers, "date")) headers.push({ name: "Date", value: rfc2822Date(Number(internalDate)) });
    if (!headerValue(headers, "message-id")) headers.push({ name: "Message-ID", value: `<${id}@sandbox.mail.gmail.com>` });
    const m: Message = {
      ...partial,
      id,
      threadId: partial.threadId ?? id,
      labelIds: partial.labelIds ?? ["INBOX"],
      snippet: partial.snippet ?? "",
      payload: { partId: "", mimeType: "text/plain", filename: "", ...partial.payload, headers },
      sizeEstimate: partial.sizeEstimate ?? 1024,
      internalDate,
    };
    this.messages.set(id, m);
    this.storedOrdinal(id);
    m.historyId = String(this.history.record("messageAdded", m, this.now()).id);
    return clone(m);
  }

  /** Adds and removes labels of a message, recording one history entry per kind of change. */
  modifyLabels(id: string, add: string[] = [], remove: string[] = []): Message | undefined {
    const m = this.messages.get(id);
    if (!m) return undefined;
    const before = new Set(m.labelIds ?? []);
    const added = add.filter((l) => !before.has(l));
    const removed = remove.filter((l) => before.has(l) && !add.includes(l));
    m.labelIds = [...(m.labelIds ?? []).filter((l) => !removed.includes(l)), ...added];
    if (added.length) m.historyId = String(this.history.record("labelAdded", m, this.now(), added).id);
    if (removed.length) m.historyId = String(this.history.record("labelRemoved", m, this.now(), removed).id);
    return clone(m);
  }

  /** Deletes a message for good (history: messagesDeleted). */
  deleteMessage(id: string): boolean {
    const m = this.messages.get(id);
    if (!m) return false;
    this.messages.delete(id);
    this.history.record("messageDeleted", m, this.now());
    for (const d of this.drafts.values()) if (d.messageId === id) this.drafts.delete(d.id);
    return true;
  }

  /** History records after a start id; throws 404 when the start id has expired. */
  historySince(q: HistoryQuery, afterId = 0): HistoryEntry[] {
    if (this.historyMaxAgeMs !== undefined) this.history.expireOlderThan(this.now(), this.historyMaxAgeMs);
    // "Supplying an invalid or out of date startHistoryId typically returns an HTTP 404" (the
    // discovery document's history.list): out of date (before the horizon) or never issued (after
    // the mailbox's current id), so a client holding a wrong cursor resyncs, as it would on Gmail.
    if (this.history.expired(q.startHistoryId) || q.startHistoryId > Number(this.historyId())) throw new GmailError(404, "Requested entity was not found.", "notFound");
    return this.history.query(q, afterId);
  }

  /** Builds a metadata-shaped message from RFC 822 text, as Gmail stores a draft or sent message. */
  private fromRaw(raw: string, labelIds: string[], threadId: string | null | undefined): Message {
    const parsed = parseRfc822(raw);
    const headers = parsed.headers;
    const own = [this.account.email, ...this.account.aliases].map((a) => a.toLowerCase());
    const from = headerValue(headers, "from");
    const fromOk = addressesIn(from).some((a) => own.includes(a));
    const fromHeader = `${this.account.displayName} <${this.account.email}>`;
    // Gmail sends from the primary address unless From names a verified send-as address.
    if (!from) headers.push({ name: "From", value: fromHeader });
    else if (!fromOk) headers.splice(headers.findIndex((h) => h.name.toLowerCase() === "from"), 1, { name: "From", value: fromHeader });
    if (!headerValue(headers, "date")) headers.push({ name: "Date", value: rfc2822Date(this.now()) });
    const id = this.newId();
    if (!headerValue(headers, "message-id")) headers.push({ name: "Message-ID", value: `<CA+${id}@mail.gmail.com>` });
    return {
      id,
      threadId: this.threadFor(threadId, headers) ?? id,
      labelIds,
      snippet: snippetOf(parsed),
      payload: { partId: "", mimeType: mimeTypeOf(parsed), filename: "", headers },
      sizeEstimate: Buffer.byteLength(raw),
      internalDate: String(this.now()),
    };
  }

  /**
   * Gmail's threading rule for drafts and sends: the threadId must exist, the message must carry
   * In-Reply-To or References, and the subjects must match; otherwise the message starts a new thread.
   */
  private threadFor(threadId: string | null | undefined, headers: MimeHeader[]): string | undefined {
    if (!threadId) return undefined;
    const thread = [...this.messages.values()].filter((m) => m.threadId === threadId);
    // An unknown (or purged) thread is refused as a bad argument, not "not found": Gmail answers 400
    // "Invalid thread_id value" (reported for a reply into a thread that does not exist,
    // github.com/PipedreamHQ/pipedream/issues/15223 and the community post it links).
    if (thread.length === 0) throw new GmailError(400, "Invalid thread_id value", "invalidArgument");
    if (!headerValue(headers, "in-reply-to") && !headerValue(headers, "references")) return undefined;
    const subject = baseSubject(headerValue(headers, "subject"));
    return thread.some((m) => baseSubject(headerValue(m.payload?.headers as MimeHeader[], "subject")) === subject) ? threadId : undefined;
  }

  private store(m: Message, raw: string): Message {
    this.messages.set(m.id!, m);
    this.storedOrdinal(m.id!);
    this.raws.set(m.id!, raw);
    m.historyId = String(this.history.record("messageAdded", m, this.now()).id);
    return m;
  }

  /** users.drafts.create: stores the message with label DRAFT under a new draft id. */
  createDraft(raw: string, threadId?: string | null): gmail_v1.Schema$Draft {
    const m = this.store(this.fromRaw(raw, ["DRAFT"], threadId), raw);
    const id = draftIdFor(m.id!);
    this.drafts.set(id, { id, messageId: m.id! });
    return { id, message: { id: m.id, threadId: m.threadId, labelIds: [...m.labelIds!] } };
  }

  /** users.messages.send: stores the message with label SENT. */
  send(raw: string, threadId?: string | null): Message {
    const parsed = parseRfc822(raw);
    const recipients = ["to", "cc", "bcc"].flatMap((h) => addressesIn(headerValue(parsed.headers, h)));
    if (recipients.length === 0) throw new GmailError(400, "Recipient address required", "invalidArgument");
    const built = this.fromRaw(raw, ["SENT"], threadId);
    if (this.rewritesMessageId) {
      const headers = built.payload!.headers!.filter((h) => h.name?.toLowerCase() !== "message-id");
      built.payload = { ...built.payload, headers: [...headers, { name: "Message-ID", value: `<CA+${built.id}@mail.gmail.com>` }] };
    }
    const m = this.store(built, raw);
    this.sentIds.push(m.id!);
    return { id: m.id, threadId: m.threadId, labelIds: [...m.labelIds!] };
  }

  /** users.drafts.delete: removes the draft and its message for good; false when unknown. */
  deleteDraft(id: string): boolean {
    const d = this.drafts.get(id);
    if (!d) return false;
    this.drafts.delete(id);
    return this.deleteMessage(d.messageId) || true;
  }

  /**
   * The owner sends a draft from their mailbox (Gmail's web or app; the control API's), as Gmail's
   * drafts guide says a sent draft goes: "the draft is automatically deleted and a new message with
   * an updated ID is created with the SENT system label" (developers.google.com/gmail/api/guides/
   * drafts). So drafts.get 404s, and so does messages.get by the draft's message id; the new message,
   * dated now, stays in the draft's thread (a reply draft's sent message is in its conversation; a
   * new one's thread id is observed to hold while its subject is not edited: docs/provider-quirks.md,
   * "Sent or deleted"). The new message, or undefined when the draft is unknown.
   */
  sendDraft(id: string): Message | undefined {
    const d = this.drafts.get(id);
    const m = d && this.messages.get(d.messageId);
    if (!d || !m) return undefined;
    const raw = this.raws.get(m.id!) ?? "";
    this.deleteMessage(m.id!);
    this.raws.delete(m.id!);
    const headers = (m.payload?.headers ?? []).filter((h) => h.name?.toLowerCase() !== "date");
    const sent: Message = {
      ...clone(m),
      id: this.newId(),
      labelIds: ["SENT", ...(m.labelIds ?? []).filter((l) => l !== "DRAFT" && l !== "SENT")],
      payload: { ...m.payload, headers: [...headers, { name: "Date", value: rfc2822Date(this.now()) }] },
      internalDate: String(this.now()),
    };
    return clone(this.store(sent, raw));
  }

  /**
   * users.threads.get: the messages of a thread, oldest first (copies), Trash and Spam included;
   * undefined when none is left (a thread whose only message, a draft, was deleted).
   */
  getThread(id: string): Message[] | undefined {
    const found = [...this.messages.values()].filter((m) => m.threadId === id).sort((a, b) => newestFirst(b, a));
    return found.length ? found.map(clone) : undefined;
  }

  /** Drafts, newest first. */
  listDrafts(): StoredDraft[] {
    const at = (d: StoredDraft) => this.messages.get(d.messageId);
    return [...this.drafts.values()].filter((d) => at(d)).sort((a, b) => newestFirst(at(a)!, at(b)!));
  }

  /** One draft with its message (a copy), or undefined. */
  getDraft(id: string): { id: string; message: Message } | undefined {
    const d = this.drafts.get(id);
    const m = d && this.messages.get(d.messageId);
    return d && m ? { id: d.id, message: clone(m) } : undefined;
  }

  private written(m: Message, draftId?: string): WrittenMessage {
    const headers: Record<string, string> = {};
    for (const h of m.payload?.headers ?? []) headers[h.name!] ??= decodeWords(h.value ?? "");
    const recipients = ["To", "Cc", "Bcc"].flatMap((n) => addressesIn(headerValue(m.payload?.headers as MimeHeader[], n)));
    return { ...(draftId ? { draftId } : {}), message: clone(m), headers, recipients, raw: this.raws.get(m.id!) ?? "" };
  }

  /** Drafts with decoded headers and the RFC 822 text written (control API). */
  writtenDrafts(): WrittenMessage[] {
    return this.listDrafts().map((d) => this.written(this.messages.get(d.messageId)!, d.id));
  }

  /** Messages the API user sent, in sending order, with decoded headers and raw text (control API). */
  listSent(): WrittenMessage[] {
    return this.sentIds.flatMap((id) => {
      const m = this.messages.get(id);
      return m ? [this.written(m)] : [];
    });
  }
}

/** Gmail draft ids look like `r-8612346540236197367`; derive a stable one from the message id. */
function draftIdFor(messageId: string): string {
  let n: bigint;
  try {
    n = BigInt(`0x${messageId}`);
  } catch {
    n = [...messageId].reduce((a, ch) => (a * 131n + BigInt(ch.charCodeAt(0))) & 0xffffffffffffffffn, 7n);
  }
  const signed = BigInt.asIntN(64, n ^ 0x5a5a5a5a5a5a5a5an);
  return `r${signed}`;
}
