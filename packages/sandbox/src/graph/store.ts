import { createHash, randomBytes } from "node:crypto";
import { zoneOffset } from "@followthrough/core/time";
import { ianaOf, zonedInstant } from "./zones";
import type { Event as GraphEvent, Message as GraphMessage, Recipient } from "@microsoft/microsoft-graph-types";
import type { AccountInfo, MicrosoftData } from "../fixtures";

/** Mail folders the sandbox keeps, by well-known name (learn.microsoft.com/graph/api/resources/mailfolder, "Well-known folder names"). */
export type FolderName = "inbox" | "sentitems" | "drafts" | "archive" | "deleteditems" | "junkemail" | "recoverableitemsdeletions";

const FOLDER_NAMES: readonly FolderName[] = ["inbox", "sentitems", "drafts", "archive", "deleteditems", "junkemail", "recoverableitemsdeletions"];

/** Display names of the well-known folders, as an English mailbox shows them. */
export const FOLDER_DISPLAY: Record<FolderName, string> = {
  inbox: "Inbox", sentitems: "Sent Items", drafts: "Drafts", archive: "Archive", deleteditems: "Deleted Items", junkemail: "Junk Email",
  recoverableitemsdeletions: "Deletions",
};

/** A stored message and its change bookkeeping. */
export interface MessageRecord {
  message: GraphMessage;
  folder: FolderName;
  /** Insertion order: the stable cursor of an initial delta round. */
  ord: number;
  /** Change number: bumped on every change (delta reports records changed since a token's number). */
  seq: number;
  deleted: boolean;
  /**
   * The folders the message was moved out of: each one's delta reports it `@removed`, as a delta
   * query is per folder (learn.microsoft.com/graph/delta-query-messages). Its id stays, as an
   * immutable id does (learn.microsoft.com/graph/outlook-immutable-id).
   */
  movedFrom?: FolderName[];
  /**
   * Single-value extended properties written with the message (`singleValueExtendedProperties`),
   * by property id. Graph returns them only through `$expand` and finds them through `$filter`.
   */
  extended?: Map<string, string>;
}

/** A stored event, its change bookkeeping, and every version's time span (ms), for delta rounds. */
export interface EventRecord {
  event: GraphEvent;
  ord: number;
  seq: number;
  deleted: boolean;
  span: [number, number];
}

/** Where a delta round stands; kept server-side under an opaque skip or delta token. */
export type DeltaCursor =
  | {
      kind: "messages";
      folder: FolderName;
      select?: string[];
      /** receivedDateTime lower bound of a filtered delta, ms and whether inclusive. */
      receivedFrom?: { ms: number; inclusive: boolean };
      /** Undefined during the initial round; otherwise report changes with seq above this. */
      since?: number;
      /** Change number the round's deltaLink will carry. */
      through: number;
      /** Last ord (initial round) or seq (change round) already returned; index into `snapshot` when there is one. */
      after: number;
      pageSize?: number;
      /**
       * Ids of a filtered initial round, fixed when the round starts: at most the filtered-delta
       * cap, in Graph's unguaranteed order (newest first when `$orderby=receivedDateTime desc`).
       */
      snapshot?: string[];
    }
  | {
      kind: "events";
      start: number;
      end: number;
      since?: number;
      through: number;
      after: number;
      pageSize?: number;
    };

const fakeId = (prefix: string) => `${prefix}${randomBytes(33).toString("base64url")}AAA=`;
const changeKey = () => randomBytes(21).toString("base64url");
const graphDate = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/**
 * Parses a Graph `dateTimeTimeZone` to ms: a wall time in its `timeZone` (a Windows or IANA name;
 * UTC when absent or unknown), or an instant when it carries an offset. Until 2026-12-03 every wall
 * time was read as UTC whatever its zone (helper-108 #2).
 */
export function graphTime(dt: { dateTime?: string | null; timeZone?: string | null } | null | undefined): number {
  const s = dt?.dateTime ?? "";
  if (/[zZ]$|[+-]\d{2}:\d{2}$/.test(s)) return Date.parse(s);
  return zonedInstant(s, ianaOf(dt?.timeZone) ?? "UTC");
}

/** Writes an instant as Graph does in UTC: `2026-05-16T10:00:00.0000000`. */
export function toGraphTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$10000");
}

/** The wall time in `zone` at the instant `t`, as Graph writes it (`2026-05-16T09:00:00.0000000`). */
export const wallIn = (t: number, zone: string): string => toGraphTime(t + zoneOffset(t, zone));

/** The OWA link Graph returns in `webLink` for a message id. */
export function messageWebLink(id: string): string {
  return `https://outlook.office365.com/owa/?ItemID=${encodeURIComponent(id)}&exvsurl=1&viewmodel=ReadMessageItem`;
}

/** The Outlook mailbox and calendar of one Microsoft account, with change numbers for delta. */
/**
 * A message received when it was sent where only its sending is given: Graph gives every message
 * its receivedDateTime (a sent one's is its sending), and the listings' and delta's date filters
 * read it (helper-119: a fixture's message with only sentDateTime was left out of every filtered
 * read, and the follow-up it was never counted). For a fixture's messages and the control API's alike.
 */
function receivedWhenSent(m: GraphMessage): GraphMessage {
  return m.receivedDateTime || !m.sentDateTime ? m : { ...m, receivedDateTime: m.sentDateTime };
}

export class GraphStore {
  private readonly messages = new Map<string, MessageRecord>();
  private readonly events = new Map<string, EventRecord>();
  private readonly cursors = new Map<string, DeltaCursor>();
  private readonly sentLog: GraphMessage[] = [];
  private readonly sentMimeLog: string[] = [];
  /**
   * sendMail's messages still on their way, soonest first: each sits in Drafts until transport
   * takes it, then is moved to Sent Items (or, saveToSentItems false, removed). Graph's 202 comes
   * after the first step only; "most of the steps ... take place after the method response is
   * returned", the move to Sent Items among them
   * (learn.microsoft.com/graph/outlook-things-to-know-about-send-mail, steps 1 and 4).
   */
  private readonly inTransport: { id: string; at: number; save: boolean }[] = [];
  private settling = false;
  private seq = 0;
  private ord = 0;
  /** Folder ids by well-known name (taken from the fixture's parentFolderId when it has one). */
  readonly folderIds: Record<FolderName, string>;
  /** The user's object id (a GUID derived from the address). */
  readonly userId: string;
  /**
   * What `/me/mailboxSettings` answers in place of the owner's zone by name, as the control API set
   * it (`POST /_control/accounts/:email/graph/mailbox-settings`): its `timeZone` (any JSON value;
   * the key absent, the property left out) and, where `workingHoursTimeZone` is given, the working
   * hours' `timeZone.name`. Undefined: Graph's answer for a mailbox with its zone set, both naming it.
   */
  settingsZones?: { timeZone?: unknown; workingHoursTimeZone?: unknown };

  constructor(
    readonly account: AccountInfo,
    data: MicrosoftData,
    readonly now: () => number,
    /** How long (ms of `now`) transport takes a sent message out of Drafts (SandboxOptions.graphTransportMs). */
    private readonly transportMs: () => number = () => 0,
  ) {
    const h = createHash("sha256").update(account.email.toLowerCase()).digest("hex");
    this.userId = `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
    this.folderIds = {
      inbox: data.inbox.find((m) => m.parentFolderId)?.parentFolderId ?? fakeId("AAMkAGFolderInbox"),
      sentitems: data.sentitems.find((m) => m.parentFolderId)?.parentFolderId ?? fakeId("AAMkAGFolderSent"),
      drafts: fakeId("AAMkAGFolderDrafts"),
      archive: fakeId("AAMkAGFolderArchive"),
      deleteditems: fakeId("AAMkAGFolderDeleted"),
      junkemail: fakeId("AAMkAGFolderJunk"),
      recoverableitemsdeletions: fakeId("AAMkAGFolderDeletions"),
    };
    for (const m of data.inbox) this.putMessage("inbox", receivedWhenSent(m));
    for (const m of data.sentitems) this.putMessage("sentitems", receivedWhenSent(m));
    for (const e of data.events) this.putEvent(e);
    for (const id of new Set(data.events.map((e) => e.seriesMasterId).filter((x): x is string => !!x))) this.ensureMaster(id);
  }

  /** Regular ids handed out (see {@link restId}), to the item's immutable id. */
  private readonly restIds = new Map<string, string>();

  /**
   * The regular id Graph gives a message or event when the request does not ask for immutable ones
   * (`Prefer: IdType="ImmutableId"` "only applies to the request it is included with", and by default
   * an id "changes when the item is moved": learn.microsoft.com/graph/outlook-immutable-id). Derived
   * from the item and the folder it is in, so a move changes it. Undefined for an id of no item.
   */
  restId(id: string, folder?: FolderName): string | undefined {
    this.settle();
    const m = this.messages.get(id);
    if (!m && !this.events.has(id)) return undefined;
    // `folder`: the one the id was given out in (a message moved out of a folder is removed from
    // that folder's delta under the id that folder's listing gave it).
    const where = m ? this.folderIds[folder ?? m.folder] : "calendar";
    const rest = `AAMkAGRest${createHash("sha256").update(`${id}|${where}`).digest("base64url").slice(0, 43)}AAA=`;
    this.restIds.set(rest, id);
    return rest;
  }

  /**
   * The item an id of a request's path names: an immutable id as it is; a regular one while it is
   * still the item's (one from before a move names nothing, as on Graph). Both forms are taken on
   * input, whatever the request's Prefer header.
   */
  resolveId(id: string): string {
    this.settle();
    const immutable = this.restIds.get(id);
    if (immutable === undefined) return id;
    return this.restId(immutable) === id ? immutable : `${id}#moved`;
  }

  /** A response body with every message and event id (`id`, `seriesMasterId`) in its regular form. */
  withRestIds<T>(body: T): T {
    const walk = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(walk);
      if (v === null || typeof v !== "object") return v;
      return Object.fromEntries(
        Object.entries(v).map(([k, x]) => [k, (k === "id" || k === "seriesMasterId") && typeof x === "string" ? (this.restId(x) ?? x) : walk(x)]),
      );
    };
    return walk(body) as T;
  }

  /** The newest change number. */
  get changeNumber(): number {
    this.settle();
    return this.seq;
  }

  /**
   * Files what transport has taken by now (see {@link inTransport}), or everything on its way
   * (`all`: the mailbox clock was set back, and would otherwise leave it in Drafts for good). Every
   * read and change of the mailbox looks after it first. A message the client deleted or moved out
   * of Drafts meanwhile is left where it is: transport finds nothing to file.
   */
  settle(all = false): void {
    if (!this.inTransport.length || this.settling) return;
    this.settling = true;
    try {
      const t = all ? Infinity : this.now();
      while (this.inTransport.length && this.inTransport[0].at <= t) {
        const { id, save } = this.inTransport.shift()!;
        const r = this.messages.get(id);
        if (!r || r.deleted || r.folder !== "drafts") continue;
        if (!save) {
          this.purgeMessage(id);
          continue;
        }
        r.message = { ...r.message, isDraft: false };
        this.moveMessage(id, "sentitems");
      }
    } finally {
      this.settling = false;
    }
  }

  /** Resolves a folder segment: a well-known name (any case) or a folder id. */
  folder(segment: string): FolderName | undefined {
    const s = segment.toLowerCase();
    const known = FOLDER_NAMES.find((f) => f === s);
    if (known) return known;
    return (Object.keys(this.folderIds) as FolderName[]).find((k) => this.folderIds[k] === segment);
  }

  private putMessage(folder: FolderName, message: GraphMessage): MessageRecord {
    const old = message.id ? this.messages.get(message.id) : undefined;
    const rec: MessageRecord = { message, folder, ord: old?.ord ?? ++this.ord, seq: ++this.seq, deleted: false };
    this.messages.set(message.id!, rec);
    return rec;
  }

  /** Live messages of a folder, in insertion order. */
  messagesIn(folder: FolderName): MessageRecord[] {
    this.settle();
    return [...this.messages.values()].filter((r) => r.folder === folder && !r.deleted);
  }

  /** Every message record of a folder, tombstones and messages moved out of it included (for delta). */
  messageRecords(folder: FolderName): MessageRecord[] {
    this.settle();
    return [...this.messages.values()].filter((r) => r.folder === folder || r.movedFrom?.includes(folder));
  }

  /** Moves a message to another folder, keeping its id (delta then reports it removed from the old one). */
  moveMessage(id: string, to: FolderName): GraphMessage | undefined {
    this.settle();
    const r = this.messages.get(id);
    if (!r || r.deleted) return undefined;
    if (r.folder !== to) {
      r.movedFrom = [...new Set([...(r.movedFrom ?? []), r.folder])];
      r.folder = to;
      r.message = { ...r.message, parentFolderId: this.folderIds[to] };
      r.seq = ++this.seq;
    }
    return r.message;
  }

  /**
   * The owner sends a draft from Outlook (the control API's): Exchange files "a separate copy of the
   * message" in Sent Items, so the copy's id differs from the draft's, immutable or not (a Microsoft
   * docs writer in microsoftgraph/microsoft-graph-docs issue 6250; seen in issues 1533 and 11969,
   * msgraph-sdk-java issue 731, OfficeDev/office-js issue 5566: the draft's id answers 404 once it is
   * sent), though learn.microsoft.com/graph/outlook-immutable-id ("Immutable ID with sending mail")
   * says the draft's id reads the Sent Items copy. The copy keeps the draft's content, conversation,
   * internetMessageId and single-value extended properties (Microsoft's advice for finding a sent
   * message in Sent Items is to tag it with one: Jason Johnston in microsoft-graph-docs issue 3766);
   * it is no longer a draft, sent now, from the owner. The draft goes (its folder's delta reports it
   * removed). Until 2026-12-07 the copy kept the draft's id. Undefined when the message is unknown or
   * not in Drafts. `keepId`: the send as the documentation page describes it, the draft itself filed
   * in Sent Items under its immutable id, no longer a draft (the adapter reads either).
   */
  sendDraft(id: string, o: { keepId?: boolean } = {}): GraphMessage | undefined {
    this.settle();
    const r = this.messages.get(id);
    if (!r || r.deleted || r.folder !== "drafts") return undefined;
    const owner: Recipient = { emailAddress: { name: this.account.displayName, address: this.account.email } };
    const now = graphDate(this.now());
    if (o.keepId) {
      r.message = { ...r.message, isDraft: false, sentDateTime: now, receivedDateTime: now, lastModifiedDateTime: now, from: owner, sender: owner };
      return this.moveMessage(id, "sentitems");
    }
    const { id: _draftId, "@odata.etag": _etag, changeKey: _key, webLink: _link, parentFolderId: _folder, createdDateTime: _created, ...content } = r.message as GraphMessage & { "@odata.etag"?: string; changeKey?: string };
    const copyId = fakeId("AAMkAGSandbox");
    const copy = this.addMessage("sentitems", { ...content, id: copyId, webLink: messageWebLink(copyId), isDraft: false, sentDateTime: now, receivedDateTime: now, from: owner, sender: owner } as GraphMessage);
    if (r.extended) this.messages.get(copyId)!.extended = new Map(r.extended);
    this.purgeMessage(id);
    return copy;
  }

  /** The record of a message by id, tombstones included. */
  messageRecord(id: string): MessageRecord | undefined {
    this.settle();
    return this.messages.get(id);
  }

  /** A live message by id. */
  message(id: string): GraphMessage | undefined {
    this.settle();
    const r = this.messages.get(id);
    return r && !r.deleted ? r.message : undefined;
  }

  /** Adds (or replaces) a message in a folder; fills id, dates and OData annotations it lacks from the mailbox clock. */
  addMessage(folder: FolderName, input: GraphMessage): GraphMessage {
    this.settle();
    const now = graphDate(this.now());
    const id = input.id ?? fakeId("AAMkAGSandbox");
    const key = changeKey();
    const message: GraphMessage = {
      "@odata.etag": `W/"${key}"`,
      id,
      createdDateTime: now,
      lastModifiedDateTime: now,
      changeKey: key,
      categories: [],
      receivedDateTime: now,
      sentDateTime: now,
      hasAttachments: false,
      internetMessageId: `<${randomBytes(12).toString("hex")}@sandbox.outlook.com>`,
      importance: "normal",
      parentFolderId: this.folderIds[folder],
      conversationId: fakeId("AAQkAGSandbox"),
      isRead: folder !== "inbox",
      isDraft: folder === "drafts",
      webLink: messageWebLink(id),
      toRecipients: [],
      ccRecipients: [],
      bccRecipients: [],
      replyTo: [],
      ...receivedWhenSent(input),
    } as GraphMessage;
    this.putMessage(folder, message);
    return message;
  }

  /**
   * Deletes a message as Graph's DELETE does, a soft delete: to Deleted Items, and from there to
   * Recoverable Items (`recoverableitemsdeletions`), its immutable id still answering
   * (message-permanentDelete is the call that purges, learn.microsoft.com/graph/api/message-permanentdelete;
   * a DELETE leaves it in Deleted Items, as reported in ggpwnkthx/Microsoft-Graph-SMTP-Relay#28).
   * One in Recoverable Items is purged. Its folder's delta reports it removed either way.
   */
  deleteMessage(id: string): boolean {
    this.settle();
    const r = this.messages.get(id);
    if (!r || r.deleted) return false;
    if (r.folder === "recoverableitemsdeletions") return this.purgeMessage(id);
    return this.moveMessage(id, r.folder === "deleteditems" ? "recoverableitemsdeletions" : "deleteditems") !== undefined;
  }

  /** Removes a message at once (the control API's delete: a message gone from the mailbox, its id answering 404). */
  purgeMessage(id: string): boolean {
    this.settle();
    const r = this.messages.get(id);
    if (!r || r.deleted) return false;
    r.deleted = true;
    r.seq = ++this.seq;
    return true;
  }

  /** Creates a draft in Drafts from a POST /me/messages body (or createReply's `message`), with its extended properties. */
  createDraft(body: GraphMessage, conversationId?: string | null): GraphMessage {
    const fields = pickWritable(body);
    const draft = this.addMessage("drafts", { ...fields, ...(conversationId ? { conversationId } : {}), isDraft: true, isRead: true, from: null, sender: null, bodyPreview: preview(body) });
    const props = (body as { singleValueExtendedProperties?: { id?: unknown; value?: unknown }[] }).singleValueExtendedProperties;
    if (Array.isArray(props) && props.length) {
      const rec = this.messages.get(draft.id!)!;
      rec.extended = new Map(props.filter((p) => typeof p?.id === "string" && typeof p.value === "string").map((p) => [p.id as string, p.value as string]));
    }
    return draft;
  }

  /** The value of a message's single-value extended property, by property id (see {@link sameExtendedId}). */
  extendedValue(id: string, propertyId: string): string | undefined {
    const r = this.messages.get(id);
    if (!r?.extended) return undefined;
    for (const [k, v] of r.extended) if (sameExtendedId(k, propertyId)) return v;
    return undefined;
  }

  /**
   * Sends a message (POST /me/sendMail): logged, and kept in Sent Items unless saveToSentItems is
   * false, once transport has taken it from Drafts ({@link inTransport}; at once when the transport
   * time is 0). `mime`: the RFC 822 text of a send in MIME form, kept as sent (`sentMime`).
   *
   * The copy filed has no internet headers: Graph returns none for the Sent Items copy (Microsoft's
   * answer in microsoft-graph-docs issue 2716: "internet headers just do not exist on the copy in
   * Sent Items"; office-js-docs-pr issue 5057, msgraph-sdk-dotnet issue 3025). The log of the send
   * (the control API's) keeps them.
   */
  sendMail(body: GraphMessage, saveToSentItems: boolean, mime?: string): GraphMessage {
    const owner: Recipient = { emailAddress: { name: this.account.displayName, address: this.account.email } };
    const { internetMessageHeaders: headers, ...filed } = pickWritable(body);
    const fields = { ...filed, isDraft: false, isRead: true, from: owner, sender: owner, bodyPreview: preview(body) };
    const delay = this.transportMs();
    let message: GraphMessage;
    if (delay > 0) {
      // In Drafts, unsent, until transport moves it (settle).
      message = this.addMessage("drafts", { ...fields, isDraft: true });
      const at = this.now() + delay;
      const i = this.inTransport.findIndex((p) => p.at > at);
      this.inTransport.splice(i < 0 ? this.inTransport.length : i, 0, { id: message.id!, at, save: saveToSentItems });
      // Logged as it will be filed: in Sent Items, or (not saved) in no folder.
      const { parentFolderId: _drafts, ...sentCopy } = message;
      message = { ...sentCopy, isDraft: false, ...(saveToSentItems ? { parentFolderId: this.folderIds.sentitems } : {}) };
    } else message = saveToSentItems ? this.addMessage("sentitems", fields) : { ...fields, id: fakeId("AAMkAGSandbox") };
    this.sentLog.push(structuredClone({ ...message, ...(headers ? { internetMessageHeaders: headers } : {}) }));
    if (mime !== undefined) this.sentMimeLog.push(mime);
    return message;
  }

  /** The RFC 822 texts of the sends made in MIME form, oldest first (as Gmail's sent mail keeps its raw text). */
  sentMime(): string[] {
    return [...this.sentMimeLog];
  }

  /** Messages sent through sendMail, oldest first. */
  sent(): GraphMessage[] {
    return structuredClone(this.sentLog);
  }

  private putEvent(event: GraphEvent, prev?: EventRecord): EventRecord {
    const span: [number, number] = [graphTime(event.start), graphTime(event.end)];
    const seq = ++this.seq;
    const rec: EventRecord = { event, ord: prev?.ord ?? ++this.ord, seq, deleted: false, span };
    this.events.set(event.id!, rec);
    return rec;
  }

  /** Live events, in insertion order. */
  eventList(): EventRecord[] {
    return [...this.events.values()].filter((r) => !r.deleted);
  }

  /** Every event record, tombstones included (for delta). */
  eventRecords(): EventRecord[] {
    return [...this.events.values()];
  }

  /** An event by id, if not deleted. */
  event(id: string): GraphEvent | undefined {
    const r = this.events.get(id);
    return r && !r.deleted ? r.event : undefined;
  }

  /**
   * Adds an event or merges fields into an existing one (same id). Times with a `Z` or offset are
   * rewritten as Graph's UTC form; a change key, etag and lastModifiedDateTime are stamped.
   */
  upsertEvent(input: GraphEvent): GraphEvent {
    const old = input.id ? this.events.get(input.id) : undefined;
    const now = graphDate(this.now());
    const key = changeKey();
    const base: GraphEvent = old && !old.deleted ? old.event : { id: input.id ?? fakeId("AAMkAGSandboxEvent"), createdDateTime: now, isCancelled: false, type: "singleInstance", attendees: [] };
    const event: GraphEvent = { ...base, ...input, id: base.id, lastModifiedDateTime: now, changeKey: key, "@odata.etag": `W/"${key}"` } as GraphEvent;
    for (const side of ["start", "end"] as const) {
      const t = event[side];
      if (t?.dateTime && /[zZ]$|[+-]\d{2}:\d{2}$/.test(t.dateTime)) event[side] = { dateTime: toGraphTime(Date.parse(t.dateTime)), timeZone: "UTC" };
    }
    if (!event.start?.dateTime || !event.end?.dateTime) throw new Error("an event needs start.dateTime and end.dateTime");
    // Occurrences that follow their series (not exceptions) take a change of the master with it.
    const followers = event.type === "seriesMaster" ? this.seriesEvents(event.id!).filter((r) => !this.isException(r.event)) : [];
    this.putEvent(event, old);
    if (event.type === "seriesMaster") this.followMaster(followers, input);
    else if (event.seriesMasterId) this.ensureMaster(event.seriesMasterId);
    return event;
  }

  /** The events of a series (occurrences and exceptions), live ones only. */
  seriesEvents(masterId: string): EventRecord[] {
    return this.eventList().filter((r) => r.event.seriesMasterId === masterId && r.event.type !== "seriesMaster");
  }

  /** The live series master of `id`, if there is one. */
  seriesMaster(id: string): GraphEvent | undefined {
    const e = this.event(id);
    return e?.type === "seriesMaster" ? e : undefined;
  }

  /**
   * Makes sure a series has its master. A fixture holds occurrences as calendarView returns them
   * (each in full) and may lack the master: it is derived from the series' first occurrence that is
   * neither an exception nor cancelled (its content and length), starting where the series' first
   * occurrence was scheduled, with a recurrence read from the occurrences' scheduled starts in the
   * series' zone. A timed occurrence's `originalStart` ("the start time of an event when it's
   * initially created as an occurrence or exception in a recurring series", always in UTC: Graph's
   * event resource) is where the series put it, so a moved exception counts where it was. An all-day
   * series is read by its occurrences' own dates, floating midnights whatever the zone (Graph writes
   * an all-day exception's originalStart as the zone's midnight in UTC, microsoftgraph/
   * microsoft-graph-docs issue 7163, and compares it only with itself, issue 2804). Until 2026-12-06
   * the derived master took a moved first occurrence's times, and read dates and weekdays in UTC (a
   * Wednesday 09:00 series in Sydney came as Tuesdays; helper-230, helper-232).
   */
  private ensureMaster(masterId: string): void {
    if (this.events.has(masterId)) return;
    const records = this.seriesEvents(masterId);
    if (records.length === 0) return;
    /** An occurrence as the series has it: neither an exception nor cancelled. */
    const plain = (r: EventRecord) => r.event.type !== "exception" && !r.event.isCancelled;
    const allDay = (records.find(plain) ?? records[0]).event.isAllDay === true;
    const scheduled = (r: EventRecord) => {
      const t = allDay || !r.event.originalStart ? Number.NaN : graphTime({ dateTime: r.event.originalStart, timeZone: "UTC" });
      return Number.isFinite(t) ? t : r.span[0];
    };
    const series = records.sort((a, b) => scheduled(a) - scheduled(b));
    const first = series[0];
    const modelRecord = series.find(plain) ?? first;
    const model = modelRecord.event;
    const begins = scheduled(first);
    const length = modelRecord.span[1] - modelRecord.span[0];
    const key = changeKey();
    const master: GraphEvent = {
      ...structuredClone(model),
      "@odata.etag": `W/"${key}"`,
      changeKey: key,
      id: masterId,
      type: "seriesMaster",
      seriesMasterId: null,
      isCancelled: false,
      start: { dateTime: toGraphTime(begins), timeZone: "UTC" },
      end: { dateTime: toGraphTime(begins + length), timeZone: "UTC" },
      recurrence: recurrenceOf(series.map(scheduled), first.event.originalStartTimeZone ?? model.originalStartTimeZone ?? "UTC", allDay),
    } as GraphEvent;
    // A master is no occurrence: it has no originalStart of its own.
    delete master.originalStart;
    if (typeof master.webLink === "string") master.webLink = master.webLink.replace(/itemid=[^&]*/i, `itemid=${encodeURIComponent(masterId)}`);
    this.putEvent(master);
  }

  /** A change to a series master changes every occurrence that follows it (delta reports them again). */
  private followMaster(followers: EventRecord[], change: GraphEvent): void {
    const shared: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(change)) if (!perOccurrence.has(k)) shared[k] = structuredClone(v);
    const now = graphDate(this.now());
    for (const r of followers) {
      const key = changeKey();
      r.event = { ...r.event, ...shared, lastModifiedDateTime: now, changeKey: key, "@odata.etag": `W/"${key}"` } as GraphEvent;
      r.seq = ++this.seq;
    }
  }

  /**
   * True when an occurrence differs from its series master and Graph would hold it as an
   * exception: marked so in the fixture, cancelled, moved (other length or time of day, beyond a
   * daylight-saving hour), or with other content (subject, attendees, responses, location, body...):
   * an occurrence edited on its own is an exception, served in full (learn.microsoft.com/graph/api/resources/event,
   * `type`; learn.microsoft.com/graph/outlook-schedule-recurring-events). Until 2026-12-02 its body was left out
   * of the comparison, so an occurrence with a body of its own came as a stub filled from the master's.
   */
  isException(occurrence: GraphEvent): boolean {
    if (occurrence.type === "exception") return true;
    const master = occurrence.seriesMasterId ? this.seriesMaster(occurrence.seriesMasterId) : undefined;
    if (!master) return true;
    if (occurrence.isCancelled) return true;
    const [s, e] = [graphTime(occurrence.start), graphTime(occurrence.end)];
    const [ms, me] = [graphTime(master.start), graphTime(master.end)];
    if (e - s !== me - ms) return true;
    const day = 86_400_000;
    const drift = (((s - ms) % day) + day) % day;
    if (Math.min(drift, day - drift) > 3_600_000) return true;
    return seriesContent(occurrence) !== seriesContent(master);
  }

  /** Marks an event cancelled (the organizer cancelled it; it stays in the calendar with isCancelled). */
  cancelEvent(id: string): GraphEvent | undefined {
    if (!this.event(id)) return undefined;
    return this.upsertEvent({ id, isCancelled: true });
  }

  /** Deletes an event (delta then reports it as removed). */
  deleteEvent(id: string): boolean {
    const r = this.events.get(id);
    if (!r || r.deleted) return false;
    // Deleting a series master deletes the series.
    if (r.event.type === "seriesMaster") for (const o of this.seriesEvents(id)) this.deleteEvent(o.event.id!);
    r.deleted = true;
    r.seq = ++this.seq;
    return true;
  }

  /** Stores a delta cursor under a fresh opaque token. */
  saveCursor(cursor: DeltaCursor): string {
    const token = randomBytes(24).toString("base64url");
    this.cursors.set(token, cursor);
    return token;
  }

  /** The cursor of a skip or delta token; undefined when unknown or expired. */
  cursor(token: string): DeltaCursor | undefined {
    return this.cursors.get(token);
  }

  /** Makes every delta link (and delta skip token) issued so far expire (410 SyncStateNotFound). */
  expireDeltaTokens(): void {
    this.cursors.clear();
  }
}

/** Fields of one occurrence that a change to its series master does not carry over. */
const perOccurrence = new Set([
  "@odata.etag", "@odata.type", "id", "type", "seriesMasterId", "start", "end", "originalStart", "changeKey", "iCalUId", "webLink",
  "createdDateTime", "lastModifiedDateTime", "recurrence",
]);

type Attendee = NonNullable<GraphEvent["attendees"]>[number];
const address = (r: { emailAddress?: { address?: string | null } | null } | null | undefined) => r?.emailAddress?.address?.toLowerCase() ?? null;

/**
 * What an occurrence shares with its series unless it is an exception: subject, organizer, who is
 * invited and how each answered, the owner's answer, all-day, free/busy, sensitivity, location.
 * Per-occurrence stamps (ids, times, change keys, links, response times, join URLs) are left out.
 */
function seriesContent(e: GraphEvent): string {
  const attendees = (e.attendees ?? [])
    .map((a: Attendee) => [address(a), a.type ?? null, a.status?.response ?? null])
    .sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
  return JSON.stringify([
    e.subject ?? null, address(e.organizer), attendees, e.responseStatus?.response ?? null, !!e.isAllDay, e.showAs ?? null,
    e.sensitivity ?? null, e.location?.displayName ?? null, !!e.isOnlineMeeting, e.bodyPreview ?? null, e.body?.content ?? null,
  ]);
}

/**
 * The recurrence a derived master carries: daily or weekly by the spacing of the occurrences'
 * scheduled starts, ending at the last one; its dates and weekdays are those of `zone` (the series'
 * `originalStartTimeZone`, a Windows or IANA name, as the sandbox's reading: `recurrenceTimeZone` is
 * "Time zone for the startDate and endDate properties", learn.microsoft.com/graph/api/resources/
 * recurrencerange), or the `floating` starts' own (an all-day series). A zone `ianaOf` does not
 * know (`tzone://Microsoft/Custom`) is read as UTC.
 */
function recurrenceOf(starts: number[], zone: string, floating = false): GraphEvent["recurrence"] {
  const day = 86_400_000;
  const iana = ianaOf(zone) ?? "UTC";
  // Each start as its wall clock in the zone, written as if UTC: whole days apart across a clock
  // change (an all-day series' starts are its dates already).
  const local = floating ? starts : starts.map((s) => s + zoneOffset(s, iana));
  const date = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const range = { type: "endDate", startDate: date(local[0]), endDate: date(local[local.length - 1]), recurrenceTimeZone: zone, numberOfOccurrences: 0 };
  const days = local.map((l) => Math.floor(l / day));
  const gaps = days.slice(1).map((d, i) => d - days[i]);
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  const step = gaps.filter((g) => g > 0).reduce(gcd, 0) || 7;
  const weekdays = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
  if (step % 7 === 0)
    return {
      pattern: { type: "weekly", interval: step / 7, month: 0, dayOfMonth: 0, firstDayOfWeek: "sunday", index: "first", daysOfWeek: [...new Set(local.map((l) => weekdays[new Date(l).getUTCDay()]))] },
      range,
    } as GraphEvent["recurrence"];
  return { pattern: { type: "daily", interval: step, month: 0, dayOfMonth: 0, firstDayOfWeek: "sunday", index: "first" }, range } as GraphEvent["recurrence"];
}

function pickWritable(body: GraphMessage): GraphMessage {
  const keys = ["subject", "body", "toRecipients", "ccRecipients", "bccRecipients", "replyTo", "importance", "categories", "internetMessageHeaders", "isDeliveryReceiptRequested", "isReadReceiptRequested", "flag", "internetMessageId"] as const;
  const out: Record<string, unknown> = {};
  for (const k of keys) if (body[k] !== undefined) out[k] = structuredClone(body[k]);
  return out as GraphMessage;
}

function preview(body: GraphMessage): string {
  const content = body.body?.content ?? "";
  const text = body.body?.contentType === "html" ? content.replace(/<[^>]*>/g, " ") : content;
  return text.replace(/\s+/g, " ").trim().slice(0, 255);
}

/**
 * Compares extended property ids as Exchange does: the type and the property set GUID without
 * regard to case, the `Name` part exactly ("Filtering the string name (Name) in the id of an
 * extended property is case-sensitive": learn.microsoft.com/graph/api/singlevaluelegacyextendedproperty-get).
 */
export function sameExtendedId(a: string, b: string): boolean {
  const parts = (s: string) => {
    const m = /^\s*(\w+)\s+(\{[0-9a-f-]+\})\s+Name\s+(.+?)\s*$/i.exec(s);
    return m ? { head: `${m[1]} ${m[2]}`.toLowerCase(), name: m[3] } : { head: s.trim().toLowerCase(), name: "" };
  };
  const x = parts(a);
  const y = parts(b);
  return x.head === y.head && x.name === y.name;
}
