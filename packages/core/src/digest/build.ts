import type { AccountRecord } from "../accounts";
import { correctedFirstName, eventWhen, firstNameOf, followedUpOn, metAgainOn, metOn } from "../followup";
import { confirmedAt, localDate, networkingEvents, type OwnerStatements } from "../events";
import { ownerIdentity } from "../identity";
import { type Contact, infer, type Inference, RULES } from "../inference";
import { type LinkAction, type LinkClaims, linkPath, sealLink } from "../links";
import { addressOn, type MailMessage, type Meeting, shownName } from "../model";
import { isoWeek } from "../schedule";
import type { PersonRecord } from "../storage";
import { DAY, formatLocal } from "../time";
import { activityHours } from "./activity";
import type { DigestAttendedEvent, DigestData, DigestEvents, DigestPerson, DigestUpcomingEvent, Metric } from "./model";

/** Where links point and how they are signed. */
export interface LinkConfig {
  /** Public origin of the app, e.g. https://app.followthrough.example or http://localhost:8787. */
  baseUrl: string;
  key: Uint8Array | string;
  /** When links are issued (their expiry counts from here); the digest's `now` by default. */
  issuedAt?: number;
}

/** ISO-8601 week of a local date, e.g. "2026-W17" (core/schedule, where the due index names weeks too). */
export { isoWeek };

/** A link of the app: `claims` sealed (issued at `links.issuedAt`, else `now`), under the base URL. */
function appUrl(links: LinkConfig, claims: Omit<LinkClaims, "exp">, now: number): string {
  return `${links.baseUrl.replace(/\/$/, "")}${linkPath(claims.act, sealLink(links.key, claims, links.issuedAt ?? now))}`;
}

/** Link to an app action for the account. */
export function actionUrl(links: LinkConfig, account: string, act: LinkAction, now: number, person?: Contact): string {
  return appUrl(links, { act, acc: account, ...(person ? { per: person.email, evt: person.eventId } : {}) }, now);
}

/** A digest's "view in browser" link: its week sealed in, the only digest it opens. */
export function weekUrl(links: LinkConfig, account: string, week: string, now: number): string {
  return appUrl(links, { act: "view", acc: account, wk: week }, now);
}

/** Link to an app action about one event (its id in `evt`, no person): "goal" and "met". */
export function eventUrl(links: LinkConfig, account: string, act: "goal" | "met", eventId: string, now: number): string {
  return appUrl(links, { act, acc: account, evt: eventId }, now);
}

/**
 * The weekly numbers of one inference. Followed up is what the rules say (behaviour.md
 * "Follow-ups"): a later meeting counts while it is still ahead, as in the missing follow-ups and
 * "Your events", so the rate never calls someone waiting whom the digest does not list. A second
 * meeting is counted in the week it is held, so one booked weeks ahead is counted once.
 */
function weekly(r: Inference, now: number, dismissed: ReadonlySet<string>) {
  // A person the owner said needs no follow-up is not waiting: out of the rate, as out of the list.
  const eligible = r.contacts.filter((c) => c.metEnd >= now - RULES.missingMaxAgeMs && c.metEnd <= now - RULES.missingMinAgeMs && !dismissed.has(c.email));
  const followed = eligible.filter((c) => c.followedUpAt !== undefined);
  // Held this week, whether or not mail came first (docs/rules.md "Stats").
  const metAgain = r.contacts.filter((c) => c.secondMeetingAt !== undefined && c.secondMeetingAt > now - 7 * DAY && c.secondMeetingAt <= now);
  return {
    meetingsAttended: r.stats.meetingsAttended,
    newPeopleMet: r.newContacts.length,
    followUpsSent: r.stats.followUpsSent,
    followUpRate: eligible.length ? followed.length / eligible.length : 0,
    followed: followed.length,
    eligible: eligible.length,
    secondMeetings: metAgain.length,
    /** Whom `secondMeetings` counts. */
    metAgain,
  };
}

/**
 * Builds the digest of one account as of `now` from its stored meetings, messages and people:
 * this week's numbers against last week's, the missing follow-ups not dismissed, the new people,
 * and the wins. Pure apart from signing links.
 */
export function buildDigest(o: {
  account: AccountRecord;
  meetings: Meeting[];
  messages: MailMessage[];
  people: PersonRecord[];
  now: number;
  links: LinkConfig;
  /** The instant whose ISO week names the digest (the scheduled occurrence); `now` by default. */
  weekOf?: number;
  /**
   * The owner's statements (shared/spec/events.md "What the owner says", core/events loadStatements):
   * marks and goals decide the networking events, confirmations are first meetings like any other.
   */
  statements?: Partial<Pick<OwnerStatements, "marks" | "goals" | "confirmations">>;
}): DigestData {
  const { account, now, links } = o;
  const tz = account.timeZone;
  const said = { confirmations: o.statements?.confirmations ?? [] };
  const marks = o.statements?.marks ?? new Map<string, boolean>();
  const current = infer(account, o.meetings, o.messages, now, said);
  const previous = infer(account, o.meetings, o.messages, now - 7 * DAY, said);
  const dismissed = new Set(o.people.filter((p) => p.stage === "dismissed").map((p) => p.email));
  const a = weekly(current, now, dismissed);
  const b = weekly(previous, now - 7 * DAY, dismissed);
  const metric = (k: "meetingsAttended" | "newPeopleMet" | "followUpsSent" | "followUpRate" | "secondMeetings"): Metric => ({ value: a[k], previous: b[k] });
  // Days ago as calendar days in the owner's zone, so "today" and "yesterday" agree with the date shown.
  const localDay = (ms: number) => Math.round(Date.parse(localDate(ms, tz)) / DAY);
  const stage = new Map(o.people.map((p) => [p.email, p.stage]));
  const person = (c: Contact): DigestPerson => ({
    email: c.email,
    // The address as written on the person's first meeting, where it differs (the rules' Contact.address).
    ...(c.address ? { address: c.address } : {}),
    // A person without a name shows the address as written, not its normalised key (docs/rules.md; helper-139 #4).
    name: shownName(c),
    firstName: correctedFirstName(account.firstNames, c.email) ?? firstNameOf(c.name),
    eventTitle: c.eventTitle || "a meeting",
    metAt: new Date(c.metAt).toISOString(),
    metOn: metOn(c, tz),
    daysAgo: Math.max(0, localDay(now) - localDay(c.metAt)),
  });
  // Newest first, by the meeting's start, the date each card shows: the people met days ago, while a
  // note still lands, before those of three or four weeks ago; the email shows the first of a long
  // list (render.tsx EMAIL_LIST_MAX). People met at the same meeting by address. Every list alike.
  const newestFirst = (x: Contact, y: Contact) => y.metAt - x.metAt || (x.email < y.email ? -1 : x.email > y.email ? 1 : 0);
  const missing = current.missingFollowUps
    .filter((c) => !dismissed.has(c.email))
    .sort(newestFirst)
    .map((c) => ({
      ...person(c),
      draftUrl: actionUrl(links, account.email, "draft", now, c),
      dismissUrl: actionUrl(links, account.email, "dismiss", now, c),
      drafted: stage.get(c.email) === "drafted",
    }));
  // Newest first too, as the waiting list (helper-240 #6).
  const wins = current.contacts
    .filter((c) => c.followedUpAt !== undefined && c.followedUpAt > now - 7 * DAY && c.followedUpAt <= now && !dismissed.has(c.email))
    .sort(newestFirst)
    .map((c) => ({ ...person(c), by: c.followedUpBy ?? ("mail" as const) }));
  // Each person in one list: waiting first, then followed up, then the rest of the new people.
  const listed = new Set([...missing.map((p) => p.email), ...wins.map((p) => p.email)]);
  // A dismissed person "won't appear in your digests any more" (the dismiss page): not here either.
  // Newest first, as the lists above (helper-242 #6); one with a meeting still ahead says so.
  const newPeople = current.newContacts
    .filter((c) => !listed.has(c.email) && !dismissed.has(c.email))
    .sort(newestFirst)
    // A meeting still ahead on its own date where it is an all-day event (Contact.secondMeetingDate).
    .map((c) => ({ ...person(c), ...(c.followedUpAt !== undefined && c.followedUpAt > now ? { meetsAgainOn: followedUpOn({ ...c, followedUpAt: c.followedUpAt }, tz) } : {}) }));
  const events = digestEvents({ account, meetings: o.meetings, contacts: current.contacts, now, links, statements: { marks, goals: o.statements?.goals ?? new Map(), confirmations: said.confirmations }, dismissed });
  return {
    owner: { email: account.email, name: account.displayName ?? account.email, firstName: firstNameOf(account.displayName), timeZone: tz },
    week: isoWeek(o.weekOf ?? now, tz),
    // The rolling week (behaviour.md: the 7 x 24 hours before `now`) by its end: "30 Nov - 7 Dec 2026"
    // named eight dates, its first and last days each a part of a day (the same weekday, at the hour).
    range: `the 7 days to ${formatLocal(now, tz, "d MMM y")}`,
    generatedAt: new Date(now).toISOString(),
    metrics: {
      meetingsAttended: metric("meetingsAttended"),
      newPeopleMet: metric("newPeopleMet"),
      followUpsSent: metric("followUpsSent"),
      followUpRate: metric("followUpRate"),
      secondMeetings: metric("secondMeetings"),
      hoursAtMeetingsAndEvents: { value: activityHours(account, o.meetings, now, marks), previous: activityHours(account, o.meetings, now - 7 * DAY, marks) },
    },
    // Named as the other lists name people: one the owner dismissed "won't appear in your digests any
    // more" (the dismiss page), so is counted in the figure, as in "New people", and named nowhere.
    metAgain: a.metAgain
      .filter((c) => !dismissed.has(c.email))
      .sort((x, y) => y.secondMeetingAt! - x.secondMeetingAt! || (x.email < y.email ? -1 : 1))
      .map((c) => ({ email: c.email, name: shownName(c), on: metAgainOn({ secondMeetingAt: c.secondMeetingAt!, secondMeetingDate: c.secondMeetingDate }, tz) })),
    rateBasis: { followed: a.followed, eligible: a.eligible, previousEligible: b.eligible, fromDays: Math.round(RULES.missingMinAgeMs / DAY), toDays: Math.round(RULES.missingMaxAgeMs / DAY) },
    missing,
    newPeople,
    wins,
    events,
    // Not quiet while the numbers say someone new was met (one dismissed since is in no list).
    quiet: missing.length === 0 && newPeople.length === 0 && a.newPeopleMet === 0 && wins.length === 0 && events.upcoming.length === 0 && events.attended.length === 0,
    settingsUrl: actionUrl(links, account.email, "settings", now),
    pauseUrl: actionUrl(links, account.email, "pause", now),
    webUrl: weekUrl(links, account.email, isoWeek(o.weekOf ?? now, tz), now),
  };
}

/**
 * "Coming up" and "Your events" (shared/spec/events.md "Emails and the digest"): the upcoming
 * networking events with their goals and goal links, the attended ones with their result (the new
 * people met there, how many followed up, the goal against it) and the "whom did you meet" link,
 * and the link to the owner's events page, which every digest carries.
 */
export function digestEvents(o: {
  account: AccountRecord;
  meetings: readonly Meeting[];
  /** Every new contact of the inference as of `now` (inferred or confirmed). */
  contacts: readonly Contact[];
  now: number;
  links: LinkConfig;
  statements: Pick<OwnerStatements, "marks" | "goals" | "confirmations">;
  /** The people the owner dismissed (never listed as waiting). */
  dismissed?: ReadonlySet<string>;
}): DigestEvents {
  const { account, now, links } = o;
  const tz = account.timeZone;
  const found = networkingEvents(account, o.meetings, o.contacts, now, o.statements);
  const byId = new Map(o.meetings.map((m) => [m.id, m]));
  const self = ownerIdentity(account.email, account.aliases);
  const upcoming: DigestUpcomingEvent[] = found.upcoming.map((e) => ({
    eventId: e.eventId,
    title: e.title,
    start: new Date(e.start).toISOString(),
    when: eventWhen(e, tz),
    ...(e.goal !== undefined ? { goal: e.goal } : {}),
    goalUrl: eventUrl(links, account.email, "goal", e.eventId, now),
  }));
  const attended: DigestAttendedEvent[] = found.attended.map((e) => {
    // Followed up as the scan reports it (core/events networkingEvents): mail sent by now, or a
    // later meeting, which counts even while it is still ahead (behaviour.md "Follow-ups").
    const followed = new Set(e.followedUp.map((c) => c.email));
    const met = e.met.map((c) => ({ email: c.email, name: shownName(c), followedUp: followed.has(c.email), ...(o.dismissed?.has(c.email) ? { dismissed: true as const } : {}) }));
    const alreadyInTouch = confirmedAt(byId.get(e.eventId)!, self, o.statements, o.contacts)
      .filter((c) => c.status === "already-in-touch")
      .map((c) => c.name || addressOn(byId.get(e.eventId)!, c.email) || c.email);
    return {
      eventId: e.eventId,
      title: e.title,
      start: new Date(e.start).toISOString(),
      when: eventWhen(e, tz),
      ...(e.goal !== undefined ? { goal: e.goal } : {}),
      met,
      followedUp: met.filter((p) => p.followedUp).length,
      goalMet: e.goal !== undefined && met.length >= e.goal,
      alreadyInTouch,
      metUrl: eventUrl(links, account.email, "met", e.eventId, now),
    };
  });
  return { upcoming, attended, eventsUrl: actionUrl(links, account.email, "events", now) };
}
