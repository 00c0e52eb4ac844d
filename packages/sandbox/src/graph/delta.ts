import { type GraphCall, syncStateNotFound } from "./http";
import { queryOf } from "./query";
import type { DeltaCursor } from "./store";

/**
 * The cursor a delta request continues from: the saved round of its `$skiptoken` (next page), or a
 * new round of changes after its `$deltatoken`. Undefined for an initial request; an unknown,
 * expired or foreign token (`accepts` says which saved cursors fit this route) is syncStateNotFound.
 */
export function resumedCursor(call: GraphCall, accepts: (saved: DeltaCursor) => boolean): DeltaCursor | undefined {
  const q = queryOf(call.c.req.url);
  const skipToken = q.get("$skiptoken");
  const deltaToken = q.get("$deltatoken");
  if (skipToken === undefined && deltaToken === undefined) return undefined;
  const saved = call.store.cursor((skipToken ?? deltaToken)!);
  if (!saved || !accepts(saved)) throw syncStateNotFound();
  return deltaToken !== undefined ? { ...saved, since: saved.through, after: saved.through, through: call.store.changeNumber } : saved;
}
