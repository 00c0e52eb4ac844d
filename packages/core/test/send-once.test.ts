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

/**
 * A mailbox whose Sent holds these messages: a Message-ID (found by any look), or one sent `at` a
 * time (found, as Gmail's look finds it, by a look from then or before). `failing`: every look throws.
 */
function mailbox(sent: (string | { id: string; at: number })[], o: { failing?: boolean } = {}) {
  const sends: OutgoingMail[] = [];
  const looks: number[] = [];
  const sender: MailSender = {
    send: async (mail) => {
      sends.push(mail);
      return { id: `m${sends.length}` };
    },
    sentRecently: async (messageId, since = 0) => {
      looks.push(since);
      if (o.failing) throw new Error("429 on the Sent listing");
      return sent.some((c) => (typeof c === "string" ? c === messageId : c.id === messageId && c.at >= since));
    },
  };
  return { sender, sends, looks };
}

const mail = (messageId: string) => ({ to: "ana@new.example", subject: "Founders Mixer: whom did you meet?", html: "<p>Hi</p>", text: "Hi", messageId });

let db: LocalDynamo;
let repo: Repository;
beforeAll(async () => {
  db = await startLocalDynamo();
  repo = new Repository(db.doc, db.tableName);
});
afterAll(() => db?.stop());

describe("sendOnce after a failed claim", () => {
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

describe("sendOnce asked to look in Sent from a time of the caller's (lookFirstSince: an event email on a new connection)", () => {
  it("looks before a first send with no claim, and its retry after a failed look still looks back that far, not from its own claim (helper-178 #1)", async () => {
    const id = "<ev.after.late@followthrough.app>";
    const key = keys.eventMail("ana@new.example", "morning-after", "late1");
    const slot = Date.parse("2026-06-19T22:00:00Z");
    const copies = [{ id, at: slot + 30_000 }]; // sent by the connection before, at its slot
    const lookFirstSince = slot - 5 * 60_000;
    // The new connection's job, two hours late: its look in Sent fails, its claim left "sending".
    const t1 = slot + 2 * 3_600_000;
    const down = mailbox(copies, { failing: true });
    await expect(sendOnce({ repo, provider: down.sender, key, field: "mail", record: { status: "sending", messageId: id, claimedAt: t1 }, mail: mail(id), now: t1, lookFirstSince })).rejects.toThrow("429");
    expect(down.looks).toEqual([lookFirstSince]);
    // An hour on, the retry takes the claim over and looks back to the slot, not to its claim: found.
    const t2 = t1 + 3_600_000;
    const up = mailbox(copies);
    expect(await sendOnce({ repo, provider: up.sender, key, field: "mail", record: { status: "sending", messageId: id, claimedAt: t2 }, mail: mail(id), now: t2, lookFirstSince })).toBe("reconciled");
    expect(up.looks).toEqual([lookFirstSince]);
    expect(up.sends).toEqual([]);
    // Without a time of the caller's and with no claim, nothing is looked for: it is sent.
    const fresh = mailbox([]);
    expect(await sendOnce({ repo, provider: fresh.sender, key: keys.eventMail("ana@new.example", "morning-after", "ontime"), field: "mail", record: { status: "sending", messageId: "<ev.after.ontime@followthrough.app>", claimedAt: t2 }, mail: mail("<ev.after.ontime@followthrough.app>"), now: t2 })).toBe("sent");
    expect(fresh.looks).toEqual([]);
  });
});
