import type { SyncCursor } from "@followthrough/core/providers";
import type { StreamSink } from "@followthrough/core/scan";

/** A stream's sink in memory, for syncStream: its items by id and its cursor. */
export function memorySink<T extends { id: string }>() {
  const items = new Map<string, T>();
  let cursor: SyncCursor | undefined;
  const sink: StreamSink<T> = {
    loadCursor: async () => cursor,
    saveCursor: async (c) => void (cursor = c),
    upsert: async (list) => void list.forEach((i) => items.set(i.id, i)),
    remove: async (ids) => void ids.forEach((id) => items.delete(id)),
    sweep: async () => 0,
  };
  return { sink, items, cursor: () => cursor, setCursor: (c: SyncCursor | undefined) => void (cursor = c) };
}
