/**
 * sendOnce (core/digest/send.ts) taking over a claim an earlier attempt left failed: it looks in Sent
 * for that attempt's Message-ID too, not only its own, so an email claimed before the account's
 * address was renamed (its Message-ID made from the old address) is not sent a second time
 * (helper-131 #3). A MailSender of the role interface records what it is asked; DynamoDB is dynalite.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SEND_CLAIM_STALE_MS, sendOnce } from "@followthrough/core/digest";
import type { MailSender, OutgoingMail } from "@followthrough/core/providers";
import { keys, type LocalDynamo, Repository, startLocalDynamo } from "@followthrough/core/storage";

const now = Date.parse("2026-06-21T07:15:00Z");

/** A mailbox whose Sent holds the messages with these Message-IDs. */
function mailbox(sent: string[]) {
  const sends: OutgoingMail[] = [];
  const sender: MailSender = {
    send: async (mail) => {
      sends.push(mail);
      return { id: `m${sends.length}` };
    },
    sentRecently: async (messageId) => sent.includes(messageId),
  };
  return { sender, sends };
}

describe("sendOnce after a failed claim", () => {
  let db: LocalDynamo;
  let repo: Repository;
  beforeAll(async () => {
    db = await startLocalDynamo();
    repo = new Repository(db.doc, db.tableName);
  });
  afterAll(() => db?.stop());

  const mail = (messageId: string) => ({ to: "ana@new.example", subject: "Founders Mixer: whom did you meet?", html: "<p>Hi</p>", text: "Hi", messageId });
  const claimed = async (key: { pk: string; sk: string }, messageId: string) =>
    repo.put({ ...key, mail: { status: "failed", messageId, claimedAt: now - 3_600_000, kind: "morning-after", eventId: "mixer1", subject: "s" } });

  it("finds the earlier attempt's Message-ID in Sent (made from the address before a rename): reconciled, not sent again", async () => {
    const key = keys.eventMail("ana@new.example", "morning-after", "mixer1");
    await claimed(key, "<ev.after.old@followthrough.app>");
    const box = mailbox(["<ev.after.old@followthrough.app>"]);
    const record = { status: "sending" as const, messageId: "<ev.after.new@followthrough.app>", claimedAt: now };
    expect(await sendOnce({ repo, provider: box.sender, key, field: "mail", record, mail: mail("<ev.after.new@followthrough.app>"), now })).toBe("reconciled");
    expect(box.sends).toEqual([]);
    expect((await repo.get<{ mail: { status: string } }>(key))?.mail.status).toBe("sent");
  });

  it("an attempt that failed after taking over keeps the earlier Message-ID for the next (helper-133 #5)", async () => {
    const key = keys.eventMail("ana@new.example", "morning-after", "mixer3");
    await claimed(key, "<ev.after.old3@followthrough.app>");
    const record = { status: "sending" as const, messageId: "<ev.after.new3@followthrough.app>", claimedAt: now };
    // The second attempt's look in Sent fails (the provider down): it dies with its claim on it.
    const down: MailSender = { send: async () => ({ id: "x" }), sentRecently: async () => Promise.reject(new Error("503")) };
    await expect(sendOnce({ repo, provider: down, key, field: "mail", record, mail: mail("<ev.after.new3@followthrough.app>"), now })).rejects.toThrow("503");
    const box = mailbox(["<ev.after.old3@followthrough.app>"]);
    // The third, once that claim is stale, finds the first attempt's copy.
    const later = now + SEND_CLAIM_STALE_MS + 1;
    expect(await sendOnce({ repo, provider: box.sender, key, field: "mail", record: { ...record, claimedAt: later }, mail: mail("<ev.after.new3@followthrough.app>"), now: later })).toBe("reconciled");
    expect(box.sends).toEqual([]);
  });

  it("with neither in Sent, sends once under its own Message-ID", async () => {
    const key = keys.eventMail("ana@new.example", "morning-after", "mixer2");
    await claimed(key, "<ev.after.old2@followthrough.app>");
    const box = mailbox([]);
    const record = { status: "sending" as const, messageId: "<ev.after.new2@followthrough.app>", claimedAt: now };
    expect(await sendOnce({ repo, provider: box.sender, key, field: "mail", record, mail: mail("<ev.after.new2@followthrough.app>"), now })).toBe("sent");
    expect(box.sends.map((m) => m.messageId)).toEqual(["<ev.after.new2@followthrough.app>"]);
  });
});
