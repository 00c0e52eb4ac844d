/** core/model ownMeetingsZone: the zone most of the owner's own meetings were made in, each series once. */
import { describe, expect, it } from "vitest";
import { type Meeting, ownMeetingsZone } from "../src/model";

const meeting = (id: string, zone: string | undefined, o: Partial<Meeting> = {}): Meeting => ({
  id, title: id, start: 0, end: 1, allDay: false, cancelled: false, kind: "default", organizerSelf: true, attendees: [], ...(zone ? { zone } : {}), ...o,
});

describe("ownMeetingsZone", () => {
  it("the most common zone among the owner's own, a series counted once, others' and cancelled ones not at all", () => {
    const daily = Array.from({ length: 30 }, (_, i) => meeting(`d${i}`, "America/New_York", { seriesId: "standup" }));
    const own = [meeting("a", "Europe/Berlin"), meeting("b", "Europe/Berlin"), ...daily];
    expect(ownMeetingsZone(own)).toBe("Europe/Berlin");
    const theirs = ["x", "y", "z"].map((id) => meeting(id, "Asia/Tokyo", { organizerSelf: false }));
    const cancelled = ["p", "q"].map((id) => meeting(id, "Asia/Tokyo", { cancelled: true }));
    expect(ownMeetingsZone([...own, ...theirs, ...cancelled])).toBe("Europe/Berlin");
  });

  it("none where two zones tie or no meeting names one", () => {
    expect(ownMeetingsZone([meeting("a", "Europe/Berlin"), meeting("b", "Asia/Tokyo")])).toBeUndefined();
    expect(ownMeetingsZone([meeting("a", undefined), meeting("b", undefined)])).toBeUndefined();
    expect(ownMeetingsZone([])).toBeUndefined();
  });
});
