/**
 * A draft goes to the address the person's calendar entry wrote (helper-59 finding 2): the spec
 * normalises addresses "for every comparison" (shared/spec/behaviour.md), so `Ana.Silva+Events@…` is
 * `ana.silva@…` to the rules, but a draft addressed to that comparison form drops the person's tag
 * (their filters, or a different mailbox where plus addressing is not offered), and Gmail's dots.
 * Both providers, through the sandbox with the real clients.
 */
import { describe, expect, it } from "vitest";
import { confirmMet } from "@followthrough/core/events";
import { draftFollowUp, startedDraft } from "@followthrough/core/followup";
import { runWeekly } from "@followthrough/core/weekly";
import { ownFixture } from "./support/fixtures";
import { type ScanHarness, startScanHarness } from "./support/scan-harness";

const HOUR = 3_600_000;
const people = [
  { written: "Ana.Silva+Events@Example.org", email: "ana.silva@example.org", name: "Ana Silva" },
  { written: "John.Smith+news@googlemail.com", email: "johnsmith@gmail.com", name: "John Smith" },
];

/** A meeting two days before `now` that the owner organised, with the two people on it. */
async function addMeeting(h: ScanHarness, provider: "google" | "microsoft", now: number) {
  const enc = encodeURIComponent(h.email);
  const start = new Date(now - 48 * HOUR).toISOString();
  const end = new Date(now - 47 * HOUR).toISOString();
  if (provider === "google")
    await h.control("POST", `/_control/accounts/${enc}/calendar/events`, {
      id: "addrcheck1",
      status: "confirmed",
      summary: "Partnership chat",
      organizer: { email: h.email, self: true },
      start: { dateTime: start },
      end: { dateTime: end },
      attendees: [{ email: h.email, self: true, organizer: true, responseStatus: "accepted" }, ...people.map((p) => ({ email: p.written, displayName: p.name, responseStatus: "accepted" }))],
    });
  else
    await h.control("POST", `/_control/accounts/${enc}/graph/events`, {
      id: "addrcheck1",
      subject: "Partnership chat",
      isOrganizer: true,
      responseStatus: { response: "organizer" },
      organizer: { emailAddress: { address: h.email } },
      start: { dateTime: start.replace("Z", "0000").replace(/\.\d+0000$/, ".0000000"), timeZone: "UTC" },
      end: { dateTime: end.replace("Z", "0000").replace(/\.\d+0000$/, ".0000000"), timeZone: "UTC" },
      attendees: people.map((p) => ({ type: "required", status: { response: "accepted" }, emailAddress: { address: p.written, name: p.name } })),
    });
}

/** The To addresses of the sandbox mailbox's drafts. */
async function draftRecipients(h: ScanHarness, provider: "google" | "microsoft"): Promise<string[][]> {
  const enc = encodeURIComponent(h.email);
  if (provider === "google") return (await h.control<{ recipients: string[] }[]>("GET", `/_control/accounts/${enc}/gmail/drafts`)).map((d) => d.recipients);
  return (await h.control<{ toRecipients?: { emailAddress?: { address?: string } }[] }[]>("GET", `/_control/accounts/${enc}/graph/drafts`)).map((m) => (m.toRecipients ?? []).map((r) => r.emailAddress?.address ?? ""));
}

describe.each([
  ["google", ownFixture("demo-google")],
  ["microsoft", ownFixture("demo-microsoft")],
] as const)("%s: a follow-up draft goes to the address as written", (provider, dir) => {
  it("a +tag and Gmail's dots are kept in the draft's To; the rules and the person's record keep the normalised address", async () => {
    const h = await startScanHarness({ fixture: dir, pageSize: 50 });
    try {
      const now = Date.parse(h.expected.now);
      await addMeeting(h, provider, now);
      const scanned = await h.scan(now);
      // The digest shows each the way they wrote their address; its links name the normalised one.
      const { digest, rendered } = await runWeekly({ repo: h.repo, provider: h.provider, account: h.account(), now, links: { baseUrl: "https://app.followthrough.test", key: "draft-address-link-key" }, send: false, scanned });
      for (const p of people) {
        expect(digest.missing.find((m) => m.email === p.email)).toMatchObject({ email: p.email, address: p.written });
        expect(rendered.text).toContain(`<${p.written}>`);
        expect(rendered.html).toContain(p.written);
      }
      for (const p of people) {
        const person = await h.repo.getPerson(h.email, p.email);
        expect(person, p.email).toMatchObject({ email: p.email, eventId: "addrcheck1" });
        const before = (await draftRecipients(h, provider)).length;
        const r = await draftFollowUp({ repo: h.repo, provider: h.provider, account: h.account(), person: p.email, now, waitMs: 0 });
        expect(r.status).toBe("ready");
        const after = await draftRecipients(h, provider);
        expect(after).toHaveLength(before + 1);
        // (The sandbox's control listing gives recipients lower-cased.)
        const to = after.flat().map((a) => a.toLowerCase());
        expect(to, JSON.stringify(after)).toContain(p.written.toLowerCase());
        expect(to).not.toContain(p.email);
      }
      // The owner's own draft to the tagged address counts as one to the person (compared normalised).
      const ana = await h.repo.getPerson(h.email, people[0].email);
      await h.repo.putPeople(h.email, [{ ...ana!, stage: "met" }]);
      await h.repo.delete({ pk: `ACCOUNT#${h.email.toLowerCase()}`, sk: `DRAFT#${people[0].email}` });
      expect(await startedDraft({ repo: h.repo, provider: h.provider, account: h.account(), person: people[0].email })).toBeDefined();
    } finally {
      await h.close();
    }
  });

  it("someone the owner added by hand at an event (not on its list) gets the draft at the address as typed", async () => {
    const h = await startScanHarness({ fixture: dir, pageSize: 50 });
    try {
      const now = Date.parse(h.expected.now);
      const scanned = await h.scan(now);
      const event = scanned.networkingEvents!.attended[0].eventId;
      await confirmMet(h.repo, h.account(), event, { added: [{ name: "Pat Quinn", email: "Pat.Quinn+Ldn@Example.org" }, { name: "Kai Ito", email: "kai.ito@example.org" }] }, now);
      const r = await h.scan(now + 1);
      expect(r.contacts.find((c) => c.email === "pat.quinn@example.org")).toMatchObject({ address: "Pat.Quinn+Ldn@Example.org", eventId: event });
      // Typed in the comparison form but for letter case: nothing kept beside it.
      expect(r.contacts.find((c) => c.email === "kai.ito@example.org")?.address).toBeUndefined();
      const d = await draftFollowUp({ repo: h.repo, provider: h.provider, account: h.account(), person: "pat.quinn@example.org", now: now + 1, waitMs: 0 });
      expect(d.status).toBe("ready");
      const to = (await draftRecipients(h, provider)).flat().map((a) => a.toLowerCase());
      expect(to).toContain("pat.quinn+ldn@example.org");
      expect(to).not.toContain("pat.quinn@example.org");
    } finally {
      await h.close();
    }
  });
});
