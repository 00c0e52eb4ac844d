/** A person's stage through the product: met → drafted by a tap → followed up once a scan sees the mail. */
import { describe, expect, it } from "vitest";
import { draftFollowUp } from "@followthrough/core/followup";
import { DAY } from "@followthrough/core/time";
import { prepareDigest } from "@followthrough/core/weekly";
import { ownFixture } from "./support/fixtures";
import { startScanHarness } from "./support/scan-harness";

const links = { baseUrl: "https://app.followthrough.test", key: "k" };

describe.each([ownFixture("demo-google"), ownFixture("demo-microsoft")])("stages in %s", (dir) => {
  it("met → drafted → followed up, and the digest moves the person from waiting to wins", async () => {
    const h = await startScanHarness({ fixture: dir, pageSize: 50 });
    try {
      const now = Date.parse(h.expected.now);
      await h.scan(now);
      const person = (await h.repo.loadPeople(h.email)).find((p) => p.stage === "met" && h.expected.missingFollowUps.some((m) => m.toLowerCase() === p.email))!;
      expect(person).toBeDefined();
      const draft = await draftFollowUp({ repo: h.repo, provider: h.provider, account: h.account(), person: person.email, now });
      if (draft.status !== "ready") throw new Error("the draft should be ready");
      expect((await h.repo.getPerson(h.email, person.email))?.stage).toBe("drafted");
      let d = (await prepareDigest({ repo: h.repo, account: h.account(), now, links })).digest;
      expect(d.missing.find((m) => m.email === person.email)?.drafted).toBe(true);

      // The owner sends the follow-up a day later.
      const at = now + DAY;
      const enc = encodeURIComponent(h.email);
      if (h.fixture.account.provider === "google")
        await h.control("POST", `/_control/accounts/${enc}/gmail/messages`, {
          labelIds: ["SENT"],
          internalDate: String(at),
          headers: { From: h.email, To: person.email, Subject: "Following up", Date: new Date(at).toUTCString() },
        });
      else
        await h.control("POST", `/_control/accounts/${enc}/graph/messages/sentitems`, {
          subject: "Following up",
          sentDateTime: new Date(at).toISOString(),
          receivedDateTime: new Date(at).toISOString(),
          isDraft: false,
          from: { emailAddress: { address: h.email } },
          toRecipients: [{ emailAddress: { address: person.email } }],
        });
      const later = now + 2 * DAY;
      await h.scan(later);
      const after = await h.repo.getPerson(h.email, person.email);
      expect(after?.stage).toBe("followed_up");
      expect(after?.draftId).toBe(draft.draftId);
      d = (await prepareDigest({ repo: h.repo, account: h.account(), now: later, links })).digest;
      expect(d.missing.map((m) => m.email)).not.toContain(person.email);
      expect(d.wins.map((w) => w.email)).toContain(person.email);
    } finally {
      await h.close();
    }
  });
});
