import type { AccountRecord } from "../accounts";
import { firstNameOf, humanDate } from "../followup";
import { attended, type Confirmation, type Contact, infer, type Inference, RULES } from "../inference";
import { type LinkAction, linkPath, sealLink } from "../links";
import type { MailMessage, Meeting } from "../model";
import type { PersonRecord } from "../storage";
import { DAY } from "../time";
import type { DigestData, DigestPerson, Metric } from "./model";

/** Where links point and how they are signed. */
export interface LinkConfig {
  /** Public origin of the app, e.g. https://app.followthrough.example or http://localhost:8787. */
  baseUrl: string;
  key: Uint8Array | string;
  /** When links are issued (their expiry counts from here); the digest's `now` by default. */
  issuedAt?: number;
}

/** ISO-8601 week of a local date, e.g. "2026-W17". */
export function isoWeek(ms: number, timeZone: string): string {
  const [y, m, d] = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(ms).split("-").map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  const day = date.getUTCDay() || 7;
  date.setUTCDate(date.getUTCDate() + 4 - day);
  const yearStart = Date.UTC(date.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((date.getTime() - yearStart) / DAY + 1) / 7);
  return `${date.getUTCFullYear()}-W${String(week).padStart(2, "0")}`;
}

/** Link to an app action for the account. */
export function actionUrl(links: LinkConfig, account: string, act: LinkAction, now: number, person?: Contact): string {
  const token = sealLink(links.key, { act, acc: account, ...(person ? { per: person.email, evt: person.eventId } : {}) }, links.issuedAt ?? now);
  return `${links.baseUrl.replace(/\/$/, "")}${linkPath(act, token)}`;
}

/** The weekly numbers of one inference. */
function weekly(r: Inference, now: number) {
  const eligible = r.contacts.filter((c) => c.metEnd >= now - RULES.missingMaxAgeMs && c.metEnd <= now - RULES.missingMinAgeMs);
  const followed = eligible.filter((c) => c.followedUpAt !== undefined && c.followedUpAt <= now);
  return {
    meetingsAttended: r.stats.meetingsAttended,
    newPeopleMet: r.newContacts.length,
    followUpsSent: r.stats.followUpsSent,
    followUpRate: eligible.length ? followed.length / eligible.length : 0,
    followed: followed.length,
    eligible: eligible.length,
    secondMeetings: r.contacts.filter((c) => c.followedUpBy === "meeting" && c.followedUpAt !== undefined && c.followedUpAt > now - 7 * DAY).length,
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
  /** Whom the owner says they met at events (shared/spec/events.md): first meetings like any other. */
  confirmations?: readonly Confirmation[];
}): DigestData {
  const { account, now, links } = o;
  const tz = account.timeZone;
  const said = { confirmations: o.confirmations ?? [] };
  const current = infer(account, o.meetings, o.messages, now, said);
  const previous = infer(account, o.meetings, o.messages, now - 7 * DAY, said);
  const a = weekly(current, now);
  const b = weekly(previous, now - 7 * DAY);
  /** Hours in the meetings the owner attended during the 7 days before `at`, to the half hour. */
  const hoursBefore = (at: number) => {
    const from = at - RULES.newContactWindowMs;
    const ms = o.meetings.filter((m) => m.end > from && m.start < at && attended(m, at)).reduce((sum, m) => sum + Math.max(0, Math.min(m.end, at) - Math.max(m.start, from)), 0);
    return Math.round((ms / 3_600_000) * 2) / 2;
  };
  const metric = (k: "meetingsAttended" | "newPeopleMet" | "followUpsSent" | "followUpRate" | "secondMeetings"): Metric => ({ value: a[k], previous: b[k] });
  // Days ago as calendar days in the owner's zone, so "today" and "yesterday" agree with the date shown.
  const localDay = (ms: number) => {
    const [y, m, d] = new Intl.DateTimeFormat("en-CA", { timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit" }).format(ms).split("-").map(Number);
    return Math.round(Date.UTC(y, m - 1, d) / DAY);
  };
  const stage = new Map(o.people.map((p) => [p.email, p.stage]));
  const person = (c: Contact): DigestPerson => ({
    email: c.email,
    name: c.name || c.email,
    firstName: account.firstNames?.[c.email.toLowerCase()] ?? firstNameOf(c.name),
    eventTitle: c.eventTitle || "a meeting",
    metAt: new Date(c.metAt).toISOString(),
    metOn: humanDate(c.metAt, tz),
    daysAgo: Math.max(0, localDay(now) - localDay(c.metAt)),
  });
  const missing = current.missingFollowUps
    .filter((c) => stage.get(c.email) !== "dismissed")
    .sort((x, y) => x.metEnd - y.metEnd)
    .map((c) => ({
      ...person(c),
      draftUrl: actionUrl(links, account.email, "draft", now, c),
      dismissUrl: actionUrl(links, account.email, "dismiss", now, c),
      drafted: stage.get(c.email) === "drafted",
    }));
  const wins = current.contacts
    .filter((c) => c.followedUpAt !== undefined && c.followedUpAt > now - 7 * DAY && c.followedUpAt <= now)
    .map((c) => ({ ...person(c), by: c.followedUpBy ?? ("mail" as const) }));
  // Each person in one list: waiting first, then followed up, then the rest of the new people.
  const listed = new Set([...missing.map((p) => p.email), ...wins.map((p) => p.email)]);
  const newPeople = current.newContacts.filter((c) => !listed.has(c.email)).map(person);
  const start = now - 7 * DAY;
  const fmt = (ms: number, opts: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat("en-GB", { ...opts, timeZone: tz }).format(ms);
  return {
    owner: { email: account.email, name: account.displayName ?? account.email, firstName: firstNameOf(account.displayName), timeZone: tz },
    week: isoWeek(o.weekOf ?? now, tz),
    range: `${fmt(start, { day: "numeric", month: "short" })} – ${fmt(now, { day: "numeric", month: "short", year: "numeric" })}`,
    generatedAt: new Date(now).toISOString(),
    metrics: {
      meetingsAttended: metric("meetingsAttended"),
      newPeopleMet: metric("newPeopleMet"),
      followUpsSent: metric("followUpsSent"),
      followUpRate: metric("followUpRate"),
      secondMeetings: metric("secondMeetings"),
      hoursInMeetings: { value: hoursBefore(now), previous: hoursBefore(now - 7 * DAY) },
    },
    rateBasis: { followed: a.followed, eligible: a.eligible, fromDays: Math.round(RULES.missingMinAgeMs / DAY), toDays: Math.round(RULES.missingMaxAgeMs / DAY) },
    missing,
    newPeople,
    wins,
    quiet: missing.length === 0 && newPeople.length === 0 && wins.length === 0,
    settingsUrl: actionUrl(links, account.email, "settings", now),
    pauseUrl: actionUrl(links, account.email, "pause", now),
    webUrl: `${actionUrl(links, account.email, "view", now)}?week=${isoWeek(o.weekOf ?? now, tz)}`,
  };
}
