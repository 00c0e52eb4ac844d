import { start } from "./start";

/** A command-line error: printed as one line, exit status 2. */
export class UsageError extends Error {}

const usage = `usage: followthrough <command> [options]
commands:
  start                 run the demo locally: local DynamoDB + provider sandbox on the demo mailboxes`;

/** Entry point of `followthrough`; returns the exit status. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "start":
        return await start(rest);
      case undefined:
      case "help":
      case "--help":
      case "-h":
        console.log(usage);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)} (try: followthrough help)`);
    }
  } catch (e) {
    if (e instanceof UsageError || (e as Error).name === "FixtureError") {
      console.error(`followthrough: ${(e as Error).message}`);
      return 2;
    }
    throw e;
  }
}
