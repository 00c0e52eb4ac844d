/**
 * An event-page link written with HTML character references, read through one provider's adapter
 * (test/html-references-*.test.ts: one file each, since the decoder, once loaded, stays loaded in a
 * file's module graph and would hide the other adapter's load).
 */
import { expect } from "vitest";
import { ownFixture } from "./fixtures";
import { startScanHarness } from "./scan-harness";

const HOUR = 3_600_000;

/** Scans the provider's demo mailbox with two upcoming events, one linking lu.ma only once decoded, one in plain text; both must be networking events. */
export async function linkThroughReferences(provider: "google" | "microsoft"): Promise<void> {
  const h = await startScanHarness({ fixture: ownFixture(`demo-${provider}`), pageSize: 50 });
  try {
    const now = Date.parse(h.expected.now);
    const enc = encodeURIComponent(h.email);
    // lu&#46;ma is lu.ma only decoded; the plain text's "& " is no reference, and needs no decoder.
    const encoded = "<p>RSVP:&nbsp;https&#58;//lu&#46;ma/encoded-secret&nbsp;</p>";
    const plain = "The Craft & Co, lu.ma/plain-secret";
    if (provider === "google") {
      const at = (ms: number) => new Date(ms).toISOString();
      const ev = (id: string, hours: number, description: string) => ({
        id, status: "confirmed", summary: "Thursday drinks", description, organizer: { email: "host@venue.example" },
        attendees: [{ email: h.email, self: true, responseStatus: "accepted" }], start: { dateTime: at(now + hours * HOUR) }, end: { dateTime: at(now + (hours + 2) * HOUR) },
      });
      await h.control("POST", `/_control/accounts/${enc}/calendar/events`, [ev("encodedlink001", 24, encoded), ev("plainlink001", 30, plain)]);
    } else {
      const at = (ms: number) => ({ dateTime: new Date(ms).toISOString().replace("Z", "0000"), timeZone: "UTC" });
      const ev = (id: string, hours: number, bodyPreview: string) => ({
        id, subject: "Thursday drinks", bodyPreview, isOrganizer: false, responseStatus: { response: "accepted" },
        organizer: { emailAddress: { address: "host@venue.example", name: "Host" } }, attendees: [], start: at(now + hours * HOUR), end: at(now + (hours + 2) * HOUR),
      });
      await h.control("POST", `/_control/accounts/${enc}/graph/events`, [ev("encodedlink001", 24, encoded), ev("plainlink001", 30, plain)]);
    }
    const r = await h.scan(now);
    const upcoming = r.networkingEvents?.upcoming ?? [];
    expect(upcoming.filter((e) => e.eventId.endsWith("link001")).map((e) => [e.eventId, e.reason]).sort()).toEqual([["encodedlink001", "platform"], ["plainlink001", "platform"]]);
    expect(JSON.stringify(await h.tableSnapshot())).not.toContain("secret");
  } finally {
    await h.close();
  }
}
