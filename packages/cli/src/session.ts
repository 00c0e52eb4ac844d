import type { AccountRecord } from "@followthrough/core/accounts";
import type { MailboxProvider } from "@followthrough/core/providers";
import { randomKeyring } from "@followthrough/core/secrets";
import { Repository, startLocalDynamo } from "@followthrough/core/storage";
import { type MailboxFixture, type RunningSandbox, startSandbox } from "@followthrough/sandbox";
import { connectSandboxProvider } from "./sandbox-provider";

/** A fixture served by the sandbox, connected through OAuth, with an embedded store. */
export interface FixtureSession {
  sandbox: RunningSandbox;
  repo: Repository;
  account(): AccountRecord;
  provider: MailboxProvider;
}

/** Runs `fn` with a fixture served and connected; everything is stopped afterwards. */
export async function withFixtureSession<T>(fixture: MailboxFixture, fn: (s: FixtureSession) => Promise<T>): Promise<T> {
  const sandbox = await startSandbox({ fixtures: [fixture], https: true });
  const dynamo = await startLocalDynamo();
  try {
    const repo = new Repository(dynamo.doc, dynamo.tableName);
    const { account, provider } = await connectSandboxProvider(sandbox, fixture.account, repo, randomKeyring());
    return await fn({ sandbox, repo, account, provider });
  } finally {
    await sandbox.close();
    await dynamo.stop();
  }
}
