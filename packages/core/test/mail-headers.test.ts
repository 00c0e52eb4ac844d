/** Draft and digest headers carry names and subjects as the reader must see them, never more. */
import PostalMime from "postal-mime";
import { describe, expect, it } from "vitest";
import { loadComposer } from "../src/composer";
import { buildMime } from "../src/mail";

const parse = async (m: Parameters<typeof buildMime>[0]) => {
  const raw = await buildMime(m, loadComposer);
  const head = raw.toString("latin1").split("\r\n\r\n")[0];
  return { head, mail: await PostalMime.parse(raw) };
};
const base = { from: { name: "Owner", address: "owner@x.io" }, text: "Hi" };

describe("buildMime headers", () => {
  it("a name or subject that looks like an encoded word reaches the reader literally, not decoded into something else", async () => {
    const { head, mail } = await parse({ ...base, to: [{ name: "=?utf-8?B?ZXZpbA==?=", address: "s@x.io" }], subject: "Great to meet you, =?utf-8?Q?evil?=" });
    expect(mail.to?.[0].name).toBe("=?utf-8?B?ZXZpbA==?=");
    expect(mail.subject).toBe("Great to meet you, =?utf-8?Q?evil?=");
    // The lookalike never stands in the header as it was written.
    expect(head).not.toContain("=?utf-8?B?ZXZpbA==?=");
    expect(head).not.toContain("=?utf-8?Q?evil?=");
  });

  it("a name that looks like an encoded word is written as encoded words, never inside a quoted string, where they are not ones (RFC 2047 5(3); helper-173 #1, #2)", async () => {
    for (const name of ["=?utf-8?q?x?=", "=?utf-8?B?ZXZpbA==?=", "Ana =?utf-8?q?evil?= Lima", "Zo\u00e9 =?utf-8?q?x?=", "=?utf 8?q?x?=", "=?UTF-8?Q?=C3=A9?="]) {
      const { head, mail } = await parse({ ...base, to: [{ name, address: "s@x.io" }], subject: "Hi" });
      expect(mail.to?.[0].name, name).toBe(name);
      // The To field, unfolded: no quoted string holding an encoded word or a lookalike.
      const to = /^To: (.*(?:\r\n[ \t].*)*)/m.exec(head)![1].replace(/\r\n[ \t]/g, " ");
      expect(to, name).not.toMatch(/"[^"]*=\?/);
      expect(to, name).toMatch(/^=\?UTF-8\?Q\?/);
    }
  });

  it("control and bidi characters never reach a header; line breaks cannot add one", async () => {
    const { head, mail } = await parse({
      ...base,
      to: [{ name: "Sofia \u202eevil\u202c", address: "s@x.io" }],
      subject: "Hello\r\nBcc: all@x.io \u2066x\u2069",
      headers: { "X-Note": "a\r\nInjected: yes" },
    });
    expect(mail.to?.[0].name).toBe("Sofia evil");
    expect(mail.subject).toBe("Hello Bcc: all@x.io x");
    expect(head).not.toMatch(/^Bcc:/m);
    expect(head).not.toMatch(/^Injected:/m);
    expect(JSON.stringify(mail.headers)).not.toMatch(/\\u202e|\\u2066|\u202e|\u2066/);
  });

  it("ordinary names and subjects stay as they are", async () => {
    const { mail } = await parse({ ...base, to: [{ name: "Osei, Daniel", address: "d@x.io" }], subject: "Re: Café = ? fine" });
    expect(mail.to?.[0].name).toBe("Osei, Daniel");
    expect(mail.subject).toBe("Re: Café = ? fine");
  });
});

describe("composeFollowUp", () => {
  it("drops control and bidi characters of a stored name and title from the draft's To, subject and body", async () => {
    const { composeFollowUp } = await import("../src/followup");
    const account = { provider: "google", email: "o@x.io", aliases: [], timeZone: "UTC", clientId: "c", refreshTokenSealed: "", status: "active", connectedAt: 0, displayName: "Owner Person" } as never;
    const d = composeFollowUp(account, { email: "s@x.io", name: "So\u202efia\u0007", eventId: "e", eventTitle: "Demo\u2066 day\r\nBcc: x", metAt: 0, metEnd: 0, stage: "met" });
    expect(d.to.name).toBe("Sofia");
    expect(d.subject).toBe("Great to meet you, Sofia");
    expect(d.text).toContain("Demo day Bcc: x");
    expect(`${d.to.name}${d.subject}${d.text}`).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u202a-\u202e\u2066-\u2069]/);
  });
});
