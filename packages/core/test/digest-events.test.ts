/**
 * The digest's networking events (issue 11): "Coming up" with goals and the events link (in every
 * digest), "Your events" with each goal against its result, hours at meetings and events as the
 * union of spans, and drafts that know the event. Each test fails without the change.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { AccountRecord } from "../src/accounts";
import { activityMs, activitySpans } from "../src/digest/activity";
import { buildDigest, type LinkConfig } from "../src/digest/build";
import type { DigestData } from "../src/digest/model";
import { renderDigest } from "../src/digest/render";
import { eventPeople, eventResult, metAgainLine, metricRows, preheaderFor } from "../src/digest/render-format";
import { composeFollowUp, DEFAULT_TEMPLATE, humanDate, metAtEvents } from "../src/followup";
import { networkingEvents } from "../src/events";
import { infer } from "../src/inference";
import { openLink } from "../src/links";
import type { Meeting } from "../src/model";
import type { PersonRecord } from "../src/storage";
import { a, crowd, DAY, HOUR, meeting, MINUTE, NOW, OWNER, sent } from "./support/builders";

const links: LinkConfig = { baseUrl: "https://app.followthrough.test", key: "digest-events-key" };
const account = { ...OWNER, displayName: "Olga Wner", provider: "google", clientId: "c", refreshTokenSealed: "x", status: "active", connectedAt: 0 } as AccountRecord;
const RUNS = { numRuns: 200 };

/** Text content of the HTML, roughly: tags dropped, the entities React writes decoded. */
const visible = (html: string) =>
  html
    .replace(/<style[\s\S]*?<\/style>/g, "")
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/<[^>]+>/g, "")
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
const attr = (u: string) => u.replace(/&/g, "&amp;");
const tokenOf = (url: string) => url.split("/").pop()!;

// ---------------------------------------------------------------------------------------------
// Hours at meetings and networking events
// ---------------------------------------------------------------------------------------------

/** Oracle: minutes covered by at least one span, on a one-minute grid. */
function coveredMinutes(spans: [number, number][]): number {
  const minutes = new Set<number>();
  for (const [s, e] of spans) for (let t = s; t < e; t += MINUTE) minutes.add(t);
  return minutes.size;
}

/** Meetings the owner attended, on whole minutes, ending inside the digest's window (NOW − 7 days, NOW). */
const attendedInWindow = fc
  .array(fc.record({ endMin: fc.integer({ min: 1, max: 7 * 24 * 60 - 1 }), lenMin: fc.integer({ min: 1, max: 6 * 60 }), large: fc.boolean() }), { maxLength: 12 })
  .map((list) =>
    list.map(({ endMin, lenMin, large }) => meeting({ end: NOW - endMin * MINUTE, duration: lenMin * MINUTE, attendees: large ? crowd(30) : ["ext@partner.io"] })),
  );

describe("hours at meetings and networking events", () => {
  it("property: the union of the spans, overlaps counted once", () => {
    fc.assert(
      fc.property(attendedInWindow, (ms) => {
        const got = activityMs(OWNER, ms, NOW);
        expect(got).toBe(coveredMinutes(ms.map((m) => [m.start, m.end])) * MINUTE);
        // Never more than the plain sum; spans come back sorted and disjoint.
        expect(got).toBeLessThanOrEqual(ms.reduce((s, m) => s + (m.end - m.start), 0));
        const spans = activitySpans(OWNER, ms, NOW);
        for (let i = 1; i < spans.length; i++) expect(spans[i][0]).toBeGreaterThan(spans[i - 1][1]);
      }),
      RUNS,
    );
  });

  it("property: all-day events, unattended networking events and events outside the window add nothing", () => {
    const noise = fc.integer({ min: 0, max: 6 }).chain((day) =>
      fc.constantFrom<Meeting>(
        // all day, attended
        meeting({ allDay: true, start: NOW - (day + 2) * DAY, end: NOW - (day + 1) * DAY, title: "Offsite" }),
        // a networking event (keyword, platform, large) the owner never answered or declined
        meeting({ end: NOW - day * DAY - HOUR, title: "Founders Mixer", selfResponse: "needsAction", attendees: ["host@venue.example"] }),
        meeting({ end: NOW - day * DAY - HOUR, title: "Climate Summit", selfResponse: "declined", attendees: crowd(40) }),
        meeting({ end: NOW - day * DAY - HOUR, title: "Talks", selfResponse: undefined, platform: "luma", attendees: ["host@venue.example"] }),
        // a cancelled networking event
        meeting({ end: NOW - day * DAY - HOUR, title: "Demo Day", cancelled: true }),
        // ended before the window, or not yet ended
        meeting({ end: NOW - 7 * DAY - (day + 1) * HOUR }),
        meeting({ start: NOW - HOUR, end: NOW + (day + 1) * HOUR }),
      ),
    );
    fc.assert(
      fc.property(attendedInWindow, fc.array(noise, { maxLength: 6 }), (ms, extra) => {
        expect(activityMs(OWNER, [...ms, ...extra], NOW)).toBe(activityMs(OWNER, ms, NOW));
      }),
      RUNS,
    );
  });

  it("a large gathering that is a networking event and a Gmail ticket are counted; an internal all-hands too (it is a meeting)", () => {
    const reception = meeting({ title: "Partner reception", start: NOW - 3 * DAY, duration: 3 * HOUR, attendees: crowd(60) });
    const ticket = meeting({ title: "AI Summit", kind: "fromGmail", organizerSelf: true, selfResponse: undefined, attendees: [], start: NOW - 2 * DAY, duration: 2 * HOUR });
    const allHands = meeting({ title: "All hands", start: NOW - 4 * DAY, duration: HOUR, attendees: crowd(30, {}, "acme.io") });
    expect(activityMs(OWNER, [reception], NOW)).toBe(3 * HOUR);
    expect(activityMs(OWNER, [ticket], NOW)).toBe(2 * HOUR);
    // A ticket the owner unmarked is no networking event, and no meeting of behaviour.md either.
    expect(activityMs(OWNER, [ticket], NOW, new Map([[ticket.id, false]]))).toBe(0);
    expect(activityMs(OWNER, [reception, ticket, allHands], NOW)).toBe(6 * HOUR);
    // A 1:1 inside the reception's span is counted once.
    const inside = meeting({ start: NOW - 3 * DAY + HOUR, duration: HOUR });
    expect(activityMs(OWNER, [reception, inside], NOW)).toBe(3 * HOUR);
  });

  it("the digest shows it with last week's value beside it", () => {
    const thisWeek = [meeting({ start: NOW - 2 * DAY, duration: 2 * HOUR }), meeting({ start: NOW - 2 * DAY + HOUR, duration: 2 * HOUR }), meeting({ title: "AI Summit", kind: "fromGmail", organizerSelf: true, selfResponse: undefined, attendees: [], start: NOW - DAY, duration: 90 * MINUTE })];
    const lastWeek = [meeting({ start: NOW - 9 * DAY, duration: HOUR }), meeting({ allDay: true, start: NOW - 10 * DAY, end: NOW - 9 * DAY - 12 * HOUR })];
    const d = buildDigest({ account, meetings: [...thisWeek, ...lastWeek], messages: [], people: [], now: NOW, links });
    expect(d.metrics.hoursAtMeetingsAndEvents).toEqual({ value: 4.5, previous: 1 });
  });
});

// ---------------------------------------------------------------------------------------------
// Coming up, Your events, and the events link
// ---------------------------------------------------------------------------------------------

/** Upcoming: a mixer with a goal, a Luma event without one (Europe/Berlin is the owner's zone). */
const mixer = meeting({ id: "ev-mixer", title: "Founders Mixer", start: Date.UTC(2026, 2, 19, 17, 30), duration: 3 * HOUR, attendees: ["host@venue.example"] });
const luma = meeting({ id: "ev-luma", title: "AI Tinkerers", start: Date.UTC(2026, 2, 21, 10, 0), duration: 2 * HOUR, platform: "luma", attendees: [] });
const later = meeting({ id: "ev-later", title: "Climate Summit", start: NOW + 8 * DAY, attendees: ["host@venue.example"] });
/** Attended two days ago: a demo day where the owner met Ana (written to since) and Ben (not yet). */
const demoDay = meeting({ id: "ev-demo", title: "Demo Day", start: NOW - 3 * DAY, duration: 3 * HOUR, attendees: [a("ana@north.example", { name: "Ana Souza" }), a("ben@south.example", { name: "Ben Ito" })] });
const wroteAna = sent({ to: ["ana@north.example"], sentAt: NOW - DAY });
const goals = new Map([["ev-mixer", 3], ["ev-demo", 3]]);

function eventsDigest(goalMap = goals): DigestData {
  return buildDigest({ account, meetings: [mixer, luma, later, demoDay], messages: [wroteAna], people: [], now: NOW, links, statements: { goals: goalMap, marks: new Map(), confirmations: [] } });
}

describe("Coming up", () => {
  it("lists the upcoming networking events with local time, goal and a goal link carrying the event", () => {
    const d = eventsDigest();
    expect(d.events.upcoming.map((e) => e.eventId)).toEqual(["ev-mixer", "ev-luma"]);
    const [m, l] = d.events.upcoming;
    expect(m).toMatchObject({ title: "Founders Mixer", when: "Thu 19 Mar, 18:30", goal: 3 });
    expect(l.goal).toBeUndefined();
    for (const e of d.events.upcoming) expect(openLink(links.key, tokenOf(e.goalUrl), NOW, { act: "goal", acc: account.email })).toMatchObject({ evt: e.eventId });
    expect(openLink(links.key, tokenOf(d.events.eventsUrl), NOW, { act: "events", acc: account.email }).evt).toBeUndefined();
    expect(new URL(d.events.eventsUrl).pathname).toMatch(/^\/l\/events\//);
  });

  it("text and HTML: a goal shown and changeable, a missing goal settable, link texts that name the event", async () => {
    const d = eventsDigest();
    const { html, text } = await renderDigest(d);
    const [m, l] = d.events.upcoming;
    expect(text).toContain("Coming up\n");
    expect(text).toContain("* Founders Mixer, Thu 19 Mar, 18:30\n  Your goal: meet 3 new people.");
    expect(text).toContain(`  Change the goal for Founders Mixer: ${m.goalUrl}`);
    expect(text).toContain(`* AI Tinkerers, Sat 21 Mar, 11:00\n  No goal set yet.\n  Set a goal for AI Tinkerers: ${l.goalUrl}`);
    expect(text).toContain(`Mark or unmark your networking events (next 14 days): ${d.events.eventsUrl}`);
    expect(html).toMatch(/<h2[^>]*>Coming up<\/h2>/);
    expect(html).toMatch(/<h3[^>]*>Founders Mixer<\/h3>/);
    expect(html).toMatch(new RegExp(`<a[^>]*href="${attr(m.goalUrl)}"[^>]*>Change the goal for Founders Mixer</a>`));
    expect(html).toMatch(new RegExp(`<a[^>]*href="${attr(l.goalUrl)}"[^>]*>Set a goal for AI Tinkerers</a>`));
    expect(html).toMatch(new RegExp(`<a[^>]*href="${attr(d.events.eventsUrl)}"[^>]*>Mark or unmark your networking events \\(next 14 days\\)</a>`));
    expect(visible(html)).toContain("Your goal: meet 3 new people.");
    expect(visible(html)).toContain("No goal set yet.");
    // The inbox preview names the next event.
    expect((await renderDigest(d)).preheader).toContain("Coming up: Founders Mixer, Thu 19 Mar, 18:30.");
  });

  it("the inbox preview goes out whole: React Email's <Preview> keeps 150 characters, so a longer line is never cut mid-date", async () => {
    // o-events as of its now (helper-277): "… Coming up: DevRelCon speakers' happy hour, Thu 5 Nov" lost its ", 17:30."
    const d = eventsDigest();
    d.events.upcoming[0].title = "Product Meetup — speaker night with the Shoreditch founders";
    const card = (i: number) => ({ email: `p${i}@x.io`, name: `Maximilian Featherstonehaugh ${i}`, firstName: "Maximilian", eventTitle: "Intro", metAt: new Date(NOW - 3 * DAY).toISOString(), metOn: "Mon 16 Mar", daysAgo: 3, draftUrl: d.webUrl, dismissUrl: d.webUrl, drafted: false });
    d.missing = [1, 2, 3, 4, 5].map(card);
    const r = await renderDigest(d);
    expect(visible(r.html)).toContain(r.preheader);
    expect(r.preheader.length).toBeLessThanOrEqual(150);
    expect(r.preheader).not.toContain("Coming up");
    // A name made of astral characters counts two code units each, as <Preview> counts them.
    d.missing[0].name = "🦊".repeat(40);
    d.missing[1].name = "🦊".repeat(40);
    const astral = await renderDigest(d);
    expect(astral.preheader.length).toBeLessThanOrEqual(150);
    expect(visible(astral.html)).toContain(astral.preheader);
    // One that fits keeps its "Coming up" whole.
    expect((await renderDigest(eventsDigest())).preheader).toMatch(/Coming up: Founders Mixer, Thu 19 Mar, 18:30\.$/);
  });

  it("a preview line too long even without \"Coming up\" is cut after a whole word, with an ellipsis", () => {
    const d = eventsDigest();
    const name = "Bartholomew Featherstonehaugh-Wolfington"; // 40 characters: no name is cut
    d.missing = [1, 2, 3, 4, 5].map((i) => ({ email: `p${i}@x.io`, name, firstName: "Bartholomew", eventTitle: "Intro", metAt: new Date(NOW - 3 * DAY).toISOString(), metOn: "Mon 16 Mar", daysAgo: 3, draftUrl: d.webUrl, dismissUrl: d.webUrl, drafted: false }));
    const whole = preheaderFor({ ...d, missing: d.missing.slice(0, 1) }).replace(/^Follow up with [^—]+ — /, `Follow up with ${name}, ${name} and 3 more — `).replace(/ Coming up:.*$/, "");
    expect(whole.length).toBeGreaterThan(150);
    const cut = preheaderFor(d);
    expect(cut.length).toBeLessThanOrEqual(150);
    expect(cut.endsWith("…")).toBe(true);
    const kept = cut.slice(0, -1);
    expect(whole.startsWith(kept)).toBe(true);
    // What follows the kept text in the whole line starts a new word (or is its punctuation).
    expect(whole[kept.length]).toMatch(/[\s,.;:]/);
  });
});

describe("Your events", () => {
  it("an attended event with a goal of 3 and 2 met, 1 followed up: the result against the goal, and the met link", async () => {
    const d = eventsDigest();
    expect(d.events.attended).toHaveLength(1);
    const e = d.events.attended[0];
    expect(e).toMatchObject({ eventId: "ev-demo", title: "Demo Day", goal: 3, followedUp: 1, goalMet: false });
    expect(e.met.map((p) => [p.name, p.followedUp])).toEqual([["Ana Souza", true], ["Ben Ito", false]]);
    expect(openLink(links.key, tokenOf(e.metUrl), NOW, { act: "met", acc: account.email })).toMatchObject({ evt: "ev-demo" });
    const { html, text } = await renderDigest(d);
    expect(text).toContain("Your events (1)\n");
    expect(text).toContain("  Goal 3 · met 2 new people · 1 of 2 followed up · 1 short of your goal\n  Followed up: Ana Souza · Not yet followed up: Ben Ito");
    expect(text).toContain(`  Say whom you met at Demo Day: ${e.metUrl}`);
    expect(html).toMatch(/<h2[^>]*>Your events \(1\)<\/h2>/);
    expect(html).toMatch(/<h3[^>]*>Demo Day<\/h3>/);
    expect(visible(html)).toContain("Goal 3 · met 2 new people · 1 of 2 followed up · 1 short of your goal");
    expect(visible(html)).toContain("Followed up: Ana Souza · Not yet followed up: Ben Ito");
    expect(html).toMatch(new RegExp(`<a[^>]*href="${attr(e.metUrl)}"[^>]*>Say whom you met at Demo Day</a>`));
    // The summary under the numbers says how many of the week's new people came from events, and the goals' verdict.
    expect(text).toContain("1 meeting → 2 new people this week (2 at 1 networking event; goal met at 0 of 1).");
    expect(visible(html)).toContain("1 meeting → 2 new people this week (2 at 1 networking event; goal met at 0 of 1).");
  });

  it("goal met when met ≥ goal; no goal, no verdict", async () => {
    const met = eventsDigest(new Map([["ev-demo", 2]])).events.attended[0];
    expect(met.goalMet).toBe(true);
    const none = eventsDigest(new Map()).events.attended[0];
    expect(none.goalMet).toBe(false);
    expect(none.goal).toBeUndefined();
    const text = (await renderDigest(eventsDigest(new Map([["ev-demo", 2]])))).text;
    expect(text).toContain("Goal 2 · met 2 new people · 1 of 2 followed up · goal met");
    expect((await renderDigest(eventsDigest(new Map()))).text).toContain("  Met 2 new people · 1 of 2 followed up\n");
  });

  it("a later meeting still ahead counts as followed up, as the scan reports it (behaviour.md: 'even if it is still in the future')", async () => {
    // Ben has a coffee booked two days from now; Ana was written to. Both are followed up.
    const coffee = meeting({ id: "coffee-ben", title: "Coffee", start: NOW + 2 * DAY, attendees: [a("ben@south.example", { name: "Ben Ito" })] });
    const d = buildDigest({ account, meetings: [demoDay, coffee], messages: [wroteAna], people: [], now: NOW, links, statements: { goals, marks: new Map(), confirmations: [] } });
    const e = d.events.attended[0];
    expect(e.met.map((p) => [p.name, p.followedUp])).toEqual([["Ana Souza", true], ["Ben Ito", true]]);
    expect(e.followedUp).toBe(2);
    // The same count the scan's networkingEvents gives for the event.
    const scanned = networkingEvents(account, [demoDay, coffee], infer(account, [demoDay, coffee], [wroteAna], NOW).contacts, NOW).attended[0];
    expect(scanned.followedUp.map((c) => c.email)).toEqual(e.met.filter((p) => p.followedUp).map((p) => p.email));
    expect((await renderDigest(d)).text).toContain("2 of 2 followed up");
  });

  it("the follow-up rate counts a later meeting still ahead as the lists do, and a second meeting is counted once, in the week it is held", () => {
    // Dan: met three days ago at a 1:1, a second meeting booked twenty days on. Nobody else.
    const first = meeting({ id: "dan-1", title: "Intro", start: NOW - 3 * DAY, attendees: [a("dan@west.example", { name: "Dan West" })] });
    const second = meeting({ id: "dan-2", title: "Follow-up", start: NOW + 20 * DAY, attendees: [a("dan@west.example", { name: "Dan West" })] });
    const at = (now: number) => buildDigest({ account, meetings: [first, second], messages: [], people: [], now, links });
    const d = at(NOW);
    expect(d.missing).toEqual([]);
    expect(d.rateBasis).toMatchObject({ followed: 1, eligible: 1 });
    expect(d.metrics.followUpRate.value).toBe(1);
    // Counted the week it is held, and that week only (not in each of the weeks before it).
    expect([NOW, NOW + 7 * DAY, NOW + 14 * DAY, NOW + 21 * DAY, NOW + 28 * DAY].map((t) => at(t).metrics.secondMeetings.value)).toEqual([0, 0, 0, 1, 0]);
  });

  it("new people newest first; one with a meeting ahead says when and is no reason for 'nothing overdue yet' (helper-242 #2, #6)", async () => {
    const older = meeting({ id: "dan-1", title: "Intro", start: NOW - 3 * DAY, attendees: [a("dan@west.example", { name: "Dan West" })] });
    const booked = meeting({ id: "dan-2", title: "Follow-up", start: NOW + 2 * DAY, attendees: [a("dan@west.example", { name: "Dan West" })] });
    const newer = meeting({ id: "eve-1", title: "Coffee", start: NOW - 10 * HOUR, attendees: [a("eve@east.example", { name: "Eve East" })] });
    const d = buildDigest({ account, meetings: [older, booked, newer], messages: [], people: [], now: NOW, links });
    expect(d.missing).toEqual([]);
    expect(d.newPeople.map((p) => [p.email, p.meetsAgainOn])).toEqual([
      ["eve@east.example", undefined],
      ["dan@west.example", expect.stringMatching(/^\w{3} \d{1,2} \w{3,4}$/)],
    ]);
    expect((await renderDigest(d)).subject).toBe("Your week: nothing overdue yet");
    const onlyBooked = buildDigest({ account, meetings: [older, booked], messages: [], people: [], now: NOW, links });
    const r = await renderDigest(onlyBooked);
    expect(r.subject).toBe("Your week: all caught up");
    expect(r.text).toMatch(/Dan West <dan@west\.example>, met at Intro on .+; you meet again on \w{3} \d{1,2} \w{3,4}/);
  });

  it("people the owner confirmed who were already in touch are named apart and not counted", () => {
    const known = sent({ to: [{ email: "cleo@east.example", name: "Cleo Park" }], sentAt: NOW - 60 * DAY });
    const d = buildDigest({
      account, meetings: [demoDay], messages: [wroteAna, known], people: [], now: NOW, links,
      statements: { confirmations: [{ eventId: "ev-demo", email: "cleo@east.example", name: "Cleo Park", at: NOW }] },
    });
    const e = d.events.attended[0];
    expect(e.met.map((p) => p.email)).toEqual(["ana@north.example", "ben@south.example"]);
    expect(e.alreadyInTouch).toEqual(["Cleo Park"]);
  });

  it("one of them without a name is named by the address as the guest list wrote it", () => {
    const withDee = { ...demoDay, attendees: [...demoDay.attendees, a("deepark@gmail.com", { address: "Dee.Park+conf@gmail.com" })] };
    const known = sent({ to: ["deepark@gmail.com"], sentAt: NOW - 60 * DAY });
    const d = buildDigest({
      account, meetings: [withDee], messages: [wroteAna, known], people: [], now: NOW, links,
      statements: { confirmations: [{ eventId: "ev-demo", email: "deepark@gmail.com", name: "", at: NOW }] },
    });
    expect(d.events.attended[0].alreadyInTouch).toEqual(["Dee.Park+conf@gmail.com"]);
  });
});

describe("the events link is in every digest", () => {
  it("a quiet digest (nothing at all) says there is no event coming and still links the events page, text and HTML", async () => {
    const d = buildDigest({ account, meetings: [], messages: [], people: [], now: NOW, links });
    expect(d.quiet).toBe(true);
    expect(d.events).toMatchObject({ upcoming: [], attended: [] });
    const { html, text, subject } = await renderDigest(d);
    expect(subject).toBe("A quiet week — nothing waiting");
    expect(text).toContain(`Coming up\n---------\nNo networking events in your calendar for the next 7 days.\n\nMark or unmark your networking events (next 14 days): ${d.events.eventsUrl}`);
    expect(html).toMatch(/<h2[^>]*>Coming up<\/h2>/);
    expect(visible(html)).toContain("No networking events in your calendar for the next 7 days.");
    expect(html).toContain(`href="${attr(d.events.eventsUrl)}"`);
    expect(text).not.toContain("Your events");
  });

  it("a week with an upcoming event is not quiet", () => {
    expect(buildDigest({ account, meetings: [mixer], messages: [], people: [], now: NOW, links }).quiet).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// Drafts that know the event
// ---------------------------------------------------------------------------------------------

describe("drafts of people met at a networking event", () => {
  const person = (over: Partial<PersonRecord> = {}): PersonRecord => ({
    email: "ben@south.example", name: "Ben Ito", eventId: "ev-demo", eventTitle: "Demo Day", metAt: demoDay.start, metEnd: demoDay.end, stage: "met", ...over,
  });

  it("get the 'After an event' template by default; old records and ordinary meetings keep the default", () => {
    const d = composeFollowUp(account, person({ atEvent: true }), undefined, NOW);
    expect(d.subject).toBe("Great to meet you at Demo Day");
    expect(d.text).toBe("Hi Ben,\n\nIt was great to meet you at Demo Day on Friday 13 March. I'd be glad to stay in touch; let me know if there's anything I can help with.\n\nBest,\nOlga");
    const old = composeFollowUp(account, person(), undefined, NOW);
    expect(old.subject).toBe("Great to meet you, Ben");
    expect(old.text).toContain("It was good to meet you at Demo Day on Friday 13 March. I enjoyed our conversation");
  });

  it("the owner's own template and subject win; a month on, the plain late subject", () => {
    const own = composeFollowUp({ ...account, template: "Hey {firstName}!", subjectTemplate: "Hi from {ownerName}" }, person({ atEvent: true }), undefined, NOW);
    expect([own.subject, own.text]).toEqual(["Hi from Olga", "Hey Ben!"]);
    const bodyOnly = composeFollowUp({ ...account, template: "Hey {firstName}!" }, person({ atEvent: true }), undefined, NOW);
    expect(bodyOnly.text).toBe("Hey Ben!");
    expect(composeFollowUp(account, person({ atEvent: true }), undefined, demoDay.start + 30 * DAY).subject).toBe("Following up from Demo Day");
    expect(DEFAULT_TEMPLATE).not.toContain("great to meet");
  });

  it("metAtEvents: a first meeting that is a networking event, met at a large gathering or confirmed; not an ordinary meeting", () => {
    const coffee = meeting({ id: "ev-coffee", title: "Coffee", start: NOW - 5 * DAY, attendees: ["dan@west.example"] });
    const reception = meeting({ id: "ev-rec", title: "Partner reception", start: NOW - 4 * DAY, attendees: [...crowd(30), a("eve@far.example")] });
    const marked = meeting({ id: "ev-marked", title: "Dinner", start: NOW - 6 * DAY, attendees: ["fay@near.example"] });
    const all = [demoDay, coffee, reception, marked];
    const messages = [wroteAna, sent({ to: ["eve@far.example"], sentAt: NOW - 3 * DAY })];
    const marks = new Map([["ev-marked", true]]);
    const r = infer(OWNER, all, messages, NOW, { confirmations: [{ eventId: "ev-rec", email: "gus@far.example", name: "Gus" }] });
    const at = metAtEvents(OWNER, all, r.contacts, marks);
    expect([...at].sort()).toEqual(["ana@north.example", "ben@south.example", "eve@far.example", "fay@near.example", "gus@far.example"]);
    expect(at.has("dan@west.example")).toBe(false);
    // Unmarked, the dinner is an ordinary meeting again.
    expect(metAtEvents(OWNER, all, r.contacts, new Map([["ev-marked", false]])).has("fay@near.example")).toBe(false);
  });
});

describe("a person dismissed ('no follow-up needed')", () => {
  it("appears nowhere in the digest's lists and does not lower its follow-up rate (helper-70 finding 5)", () => {
    // Dan, met three days ago and never written to; Eve, met three days ago and written to.
    const dan = meeting({ id: "m-dan", end: NOW - 3 * DAY, attendees: ["dan@partner.io"] });
    const eve = meeting({ id: "m-eve", end: NOW - 3 * DAY, attendees: ["eve@partner.io"] });
    const wroteEve = sent({ to: ["eve@partner.io"], sentAt: NOW - 2 * DAY });
    const person = (email: string, eventId: string, stage: PersonRecord["stage"]) => ({ email, name: "", eventId, eventTitle: "Coffee", metAt: NOW - 3 * DAY - HOUR, metEnd: NOW - 3 * DAY, stage }) as PersonRecord;
    const before = buildDigest({ account, meetings: [dan, eve], messages: [wroteEve], people: [person("dan@partner.io", "m-dan", "met")], now: NOW, links });
    expect(before.missing.map((p) => p.email)).toEqual(["dan@partner.io"]);
    expect(before.metrics.followUpRate.value).toBe(0.5);
    const after = buildDigest({ account, meetings: [dan, eve], messages: [wroteEve], people: [person("dan@partner.io", "m-dan", "dismissed")], now: NOW, links });
    expect(after.missing).toEqual([]);
    expect(after.newPeople.map((p) => p.email)).not.toContain("dan@partner.io");
    expect(after.metrics.followUpRate.value).toBe(1);
    // Dan alone this week, dismissed: met (the number says 1), so the week is not "quiet", and the
    // preview line does not say "No new people" beside "1 new person".
    const alone = buildDigest({ account, meetings: [dan], messages: [], people: [person("dan@partner.io", "m-dan", "dismissed")], now: NOW, links });
    expect(alone.metrics.newPeopleMet.value).toBe(1);
    expect(alone.quiet).toBe(false);
    expect(preheaderFor(alone)).not.toMatch(/No new people/);
  });
});

describe("a person dismissed, then written to or met at an event (helper-139 #1)", () => {
  it("is neither 'Followed up' nor 'Waiting' in the digest, while still counted as met at the event", () => {
    const mixerNow = meeting({ id: "m-mix", title: "Founders Mixer", end: NOW - 3 * DAY, attendees: ["dan@partner.io", "eve@partner.io"] });
    const wrote = [sent({ to: ["dan@partner.io"], sentAt: NOW - 2 * DAY })];
    const person = (email: string, stage: PersonRecord["stage"]) => ({ email, name: "", eventId: "m-mix", eventTitle: "Founders Mixer", metAt: NOW - 3 * DAY - HOUR, metEnd: NOW - 3 * DAY, stage }) as PersonRecord;
    const d = buildDigest({ account, meetings: [mixerNow], messages: wrote, people: [person("dan@partner.io", "dismissed"), person("eve@partner.io", "dismissed")], now: NOW, links });
    expect(d.wins.map((p) => p.email)).toEqual([]);
    expect(d.missing).toEqual([]);
    const at = d.events.attended.find((e) => e.eventId === "m-mix")!;
    expect(at.met.map((p) => p.email).sort()).toEqual(["dan@partner.io", "eve@partner.io"]);
    // Named in neither of the event's lists: Dan, written to, was under "Followed up:" until 2026-12-07.
    expect(eventPeople(at)).toBe("");
    expect(eventResult(at)).toMatch(/^Met 2 new people · 1 of 2 followed up/);
  });

  it("met again this week: counted in \"Second meetings\", named in no \"Met again\" line", async () => {
    const first = meeting({ id: "m-first", end: NOW - 10 * DAY, attendees: [a("dan@partner.io", { name: "Dan Reyes" })] });
    const again = meeting({ id: "m-again", end: NOW - 2 * DAY, attendees: ["dan@partner.io"] });
    const dismissed = { email: "dan@partner.io", name: "Dan Reyes", eventId: "m-first", eventTitle: "Coffee", metAt: first.start, metEnd: first.end, stage: "dismissed" } as PersonRecord;
    const d = buildDigest({ account, meetings: [first, again], messages: [], people: [dismissed], now: NOW, links });
    expect(d.metrics.secondMeetings.value).toBe(1);
    expect(d.metAgain).toEqual([]);
    const { text, html } = await renderDigest(d);
    expect(text).not.toContain("Dan Reyes");
    expect(html).not.toContain("Dan Reyes");
  });
});

describe("a person without a name (helper-139 #4)", () => {
  it("is shown by the address as written on the meeting, not by its normalised form", () => {
    const dee = meeting({ id: "m-dee", end: NOW - 3 * DAY, attendees: [a("deepark@gmail.com", { address: "Dee.Park+conf@gmail.com" })] });
    const d = buildDigest({ account, meetings: [dee], messages: [], people: [], now: NOW, links });
    expect(d.missing.map((p) => [p.email, p.name])).toEqual([["deepark@gmail.com", "Dee.Park+conf@gmail.com"]]);
  });
});

describe("a week with nobody to follow up (helper-70 finding 6)", () => {
  it("shows no rate (not 0 %, not a fall from last week's), and the preview line names none", async () => {
    // Last week: Ana met and written to (100 %). This week: nobody met 1–30 days ago any more.
    const ana = meeting({ id: "m-ana", end: NOW - 32 * DAY + 3 * DAY, attendees: ["ana@partner.io"] });
    const wrote = sent({ to: ["ana@partner.io"], sentAt: NOW - 28 * DAY });
    const d = buildDigest({ account, meetings: [ana], messages: [wrote], people: [], now: NOW + 4 * DAY, links });
    expect(d.rateBasis).toMatchObject({ eligible: 0, previousEligible: 1 });
    const row = metricRows(d).find((r) => r.key === "followUpRate")!;
    expect(row).toMatchObject({ value: "–", trend: "same" });
    expect(preheaderFor(d)).not.toMatch(/%/);
    const { text } = await renderDigest(d);
    expect(text).not.toMatch(/0%|▼ 100/);
  });
});

describe("second meetings (helper-70 finding 4)", () => {
  it("count a later meeting held this week even when mail came first", () => {
    // Ana: met 10 days ago, written to 9 days ago, coffee again 2 days ago.
    const first = meeting({ id: "m-first", end: NOW - 10 * DAY, attendees: ["ana@partner.io"] });
    const again = meeting({ id: "m-again", end: NOW - 2 * DAY, attendees: ["ana@partner.io"] });
    const wrote = sent({ to: ["ana@partner.io"], sentAt: NOW - 9 * DAY });
    const d = buildDigest({ account, meetings: [first, again], messages: [wrote], people: [], now: NOW, links });
    expect(d.metrics.secondMeetings.value).toBe(1);
    // A week later it is last week's.
    expect(buildDigest({ account, meetings: [first, again], messages: [wrote], people: [], now: NOW + 7 * DAY, links }).metrics.secondMeetings).toEqual({ value: 0, previous: 1 });
  });

  it("name whom they count: Ana, met again after her follow-up by mail, is in no other list of the digest", async () => {
    const first = meeting({ id: "m-first", end: NOW - 10 * DAY, attendees: [a("ana@partner.io", { name: "Ana Souza" })] });
    const again = meeting({ id: "m-again", end: NOW - 2 * DAY, attendees: ["ana@partner.io"] });
    const wrote = sent({ to: ["ana@partner.io"], sentAt: NOW - 9 * DAY });
    const d = buildDigest({ account, meetings: [first, again], messages: [wrote], people: [], now: NOW, links });
    expect(d.metAgain).toEqual([{ email: "ana@partner.io", name: "Ana Souza", on: humanDate(again.start, account.timeZone) }]);
    expect([...d.missing, ...d.wins, ...d.newPeople].map((p) => p.email)).not.toContain("ana@partner.io");
    const { text, html } = await renderDigest(d);
    const line = `Met again this week: Ana Souza (${d.metAgain![0]!.on}).`;
    expect(text).toContain(line);
    expect(html).toContain(line);
    // Nobody met again: no line.
    const none = buildDigest({ account, meetings: [first], messages: [wrote], people: [], now: NOW, links });
    expect(none.metAgain).toEqual([]);
    expect((await renderDigest(none)).text).not.toContain("Met again");
  });

  it("name at most five, then count the rest", () => {
    const on = "Mon 1 Jun";
    const people = Array.from({ length: 7 }, (_, i) => ({ email: `p${i}@x.io`, name: `P${i}`, on }));
    expect(metAgainLine({ metAgain: people })).toBe("Met again this week: P0 (Mon 1 Jun), P1 (Mon 1 Jun), P2 (Mon 1 Jun), P3 (Mon 1 Jun), P4 (Mon 1 Jun) and 2 more.");
    expect(metAgainLine({ metAgain: people.slice(0, 2) })).toBe("Met again this week: P0 (Mon 1 Jun) and P1 (Mon 1 Jun).");
    expect(metAgainLine({})).toBe("");
  });
});

describe("the waiting list's order", () => {
  it("newest first by the first meeting's start (the date each card shows), people met at the same meeting by address", () => {
    // A two-day workshop that began before, and ended after, a one-hour meeting; an older meeting
    // with two people. By when the meeting ended, the workshop's person would come first.
    const workshop = meeting({ start: NOW - 4 * DAY, end: NOW - 2 * DAY, attendees: ["wanda@workshop.example"] });
    const coffee = meeting({ start: NOW - 3 * DAY, duration: HOUR, attendees: ["bo@coffee.example"] });
    const older = meeting({ start: NOW - 10 * DAY, duration: HOUR, attendees: ["zed@pair.example", "amy@pair.example"] });
    const d = buildDigest({ account, meetings: [older, workshop, coffee], messages: [], people: [], now: NOW, links });
    expect(d.missing.map((m) => m.email)).toEqual(["bo@coffee.example", "wanda@workshop.example", "amy@pair.example", "zed@pair.example"]);
  });
});
