import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { listAccounts } from "@followthrough/core/accounts";
import { type Keyring, decrypt, encrypt, parseKeyring } from "@followthrough/core/secrets";
import { type LocalDynamo, Repository, startLocalDynamo } from "@followthrough/core/storage";
import { UsageError } from "./errors";

/**
 * The persistent local store of accounts connected with `followthrough connect`: dynalite on disk
 * at `<home>/db` and the keyring that seals refresh tokens at `<home>/keyring` (`kid:base64`,
 * mode 0600, generated once). `<home>` is `--home`, else env FOLLOWTHROUGH_HOME, else
 * `.followthrough/` at the repository root (gitignored). The demo mailboxes never go here.
 */

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/** Where the local store lives. */
export function localHome(flag?: string): string {
  // An empty --home (an unset shell variable) names no folder: refused, not read as the default (helper-171 #10).
  if (flag !== undefined && !flag.trim()) throw new UsageError("--home must name a folder, got an empty value");
  const dir = flag ?? process.env.FOLLOWTHROUGH_HOME;
  const home = dir ? resolve(withoutTilde(dir)) : join(repoRoot, ".followthrough");
  // A file there, or above it, is a mistake, not a store to create or to read as empty: a path under
  // a file was Node's "ENOTDIR: not a directory, mkdir …" (exit 1) from connect, "no local store"
  // from connect list, and the demo alone from start (helper-272 #2). So is a link to nothing.
  const blocked = inTheWay(home);
  if (blocked) {
    const where = blocked.at === home ? "" : `${blocked.at} `;
    const what = blocked.kind === "file" ? "is a file, not a folder" : "is a link to nothing";
    throw new UsageError(`${flag !== undefined ? "--home" : dir ? "FOLLOWTHROUGH_HOME" : "the local store"} ${home}: ${where}${what}`);
  }
  return home;
}

/**
 * `~` and `~/…` as the owner's home folder. A shell expands a tilde only at the start of a word, so
 * `--home=~/ft` and a quoted FOLLOWTHROUGH_HOME="~/ft" arrived as they were written, and the store
 * went into a folder named "~" under the current one. (`~user` is left to the shell.)
 */
const withoutTilde = (dir: string) => (dir === "~" || dir.startsWith("~/") ? join(homedir(), dir.slice(1)) : dir);

/**
 * What stands in the way of a folder at `path`: the path itself or the nearest of its parents that
 * exists, when that is not a folder (a file, or a link to one), or a link to nothing on the way.
 */
function inTheWay(path: string): { at: string; kind: "file" | "dangling link" } | undefined {
  for (let p = path; ; p = dirname(p)) {
    let folder: boolean | undefined;
    try {
      folder = statSync(p).isDirectory();
    } catch {
      // Not there (or under a file: ENOTDIR), unless it is a link whose target is not.
      if (isLink(p)) return { at: p, kind: "dangling link" };
    }
    if (folder !== undefined) return folder ? undefined : { at: p, kind: "file" };
    if (dirname(p) === p) return undefined;
  }
}

const isLink = (p: string) => {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
};

export const dbDir = (home: string) => join(home, "db");
export const keyringFile = (home: string) => join(home, "keyring");

/** True when a store was ever created at `home` (nothing is created by asking). */
export const localStoreExists = (home: string) => existsSync(dbDir(home)) && existsSync(keyringFile(home));

/** A fresh keyring spec: one 32-byte AES key under kid `k1`. */
export const newKeyringSpec = () => `k1:${randomBytes(32).toString("base64")}`;

/** Reads `<home>/keyring`, creating it (0600) when `create` and absent. */
export function loadLocalKeyring(home: string, create: boolean): Keyring {
  const file = keyringFile(home);
  if (!existsSync(file)) {
    if (!create) throw new UsageError(`no keyring at ${file}`);
    mkdirSync(home, { recursive: true, mode: 0o700 });
    try {
      // "wx": never overwrite a keyring another process has just written.
      writeFileSync(file, newKeyringSpec() + "\n", { mode: 0o600, flag: "wx" });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
  }
  // A keyring readable by others is tightened rather than refused (it may come from a copy or an unzip).
  if (process.platform !== "win32" && (statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  try {
    return parseKeyring(readFileSync(file, "utf8").trim());
  } catch (e) {
    throw new UsageError(`${file}: not a keyring (${(e as Error).message}; expected kid:base64key[,kid:base64key...])`);
  }
}

/** The opened store: repository, keyring, and `close()` (which releases the on-disk lock). */
export interface LocalStore {
  home: string;
  repo: Repository;
  ring: Keyring;
  dynamo: LocalDynamo;
  close(): Promise<void>;
}

/**
 * Opens the persistent store at `home` (creating it when `create`). One process at a time: a store
 * held by another (e.g. `npm start` while `connect` runs) is a one-line error.
 */
export async function openLocalStore(home: string, o: { create?: boolean } = {}): Promise<LocalStore> {
  const create = o.create ?? true;
  if (!create && !localStoreExists(home)) throw new UsageError(`no local store at ${home} (connect an account first: followthrough connect google|microsoft)`);
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const ring = loadLocalKeyring(home, create);
  let dynamo: LocalDynamo;
  try {
    // The records (people, meetings, addresses) are the owner's alone, whatever the mode of a home
    // the owner made: their folder is 0700, so the files LevelDB writes in it with the umask's modes
    // (0644 as a rule) are readable by no one else.
    mkdirSync(dbDir(home), { recursive: true, mode: 0o700 });
    chmodSync(dbDir(home), 0o700);
    dynamo = await startLocalDynamo({ engine: "dynalite", path: dbDir(home) });
  } catch (e) {
    if ((e as { code?: string }).code === "STORE_LOCKED")
      throw new UsageError(`the local store ${dbDir(home)} is in use by another followthrough process (npm start?): stop it and try again`);
    // Any other failure to open it (the folder a file, its files damaged) names the folder (helper-190 #8).
    throw new Error(`the local store ${dbDir(home)} cannot be opened: ${(e as Error).message?.split("\n")[0] ?? String(e)}`, { cause: e });
  }
  return { home, repo: new Repository(dynamo.doc, dynamo.tableName), ring, dynamo, close: () => dynamo.stop() };
}

/**
 * Runs `fn` with the store open, closing it afterwards. A store this call created, left with no
 * account when `fn` failed (a connect refused or given up), goes again: a later `connect list` or
 * `npm start --home` then says there is no store, not "No accounts" (helper-245 #4).
 */
export async function withLocalStore<T>(home: string, fn: (s: LocalStore) => Promise<T>, o: { create?: boolean } = {}): Promise<T> {
  // Made by this call: absent, or an empty folder (one the owner made for it, which stays, emptied
  // of what this call put there; helper-246 #4).
  const existed = existsSync(home);
  const created = (o.create ?? true) && (!existed || (statSync(home).isDirectory() && readdirSync(home).length === 0));
  const store = await openLocalStore(home, o);
  let failed = false;
  try {
    return await fn(store);
  } catch (e) {
    failed = true;
    throw e;
  } finally {
    const unused = failed && created && (await listAccounts(store.repo).then((a) => a.length === 0, () => false));
    await store.close();
    if (unused && existed) for (const entry of readdirSync(home)) rmSync(join(home, entry), { recursive: true, force: true });
    else if (unused) rmSync(home, { recursive: true, force: true });
  }
}

/**
 * An OAuth client secret kept for the local runtime (a Google "Desktop app" client has one; it is
 * needed to refresh tokens later). Stored sealed in the same store, outside any account partition.
 */
const clientKey = (provider: string, clientId: string) => ({ pk: `LOCALCLIENT#${provider}`, sk: clientId });

export async function saveClientSecret(store: LocalStore, provider: "google" | "microsoft", clientId: string, secret: string): Promise<void> {
  await store.repo.put({ ...clientKey(provider, clientId), secretSealed: encrypt(store.ring, secret, `client:${provider}:${clientId}`) });
}

export async function loadClientSecret(store: LocalStore, provider: "google" | "microsoft", clientId: string): Promise<string | undefined> {
  const item = await store.repo.get<{ secretSealed?: string }>(clientKey(provider, clientId));
  return item?.secretSealed ? decrypt(store.ring, item.secretSealed, `client:${provider}:${clientId}`) : undefined;
}

/** The shortest link key taken, from the file as from FOLLOWTHROUGH_LINK_KEY (cli/digest envLinkKey). */
const MIN_LINK_KEY = 16;

/**
 * The key the one-tap links in digests of the local store's accounts: `<home>/link-key`, generated
 * once (0600). A file that cannot be read, or holds fewer than 16 characters (emptied, cut short),
 * is a usage error naming it: until 2026-12-04 an empty file gave an empty key, which sealed every
 * link with a key anyone could use.
 */
export function loadLinkKey(home: string): string {
  const file = join(home, "link-key");
  if (!existsSync(file)) {
    try {
      writeFileSync(file, randomBytes(32).toString("base64url") + "\n", { mode: 0o600, flag: "wx" });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
  }
  return readLinkKey(file);
}

/**
 * Checks `<home>/link-key` when there is one ({@link loadLinkKey}'s refusals), writing nothing: so
 * that `start` says a bad one before anything listens (helper-178 #6).
 */
export function checkLinkKey(home: string): void {
  const file = join(home, "link-key");
  if (existsSync(file) || lstatIsLink(file)) readLinkKey(file);
}

const lstatIsLink = (file: string) => {
  try {
    return lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
};

function readLinkKey(file: string): string {
  let key: string;
  try {
    key = readFileSync(file, "utf8").trim();
  } catch (e) {
    throw new UsageError(`cannot read the link key ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (key.length < MIN_LINK_KEY)
    throw new UsageError(`the link key ${file} holds fewer than ${MIN_LINK_KEY} characters: delete it to have a new one made (links already sent then stop working)`);
  return key;
}
