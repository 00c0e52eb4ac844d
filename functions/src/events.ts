/**
 * The owner's networking events in the app (shared/spec/events.md "What the owner says"), behind
 * signed links like the rest:
 * - `/l/events/<token>` (act "events", from every digest): the calendar events of the next 14 days,
 *   the networking ones first, each with mark / unmark and, for a networking event, its goal; and
 *   the networking events attended in the last 7 days, each with the way to say whom the owner met;
 * - `/l/goal/<token>` (act "goal", the event in the token; the digest's "Coming up"): set, change or
 *   remove one event's goal;
 * - `/l/met/<token>` (act "met", the event in the token; the morning-after email, "Your events"):
 *   "Who did you meet at E?": the event's guest list (persons only, searchable), checkboxes, a form to
 *   add someone who was not on the list, and the confirmations so far, each of which can be taken back.
 *   A list longer than {@link GROUP_GUESTS_ABOVE} is grouped by first letter in closed <details>
 *   (one form, so ticks in several letters are saved together), which keeps it a phone's screen or
 *   three long; a search opens the letters that match.
 *
 * A GET only shows; every change is a POST from the page (link scanners fetch URLs, they do not
 * submit forms), checked to come from this origin like the settings forms. After a change the page
 * redirects to itself (POST/redirect/GET), so a reload never sends the form again. The met page's
 * search and its Take backs are buttons of its tick form too: when there are ticks or a typed person
 * to keep, they answer with the page itself (a reload sends the search, or takes back the one taken
 * back, again: harmless).
 */
import { createHash } from "node:crypto";
import type { Context, Hono } from "hono";
import { html } from "hono/html";
import type { AccountRecord } from "@followthrough/core/accounts";
import {
  canBeNetworkingEvent,
  clearGoal,
  confirmedAt,
  confirmMet,
  EVENT_RULES,
  eventEmailOn,
  findEvent,
  isOver,
  loadStatements,
  markEvent,
  networkingReason,
  type NetworkingReason,
  type OwnerStatements,
  pickableAttendees,
  type PickableAttendee,
  searchAttendees,
  searchText,
  setGoal,
  StatementError,
  unconfirmMet,
} from "@followthrough/core/events";
import { eventWhen } from "@followthrough/core/followup";
import { asOwnerSees, attendedEvent, type Confirmation, inStartOrder } from "@followthrough/core/inference";
import { normalizeAddress, ownerIdentity } from "@followthrough/core/identity";
import type { LinkClaims } from "@followthrough/core/links";
import { addressOn, inZone, type Meeting } from "@followthrough/core/model";
import type { PersonRecord } from "@followthrough/core/storage";
import { DAY } from "@followthrough/core/time";
import { type AppDeps, asOfFor } from "./kit";
import { fieldAttrs, formError, type Markup, type PageKit, zoneWords } from "./pages";
import { sameOrigin } from "./settings";

/**
 * What the event emails do for this account, as its settings and status have them: the morning-of
 * email goes only for an event with a goal, and none goes while the digests are paused or wait for a
 * reconnect (core/eventmail). The pages said every networking event got both, whatever the settings
 * (helper-208 #3).
 */
export function eventMailWords(a: Pick<AccountRecord, "status" | "eventEmails">, o: { goalPage?: boolean; started?: boolean } = {}): string {
  if (a.status === "paused") return "Your event emails wait while your digests are paused.";
  if (a.status !== "active") return "Your event emails wait until you reconnect your account.";
  // An event under way has had its morning; its morning-after email is still to come (helper-238 #1).
  if (o.goalPage && o.started) return eventEmailOn(a, "morning-after") ? "The morning after, you get the people you met there, against your goal." : "The morning-after email is off in your settings.";
  const of = eventEmailOn(a, "morning-of");
  const after = eventEmailOn(a, "morning-after");
  const morningOf = o.goalPage
    ? "The morning of the event you get one short email with your goal (the evening before, at 18:00, when it starts before 10:00)"
    : "A networking event with a goal gets an email the morning of it";
  const morningAfter = o.goalPage ? "The morning after, you get the people you met there" : "A networking event you went to gets an email the morning after with the people you met there";
  if (of && after) return `${morningOf}. ${morningAfter}.`;
  if (of) return `${morningOf}. The morning-after email is off in your settings.`;
  if (after) return `${morningAfter}. The morning-of email is off in your settings.`;
  return "Your event emails are off in your settings.";
}

/** How far ahead the events page looks. */
export const EVENTS_PAGE_DAYS = 14;

type C = Context;
type Form = Record<string, string | File | (string | File)[]>;

/** A short, stable tag of an event id for anchors and notices (the id itself stays out of URLs). */
export const eventTag = (id: string) => createHash("sha256").update(id).digest("base64url").slice(0, 10);

const REASONS: Record<NetworkingReason, string> = {
  large: "a large gathering",
  keyword: "its title says so",
  platform: "from an event platform",
  marked: "you marked it",
};

/** Above this many guests the met page groups its list by first letter (A–Z, then "#"), each group closed. */
export const GROUP_GUESTS_ABOVE = 30;

/** Letters that carry no combining mark to strip (NFD leaves them whole) and their base letter. */
const BASE_LETTER: Record<string, string> = { Æ: "A", Ð: "D", Đ: "D", Ł: "L", Ø: "O", Œ: "O", Þ: "T" };

/**
 * The letter a name is filed under: its first letter or digit (quotes, brackets and modifier letters
 * such as ʻ skipped) without accents or ligatures (É -> E, Ø -> O, Ĳ -> I), or "#" when that is not A–Z (a digit, a Han character).
 */
export function guestLetter(shown: string): string {
  const letter = shown.normalize("NFKD").match(/(?!\p{Lm})[\p{L}\p{N}]/u)?.[0] ?? "";
  const first = letter.toUpperCase().charAt(0); // "ß" -> "SS" -> "S"
  const base = BASE_LETTER[first] ?? first;
  return /^[A-Z]$/.test(base) ? base : "#";
}

/** Groups guests by {@link guestLetter} of the name shown (the address without a name), A–Z then "#"; order within a group kept. */
export function groupGuests<T>(items: readonly T[], guest: (item: T) => { name: string; email: string }): { letter: string; guests: T[] }[] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const g = guest(item);
    const letter = guestLetter(g.name || g.email);
    const into = groups.get(letter);
    if (into) into.push(item);
    else groups.set(letter, [item]);
  }
  return [...groups.entries()].sort(([a], [b]) => (a === "#" ? 1 : b === "#" ? -1 : a < b ? -1 : a > b ? 1 : 0)).map(([letter, guests]) => ({ letter, guests }));
}

/** A group's summary: "A · 12 guests", or under a search "A · 1 of 12 guests". */
const letterSummary = (letter: string, n: number, of?: number) => `${letter} · ${of === undefined ? guestsText(n) : `${n} of ${guestsText(of)}`}`;

const guestsText = (n: number) => `${n} ${n === 1 ? "guest" : "guests"}`;
/** What follows the number of matches: " of 40 guests match.", " of 1 guest matches." (the page's script writes it after its own count). */
const matchTail = (total: number) => ` of ${guestsText(total)} ${total === 1 ? "matches" : "match"}.`;

const goalText = (n: number) => `meet ${n} new ${n === 1 ? "person" : "people"}`;

/** The one value of a form field (the first, when a field came twice). */
const one = (form: Form, name: string): string => {
  const v = form[name];
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === "string" ? s : "";
};
/** Every value of a repeated field. */
const all = (form: Form, name: string): string[] => {
  const v = form[name];
  return (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === "string");
};

/** Registers the events, goal and who-did-you-meet pages. */
export function mountEvents(app: Hono, deps: AppDeps, kit: PageKit): void {
  const base = deps.baseUrl.replace(/\/$/, "");
  const selfPath = (c: C) => new URL(c.req.url).pathname;
  const owner = (a: AccountRecord) => ownerIdentity(a.email, a.aliases);
  // With the way to that page (a GET of the same link; helper-238 #6).
  const notFromHere = (c: C) => kit.say(c, 403, "Not allowed", "This form can only be sent from its page.", { href: selfPath(c), text: "Open the page" });

  const nav = (c: C, account: string, events = true) => kit.nav(c, account, events ? {} : { omit: ["events"] });

  /** The stored event of a link, as the owner sees it; undefined when it is gone. */
  const eventOf = (account: AccountRecord, claims: LinkClaims): Promise<Meeting | undefined> => findEvent(deps.repo, account, claims.evt!);
  /** A POST of one of these pages: its link verified for `act`, sent from this origin, its form read. */
  const posted = async (c: C, act: "events" | "goal" | "met") => {
    const auth = await kit.authorise(c, act, { expired: expiredPost });
    if (auth instanceof Response) return auth;
    if (!sameOrigin(c, base)) return notFromHere(c);
    const form = (await c.req.parseBody({ all: true }).catch(() => ({}))) as Form;
    return { ...auth, form, action: one(form, "action") };
  };
  /**
   * A form sent on a link that expired while the page was open (links a page hands out can end
   * within minutes, core/links chainIssuedAt): nothing is changed, and what was typed comes back to
   * copy (only to a form of this app's own origin), as the settings page does.
   */
  const expiredPost = async (c: C) => {
    const form = sameOrigin(c, base) ? ((await c.req.parseBody({ all: true }).catch(() => ({}))) as Form) : {};
    // What a person typed: an addition's name and address (sent by Add or Save whom I met; by Search,
    // Enter, the met page's hidden first button, or a Take back only when the owner's typing, not a
    // search's own words: helper-131 #4, helper-228 #1, helper-229 #1), a goal (not a hidden field of
    // a button).
    const action = one(form, "action");
    const below = typedBelow(form);
    const fields: [string, string][] =
      action === "add" || action === "confirm" || ((action === "enter" || action === "search" || form.takeback !== undefined) && below.typed)
        ? [["Name", below.name], ["Address", below.email]]
        : action === "goal"
          ? [["Goal", one(form, "goal")]]
          : [];
    const typed = fields.filter(([, v]) => v.trim() !== "");
    return kit.page(
      c,
      410,
      "Link expired",
      html`<h1>This link has expired</h1><p>Nothing was changed. Open your latest digest for a fresh link, or sign in at <a href="${base}/settings">your settings</a>.</p>
${typed.length ? html`<p>What you typed, not saved:</p>${typed.map(([label, value], i) => html`<p><label for="typed-${i}">${label}</label><input type="text" id="typed-${i}" value="${value.slice(0, 320)}" readonly></p>`)}` : ""}`,
    );
  };
  /** What the met page says once a Take back is done, whatever the event's state now. */
  const TAKEN_BACK = "Taken back.";
  /** "Taken back.", or who was, where the answer is the page itself (a 303 cannot name them: addresses stay out of URLs). */
  const takenBackStatus = (note = TAKEN_BACK) => html`<p role="status"><b>${note}</b></p>`;

  /** An event no longer in the calendar; `takenBack` when a Take back from a page opened before was done all the same. */
  const gone = (c: C, account: string, takenBack = false, note?: string) =>
    kit.page(
      c,
      takenBack ? 200 : 404,
      takenBack ? "Taken back" : "Event not found",
      html`<h1>Event not found</h1>${takenBack ? takenBackStatus(note) : ""}<p>This event is not in your calendar any more.</p>${nav(c, account)}`,
    );

  // ---- The events page ---------------------------------------------------------------------

  const eventsPage = async (c: C, account: AccountRecord, said?: { error?: string; status?: number; field?: string; typed?: string }) => {
    const now = asOfFor(deps, account);
    const zone = account.timeZone;
    const [stored, statements] = await Promise.all([deps.repo.loadMeetings(account.email), loadStatements(deps.repo, account.email)]);
    // An all-day event in the owner's zone as it is now, read in another or not (core/model inZone):
    // over at midnight after its day there, under way from midnight at its start.
    const meetings = stored.map((m) => inZone(m, zone));
    const who = owner(account);
    const ahead: { m: Meeting; reason?: NetworkingReason }[] = [];
    const recent: Meeting[] = [];
    // The page's two windows; only meetings inside one are classified, not every meeting of the year.
    // The first holds an event under way too: the one the owner is at, whose goal still counts at its
    // morning after (it was on neither list, helper-238 #2; the digest's lists leave it out, events.md).
    const startsSoon = (m: Meeting) => m.end > now && m.start <= now + EVENTS_PAGE_DAYS * DAY;
    const endedLately = (m: Meeting) => m.end < now && m.end > now - EVENT_RULES.attendedWithinMs;
    for (const raw of inStartOrder(meetings.filter((m) => startsSoon(m) || endedLately(m)))) {
      const m = asOwnerSees(raw, who);
      const reason = networkingReason(m, who, statements.marks);
      if (startsSoon(m) && canBeNetworkingEvent(m)) ahead.push({ m, reason });
      else if (reason && attendedEvent(m, now) && endedLately(m)) recent.push(m);
    }
    const networking = ahead.filter((e) => e.reason);
    const others = ahead.filter((e) => !e.reason);
    // A refused goal names its event's goal box; only a listed networking event has one (the event
    // may have ended, or been unmarked, since the page was loaded).
    const bad = said?.field !== undefined && networking.some((e) => `goal-${eventTag(e.m.id)}` === said.field) ? said.field : undefined;
    const done = c.req.query("done");
    const tag = c.req.query("e");
    const shown = tag ? ahead.find((e) => eventTag(e.m.id) === tag) : undefined;
    const named = shown?.m.title || "The event";
    // What a save said, while the event is still so: a page come back to by Back (or reloaded) after
    // a later change said "Goal saved" over an event with no goal (helper-249 #2). An event no longer
    // listed (ended, moved away) keeps what was said.
    const goalNow = shown ? statements.goals.has(shown.m.id) : undefined;
    /** Each save's words, and whether they still hold. */
    const notices: Record<string, [holds: boolean, words: string]> = {
      mark: [!shown || shown.reason !== undefined, `${named} is now a networking event.`],
      unmark: [!shown || shown.reason === undefined, `${named} is no longer a networking event.`],
      goal: [!shown || goalNow === true, `Goal saved for ${named}.`],
      cleargoal: [!shown || goalNow === false, `Goal removed from ${named}.`],
    };
    const notice = done !== undefined && Object.hasOwn(notices, done) && notices[done][0] ? notices[done][1] : undefined;
    const row = (e: { m: Meeting; reason?: NetworkingReason }) => {
      const id = eventTag(e.m.id);
      const goal = statements.goals.get(e.m.id);
      const title = e.m.title || "(no title)";
      const hidden = html`<input type="hidden" name="event" value="${e.m.id}">`;
      const when = html`${eventWhen(e.m, zone, { until: true })}${e.m.start <= now ? " · under way" : ""}`;
      if (!e.reason)
        return html`<li id="e-${id}"><span class="who">${title}</span><br><span class="muted">${when}</span>
<form method="post">${hidden}<input type="hidden" name="action" value="mark"><button type="submit" class="secondary" aria-label="Mark as a networking event: ${title}">Mark as a networking event</button></form></li>`;
      return html`<li id="e-${id}"><span class="who">${title}</span><br><span class="muted">${when} · networking event: ${REASONS[e.reason]}</span>
<p>${goal !== undefined ? html`Your goal: <b>${goalText(goal)}</b>.` : html`No goal yet.`}</p>
<form method="post" class="inline">${hidden}<input type="hidden" name="action" value="goal">
<label for="goal-${id}">Goal for ${title}: new people to meet (${EVENT_RULES.goalMin}&ndash;${EVENT_RULES.goalMax})</label>
<input type="number" id="goal-${id}" name="goal" min="${EVENT_RULES.goalMin}" max="${EVENT_RULES.goalMax}" step="1" inputmode="numeric" value="${bad === `goal-${id}` ? (said?.typed ?? "") : (goal ?? "")}" required${fieldAttrs(`goal-${id}`, bad)}>
<button type="submit" aria-label="Save goal: ${title}">Save goal</button></form>
${goal !== undefined ? html`<form method="post">${hidden}<input type="hidden" name="action" value="cleargoal"><button type="submit" class="secondary" aria-label="Remove goal: ${title}">Remove goal</button></form>` : ""}
<form method="post">${hidden}<input type="hidden" name="action" value="unmark"><button type="submit" class="secondary" aria-label="Not a networking event: ${title}">Not a networking event</button></form></li>`;
    };
    return kit.page(
      c,
      said?.status ?? 200,
      said?.error ? "Not saved: Your events" : "Your events",
      html`<h1>Your events</h1>
${notice && !said?.error ? html`<p role="status"><b>${notice}</b></p>` : ""}
${said?.error ? formError(said.error, bad) : ""}
<p class="muted">Your calendar for the next ${EVENTS_PAGE_DAYS} days, in your time zone (${zoneWords(zone)}). ${eventMailWords(account)} Events you declined or have not answered are left out.</p>
<h2>Networking events</h2>
${networking.length ? html`<ul class="events">${networking.map(row)}</ul>` : html`<p>None in the next ${EVENTS_PAGE_DAYS} days.${others.length ? " Mark one below if it is." : ""}</p>`}
<h2>Your other events</h2>
${others.length ? html`<ul class="events">${others.map(row)}</ul>` : html`<p>No other events in the next ${EVENTS_PAGE_DAYS} days.</p>`}
${
  recent.length
    ? html`<h2>Recently attended</h2><ul class="events">${recent.map(
        (m) => html`<li><span class="who">${m.title || "(no title)"}</span><br><span class="muted">${eventWhen(m, zone, { until: true })}</span><br><a href="${metLink(c, account.email, m.id)}">Who did you meet at ${m.title || "this event"}?</a></li>`,
      )}</ul>`
    : ""
}
${nav(c, account.email, false)}`,
    );
  };

  const metLink = (c: C, account: string, evt: string) => kit.linkFor(c, account, "met", { evt });

  app.post("/l/events/:token", async (c) => {
    const post = await posted(c, "events");
    if (post instanceof Response) return post;
    const { account, form, action } = post;
    const eventId = one(form, "event");
    const now = deps.now();
    // A post naming no event is a bad request (400), not an unknown event (404, docs/app.md; helper-171 #8).
    if (!eventId) return eventsPage(c, account, { error: "Choose an event.", status: 400 });
    try {
      if (action === "mark" || action === "unmark") await markEvent(deps.repo, account, eventId, action === "mark", now);
      else if (action === "goal") await setGoal(deps.repo, account, eventId, parseGoal(one(form, "goal")), now, asOfFor(deps, account));
      else if (action === "cleargoal") await clearGoal(deps.repo, account, eventId, asOfFor(deps, account));
      else return kit.say(c, 400, "Not saved", "That is not something this page does.");
    } catch (e) {
      if (e instanceof StatementError) {
        // A refused goal is about that event's goal box: it keeps what was typed and says why.
        const field = action === "goal" && eventId && e.code === "bad-goal" ? `goal-${eventTag(eventId)}` : undefined;
        // An event unmarked or over since the page was loaded (another tab, a later look) is named:
        // "mark the event first" left the owner to guess which of the page's events (helper-260).
        const title = e.code === "not-networking" || e.code === "event-over" ? (await findEvent(deps.repo, account, eventId))?.title : undefined;
        // (Over, a goal removed is refused too, for its own reason: "its goal stays as it was".)
        const error = !title ? e.message : e.code === "not-networking" ? `${title} is not a networking event (any more): mark it as one to set its goal.` : `${title} is over: ${action === "goal" ? "a goal is set before it ends" : "its goal stays as it was"}.`;
        return eventsPage(c, account, { error, status: e.code === "no-such-event" ? 404 : 400, field, typed: field ? one(form, "goal").slice(0, 10) : undefined });
      }
      throw e;
    }
    const tag = eventTag(eventId);
    return c.redirect(`${selfPath(c)}?done=${action}&e=${tag}#e-${tag}`, 303);
  });

  // ---- One event's goal --------------------------------------------------------------------

  const goalPage = async (c: C, account: AccountRecord, claims: LinkClaims, said?: { error?: string; field?: string; typed?: string }) => {
    const m = await eventOf(account, claims);
    if (!m) return gone(c, account.email);
    const statements = await loadStatements(deps.repo, account.email);
    const title = m.title || "your event";
    if (!networkingReason(m, owner(account), statements.marks))
      return kit.page(
        c,
        409,
        "Not a networking event",
        html`<h1>${title} is not a networking event</h1><p>It was unmarked or has changed. Mark it as a networking event on your events page first, then set its goal.</p>${nav(c, account.email)}`,
      );
    const goal = statements.goals.get(m.id);
    const saved = c.req.query("saved");
    const now = asOfFor(deps, account);
    if (isOver(m, now))
      // Over: a goal is for the people still to meet there (core/events setGoal refuses one now). The
      // page said how many people to meet and promised the morning-of email (helper-238 #1).
      return kit.page(
        c,
        said?.error ? 400 : 200,
        said?.error ? `Not saved: Goal for ${title}` : `Goal for ${title}`,
        html`<h1>Your goal for ${title}</h1>
<p class="muted">${eventWhen(m, account.timeZone, { until: true })}</p>
${said?.error ? formError(/ is over/.test(said.error) ? said.error : "This event is over: a goal is set before it ends.") : ""}
<p>${title} is over${goal !== undefined ? html`; your goal was to <b>${goalText(goal)}</b>` : ""}. A goal is set before an event ends.</p>
${attendedEvent(m, now) ? html`<p><a href="${metLink(c, account.email, m.id)}">Say whom you met there</a></p>` : ""}
${nav(c, account.email)}`,
      );
    const started = m.start <= now;
    // Saved: the status says only that; "Your goal now" below says the goal (the status named it too,
    // the event and the number, so the page said the goal twice).
    const quick = [1, 2, 3, 5, 10].filter((n) => n >= EVENT_RULES.goalMin && n <= EVENT_RULES.goalMax);
    return kit.page(
      c,
      said?.error ? 400 : 200,
      said?.error ? `Not saved: Goal for ${title}` : `Goal for ${title}`,
      html`<h1>Your goal for ${title}</h1>
<p class="muted">${eventWhen(m, account.timeZone, { until: true })}</p>
${saved === "1" && goal !== undefined && !said ? html`<p role="status"><b>Goal saved.</b></p>` : ""}
${saved === "0" && goal === undefined && !said ? html`<p role="status"><b>Goal removed.</b></p>` : ""}
${said?.error ? formError(said.error, said.field) : ""}
${started ? html`<p>${title} is under way.</p>` : ""}
<p>${goal !== undefined ? html`Your goal now: <b>${goalText(goal)}</b>.` : `Going with a number in mind is what turns small talk into people you still know next month. How many new people will you meet${started ? " there" : ""}?`}</p>
<form method="post"><input type="hidden" name="action" value="goal">
<fieldset><legend>Meet this many new people</legend>
${quick.map((n) => html`<button type="submit" name="goal" value="${n}"${n === goal ? html` aria-pressed="true"` : ""}>${n}</button> `)}
</fieldset></form>
<form method="post"><input type="hidden" name="action" value="goal">
<label for="goal">Or another number (${EVENT_RULES.goalMin}&ndash;${EVENT_RULES.goalMax})</label>
<input type="number" id="goal" name="goal" min="${EVENT_RULES.goalMin}" max="${EVENT_RULES.goalMax}" step="1" inputmode="numeric" value="${said?.typed ?? ""}" required${fieldAttrs("goal", said?.field)}>
<button type="submit" class="secondary">Set goal</button></form>
${goal !== undefined ? html`<form method="post"><input type="hidden" name="action" value="cleargoal"><button type="submit" class="secondary">Remove the goal</button></form>` : ""}
<p class="muted">${eventMailWords(account, { goalPage: true, started })}</p>
${nav(c, account.email)}`,
    );
  };

  app.post("/l/goal/:token", async (c) => {
    const post = await posted(c, "goal");
    if (post instanceof Response) return post;
    const { account, claims, form, action } = post;
    try {
      if (action === "cleargoal") {
        await clearGoal(deps.repo, account, claims.evt!, asOfFor(deps, account));
        return c.redirect(`${selfPath(c)}?saved=0`, 303);
      }
      if (action !== "goal") return kit.say(c, 400, "Not saved", "That is not something this page does.");
      await setGoal(deps.repo, account, claims.evt!, parseGoal(one(form, "goal")), deps.now(), asOfFor(deps, account));
    } catch (e) {
      if (e instanceof StatementError) return e.code === "no-such-event" ? gone(c, account.email) : goalPage(c, account, claims, { error: e.message, field: e.code === "bad-goal" ? "goal" : undefined, typed: one(form, "goal").slice(0, 10) });
      throw e;
    }
    return c.redirect(`${selfPath(c)}?saved=1`, 303);
  });

  // ---- Who did you meet at E? --------------------------------------------------------------

  const metPage = async (c: C, account: AccountRecord, claims: LinkClaims, said?: { error?: string; field?: string; name?: string; email?: string; picked?: string[]; query?: string; note?: string; takenBack?: { email: string; name?: string } }) => {
    // A Take back is done whatever the event's state now (unmarked since, not yet over, or gone from
    // the calendar: a page opened before), and those answers say so too (helper-229 #3, helper-232 #3).
    const takenBack = said?.takenBack !== undefined || (!said && c.req.query("saved") === "taken-back");
    const m = await eventOf(account, claims);
    /** Who was taken back, where the page itself answers: by name, else the address as the event wrote it (helper-239 #8). */
    const whoBack = said?.takenBack ? `Taken back: ${said.takenBack.name || addressOn(m, said.takenBack.email) || said.takenBack.email}.` : undefined;
    if (!m) return gone(c, account.email, takenBack, whoBack);
    const now = asOfFor(deps, account);
    const statements: OwnerStatements = await loadStatements(deps.repo, account.email);
    const title = m.title || "this event";
    const takenBackLine = takenBack ? takenBackStatus(whoBack) : "";
    if (!networkingReason(m, owner(account), statements.marks))
      return kit.page(
        c,
        takenBack ? 200 : 409,
        "Not a networking event",
        html`<h1>${title} is not a networking event</h1>${takenBackLine}<p>${statements.marks.get(m.id) === false ? "It was unmarked. Mark it again" : "Mark it as one"} on your events page to say whom you met there.</p>${nav(c, account.email)}`,
      );
    if (!attendedEvent(m, now))
      return kit.page(
        c,
        said?.error ? 400 : 200,
        `Who did you meet at ${title}?`,
        html`<h1>Who did you meet at ${title}?</h1><p>${eventWhen(m, account.timeZone, { until: true })}</p>
${takenBackLine}${said?.error ? formError(said.error, said.field) : ""}
<p>Come back once you have been: this page lists its guests then.</p>${nav(c, account.email)}`,
      );
    const list = pickableAttendees(m, account);
    // Each address as their entry on this event wrote it (Gmail's dots, a +tag), as the digest shows
    // it; the normalised one stays the person's identity in the form.
    const shownAddress = (p: { email: string }) => addressOn(m, p.email) ?? p.email;
    const confirmed = statements.confirmations.filter((x) => x.eventId === m.id);
    const already = new Set(confirmed.map((x) => x.email));
    const people = (await deps.repo.loadPeople(account.email)).filter((p) => !p.gone);
    const found = foundMetAt(people, m.id).filter((p) => !already.has(p.email));
    const wrote = found.filter((p) => p.metBy === "large-gathering");
    const attendedWith = found.filter((p) => p.metBy === undefined);
    const byMail = new Set(wrote.map((p) => p.email));
    const metThere = new Set(attendedWith.map((p) => p.email));
    // "Already in touch" (events.md) as the last scan's rules read it: first met elsewhere (their
    // record), or no contact at all, the owner having written to them more than 14 days before (the
    // scan marks such a confirmation `known`; helper-130 #1: one known by mail was never called so here
    // while the digest said it). One confirmed since that scan is called nothing yet: the next decides.
    const recorded = new Set(people.map((p) => p.email));
    const known = new Set(confirmed.filter((x) => x.known).map((x) => x.email));
    const inTouch = new Set(
      confirmedAt(m, owner(account), statements, people)
        .filter((x) => x.status === "already-in-touch" && (recorded.has(x.email) || known.has(x.email)))
        .map((x) => x.email),
    );
    // The search: a GET's `q`, or the box's words in a POST of the tick form (its search keeps the
    // ticks). A refused save comes back unsearched, so every tick shows (helper-201 #1).
    const query = (said?.query ?? c.req.query("q") ?? "").slice(0, 100);
    // White space alone is no search (searchAttendees ignores blank words): letters stay closed, the count unqualified.
    const searching = query.trim() !== "";
    const shown = searchAttendees(list, query, shownAddress);
    // A search that found no guest (without script: the server searched) is most likely someone to
    // add: what was searched starts the form below, as an address where it is one.
    const unmatched = searching && !shown.length ? query.trim() : "";
    const typedIn = prefillOf(unmatched);
    // What the owner typed below is kept as typed; only fields left empty start from the search.
    const fromSearch = !said?.name && !said?.email;
    const nameValue = fromSearch ? typedIn.name : (said?.name ?? "");
    const emailValue = fromSearch ? typedIn.email : (said?.email ?? "");
    const picked = new Set(said?.picked ?? []);
    // Every guest is on the page, those the search did not find hidden: the page's script then filters
    // the whole list as the owner types, and an emptied box brings every guest back, even on a page
    // opened at a search (before 2026-12-05 such a page held only the matches, and with script on
    // nothing brought the rest back: the search form's submit stays on the page).
    const matched = new Set(shown.map((p) => p.email));
    const counted = countedAt(statements.confirmations, people, m.id);
    const guestRow = (p: PickableAttendee, i: number) => {
      const done = counted.has(p.email);
      const shown = shownAddress(p);
      return html`<li${matched.has(p.email) ? "" : html` hidden`} data-search="${searchText(p, shown)}"><input type="checkbox" id="g${i}" name="pick" value="${p.email}"${done || picked.has(p.email) ? html` checked` : ""}${done ? html` disabled` : ""}>
<label for="g${i}" class="inline">${p.name || shown}${p.company ? html` · ${p.company}` : ""} <span class="muted">${shown}</span>${already.has(p.email) ? " (you said so)" : byMail.has(p.email) ? " (you wrote to them)" : metThere.has(p.email) ? " (met there)" : p.declined ? html` <span class="muted">(declined the invitation)</span>` : ""}</label></li>`;
    };
    const saved = c.req.query("saved");
    // A save's page says so while someone it saved is still listed (their confirmation made at the
    // save's time, `at`), and counts no more than are: come back to by Back after a Take back, it
    // said "Saved: 1 person added" over an empty list (helper-249 #2), and "2 people" with one left
    // (helper-250 #4). A link without `at` (an older page's) says it as before.
    const savedAt = c.req.query("at");
    const stillListed = savedAt === undefined ? Infinity : confirmed.filter((x) => String(x.at) === savedAt).length;
    const savedCount = saved && /^\d+$/.test(saved) ? String(Math.min(Number(saved), stillListed)) : undefined;
    const notice =
      saved === "taken-back"
        ? TAKEN_BACK
        : saved === "already"
          ? "Already counted as met there: no one new."
          : savedCount !== undefined && savedCount !== "0"
            ? `Saved: ${savedCount} ${savedCount === "1" ? "person" : "people"} added to whom you met.`
            : undefined;
    return kit.page(
      c,
      said?.error ? 400 : 200,
      said?.error ? `Not saved: Who did you meet at ${title}?` : `Who did you meet at ${title}?`,
      html`<h1>Who did you meet at ${title}?</h1>
<p class="muted">${eventWhen(m, account.timeZone, { until: true })}</p>
${notice && !said ? html`<p role="status"><b>${notice}</b></p>` : (whoBack ?? said?.note) ? html`<p role="status"><b>${whoBack ?? said?.note}</b></p>` : ""}
${said?.error ? formError(said.error, said.field) : ""}
${
  // The tick form's first button, what Enter in any of its fields sends (before every other button of
  // that form, the Take backs included): with a guest list "enter" (a search or a save, as the POST
  // reads it), else Add, as the only other button there.
  list.length
    ? html`<button type="submit" form="pick" name="action" value="enter" id="enter" class="enter" tabindex="-1" aria-hidden="true" formnovalidate>Enter</button>`
    : html`<button type="submit" form="pick" name="action" value="add" class="enter" tabindex="-1" aria-hidden="true">Add</button>`
}
${
  confirmed.length
    ? html`<h2>You said you met</h2><ul class="said">${confirmed.map(
        (p) => html`<li><span class="who">${p.name || shownAddress(p)}</span>${p.name ? html` <span class="muted line">${shownAddress(p)}</span>` : ""}${inTouch.has(p.email) ? html` <span class="muted line">Already in touch, not counted as new</span>` : ""}
<button type="submit" form="pick" name="takeback" value="${p.email}" class="secondary" formnovalidate aria-label="Take back: ${p.name || shownAddress(p)}">Take back</button></li>`,
      )}</ul>
<p class="muted">Each new one you have not written to appears in your next digest with a one-tap draft.</p>`
    : ""
}
${
  wrote.length
    ? html`<h2>Met there, by your mail</h2><ul>${wrote.map((p) => html`<li><span class="who">${p.name || shownAddress(p)}</span> <span class="muted">${shownAddress(p)}</span></li>`)}</ul>
<p class="muted">You wrote to them soon after the event, so they count already.</p>`
    : ""
}
${
  attendedWith.length
    ? html`<h2>Met there</h2><ul>${attendedWith.map((p) => html`<li><span class="who">${p.name || shownAddress(p)}</span> <span class="muted">${shownAddress(p)}</span></li>`)}</ul>
<p class="muted">The event was small enough to count as a meeting, so everyone who went with you counts as met already.</p>`
    : ""
}
<h2>On the guest list</h2>
${
  list.length
    ? html`<div role="search"><label for="q">Search ${guestsText(list.length)} by name, address or company</label>
<input type="search" id="q" name="q" form="pick" value="${query}" autocomplete="off" aria-controls="guests"> <button type="submit" form="pick" name="action" value="search" id="go" class="secondary" formnovalidate>Search</button></div>
<p class="muted" id="count" aria-live="polite">${searching ? `${shown.length}${matchTail(list.length)}` : `${guestsText(list.length)}.`}</p>
<form method="post" id="pick" action="${selfPath(c)}" autocomplete="off"><input type="hidden" name="shown" value="${query}"><input type="hidden" name="filled" value="${fromSearch ? unmatched : ""}">
<fieldset><legend>Tick the people you met</legend>
${
  list.length > GROUP_GUESTS_ABOVE
    ? html`<div id="guests" class="letters">${groupGuests(list.map((p, i) => ({ p, i })), (e) => e.p).map(({ letter, guests }) => {
        const matches = guests.filter((e) => matched.has(e.p.email)).length;
        // Hidden where the search found no one in it; closed unless it holds what the search found or
        // a tick of the owner's still to be saved.
        const open = searching ? matches > 0 : guests.some((e) => picked.has(e.p.email) && !already.has(e.p.email) && !byMail.has(e.p.email));
        const plain = letterSummary(letter, guests.length);
        return html`<details class="letter" data-letter="${letter}" data-total="${guests.length}" data-summary="${plain}"${matches ? "" : html` hidden`}${open ? html` open` : ""}><summary>${searching ? letterSummary(letter, matches, guests.length) : plain}</summary>
<ul class="guests">${guests.map((e) => guestRow(e.p, e.i))}</ul></details>`;
      })}</div>`
    : html`<ul id="guests" class="guests">${list.map(guestRow)}</ul>`
}
<p id="none"${shown.length ? html` hidden` : ""}>No guest matches. Add them below.</p>
</fieldset>
<button type="submit" name="action" value="confirm" id="save"${shown.length ? "" : html` hidden`}>Save whom I met</button></form>`
    : html`<p>${m.attendees.length ? "The invitation lists no one to tick here: only colleagues, rooms or shared addresses." : "The invitation shows no guests."} Add the people you met below.</p><form method="post" id="pick"></form>`
}
<h2>Someone not on the list?</h2>
<p><label for="name">Their name</label><input type="text" id="name" name="name" form="pick" autocomplete="off" value="${nameValue}"${fromSearch && typedIn.name ? html` data-from-search` : ""}${fieldAttrs("name", said?.field)}></p>
<p><label for="email">Their email address</label><input type="email" id="email" name="email" form="pick" autocomplete="off" value="${emailValue}"${fromSearch && typedIn.email ? html` data-from-search` : ""}${fieldAttrs("email", said?.field)}></p>
<button type="submit" form="pick" name="action" value="add" class="secondary">Add</button>
${nav(c, account.email)}
${list.length ? searchScript(kit.nonceOf(c), list.length) : ""}`,
    );
  };

  /** Whether a guest of the event's list is shown ticked as counted already (the met page's `done`): said, written to or met there. */
  const countedOnList = async (account: AccountRecord, claims: LinkClaims): Promise<boolean> => {
    // The event as the page reads it (one item, eventOf), not every meeting of the account.
    const [m, statements, people] = await Promise.all([eventOf(account, claims), loadStatements(deps.repo, account.email), deps.repo.loadPeople(account.email)]);
    if (!m) return false;
    const done = countedAt(statements.confirmations, people, claims.evt!);
    return pickableAttendees(m, account).some((p) => done.has(p.email));
  };

  app.post("/l/met/:token", async (c) => {
    const post = await posted(c, "met");
    if (post instanceof Response) return post;
    const { account, claims, form, action } = post;
    // The same instant the page judged "attended" by (the demo's accounts live at their mailbox's now).
    const now = asOfFor(deps, account);
    try {
      // One form: the ticks and the person typed under "Someone not on the list?" go together, whichever
      // button (or Enter in a field) sent it, so an Add does not drop ticks not yet saved (helper-130 #4).
      const picked = all(form, "pick").slice(0, 500);
      const { name, email, typed, onlyFilled } = typedBelow(form);
      const query = one(form, "q").slice(0, 100);
      // What a search or a Take back keeps on the page it answers with: the ticks, the person typed
      // (not a search's own words below, which the page puts there again itself), and the search.
      const kept = { picked, name: typed ? name : "", email: typed ? email : "", query };
      const nothingKept = !picked.length && !typed;
      // Take back: a button of the tick form (`takeback`, the address), so the ticks not yet saved and
      // what was typed stay, on the page as it was searched (the separate form it had lost them, with
      // script or without). A page from before sends its own form (`unconfirm` with `email`: nothing
      // else to keep). Naming no one (or no address) takes nothing back, and says so; taking back
      // someone already taken back (a second tap) is done, as it was (helper-171 #7).
      const legacy = action === "unconfirm";
      if (legacy || form.takeback !== undefined) {
        const who = one(form, legacy ? "email" : "takeback");
        if (!normalizeAddress(who.trim())) return metPage(c, account, claims, { error: "Choose someone to take back.", ...(legacy ? {} : kept), query: undefined });
        if (legacy || (nothingKept && !query.trim())) {
          await unconfirmMet(deps.repo, account, claims.evt!, who);
          return c.redirect(`${selfPath(c)}?saved=taken-back`, 303);
        }
        // Answered by the page itself: it names who was taken back (helper-238 #10: several taken back, "Taken back." said nothing of whom).
        const was = await unconfirmMet(deps.repo, account, claims.evt!, who);
        return metPage(c, account, claims, { ...kept, takenBack: was ?? { email: normalizeAddress(who.trim())! } });
      }
      if (!["confirm", "add", "search", "enter"].includes(action)) return kit.say(c, 400, "Not saved", "That is not something this page does.");
      // The search box belongs to this form too (helper-200: without script, the search was a GET of
      // the page and lost the ticks not yet saved). Search always searches; the form's first button, a
      // hidden "enter", is what Enter in any field sends: new words in the box (`q` against `shown`,
      // the words the page showed) are a search, the same words with a tick or someone typed a save, as
      // Save or Add. A search keeps the ticks and what was typed, saving nothing. With script the box
      // filters in place, and only Enter under "Someone not on the list?" reaches here (searchScript).
      const searched = action === "search" || (action === "enter" && query.trim() !== one(form, "shown").slice(0, 100).trim());
      // Enter with what a search that found no guest put below, unchanged, and ticks (hidden by that
      // search): Enter in the box or in that field, which cannot be told apart. Neither the ticks alone
      // nor a half person is saved; the page says what to do (helper-228 #2: it saved the ticks and
      // dropped the address without a word).
      const unfinished = action === "enter" && picked.length > 0 && onlyFilled;
      if (searched || unfinished || (action === "enter" && nothingKept)) {
        if (nothingKept) return c.redirect(query.trim() ? `${selfPath(c)}?q=${encodeURIComponent(query)}` : selfPath(c), 303);
        return metPage(c, account, claims, { ...kept, ...(unfinished && !searched ? { note: "Nothing saved yet. To add someone, give their name and address below; to save your ticks, empty the search and press Save whom I met." } : {}) });
      }
      const added = action === "add" || typed ? [{ name, email }] : [];
      if (!picked.length && !added.length) {
        // The boxes of guests already counted (said, written to, met there) come ticked and cannot be
        // unticked, so "Tick at least one person" over them read as if the page had not seen its own
        // ticks; at a small event, where everyone counts as met, there is no one else to tick (helper-279 #2).
        const counted = await countedOnList(account, claims);
        throw new StatementError("not-on-list", counted ? "Nobody new is ticked: those ticked already count as met there. Tick someone else, or add someone below." : "Tick at least one person, or add someone below.");
      }
      // Counted as saved: the people not already in the list of whom the owner said they met (an Add
      // or a tick of someone already there, or a second tap, saves no one new: helper-200 #4), nor
      // already counted as met there by the last scan (by the owner's mail after a large gathering, or
      // by going to a smaller event with them), which a confirmation changes nothing of (events.md):
      // an Add of such a person said "1 person added".
      const counted = new Set(foundMetAt(await deps.repo.loadPeople(account.email), claims.evt!).map((p) => p.email));
      const fresh = (await confirmMet(deps.repo, account, claims.evt!, { picked, added }, now)).filter((x) => x.isNew && !counted.has(x.email)).length;
      return c.redirect(`${selfPath(c)}?saved=${fresh || "already"}${fresh ? `&at=${now}` : ""}`, 303);
    } catch (e) {
      if (e instanceof StatementError) {
        if (e.code === "no-such-event") return gone(c, account.email);
        return metPage(c, account, claims, { error: e.message, field: e.about === "added" ? ADD_FIELD[e.code] : undefined, name: one(form, "name"), email: one(form, "email"), picked: all(form, "pick") });
      }
      throw e;
    }
  });

  // A GET only shows the page of its link.
  const pages = { events: (c: C, a: AccountRecord) => eventsPage(c, a), goal: goalPage, met: metPage } as const;
  for (const act of ["events", "goal", "met"] as const)
    app.get(`/l/${act}/:token`, async (c) => {
      const auth = await kit.authorise(c, act);
      return auth instanceof Response ? auth : pages[act](c, auth.account, auth.claims);
    });
}

/**
 * Whom the last scan found first met at `eventId` without the owner saying so: at a large gathering,
 * by the owner's own mail written soon after (events.md); at a smaller event, by attending it, as at
 * any meeting (behaviour.md): the owner may never have written to them.
 */
const foundMetAt = (people: readonly PersonRecord[], eventId: string) => people.filter((p) => !p.gone && p.eventId === eventId && p.metBy !== "confirmed");

/**
 * Whom the met page shows ticked and fixed as counted at `eventId` already: those the owner said they
 * met there, and those the last scan found met there ({@link foundMetAt}).
 */
const countedAt = (confirmations: readonly Confirmation[], people: readonly PersonRecord[], eventId: string): Set<string> =>
  new Set([...confirmations.filter((x) => x.eventId === eventId).map((x) => x.email), ...foundMetAt(people, eventId).map((p) => p.email)]);

/** What a search that found no guest puts under "Someone not on the list?": an address, else a name. */
const prefillOf = (words: string) => {
  const t = words.trim();
  return t.includes("@") ? { name: "", email: t } : { name: t, email: "" };
};

/**
 * The person under "Someone not on the list?" in a POST of the met page's tick form. A search that
 * found no guest puts its words there itself (echoed as `filled`); the fields holding only those
 * (`onlyFilled`) are not the owner's typing, and neither block a search nor go with ticks (helper-227
 * #1, #2). `typed`: the owner typed someone there.
 */
function typedBelow(form: Form) {
  const [name, email] = [one(form, "name"), one(form, "email")];
  const filled = prefillOf(one(form, "filled"));
  const onlyFilled = (filled.name !== "" || filled.email !== "") && name.trim() === filled.name && email.trim() === filled.email;
  return { name, email, onlyFilled, typed: !onlyFilled && (name.trim() !== "" || email.trim() !== "") };
}

/** The "someone not on the list" field each refusal of an added person is about. */
const ADD_FIELD: Partial<Record<StatementError["code"], "name" | "email">> = { "bad-name": "name", "bad-address": "email", owner: "email", colleague: "email", "not-person": "email" };

/** A goal from the form: a whole number; the range is checked by core (one message for both). */
function parseGoal(raw: string): number {
  const t = raw.trim();
  if (!/^\d{1,3}$/.test(t)) throw new StatementError("bad-goal", `A goal is a whole number of new people from ${EVENT_RULES.goalMin} to ${EVENT_RULES.goalMax}.`);
  return Number(t);
}

/** How long after the last key the met page's search says its count to a screen reader. */
const SAY_COUNT_AFTER_MS = 600;

/**
 * Filters the guest list as the owner types (without script the server does, keeping the ticks). On
 * a list grouped by letter it shows only the letters with a match, open, each saying how many; an
 * emptied box gives back the letters as they were, and opens those holding a tick not yet saved.
 */
function searchScript(nonce: string, total: number): Markup {
  return html`<script nonce="${nonce}">
(function () {
  var q = document.getElementById("q"), count = document.getElementById("count");
  // The count is said once the typing pauses, not at each key ("121 of 197 guests match.", "16 of
  // 197 ..." read over the typing; helper-281): while this script runs the count shown is no live
  // region, and a hidden one says it ${SAY_COUNT_AFTER_MS} ms after its last change.
  var said = document.createElement("p"), saying = null;
  said.className = "sr";
  said.setAttribute("role", "status");
  count.removeAttribute("aria-live");
  count.parentNode.insertBefore(said, count.nextSibling);
  var all = function (root, sel) { return Array.prototype.slice.call(root.querySelectorAll(sel)); };
  var items = all(document, "#guests li");
  var none = document.getElementById("none"), save = document.getElementById("save");
  var groups = all(document, "#guests details").map(function (d) {
    var s = d.querySelector("summary");
    return { d: d, s: s, text: d.getAttribute("data-summary"), lis: all(d, "li"), letter: d.getAttribute("data-letter"), total: d.getAttribute("data-total") };
  });
  // As the server folds (core/events searchAttendees): every combining mark, not only the Latin ones.
  var fold = function (s) { return s.normalize("NFKD").replace(/\\p{M}/gu, "").toLowerCase(); };
  var hay = items.map(function (li) { return fold(li.getAttribute("data-search") || ""); });
  // The letters' open state before a search, given back when the box is emptied: on a page opened at
  // a search (the server filtered it), the letters as an unsearched page has them, closed.
  var before = q.value.trim() ? groups.map(function () { return false; }) : null;
  // The list filters as you type, so Search, and Enter in the box, stay on the page. Enter under
  // "Someone not on the list?" goes, as a save: the box's words as shown, which the server reads as
  // no new search. (A browser without the event's submitter sends Search as a search all the same.)
  var go = document.getElementById("go"), enter = document.getElementById("enter"), shownWords = q.form.elements.namedItem("shown");
  // Enter's button skips the browser's address check only for the box, so a half address below does
  // not stop a search; Enter in the address field itself is checked, as Save is (helper-228 #3).
  q.addEventListener("focus", function () { enter.formNoValidate = true; });
  all(document, "#name, #email").forEach(function (f) { f.addEventListener("focus", function () { enter.formNoValidate = false; }); });
  q.form.addEventListener("submit", function (e) {
    var by = e.submitter;
    if (by === go || ((by === enter || !by) && document.activeElement === q)) e.preventDefault();
    else if (by === enter || !by) shownWords.value = q.value;
  });
  // What the server's search put in the form below (it found no guest) goes, unless edited, once a
  // search finds guests or the box is emptied (while nothing matches it stays: helper-202 #7): it
  // would otherwise be sent as someone to add with the ticks.
  var typed = all(document, "[data-from-search]");
  q.addEventListener("input", function () {
    var words = fold(q.value).split(/\\s+/).filter(Boolean), shown = 0;
    items.forEach(function (li, i) {
      var ok = words.every(function (w) { return hay[i].indexOf(w) >= 0; });
      li.hidden = !ok;
      if (ok) shown++;
    });
    if (shown > 0) {
      typed.forEach(function (f) { if (f.value === f.defaultValue) f.value = ""; });
      typed = [];
    }
    if (words.length && !before) before = groups.map(function (g) { return g.d.open; });
    groups.forEach(function (g, k) {
      var n = g.lis.filter(function (li) { return !li.hidden; }).length;
      g.d.hidden = n === 0;
      if (words.length) {
        g.d.open = n > 0;
        g.s.textContent = g.letter + " \\u00b7 " + n + " of " + g.total + (g.total === "1" ? " guest" : " guests");
      } else {
        if (before) g.d.open = before[k] || !!g.d.querySelector("input:checked:not(:disabled)");
        g.s.textContent = g.text;
      }
    });
    if (!words.length) before = null;
    none.hidden = shown > 0;
    save.hidden = shown === 0;
    count.textContent = words.length ? shown + "${matchTail(total)}" : "${guestsText(total)}.";
    clearTimeout(saying);
    saying = setTimeout(function () { said.textContent = count.textContent; }, ${SAY_COUNT_AFTER_MS});
  });
})();
</script>`;
}
