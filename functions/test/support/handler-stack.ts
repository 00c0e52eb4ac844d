import { join } from "node:path";
import { loadProvider } from "@followthrough/core/loader";
import { randomKeyring } from "@followthrough/core/secrets";
import { ensureTable, type LocalDynamo, Repository, startLocalDynamo } from "@followthrough/core/storage";
import { type AccountInfo, loadFixture, type MailboxFixture, type RunningSandbox, type SandboxOptions, sandboxAgent, startSandbox } from "@followthrough/sandbox";
import { connectSandboxAccount } from "../../../packages/cli/src/sandbox-consent";
import { buildDeps, type Deps, type DepsConfig } from "../../src/resources";
import { checkThenClose } from "../../../test/support/refusals";

/** What the handler tests run against: dynalite and the sandbox on both demo mailboxes, its clock set to `now`. */
export interface HandlerStack {
  dynamo: LocalDynamo;
  sandbox: RunningSandbox;
  fixtures: Record<"google" | "microsoft", MailboxFixture>;
  /** A table of its own, `account` connected there through the sandbox's consent (its tokens sealed under the stack's keyring). */
  connect(account: AccountInfo, table: string): Promise<Repository>;
  /**
   * The handlers' deps over a table of {@link connect}: the stack's store and keyring, the provider's
   * retries fast and Graph over the sandbox's TLS; `o` adds (queues, a counting client) or replaces,
   * and `o.provider` adds to the provider's knobs.
   */
  deps(table: string, o: Omit<DepsConfig, "loader" | "tableName" | "tokenKeyring">): Deps;
  close(): Promise<void>;
}

const root = join(import.meta.dirname, "../../..");

/** Starts the stack; `sandbox` adds options of the sandbox (page sizes…). */
export async function startHandlerStack(now: number, sandbox: Partial<SandboxOptions> = {}): Promise<HandlerStack> {
  const dynamo = await startLocalDynamo();
  const fixtures = { google: loadFixture(join(root, "fixtures/demo-google")), microsoft: loadFixture(join(root, "fixtures/demo-microsoft")) };
  const running = await startSandbox({ fixtures: Object.values(fixtures), https: true, ...sandbox });
  await fetch(new URL("/_control/clock", running.url), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ now: new Date(now).toISOString() }) });
  const ring = randomKeyring();
  return {
    dynamo,
    sandbox: running,
    fixtures,
    async connect(account, table) {
      await ensureTable(dynamo.client, table);
      const repo = new Repository(dynamo.doc, table);
      await connectSandboxAccount(running, account, repo, ring);
      return repo;
    },
    deps: (table, o) =>
      buildDeps({
        loader: loadProvider,
        tableName: table,
        doc: dynamo.doc,
        tokenKeyring: ring,
        ...o,
        provider: { retry: { baseMs: 5, maxMs: 50 }, microsoftFetchOptions: { agent: sandboxAgent(running.ca!) } as never, ...o.provider },
      }),
    // Fails the file when the sandbox refused any of our calls by the providers' contracts.
    close: async () => {
      await checkThenClose(running, async () => {
        await running.close();
        await dynamo.stop();
      });
    },
  };
}
