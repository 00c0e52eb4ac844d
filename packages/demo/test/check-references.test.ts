/**
 * The checker maps a fixture's events with the adapters' mappers, so it loads the HTML decoder as the
 * adapters do, over the texts each provider's mapper reads (helper-117: it chose them by the shape of
 * `location`, and missed an Outlook event with no location and a Google one whose location is null).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it, vi } from "vitest";
import { defaultOutDir } from "../src/generate.ts";

const dir = mkdtempSync(join(tmpdir(), "check-references-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A copy of a demo mailbox with its first event changed by `edit`. */
function edited(name: string, events: string, edit: (e: Record<string, unknown>) => void): string {
  const to = join(dir, name);
  cpSync(join(defaultOutDir, name), to, { recursive: true });
  const file = join(to, events);
  const list = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>[];
  edit(list[0]);
  writeFileSync(file, JSON.stringify(list));
  return to;
}

it.each([
  ["Outlook, no location, a reference in bodyPreview", "demo-microsoft", "microsoft/events.json", (e: Record<string, unknown>): void => {
    delete e.location;
    e.bodyPreview = "Drinks&nbsp;after the talk";
  }],
  ["Google, a null location, a reference in the description", "demo-google", "google/events.json", (e: Record<string, unknown>): void => {
    e.location = null;
    e.description = "Fish &amp; chips";
  }],
] as const)("%s: the labelled lists, no error", async (_, name, events, edit) => {
  const folder = edited(name, events, edit);
  // A fresh module graph each time: a decoder one case loaded would hide the other's.
  vi.resetModules();
  const { checkMailbox } = await import("../src/check.ts");
  expect((await checkMailbox(folder)).same).toBe(true);
});
