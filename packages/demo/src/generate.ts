// Writes the project's own labelled demo mailboxes under fixtures/, or, with --size, a year-long
// mailbox (one people model rendered for Google and for Outlook) into a folder of your choice.
//
//   npx tsx packages/demo/src/generate.ts [--out <dir>]
//   npx tsx packages/demo/src/generate.ts --size year --out /tmp/year [--check]
//
// Output is byte-for-byte reproducible: all randomness is seeded and all
// dates are fixed relative to each mailbox's `now`.

import { existsSync, statSync } from "node:fs";
import { resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { buildGoogleMailbox } from "./google-mailbox.ts";
import { buildMicrosoftMailbox } from "./microsoft-mailbox.ts";
import { FolderRefused, type WrittenMailbox, writeMailboxes } from "./writer.ts";
import { YEAR_SIZES, type YearSize, buildYear } from "./year.ts";

/** `<repo>/fixtures`, resolved from this file's location. */
export const defaultOutDir = resolve(fileURLToPath(new URL("../../../fixtures", import.meta.url)));

/** The mailbox folders this generator owns (fixtures/README.md is written by hand). */
export const MAILBOXES = ["demo-google", "demo-microsoft"] as const;

export function generateAll(outDir: string = defaultOutDir): WrittenMailbox[] {
  return writeMailboxes([buildGoogleMailbox(), buildMicrosoftMailbox()], outDir);
}

const USAGE = `usage:
  tsx packages/demo/src/generate.ts [--out <dir>]
      the small labelled demo mailboxes (fixtures/demo-google, fixtures/demo-microsoft)
  tsx packages/demo/src/generate.ts --size <name> --out <dir> [options]
      a year-long mailbox from one people model, as <dir>/<id>-google and <dir>/<id>-microsoft,
      each with expected.json (the labelled answer) and roles.json. Never into fixtures/.

sizes:
${Object.entries(YEAR_SIZES).map(([k, v]) => `  ${k.padEnd(15)} ${v.about}`).join("\n")}

options (with --size):
  --sent <n> --received <n> --events <n>     override the size's counts
  --new-series <n> --routine-series <n>       weekly series with new people / with regulars
  --id <name>        folder name prefix (default: the size's name)
  --now <ISO>        the labelled "now" (default 2026-11-25T10:00:00Z)
  --providers <list> google,microsoft (default both)
  --check            also run core's rules on each folder and compare with expected.json`;

interface Args {
  out: string;
  size?: string;
  overrides: Partial<YearSize>;
  id?: string;
  now?: string;
  providers: ("google" | "microsoft")[];
  check: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { out: defaultOutDir, overrides: {}, providers: ["google", "microsoft"], check: false };
  let outGiven = false;
  const num = (flag: string, v: string | undefined) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) fail(`${flag} needs a whole number, got ${JSON.stringify(v)}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].startsWith("--") && argv[i].includes("=") ? [argv[i].slice(0, argv[i].indexOf("=")), argv[i].slice(argv[i].indexOf("=") + 1)] : [argv[i], undefined];
    const value = () => inline ?? argv[++i];
    if (flag === "--help" || flag === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else if (flag === "--out") {
      a.out = resolve(value() ?? fail("--out needs a folder"));
      outGiven = true;
    } else if (flag === "--size") a.size = value();
    else if (flag === "--sent") a.overrides.sent = num(flag, value());
    else if (flag === "--received") a.overrides.received = num(flag, value());
    else if (flag === "--events") a.overrides.events = num(flag, value());
    else if (flag === "--new-series") a.overrides.newSeries = num(flag, value());
    else if (flag === "--routine-series") a.overrides.routineSeries = num(flag, value());
    else if (flag === "--id") {
      a.id = value();
      // A folder name of its own under --out: never a path that leads out of it (helper-245 #1).
      if (a.id === undefined || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(a.id) || a.id.includes("..")) fail(`--id needs a folder name (letters, digits, ".", "_" and "-"), got ${JSON.stringify(a.id ?? "")}`);
    }
    else if (flag === "--now") a.now = value();
    else if (flag === "--providers") a.providers = (value() ?? "").split(",").filter(Boolean) as Args["providers"];
    else if (flag === "--check") a.check = true;
    else fail(`unknown argument: ${argv[i]}\n${USAGE}`);
  }
  if (a.size !== undefined) {
    if (!YEAR_SIZES[a.size]) fail(`unknown size ${JSON.stringify(a.size)}; sizes: ${Object.keys(YEAR_SIZES).join(", ")}`);
    if (!outGiven) fail("--size needs --out <dir> (fixtures/ holds only the small committed demos)");
    if (a.out === defaultOutDir || a.out.startsWith(defaultOutDir + sep)) fail("--size writes outside fixtures/ (it holds only the small committed demos)");
    if (a.now !== undefined && Number.isNaN(Date.parse(a.now))) fail(`--now must be an ISO date-time, got ${JSON.stringify(a.now)}`);
    for (const p of a.providers) if (p !== "google" && p !== "microsoft") fail(`--providers takes google and/or microsoft, got ${JSON.stringify(p)}`);
  } else if (Object.keys(a.overrides).length || a.id || a.now || a.check) fail("--sent, --received, --events, --id, --now and --check go with --size");
  if (existsSync(a.out) && !statSync(a.out).isDirectory()) fail(`--out ${a.out} is a file, not a folder`);
  return a;
}

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

/** Writes a year-long mailbox pair; returns what was written. */
export function generateYear(o: { size: YearSize; out: string; id?: string; now?: string; providers?: ("google" | "microsoft")[] }): WrittenMailbox[] {
  const year = buildYear(o.size, { id: o.id, now: o.now });
  return writeMailboxes((o.providers ?? ["google", "microsoft"]).map((p) => year[p]), o.out);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const a = parseArgs(process.argv.slice(2));
  let written: WrittenMailbox[];
  try {
    written = a.size
      ? generateYear({ size: { ...YEAR_SIZES[a.size], ...a.overrides }, out: a.out, id: a.id ?? a.size, now: a.now, providers: a.providers })
      : generateAll(a.out);
  } catch (e) {
    // A folder it would replace holds something it did not write: nothing written, nothing deleted.
    if (e instanceof FolderRefused) fail(e.message);
    throw e;
  }
  for (const w of written) {
    console.log(`${w.dir}: ${w.events} events, ${w.messages} messages, ` +
      `${w.expected.newContacts.length} new contacts, ${w.expected.missingFollowUps.length} missing follow-ups (now ${w.expected.now})`);
  }
  if (a.check) {
    const { checkMailbox } = await import("./check.ts");
    let ok = true;
    for (const w of written) {
      const c = await checkMailbox(w.dir);
      ok &&= c.same;
      console.log(`${w.dir}: core's rules ${c.same ? "agree with" : "DIFFER from"} expected.json` + (c.same ? "" : `\n  got  ${JSON.stringify(c.got)}\n  want ${JSON.stringify(c.want)}`));
    }
    if (!ok) process.exit(1);
  }
}
