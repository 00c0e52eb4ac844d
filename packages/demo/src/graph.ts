// Renders a Mailbox as Microsoft Graph v1.0 resources: messages as
// `/me/mailFolders/{inbox|sentitems}/messages` returns them and events as
// `/me/calendarView` returns them (occurrences expanded, times in UTC).

import type { Addr, Attendee, Event, Mailbox, Message, Person, Rsvp } from "./model.ts";
import { HEX, base64url, escapeHtml, graphTime, isoSeconds, keyedBytes, rand } from "./util.ts";

const WINDOWS_ZONE: Record<string, string> = {
  "Asia/Singapore": "Singapore Standard Time",
  "Europe/London": "GMT Standard Time",
  "Europe/Dublin": "GMT Standard Time",
  "America/Los_Angeles": "Pacific Standard Time",
  "Australia/Sydney": "AUS Eastern Standard Time",
  "Asia/Tokyo": "Tokyo Standard Time",
  "Asia/Kolkata": "India Standard Time",
};
const NEVER = "0001-01-01T00:00:00Z";

export class GraphRenderer {
  private readonly mailboxTag: string;
  private readonly folder: { inbox: string; sent: string };
  private readonly seriesIds = new Map<string, string>();

  constructor(private readonly mb: Mailbox) {
    this.mailboxTag = base64url(keyedBytes(`${mb.cfg.id}/mbx`, 27)).slice(0, 34);
    const folderId = (code: string) => `AAMkA${this.mailboxTag}AuAAAAAAE${code}AAA${base64url(keyedBytes(`${mb.cfg.id}/${code}`, 15))}AAAA=`;
    this.folder = { inbox: folderId("MAA"), sent: folderId("JAA") };
  }

  private itemId(kind: "ev" | "msg", key: string): string {
    const b = base64url(keyedBytes(`${this.mb.cfg.id}/${kind}/${key}`, 57));
    return `AAMkA${this.mailboxTag}BGAAAAAA${kind === "ev" ? "D" : "E"}${b}AAA=`;
  }
  private changeKey(kind: "ev" | "msg", key: string): string {
    return `${kind === "ev" ? "Dw" : "CQ"}AAABYAAAA${base64url(keyedBytes(`${this.mb.cfg.id}/ck/${key}`, 21)).replace(/[-_]/g, "Z")}`;
  }
  private addr(a: Addr | Person) {
    const x: Addr = "p" in a ? a : { p: a };
    const address = x.email ?? x.p.email;
    const name = x.name === null ? address : (x.name ?? (x.p.name || address));
    return { emailAddress: { name, address } };
  }
  private body(text: string, empty = false) {
    if (empty && !text) return { contentType: "html", content: "" };
    return {
      contentType: "html",
      content: `<html><head>\r\n<meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body><div dir="ltr">${escapeHtml(text)}</div></body></html>`,
    };
  }

  message(m: Message, threadFirst: Message, position: number) {
    const mb = this.mb;
    const r = rand(mb.cfg.id, "graph-msg", m.key);
    const id = this.itemId("msg", m.key);
    const ck = this.changeKey("msg", m.key);
    const inbound = m.folder === "inbox";
    const received = inbound ? new Date(m.at.getTime() + r.int(2, 12) * 1000) : m.at;
    const sender = (m.from.email ?? m.from.p.email).toLowerCase();
    const domain = sender.split("@")[1];
    const imid = m.from.p.kind === "owner"
      ? `<SG2PR0${r.int(1, 6)}MB${r.int(1000, 9999)}${r.text(20, "0123456789ABCDEF")}@SG2PR0${r.int(1, 6)}MB${r.int(1000, 9999)}.apcprd0${r.int(1, 6)}.prod.outlook.com>`
      : domain === "gmail.com" ? `<CA${r.text(44, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+_-")}@mail.gmail.com>`
        : `<${r.text(32, HEX)}@${domain}>`;
    const convBytes = keyedBytes(`${mb.cfg.id}/conv/${threadFirst.key}`, 16);
    const indexBytes = Buffer.concat([keyedBytes(`${mb.cfg.id}/ci/${threadFirst.key}`, 22), keyedBytes(`${mb.cfg.id}/ci/${m.key}`, 5 * position)]);
    const o: Record<string, unknown> = {};
    if (m.notice) o["@odata.type"] = `#microsoft.graph.${m.notice.graphType}`;
    Object.assign(o, {
      "@odata.etag": `W/"${ck}"`,
      id,
      createdDateTime: isoSeconds(received),
      lastModifiedDateTime: isoSeconds(new Date(Math.min(received.getTime() + r.int(0, 3600) * 1000, mb.now.getTime()))),
      changeKey: ck,
      categories: [],
      receivedDateTime: isoSeconds(received),
      sentDateTime: isoSeconds(m.at),
      hasAttachments: false,
      internetMessageId: imid,
      subject: m.subject,
      bodyPreview: m.text.replace(/\s+/g, " ").trim().slice(0, 255),
      importance: "normal",
      parentFolderId: inbound ? this.folder.inbox : this.folder.sent,
      conversationId: `AAQkA${this.mailboxTag}AQA${base64url(convBytes)}`,
      conversationIndex: indexBytes.toString("base64"),
      isDeliveryReceiptRequested: inbound ? null : false,
      isReadReceiptRequested: false,
      isRead: !inbound || mb.now.getTime() - m.at.getTime() > 2 * 86_400_000 || r.next() < 0.4,
      isDraft: !!m.isDraft,
      webLink: `https://outlook.office365.com/owa/?ItemID=${encodeURIComponent(id)}&exvsurl=1&viewmodel=ReadMessageItem`,
      inferenceClassification: m.category ? "other" : "focused",
      body: this.body(m.text),
      sender: this.addr(m.from),
      from: this.addr(m.from),
      toRecipients: m.to.map((x) => this.addr(x)),
      ccRecipients: m.cc.map((x) => this.addr(x)),
      bccRecipients: m.bcc.map((x) => this.addr(x)),
      replyTo: [],
      flag: { flagStatus: "notFlagged" },
    });
    const n = m.notice;
    if (n) {
      const ev = n.event;
      o.meetingMessageType = n.meetingMessageType;
      o.type = ev?.series ? "occurrence" : "singleInstance";
      o.isOutOfDate = false;
      o.isAllDay = !!ev?.allDay;
      o.isDelegated = false;
      if (n.responseType) o.responseType = n.responseType;
      if (n.graphType === "eventMessageRequest") {
        o.meetingRequestType = "newMeetingRequest";
        o.responseRequested = true;
        o.allowNewTimeProposals = true;
      }
      o.startDateTime = { dateTime: ev ? this.when(ev, "start") : null, timeZone: "UTC" };
      o.endDateTime = { dateTime: ev ? this.when(ev, "end") : null, timeZone: "UTC" };
      o.location = this.location(ev?.location);
    }
    return o;
  }

  private when(ev: Event, side: "start" | "end"): string {
    if (ev.allDay) return `${side === "start" ? ev.allDay.start : ev.allDay.end}T00:00:00.0000000`;
    return graphTime(side === "start" ? ev.start : ev.end);
  }
  private location(name?: string) {
    return name
      ? { displayName: name, locationType: "default", uniqueId: name, uniqueIdType: "private" }
      : { displayName: "", locationType: "default", uniqueIdType: "unknown", address: {}, coordinates: {} };
  }

  event(ev: Event) {
    const mb = this.mb;
    const r = rand(mb.cfg.id, "graph-ev", ev.key);
    const ownerOrg = ev.organizer.kind === "owner";
    const id = this.itemId("ev", ev.key);
    let seriesMasterId: string | null = null;
    if (ev.series) {
      if (!this.seriesIds.has(ev.series)) this.seriesIds.set(ev.series, this.itemId("ev", ev.series));
      seriesMasterId = this.seriesIds.get(ev.series) as string;
    }
    const created = new Date(Math.floor(ev.created.getTime() / 1000) * 1000);
    const modified = new Date(Math.min(created.getTime() + r.int(120, 80_000) * 1000, mb.now.getTime() - 60_000));
    const ticks = () => r.text(7, "0123456789");
    const respondedAt = (min: number) => `${isoSeconds(new Date(Math.min(created.getTime() + min * 60_000, mb.now.getTime() - 60_000))).slice(0, -1)}.${ticks()}Z`;
    const graphRsvp = (x: Rsvp | undefined, owner: boolean) =>
      x === "accepted" ? "accepted" : x === "tentative" ? "tentativelyAccepted" : x === "declined" ? "declined" : owner ? "notResponded" : "none";
    const ownerResp = ownerOrg ? "organizer" : graphRsvp(ev.ownerRsvp, true);
    const ownerTime = ownerOrg || ownerResp === "notResponded" ? NEVER : respondedAt(r.int(10, 900));
    const list: Attendee[] = [];
    if (!ownerOrg && ev.organizerInList && !ev.attendees.some((a) => a.p === ev.organizer)) list.push({ p: ev.organizer, rsvp: undefined });
    list.push(...ev.attendees);
    if (!ownerOrg && ev.ownerInList) list.splice(Math.min(1, list.length), 0, { p: mb.owner, rsvp: ev.ownerRsvp });
    const attendees = list.map((a) => {
      let resp: string;
      if (a.p.kind === "owner") resp = ownerResp;
      else if (a.p.kind === "room") resp = a.rsvp === "declined" ? "declined" : "accepted";
      // an attendee sees the others' answers only when they decline publicly; the organiser sees all
      else resp = ownerOrg || a.rsvp === "declined" ? graphRsvp(a.rsvp, false) : "none";
      const time = a.p.kind === "owner" ? ownerTime : resp === "none" ? NEVER : respondedAt(r.int(30, 2000));
      return {
        type: a.p.kind === "room" ? "resource" : a.optional ? "optional" : "required",
        status: { response: resp, time },
        emailAddress: { name: a.p.name || (a.email ?? a.p.email), address: a.email ?? a.p.email },
      };
    });
    const teams = !ev.location && !ev.allDay && list.length > 0;
    const ck = this.changeKey("ev", ev.key);
    const zoneName = WINDOWS_ZONE[ev.organizer.zone ?? ev.zone] ?? "UTC";
    const ical = keyedBytes(`${mb.cfg.id}/ical/${ev.series ?? ev.key}`, 24).toString("hex").toUpperCase();
    return {
      "@odata.etag": `W/"${ck}"`,
      id,
      createdDateTime: `${created.toISOString().slice(0, 19)}.${ticks()}Z`,
      lastModifiedDateTime: `${modified.toISOString().slice(0, 19)}.${ticks()}Z`,
      changeKey: ck,
      categories: [],
      transactionId: null,
      originalStartTimeZone: zoneName,
      originalEndTimeZone: zoneName,
      // Where the series put an occurrence, always UTC (an all-day one's: its zone's midnight;
      // microsoftgraph/microsoft-graph-docs issue 7163); single instances have none (Graph's event
      // resource). The sandbox derives a missing master from it (docs/provider-quirks.md).
      ...(ev.series ? { originalStart: `${(ev.originalStart ?? ev.start).toISOString().slice(0, 19)}Z` } : {}),
      iCalUId: `040000008200E00074C5B7101A82E00800000000${ical.slice(0, 16)}000000000000000010000000${ical.slice(16)}`,
      reminderMinutesBeforeStart: ev.allDay ? 1080 : 15,
      isReminderOn: !ev.allDay,
      hasAttachments: false,
      subject: ev.status === "cancelled" ? `Canceled: ${ev.title}` : ev.title,
      bodyPreview: (ev.description ?? "").slice(0, 255),
      importance: "normal",
      sensitivity: "normal",
      isAllDay: !!ev.allDay,
      isCancelled: ev.status === "cancelled",
      isOrganizer: ownerOrg,
      responseRequested: true,
      seriesMasterId,
      showAs: ev.status === "cancelled" || ev.allDay ? "free" : ownerResp === "tentativelyAccepted" || ownerResp === "notResponded" ? "tentative" : "busy",
      type: ev.series ? (ev.exception ? "exception" : "occurrence") : "singleInstance",
      webLink: `https://outlook.office365.com/owa/?itemid=${encodeURIComponent(id)}&exvsurl=1&path=/calendar/item`,
      onlineMeetingUrl: null,
      isOnlineMeeting: teams,
      onlineMeetingProvider: teams ? "teamsForBusiness" : "unknown",
      allowNewTimeProposals: true,
      isDraft: false,
      hideAttendees: false,
      recurrence: null,
      onlineMeeting: teams ? { joinUrl: `https://teams.microsoft.com/l/meetup-join/19%3ameeting_${base64url(keyedBytes(`${mb.cfg.id}/teams/${ev.key}`, 36)).slice(0, 48)}%40thread.v2/0` } : null,
      responseStatus: { response: ownerResp, time: ownerTime },
      body: this.body(ev.description ?? "", true),
      start: { dateTime: this.when(ev, "start"), timeZone: "UTC" },
      end: { dateTime: this.when(ev, "end"), timeZone: "UTC" },
      location: this.location(ev.location),
      locations: ev.location ? [{ displayName: ev.location, locationType: "default", uniqueId: ev.location, uniqueIdType: "private" }] : [],
      attendees,
      organizer: this.addr(ev.organizer),
    };
  }

  /** inbox.json, sentitems.json and events.json contents. */
  render() {
    const mb = this.mb;
    const byTime = [...mb.messages].sort((a, b) => a.at.getTime() - b.at.getTime() || a.key.localeCompare(b.key));
    const threads = new Map<string, Message[]>();
    for (const m of byTime) threads.set(m.thread, [...(threads.get(m.thread) ?? []), m]);
    if (byTime.some((m) => m.folder === "draft")) throw new Error(`${mb.cfg.id}: Graph fixtures hold inbox and sentitems only`);
    const newestFirst = [...byTime].reverse();
    const one = (m: Message) => {
      const t = threads.get(m.thread) as Message[];
      return this.message(m, t[0], t.indexOf(m));
    };
    const events = [...mb.events].sort((a, b) => a.start.getTime() - b.start.getTime() || a.key.localeCompare(b.key));
    return {
      inbox: newestFirst.filter((m) => m.folder === "inbox").map(one),
      sentitems: newestFirst.filter((m) => m.folder === "sent").map(one),
      events: events.map((e) => this.event(e)),
    };
  }
}
