/**
 * "Who I met at E" (shared/spec/events.md "What the owner says") against a stored event, on
 * dynalite: an address the event's own list or organiser names as a room or other resource is not a
 * person's (behaviour.md), so it is refused whether picked or added, and a confirmation of one
 * stored before it was refused counts for nothing (helper-130 #2: a room added by address became a
 * new person met, with a follow-up draft).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { confirmedAt, confirmMet, loadStatements, markEvent, recordKnownConfirmations, unconfirmMet } from "@followthrough/core/events";
import { classify, ownerIdentity } from "@followthrough/core/identity";
import { attendedEvent, infer } from "@followthrough/core/inference";
import type { Meeting, Owner } from "@followthrough/core/model";
import { keys, type LocalDynamo, putMeetings, Repository, startLocalDynamo } from "@followthrough/core/storage";
import { ownFixture } from "./support/fixtures";
import { startScanHarness } from "./support/scan-harness";

const DAY = 86_400_000;
const now = Date.parse("2026-06-10T09:00:00Z");
const owner: Owner = { email: "mara@lumenworks.io", aliases: [], timeZone: "Europe/London" };
const person = (email: string, name: string, resource = false) => ({ email, name, response: "accepted" as const, resource, organizer: false });
const graphRoom = "atrium@venuehotel.com"; // on the list as a resource (Graph's `type: "resource"`)
const googleRoom = "c_188abc@resource.calendar.google.com"; // the organiser: made on the room's own calendar
/** A Luma event the owner attended yesterday (a networking event by rule 3). */
const mixer: Meeting = {
  id: "mixer1",
  title: "Founders Mixer",
  start: now - DAY - 3 * 3_600_000,
  end: now - DAY - 3_600_000,
  allDay: false,
  cancelled: false,
  kind: "default",
  organizerSelf: false,
  selfResponse: "accepted",
  organizer: { email: googleRoom, name: "Ballroom" },
  attendees: [person("ivo@otherco.com", "Ivo Petrov"), person(graphRoom, "Atrium", true)],
  platform: "luma",
};

describe("who I met at an event: its rooms are no one met", () => {
  let db: LocalDynamo;
  let repo: Repository;
  beforeAll(async () => {
    db = await startLocalDynamo();
    repo = new Repository(db.doc, db.tableName);
    await putMeetings(repo, owner.email, [mixer], 1);
  });
  afterAll(() => db?.stop());

  it.each([
    ["the list's room, picked", { picked: [graphRoom] }],
    ["the list's room, added by address", { added: [{ name: "Atrium", email: graphRoom }] }],
    ["the room organising it, added by address", { added: [{ name: "Ballroom", email: googleRoom.toUpperCase() }] }],
  ])("%s: refused as not a person's, nothing stored", async (_, people) => {
    await expect(confirmMet(repo, owner, mixer.id, people, now)).rejects.toMatchObject({ code: "not-person", message: "That address is not a person's (a room, a group or an automated address)." });
    expect((await loadStatements(repo, owner.email)).confirmations).toEqual([]);
  });

  it("at an attended event that is no networking event: refused (events.md: \"for an attended networking event\"), nothing stored", async () => {
    const { organizer: _room, platform: _luma, ...plain } = mixer;
    const coffee: Meeting = { ...plain, id: "coffee1", title: "Coffee with Ivo", attendees: [person("ivo@otherco.com", "Ivo Petrov")] };
    await putMeetings(repo, owner.email, [coffee], 1);
    expect(attendedEvent(coffee, now)).toBe(true);
    await expect(confirmMet(repo, owner, coffee.id, { picked: ["ivo@otherco.com"] }, now)).rejects.toMatchObject({ code: "not-networking" });
    await expect(confirmMet(repo, owner, coffee.id, { added: [{ name: "Ivo Petrov", email: "ivo@otherco.com" }] }, now)).rejects.toMatchObject({ code: "not-networking" });
    expect((await loadStatements(repo, owner.email)).confirmations).toEqual([]);
  });

  it("a person on the list, picked, is confirmed", async () => {
    expect(await confirmMet(repo, owner, mixer.id, { picked: ["Ivo@OtherCo.com"] }, now)).toEqual([{ eventId: mixer.id, email: "ivo@otherco.com", name: "Ivo Petrov", isNew: true }]);
  });

  it("a scan's reading of a confirmation is written only when it changes, and only onto the confirmation it read", async () => {
    const self = ownerIdentity(owner.email, owner.aliases);
    const said = async () => (await loadStatements(repo, owner.email)).confirmations.find((c) => c.email === "ivo@otherco.com")!;
    const ivo = await said();
    // No contact at all (as if written to long before): known; then a contact after all: not.
    await recordKnownConfirmations(repo, owner.email, self, [mixer], [ivo], [], now);
    expect((await said()).known).toBe(true);
    await recordKnownConfirmations(repo, owner.email, self, [mixer], [await said()], [{ email: "ivo@otherco.com", name: "Ivo", eventId: mixer.id, eventTitle: mixer.title, metAt: mixer.start, metEnd: mixer.end }], now);
    expect((await said()).known).toBeUndefined();
    // Taken back while the scan ran: its reading does not bring it back.
    const read = await said();
    await unconfirmMet(repo, owner, mixer.id, "ivo@otherco.com");
    await recordKnownConfirmations(repo, owner.email, self, [mixer], [read], [], now);
    expect(await repo.get(keys.metConfirmation(owner.email, mixer.id, "ivo@otherco.com"))).toBeUndefined();
  });

  it("confirming again someone a scan marked known (an Add of their address) keeps the mark, and their name: the one saved, not the one typed (helper-133 #6, helper-238 #3)", async () => {
    const self = ownerIdentity(owner.email, owner.aliases);
    const said = async () => (await loadStatements(repo, owner.email)).confirmations.find((c) => c.email === "ivo@otherco.com")!;
    await confirmMet(repo, owner, mixer.id, { picked: ["ivo@otherco.com"] }, now);
    await recordKnownConfirmations(repo, owner.email, self, [mixer], [await said()], [], now);
    expect((await said()).known).toBe(true);
    await confirmMet(repo, owner, mixer.id, { added: [{ name: "Ivo P.", email: "ivo@otherco.com" }] }, now + 1);
    expect(await said()).toEqual({ eventId: mixer.id, email: "ivo@otherco.com", name: "Ivo Petrov", at: now + 1, known: true });
  });

  it("a room's confirmation stored before it was refused makes no contact, nor is it someone already in touch; the person's does", () => {
    const confirmations = [graphRoom, googleRoom, "no.reply@eventco.com", "ivo@otherco.com"].map((email) => ({ eventId: mixer.id, email, name: "x", at: now }));
    const r = infer(owner, [mixer], [], now, { confirmations });
    expect(r.contacts.map((c) => c.email)).toEqual(["ivo@otherco.com"]);
    // What the digest's "Your events" and the met page list (helper-131 #2: the rooms were "already in touch").
    expect(confirmedAt(mixer, ownerIdentity(owner.email, owner.aliases), { confirmations }, r.contacts)).toEqual([{ email: "ivo@otherco.com", name: "x", status: "new" }]);
  });
});

describe("a scan reads each confirmation once for the met page", () => {
  it("marks known the confirmation of someone the owner wrote to long before (no contact at all), not that of someone new", async () => {
    const h = await startScanHarness({ fixture: ownFixture("demo-google"), pageSize: 50 });
    try {
      const at = Date.parse(h.expected.now);
      const first = await h.scan(at);
      const account = h.account();
      const self = ownerIdentity(account.email, account.aliases);
      // The latest timed meeting the owner attended, marked a networking event.
      const e = (await h.repo.loadMeetings(h.email)).filter((m) => !m.allDay && attendedEvent(m, at)).sort((a, b) => b.end - a.end)[0];
      await markEvent(h.repo, account, e.id, true, at);
      // Someone the owner wrote to more than 14 days before it, not on its list, and no contact (met nowhere before the mail).
      const sent = (await h.repo.loadMessages(h.email)).filter((m) => m.inSent && !m.draft && m.sentAt < e.start - 15 * 86_400_000);
      const contact = new Set(first.contacts.map((c) => c.email));
      const known = sent.flatMap((m) => m.recipients.map((r) => r.email)).find((x) => classify(self, x) === "person" && !contact.has(x) && !e.attendees.some((a) => a.email === x))!;
      expect(known).toBeDefined();
      await confirmMet(h.repo, account, e.id, { added: [{ name: "Known Before", email: known }, { name: "Someone New", email: "someone.new@elsewhere.example" }] }, at);
      await h.scan(at + 1);
      const said = (await loadStatements(h.repo, h.email)).confirmations;
      expect(said.map((c) => [c.email, c.known ?? false])).toEqual(expect.arrayContaining([[known, true], ["someone.new@elsewhere.example", false]]));
    } finally {
      await h.close();
    }
  });
});
