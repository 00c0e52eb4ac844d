import { findIana } from "windows-iana";
import { type Client, ResponseType } from "@microsoft/microsoft-graph-client";
import type { Event as GraphEvent, Message as GraphMessage } from "@microsoft/microsoft-graph-types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AccountInfo, MailboxFixture } from "@followthrough/sandbox";
import { DEFAULT_GRAPH_TRANSPORT_MS, type RunningSandbox, startSandbox } from "../src/index";
import { USER_PROPERTIES } from "../src/graph/user-properties";
import { replySubject } from "../src/graph/mail-routes";
import { sandboxGraphClient, sandboxTokens } from "./graph-client";
import { type Page, collect, control, graphFailure, tinyOutlook } from "./graph-support";
import { microsoftData, microsoftMailboxes } from "./mailboxes";

for (const mailbox of microsoftMailboxes) {
  describe.skipIf(!mailbox.present)(`Graph sandbox serves the ${mailbox.name} fixture`, () => {
    let sb: RunningSandbox;
    let client: Client;
    let fixture: NonNullable<MailboxFixture["microsoft"]>;
    let account: AccountInfo;
    let owner: string;

    beforeAll(async () => {
      const loaded = mailbox.load();
      fixture = microsoftData(loaded);
      account = loaded.account;
      owner = account.email;
      sb = await startSandbox({ fixtures: [mailbox.dir], pageSize: { graph: 7 }, https: true, quota: false });
      const { access_token } = await sandboxTokens(sb.url, owner);
      client = sandboxGraphClient({ httpsUrl: sb.httpsUrl!, ca: sb.ca!, token: access_token });
    });
    afterAll(() => sb?.close());

    for (const folder of ["inbox", "sentitems"] as const) {
      it(`returns every ${folder} message equal to the fixture over several absolute https pages`, async () => {
        const first = (await client.api(`/me/mailFolders/${folder}/messages`).top(50).get()) as Page<GraphMessage>;
        expect(first.value).toHaveLength(7);
        expect(first["@odata.nextLink"]).toMatch(new RegExp(`^${sb.httpsUrl}/v1.0/me/mailFolders/${folder}/messages\\?`));
        const { items, pages } = await collect(client, first);
        expect(pages).toBe(Math.ceil(fixture[folder].length / 7));
        const byId = new Map(fixture[folder].map((m) => [m.id, m]));
        expect(items).toHaveLength(byId.size);
        for (const m of items) expect(m).toEqual(byId.get(m.id));
        const times = items.map((m) => Date.parse(m.receivedDateTime!));
        expect(times).toEqual([...times].sort((a, b) => b - a));
      });
    }

    it("accepts folder names in any case and sends Preference-Applied for immutable ids", async () => {
      const res = (await client.api("/me/mailFolders/SentItems/messages").header("Prefer", 'IdType="ImmutableId"').select("id").top(1).get()) as Page<GraphMessage>;
      expect(res.value).toHaveLength(1);
      const raw = (await client.api("/me/mailFolders/Inbox/messages").header("Prefer", 'IdType="ImmutableId"').top(1).responseType(ResponseType.RAW).get()) as Response;
      expect(raw.headers.get("preference-applied")).toBe('IdType="ImmutableId"');
    });

    it("returns every event of the calendar equal to the fixture through calendarView", async () => {
      const first = client.api("/me/calendarView").query({ startDateTime: "2000-01-01T00:00:00Z", endDateTime: "2100-01-01T00:00:00Z" }).top(100).get();
      const { items, pages } = await collect<GraphEvent>(client, first);
      expect(pages).toBeGreaterThan(1);
      const byId = new Map(fixture.events.map((e) => [e.id, e]));
      expect(items).toHaveLength(byId.size);
      for (const e of items) expect(e).toEqual(byId.get(e.id));
    });

    it("$select trims messages to the selected properties, id and OData annotations", async () => {
      const { items } = await collect<GraphMessage>(client, client.api("/me/mailFolders/sentitems/messages").select(["subject", "toRecipients"]).top(20).get());
      expect(items).toHaveLength(fixture.sentitems.length);
      for (const m of items) for (const k of Object.keys(m)) expect(["id", "subject", "toRecipients", "@odata.etag", "@odata.type"]).toContain(k);
      const bad = await graphFailure(client.api("/me/mailFolders/inbox/messages").select("subjekt").get());
      expect(bad.statusCode).toBe(400);
    });

    it("$filter on receivedDateTime with ge/lt and `and` returns exactly the fixture's messages in range", async () => {
      const sorted = fixture.inbox.map((m) => m.receivedDateTime!).sort();
      const from = sorted[10];
      const to = sorted[30];
      const expected = fixture.inbox.filter((m) => m.receivedDateTime! >= from && m.receivedDateTime! < to).map((m) => m.id);
      const { items } = await collect<GraphMessage>(
        client,
        client.api("/me/mailFolders/inbox/messages").filter(`receivedDateTime ge ${from} and receivedDateTime lt ${to}`).orderby("receivedDateTime desc").top(50).get(),
      );
      expect(items.map((m) => m.id).sort()).toEqual(expected.sort());
      const sent = await collect<GraphMessage>(client, client.api("/me/mailFolders/sentitems/messages").filter(`sentDateTime gt ${to}`).get());
      expect(sent.items.map((m) => m.id).sort()).toEqual(fixture.sentitems.filter((m) => m.sentDateTime! > to).map((m) => m.id).sort());
      expect(sent.items.length).toBeGreaterThan(0);
    });

    it("rejects an $orderby property that does not lead the $filter with 400 InefficientFilter", async () => {
      const err = await graphFailure(client.api("/me/mailFolders/inbox/messages").filter("receivedDateTime ge 2026-01-01T00:00:00Z").orderby("sentDateTime desc").get());
      expect(err.statusCode).toBe(400);
      expect(err.code).toBe("InefficientFilter");
      const other = await graphFailure(client.api("/me/mailFolders/inbox/messages").filter("from/emailAddress/address eq 'a@b.c'").get());
      expect(other.statusCode).toBe(400);
      expect(other.code).toBe("BadRequest");
    });

    it("answers /me with proxyAddresses when selected, and mailboxSettings with the owner's zone", async () => {
      const me = await client.api("/me").get();
      expect(me).toMatchObject({ mail: owner, userPrincipalName: owner, displayName: account.displayName });
      expect(me.proxyAddresses).toBeUndefined();
      const sel = await client.api("/me").select(["id", "mail", "proxyAddresses"]).get();
      expect(account.aliases.length).toBeGreaterThan(0);
      expect(sel.proxyAddresses).toEqual([`SMTP:${owner}`, ...account.aliases.map((a) => `smtp:${a}`)]);
      // A property the user type does not have: Graph's 400, not a null (helper-108 #4). A real one
      // the sandbox does not model comes back null, as an unset property does.
      const typo = await graphFailure(client.api("/me").select(["mail", "proxyAddress"]).get());
      expect(typo.statusCode).toBe(400);
      expect(typo.code).toBe("RequestBroker--ParseUri");
      expect((await client.api("/me").select(["mail", "mobilePhone"]).get()).mobilePhone).toBeNull();
      const settings = await client.api("/me/mailboxSettings").get();
      // Outlook names the Windows zone; it maps back to the owner's IANA zone.
      expect(findIana(settings.timeZone)).toContain(account.timeZone);
      expect(settings.timeZone).toMatch(/Standard Time$/);
      // The property on its own names the same zone the same way.
      expect((await client.api("/me/mailboxSettings/timeZone").get()).value).toBe(settings.timeZone);
    });
  });
}

describe("Graph sandbox: a personal Microsoft account's /me (helper-149 #6)", () => {
  it("has mail null, its address as userPrincipalName, and ignores $select: no proxyAddresses; a work account's answers what is selected", async () => {
    const personal = "ana.lima@outlook.com";
    const work = "ana@contoso.example";
    const sb = await startSandbox({ fixtures: [tinyOutlook(personal), tinyOutlook(work)], https: true, quota: false });
    try {
      const me = async (email: string) =>
        (await sandboxGraphClient({ httpsUrl: sb.httpsUrl!, ca: sb.ca!, token: (await sandboxTokens(sb.url, email)).access_token }).api("/me").select("mail,userPrincipalName,proxyAddresses,displayName").get()) as Record<string, unknown>;
      const p = await me(personal);
      expect(p).toMatchObject({ mail: null, userPrincipalName: personal, displayName: expect.any(String), jobTitle: null });
      expect(p).not.toHaveProperty("proxyAddresses");
      const w = await me(work);
      expect(w).toMatchObject({ mail: work, userPrincipalName: work, proxyAddresses: expect.arrayContaining([`SMTP:${work}`]) });
      expect(w).not.toHaveProperty("jobTitle");
    } finally {
      await sb.close();
    }
  });
});

describe("Graph sandbox: mailboxSettings names the Windows zone only where it reads back as the owner's rules", () => {
  it.each([
    ["Asia/Singapore", "Singapore Standard Time"],
    ["Australia/Melbourne", "AUS Eastern Standard Time"], // reads back as Australia/Sydney: the same offsets
    ["Europe/Madrid", "Romance Standard Time"],
    // "Mountain Standard Time (Mexico)" reads back as America/Chihuahua, an hour off since 2022; Bishkek's as Almaty.
    ["America/Mazatlan", "America/Mazatlan"],
    ["Asia/Bishkek", "Asia/Bishkek"],
  ])("%s: %s", async (zone, named) => {
    const email = "zone@contoso.example";
    const fixture = tinyOutlook(email);
    const sb = await startSandbox({ fixtures: [{ ...fixture, account: { ...fixture.account, timeZone: zone } }], https: true, quota: false });
    try {
      const client = sandboxGraphClient({ httpsUrl: sb.httpsUrl!, ca: sb.ca!, token: (await sandboxTokens(sb.url, email)).access_token });
      expect((await client.api("/me/mailboxSettings").get()).timeZone).toBe(named);
    } finally {
      await sb.close();
    }
  });
});

describe("Graph sandbox: mailboxSettings' zones, the mailbox's and the working hours'", () => {
  it("both name the owner's zone by default; the control API leaves out timeZone, serves another value, or names the working hours' zone apart, and DELETE restores them", async () => {
    const email = "hours@contoso.example";
    const fixture = tinyOutlook(email);
    const sb = await startSandbox({ fixtures: [{ ...fixture, account: { ...fixture.account, timeZone: "Europe/Madrid" } }], https: true, quota: false });
    try {
      const client = sandboxGraphClient({ httpsUrl: sb.httpsUrl!, ca: sb.ca!, token: (await sandboxTokens(sb.url, email)).access_token });
      const read = async () => (await client.api("/me/mailboxSettings").get()) as { timeZone?: unknown; workingHours?: { timeZone?: { name?: unknown }; daysOfWeek?: string[] } };
      const path = `/accounts/${email}/graph/mailbox-settings`;
      // Graph serves the working hours with the settings (learn.microsoft.com/graph/api/resources/workinghours).
      expect(await read()).toMatchObject({ timeZone: "Romance Standard Time", workingHours: { timeZone: { name: "Romance Standard Time" }, daysOfWeek: expect.any(Array) } });
      // A work mailbox without timeZone, its zone in the working hours (msgraph-sample-reactspa issue 60).
      await control(sb.url, path, {});
      const without = await read();
      expect(without).not.toHaveProperty("timeZone");
      expect(without.workingHours?.timeZone?.name).toBe("Romance Standard Time");
      expect((await client.api("/me/mailboxSettings/timeZone").get()).value).toBeNull();
      await control(sb.url, path, { timeZone: [], workingHoursTimeZone: "Tokyo Standard Time" });
      expect(await read()).toMatchObject({ timeZone: [], workingHours: { timeZone: { name: "Tokyo Standard Time" } } });
      expect((await fetch(new URL(`/_control${path}`, sb.url), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ zone: "x" }) })).status).toBe(400);
      await control(sb.url, path, undefined, "DELETE");
      expect(await read()).toMatchObject({ timeZone: "Romance Standard Time", workingHours: { timeZone: { name: "Romance Standard Time" } } });
    } finally {
      await sb.close();
    }
  });
});

describe("Graph sandbox: drafts, sendMail, calendarView window, revocation", () => {
  let sb: RunningSandbox;
  let client: Client;
  const email = "ana@contoso.example";

  beforeAll(async () => {
    sb = await startSandbox({ fixtures: [tinyOutlook(email)], pageSize: { graph: 7 }, https: true, quota: false });
    client = sandboxGraphClient({ httpsUrl: sb.httpsUrl!, ca: sb.ca!, token: (await sandboxTokens(sb.url, email)).access_token });
  });
  afterAll(() => sb?.close());

  it("POST /me/messages creates a draft with an OWA webLink, readable by id and via the control API", async () => {
    const draft = (await client.api("/me/messages").post({
      subject: "Great to meet you",
      body: { contentType: "text", content: "Hi Bo, following up on our meeting." },
      toRecipients: [{ emailAddress: { address: "bo@fabrikam.example", name: "Bo" } }],
    })) as GraphMessage;
    expect(draft.isDraft).toBe(true);
    expect(draft.webLink).toBe(`https://outlook.office365.com/owa/?ItemID=${encodeURIComponent(draft.id!)}&exvsurl=1&viewmodel=ReadMessageItem`);
    const again = (await client.api(`/me/messages/${draft.id}`).get()) as GraphMessage;
    expect(again).toMatchObject({ id: draft.id, subject: "Great to meet you", isDraft: true, bodyPreview: "Hi Bo, following up on our meeting." });
    const drafts = (await control(sb.url, `/accounts/${email}/graph/drafts`, undefined, "GET")) as GraphMessage[];
    expect(drafts.map((d) => d.id)).toEqual([draft.id]);
    const missing = await graphFailure(client.api("/me/messages/AAMkNope=").get());
    expect(missing.statusCode).toBe(404);
    expect(missing.code).toBe("ErrorItemNotFound");
  });

  it("DELETE moves a message to Deleted Items, then to Recoverable Items, its id answering, then purges it; the control API's delete purges at once (helper-149 #4, helper-151)", async () => {
    const draft = (await client.api("/me/messages").post({ subject: "Deleted soon", body: { contentType: "text", content: "x" }, toRecipients: [{ emailAddress: { address: "bo@fabrikam.example" } }] })) as GraphMessage;
    const folderId = async (f: string) => ((await client.api(`/me/mailFolders/${f}`).select("id").get()) as { id: string }).id;
    const parentOf = async (id: string) => ((await client.api(`/me/messages/${id}`).select("id,parentFolderId").get()) as GraphMessage).parentFolderId;
    await client.api(`/me/messages/${draft.id}`).delete();
    expect(await parentOf(draft.id!)).toBe(await folderId("deleteditems"));
    const inDrafts = (await client.api("/me/mailFolders/drafts/messages").select("id").get()) as { value: GraphMessage[] };
    expect(inDrafts.value.map((m) => m.id)).not.toContain(draft.id);
    await client.api(`/me/messages/${draft.id}`).delete();
    expect(await parentOf(draft.id!)).toBe(await folderId("recoverableitemsdeletions"));
    await client.api(`/me/messages/${draft.id}`).delete();
    expect((await graphFailure(client.api(`/me/messages/${draft.id}`).get())).statusCode).toBe(404);
    expect((await graphFailure(client.api(`/me/messages/${draft.id}`).delete())).statusCode).toBe(404);
    const other = (await client.api("/me/messages").post({ subject: "Gone", body: { contentType: "text", content: "x" }, toRecipients: [] })) as GraphMessage;
    await fetch(`${sb.url}/_control/accounts/${email}/graph/messages/${encodeURIComponent(other.id!)}`, { method: "DELETE" });
    expect((await graphFailure(client.api(`/me/messages/${other.id}`).get())).statusCode).toBe(404);
  });

  it("a draft the owner sends is filed in Sent Items as a copy of its own: the draft's id answers 404, the copy carries its marker (microsoft-graph-docs issues 6250, 1533, 3766)", async () => {
    // On an early clock, so the copy is no newer than what the sendMail tests below look for first.
    await control(sb.url, "/clock", { now: "2026-05-01T12:00:00Z" });
    const marker = { id: "String {5d0c6c1e-3a8f-4c2b-9e71-0f4b8a6d2c19} Name FollowthroughRef", value: "ref-sent-1" };
    const draft = (await client.api("/me/messages").header("Prefer", 'IdType="ImmutableId"').post({ subject: "Sent soon", body: { contentType: "text", content: "x" }, toRecipients: [{ emailAddress: { address: "bo@fabrikam.example" } }], singleValueExtendedProperties: [marker] })) as GraphMessage;
    const sent = await fetch(`${sb.url}/_control/accounts/${email}/graph/messages/${encodeURIComponent(draft.id!)}/send`, { method: "POST" });
    expect(sent.status).toBe(200);
    const copy = ((await sent.json()) as { message: GraphMessage }).message;
    expect(copy.id).not.toBe(draft.id);
    expect([copy.isDraft, copy.internetMessageId, copy.conversationId, copy.subject]).toEqual([false, draft.internetMessageId, draft.conversationId, "Sent soon"]);
    const missing = await graphFailure(client.api(`/me/messages/${draft.id}`).header("Prefer", 'IdType="ImmutableId"').get());
    expect([missing.statusCode, missing.code]).toEqual([404, "ErrorItemNotFound"]);
    const filter = `singleValueExtendedProperties/Any(ep: ep/id eq '${marker.id}' and ep/value eq '${marker.value}')`;
    const found = (await client.api("/me/mailFolders/sentitems/messages").header("Prefer", 'IdType="ImmutableId"').filter(filter).select("id,isDraft,sentDateTime").get()) as Page<GraphMessage>;
    expect(found.value.map((m) => [m.id, m.isDraft])).toEqual([[copy.id, false]]);
    const inDrafts = (await client.api("/me/mailFolders/drafts/messages").filter(filter).select("id").get()) as Page<GraphMessage>;
    expect(inDrafts.value).toEqual([]);
    expect(copy.sentDateTime).toBe("2026-05-01T12:00:00Z");
    await control(sb.url, "/clock", { now: null });
  });

  it("createReply takes a comment or the message's body, and refuses both (400) as Graph documents", async () => {
    const sent = (await client.api("/me/mailFolders/sentitems/messages").top(1).get()) as Page<GraphMessage>;
    const original = sent.value[0] ?? (await client.api("/me/mailFolders/inbox/messages").top(1).get()).value[0];
    const to = [{ emailAddress: { address: "bo@fabrikam.example" } }];
    expect(((await client.api(`/me/messages/${original.id}/createReply`).post({ comment: "Thanks!", message: { toRecipients: to } })) as GraphMessage).isDraft).toBe(true);
    const both = await graphFailure(client.api(`/me/messages/${original.id}/createReply`).post({ comment: "Thanks!", message: { toRecipients: to, body: { contentType: "text", content: "Thanks!" } } }));
    expect(both.statusCode).toBe(400);
  });

  it("createReply's own draft: a comment in an HTML body above the quoted original, its Sent in UTC; the subject 'RE: ' over the original's less one prefix; a message's body and subject taken as given (helper-243 #1, #3)", async () => {
    const [original] = (await control(sb.url, `/accounts/${email}/graph/messages/sentitems`, [
      { subject: "Re: Lunch?", from: { emailAddress: { address: email } }, toRecipients: [{ emailAddress: { name: "Bo <&> Co", address: "bo@fabrikam.example" } }], sentDateTime: "2026-05-03T08:00:00Z", body: { contentType: "text", content: "See you <then>" } },
    ])).messages as GraphMessage[];
    const commented = (await client.api(`/me/messages/${original.id}/createReply`).post({ comment: "Hi Bo,\n\nThanks!" })) as GraphMessage;
    expect(commented.subject).toBe("RE: Lunch?");
    expect(commented.body?.contentType).toBe("html");
    expect(commented.body?.content).toContain("<div>Hi Bo,\n\nThanks!</div><hr>");
    expect(commented.body?.content).toContain("<b>Sent:</b> Sun, 03 May 2026 08:00:00 GMT");
    expect(commented.body?.content).toContain("See you &lt;then&gt;");
    expect(commented.body?.content).toContain("<b>To:</b> Bo &lt;&amp;&gt; Co &lt;bo@fabrikam.example&gt;");
    const given = (await client.api(`/me/messages/${original.id}/createReply`).post({ message: { subject: "Great to meet you", body: { contentType: "text", content: "Hi Bo,\n\nThanks!" } } })) as GraphMessage;
    expect([given.subject, given.body]).toEqual(["Great to meet you", { contentType: "text", content: "Hi Bo,\n\nThanks!" }]);
    expect(replySubject("AW: Re: Termin")).toBe("RE: Re: Termin");
    expect(replySubject(undefined)).toBe("RE: ");
  });

  it("createReply to a message whose lists or addresses are null drafts to nobody, as Graph answers [] (helper-121)", async () => {
    const added = (await control(sb.url, `/accounts/${email}/graph/messages/inbox`, [
      { subject: "No sender", from: { emailAddress: null }, toRecipients: null, sentDateTime: "2026-05-03T08:00:00Z" },
      { subject: "Own copy", from: { emailAddress: { address: email } }, toRecipients: null, sentDateTime: "2026-05-03T08:00:00Z" },
    ])).messages as GraphMessage[];
    for (const m of added) {
      const reply = (await client.api(`/me/messages/${m.id}/createReply`).post({ comment: "Thanks!" })) as GraphMessage;
      expect(reply.toRecipients, m.subject!).toEqual([]);
    }
    // Received when sent, where only that is given, as a fixture's message is read.
    expect(added.map((m) => m.receivedDateTime)).toEqual(["2026-05-03T08:00:00Z", "2026-05-03T08:00:00Z"]);
  });

  it("sendMail answers 202 and is logged as sent; the message waits in Drafts until transport moves it to Sent Items, stamped with the mailbox clock", async () => {
    await control(sb.url, "/clock", { now: "2026-06-01T12:00:00Z" });
    await client.api("/me/sendMail").post({
      message: { subject: "Thanks", body: { contentType: "text", content: "Thanks!" }, toRecipients: [{ emailAddress: { address: "bo@fabrikam.example" } }] },
      saveToSentItems: true,
    });
    const sent = (await control(sb.url, `/accounts/${email}/graph/sent`, undefined, "GET")) as GraphMessage[];
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ subject: "Thanks", sentDateTime: "2026-06-01T12:00:00Z", from: { emailAddress: { address: email } } });
    const newestSent = async () => ((await client.api("/me/mailFolders/sentitems/messages").top(1).get()) as Page<GraphMessage>).value[0]?.id;
    const inDrafts = async () => ((await client.api("/me/mailFolders/drafts/messages").get()) as Page<GraphMessage>).value.filter((m) => m.id === sent[0].id);
    // The 202 comes once the message is saved in Drafts; transport files it in Sent Items after.
    expect(await newestSent()).not.toBe(sent[0].id);
    expect(await inDrafts()).toMatchObject([{ subject: "Thanks", isDraft: true }]);
    await control(sb.url, "/clock", { now: new Date(Date.parse("2026-06-01T12:00:00Z") + DEFAULT_GRAPH_TRANSPORT_MS).toISOString() });
    expect(await newestSent()).toBe(sent[0].id);
    expect(await inDrafts()).toEqual([]);
    expect((await client.api(`/me/messages/${sent[0].id}`).get()) as GraphMessage).toMatchObject({ isDraft: false, sentDateTime: "2026-06-01T12:00:00Z" });
    const noRecipients = await graphFailure(client.api("/me/sendMail").post({ message: { subject: "x" } }));
    expect(noRecipients.statusCode).toBe(400);
    await control(sb.url, "/clock", { now: null });
  });

  it("sendMail with saveToSentItems false leaves no copy once transport has taken it; a sandbox whose transport takes no time files the copy at once", async () => {
    await control(sb.url, "/clock", { now: "2026-06-02T12:00:00Z" });
    await client.api("/me/sendMail").post({ message: { subject: "Unsaved", toRecipients: [{ emailAddress: { address: "bo@fabrikam.example" } }] }, saveToSentItems: false });
    const id = ((await control(sb.url, `/accounts/${email}/graph/sent`, undefined, "GET")) as GraphMessage[]).at(-1)!.id!;
    await control(sb.url, "/clock", { now: new Date(Date.parse("2026-06-02T12:00:00Z") + DEFAULT_GRAPH_TRANSPORT_MS).toISOString() });
    expect((await graphFailure(client.api(`/me/messages/${id}`).get())).statusCode).toBe(404);
    expect(sb.state.account(email)!.graph!.messagesIn("sentitems").some((r) => r.message.subject === "Unsaved")).toBe(false);
    sb.state.options.graphTransportMs = 0;
    try {
      await client.api("/me/sendMail").post({ message: { subject: "At once", toRecipients: [{ emailAddress: { address: "bo@fabrikam.example" } }] } });
      expect(((await client.api("/me/mailFolders/sentitems/messages").top(1).get()) as Page<GraphMessage>).value[0]).toMatchObject({ subject: "At once", isDraft: false });
    } finally {
      sb.state.options.graphTransportMs = undefined;
      await control(sb.url, "/clock", { now: null });
    }
  });

  it("sendMail in MIME form (text/plain, base64 of the RFC 822 text) is logged as sent and keeps the text as the client sent it", async () => {
    const mime = ["From: x@example.com", "To: bo@fabrikam.example", "Subject: In MIME", "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8", "", "Hello."].join("\r\n");
    await client.api("/me/sendMail").header("Content-Type", "text/plain").post(Buffer.from(mime).toString("base64"));
    const sent = (await control(sb.url, `/accounts/${email}/graph/sent`, undefined, "GET")) as GraphMessage[];
    expect(sent.at(-1)).toMatchObject({ subject: "In MIME", toRecipients: [{ emailAddress: { address: "bo@fabrikam.example" } }] });
    expect(sb.state.account(email)!.graph!.sentMime().at(-1)).toBe(mime);
  });

  it("a sent message's Sent Items copy has no internet headers, as Graph returns none there (microsoft-graph-docs#2716); the send's log keeps them", async () => {
    const mime = ["From: x@example.com", "To: bo@fabrikam.example", "Subject: Headers kept?", "Message-ID: <h1@followthrough.local>", "X-Followthrough-Id: <h1@followthrough.local>", "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8", "", "Hello."].join("\r\n");
    await client.api("/me/sendMail").header("Content-Type", "text/plain").post(Buffer.from(mime).toString("base64"));
    // Transport has filed it.
    sb.state.setNow(sb.state.now() + DEFAULT_GRAPH_TRANSPORT_MS + 1);
    try {
      const page = (await client.api("/me/mailFolders/sentitems/messages").select("subject,internetMessageId,internetMessageHeaders").top(50).get()) as Page<GraphMessage>;
      const copy = page.value.find((m) => m.subject === "Headers kept?");
      expect(copy?.internetMessageId).toBe("<h1@followthrough.local>");
      expect(copy?.internetMessageHeaders ?? []).toEqual([]);
      const sent = (await control(sb.url, `/accounts/${email}/graph/sent`, undefined, "GET")) as GraphMessage[];
      expect(sent.at(-1)!.internetMessageHeaders).toEqual(expect.arrayContaining([{ name: "X-Followthrough-Id", value: "<h1@followthrough.local>" }]));
    } finally {
      sb.state.setNow(undefined);
    }
  });

  it("a MIME send loses Auto-Submitted, which Exchange strips from MIME submissions too (msgraph-sdk-dotnet#2209; helper-243 #2)", async () => {
    const mime = ["From: x@example.com", "To: bo@fabrikam.example", "Subject: Auto", "Auto-Submitted: auto-generated", "List-Unsubscribe: <https://app.example/pause>", "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8", "", "Hello."].join("\r\n");
    await client.api("/me/sendMail").header("Content-Type", "text/plain").post(Buffer.from(mime).toString("base64"));
    sb.state.setNow(sb.state.now() + DEFAULT_GRAPH_TRANSPORT_MS + 1);
    try {
      const sent = (await control(sb.url, `/accounts/${email}/graph/sent`, undefined, "GET")) as GraphMessage[];
      const names = sent.at(-1)!.internetMessageHeaders!.map((x) => x.name!.toLowerCase());
      expect(names).toContain("list-unsubscribe");
      expect(names).not.toContain("auto-submitted");
    } finally {
      sb.state.setNow(undefined);
    }
  });

  it("calendarView needs both window bounds and returns overlapping events only", async () => {
    const err = await graphFailure(client.api("/me/calendarView").query({ startDateTime: "2026-05-01T00:00:00Z" }).get());
    expect(err.statusCode).toBe(400);
    expect(err.code).toBe("ErrorInvalidParameter");
    // Meetings run 10:00-11:00 UTC on May 1..9; a window from 10:30 on May 3 to 10:00 on May 6 overlaps May 3, 4 and 5.
    const { items } = await collect<GraphEvent>(client, client.api("/me/calendarView").query({ startDateTime: "2026-05-03T10:30:00", endDateTime: "2026-05-06T10:00:00Z" }).get());
    expect(items.map((e) => e.subject)).toEqual(["Meeting 2", "Meeting 3", "Meeting 4"]);
    const sel = (await client.api("/me/calendarView").query({ startDateTime: "2026-05-01T00:00:00Z", endDateTime: "2026-06-01T00:00:00Z" }).select("subject").get()) as Page<GraphEvent>;
    expect(Object.keys(sel.value[0]).sort()).toEqual(["@odata.etag", "id", "subject"]);
  });

  it("revokeSignInSessions needs User.RevokeSessions.All (not among our connect scopes) and revokes every token of the account", async () => {
    const ours = sandboxGraphClient({ httpsUrl: sb.httpsUrl!, ca: sb.ca!, token: (await sandboxTokens(sb.url, email)).access_token });
    const before = sb.state.refusals.length;
    const denied = await graphFailure(ours.api("/me/revokeSignInSessions").post({}));
    expect(denied.statusCode).toBe(403);
    expect(denied.code).toBe("ErrorAccessDenied");
    // Kept for the tests of our own flows, which fail on any (functions/test/support/web-stack.ts).
    expect(sb.state.refusals.slice(before)).toEqual([{ api: "graph", request: "POST /v1.0/me/revokeSignInSessions", status: 403, email, scopes: expect.arrayContaining(["Mail.ReadBasic"]) }]);
    const tokens = await sandboxTokens(sb.url, email, { scopes: ["User.RevokeSessions.All"] });
    const own = sandboxGraphClient({ httpsUrl: sb.httpsUrl!, ca: sb.ca!, token: tokens.access_token });
    expect(await own.api("/me/revokeSignInSessions").post({})).toMatchObject({ value: true });
    const err = await graphFailure(own.api("/me").get());
    expect(err.statusCode).toBe(401);
    expect(err.code).toBe("InvalidAuthenticationToken");
  });
});

describe("the user properties the sandbox knows", () => {
  it("are those of Microsoft's typings for a user (@microsoft/microsoft-graph-types), no more and no fewer", async () => {
    const { readFileSync } = await import("node:fs");
    const { createRequire } = await import("node:module");
    const dts = readFileSync(createRequire(import.meta.url).resolve("@microsoft/microsoft-graph-types/microsoft-graph.d.ts"), "utf8");
    const body = (name: string) => /\{([\s\S]*?)\n\}/.exec(dts.slice(dts.indexOf(`export interface ${name} `)))![1];
    const names = ["User", "DirectoryObject", "Entity"].flatMap((t) => [...body(t).matchAll(/^\s+([A-Za-z0-9]+)\??:/gm)].map((m) => m[1].toLowerCase()));
    expect([...USER_PROPERTIES].sort()).toEqual([...new Set(names)].sort());
  });
});
