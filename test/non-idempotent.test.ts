/**
 * Calls that must not happen twice (send the digest, create a draft) are retried only after a rate
 * limit, which proves the provider did nothing; after a 5xx or a reset the provider may have acted,
 * so the failure surfaces and the caller's own exactly-once machinery (digest claim + reconcile,
 * draft claim) decides. A failed draft releases its claim so the next tap works at once.
 */
import { describe, expect, it } from "vitest";
import { draftFollowUp } from "@followthrough/core/followup";
import { ownFixture } from "./support/fixtures";
import { startScanHarness } from "./support/scan-harness";

describe.each([
  [ownFixture("demo-google"), "gmail.drafts.create", "gmail.messages.send"],
  [ownFixture("demo-microsoft"), "graph.messages.create", "graph.sendMail"],
])("%s", (dir, draftRoute, sendRoute) => {
  it("a 503 on create-draft is not retried; nothing was made, so the claim is freed and the next tap makes one draft", async () => {
    const h = await startScanHarness({ fixture: dir });
    try {
      const now = Date.parse(h.expected.now);
      await h.scan(now);
      const person = (await h.repo.loadPeople(h.email)).find((p) => p.stage === "met")!;
      await h.resetStats();
      await h.injectFault({ route: draftRoute, kind: "status", status: 503, times: 1 });
      const tap = () => draftFollowUp({ repo: h.repo, provider: h.provider, account: h.account(), person: person.email, now });
      await expect(tap()).rejects.toMatchObject({ problem: "failed" });
      expect((await h.stats()).calls[draftRoute]).toBe(1);
      const first = await tap();
      expect(first).toMatchObject({ status: "ready", created: true });
      expect(await tap()).toMatchObject({ status: "ready", draftId: (first as { draftId: string }).draftId, created: false });
      expect((await h.stats()).calls[draftRoute]).toBe(2);
    } finally {
      await h.close();
    }
  });

  it("send retries a 429 but not a 503", async () => {
    const h = await startScanHarness({ fixture: dir });
    try {
      const mail = { to: h.email, subject: "s", html: "<p>x</p>", text: "x" };
      await h.injectFault({ route: sendRoute, kind: "status", status: 429, retryAfter: 0, times: 1 });
      await h.provider.send(mail);
      expect((await h.stats()).calls[sendRoute]).toBe(2);
      await h.resetStats();
      await h.injectFault({ route: sendRoute, kind: "status", status: 503, times: 1 });
      await expect(h.provider.send(mail)).rejects.toMatchObject({ kind: "temporary" });
      expect((await h.stats()).calls[sendRoute]).toBe(1);
    } finally {
      await h.close();
    }
  });
});
