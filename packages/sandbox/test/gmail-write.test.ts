import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { gmail_v1 } from "@googleapis/gmail";
import { type RunningSandbox, startSandbox } from "../src/index";
import { b64url, control, gmailClient, historyPages, listPages, rejection, tinyMailbox, tokenFor } from "./gmail-support";

const email = "ada@example.org";
const acct = `/accounts/${email}`;

describe("Gmail v1 history, drafts and sends (real @googleapis/gmail client)", () => {
  let sb: RunningSandbox;
  let g: gmail_v1.Gmail;
  const mailbox = tinyMailbox(10, email);
  const fixtureMsgs = mailbox.google!.messages;

  beforeAll(async () => {
    sb = await startSandbox({ fixtures: [mailbox], pageSize: { gmail: 4 } });
    g = gmailClient(sb.url, await tokenFor(sb.url, email), { retry: false });
  });
  afterAll(() => sb?.close());

  it("history.list pages through additions and label changes made with the control API", async () => {
    const start = (await g.users.getProfile({ userId: "me" })).data.historyId!;
    expect(start).toBe(fixtureMsgs[9].historyId);
    await control(sb.url, "/clock", "POST", { now: "2026-03-05T10:00:00Z" });
    const added: gmail_v1.Schema$Message[] = await control(
      sb.url,
      `${acct}/gmail/messages`,
      "POST",
      Array.from({ length: 9 }, (_, i) => ({ headers: { From: `New ${i} <new${i}@example.net>`, To: email, Subject: `New ${i}` } })),
    );
    expect(added).toHaveLength(9);
    expect(added.map((m) => Number(m.historyId))).toEqual(Array.from({ length: 9 }, (_, i) => Number(start) + 1 + i));
    for (const m of added) {
      expect(m.internalDate).toBe(String(Date.parse("2026-03-05T10:00:00Z")));
      expect(m.labelIds).toEqual(["INBOX"]);
      expect(m.payload!.headers!.map((h) => h.name)).toEqual(["From", "To", "Subject", "Date", "Message-ID"]);
    }
    const relabelled = await control(sb.url, `${acct}/gmail/messages/${added[0].id}/labels`, "POST", { add: ["IMPORTANT"], remove: ["INBOX"] });
    expect(relabelled.labelIds).toEqual(["IMPORTANT"]);

    const pages = await historyPages(g, { startHistoryId: start });
    expect(pages.length).toBe(3); // 11 records, 4 a page
    const records = pages.flatMap((p) => p.history ?? []);
    expect(records.map((h) => Number(h.id))).toEqual(Array.from({ length: 11 }, (_, i) => Number(start) + 1 + i));
    const profileNow = (await g.users.getProfile({ userId: "me" })).data.historyId;
    for (const p of pages) expect(p.historyId).toBe(profileNow);
    expect(records[0]).toEqual({
      id: added[0].historyId,
      messages: [{ id: added[0].id, threadId: added[0].threadId }],
      messagesAdded: [{ message: { id: added[0].id, threadId: added[0].threadId, labelIds: ["INBOX"] } }],
    });
    expect(records[9].labelsAdded).toEqual([{ message: { id: added[0].id, threadId: added[0].id, labelIds: ["IMPORTANT"] }, labelIds: ["IMPORTANT"] }]);
    expect(records[10].labelsRemoved![0].labelIds).toEqual(["INBOX"]);

    const onlyLabels = await g.users.history.list({ userId: "me", startHistoryId: start, historyTypes: ["labelAdded", "labelRemoved"] });
    expect(onlyLabels.data.history!.map((h) => Object.keys(h).sort())).toEqual([
      ["id", "labelsAdded", "messages"],
      ["id", "labelsRemoved", "messages"],
    ]);
    const important = await g.users.history.list({ userId: "me", startHistoryId: start, labelId: "IMPORTANT" });
    expect(important.data.history!.map((h) => h.id)).toEqual([records[9].id, records[10].id]);
    const upToDate = await g.users.history.list({ userId: "me", startHistoryId: profileNow! });
    expect(upToDate.data).toEqual({ historyId: profileNow });
    // messages.list sees the new mail first (newest first), the moved one no longer under INBOX.
    const inbox = (await listPages(g, { labelIds: ["INBOX"] })).flatMap((p) => p.messages ?? []);
    expect(inbox.slice(0, 8).map((m) => m.id).sort()).toEqual(added.slice(1).map((m) => m.id).sort());
    expect(inbox.map((m) => m.id)).not.toContain(added[0].id);
  });

  it("answers 400 without startHistoryId and 404 once history has expired, then serves a fresh start id", async () => {
    const missing = await rejection(g.users.history.list({ userId: "me" }));
    expect(missing.status).toBe(400);
    const start = (await g.users.getProfile({ userId: "me" })).data.historyId!;
    await control(sb.url, `${acct}/expire-cursors`, "POST", { api: "gmail" });
    const gone = await rejection(g.users.history.list({ userId: "me", startHistoryId: start }));
    expect(gone.status).toBe(404);
    expect(gone.message).toBe("Requested entity was not found.");
    expect(gone.response.data.error.errors[0].reason).toBe("notFound");

    const fresh = (await g.users.getProfile({ userId: "me" })).data.historyId!;
    expect(Number(fresh)).toBeGreaterThan(Number(start));
    expect((await g.users.history.list({ userId: "me", startHistoryId: fresh })).data).toEqual({ historyId: fresh });

    await control(sb.url, "/faults", "POST", { route: "gmail.history.list", kind: "expire" });
    const faulted = await rejection(g.users.history.list({ userId: "me", startHistoryId: fresh }));
    expect(faulted.status).toBe(404);
  });

  it("drafts.create (JSON raw), drafts.get/list and the control API's view of the draft", async () => {
    const reply = fixtureMsgs[1];
    const raw = [
      `From: Ada Lovelace <${email}>`,
      "To: \"Doe, Jane\" <jane1@example.com>",
      "Cc: =?utf-8?Q?Zo=C3=AB?= <zoe@example.com>",
      "Subject: =?utf-8?B?UmU6IEhlbGxvIDEg4pyT?=",
      "In-Reply-To: <orig-1@example.com>",
      "References: <orig-1@example.com>",
      "MIME-Version: 1.0",
      "Content-Type: text/plain; charset=utf-8",
      "",
      "Lovely to meet you — let's talk next week.",
    ].join("\r\n");
    const created = await g.users.drafts.create({ userId: "me", requestBody: { message: { raw: b64url(raw), threadId: reply.threadId } } });
    expect(created.data.id).toMatch(/^r-?\d+$/);
    expect(created.data.message!.labelIds).toEqual(["DRAFT"]);
    // Subject "Re: Hello 1 ✓" does not match "Hello 1", so Gmail starts a new thread despite threadId.
    expect(created.data.message!.threadId).toBe(created.data.message!.id);

    const got = await g.users.drafts.get({ userId: "me", id: created.data.id!, format: "metadata" });
    expect(got.data.message!.payload!.headers!.find((h) => h.name === "Subject")!.value).toBe("=?utf-8?B?UmU6IEhlbGxvIDEg4pyT?=");
    expect(got.data.message!.snippet).toBe("Lovely to meet you — let&#39;s talk next week.");
    expect((await rejection(g.users.drafts.get({ userId: "me", id: created.data.id! }))).status).toBe(403);
    expect((await rejection(g.users.drafts.get({ userId: "me", id: "r123", format: "minimal" }))).status).toBe(404);

    const threaded = await g.users.drafts.create({
      userId: "me",
      requestBody: { message: { threadId: reply.threadId, raw: b64url(raw.replace(/^Subject: .*$/m, "Subject: Re: Hello 1")) } },
    });
    expect(threaded.data.message!.threadId).toBe(reply.threadId);

    const seen: string[] = [];
    let pageToken: string | undefined;
    do {
      const page = await g.users.drafts.list({ userId: "me", maxResults: 1, pageToken });
      seen.push(...(page.data.drafts ?? []).map((d) => d.id!));
      pageToken = page.data.nextPageToken ?? undefined;
    } while (pageToken);
    expect(seen).toEqual([threaded.data.id, created.data.id]);

    const drafts = await control(sb.url, `${acct}/gmail/drafts`, "GET");
    const mine = drafts.find((d: { draftId: string }) => d.draftId === created.data.id);
    expect(mine.headers).toMatchObject({ Subject: "Re: Hello 1 ✓", Cc: "Zoë <zoe@example.com>", "In-Reply-To": "<orig-1@example.com>" });
    expect(mine.recipients).toEqual(["jane1@example.com", "zoe@example.com"]);
    expect(mine.raw).toBe(raw);
  });

  it("drafts.create with a media upload (multipart/related) as the client sends it", async () => {
    const raw = "To: bob@example.com\r\nSubject: Upload\r\n\r\nUploaded body";
    // The generated client builds media URLs from the per-call rootUrl only (the service-level rootUrl
    // rewrites the JSON url but not mediaUrl), so uploads need { rootUrl } on the call itself.
    const r = await g.users.drafts.create(
      { userId: "me", requestBody: {}, media: { mimeType: "message/rfc822", body: raw } },
      { rootUrl: `${sb.url}/` },
    );
    expect(r.data.message!.labelIds).toEqual(["DRAFT"]);
    const drafts = await control(sb.url, `${acct}/gmail/drafts`, "GET");
    const d = drafts.find((x: { draftId: string }) => x.draftId === r.data.id);
    expect(d.raw).toBe(raw);
    // Gmail fills in From (primary address), Date and Message-ID.
    expect(d.headers.From).toBe(`Ada Lovelace <${email}>`);
    expect(d.headers.Date).toBeTruthy();
  });

  it("messages.send stores a SENT message, recorded in history and readable through the control API", async () => {
    const before = (await g.users.getProfile({ userId: "me" })).data.historyId!;
    const raw = `From: Ada <ada.l@example.org>\r\nTo: carol@example.com\r\nSubject: Following up\r\nContent-Type: text/plain\r\n\r\nHi Carol`;
    const sent = await g.users.messages.send({ userId: "me", requestBody: { raw: b64url(raw) } });
    expect(Object.keys(sent.data).sort()).toEqual(["id", "labelIds", "threadId"]);
    expect(sent.data.labelIds).toEqual(["SENT"]);

    const list = await g.users.messages.list({ userId: "me", labelIds: ["SENT"], maxResults: 1 });
    expect(list.data.messages![0].id).toBe(sent.data.id);
    const h = await g.users.history.list({ userId: "me", startHistoryId: before, historyTypes: ["messageAdded"] });
    expect(h.data.history!.map((x) => x.messagesAdded![0].message)).toEqual([{ id: sent.data.id, threadId: sent.data.threadId, labelIds: ["SENT"] }]);

    const upload = await g.users.messages.send(
      { userId: "me", media: { mimeType: "message/rfc822", body: "To: dan@example.com\r\nSubject: Up\r\n\r\nx" } },
      { rootUrl: `${sb.url}/` },
    );
    expect(upload.data.labelIds).toEqual(["SENT"]);

    const out = await control(sb.url, `${acct}/gmail/sent`, "GET");
    expect(out.map((m: { message: { id: string } }) => m.message.id)).toEqual([sent.data.id, upload.data.id]);
    expect(out[0].raw).toBe(raw);
    expect(out[0].headers.From).toBe("Ada <ada.l@example.org>"); // a verified alias is kept
    expect(out[0].recipients).toEqual(["carol@example.com"]);

    const noRcpt = await rejection(g.users.messages.send({ userId: "me", requestBody: { raw: b64url("Subject: x\r\n\r\nbody") } }));
    expect(noRcpt.status).toBe(400);
    expect(noRcpt.message).toBe("Recipient address required");
    const noRaw = await rejection(g.users.messages.send({ userId: "me", requestBody: {} }));
    expect(noRaw.status).toBe(400);
  });
  it("hides TRASH and SPAM unless asked for, and records deletions as messagesDeleted", async () => {
    const start = (await g.users.getProfile({ userId: "me" })).data.historyId!;
    const [spam, gone] = await control(sb.url, `${acct}/gmail/messages`, "POST", [{ labelIds: ["SPAM"] }, { labelIds: ["INBOX"] }]);
    const ids = async (p: gmail_v1.Params$Resource$Users$Messages$List) => (await listPages(g, p)).flatMap((x) => x.messages ?? []).map((m) => m.id);
    expect(await ids({})).not.toContain(spam.id);
    expect(await ids({ includeSpamTrash: true })).toContain(spam.id);
    expect(await ids({ labelIds: ["SPAM"] })).toEqual([spam.id]);
    await control(sb.url, `${acct}/gmail/messages/${gone.id}`, "DELETE");
    expect((await rejection(g.users.messages.get({ userId: "me", id: gone.id, format: "minimal" }))).status).toBe(404);
    const h = await g.users.history.list({ userId: "me", startHistoryId: start, historyTypes: ["messageDeleted"] });
    expect(h.data.history!.map((r) => r.messagesDeleted![0].message!.id)).toEqual([gone.id]);
  });
  it("format=metadata answers the top-level headers only: no MIME parts and no body, even where the message has them", async () => {
    // "Returns only email message ID, labels, and email headers" (gmail-v1 discovery, `format`).
    const added: gmail_v1.Schema$Message = await control(sb.url, `${acct}/gmail/messages`, "POST", {
      labelIds: ["INBOX"],
      payload: {
        mimeType: "multipart/mixed",
        headers: [{ name: "From", value: "Ana <ana@example.net>" }, { name: "Subject", value: "Invitation" }],
        parts: [{ partId: "0", mimeType: "text/calendar", filename: "invite.ics", headers: [], body: { size: 6, data: "QkVHSU4" } }],
      },
    });
    for (const metadataHeaders of [undefined, ["Subject"]]) {
      const r = await g.users.messages.get({ userId: "me", id: added.id!, format: "metadata", ...(metadataHeaders ? { metadataHeaders } : {}) });
      expect(r.data.payload!.parts).toBeUndefined();
      expect(r.data.payload!.body).toBeUndefined();
      expect(JSON.stringify(r.data)).not.toContain("QkVHSU4");
      expect(r.data.payload!.mimeType).toBe("multipart/mixed");
      expect(r.data.payload!.headers!.map((h) => h.name)).toEqual(metadataHeaders ?? (added.payload!.headers ?? []).map((h) => h.name));
    }
  });

  it("a draft the owner sends from their mailbox is deleted and sent as a new message in its thread (threads.get shows it); a deleted draft's thread, its only message gone, is 404", async () => {
    await control(sb.url, "/clock", "POST", { now: "2026-03-06T09:00:00Z" });
    const raw = (subject: string) => [`From: Ada Lovelace <${email}>`, "To: Kim <kim@example.com>", `Subject: ${subject}`, "", "Hi Kim"].join("\r\n");
    const sent = await g.users.drafts.create({ userId: "me", requestBody: { message: { raw: b64url(raw("To send")) } } });
    const deleted = await g.users.drafts.create({ userId: "me", requestBody: { message: { raw: b64url(raw("To delete")) } } });
    const thread = sent.data.message!.threadId!;
    // format minimal: ids, labels and dates, no payload; metadata: the headers named.
    const before = await g.users.threads.get({ userId: "me", id: thread, format: "minimal" });
    expect(before.data.messages!.map((m) => [m.id, m.labelIds, m.payload])).toEqual([[sent.data.message!.id, ["DRAFT"], undefined]]);
    const named = await g.users.threads.get({ userId: "me", id: thread, format: "metadata", metadataHeaders: ["Subject"] });
    expect(named.data.messages![0].payload!.headers).toEqual([{ name: "Subject", value: "To send" }]);
    // FULL is refused to gmail.metadata (the discovery document's enumDescriptions); RAW is no threads.get format.
    expect((await rejection(g.users.threads.get({ userId: "me", id: thread, format: "full" }))).status).toBe(403);
    expect((await rejection(g.users.threads.get({ userId: "me", id: thread, format: "raw" as "full" }))).status).toBe(400);

    await control(sb.url, "/clock", "POST", { now: "2026-03-06T09:05:00Z" });
    const answer = await control(sb.url, `${acct}/gmail/drafts/${sent.data.id}/send`, "POST", {});
    // "The draft is automatically deleted and a new message with an updated ID is created with the SENT system label" (Gmail's drafts guide).
    expect(answer.message.id).not.toBe(sent.data.message!.id);
    expect(answer.message).toMatchObject({ threadId: thread, labelIds: ["SENT"] });
    expect((await rejection(g.users.drafts.get({ userId: "me", id: sent.data.id!, format: "minimal" }))).status).toBe(404);
    expect((await rejection(g.users.messages.get({ userId: "me", id: sent.data.message!.id!, format: "minimal" }))).status).toBe(404);
    const after = await g.users.threads.get({ userId: "me", id: thread, format: "minimal" });
    expect(after.data.messages!.map((m) => [m.id, m.labelIds, m.internalDate])).toEqual([[answer.message.id, ["SENT"], String(Date.parse("2026-03-06T09:05:00Z"))]]);

    await g.users.drafts.delete({ userId: "me", id: deleted.data.id! });
    expect((await rejection(g.users.threads.get({ userId: "me", id: deleted.data.message!.threadId!, format: "minimal" }))).status).toBe(404);
  });
});
