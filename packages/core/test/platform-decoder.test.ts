/**
 * core/events/platform loads its HTML decoder only where a text holds a character reference (`&`
 * then a letter or `#`): the adapters await platformTextsReady over a page's texts before mapping.
 * The module is imported afresh here (vi.resetModules): test files share a fork's modules
 * (vitest.config.ts isolate: false), and another file may have loaded the decoder already.
 */
import { describe, expect, it, vi } from "vitest";

describe("the HTML decoder, loaded on need", () => {
  it("a text without a reference is read without it; one with a reference needs it loaded first; texts without one do not load it", async () => {
    vi.resetModules();
    const { platformOfText, platformTextsReady } = await import("../src/events/platform");
    expect(platformOfText("The Craft & Co, lu.ma/plain")).toBe("luma");
    expect(platformOfText("Tickets & drinks: https://www.eventbrite.com/e/123")).toBe("eventbrite");
    expect(() => platformOfText("RSVP: lu&#46;ma/x")).toThrow(/platformTextsReady/);
    await platformTextsReady(["Fish & chips", "no link", null, undefined, "A && B", "&"]);
    expect(() => platformOfText("<p>lu&period;ma/x</p>")).toThrow(/platformTextsReady/);
    await platformTextsReady(["plain", "RSVP: lu&#46;ma/x"]);
    expect(platformOfText("RSVP: lu&#46;ma/x")).toBe("luma");
    expect(platformOfText("<p>lu&period;ma/x</p>")).toBe("luma");
  });
});
