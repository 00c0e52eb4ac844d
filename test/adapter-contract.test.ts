/**
 * One contract for every mailbox provider adapter, run against Gmail + Calendar and Graph through
 * the sandbox with the real client libraries: the role interfaces (read sent mail, read calendar,
 * profile, create draft, send) behave the same whichever provider is behind them.
 */
import PostalMime from "postal-mime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { READ_EVENT_TYPES } from "@followthrough/core/google";
import { type MailMessage, type Meeting, ownMeetingsZone } from "@followthrough/core/model";
import type { ChangeStream, SyncCursor } from "@followthrough/core/providers";
import { ProviderError } from "@followthrough/core/resilience";
import { DAY } from "@followthrough/core/time";
import { DEFAULT_GRAPH_TRANSPORT_MS } from "@followthrough/sandbox";
import { ownFixture } from "./support/fixtures";
import { type ScanHarness, startScanHarness } from "./support/scan-harness";

async function drain<T>(stream: ChangeStream<T>, window: { since: number; until: number }) {
  const items = new Map<string, T>();
  let cursor: SyncCursor | undefined;
  let pages = 0;
  for (;;) {
    const page = await stream.page(cursor, window);
    pages++;
    for (const u of page.upserts) items.set((u as { id: string }).id, u);
    for (const d of page.deletes) items.delete(d);
    cursor = page.next;
    if (page.done) return { items, cursor, pages };
  }
}

type Written = { subject: string; to: string[]; threadKey?: string; headers: Record<string, string>; text: string };

/**
 * Runs `send`, then `before` with the mailbox clock where it was sent (held there: a slow machine
 * must not let Graph's transport finish meanwhile), then `after` with the clock past the time the
 * transport takes to file a sent message in Sent Items (the sandbox's graphTransportMs: sendMail
 * answers 202 while the message is still in Drafts). Gmail's send files its copy at once.
 */
async function sentThenFiled<T>(h: ScanHarness, send: () => Promise<unknown>, before: () => Promise<void>, after: () => Promise<T>): Promise<T> {
  const state = h.sandbox.state;
  const at = Date.now();
  state.setNow(at);
  try {
    await send();
    await before();
    state.setNow(at + DEFAULT_GRAPH_TRANSPORT_MS);
    return await after();
  } finally {
    state.setNow(undefined);
  }
}

/** Drafts and sent mail the sandbox recorded, in one shape for both providers. */
async function written(h: ScanHarness, what: "drafts" | "sent"): Promise<Written[]> {
  const enc = encodeURIComponent(h.email);
  if (h.fixture.account.provider === "google") {
    const list = await h.control<{ message: { threadId: string }; headers: Record<string, string>; recipients: string[]; raw: string }[]>("GET", `/_control/accounts/${enc}/gmail/${what}`);
    return Promise.all(list.map(async (w) => ({ subject: w.headers.Subject ?? "", to: w.recipients, threadKey: w.message.threadId, headers: w.headers, text: (await PostalMime.parse(w.raw)).text ?? "" })));
  }
  const list = await h.control<{ subject?: string; conversationId?: string; toRecipients?: { emailAddress: { address: string } }[]; internetMessageHeaders?: { name: string; value: string }[]; body?: { contentType?: string; content?: string } }[]>(
    "GET",
    `/_control/accounts/${enc}/graph/${what}`,
  );
  return list.map((m) => ({
    subject: m.subject ?? "",
    to: (m.toRecipients ?? []).map((r) => r.emailAddress.address.toLowerCase()),
    threadKey: m.conversationId,
    headers: Object.fromEntries((m.internetMessageHeaders ?? []).map((x) => [x.name, x.value])),
    // The body as a reader shows it: text as it is; HTML's line breaks are only its tags.
    text: m.body?.contentType?.toLowerCase() === "text" ? (m.body.content ?? "") : (m.body?.content ?? "").replace(/<br\s*\/?>|<\/(?:p|div)>/gi, "\n").replace(/<[^>]*>/g, "").replace(/\s*\n\s*/g, "\n").replace(/[ \t\r\n]+(?=[^\n]*$)/, " "),
  }));
}

describe.each([ownFixture("demo-google"), ownFixture("demo-microsoft")])("provider contract: %s", (dir) => {
  let h: ScanHarness;
  let now: number;
  beforeAll(async () => {
    h = await startScanHarness({ fixture: dir });
    now = Date.parse(h.expected.now);
  });
  afterAll(() => h?.close());

  it("profile: the owner's address, aliases and time zone", async () => {
    const p = await h.provider.profile();
    expect(p.email.toLowerCase()).toBe(h.fixture.account.email.toLowerCase());
    // Gmail send-as addresses need a settings scope we do not request: the scan learns them (test/connect-scopes.test.ts).
    if (h.fixture.account.provider === "google") expect(p.aliases).toEqual([]);
    else expect(p.aliases.map((a) => a.toLowerCase()).sort()).toEqual(expect.arrayContaining(h.fixture.account.aliases.map((a) => a.toLowerCase())));
    expect(p.timeZone).toBe(h.fixture.account.timeZone);
  });

  it("the calendar's zone alone, in one request, and as the owner changes it (the daily sync follows it)", async () => {
    await h.control("POST", "/_control/stats/reset");
    expect(await h.provider.calendarZone!()).toBe(h.fixture.account.timeZone);
    expect((await h.stats()).totalCalls).toBe(1);
    const enc = encodeURIComponent(h.email);
    await expect(h.control("POST", `/_control/accounts/${enc}/time-zone`, { timeZone: "Mars/Olympus" })).rejects.toThrow(/HTTP 400/);
    await h.control("POST", `/_control/accounts/${enc}/time-zone`, { timeZone: "Pacific/Auckland" });
    try {
      expect(await h.provider.calendarZone!()).toBe("Pacific/Auckland");
      expect((await h.provider.profile()).timeZone).toBe("Pacific/Auckland");
    } finally {
      await h.control("POST", `/_control/accounts/${enc}/time-zone`, { timeZone: h.fixture.account.timeZone });
    }
  });

  it("sent mail: a full sync over several pages returns exactly the sent folder, headers only", async () => {
    const window = { since: now - 365 * DAY, until: now + 365 * DAY };
    const { items, cursor, pages } = await drain<MailMessage>(h.provider.sentMail, window);
    const f = h.fixture;
    const sentIds = f.google ? f.google.messages.filter((m) => m.labelIds?.includes("SENT")).map((m) => m.id) : f.microsoft!.sentitems.map((m) => m.id);
    expect([...items.keys()].sort()).toEqual([...sentIds].sort());
    expect(pages).toBeGreaterThan(2);
    expect(cursor.mode).toBe("incremental");
    for (const m of items.values()) {
      expect(m.inSent).toBe(true);
      expect(Object.keys(m)).not.toContain("body");
    }
    // Caught up: the next round is empty and cheap.
    const again = await h.provider.sentMail.page(cursor, window);
    expect(again.upserts).toEqual([]);
    expect(again.done).toBe(true);
  });

  it("calendar: a full sync returns every event that is not cancelled, mapped (on Google, of the types read: no out of office, focus time or working location)", async () => {
    const window = { since: now - 365 * DAY, until: now + 365 * DAY };
    const { items } = await drain<Meeting>(h.provider.calendar, window);
    const f = h.fixture;
    const live = f.google
      ? f.google.events.filter((e) => e.status !== "cancelled" && READ_EVENT_TYPES.includes(e.eventType ?? "default")).map((e) => e.id)
      : f.microsoft!.events.filter((e) => !e.isCancelled).map((e) => e.id);
    if (f.google) expect(f.google.events.some((e) => e.eventType === "outOfOffice") && f.google.events.some((e) => e.eventType === "fromGmail")).toBe(true);
    expect([...items.keys()].sort()).toEqual([...live].sort() as string[]);
    for (const m of items.values()) expect(Number.isFinite(m.start) && m.end >= m.start).toBe(true);
  });

  it("calendar: the cursor keeps the end its listing ran to, and a listing whose end comes within half a year of the window's is renewed", async () => {
    const window = { since: now - 365 * DAY, until: now + 365 * DAY };
    const { cursor } = await drain<Meeting>(h.provider.calendar, window);
    expect(cursor).toMatchObject({ mode: "incremental", until: window.until });
    // Renewed (a full read under a new generation, core/scan/sync): an end 200 days short, or none.
    for (const until of [window.until - 200 * DAY, undefined])
      await expect(h.provider.calendar.page({ ...cursor!, until } as SyncCursor, window), String(until)).rejects.toMatchObject({ kind: "cursor-expired" });
    // Not before: 100 days short is a sync round as usual.
    expect((await h.provider.calendar.page({ ...cursor!, until: window.until - 100 * DAY } as SyncCursor, window)).next.mode).toBe("incremental");
  });

  it("calendar: a window with nothing in it reads to the end and keeps a sync cursor (Graph opens such a round with an empty page and a nextLink)", async () => {
    const since = now + 10 * 365 * DAY;
    const window = { since, until: since + 30 * DAY };
    const { cursor, items } = await drain<Meeting>(h.provider.calendar, window);
    expect(items.size).toBe(0);
    expect(cursor).toMatchObject({ mode: "incremental", until: window.until });
    expect((await h.provider.calendar.page(cursor!, window)).upserts).toEqual([]);
  });

  it("calendar: an event added far outside the window comes to the next round as nothing stored (Graph reports it @removed, event-delta.md); the round does not fail", async () => {
    const window = { since: now - 365 * DAY, until: now + 365 * DAY };
    const { cursor, items } = await drain<Meeting>(h.provider.calendar, window);
    const at = (ms: number) => new Date(ms).toISOString();
    const far = now + 3 * 365 * DAY;
    const enc = encodeURIComponent(h.email);
    if (h.fixture.google)
      await h.control("POST", `/_control/accounts/${enc}/calendar/events`, { id: "farawayevent001", status: "confirmed", summary: "Far away", start: { dateTime: at(far) }, end: { dateTime: at(far + 3_600_000) } });
    else await h.control("POST", `/_control/accounts/${enc}/graph/events`, { id: "AAMkFarAway=", subject: "Far away", start: { dateTime: at(far) }, end: { dateTime: at(far + 3_600_000) } });
    const round = await h.provider.calendar.page(cursor!, window);
    expect(round.upserts.map((m) => m.id)).toEqual([]);
    // Any removal names an id the full read never returned (nothing stored to remove).
    for (const id of round.deletes) expect(items.has(id)).toBe(false);
    expect(round.next.mode).toBe("incremental");
  });

  it("createDraft: a draft to the person in the owner's mailbox, threaded when asked", async () => {
    const fresh = await h.provider.createDraft({ to: { email: "new.person@example.org", name: "New Person" }, subject: "Good to meet you", text: "Hi New,\nthanks" });
    expect(fresh.id).toBeTruthy();
    expect(fresh.webLink).toMatch(/^https:\/\//);
    const window = { since: now - 365 * DAY, until: now + 365 * DAY };
    const earlier = [...(await drain<MailMessage>(h.provider.sentMail, window)).items.values()].find((m) => !m.draft && !m.meetingNotice && m.recipients.length)!;
    const reply = await h.provider.createDraft({
      to: earlier.recipients[0],
      subject: `Re: ${earlier.subject ?? ""}`,
      text: "Hi,\n\nFollowing up\nas promised.\n\nBest,\nIsla",
      replyTo: { threadId: earlier.threadId, messageId: earlier.messageId, providerMessageId: earlier.id },
    });
    expect(reply.id).not.toBe(fresh.id);
    const drafts = await written(h, "drafts");
    const first = drafts.find((d) => d.to.includes("new.person@example.org"));
    expect(first?.subject).toBe("Good to meet you");
    const threaded = drafts.find((d) => d.to.includes(earlier.recipients[0].email) && d.threadKey === earlier.threadId);
    expect(threaded, "the reply draft joins the earlier thread").toBeDefined();
    // The reply as the person will read it: our subject, and our text with its line breaks; on Outlook
    // createReply's comment put it into HTML in one paragraph (helper-243 #1, #3).
    expect(threaded!.subject).toBe(`Re: ${earlier.subject ?? ""}`);
    expect(threaded!.text.replace(/\r\n/g, "\n")).toMatch(/^Hi,\n\nFollowing up\nas promised\.\n\nBest,\nIsla\n?$/);
  });

  it("draftExists: a marked draft is there until it is deleted", async () => {
    const marker = `contract-${Date.now()}`;
    const d = await h.provider.createDraft({ to: { email: "exists.check@example.org", name: "Check" }, subject: "Still there?", text: "Hi", marker });
    expect(await h.provider.draftExists({ id: d.id, marker })).toBe(true);
    await h.provider.deleteDraft(d.id);
    expect(await h.provider.draftExists({ id: d.id, marker })).toBe(false);
  });

  it("draftSent: a draft the owner sent from their mailbox is told from one they deleted, with the scopes we hold (Gmail: the draft's thread, users.threads.get; Graph: the message by its immutable id, else its copy in Sent Items by the marker)", async () => {
    const state = h.sandbox.state;
    const google = h.fixture.account.provider === "google";
    const enc = encodeURIComponent(h.email);
    const sendFromMailbox = (id: string) => h.control("POST", google ? `/_control/accounts/${enc}/gmail/drafts/${id}/send` : `/_control/accounts/${enc}/graph/messages/${encodeURIComponent(id)}/send`, {});
    // Whole seconds: Graph's sentDateTime has no milliseconds.
    const at = Math.floor(Date.now() / 1000) * 1000;
    state.setNow(at);
    try {
      const to = { email: "sent.or.deleted@example.org", name: "Sent Or Deleted" };
      const sent = await h.provider.createDraft({ to, subject: "Sent one", text: "Hi", marker: `sent-${at}` });
      const deleted = await h.provider.createDraft({ to, subject: "Deleted one", text: "Hi", marker: `deleted-${at}` });
      // Gmail gives the draft's thread with it; Graph has no need of one.
      if (google) expect(sent.threadId && deleted.threadId).toBeTruthy();
      else expect(sent.threadId).toBeUndefined();
      // A minute later the owner sends one from their mailbox and deletes the other: both gone from Drafts.
      state.setNow(at + 60_000);
      await sendFromMailbox(sent.id);
      await h.provider.deleteDraft(deleted.id);
      expect(await h.provider.draftExists({ id: sent.id, marker: `sent-${at}` })).toBe(false);
      expect(await h.provider.draftExists({ id: deleted.id, marker: `deleted-${at}` })).toBe(false);
      await h.control("POST", "/_control/stats/reset");
      expect(await h.provider.draftSent!({ ...sent, marker: `sent-${at}`, since: at })).toEqual({ sentAt: at + 60_000 });
      expect(await h.provider.draftSent!({ ...deleted, marker: `deleted-${at}`, since: at })).toBeUndefined();
      // Gmail: one request each (threads.get, 10 units). Graph: the sent draft's id answers 404 and
      // Sent Items is searched by its marker; the deleted one's id reads it in Deleted Items.
      expect((await h.stats()).totalCalls).toBe(google ? 2 : 3);
      if (!google) {
        // Sent as the documentation page describes it, the Sent Items copy under the draft's own
        // immutable id: read by that id, one request.
        const kept = await h.provider.createDraft({ to, subject: "Sent, id kept", text: "Hi", marker: `kept-${at}` });
        state.setNow(at + 120_000);
        await h.control("POST", `/_control/accounts/${enc}/graph/messages/${encodeURIComponent(kept.id)}/send?keepId=1`, {});
        await h.control("POST", "/_control/stats/reset");
        expect(await h.provider.draftSent!({ ...kept, marker: `kept-${at}`, since: at })).toEqual({ sentAt: at + 120_000 });
        expect((await h.stats()).totalCalls).toBe(1);
        return;
      }
      // Stored without its thread (a draft recorded before 2026-12-07): not known.
      expect(await h.provider.draftSent!({ id: sent.id, marker: `sent-${at}`, since: at })).toBeUndefined();
      // A reply draft, deleted: its thread holds the earlier mail it answers, sent before the draft
      // was made, which is no send of it; sent, its message is the one dated after.
      const window = { since: now - 365 * DAY, until: now + 365 * DAY };
      const earlier = [...(await drain<MailMessage>(h.provider.sentMail, window)).items.values()].find((m) => !m.draft && !m.meetingNotice && m.recipients.length && m.threadId)!;
      const reply = (marker: string) =>
        h.provider.createDraft({ to: earlier.recipients[0], subject: `Re: ${earlier.subject ?? ""}`, text: "Hi", marker, replyTo: { threadId: earlier.threadId, messageId: earlier.messageId, providerMessageId: earlier.id } });
      state.setNow(at + 120_000);
      const gone = await reply(`reply-deleted-${at}`);
      expect(gone.threadId).toBe(earlier.threadId);
      await h.provider.deleteDraft(gone.id);
      expect(await h.provider.draftSent!({ ...gone, marker: `reply-deleted-${at}`, since: at + 120_000 })).toBeUndefined();
      const answered = await reply(`reply-sent-${at}`);
      state.setNow(at + 180_000);
      await sendFromMailbox(answered.id);
      expect(await h.provider.draftSent!({ ...answered, marker: `reply-sent-${at}`, since: at + 120_000 })).toEqual({ sentAt: at + 180_000 });
    } finally {
      state.setNow(undefined);
    }
  });

  it("send: mail from the owner with our Message-ID and headers; sentRecently finds it", async () => {
    const messageId = `<digest-test-${Date.now()}@followthrough.local>`;
    expect(await h.provider.sentRecently(messageId)).toBe(false);
    const found = await sentThenFiled(
      h,
      () => h.provider.send({ to: h.fixture.account.email, subject: "Your week", html: "<p>Hello</p>", text: "Hello", messageId, headers: { "List-Unsubscribe": "<https://app.example/pause>" } }),
      async () => {
        const mine = (await written(h, "sent")).find((s) => s.subject === "Your week");
        expect(mine?.to).toEqual([h.fixture.account.email.toLowerCase()]);
        expect(Object.entries(mine!.headers).find(([k]) => k.toLowerCase() === "list-unsubscribe")?.[1]).toBe("<https://app.example/pause>");
        // Outlook's copy is in Sent Items only once transport has moved it there from Drafts: a lookup
        // straight after the 202 does not find it (why a failed send's next attempt comes a quarter hour on).
        expect(await h.provider.sentRecently(messageId)).toBe(h.fixture.account.provider !== "microsoft");
      },
      () => h.provider.sentRecently(messageId),
    );
    expect(found).toBe(true);
  });

  it("sentRecently finds a send whose Message-ID the provider replaced (Gmail's API is reported to), by the id our own header carries again", async () => {
    const gmail = h.sandbox.state.account(h.fixture.account.email)?.gmail;
    if (gmail) gmail.rewritesMessageId = true;
    try {
      const messageId = `<digest-rewritten-${Date.now()}@followthrough.local>`;
      const found = await sentThenFiled(
        h,
        () => h.provider.send({ to: h.fixture.account.email, subject: "Your week again", html: "<p>Hello</p>", text: "Hello", messageId }),
        async () => {
          const mine = (await written(h, "sent")).find((s) => s.subject === "Your week again")!;
          const header = (name: string) => Object.entries(mine.headers).find(([k]) => k.toLowerCase() === name)?.[1];
          if (gmail) expect(header("message-id")).not.toBe(messageId);
          expect(header("x-followthrough-id")).toBe(messageId);
        },
        () => h.provider.sentRecently(messageId),
      );
      expect(found).toBe(true);
    } finally {
      if (gmail) gmail.rewritesMessageId = false;
    }
  });

  it("a rate-limited call is retried after its Retry-After; a revoked grant is auth-revoked", async () => {
    const route = h.fixture.account.provider === "google" ? "gmail.getProfile" : "graph.*";
    await h.injectFault({ route, kind: "status", status: 429, retryAfter: 0, times: 2 });
    await expect(h.provider.profile()).resolves.toMatchObject({ email: expect.any(String) });
    await h.control("POST", `/_control/accounts/${encodeURIComponent(h.email)}/revoke`);
    await h.expireAccess();
    const err = await h.provider.profile().catch((e) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).kind).toBe("auth-revoked");
  });
});

describe.each([ownFixture("demo-google"), ownFixture("demo-microsoft")])("access token dropped early: %s", (dir) => {
  it("is refreshed once, not taken for a revoked grant", async () => {
    const h = await startScanHarness({ fixture: dir });
    try {
      await h.provider.profile();
      await h.expireAccess();
      await expect(h.provider.profile()).resolves.toMatchObject({ email: expect.any(String) });
    } finally {
      await h.close();
    }
  });
});

/** Google only: a Calendar sync round has no time bounds (Graph's calendar view is bounded by its window). */
describe("Google calendar sync rounds", () => {
  let h: ScanHarness;
  let now: number;
  beforeAll(async () => {
    h = await startScanHarness({ fixture: ownFixture("demo-google") });
    now = Date.parse(h.expected.now);
  });
  afterAll(() => h?.close());

  it("a sync round keeps no meeting past the window's end (a series' instances years ahead): a removal", async () => {
    const window = { since: now - 365 * DAY, until: now + 365 * DAY };
    const { cursor } = await drain<Meeting>(h.provider.calendar, window);
    const at = (days: number, hours = 0) => ({ dateTime: new Date(now + days * DAY + hours * 3_600_000).toISOString() });
    const guest = [{ email: "ines@partner.example", responseStatus: "accepted" }];
    await h.control("POST", `/_control/accounts/${encodeURIComponent(h.email)}/calendar/events`, [
      { id: "contractfar1", summary: "Review", start: at(730), end: at(730, 1), attendees: guest },
      { id: "contractnear1", summary: "Review", start: at(7), end: at(7, 1), attendees: guest },
    ]);
    const round = await h.provider.calendar.page(cursor, window);
    expect(round.upserts.map((m) => m.id)).toEqual(["contractnear1"]);
    // A removal: a meeting stored at an earlier time and moved that far goes at once.
    expect(round.deletes).toContain("contractfar1");
  });
});

/**
 * Google only: Gmail's messages.list promises no order, and its pages are only roughly newest
 * first (googleapis/google-api-nodejs-client#3508: a page's internalDates go back up by hours, the
 * order mail was stored in). A sent copy stored late with an old date (an IMAP client's append)
 * comes among the newest: the backfill must not end there (helper-109 #1).
 */
describe("Gmail's list order", () => {
  let h: ScanHarness;
  let now: number;
  beforeAll(async () => {
    h = await startScanHarness({ fixture: ownFixture("demo-google"), pageSize: 5 });
    now = Date.parse(h.expected.now);
  });
  afterAll(() => h?.close());

  it("a sent copy stored last with a date before the window does not end the backfill: every sent message of the window is read", async () => {
    const enc = encodeURIComponent(h.email);
    const old = now - 400 * DAY;
    await h.control("POST", `/_control/accounts/${enc}/gmail/messages`, {
      labelIds: ["SENT"],
      internalDate: String(old),
      headers: { From: h.email, To: "old.friend@elsewhere.example", Subject: "Appended late", Date: new Date(old).toUTCString() },
    });
    await h.control("POST", `/_control/accounts/${enc}/gmail/list-order`, { order: "stored" });
    const window = { since: now - 365 * DAY, until: now + 365 * DAY };
    const { items, pages } = await drain<MailMessage>(h.provider.sentMail, window);
    const inWindow = h.fixture.google!.messages.filter((m) => m.labelIds?.includes("SENT") && Number(m.internalDate) >= window.since).map((m) => m.id);
    expect(inWindow.length).toBeGreaterThan(5);
    expect([...items.keys()].sort()).toEqual([...inWindow].sort());
    expect(pages).toBeGreaterThan(1);
  });

  it("a sent copy listed before ours with a date before the look's start does not end the look in Sent: a lost send is found (helper-254 #1)", async () => {
    const enc = encodeURIComponent(h.email);
    const state = h.sandbox.state;
    const at = Date.now();
    const messageId = `<digest-order-${at}@followthrough.local>`;
    state.setNow(at);
    try {
      await h.provider.send({ to: h.email, subject: "Your week, listed late", html: "<p>Hello</p>", text: "Hello", messageId });
      // Stored after ours, dated two hours before it: a "stored" listing serves it first.
      const earlier = at - 2 * 3_600_000;
      await h.control("POST", `/_control/accounts/${enc}/gmail/messages`, {
        labelIds: ["SENT"],
        internalDate: String(earlier),
        headers: { From: h.email, To: "someone@elsewhere.example", Subject: "Sent from the phone", Date: new Date(earlier).toUTCString() },
      });
      await h.control("POST", `/_control/accounts/${enc}/gmail/list-order`, { order: "stored" });
      expect(await h.provider.sentRecently(messageId, at - 5 * 60_000)).toBe(true);
      // And a look for a send that never happened still ends, false.
      expect(await h.provider.sentRecently(`<never-${at}@followthrough.local>`, at - 5 * 60_000)).toBe(false);
    } finally {
      state.setNow(undefined);
    }
  });

  it("the looks in Sent for each Message-ID a send may have gone under read each message's headers once: a takeover's five looks cost one look's messages.get, not five (helper-255)", async () => {
    const gets = () => h.sandbox.state.quota.usage(h.email).calls["gmail.messages.get"] ?? 0;
    const at = Date.now();
    const before = gets();
    expect(await h.provider.sentRecently(`<never-a-${at}@followthrough.local>`, at - 5 * 60_000)).toBe(false);
    // (The looks before this test's, on the same adapter, may have read them all already.)
    const one = gets() - before;
    for (const n of ["b", "c", "d", "e"]) expect(await h.provider.sentRecently(`<never-${n}-${at}@followthrough.local>`, at - 5 * 60_000)).toBe(false);
    expect(gets() - before).toBe(one);
    // A send since the first look is still found: its message is listed, and read, anew.
    const messageId = `<found-after-${at}@followthrough.local>`;
    await h.provider.send({ to: h.email, subject: "Your week", html: "<p>Hello</p>", text: "Hello", messageId });
    expect(await h.provider.sentRecently(messageId, at - 5 * 60_000)).toBe(true);
  });
});

/** Outlook only: an event's times in a zone of its own reach the scan as the instants they name. */
describe("Outlook events in a zone of their own", () => {
  let h: ScanHarness;
  let now: number;
  beforeAll(async () => {
    h = await startScanHarness({ fixture: ownFixture("demo-microsoft") });
    now = Date.parse(h.expected.now);
  });
  afterAll(() => h?.close());

  it("a meeting written at 09:00 Pacific is read as 16:00 UTC (summer), not 09:00 UTC", async () => {
    const window = { since: now - 365 * DAY, until: now + 365 * DAY };
    const { cursor } = await drain<Meeting>(h.provider.calendar, window);
    const day = new Date(now + 10 * DAY).toISOString().slice(0, 10);
    await h.control("POST", `/_control/accounts/${encodeURIComponent(h.email)}/graph/events`, {
      id: "AAMkContractZoned=",
      subject: "Breakfast",
      start: { dateTime: `${day}T09:00:00.0000000`, timeZone: "Pacific Standard Time" },
      end: { dateTime: `${day}T10:00:00.0000000`, timeZone: "Pacific Standard Time" },
      attendees: [{ emailAddress: { name: "Ines", address: "ines@partner.example" }, type: "required", status: { response: "accepted" } }],
    });
    const round = await h.provider.calendar.page(cursor, window);
    const m = round.upserts.find((x) => x.id === "AAMkContractZoned=")!;
    // Los Angeles' offset on that day (-7 h in summer, -8 h in winter).
    const la = new Intl.DateTimeFormat("en-US", { timeZone: "America/Los_Angeles", timeZoneName: "longOffset" }).formatToParts(Date.parse(`${day}T16:00:00Z`)).find((p) => p.type === "timeZoneName")!.value;
    const hours = -Number(/GMT([+-]\d{2})/.exec(la)![1]);
    expect(m.start).toBe(Date.parse(`${day}T09:00:00Z`) + hours * 3_600_000);
    expect(m.end - m.start).toBe(3_600_000);
  });
});

/**
 * Outlook only: mailbox settings that give no usable `timeZone`. Graph's answer also holds the working
 * hours' zone (learn.microsoft.com/graph/api/resources/workinghours), which a work mailbox without
 * `timeZone` still had (microsoftgraph/msgraph-sample-reactspa issue 60); a `timeZone` that is no
 * string is absent (calcom/cal.diy PR 23700). The same one request, no other permission.
 */
describe("Outlook mailbox settings without a usable time zone", () => {
  let h: ScanHarness;
  let settings: string;
  beforeAll(async () => {
    h = await startScanHarness({ fixture: ownFixture("demo-microsoft") });
    settings = `/_control/accounts/${encodeURIComponent(h.email)}/graph/mailbox-settings`;
  });
  afterAll(() => h?.close());

  it.each([
    ["left out (msgraph-sample-reactspa issue 60)", {}],
    ["null", { timeZone: null }],
    ["no string ('[]', msgraph-sample-rubyrailsapp issue 195; cal.diy PR 23700)", { timeZone: [] }],
    ["a name no zone maps from", { timeZone: "tzone://Microsoft/Custom" }],
    ["empty", { timeZone: "" }],
  ])("timeZone %s: the working hours' zone, for the profile and the daily sync's read, in one request each", async (_, body) => {
    await h.control("POST", settings, body);
    try {
      await h.control("POST", "/_control/stats/reset");
      expect((await h.provider.profile()).timeZone).toBe("Asia/Singapore");
      expect(await h.provider.calendarZone!()).toBe("Asia/Singapore");
      const usage = h.sandbox.state.quota.usage(h.email).calls;
      expect(usage["graph.mailboxSettings"]).toBe(2);
      expect(h.sandbox.state.refusals.splice(0)).toEqual([]);
    } finally {
      await h.control("DELETE", settings);
    }
  });

  it("the mailbox's own zone wins over the working hours' where both map (separate settings: OfficeDocs-Support issue 1959)", async () => {
    await h.control("POST", settings, { timeZone: "Tokyo Standard Time", workingHoursTimeZone: "Pacific Standard Time" });
    try {
      expect((await h.provider.profile()).timeZone).toBe("Asia/Tokyo");
      expect(await h.provider.calendarZone!()).toBe("Asia/Tokyo");
    } finally {
      await h.control("DELETE", settings);
    }
  });

  it("neither maps: no zone (the Connected page asks for one)", async () => {
    await h.control("POST", settings, { workingHoursTimeZone: "Customized Time Zone" });
    try {
      expect((await h.provider.profile()).timeZone).toBeUndefined();
      expect(await h.provider.calendarZone!()).toBeUndefined();
    } finally {
      await h.control("DELETE", settings);
    }
  });
});

/**
 * Outlook only: the zone the owner created their own events in (Graph's originalStartTimeZone, "the
 * start time zone that was set when the event was created": learn.microsoft.com/graph/api/resources/event),
 * read from the calendar view the scan reads anyway (its occurrences' from their series master), for
 * an account whose mailbox settings give no zone (functions/test/backfill-zone.test.ts).
 */
describe("Outlook: the zone of the owner's own events", () => {
  let h: ScanHarness;
  let now: number;
  beforeAll(async () => {
    h = await startScanHarness({ fixture: ownFixture("demo-microsoft") });
    now = Date.parse(h.expected.now);
  });
  afterAll(() => h?.close());

  it("is on meetings the owner organised only, mapped to IANA; UTC and zones Graph could not name (tzone://Microsoft/Utc, tzone://Microsoft/Custom) give none; the most common is the owner's", async () => {
    const enc = encodeURIComponent(h.email);
    const day = new Date(now + 5 * DAY).toISOString().slice(0, 10);
    const own = (id: string, zone: string) => ({
      id,
      subject: `Planned in ${zone}`,
      isOrganizer: true,
      organizer: { emailAddress: { name: h.fixture.account.displayName, address: h.email } },
      originalStartTimeZone: zone,
      start: { dateTime: `${day}T09:00:00.0000000`, timeZone: "UTC" },
      end: { dateTime: `${day}T10:00:00.0000000`, timeZone: "UTC" },
      attendees: [{ emailAddress: { name: "Ines", address: "ines@partner.example" }, type: "required", status: { response: "accepted" } }],
    });
    await h.control("POST", `/_control/accounts/${enc}/graph/events`, [
      own("AAMkOwnTokyo=", "Tokyo Standard Time"),
      own("AAMkOwnUtc=", "tzone://Microsoft/Utc"),
      own("AAMkOwnCustom=", "tzone://Microsoft/Custom"),
      own("AAMkOwnUTC=", "UTC"),
      { ...own("AAMkTheirs=", "Pacific Standard Time"), isOrganizer: false, organizer: { emailAddress: { name: "Ines", address: "ines@partner.example" } } },
    ]);
    const window = { since: now - 365 * DAY, until: now + 365 * DAY };
    const { items } = await drain<Meeting>(h.provider.calendar, window);
    expect(items.get("AAMkOwnTokyo=")!.zone).toBe("Asia/Tokyo");
    for (const id of ["AAMkOwnUtc=", "AAMkOwnCustom=", "AAMkOwnUTC=", "AAMkTheirs="]) expect(items.get(id)!.zone, id).toBeUndefined();
    const meetings = [...items.values()];
    for (const m of meetings) if (!m.organizerSelf) expect(m.zone).toBeUndefined();
    // The fixture's own: Singapore Standard Time, on single events and on occurrences through their master.
    expect(meetings.filter((m) => m.organizerSelf && m.seriesId && m.zone === "Asia/Singapore").length).toBeGreaterThan(0);
    expect(ownMeetingsZone(meetings)).toBe("Asia/Singapore");
  });
});
