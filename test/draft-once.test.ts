/**
 * One follow-up draft per person, whatever the provider does (docs/security.md, "One draft per
 * person"): a create slower than the claim's lease, a create whose answer is lost (reset, 5xx), a
 * crash between the create and the claim's update, and 100 concurrent taps all end with exactly one
 * draft, and every tap lands on it or on "being made", which leads to it.
 */
import { describe, expect, it } from "vitest";
import { dismissFollowUp, draftFollowUp, type FollowUpDraft, FollowUpError, goneDraft, startedDraft, undoDismiss } from "@followthrough/core/followup";
import { ProviderError } from "@followthrough/core/resilience";
import { keys, putMessages } from "@followthrough/core/storage";
import { DRAFT_CLAIM_LEASE_MS } from "@followthrough/core/limits";
import type { DraftWriter } from "@followthrough/core/providers";
import { ownFixture } from "./support/fixtures";
import { type ScanHarness, startScanHarness } from "./support/scan-harness";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each([
  ["google", ownFixture("demo-google"), "gmail.drafts.create"],
  ["microsoft", ownFixture("demo-microsoft"), "graph.messages.create*"],
] as const)("%s: one draft per person", (provider, dir, createRoute) => {
  async function setup() {
    const h = await startScanHarness({ fixture: dir, pageSize: 50 });
    const now = Date.parse(h.expected.now);
    await h.scan(now);
    const person = (await h.repo.loadPeople(h.email)).find((p) => p.stage === "met")!;
    // Drafts the owner already has to this person (the demo mailbox holds some) are not ours.
    const before = new Set(await draftsTo(h, person.email));
    const ours = async () => (await draftsTo(h, person.email)).filter((id) => !before.has(id));
    const tap = (at: number, o: { deadlineMs?: number; writer?: DraftWriter; waitMs?: number } = {}) =>
      draftFollowUp({ repo: h.repo, provider: o.writer ?? h.provider, account: h.account(), person: person.email, now: at, deadlineMs: o.deadlineMs, waitMs: o.waitMs ?? 0 });
    return { h, now, person, tap, ours };
  }

  /** The drafts in the sandbox mailbox addressed to `email`. */
  async function draftsTo(h: ScanHarness, email: string): Promise<string[]> {
    const enc = encodeURIComponent(h.email);
    if (provider === "google") {
      const list = await h.control<{ draftId: string; recipients: string[] }[]>("GET", `/_control/accounts/${enc}/gmail/drafts`);
      return list.filter((d) => d.recipients.map((r) => r.toLowerCase()).includes(email)).map((d) => d.draftId);
    }
    const list = await h.control<{ id: string; toRecipients?: { emailAddress?: { address?: string } }[] }[]>("GET", `/_control/accounts/${enc}/graph/drafts`);
    return list.filter((m) => (m.toRecipients ?? []).some((r) => r.emailAddress?.address?.toLowerCase() === email)).map((m) => m.id);
  }

  /** A tap with the owner's word for a new draft in place of the gone one (`remake`). */
  const remakeTap = (h: ScanHarness, person: string, at: number, remake: string | true) =>
    draftFollowUp({ repo: h.repo, provider: h.provider, account: h.account(), person, now: at, waitMs: 0, remake });

  /** A writer whose process dies right after the provider made the draft: its create never answers. */
  const dyingAfterCreate = (h: ScanHarness): DraftWriter => ({
    ...h.provider,
    createDraft: async (d) => {
      await h.provider.createDraft(d);
      return new Promise(() => {});
    },
  });

  const ready = (r: FollowUpDraft) => {
    if (r.status !== "ready") throw new Error(`expected a ready draft, got ${r.status}`);
    return r;
  };

  it("a create slower than the lease: a later tap takes over, and both converge on one draft", async () => {
    const { h, now, tap, ours } = await setup();
    try {
      // The first tap's create reaches the provider only when the test lets it (after the takeover
      // below), and is seen landing: the test waits for events, not for times a loaded machine outlasts.
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let landed!: (id: string) => void;
      const firstLanded = new Promise<string>((r) => (landed = r));
      const slow: DraftWriter = { ...h.provider, createDraft: async (d) => (await held, h.provider.createDraft(d).then((r) => (landed(r.id), r))) };
      const first = await tap(now, { deadlineMs: 100, writer: slow });
      expect(first.status).toBe("pending");
      // Within the lease a second tap waits for the first.
      expect((await tap(now + 1000)).status).toBe("pending");
      // After the lease it takes over: nothing carries the marker yet, so it creates.
      const second = ready(await tap(now + DRAFT_CLAIM_LEASE_MS + 1));
      // The slow create lands later, a draft of its own; its request then converges on the draft already recorded.
      release();
      expect(await firstLanded).not.toBe(second.draftId);
      for (let i = 0; i < 300 && (await ours()).length !== 1; i++) await sleep(100);
      expect(await ours()).toEqual([second.draftId]);
      expect(ready(await tap(now + DRAFT_CLAIM_LEASE_MS + 5000)).draftId).toBe(second.draftId);
    } finally {
      await h.close();
    }
  });

  it.each([
    ["a reset after the create", { kind: "reset" as const }],
    ["a 503 after the create", { kind: "status" as const, status: 503 }],
    ["a 500 after the create", { kind: "status" as const, status: 500 }],
  ])("%s: the draft is found by its marker, not made again", async (_what, fault) => {
    const { h, now, tap, ours } = await setup();
    try {
      await h.resetStats();
      await h.injectFault({ route: createRoute, phase: "after", ...fault });
      const r = ready(await tap(now));
      expect(r.created).toBe(false);
      expect(await ours()).toEqual([r.draftId]);
      expect(ready(await tap(now + 1)).draftId).toBe(r.draftId);
      const calls = (await h.stats()).calls;
      expect(Object.entries(calls).filter(([k]) => k.startsWith(createRoute.replace("*", ""))).reduce((a, [, n]) => a + n, 0)).toBe(1);
    } finally {
      await h.close();
    }
  });

  it("a create our request timeout cut while the provider still made it: a tap within the lease waits, one after it lands on that draft; never a second (helper-189 #2)", async () => {
    const { h, now, tap, ours } = await setup();
    try {
      // The request goes unanswered past our timeout (no status: the provider never answered) and
      // the provider makes the draft later, after the tap has looked for it and found nothing.
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let landed!: (id: string) => void;
      const lateDraft = new Promise<string>((r) => (landed = r));
      const cutOff: DraftWriter = {
        ...h.provider,
        createDraft: async (d) => {
          void held.then(() => h.provider.createDraft(d)).then((r) => landed(r.id));
          throw new ProviderError("temporary", "request timed out after 6000 ms");
        },
      };
      const first = await tap(now, { writer: cutOff }).catch((e: unknown) => e);
      expect(first).toBeInstanceOf(FollowUpError);
      expect((first as FollowUpError).message).toMatch(/may still be making it/);
      // Tapped again at once: the claim still stands, so this tap does not make a draft of its own.
      expect((await tap(now + 1000)).status).toBe("pending");
      release();
      const made = await lateDraft;
      // After the lease the next tap looks for the marker first and lands on the late draft.
      const r = ready(await tap(now + DRAFT_CLAIM_LEASE_MS + 1));
      expect(r.draftId).toBe(made);
      expect(r.created).toBe(false);
      expect(await ours()).toEqual([made]);
    } finally {
      await h.close();
    }
  });

  it("a create whose connection was never made (refused) made nothing: the claim goes at once and the next tap makes the draft (helper-191 #3)", async () => {
    const { h, now, tap, ours } = await setup();
    try {
      const refused: DraftWriter = {
        ...h.provider,
        createDraft: async () => {
          throw new ProviderError("temporary", "connect ECONNREFUSED 127.0.0.1:443", undefined, undefined, { cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:443"), { code: "ECONNREFUSED" }) });
        },
      };
      const first = await tap(now, { writer: refused }).catch((e: unknown) => e);
      expect(first).toBeInstanceOf(FollowUpError);
      expect((first as FollowUpError).message).not.toMatch(/may still be making it/);
      const r = ready(await tap(now + 1000));
      expect(r.created).toBe(true);
      expect(await ours()).toEqual([r.draftId]);
    } finally {
      await h.close();
    }
  });

  it("a crash between the create and the claim's update: the next tap after the lease finds the draft", async () => {
    const { h, now, tap, ours } = await setup();
    try {
      // The process dies right after the provider made the draft: the tap never gets further.
      const dying = dyingAfterCreate(h);
      expect((await tap(now, { writer: dying, deadlineMs: 200 })).status).toBe("pending");
      expect(await ours()).toHaveLength(1);
      const r = ready(await tap(now + DRAFT_CLAIM_LEASE_MS + 1));
      expect(r.created).toBe(false);
      expect(await ours()).toEqual([r.draftId]);
    } finally {
      await h.close();
    }
  });

  it("a crash after the create, then ten drafts more before the next tap: the takeover still finds the draft by its marker", async () => {
    const { h, now, tap, ours } = await setup();
    try {
      // The mailbox's clock is the taps' (a draft's date is then comparable with a claim's time).
      await h.setClock(now);
      expect((await tap(now, { writer: dyingAfterCreate(h), deadlineMs: 200 })).status).toBe("pending");
      const [made] = await ours();
      // The owner (or taps on other follow-ups) makes twelve drafts meanwhile: the marked one is no
      // longer among Gmail's ten newest (helper-105 #2: the takeover made a second draft).
      for (let i = 0; i < 12; i++) await h.provider.createDraft({ to: { email: `other${i}@elsewhere.example`, name: `Other ${i}` }, subject: `Note ${i}`, text: "Hi" });
      const r = ready(await tap(now + DRAFT_CLAIM_LEASE_MS + 1));
      expect(r.created).toBe(false);
      expect(r.draftId).toBe(made);
      expect(await ours()).toEqual([made]);
      if (provider === "google") {
        // An hour later, a tap's look after its create stops at the first page, which goes back past
        // its claim (the drafts above are an hour old): one list, as before the look paged.
        const other = (await h.repo.loadPeople(h.email)).find((p) => p.stage === "met" && !p.draftId)!;
        await h.setClock(now + 3_600_000);
        await h.resetStats();
        ready(await draftFollowUp({ repo: h.repo, provider: h.provider, account: h.account(), person: other.email, now: now + 3_600_000, waitMs: 0 }));
        expect((await h.stats()).calls["gmail.drafts.list"]).toBe(1);
      }
    } finally {
      await h.close();
    }
  });

  it("a takeover whose look for the earlier draft fails says 'not confirmed' and frees the claim: the next tap finds that draft", async () => {
    const { h, now, tap, ours } = await setup();
    try {
      const dying = dyingAfterCreate(h);
      expect((await tap(now, { writer: dying, deadlineMs: 200 })).status).toBe("pending");
      const list = provider === "google" ? "gmail.drafts.list" : "graph.messages.list";
      await h.injectFault({ route: list, kind: "status", status: 500, times: 0 });
      const failed = await tap(now + DRAFT_CLAIM_LEASE_MS + 1).catch((e: unknown) => e);
      await h.clearFaults();
      expect(failed).toBeInstanceOf(FollowUpError);
      expect((failed as FollowUpError).problem).toBe("failed");
      // At once, not a lease later: the claim was freed, and the look finds the draft the first tap made.
      const r = ready(await tap(now + DRAFT_CLAIM_LEASE_MS + 2));
      expect(r.created).toBe(false);
      expect(await ours()).toEqual([r.draftId]);
    } finally {
      await h.close();
    }
  });

  it("a tap waiting on another whose create is refused claims again and makes the draft itself, instead of 'being made'", async () => {
    const { h, now, tap, ours } = await setup();
    try {
      // The second tap starts once the first holds the claim and is creating (not after a fixed time).
      let creating!: () => void;
      const entered = new Promise<void>((r) => (creating = r));
      const refused: DraftWriter = {
        ...h.provider,
        createDraft: async () => {
          creating();
          await sleep(400);
          throw new ProviderError("rate-limited", "429", 429, 30_000);
        },
      };
      const [a, b] = await Promise.allSettled([tap(now, { writer: refused }), (async () => (await entered, tap(now, { waitMs: 10_000 })))()]);
      expect(a.status).toBe("rejected");
      expect((a as PromiseRejectedResult).reason).toBeInstanceOf(FollowUpError);
      const made = ready((b as PromiseFulfilledResult<FollowUpDraft>).value);
      expect(await ours()).toEqual([made.draftId]);
    } finally {
      await h.close();
    }
  });

  it("a create refused after the tap answered 'being made': the next tap creates the draft, not 'being made' for the claim's lease", async () => {
    const { h, now, person, tap, ours } = await setup();
    try {
      const refusedLate: DraftWriter = { ...h.provider, createDraft: async () => (await sleep(300), Promise.reject(new ProviderError("rate-limited", "429", 429, 30_000))) };
      expect((await tap(now, { writer: refusedLate, deadlineMs: 50 })).status).toBe("pending");
      // The refusal, once it lands, takes the claim away (waited for, not a fixed time).
      for (let i = 0; i < 300 && (await h.repo.get(keys.draft(h.email, person.email))); i++) await sleep(50);
      expect(await h.repo.get(keys.draft(h.email, person.email))).toBeUndefined();
      // Five seconds on, well inside the claim's lease, the provider healthy again.
      const made = ready(await tap(now + 5_000));
      expect(made.created).toBe(true);
      expect(await ours()).toEqual([made.draftId]);
    } finally {
      await h.close();
    }
  });

  it("a tap that waited on another and then creates itself has the wait taken off its create's deadline", async () => {
    const { h, now, tap } = await setup();
    try {
      let creating!: () => void;
      const entered = new Promise<void>((r) => (creating = r));
      const refusedLate: DraftWriter = { ...h.provider, createDraft: async () => (creating(), await sleep(1000), Promise.reject(new ProviderError("rate-limited", "429", 429, 30_000))) };
      const slow: DraftWriter = { ...h.provider, createDraft: async (d) => (await sleep(800), h.provider.createDraft(d)) };
      // The second tap starts once the first is creating, and waits about a second for it (measured).
      const [, b] = await Promise.allSettled([tap(now, { writer: refusedLate }), (async () => (await entered, tap(now, { writer: slow, waitMs: 3000, deadlineMs: 1500 })))()]);
      // About a second of waiting leaves about half a second of its 1.5 s: the 0.8 s create answers "being made".
      expect((b as PromiseFulfilledResult<FollowUpDraft>).value.status).toBe("pending");
    } finally {
      await h.close();
    }
  });

  it("a takeover whose look for the earlier draft is slow has that look taken off its create's deadline (helper-110 #1)", async () => {
    const { h, now, tap, ours } = await setup();
    try {
      // The first tap's create never reaches the provider (its request died): a stale claim, no draft.
      expect((await tap(now, { writer: { ...h.provider, createDraft: () => new Promise(() => {}) }, deadlineMs: 50 })).status).toBe("pending");
      // The takeover's look takes 0.8 s (a hundred drafts paged back), its create 0.6 s, within a 1.2 s deadline.
      const slow: DraftWriter = {
        ...h.provider,
        findDrafts: async (m, since) => (await sleep(800), h.provider.findDrafts(m, since)),
        createDraft: async (d) => (await sleep(600), h.provider.createDraft(d)),
      };
      expect((await tap(now + DRAFT_CLAIM_LEASE_MS + 1, { writer: slow, deadlineMs: 1200 })).status).toBe("pending");
      // The create lands and its request converges on it: one draft.
      for (let i = 0; i < 100 && (await ours()).length !== 1; i++) await sleep(100);
      expect(await ours()).toHaveLength(1);
    } finally {
      await h.close();
    }
  });

  it("a person record that lost its draft (a scan wrote it back) gets it again at the next tap", async () => {
    const { h, now, person, tap } = await setup();
    try {
      const r = ready(await tap(now));
      const { draftId: _d, draftLink: _l, ...lost } = (await h.repo.getPerson(h.email, person.email))!;
      await h.repo.putPeople(h.email, [{ ...lost, stage: "met" }]);
      expect(ready(await tap(now + 1)).draftId).toBe(r.draftId);
      const healed = (await h.repo.getPerson(h.email, person.email))!;
      expect(healed.draftId).toBe(r.draftId);
      expect(healed.stage).toBe("drafted");
    } finally {
      await h.close();
    }
  });

  it("a draft the owner deleted: the next tap says so and makes nothing; asked to (`remake`), it makes a new one (and records it), the tap after lands on that one", async () => {
    const { h, now, person, tap, ours } = await setup();
    try {
      const first = ready(await tap(now));
      expect(first.created).toBe(true);
      // The owner deletes it in their mailbox, as their mail app does (Gmail drafts.delete; Graph DELETE /me/messages/{id}).
      await h.provider.deleteDraft(first.draftId);
      expect(await ours()).toEqual([]);
      // Gone from Drafts: said, with when it was made, and nothing made unasked (helper-290).
      expect(await tap(now + 30_000)).toEqual({ status: "gone", draftId: first.draftId, madeAt: now });
      expect(await ours()).toEqual([]);
      // Asked for in place of another gone draft (an older page's): said again, nothing made.
      expect((await remakeTap(h, person.email, now + 40_000, "some-other-draft")).status).toBe("gone");
      expect(await ours()).toEqual([]);
      const second = ready(await remakeTap(h, person.email, now + 60_000, first.draftId));
      expect(second.created).toBe(true);
      expect(second.draftId).not.toBe(first.draftId);
      expect(await ours()).toEqual([second.draftId]);
      expect((await h.repo.getPerson(h.email, person.email))?.draftId).toBe(second.draftId);
      // Still there: the next tap opens it and makes nothing.
      const third = ready(await tap(now + 120_000));
      expect(third).toMatchObject({ draftId: second.draftId, created: false });
      expect(await ours()).toEqual([second.draftId]);
    } finally {
      await h.close();
    }
  });

  it("a draft the owner sent: goneDraft says so, and when (Outlook: the message by its immutable id; Gmail: the draft's thread), and two taps racing with the owner's word make one new draft (helper-290)", async () => {
    const { h, now, person, tap, ours } = await setup();
    try {
      const first = ready(await tap(now));
      expect(await goneDraft({ repo: h.repo, provider: h.provider, account: h.account(), person: person.email })).toBeUndefined();
      // The owner sends it from their mailbox a minute later.
      await h.setClock(now + 60_000);
      const enc = encodeURIComponent(h.email);
      await h.control("POST", provider === "google" ? `/_control/accounts/${enc}/gmail/drafts/${first.draftId}/send` : `/_control/accounts/${enc}/graph/messages/${encodeURIComponent(first.draftId)}/send`, {});
      expect(await ours()).toEqual([]);
      const was = await goneDraft({ repo: h.repo, provider: h.provider, account: h.account(), person: person.email });
      expect(was).toEqual({ draftId: first.draftId, madeAt: now, sent: { sentAt: now + 60_000 } });
      // Unasked, a tap makes nothing; two asked for at once make one draft, and both land on it.
      expect((await tap(now + 90_000)).status).toBe("gone");
      const both = await Promise.all([1, 2].map(() => draftFollowUp({ repo: h.repo, provider: h.provider, account: h.account(), person: person.email, now: now + 120_000, waitMs: 5000, remake: first.draftId })));
      const [a, b] = both.map(ready);
      expect(a.draftId).toBe(b.draftId);
      expect([a.created, b.created].sort()).toEqual([false, true]);
      expect(await ours()).toEqual([a.draftId]);
    } finally {
      await h.close();
    }
  });

  it("a draft the owner deleted is not taken for sent (Outlook: in Deleted Items, still a draft; Gmail: its thread gone with it)", async () => {
    const { h, now, person, tap } = await setup();
    try {
      const first = ready(await tap(now));
      const claim = (await h.repo.get<{ claim: { threadId?: string; marker: string } }>(keys.draft(h.email, person.email)))!.claim;
      await h.provider.deleteDraft(first.draftId);
      expect(await h.provider.draftSent!({ id: first.draftId, marker: claim.marker, ...(claim.threadId ? { threadId: claim.threadId } : {}), since: now })).toBeUndefined();
      expect(await goneDraft({ repo: h.repo, provider: h.provider, account: h.account(), person: person.email })).toEqual({ draftId: first.draftId, madeAt: now });
    } finally {
      await h.close();
    }
  });

  it("Gmail: the draft's thread is kept with it however the tap found it (its own create, or the look after a lost answer), and a record kept without one (made before) says 'sent or deleted' once it is sent", async () => {
    if (provider !== "google") return;
    const { h, now, person, tap } = await setup();
    const claimOf = async () => (await h.repo.get<{ claim: Record<string, unknown> }>(keys.draft(h.email, person.email)))!.claim;
    const sendFromMailbox = (id: string) => h.control("POST", `/_control/accounts/${encodeURIComponent(h.email)}/gmail/drafts/${id}/send`, {});
    try {
      // The create is made, but its answer is lost (a 500 after it): the look by the marker finds it.
      const lost: DraftWriter = { ...h.provider, createDraft: async (d) => (await h.provider.createDraft(d), Promise.reject(new ProviderError("temporary", "500", 500))) };
      const first = ready(await tap(now, { writer: lost }));
      expect(first.created).toBe(false);
      expect(typeof (await claimOf()).threadId).toBe("string");
      await h.setClock(now + 60_000);
      await sendFromMailbox(first.draftId);
      expect((await goneDraft({ repo: h.repo, provider: h.provider, account: h.account(), person: person.email }))?.sent).toEqual({ sentAt: now + 60_000 });
      // The same draft recorded as before 2026-12-07, without its thread: not known, as then.
      const { threadId: _t, ...before } = await claimOf();
      await h.repo.put({ ...keys.draft(h.email, person.email), claim: before });
      expect(await goneDraft({ repo: h.repo, provider: h.provider, account: h.account(), person: person.email })).toEqual({ draftId: first.draftId, madeAt: now });
    } finally {
      await h.close();
    }
  });

  it("two quick taps: the second's look for a draft the owner started does not take the first tap's fresh draft for theirs", async () => {
    const { h, now, person, tap } = await setup();
    try {
      let made: Promise<FollowUpDraft> | undefined;
      // The first tap makes our draft while the second's (slow) look at the owner's drafts runs.
      const slowLook: DraftWriter = { ...h.provider, draftsTo: async (email) => ((made = tap(now)), await made, h.provider.draftsTo(email)) };
      const started = await startedDraft({ repo: h.repo, provider: slowLook, account: h.account(), person: person.email });
      expect(ready(await made!).created).toBe(true);
      expect(started).toBeUndefined();
    } finally {
      await h.close();
    }
  });

  it("a draft made for a person dismissed meanwhile is kept on their record: Undo brings them back as drafted", async () => {
    const { h, now, person, tap } = await setup();
    try {
      await dismissFollowUp(h.repo, h.email, person.email);
      const r = ready(await tap(now));
      expect((await h.repo.getPerson(h.email, person.email))?.stage).toBe("dismissed");
      await undoDismiss(h.repo, h.email, person.email);
      const back = (await h.repo.getPerson(h.email, person.email))!;
      expect(back.stage).toBe("drafted");
      expect(back.draftId).toBe(r.draftId);
    } finally {
      await h.close();
    }
  });

  it("a reply to mail gone from the mailbox since the scan is made as a new message instead (Graph: not found; Gmail: invalid thread_id)", async () => {
    const { h, now, person, tap, ours } = await setup();
    try {
      // The scan stored an earlier mail to the person, since purged from the mailbox: the provider knows neither it nor its thread.
      await putMessages(h.repo, h.email, [{ id: "purged-1", threadId: "purged-thread-1", messageId: "<purged-1@example.com>", sentAt: now - 40 * 86_400_000, from: h.email, inSent: true, draft: false, meetingNotice: false, recipients: [{ email: person.email, name: person.name }], subject: "Earlier" }], 1);
      const asked: (string | undefined)[] = [];
      const refusals: string[] = [];
      const writer: DraftWriter = {
        ...h.provider,
        createDraft: async (d) => {
          asked.push(d.replyTo?.providerMessageId);
          return h.provider.createDraft(d).catch((e: unknown) => {
            refusals.push(e instanceof ProviderError ? e.kind : String(e));
            throw e;
          });
        },
      };
      const r = ready(await tap(now, { writer }));
      expect(asked).toEqual(["purged-1", undefined]);
      expect(refusals).toEqual([provider === "google" ? "invalid" : "not-found"]);
      expect(await ours()).toEqual([r.draftId]);
    } finally {
      await h.close();
    }
  });

  it("100 concurrent taps: one draft; each tap lands on it or on 'being made'", async () => {
    const { h, now, person, tap, ours } = await setup();
    try {
      const results = await Promise.all(Array.from({ length: 100 }, () => tap(now)));
      const made = results.filter((r) => r.status === "ready" && r.created);
      expect(made).toHaveLength(1);
      const id = (made[0] as { draftId: string }).draftId;
      for (const r of results) expect(r.status === "pending" || (r.status === "ready" && r.draftId === id)).toBe(true);
      expect(ready(await tap(now + 1)).draftId).toBe(id);
      expect(await ours()).toEqual([id]);
      expect((await h.repo.getPerson(h.email, person.email))?.stage).toBe("drafted");
    } finally {
      await h.close();
    }
  });

  it("a person whose first meeting changed still gets the same single draft", async () => {
    const { h, now, person, tap, ours } = await setup();
    try {
      const first = ready(await tap(now));
      await h.repo.putPeople(h.email, [{ ...(await h.repo.getPerson(h.email, person.email))!, eventId: "another-first-meeting" }]);
      expect(ready(await tap(now + 1)).draftId).toBe(first.draftId);
      expect(await ours()).toEqual([first.draftId]);
    } finally {
      await h.close();
    }
  });
});
