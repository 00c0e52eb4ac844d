import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { startLocalDynamo } from "@followthrough/core/storage";
import { startSandbox } from "@followthrough/sandbox";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
/** The demo mailboxes shipped with the project. */
export const demoFixtures = [join(repo, "fixtures/demo-google"), join(repo, "fixtures/demo-microsoft")];

/** `followthrough start`: the local stack on the demo mailboxes; runs until interrupted. */
export async function start(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { fixtures: { type: "string", multiple: true }, port: { type: "string" } } });
  const fixtures = values.fixtures ?? demoFixtures.filter((f) => existsSync(f));
  const dynamo = await startLocalDynamo();
  const sandbox = await startSandbox({ fixtures, https: true, port: values.port ? Number(values.port) : 0 });
  console.log(`local DynamoDB (${dynamo.engine}) at ${dynamo.endpoint}, table ${dynamo.tableName}`);
  console.log(`provider sandbox at ${sandbox.url} (Graph over ${sandbox.httpsUrl})`);
  for (const a of sandbox.state.accounts.values()) console.log(`  ${a.info.provider.padEnd(9)} ${a.info.email}`);
  if (process.env.FOLLOWTHROUGH_EXIT_AFTER_START) {
    await sandbox.close();
    await dynamo.stop();
    return 0;
  }
  console.log("press Ctrl-C to stop");
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await sandbox.close();
  await dynamo.stop();
  return 0;
}
