import { join } from "node:path";
import { type LocalDynamo, startLocalDynamo } from "@followthrough/core/storage";
import { loadFixture, type MailboxFixture, type RunningSandbox, type SandboxOptions, startSandbox } from "@followthrough/sandbox";

/** What the handler tests run against: dynalite and the sandbox on both demo mailboxes, its clock set to `now`. */
export interface HandlerStack {
  dynamo: LocalDynamo;
  sandbox: RunningSandbox;
  fixtures: Record<"google" | "microsoft", MailboxFixture>;
  close(): Promise<void>;
}

const root = join(import.meta.dirname, "../../..");

/** Starts the stack; `sandbox` adds options of the sandbox (page sizes…). */
export async function startHandlerStack(now: number, sandbox: Partial<SandboxOptions> = {}): Promise<HandlerStack> {
  const dynamo = await startLocalDynamo();
  const fixtures = { google: loadFixture(join(root, "fixtures/demo-google")), microsoft: loadFixture(join(root, "fixtures/demo-microsoft")) };
  const running = await startSandbox({ fixtures: Object.values(fixtures), https: true, ...sandbox });
  await fetch(new URL("/_control/clock", running.url), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ now: new Date(now).toISOString() }) });
  return {
    dynamo,
    sandbox: running,
    fixtures,
    close: async () => {
      await running.close();
      await dynamo.stop();
    },
  };
}
