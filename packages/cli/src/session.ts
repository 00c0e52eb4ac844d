import type { AccountRecord } from "@followthrough/core/accounts";
import type { MailboxProvider } from "@followthrough/core/providers";
import { VirtualClock } from "@followthrough/core/resilience";
import { randomKeyring } from "@followthrough/core/secrets";
import { Repository, startLocalDynamo } from "@followthrough/core/storage";
import { type MailboxFixture, type RunningSandbox, type SandboxOptions, startSandbox } from "@followthrough/sandbox";
import { connectSandboxProvider } from "./sandbox-provider";

/** A fixture served by the sandbox, connected through OAuth, with an embedded store. */
export interface FixtureSession {
  sandbox: RunningSandbox;
  repo: Repository;
  account(): AccountRecord;
  provider: MailboxProvider;
  /** The one clock of the sandbox's quotas and tokens and of the adapter's pacing and retries. */
  clock: VirtualClock;
}

/**
 * Runs `fn` with a fixture served and connected; everything is stopped afterwards. Fixture mode
 * runs on a {@link VirtualClock} shared by the sandbox (quota windows, token lifetimes) and the
 * adapter (pacer, retry pauses): waits for quota take no real time, and both sides still agree.
 */
export async function withFixtureSession<T>(
  fixture: MailboxFixture,
  fn: (s: FixtureSession) => Promise<T>,
  /** Extra sandbox settings (benchmarks: a service time per call). */
  sandboxOptions: Pick<SandboxOptions, "serviceTimeMs" | "quota" | "pageSize"> = {},
  /**
   * `wholeMailbox`: the adapter reads the owner's mail as the scan contract reads a fixture (core/google
   * GoogleProviderOptions.wholeMailbox: every copy From the owner outside Sent, whatever its labels
   * and age, and sent mail in the Trash; never Spam), where the service (and the benchmarks of it)
   * reads as its quota allows.
   */
  o: { wholeMailbox?: boolean } = {},
): Promise<T> {
  const clock = new VirtualClock();
  const sandbox = await startSandbox({ ...sandboxOptions, fixtures: [fixture], https: true, clock: () => clock.now() });
  // A store that does not start (no Java for DynamoDB Local, an unknown engine) must not leave the
  // sandbox's servers holding the process open.
  const dynamo = await startLocalDynamo().catch(async (e: unknown) => {
    await sandbox.close();
    throw e;
  });
  try {
    const repo = new Repository(dynamo.doc, dynamo.tableName);
    const { account, provider } = await connectSandboxProvider(sandbox, fixture.account, repo, randomKeyring(), { clock, ...(o.wholeMailbox ? { tuning: { wholeMailbox: true } } : {}) });
    return await fn({ sandbox, repo, account, provider, clock });
  } finally {
    await sandbox.close();
    await dynamo.stop();
  }
}
