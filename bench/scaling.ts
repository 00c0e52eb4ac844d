/**
 * Per-account resource use of one typical account over a year and a week, measured on the real
 * code paths against the sandbox and dynalite: provider calls (sandbox counters), DynamoDB requests
 * and item bytes (counted in the SDK middleware), and CPU time of the weekly job.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import { ensureTable, localClientConfig } from "../packages/core/src/storage";
import { loadComposer } from "../packages/core/src/composer";
import { googleOAuthClient, googleProvider } from "../packages/core/src/google";
import { randomKeyring } from "../packages/core/src/secrets";
import { saveAccount } from "../packages/core/src/accounts";
import { Repository } from "../packages/core/src/storage";
import { runWeekly } from "../packages/core/src/weekly";

import { bigMailbox } from "./mailbox";

const DAY = 86_400_000;

/** An item's size as JSON, a binary value counted by its bytes (DynamoDB bills binary by length). */
const jsonSize = (v: unknown) => JSON.stringify(v, (_k, x) => (x instanceof Uint8Array ? "-".repeat(x.byteLength) : x)).length;

/**
 * Counts DynamoDB requests by command and the bytes written, via the client's middleware stack. An
 * UpdateItem is billed by the larger of the item's sizes before and after the update
 * (docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html): counted at
 * the size the meter last saw the item put with (the digest's claim, before its outcome is set).
 */
function meter(client: { middlewareStack: { add: (mw: unknown, opts: unknown) => void } }) {
  const counts: Record<string, number> = {};
  const sizes = new Map<string, number>();
  const keyOf = (it: Record<string, unknown>) => JSON.stringify([it.pk, it.sk]);
  let writeUnits = 0;
  let readBytes = 0;
  client.middlewareStack.add(
    (next: (a: unknown) => Promise<{ output: Record<string, unknown> }>, ctx: { commandName: string }) => async (args: { input: Record<string, unknown> }) => {
      counts[ctx.commandName] = (counts[ctx.commandName] ?? 0) + 1;
      const input = args.input;
      const items: Record<string, unknown>[] = [];
      if (input.Item) items.push(input.Item as Record<string, unknown>);
      for (const reqs of Object.values((input.RequestItems as Record<string, { PutRequest?: { Item: Record<string, unknown> } }[]>) ?? {}))
        for (const r of reqs) if (r.PutRequest) items.push(r.PutRequest.Item);
      for (const it of items) {
        const size = jsonSize(it);
        sizes.set(keyOf(it), size);
        writeUnits += Math.max(1, Math.ceil(size / 1024));
      }
      if ((ctx.commandName === "UpdateItemCommand" || ctx.commandName === "UpdateCommand") && input.Key) {
        const size = Math.max(sizes.get(keyOf(input.Key as Record<string, unknown>)) ?? 0, jsonSize(input.ExpressionAttributeValues ?? {}));
        writeUnits += Math.max(1, Math.ceil(size / 1024));
      }
      const result = await next(args);
      const out = result.output as { Items?: unknown[]; Item?: unknown };
      readBytes += jsonSize(out.Items ?? out.Item ?? "");
      return result;
    },
    { step: "initialize", name: "meter" },
  );
  return { counts, get writeUnits() { return writeUnits; }, get readBytes() { return readBytes; } };
}

/** Starts a child process and resolves with the first stdout match of `pattern`. */
function child(cmd: string, args: string[], pattern: RegExp): Promise<{ proc: ChildProcess; match: RegExpMatchArray }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(cmd, args, { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    proc.stdout!.on("data", (b) => {
      out += b;
      const match = out.match(pattern);
      if (match) resolve({ proc, match });
    });
    proc.once("exit", (code) => reject(new Error(`${cmd} exited ${code}`)));
  });
}

/**
 * A typical professional's year: 100 sent messages and 15 meetings a week. The sandbox and dynalite
 * run in child processes, so this process's CPU time is the service's own.
 */
export async function benchScaling() {
  const box = bigMailbox({ messages: 5200, events: 780, people: 1500, seed: 11 });
  const dir = mkdtempSync(join(tmpdir(), "ft-scale-"));
  mkdirSync(join(dir, "google"));
  writeFileSync(join(dir, "account.json"), JSON.stringify(box.account));
  writeFileSync(join(dir, "google/messages.json"), JSON.stringify(box.messages));
  writeFileSync(join(dir, "google/events.json"), JSON.stringify(box.events));
  const sb = await child(process.execPath, ["packages/sandbox/bin/sandbox.mjs", "--fixtures", dir, "--no-quota"], /listening on (http:\/\/[\d.:]+)/);
  const db = await child(process.execPath, ["-e", "const s=require('dynalite')({createTableMs:0});s.listen(0,'127.0.0.1',()=>console.log('port '+s.address().port))"], /port (\d+)/);
  const sandboxUrl = sb.match[1];
  const client = new DynamoDBClient(localClientConfig(`http://127.0.0.1:${db.match[1]}`));
  await ensureTable(client, "followthrough");
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const m = meter(doc as never);
  const control = (path: string, body: unknown) =>
    fetch(`${sandboxUrl}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }).then((r) => r.json());
  try {
    const email = box.account.email;
    const t = (await (await fetch(`${sandboxUrl}/_control/accounts/${email}/tokens`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"clientId":"bench"}' })).json()) as { refresh_token: string };
    const repo = new Repository(doc, "followthrough");
    const ring = randomKeyring();
    const account = await saveAccount(repo, ring, { ...box.account, clientId: "bench", refreshToken: t.refresh_token, status: "active", connectedAt: box.now });
    const auth = googleOAuthClient({ clientId: "bench", refreshToken: t.refresh_token, tokenUrl: `${sandboxUrl}/google/token` });
    // The worker's adapter: it sends the digest, so it has the mail composer (a backfill's reads only).
    const provider = googleProvider({ owner: account, auth, rootUrl: sandboxUrl, composer: loadComposer });
    const links = { baseUrl: "https://app.example", key: "k" };
    const usage = async () => (await (await fetch(`${sandboxUrl}/_control/accounts/${email}/stats`)).json()) as { totalCalls: number; gmailUnits: number; calls: Record<string, number> };

    const c0 = process.cpuUsage();
    await runWeekly({ repo, provider, account, now: box.now, links });
    const backfillCpu = process.cpuUsage(c0);
    const u0 = await usage();
    const backfill = { calls: u0.totalCalls, gmailUnits: u0.gmailUnits, ddb: { ...m.counts }, writeUnits: m.writeUnits, cpuMs: (backfillCpu.user + backfillCpu.system) / 1000 };

    // One typical week later.
    const week = bigMailbox({ messages: 100, events: 15, people: 1500, seed: 12, now: box.now + 7 * DAY });
    await control(`/_control/accounts/${email}/gmail/messages`, week.messages.map((msg, i) => ({ ...msg, id: undefined, historyId: undefined, internalDate: String(box.now + i * 6000_000) })));
    await control(`/_control/accounts/${email}/calendar/events`, week.events.map((e) => ({ ...e, id: `wk${e.id}` })));
    await control("/_control/stats/reset", {});
    for (const k of Object.keys(m.counts)) delete m.counts[k];
    const w0 = m.writeUnits;
    const r0 = m.readBytes;
    const c1 = process.cpuUsage();
    const t1 = performance.now();
    await runWeekly({ repo, provider, account, now: box.now + 7 * DAY, links });
    const weekCpu = process.cpuUsage(c1);
    const u1 = await usage();
    const weekly = {
      calls: u1.totalCalls,
      callsByRoute: u1.calls,
      gmailUnits: u1.gmailUnits,
      ddb: { ...m.counts },
      writeUnits: m.writeUnits - w0,
      readUnits: Math.ceil((m.readBytes - r0) / 4096),
      cpuMs: (weekCpu.user + weekCpu.system) / 1000,
      wallMs: performance.now() - t1,
    };
    const items = await repo.allItems(email);
    const bytes = items.reduce((a, i) => a + marshallSize(i), 0);
    return { profile: "100 sent messages and 15 meetings a week, a year of history", backfill, weekly, storage: { items: items.length, bytes } };
  } finally {
    client.destroy();
    sb.proc.kill();
    db.proc.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** DynamoDB's item size: attribute names plus values, approximated by the marshalled JSON length. */
function marshallSize(item: Record<string, unknown>): number {
  return JSON.stringify(marshall(item, { removeUndefinedValues: true, convertClassInstanceToMap: true })).length;
}
