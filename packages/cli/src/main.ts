import { UsageError } from "./errors";

export { UsageError };

/** Each command's usage lines (shown by `followthrough help` and by `<command> --help`). */
const COMMANDS: Record<string, string> = {
  start: `  start [--port N] [--home DIR] [--fixtures <mailbox>]...
                        run the demo locally: local DynamoDB + provider sandbox on the demo mailboxes
                        (or those of --fixtures, which may be given more than once), plus the weekly job of the
                        accounts in the local store (see connect); --port 0 picks a free port (default 8787)`,
  scan: `  scan --fixtures <mailbox> --now <ISO> [--json]
                        serve a mailbox fixture from the sandbox, connect it, scan it, print the result
                        (--now without an offset is UTC)`,
  digest: `  digest --fixtures <mailbox> --now <ISO> --out <dir> [--base-url URL]
                        write digest.html, digest.txt and digest.eml as they would be sent; the links'
                        base is --base-url, else $FOLLOWTHROUGH_BASE_URL, and they are signed with
                        $FOLLOWTHROUGH_LINK_KEY where it is set`,
  connect: `  connect google --credentials <client_secret.json> [--timeout SECONDS] [--home DIR]
                        sign in to your Gmail account (browser) and keep it in the local store; while it
                        waits, the redirect's port is open on every interface: connect on a trusted network
  connect microsoft --client-id <id> [--tenant common] [--no-browser] [--timeout SECONDS] [--home DIR]
                    [--authorize-base URL --api-url URL]
                        sign in to your Outlook account (authorization code + PKCE) and keep it in the local store;
                        --authorize-base and --api-url point it at a sandbox (docs/self-hosting.md)
  connect list [--home DIR]
                        list the accounts in the local store`,
};

const STORE_NOTE = `The local store is DIR, else $FOLLOWTHROUGH_HOME, else .followthrough/ at the repository root;
\`start\` also runs the weekly job of the accounts it holds.`;

const usage = `usage: followthrough <command> [options]
commands:
${Object.values(COMMANDS).join("\n")}
${STORE_NOTE}
FOLLOWTHROUGH_DEBUG=1 prints the stack of an unexpected error.`;

/** `followthrough <command> --help`. */
const commandUsage = (command: string) => `usage: followthrough ${command} [options]\n${COMMANDS[command]}${command === "start" || command === "connect" ? `\n${STORE_NOTE}` : ""}`;

const wantsHelp = (args: string[]) => args.some((a) => a === "--help" || a === "-h");

/** One line for an error nobody planned for; the stack only when FOLLOWTHROUGH_DEBUG is set. */
function unexpected(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const message = String(err?.message ?? e).split("\n")[0].trim() || String(e);
  return err?.code && !message.includes(err.code) ? `${message} (${err.code})` : message;
}

/** Entry point of `followthrough`; returns the exit status. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== undefined && Object.hasOwn(COMMANDS, command) && wantsHelp(rest)) {
    console.log(commandUsage(command));
    return 0;
  }
  try {
    switch (command) {
      // Each command's module loaded when it is the one run: `scan` does not load the connect flow's
      // sign-in libraries, nor `connect` the sandbox and the local store.
      case "start":
        return await (await import("./start")).start(rest);
      case "scan":
        return await (await import("./scan")).scanCommand(rest);
      case "digest":
        return await (await import("./digest")).digestCommand(rest);
      case "connect":
        return await (await import("./connect")).connectCommand(rest);
      case undefined:
      case "help":
      case "--help":
      case "-h":
        // Asked for: the usage on stdout; no command at all is a usage error: on stderr, exit 2.
        if (command === undefined) {
          console.error(usage);
          return 2;
        }
        console.log(usage);
        return 0;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)} (try: followthrough help)`);
    }
  } catch (e) {
    // A usage error, a fixture that cannot be read, or a setting given wrong (core's ConfigError).
    if (e instanceof UsageError || (e as Error).name === "FixtureError" || (e as Error).name === "ConfigError") {
      // One line, whatever the message (node:util's parseArgs writes several).
      console.error(`followthrough: ${(e as Error).message.split("\n").map((l) => l.trim()).filter(Boolean).join(" ")}`);
      return 2;
    }
    console.error(`followthrough: ${unexpected(e)}`);
    if (process.env.FOLLOWTHROUGH_DEBUG) console.error(e);
    return 1;
  }
}
