/**
 * A weekly run reads each stream's cursor once: the worker's `readSoFar` (run under the scan lease
 * while the provider's module loads) hands the cursors it read to the scan, which starts each stream
 * from them instead of reading them again (three table reads a run). The scan reads the same either way.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { providerFor } from "@followthrough/core/runtime";
import { readSoFar, scan } from "@followthrough/core/scan";
import { randomKeyring } from "@followthrough/core/secrets";
import { ensureTable, type LocalDynamo, Repository, startLocalDynamo } from "@followthrough/core/storage";
import { loadFixture, type MailboxFixture, type RunningSandbox, sandboxAgent, startSandbox } from "@followthrough/sandbox";
import { connectSandboxAccount } from "../packages/cli/src/sandbox-consent";

const root = join(import.meta.dirname, "..");
let dynamo: LocalDynamo;
let sandbox: RunningSandbox;
const fixtures: Record<string, MailboxFixture> = {};
const ring = randomKeyring();

beforeAll(async () => {
  dynamo = await startLocalDynamo();
  for (const p of ["google", "microsoft"]) fixtures[p] = loadFixture(join(root, `fixtures/demo-${p}`));
  sandbox = await startSandbox({ fixtures: Object.values(fixtures), https: true });
}, 60_000);
afterAll(async () => {
  await sandbox?.close();
  await dynamo?.stop();
});

describe("a scan handed the cursors readSoFar read", () => {
  for (const p of ["google", "microsoft"] as const) {
    it(`${p}: reads no cursor again, first run and next, and finds what a scan reading them finds`, async () => {
      const fixture = fixtures[p];
      const now = Date.parse(fixture.expected!.now);
      await fetch(new URL("/_control/clock", sandbox.url), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ now: new Date(now).toISOString() }) });
      const table = `cursors${p}`;
      await ensureTable(dynamo.client, table);
      const repo = new Repository(dynamo.doc, table);
      const account = await connectSandboxAccount(sandbox, fixture.account, repo, ring);
      const provider = providerFor(account, { ring, retry: { baseMs: 5, maxMs: 50 }, microsoft: { fetchOptions: { agent: sandboxAgent(sandbox.ca!) } as never } });
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
    });
  }
});
