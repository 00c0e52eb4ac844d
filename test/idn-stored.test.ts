/**
 * An earlier release kept an internationalised domain's two spellings apart (`xn--bckerei-5wa.de`
 * and `bäckerei.de`) and stored sent mail under whichever its header used. Stored sent mail is not
 * read from the provider again, so the scan reads such a message in today's one spelling
 * (core/identity refoldStored): the owner's reply to the ASCII form follows up a meeting whose
 * invitation wrote the Unicode form (helper-159).
 */
import { describe, expect, it } from "vitest";
import { putMeetings, putMessages } from "@followthrough/core/storage";
import { meeting, sent } from "../packages/core/test/support/builders";
import { ownFixture } from "./support/fixtures";
import { startScanHarness } from "./support/scan-harness";

const DAY = 86_400_000;

describe("mail stored before an internationalised domain had one spelling", () => {
  it("a stored reply to the ASCII form follows up the meeting whose invitation wrote the Unicode form", async () => {
    const h = await startScanHarness({ fixture: ownFixture("demo-google"), pageSize: 50 });
    try {
      const now = Date.parse(h.expected.now);
      await h.scan(now);
      const generation = async (stream: string) => (await h.repo.getCursor(h.email, stream))!.generation;
      const met = meeting({ id: "idn-meeting", start: now - 3 * DAY, end: now - 3 * DAY + 3_600_000, attendees: ["jonas@bäckerei.de"] });
      await putMeetings(h.repo, h.email, [met], await generation("calendar"));
      const missing = async () => (await h.scan(now)).missingFollowUps.map((c) => c.email);
      expect(await missing()).toContain("jonas@bäckerei.de");

      // As the earlier release stored the owner's reply: the recipient's ASCII form, as written.
      await putMessages(h.repo, h.email, [sent({ id: "idn-reply", from: h.email, sentAt: now - 2 * DAY, to: ["jonas@xn--bckerei-5wa.de"] })], await generation("sent"));
      expect(await missing()).not.toContain("jonas@bäckerei.de");
    } finally {
      await h.close();
    }
  });
});
