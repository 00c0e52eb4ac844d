import { UsageError } from "./errors";
import { connectCommand } from "./connect";
import { digestCommand } from "./digest";
import { scanCommand } from "./scan";
import { start } from "./start";

export { UsageError };

const usage = `usage: followthrough <command> [options]
commands:
  start [--port N] [--home DIR]
                        run the demo locally: local DynamoDB + provider sandbox on the demo mailboxes,
                        plus the weekly job of the accounts in the local store (see connect)
  scan --fixtures <mailbox> --now <ISO> [--json]
                        serve a mailbox fixture from the sandbox, connect it, scan it, print the result
  digest --fixtures <mailbox> --now <ISO> --out <dir> [--base-url URL]
                        write digest.html, digest.txt and digest.eml as they would be sent
  connect google --credentials <client_secret.json> [--home DIR]
                        sign in to your Gmail account (browser, loopback redirect) and keep it in the local store
  connect microsoft --client-id <id> [--tenant common] [--no-browser] [--timeout SECONDS] [--home DIR]
                        sign in to your Outlook account (authorization code + PKCE) and keep it in the local store
  connect list [--home DIR]
                        list the accounts in the local store
The local store is DIR, else $FOLLOWTHROUGH_HOME, else .followthrough/ at the repository root;
\`start\` also runs the weekly job of the accounts it holds.`;

/** Entry point of `followthrough`; returns the exit status. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "start":
        return await start(rest);
      case "scan":
        return await scanCommand(rest);
      case "digest":
        return await digestCommand(rest);
      case "connect":
        return await connectCommand(rest);
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
