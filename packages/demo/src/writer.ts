// Writes one mailbox fixture folder (see the fixture format in the project
// docs): account.json, the provider's resource files, expected.json and a
// roles.json explaining why each person is (or is not) expected.

import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { renderCalendar } from "./gcal.ts";
import { renderGmail } from "./gmail.ts";
import { GraphRenderer } from "./graph.ts";
import type { Mailbox } from "./model.ts";

/** Stable JSON text: two-space indent, trailing newline. */
export const jsonText = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

export interface WrittenMailbox {
  id: string;
  dir: string;
  files: string[];
  events: number;
  messages: number;
  expected: ReturnType<Mailbox["expected"]> & { upcomingEvents?: string[]; attendedEvents?: string[] };
}

/** What a mailbox folder holds when this writer wrote it (all of it, or part where a run was cut short): it replaces such a folder, nothing else. */
const WRITTEN = new Set(["account.json", "expected.json", "roles.json", "google/messages.json", "google/events.json", "microsoft/inbox.json", "microsoft/sentitems.json", "microsoft/events.json"]);

/** Every file under `dir`, as paths relative to it with "/" (a folder counts as a file where it is empty). */
function filesUnder(dir: string, prefix = ""): string[] {
  const entries = readdirSync(join(dir, prefix));
  if (!entries.length && prefix) return [prefix];
  return entries.flatMap((e) => {
    const rel = prefix ? `${prefix}/${e}` : e;
    return statSync(join(dir, rel)).isDirectory() ? filesUnder(dir, rel) : [rel];
  });
}

/** A folder the writer will not replace, with why, in one line. */
export class FolderRefused extends Error {
  override name = "FolderRefused";
}

/**
 * A folder this writer may replace (undefined), or why not: it would delete what it did not write
 * (helper-245 #1; helper-246 #5: a file inside its provider folder counts too).
 */
function replaceRefusal(dir: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  if (!statSync(dir).isDirectory()) return `${dir} is a file, not a mailbox folder this generator wrote`;
  const foreign = filesUnder(dir).filter((f) => !WRITTEN.has(f));
  if (foreign.length) return `${dir} holds files this generator did not write (${foreign.slice(0, 3).join(", ")}${foreign.length > 3 ? ", …" : ""}): move them, or choose another --out`;
  return undefined;
}

/**
 * Writes each mailbox as `<outDir>/<id>`, replacing a folder an earlier run wrote there. Every folder
 * is checked before any is written: {@link FolderRefused} rather than delete anything else.
 */
export function writeMailboxes(mbs: readonly Mailbox[], outDir: string): WrittenMailbox[] {
  for (const mb of mbs) {
    const refusal = replaceRefusal(join(outDir, mb.cfg.id));
    if (refusal) throw new FolderRefused(refusal);
  }
  return mbs.map((mb) => writeChecked(mb, outDir));
}

/** One mailbox, as {@link writeMailboxes} writes it. */
export const writeMailbox = (mb: Mailbox, outDir: string): WrittenMailbox => writeMailboxes([mb], outDir)[0];

function writeChecked(mb: Mailbox, outDir: string): WrittenMailbox {
  const dir = join(outDir, mb.cfg.id);
  rmSync(dir, { recursive: true, force: true });
  const files: string[] = [];
  const put = (rel: string, value: unknown) => {
    const file = join(dir, rel);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, jsonText(value));
    files.push(rel);
  };
  put("account.json", mb.account());
  let rendered: { id: string }[];
  if (mb.cfg.provider === "google") {
    put("google/messages.json", renderGmail(mb));
    put("google/events.json", (rendered = renderCalendar(mb) as { id: string }[]));
  } else {
    const g = new GraphRenderer(mb).render();
    put("microsoft/inbox.json", g.inbox);
    put("microsoft/sentitems.json", g.sentitems);
    put("microsoft/events.json", (rendered = g.events));
  }
  const expected: ReturnType<Mailbox["expected"]> & { upcomingEvents?: string[]; attendedEvents?: string[] } = mb.expected();
  // events.md labels, when the scenario writes any: both renderers emit one event per scenario event
  // in start-then-key order, so the rendered id of a labelled event is found by position.
  if (mb.events.some((e) => e.networking)) {
    const order = [...mb.events].sort((a, b) => a.start.getTime() - b.start.getTime() || a.key.localeCompare(b.key));
    if (order.length !== rendered.length) throw new Error(`${mb.cfg.id}: ${rendered.length} rendered events for ${order.length}`);
    const ids = (label: "upcoming" | "attended") => order.flatMap((e, i) => (e.networking === label ? [rendered[i].id] : [])).sort();
    Object.assign(expected, { upcomingEvents: ids("upcoming"), attendedEvents: ids("attended") });
  }
  put("expected.json", expected);
  put("roles.json", mb.roles());
  return { id: mb.cfg.id, dir, files, events: mb.events.length, messages: mb.messages.length, expected };
}
