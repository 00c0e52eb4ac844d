/**
 * Gmail: a sent follow-up the owner later moved to the Trash was still sent (shared/spec/behaviour.md
 * counts mail the owner sent). An incremental round kept counting it; a full re-read (an expired
 * history id, common with weekly runs) listed SENT without the Trash and swept it, so the person came
 * back as a missing follow-up (helper-193 #2). Full reads now list SENT with the Trash, never Spam.
 * Spam is the other way round (helper-194 #3): a SENT message in Spam is a forgery Gmail filed in
 * Sent and then reclassified (Google's statement on the April 2018 campaign: forged headers "led to
 * those messages erroneously appearing in the Sent folder", reclassified as spam). A full re-read
 * skipped it, but an incremental round kept it, SPAM added to a SENT message being no removal, so
 * the forgery's recipients counted as followed up until the history id expired.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { normalizeAddress } from "@followthrough/core/identity";
import { ownFixture } from "./support/fixtures";
import { type ScanHarness, startScanHarness } from "./support/scan-harness";

const missing = (r: { missingFollowUps: { email: string }[] }) => r.missingFollowUps.map((p) => p.email);

/**
 * The first scan of the harness's mailbox, a person it met and followed up (a new contact who is not
 * missing), and `label`, which changes the labels of every Sent message to them.
 */
async function followedUpBySent(h: ScanHarness) {
  const now = Date.parse(h.expected.now);
  const first = await h.scan(now);
  const followedUp = first.newContacts.map((p) => p.email).find((e) => !missing(first).includes(e))!;
  expect(followedUp).toBeDefined();
  const toThem = h.fixture.google!.messages.filter(
    (m) => m.labelIds?.includes("SENT") && (m.payload?.headers ?? []).some((x) => /^(to|cc|bcc)$/i.test(x.name ?? "") && (x.value ?? "").toLowerCase().includes(followedUp)),
  );
  expect(toThem.length).toBeGreaterThan(0);
  const label = async (change: { add?: string[]; remove?: string[] }) => {
    for (const m of toThem) await h.control("POST", `/_control/accounts/${encodeURIComponent(h.email)}/gmail/messages/${m.id}/labels`, change);
  };
  return { now, first, followedUp, label };
}

describe("Gmail: sent mail in the Trash still counts, across a full re-read", () => {
  let h: ScanHarness;
  beforeAll(async () => {
    h = await startScanHarness({ fixture: ownFixture("demo-google") });
  }, 60_000);
  afterAll(() => h?.close());

  it("a follow-up trashed after it was sent keeps its person followed up, before and after the history id expires", async () => {
    const { now, first, followedUp, label } = await followedUpBySent(h);
    await label({ add: ["TRASH"] });
    expect(missing(await h.scan(now))).not.toContain(followedUp);
    await h.control("POST", `/_control/accounts/${encodeURIComponent(h.email)}/expire-cursors`, {});
    const reread = await h.scan(now);
    expect(reread.streams.sentMail.recoveries).toBe(1);
    expect(missing(reread)).not.toContain(followedUp);
    expect(missing(reread).sort()).toEqual(missing(first).sort());
    expect(normalizeAddress(followedUp)).toBe(followedUp);
  });
});

describe("Gmail: sent mail Gmail moves to Spam stops counting, in an incremental round as after a full re-read", () => {
  let h: ScanHarness;
  beforeAll(async () => {
    h = await startScanHarness({ fixture: ownFixture("demo-google") });
  }, 60_000);
  afterAll(() => h?.close());

  it("a SENT message later labelled SPAM (a forgery Gmail had filed in Sent) no longer follows its person up", async () => {
    const { now, first, followedUp, label } = await followedUpBySent(h);
    await label({ add: ["SPAM"] });
    const incremental = await h.scan(now);
    expect(incremental.streams.sentMail.recoveries).toBe(0);
    expect(missing(incremental)).toContain(followedUp);
    await h.control("POST", `/_control/accounts/${encodeURIComponent(h.email)}/expire-cursors`, {});
    const reread = await h.scan(now);
    expect(reread.streams.sentMail.recoveries).toBe(1);
    expect(missing(reread).sort()).toEqual(missing(incremental).sort());
    // Marked "not spam" again: it counts again.
    await label({ remove: ["SPAM"] });
    expect(missing(await h.scan(now)).sort()).toEqual(missing(first).sort());
  });
});
