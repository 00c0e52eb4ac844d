import { it } from "vitest";
import { linkThroughReferences } from "./support/html-references";

// The adapter loads the HTML decoder (core/events/platform) for a page whose texts need it, before mapping.
it("google: a description linking lu.ma through &nbsp;, &#58; and &#46; makes a networking event; a plain one too", () => linkThroughReferences("google"));
