/**
 * The `followthrough` command run as a person runs it (packages/cli/bin/followthrough.mjs, in the
 * repository's root), in a child Node: its exit code (null when a signal or the timeout ended it),
 * stdout and stderr.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { root } from "./fixtures";

export const FOLLOWTHROUGH_BIN = join(root, "packages/cli/bin/followthrough.mjs");

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `followthrough <args>`: `env` over this process's, under `node` (this one's by default), ended after `timeoutMs`. */
export function runCli(args: string[], o: { env?: Record<string, string>; node?: string; timeoutMs?: number } = {}): Promise<CliRun> {
  return new Promise((resolve) =>
    execFile(o.node ?? process.execPath, [FOLLOWTHROUGH_BIN, ...args], { cwd: root, timeout: o.timeoutMs ?? 120_000, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, ...o.env } }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === "number" ? err.code : null) : 0, stdout, stderr }),
    ),
  );
}
