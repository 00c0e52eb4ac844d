/** The digest's numbers mean what they say (issue 10): activity uncoloured, the rate with its denominator. */
import { describe, expect, it } from "vitest";
import type { DigestData } from "../src/digest/model";
import { metricRows, metricsSummary } from "../src/digest/render-format";

const metric = (value: number, previous: number) => ({ value, previous });
const digest = (over: Partial<DigestData> = {}): DigestData => ({
  owner: { email: "o@example.com", name: "Owner", firstName: "Owner", timeZone: "UTC" },
  week: "2026-W22",
  range: "the 7 days to 27 May 2026",
  generatedAt: "2026-05-27T08:00:00Z",
  metrics: { meetingsAttended: metric(12, 4), newPeopleMet: metric(2, 9), followUpsSent: metric(6, 2), followUpRate: metric(0.7, 0.5), secondMeetings: metric(1, 0), hoursAtMeetingsAndEvents: metric(3, 3) },
  rateBasis: { followed: 7, eligible: 10, fromDays: 1, toDays: 30 },
  missing: [],
  newPeople: [],
  wins: [],
  quiet: false,
  settingsUrl: "https://x/l/settings/t",
  pauseUrl: "https://x/l/pause/t",
  webUrl: "https://x/l/view/t",
  events: { upcoming: [], attended: [], eventsUrl: "https://x/l/events/t" },
  ...over,
});

describe("digest numbers", () => {
  it("more meetings and fewer new people are activity: shown, never green or red", () => {
    const rows = Object.fromEntries(metricRows(digest()).map((r) => [r.key, r]));
    expect(rows.meetingsAttended.trend).toBe("same");
    expect(rows.newPeopleMet.trend).toBe("same");
    expect(rows.followUpsSent.trend).toBe("up");
    expect(rows.followUpRate.trend).toBe("up");
  });

  it("hours at meetings and events sit beside the counts as activity, uncoloured", () => {
    const d = digest();
    d.metrics.hoursAtMeetingsAndEvents = { value: 9.5, previous: 4 };
    const hours = metricRows(d).find((r) => r.key === "hoursAtMeetingsAndEvents")!;
    expect(hours).toMatchObject({ label: "Hours at meetings & events", value: "9.5", delta: "▲ 5.5 h from last week", trend: "same" });
  });

  it("the rate says what it is a share of", () => {
    expect(metricsSummary(digest())).toBe("12 meetings → 2 new people this week. Of the 10 people you met 1–30 days ago, 7 have been followed up (70%).");
    expect(metricsSummary(digest({ rateBasis: { followed: 0, eligible: 0, fromDays: 1, toDays: 30 } }))).toContain("Nobody you met 1–30 days ago is waiting.");
  });
});
