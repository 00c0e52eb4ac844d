/**
 * The events pages over HTTP (dynalite, the real app): the events page of the next 14 days (mark,
 * unmark, goal), one event's goal page, and "who did you meet" on a 200-guest conference (search,
 * pick, add, take back), with the refusals a person can run into: a bad goal, an address that is the
 * owner's or a colleague's, a pick that is not on the list, a form from another origin, a link for
 * another account. A GET never changes anything.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { loadAccount, saveAccount, updateAccount } from "@followthrough/core/accounts";
import { confirmMet, isOver, loadStatements, markEvent, recordKnownConfirmations, unconfirmMet } from "@followthrough/core/events";
import { ownerIdentity } from "@followthrough/core/identity";
import { infer } from "@followthrough/core/inference";
import { linkPath, sealLink } from "@followthrough/core/links";
import type { Meeting } from "@followthrough/core/model";
import { randomKeyring } from "@followthrough/core/secrets";
import { keys, type LocalDynamo, putMeetings, putMessages, Repository, startLocalDynamo } from "@followthrough/core/storage";
import { createApp } from "../src/app";
import { eventTag, GROUP_GUESTS_ABOVE, groupGuests, guestLetter } from "../src/events";

const BASE = "http://app.test";
const KEY = "events-pages-test-link-key-0123456789";
const SAME = { origin: BASE, "sec-fetch-site": "same-origin", "content-type": "application/x-www-form-urlencoded" };
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.parse("2026-06-10T09:00:00Z");
const OWNER = "mara@lumenworks.io";
const zone = "Europe/London";

const guest = (i: number) => ({ email: `guest${String(i).padStart(3, "0")}@company${i % 40}.com`, name: `Guest ${String(i).padStart(3, "0")}`, response: "accepted" as const, resource: false, organizer: false });
const meeting = (id: string, title: string, start: number, hours: number, extra: Partial<Meeting> = {}): Meeting => ({
  id, title, start, end: start + hours * HOUR, allDay: false, cancelled: false, kind: "default", organizerSelf: false, selfResponse: "accepted",
  organizer: { email: "hosts@eventco.com", name: "Hosts" },
  attendees: [{ email: "ivo@otherco.com", name: "Ivo Petrov", response: "accepted", resource: false, organizer: false }],
  ...extra,
});
const conference = meeting("conf-1", "Climate Tech Summit", NOW - 2 * DAY, 8, {
  attendees: [
    ...Array.from({ length: 197 }, (_, i) => guest(i)),
    { email: "zoe.chateau@kestrel.vc", name: "Zoë Château", response: "accepted", resource: false, organizer: false },
    { email: "dev@lumenworks.io", name: "A Colleague", response: "accepted", resource: false, organizer: false },
    { email: "gone@company1.com", name: "Declined Guest", response: "declined", resource: false, organizer: false },
  ],
});
const person = (email: string, name: string) => ({ email, name, response: "accepted" as const, resource: false, organizer: false });
// One guest over the threshold (30 listed and the organiser), with names from A–Z and beyond; and one at it.
const unusual = [
  person("angel.ruiz@sierra.es", "ángel ruiz"),
  person("asa.berg@fjord.se", "Åsa Berg"),
  person("emile.durand@lumiere.fr", "Émile Durand"),
  person("oystein.lie@nordlys.no", "Øystein Lie"),
  person("lucja.nowak@wisla.pl", "Łucja Nowak"),
  person("zoe.park@hanriver.kr", "Zoë Park"),
  person("li.ming@changjiang.cn", "李明"),
  person("xavier@noname.org", ""),
];
const bigMeetup = meeting("meetup-31", "Hardware Meetup", NOW - 3 * DAY, 3, {
  attendees: [...unusual, ...Array.from({ length: GROUP_GUESTS_ABOVE - unusual.length }, (_, i) => person(`g${i}@meetupco.org`, `Guest M${String(i).padStart(2, "0")}`))],
});
const smallMeetup = meeting("meetup-30", "Small Meetup", NOW - 3 * DAY, 3, {
  attendees: Array.from({ length: GROUP_GUESTS_ABOVE - 1 }, (_, i) => person(`s${i}@smallco.org`, `Small ${String(i).padStart(2, "0")}`)),
});
const meetings = [
  conference,
  bigMeetup,
  smallMeetup,
  meeting("mixer-1", "Founders Mixer", NOW + 2 * DAY, 3),
  meeting("lunch-1", "Lunch with Ivo", NOW + 3 * DAY, 1),
  meeting("later-1", "Product Meetup", NOW + 20 * DAY, 2), // beyond 14 days
  meeting("declined-1", "Design Meetup", NOW + 4 * DAY, 2, { selfResponse: "declined" }),
];

let dynamo: LocalDynamo;
let repo: Repository;
let app: ReturnType<typeof createApp>;


const link = (act: "events" | "goal" | "met", evt?: string, acc = OWNER) => linkPath(act, sealLink(KEY, { act, acc, ...(evt ? { evt } : {}) }, NOW));
const post = (path: string, body: Record<string, string | string[]>, headers: Record<string, string> = SAME) => {
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(body)) for (const x of [v].flat()) form.append(k, x);
  return app.request(path, { method: "POST", body: form.toString(), headers });
};
const text = async (res: Response) => (await res.text()).replace(/\s+/g, " ");

beforeAll(async () => {
  dynamo = await startLocalDynamo();
  repo = new Repository(dynamo.doc, dynamo.tableName);
  await saveAccount(repo, randomKeyring(), { email: OWNER, provider: "google", clientId: "c", refreshToken: "r", connectedAt: NOW - 30 * DAY, aliases: [], displayName: "Mara Quinn", timeZone: zone, status: "active" });
  await saveAccount(repo, randomKeyring(), { email: "other@elsewhere.org", provider: "google", clientId: "c", refreshToken: "r", connectedAt: NOW, aliases: [], displayName: "Other", timeZone: zone, status: "active" });
  await putMeetings(repo, OWNER, meetings, 1);
  app = createApp({ repo, linkKey: KEY, baseUrl: BASE, now: () => NOW, providerFor: () => { throw new Error("no provider call expected"); } });
}, 60_000);
afterAll(() => dynamo?.stop());

describe("the events page", () => {
  it("lists the next 14 days, networking events first, without declined or later ones", async () => {
    const res = await app.request(link("events"));
    expect(res.status).toBe(200);
    const page = await text(res);
    const [networking, others] = page.split("Your other events");
    expect(networking).toContain("Founders Mixer");
    expect(networking).toContain("its title says so");
    expect(others).toContain("Lunch with Ivo");
    expect(page).not.toContain("Product Meetup");
    expect(page).not.toContain("Design Meetup");
    // The conference, attended two days ago, is offered for "who did you meet".
    expect(page).toMatch(/Recently attended.*Climate Tech Summit.*Who did you meet at Climate Tech Summit\?/);
    expect((await loadStatements(repo, OWNER)).marks.size).toBe(0);
  });

  it("a page come back to by Back says what a save did only while it still holds (helper-249 #2)", async () => {
    const path = link("events");
    const at = async (res: Response) => text(await app.request(res.headers.get("location")!));
    const marked = await post(path, { action: "mark", event: "lunch-1" });
    const goal = await post(path, { action: "goal", event: "lunch-1", goal: "2" });
    expect(await at(goal)).toContain("Goal saved for Lunch with Ivo.");
    const cleared = await post(path, { action: "cleargoal", event: "lunch-1" });
    expect(await at(cleared)).toContain("Goal removed from Lunch with Ivo.");
    // Back to the goal's page: no goal now, so no "Goal saved" over "No goal yet".
    expect(await at(goal)).not.toContain("Goal saved for");
    expect(await at(marked)).toContain("Lunch with Ivo is now a networking event.");
    const unmarked = await post(path, { action: "unmark", event: "lunch-1" });
    expect(await at(unmarked)).toContain("Lunch with Ivo is no longer a networking event.");
    expect(await at(marked)).not.toContain("is now a networking event");
  });

  it("marks, sets a goal, refuses a bad one keeping the page, and unmarks", async () => {
    const path = link("events");
    const marked = await post(path, { action: "mark", event: "lunch-1" });
    expect(marked.status).toBe(303);
    expect(marked.headers.get("location")).toBe(`${path}?done=mark&e=${eventTag("lunch-1")}#e-${eventTag("lunch-1")}`);
    expect(await text(await app.request(marked.headers.get("location")!))).toContain("Lunch with Ivo is now a networking event.");
    expect((await post(path, { action: "goal", event: "lunch-1", goal: "4" })).status).toBe(303);
    expect((await loadStatements(repo, OWNER)).goals.get("lunch-1")).toBe(4);
    for (const bad of ["0", "21", "2.5", "three", ""]) {
      const res = await post(path, { action: "goal", event: "lunch-1", goal: bad });
      expect(res.status).toBe(400);
      const page = await text(res);
      expect(page).toContain("A goal is a whole number of new people from 1 to 20.");
      // That event's goal box keeps what was typed and is the field the message is about.
      const box = new RegExp(`<input type="number" id="goal-${eventTag("lunch-1")}"[^>]*>`).exec(page)?.[0];
      expect(box).toContain(`value="${bad}"`);
      expect(box).toContain(`aria-invalid="true" aria-describedby="form-error"`);
      expect(page).toContain(`<div class="error" role="alert" id="form-error"><p><b>Not saved.</b> <a href="#goal-${eventTag("lunch-1")}">`);
      expect(page.match(/aria-invalid/g)).toHaveLength(1);
      // The title says which page refused (WCAG 2.4.2; helper-281).
      expect(page).toContain("<title>Not saved: Your events · Followthrough</title>");
    }
    expect((await loadStatements(repo, OWNER)).goals.get("lunch-1")).toBe(4);
    expect((await post(path, { action: "mark", event: "no-such-event" })).status).toBe(404);
    // A post naming no event is a bad request, not an unknown event (helper-171 #8).
    for (const action of ["mark", "unmark", "goal", "cleargoal"]) {
      const none = await post(path, { action });
      expect(none.status, action).toBe(400);
      expect(await none.text()).toContain("Choose an event.");
    }
    expect((await post(path, { action: "unmark", event: "lunch-1" })).status).toBe(303);
    const page = await text(await app.request(path));
    expect(page.split("Your other events")[1]).toContain("Lunch with Ivo");
    // A goal needs a networking event.
    const refused = await post(path, { action: "goal", event: "lunch-1", goal: "3" });
    expect(refused.status).toBe(400);
    const page2 = await text(refused);
    // Its row has no goal box: the message links nowhere and marks nothing. It names the event, one
    // of the page's many, unmarked since the page was loaded perhaps (another tab; helper-260).
    expect(page2).not.toContain("aria-invalid");
    expect(page2).toContain(`<div class="error" role="alert" id="form-error"><p><b>Not saved.</b> Lunch with Ivo is not a networking event (any more): mark it as one to set its goal.`);
  });

  it("refuses a form from another origin and a link of another account's", async () => {
    const path = link("events");
    const foreign = await post(path, { action: "mark", event: "mixer-1" }, { origin: "https://evil.example", "content-type": "application/x-www-form-urlencoded" });
    expect(foreign.status).toBe(403);
    expect(await foreign.text()).toContain(`<a href="${path}">Open the page</a>`);
    expect((await post(path, { action: "mark", event: "mixer-1" }, { "content-type": "application/x-www-form-urlencoded" })).status).toBe(403);
    expect((await app.request(link("events", undefined, "nobody@nowhere.org"))).status).toBe(404);
    // The other account's link cannot touch this account's events.
    expect((await post(link("events", undefined, "other@elsewhere.org"), { action: "mark", event: "mixer-1" })).status).toBe(404);
    expect((await loadStatements(repo, OWNER)).marks.has("mixer-1")).toBe(false);
  });
});

describe("what the event emails do, as the account's settings have them (helper-208 #3)", () => {
  it("the events and goal pages say which emails come, and none while paused or awaiting a reconnect", async () => {
    const pages = async () => ({ events: await text(await app.request(link("events"))), goal: await text(await app.request(link("goal", "mixer-1"))) });
    const set = async (patch: Parameters<typeof updateAccount>[2]) => void (await updateAccount(repo, OWNER, patch, NOW));
    try {
      let p = await pages();
      expect(p.events).toContain("A networking event with a goal gets an email the morning of it. A networking event you went to gets an email the morning after with the people you met there.");
      expect(p.goal).toContain("The morning of the event you get one short email with your goal (the evening before, at 18:00, when it starts before 10:00). The morning after, you get the people you met there.");
      await set({ eventEmails: { morningOf: false } });
      p = await pages();
      expect(p.events).toContain("A networking event you went to gets an email the morning after with the people you met there. The morning-of email is off in your settings.");
      expect(p.goal).toContain("The morning after, you get the people you met there. The morning-of email is off in your settings.");
      expect(p.goal).not.toContain("one short email with your goal");
      await set({ eventEmails: { morningOf: true, morningAfter: false } });
      expect((await pages()).events).toContain("The morning-after email is off in your settings.");
      await set({ eventEmails: { morningOf: false, morningAfter: false } });
      expect((await pages()).goal).toContain("Your event emails are off in your settings.");
      await set({ eventEmails: {}, status: "paused" });
      p = await pages();
      expect(p.events).toContain("Your event emails wait while your digests are paused.");
      expect(p.goal).not.toContain("morning");
    } finally {
      await set({ eventEmails: {}, status: "active" });
    }
  });
});

describe("one event's goal (the digest's Coming up)", () => {
  it("shows the event, sets the goal with one tap, changes it, removes it", async () => {
    const path = link("goal", "mixer-1");
    const get = await text(await app.request(path));
    expect(get).toContain("Your goal for Founders Mixer");
    expect((await loadStatements(repo, OWNER)).goals.has("mixer-1")).toBe(false);
    const res = await post(path, { action: "goal", goal: "3" });
    expect(res.status).toBe(303);
    // Saved, and the goal said once: the status used to name it above "Your goal now" too.
    const saved = await text(await app.request(res.headers.get("location")!));
    expect(saved.split("meet 3 new people")).toHaveLength(2);
    expect(saved).toContain('<p role="status"><b>Goal saved.</b></p>');
    expect(saved).toContain("Your goal now: <b>meet 3 new people</b>.");
    expect((await post(path, { action: "goal", goal: "12" })).status).toBe(303);
    expect((await loadStatements(repo, OWNER)).goals.get("mixer-1")).toBe(12);
    const bad = await post(path, { action: "goal", goal: "25" });
    expect(bad.status).toBe(400);
    expect(await text(bad)).toContain('value="25"');
    const cleared = await post(path, { action: "cleargoal" });
    expect(cleared.status).toBe(303);
    expect((await loadStatements(repo, OWNER)).goals.has("mixer-1")).toBe(false);
    expect(await text(await app.request(cleared.headers.get("location")!))).toContain("Goal removed.");
    // A goal set again, then Back (or a reload) to the removal's page: it says the goal there is, not
    // "Goal removed." above it, as the events page's notices hold only while true (helper-249 #2).
    expect((await post(path, { action: "goal", goal: "5" })).status).toBe(303);
    const back = await text(await app.request(cleared.headers.get("location")!));
    expect(back).toContain("Your goal now: <b>meet 5 new people</b>.");
    expect(back).not.toContain("Goal removed.");
    expect((await post(path, { action: "cleargoal" })).status).toBe(303);
  });

  it("a goal set on an event no plan has seen yet puts its morning-of email on the index at once", async () => {
    // The Founders Mixer as stored after the last plan (an event email's calendar read stores it, and
    // does not plan): none of its emails on the index.
    await repo.delete(keys.eventJob(OWNER, "morning-of", "mixer-1"));
    try {
      expect((await post(link("events"), { action: "goal", event: "mixer-1", goal: "3" })).status).toBe(303);
      // It starts at 10:00 London time: its email at 08:00 that morning.
      expect(await repo.get(keys.eventJob(OWNER, "morning-of", "mixer-1"))).toMatchObject({ due: Date.parse("2026-06-12T07:00:00Z") });
    } finally {
      await repo.delete(keys.eventGoal(OWNER, "mixer-1"));
    }
  });

  it("an event that is over shows its goal as it was and takes no new one; one under way takes one and promises only the morning after (helper-238 #1)", async () => {
    // The conference ended two days ago: a goal link opened now (they last weeks) says so.
    const over = link("goal", "conf-1");
    const get = await app.request(over);
    expect(get.status).toBe(200);
    const page = await text(get);
    expect(page).toContain("Climate Tech Summit is over. A goal is set before an event ends.");
    expect(page).toContain("Say whom you met there");
    expect(page).not.toMatch(/name="goal"|How many new people|The morning of the event/);
    const refused = await post(over, { action: "goal", goal: "3" });
    expect(refused.status).toBe(400);
    expect(await text(refused)).toContain("This event is over: a goal is set before it ends.");
    // A number out of range from a page left open: the page says it is over, not how to type a goal (helper-239 #5).
    const stale = await text(await post(over, { action: "goal", goal: "25" }));
    expect(stale).toContain("This event is over: a goal is set before it ends.");
    expect(stale).not.toContain("A goal is a whole number");
    const fromEvents = await post(link("events"), { action: "goal", event: "conf-1", goal: "3" });
    expect(fromEvents.status).toBe(400);
    expect(await text(fromEvents)).toContain("Climate Tech Summit is over: a goal is set before it ends.");
    expect((await loadStatements(repo, OWNER)).goals.has("conf-1")).toBe(false);
    // Nor is a goal it had removed once it is over: its result is reported against it (helper-239 #4).
    await repo.put({ ...keys.eventGoal(OWNER, "conf-1"), eventId: "conf-1", goal: 4, at: NOW - 3 * DAY });
    try {
      const removed = await post(over, { action: "cleargoal" });
      expect(removed.status).toBe(400);
      expect(await text(removed)).toContain("This event is over: its goal stays as it was.");
      const removedThere = await post(link("events"), { action: "cleargoal", event: "conf-1" });
      expect(removedThere.status).toBe(400);
      // Named, with the removal's own reason, not the goal's (helper-262).
      const removedPage = await text(removedThere);
      expect(removedPage).toContain("Climate Tech Summit is over: its goal stays as it was.");
      expect(removedPage).not.toContain("a goal is set before it ends");
      expect((await loadStatements(repo, OWNER)).goals.get("conf-1")).toBe(4);
      expect(await text(await app.request(over))).toContain("Climate Tech Summit is over; your goal was to <b>meet 4 new people</b>.");
    } finally {
      await repo.delete(keys.eventGoal(OWNER, "conf-1"));
    }
    // An end the store cannot read is no event still to come (helper-239 #6).
    expect(isOver({ end: Number.NaN }, NOW)).toBe(true);
    expect(isOver({ end: NOW }, NOW)).toBe(true);
    expect(isOver({ end: NOW + 1 }, NOW)).toBe(false);

    const underway = meeting("underway-1", "Robotics Meetup", NOW - HOUR, 3);
    await putMeetings(repo, OWNER, [underway], 1);
    try {
      // On the events page too, marked as under way, with its goal box (it was on neither list, helper-238 #2).
      const [networking] = (await text(await app.request(link("events")))).split("Your other events");
      expect(networking).toMatch(/Robotics Meetup.*· under way · networking event: its title says so.*Goal for Robotics Meetup/);
      const path = link("goal", "underway-1");
      const now = await text(await app.request(path));
      expect(now).toContain("Robotics Meetup is under way.");
      expect(now).toContain("How many new people will you meet there?");
      expect(now).toContain("The morning after, you get the people you met there, against your goal.");
      expect(now).not.toContain("The morning of the event");
      expect((await post(path, { action: "goal", goal: "2" })).status).toBe(303);
      expect((await loadStatements(repo, OWNER)).goals.get("underway-1")).toBe(2);
    } finally {
      await repo.delete(keys.eventGoal(OWNER, "underway-1"));
      await repo.delete(keys.meeting(OWNER, "underway-1"));
    }
  });

  it("a goal link without an event, or for an event not in the calendar, is refused", async () => {
    expect((await app.request(linkPath("goal", sealLink(KEY, { act: "goal", acc: OWNER }, NOW)))).status).toBe(400);
    expect((await app.request(link("goal", "deleted-event"))).status).toBe(404);
    expect((await app.request(link("goal", "lunch-1"))).status).toBe(409); // not a networking event
  });
});

describe("an all-day event read in another zone than the owner's now (helper-288)", () => {
  it("is over at midnight after its day in the owner's zone: in Auckland, not still under way by Chicago's clock", async () => {
    // Read in Chicago (the owner's zone until they moved to Auckland; the calendar not read again
    // since): Wednesday 10 June is stored as 10 Jun 05:00Z to 11 Jun 05:00Z. In Auckland (+12) the
    // day ended at 10 Jun 12:00Z; at 20:00Z, Thursday 08:00 there, it is over and was attended.
    const owner = "kai@tidewater.example";
    await saveAccount(repo, randomKeyring(), { email: owner, provider: "google", clientId: "c", refreshToken: "r", connectedAt: NOW - 30 * DAY, aliases: [], displayName: "Kai Reed", timeZone: "Pacific/Auckland", status: "active" });
    const summit = meeting("summit-ad", "Robotics Summit", Date.parse("2026-06-10T05:00:00Z"), 24, { allDay: true, dates: { start: "2026-06-10", end: "2026-06-11" } });
    await putMeetings(repo, owner, [summit], 1);
    const later = createApp({ repo, linkKey: KEY, baseUrl: BASE, now: () => Date.parse("2026-06-10T20:00:00Z"), providerFor: () => { throw new Error("no provider call expected"); } });
    const page = await text(await later.request(link("events", undefined, owner)));
    expect(page).toMatch(/Recently attended.*Robotics Summit.*Wed 10 Jun \(all day\).*Who did you meet at Robotics Summit\?/);
    expect(page).not.toContain("under way");
    expect(await text(await later.request(link("goal", "summit-ad", owner)))).toContain("Robotics Summit is over. A goal is set before an event ends.");
  });
});

describe("who did you meet at an event that is not a networking event", () => {
  it("says how to make it one: mark it, or mark it again when the owner unmarked it (helper-130)", async () => {
    await putMeetings(repo, OWNER, [meeting("coffee-9", "Coffee with Ivo", NOW - DAY, 1)], 1);
    const never = await app.request(link("met", "coffee-9"));
    await repo.delete(keys.meeting(OWNER, "coffee-9"));
    expect(never.status).toBe(409);
    const neverPage = await text(never);
    expect(neverPage).toContain("Mark it as one on your events page to say whom you met there.");
    expect(neverPage).not.toContain("unmarked");
    await markEvent(repo, (await loadAccount(repo, OWNER))!, "mixer-1", false, NOW);
    try {
      expect(await text(await app.request(link("met", "mixer-1")))).toContain("It was unmarked. Mark it again on your events page to say whom you met there.");
    } finally {
      await repo.delete(keys.eventMark(OWNER, "mixer-1"));
    }
  });

  it("a Take back from a page opened before the event was unmarked, moved to a later day or deleted, is done and says so (helper-229 #3, helper-232 #3)", async () => {
    const met = link("met", "conf-1");
    const confirmed = async () => (await loadStatements(repo, OWNER)).confirmations.map((x) => x.email);
    const account = async () => (await loadAccount(repo, OWNER))!;
    const add = async () => expect((await post(met, { action: "add", name: "Una Marked", email: "una@marked.example" })).status).toBe(303);
    /** Una added, then `change` made to the event, then her Take back keeping a tick: a 200 saying `says` and "Taken back: Una Marked.", and she is taken back. */
    const takeBackAfter = async (change: () => Promise<unknown>, says: string) => {
      await add();
      await change();
      const res = await post(met, { takeback: "una@marked.example", pick: ["guest004@company4.com"], q: "", shown: "", filled: "" });
      expect(res.status).toBe(200);
      const page = await text(res);
      expect(page).toContain(says);
      // Answered by the page itself, it says whom (helper-238 #10).
      expect(page).toContain('<p role="status"><b>Taken back: Una Marked.</b></p>');
      expect(await confirmed()).not.toContain("una@marked.example");
    };
    try {
      // Unmarked since the page was opened: a Take back keeping a tick answers with the page itself.
      await takeBackAfter(async () => markEvent(repo, await account(), "conf-1", false, NOW), "It was unmarked. Mark it again on your events page");
      // The page's older form (nothing kept): its redirect's page says so too.
      await repo.delete(keys.eventMark(OWNER, "conf-1"));
      await add();
      await markEvent(repo, await account(), "conf-1", false, NOW);
      const legacy = await post(met, { action: "unconfirm", email: "una@marked.example" });
      expect(legacy.headers.get("location")).toMatch(/\?saved=taken-back$/);
      const after = await app.request(legacy.headers.get("location")!);
      expect(after.status).toBe(200);
      expect(await text(after)).toContain('<p role="status"><b>Taken back.</b></p>');
      expect(await confirmed()).not.toContain("una@marked.example");
      // Without a take back, the unmarked event's page is the 409 it was, saying nothing was taken back.
      const plain = await app.request(met);
      expect(plain.status).toBe(409);
      expect(await text(plain)).not.toContain("Taken back.");
      await repo.delete(keys.eventMark(OWNER, "conf-1"));
      // Moved to a day still to come: "come back once you have been", and "Taken back.".
      await takeBackAfter(() => putMeetings(repo, OWNER, [{ ...conference, start: NOW + DAY, end: NOW + DAY + 8 * HOUR }], 1), "Come back once you have been");
      expect(await text(await app.request(met))).not.toContain("Taken back.");
      // Gone from the calendar since (helper-232 #3): done, and said beside "Event not found".
      await putMeetings(repo, OWNER, [conference], 1);
      await takeBackAfter(() => repo.delete(keys.meeting(OWNER, "conf-1")), "This event is not in your calendar any more.");
      expect((await app.request(met)).status).toBe(404);
    } finally {
      await repo.delete(keys.eventMark(OWNER, "conf-1"));
      await putMeetings(repo, OWNER, [conference], 1);
    }
  });
});

describe("who did you meet at a small networking event", () => {
  it("everyone who went is met by attending, never 'you wrote to them'; a confirmed person met before, or written to long before, is already in touch", async () => {
    // A six-person mixer last night: not a large gathering, so its guests are met as at any meeting.
    const mixer = meeting("mixer-0", "Breakfast Mixer", NOW - DAY, 2, {
      attendees: ["ana", "ben", "cy", "dee", "eli"].map((n) => person(`${n}@smallfirm.io`, `${n[0].toUpperCase()}${n.slice(1)} Small`)).concat(person("ivo@otherco.com", "Ivo Petrov")),
    });
    const lunch = meeting("lunch-0", "Lunch", NOW - 40 * DAY, 1);
    await putMeetings(repo, OWNER, [mixer, lunch], 1);
    // The owner wrote to Tess a month before the mixer: known, never a contact of any scan.
    await putMessages(repo, OWNER, [{ id: "to-tess", sentAt: NOW - 30 * DAY, inSent: true, draft: false, meetingNotice: false, recipients: [{ email: "tess@earlyco.io", name: "Tess Early" }], subject: "Hello" }], 1);
    // The last scan: Ana first met there (never written to); Ivo first met at the earlier lunch.
    await repo.putPeople(OWNER, [
      { email: "ana@smallfirm.io", name: "Ana Small", eventId: "mixer-0", eventTitle: mixer.title, metAt: mixer.start, metEnd: mixer.end, stage: "met" },
      { email: "ivo@otherco.com", name: "Ivo Petrov", eventId: "lunch-0", eventTitle: "Lunch", metAt: lunch.start, metEnd: lunch.end, stage: "met" },
    ]);
    // The owner says they met Ivo there, Ben (whom no scan has read as met yet) and Tess (not on the list).
    await confirmMet(repo, (await loadAccount(repo, OWNER))!, "mixer-0", { picked: ["ivo@otherco.com", "ben@smallfirm.io"], added: [{ name: "Tess Early", email: "tess@earlyco.io" }] }, NOW);
    const tess = /Tess Early<\/span> <span class="muted line">tess@earlyco.io<\/span> <span class="muted line">Already in touch, not counted as new<\/span>/;
    try {
      // Confirmed since the last scan: called nothing yet, without the rules' read of all mail on a page view.
      expect(await text(await app.request(link("met", "mixer-0")))).not.toMatch(tess);
      // The next scan's rules: Tess, written to a month before, is no contact at all (the scan marks her confirmation known).
      const acct = (await loadAccount(repo, OWNER))!;
      const said = await loadStatements(repo, OWNER);
      const { contacts } = infer(acct, [mixer, lunch], await repo.loadMessages(OWNER), NOW, { confirmations: said.confirmations });
      await recordKnownConfirmations(repo, OWNER, ownerIdentity(OWNER, acct.aliases), [mixer, lunch], said.confirmations, contacts, NOW);
      expect((await loadStatements(repo, OWNER)).confirmations.filter((c) => c.known).map((c) => c.email)).toEqual(["tess@earlyco.io"]);
      const page = await text(await app.request(link("met", "mixer-0")));
      expect(page).not.toContain("you wrote to them");
      expect(page).not.toContain("Met there, by your mail");
      expect(page).toMatch(/<h2>Met there<\/h2><ul><li><span class="who">Ana Small<\/span>/);
      expect(page).toMatch(/value="ana@smallfirm.io" checked disabled> <label for="g\d+" class="inline">Ana Small[^<]*<span class="muted">ana@smallfirm.io<\/span> \(met there\)/);
      expect(page).toMatch(/You said you met.*Ivo Petrov<\/span> <span class="muted line">ivo@otherco.com<\/span> <span class="muted line">Already in touch, not counted as new<\/span>/);
      expect(page).toMatch(/Ben Small<\/span> <span class="muted line">ben@smallfirm.io<\/span>\s*<button type="submit" form="pick" name="takeback"/);
      // As the digest says (helper-130 #1): written to more than 14 days before the mixer started.
      expect(page).toMatch(tess);
    } finally {
      for (const who of ["ivo@otherco.com", "ben@smallfirm.io", "tess@earlyco.io"]) await unconfirmMet(repo, (await loadAccount(repo, OWNER))!, "mixer-0", who);
      await repo.delete(keys.meeting(OWNER, "lunch-0"));
      await repo.delete(keys.message(OWNER, "to-tess"));
    }
  });
});

describe("an Add of someone already said, or listed without a name", () => {
  it("keeps the name saved; fills in a name the list did not give; names who a kept Take back took back (helper-239 #1, #8)", async () => {
    const mixer = meeting("mixer-names", "Names Mixer", NOW - DAY, 2, { attendees: [person("noname@otherco.com", ""), { ...person("danascully@gmail.com", ""), address: "Dana.Scully@gmail.com" }] });
    await putMeetings(repo, OWNER, [mixer], 1);
    const named = async () => new Map((await loadStatements(repo, OWNER)).confirmations.filter((c) => c.eventId === "mixer-names").map((c) => [c.email, c.name]));
    const path = link("met", "mixer-names");
    try {
      // Someone not on the list, added twice under two names: the first stays.
      await post(path, { action: "add", name: "Ana First", email: "ana@first.example" });
      expect((await post(path, { action: "add", name: "Ana Second", email: "ana@first.example" })).headers.get("location")).toMatch(/\?saved=already$/);
      expect((await named()).get("ana@first.example")).toBe("Ana First");
      // A guest listed by address alone, ticked, then added with a name: the name is theirs now.
      await post(path, { action: "confirm", pick: ["noname@otherco.com"] });
      expect((await named()).get("noname@otherco.com")).toBe("");
      await post(path, { action: "add", name: "Nadia Name", email: "noname@otherco.com" });
      expect((await named()).get("noname@otherco.com")).toBe("Nadia Name");
      // A nameless guest taken back with a tick kept: named by the address as the event wrote it.
      await post(path, { action: "confirm", pick: ["danascully@gmail.com"] });
      const back = await text(await post(path, { takeback: "danascully@gmail.com", pick: ["noname@otherco.com"], q: "", shown: "", filled: "" }));
      expect(back).toContain('<p role="status"><b>Taken back: Dana.Scully@gmail.com.</b></p>');
    } finally {
      for (const email of ["ana@first.example", "noname@otherco.com", "danascully@gmail.com"]) await unconfirmMet(repo, (await loadAccount(repo, OWNER))!, "mixer-names", email);
      await repo.delete(keys.meeting(OWNER, "mixer-names"));
    }
  });
});

describe("one person ticked and typed again under Add", () => {
  it("is one confirmation, with the list's name (since helper-238 #3; the name typed before), and the page says one person was saved (helper-179)", async () => {
    const mixer = meeting("mixer-dup", "Evening Mixer", NOW - DAY, 2, { attendees: [person("ivo@otherco.com", "Ivo Petrov"), person("ana@smallfirm.io", "Ana Small")] });
    await putMeetings(repo, OWNER, [mixer], 1);
    try {
      const res = await post(link("met", "mixer-dup"), { action: "add", pick: ["ivo@otherco.com", "ivo@otherco.com"], name: "Ivo P.", email: "IVO@otherco.com" });
      expect(res.status).toBe(303);
      expect(res.headers.get("location")).toMatch(/\?saved=1&at=\d+$/);
      const ivo = (await loadStatements(repo, OWNER)).confirmations.filter((c) => c.eventId === "mixer-dup");
      expect(ivo.map((c) => [c.email, c.name])).toEqual([["ivo@otherco.com", "Ivo Petrov"]]);
      expect(await text(await app.request(res.headers.get("location")!))).toContain("Saved: 1 person added to whom you met.");
    } finally {
      await unconfirmMet(repo, (await loadAccount(repo, OWNER))!, "mixer-dup", "ivo@otherco.com");
      await repo.delete(keys.meeting(OWNER, "mixer-dup"));
    }
  });
});

describe("who did you meet at a 200-guest conference", () => {
  const path = () => link("met", "conf-1");

  it("lists the guests who are persons, searchable by name, address or company; those met by mail already count", async () => {
    // The last scan found Guest 042 met at the conference: the owner wrote to them the next day.
    const c = conference.end;
    await repo.putPeople(OWNER, [{ email: "guest042@company2.com", name: "Guest 042", eventId: "conf-1", eventTitle: conference.title, metAt: conference.start, metEnd: c, followedUpAt: c + DAY, followedUpBy: "mail", metBy: "large-gathering", stage: "followed_up" }]);
    const page = await text(await app.request(path()));
    expect(page).toMatch(/Met there, by your mail.*Guest 042.*On the guest list/);
    expect(page).toMatch(/value="guest042@company2.com" checked disabled> <label for="g\d+" class="inline">Guest 042 · Company2 <span class="muted">guest042@company2.com<\/span> \(you wrote to them\)/);
    expect(page).toContain("Who did you meet at Climate Tech Summit?");
    // 197 guests, Zoë, the organiser and the one who declined (marked: they may have come after all); not the colleague.
    expect(page).toContain("200 guests.");
    expect(page).not.toContain("dev@lumenworks.io"); // a colleague
    expect(page).toMatch(/<span class="muted">gone@company1.com<\/span> <span class="muted">\(declined the invitation\)<\/span><\/label>/);
    expect(page).toContain("Zoë Château · Kestrel");
    const found = await text(await app.request(`${path()}?q=zoe%20kestrel`));
    expect(found).toContain("1 of 200 guests match.");
    expect(found).toMatch(/<li data-search="[^"]*zoe.chateau@kestrel.vc/);
    // The others are on the page, hidden (the page's script shows them again when the box is emptied).
    expect(found).toMatch(/<li hidden data-search="[^"]*guest001@/);
    expect(found).not.toMatch(/<li data-search="[^"]*guest001@/);
  });

  it("a save refused on a page opened at a search comes back unsearched: what was ticked shows, ticked (helper-201 #1)", async () => {
    const searched = `${path()}?q=zoe`;
    const page = await text(await app.request(searched));
    // The form is sent where a browser sends it: its action, else the page's own address (search included).
    const action = /<form method="post" id="pick"(?: action="([^"]*)")?(?: autocomplete="off")?>/.exec(page);
    expect(action).not.toBeNull();
    const target = new URL(action![1] ?? searched, BASE);
    const res = await post(target.pathname + target.search, { action: "confirm", pick: ["zoe.chateau@kestrel.vc", "guest001@company1.com"], email: "not-an-address" });
    expect(res.status).toBe(400);
    const refused = await text(res);
    expect(refused).toContain("is not an e-mail address");
    // guest001, ticked once the box was emptied and not found by "zoe", is shown with its tick, not hidden with it.
    expect(refused).toMatch(/<li data-search="[^"]*guest001@company1.com[^"]*"><input type="checkbox" id="g\d+" name="pick" value="guest001@company1.com" checked>/);
    expect(refused).toContain("200 guests.");
    expect((await loadStatements(repo, OWNER)).confirmations).toEqual([]);
  });

  it("a search is a POST of the tick form: new words keep the ticks and the person typed, unsaved; Enter below still saves (helper-200, helper-227)", async () => {
    const page = await text(await app.request(path()));
    // The box and Search belong to the tick form; its first button, hidden, is what Enter in any field sends.
    expect(page).toMatch(/<h1>.*<\/h1>.*<button type="submit" form="pick" name="action" value="enter" id="enter" class="enter" tabindex="-1" aria-hidden="true" formnovalidate>Enter<\/button> .*<div role="search">.*<input type="search" id="q" name="q" form="pick"[^>]*> <button type="submit" form="pick" name="action" value="search" id="go" class="secondary" formnovalidate>Search<\/button><\/div>/);
    expect(page).toMatch(/<form method="post" id="pick" action="[^"]*" autocomplete="off"><input type="hidden" name="shown" value=""><input type="hidden" name="filled" value="">/);
    expect(page.indexOf('value="enter"')).toBeLessThan(page.indexOf('value="search"'));
    expect(page.indexOf('value="search"')).toBeLessThan(page.indexOf('value="confirm"'));
    const none = async () => expect((await loadStatements(repo, OWNER)).confirmations).toEqual([]);
    // Ticks, someone typed below, and new words in the box: the page searched, everything kept, nothing saved.
    const searched = await post(path(), { action: "enter", q: "zoe", shown: "", filled: "", pick: ["guest001@company1.com", "guest004@company4.com"], name: "Ana Typed", email: "" });
    expect(searched.status).toBe(200);
    const kept = await text(searched);
    expect(kept).toContain("1 of 200 guests match.");
    expect(kept).toMatch(/<li data-search="[^"]*zoe.chateau@kestrel.vc/);
    for (const g of ["guest001@company1.com", "guest004@company4.com"]) expect(kept).toMatch(new RegExp(`<li hidden data-search="[^"]*${g}[^"]*"><input type="checkbox" id="g\\d+" name="pick" value="${g}" checked>`));
    expect(kept).toMatch(/<input type="search" id="q" name="q" form="pick" value="zoe"/);
    expect(kept).toMatch(/<input type="hidden" name="shown" value="zoe">/);
    expect(kept).toMatch(/id="name" name="name" form="pick" autocomplete="off" value="Ana Typed">/);
    expect(kept).not.toContain("Saved:");
    await none();
    // Search itself always searches, even with the same words and a tick (helper-227 #4).
    const again = await post(path(), { action: "search", q: "zoe", shown: "zoe", pick: ["guest004@company4.com"] });
    expect(again.status).toBe(200);
    expect(await text(again)).toMatch(/value="guest004@company4.com" checked>/);
    await none();
    // A search found no one: what was searched starts the form below (and is echoed as `filled`).
    const unmatched = await text(await post(path(), { action: "search", q: "Nadia Ortiz", shown: "zoe", pick: ["guest001@company1.com"] }));
    expect(unmatched).toContain("0 of 200 guests match.");
    expect(unmatched).toMatch(/id="name" name="name" form="pick" autocomplete="off" value="Nadia Ortiz" data-from-search>/);
    expect(unmatched).toMatch(/<input type="hidden" name="filled" value="Nadia Ortiz">/);
    expect(unmatched).toMatch(/value="guest001@company1.com" checked>/);
    // That, left as it was, is not typing: Enter again is the search again, not a refused save
    // (helper-227 #1), and the next search that finds guests drops it (helper-227 #2)…
    const same = await post(path(), { action: "enter", q: "Nadia Ortiz", shown: "Nadia Ortiz", filled: "Nadia Ortiz", name: "Nadia Ortiz", email: "" });
    expect(same.status).toBe(303);
    expect(same.headers.get("location")).toMatch(/\?q=Nadia%20Ortiz$/);
    const address = await post(path(), { action: "search", q: "nadia@ortiz.example", shown: "nadia@ortiz.example", filled: "nadia@ortiz.example", name: "", email: "nadia@ortiz.example" });
    expect(address.headers.get("location")).toMatch(/\?q=nadia%40ortiz.example$/);
    const found = await text(await post(path(), { action: "enter", q: "zoe", shown: "Nadia Ortiz", filled: "Nadia Ortiz", name: "Nadia Ortiz", email: "", pick: ["guest001@company1.com"] }));
    expect(found).toContain("1 of 200 guests match.");
    expect(found).toMatch(/id="name" name="name" form="pick" autocomplete="off" value="">/);
    // …and with ticks, Enter (in the box, or in that field: the same request) saves neither the ticks
    // alone nor half a person, and says so (helper-228 #2: the ticks were saved, the address dropped).
    for (const [words, field] of [["Nadia Ortiz", "name"], ["priya.n@northstar.io", "email"]] as const) {
      const ticks = await post(path(), { action: "enter", q: words, shown: words, filled: words, name: field === "name" ? words : "", email: field === "email" ? words : "", pick: ["guest001@company1.com"] });
      expect(ticks.status).toBe(200);
      const said = await text(ticks);
      expect(said).toContain('<p role="status"><b>Nothing saved yet. To add someone, give their name and address below; to save your ticks, empty the search and press Save whom I met.</b></p>');
      expect(said).toMatch(/value="guest001@company1.com" checked>/);
      expect(said).toContain(`value="${words}" data-from-search>`);
      await none();
    }
    // Save itself saves the ticks; the words left below are not someone typed.
    const saved = await post(path(), { action: "confirm", q: "Nadia Ortiz", shown: "Nadia Ortiz", filled: "Nadia Ortiz", name: "Nadia Ortiz", email: "", pick: ["guest001@company1.com"] });
    expect(saved.headers.get("location")).toMatch(/\?saved=1&at=\d+$/);
    expect((await loadStatements(repo, OWNER)).confirmations.map((x) => x.email)).toEqual(["guest001@company1.com"]);
    await post(path(), { action: "unconfirm", email: "guest001@company1.com" });
    // Typed onto it, it is the owner's: Enter adds the person.
    const completed = await post(path(), { action: "enter", q: "Nadia Ortiz", shown: "Nadia Ortiz", filled: "Nadia Ortiz", name: "Nadia Ortiz", email: "nadia@ortiz.example" });
    expect(completed.headers.get("location")).toMatch(/\?saved=1&at=\d+$/);
    await post(path(), { action: "unconfirm", email: "nadia@ortiz.example" });
    await none();
    // Nothing to keep: the search is the page's own address with its words, as a GET was.
    const bare = await post(path(), { action: "search", q: "zoe kestrel", shown: "" });
    expect(bare.status).toBe(303);
    expect(bare.headers.get("location")).toMatch(/\?q=zoe%20kestrel$/);
    expect((await post(path(), { action: "enter", q: " ", shown: "zoe" })).headers.get("location")).not.toContain("?");
    // The words as the page showed them, with a tick or someone typed: Enter under "Someone not on the
    // list?", which saves both, as Save or Add would.
    const entered = await post(path(), { action: "enter", q: "zoe", shown: "zoe", pick: ["guest004@company4.com"], name: "Ana Typed", email: "ana@typed.example" });
    expect(entered.status).toBe(303);
    expect(entered.headers.get("location")).toMatch(/\?saved=2&at=\d+$/);
    expect((await loadStatements(repo, OWNER)).confirmations.map((x) => x.email).sort()).toEqual(["ana@typed.example", "guest004@company4.com"]);
    for (const email of ["ana@typed.example", "guest004@company4.com"]) await post(path(), { action: "unconfirm", email });
    await none();
  });

  it("a Take back is a button of the tick form: the ticks not yet saved, what was typed and the search stay", async () => {
    await post(path(), { action: "add", name: "Kept Back", email: "kept@back.example" });
    const page = await text(await app.request(path()));
    // Each Take back sends the tick form, after Enter's own first button.
    expect(page).toMatch(/<button type="submit" form="pick" name="takeback" value="kept@back.example" class="secondary" formnovalidate aria-label="Take back: Kept Back">Take back<\/button>/);
    expect(page.indexOf('value="enter"')).toBeLessThan(page.indexOf('name="takeback"'));
    const back = await post(path(), { takeback: "kept@back.example", q: "zoe", shown: "zoe", filled: "", pick: ["guest004@company4.com"], name: "Ana Typed", email: "ana@ty" });
    expect(back.status).toBe(200);
    const kept = await text(back);
    expect(kept).toContain('<p role="status"><b>Taken back: Kept Back.</b></p>');
    expect(kept).not.toContain("You said you met");
    expect(kept).toContain("1 of 200 guests match.");
    expect(kept).toMatch(/value="guest004@company4.com" checked>/);
    expect(kept).toMatch(/id="name" name="name" form="pick" autocomplete="off" value="Ana Typed">/);
    expect(kept).toMatch(/id="email" name="email" form="pick" autocomplete="off" value="ana@ty">/);
    expect((await loadStatements(repo, OWNER)).confirmations).toEqual([]);
    // With nothing to keep, as before: a 303 to the page, which says so.
    await post(path(), { action: "add", name: "Kept Back", email: "kept@back.example" });
    const bare = await post(path(), { takeback: "kept@back.example", q: "", shown: "", filled: "" });
    expect(bare.headers.get("location")).toMatch(/\?saved=taken-back$/);
    // Naming no one: refused, the ticks given back.
    const none = await post(path(), { takeback: " ", pick: ["guest004@company4.com"] });
    expect(none.status).toBe(400);
    const refused = await text(none);
    expect(refused).toContain("Choose someone to take back.");
    expect(refused).toMatch(/value="guest004@company4.com" checked>/);
    expect((await loadStatements(repo, OWNER)).confirmations).toEqual([]);
  });

  it("an Add or tick of someone already in the list saves no one new, and says so (helper-200 #4)", async () => {
    const first = await post(path(), { action: "add", name: "Dup Licate", email: "dup@example.net" });
    expect(first.headers.get("location")).toMatch(/\?saved=1&at=\d+$/);
    // Again under another name: nothing changes, their name included (it renamed them, helper-238 #3).
    const again = await post(path(), { action: "add", name: "Someone Else", email: "dup@example.net" });
    expect(again.status).toBe(303);
    expect(again.headers.get("location")).toMatch(/\?saved=already$/);
    const page = await text(await app.request(again.headers.get("location")!));
    expect(page).toContain("Already counted as met there: no one new.");
    expect(page).not.toContain("Saved: 1 person");
    expect((await loadStatements(repo, OWNER)).confirmations).toEqual([expect.objectContaining({ email: "dup@example.net", name: "Dup Licate" })]);
    // A tick of someone already in it (a page left open before they were saved): the same.
    expect((await post(path(), { action: "confirm", pick: ["guest003@company3.com"] })).headers.get("location")).toMatch(/\?saved=1&at=\d+$/);
    expect((await post(path(), { action: "confirm", pick: ["guest003@company3.com"] })).headers.get("location")).toMatch(/\?saved=already$/);
    await post(path(), { action: "unconfirm", email: "guest003@company3.com" });
    // With someone new beside them: only the new one is counted.
    const mixed = await post(path(), { action: "confirm", pick: ["guest003@company3.com"], name: "Dup Licate", email: "dup@example.net" });
    expect(mixed.headers.get("location")).toMatch(/\?saved=1&at=\d+$/);
    for (const email of ["dup@example.net", "guest003@company3.com"]) await post(path(), { action: "unconfirm", email });
    // Someone the last scan counted as met there already (Guest 042, written to the day after): their
    // tick is disabled, and an Add of them changes nothing of the count, and says so.
    await repo.putPeople(OWNER, [{ email: "guest042@company2.com", name: "Guest 042", eventId: "conf-1", eventTitle: conference.title, metAt: conference.start, metEnd: conference.end, followedUpAt: conference.end + DAY, followedUpBy: "mail", metBy: "large-gathering", stage: "followed_up" }]);
    const counted = await post(path(), { action: "add", name: "Wrong Person", email: "Guest042@company2.com" });
    expect(counted.headers.get("location")).toMatch(/\?saved=already$/);
    // A guest of the list typed under Add keeps the list's name, as a tick would (helper-238 #3).
    expect((await loadStatements(repo, OWNER)).confirmations).toEqual([expect.objectContaining({ email: "guest042@company2.com", name: "Guest 042" })]);
    await post(path(), { action: "unconfirm", email: "guest042@company2.com" });
    expect((await loadStatements(repo, OWNER)).confirmations).toEqual([]);
  });

  it("come back to by Back after a Take back, the page no longer says the person was added, and the browser keeps no tick of its own (helper-249 #2)", async () => {
    const saved = (await post(path(), { action: "confirm", pick: ["guest009@company9.com"] })).headers.get("location")!;
    expect(await text(await app.request(saved))).toContain("Saved: 1 person added to whom you met.");
    await post(path(), { action: "unconfirm", email: "guest009@company9.com" });
    const back = await text(await app.request(saved));
    expect(back).not.toContain("added to whom you met");
    // Chromium put the tick back on Back from its own memory of the form; the form asks it not to.
    expect(back).toMatch(/<form method="post" id="pick" action="[^"]+" autocomplete="off">/);
    // Added again: the new save's page says so, the old one's does not.
    const again = (await post(path(), { action: "confirm", pick: ["guest009@company9.com"] })).headers.get("location")!;
    expect(await text(await app.request(again))).toContain("Saved: 1 person added to whom you met.");
    await post(path(), { action: "unconfirm", email: "guest009@company9.com" });
    // Two saved, one taken back: the page come back to counts the one still listed (helper-250 #4).
    const two = (await post(path(), { action: "confirm", pick: ["guest009@company9.com", "guest011@company11.com"] })).headers.get("location")!;
    expect(await text(await app.request(two))).toContain("Saved: 2 people added to whom you met.");
    await post(path(), { action: "unconfirm", email: "guest009@company9.com" });
    expect(await text(await app.request(two))).toContain("Saved: 1 person added to whom you met.");
    await post(path(), { action: "unconfirm", email: "guest011@company11.com" });
  });

  it("picks two, adds one, refuses bad additions keeping what was typed, and takes one back", async () => {
    const res = await post(path(), { action: "confirm", pick: ["zoe.chateau@kestrel.vc", "guest007@company7.com"] });
    expect(res.status).toBe(303);
    expect(await text(await app.request(res.headers.get("location")!))).toContain("Saved: 2 people added to whom you met.");
    const added = await post(path(), { action: "add", name: "Priya Natarajan", email: "Priya@NorthStar.io" });
    expect(added.status).toBe(303);
    let said = (await loadStatements(repo, OWNER)).confirmations.map((c) => c.email).sort();
    expect(said).toEqual(["guest007@company7.com", "priya@northstar.io", "zoe.chateau@kestrel.vc"]);

    for (const [email, message] of [
      ["mara@lumenworks.io", "That is your own address."],
      ["dev@lumenworks.io", "colleague"],
      ["not-an-address", "is not an e-mail address"],
      // Empty (Add pressed with a name only), and past RFC 5321's 64-octet local part (helper-200 #3, #7).
      ["", "Type their email address."],
      [`${"a".repeat(65)}@longnames.example`, "is not an e-mail address"],
    ]) {
      const refused = await post(path(), { action: "add", name: "Someone", email });
      expect(refused.status).toBe(400);
      const page = await text(refused);
      expect(page).toContain(message);
      expect(page).toContain(`value="${email}"`);
      // The address box is the one marked; the name is not.
      expect(/<input type="email" id="email"[^>]*>/.exec(page)?.[0]).toContain(`aria-invalid="true"`);
      expect(/<input type="text" id="name"[^>]*>/.exec(page)?.[0]).not.toContain("aria-invalid");
    }
    // Bytes the form did not send as UTF-8 ("\uFFFD" in place of what was meant), in the address or
    // the name: refused, not stored (helper-190 #4).
    for (const body of ["action=add&name=Bob&email=bob%FF%40elsewhere.org", "action=add&name=B%FFb&email=bob%40elsewhere.org"]) {
      const mangled = await app.request(path(), { method: "POST", headers: SAME, body });
      expect(mangled.status, body).toBe(400);
      expect(await text(mangled)).toContain("where characters could not be read");
    }
    expect((await loadStatements(repo, OWNER)).confirmations.map((c) => c.email)).not.toContain("bob@elsewhere.org");
    const noName = await text(await post(path(), { action: "add", name: " ", email: "sam@elsewhere.org" }));
    expect(/<input type="text" id="name"[^>]*>/.exec(noName)?.[0]).toContain(`aria-invalid="true"`);
    const notListed = await post(path(), { action: "confirm", pick: ["stranger@nowhere.org"] });
    expect(notListed.status).toBe(400);
    expect(await text(notListed)).toContain("stranger@nowhere.org is not on this event&#39;s list");
    expect((await post(path(), { action: "confirm" })).status).toBe(400);

    const page = await text(await app.request(path()));
    expect(page).toMatch(/You said you met.*Priya Natarajan.*Zoë Château.*On the guest list/);
    const back = await post(path(), { action: "unconfirm", email: "guest007@company7.com" });
    expect(back.status).toBe(303);
    said = (await loadStatements(repo, OWNER)).confirmations.map((c) => c.email).sort();
    expect(said).toEqual(["priya@northstar.io", "zoe.chateau@kestrel.vc"]);
    // A take-back naming no one is refused, not answered "Taken back." with nothing changed (helper-171 #7);
    // the same take-back again (a second tap) is done, as it was.
    for (const form of [{ action: "unconfirm" }, { action: "unconfirm", email: " " }, { action: "unconfirm", email: "not an address" }] as Record<string, string>[]) {
      const none = await post(path(), form);
      expect(none.status, JSON.stringify(form)).toBe(400);
      // The page again, with the reason, as for the page's other refusals (docs/app.md).
      const refusedPage = await none.text();
      expect(refusedPage).toContain("Choose someone to take back.");
      expect(refusedPage).toContain("Save whom I met");
    }
    expect((await post(path(), { action: "unconfirm", email: "guest007@company7.com" })).status).toBe(303);
    expect((await loadStatements(repo, OWNER)).confirmations.map((c) => c.email).sort()).toEqual(said);
  });

  it("an Add sends the ticks not yet saved with it, a refused one gives both back, and Enter in a field adds too (helper-130 #4)", async () => {
    // The page: Add's fields and button belong to the ticks' form.
    const page = await text(await app.request(path()));
    expect(/<input type="text" id="name"[^>]*>/.exec(page)?.[0]).toContain('form="pick"');
    expect(/<input type="email" id="email"[^>]*>/.exec(page)?.[0]).toContain('form="pick"');
    expect(page).toContain('<button type="submit" form="pick" name="action" value="add" class="secondary">Add</button>');
    // A refused Add: the tick comes back ticked, what was typed too, the address marked.
    const refused = await post(path(), { action: "add", pick: "guest011@company11.com", name: "A Colleague", email: "dev@lumenworks.io" });
    expect(refused.status).toBe(400);
    const again = await text(refused);
    expect(again).toContain('value="guest011@company11.com" checked>');
    expect(again).toContain('value="A Colleague"');
    expect(/<input type="email" id="email"[^>]*>/.exec(again)?.[0]).toContain('aria-invalid="true"');
    // Sent as a browser sends the Add: the tick and the person typed, both saved.
    const res = await post(path(), { action: "add", pick: "guest011@company11.com", name: "Lena Ford", email: "lena@fordworks.io" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toMatch(/\?saved=2&at=\d+$/);
    // Save whom I met with the person typed: added too (Enter sends the hidden first button, "enter", the
    // same: "a search is a POST of the tick form" above).
    const enter = await post(path(), { action: "confirm", name: "Kai Moss", email: "kai@mossco.io" });
    expect(enter.headers.get("location")).toMatch(/\?saved=1&at=\d+$/);
    const said = (await loadStatements(repo, OWNER)).confirmations.map((c) => c.email);
    expect(said).toEqual(expect.arrayContaining(["guest011@company11.com", "lena@fordworks.io", "kai@mossco.io"]));
    for (const email of ["guest011@company11.com", "lena@fordworks.io", "kai@mossco.io"]) await post(path(), { action: "unconfirm", email });
  });

  it("an addition sent on a link that expired while the page was open changes nothing and gives back what was typed", async () => {
    const stale = linkPath("met", sealLink(KEY, { act: "met", acc: OWNER, evt: "conf-1" }, NOW - 43 * DAY));
    const before = (await loadStatements(repo, OWNER)).confirmations.length;
    const res = await post(stale, { action: "add", name: "Priya Natarajan", email: "priya.n@northstar.io" });
    expect(res.status).toBe(410);
    const page = await text(res);
    expect(page).toContain("Nothing was changed.");
    expect(page).toContain('value="Priya Natarajan" readonly');
    expect(page).toContain('value="priya.n@northstar.io" readonly');
    expect((await loadStatements(repo, OWNER)).confirmations.length).toBe(before);
    // Sent by Save whom I met, by Search, or by Enter in the address box (the form's first button, a
    // hidden "enter"): the same (helper-131 #4, helper-228 #1).
    for (const action of ["confirm", "search", "enter"]) {
      const entered = await text(await post(stale, { action, q: "", shown: "", filled: "", name: "Priya Natarajan", email: "priya.n@northstar.io" }));
      expect(entered, action).toContain('value="Priya Natarajan" readonly');
      expect(entered, action).toContain('value="priya.n@northstar.io" readonly');
    }
    // A Take back (a button of the same form) sends them too (helper-229 #1).
    const takeBack = await text(await post(stale, { takeback: "zoe.chateau@kestrel.vc", q: "", shown: "", filled: "", name: "Priya Natarajan", email: "priya.n@northstar.io" }));
    expect(takeBack).toContain('value="Priya Natarajan" readonly');
    expect(takeBack).toContain('value="priya.n@northstar.io" readonly');
    // What a search that found no one put below, as it was, is not the owner's typing.
    expect(await text(await post(stale, { action: "enter", q: "Nadia Ortiz", shown: "Nadia Ortiz", filled: "Nadia Ortiz", name: "Nadia Ortiz", email: "" }))).not.toContain("What you typed");
    // A "Take back" button's hidden address is nothing typed: not shown as such.
    expect(await text(await post(stale, { action: "unconfirm", email: "zoe.chateau@kestrel.vc" }))).not.toContain("What you typed");
    // From another origin: the same page, nothing echoed.
    const foreign = await post(stale, { action: "add", name: "Priya Natarajan", email: "priya.n@northstar.io" }, { ...SAME, origin: "https://evil.example", "sec-fetch-site": "cross-site" });
    expect(foreign.status).toBe(410);
    expect(await text(foreign)).not.toContain("Priya");
  });

  it("values too long for an address or an event id are refused with a 400 page, not a failure of the store", async () => {
    const long = `${"a".repeat(1100)}@acme.io`;
    const add = await post(path(), { action: "add", name: "X", email: long });
    expect(add.status).toBe(400);
    expect(await text(add)).toContain("is not an e-mail address");
    expect((await post(path(), { action: "confirm", pick: [long] })).status).toBe(400);
    // A name past 200 characters: refused for that reason, given back whole (helper-106 #5).
    const longName = `Ana ${"ü".repeat(197)}`;
    const tooLong = await post(path(), { action: "add", name: longName, email: "ana.long@elsewhere.org" });
    expect(tooLong.status).toBe(400);
    const refusedPage = await text(tooLong);
    expect(refusedPage).toContain("A name is at most 200 characters.");
    expect(refusedPage).toContain(`value="${longName}"`);
    // 200 characters, though 400 UTF-16 units, are within it; a direction mark pasted with a Hebrew
    // name (U+200F) is dropped, not a reason to refuse the name.
    const emoji = "🙂".repeat(200);
    expect((await post(path(), { action: "add", name: emoji, email: "smile@elsewhere.org" })).status).toBe(303);
    expect((await post(path(), { action: "add", name: "\u200fשרה\u00a0\u00a0כהן", email: "sara.cohen@elsewhere.org" })).status).toBe(303);
    const names = new Map((await loadStatements(repo, OWNER)).confirmations.map((c) => [c.email, c.name]));
    expect(names.get("smile@elsewhere.org")).toBe(emoji);
    expect(names.get("sara.cohen@elsewhere.org")).toBe("שרה כהן");
    for (const email of ["smile@elsewhere.org", "sara.cohen@elsewhere.org"]) await post(path(), { action: "unconfirm", email });
    // Taking back an address too long to be one changes nothing, and is refused as naming no one (helper-171 #7).
    const before = (await loadStatements(repo, OWNER)).confirmations;
    expect((await post(path(), { action: "unconfirm", email: long })).status).toBe(400);
    expect((await loadStatements(repo, OWNER)).confirmations).toEqual(before);
    // An event id no calendar holds, however long: the events page's "not in your calendar".
    // (Counted in bytes: packages/core/test/events.test.ts; dynalite checks a key's length in characters.)
    for (const action of ["mark", "unmark", "goal"]) {
      const res = await post(link("events"), { action, event: "e".repeat(1100), goal: "3" });
      expect(res.status, action).toBeLessThan(500);
      expect(res.status, action).toBeGreaterThanOrEqual(400);
    }
    // Removing a goal no event can have removes nothing, as for any event without one.
    expect((await post(link("events"), { action: "cleargoal", event: "e".repeat(1100) })).status).toBe(303);
  });

  it("an upcoming event has nobody to pick yet; a GET changes nothing", async () => {
    const before = (await loadStatements(repo, OWNER)).confirmations.length;
    const res = await app.request(link("met", "mixer-1"));
    expect(res.status).toBe(200);
    expect(await text(res)).toContain("Come back once you have been");
    expect((await post(link("met", "mixer-1"), { action: "add", name: "Early Bird", email: "early@bird.io" })).status).toBe(400);
    expect((await loadStatements(repo, OWNER)).confirmations.length).toBe(before);
  });
});

describe("a long guest list is grouped by first letter", () => {
  /** The summaries of the letters shown (a search hides the letters where it found no one). */
  const summaries = (page: string) => [...page.matchAll(/<details ([^>]*)><summary>([^<]*)<\/summary>/g)].filter((m) => !/ hidden(?: |$)/.test(m[1])).map((m) => m[2]);
  /** The markup of one letter's group (its <details> up to the end of it). */
  const group = (page: string, letter: string) => page.match(new RegExp(`<details class="letter" data-letter="${letter.replace("#", "\\#")}"[^>]*>.*?</details>`))?.[0] ?? "";

  it("files a name under its first letter without accents, anything else under #", () => {
    expect(["ángel", "Åsa", "Émile", "Øystein", "Łucja", "Zoë", "ßen", "  maria", "李明", "9lives", "", "Ærø", "İlker"].map(guestLetter)).toEqual(["A", "A", "E", "O", "L", "Z", "S", "M", "#", "#", "#", "A", "I"]);
    // Filed under the first letter, past quotes, brackets and modifier letters; ligatures by their first letter.
    expect(['"Bob Smith"', "'Anna'", "(Dr) Xu", "ʻOla", "Ĳsbrand", "ǅuro", "Ｚoe", "  9 Ana"].map(guestLetter)).toEqual(["B", "A", "D", "O", "I", "D", "Z", "#"]);
    const groups = groupGuests([{ name: "Zed", email: "z@x.io" }, { name: "", email: "b@x.io" }, { name: "李明", email: "l@x.io" }, { name: "Ann", email: "a@x.io" }, { name: "Émile", email: "e@x.io" }, { name: "Bo", email: "bo@x.io" }], (p) => p);
    expect(groups.map((g) => [g.letter, g.guests.map((p) => p.email)])).toEqual([["A", ["a@x.io"]], ["B", ["b@x.io", "bo@x.io"]], ["E", ["e@x.io"]], ["Z", ["z@x.io"]], ["#", ["l@x.io"]]]);
  });

  it(`more than ${GROUP_GUESTS_ABOVE} guests: one closed group per letter, A–Z then #, each with its count, in the one form`, async () => {
    const raw = await text(await app.request(link("met", "meetup-31")));
    expect(raw).toContain(`${GROUP_GUESTS_ABOVE + 1} guests.`);
    expect(raw).toContain('<div id="guests" class="letters">');
    expect(summaries(raw)).toEqual(["A · 2 guests", "E · 1 guest", "G · 22 guests", "H · 1 guest", "L · 1 guest", "O · 1 guest", "X · 1 guest", "Z · 1 guest", "# · 1 guest"]);
    expect(raw).not.toMatch(/<details[^>]* open/);
    // Accents are ignored for the letter; a guest without a name is filed under their address.
    expect(group(raw, "A")).toContain("ángel ruiz");
    expect(group(raw, "A")).toContain("Åsa Berg");
    expect(group(raw, "E")).toContain("Émile Durand");
    expect(group(raw, "O")).toContain("Øystein Lie");
    expect(group(raw, "L")).toContain("Łucja Nowak");
    expect(group(raw, "X")).toContain('value="xavier@noname.org"');
    expect(group(raw, "#")).toContain("李明");
    expect(group(raw, "G").match(/type="checkbox"/g)).toHaveLength(22);
    // Every group sits inside the one form, so ticks in several letters are saved together.
    const form = raw.match(/<form method="post" id="pick"[^>]*>.*?<\/form>/)?.[0] ?? "";
    expect(form.match(/<details /g)).toHaveLength(9);
    expect(form.match(/type="checkbox"/g)).toHaveLength(GROUP_GUESTS_ABOVE + 1);
    expect(new Set(form.match(/id="g\d+"/g)).size).toBe(GROUP_GUESTS_ABOVE + 1);
  });

  it("a search without script shows only the letters that match, open, and how many of each letter match", async () => {
    const raw = await text(await app.request(`${link("met", "meetup-31")}?q=${encodeURIComponent("emile")}`));
    expect(raw).toContain(`1 of ${GROUP_GUESTS_ABOVE + 1} guests match.`);
    expect(summaries(raw)).toEqual(["E · 1 of 1 guest"]);
    expect(raw).toMatch(/<details class="letter" data-letter="E" data-total="1" data-summary="E · 1 guest" open><summary>/);
    const several = await text(await app.request(`${link("met", "meetup-31")}?q=${encodeURIComponent("guest m1")}`));
    expect(summaries(several)).toEqual(["G · 10 of 22 guests"]);
    expect(several).toMatch(/data-letter="G" data-total="22" data-summary="G · 22 guests" open>/);
    // The 200-guest conference: its letters with their counts, the search opening Zoë's.
    const conf = await text(await app.request(link("met", "conf-1")));
    expect(summaries(conf)).toEqual(["D · 1 guest", "G · 197 guests", "H · 1 guest", "Z · 1 guest"]);
    const zoe = await text(await app.request(`${link("met", "conf-1")}?q=zoe`));
    expect(summaries(zoe)).toEqual(["Z · 1 of 1 guest"]);
    expect(group(zoe, "Z")).toMatch(/^<details class="letter" data-letter="Z" data-total="1" data-summary="Z · 1 guest" open>/);
    // The letters without a match are on the page, hidden, for the page's script to show again when the box is emptied.
    expect(group(zoe, "G")).toMatch(/^<details class="letter" data-letter="G" data-total="197" data-summary="G · 197 guests" hidden><summary>G · 0 of 197 guests<\/summary>/);
    // White space alone is no search: every letter closed, the count unqualified.
    const blank = await text(await app.request(`${link("met", "conf-1")}?q=${encodeURIComponent("  ")}`));
    expect(summaries(blank)).toEqual(["D · 1 guest", "G · 197 guests", "H · 1 guest", "Z · 1 guest"]);
    expect(blank).not.toMatch(/<details [^>]* open>/);
    expect(blank).toContain(">200 guests.<");
  });

  it("a refused pick shows the page again with the letters of what was ticked open and ticked", async () => {
    const res = await post(link("met", "meetup-31"), { action: "confirm", pick: ["emile.durand@lumiere.fr", "li.ming@changjiang.cn", "stranger@nowhere.org"] });
    expect(res.status).toBe(400);
    const raw = await text(res);
    expect(raw).toContain("stranger@nowhere.org is not on this event&#39;s list");
    expect(group(raw, "E")).toMatch(/^<details [^>]* open>/);
    expect(group(raw, "#")).toMatch(/^<details [^>]* open>/);
    expect(group(raw, "E")).toMatch(/value="emile.durand@lumiere.fr" checked>/);
    expect(group(raw, "#")).toMatch(/value="li.ming@changjiang.cn" checked>/);
    expect(raw.match(/<details [^>]* open>/g)).toHaveLength(2);
    expect((await loadStatements(repo, OWNER)).confirmations.filter((c) => c.eventId === "meetup-31")).toEqual([]);
  });

  it(`the threshold: ${GROUP_GUESTS_ABOVE} guests stay one flat list, one more are grouped`, async () => {
    const raw = await text(await app.request(link("met", "meetup-30")));
    expect(raw).toContain(`${GROUP_GUESTS_ABOVE} guests.`);
    expect(raw).toContain('<ul id="guests" class="guests">');
    expect(raw).not.toContain("<details");
    expect(raw.match(/type="checkbox"/g)).toHaveLength(GROUP_GUESTS_ABOVE);
    const big = await text(await app.request(link("met", "meetup-31")));
    expect(big).toContain(`${GROUP_GUESTS_ABOVE + 1} guests.`);
    expect(big).toContain('<div id="guests" class="letters">');
    expect(big).not.toContain('<ul id="guests"');
  });
});

describe("event emails in settings", () => {
  it("switches each kind off and on again (a job still on the index then ends as off: test/event-mail.test.ts)", async () => {
    const path = linkPath("settings", sealLink(KEY, { act: "settings", acc: OWNER }, NOW));
    const page = await text(await app.request(path));
    expect(page).toMatch(/id="morningOf" name="morningOf" value="on" checked/);
    expect(page).toMatch(/id="morningAfter" name="morningAfter" value="on" checked/);
    // Only the morning-after box ticked: the morning-of email is off.
    expect((await post(path, { action: "eventemails", morningAfter: "on" })).status).toBe(303);
    let stored = await loadAccount(repo, OWNER);
    expect(stored?.eventEmails).toEqual({ morningOf: false, morningAfter: true });
    const after = await text(await app.request(path));
    expect(after).toMatch(/id="morningOf" name="morningOf" value="on">/);
    expect((await post(path, { action: "eventemails", morningOf: "on", morningAfter: "on" })).status).toBe(303);
    stored = await loadAccount(repo, OWNER);
    expect(stored?.eventEmails).toEqual({ morningOf: true, morningAfter: true });
    // A form from elsewhere changes nothing.
    expect((await post(path, { action: "eventemails" }, { origin: "https://evil.example", "content-type": "application/x-www-form-urlencoded" })).status).toBe(403);
    expect((await loadAccount(repo, OWNER))?.eventEmails).toEqual({ morningOf: true, morningAfter: true });
  });
});

describe("a mark or a goal stored while the table refuses the event emails' index (helper-179 #2)", () => {
  const owner = "plan.refused@lumenworks.io";
  /** Refuses (throttles) the writes of event emails' index items while `failing`; the daily sync's still goes. */
  class Throttled extends Repository {
    failing = false;
    private refuse(sk: unknown) {
      if (this.failing && String(sk).startsWith("EVJOB#morning-")) {
        const e = new Error("Rate of requests exceeds the allowed throughput.");
        e.name = "ProvisionedThroughputExceededException";
        throw e;
      }
    }
    override async put(item: Record<string, unknown>) {
      this.refuse(item.sk);
      return super.put(item);
    }
    override async putIf(...a: Parameters<Repository["putIf"]>) {
      this.refuse(a[0].sk);
      return super.putIf(...a);
    }
  }
  let throttled: Throttled;
  let refusing: ReturnType<typeof createApp>;
  beforeAll(async () => {
    throttled = new Throttled(dynamo.doc, dynamo.tableName);
    await saveAccount(throttled, randomKeyring(), { email: owner, provider: "google", clientId: "c", refreshToken: "r", connectedAt: NOW - 30 * DAY, aliases: [], displayName: "Plan Refused", timeZone: zone, status: "active" });
    await putMeetings(throttled, owner, [meeting("mixer-1", "Founders Mixer", NOW + 2 * DAY, 3), meeting("lunch-1", "Lunch with Ivo", NOW + 3 * DAY, 1)], 1);
    refusing = createApp({ repo: throttled, linkKey: KEY, baseUrl: BASE, now: () => NOW, providerFor: () => { throw new Error("no provider call expected"); } });
  });
  const postAs = async (path: string, body: Record<string, string>) => {
    throttled.failing = true;
    try {
      return await refusing.request(path, { method: "POST", body: new URLSearchParams(body).toString(), headers: SAME });
    } finally {
      throttled.failing = false;
    }
  };
  const linkOf = (act: "events" | "goal", evt?: string) => linkPath(act, sealLink(KEY, { act, acc: owner, ...(evt ? { evt } : {}) }, NOW));

  it("the events page's mark is saved and said so, and the calendar's sync is filed for the next dispatch, which plans", async () => {
    const res = await postAs(linkOf("events"), { action: "mark", event: "lunch-1" });
    expect(res.status).toBeLessThan(400);
    expect((await loadStatements(throttled, owner)).marks.get("lunch-1")).toBe(true);
    expect(await throttled.get(keys.eventJob(owner, "morning-of", "lunch-1"))).toBeUndefined();
    expect(await throttled.get<{ due: number }>(keys.eventJob(owner, "sync"))).toMatchObject({ due: NOW + 15 * 60_000 });
  });

  it("the goal page's goal is saved and said so", async () => {
    await throttled.delete(keys.eventJob(owner, "sync"));
    const res = await postAs(linkOf("goal", "mixer-1"), { action: "goal", goal: "3" });
    expect(res.status).toBeLessThan(400);
    expect((await loadStatements(throttled, owner)).goals.get("mixer-1")).toBe(3);
    expect(await throttled.get<{ due: number }>(keys.eventJob(owner, "sync"))).toMatchObject({ due: NOW + 15 * 60_000 });
  });
});

describe("who did you meet at an event whose invitation lists no one to tick", () => {
  it("a colleagues' summit made on the company calendar (a networking event: the calendar is someone outside) says its list holds only colleagues and shared addresses, not that it shows no guests (helper-199)", async () => {
    const summit = meeting("summit-colleagues", "Company Summit", NOW - DAY, 3, {
      organizer: { email: "c_0a1b2c@group.calendar.google.com", name: "Lumenworks Events" },
      attendees: [person("dev@lumenworks.io", "A Colleague"), person("ops@lumenworks.io", "Another Colleague"), { ...person("c_0a1b2c@group.calendar.google.com", "Lumenworks Events") }],
    });
    await putMeetings(repo, OWNER, [summit], 1);
    try {
      const res = await app.request(link("met", "summit-colleagues"));
      expect(res.status).toBe(200);
      const page = await text(res);
      expect(page).toContain("The invitation lists no one to tick here: only colleagues, rooms or shared addresses. Add the people you met below.");
      expect(page).not.toContain("shows no guests");
      expect(page).not.toMatch(/type="checkbox"/);
      // With someone said met there: Enter under "Someone not on the list?" sends the form's first
      // button, a hidden Add before every Take back, never a Take back (helper-229 #2).
      expect((await post(link("met", "summit-colleagues"), { action: "add", name: "Rae Outside", email: "rae@outside.example" })).status).toBe(303);
      const said = await text(await app.request(link("met", "summit-colleagues")));
      const first = /<button type="submit" form="pick"[^>]*>/.exec(said)?.[0];
      expect(first).toBe('<button type="submit" form="pick" name="action" value="add" class="enter" tabindex="-1" aria-hidden="true">');
      expect(said.indexOf('class="enter"')).toBeLessThan(said.indexOf('name="takeback"'));
    } finally {
      await unconfirmMet(repo, (await loadAccount(repo, OWNER))!, "summit-colleagues", "rae@outside.example");
      await repo.delete(keys.meeting(OWNER, "summit-colleagues"));
    }
  });

  it("one guest: 'Search 1 guest', '1 guest.', '0 of 1 guest matches.' (helper-200 #9)", async () => {
    await putMeetings(repo, OWNER, [meeting("meetup-one", "Kindling Meetup", NOW - 3 * DAY, 2, { organizer: { email: OWNER, name: "Mara Quinn" }, organizerSelf: true })], 1);
    try {
      const page = await text(await app.request(link("met", "meetup-one")));
      expect(page).toContain("Search 1 guest by name, address or company");
      expect(page).toContain(">1 guest.<");
      expect(page).toContain('" : "1 guest.";'); // the script's count once the box is emptied
      const none = await text(await app.request(`${link("met", "meetup-one")}?q=nobody`));
      expect(none).toContain(">0 of 1 guest matches.<");
      expect(none).toContain('shown + " of 1 guest matches."');
      expect(await text(await app.request(`${link("met", "conf-1")}?q=zoe`))).toContain(">1 of 200 guests match.<");
    } finally {
      await repo.delete(keys.meeting(OWNER, "meetup-one"));
    }
  });

  it("a guest whose listed address is longer than one typed may be is still ticked and saved (helper-202 #1)", async () => {
    const long = `${"a".repeat(65)}@bigcorp.example`;
    await putMeetings(repo, OWNER, [meeting("meetup-long", "Long Names Meetup", NOW - 3 * DAY, 2, { organizer: { email: OWNER, name: "Mara Quinn" }, organizerSelf: true, attendees: [person(long, "Alex Long"), person("ivo@otherco.com", "Ivo Petrov")] })], 1);
    try {
      const res = await post(link("met", "meetup-long"), { action: "confirm", pick: [long, "ivo@otherco.com"] });
      expect(res.status).toBe(303);
      expect(res.headers.get("location")).toMatch(/\?saved=2&at=\d+$/);
      // Typed under Add, the same address is refused: past RFC 5321's 64-octet local part.
      const typed = await post(link("met", "meetup-long"), { action: "add", name: "Alex Long", email: long });
      expect(typed.status).toBe(400);
    } finally {
      for (const email of [long, "ivo@otherco.com"]) await post(link("met", "meetup-long"), { action: "unconfirm", email });
      await repo.delete(keys.meeting(OWNER, "meetup-long"));
    }
  });
});

describe("Save whom I met with nobody new ticked (helper-279 #2)", () => {
  it("says the ticked guests count already where some do, and asks for a tick where none does", async () => {
    const met = link("met", "meetup-30");
    // Nobody of the list counted: the plain ask.
    const none = await post(met, { action: "confirm", q: "", shown: "", filled: "" });
    expect(none.status).toBe(400);
    expect(await text(none)).toContain("Tick at least one person, or add someone below.");
    // One guest said already: their box comes ticked and disabled, so "Tick at least one person" over it read as if the page had not seen it.
    const account = (await loadAccount(repo, OWNER))!;
    await confirmMet(repo, account, "meetup-30", { picked: ["s0@smallco.org"], added: [] }, NOW);
    try {
      const page = await text(await app.request(met));
      expect(page).toMatch(/<input type="checkbox" id="g\d+" name="pick" value="s0@smallco.org" checked disabled>/);
      // The page reads its one event, not every meeting of the account (a year of them).
      const loadMeetings = vi.spyOn(repo, "loadMeetings");
      const res = await post(met, { action: "confirm", q: "", shown: "", filled: "" });
      expect(loadMeetings).not.toHaveBeenCalled();
      loadMeetings.mockRestore();
      expect(res.status).toBe(400);
      const said = await text(res);
      expect(said).toContain("Nobody new is ticked: those ticked already count as met there. Tick someone else, or add someone below.");
      expect(said).not.toContain("Tick at least one person");
      expect((await loadStatements(repo, OWNER)).confirmations.filter((x) => x.eventId === "meetup-30").map((x) => x.email)).toEqual(["s0@smallco.org"]);
    } finally {
      await unconfirmMet(repo, account, "meetup-30", "s0@smallco.org");
    }
  });
});
