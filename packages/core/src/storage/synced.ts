/**
 * What a sync writes (core/scan/sync's sinks): meetings and messages upserted under the generation
 * that saw them, removed, swept after a full read. Functions of a module of their own, imported by
 * the scan and the daily event sync, not `Repository` methods: a handler that never syncs (the API)
 * does not carry them.
 */
import type { MailMessage, Meeting } from "../model";
import { keys } from "./keys";
import { packed, unpacked } from "./packed";
import { RETAIN_DAYS, type Repository } from "./repo";

/** Meetings store NaN times (minimal cancelled events) as null. */
const finite = (n: number) => (Number.isFinite(n) ? n : null);
const expiry = (ms: number) => (Number.isFinite(ms) ? { expiresAt: Math.floor(ms / 1000) + RETAIN_DAYS * 86_400 } : {});

/** Upserts meetings (idempotent) tagged with the sync generation that saw them. */
export async function putMeetings(repo: Repository, account: string, meetings: Meeting[], generation: number): Promise<void> {
  await repo.batch(
    meetings.map((m) => ({
      PutRequest: { Item: { ...keys.meeting(account, m.id), gen: generation, ...expiry(m.end), ...packed("meeting", m.id, { ...m, start: finite(m.start), end: finite(m.end) }) } },
    })),
  );
}

/**
 * Upserts messages (headers only) tagged with the sync generation that saw them and, for any
 * stream but Sent's, the stream's name (`stream`), so each stream's sweep removes only its own.
 */
export async function putMessages(repo: Repository, account: string, messages: MailMessage[], generation: number, stream?: string): Promise<void> {
  await repo.batch(messages.map((m) => ({ PutRequest: { Item: { ...keys.message(account, m.id), gen: generation, ...(stream ? { stream } : {}), ...expiry(m.sentAt), ...packed("message", m.id, m) } } })));
}

export async function deleteItems(repo: Repository, account: string, kind: "meeting" | "message", ids: string[]): Promise<void> {
  await repo.batch(ids.map((id) => ({ DeleteRequest: { Key: keys[kind](account, id) } })));
}

/**
 * How far inside a full sync's window an item must be for the sweep to take its absence as a
 * deletion: the providers bound a window by different times (Calendar's timeMin by an event's end,
 * Graph's calendar view by overlap, Sent by the time sent or received), so an item at its very edge
 * may not have been listed.
 */
export const SWEEP_SLACK_MS = 86_400_000;

/**
 * Removes items of a kind that the full sync of `generation` did not see (deleted at the provider
 * meanwhile): of messages, only those its `stream` wrote (putMessages; none: Sent's). With `since`
 * (the start of that sync's window), only items it could have seen: a meeting ending, a message
 * sent, more than {@link SWEEP_SLACK_MS} after it. Older ones were not asked for (a year's window
 * read again after an expired cursor starts later than the one that stored them) and stay until
 * their TTL ({@link RETAIN_DAYS} days): the digest's previous week looks back a year from a week ago.
 */
export async function sweep(repo: Repository, account: string, kind: "meeting" | "message", generation: number, o: { stream?: string; since?: number } = {}): Promise<number> {
  const reached = (i: Record<string, unknown>) => {
    if (o.since === undefined) return true;
    const at = kind === "meeting" ? unpacked<{ end?: number | null }>(i, "meeting")?.end : unpacked<{ sentAt?: number }>(i, "message")?.sentAt;
    // An item without a usable time (a meeting stored with none) is swept as before.
    return typeof at !== "number" || !Number.isFinite(at) || at > o.since + SWEEP_SLACK_MS;
  };
  const stale = (await repo.query(keys.partition(account), keys.prefix[kind])).filter((i) => (i.gen as number) < generation && i.stream === o.stream && reached(i));
  await repo.deleteEach(stale);
  return stale.length;
}
