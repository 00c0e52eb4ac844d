/**
 * Networking events (shared/spec/events.md) end to end through the sandbox, the real client
 * libraries and dynalite: the labelled eventgoer sample, the owner's statements (stored per account,
 * read by every scan, deleted with the account), and the platform read from a description or a
 * Graph bodyPreview without storing the text.
 */
import { describe, expect, it } from "vitest";
import { deleteAccountData } from "@followthrough/core/accounts";
import { normalizeAddress, ownerIdentity } from "@followthrough/core/identity";
import { prepareDigest } from "@followthrough/core/weekly";
import { dismissFollowUp, draftFollowUp } from "@followthrough/core/followup";
import { clearGoal, confirmedAt, confirmMet, loadStatements, markEvent, pickableAttendees, setGoal, StatementError, unconfirmMet } from "@followthrough/core/events";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { sharedPresent, sharedFixture } from "./support/fixtures";
import { startScanHarness } from "./support/scan-harness";

const HOUR = 3_600_000;
const ids = (list: { eventId: string }[] = []) => list.map((e) => e.eventId).sort();
const emails = (list: { email: string }[] = []) => list.map((c) => c.email).sort();

describe.skipIf(!sharedPresent())("google-eventgoer through the sandbox", () => {

  it("networking events and people met at a large gathering match the labels; no description text is stored", async () => {
    const h = await startScanHarness({ fixture: sharedFixture("google-eventgoer"), pageSize: 10 });
    try {
      const now = Date.parse(h.expected.now);
      const r = await h.scan(now);
      const exp = JSON.parse(readFileSync(join(sharedFixture("google-eventgoer"), "expected.json"), "utf8")) as { upcomingEvents: string[]; attendedEvents: string[] };
      expect(ids(r.networkingEvents?.upcoming)).toEqual([...exp.upcomingEvents].sort());
      expect(ids(r.networkingEvents?.attended)).toEqual([...exp.attendedEvents].sort());
      expect(emails(r.newContacts)).toEqual(h.expected.newContacts.map((e) => normalizeAddress(e)).sort());
      expect(emails(r.missingFollowUps)).toEqual(h.expected.missingFollowUps.map((e) => normalizeAddress(e)).sort());
      const meetings = new Map((await h.repo.loadMeetings(h.email)).map((m) => [m.id, m]));
      // Meetup by a link in the description, Luma by iCalUID/organiser, nothing for meetup.com's home page
      expect(meetings.get("s819b8lcvmsslbhbjdh65g8s57")?.platform).toBe("meetup");
      expect(meetings.get("ecrap4mv637u21ei335atln9il")?.platform).toBe("luma");
      expect(meetings.get("1do52v9vk1imncupad2e5vlvet")?.platform).toBeUndefined();
      const table = JSON.stringify(await h.tableSnapshot());
      for (const text of ["Talks and pizza", "luma.com/ait-lon-nov", "Found you via", "created from an email", "Shoreditch Works"]) expect(table).not.toContain(text);
    } finally {
      await h.close();
    }
  });

  it("the owner's statements: mark, unmark, goal, whom they met (validated), take back; deleted with the account", async () => {
    const h = await startScanHarness({ fixture: sharedFixture("google-eventgoer"), pageSize: 50 });
    try {
      const now = Date.parse(h.expected.now);
      await h.scan(now);
      const owner = h.account();
      const intro = "1do52v9vk1imncupad2e5vlvet"; // "Intro call — Felix Grant", upcoming, no rule holds
      const mixer = "b9fqqjc9spae0ovijc3g65lpb1"; // "Founders Mixer — Shoreditch", upcoming by keyword
      const reception = "ht6hjb9qpig2b09qvekoip7j9a"; // large gathering attended three days ago

      await expect(setGoal(h.repo, owner, intro, 3, now)).rejects.toMatchObject({ code: "not-networking" });
      await markEvent(h.repo, owner, intro, true, now);
      await markEvent(h.repo, owner, mixer, false, now);
      // "N from 1 to 20" (events.md): both ends are goals.
      for (const ok of [1, 20]) {
        await setGoal(h.repo, owner, intro, ok, now);
        expect((await loadStatements(h.repo, h.email)).goals.get(intro)).toBe(ok);
      }
      await setGoal(h.repo, owner, intro, 3, now);
      for (const bad of [0, 21, 2.5, Number.NaN]) await expect(setGoal(h.repo, owner, intro, bad, now)).rejects.toBeInstanceOf(StatementError);
      await expect(markEvent(h.repo, owner, "no-such-event", true, now)).rejects.toMatchObject({ code: "no-such-event" });

      // Whom the owner met at the reception: one picked from the list, one added by hand.
      const list = pickableAttendees((await h.repo.loadMeetings(h.email)).find((m) => m.id === reception)!, owner);
      expect(list.map((p) => p.email)).toContain("umar.butt@kestrel.vc");
      expect(list.map((p) => p.email)).not.toContain("robin.hale@wayfinder.studio"); // a colleague
      // One who declined is on the list, marked: they may have come after all.
      expect(list.find((p) => p.email === "eve.lund@fernhouse.co")?.declined).toBe(true);
      expect(list.find((p) => p.email === "umar.butt@kestrel.vc")?.declined).toBe(false);
      const refuse = async (people: Parameters<typeof confirmMet>[3], code: string) =>
        expect(confirmMet(h.repo, owner, reception, people, now)).rejects.toMatchObject({ code });
      await refuse({ added: [{ name: "Me", email: "Amara@Wayfinder.Studio" }] }, "owner");
      await refuse({ added: [{ name: "Robin", email: "robin.hale@wayfinder.studio" }] }, "colleague");
      await refuse({ added: [{ name: "Desk", email: "events@orbital.io" }] }, "not-person");
      await refuse({ added: [{ name: "Typo", email: "pat@@example" }] }, "bad-address");
      await refuse({ added: [{ name: "  ", email: "pat@example.org" }] }, "bad-name");
      await refuse({ picked: ["pat@example.org"] }, "not-on-list");
      await expect(confirmMet(h.repo, owner, reception, { picked: ["pat@example.org"] }, now)).rejects.toThrow("pat@example.org is not on this event's list: add them with their name instead.");
      await expect(confirmMet(h.repo, owner, mixer, { picked: ["rory@kestrel.vc"] }, now)).rejects.toBeInstanceOf(StatementError); // unmarked, and not yet attended
      await confirmMet(h.repo, owner, reception, { picked: ["Umar.Butt@Kestrel.VC", "ben.okoro@gmail.com", "Eve.Lund@fernhouse.co"], added: [{ name: "Pat Quinn", email: "pat@example.org" }] }, now);

      let r = await h.scan(now + 1);
      expect(ids(r.networkingEvents?.upcoming)).toContain(intro);
      expect(ids(r.networkingEvents?.upcoming)).not.toContain(mixer);
      expect(r.networkingEvents?.upcoming.find((e) => e.eventId === intro)?.goal).toBe(3);
      // Confirmed and never written to: new, and a missing follow-up (the reception ended more than 24 hours ago).
      expect(emails(r.missingFollowUps)).toEqual(expect.arrayContaining(["umar.butt@kestrel.vc", "pat@example.org"]));
      const atReception = r.networkingEvents?.attended.find((e) => e.eventId === reception);
      // Eve declined the invitation and came after all: met there, as the owner says.
      expect(emails(atReception?.met)).toEqual(expect.arrayContaining(["umar.butt@kestrel.vc", "pat@example.org", "benokoro@gmail.com", "eve.lund@fernhouse.co"]));
      expect(emails(atReception?.followedUp)).toContain("benokoro@gmail.com") // normalised: dots dropped for gmail.com;
      expect(confirmedAt((await h.repo.loadMeetings(h.email)).find((m) => m.id === reception)!, ownerIdentity(owner.email, owner.aliases), r.statements!, r.contacts).find((c) => c.email === "umar.butt@kestrel.vc")?.status).toBe("new");
      // the digest sees them too: missing follow-ups with one-tap drafts
      const { digest } = await prepareDigest({ repo: h.repo, account: owner, now: now + 1, links: { baseUrl: "https://app.followthrough.test", key: "k" } });
      const inDigest = digest.missing.filter((m) => ["umar.butt@kestrel.vc", "pat@example.org"].includes(m.email));
      expect(inDigest.map((m) => m.email).sort()).toEqual(["pat@example.org", "umar.butt@kestrel.vc"]);
      for (const m of inDigest) expect(m.draftUrl).toMatch(/^https:\/\/app\.followthrough\.test\//);

      await unconfirmMet(h.repo, owner, reception, "umar.butt@kestrel.vc");
      await clearGoal(h.repo, owner, intro);
      r = await h.scan(now + 2);
      expect(emails(r.missingFollowUps)).not.toContain("umar.butt@kestrel.vc");
      // Taken back, Umar is no longer a contact: the record stays, marked gone, and the draft and
      // dismiss links of the digest that listed him answer "no longer in your list".
      expect(await h.repo.getPerson(h.email, "umar.butt@kestrel.vc")).toMatchObject({ gone: true, eventId: reception });
      await expect(draftFollowUp({ repo: h.repo, provider: h.provider, account: owner, person: "umar.butt@kestrel.vc", now: now + 2 })).rejects.toMatchObject({ problem: "unknown-person" });
      expect(await dismissFollowUp(h.repo, h.email, "umar.butt@kestrel.vc")).toBe(false);
      // Confirmed again, he is back, not gone.
      await confirmMet(h.repo, owner, reception, { picked: ["umar.butt@kestrel.vc"] }, now + 3);
      await h.scan(now + 3);
      expect((await h.repo.getPerson(h.email, "umar.butt@kestrel.vc"))?.gone).toBeUndefined();
      await unconfirmMet(h.repo, owner, reception, "umar.butt@kestrel.vc");
      r = await h.scan(now + 4);
      expect(emails(r.missingFollowUps)).toContain("pat@example.org");
      expect(r.networkingEvents?.upcoming.find((e) => e.eventId === intro)?.goal).toBeUndefined();

      const said = await loadStatements(h.repo, h.email);
      expect([said.marks.size, said.goals.size, said.confirmations.length]).toEqual([2, 0, 3]);
      await deleteAccountData(h.repo, h.email);
      expect((await h.tableSnapshot()).filter((i) => String(i.sk).startsWith("SAYS#"))).toEqual([]);
      const gone = await loadStatements(h.repo, h.email);
      expect([gone.marks.size, gone.goals.size, gone.confirmations.length]).toEqual([0, 0, 0]);
    } finally {
      await h.close();
    }
  });
});

describe.skipIf(!sharedPresent())("Graph: location.displayName and bodyPreview", () => {
  it("an event-page link in bodyPreview or the location makes a networking event; the text is not stored", async () => {
    const h = await startScanHarness({ fixture: sharedFixture("outlook-consultant"), pageSize: 50 });
    try {
      const now = Date.parse(h.expected.now);
      const at = (ms: number) => ({ dateTime: new Date(ms).toISOString().replace("Z", "0000"), timeZone: "UTC" });
      const base = { isOrganizer: false, responseStatus: { response: "accepted" }, organizer: { emailAddress: { address: "host@venue.example", name: "Host" } }, attendees: [] };
      await h.control("POST", `/_control/accounts/${encodeURIComponent(h.email)}/graph/events`, [
        { ...base, id: "ev-body", subject: "Thursday drinks", start: at(now + 24 * HOUR), end: at(now + 26 * HOUR), bodyPreview: "Register: https://lu.ma/thu-drinks-secret" },
        { ...base, id: "ev-loc", subject: "Breakfast", start: at(now + 48 * HOUR), end: at(now + 49 * HOUR), location: { displayName: "partiful.com/e/brk-secret" } },
        { ...base, id: "ev-uid", subject: "Lunch", start: at(now + 50 * HOUR), end: at(now + 51 * HOUR), iCalUId: "evt-1@events.lu.ma" },
        // a daily series: calendarView/delta serves its occurrences as stubs, so the link comes from the master
        ...[1, 2].map((d) => ({ ...base, id: `ev-series-${d}`, type: "occurrence", seriesMasterId: "ev-series-master", subject: "Breakfast club",
          start: at(now + d * 24 * HOUR + 3 * HOUR), end: at(now + d * 24 * HOUR + 4 * HOUR), bodyPreview: "Each morning: https://lu.ma/breakfast-club-secret" })),
        // Two series without a master whose occurrences each have a body of their own (helper-101): each
        // is judged by its own, not the first one's. Office hours links only its first day; Supper links
        // only its second.
        ...[3, 4].map((d) => ({ ...base, id: `ev-office-${d}`, type: "occurrence", seriesMasterId: "ev-office-master", subject: "Office hours",
          start: at(now + d * 24 * HOUR + 5 * HOUR), end: at(now + d * 24 * HOUR + 6 * HOUR), bodyPreview: d === 3 ? "https://lu.ma/first-one-secret" : "Office hours, no link" })),
        ...[3, 4].map((d) => ({ ...base, id: `ev-supper-${d}`, type: "occurrence", seriesMasterId: "ev-supper-master", subject: "Supper",
          start: at(now + d * 24 * HOUR + 10 * HOUR), end: at(now + d * 24 * HOUR + 11 * HOUR), bodyPreview: d === 3 ? "" : "RSVP https://lu.ma/supper-secret" })),
      ]);
      const r = await h.scan(now);
      expect(ids(r.networkingEvents?.upcoming)).toEqual(["ev-body", "ev-loc", "ev-office-3", "ev-series-1", "ev-series-2", "ev-supper-4"]);
      const table = JSON.stringify(await h.tableSnapshot());
      expect(table).not.toContain("secret");
    } finally {
      await h.close();
    }
  });
});
