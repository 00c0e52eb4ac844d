import { describe, expect, it } from "vitest";
import { type DeltaResponse, graphCalendarStream, graphOwnerInboxStream, graphSentStream } from "../src/microsoft/streams";
import { OWNER } from "./support/builders";

const window = { since: Date.parse("2026-01-01T00:00:00Z"), until: Date.parse("2027-01-01T00:00:00Z"), now: Date.parse("2026-06-01T00:00:00Z") };
const message = (id: string, subject: string) => ({
  id, subject, sentDateTime: "2026-05-30T10:00:00Z", receivedDateTime: "2026-05-30T10:00:00Z", isDraft: false,
  from: { emailAddress: { address: OWNER.email } }, toRecipients: [{ emailAddress: { address: "bo@fabrikam.example", name: "Bo" } }],
});
const event = (id: string, subject: string) => ({
  id, subject, type: "singleInstance", isCancelled: false, isOrganizer: true, responseStatus: { response: "organizer" },
  start: { dateTime: "2026-05-30T10:00:00.0000000", timeZone: "UTC" }, end: { dateTime: "2026-05-30T11:00:00.0000000", timeZone: "UTC" },
  organizer: { emailAddress: { address: OWNER.email } }, attendees: [],
});
const removed = (id: string) => ({ id, "@removed": { reason: "deleted" } });

/** A Graph stub answering every URL with the same delta page (a round's last). */
const answering = (page: DeltaResponse) => async () => ({ ...page, "@odata.deltaLink": "https://graph.example/delta?$deltatoken=next" });

describe("a Graph delta page that holds an item more than once (learn.microsoft.com/graph/delta-query-overview)", () => {
  it("messages: the last entry is the item's state: updated then removed is removed, removed then back is kept, twice changed is its last", async () => {
    const stream = graphSentStream(answering({ value: [message("a", "v1"), removed("a"), removed("b"), message("b", "back"), message("c", "v1"), message("c", "v2")] }));
    const page = await stream.page({ mode: "incremental", cursor: "https://graph.example/delta?$deltatoken=1", generation: 1 }, window);
    expect(page.deletes).toEqual(["a"]);
    expect(page.upserts.map((m) => [m.id, m.subject])).toEqual([["b", "back"], ["c", "v2"]]);
  });

  it("the owner's Inbox copies: one that arrived and left within the page is still read, and asked about as left", async () => {
    const stream = graphOwnerInboxStream(answering({ value: [message("x", "Bcc to self"), removed("x"), message("y", "v1"), message("y", "v2")] }), new Set([OWNER.email]));
    const page = (await stream.page({ mode: "incremental", cursor: "https://graph.example/delta?$deltatoken=1", generation: 1 }, window)) as { upserts: { id: string; subject?: string }[]; left?: string[] };
    expect(page.upserts.map((m) => [m.id, m.subject])).toEqual([["x", "Bcc to self"], ["y", "v2"]]);
    expect(page.left).toEqual(["x"]);
  });

  it("events: the same (not both an upsert and a delete of one id)", async () => {
    const stream = graphCalendarStream(answering({ value: [event("e1", "v1"), removed("e1"), removed("e2"), event("e2", "back"), event("e3", "v1"), event("e3", "v2")] }), OWNER);
    const page = await stream.page({ mode: "incremental", cursor: "https://graph.example/delta?$deltatoken=1", generation: 1, until: window.until }, window);
    expect(page.deletes).toEqual(["e1"]);
    expect(page.upserts.map((m) => [m.id, m.title])).toEqual([["e2", "back"], ["e3", "v2"]]);
  });
});

describe("a backfill's anchoring delta round of many empty pages (microsoftgraph/msgraph-sdk-java#493)", () => {
  /** A Graph stub: the listing's one page, then an anchoring round of `empty` empty pages with a nextLink, then its deltaLink. */
  const stub = (empty: number, full = 0) => {
    let n = 0;
    return async (url: string) => {
      if (!url.includes("/delta")) return { value: [message("m1", "listed")] } as DeltaResponse;
      n++;
      if (n <= full) return { value: [message(`d${n}`, "anchored")], "@odata.nextLink": `https://graph.example/delta?$skiptoken=${n}` } as DeltaResponse;
      if (n <= full + empty) return { value: [], "@odata.nextLink": `https://graph.example/delta?$skiptoken=${n}` } as DeltaResponse;
      return { value: [], "@odata.deltaLink": "https://graph.example/delta?$deltatoken=end" } as DeltaResponse;
    };
  };

  it("reads through 40 empty pages to the deltaLink; a round of items past its bound still fails, to be read again", async () => {
    const page = await graphSentStream(stub(40)).page({ mode: "full", since: window.since, generation: 1 }, window);
    expect(page.next).toMatchObject({ mode: "incremental", cursor: "https://graph.example/delta?$deltatoken=end" });
    expect(page.upserts.map((m) => m.id)).toEqual(["m1"]);
    await expect(graphSentStream(stub(0, 25)).page({ mode: "full", since: window.since, generation: 1 }, window)).rejects.toMatchObject({ kind: "temporary" });
  });
});

describe("a change Graph reports to a message received before the window (a filtered delta tracks the whole folder)", () => {
  it("is not stored by either mail stream: the window's own messages are, and a removal still is one (helper-183 #2)", async () => {
    const old = { ...message("old", "Two years ago"), sentDateTime: "2024-05-01T10:00:00Z", receivedDateTime: "2024-05-01T10:00:00Z" };
    const page = { value: [old, message("new", "This week"), removed("gone")] };
    const cursor = { mode: "incremental" as const, cursor: "https://graph.example/delta?$deltatoken=1", generation: 1 };
    const sent = await graphSentStream(answering(page)).page(cursor, window);
    expect(sent.upserts.map((m) => m.id)).toEqual(["new"]);
    expect(sent.deletes).toEqual(["gone"]);
    const inbox = await graphOwnerInboxStream(answering(page), new Set([OWNER.email])).page(cursor, window);
    expect(inbox.upserts.map((m) => m.id)).toEqual(["new"]);
  });

  it("but a full read resumed after the window moved on stores what it lists from its own start, which its sweep keeps (helper-184 #5)", async () => {
    // A re-read begun a week ago from 2025-12-25, resumed now that the window starts on 2026-01-01.
    const between = { ...message("between", "Late December"), sentDateTime: "2025-12-28T10:00:00Z", receivedDateTime: "2025-12-28T10:00:00Z" };
    const resumed = { mode: "full" as const, since: Date.parse("2025-12-25T00:00:00Z"), page: "https://graph.example/list?$skip=50", anchor: "https://graph.example/delta?$deltatoken=a", generation: 2 };
    const page = await graphSentStream(async () => ({ value: [between] })).page(resumed, window);
    expect(page.upserts.map((m) => m.id)).toEqual(["between"]);
  });
});
