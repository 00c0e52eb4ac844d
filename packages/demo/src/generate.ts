// Writes the project's own labelled demo mailboxes under fixtures/.
//
//   npx tsx packages/demo/src/generate.ts [--out <dir>]
//
// Output is byte-for-byte reproducible: all randomness is seeded and all
// dates are fixed relative to each mailbox's `now`.

import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { buildGoogleMailbox } from "./google-mailbox.ts";
import { buildMicrosoftMailbox } from "./microsoft-mailbox.ts";
import { type WrittenMailbox, writeMailbox } from "./writer.ts";

/** `<repo>/fixtures`, resolved from this file's location. */
export const defaultOutDir = resolve(fileURLToPath(new URL("../../../fixtures", import.meta.url)));

/** The mailbox folders this generator owns (fixtures/README.md is written by hand). */
export const MAILBOXES = ["demo-google", "demo-microsoft"] as const;

export function generateAll(outDir: string = defaultOutDir): WrittenMailbox[] {
  return [buildGoogleMailbox(), buildMicrosoftMailbox()].map((mb) => writeMailbox(mb, outDir));
}

function parseArgs(argv: string[]): string {
  let out = defaultOutDir;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--out" && argv[i + 1]) out = resolve(argv[++i]);
    else if (a.startsWith("--out=")) out = resolve(a.slice(6));
    else if (a === "--help" || a === "-h") {
      console.log("usage: tsx packages/demo/src/generate.ts [--out <dir>]");
      process.exit(0);
    } else {
      console.error(`unknown argument: ${a}`);
      process.exit(2);
    }
  }
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = parseArgs(process.argv.slice(2));
  for (const w of generateAll(out)) {
    console.log(`${w.dir}: ${w.events} events, ${w.messages} messages, ` +
      `${w.expected.newContacts.length} new contacts, ${w.expected.missingFollowUps.length} missing follow-ups (now ${w.expected.now})`);
  }
}
