import { expect, it } from "vitest";
import { DAY } from "@followthrough/core/time";
import { ownFixture } from "./support/fixtures";
import { startScanHarness } from "./support/scan-harness";

it("Outlook: the calendar view window bound to the delta link is renewed before it runs out", async () => {
  const h = await startScanHarness({ fixture: ownFixture("demo-microsoft") });
  try {
    const now = Date.parse(h.expected.now);
    const first = await h.scan(now);
    expect(first.streams.calendar.mode).toBe("full");
    const cursor = await h.repo.getCursor(h.email, "calendar");
    expect(cursor?.until).toBe(now + 365 * DAY);
    // A month later the window still reaches far enough: incremental.
    expect((await h.scan(now + 30 * DAY)).streams.calendar).toMatchObject({ mode: "incremental", recoveries: 0 });
    // Seven months later it would end within half a year: a new full round under a new window.
    const later = now + 210 * DAY;
    const renewed = await h.scan(later);
    expect(renewed.streams.calendar).toMatchObject({ mode: "full", recoveries: 1 });
    expect((await h.repo.getCursor(h.email, "calendar"))?.until).toBe(later + 365 * DAY);
    expect((await h.scan(later)).streams.calendar).toMatchObject({ mode: "incremental", recoveries: 0 });
  } finally {
    await h.close();
  }
});
