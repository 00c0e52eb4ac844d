// Year-long mailboxes for benchmarks: one people model (an owner, colleagues, a few thousand
// regular contacts, and newcomers met in the last weeks) rendered as a Google mailbox and as an
// Outlook mailbox. Sizes are parameters: N sent and N received messages and M events over the
// year before `now`, plus weekly series with new people.
//
// The labelled answer (expected.json) comes from the tags the generator writes on each newcomer,
// never from evaluating rules; `checkYear` (and the demo test) compare it with core's `infer`.
//
// How the truth is kept exact at any size: every regular contact gets a sent "intro" mail at least
// 60 days before now, so none of them can be new in the last 30 days (a person mailed more than 14
// days before a meeting is not new). Random mail and meetings only involve regulars, colleagues,
// rooms and role addresses. Each newcomer appears only in the scenario written for them.

import { type Attendee, type Event, Mailbox, type Message, type Person, type Rsvp } from "./model.ts";
import { DAY, HOUR, MINUTE, Rand, noticeWhen } from "./util.ts";

/** How big a year to generate. */
export interface YearSize {
  /** Messages the owner sent (all kinds: mail, replies, meeting responses). */
  sent: number;
  /** Messages the owner received. */
  received: number;
  /** Calendar entries (occurrences of series count one each). */
  events: number;
  /** Weekly series with new people, started in the last weeks (their newcomers are labelled). */
  newSeries: number;
  /** Weekly series with regulars and colleagues running all year (with moved and cancelled occurrences). */
  routineSeries: number;
}

/** Named sizes for `generate.ts --size`. */
export const YEAR_SIZES: Record<string, YearSize & { about: string }> = {
  year: { sent: 20_000, received: 20_000, events: 2_000, newSeries: 4, routineSeries: 6, about: "a heavy year: 20,000 sent, 20,000 received, 2,000 events" },
  "year-recurring": {
    sent: 12_000,
    received: 12_000,
    events: 2_000,
    newSeries: 24,
    routineSeries: 20,
    about: "12,000 sent and 12,000 received, 2,000 events of which many are weekly series, 24 of them with new people",
  },
  small: { sent: 400, received: 400, events: 160, newSeries: 4, routineSeries: 2, about: "a small year for tests" },
};

/** The two renderings of one year: same people, same mail, same meetings. */
export interface YearMailboxes {
  google: Mailbox;
  microsoft: Mailbox;
}

const FIRST = ["Ada", "Bram", "Carys", "Dmitri", "Esme", "Faisal", "Greta", "Hugo", "Ilse", "Joao", "Kofi", "Leila", "Milo", "Noor", "Otto", "Priya",
  "Quentin", "Rhea", "Soren", "Talia", "Umar", "Vera", "Wes", "Xiadani", "Yusuf", "Zara", "Anouk", "Bastien", "Cleo", "Dario"];
const LAST = ["Abara", "Brandt", "Castell", "Dufour", "Eklund", "Farrow", "Gallo", "Hale", "Iversen", "Jansen", "Kowalski", "Lindqvist", "Mendes",
  "Nakamura", "Okoye", "Petrov", "Quinlan", "Rahman", "Sato", "Tremblay", "Ueda", "Varga", "Whitlock", "Yilmaz", "Zeller"];
const COMPANIES = ["acorn", "basalt", "cinder", "delta", "ember", "fathom", "granite", "harbor", "indigo", "juniper", "kestrel", "lumen", "meridian",
  "nimbus", "onyx", "pillar", "quarry", "riverly", "sable", "tundra", "umbra", "vantage", "willow", "yarrow", "zephyr"];
const TLDS = ["com", "io", "co", "dev", "org", "eu", "co.uk", "de", "fr", "ai"];
const TOPICS = ["roadmap", "pricing", "contract", "pilot", "brand refresh", "Q3 plan", "hiring", "workshop", "site visit", "retainer", "audit",
  "launch", "case study", "partnership", "press kit", "renewal", "onboarding", "research", "prototype", "handover"];

const OWNER_DOMAIN = "northwind.studio";
const DEFAULT_NOW = "2026-11-25T10:00:00Z";

/** Builds the year (both renderings). `id` prefixes the folder names: `<id>-google`, `<id>-microsoft`. */
export function buildYear(size: YearSize, o: { id?: string; now?: string; seed?: string } = {}): YearMailboxes {
  const id = o.id ?? "year";
  const cfg = { ownerName: "Mara Quist", ownerEmail: `mara@${OWNER_DOMAIN}`, aliases: [], zone: "Europe/London", now: o.now ?? DEFAULT_NOW };
  const mb = new Mailbox({ ...cfg, id: `${id}-google`, provider: "google" });
  new YearWriter(mb, size, new Rand(`year|${o.seed ?? id}`)).write();
  // The same model under the Outlook configuration: renderers only read the config and the arrays.
  const ms = new Mailbox({ ...cfg, id: `${id}-microsoft`, provider: "microsoft" });
  ms.people.push(...mb.people);
  ms.events.push(...mb.events);
  ms.messages.push(...mb.messages);
  return { google: mb, microsoft: ms };
}

class YearWriter {
  private readonly me: Person;
  private readonly nowMs: number;
  private colleagues: Person[] = [];
  private rooms: Person[] = [];
  private regulars: Person[] = [];
  private roles: Person[] = [];
  private used = new Set<string>();
  private sentCount = 0;
  private receivedCount = 0;
  private seq = 0;
  /** Per person: the last message they sent the owner (threads for replies). */
  private lastInbound = new Map<Person, Message>();
  private threadLength = new Map<string, number>();

  constructor(
    private readonly mb: Mailbox,
    private readonly size: YearSize,
    private readonly r: Rand,
  ) {
    this.me = mb.owner;
    this.nowMs = mb.now.getTime();
  }

  write(): void {
    this.cast();
    this.newcomerScenarios();
    this.newSeries();
    this.routineSeries();
    this.introMails();
    this.randomEvents();
    this.randomMail();
  }

  // ------------------------------------------------------------------------ people

  private uniqueEmail(local: string, domain: string): string {
    let email = `${local}@${domain}`;
    for (let i = 2; this.used.has(email); i++) email = `${local}${i}@${domain}`;
    this.used.add(email);
    return email;
  }

  private fresh(kind: "person", role: string, why = "", expect: ("new" | "missing")[] = []): Person {
    const first = this.r.pick(FIRST);
    const last = this.r.pick(LAST);
    const domain = `${this.r.pick(COMPANIES)}${this.r.int(1, 99)}.${this.r.pick(TLDS)}`;
    return this.mb.add(`${first} ${last}`, this.uniqueEmail(`${first}.${last}`.toLowerCase(), domain), kind, role, why, expect);
  }

  private cast(): void {
    const mb = this.mb;
    for (let i = 0; i < 12; i++) {
      const first = FIRST[(i * 7) % FIRST.length];
      const last = LAST[(i * 5) % LAST.length];
      this.colleagues.push(mb.add(`${first} ${last}`, this.uniqueEmail(`${first}.${last}`.toLowerCase(), OWNER_DOMAIN), "colleague", "colleague"));
    }
    for (const name of ["Atlas", "Boreal", "Cirrus"]) this.rooms.push(mb.add(`Northwind-2-${name} (8)`, `room.${name.toLowerCase()}@${OWNER_DOMAIN}`, "room", "room"));
    for (const [name, email] of [
      ["Lumen Weekly", "newsletter@lumen-weekly.com"],
      ["Harbor Billing", "no-reply@billing.harbor.io"],
      ["Calendly", "notifications@calendly.com"],
      ["Figma", "no-reply@figma.com"],
    ])
      this.roles.push(mb.add(name, email, "role", "automated sender"));
    const n = Math.max(60, Math.min(3000, Math.round(this.size.sent / 7)));
    for (let i = 0; i < n; i++) {
      const p = this.fresh("person", "regular contact", "mailed at least 60 days before now, so never new in the last 30 days");
      if (this.r.next() < 0.12) {
        // some write from a personal address
        this.used.delete(p.email);
        p.email = this.uniqueEmail(p.name.toLowerCase().replace(/\s+/g, ""), "gmail.com");
      }
      this.regulars.push(p);
    }
  }

  // ------------------------------------------------------------------------ time

  /** Local `hh:mm` on the day `offset` days from now (owner's zone). */
  private at(offset: number, hh: number, mm = 0): Date {
    return this.mb.at(offset, `${String(hh).padStart(2, "0")}:${String(mm).padStart(2, "0")}`);
  }

  /** A random instant between `fromDay` and `toDay` days from now, never after now. */
  private randomTime(fromDay: number, toDay: number): Date {
    const lo = this.nowMs + fromDay * DAY;
    const hi = Math.min(this.nowMs - MINUTE, this.nowMs + toDay * DAY);
    return new Date(Math.floor(lo + this.r.next() * (hi - lo)));
  }

  // ------------------------------------------------------------------------ writers

  private event(e: Parameters<Mailbox["event"]>[0]): Event {
    return this.mb.event({ created: new Date(Math.min((e.start as Date).getTime() - this.r.int(2, 20) * DAY, this.nowMs - DAY)), ...e });
  }

  private sent(m: Omit<Parameters<Mailbox["sent"]>[0], "exact">): Message | undefined {
    if (this.sentCount >= this.size.sent) return undefined;
    this.sentCount++;
    return this.mb.sent({ ...m, exact: true, key: `ys${++this.seq}` });
  }

  private received(m: Omit<Parameters<Mailbox["inbox"]>[0], "exact">): Message | undefined {
    if (this.receivedCount >= this.size.received) return undefined;
    this.receivedCount++;
    const msg = this.mb.inbox({ ...m, exact: true, key: `yr${++this.seq}` });
    return msg;
  }

  private accepted(ev: Event, at: Date): void {
    const when = noticeWhen(ev.start, ev.end, this.mb.zone, "GMT");
    this.sent({
      at,
      subject: `Accepted: ${ev.title} @ ${when} (${ev.organizer.email})`,
      to: [ev.organizer],
      contentType: "multipart/mixed",
      notice: { graphType: "eventMessageResponse", meetingMessageType: "meetingAccepted", responseType: "accepted", event: ev },
    });
  }

  // ------------------------------------------------------------------------ labelled scenarios

  /** Newcomers met in the last weeks, each in one scenario whose answer is known. */
  private newcomerScenarios(): void {
    const yes = (p: Person): Attendee => ({ p, rsvp: "accepted" });
    const blocks = Math.max(1, Math.round(this.size.events / 500));
    for (let b = 0; b < blocks; b++) {
      const col = this.colleagues[b % this.colleagues.length];
      // A. met in the last 7 days, written to afterwards
      const a = this.fresh("person", "newcomer", "met this week, written to the next day", ["new"]);
      const aMeet = this.event({ title: `Intro — ${a.name}`, start: this.at(-(2 + (b % 4)), 10), mins: 45, attendees: [yes(a)] });
      this.sent({ at: new Date(aMeet.end.getTime() + 20 * HOUR), subject: `Great to meet you, ${a.name.split(" ")[0]}`, to: [a] });
      // B. met in the last 7 days, more than a day ago, never written to (an inbound thank-you does not count)
      const bb = this.fresh("person", "newcomer", "met this week, only wrote to the owner", ["new", "missing"]);
      const bMeet = this.event({ title: `${this.r.pick(TOPICS)} chat`, start: this.at(-(2 + (b % 5)), 14), mins: 30, organizer: bb, attendees: [yes(bb)] });
      this.received({ at: new Date(bMeet.end.getTime() + 3 * HOUR), subject: "Thanks for today", from: bb, to: [this.me] });
      // C. met this morning: new, not yet missing
      const c = this.fresh("person", "newcomer", "met a few hours ago", ["new"]);
      this.event({ title: `Breakfast — ${c.name}`, start: this.at(0, 7, 15), mins: 45, attendees: [yes(c), yes(col)] });
      // D. met 8–29 days ago, never followed up; the owner's "Accepted:" reply is a notice, not mail
      const d = this.fresh("person", "newcomer", "met weeks ago; only a meeting response was sent", ["missing"]);
      const dMeet = this.event({ title: `${d.name.split(" ")[1]} / Northwind`, start: this.at(-(8 + ((b * 3) % 21)), 11), mins: 60, organizer: d, attendees: [yes(d)] });
      this.accepted(dMeet, new Date(dMeet.start.getTime() - 2 * DAY));
      // E. met weeks ago, followed up by a later meeting (in the future)
      const e = this.fresh("person", "newcomer", "a second meeting is booked", []);
      this.event({ title: `Discovery — ${e.name}`, start: this.at(-(10 + (b % 15)), 15), mins: 45, attendees: [yes(e)] });
      this.event({ title: `Follow-up — ${e.name}`, start: this.at(3 + (b % 6), 15), mins: 45, attendees: [{ p: e }], ownerRsvp: "needsAction" });
      // F. met weeks ago, written to two days later
      const f = this.fresh("person", "newcomer", "written to after the meeting", []);
      const fMeet = this.event({ title: `${this.r.pick(TOPICS)} review`, start: this.at(-(9 + (b % 18)), 13), mins: 60, attendees: [yes(f), yes(col)] });
      this.sent({ at: new Date(fMeet.end.getTime() + 2 * DAY), subject: "Notes from our session", to: [f], cc: [col] });
      // G. known long before: mailed 40 days before the meeting
      const g = this.fresh("person", "newcomer", "mailed more than 14 days before meeting", []);
      this.sent({ at: this.at(-43, 16), subject: "Quick question", to: [g] });
      this.event({ title: `Catch-up — ${g.name}`, start: this.at(-3, 12), mins: 30, attendees: [yes(g)] });
      // H. mailed 13 days before the meeting: still new, and not followed up since
      const h = this.fresh("person", "newcomer", "mailed 13 days before meeting (within 14 days), nothing since", ["new", "missing"]);
      const hMeet = this.event({ title: `Scoping — ${h.name}`, start: this.at(-3, 10), mins: 45, attendees: [yes(h)] });
      this.sent({ at: new Date(hMeet.start.getTime() - 13 * DAY), subject: "Scoping call?", to: [h] });
      // I. the owner declined: not met
      const i = this.fresh("person", "newcomer", "owner declined the meeting", []);
      this.event({ title: `Pitch — ${i.name}`, start: this.at(-4, 16), mins: 30, organizer: i, attendees: [yes(i)], ownerRsvp: "declined" });
      // J. cancelled meeting: not met
      const j = this.fresh("person", "newcomer", "the meeting was cancelled", []);
      this.event({ title: `Demo — ${j.name}`, start: this.at(-2, 9), mins: 30, organizer: j, attendees: [yes(j)], status: "cancelled" });
      // K. a large gathering (more than 25 entries): nobody is met there
      const crowd = Array.from({ length: 28 }, () => this.fresh("person", "newcomer", "only at a large gathering", []));
      this.event({ title: "Northwind open studio night", start: this.at(-(3 + (b % 3)), 18), mins: 120, attendees: crowd.map(yes) });
    }
  }

  /** Weekly series that bring in new people (Graph: occurrences and exceptions of one series). */
  private newSeries(): void {
    const yes = (p: Person): Attendee => ({ p, rsvp: "accepted" });
    for (let s = 0; s < this.size.newSeries; s++) {
      const kind = s % 4;
      const hh = 9 + (s % 8);
      const col = this.colleagues[(s + 3) % this.colleagues.length];
      if (kind === 0) {
        // started this week; next week's occurrence moved by a day (an exception); followed up by it
        const x = this.fresh("person", "newcomer", "first occurrence of a weekly series this week; the series continues", ["new"]);
        const start = this.at(-(1 + (s % 5)), hh);
        this.mb.weekly({ title: `Weekly sync — ${x.name}`, start, mins: 30, organizer: x, attendees: [yes(x), yes(col)] }, 5, (k) =>
          k === 1 ? { start: new Date(start.getTime() + 7 * DAY + DAY), originalStart: new Date(start.getTime() + 7 * DAY), exception: true } : undefined,
        );
      } else if (kind === 1) {
        // started weeks ago: not new, followed up by the second occurrence (moved an hour later)
        const x = this.fresh("person", "newcomer", "weekly series started weeks ago, continues", []);
        const start = this.at(-(15 + (s % 10)), hh);
        this.mb.weekly({ title: `${x.name.split(" ")[1]} weekly`, start, mins: 45, attendees: [yes(x)] }, 6, (k) =>
          k === 1 ? { start: new Date(start.getTime() + 7 * DAY + HOUR), originalStart: new Date(start.getTime() + 7 * DAY), exception: true } : undefined,
        );
      } else if (kind === 2) {
        // the first occurrence was cancelled: first met at the second one, this week; the third follows up
        const x = this.fresh("person", "newcomer", "first occurrence cancelled, met at the second this week", ["new"]);
        const start = this.at(-(9 + (s % 4)), hh);
        this.mb.weekly({ title: `Mentoring — ${x.name}`, start, mins: 30, organizer: x, attendees: [yes(x)] }, 4, (k) =>
          k === 0 ? { status: "cancelled", exception: true } : undefined,
        );
      } else {
        // two occurrences; the second was cancelled, nothing else: missing
        const x = this.fresh("person", "newcomer", "met at a series' first occurrence; the next was cancelled", ["missing"]);
        const start = this.at(-(8 + (s % 14)), hh);
        this.mb.weekly({ title: `Advisory — ${x.name}`, start, mins: 60, attendees: [yes(x), yes(col)] }, 2, (k) =>
          k === 1 ? { status: "cancelled", exception: true } : undefined,
        );
      }
    }
  }

  /** All-year weekly series with regulars and colleagues, with a few moved and cancelled occurrences. */
  private routineSeries(): void {
    for (let s = 0; s < this.size.routineSeries; s++) {
      const people: Attendee[] = [
        { p: this.colleagues[s % this.colleagues.length], rsvp: "accepted" },
        ...Array.from({ length: 1 + (s % 3) }, () => ({ p: this.r.pick(this.regulars), rsvp: "accepted" as Rsvp })),
      ];
      const weeks = 48 + (s % 6);
      const start = this.at(-(weeks * 7 - 14 + (s % 5)), 8 + (s % 9), s % 2 ? 30 : 0);
      const r = new Rand(`routine|${s}`);
      this.mb.weekly({ title: `${this.r.pick(TOPICS)} weekly`, start, mins: 30, attendees: people, organizer: s % 3 === 0 ? people[1].p : this.me }, weeks, (k) => {
        const x = r.next();
        const at = new Date(start.getTime() + k * 7 * DAY);
        if (x < 0.04) return { status: "cancelled", exception: true };
        if (x < 0.08) return { start: new Date(at.getTime() + 2 * HOUR), originalStart: at, exception: true };
        return undefined;
      });
    }
  }

  private introMails(): void {
    for (const p of this.regulars) this.sent({ at: this.randomTime(-365, -60), subject: `${this.r.pick(TOPICS)} — intro`, to: [p] });
  }

  private randomEvents(): void {
    const left = this.size.events - this.mb.events.length;
    for (let i = 0; i < left; i++) {
      const day = this.r.int(-365, 14);
      const start = this.at(day, this.r.int(8, 17), this.r.pick([0, 0, 15, 30, 45]));
      const large = this.r.next() < 0.02;
      const n = large ? this.r.int(26, 40) : this.r.int(1, 4);
      const attendees: Attendee[] = [];
      const seen = new Set<Person>();
      while (attendees.length < n) {
        const p = this.r.pick(this.regulars);
        if (seen.has(p)) continue;
        seen.add(p);
        attendees.push({ p, rsvp: this.r.pick(["accepted", "accepted", "accepted", "tentative", "needsAction", "declined"] as Rsvp[]) });
      }
      if (this.r.next() < 0.3) attendees.push({ p: this.r.pick(this.colleagues), rsvp: "accepted" });
      if (this.r.next() < 0.1) attendees.push({ p: this.r.pick(this.rooms) });
      const ownerOrg = this.r.next() < 0.5;
      this.event({
        title: `${this.r.pick(TOPICS)} — ${attendees[0].p.name}`,
        start,
        mins: this.r.pick([30, 30, 45, 60, 90]),
        organizer: ownerOrg ? this.me : attendees[0].p,
        attendees,
        ownerRsvp: this.r.pick(["accepted", "accepted", "accepted", "accepted", "tentative", "needsAction", "declined"] as Rsvp[]),
        status: this.r.next() < 0.03 ? "cancelled" : "confirmed",
      });
    }
  }

  private randomMail(): void {
    // Interleave received and sent so replies can thread onto earlier inbound mail.
    const toSend = this.size.sent - this.sentCount;
    const toReceive = this.size.received - this.receivedCount;
    const slots = [...Array(toSend).fill("s"), ...Array(toReceive).fill("r")] as ("s" | "r")[];
    const times = slots.map(() => this.randomTime(-365, 0).getTime()).sort((a, b) => a - b);
    // shuffle kinds over the sorted times
    for (let i = slots.length - 1; i > 0; i--) {
      const k = this.r.int(0, i);
      [slots[i], slots[k]] = [slots[k], slots[i]];
    }
    slots.forEach((kind, i) => {
      const at = new Date(times[i]);
      if (kind === "r") {
        const x = this.r.next();
        if (x < 0.15) {
          const from = this.r.pick(this.roles);
          this.received({ at, subject: `${from.name}: ${this.r.pick(TOPICS)} update`, from, to: [this.me], category: "updates" });
          return;
        }
        const from = x < 0.3 ? this.r.pick(this.colleagues) : this.r.pick(this.regulars);
        const m = this.received({ at, subject: `${this.r.pick(TOPICS)}`, from, to: [this.me], cc: this.r.next() < 0.15 ? [this.r.pick(this.colleagues)] : [] });
        if (m && from.kind === "person") this.lastInbound.set(from, m);
        return;
      }
      const x = this.r.next();
      if (x < 0.04) {
        // a meeting response to a regular's invitation
        const ev = this.mb.events.find((e) => e.organizer.role === "regular contact" && e.start.getTime() > at.getTime() && e.start.getTime() < at.getTime() + 30 * DAY);
        if (ev) return void this.accepted(ev, at);
      }
      const to = x < 0.2 ? this.r.pick(this.colleagues) : this.r.pick(this.regulars);
      const prior = this.lastInbound.get(to);
      const len = prior ? (this.threadLength.get(prior.thread) ?? 1) : 0;
      if (prior && len < 4 && this.r.next() < 0.5) {
        this.threadLength.set(prior.thread, len + 1);
        this.lastInbound.delete(to);
        this.sent({ at, subject: `Re: ${prior.subject}`, to: [to], thread: prior.thread });
        return;
      }
      const cc = this.r.next() < 0.2 ? [this.r.pick(this.r.next() < 0.5 ? this.colleagues : this.regulars)] : [];
      this.sent({ at, subject: `${this.r.pick(TOPICS)}`, to: [to], cc: cc.filter((c) => c !== to) });
    });
  }
}
