import type { AccountRecord } from "../accounts";
import type { MailMessage } from "../model";
import { randomBytes } from "node:crypto";
import { DRAFT_CLAIM_LEASE_MS, DRAFT_CREATE_DEADLINE_MS } from "../limits";
import type { DraftRequest, DraftResult, DraftWriter, MarkedDraft } from "../providers";
import { ProviderError } from "../resilience";
import { keys, type PersonRecord, type Repository } from "../storage";
import { plainText } from "../text";

/** The owner's follow-up template; {firstName}, {meeting}, {date} and {ownerName} are filled in. */
export const DEFAULT_TEMPLATE = `Hi {firstName},

It was good to meet you at {meeting} on {date}. I enjoyed our conversation and would like to keep in touch.

Best,
{ownerName}`;

/** "Osei, Daniel" → "Daniel"; "José Martínez" → "José"; no name → "there". */
export function firstNameOf(name: string | undefined): string {
  const n = (name ?? "").replace(/["']/g, "").trim();
  if (!n || n.includes("@")) return "there";
  if (n.includes(",")) return n.split(",")[1].trim().split(/\s+/)[0] || n.split(",")[0].trim();
  return n.split(/\s+/)[0];
}

/** A meeting date the way the owner reads it, in their zone: "Tue 14 Apr". */
export function humanDate(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat("en-GB", { weekday: "short", day: "numeric", month: "short", timeZone }).format(ms);
}

/** The draft for a person: template filled, and a reply to the latest mail the owner sent them, if any. */
export function composeFollowUp(account: AccountRecord & { template?: string }, stored: PersonRecord, earlier?: MailMessage): DraftRequest {
  // Names and titles come from other people's calendars and mail: no control or bidi characters in a draft.
  const person = { ...stored, name: plainText(stored.name), eventTitle: plainText(stored.eventTitle) };
  const fill = (t: string) =>
    t
      .replaceAll("{firstName}", firstNameOf(person.name))
      .replaceAll("{meeting}", person.eventTitle || "our meeting")
      .replaceAll("{date}", humanDate(person.metAt, account.timeZone))
      .replaceAll("{ownerName}", firstNameOf(account.displayName) === "there" ? "" : firstNameOf(account.displayName));
  const base = (earlier?.subject ?? "").replace(/^\s*((re|fwd?|aw)\s*:\s*)+/i, "").trim();
  return {
    to: { email: person.email, name: person.name },
    subject: earlier && base ? `Re: ${base}` : `Great to meet you, ${firstNameOf(person.name)}`.replace(", there", ""),
    text: fill(account.template || DEFAULT_TEMPLATE),
    ...(earlier ? { replyTo: { threadId: earlier.threadId, messageId: earlier.messageId, providerMessageId: earlier.id } } : {}),
  };
}

/** The outcome of a tap: the draft and whether this tap created it, or "being made" (come back in a moment). */
export type FollowUpDraft = { status: "ready"; draftId: string; webLink: string; created: boolean } | { status: "pending" };

/** Stored claim of a person's follow-up draft. */
interface DraftClaim {
  status: "creating" | "created";
  /** When the current holder took the claim (ms); 0 marks it free to take over at once. */
  claimedAt: number;
  /** Opaque value the draft carries (Gmail header, Graph extended property), to find it again. */
  marker: string;
  draftId?: string;
  webLink?: string;
}

/** A tap that cannot be served: the person is gone, or the provider failed and left nothing we can find. */
export class FollowUpError extends Error {
  constructor(
    readonly problem: "unknown-person" | "failed",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "FollowUpError";
  }
}

/** Errors after which the provider surely made nothing (it refused the request). */
const surelyRefused = (e: unknown) => e instanceof ProviderError && (e.kind === "rate-limited" || e.kind === "invalid" || e.kind === "auth-revoked" || e.kind === "not-found");

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TIMED_OUT = Symbol("timed out");
function withDeadline<T>(p: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<typeof TIMED_OUT>((resolve) => (timer = setTimeout(() => resolve(TIMED_OUT), ms)));
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

/**
 * Creates a person's follow-up draft exactly once, whatever the provider does (docs/security.md,
 * "One draft per person"). Neither drafts.create nor Graph's POST /me/messages takes an idempotency
 * key, so:
 * - a conditional write claims the person (not the meeting: a changed first meeting keeps one draft);
 *   a tap that finds the claim being created by a live request answers "pending";
 * - the claim's lease ({@link DRAFT_CLAIM_LEASE_MS}) outlives any request that can hold it, and a tap
 *   that takes a stale claim over first looks for a draft carrying the claim's marker;
 * - a create whose answer is lost (a reset, a 5xx, our own deadline) is looked for by its marker
 *   before anything else happens;
 * - after every create, duplicates carrying the marker are deleted, keeping the oldest, so two
 *   creators converge on one draft.
 * `now` is the tap's time; the person's stage moves to "drafted".
 */
export async function draftFollowUp(o: {
  repo: Repository;
  provider: DraftWriter;
  account: AccountRecord & { template?: string };
  person: string;
  now: number;
  /** How long to wait for the create before answering "pending" (default {@link DRAFT_CREATE_DEADLINE_MS}). */
  deadlineMs?: number;
  /** How long a tap that finds another request creating the draft waits for it (default 3 s). */
  waitMs?: number;
}): Promise<FollowUpDraft> {
  const { repo, account, provider } = o;
  const person = await repo.getPerson(account.email, o.person);
  if (!person) throw new FollowUpError("unknown-person", "This follow-up is no longer in your list.");
  const key = keys.draft(account.email, person.email);
  const names = { "#c": "claim", "#s": "status" };

  // 1. Claim the person, or learn where an earlier tap stands.
  let claim: DraftClaim | undefined;
  let fresh = false;
  for (let attempt = 0; attempt < 5 && !claim; attempt++) {
    const existing = (await repo.get<{ claim: DraftClaim }>(key))?.claim;
    if (existing?.status === "created" && existing.draftId) return { status: "ready", draftId: existing.draftId, webLink: existing.webLink ?? "", created: false };
    if (!existing) {
      const mine: DraftClaim = { status: "creating", claimedAt: o.now, marker: randomBytes(18).toString("base64url") };
      if (await repo.putIf({ ...key, claim: mine }, "attribute_not_exists(pk)")) [claim, fresh] = [mine, true];
    } else if (existing.claimedAt > o.now - DRAFT_CLAIM_LEASE_MS) {
      // Another request is creating it: wait a moment for it (most taps then land on the draft), else "pending".
      for (let waited = 0; waited < (o.waitMs ?? 3000); waited += 200) {
        await sleep(200);
        const c = (await repo.get<{ claim: DraftClaim }>(key))?.claim;
        if (c?.status === "created" && c.draftId) return { status: "ready", draftId: c.draftId, webLink: c.webLink ?? "", created: false };
        if (!c || c.claimedAt !== existing.claimedAt) break;
      }
      return { status: "pending" };
    } else {
      // A stale claim: its request has ended. Take it over, keeping its marker.
      const mine: DraftClaim = { status: "creating", claimedAt: o.now, marker: existing.marker };
      if (await repo.putIf({ ...key, claim: mine }, "#c.#s = :creating AND #c.claimedAt = :then", { ":creating": "creating", ":then": existing.claimedAt }, names)) claim = mine;
    }
  }
  if (!claim) return { status: "pending" };
  const held = claim;

  /**
   * Converges on one draft: the winner already recorded if it is among them (a winner never
   * changes once a tap has landed on it), else the oldest. The winner is recorded first, by a
   * conditional write, and only then are the other drafts carrying the marker deleted.
   */
  const settle = async (found: MarkedDraft[], ours?: DraftResult): Promise<FollowUpDraft> => {
    const all = [...found];
    if (ours && !all.some((d) => d.id === ours.id)) all.push({ ...ours, createdAt: Number.MAX_SAFE_INTEGER });
    all.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
    const recorded = async () => {
      const c = (await repo.get<{ claim: DraftClaim }>(key))?.claim;
      return c?.status === "created" && c.draftId ? { id: c.draftId, webLink: c.webLink ?? "" } : undefined;
    };
    let winner: { id: string; webLink: string } = (await recorded().then((r) => (r && all.some((d) => d.id === r.id) ? r : undefined))) ?? all[0];
    const wrote = await repo.putIf(
      { ...key, claim: { ...held, status: "created", draftId: winner.id, webLink: winner.webLink } satisfies DraftClaim },
      "#c.#s = :creating OR #c.draftId = :winner",
      { ":creating": "creating", ":winner": winner.id },
      names,
    );
    if (!wrote) winner = (await recorded()) ?? winner;
    for (const d of all) if (d.id !== winner.id) await provider.deleteDraft(d.id);
    const current = await repo.getPerson(account.email, person.email);
    if (current?.stage === "met") await repo.putPeople(account.email, [{ ...current, stage: "drafted", draftId: winner.id, draftLink: winner.webLink }]);
    return { status: "ready", draftId: winner.id, webLink: winner.webLink, created: ours !== undefined && winner.id === ours.id };
  };
  /** Frees the claim at once for the next tap (which will look for the marker first). */
  const release = () => repo.putIf({ ...key, claim: { ...held, claimedAt: 0 } }, "#c.#s = :creating AND #c.claimedAt = :mine", { ":creating": "creating", ":mine": held.claimedAt }, names);

  // 2. A taken-over claim: the earlier request may have made the draft.
  if (!fresh) {
    const found = await provider.findDrafts(held.marker);
    if (found.length) return settle(found);
  }

  // 3. Create, carrying the marker; then converge on one draft.
  const messages = await repo.loadMessages(account.email);
  const earlier = messages
    .filter((m) => !m.draft && !m.meetingNotice && m.inSent && m.recipients.some((r) => r.email === person.email))
    .sort((a, b) => b.sentAt - a.sentAt)[0];
  const creating = provider.createDraft({ ...composeFollowUp(account, person, earlier), marker: held.marker });
  const finish = async (draft: DraftResult) => settle(await provider.findDrafts(held.marker), draft);
  let outcome: DraftResult | typeof TIMED_OUT;
  try {
    outcome = await withDeadline(creating, o.deadlineMs ?? DRAFT_CREATE_DEADLINE_MS);
  } catch (e) {
    if (surelyRefused(e)) {
      await repo.deleteIf(key, "#c.#s = :creating AND #c.claimedAt = :mine", { ":creating": "creating", ":mine": held.claimedAt }, names);
      throw e;
    }
    // The answer was lost: the provider may have made the draft. Look for it by its marker.
    const found = await provider.findDrafts(held.marker).catch(() => undefined);
    if (found?.length) return settle(found);
    await release();
    throw new FollowUpError("failed", "We couldn't confirm your draft was made; tap again to retry.", { cause: e });
  }
  if (outcome === TIMED_OUT) {
    // Still creating after the deadline: answer "being made"; when the create ends, converge then.
    // (On Lambda the function may be frozen first: the claim's lease and the marker cover that.)
    creating.then(finish, () => undefined).catch(() => undefined);
    return { status: "pending" };
  }
  return finish(outcome);
}

/** "No follow-up needed": the person leaves future digests. Idempotent. */
export async function dismissFollowUp(repo: Repository, account: string, personEmail: string): Promise<boolean> {
  const person = await repo.getPerson(account, personEmail);
  if (!person) return false;
  if (person.stage !== "dismissed") await repo.putPeople(account, [{ ...person, stage: "dismissed" }]);
  return true;
}

/**
 * Takes a "No follow-up needed" back: a dismissed person returns to `stage` (the stage the dismiss
 * page saw: met or drafted). False when the person is unknown; a person not dismissed is left as is.
 */
export async function undoDismiss(repo: Repository, account: string, personEmail: string, stage: "met" | "drafted"): Promise<boolean> {
  const person = await repo.getPerson(account, personEmail);
  if (!person) return false;
  if (person.stage === "dismissed") await repo.putPeople(account, [{ ...person, stage }]);
  return true;
}
