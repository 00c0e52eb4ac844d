/**
 * Pure helpers shared by the HTML and plain-text digest renderers: cleaning
 * untrusted provider text, vetting URLs, and wording numbers and changes.
 */
import type { DigestAttendedEvent, DigestData, DigestPerson, DigestUpcomingEvent, Metric } from "./model";

/**
 * C0/C1 controls, line/paragraph separators, and bidi embedding/override/isolate
 * marks: none belongs in a one-line label, and CR/LF would let a name start a new
 * header line (subject) or a fake line in the text part.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** Collapse untrusted text to one clean line, capped at `max` characters. */
export function cleanText(value: unknown, max = 140): string {
  const s = String(value ?? "")
    .replace(UNSAFE_CHARS, " ")
    .replace(/\s+/g, " ")
    .trim();
  if (s.length <= max) return s;
  return `${Array.from(s).slice(0, max - 1).join("").trimEnd()}…`;
}

/** The name to show for a person: display name, else email, else "someone". */
export function displayName(p: Pick<DigestPerson, "name" | "email">): string {
  return cleanText(p.name, 80) || cleanText(p.email, 120) || "someone";
}

/**
 * Only absolute http(s) URLs may become an href. Anything else (javascript:,
 * data:, vbscript:, relative or unparsable) yields undefined. The returned value
 * is the WHATWG-normalised href, so stray quotes/spaces/newlines are encoded or gone.
 */
export function safeUrl(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const raw = value.trim();
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return undefined;
  if (!url.hostname) return undefined;
  return url.href;
}

/** A per-item action URL, falling back to the digest's web page if the item's own URL is unusable. */
export function actionUrl(value: string, d: Pick<DigestData, "webUrl">): string | undefined {
  return safeUrl(value) ?? safeUrl(d.webUrl);
}

function finite(n: number): number {
  return Number.isFinite(n) ? n : 0;
}

/** Follow-up rate (0..1) as a whole percentage, clamped to 0..100. */
export function percent(rate: number): number {
  return Math.min(100, Math.max(0, Math.round(finite(rate) * 100)));
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "▲ 2 from last week", "▼ 1 from last week", "same as last week". */
export function countDelta(m: Metric): string {
  const diff = Math.round(finite(m.value) - finite(m.previous));
  if (diff === 0) return "same as last week";
  return `${diff > 0 ? "▲" : "▼"} ${Math.abs(diff)} from last week`;
}

/** Change in hours, to the half hour. */
export function hoursDelta(m: Metric): string {
  const diff = Math.round((finite(m.value) - finite(m.previous)) * 2) / 2;
  if (diff === 0) return "same as last week";
  return `${diff > 0 ? "▲" : "▼"} ${Math.abs(diff)} h from last week`;
}

/** Change of a 0..1 rate, in percentage points. */
export function rateDelta(m: Metric): string {
  const diff = percent(m.value) - percent(m.previous);
  if (diff === 0) return "same as last week";
  return `${diff > 0 ? "▲" : "▼"} ${Math.abs(diff)} ${Math.abs(diff) === 1 ? "point" : "points"} from last week`;
}

export type Trend = "up" | "down" | "same";
export function trend(m: Metric, isRate = false): Trend {
  const diff = isRate ? percent(m.value) - percent(m.previous) : Math.round(finite(m.value) - finite(m.previous));
  return diff > 0 ? "up" : diff < 0 ? "down" : "same";
}

/** "today", "yesterday", "3 days ago". */
export function daysAgoText(days: number): string {
  const n = Math.max(0, Math.floor(finite(days)));
  if (n === 0) return "today";
  if (n === 1) return "yesterday";
  return `${n} days ago`;
}

/** "met at Intro call on Tue 14 Apr, 3 days ago" (untrusted parts cleaned). */
export function metLine(p: DigestPerson): string {
  const title = cleanText(p.eventTitle, 120);
  const on = cleanText(p.metOn, 40);
  let s = title ? `met at ${title}` : "met at a meeting";
  if (on) s += ` on ${on}`;
  const again = cleanText(p.meetsAgainOn, 40);
  return `${s}, ${daysAgoText(p.daysAgo)}${again ? `; you meet again on ${again}` : ""}`;
}

/** One metric row, as both renderers show it. */
export interface MetricRow {
  key: keyof DigestData["metrics"];
  label: string;
  value: string;
  delta: string;
  trend: Trend;
}

/** No one the rate is about this week (nobody met 1–30 days ago, or all dismissed). */
const rateUndefined = (d: DigestData) => d.rateBasis?.eligible === 0;

export function metricRows(d: DigestData): MetricRow[] {
  const m = d.metrics;
  const count = (key: Exclude<MetricRow["key"], "hoursAtMeetingsAndEvents">, label: string): MetricRow => ({
    key,
    label,
    value: String(Math.round(finite(m[key].value))),
    delta: countDelta(m[key]),
    trend: trend(m[key]),
  });
  const hours = m.hoursAtMeetingsAndEvents;
  return [
    // Activity is shown, never judged: only productivity (follow-ups, rate, second meetings) is coloured.
    {
      key: "hoursAtMeetingsAndEvents",
      label: "Hours at meetings & events",
      value: String(Math.round(finite(hours.value) * 2) / 2),
      delta: hoursDelta(hours),
      trend: "same",
    },
    { ...count("meetingsAttended", "Meetings attended"), trend: "same" },
    { ...count("newPeopleMet", "New people met"), trend: "same" },
    count("followUpsSent", "Follow-ups sent"),
    // Nobody met 1–30 days ago: no rate, not 0 % (nor a fall from last week's); nobody then: nothing to compare.
    rateUndefined(d)
      ? { key: "followUpRate", label: "Follow-up rate", value: "–", delta: "nobody to follow up", trend: "same" }
      : {
          key: "followUpRate",
          label: "Follow-up rate",
          value: `${percent(m.followUpRate.value)}%`,
          delta: d.rateBasis?.previousEligible === 0 ? "nobody to follow up last week" : rateDelta(m.followUpRate),
          trend: d.rateBasis?.previousEligible === 0 ? "same" : trend(m.followUpRate, true),
        },
    count("secondMeetings", "Second meetings"),
  ];
}

// ---- Networking events ("Coming up", "Your events") -------------------------------------------

export const COMING_UP_TITLE = "Coming up";
export const YOUR_EVENTS_TITLE = "Your events";
export const NO_UPCOMING_NOTE = "No networking events in your calendar for the next 7 days.";
export const EVENTS_LINK_LABEL = "Mark or unmark your networking events (next 14 days)";

/** An event's title as a label, or "your event" when it has none. */
export function eventTitle(e: { title: string }): string {
  return cleanText(e.title, 100) || "your event";
}

/** "Your goal: meet 3 new people." or "No goal set yet." */
export function goalLine(e: DigestUpcomingEvent): string {
  return e.goal !== undefined ? `Your goal: meet ${plural(Math.round(finite(e.goal)), "new person", "new people")}.` : "No goal set yet.";
}

/** The goal link's label, naming the event: "Set a goal for Founders Mixer" or "Change the goal for …". */
export function goalLinkLabel(e: DigestUpcomingEvent): string {
  return `${e.goal !== undefined ? "Change the goal" : "Set a goal"} for ${eventTitle(e)}`;
}

/** "Say whom you met at Founders Mixer". */
export function metLinkLabel(e: DigestAttendedEvent): string {
  return `Say whom you met at ${eventTitle(e)}`;
}

/**
 * An attended event's result, one line, goal against result: "Goal 3 · met 2 new people · 1 of 2
 * followed up · 1 short of your goal", "… · goal met", or without a goal "Met 2 new people · …".
 */
export function eventResult(e: DigestAttendedEvent): string {
  const n = e.met.length;
  const met = plural(n, "new person", "new people");
  if (n === 0 && e.goal === undefined) return "No new people from this event yet";
  const parts: string[] = [];
  if (e.goal !== undefined) parts.push(`Goal ${Math.round(finite(e.goal))}`, `met ${met}`);
  else parts.push(`Met ${met}`);
  if (n > 0) parts.push(`${e.followedUp} of ${n} followed up`);
  if (e.goal !== undefined) parts.push(e.goalMet ? "goal met" : `${Math.max(0, Math.round(finite(e.goal)) - n)} short of your goal`);
  return parts.join(" · ");
}

/**
 * The people met at an event, by follow-up: "Followed up: Ana Souza · Not yet followed up: Ben Ito"
 * ("" when nobody). Not "Waiting": that word heads the digest's list of missing follow-ups, met 1 to
 * 30 days ago, which someone met at yesterday evening's event is not yet on (helper-277).
 */
export function eventPeople(e: DigestAttendedEvent): string {
  const name = (p: DigestAttendedEvent["met"][number]) => cleanText(p.name, 60) || cleanText(p.email, 120);
  // Someone the owner dismissed "won't appear in your digests any more" (the dismiss page): counted as
  // met (and followed up) in the event's numbers, named in neither list, as in no other of the digest.
  const shown = e.met.filter((p) => !p.dismissed);
  const done = shown.filter((p) => p.followedUp).map(name);
  const waiting = shown.filter((p) => !p.followedUp).map(name);
  return [done.length ? `Followed up: ${done.join(", ")}` : "", waiting.length ? `Not yet followed up: ${waiting.join(", ")}` : ""].filter(Boolean).join(" · ");
}

/** "Already in touch (not counted): Cleo Park". */
export function alreadyInTouchLine(e: DigestAttendedEvent): string | undefined {
  if (!e.alreadyInTouch.length) return undefined;
  return `Already in touch (not counted): ${e.alreadyInTouch.map((n) => cleanText(n, 60)).join(", ")}`;
}

/**
 * The line under a list the email cut short: "12 more are not in this email." and the link's label,
 * "See all 32 waiting in your browser" (`what`: "waiting", "new people", "you followed up").
 */
export function moreLine(left: number, total: number, what: string): { note: string; link: string } {
  return { note: `${left} more ${left === 1 ? "is" : "are"} not in this email.`, link: `See all ${total} ${what} in your browser` };
}

/** Never contains CR/LF or other controls. */
export function subjectFor(d: DigestData): string {
  const waiting = d.missing.length;
  let s: string;
  if (waiting > 0) s = `Your week: ${plural(waiting, "follow-up")} waiting`;
  else if (d.quiet) s = "A quiet week — nothing waiting";
  else if (unwritten(d)) s = "Your week: nothing overdue yet";
  else s = "Your week: all caught up";
  return cleanText(s, 200);
}

function nameList(people: DigestPerson[], max = 2): string {
  const names = people.slice(0, max).map((p) => cleanText(displayName(p), 40));
  const more = people.length - names.length;
  if (more > 0) return `${names.join(", ")} and ${more} more`;
  if (names.length === 2) return `${names[0]} and ${names[1]}`;
  return names.join(", ");
}

/**
 * The longest preheader, in UTF-16 code units: React Email's <Preview> keeps that many of its text
 * and drops the rest unmarked (@react-email/preview's PREVIEW_MAX_LENGTH, `substring(0, 150)`), so a
 * longer line went out cut mid-word, "Coming up: Product Meetup — speaker night, Sun 21 Ju".
 */
export const PREHEADER_MAX = 150;

/** The inbox preview line, one clean line of at most {@link PREHEADER_MAX}: "Coming up" only whole. */
export function preheaderFor(d: DigestData): string {
  const m = d.metrics;
  // The rate is of everyone met 1 to 30 days ago, not of this week's new people: "70% followed up"
  // beside "29 new people" read as 70 % of the 29. Named as a rate, as the body's row is.
  const tally = `${plural(Math.round(finite(m.meetingsAttended.value)), "meeting")}, ${plural(
    Math.round(finite(m.newPeopleMet.value)),
    "new person",
    "new people",
  )}${rateUndefined(d) ? "" : `, follow-up rate ${percent(m.followUpRate.value)}%`}`;
  let lead: string;
  if (d.missing.length > 0) lead = `Follow up with ${nameList(d.missing)}`;
  else if (d.quiet) lead = "No new people and nothing waiting";
  else if (d.wins.length > 0) lead = `You followed up with ${nameList(d.wins)}`;
  else lead = "Nothing waiting";
  const next = d.events?.upcoming[0];
  const coming = next ? ` Coming up: ${cleanText(next.title, 60) || "a networking event"}, ${cleanText(next.when, 40)}.` : "";
  const line = cleanText(`${lead} — ${tally}.${coming}`, Infinity).length <= PREHEADER_MAX ? `${lead} — ${tally}.${coming}` : `${lead} — ${tally}.`;
  return previewText(line);
}

/**
 * An inbox preview line: one clean line of at most {@link PREHEADER_MAX} code units (as <Preview>
 * counts them: an astral character is two), a longer one cut after a whole word with "…", never
 * inside one (the digest's and the event emails'; helper-278).
 */
export function previewText(line: string): string {
  const s = cleanText(line, Infinity);
  if (s.length <= PREHEADER_MAX) return s;
  let cut = -1;
  // Between words is at a space: a "." or ":" inside an address or a time ("ana.silva@x.io", "18:30")
  // is inside a word. The punctuation that ends a word before the cut goes (below).
  for (let i = PREHEADER_MAX - 1; i > 0 && cut < 0; i--) if (s[i] === " ") cut = i;
  const kept = (cut > 0 ? s.slice(0, cut) : s.slice(0, PREHEADER_MAX - 1).replace(/[\uD800-\uDBFF]$/, "")).replace(/[\s,.;:\u2013\u2014-]+$/u, "");
  return `${kept}\u2026`;
}

export function greeting(d: DigestData): string {
  const first = cleanText(d.owner.firstName, 40) || "there";
  const range = cleanText(d.range, 60);
  return range ? `Hi ${first}, here's your week: ${range}.` : `Hi ${first}, here's your week.`;
}

export const QUIET_NOTE =
  "No new people and nothing waiting this week. When you meet someone new, they'll show up here with a one-tap draft.";

export const CAUGHT_UP_NOTE = "Nothing waiting for a follow-up this week — you're all caught up.";

/**
 * Nothing waiting, but people met this week who have not been written to: met within the last day
 * (a follow-up is missing only 24 hours after the meeting, behaviour.md) and with no meeting with
 * them ahead (which follows them up: their line says when; helper-242 #2). "All caught up" above
 * them read as if they needed nothing (helper-240 #3).
 */
export const NOTHING_OVERDUE_NOTE =
  "Nothing overdue yet. If someone under “Also new this week” still hasn't heard from you by next week, they'll be listed with a one-tap draft.";

/** Someone new this week not written to and with no meeting with them ahead: not due yet, and not followed up. */
const unwritten = (d: Pick<DigestData, "newPeople">) => d.newPeople.some((p) => p.meetsAgainOn === undefined);

/** The line under the numbers when nothing is waiting: all caught up, or nothing overdue yet. */
export const caughtUpNote = (d: Pick<DigestData, "newPeople">): string => (unwritten(d) ? NOTHING_OVERDUE_NOTE : CAUGHT_UP_NOTE);

export const PRIVACY_LINE =
  "Followthrough reads only calendar details and message headers — never message bodies.";

/** How a person listed as followed up was: after the line saying where they were met ("… 10 days ago — you wrote to them"). */
export function winHow(by: "mail" | "meeting"): string {
  return by === "meeting" ? "you met again" : "you wrote to them";
}

/** " (5 at 2 networking events; goal met at 1 of 2)", or "" in a week without attended events. */
function atEvents(d: DigestData): string {
  const list = d.events?.attended ?? [];
  if (!list.length) return "";
  const met = list.reduce((n, e) => n + e.met.length, 0);
  const goals = list.filter((e) => e.goal !== undefined);
  const verdict = goals.length ? `; goal met at ${goals.filter((e) => e.goalMet).length} of ${goals.length}` : "";
  return ` (${met} at ${plural(list.length, "networking event")}${verdict})`;
}

/** The most people {@link metAgainLine} names; the rest are counted ("and 3 more"). */
export const MET_AGAIN_MAX = 5;

/**
 * Whom "Second meetings" counts, under the numbers: "Met again this week: Raj Patel (Mon 9 Nov) and
 * Sam Li (Tue 3 Nov)." Empty when nobody. Without it the figure named nobody, and someone met again
 * after a follow-up by mail was in no list of the digest.
 */
export function metAgainLine(d: Pick<DigestData, "metAgain">): string {
  const all = d.metAgain ?? [];
  if (all.length === 0) return "";
  const names = all.slice(0, MET_AGAIN_MAX).map((p) => `${cleanText(displayName(p), 40)} (${cleanText(p.on, 20)})`);
  const more = all.length - names.length;
  const list = more > 0 ? `${names.join(", ")} and ${more} more` : names.length > 1 ? `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}` : names[0];
  return `Met again this week: ${list}.`;
}

/**
 * The sentence under the numbers, each number with its own denominator: "4 meetings → 9 new
 * people. Of the 10 new people you met 1–30 days ago, 7 have been followed up (70%)." Followed up,
 * not "heard from you": a meeting with them, still ahead, counts too (behaviour.md; helper-240 #4).
 */
export function metricsSummary(d: DigestData): string {
  const m = d.metrics;
  const activity = `${plural(Math.round(finite(m.meetingsAttended.value)), "meeting")} → ${plural(Math.round(finite(m.newPeopleMet.value)), "new person", "new people")} this week${atEvents(d)}.`;
  const b = d.rateBasis;
  if (!b) return `${activity} ${percent(m.followUpRate.value)}% followed up.`;
  if (b.eligible === 0) return `${activity} Nobody you met ${b.fromDays}–${b.toDays} days ago is waiting.`;
  return `${activity} Of the ${plural(b.eligible, "person", "people")} you met ${b.fromDays}–${b.toDays} days ago, ${b.followed} ${b.followed === 1 ? "has" : "have"} been followed up (${percent(m.followUpRate.value)}%).`;
}
