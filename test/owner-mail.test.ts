/**
 * Mail From an owner identity outside Sent (shared/spec/behaviour.md, "An outbound message is a
 * message the owner sent (From an owner identity, or in the sent folder)"): on Outlook the scan
 * reads the Inbox's copies From the owner, through the sandbox with the real Graph client. Each
 * case starts from the labelled demo mailbox, where `missingFollowUps` names people not yet written to.
 */
import { OWNER_INBOX_DAYS } from "@followthrough/core/google";
import { normalizeAddress } from "@followthrough/core/identity";
import { scan } from "@followthrough/core/scan";
import { afterEach, describe, expect, it } from "vitest";
import { ownFixture } from "./support/fixtures";
import { type ScanHarness, startScanHarness } from "./support/scan-harness";

const HOUR = 3_600_000;

/** The harness an hour before the demo's labelled `now`, and a person its labels call not yet followed up. */
async function started(h: ScanHarness) {
  const now = Date.parse(h.expected.now);
  await h.setClock(now - HOUR);
  return { h, now, person: normalizeAddress(h.expected.missingFollowUps[0])! };
}
const missing = (r: { missingFollowUps: { email: string }[] }) => r.missingFollowUps.map((c) => c.email);
const ownerMailItems = async (h: ScanHarness) => (await h.tableSnapshot()).filter((i) => i.stream === "ownermail").map((i) => String(i.sk));

describe("owner mail outside Sent (microsoft)", () => {
  let h: ScanHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  /** A message in the Inbox From `from` to `to`, received `at`. */
  const inboxCopy = (h: ScanHarness, key: string, from: string, to: string, at: number) =>
    h.control("POST", `/_control/accounts/${encodeURIComponent(h.email)}/graph/messages/inbox`, {
      id: `AAMkInboxCopy${key}=`,
      subject: "Good to meet you",
      sentDateTime: new Date(at).toISOString(),
      receivedDateTime: new Date(at + 5000).toISOString(),
      internetMessageId: `<copy-${key}@phone.example>`,
      isDraft: false,
      from: { emailAddress: { name: "Mei Lin Goh", address: from } },
      toRecipients: [{ emailAddress: { name: "", address: to } }],
    });

  const sentFrom = (h: ScanHarness, key: string, from: string, to: string, at: number) =>
    h.control("POST", `/_control/accounts/${encodeURIComponent(h.email)}/graph/messages/sentitems`, {
      id: `AAMkSentFrom${key}=`,
      subject: "Notes",
      sentDateTime: new Date(at).toISOString(),
      receivedDateTime: new Date(at).toISOString(),
      internetMessageId: `<sent-${key}@outlook.test>`,
      isDraft: false,
      from: { emailAddress: { name: "Mei Lin Goh", address: from } },
      sender: { emailAddress: { name: "Mei Lin Goh", address: from } },
      toRecipients: [{ emailAddress: { name: "", address: to } }],
    });

  const start = async () => {
    h = await startScanHarness({ fixture: ownFixture("demo-microsoft") });
    return started(h);
  };

  it("an Inbox copy From an alias is a follow-up, and only the owner's copies are stored", async () => {
    const { h, now, person } = await start();
    expect(missing(await h.scan(now - HOUR))).toContain(person);
    await inboxCopy(h, "alias", h.fixture.account.aliases[0], person, now - 2 * HOUR);
    await inboxCopy(h, "stranger", "someone@else.example", person, now - 2 * HOUR);
    await h.setClock(now);
    const r = await h.scan(now);
    expect(missing(r)).not.toContain(person);
    expect(r.people.find((p) => p.email === person)?.stage).toBe("followed_up");
    expect(r.streams.ownerMail).toMatchObject({ mode: "incremental", upserts: 1 });
    expect(await ownerMailItems(h)).toEqual(["MSG#AAMkInboxCopyalias="]);
  });

  it("a Sent Items From outside the account's addresses teaches no alias (Send As another mailbox); an address the account gains reads the Inbox again with it", async () => {
    const { h, now, person } = await start();
    const alias = "m.goh@tidewater-analytics.com";
    await inboxCopy(h, "new-alias", alias, person, now - 2 * HOUR);
    // The address is no owner identity: the copy is someone else's mail.
    expect(missing(await h.scan(now - HOUR))).toContain(person);
    expect(await ownerMailItems(h)).toEqual([]);
    // Sent as that mailbox (from and sender both it): Graph's /me lists every address of the owner's
    // own mailbox, so this is another's, and the scan learns nothing from it (helper-102 #1).
    await sentFrom(h, "new-alias", alias, "colleague@tidewater-analytics.com", now - 30 * 60_000);
    await h.setClock(now);
    let r = await h.scan(now - 20 * 60_000);
    expect(r.owner.aliases).not.toContain(alias);
    expect(r.streams.ownerMail).toMatchObject({ mode: "incremental", upserts: 0 });
    expect(missing(r)).toContain(person);
    // The mailbox gains the address (a new proxy address, stored with the rest at the next
    // reconnect): the owner-mail stream reads the Inbox again under it.
    const sentItems = async () => (await h.tableSnapshot()).filter((i) => String(i.sk).startsWith("MSG#") && i.stream === undefined).map((i) => i.sk);
    const sentBefore = await sentItems();
    const owner = { ...h.account(), aliases: [...h.account().aliases, alias] };
    r = await scan({ owner, provider: h.provider, repo: h.repo, now });
    expect(r.streams.ownerMail).toMatchObject({ mode: "full", upserts: 1 });
    expect(missing(r)).not.toContain(person);
    // That re-read (a new generation of the owner-mail stream's own) leaves Sent's messages alone.
    expect((await sentItems()).sort()).toEqual(sentBefore.sort());
  });

  const move = (h: ScanHarness, key: string, folder: string) =>
    h.control("POST", `/_control/accounts/${encodeURIComponent(h.email)}/graph/messages/AAMkInboxCopy${key}=/move`, { folder });

  it("a copy filed out of the Inbox stays the owner's mail; one deleted, or moved to Deleted Items, Junk or Recoverable Items, goes", async () => {
    const { h, now } = await start();
    const MIN = 60_000;
    // Four people waiting for a follow-up at this hour; each gets one from another system.
    const [person, binnedTo, junkedTo, deletedTo, purgedTo] = missing(await h.scan(now - 2 * HOUR));
    expect(purgedTo).toBeDefined();
    await inboxCopy(h, "archived", h.email, person, now - 3 * HOUR);
    await inboxCopy(h, "binned", h.email, binnedTo, now - 3 * HOUR);
    await inboxCopy(h, "junked", h.email, junkedTo, now - 3 * HOUR);
    await inboxCopy(h, "deleted", h.email, deletedTo, now - 3 * HOUR);
    await inboxCopy(h, "purged", h.email, purgedTo, now - 3 * HOUR);
    let r = await h.scan(now - 2 * HOUR + MIN);
    for (const p of [person, binnedTo, junkedTo, deletedTo, purgedTo]) expect(missing(r)).not.toContain(p);
    const sentItems = async () => (await h.tableSnapshot()).filter((i) => String(i.sk).startsWith("MSG#") && i.stream === undefined).map((i) => i.sk);
    const sent = await sentItems();
    expect(sent.length).toBeGreaterThan(0);
    // Graph's Inbox delta reports each of these as @removed alike; where the copy went decides.
    await move(h, "archived", "archive");
    await move(h, "binned", "deleteditems");
    await move(h, "junked", "junkemail");
    // Archived first, then deleted past Deleted Items (Shift+Delete) before the next scan: the
    // Inbox's delta still reports it, and it is found in Recoverable Items.
    await move(h, "purged", "archive");
    await move(h, "purged", "recoverableitemsdeletions");
    await h.control("DELETE", `/_control/accounts/${encodeURIComponent(h.email)}/graph/messages/AAMkInboxCopydeleted=`);
    await h.resetStats();
    r = await h.scan(now - 2 * HOUR + 2 * MIN);
    expect(await ownerMailItems(h)).toEqual(["MSG#AAMkInboxCopyarchived="]);
    expect(missing(r)).not.toContain(person);
    for (const p of [binnedTo, junkedTo, deletedTo, purgedTo]) expect(missing(r)).toContain(p);
    // One read of each copy that left and of the three folders' ids, nothing more.
    const calls = (await h.stats()).calls;
    expect(calls["graph.messages.get"]).toBe(5);
    expect(calls["graph.mailFolders.get"]).toBe(3);
    // Every delta link expires: the full re-reads sweep neither the filed copy they no longer find
    // nor, for Sent's, the owner-mail stream's messages (nor this stream Sent's).
    await h.control("POST", `/_control/accounts/${encodeURIComponent(h.email)}/expire-cursors`, {});
    await h.setClock(now);
    r = await h.scan(now);
    expect(r.streams.ownerMail).toMatchObject({ mode: "full", recoveries: 1, swept: 0 });
    expect(r.streams.sentMail).toMatchObject({ mode: "full", recoveries: 1, swept: 0 });
    expect(await ownerMailItems(h)).toEqual(["MSG#AAMkInboxCopyarchived="]);
    expect(await sentItems()).toEqual(sent);
    expect(missing(r)).not.toContain(person);
  });
});

describe("owner mail outside Sent (google)", () => {
  let h: ScanHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  /** A message labelled INBOX only (not SENT) From `from` to `to`, sent `at`. */
  const inboxCopy = (h: ScanHarness, key: number, from: string, to: string, at: number) =>
    h.control("POST", `/_control/accounts/${encodeURIComponent(h.email)}/gmail/messages`, {
      id: `19c0ffee${String(key).padStart(8, "0")}`,
      threadId: `19c0ffee${String(key).padStart(8, "0")}`,
      labelIds: ["INBOX", "CATEGORY_PERSONAL"],
      internalDate: String(at + 5000),
      headers: { From: from, To: to, Subject: "Good to meet you", Date: new Date(at).toUTCString(), "Message-ID": `<copy-${key}@phone.example>` },
    });

  const start = async () => {
    h = await startScanHarness({ fixture: ownFixture("demo-google") });
    return started(h);
  };

  it("an INBOX copy From the owner (not SENT) is a follow-up, and only the owner's copies are stored", async () => {
    const { h, now, person } = await start();
    expect(missing(await h.scan(now - HOUR))).toContain(person);
    await inboxCopy(h, 1, h.email, person, now - 2 * HOUR);
    await inboxCopy(h, 2, "someone@else.example", person, now - 2 * HOUR);
    await h.setClock(now);
    const r = await h.scan(now);
    expect(missing(r)).not.toContain(person);
    expect(r.streams.ownerMail).toMatchObject({ mode: "incremental", upserts: 1 });
    expect(await ownerMailItems(h)).toEqual(["MSG#19c0ffee00000001"]);
  });

  it("a send-as address learned from SENT's From reads the Inbox again with it", async () => {
    const { h, now, person } = await start();
    const alias = "ana.alias@sendas.example";
    await inboxCopy(h, 5, alias, person, now - 2 * HOUR);
    expect(missing(await h.scan(now - HOUR))).toContain(person);
    expect(await ownerMailItems(h)).toEqual([]);
    // Sent through Gmail from that address: Gmail labels it SENT, and its From is a send-as address of the owner's.
    await h.control("POST", `/_control/accounts/${encodeURIComponent(h.email)}/gmail/messages`, {
      id: "19c0ffee000000aa",
      threadId: "19c0ffee000000aa",
      labelIds: ["SENT"],
      internalDate: String(now - 30 * 60_000),
      headers: { From: alias, To: "someone@partner.example", Subject: "Notes", Date: new Date(now - 30 * 60_000).toUTCString(), "Message-ID": "<sent-aa@gmail.test>" },
    });
    await h.setClock(now);
    const r = await h.scan(now);
    expect(r.owner.aliases).toContain(alias);
    expect(r.streams.ownerMail).toMatchObject({ mode: "full", upserts: 1 });
    expect(missing(r)).not.toContain(person);
    expect(await ownerMailItems(h)).toEqual(["MSG#19c0ffee00000005"]);
  });

  it(`reads the Inbox back ${OWNER_INBOX_DAYS} days only: a messages.get for each message there, none before`, async () => {
    const { h, now, person } = await start();
    const day = 86_400_000;
    await inboxCopy(h, 3, h.email, person, now - (OWNER_INBOX_DAYS - 1) * day);
    await inboxCopy(h, 4, h.email, person, now - (OWNER_INBOX_DAYS + 1) * day);
    // More Inbox mail before the window than two pages hold: a read of it all would show.
    for (let k = 0; k < 12; k++) await inboxCopy(h, 40 + k, "someone@elsewhere.example", h.email, now - (OWNER_INBOX_DAYS + 2 + k) * day);
    const inbox = h.fixture.google!.messages.filter((m) => m.labelIds?.includes("INBOX") && !m.labelIds.includes("SENT"));
    const recent = inbox.filter((m) => Number(m.internalDate) >= now - HOUR - OWNER_INBOX_DAYS * day).length;
    await h.resetStats();
    const r = await h.scan(now - HOUR);
    expect(await ownerMailItems(h)).toEqual(["MSG#19c0ffee00000003"]);
    expect(r.streams.ownerMail).toMatchObject({ mode: "full", upserts: 1 });
    // Sent's reads plus the window's Inbox messages (the fixture's, and the copy inside it), and at
    // most two pages' worth of older ones: the page the window ends in and the next, wholly older,
    // which shows the end (a page is only roughly newest first: core/google sent.ts).
    const gets = (await h.stats()).calls["gmail.messages.get"];
    const sent = h.fixture.google!.messages.filter((m) => m.labelIds?.includes("SENT")).length;
    expect(gets).toBeGreaterThanOrEqual(sent + recent + 1);
    expect(gets).toBeLessThanOrEqual(sent + recent + 1 + 2 * 7);
    expect(inbox.length + 1 + 12 - recent).toBeGreaterThan(2 * 7);
  });
  const labels = (h: ScanHarness, key: number, body: { add?: string[]; remove?: string[] }) =>
    h.control("POST", `/_control/accounts/${encodeURIComponent(h.email)}/gmail/messages/19c0ffee${String(key).padStart(8, "0")}/labels`, body);

  it("a copy archived (and given back, or not) is still the owner's until it is trashed", async () => {
    const { h, now, person } = await start();
    await inboxCopy(h, 5, h.email, person, now - 3 * HOUR);
    await h.scan(now - 2 * HOUR);
    expect(await ownerMailItems(h)).toEqual(["MSG#19c0ffee00000005"]);
    await labels(h, 5, { remove: ["INBOX"] });
    await labels(h, 5, { add: ["INBOX"] });
    await h.setClock(now);
    const r = await h.scan(now);
    expect(await ownerMailItems(h)).toEqual(["MSG#19c0ffee00000005"]);
    expect(missing(r)).not.toContain(person);
    // Archived for good, it is still mail the owner sent: its labels are read once to see where it went.
    await labels(h, 5, { remove: ["INBOX"] });
    await h.resetStats();
    expect(missing(await h.scan(now))).not.toContain(person);
    expect(await ownerMailItems(h)).toEqual(["MSG#19c0ffee00000005"]);
    expect((await h.stats()).calls["gmail.messages.get"]).toBe(1);
    // Given back and trashed, it is gone (Gmail takes INBOX away as it adds TRASH).
    await labels(h, 5, { add: ["INBOX"] });
    await labels(h, 5, { add: ["TRASH"], remove: ["INBOX"] });
    expect(missing(await h.scan(now))).toContain(person);
    expect(await ownerMailItems(h)).toEqual([]);
  });

  it("a copy deleted from the Inbox, marked as spam, or trashed with INBOX kept, goes", async () => {
    const { h, now, person } = await start();
    const [other, third] = [1, 2].map((i) => normalizeAddress(h.expected.missingFollowUps[i])!);
    await inboxCopy(h, 8, h.email, person, now - 3 * HOUR);
    await inboxCopy(h, 9, h.email, other, now - 3 * HOUR);
    await inboxCopy(h, 10, h.email, third, now - 3 * HOUR);
    await h.scan(now - 2 * HOUR);
    expect(await ownerMailItems(h)).toEqual(["MSG#19c0ffee00000008", "MSG#19c0ffee00000009", "MSG#19c0ffee00000010"]);
    await h.control("DELETE", `/_control/accounts/${encodeURIComponent(h.email)}/gmail/messages/19c0ffee00000008`);
    await labels(h, 9, { add: ["SPAM"], remove: ["INBOX"] });
    // Whether Gmail takes INBOX away as it adds TRASH, the history's TRASH added is enough.
    await labels(h, 10, { add: ["TRASH"] });
    await h.setClock(now);
    const r = await h.scan(now);
    expect(await ownerMailItems(h)).toEqual([]);
    for (const p of [person, other, third]) expect(missing(r)).toContain(p);
  });

  it("the scan contract's whole mailbox: an archived copy is read too, whatever its age, and one in the Trash; one in Spam is not (a forged From lands there)", async () => {
    h = await startScanHarness({ fixture: ownFixture("demo-google"), wholeMailbox: true });
    const { now, person } = await started(h);
    const [other, third] = [1, 2].map((i) => normalizeAddress(h!.expected.missingFollowUps[i])!);
    const post = (key: number, labelIds: string[], to: string, at: number) =>
      h!.control("POST", `/_control/accounts/${encodeURIComponent(h!.email)}/gmail/messages`, {
        id: `19c0ffee${String(key).padStart(8, "0")}`,
        threadId: `19c0ffee${String(key).padStart(8, "0")}`,
        labelIds,
        internalDate: String(at),
        headers: { From: h!.email, To: to, Subject: "Good to meet you", Date: new Date(at).toUTCString(), "Message-ID": `<copy-${key}@phone.example>` },
      });
    // Archived (no INBOX, no SENT).
    await post(21, ["CATEGORY_PERSONAL"], person, now - 3 * HOUR);
    const first = await h.scan(now - 2 * HOUR);
    expect(missing(first)).not.toContain(person);
    expect(await ownerMailItems(h)).toEqual(["MSG#19c0ffee00000021"]);
    // Arriving later, archived at once: the history round reads it (no label needed). One arriving
    // in Spam with the owner's From is not the owner's mail.
    await post(22, ["CATEGORY_PERSONAL"], other, now - 90 * 60_000);
    await post(23, ["SPAM"], third, now - 80 * 60_000);
    // Moved to the Trash, a copy is still mail the owner sent; marked as spam, it goes.
    await labels(h, 21, { add: ["TRASH"] });
    const second = await h.scan(now - HOUR);
    expect(await ownerMailItems(h)).toEqual(["MSG#19c0ffee00000021", "MSG#19c0ffee00000022"]);
    expect(missing(second)).not.toContain(person);
    expect(missing(second)).not.toContain(other);
    expect(missing(second)).toContain(third);
    await labels(h, 22, { add: ["SPAM"] });
    const spammed = await h.scan(now - 30 * 60_000);
    expect(await ownerMailItems(h)).toEqual(["MSG#19c0ffee00000021"]);
    expect(missing(spammed)).toContain(other);
    // Taken out of Spam: the owner's again.
    await labels(h, 22, { remove: ["SPAM"] });
    await h.setClock(now);
    const third_ = await h.scan(now);
    expect(await ownerMailItems(h)).toEqual(["MSG#19c0ffee00000021", "MSG#19c0ffee00000022"]);
    expect(missing(third_)).not.toContain(other);
  });

  it("the scan contract's whole mailbox gets each message once: what the read of Sent got is not got again for the owner's copies (helper-116 #2)", async () => {
    h = await startScanHarness({ fixture: ownFixture("demo-google"), wholeMailbox: true });
    const { now, person } = await started(h);
    // An archived copy From the owner, for the owner-mail read to keep, and one of Sent's messages in the Trash too.
    await h.control("POST", `/_control/accounts/${encodeURIComponent(h.email)}/gmail/messages`, {
      id: "19c0ffee00000031",
      threadId: "19c0ffee00000031",
      labelIds: ["CATEGORY_PERSONAL"],
      internalDate: String(now - 3 * HOUR),
      headers: { From: h.email, To: person, Subject: "Good to meet you", Date: new Date(now - 3 * HOUR).toUTCString(), "Message-ID": "<copy-31@phone.example>" },
    });
    const sent = h.fixture.google!.messages.filter((m) => m.labelIds?.includes("SENT"));
    await h.control("POST", `/_control/accounts/${encodeURIComponent(h.email)}/gmail/messages/${sent[0].id}/labels`, { add: ["TRASH"] });
    await h.resetStats();
    const r = await h.scan(now - 2 * HOUR);
    const gets = (await h.stats()).calls["gmail.messages.get"];
    // Every message of the mailbox once (the fixture's and the copy), none twice: the Sent ones were 29 more.
    expect(sent.length).toBeGreaterThan(20);
    expect(gets).toBe(h.fixture.google!.messages.length + 1);
    expect(await ownerMailItems(h)).toEqual(["MSG#19c0ffee00000031"]);
    expect(missing(r)).not.toContain(person);
    // The same lists as the demo's labels, but for the person the copy followed up.
    expect(missing(r).sort()).toEqual(h.expected.missingFollowUps.map((e) => normalizeAddress(e)!).filter((e) => e !== person).sort());
  });

  it(`a re-read of the ${OWNER_INBOX_DAYS} days removes nothing: a copy archived inside them and one older both stay`, async () => {
    const { h, now, person } = await start();
    await inboxCopy(h, 7, h.email, "someone@else.example", now - 3 * HOUR);
    await h.scan(now - 2 * HOUR);
    // A copy dated before the window arrives later (another system's late delivery): the history
    // round reads it, as it reads every new Inbox message.
    await inboxCopy(h, 6, h.email, person, now - (OWNER_INBOX_DAYS + 5) * 86_400_000);
    await h.scan(now - HOUR);
    expect(await ownerMailItems(h)).toEqual(["MSG#19c0ffee00000006", "MSG#19c0ffee00000007"]);
    // The other copy is archived, then the history id expires: the full re-read of the 45 days finds
    // neither in the Inbox, and removes neither.
    await labels(h, 7, { remove: ["INBOX"] });
    await h.control("POST", `/_control/accounts/${encodeURIComponent(h.email)}/expire-cursors`, {});
    await h.setClock(now);
    const r = await h.scan(now);
    expect(r.streams.ownerMail).toMatchObject({ mode: "full", recoveries: 1, swept: 0 });
    expect(await ownerMailItems(h)).toEqual(["MSG#19c0ffee00000006", "MSG#19c0ffee00000007"]);
  });
});
