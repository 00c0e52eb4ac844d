import { existsSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { distinctAccounts, FixtureError, loadFixture } from "./fixtures";
import { startSandbox } from "./server";

const oneLine = (m: string) => m.split("\n").map((l) => l.trim()).filter(Boolean).join(" ");

const usage = "usage: followthrough-sandbox --fixtures <mailbox> [--fixtures <mailbox>...] [--port N] [--https-port N] [--page-size N] [--no-quota] [--ca-out <file>]";

/** The largest --page-size taken. */
const PAGE_SIZE_MAX = 2500;

/** Runs the sandbox from the command line until interrupted; returns the exit code on a startup error. */
export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        fixtures: { type: "string", multiple: true },
        port: { type: "string" },
        "https-port": { type: "string" },
        "page-size": { type: "string" },
        "no-quota": { type: "boolean" },
        "ca-out": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }));
  } catch (e) {
    // One line (node:util's parseArgs writes several), then where the usage is.
    console.error(`followthrough-sandbox: ${oneLine((e as Error).message)} (followthrough-sandbox --help for the usage)`);
    return 2;
  }
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const int = (name: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v)) throw new RangeError(`--${name} must be a whole number, got ${JSON.stringify(v)}`);
    if (name.endsWith("port") && Number(v) > 65535) throw new RangeError(`--${name} must be a port from 0 to 65535, got ${v}`);
    return Number(v);
  };
  try {
    if (!values.fixtures?.length) throw new RangeError("--fixtures <mailbox> is required");
    const pageSize = int("page-size", values["page-size"]);
    // 0 was taken as "not given" and the defaults served, silently (helper-171 #10).
    if (pageSize === 0) throw new RangeError(`--page-size must be at least 1, got ${JSON.stringify(values["page-size"])}`);
    // The largest page any of the three serves (Calendar's events.list maxResults, 2,500); a number
    // past it was taken as it was, 99999999999999999999 among them (helper-190).
    if (pageSize !== undefined && pageSize > PAGE_SIZE_MAX) throw new RangeError(`--page-size must be at most ${PAGE_SIZE_MAX}, got ${values["page-size"]}`);
    const sandbox = await startSandbox({
      fixtures: distinctAccounts(values.fixtures.map((f) => loadFixture(f))),
      port: int("port", values.port) ?? 0,
      https: { port: int("https-port", values["https-port"]) ?? 0 },
      pageSize: pageSize ? { gmail: pageSize, calendar: pageSize, graph: pageSize } : undefined,
      quota: values["no-quota"] ? false : undefined,
    });
    // The HTTPS listener's self-signed certificate, for NODE_EXTRA_CA_CERTS (docs/self-hosting.md):
    // written before anything is printed, so a script that waits for the first line finds the file.
    const caOut = values["ca-out"];
    if (caOut && sandbox.ca) {
      try {
        writeFileSync(caOut, sandbox.ca);
      } catch (e) {
        await sandbox.close();
        const { code, message } = e as NodeJS.ErrnoException;
        // ENOENT where the directory is there: a file system that makes no files (/proc; helper-245 #12).
        const enoent = () => (existsSync(dirname(caOut)) ? "the file cannot be created in that directory" : "its directory does not exist");
        const why = code === "EISDIR" ? "is a directory" : code === "ENOENT" ? enoent() : code === "EACCES" || code === "EPERM" ? "permission denied" : message.split("\n")[0];
        throw new RangeError(`--ca-out ${JSON.stringify(caOut)}: cannot write the CA certificate there (${why})`);
      }
    }
    console.log(`sandbox listening on ${sandbox.url} (https ${sandbox.httpsUrl})`);
    if (caOut && sandbox.ca) console.log(`CA certificate written to ${caOut} (trust it with NODE_EXTRA_CA_CERTS=${caOut})`);
    for (const a of sandbox.state.accounts.values()) console.log(`  ${a.info.provider.padEnd(9)} ${a.info.email}`);
    const stop = () => void sandbox.close().then(() => process.exit(0));
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    await new Promise(() => {});
    return 0;
  } catch (e) {
    if (e instanceof FixtureError || e instanceof RangeError) {
      console.error(`followthrough-sandbox: ${oneLine(e.message)}`);
      return 2;
    }
    // Anything else (a port in use, no permission to listen) in one line, as a usage error is.
    const { code, message } = e as NodeJS.ErrnoException;
    if (code === "EADDRINUSE") {
      // Name the flag whose port it is (the error's own text ends in the port).
      const port = /:(\d+)\s*$/.exec(message.split("\n")[0] ?? "")?.[1];
      const flag = port !== undefined && values["https-port"] !== undefined && Number(port) === Number(values["https-port"]) ? "--https-port" : "--port";
      console.error(`followthrough-sandbox: the port is in use (${message.split("\n")[0]}); pass ${flag} <n>, or ${flag} 0 for a free one`);
      return 2;
    }
    console.error(`followthrough-sandbox: ${String(message ?? e).split("\n")[0]}${code ? ` (${code})` : ""}`);
    return 1;
  }
}
