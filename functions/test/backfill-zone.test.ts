/**
 * An Outlook account whose provider named no zone at connect (Graph's 403 ErrorAccessDenied on
 * /me/mailboxSettings, or settings giving none: docs/provider-quirks.md, "Outlook's Windows zone
 * names") is stored in UTC. Its first backfill gives it the zone most of the meetings the owner set up
 * were created in (Graph's originalStartTimeZone: "the start time zone that was set when the event
 * was created", learn.microsoft.com/graph/api/resources/event), marked as from the calendar, so its
 * digest comes at that zone's hours; a zone the owner chose stays. Through the real backfill handler,
 * the sandbox (the demo Outlook mailbox, in Singapore, 23 of its meetings set up by the owner there)
 * and dynalite.
 */
import { randomUUID } from "node:crypto";
import type { SQSEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadAccount, updateAccount } from "@followthrough/core/accounts";
import { changeTimeZone } from "@followthrough/core/events";
import { memorySender } from "@followthrough/core/queue";
import { keys } from "@followthrough/core/storage";
import { type HandlerStack, startHandlerStack } from "./support/handler-stack";
import { createBackfillHandler } from "../src/handlers/backfill";

const now = Date.parse("2026-10-14T23:30:00Z");
let stack: HandlerStack;

beforeAll(async () => {
  stack = await startHandlerStack(now);
}, 60_000);
afterAll(() => stack?.close());

let tables = 0;
/** The demo Outlook account connected while Graph refuses its mailbox settings, and its backfill handler. */
async function connectedWithoutZone() {
  const f = stack.fixtures.microsoft;
  const faults = new URL("/_control/faults", stack.sandbox.url);
  await fetch(faults, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ route: "graph.mailboxSettings", account: f.account.email, kind: "status", status: 403, times: 0 }) });
  try {
    const table = `zone${++tables}`;
    const repo = await stack.connect(f.account, table);
    // As the app's connect stores it (core/connect grantFields; test/connect-scopes.test.ts "Outlook
    // zone"): the sandbox's consent shortcut stores the profile's zone, UTC here, without the mark.
    await updateAccount(repo, f.account.email, { zoneUnread: true }, now);
    const deps = stack.deps(table, { backfills: memorySender(), linkKey: "backfill-zone-link-key", baseUrl: "https://app.followthrough.test", now: () => now });
    return { repo, email: f.account.email.toLowerCase(), handler: createBackfillHandler(() => deps) };
  } finally {
    await fetch(faults, { method: "DELETE" });
  }
}

const backfill = (handler: ReturnType<typeof createBackfillHandler>, email: string) => handler({ Records: [{ messageId: randomUUID(), body: email }] } as SQSEvent);

describe("an Outlook account with no zone read", () => {
  it("takes the zone most of its owner's meetings were made in at its first backfill (Singapore, not UTC): marked as from the calendar, its digest due at 08:00 there, and the calendar read again in it at the next dispatch", async () => {
    const { repo, email, handler } = await connectedWithoutZone();
    expect(await loadAccount(repo, email)).toMatchObject({ timeZone: "UTC", zoneUnread: true });
    expect((await loadAccount(repo, email))!.calendarZone).toBeUndefined();
    expect(await backfill(handler, email)).toEqual({ batchItemFailures: [] });
    const account = (await loadAccount(repo, email))!;
    expect(account).toMatchObject({ timeZone: "Asia/Singapore", zoneInferred: true, zoneUnread: true });
    expect(account.calendarZone).toBeUndefined();
    // The digest's index in Singapore: Monday 08:00 there.
    const { dueAt } = (await repo.get<{ dueAt: number }>(keys.account(email)))!;
    expect(new Intl.DateTimeFormat("en-US", { timeZone: "Asia/Singapore", weekday: "long", hour: "2-digit", hourCycle: "h23" }).format(dueAt)).toBe("Monday, 08");
    // The calendar's read in the new zone, for the next dispatch.
    const sync = await repo.get<{ due: number }>(keys.eventJob(email, "sync"));
    expect(sync!.due - now).toBeLessThanOrEqual(16 * 60_000);
    // The owner then picks a zone: theirs, no longer the calendar's guess.
    await changeTimeZone(repo, email, "Europe/Lisbon", now);
    const chosen = (await loadAccount(repo, email))!;
    expect([chosen.timeZone, chosen.zoneChosen, chosen.zoneInferred]).toEqual(["Europe/Lisbon", true, undefined]);
  });

  it("a zone the owner chose before the backfill stays", async () => {
    const { repo, email, handler } = await connectedWithoutZone();
    await changeTimeZone(repo, email, "Europe/Lisbon", now);
    expect(await backfill(handler, email)).toEqual({ batchItemFailures: [] });
    const account = (await loadAccount(repo, email))!;
    expect([account.timeZone, account.zoneChosen, account.zoneInferred]).toEqual(["Europe/Lisbon", true, undefined]);
  });
});
