import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkMailbox } from "../src/check.ts";
import { MAILBOXES, defaultOutDir, generateAll } from "../src/generate.ts";

const norm = (a: string) => {
  let [local, domain] = a.trim().toLowerCase().split("@");
  local = local.split("+")[0];
  if (domain === "googlemail.com") domain = "gmail.com";
  if (domain === "gmail.com") local = local.replace(/\./g, "");
  return `${local}@${domain}`;
};
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : [join(dir, n)]));
const json = (f: string) => JSON.parse(readFileSync(f, "utf8"));

let a: string;
let b: string;
beforeAll(() => {
  a = mkdtempSync(join(tmpdir(), "demo-fixtures-a-"));
  b = mkdtempSync(join(tmpdir(), "demo-fixtures-b-"));
  generateAll(a);
  generateAll(b);
});
afterAll(() => {
  rmSync(a, { recursive: true, force: true });
  rmSync(b, { recursive: true, force: true });
});

describe("demo fixture generator", () => {
  it("is deterministic: two runs write identical bytes", () => {
    const list = files(a).map((f) => relative(a, f)).sort();
    expect(list).toEqual(files(b).map((f) => relative(b, f)).sort());
    for (const f of list) expect(readFileSync(join(b, f)).equals(readFileSync(join(a, f))), f).toBe(true);
  });

  it("matches the committed fixtures byte for byte", () => {
    for (const mailbox of MAILBOXES) {
      const fresh = files(join(a, mailbox)).map((f) => relative(a, f)).sort();
      const committed = files(join(defaultOutDir, mailbox)).map((f) => relative(defaultOutDir, f)).sort();
      expect(committed).toEqual(fresh);
      for (const f of fresh)
        expect(readFileSync(join(defaultOutDir, f)).equals(readFileSync(join(a, f))), `${f} is stale: re-run the generator`).toBe(true);
    }
  });
});

describe.each(MAILBOXES)("%s", (mailbox) => {
  const dir = () => join(a, mailbox);

  it("every file parses and the layout fits the provider", () => {
    for (const f of files(dir())) expect(() => json(f), f).not.toThrow();
    const account = json(join(dir(), "account.json"));
    const want = account.provider === "google"
      ? ["google/events.json", "google/messages.json"]
      : ["microsoft/events.json", "microsoft/inbox.json", "microsoft/sentitems.json"];
    const have = files(dir()).map((f) => relative(dir(), f));
    for (const w of want) expect(have).toContain(w);
  });

  it("core's rules give exactly the labelled lists, networking events included (events.md)", async () => {
    const c = await checkMailbox(dir());
    expect(c.got).toEqual(c.want);
    expect(c.want.upcomingEvents?.length).toBe(4);
    expect(c.want.attendedEvents?.length).toBe(3);
  });

  it("has unique ids, sizes in range and ordered history", () => {
    const account = json(join(dir(), "account.json"));
    let events: { id: string }[];
    let messages: { id: string }[];
    if (account.provider === "google") {
      events = json(join(dir(), "google/events.json"));
      const gm: { id: string; historyId: string; internalDate: string }[] = json(join(dir(), "google/messages.json"));
      messages = gm;
      const byTime = [...gm].sort((x, y) => Number(x.internalDate) - Number(y.internalDate));
      for (let i = 1; i < byTime.length; i++) expect(BigInt(byTime[i].historyId) > BigInt(byTime[i - 1].historyId)).toBe(true);
    } else {
      events = json(join(dir(), "microsoft/events.json"));
      messages = [...json(join(dir(), "microsoft/inbox.json")), ...json(join(dir(), "microsoft/sentitems.json"))];
    }
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    expect(new Set(messages.map((m) => m.id)).size).toBe(messages.length);
    expect(events.length).toBeGreaterThanOrEqual(40);
    expect(events.length).toBeLessThanOrEqual(72);
    expect(messages.length).toBeGreaterThanOrEqual(60);
    expect(messages.length).toBeLessThanOrEqual(100);
  });

  it("expected addresses appear as attendees or organisers, and roles explain them", () => {
    const account = json(join(dir(), "account.json"));
    const expected = json(join(dir(), "expected.json"));
    const seen = new Set<string>();
    if (account.provider === "google") {
      for (const e of json(join(dir(), "google/events.json"))) {
        for (const x of e.attendees ?? []) seen.add(norm(x.email));
        if (e.organizer) seen.add(norm(e.organizer.email));
      }
    } else {
      for (const e of json(join(dir(), "microsoft/events.json"))) {
        for (const x of e.attendees) seen.add(norm(x.emailAddress.address));
        seen.add(norm(e.organizer.emailAddress.address));
      }
    }
    expect(expected.newContacts.length).toBeGreaterThanOrEqual(6);
    expect(expected.missingFollowUps.length).toBeGreaterThanOrEqual(4);
    const roles: { email: string; expected: string[] }[] = json(join(dir(), "roles.json"));
    for (const addr of [...expected.newContacts, ...expected.missingFollowUps]) {
      expect(seen.has(norm(addr)), `${addr} is in no event`).toBe(true);
      expect(roles.some((r) => norm(r.email) === norm(addr) && r.expected.length > 0), `${addr} has no role`).toBe(true);
    }
    expect(Date.parse(expected.now)).not.toBeNaN();
  });
});
