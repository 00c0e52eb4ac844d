import { accessSync, constants, lstatSync, mkdirSync, realpathSync, statSync } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";
import { UsageError } from "./errors";

/** Kernel and device file systems: not a place for output, and Node's recursive mkdir can spin there. */
const SPECIAL = ["/proc", "/sys", "/dev"];
const under = (path: string, root: string) => path === root || path.startsWith(root + sep);

/**
 * Checks an output folder before any work is done, and creates it: a path that is a file, lies on a
 * kernel or device file system, or cannot be written is a one-line usage error, never a stack trace
 * or a hang. So is a folder standing where the command will write one of its `files`: found before
 * anything is written, so no file of a run is replaced and then another refused (helper-171 #2).
 * Returns the absolute path.
 */
export function prepareOutDir(path: string, flag = "--out", files: readonly string[] = []): string {
  const target = resolve(path);
  // The deepest part of the path that exists, resolved through links: that is where writing happens.
  let existing = target;
  while (!exists(existing)) {
    const up = dirname(existing);
    if (up === existing) break;
    existing = up;
  }
  let real: string;
  try {
    real = realpathSync(existing);
  } catch (e) {
    throw new UsageError(`${flag} ${path}: cannot be resolved (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (SPECIAL.some((root) => under(real, root) || under(target, root))) throw new UsageError(`${flag} ${path}: is on a system file system (${SPECIAL.join(", ")}); choose a folder of your own`);
  const st = statSync(real);
  if (!st.isDirectory()) throw new UsageError(`${flag} ${path}: ${existing === target ? "exists and is not a folder" : `${existing} is not a folder`}`);
  try {
    accessSync(real, constants.W_OK | constants.X_OK);
  } catch {
    throw new UsageError(`${flag} ${path}: ${existing} is not writable`);
  }
  try {
    mkdirSync(target, { recursive: true });
  } catch (e) {
    throw new UsageError(`${flag} ${path}: cannot create it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  for (const name of files) {
    const file = join(target, name);
    // Only a folder stops the rename into place (a link, even to a folder, is replaced; helper-172 #5).
    if (isFolder(file)) throw new UsageError(`${flag} ${path}: ${file} is a folder; move it away or choose another folder`);
  }
  return target;
}

function isFolder(p: string): boolean {
  try {
    return lstatSync(p).isDirectory();
  } catch {
    return false;
  }
}

function exists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}
