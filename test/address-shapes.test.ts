/**
 * Address shapes that real mailboxes contain (docs/provider-quirks.md, "Address shapes"): Exchange
 * X500 / legacy DN addresses and IMCEAEX-encapsulated ones in Graph `emailAddress.address`, entries
 * with a name and no address, `undisclosed-recipients:;` groups, and Google's `attendeesOmitted`.
 * Each mailbox is served by the sandbox and scanned through the real client libraries: none of these
 * entries is ever a contact, none crashes the scan, and the entries without an address still count
 * towards a large gathering (behaviour.md counts every non-resource entry).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startScanHarness } from "./support/scan-harness";

const NOW = "2026-05-20T12:00:00Z";
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function writeFixture(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), "ft-shapes-"));
  dirs.push(dir);
  for (const [path, value] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), JSON.stringify(value, null, 2));
  }
  return dir;
}

const X500 = "/o=ExchangeLabs/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=1c2ee2e6aada4b35ac22a42017cc6977-carl";
const IMCEAEX = "IMCEAEX-_o=ExchangeLabs_ou=Exchange+20Administrative+20Group+20+28FYDIBOHF23SPDLT+29_cn=Recipients_cn=5f1b2c-dora@namprd04.prod.outlook.com";

const graphWhen = (iso: string) => ({ dateTime: iso.replace("Z", ".0000000"), timeZone: "UTC" });
const graphPerson = (address: string | undefined, name: string, response = "accepted") => ({
  type: "required",
  status: { response, time: "2026-05-10T00:00:00Z" },
  emailAddress: address === undefined ? { name } : { name, address },
});
const graphEvent = (id: string, subject: string, start: string, end: string, attendees: unknown[]) => ({
  id,
  subject,
  isAllDay: false,
  isCancelled: false,
  isOrganizer: true,
  type: "singleInstance",
  seriesMasterId: null,
  responseStatus: { response: "organizer", time: "0001-01-01T00:00:00Z" },
  start: graphWhen(start),
  end: graphWhen(end),
  organizer: { emailAddress: { name: "Mia Owner", address: "mia@northwind.io" } },
  attendees,
});

function microsoftFixture(): string {
  const crowd = Array.from({ length: 20 }, (_, i) => graphPerson(`guest${i}@crowd${i}.org`, `Guest ${i}`));
  return writeFixture({
    "account.json": { provider: "microsoft", email: "mia@northwind.io", aliases: [], displayName: "Mia Owner", timeZone: "UTC" },
    "microsoft/inbox.json": [],
    "microsoft/sentitems.json": [
      {
        id: "sent-x500",
        subject: "Notes",
        sentDateTime: "2026-05-19T09:00:00Z",
        receivedDateTime: "2026-05-19T09:00:00Z",
        isDraft: false,
        internetMessageId: "<x500@northwind.io>",
        conversationId: "conv-x500",
        from: { emailAddress: { name: "Mia Owner", address: "mia@northwind.io" } },
        toRecipients: [{ emailAddress: { name: "Carl Colleague", address: X500 } }, { emailAddress: { name: "Dora", address: IMCEAEX } }],
        ccRecipients: [{ emailAddress: { name: "Name Only" } }, { emailAddress: { name: "Empty", address: "" } }],
        bccRecipients: [],
      },
    ],
    "microsoft/events.json": [
      // One real person beside Exchange-internal and address-less entries: only the person is met.
      graphEvent("ev-coffee", "Coffee with Bob", "2026-05-18T10:00:00Z", "2026-05-18T11:00:00Z", [
        graphPerson("bob@partner.io", "Bob Partner"),
        graphPerson(X500, "Carl Colleague"),
        graphPerson(IMCEAEX, "Dora"),
        graphPerson(undefined, "Name Only"),
        graphPerson("", "Empty Address"),
      ]),
      // 20 people and 6 entries without a usable address: 26 entries besides the owner, a large gathering.
      graphEvent("ev-summit", "Partner summit", "2026-05-17T09:00:00Z", "2026-05-17T17:00:00Z", [
        ...crowd,
        graphPerson(X500, "Carl Colleague"),
        graphPerson(IMCEAEX, "Dora"),
        graphPerson(undefined, "Name Only"),
        graphPerson("", "Empty"),
        graphPerson(`${X500}2`, "Carl Two"),
        graphPerson(IMCEAEX.replace("dora", "eve"), "Eve"),
      ]),
    ],
    "expected.json": { now: NOW, newContacts: ["bob@partner.io"], missingFollowUps: ["bob@partner.io"] },
  });
}

const gmailMessage = (id: string, at: string, headers: Record<string, string>) => ({
  id,
  threadId: id,
  labelIds: ["SENT"],
  snippet: "",
  historyId: String(1000 + Number.parseInt(id.replace(/\D/g, "") || "0", 10)),
  internalDate: String(Date.parse(at)),
  sizeEstimate: 1200,
  payload: {
    mimeType: "text/plain",
    headers: [
      { name: "From", value: "Gus Owner <gus@fernhill.io>" },
      { name: "Date", value: new Date(at).toUTCString() },
      { name: "Message-ID", value: `<${id}@fernhill.io>` },
      ...Object.entries(headers).map(([name, value]) => ({ name, value })),
    ],
  },
});
const googleWhen = (iso: string) => ({ dateTime: iso, timeZone: "UTC" });

function googleFixture(): string {
  return writeFixture({
    "account.json": { provider: "google", email: "gus@fernhill.io", aliases: [], displayName: "Gus Owner", timeZone: "UTC" },
    "google/messages.json": [
      gmailMessage("m1", "2026-05-19T09:00:00Z", { To: "undisclosed-recipients:;", Bcc: "Hal <hal@outfield.co>", Subject: "Slides" }),
      gmailMessage("m2", "2026-05-19T10:00:00Z", { To: "Just A Name", Cc: "\"Quoted, Name\" <>", Subject: "Hello" }),
    ],
    "google/events.json": [
      {
        kind: "calendar#event",
        id: "coffee1",
        status: "confirmed",
        summary: "Coffee with Ivy",
        organizer: { email: "gus@fernhill.io", self: true },
        start: googleWhen("2026-05-18T10:00:00Z"),
        end: googleWhen("2026-05-18T11:00:00Z"),
        attendees: [
          { email: "gus@fernhill.io", self: true, organizer: true, responseStatus: "accepted" },
          { email: "ivy@orchard.dev", displayName: "Ivy", responseStatus: "accepted" },
          { displayName: "Name Only", responseStatus: "accepted" },
        ],
      },
      {
        // A guest list the organiser hid: Google shows only the owner's own entry and says so.
        kind: "calendar#event",
        id: "webinar1",
        status: "confirmed",
        summary: "Growth webinar",
        organizer: { email: "host@webinars.example", displayName: "Webinar Host" },
        start: googleWhen("2026-05-18T15:00:00Z"),
        end: googleWhen("2026-05-18T16:00:00Z"),
        attendeesOmitted: true,
        attendees: [{ email: "gus@fernhill.io", self: true, responseStatus: "accepted" }],
      },
    ],
    // behaviour.md: the organiser counts as an attendee even where the list leaves them out, and
    // events.md: a hidden guest list counts only the entries it shows, so the host is met.
    "expected.json": { now: NOW, newContacts: ["host@webinars.example", "ivy@orchard.dev"], missingFollowUps: ["host@webinars.example", "ivy@orchard.dev"] },
  });
}

describe("address shapes real mailboxes contain", () => {
  for (const [name, make] of [
    ["microsoft", microsoftFixture],
    ["google", googleFixture],
  ] as const) {
    it(`${name}: X500, IMCEAEX, name-only, empty and undisclosed entries are never contacts; the scan completes`, async () => {
      const h = await startScanHarness({ fixture: make() });
      try {
        const r = await h.scan(Date.parse(NOW));
        expect(r.newContacts.map((c) => c.email).sort()).toEqual([...h.expected.newContacts].sort());
        expect(r.missingFollowUps.map((c) => c.email).sort()).toEqual([...h.expected.missingFollowUps].sort());
        const everyone = r.contacts.map((c) => c.email);
        for (const e of everyone) expect(e).toMatch(/^[^/\s@]+@[a-z0-9.-]+$/);
        expect(everyone.some((e) => e.startsWith("imcea"))).toBe(false);
        const messages = await h.repo.loadMessages(h.email);
        for (const m of messages) for (const p of m.recipients) expect(p.email).not.toMatch(/^imcea|^\//);
      } finally {
        await h.close();
      }
    });
  }
});
