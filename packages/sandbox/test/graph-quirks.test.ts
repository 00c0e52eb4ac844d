/**
 * Two documented Graph behaviours the sandbox emulates: calendarView/delta returns occurrences of a
 * recurring series as stubs (microsoftgraph/microsoft-graph-docs issues 7632 and 22197), and a
 * message delta with $filter returns at most 5,000 messages, in no guaranteed order
 * (learn.microsoft.com/graph/delta-query-messages). The cap is small here (graphFilteredDeltaCap).
 */
import type { Client } from "@microsoft/microsoft-graph-client";
import type { Event as GraphEvent, Message as GraphMessage } from "@microsoft/microsoft-graph-types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toGraphTime } from "../src/graph/store";
import { type RunningSandbox, startSandbox } from "../src/index";
import { NEWEST_SENT, OWNER, SERIES, outlookQuirksMailbox, seriesEvents } from "../../../test/support/outlook-quirks";
import { sandboxGraphClient, sandboxTokens } from "./graph-client";
import { collect, control, graphFailure } from "./graph-support";

const window = { startDateTime: "2026-04-01T00:00:00Z", endDateTime: "2026-06-01T00:00:00Z" };
const stubKeys = ["@odata.etag", "@odata.type", "end", "id", "seriesMasterId", "start", "type"];

describe("Graph quirks in the sandbox", () => {
  let sb: RunningSandbox;
  let client: Client;

  beforeAll(async () => {
    sb = await startSandbox({ fixtures: [outlookQuirksMailbox(60)], pageSize: { graph: 7 }, https: true, quota: false, graphFilteredDeltaCap: 25 });
    client = sandboxGraphClient({ httpsUrl: sb.httpsUrl!, ca: sb.ca!, token: (await sandboxTokens(sb.url, OWNER)).access_token });
  });
  afterAll(() => sb?.close());

  it("calendarView/delta serves occurrences as stubs and the occurrences that differ from their series as full exceptions", async () => {
    const round = await collect<GraphEvent>(client, client.api("/me/calendarView/delta").query(window).get());
    const fixture = new Map(seriesEvents().map((e) => [e.id as string, e]));
    expect(round.items.filter((e) => e.type !== "seriesMaster").map((e) => e.id).sort()).toEqual([...fixture.keys()].sort());
    const byId = new Map(round.items.map((e) => [e.id!, e]));
    const review = (n: number) => byId.get(`AAMkSeriesReview-occ${n}=`)!;
    for (const n of [0, 1, 2]) {
      expect(Object.keys(review(n)).sort()).toEqual(stubKeys);
      expect(review(n)).toMatchObject({ type: "occurrence", seriesMasterId: SERIES.review.id, start: fixture.get(review(n).id!)!.start });
      expect(review(n).subject).toBeUndefined();
    }
    // Cancelled, moved, and with a new attendee: exceptions, in full.
    expect(review(3)).toMatchObject({ type: "exception", isCancelled: true, subject: "Canceled: Design review" });
    expect(review(4)).toMatchObject({ type: "exception", subject: "Design review", start: { dateTime: "2026-05-04T15:00:00.0000000" } });
    expect(review(5).type).toBe("exception");
    expect(review(5).attendees?.map((a) => a.emailAddress?.address)).toContain("dee@fabrikam.example");
    for (const n of [0, 1, 2]) expect(Object.keys(byId.get(`AAMkSeriesStandup-occ${n}=`)!).sort()).toEqual(stubKeys);
    expect(byId.get("AAMkSingle=")).toMatchObject({ subject: "Coffee with Eve", type: "singleInstance" });
    // The delta also serves each series' master, in full, at the series' own first start (keeper.sh
    // issue 407, dankcalendar issue 95; helper-253).
    const masters = round.items.filter((e) => e.type === "seriesMaster");
    expect(masters.map((e) => e.id).sort()).toEqual([SERIES.review.id, SERIES.standup.id].sort());
    expect(byId.get(SERIES.review.id)).toMatchObject({ subject: "Design review", seriesMasterId: null, start: { dateTime: "2026-04-06T10:00:00.0000000", timeZone: "UTC" } });

    // The plain calendarView still returns every occurrence in full, and no master.
    const view = await collect<GraphEvent>(client, client.api("/me/calendarView").query(window).get());
    expect(view.items.some((e) => e.type === "seriesMaster")).toBe(false);
    expect(view.items.find((e) => e.id === "AAMkSeriesReview-occ0=")).toMatchObject({ subject: "Design review", organizer: { emailAddress: { address: "bo@fabrikam.example" } } });
  });

  it("derives a series master the fixture lacks and serves it by GET /me/events/{id} with $select", async () => {
    const master = (await client.api(`/me/events/${encodeURIComponent(SERIES.review.id)}`).select("subject,organizer,attendees,type,start,recurrence").get()) as GraphEvent & Record<string, unknown>;
    expect(master).toMatchObject({ id: SERIES.review.id, type: "seriesMaster", subject: "Design review", organizer: { emailAddress: { address: "bo@fabrikam.example" } } });
    expect(master.start).toEqual({ dateTime: "2026-04-06T10:00:00.0000000", timeZone: "UTC" });
    expect(master.recurrence?.pattern).toMatchObject({ type: "weekly", interval: 1, daysOfWeek: ["monday"] });
    expect(master.attendees?.map((a) => a.emailAddress?.address).sort()).toEqual(["ana@contoso.example", "bo@fabrikam.example", "cy@fabrikam.example"]);
    expect(Object.keys(master).filter((k) => !k.startsWith("@odata.")).sort()).toEqual(["attendees", "id", "organizer", "recurrence", "start", "subject", "type"]);
    const standup = (await client.api(`/me/events/${encodeURIComponent(SERIES.standup.id)}`).get()) as GraphEvent;
    expect(standup.recurrence?.pattern).toMatchObject({ type: "daily", interval: 1 });
    const missing = await graphFailure(client.api("/me/events/AAMkNoSuchEvent=").get());
    expect([missing.statusCode, missing.code]).toEqual([404, "ErrorItemNotFound"]);
  });

  it("a change to the series master reports it, and its occurrences again as stubs", async () => {
    const round = await collect<GraphEvent>(client, client.api("/me/calendarView/delta").query(window).get());
    await control(sb.url, `/accounts/${OWNER}/graph/events`, { id: SERIES.standup.id, subject: "Daily standup" });
    const changes = await collect<GraphEvent>(client, client.api(round.deltaLink!).get());
    const occurrences = changes.items.filter((e) => e.type !== "seriesMaster");
    expect(occurrences.map((e) => e.id).sort()).toEqual(["AAMkSeriesStandup-occ0=", "AAMkSeriesStandup-occ1=", "AAMkSeriesStandup-occ2="]);
    for (const e of occurrences) expect(Object.keys(e).sort()).toEqual(stubKeys);
    expect(changes.items.filter((e) => e.type === "seriesMaster")).toMatchObject([{ id: SERIES.standup.id, subject: "Daily standup" }]);
    expect(((await client.api(`/me/events/${encodeURIComponent(SERIES.standup.id)}`).get()) as GraphEvent).subject).toBe("Daily standup");
  });

  it("a filtered message delta returns at most the cap, in no guaranteed order, then a deltaLink", async () => {
    const since = "receivedDateTime ge 2025-01-01T00:00:00Z";
    const round = await collect<GraphMessage>(client, client.api("/me/mailFolders/sentitems/messages/delta").select("receivedDateTime").filter(since).get());
    expect(round.items).toHaveLength(25);
    expect(round.deltaLink).toBeDefined();
    const times = round.items.map((m) => Date.parse(m.receivedDateTime!));
    expect(times).not.toEqual([...times].sort((a, b) => b - a));
    expect(times).not.toEqual([...times].sort((a, b) => a - b));
    // With $orderby=receivedDateTime desc: the newest 25.
    const newest = await collect<GraphMessage>(
      client,
      client.api("/me/mailFolders/sentitems/messages/delta").select("receivedDateTime").filter(since).orderby("receivedDateTime desc").get(),
    );
    expect(newest.items.map((m) => Date.parse(m.receivedDateTime!))).toEqual(Array.from({ length: 25 }, (_, i) => NEWEST_SENT - i * 36 * 3_600_000));
    // The messages left out never come: the next round carries only what changed.
    const quiet = await collect(client, client.api(round.deltaLink!).get());
    expect(quiet.items).toEqual([]);
    // Without $filter there is no cap.
    const all = await collect(client, client.api("/me/mailFolders/sentitems/messages/delta").select("id").get());
    expect(all.items).toHaveLength(60);
  });

  it("lists a folder newest first by $skip pages when $orderby leads $filter, and refuses it otherwise with InefficientFilter", async () => {
    const list = await collect<GraphMessage>(
      client,
      client.api("/me/mailFolders/sentitems/messages").filter("receivedDateTime ge 2025-01-01T00:00:00Z").orderby("receivedDateTime desc").select("receivedDateTime").top(20).get(),
    );
    expect(list.pages).toBe(Math.ceil(60 / 7));
    expect(list.items.map((m) => Date.parse(m.receivedDateTime!))).toEqual(Array.from({ length: 60 }, (_, i) => NEWEST_SENT - i * 36 * 3_600_000));
    const bad = await graphFailure(
      client.api("/me/mailFolders/sentitems/messages").filter("receivedDateTime ge 2025-01-01T00:00:00Z").orderby("sentDateTime desc").get(),
    );
    expect([bad.statusCode, bad.code]).toEqual([400, "InefficientFilter"]);
  });
});

describe("a series master derived in the series' own zone (helper-230)", () => {
  // Wednesdays 09:00 in Sydney (Tuesdays 23:00, then 22:00 UTC once the clocks go forward on 4 October),
  // no master in the fixture; the first occurrence was moved to Thursday and keeps its originalStart.
  const OWNER_AU = "mia@quokka.example";
  const DAY = 86_400_000;
  const scheduled = ["2026-09-22T23:00:00Z", "2026-09-29T23:00:00Z", "2026-10-06T22:00:00Z", "2026-10-13T22:00:00Z"].map(Date.parse);
  const at = (ms: number) => ({ dateTime: toGraphTime(ms), timeZone: "UTC" });
  const occurrences = scheduled.map((s, n) => {
    const start = n === 0 ? s + DAY : s;
    return {
      "@odata.etag": `W/"wk${n}"`,
      id: `AAMkWeekly-occ${n}=`,
      subject: "Harbour sync",
      type: n === 0 ? "exception" : "occurrence",
      seriesMasterId: "AAMkWeekly=",
      originalStart: new Date(s).toISOString().replace(/\.\d{3}Z$/, "Z"),
      originalStartTimeZone: "AUS Eastern Standard Time",
      isAllDay: false,
      isCancelled: false,
      isOrganizer: true,
      responseStatus: { response: "organizer", time: "0001-01-01T00:00:00Z" },
      organizer: { emailAddress: { name: "Mia", address: OWNER_AU } },
      attendees: [{ type: "required", status: { response: "accepted", time: "2026-09-01T09:00:00Z" }, emailAddress: { name: "Hugo", address: "hugo@harbour.example" } }],
      start: at(start),
      end: at(start + 45 * 60_000),
    };
  });
  // An all-day series on Wednesdays, from Los Angeles: floating midnights, and each originalStart
  // the zone's midnight in UTC (07:00Z, microsoftgraph/microsoft-graph-docs issue 7163).
  const allDay = ["2026-09-23", "2026-09-30", "2026-10-07", "2026-10-14"].map((d, n) => ({
    ...occurrences[1],
    "@odata.etag": `W/"ad${n}"`,
    id: `AAMkOffsite-occ${n}=`,
    subject: "Offsite",
    type: "occurrence",
    seriesMasterId: "AAMkOffsite=",
    isAllDay: true,
    originalStart: `${d}T07:00:00Z`,
    originalStartTimeZone: "Pacific Standard Time",
    start: { dateTime: `${d}T00:00:00.0000000`, timeZone: "UTC" },
    end: { dateTime: `${new Date(Date.parse(d) + DAY).toISOString().slice(0, 10)}T00:00:00.0000000`, timeZone: "UTC" },
  }));
  let sb: RunningSandbox;
  let client: Client;

  beforeAll(async () => {
    sb = await startSandbox({
      fixtures: [{ dir: "(in code)", account: { provider: "microsoft", email: OWNER_AU, aliases: [], displayName: "Mia", timeZone: "Australia/Sydney" }, microsoft: { inbox: [], sentitems: [], events: [...occurrences, ...allDay] as never } }],
      https: true,
      quota: false,
    });
    client = sandboxGraphClient({ httpsUrl: sb.httpsUrl!, ca: sb.ca!, token: (await sandboxTokens(sb.url, OWNER_AU)).access_token });
  });
  afterAll(() => sb?.close());

  it("starts where the series' first occurrence was scheduled, weekly on Wednesdays, its dates Sydney's", async () => {
    const master = (await client.api("/me/events/AAMkWeekly=").get()) as GraphEvent;
    expect(master.type).toBe("seriesMaster");
    expect(master.start).toEqual({ dateTime: "2026-09-22T23:00:00.0000000", timeZone: "UTC" });
    expect(master.end).toEqual({ dateTime: "2026-09-22T23:45:00.0000000", timeZone: "UTC" });
    expect(master.recurrence?.pattern).toMatchObject({ type: "weekly", interval: 1, daysOfWeek: ["wednesday"] });
    expect(master.recurrence?.range).toMatchObject({ startDate: "2026-09-23", endDate: "2026-10-14", recurrenceTimeZone: "AUS Eastern Standard Time" });
    expect(master.originalStart).toBeUndefined();
  });

  it("an all-day series' master is a floating midnight on its first date, weekly on its weekday", async () => {
    const master = (await client.api("/me/events/AAMkOffsite=").get()) as GraphEvent;
    expect(master.start).toEqual({ dateTime: "2026-09-23T00:00:00.0000000", timeZone: "UTC" });
    expect(master.end).toEqual({ dateTime: "2026-09-24T00:00:00.0000000", timeZone: "UTC" });
    expect(master.recurrence?.pattern).toMatchObject({ type: "weekly", interval: 1, daysOfWeek: ["wednesday"] });
    expect(master.recurrence?.range).toMatchObject({ startDate: "2026-09-23", endDate: "2026-10-14" });
  });

  it("the occurrences that follow their master come as stubs, the moved one in full", async () => {
    const round = await collect<GraphEvent>(client, client.api("/me/calendarView/delta").query({ startDateTime: "2026-09-01T00:00:00Z", endDateTime: "2026-11-01T00:00:00Z" }).get());
    const type = new Map(round.items.map((e) => [e.id, e.type]));
    expect(["AAMkWeekly-occ0=", "AAMkWeekly-occ1=", "AAMkWeekly-occ2=", "AAMkWeekly-occ3="].map((id) => type.get(id))).toEqual(["exception", "occurrence", "occurrence", "occurrence"]);
    expect(allDay.map((e) => type.get(e.id))).toEqual(["occurrence", "occurrence", "occurrence", "occurrence"]);
  });
});
