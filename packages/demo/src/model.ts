// The scenario model: people with intended roles, calendar events and
// messages, described in provider-neutral terms. Renderers turn a Mailbox
// into Gmail, Calendar or Graph resources; expected.json and roles.json come
// from the `expect` tags written on each person, never from evaluating rules.

import { DAY, MINUTE, local, rand, wallClock, ymd } from "./util.ts";

export type Kind = "owner" | "person" | "colleague" | "room" | "group" | "role";
export type Expect = "new" | "missing";
export type Rsvp = "accepted" | "tentative" | "declined" | "needsAction";

export interface Person {
  name: string;
  email: string;
  kind: Kind;
  role: string;
  expect: Expect[];
  why: string;
  zone?: string;
}

/** One entry of an attendee list; `email` overrides how the address is written. */
export interface Attendee {
  p: Person;
  rsvp?: Rsvp;
  email?: string;
  optional?: boolean;
}

export interface Event {
  key: string;
  title: string;
  start: Date;
  end: Date;
  zone: string;
  allDay?: { start: string; end: string };
  organizer: Person;
  organizerInList: boolean;
  attendees: Attendee[];
  ownerRsvp: Rsvp;
  ownerInList: boolean;
  status: "confirmed" | "cancelled";
  minimal?: boolean;
  series?: string;
  /** An occurrence changed from its series (moved or cancelled on its own): Graph `type: "exception"`. */
  exception?: boolean;
  /** Where a moved occurrence was first scheduled (Google `originalStartTime`, instance id). */
  originalStart?: Date;
  eventType?: "default" | "focusTime" | "outOfOffice" | "workingLocation" | "fromGmail";
  created: Date;
  /** Google `iCalUID` when it is not Google's own (an event platform's invitation). */
  iCalUID?: string;
  /**
   * The label of shared/spec/events.md written by hand: a networking event the scan as of `now`
   * lists as upcoming or attended (expected.json `upcomingEvents` / `attendedEvents`).
   */
  networking?: "upcoming" | "attended";
  location?: string;
  description?: string;
}

/** An address on a message: a person, optionally written differently. */
export interface Addr {
  p: Person;
  email?: string;
  name?: string | null;
  encoded?: boolean;
}

export interface Message {
  key: string;
  folder: "sent" | "inbox" | "draft";
  at: Date;
  from: Addr;
  to: Addr[];
  cc: Addr[];
  bcc: Addr[];
  subject: string;
  text: string;
  thread: string;
  contentType?: string;
  category?: "updates" | "promotions" | "forums";
  notice?: { graphType: string; meetingMessageType: string; responseType?: string; event?: Event };
  isDraft?: boolean;
}

export type EventInput = Partial<Omit<Event, "organizer" | "attendees">> & {
  title: string;
  organizer?: Person;
  attendees?: (Attendee | Person)[];
  start?: Date;
  mins?: number;
  allDayOn?: [number, number];
};

export type MessageInput = Partial<Omit<Message, "from" | "to" | "cc" | "bcc">> & {
  subject: string;
  at: Date;
  from?: Addr | Person;
  to?: (Addr | Person)[];
  cc?: (Addr | Person)[];
  bcc?: (Addr | Person)[];
  exact?: boolean;
};

const toAddr = (x: Addr | Person): Addr => ("p" in x ? x : { p: x });
const toAtt = (x: Attendee | Person): Attendee => ("p" in x ? x : { p: x });

export interface MailboxConfig {
  id: string;
  provider: "google" | "microsoft";
  ownerName: string;
  ownerEmail: string;
  aliases: string[];
  zone: string;
  now: string;
}

export class Mailbox {
  readonly owner: Person;
  readonly now: Date;
  readonly people: Person[] = [];
  readonly events: Event[] = [];
  readonly messages: Message[] = [];
  private seq = 0;

  constructor(readonly cfg: MailboxConfig) {
    this.owner = { name: cfg.ownerName, email: cfg.ownerEmail, kind: "owner", role: "owner", expect: [], why: "" };
    this.now = new Date(cfg.now);
  }
  get zone() { return this.cfg.zone; }

  /** Local wall-clock `hh:mm` on the day `offset` days from now's local date. */
  at(offset: number, hhmm: string): Date {
    const l = local(this.now, this.zone);
    const day = new Date(Date.UTC(l.y, l.mo - 1, l.d + offset));
    const [hh, mi] = hhmm.split(":").map(Number);
    return wallClock(day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate(), hh, mi, this.zone);
  }
  date(offset: number): string {
    const l = local(this.now, this.zone);
    const day = new Date(Date.UTC(l.y, l.mo - 1, l.d + offset));
    return ymd(day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate());
  }
  plus(t: Date, minutes: number): Date { return new Date(t.getTime() + minutes * MINUTE); }

  add(name: string, email: string, kind: Kind, role: string, why = "", expect: Expect[] = [], zone?: string): Person {
    const p: Person = { name, email, kind, role, expect, why, zone };
    this.people.push(p);
    return p;
  }

  event(o: EventInput): Event {
    const key = o.key ?? `e${++this.seq}`;
    let start = o.start as Date;
    let end = o.end as Date;
    let allDay: Event["allDay"];
    if (o.allDayOn) {
      allDay = { start: this.date(o.allDayOn[0]), end: this.date(o.allDayOn[1]) };
      start = this.at(o.allDayOn[0], "00:00");
      end = this.at(o.allDayOn[1], "00:00");
    } else if (!end) end = this.plus(start, o.mins ?? 30);
    const organizer = o.organizer ?? this.owner;
    const created = o.created ?? new Date(Math.min(start.getTime() - rand(this.cfg.id, key, "c").int(2, 9) * DAY, this.now.getTime() - DAY));
    const ev: Event = {
      key, title: o.title, start, end, zone: o.zone ?? this.zone, allDay, organizer,
      organizerInList: o.organizerInList ?? true,
      attendees: (o.attendees ?? []).map(toAtt),
      ownerRsvp: o.ownerRsvp ?? "accepted",
      ownerInList: o.ownerInList ?? true,
      status: o.status ?? "confirmed",
      minimal: o.minimal, series: o.series, eventType: o.eventType, created,
      ...(o.exception ? { exception: true } : {}), ...(o.originalStart ? { originalStart: o.originalStart } : {}),
      location: o.location, description: o.description,
      ...(o.iCalUID ? { iCalUID: o.iCalUID } : {}), ...(o.networking ? { networking: o.networking } : {}),
    };
    this.events.push(ev);
    return ev;
  }

  /** A weekly series expanded into instances; `each` may override per instance. */
  weekly(o: EventInput & { start: Date }, count: number, each?: (i: number) => Partial<EventInput> | undefined): Event[] {
    const series = o.series ?? `s${++this.seq}`;
    const created = new Date(o.start.getTime() - 6 * DAY);
    return Array.from({ length: count }, (_, i) =>
      this.event({ ...o, series, created, key: `${series}-${i}`, start: this.plus(o.start, i * 7 * 24 * 60), ...(each?.(i) ?? {}) }));
  }

  message(o: MessageInput): Message {
    const key = o.key ?? `m${++this.seq}`;
    const folder = o.folder ?? "sent";
    // real send times are not on the minute
    const at = o.exact ? o.at : new Date(o.at.getTime() + rand(this.cfg.id, key, "s").int(3, 57) * 1000);
    if (at.getTime() > this.now.getTime()) throw new Error(`${this.cfg.id}: message "${o.subject}" is after now`);
    const m: Message = {
      key, folder, at, subject: o.subject, text: o.text ?? "", thread: o.thread ?? key,
      from: toAddr(o.from ?? this.owner),
      to: (o.to ?? []).map(toAddr), cc: (o.cc ?? []).map(toAddr), bcc: (o.bcc ?? []).map(toAddr),
      contentType: o.contentType, category: o.category, notice: o.notice, isDraft: o.isDraft,
    };
    this.messages.push(m);
    return m;
  }
  sent(o: MessageInput) { return this.message({ ...o, folder: "sent" }); }
  inbox(o: MessageInput) { return this.message({ ...o, folder: "inbox" }); }
  draft(o: MessageInput) { return this.message({ ...o, folder: "draft" }); }

  expected() {
    const pick = (tag: Expect) => [...new Set(this.people.filter((p) => p.expect.includes(tag)).map((p) => p.email.toLowerCase()))].sort();
    return { now: this.now.toISOString().replace(".000Z", "Z"), newContacts: pick("new"), missingFollowUps: pick("missing") };
  }
  roles() {
    return this.people.map((p) => ({
      email: p.email, name: p.name, role: p.role,
      classification: p.kind === "person" ? "person" : p.kind,
      expected: p.expect, ...(p.why ? { why: p.why } : {}),
    }));
  }
  account() {
    return { provider: this.cfg.provider, email: this.owner.email, aliases: this.cfg.aliases, displayName: this.owner.name, timeZone: this.zone };
  }
}
