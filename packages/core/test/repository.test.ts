import { DeleteCommand, PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accountByIdentity, awaitsReconnect, deleteAccountData, finishMove, movedAccount, setFirstName, updateAccount, linkIdentity, loadAccount, refreshTokenOf, rotateRefreshToken, saveAccount } from "@followthrough/core/accounts";
import { storeConnection } from "@followthrough/core/connect";
import { markNeedsReconnect, runAccountJob } from "@followthrough/core/dispatch";
import { CALENDAR_ZONE, changeTimeZone, findEvent } from "@followthrough/core/events";
import type { MailMessage, Meeting } from "@followthrough/core/model";
import { gmailDraftsLink } from "@followthrough/core/providers";
import { randomKeyring } from "@followthrough/core/secrets";
import { keys, type LocalDynamo, putMeetings, putMessages, Repository, startLocalDynamo, sweep } from "@followthrough/core/storage";

const meeting = (id: string, start: number): Meeting => ({
  id,
  title: `Meeting ${id}`,
  start,
  end: start + 1_800_000,
  allDay: false,
  cancelled: false,
  kind: "default",
  organizerSelf: true,
  attendees: [{ email: "ana@x.io", name: "Ana", response: "accepted", resource: false, organizer: false }],
});
const message = (id: string, sentAt: number): MailMessage => ({
  id,
  sentAt,
  inSent: true,
  draft: false,
  meetingNotice: false,
  recipients: [{ email: "ana@x.io", name: "Ana" }],
  subject: "hello",
});

describe.each(["dynalite", "dynamodb-local"] as const)("repository on %s", (engine) => {
  let db: LocalDynamo;
  let repo: Repository;
  const acct = "owner@acme.io";
  beforeAll(async () => {
    db = await startLocalDynamo({ engine });
    repo = new Repository(db.doc, db.tableName);
  });
  afterAll(() => db?.stop());

  /**
   * A repository on the same table whose first command that `when` picks runs `meanwhile` just before
   * it reaches the table (or, `after`, once it has): another write landing between two of a
   * function's steps. `ran()` says whether it did.
   */
  function interleaved(when: (cmd: unknown) => boolean, meanwhile: () => Promise<unknown>, o: { after?: boolean } = {}): { repo: Repository; ran: () => boolean } {
    const raced = new Repository(db.doc, db.tableName);
    const send = db.doc.send.bind(db.doc);
    let ran = false;
    (raced as { doc: unknown }).doc = new Proxy(db.doc, {
      get: (target, prop) =>
        prop === "send"
          ? async (cmd: unknown) => {
              const picked = !ran && when(cmd);
              if (picked) ran = true;
              if (picked && !o.after) await meanwhile();
              const answer = await send(cmd as never);
              if (picked && o.after) await meanwhile();
              return answer;
            }
          : Reflect.get(target, prop),
    });
    return { repo: raced, ran: () => ran };
  }
  /** Another write landing between a read and the conditional write made from it (the first UpdateCommand). */
  const racing = (meanwhile: () => Promise<unknown>) => interleaved((cmd) => cmd instanceof UpdateCommand, meanwhile);
  /** Commands on `email`'s account item. */
  const onAccount = (email: string, cmd: unknown) => {
    const own = keys.account(email);
    const key = cmd instanceof PutCommand ? cmd.input.Item : cmd instanceof UpdateCommand || cmd instanceof DeleteCommand ? cmd.input.Key : undefined;
    return key?.pk === own.pk && key?.sk === own.sk;
  };
  /** A repository whose first write of `email`'s account item (a put or an update) runs `meanwhile` first. */
  const racingAccountWrite = (email: string, meanwhile: () => Promise<unknown>) =>
    interleaved((cmd) => (cmd instanceof PutCommand || cmd instanceof UpdateCommand) && onAccount(email, cmd), meanwhile);

  it("a meeting too large for one item as a map (a conference's 5,000 guests) and a message with a 350 KB Subject are kept gzipped and read back whole", async () => {
    const guests = Array.from({ length: 5_000 }, (_, i) => ({ email: `guest.number${i}@company${i % 700}.example.com`, name: `Guest Number ${i} of the Conference`, response: "accepted" as const, resource: false, organizer: false }));
    const conference = { ...meeting("big-conference", Date.UTC(2026, 4, 1)), title: "Product Summit 2026", attendees: guests };
    const long = { ...message("big-subject", Date.UTC(2026, 4, 2)), subject: "Follow-up ".repeat(35_000) };
    expect(JSON.stringify(conference).length).toBeGreaterThan(400_000);
    await putMeetings(repo, acct, [conference], 1);
    await putMessages(repo, acct, [long], 1);
    const stored = await repo.get<Record<string, unknown>>(keys.meeting(acct, conference.id));
    expect(stored?.meeting).toBeUndefined();
    expect(stored?.meetingZ).toBeInstanceOf(Uint8Array);
    expect((await repo.loadMeetings(acct)).find((m) => m.id === conference.id)).toEqual(conference);
    expect((await findEvent(repo, { email: acct, aliases: [], timeZone: "UTC" }, conference.id))?.attendees).toHaveLength(5_000);
    expect((await repo.loadMessages(acct)).find((m) => m.id === long.id)).toEqual(long);
    // A sweep reads its time as it reads a map's.
    expect(await sweep(repo, acct, "meeting", 2, { since: Date.UTC(2026, 0, 1) })).toBeGreaterThanOrEqual(1);
    expect((await repo.loadMeetings(acct)).find((m) => m.id === conference.id)).toBeUndefined();
    await repo.delete(keys.message(acct, long.id));
  }, 60_000);

  it("reads of the table are strongly consistent: a read after a write sees it (DynamoDB reads are eventually consistent unless asked)", async () => {
    const asked: { command: string; consistent: unknown; index: unknown }[] = [];
    const spy = new Repository(db.doc, db.tableName);
    const tap = (next: (a: { input: Record<string, unknown> }) => Promise<unknown>, context: { commandName?: string }) => async (args: { input: Record<string, unknown> }) => {
      asked.push({ command: context.commandName ?? "", consistent: args.input.ConsistentRead, index: args.input.IndexName });
      return next(args);
    };
    db.doc.middlewareStack.add(tap as never, { step: "initialize", name: "consistencyTap" });
    try {
      await spy.put({ ...keys.person(acct, "read-after@x.io"), person: { email: "read-after@x.io" } });
      await spy.get(keys.person(acct, "read-after@x.io"));
      await spy.query(keys.account(acct).pk, "PERSON#");
      await spy.allItems(acct);
    } finally {
      db.doc.middlewareStack.remove("consistencyTap");
      await repo.delete(keys.person(acct, "read-after@x.io"));
    }
    const reads = asked.filter((a) => /^(Get|Query)/.test(a.command) && a.index === undefined);
    expect(reads.length).toBeGreaterThanOrEqual(3);
    for (const r of reads) expect(r, r.command).toMatchObject({ consistent: true });
  });

  it("upserts are idempotent and load back what was stored, NaN times included", async () => {
    const ms = [meeting("a", 1_000), meeting("b", 2_000), { ...meeting("c", Number.NaN), cancelled: true }];
    await putMeetings(repo, acct, ms, 1);
    await putMeetings(repo, acct, ms, 1);
    const back = (await repo.loadMeetings(acct)).sort((x, y) => x.id.localeCompare(y.id));
    expect(back).toHaveLength(3);
    expect(back[0]).toEqual(ms[0]);
    expect(Number.isNaN(back[2].start)).toBe(true);
  });

  it("setIn sets fields inside a map, only while the map holds what it must match, and never recreates a deleted item", async () => {
    const key = { pk: `ACCOUNT#${acct}`, sk: "DIGEST#2026-W01" };
    const body = new Uint8Array([31, 139, 8, 0, 1, 2, 3]);
    await repo.put({ ...key, digest: { status: "sending", claimedAt: 1, body } });
    expect(await repo.setIn(key, "digest", { status: "sent", sentAt: 5, error: undefined }, { claimedAt: 1 })).toBe(true);
    expect((await repo.get<{ digest: Record<string, unknown> }>(key))?.digest).toEqual({ status: "sent", claimedAt: 1, sentAt: 5, body });
    // Another attempt's claim: left as it is.
    expect(await repo.setIn(key, "digest", { status: "failed" }, { claimedAt: 2 })).toBe(false);
    expect((await repo.get<{ digest: { status: string } }>(key))?.digest.status).toBe("sent");
    // No such map, no such item: nothing written.
    expect(await repo.setIn(key, "mail", { status: "sent" })).toBe(false);
    await repo.delete(key);
    expect(await repo.setIn(key, "digest", { status: "sent" })).toBe(false);
    expect(await repo.get(key)).toBeUndefined();
    await expect(repo.setIn(key, "digest", { status: undefined })).rejects.toThrow(/no field to set/);
  });

  it("writes more than one batch and pages queries", async () => {
    const many = Array.from({ length: 260 }, (_, i) => message(`m${i}`, i));
    await putMessages(repo, acct, many, 1);
    const back = await repo.loadMessages(acct);
    expect(back).toHaveLength(260);
    expect(back.find((m) => m.id === "m7")).toEqual(many[7]);
  });

  it("sweep removes only items older than the completed generation", async () => {
    await putMeetings(repo, acct, [meeting("a", 1_000)], 2);
    const swept = await sweep(repo, acct, "meeting", 2);
    expect(swept).toBe(2);
    expect((await repo.loadMeetings(acct)).map((m) => m.id)).toEqual(["a"]);
  });

  it("a sweep with the full sync's window start removes only what that window reaches (a day inside it)", async () => {
    const acct2 = "sweep-window@acme.io";
    const since = Date.parse("2025-12-01T00:00:00Z");
    const DAY = 86_400_000;
    await putMeetings(repo, acct2, [meeting("before", since - 3 * DAY), meeting("edge", since + DAY / 2), meeting("inside", since + 3 * DAY)], 1);
    await putMessages(repo, acct2, [message("m-before", since - DAY), message("m-inside", since + 2 * DAY)], 1);
    expect(await sweep(repo, acct2, "meeting", 2, { since })).toBe(1);
    expect((await repo.loadMeetings(acct2)).map((m) => m.id).sort()).toEqual(["before", "edge"]);
    expect(await sweep(repo, acct2, "message", 2, { since })).toBe(1);
    expect((await repo.loadMessages(acct2)).map((m) => m.id)).toEqual(["m-before"]);
  });

  it("cursors round-trip and delete", async () => {
    await repo.putCursor(acct, "sent", { mode: "incremental", cursor: "123", generation: 1 });
    expect(await repo.getCursor(acct, "sent")).toEqual({ mode: "incremental", cursor: "123", generation: 1 });
    await repo.deleteCursor(acct, "sent");
    expect(await repo.getCursor(acct, "sent")).toBeUndefined();
  });

  it("accounts keep the refresh token sealed, and rotation replaces it", async () => {
    const ring = randomKeyring();
    const saved = await saveAccount(repo, ring, {
      provider: "microsoft",
      email: "Owner2@Acme.io",
      aliases: [],
      timeZone: "UTC",
      clientId: "c",
      refreshToken: "M.R3_secret-token",
      status: "active",
      connectedAt: 1,
    });
    const items = await repo.allItems("owner2@acme.io");
    expect(JSON.stringify(items)).not.toContain("secret-token");
    const loaded = await loadAccount(repo, "owner2@acme.io");
    expect(loaded && refreshTokenOf(ring, loaded)).toBe("M.R3_secret-token");
    await rotateRefreshToken(repo, ring, saved, "M.R3_next");
    const again = await loadAccount(repo, "owner2@acme.io");
    expect(again && refreshTokenOf(ring, again)).toBe("M.R3_next");
    expect(() => refreshTokenOf(randomKeyring(), again!)).toThrow();
  });

  it("updateAccount removes a field patched to undefined, and sets the others beside it", async () => {
    const email = "remove-owner@acme.io";
    await saveAccount(repo, randomKeyring(), { email, provider: "google", clientId: "c", refreshToken: "r", connectedAt: 1, aliases: [], timeZone: "UTC", status: "active", template: "Hi", lastWeek: "2026-W10", lastWeeklyAt: 5 });
    const next = await updateAccount(repo, email, { template: undefined, lastWeek: undefined, signatureName: "Ana" }, 6);
    const stored = (await loadAccount(repo, email))!;
    for (const a of [next!, stored]) {
      expect(a).not.toHaveProperty("template");
      expect(a).not.toHaveProperty("lastWeek");
      expect(a).toMatchObject({ signatureName: "Ana", lastWeeklyAt: 5 });
    }
  });

  it("a job without a mailer that finds the grant gone leaves an account paused meanwhile paused", async () => {
    const email = "paused-owner@acme.io";
    const account = await saveAccount(repo, randomKeyring(), { email, provider: "google", clientId: "c", refreshToken: "r", connectedAt: 1, aliases: [], timeZone: "UTC", status: "active" });
    await updateAccount(repo, email, { status: "paused" }, 2);
    await markNeedsReconnect(repo, account, new Error("invalid_grant"), 3);
    expect((await loadAccount(repo, email))!.status).toBe("paused");
    await updateAccount(repo, email, { status: "active" }, 4);
    await markNeedsReconnect(repo, account, new Error("invalid_grant"), 5);
    expect((await loadAccount(repo, email))!.status).toBe("needs_reconnect");
  });

  it("a job without a mailer marks the grant gone in one conditional write: a pause between its read and its write, or a reconnect, is kept", async () => {
    const email = "race-owner@acme.io";
    const account = await saveAccount(repo, randomKeyring(), { email, provider: "google", clientId: "c", refreshToken: "r", connectedAt: 1, aliases: [], timeZone: "UTC", status: "active" });
    // The owner pauses while the job is marking the account: just before its write reaches the table.
    const paused = racing(() => updateAccount(repo, email, { status: "paused" }, 2));
    await markNeedsReconnect(paused.repo, account, new Error("invalid_grant"), 3);
    expect(paused.ran()).toBe(true);
    expect((await loadAccount(repo, email))!.status).toBe("paused");
    // Reconnected since the run loaded it (a new grant, a new connectedAt): the old grant's failure marks nothing.
    await saveAccount(repo, randomKeyring(), { email, provider: "google", clientId: "c", refreshToken: "r2", connectedAt: 10, aliases: [], timeZone: "UTC", status: "active" });
    await markNeedsReconnect(repo, account, new Error("invalid_grant"), 11);
    expect((await loadAccount(repo, email))!.status).toBe("active");
    expect((await repo.get<Record<string, unknown>>(keys.account(email)))?.gsi2pk).toBeDefined();
    // The current grant's failure marks it, off the due-hour index, with its reason.
    await markNeedsReconnect(repo, (await loadAccount(repo, email))!, new Error("invalid_grant"), 12);
    expect(await loadAccount(repo, email)).toMatchObject({ status: "needs_reconnect", reconnectReason: "auth-revoked" });
    expect((await repo.get<Record<string, unknown>>(keys.account(email)))?.gsi2pk).toBeUndefined();
  });

  it.each([
    ["a zone picked (the one the save read, now chosen)", "UTC", "UTC"],
    ["the calendar's zone", CALENDAR_ZONE, "Europe/Berlin"],
  ] as const)("%s while a reconnect lands between the save's read and its write: made from the reconnected record, and the sync filed for the zone it moved from", async (_, pick, want) => {
    const email = `zone-race-${typeof pick === "string" ? "pick" : "calendar"}@acme.io`;
    const ring = randomKeyring();
    // An account from before the calendar's zone was kept: its zone is the calendar's (UTC).
    await saveAccount(repo, ring, { email, provider: "google", clientId: "c", refreshToken: "r", connectedAt: 1, aliases: [], timeZone: "UTC", status: "active", ...(pick === CALENDAR_ZONE ? { zoneChosen: true, timeZone: "Asia/Tokyo", calendarZone: "UTC" } : {}) });
    const reconnected = racing(async () => {
      // The reconnect: a new connection whose calendar is in Berlin now (core/connect storeConnection's put).
      const was = (await loadAccount(repo, email))!;
      await saveAccount(repo, ring, { ...was, refreshToken: "r2", connectedAt: 10, calendarZone: "Europe/Berlin", timeZone: was.zoneChosen ? was.timeZone : "Europe/Berlin" });
    });
    await changeTimeZone(reconnected.repo, email, pick, 20);
    expect(reconnected.ran()).toBe(true);
    const saved = (await loadAccount(repo, email))!;
    expect(saved.timeZone).toBe(want);
    expect(saved.calendarZone).toBe("Europe/Berlin");
    expect(saved.zoneChosen).toBe(typeof pick === "string" ? true : undefined);
    // The zone moved from the reconnected record's (Berlin to UTC; Tokyo, kept, to Berlin): the calendar is read in the new one.
    expect((await repo.get<{ due: number }>(keys.eventJob(email, "sync")))?.due).toEqual(expect.any(Number));
  });

  const connectClient = { clientId: "c2", endpoints: { authorizeUrl: "https://accounts.example/auth", tokenUrl: "https://accounts.example/token" } };
  const reconnect = (r: Repository, ring: ReturnType<typeof randomKeyring>, email: string, o: { zone?: string; identity?: string; now?: number } = {}) =>
    storeConnection({ repo: r, ring, provider: "google", client: connectClient, refreshToken: "r2", profile: { email, aliases: [], timeZone: o.zone ?? "Europe/Berlin" }, now: o.now ?? 10, scopes: ["new"], ...(o.identity ? { identity: { provider: "google" as const, sub: o.identity } } : {}) });
  /** What an address's partition holds besides where its renamed account went (core/accounts finishMove). */
  const leftAt = async (email: string) => (await repo.allItems(email)).filter((i) => i.sk !== keys.movedTo(email).sk);

  it.each([
    ["a template", (email: string) => updateAccount(repo, email, { template: "Saved meanwhile, {{firstName}}", signatureName: "Isla" }, 5), { template: "Saved meanwhile, {{firstName}}", signatureName: "Isla", status: "active", timeZone: "Europe/Berlin" }],
    ["a pause", (email: string) => updateAccount(repo, email, { status: "paused" }, 5), { status: "paused", timeZone: "Europe/Berlin" }],
    ["a new schedule", (email: string) => updateAccount(repo, email, { schedule: { day: 5, hour: 16 } }, 5), { schedule: { day: 5, hour: 16 }, status: "active" }],
    // The zone the account already had, pinned: it stays the owner's choice though the calendar moved (helper-98 #1).
    ["the same zone pinned", (email: string) => changeTimeZone(repo, email, "Europe/Paris", 5), { timeZone: "Europe/Paris", zoneChosen: true, calendarZone: "America/New_York" }],
  ] as const)("a reconnect whose write comes after %s saved since its read keeps it, and what the new grant decides", async (what, meanwhile, want) => {
    const email = `saved-meanwhile-${what.replaceAll(" ", "-")}@acme.io`;
    const ring = randomKeyring();
    await saveAccount(repo, ring, { email, provider: "google", clientId: "c", refreshToken: "r", connectedAt: 1, aliases: [], timeZone: "Europe/Paris", calendarZone: "Europe/Paris", status: "needs_reconnect", reconnectReason: "auth-revoked", reconnectNotifiedAt: 2, scopes: ["old"] });
    const raced = racingAccountWrite(email, () => meanwhile(email));
    const outcome = await reconnect(raced.repo, ring, email, { zone: what === "the same zone pinned" ? "America/New_York" : "Europe/Berlin" });
    expect(raced.ran()).toBe(true);
    expect(outcome.kind).toBe("reconnected");
    const saved = (await loadAccount(repo, email))!;
    expect(saved).toMatchObject({ ...want, connectedAt: 10, clientId: "c2", scopes: ["new"] });
    expect(saved.reconnectReason).toBeUndefined();
    expect(saved.reconnectNotifiedAt).toBeUndefined();
    expect(refreshTokenOf(ring, saved)).toBe("r2");
    // On the due-hour index unless paused.
    expect((await repo.get<Record<string, unknown>>(keys.account(email)))?.gsi2pk === undefined).toBe(saved.status === "paused");
  });

  it("a token an earlier connection's job rotates after a reconnect is not stored over the new grant's", async () => {
    const email = "rotated-late@acme.io";
    const ring = randomKeyring();
    const old = await saveAccount(repo, ring, { email, provider: "microsoft", clientId: "c", refreshToken: "old", connectedAt: 1, aliases: [], timeZone: "UTC", status: "active", scopes: ["Mail.ReadBasic"] });
    await storeConnection({ repo, ring, provider: "microsoft", client: connectClient, refreshToken: "new", profile: { email, aliases: [], timeZone: "UTC" }, now: 10, scopes: ["Mail.ReadBasic", "Mail.Send"] });
    // A job that loaded the account before the reconnect refreshes its grant, which Microsoft rotates.
    const kept = await rotateRefreshToken(repo, ring, old, "old-rotated");
    expect(refreshTokenOf(ring, kept)).toBe("old-rotated");
    const saved = (await loadAccount(repo, email))!;
    expect(refreshTokenOf(ring, saved)).toBe("new");
    expect(saved).toMatchObject({ connectedAt: 10, scopes: ["Mail.ReadBasic", "Mail.Send"] });
    // The current connection's rotation is stored.
    await rotateRefreshToken(repo, ring, saved, "new-rotated");
    expect(refreshTokenOf(ring, (await loadAccount(repo, email))!)).toBe("new-rotated");
    // Disconnected: a job's rotation fails it (Microsoft has no revocation: that is what stops the job).
    await deleteAccountData(repo, email);
    await expect(rotateRefreshToken(repo, ring, saved, "after-disconnect")).rejects.toMatchObject({ name: "ConditionalCheckFailedException" });
    expect(await loadAccount(repo, email)).toBeUndefined();
  });

  it("a reconnect that a disconnect overtakes becomes a new connection, and its sign-in finds it", async () => {
    const email = "overtaken@acme.io";
    const ring = randomKeyring();
    const identity = "112233445566778899001";
    await saveAccount(repo, ring, { email, provider: "google", clientId: "c", refreshToken: "r", connectedAt: 1, createdAt: 1, aliases: [], timeZone: "UTC", status: "active", template: "Old {{firstName}}", identity: `google:${identity}` });
    await linkIdentity(repo, `google:${identity}`, email);
    const raced = racingAccountWrite(email, () => deleteAccountData(repo, email));
    const outcome = await reconnect(raced.repo, ring, email, { identity });
    expect(raced.ran()).toBe(true);
    expect(outcome.kind).toBe("connected");
    const saved = (await loadAccount(repo, email))!;
    expect(saved).toMatchObject({ createdAt: 10, connectedAt: 10, identity: `google:${identity}` });
    expect(saved.template).toBeUndefined();
    expect((await accountByIdentity(repo, `google:${identity}`))?.email).toBe(email);
  });

  it("a reconnect whose account was disconnected and given to someone else meanwhile is stored again from the start, never onto theirs", async () => {
    const email = "handed-over@acme.io";
    const ring = randomKeyring();
    await saveAccount(repo, ring, { email, provider: "google", clientId: "c", refreshToken: "r", connectedAt: 1, createdAt: 1, aliases: [], timeZone: "UTC", status: "active", identity: "google:111111111111111111111" });
    const raced = racingAccountWrite(email, async () => {
      await deleteAccountData(repo, email);
      await saveAccount(repo, ring, { email, provider: "google", clientId: "c", refreshToken: "theirs", connectedAt: 7, createdAt: 7, aliases: [], timeZone: "UTC", status: "active", template: "Their template", identity: "google:222222222222222222222" });
    });
    const outcome = await reconnect(raced.repo, ring, email, { identity: "111111111111111111111" });
    expect(raced.ran()).toBe(true);
    // Their account is someone else's (another sign-in): it goes, as at any connect, and this one is new.
    expect(outcome.kind).toBe("connected");
    const saved = (await loadAccount(repo, email))!;
    expect(saved).toMatchObject({ createdAt: 10, identity: "google:111111111111111111111" });
    expect(saved.template).toBeUndefined();
  });

  it("a disconnect whose last sweep comes after a new connection of the address stored its account leaves that account and its sign-in's link", async () => {
    const email = "tab-race@acme.io";
    const ring = randomKeyring();
    const identity = "334455667788990011223";
    await saveAccount(repo, ring, { email, provider: "google", clientId: "c", refreshToken: "r", connectedAt: 1, createdAt: 1, aliases: [], timeZone: "UTC", status: "active", identity: `google:${identity}` });
    await linkIdentity(repo, `google:${identity}`, email, undefined, 1);
    // The disconnect's repository: once its delete of the account item is done, a connection in another tab stores a new one.
    const raced = interleaved(
      (cmd) => cmd instanceof DeleteCommand && onAccount(email, cmd),
      async () => expect((await reconnect(repo, ring, email, { identity })).kind).toBe("connected"),
      { after: true },
    );
    await deleteAccountData(raced.repo, email);
    expect(raced.ran()).toBe(true);
    expect(await loadAccount(repo, email)).toMatchObject({ createdAt: 10, identity: `google:${identity}` });
    expect((await accountByIdentity(repo, `google:${identity}`))?.email).toBe(email);
  });

  it("a first connection that another first connection of the address overtakes reconnects the account it stored", async () => {
    const email = "two-tabs@acme.io";
    const ring = randomKeyring();
    const raced = racingAccountWrite(email, () => saveAccount(repo, ring, { email, provider: "google", clientId: "c", refreshToken: "other-tab", connectedAt: 5, createdAt: 5, aliases: [], timeZone: "UTC", status: "active", template: "From the other tab" }));
    const outcome = await reconnect(raced.repo, ring, email);
    expect(raced.ran()).toBe(true);
    expect(outcome.kind).toBe("reconnected");
    const saved = (await loadAccount(repo, email))!;
    expect(saved).toMatchObject({ template: "From the other tab", createdAt: 5, connectedAt: 10 });
    expect(refreshTokenOf(ring, saved)).toBe("r2");
  });

  it("an index refresh with nothing to set on an account paused meanwhile takes it off the index (no empty name map)", async () => {
    const email = "refresh-paused@acme.io";
    await saveAccount(repo, randomKeyring(), { email, provider: "google", clientId: "c", refreshToken: "r", connectedAt: 1, aliases: [], timeZone: "UTC", status: "active" });
    expect((await repo.get<Record<string, unknown>>(keys.account(email)))?.gsi2pk).toBeDefined();
    await repo.doc.send(new UpdateCommand({ TableName: repo.table, Key: keys.account(email), UpdateExpression: "SET #a.#s = :p", ExpressionAttributeNames: { "#a": "account", "#s": "status" }, ExpressionAttributeValues: { ":p": "paused" } }));
    // A job that ran meanwhile refreshes the account's index as it ends (core/dispatch runAccountJob).
    await expect(updateAccount(repo, email, {}, 2)).resolves.toMatchObject({ status: "paused" });
    const item = await repo.get<Record<string, unknown>>(keys.account(email));
    expect(item?.gsi2pk).toBeUndefined();
    expect(item?.gsi2sk).toBeUndefined();
  });

  it("an account the provider renamed (the same sign-in at a new address) keeps what the owner said and was sent; the old address keeps nothing", async () => {
    const [was, now] = ["mara@old.example", "mara@new.example"];
    const ring = randomKeyring();
    const identity = "998877665544332211009";
    await saveAccount(repo, ring, { email: was, provider: "google", clientId: "c", refreshToken: "r", connectedAt: 1, createdAt: 1, aliases: [], timeZone: "UTC", status: "active", template: "Hi {first}", identity: `google:${identity}` });
    await linkIdentity(repo, `google:${identity}`, was);
    const said = [
      { ...keys.eventMark(was, "evt1"), eventId: "evt1", marked: true, at: 2 },
      { ...keys.eventGoal(was, "evt1"), eventId: "evt1", goal: 5, at: 2 },
      { ...keys.metConfirmation(was, "evt0", "ivo@otherco.com"), eventId: "evt0", email: "ivo@otherco.com", name: "Ivo", at: 2 },
      { ...keys.eventMail(was, "morning-after", "evt0"), status: "sent", at: 3 },
      { ...keys.person(was, "ivo@otherco.com"), person: { email: "ivo@otherco.com", stage: "dismissed", draftId: "d0", draftLink: gmailDraftsLink(was) } },
      { ...keys.draft(was, "ana@x.io"), claim: { status: "created", draftId: "d1", webLink: gmailDraftsLink(was) } },
      { ...keys.digest(was, "2026-W23"), digest: { status: "sent", week: "2026-W23" } },
    ];
    for (const item of said) await repo.put(item);
    await putMeetings(repo, was, [meeting("m1", 1_000)], 1);
    const outcome = await reconnect(repo, ring, now, { identity });
    expect(outcome.kind).toBe("connected");
    expect((await loadAccount(repo, now))?.template).toBe("Hi {first}");
    // Each as it was, under the new address; what the mailbox holds is read again there, not copied.
    const moved = (await repo.allItems(now)).filter((i) => i.sk !== "ACCOUNT");
    // (A Gmail draft's link, to the Drafts of the mailbox's address, names the new one.)
    const relinked = JSON.parse(JSON.stringify(said).replaceAll(gmailDraftsLink(was), gmailDraftsLink(now))) as typeof said;
    expect(moved.sort((a, b) => String(a.sk).localeCompare(String(b.sk)))).toEqual(relinked.map((i) => ({ ...i, pk: keys.account(now).pk })).sort((a, b) => a.sk.localeCompare(b.sk)));
    // The old address keeps only where the account went, for the links of the emails sent to it.
    expect((await repo.allItems(was)).map((i) => i.sk)).toEqual([keys.movedTo(was).sk]);
    expect((await accountByIdentity(repo, `google:${identity}`))?.email).toBe(now);
  });

  it("links issued to a renamed account's old address follow it: those issued while its account was there, to the account the move made, never through an address someone else holds (helper-132 #1, helper-144)", async () => {
    const [was, now, identity] = ["ines@old.example", "ines@new.example", "998877665544332211077"];
    const ring = randomKeyring();
    await saveAccount(repo, ring, { email: was, provider: "google", clientId: "c", refreshToken: "r", connectedAt: 1, createdAt: 10_000, aliases: [], timeZone: "UTC", status: "active", identity: `google:${identity}` });
    await linkIdentity(repo, `google:${identity}`, was);
    await reconnect(repo, ring, now, { identity, now: 1_000_000 });
    const moved = (await loadAccount(repo, now))!;
    // The cut-off is when the account at the new address was made (a move finished late keeps it: helper-144 #2).
    expect((await repo.get<{ movedTo: { at: number } }>(keys.movedTo(was)))!.movedTo.at).toBe(moved.createdAt);
    expect(moved.forwardedFrom).toEqual([was]);
    expect((await movedAccount(repo, was, 900))?.email).toBe(now);
    // Issued after the move (no link of ours is), or before the old account was made (an earlier owner's): not followed.
    expect(await movedAccount(repo, was, 1_001)).toBeUndefined();
    expect(await movedAccount(repo, was, 5)).toBeUndefined();
    // Renamed again: both earlier addresses point at the latest, one hop each.
    const later = "ines@newer.example";
    await reconnect(repo, ring, later, { identity, now: 2_000_000 });
    expect((await movedAccount(repo, was, 900))?.email).toBe(later);
    expect((await movedAccount(repo, now, 1_500))?.email).toBe(later);
    expect((await loadAccount(repo, later))!.forwardedFrom!.sort()).toEqual([was, now].sort());
    // The move run again by a job that loaded the account before it finished (helper-145 #2): nothing is lost.
    const stale = { ...(await loadAccount(repo, later))!, movedFrom: { email: now, createdAt: moved.createdAt, forwardedFrom: [was] } };
    await finishMove(repo, stale, 2_100_000);
    expect((await loadAccount(repo, later))!.forwardedFrom!.sort()).toEqual([was, now].sort());
    expect((await movedAccount(repo, was, 900))?.email).toBe(later);
    // Disconnected: the forwards go with it (the Disconnected page says everything went; helper-144 #4).
    await deleteAccountData(repo, later);
    expect(await repo.get(keys.movedTo(was))).toBeUndefined();
    expect(await repo.get(keys.movedTo(now))).toBeUndefined();
    // Someone else then takes the middle address and is renamed from it: the old address's links reach nobody (helper-144 #1).
    const other = "998877665544332211080";
    await reconnect(repo, ring, now, { identity: other, now: 3_000_000 });
    await reconnect(repo, ring, "nina@elsewhere.example", { identity: other, now: 4_000_000 });
    expect((await movedAccount(repo, now, 3_500))?.email).toBe("nina@elsewhere.example");
    expect(await movedAccount(repo, was, 900)).toBeUndefined();
    expect(await movedAccount(repo, now, 1_500)).toBeUndefined();
    // Someone connecting an old address starts without its forward; their disconnect leaves none.
    await reconnect(repo, ring, now, { identity: "998877665544332211079", now: 5_000_000 });
    expect(await repo.get(keys.movedTo(now))).toBeUndefined();
    await deleteAccountData(repo, now);
    expect(await movedAccount(repo, now, 3_500)).toBeUndefined();
  });

  it("disconnecting an account whose second move was cut short deletes the older address's forward too (helper-145 #3)", async () => {
    const [a, b, c, identity] = ["olu@a.example", "olu@b.example", "olu@c.example", "998877665544332211081"];
    const ring = randomKeyring();
    await saveAccount(repo, ring, { email: a, provider: "google", clientId: "c", refreshToken: "r", connectedAt: 1, createdAt: 10_000, aliases: [], timeZone: "UTC", status: "active", identity: `google:${identity}` });
    await linkIdentity(repo, `google:${identity}`, a);
    await reconnect(repo, ring, b, { identity, now: 1_000_000 });
    const atB = (await loadAccount(repo, b))!;
    expect(await repo.get(keys.movedTo(a))).toBeDefined();
    // The account at C made, its move not finished (the old one and its forwards as they were).
    await saveAccount(repo, ring, { ...atB, refreshToken: "r3", email: c, createdAt: 2_000_000, forwardedFrom: undefined, movedFrom: { email: b, createdAt: atB.createdAt, forwardedFrom: atB.forwardedFrom } });
    await deleteAccountData(repo, c);
    expect(await loadAccount(repo, b)).toBeUndefined();
    expect(await repo.get(keys.movedTo(a))).toBeUndefined();
  });

  it("a rename carries a send claim an event job of the old address writes while the rename reads the old records (helper-135 #1), so the new address does not send it again", async () => {
    const [was, now, identity] = ["kit@old.example", "kit@new.example", "998877665544332211011"];
    const { ring } = await renamable(was, identity);
    const claim = { ...keys.eventMail(was, "morning-of", "evt2"), mail: { status: "sending", messageId: "<m1@followthrough>", claimedAt: 5 } };
    // The job read the account active before the rename began; its claim lands just after the rename's first read of the old partition.
    let pausedAtClaim: string | undefined;
    const raced = interleaved(
      (cmd) => cmd instanceof QueryCommand && cmd.input.ExpressionAttributeValues?.[":pk"] === keys.account(was).pk,
      async () => {
        pausedAtClaim = (await loadAccount(repo, was))?.status;
        await repo.put(claim);
      },
      { after: true },
    );
    expect((await reconnect(raced.repo, ring, now, { identity })).kind).toBe("connected");
    expect(raced.ran()).toBe(true);
    // A job that had not yet read the account by then finds it paused, and sends nothing.
    expect(pausedAtClaim).toBe("paused");
    expect(await repo.get(keys.eventMail(now, "morning-of", "evt2"))).toEqual({ ...claim, pk: keys.account(now).pk });
    expect(await leftAt(was)).toEqual([]);
  });

  it("a new connection of an address whose partition holds records and no account (a rename's copy whose account was never made: helper-131 #6) starts without them; a job's lease stays", async () => {
    const email = "orphaned@new.example";
    const ring = randomKeyring();
    const left = [
      { ...keys.eventGoal(email, "evt1"), eventId: "evt1", goal: 5, at: 2 },
      { ...keys.person(email, "ivo@otherco.com"), person: { email: "ivo@otherco.com", stage: "dismissed" } },
      { ...keys.digest(email, "2026-W23"), digest: { status: "sent", week: "2026-W23" } },
    ];
    for (const item of left) await repo.put(item);
    const lease = { pk: keys.account(email).pk, sk: "LEASE#scan", owner: "a-job", expiresAt: Math.floor(Date.now() / 1000) + 600 };
    await repo.put(lease);
    // Someone else's sign-in at that address: nothing of the records left there is theirs.
    expect((await reconnect(repo, ring, email, { identity: "998877665544332211012" })).kind).toBe("connected");
    expect((await repo.allItems(email)).map((i) => i.sk).sort()).toEqual(["ACCOUNT", "LEASE#scan"]);
  });

  /** An account renamed from `was`, with a goal and a sent digest recorded there. */
  async function renamable(was: string, identity: string) {
    const ring = randomKeyring();
    await saveAccount(repo, ring, { email: was, provider: "google", clientId: "c", refreshToken: "r", connectedAt: 1, createdAt: 1, aliases: [], timeZone: "UTC", status: "active", template: "Hi {first}", lastWeek: "2026-W23", lastWeeklyAt: 5, identity: `google:${identity}` });
    await linkIdentity(repo, `google:${identity}`, was);
    const said = [{ ...keys.eventGoal(was, "evt1"), eventId: "evt1", goal: 5, at: 2 }, { ...keys.digest(was, "2026-W23"), digest: { status: "sent", week: "2026-W23" } }];
    for (const item of said) await repo.put(item);
    return { ring, said };
  }
  const movedHere = async (now: string) => (await repo.allItems(now)).map((i) => String(i.sk)).filter((sk) => sk !== "ACCOUNT").sort();

  /** A rename whose copy was refused: the new account marked movedFrom, the old one paused and whole. */
  async function cutShort(was: string, now: string, identity: string) {
    const { ring } = await renamable(was, identity);
    // The copy's writes are refused (throttled past the retries); deletes go through.
    const cut = Object.assign(Object.create(repo) as Repository, {
      batch: (requests: Parameters<Repository["batch"]>[0]) => (requests.some((r) => "PutRequest" in r) ? Promise.reject(new Error("throttled")) : repo.batch(requests)),
    });
    await expect(reconnect(cut, ring, now, { identity })).rejects.toThrow("throttled");
    expect((await loadAccount(repo, now))?.movedFrom).toEqual({ email: was, createdAt: 1 });
    return ring;
  }

  it("a rename whose copy fails leaves the new account as the owner had it (active, their settings), marked movedFrom; the next job finishes the move (helper-136 #1)", async () => {
    const [was, now, identity] = ["rae@old.example", "rae@new.example", "998877665544332211013"];
    await cutShort(was, now, identity);
    expect(await loadAccount(repo, now)).toMatchObject({ status: "active", template: "Hi {first}", lastWeek: "2026-W23" });
    // The old account was paused before its records were read, and nothing of it is gone.
    expect((await loadAccount(repo, was))?.status).toBe("paused");
    const seen: unknown[] = [];
    expect(await runAccountJob({ repo, email: now, owner: "job", now: 20, leaseMs: 60_000 }, async (a) => seen.push(a.movedFrom))).toBe("done");
    expect(seen).toEqual([undefined]);
    expect(await movedHere(now)).toEqual(["DIGEST#2026-W23", "SAYS#GOAL#evt1"]);
    expect(await leftAt(was)).toEqual([]);
    expect(await loadAccount(repo, now)).toMatchObject({ status: "active" });
    expect((await loadAccount(repo, now))?.movedFrom).toBeUndefined();
  });

  it("a rename cut short after the old record went keeps the settings and a send claim written meanwhile; signing in again finishes it (helper-136 #2)", async () => {
    const [was, now, identity] = ["sol@old.example", "sol@new.example", "998877665544332211014"];
    const { ring } = await renamable(was, identity);
    const claim = { ...keys.eventMail(was, "morning-of", "evt2"), mail: { status: "sending", messageId: "<m2@followthrough>", claimedAt: 5 } };
    // A job's claim lands after the delete's first read; the copy of the read after the record went fails.
    const raced = interleaved((cmd) => cmd instanceof QueryCommand && cmd.input.ExpressionAttributeValues?.[":pk"] === keys.account(was).pk, () => repo.put(claim), { after: true });
    const cut = Object.assign(Object.create(raced.repo) as Repository, {
      batch: (requests: Parameters<Repository["batch"]>[0]) => (requests.some((r) => "PutRequest" in r && r.PutRequest.Item.sk === claim.sk) ? Promise.reject(new Error("cut")) : raced.repo.batch(requests)),
    });
    await expect(reconnect(cut, ring, now, { identity })).rejects.toThrow("cut");
    expect(await loadAccount(repo, was)).toBeUndefined();
    expect((await reconnect(repo, ring, now, { identity })).kind).toBe("reconnected");
    expect(await loadAccount(repo, now)).toMatchObject({ status: "active", template: "Hi {first}", lastWeek: "2026-W23" });
    expect(await repo.get(keys.eventMail(now, "morning-of", "evt2"))).toEqual({ ...claim, pk: keys.account(now).pk });
    expect(await leftAt(was)).toEqual([]);
  });

  it("disconnecting an account whose move is not finished deletes the account it was renamed from too (helper-137 #1)", async () => {
    const [was, now, identity] = ["vic@old.example", "vic@new.example", "998877665544332211016"];
    await cutShort(was, now, identity);
    await deleteAccountData(repo, now);
    expect(await repo.allItems(was)).toEqual([]);
    expect(await repo.allItems(now)).toEqual([]);
    expect(await accountByIdentity(repo, `google:${identity}`)).toBeUndefined();
  });

  it("a move not finished leaves alone a later account at the old address (the owner's own after a rename back, or someone else's) (helper-137 #2)", async () => {
    const [was, now, identity] = ["wes@old.example", "wes@new.example", "998877665544332211017"];
    const ring = await cutShort(was, now, identity);
    // The old account went another way meanwhile, and a later connection made an account there again.
    await deleteAccountData(repo, was);
    await saveAccount(repo, ring, { email: was, provider: "google", clientId: "c", refreshToken: "r", connectedAt: 50, createdAt: 50, aliases: [], timeZone: "UTC", status: "active", identity: `google:${identity}` });
    await repo.put({ ...keys.eventGoal(was, "evt9"), eventId: "evt9", goal: 2, at: 51 });
    expect(await runAccountJob({ repo, email: now, owner: "job", now: 60, leaseMs: 60_000 }, async () => undefined)).toBe("done");
    expect((await loadAccount(repo, was))?.createdAt).toBe(50);
    expect(await repo.get(keys.eventGoal(was, "evt9"))).toBeDefined();
    expect((await loadAccount(repo, now))?.movedFrom).toBeUndefined();
  });

  it("someone else connecting the old address while a move is not finished: the mover's records come along first (helper-137 #3)", async () => {
    const [was, now, identity] = ["xan@old.example", "xan@new.example", "998877665544332211018"];
    const ring = await cutShort(was, now, identity);
    expect((await reconnect(repo, ring, was, { identity: "111111111111111111177" })).kind).toBe("connected");
    expect(await movedHere(now)).toEqual(["DIGEST#2026-W23", "SAYS#GOAL#evt1"]);
    expect((await loadAccount(repo, now))?.movedFrom).toBeUndefined();
    expect((await loadAccount(repo, was))?.identity).toBe("google:111111111111111111177");
    expect(await movedHere(was)).toEqual([]);
  });

  it("a rename does not take what a newer account at the old address wrote during it (helper-136 #3)", async () => {
    const [was, now, identity] = ["ula@old.example", "ula@new.example", "998877665544332211015"];
    const { ring } = await renamable(was, identity);
    // Someone else connects the old address right after its record went, and their first scan writes a person.
    const raced = interleaved(
      (cmd) => cmd instanceof DeleteCommand && onAccount(was, cmd),
      async () => {
        await saveAccount(repo, ring, { email: was, provider: "google", clientId: "c", refreshToken: "theirs", connectedAt: 30, createdAt: 30, aliases: [], timeZone: "UTC", status: "active", identity: "google:111111111111111111199" });
        await repo.put({ ...keys.person(was, "secret.contact@else.example"), person: { email: "secret.contact@else.example", stage: "new" } });
      },
      { after: true },
    );
    expect((await reconnect(raced.repo, ring, now, { identity })).kind).toBe("connected");
    expect(raced.ran()).toBe(true);
    expect(await movedHere(now)).toEqual(["DIGEST#2026-W23", "SAYS#GOAL#evt1"]);
    expect((await loadAccount(repo, was))?.identity).toBe("google:111111111111111111199");
  });

  it("a rename onto an address that already has an account (stored before sign-ins were recorded) leaves that account's people as they are", async () => {
    const [was, now] = ["lee@old.example", "lee@new.example"];
    const ring = randomKeyring();
    const identity = "998877665544332211010";
    await saveAccount(repo, ring, { email: was, provider: "google", clientId: "c", refreshToken: "r", connectedAt: 1, createdAt: 1, aliases: [], timeZone: "UTC", status: "active", identity: `google:${identity}` });
    await linkIdentity(repo, `google:${identity}`, was);
    await saveAccount(repo, ring, { email: now, provider: "google", clientId: "c", refreshToken: "r", connectedAt: 1, createdAt: 1, aliases: [], timeZone: "UTC", status: "active" });
    await repo.put({ ...keys.person(was, "ivo@otherco.com"), email: "ivo@otherco.com", stage: "dismissed" });
    await repo.put({ ...keys.person(now, "ivo@otherco.com"), email: "ivo@otherco.com", stage: "drafted", draftId: "d9" });
    expect((await reconnect(repo, ring, now, { identity })).kind).toBe("reconnected");
    expect(await repo.get(keys.person(now, "ivo@otherco.com"))).toMatchObject({ stage: "drafted", draftId: "d9" });
    expect(await repo.allItems(was)).toEqual([]);
  });

  it("a disconnect cut short leaves the account and its sign-in in place, so it can be done again; done, nothing is left", async () => {
    const email = "leaving@acme.io";
    await saveAccount(repo, randomKeyring(), { email, provider: "google", clientId: "c", refreshToken: "r", connectedAt: 1, aliases: [], timeZone: "UTC", status: "active", identity: "google:123456789012345678901" });
    await linkIdentity(repo, "google:123456789012345678901", email);
    await putMeetings(repo, email, [meeting("x", 1_000), meeting("y", 2_000)], 1);
    expect((await repo.get<Record<string, unknown>>(keys.account(email)))?.gsi2pk).toBeDefined();
    // The data's delete fails part-way (a Lambda's time limit, a refused write).
    const cut = Object.assign(Object.create(repo) as Repository, { batch: () => Promise.reject(new Error("time limit")) });
    await expect(deleteAccountData(cut, email)).rejects.toThrow("time limit");
    // Paused and off the due-hour index: nothing runs for it (and mails a reconnect notice) meanwhile.
    const left = (await loadAccount(repo, email))!;
    expect(left.status).toBe("paused");
    // Its grant was revoked before the delete began: a Resume of it asks for the reconnect.
    expect(awaitsReconnect(left)).toBe(true);
    expect((await repo.get<Record<string, unknown>>(keys.account(email)))?.gsi2pk).toBeUndefined();
    expect((await accountByIdentity(repo, "google:123456789012345678901"))?.email).toBe(email);
    // Again, whole: the partition and the identity are gone.
    expect(await deleteAccountData(repo, email)).toBe(3);
    expect(await repo.allItems(email)).toEqual([]);
    expect(await accountByIdentity(repo, "google:123456789012345678901")).toBeUndefined();
  });

  it("first names are set one entry at a time: none yet, many at once, a removal, and no new one past the most kept", async () => {
    const email = "names@acme.io";
    await saveAccount(repo, randomKeyring(), { email, provider: "google", clientId: "c", refreshToken: "r", connectedAt: 1, aliases: [], timeZone: "UTC", status: "active" });
    const people = Array.from({ length: 8 }, (_, i) => `p${i}@x.io`);
    // The account has no map yet: the first corrections, at once, each make or join it.
    expect(await Promise.all(people.map((p, i) => setFirstName(repo, email, p, `P${i}`, 10)))).toEqual(people.map(() => "saved"));
    expect((await loadAccount(repo, email))!.firstNames).toEqual(Object.fromEntries(people.map((p, i) => [p, `P${i}`])));
    expect(await setFirstName(repo, email, "p0@x.io", undefined, 10)).toBe("saved");
    expect(await setFirstName(repo, email, "p1@x.io", "Pee", 7)).toBe("saved");
    expect(await setFirstName(repo, email, "new@x.io", "New", 7)).toBe("full");
    const kept = (await loadAccount(repo, email))!.firstNames!;
    expect(kept["p0@x.io"]).toBeUndefined();
    expect(kept["p1@x.io"]).toBe("Pee");
    expect(Object.keys(kept)).toHaveLength(7);
    expect(await setFirstName(repo, "nobody@acme.io", "p@x.io", "P", 10)).toBe("gone");
  });
});
