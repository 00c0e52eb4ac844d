import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { gmail_v1 } from "@googleapis/gmail";
import type { AccountInfo } from "@followthrough/sandbox";
import { type RunningSandbox, startSandbox } from "../src/index";
import { control, gmailClient, listPages, rejection, tinyMailbox, tokenFor } from "./gmail-support";
import { googleData, googleMailboxes } from "./mailboxes";

const byNewest = (a: gmail_v1.Schema$Message, b: gmail_v1.Schema$Message) => Number(b.internalDate) - Number(a.internalDate);

for (const mailbox of googleMailboxes) {
  describe.skipIf(!mailbox.present)(`Gmail v1 over the ${mailbox.name} fixture (real @googleapis/gmail client)`, () => {
    let sb: RunningSandbox;
    let g: gmail_v1.Gmail;
    let fixture: gmail_v1.Schema$Message[];
    let account: AccountInfo;
    let owner: string;

    beforeAll(async () => {
      const loaded = mailbox.load();
      fixture = googleData(loaded).messages;
      account = loaded.account;
      owner = account.email;
      sb = await startSandbox({ fixtures: [mailbox.dir], pageSize: { gmail: 7 } });
      g = gmailClient(sb.url, await tokenFor(sb.url, owner), { retry: false });
    });
    afterAll(() => sb?.close());

    it("lists every message over several pages, newest first, and each get(format=metadata) equals the fixture", async () => {
      const pages = await listPages(g, {});
      expect(pages.length).toBe(Math.ceil(fixture.length / 7));
      for (const p of pages.slice(0, -1)) expect(p.messages).toHaveLength(7);
      const listed = pages.flatMap((p) => p.messages ?? []);
      for (const item of listed) expect(Object.keys(item).sort()).toEqual(["id", "threadId"]);
      expect(listed.map((m) => m.id)).toEqual([...fixture].sort(byNewest).map((m) => m.id));
      expect(pages[0].resultSizeEstimate).toBe(fixture.length);

      const byId = new Map(fixture.map((m) => [m.id, m]));
      const got = await Promise.all(listed.map((m) => g.users.messages.get({ userId: "me", id: m.id!, format: "metadata" })));
      for (const r of got) expect(r.data).toEqual(byId.get(r.data.id));
    });

    it("filters by labelIds: SENT gives exactly the sent messages, newest first; several labels must all match", async () => {
      const sent = (await listPages(g, { labelIds: ["SENT"], maxResults: 500 })).flatMap((p) => p.messages ?? []);
      const expected = fixture.filter((m) => m.labelIds?.includes("SENT")).sort(byNewest);
      expect(sent.map((m) => m.id)).toEqual(expected.map((m) => m.id));
      expect(expected.length).toBeGreaterThan(7);

      const both = (await listPages(g, { labelIds: ["IMPORTANT", "INBOX"] })).flatMap((p) => p.messages ?? []);
      expect(both.map((m) => m.id)).toEqual(
        fixture
          .filter((m) => m.labelIds?.includes("IMPORTANT") && m.labelIds.includes("INBOX"))
          .sort(byNewest)
          .map((m) => m.id),
      );
      const none = await g.users.messages.list({ userId: "me", labelIds: ["SENT", "INBOX"] });
      expect(none.data).toEqual({ resultSizeEstimate: 0 });
    });

    it("honours maxResults below the page cap", async () => {
      const r = await g.users.messages.list({ userId: "me", maxResults: 3 });
      expect(r.data.messages).toHaveLength(3);
      expect(r.data.nextPageToken).toBeTruthy();
    });

    it("keeps only the metadataHeaders named, in their case exactly, and drops the payload for format=minimal", async () => {
      const m = fixture.find((x) => x.labelIds?.includes("SENT"))!;
      const r = await g.users.messages.get({ userId: "me", id: m.id!, format: "metadata", metadataHeaders: ["From", "TO", "Subject", "X-Absent"] });
      // "TO" is not "To" (the stricter reading, docs/provider-quirks.md): From and Subject only.
      const names = (m.payload!.headers ?? []).map((h) => h.name!).filter((n) => ["From", "Subject"].includes(n));
      expect(names.length).toBeGreaterThan(1);
      expect(r.data.payload!.headers!.map((h) => h.name)).toEqual(names);
      expect(r.data.payload!.mimeType).toBe(m.payload!.mimeType);
      const { payload: _p, ...rest } = m;
      const minimal = await g.users.messages.get({ userId: "me", id: m.id!, format: "minimal" });
      expect(minimal.data).toEqual(rest);
    });

    it("rejects q, format=full (the default) and format=raw as Google does for a gmail.metadata token", async () => {
      const before = sb.state.refusals.length;
      const q = await rejection(g.users.messages.list({ userId: "me", q: "in:sent after:2026/04/01" }));
      expect(q.status).toBe(403);
      expect(q.message).toBe("Metadata scope does not support 'q' parameter");
      expect(q.response.data.error).toMatchObject({ code: 403, status: "PERMISSION_DENIED", errors: [{ reason: "forbidden", domain: "global" }] });

      const full = await rejection(g.users.messages.get({ userId: "me", id: fixture[0].id! }));
      expect(full.status).toBe(403);
      expect(full.message).toBe("Metadata scope doesn't allow format FULL");
      const raw = await rejection(g.users.messages.get({ userId: "me", id: fixture[0].id!, format: "raw" }));
      expect(raw.message).toBe("Metadata scope doesn't allow format RAW");
      // Each kept among the refusals our own tests fail on (docs/sandbox.md, "Refusals"); an unknown id's 404 is an answer, not one.
      await rejection(g.users.messages.get({ userId: "me", id: "18f0000000000000", format: "metadata" }));
      expect(sb.state.refusals.slice(before).map((r) => `${r.status} ${r.request.replace(/\/messages\/[^/]+$/, "/messages/<id>")}`)).toEqual([
        "403 GET /gmail/v1/users/me/messages",
        "403 GET /gmail/v1/users/me/messages/<id>",
        "403 GET /gmail/v1/users/me/messages/<id>",
      ]);
      // A path no Gmail route has is one too.
      await fetch(`${sb.url}/gmail/v1/users/me/no-such-thing`);
      expect(sb.state.refusals.at(-1)).toMatchObject({ api: "gmail", request: "GET /gmail/v1/users/me/no-such-thing", status: 404 });
    });

    it("answers 404 notFound for an unknown id and 403 for another user's mailbox", async () => {
      const e = await rejection(g.users.messages.get({ userId: "me", id: "18f0000000000000", format: "metadata" }));
      expect(e.status).toBe(404);
      expect(e.message).toBe("Requested entity was not found.");
      expect(e.response.data.error.errors[0].reason).toBe("notFound");
      const other = await rejection(g.users.messages.list({ userId: "someone@else.example" }));
      expect(other.status).toBe(403);
      expect(other.message).toBe(`Delegation denied for ${owner}`);
      const own = await g.users.messages.list({ userId: owner.toUpperCase(), maxResults: 1 });
      expect(own.data.messages).toHaveLength(1);
    });

    it("getProfile and settings.sendAs.list describe the account and its aliases (sendAs.list needs a settings-reading scope)", async () => {
      const p = await g.users.getProfile({ userId: "me" });
      const maxHistory = Math.max(...fixture.map((m) => Number(m.historyId)));
      expect(p.data).toEqual({
        emailAddress: owner,
        messagesTotal: fixture.length,
        threadsTotal: new Set(fixture.map((m) => m.threadId)).size,
        historyId: String(maxHistory),
      });
      // Our connect scopes (gmail.metadata, gmail.compose) do not include one that authorises sendAs.list.
      const refused = await rejection(g.users.settings.sendAs.list({ userId: "me" }));
      expect(refused.status).toBe(403);
      expect(refused.response.data.error.errors[0].reason).toBe("insufficientPermissions");
      const settings = gmailClient(sb.url, await tokenFor(sb.url, owner, ["https://www.googleapis.com/auth/gmail.settings.basic"]), { retry: false });
      const s = await settings.users.settings.sendAs.list({ userId: "me" });
      expect(account.aliases.length).toBeGreaterThan(0);
      expect(s.data.sendAs).toEqual([
        { sendAsEmail: owner, displayName: account.displayName, replyToAddress: "", signature: "", isPrimary: true, isDefault: true },
        ...account.aliases.map((alias) => ({
          sendAsEmail: alias,
          displayName: account.displayName,
          replyToAddress: "",
          signature: "",
          isDefault: false,
          treatAsAlias: true,
          verificationStatus: "accepted",
        })),
      ]);
    });

    it("lists the fixture's DRAFT messages as drafts", async () => {
      const d = await g.users.drafts.list({ userId: "me" });
      const draftMsgs = fixture.filter((m) => m.labelIds?.includes("DRAFT"));
      expect(draftMsgs.length).toBeGreaterThan(0);
      expect(d.data.drafts).toHaveLength(draftMsgs.length);
      const byId = new Map(draftMsgs.map((m) => [m.id, m]));
      for (const draft of d.data.drafts!) {
        expect(draft.id).toMatch(/^r-?\d+$/);
        const draftMsg = byId.get(draft.message!.id)!;
        expect(draft.message).toEqual({ id: draftMsg.id, threadId: draftMsg.threadId });
        const got = await g.users.drafts.get({ userId: "me", id: draft.id!, format: "metadata" });
        expect(got.data.message).toEqual(draftMsg);
      }
    });

    it("serves history from a fixture message's historyId (fixture mail is recorded as added at its own id)", async () => {
      const sorted = [...fixture].sort((a, b) => Number(a.historyId) - Number(b.historyId));
      const start = sorted[sorted.length - 4].historyId!;
      const r = await g.users.history.list({ userId: "me", startHistoryId: start });
      expect(r.data.history!.map((h) => h.messagesAdded![0].message!.id)).toEqual(sorted.slice(-3).map((m) => m.id));
      const tooOld = await rejection(g.users.history.list({ userId: "me", startHistoryId: String(Number(sorted[0].historyId) - 1) }));
      expect(tooOld.status).toBe(404);
      // One the mailbox never issued (past its current id) is invalid: 404 too, so a client resyncs.
      const current = (await g.users.getProfile({ userId: "me" })).data.historyId!;
      expect((await g.users.history.list({ userId: "me", startHistoryId: current })).status).toBe(200);
      expect((await rejection(g.users.history.list({ userId: "me", startHistoryId: String(Number(current) + 1000) }))).status).toBe(404);
    });
  });
}

describe("messages.list in stored order (the control route list-order)", () => {
  const email = "ada@example.org";
  let sb: RunningSandbox;
  let g: gmail_v1.Gmail;
  beforeAll(async () => {
    sb = await startSandbox({ fixtures: [tinyMailbox(10, email)], pageSize: { gmail: 3 } });
    g = gmailClient(sb.url, await tokenFor(sb.url, email), { retry: false });
  });
  afterAll(() => sb?.close());

  it("serves the last stored first, whatever its date, and a page goes on after one deleted since without a repeat", async () => {
    const enc = encodeURIComponent(email);
    const all = async () => (await listPages(g, { maxResults: 3 })).flatMap((p) => (p.messages ?? []).map((m) => m.id!));
    const dated = await all();
    // An old-dated copy stored last comes first in stored order, last in date order.
    const [late] = await control(sb.url, `/accounts/${enc}/gmail/messages`, "POST", [{ labelIds: ["SENT"], internalDate: String(Date.parse("2020-01-01T00:00:00Z")), headers: { From: email, To: "x@elsewhere.example", Subject: "old" } }]);
    expect((await all()).at(-1)).toBe(late.id);
    await control(sb.url, `/accounts/${enc}/gmail/list-order`, "POST", { order: "stored" });
    const first = (await g.users.messages.list({ userId: "me", maxResults: 3 })).data;
    expect(first.messages!.map((m) => m.id)[0]).toBe(late.id);
    // The page's last message is deleted before the next page is asked for.
    await control(sb.url, `/accounts/${enc}/gmail/messages/${first.messages![2].id}`, "DELETE");
    const rest: string[] = [];
    let token = first.nextPageToken ?? undefined;
    while (token) {
      const page = (await g.users.messages.list({ userId: "me", maxResults: 3, pageToken: token })).data;
      rest.push(...(page.messages ?? []).map((m) => m.id!));
      token = page.nextPageToken ?? undefined;
    }
    const seen = [...first.messages!.map((m) => m.id!), ...rest];
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toHaveLength(dated.length + 1);
    await control(sb.url, `/accounts/${enc}/gmail/list-order`, "POST", { order: "date" });
    expect(await control(sb.url, `/accounts/${enc}/gmail/list-order`, "POST", { order: "sideways" }).catch((e: Error) => e.message)).toMatch(/400/);
  });
});
