/**
 * Graph's sendMail answers 202 once the message is saved in the sender's Drafts; transport moves it
 * to Sent Items afterwards (learn.microsoft.com/graph/outlook-things-to-know-about-send-mail, steps 1
 * and 4): the sandbox's `graphTransportMs` of mailbox clock (docs/provider-quirks.md). Written from
 * helper-177's review, whose cases found a deleted or moved message pulled back into Sent Items.
 */
import type { Client } from "@microsoft/microsoft-graph-client";
import type { Message as GraphMessage } from "@microsoft/microsoft-graph-types";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_GRAPH_TRANSPORT_MS, type RunningSandbox, startSandbox } from "../src/index";
import { sandboxGraphClient, sandboxTokens } from "./graph-client";
import { type Page, collect, control, graphFailure, tinyOutlook } from "./graph-support";

const email = "ana@contoso.example";
let sb: RunningSandbox;
let client: Client;
let regular: Client;
const T = Date.parse("2026-06-10T12:00:00Z");
const setClock = (ms: number) => control(sb.url, "/clock", { now: new Date(ms).toISOString() });
const send = (subject: string) => client.api("/me/sendMail").post({ message: { subject, toRecipients: [{ emailAddress: { address: "bo@fabrikam.example" } }] } });
const lastSentId = async () => ((await control(sb.url, `/accounts/${email}/graph/sent`, undefined, "GET")) as GraphMessage[]).at(-1)!.id!;
const folderOf = async (id: string) => {
  const m = (await client.api(`/me/messages/${id}`).select("id,parentFolderId").get()) as GraphMessage;
  const names = ["drafts", "sentitems", "deleteditems", "archive"];
  for (const n of names) if (((await client.api(`/me/mailFolders/${n}`).select("id").get()) as { id: string }).id === m.parentFolderId) return n;
  return m.parentFolderId;
};

beforeAll(async () => {
  sb = await startSandbox({ fixtures: [tinyOutlook(email)], https: true, quota: false });
  const token = (await sandboxTokens(sb.url, email)).access_token;
  client = sandboxGraphClient({ httpsUrl: sb.httpsUrl!, ca: sb.ca!, token });
  regular = sandboxGraphClient({ httpsUrl: sb.httpsUrl!, ca: sb.ca!, token, immutableIds: false });
});
afterAll(() => sb?.close());
beforeEach(async () => setClock(T));

describe("Graph sendMail's transport: Drafts until it is filed in Sent Items (helper-177)", () => {
  it("the Drafts delta reports the sent message added, then removed once transport moves it", async () => {
    const round = await collect<GraphMessage>(client, client.api("/me/mailFolders/drafts/messages/delta").get());
    await send("Delta drafts");
    const id = await lastSentId();
    const added = await collect<GraphMessage>(client, client.api(round.deltaLink!).get());
    expect(added.items).toMatchObject([{ id, isDraft: true, subject: "Delta drafts" }]);
    await setClock(T + DEFAULT_GRAPH_TRANSPORT_MS);
    const removed = await collect<GraphMessage>(client, client.api(added.deltaLink!).get());
    expect(removed.items).toEqual([{ id, "@removed": { reason: "deleted" } }]);
  });

  it("a message the client deletes while in transport stays in Deleted Items: transport finds nothing to file", async () => {
    await send("Deleted in transport");
    const id = await lastSentId();
    await client.api(`/me/messages/${id}`).delete();
    expect(await folderOf(id)).toBe("deleteditems");
    await setClock(T + DEFAULT_GRAPH_TRANSPORT_MS);
    expect(await folderOf(id)).toBe("deleteditems");
  });

  it("a message moved while in transport (the control API, as the owner's mail app would) stays where it was moved", async () => {
    await send("Archived in transport");
    const id = await lastSentId();
    await control(sb.url, `/accounts/${email}/graph/messages/${encodeURIComponent(id)}/move`, { folder: "archive" });
    await setClock(T + DEFAULT_GRAPH_TRANSPORT_MS);
    expect(await folderOf(id)).toBe("archive");
  });

  it("a change is made to the mailbox as transport left it: a DELETE that is the first call after the transport's time deletes the Sent Items copy", async () => {
    await send("Late delete");
    const id = await lastSentId();
    // No read in between: the DELETE is the first call after transport's time.
    await control(sb.url, "/clock", { now: new Date(T + DEFAULT_GRAPH_TRANSPORT_MS).toISOString() });
    await client.api(`/me/messages/${id}`).delete();
    // It was in Sent Items by the clock: one DELETE puts it in Deleted Items.
    expect(await folderOf(id)).toBe("deleteditems");
  });

  it("a regular (not immutable) id given out in Drafts names nothing once transport has moved the message, as a move does on Graph", async () => {
    await send("Regular id");
    const page = (await regular.api("/me/mailFolders/drafts/messages").select("id,subject").top(50).get()) as Page<GraphMessage>;
    const draftRest = page.value.find((m) => m.subject === "Regular id")!.id!;
    await setClock(T + DEFAULT_GRAPH_TRANSPORT_MS);
    // On Graph a regular id changes when the item moves: the Drafts one names nothing now.
    expect((await graphFailure(regular.api(`/me/messages/${draftRest}`).get())).statusCode).toBe(404);
  });

  it("setting the mailbox clock back files what was on its way, rather than leaving it in Drafts for good", async () => {
    await setClock(T + 7 * 86_400_000);
    await send("Next week");
    const id = await lastSentId();
    await setClock(T);
    await setClock(T + 60 * 60_000);
    expect(await folderOf(id)).toBe("sentitems");
  });

  it("the sent log keeps the copy as it is filed: not a draft, in Sent Items", async () => {
    await send("Logged");
    const logged = ((await control(sb.url, `/accounts/${email}/graph/sent`, undefined, "GET")) as GraphMessage[]).at(-1)!;
    const drafts = ((await client.api("/me/mailFolders/drafts").select("id").get()) as { id: string }).id;
    const sentItems = ((await client.api("/me/mailFolders/sentitems").select("id").get()) as { id: string }).id;
    expect(logged.parentFolderId).not.toBe(drafts);
    expect(logged).toMatchObject({ isDraft: false, parentFolderId: sentItems });
  });

  it("saveToSentItems false: in Drafts until transport takes it, then in no folder", async () => {
    await client.api("/me/sendMail").post({ message: { subject: "Not kept", toRecipients: [{ emailAddress: { address: "bo@fabrikam.example" } }] }, saveToSentItems: false });
    const id = await lastSentId();
    expect(await folderOf(id)).toBe("drafts");
    await setClock(T + DEFAULT_GRAPH_TRANSPORT_MS);
    expect((await graphFailure(client.api(`/me/messages/${id}`).get())).statusCode).toBe(404);
  });
});
