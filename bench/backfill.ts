import type { MailboxFixture } from "../packages/sandbox/src/index";
import { startSandbox } from "../packages/sandbox/src/index";
import { googleOAuthClient, googleProvider } from "../packages/core/src/google";
import { VirtualClock } from "../packages/core/src/resilience";
import { scan } from "../packages/core/src/scan";
import { Repository, startLocalDynamo } from "../packages/core/src/storage";
import { bigMailbox } from "./mailbox";

const DAY = 86_400_000;

/**
 * (2) A Gmail backfill of the 20,000-message mailbox against the sandbox's quota model, both sides
 * on one virtual clock (fixture mode: waits for quota take no real time); (3) the calls of a weekly
 * incremental scan against that full scan's calls.
 */
export async function benchBackfill() {
  const box = bigMailbox({ messages: 20_000, events: 2_000 });
  const clock = new VirtualClock();
  const fixture: MailboxFixture = { dir: "(generated)", account: box.account, google: { messages: box.messages, events: box.events } };
  const sandbox = await startSandbox({ fixtures: [fixture], clock: () => clock.now() });
  const dynamo = await startLocalDynamo();
  try {
    const email = box.account.email;
    const tokens = (await (await fetch(`${sandbox.url}/_control/accounts/${email}/tokens`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ clientId: "bench" }) })).json()) as { refresh_token: string };
    const auth = googleOAuthClient({ clientId: "bench", refreshToken: tokens.refresh_token, tokenUrl: `${sandbox.url}/google/token` });
    const owner = box.account;
    const provider = googleProvider({ owner, auth, rootUrl: sandbox.url, clock });
    const repo = new Repository(dynamo.doc, dynamo.tableName);
    const stats = () => sandbox.state.quota.usage(email);

    const wall0 = Date.now();
    const first = await scan({ owner, provider, repo, now: box.now });
    const wallMs = Date.now() - wall0;
    const s = { ...stats(), calls: { ...stats().calls } };
    const minutes = ((s.lastCallAt ?? 0) - (s.firstCallAt ?? 0)) / 60_000;
    const limit = 6000;
    const backfill = {
      messages: box.messages.length,
      events: box.events.length,
      calls: s.totalCalls,
      callsByRoute: s.calls,
      gmailUnits: s.gmailUnits,
      virtualMinutes: Number(minutes.toFixed(2)),
      wallSeconds: Number((wallMs / 1000).toFixed(1)),
      unitsPerMinute: Math.round(s.gmailUnits / minutes),
      // Units against the most the sliding minute allows over the backfill's span (one window at
      // its start and one per whole minute waited).
      quotaShare: Number((s.gmailUnits / ((Math.floor(minutes) + 1) * limit)).toFixed(3)),
      peakUnitsPerMinute: s.peakGmailUnitsPerMinute,
      throttled429: s.throttled,
      contacts: first.contacts.length,
    };

    // A typical week: the year's volume divided by 52.
    const account = sandbox.state.account(email)!;
    const weekMessages = Math.round(box.messages.length / 52);
    const weekEvents = Math.round(box.events.length / 52);
    const later = bigMailbox({ messages: weekMessages, events: weekEvents, seed: 99, now: box.now + 7 * DAY });
    for (const m of later.messages) {
      const t = box.now + Math.floor(Math.random() * 7 * DAY);
      account.gmail!.addMessage({ ...m, id: undefined, historyId: undefined, internalDate: String(t) });
    }
    for (const e of later.events) account.calendar!.upsertEvent({ ...e, id: `wk${e.id}` });
    sandbox.state.quota.reset(email);
    const second = await scan({ owner, provider, repo, now: box.now + 7 * DAY });
    const inc = stats();
    const incremental = {
      addedMessages: weekMessages,
      addedEvents: weekEvents,
      calls: inc.totalCalls,
      callsByRoute: inc.calls,
      shareOfFullScan: Number((inc.totalCalls / backfill.calls).toFixed(4)),
      throttled429: inc.throttled,
      streams: second.streams,
    };
    return { clock: "virtual", backfill, incremental };
  } finally {
    await sandbox.close();
    await dynamo.stop();
  }
}
