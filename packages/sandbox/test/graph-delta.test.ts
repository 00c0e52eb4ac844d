import type { Client } from "@microsoft/microsoft-graph-client";
import type { Event as GraphEvent, Message as GraphMessage } from "@microsoft/microsoft-graph-types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_GRAPH_TRANSPORT_MS, type RunningSandbox, startSandbox } from "../src/index";
import { sandboxGraphClient, sandboxTokens } from "./graph-client";
import { type Page, collect, control, graphFailure, tinyOutlook } from "./graph-support";
import { microsoftData, microsoftMailboxes } from "./mailboxes";

const email = "ana@contoso.example";

describe("Graph delta: messages and calendarView", () => {
  let sb: RunningSandbox;
  let client: Client;
  const msg = (subject: string, receivedDateTime: string): GraphMessage => ({
    subject,
    receivedDateTime,
    from: { emailAddress: { address: "cy@northwind.example", name: "Cy" } },
    toRecipients: [{ emailAddress: { address: email } }],
  });

  beforeAll(async () => {
    sb = await startSandbox({ fixtures: [tinyOutlook(email)], pageSize: { graph: 7 }, https: true, quota: false });
    client = sandboxGraphClient({ httpsUrl: sb.httpsUrl!, ca: sb.ca!, token: (await sandboxTokens(sb.url, email)).access_token });
  });
  afterAll(() => sb?.close());

  it("pages the initial round to an absolute deltaLink, then returns exactly what changed", async () => {
    const first = (await client.api("/me/mailFolders/inbox/messages/delta").select(["subject", "receivedDateTime"]).get()) as Page<GraphMessage>;
    expect(first.value).toHaveLength(7);
    expect(first["@odata.nextLink"]).toMatch(new RegExp(`^${sb.httpsUrl}/v1.0/me/mailFolders/inbox/messages/delta\\?\\$skiptoken=`));
    const round = await collect(client, first);
    expect(round.pages).toBe(2);
    expect(round.items).toHaveLength(12);
    for (const m of round.items) for (const k of Object.keys(m)) expect(["id", "subject", "receivedDateTime", "@odata.etag"]).toContain(k);
    expect(round.deltaLink).toMatch(new RegExp(`^${sb.httpsUrl}/v1.0/me/mailFolders/inbox/messages/delta\\?\\$deltatoken=`));

    const quiet = await collect(client, client.api(round.deltaLink!).get());
    expect(quiet.items).toEqual([]);

    const added = (await control(sb.url, `/accounts/${email}/graph/messages/inbox`, [msg("new 1", "2026-06-01T09:00:00Z"), msg("new 2", "2026-06-02T09:00:00Z")])).messages as GraphMessage[];
    await control(sb.url, `/accounts/${email}/graph/messages/sentitems`, msg("elsewhere", "2026-06-01T10:00:00Z"));
    const changes = await collect(client, client.api(quiet.deltaLink!).get());
    expect(changes.items.map((m) => m.id)).toEqual(added.map((m) => m.id));
    expect(changes.items[0]).toEqual({ "@odata.etag": (added[0] as Record<string, unknown>)["@odata.etag"], id: added[0].id, subject: "new 1", receivedDateTime: "2026-06-01T09:00:00Z" });

    await control(sb.url, `/accounts/${email}/graph/messages/${encodeURIComponent(added[0].id!)}`, undefined, "DELETE");
    const removal = await collect(client, client.api(changes.deltaLink!).get());
    expect(removal.items).toEqual([{ id: added[0].id, "@removed": { reason: "deleted" } }]);
  });

  it("a receivedDateTime filter bounds the initial round and the changes", async () => {
    const round = await collect<GraphMessage>(client, client.api("/me/mailFolders/inbox/messages/delta").filter("receivedDateTime ge 2026-05-10T00:00:00Z").get());
    expect(round.items.map((m) => m.subject).sort()).toEqual(["inbox 10", "inbox 11", "inbox 9", "new 2"]);
    await control(sb.url, `/accounts/${email}/graph/messages/inbox`, [msg("old", "2026-04-01T00:00:00Z"), msg("recent", "2026-06-03T00:00:00Z")]);
    const changes = await collect<GraphMessage>(client, client.api(round.deltaLink!).get());
    expect(changes.items.map((m) => m.subject)).toEqual(["recent"]);
    const bad = await graphFailure(client.api("/me/mailFolders/inbox/messages/delta").filter("sentDateTime ge 2026-05-10T00:00:00Z").get());
    expect(bad.statusCode).toBe(400);
  });

  it("without Prefer IdType=\"ImmutableId\" ids are regular ones that change when the item moves; a path takes either form, and a regular id from before the move names nothing", async () => {
    // "This header only applies to the request it is included with"; by default an item's id "changes
    // when the item is moved" (learn.microsoft.com/graph/outlook-immutable-id).
    const regular = sandboxGraphClient({ httpsUrl: sb.httpsUrl!, ca: sb.ca!, token: (await sandboxTokens(sb.url, email)).access_token, immutableIds: false });
    const [added] = (await control(sb.url, `/accounts/${email}/graph/messages/inbox`, msg("regular ids", "2026-06-06T09:00:00Z"))).messages as GraphMessage[];
    const get = (c: Client, id: string) => c.api(`/me/messages/${encodeURIComponent(id)}`).select("id,subject").get() as Promise<GraphMessage>;
    const listed = (await collect<GraphMessage>(regular, regular.api("/me/mailFolders/inbox/messages").top(50).get())).items.find((m) => m.subject === "regular ids")!;
    expect(listed.id).not.toBe(added.id);
    // Asked for, the immutable id; either form reads the message.
    expect((await get(client, listed.id!)).id).toBe(added.id);
    expect((await get(regular, added.id!)).id).toBe(listed.id);
    // Events too, and a series' master named by its occurrences.
    const events = (await collect<GraphEvent>(regular, regular.api("/me/calendarView").query({ startDateTime: "2000-01-01T00:00:00Z", endDateTime: "2100-01-01T00:00:00Z" }).top(100).get())).items;
    const immutable = new Set((await collect<GraphEvent>(client, client.api("/me/calendarView").query({ startDateTime: "2000-01-01T00:00:00Z", endDateTime: "2100-01-01T00:00:00Z" }).top(100).get())).items.map((e) => e.id));
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) {
      expect(immutable.has(e.id)).toBe(false);
      if (e.seriesMasterId) expect(immutable.has(e.seriesMasterId)).toBe(false);
    }
    // Moved: its regular id changes, the old one names nothing; the immutable one stays. The Inbox's
    // delta reports it removed under the id the Inbox gave it.
    const inboxDelta = await collect<GraphMessage>(regular, regular.api("/me/mailFolders/inbox/messages/delta").get());
    expect(inboxDelta.items.map((m) => m.id)).toContain(listed.id);
    await control(sb.url, `/accounts/${email}/graph/messages/${encodeURIComponent(added.id!)}/move`, { folder: "archive" });
    expect((await collect(regular, regular.api(inboxDelta.deltaLink!).get())).items).toEqual([{ id: listed.id, "@removed": { reason: "deleted" } }]);
    const moved = await get(regular, added.id!);
    expect(moved.id).not.toBe(listed.id);
    expect((await graphFailure(get(regular, listed.id!))).statusCode).toBe(404);
    expect((await get(client, moved.id!)).id).toBe(added.id);
  });

  it("an event's wall time is read in its own zone, and served in the zone the request asks for (UTC when it asks none)", async () => {
    // "If not specified, those time values are returned in UTC" (user-list-calendarview.md); a
    // Windows zone name as Outlook writes it (helper-108 #2: every wall time was read as UTC).
    await control(sb.url, `/accounts/${email}/graph/events`, [
      { id: "AAMkZonedLA=", subject: "Breakfast", start: { dateTime: "2026-07-20T09:00:00.0000000", timeZone: "Pacific Standard Time" }, end: { dateTime: "2026-07-20T10:00:00.0000000", timeZone: "Pacific Standard Time" } },
      { id: "AAMkZonedParis=", subject: "Lunch", start: { dateTime: "2026-07-21T12:30:00.0000000", timeZone: "Europe/Paris" }, end: { dateTime: "2026-07-21T13:30:00.0000000", timeZone: "Europe/Paris" } },
    ]);
    const view = (window: [string, string], prefer?: string) =>
      collect<GraphEvent>(client, client.api("/me/calendarView").header("Prefer", `IdType="ImmutableId"${prefer ? `, outlook.timezone="${prefer}"` : ""}`).query({ startDateTime: window[0], endDateTime: window[1] }).get());
    const utc = (await view(["2026-07-20T00:00:00Z", "2026-07-22T00:00:00Z"])).items.filter((e) => e.id!.startsWith("AAMkZoned"));
    expect(utc.map((e) => [e.id, e.start, e.end])).toEqual([
      ["AAMkZonedLA=", { dateTime: "2026-07-20T16:00:00.0000000", timeZone: "UTC" }, { dateTime: "2026-07-20T17:00:00.0000000", timeZone: "UTC" }],
      ["AAMkZonedParis=", { dateTime: "2026-07-21T10:30:00.0000000", timeZone: "UTC" }, { dateTime: "2026-07-21T11:30:00.0000000", timeZone: "UTC" }],
    ]);
    // The window is in instants: 09:00 in Los Angeles is 16:00 UTC, not 09:00 UTC.
    expect((await view(["2026-07-20T08:30:00Z", "2026-07-20T10:30:00Z"])).items.map((e) => e.id)).not.toContain("AAMkZonedLA=");
    expect((await view(["2026-07-20T15:30:00Z", "2026-07-20T16:30:00Z"])).items.map((e) => e.id)).toContain("AAMkZonedLA=");
    // Asked in another zone: its wall times there, under the name asked.
    const pacific = (await view(["2026-07-20T00:00:00Z", "2026-07-22T00:00:00Z"], "Pacific Standard Time")).items.find((e) => e.id === "AAMkZonedParis=")!;
    expect(pacific.start).toEqual({ dateTime: "2026-07-21T03:30:00.0000000", timeZone: "Pacific Standard Time" });
  });

  it("an all-day event is served midnight to midnight of its dates, labelled with the zone asked for, whatever zone it was stored in (helper-149 #5)", async () => {
    await control(sb.url, `/accounts/${email}/graph/events`, [
      { id: "AAMkAllDayTokyo=", subject: "Offsite", isAllDay: true, start: { dateTime: "2026-07-23T00:00:00.0000000", timeZone: "Tokyo Standard Time" }, end: { dateTime: "2026-07-24T00:00:00.0000000", timeZone: "Tokyo Standard Time" } },
    ]);
    const view = (prefer?: string) =>
      collect<GraphEvent>(client, client.api("/me/calendarView").header("Prefer", `IdType="ImmutableId"${prefer ? `, outlook.timezone="${prefer}"` : ""}`).query({ startDateTime: "2026-07-22T00:00:00Z", endDateTime: "2026-07-25T00:00:00Z" }).get());
    const utc = (await view()).items.find((e) => e.id === "AAMkAllDayTokyo=")!;
    expect([utc.start, utc.end]).toEqual([{ dateTime: "2026-07-23T00:00:00.0000000", timeZone: "UTC" }, { dateTime: "2026-07-24T00:00:00.0000000", timeZone: "UTC" }]);
    const pacific = (await view("Pacific Standard Time")).items.find((e) => e.id === "AAMkAllDayTokyo=")!;
    expect(pacific.start).toEqual({ dateTime: "2026-07-23T00:00:00.0000000", timeZone: "Pacific Standard Time" });
  });

  it("a message moved out of a folder keeps its id: the old folder's delta reports it @removed, the new one's has it, its parentFolderId follows", async () => {
    const inbox = await collect<GraphMessage>(client, client.api("/me/mailFolders/inbox/messages/delta").get());
    const archive = await collect<GraphMessage>(client, client.api("/me/mailFolders/archive/messages/delta").get());
    const [added] = (await control(sb.url, `/accounts/${email}/graph/messages/inbox`, msg("to file", "2026-06-04T09:00:00Z"))).messages as GraphMessage[];
    const seen = await collect<GraphMessage>(client, client.api(inbox.deltaLink!).get());
    expect(seen.items.map((m) => m.id)).toEqual([added.id]);
    const folders = Object.fromEntries(
      await Promise.all(["inbox", "archive", "deleteditems", "junkemail"].map(async (f) => [f, ((await client.api(`/me/mailFolders/${f}`).select("id").get()) as { id: string }).id] as const)),
    );
    expect(new Set(Object.values(folders)).size).toBe(4);
    expect(((await client.api(`/me/mailFolders/${folders.junkemail}`).get()) as { displayName: string }).displayName).toBe("Junk Email");
    await control(sb.url, `/accounts/${email}/graph/messages/${encodeURIComponent(added.id!)}/move`, { folder: "archive" });
    expect((await collect(client, client.api(seen.deltaLink!).get())).items).toEqual([{ id: added.id, "@removed": { reason: "deleted" } }]);
    expect((await collect<GraphMessage>(client, client.api(archive.deltaLink!).get())).items.map((m) => m.id)).toEqual([added.id]);
    expect(((await client.api(`/me/messages/${encodeURIComponent(added.id!)}`).select("parentFolderId").get()) as GraphMessage).parentFolderId).toBe(folders.archive);
    expect((await graphFailure(client.api("/me/mailFolders/nosuchfolder").get())).statusCode).toBe(404);
    // Moved on again before the Inbox is next read: the Inbox still hears of it, and so does Archive.
    const after = await collect(client, client.api(seen.deltaLink!).get());
    const [twice] = (await control(sb.url, `/accounts/${email}/graph/messages/inbox`, msg("to file twice", "2026-06-05T09:00:00Z"))).messages as GraphMessage[];
    const inboxHas = await collect(client, client.api(after.deltaLink!).get());
    const archiveAt = await collect(client, client.api("/me/mailFolders/archive/messages/delta").get());
    await control(sb.url, `/accounts/${email}/graph/messages/${encodeURIComponent(twice.id!)}/move`, { folder: "archive" });
    await control(sb.url, `/accounts/${email}/graph/messages/${encodeURIComponent(twice.id!)}/move`, { folder: "deleteditems" });
    expect((await collect(client, client.api(inboxHas.deltaLink!).get())).items).toEqual([{ id: twice.id, "@removed": { reason: "deleted" } }]);
    expect((await collect(client, client.api(archiveAt.deltaLink!).get())).items).toEqual([{ id: twice.id, "@removed": { reason: "deleted" } }]);
  });

  it("sendMail shows up in the sentitems delta once transport has filed it (a round just after the 202 has nothing)", async () => {
    const round = await collect<GraphMessage>(client, client.api("/me/mailFolders/sentitems/messages/delta").get());
    const at = Date.parse("2026-06-03T09:00:00Z");
    await control(sb.url, "/clock", { now: new Date(at).toISOString() });
    try {
      await client.api("/me/sendMail").post({ message: { subject: "Following up", toRecipients: [{ emailAddress: { address: "bo@fabrikam.example" } }] } });
      const early = await collect<GraphMessage>(client, client.api(round.deltaLink!).get());
      expect(early.items).toEqual([]);
      await control(sb.url, "/clock", { now: new Date(at + DEFAULT_GRAPH_TRANSPORT_MS).toISOString() });
      const changes = await collect<GraphMessage>(client, client.api(early.deltaLink!).get());
      expect(changes.items).toHaveLength(1);
      expect(changes.items[0]).toMatchObject({ subject: "Following up", isDraft: false, toRecipients: [{ emailAddress: { address: "bo@fabrikam.example" } }] });
    } finally {
      await control(sb.url, "/clock", { now: null });
    }
  });

  it("an expired delta link (control API or expire fault) fails with 410 SyncStateNotFound", async () => {
    const round = await collect(client, client.api("/me/mailFolders/inbox/messages/delta").get());
    await control(sb.url, `/accounts/${email}/expire-cursors`, { api: "graph" });
    const err = await graphFailure(client.api(round.deltaLink!).get());
    expect(err.statusCode).toBe(410);
    expect(err.code).toBe("SyncStateNotFound");

    const again = await collect(client, client.api("/me/calendarView/delta").query({ startDateTime: "2026-05-01T00:00:00Z", endDateTime: "2026-06-01T00:00:00Z" }).get());
    await control(sb.url, "/faults", { route: "graph.calendarView.delta", kind: "expire", account: email });
    const viaFault = await graphFailure(client.api(again.deltaLink!).get());
    expect(viaFault.statusCode).toBe(410);
    expect(viaFault.code).toBe("SyncStateNotFound");

    // A skip token of an unfinished round expires too.
    const first = (await client.api("/me/mailFolders/inbox/messages/delta").get()) as Page<GraphMessage>;
    await control(sb.url, `/accounts/${email}/expire-cursors`, { api: "graph" });
    expect((await graphFailure(client.api(first["@odata.nextLink"]!).get())).statusCode).toBe(410);
  });

  it("calendarView delta serves an occurrence whose body differs from its series master's in full, as an exception", async () => {
    // No master in the fixture: the first occurrence gives the derived master's content.
    const day = (d: number, h: number) => ({ dateTime: `2026-09-0${d}T${h}:00:00.0000000`, timeZone: "UTC" });
    await control(sb.url, `/accounts/${email}/graph/events`, [3, 4, 5].map((d) => ({
      id: `AAMkBody${d}=`, type: "occurrence", seriesMasterId: "AAMkBodyMaster=", subject: "Office hours", start: day(d, 10), end: day(d, 11),
      bodyPreview: d === 4 ? "RSVP https://lu.ma/own-link" : "https://lu.ma/first-one",
    })));
    const cal = await collect<GraphEvent>(client, client.api("/me/calendarView/delta").query({ startDateTime: "2026-09-01T00:00:00Z", endDateTime: "2026-09-30T00:00:00Z" }).get());
    const served = new Map(cal.items.map((e) => [e.id, e]));
    expect(served.get("AAMkBody4=")).toMatchObject({ type: "exception", bodyPreview: "RSVP https://lu.ma/own-link" });
    for (const id of ["AAMkBody3=", "AAMkBody5="]) expect(served.get(id)).toMatchObject({ type: "occurrence" });
    expect(served.get("AAMkBody3=")?.bodyPreview).toBeUndefined();
  });

  it("calendarView delta over an empty window opens with an empty page and a nextLink; the deltaLink comes on the next page", async () => {
    const first = (await client.api("/me/calendarView/delta").query({ startDateTime: "2031-01-01T00:00:00Z", endDateTime: "2031-02-01T00:00:00Z" }).get()) as Page<GraphEvent>;
    expect(first.value).toEqual([]);
    expect(first["@odata.deltaLink"]).toBeUndefined();
    const next = (await client.api(first["@odata.nextLink"]!).get()) as Page<GraphEvent>;
    expect(next.value).toEqual([]);
    expect(next["@odata.nextLink"]).toBeUndefined();
    // The round's token works: a quiet round answers one empty page with the deltaLink, as before.
    const quiet = (await client.api(next["@odata.deltaLink"]!).get()) as Page<GraphEvent>;
    expect(quiet.value).toEqual([]);
    expect(quiet["@odata.deltaLink"]).toBeDefined();
  });

  it("calendarView delta reports a cancellation as a changed event and deletions or moves out of the window as @removed", async () => {
    const window = { startDateTime: "2026-05-01T00:00:00Z", endDateTime: "2026-05-10T00:00:00Z" };
    const noSelect = await graphFailure(client.api("/me/calendarView/delta").query(window).select("subject").get());
    expect(noSelect.statusCode).toBe(400);
    const missing = await graphFailure(client.api("/me/calendarView/delta").get());
    expect(missing.code).toBe("ErrorInvalidParameter");

    const round = await collect<GraphEvent>(client, client.api("/me/calendarView/delta").query(window).get());
    expect(round.pages).toBe(2);
    expect(round.items).toHaveLength(9);

    const ev = (id: string) => round.items.find((e) => e.id === id)!;
    await control(sb.url, `/accounts/${email}/graph/events/AAMkEvent3=/cancel`);
    await control(sb.url, `/accounts/${email}/graph/events/AAMkEvent4=`, undefined, "DELETE");
    await control(sb.url, `/accounts/${email}/graph/events`, [
      { id: "AAMkEvent5=", start: { dateTime: "2026-07-01T10:00:00Z" }, end: { dateTime: "2026-07-01T11:00:00Z" } },
      { id: "AAMkNew=", subject: "Coffee", start: { dateTime: "2026-05-09T08:00:00Z" }, end: { dateTime: "2026-05-09T08:30:00Z" } },
      { id: "AAMkFar=", subject: "Far away", start: { dateTime: "2026-09-09T08:00:00Z" }, end: { dateTime: "2026-09-09T08:30:00Z" } },
    ]);
    const changes = await collect<GraphEvent>(client, client.api(round.deltaLink!).get());
    // AAMkFar= was added outside the window: reported as removed, as Graph reports every event
    // outside the range added, deleted or updated since the last round (event-delta.md).
    expect(changes.items.map((e) => e.id)).toEqual(["AAMkEvent3=", "AAMkEvent4=", "AAMkEvent5=", "AAMkNew=", "AAMkFar="]);
    expect(changes.items[4]).toEqual({ id: "AAMkFar=", "@removed": { reason: "deleted" } });
    expect(changes.items[0]).toMatchObject({ id: "AAMkEvent3=", isCancelled: true, subject: ev("AAMkEvent3=").subject });
    expect(changes.items[1]).toEqual({ id: "AAMkEvent4=", "@removed": { reason: "deleted" } });
    expect(changes.items[2]).toEqual({ id: "AAMkEvent5=", "@removed": { reason: "deleted" } });
    expect(changes.items[3]).toMatchObject({ subject: "Coffee", start: { dateTime: "2026-05-09T08:00:00.0000000", timeZone: "UTC" } });
    expect(changes.deltaLink).toMatch(new RegExp(`^${sb.httpsUrl}/v1.0/me/calendarView/delta\\?\\$deltatoken=`));

    // Moved out of the window and then changed again (or moved out, then deleted) before the next
    // round: still a removal (the client last saw it in the window), as one move out is.
    await control(sb.url, `/accounts/${email}/graph/events`, { id: "AAMkEvent6=", start: { dateTime: "2026-08-01T10:00:00Z" }, end: { dateTime: "2026-08-01T11:00:00Z" } });
    await control(sb.url, `/accounts/${email}/graph/events`, { id: "AAMkEvent6=", subject: "Renamed out there" });
    await control(sb.url, `/accounts/${email}/graph/events`, { id: "AAMkEvent7=", start: { dateTime: "2026-08-02T10:00:00Z" }, end: { dateTime: "2026-08-02T11:00:00Z" } });
    await control(sb.url, `/accounts/${email}/graph/events/AAMkEvent7=`, undefined, "DELETE");
    // One that came in and went out again between two rounds: out of the range now, and changed, so removed too.
    await control(sb.url, `/accounts/${email}/graph/events`, { id: "AAMkBrief=", subject: "Brief", start: { dateTime: "2026-05-08T08:00:00Z" }, end: { dateTime: "2026-05-08T09:00:00Z" } });
    await control(sb.url, `/accounts/${email}/graph/events`, { id: "AAMkBrief=", start: { dateTime: "2026-08-08T08:00:00Z" }, end: { dateTime: "2026-08-08T09:00:00Z" } });
    const later = await collect<GraphEvent>(client, client.api(changes.deltaLink!).get());
    expect(later.items).toEqual([
      { id: "AAMkEvent6=", "@removed": { reason: "deleted" } },
      { id: "AAMkEvent7=", "@removed": { reason: "deleted" } },
      { id: "AAMkBrief=", "@removed": { reason: "deleted" } },
    ]);
  });
});

for (const mailbox of microsoftMailboxes) {
  describe.skipIf(!mailbox.present)(`Graph delta over the ${mailbox.name} fixture`, () => {
    let sb: RunningSandbox;
    let client: Client;

    beforeAll(async () => {
      const owner = mailbox.load().account.email;
      sb = await startSandbox({ fixtures: [mailbox.dir], pageSize: { graph: 7 }, https: true, quota: false });
      client = sandboxGraphClient({ httpsUrl: sb.httpsUrl!, ca: sb.ca!, token: (await sandboxTokens(sb.url, owner)).access_token });
    });
    afterAll(() => sb?.close());

    it("the initial inbox, sentitems and calendarView delta rounds equal the fixture", async () => {
      const { inbox, sentitems: sent, events } = microsoftData(mailbox.load());
      const received = await collect<GraphMessage>(client, client.api("/me/mailFolders/inbox/messages/delta").get());
      expect(received.pages).toBe(Math.ceil(inbox.length / 7));
      expect(new Map(received.items.map((m) => [m.id, m]))).toEqual(new Map(inbox.map((m) => [m.id, m])));
      const mail = await collect<GraphMessage>(client, client.api("/me/mailFolders/sentitems/messages/delta").get());
      expect(mail.pages).toBe(Math.ceil(sent.length / 7));
      expect(new Map(mail.items.map((m) => [m.id, m]))).toEqual(new Map(sent.map((m) => [m.id, m])));
      const cal = await collect<GraphEvent>(
        client,
        client.api("/me/calendarView/delta").header("Prefer", 'IdType="ImmutableId", odata.maxpagesize=50').query({ startDateTime: "2000-01-01T00:00:00Z", endDateTime: "2100-01-01T00:00:00Z" }).get(),
      );
      // Occurrences come as stubs (or in full as exceptions), everything else as the fixture holds it,
      // and each series' master besides (in the fixture or derived).
      const served = cal.items.filter((e) => e.type !== "seriesMaster");
      expect(served.map((e) => e.id).sort()).toEqual(events.filter((e) => e.type !== "seriesMaster").map((e) => e.id).sort());
      expect(cal.items.filter((e) => e.type === "seriesMaster").map((e) => e.id).sort()).toEqual([...new Set(events.flatMap((e) => (e.seriesMasterId ? [e.seriesMasterId] : [])))].sort());
      const byId = new Map(events.map((e) => [e.id, e]));
      let stubs = 0;
      for (const e of served) {
        const f = byId.get(e.id)!;
        if (!f.seriesMasterId) expect(e).toEqual(f);
        else if (e.type === "exception") expect(e).toEqual({ ...f, type: "exception" });
        else {
          stubs++;
          expect(e).toEqual({ "@odata.type": "#microsoft.graph.event", "@odata.etag": (f as Record<string, unknown>)["@odata.etag"], id: f.id, seriesMasterId: f.seriesMasterId, type: "occurrence", start: f.start, end: f.end });
          // Its series master (derived when the fixture has none) holds what the stub leaves out.
          const master = (await client.api(`/me/events/${encodeURIComponent(f.seriesMasterId)}`).select("subject,organizer,attendees,responseStatus,isAllDay,type").get()) as GraphEvent;
          expect(master).toMatchObject({ type: "seriesMaster", subject: f.subject, isAllDay: f.isAllDay ?? false, responseStatus: { response: f.responseStatus?.response } });
          expect(master.organizer?.emailAddress?.address).toBe(f.organizer?.emailAddress?.address);
          const who = (x: GraphEvent) => (x.attendees ?? []).map((a) => `${a.emailAddress?.address} ${a.status?.response}`).sort();
          expect(who(master)).toEqual(who(f));
        }
      }
      expect(stubs).toBeGreaterThan(0);
    });
  });
}
