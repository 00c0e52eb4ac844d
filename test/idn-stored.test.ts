/**
 * An earlier release kept an internationalised domain's two spellings apart (`xn--bckerei-5wa.de`
 * and `bäckerei.de`) and stored sent mail, people, draft claims and "I met them" confirmations
 * under whichever spelling it met. Stored sent mail is not read from the provider again, so the
 * scan reads such a message in today's one spelling, and moves what the owner did about a person
 * to it (core/scan/spellings; helper-159, helper-160).
 */
import { describe, expect, it } from "vitest";
import { unconfirmMet } from "@followthrough/core/events";
import type { Meeting } from "@followthrough/core/model";
import { keys, type PersonRecord, putMeetings, putMessages } from "@followthrough/core/storage";
import { meeting, sent } from "../packages/core/test/support/builders";
import { ownFixture } from "./support/fixtures";
import { type ScanHarness, startScanHarness } from "./support/scan-harness";

const DAY = 86_400_000;

/**
 * The demo Google account scanned once, then a meeting three days back with `attendees` stored as
 * the calendar sync stores one; `body` runs on it, and the harness closes after.
 */
async function withMeeting(attendees: string[], body: (h: ScanHarness, now: number, met: Meeting) => Promise<void>) {
  const h = await startScanHarness({ fixture: ownFixture("demo-google"), pageSize: 50 });
  try {
    const now = Date.parse(h.expected.now);
    await h.scan(now);
    const met = meeting({ id: "idn-meeting", start: now - 3 * DAY, end: now - 3 * DAY + 3_600_000, attendees });
    await putMeetings(h.repo, h.email, [met], (await h.repo.getCursor(h.email, "calendar"))!.generation);
    await body(h, now, met);
  } finally {
    await h.close();
  }
}

describe("mail stored before an internationalised domain had one spelling", () => {
  it("a stored reply to the ASCII form follows up the meeting whose invitation wrote the Unicode form", async () => {
    await withMeeting(["jonas@bäckerei.de"], async (h, now) => {
      const missing = async () => (await h.scan(now)).missingFollowUps.map((c) => c.email);
      expect(await missing()).toContain("jonas@bäckerei.de");

      // As the earlier release stored the owner's reply: the recipient's ASCII form, as written.
      await putMessages(h.repo, h.email, [sent({ id: "idn-reply", from: h.email, sentAt: now - 2 * DAY, to: ["jonas@xn--bckerei-5wa.de"] })], (await h.repo.getCursor(h.email, "sent"))!.generation);
      expect(await missing()).not.toContain("jonas@bäckerei.de");
    });
  });

  it("a person dismissed, their draft claim and a confirmation, stored under the ASCII spelling, keep what the owner did", async () => {
    await withMeeting(["jonas@bäckerei.de"], async (h, now, met) => {
      await h.scan(now);
      const [unicode, ascii] = ["jonas@bäckerei.de", "jonas@xn--bckerei-5wa.de"];
      const found = (await h.repo.getPerson(h.email, unicode))!;
      expect(found.stage).toBe("met");
      // As the earlier release stored them: under the ASCII spelling.
      await h.repo.delete(keys.person(h.email, unicode));
      await h.repo.putPeople(h.email, [{ ...found, email: ascii, stage: "dismissed", draftId: "d-1", draftLink: "https://mail.example/d-1" }]);
      await h.repo.put({ ...keys.draft(h.email, ascii), claim: { draftId: "d-1" } });
      await h.repo.put({ ...keys.metConfirmation(h.email, met.id, ascii), eventId: met.id, email: ascii, name: "Jonas", at: now - DAY });

      const result = await h.scan(now);
      expect(await h.repo.getPerson(h.email, unicode)).toMatchObject({ email: unicode, stage: "dismissed", draftId: "d-1", draftLink: "https://mail.example/d-1" } satisfies Partial<PersonRecord>);
      expect(await h.repo.getPerson(h.email, ascii)).toBeUndefined();
      expect(await h.repo.get(keys.draft(h.email, unicode))).toMatchObject({ claim: { draftId: "d-1" } });
      expect(await h.repo.get(keys.draft(h.email, ascii))).toBeUndefined();
      expect(result.statements?.confirmations).toEqual([expect.objectContaining({ eventId: met.id, email: unicode, name: "Jonas" })]);
      expect(await h.repo.get(keys.metConfirmation(h.email, met.id, ascii))).toBeUndefined();
      // And the owner can take it back, by either spelling.
      await unconfirmMet(h.repo, h.account(), met.id, ascii);
      expect(await h.repo.get(keys.metConfirmation(h.email, met.id, unicode))).toBeUndefined();
    });
  });

  it("where spellings meet on one key (a record written since under today's, two old spellings of one address), one is kept: the one the owner took furthest, with its draft (helper-161)", async () => {
    await withMeeting(["jonas@bäckerei.de", "ana@zürich.ch"], async (h, now, met) => {
      await h.scan(now);
      const jonas = (await h.repo.getPerson(h.email, "jonas@bäckerei.de"))!;
      const ana = (await h.repo.getPerson(h.email, "ana@zürich.ch"))!;
      // As a scan of the release before this one left them: today's spelling dismissed with its own
      // draft, the ASCII one gone with an older draft (keys sorting either side of today's).
      await h.repo.putPeople(h.email, [
        { ...jonas, stage: "dismissed", draftId: "d-new" },
        { ...jonas, email: "jonas@xn--bckerei-5wa.de", stage: "met", gone: true, draftId: "d-old" },
        { ...ana, stage: "dismissed" },
        { ...ana, email: "ana@xn--zrich-kva.ch", stage: "met", gone: true },
      ]);
      await h.repo.put({ ...keys.draft(h.email, "jonas@bäckerei.de"), claim: { draftId: "d-new" } });
      await h.repo.put({ ...keys.draft(h.email, "jonas@xn--bckerei-5wa.de"), claim: { draftId: "d-old" } });
      // Two old spellings of one address, and a confirmation under each.
      const bo = { ...jonas, email: "bo@xn--bckerei-5wa.de", stage: "drafted" as const, draftId: "d-bo" };
      await h.repo.putPeople(h.email, [bo, { ...bo, email: "bo@ｂäｃｋｅｒｅｉ.de", stage: "met", draftId: undefined } as PersonRecord]);
      await h.repo.put({ ...keys.metConfirmation(h.email, met.id, "bo@xn--bckerei-5wa.de"), eventId: met.id, email: "bo@xn--bckerei-5wa.de", name: "Bo", at: now - 2 * DAY });
      await h.repo.put({ ...keys.metConfirmation(h.email, met.id, "bo@ｂäｃｋｅｒｅｉ.de"), eventId: met.id, email: "bo@ｂäｃｋｅｒｅｉ.de", name: "Bo B", at: now - DAY });

      const result = await h.scan(now);
      expect(await h.repo.getPerson(h.email, "jonas@bäckerei.de")).toMatchObject({ stage: "dismissed", draftId: "d-new" });
      expect((await h.repo.getPerson(h.email, "jonas@bäckerei.de"))?.gone).toBeUndefined();
      expect(await h.repo.get(keys.draft(h.email, "jonas@bäckerei.de"))).toMatchObject({ claim: { draftId: "d-new" } });
      expect(await h.repo.getPerson(h.email, "ana@zürich.ch")).toMatchObject({ stage: "dismissed" });
      expect((await h.repo.getPerson(h.email, "ana@zürich.ch"))?.gone).toBeUndefined();
      expect(await h.repo.getPerson(h.email, "bo@bäckerei.de")).toMatchObject({ stage: "drafted", draftId: "d-bo" });
      for (const old of ["jonas@xn--bckerei-5wa.de", "ana@xn--zrich-kva.ch", "bo@xn--bckerei-5wa.de", "bo@ｂäｃｋｅｒｅｉ.de"]) expect(await h.repo.getPerson(h.email, old)).toBeUndefined();
      expect(await h.repo.get(keys.draft(h.email, "jonas@xn--bckerei-5wa.de"))).toBeUndefined();
      expect(result.statements?.confirmations.filter((c) => c.email.startsWith("bo@"))).toEqual([expect.objectContaining({ email: "bo@bäckerei.de", name: "Bo B" })]);
      // And the next scan finds nothing left to move.
      expect((await h.scan(now)).people.filter((p) => p.email.includes("xn--") || /[ａ-ｚ]/.test(p.email))).toEqual([]);
    });
  });
});
