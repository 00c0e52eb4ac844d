/**
 * A weekly run reads each stream's cursor once: the worker's `readSoFar` (run under the scan lease
 * while the provider's module loads) hands the cursors it read to the scan, which starts each stream
 * from them instead of reading them again (three table reads a run). The scan reads the same either way.
 */
import { describe, expect, it } from "vitest";
import { readSoFar, scan } from "@followthrough/core/scan";
import { ownFixture } from "./support/fixtures";
import { startScanHarness } from "./support/scan-harness";

describe("a scan handed the cursors readSoFar read", () => {
  for (const p of ["google", "microsoft"] as const) {
    it(`${p}: reads no cursor again, first run and next, and finds what a scan reading them finds`, async () => {
      const h = await startScanHarness({ fixture: ownFixture(`demo-${p}`), pageSize: 50 });
      try {
        const now = Date.parse(h.expected.now);
        await h.setClock(now);
        const { repo } = h;
        const account = h.account();
        const provider = h.provider;
        const reads: string[] = [];
        const getCursor = repo.getCursor.bind(repo);
        repo.getCursor = (email, stream) => (reads.push(stream), getCursor(email, stream));

        // The first run: no cursor stored yet.
        const first = await readSoFar(repo, account.email);
        expect(first.backfilled).toBe(false);
        reads.length = 0;
        const one = await scan({ owner: account, provider, repo, now, cursors: first.cursors });
        expect(one.complete).toBe(true);
        expect(reads).toEqual([]);
        // The next: every stream from its stored cursor, incremental.
        const next = await readSoFar(repo, account.email);
        expect(next.backfilled).toBe(true);
        expect(Object.values(next.cursors).map((c) => c?.mode)).toEqual(["incremental", "incremental", "incremental"]);
        reads.length = 0;
        const two = await scan({ owner: account, provider, repo, now, cursors: next.cursors });
        expect(reads).toEqual([]);
        // A scan that reads its cursors itself reads each once, and finds the same.
        const three = await scan({ owner: account, provider, repo, now });
        expect([...reads].sort()).toEqual(["calendar", "ownermail", "sent"]);
        const lists = (r: typeof one) => [r.newContacts.map((c) => c.email).sort(), r.missingFollowUps.map((c) => c.email).sort()];
        expect(lists(two)).toEqual(lists(one));
        expect(lists(three)).toEqual(lists(one));
        expect(one.newContacts.length + one.missingFollowUps.length).toBeGreaterThan(0);
      } finally {
        await h.close();
      }
    });
  }
});
