import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { infer, inStartOrder } from "../src/inference";
import { a, HOUR, meeting, NOW, OWNER, sent } from "./support/builders";

/**
 * A meeting whose times could not be read is stored without them and loads with NaN (core/storage
 * loadMeetings). Sorted among the others, it upset their start order, and a later meeting counted
 * as the first (helper-117).
 */
it("meetings without times change nothing of infer's answer, whatever their ids", () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.integer({ min: -40 * 24, max: -1 }), fc.constantFrom("ana@studio.io", "ben@gmail.com", "kim@acme.io"), fc.integer({ min: 0, max: 999 })), { minLength: 2, maxLength: 40 }),
      fc.array(fc.integer({ min: 0, max: 999 }), { minLength: 1, maxLength: 40 }),
      (ms, nans) => {
        const timed = ms.map(([h, p, k], i) => meeting({ id: `m${String(k).padStart(3, "0")}t${i}`, title: "Coffee", start: NOW + h * HOUR, end: NOW + h * HOUR + HOUR, selfResponse: "accepted", attendees: [a(p, { response: "accepted" })] }));
        const untimed = nans.map((k) => meeting({ id: `m${String(k).padStart(3, "0")}n`, title: "x", start: Number.NaN, end: Number.NaN, cancelled: true, attendees: [] }));
        const all = [...timed, ...untimed].sort((x, y) => (x.id < y.id ? 1 : -1));
        const strip = (r: ReturnType<typeof infer>) => JSON.stringify(r.contacts);
        expect(strip(infer(OWNER, all, [], NOW))).toEqual(strip(infer(OWNER, timed, [], NOW)));
      },
    ),
    { numRuns: 2000 },
  );
});

it("inStartOrder: the meetings with finite times, each once, by start, end and id, whatever meetings without times lie among them", () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined, freq: 4 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 999 })), { maxLength: 60 }),
      (ms) => {
        const meetings = ms.map(([h, d, k], i) => meeting({ id: `m${String(k).padStart(3, "0")}x${i}`, title: "x", start: h === undefined ? Number.NaN : NOW + h * HOUR, end: h === undefined ? Number.NaN : NOW + (h + d) * HOUR }));
        const out = inStartOrder(meetings);
        expect(out.map((m) => m.id).sort()).toEqual(meetings.filter((m) => Number.isFinite(m.start)).map((m) => m.id).sort());
        for (let i = 1; i < out.length; i++) {
          const [p, q] = [out[i - 1], out[i]];
          expect(p.start < q.start || (p.start === q.start && (p.end < q.end || (p.end === q.end && p.id < q.id)))).toBe(true);
        }
      },
    ),
    { numRuns: 1000 },
  );
});

describe("a meeting with one of its times unread (helper-118)", () => {
  const DAY = 24 * HOUR;
  it("an end without a start: never attended, no contact met at NaN", () => {
    const r = infer(OWNER, [meeting({ id: "half", start: Number.NaN, end: NOW - 3 * DAY, attendees: [a("ana@studio.io", { response: "accepted" })] })], [], NOW);
    expect(r.contacts).toEqual([]);
  });
  it("a start without an end: never a later meeting, so the mail after it is the follow-up", () => {
    const first = meeting({ id: "first", start: NOW - 20 * DAY, attendees: [a("ana@studio.io", { response: "accepted" })] });
    const half = meeting({ id: "half", start: NOW - 15 * DAY, end: Number.NaN, attendees: [a("ana@studio.io", { response: "accepted" })] });
    const mail = sent({ id: "mail", sentAt: NOW - 10 * DAY, to: ["ana@studio.io"] });
    const ana = infer(OWNER, [first, half], [mail], NOW).contacts.find((c) => c.email === "ana@studio.io");
    expect(ana?.eventId).toBe("first");
    expect(ana?.followedUpAt).toBe(NOW - 10 * DAY);
  });
});
