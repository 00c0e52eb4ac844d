import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { checkMailbox } from "../src/check.ts";
import { generateYear } from "../src/generate.ts";
import { YEAR_SIZES } from "../src/year.ts";

const json = (f: string) => JSON.parse(readFileSync(f, "utf8"));
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : [join(dir, n)]));

describe("year-long mailboxes (generate.ts --size)", () => {
  let a: string;
  let b: string;
  const size = YEAR_SIZES.small;

  beforeAll(() => {
    a = mkdtempSync(join(tmpdir(), "year-a-"));
    b = mkdtempSync(join(tmpdir(), "year-b-"));
    generateYear({ size, out: a, id: "y" });
    generateYear({ size, out: b, id: "y" });
  });
  afterAll(() => {
    rmSync(a, { recursive: true, force: true });
    rmSync(b, { recursive: true, force: true });
  });

  it("is reproducible byte for byte", () => {
    const list = files(a).map((f) => relative(a, f)).sort();
    expect(list).toContain("y-google/google/messages.json");
    expect(list).toContain("y-microsoft/microsoft/events.json");
    for (const f of list) expect(readFileSync(join(b, f), "utf8"), f).toBe(readFileSync(join(a, f), "utf8"));
  });

  it("has exactly the asked counts, in both renderings", () => {
    const gm = json(join(a, "y-google/google/messages.json")) as { labelIds: string[] }[];
    expect(gm.filter((m) => m.labelIds.includes("SENT"))).toHaveLength(size.sent);
    expect(gm.filter((m) => m.labelIds.includes("INBOX"))).toHaveLength(size.received);
    expect(json(join(a, "y-google/google/events.json"))).toHaveLength(size.events);
    expect(json(join(a, "y-microsoft/microsoft/sentitems.json"))).toHaveLength(size.sent);
    expect(json(join(a, "y-microsoft/microsoft/inbox.json"))).toHaveLength(size.received);
    expect(json(join(a, "y-microsoft/microsoft/events.json"))).toHaveLength(size.events);
  });

  it("labels the same answer for the Google and the Outlook rendering of the same people, and core's rules agree", async () => {
    const g = json(join(a, "y-google/expected.json"));
    const m = json(join(a, "y-microsoft/expected.json"));
    expect(m).toEqual(g);
    expect(g.newContacts.length).toBeGreaterThan(3);
    expect(g.missingFollowUps.length).toBeGreaterThan(3);
    for (const dir of ["y-google", "y-microsoft"]) {
      const c = await checkMailbox(join(a, dir));
      expect(c.got, dir).toEqual(c.want);
    }
  });

  it("renders weekly series as Graph occurrences sharing a seriesMasterId, with moved and cancelled exceptions (no master in the fixture)", () => {
    const events = json(join(a, "y-microsoft/microsoft/events.json")) as {
      type: string;
      seriesMasterId: string | null;
      isCancelled: boolean;
      subject: string;
      start: { dateTime: string };
    }[];
    const bySeries = new Map<string, typeof events>();
    for (const e of events) if (e.seriesMasterId) bySeries.set(e.seriesMasterId, [...(bySeries.get(e.seriesMasterId) ?? []), e]);
    expect(bySeries.size).toBeGreaterThanOrEqual(size.newSeries + size.routineSeries);
    expect(events.some((e) => e.type === "seriesMaster")).toBe(false);
    for (const e of events) expect(e.type === "singleInstance").toBe(e.seriesMasterId === null);
    const exceptions = events.filter((e) => e.type === "exception");
    expect(exceptions.some((e) => e.isCancelled)).toBe(true);
    expect(exceptions.some((e) => !e.isCancelled)).toBe(true);
  });

  it("renders a moved Google instance with its original start in the id and originalStartTime", () => {
    const events = json(join(a, "y-google/google/events.json")) as { id: string; recurringEventId?: string; start: { dateTime: string }; originalStartTime?: { dateTime: string } }[];
    const moved = events.filter((e) => e.recurringEventId && e.originalStartTime && Date.parse(e.originalStartTime.dateTime) !== Date.parse(e.start.dateTime));
    expect(moved.length).toBeGreaterThan(0);
    for (const e of moved) {
      const stamp = new Date(e.originalStartTime!.dateTime).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
      expect(e.id).toBe(`${e.recurringEventId}_${stamp}`);
    }
  });

  it("the command documents --size and refuses to write a year into fixtures/", () => {
    const run = (...args: string[]) => spawnSync(process.execPath, ["--import", "tsx", "packages/demo/src/generate.ts", ...args], { encoding: "utf8" });
    const help = run("--help");
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("--size <name> --out <dir>");
    for (const name of Object.keys(YEAR_SIZES)) expect(help.stdout).toContain(name);
    const refused = run("--size", "small", "--out", "fixtures");
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain("outside fixtures/");
    expect(run("--size", "small").stderr).toContain("--size needs --out");
  });

  it("replaces only a folder it wrote: one holding anything else, a file as --out and an --id leading out of --out are refused in one line, exit 2, nothing deleted (helper-245 #1)", () => {
    const run = (...args: string[]) => spawnSync(process.execPath, ["--import", "tsx", "packages/demo/src/generate.ts", ...args], { encoding: "utf8" });
    const out = mkdtempSync(join(tmpdir(), "year-keep-"));
    try {
      // A folder of the owner's where the run would write: kept, and so is the run's other folder.
      mkdirSync(join(out, "y-google"));
      writeFileSync(join(out, "y-google", "mine.txt"), "keep me");
      const kept = run("--size", "small", "--out", out, "--id", "y");
      expect(kept.status).toBe(2);
      expect(kept.stderr.trim().split("\n")).toEqual([`${join(out, "y-google")} holds files this generator did not write (mine.txt): move them, or choose another --out`]);
      expect(readFileSync(join(out, "y-google", "mine.txt"), "utf8")).toBe("keep me");
      expect(readdirSync(out)).toEqual(["y-google"]);
      // A file as --out, and an --id with a path in it.
      const file = join(out, "y-google", "mine.txt");
      expect(run("--size", "small", "--out", file).stderr.trim()).toBe(`--out ${file} is a file, not a folder`);
      for (const id of ["../escape", "a/b", ""]) {
        const r = run("--size", "small", "--out", out, "--id", id);
        expect(r.status, id).toBe(2);
        expect(r.stderr.trim().split("\n"), id).toEqual([`--id needs a folder name (letters, digits, ".", "_" and "-"), got ${JSON.stringify(id)}`]);
      }
      expect(readdirSync(join(out, ".."))).not.toContain("escape-google");
      // A file of the owner's inside a provider folder counts too (helper-246 #5).
      mkdirSync(join(out, "w-google", "google"), { recursive: true });
      writeFileSync(join(out, "w-google", "google", "notes.txt"), "keep me too");
      expect(run("--size", "small", "--out", out, "--id", "w", "--providers", "google").stderr.trim()).toBe(`${join(out, "w-google")} holds files this generator did not write (google/notes.txt): move them, or choose another --out`);
      expect(readFileSync(join(out, "w-google", "google", "notes.txt"), "utf8")).toBe("keep me too");
      // A folder a cut-short run left (its files only, no expected.json yet) is replaced.
      mkdirSync(join(out, "v-google"));
      writeFileSync(join(out, "v-google", "account.json"), "{}");
      expect(run("--size", "small", "--out", out, "--id", "v", "--providers", "google").status).toBe(0);
      // A folder it wrote is replaced on the next run, as before.
      expect(run("--size", "small", "--out", out, "--id", "z", "--providers", "google").status).toBe(0);
      expect(run("--size", "small", "--out", out, "--id", "z", "--providers", "google").status).toBe(0);
      expect(readdirSync(join(out, "z-google")).sort()).toEqual(["account.json", "expected.json", "google", "roles.json"]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
