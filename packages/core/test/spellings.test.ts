import { describe, expect, it } from "vitest";
import { refoldStored } from "../src/scan/spellings";
import { sent } from "./support/builders";

describe("refoldStored: mail stored before an internationalised domain had one spelling", () => {
  it("writes a stored ASCII form as today's comparison form, and leaves every other message as it is", () => {
    const old = sent({ from: "owner@xn--bckerei-5wa.de", to: ["jonas@xn--bckerei-5wa.de", "ana@x.io"] });
    const current = sent({ to: ["jonas@bäckerei.de"] });
    const bad = sent({ to: ["ana@xn--a.de"] });
    const wide = sent({ to: ["ana@ａｃｍｅ.io"] });
    const [folded, same, kept, narrowed] = refoldStored([old, current, bad, wide]);
    expect(narrowed.recipients.map((r) => r.email)).toEqual(["ana@acme.io"]);
    expect(folded).toMatchObject({ from: "owner@bäckerei.de" });
    expect(folded.recipients.map((r) => r.email)).toEqual(["jonas@bäckerei.de", "ana@x.io"]);
    expect(same).toBe(current);
    expect(kept).toBe(bad);
  });
});
