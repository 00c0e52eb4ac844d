/**
 * The sweep after a full sync (core/scan/sync): a module of its own, imported by the scan and the
 * daily event sync only, so a handler that never syncs (the API) does not carry it.
 */
import { keys } from "./keys";
import type { Repository } from "./repo";

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
 * their TTL (RETAIN_DAYS, core/storage/repo): the digest's previous week looks back a year from a week ago.
 */
export async function sweep(repo: Repository, account: string, kind: "meeting" | "message", generation: number, o: { stream?: string; since?: number } = {}): Promise<number> {
  const reached = (i: Record<string, unknown>) => {
    if (o.since === undefined) return true;
    const at = kind === "meeting" ? (i.meeting as { end?: number | null }).end : (i.message as { sentAt?: number }).sentAt;
    // An item without a usable time (a meeting stored with none) is swept as before.
    return typeof at !== "number" || !Number.isFinite(at) || at > o.since + SWEEP_SLACK_MS;
  };
  const stale = (await repo.query(keys.partition(account), keys.prefix[kind])).filter((i) => (i.gen as number) < generation && i.stream === o.stream && reached(i));
  await repo.batch(stale.map((i) => ({ DeleteRequest: { Key: { pk: i.pk, sk: i.sk } } })));
  return stale.length;
}
