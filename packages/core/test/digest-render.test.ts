import { describe, expect, it } from "vitest";
import type { DigestData } from "../src/digest/model";
import { render as renderWithReactEmail } from "@react-email/render";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { DigestEmail } from "../src/digest/email/DigestEmail";
import { EMAIL_HTML_BUDGET, EMAIL_LIST_MAX, EMAIL_LIST_STEPS, quotedPrintableBytes, renderDigest, XHTML_DOCTYPE } from "../src/digest/render";
import { composeMime } from "../src/mail/compose";
import { cleanText, preheaderFor, safeUrl, subjectFor } from "../src/digest/render-format";
import { digestFixture as fixture, followUp, person } from "./support/digest-fixture";
import type { AccountRecord } from "../src/accounts";
import { buildDigest } from "../src/digest/build";
import { OWNER } from "./support/builders";

function quietFixture(): DigestData {
  const d = fixture();
  return {
    ...d,
    metrics: {
      meetingsAttended: { value: 2, previous: 6 },
      newPeopleMet: { value: 0, previous: 3 },
      followUpsSent: { value: 0, previous: 2 },
      followUpRate: { value: 1, previous: 0.8 },
      secondMeetings: { value: 0, previous: 0 },
      hoursAtMeetingsAndEvents: { value: 2, previous: 6 },
    },
    missing: [],
    newPeople: [],
    wins: [],
    quiet: true,
  };
}

/** What an HTML attribute value looks like after React escaping of `&`. */
const attr = (u: string) => u.replace(/&/g, "&amp;");

/** Text content of the HTML, roughly: tags dropped, entities for & < > " ' decoded. */
function visibleText(html: string): string {
  return html
    .replace(/<style[\s\S]*?<\/style>/g, "")
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/<[^>]+>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&amp;/g, "&");
}

describe("renderDigest", () => {
  it("writes the HTML React Email's render() writes, less React's hydration markers (static markup under its XHTML doctype)", async () => {
    const hostile = fixture();
    hostile.owner.firstName = "<img src=x onerror=alert(1)>";
    hostile.missing = [followUp("x1", { email: "x1@evil.test", name: "<script>alert(1)</script>", eventTitle: '"quoted" & <b>bold</b>', draftUrl: "javascript:alert(1)" })];
    const quiet = fixture();
    quiet.missing = [];
    quiet.newPeople = [];
    quiet.wins = [];
    quiet.quiet = true;
    for (const d of [fixture(), hostile, quiet]) {
      const ours = await renderDigest(d);
      const theirs = await renderWithReactEmail(createElement(DigestEmail, { d, subject: subjectFor(d), preheader: preheaderFor(d) }));
      expect(ours.html.startsWith(XHTML_DOCTYPE)).toBe(true);
      // The streaming renderer marks its Suspense boundary (<!--$--> … <!--/$-->), the hoisted
      // <html>, <head> and <body> and every boundary between adjacent texts (<!-- -->) for a browser
      // to hydrate; an email is never hydrated. Apart from those comments, the same bytes.
      const markers = /<!--(\$|\/\$|html|head|body| )-->/g;
      expect(theirs).toMatch(markers);
      expect(ours.html).not.toMatch(markers);
      expect(ours.html).toBe(theirs.replace(markers, ""));
    }
  });

  it("writes a one-line subject and preheader", async () => {
    const r = await renderDigest(fixture());
    expect(r.subject).toBe("Your week: 3 follow-ups waiting");
    expect(r.preheader).toContain("Follow up with Ana Souza, Ben Ito and 1 more");
    expect(r.preheader).toContain("12 meetings");
    // named as the rate it is (of everyone met 1 to 30 days ago), not read as a share of the new people
    expect(r.preheader).toContain("follow-up rate 60%");
    expect(r.preheader).not.toContain("60% followed up");
    expect(r.subject).not.toMatch(/[\r\n]/);
    expect(r.preheader).not.toMatch(/[\r\n]/);
    // the preheader is hidden text at the top of the body
    expect(visibleText(r.html)).toContain(r.preheader);

    const one = fixture();
    one.missing = one.missing.slice(0, 1);
    expect((await renderDigest(one)).subject).toBe("Your week: 1 follow-up waiting");
  });

  it("shows every missing follow-up with its draft and dismiss links, in HTML and text", async () => {
    const d = fixture();
    const { html, text } = await renderDigest(d);
    const seen = visibleText(html);
    for (const f of d.missing) {
      const name = f.name || f.email;
      expect(seen).toContain(name);
      expect(text).toContain(name);
      expect(seen).toContain(f.eventTitle);
      expect(text).toContain(f.eventTitle);
      expect(seen).toContain(f.metOn);
      expect(text).toContain(f.metOn);
      expect(seen).toContain(`met at ${f.eventTitle} on ${f.metOn}, ${f.daysAgo} days ago`);
      expect(text).toContain(`met at ${f.eventTitle} on ${f.metOn}, ${f.daysAgo} days ago`);
      expect(html).toContain(`href="${attr(f.draftUrl)}"`);
      expect(html).toContain(`href="${attr(f.dismissUrl)}"`);
      expect(text).toContain(f.draftUrl);
      expect(text).toContain(f.dismissUrl);
    }
    // one button per item; a drafted one opens the draft
    expect(seen.match(/Draft follow-up/g)).toHaveLength(2);
    expect(seen.match(/Open draft/g)).toHaveLength(1);
    expect(seen.match(/No follow-up needed/g)).toHaveLength(3);
    expect(text).toContain(`Open draft: ${d.missing[1].draftUrl}`);
    expect(text).toContain(`No follow-up needed: ${d.missing[0].dismissUrl}`);
    // big tap target for the button
    expect(html).toMatch(/padding:14px 22px/);
  });

  it("shows the metrics with their change from last week", async () => {
    const { html, text } = await renderDigest(fixture());
    const seen = visibleText(html);
    for (const out of [seen, text]) {
      expect(out).toMatch(/activity against productivity/i);
      expect(out).toContain("Meetings attended");
      expect(out).toContain("▲ 2 from last week"); // meetings 10 → 12
      expect(out).toContain("same as last week"); // new people 5 → 5
      expect(out).toContain("▼ 1 from last week"); // follow-ups 4 → 3
      expect(out).toContain("60%");
      expect(out).toContain("▲ 10 points from last week"); // rate 50% → 60%
      expect(out).toContain("Second meetings");
      expect(out).toContain("▲ 1 from last week"); // 0 → 1
      // The sentence above the numbers in both parts (helper-240 #9).
      expect(out.indexOf("12 meetings → 5 new people")).toBeGreaterThan(-1);
      expect(out.indexOf("12 meetings → 5 new people")).toBeLessThan(out.indexOf("Meetings attended"));
    }
    expect(text).toContain("Meetings attended: 12 (▲ 2 from last week)");
    expect(text).toContain("Follow-up rate: 60% (▲ 10 points from last week)");
  });

  it("greets with the rolling week as one week, the 7 days to the send day: not \"30 Nov \u2013 7 Dec\", eight dates", async () => {
    // Monday 7 Dec 2026, 08:00 in London: the digest's week is the 7 x 24 hours before (behaviour.md),
    // from Monday 30 Nov at 08:00.
    const now = Date.UTC(2026, 11, 7, 8, 0);
    const account = { ...OWNER, timeZone: "Europe/London", displayName: "Olga Wner", provider: "google", clientId: "c", refreshTokenSealed: "x", status: "active", connectedAt: 0 } as AccountRecord;
    const d = buildDigest({ account, meetings: [], messages: [], people: [], now, links: { baseUrl: "https://app.followthrough.test", key: "digest-week-key" } });
    expect(d.range).toBe("the 7 days to 7 Dec 2026");
    const { html, text } = await renderDigest(d);
    expect(text.split("\n")[0]).toBe("Hi Olga, here's your week: the 7 days to 7 Dec 2026.");
    expect(visibleText(html)).toContain("Hi Olga, here's your week: the 7 days to 7 Dec 2026.");
    expect(text).not.toContain("30 Nov");
  });

  it("lists new people and wins, and the footer with its links and privacy line", async () => {
    const d = fixture();
    const { html, text } = await renderDigest(d);
    const seen = visibleText(html);
    expect(seen).toContain("Hi Maya, here's your week: the 7 days to 20 Apr 2026.");
    expect(text.split("\n")[0]).toBe("Hi Maya, here's your week: the 7 days to 20 Apr 2026.");
    for (const out of [seen, text]) {
      expect(out).toContain("Also new this week (2)");
      // Not "New people this week": the metrics count every new person, and this list only those in neither list above (helper-104 #9).
      expect(out).not.toContain("New people this week");
      expect(out).toContain("Dan North");
      expect(out).toContain("Founders breakfast");
      expect(out).toContain("Followed up");
      expect(out).toContain("Fay West");
      expect(out).toContain("Lunch & learn");
      // Where they were met, then how they were followed up (helper-240 #6).
      expect(out).toMatch(/Lunch & learn on Mon 13 Apr, 6 days ago — you wrote to them/);
      expect(out).toMatch(/Kickoff on Tue 7 Apr, 13 days ago — you met again/);
      expect(out).toContain("Digest settings");
      expect(out).toContain("Pause these digests");
      expect(out).toContain("View in browser");
      expect(out).toMatch(/reads only calendar details and message headers.*never message bodies/);
    }
    for (const u of [d.settingsUrl, d.pauseUrl, d.webUrl]) {
      expect(html).toContain(`href="${attr(u)}"`);
      expect(text).toContain(u);
    }
    // plain text is text, not markup
    expect(text).not.toMatch(/<\/?(table|td|div|p|a)\b/);
  });

  it("is email-client friendly: viewport, color-scheme, 600px single column", async () => {
    const { html } = await renderDigest(fixture());
    expect(html).toMatch(/<meta name="viewport" content="width=device-width, initial-scale=1"/);
    expect(html).toMatch(/<meta name="color-scheme" content="light dark"/);
    expect(html).toMatch(/<meta name="supported-color-schemes" content="light dark"/);
    expect(html).toContain("prefers-color-scheme: dark");
    expect(html).toContain("max-width:600px");
    expect(html).toContain('role="presentation"');
    expect(html).not.toContain("dangerouslySetInnerHTML");
  });

  it("nothing waiting: 'all caught up' only when nobody new is still unwritten to; else 'nothing overdue yet' (helper-240 #3)", async () => {
    const none = { ...fixture(), missing: [] };
    const caughtUp = await renderDigest({ ...none, newPeople: [] });
    const overdueYet = await renderDigest(none);
    expect(caughtUp.subject).toBe("Your week: all caught up");
    expect(overdueYet.subject).toBe("Your week: nothing overdue yet");
    for (const out of [visibleText(caughtUp.html), caughtUp.text]) {
      expect(out).toContain("you're all caught up");
      expect(out).not.toContain("Nothing overdue yet");
    }
    for (const out of [visibleText(overdueYet.html), overdueYet.text]) {
      expect(out).not.toContain("all caught up");
      expect(out).toContain("Nothing overdue yet. If someone under “Also new this week” still hasn't heard from you by next week");
      expect(out).toContain("Also new this week (2)");
    }
    // New people each with a meeting with them still ahead are followed up: all caught up, and their line says when (helper-242 #2).
    const booked = await renderDigest({ ...none, newPeople: none.newPeople.map((p) => ({ ...p, meetsAgainOn: "Fri 24 Apr" })) });
    expect(booked.subject).toBe("Your week: all caught up");
    for (const out of [visibleText(booked.html), booked.text]) {
      expect(out).toContain("you're all caught up");
      expect(out).toMatch(/Founders breakfast on Wed 15 Apr, 5 days ago; you meet again on Fri 24 Apr/);
    }
  });

  it("one x-apple-disable-message-reformatting (React Email's Head writes it), and the text's signature delimiter is '-- ' (helper-240 #9)", async () => {
    const r = await renderDigest(fixture());
    expect(r.html.match(/x-apple-disable-message-reformatting/g)).toHaveLength(1);
    expect(r.text).toMatch(/\n-- \n/);
  });

  it("renders a quiet week as a short honest note, still with metrics and footer", async () => {
    const d = quietFixture();
    const r = await renderDigest(d);
    const full = await renderDigest(fixture());
    expect(r.subject).toBe("A quiet week — nothing waiting");
    expect(r.preheader).toMatch(/^No new people and nothing waiting/);
    const seen = visibleText(r.html);
    for (const out of [seen, r.text]) {
      expect(out).toContain("No new people and nothing waiting this week.");
      expect(out).toContain("Meetings attended");
      expect(out).toContain("▼ 4 from last week");
      expect(out).toContain("Digest settings");
      expect(out).toContain("Pause these digests");
      expect(out).toContain("View in browser");
      expect(out).not.toContain("Waiting for a follow-up");
      expect(out).not.toContain("Also new this week");
    }
    for (const u of [d.settingsUrl, d.pauseUrl, d.webUrl]) {
      expect(r.html).toContain(`href="${attr(u)}"`);
      expect(r.text).toContain(u);
    }
    expect(r.text.length).toBeLessThan(full.text.length * 0.7);
    expect(r.text.trim().split("\n").length).toBeGreaterThan(5);
    expect(r.html.length).toBeLessThan(full.html.length);
  });

  it("renders hostile provider text inert", async () => {
    const d = fixture();
    d.owner.firstName = "<img src=x onerror=alert(1)>";
    d.missing = [
      followUp("x1", { email: "x1@evil.test", name: "<script>alert(1)</script>", eventTitle: '"quoted" & <b>bold</b>' }),
      followUp("x2", { email: "x2@evil.test", name: "Robert'); DROP TABLE people;--", eventTitle: "</td></tr></table><a href=javascript:alert(1)>x</a>" }),
      followUp("x3", { email: "x3@evil.test", name: "Mallory\r\nBcc: evil@x.com", eventTitle: "Sync\r\nX-Injected: 1" }),
      followUp("x4", { email: "x4@evil.test", name: "Zed", draftUrl: "javascript:alert(document.cookie)", dismissUrl: " JaVaScRiPt:alert(2)" }),
      followUp("x5", { email: "x5@evil.test", name: "Yan", draftUrl: "java\nscript:alert(3)", dismissUrl: "data:text/html,<script>alert(4)</script>" }),
    ];
    d.newPeople = [person({ email: "n@evil.test", name: "<b>bold</b>", eventTitle: "<script>alert(2)</script>" })];
    const r = await renderDigest(d);

    // no tags from data survive as markup
    expect(r.html).not.toMatch(/<script/i);
    expect(r.html).not.toMatch(/<b>/i);
    expect(r.html).not.toMatch(/<img/i);
    expect(r.html).not.toMatch(/<[^>]*\sonerror=/i);
    expect(r.html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(r.html).toContain("&lt;b&gt;bold&lt;/b&gt;");
    expect(visibleText(r.html)).toContain('"quoted" & <b>bold</b>');
    expect(visibleText(r.html)).toContain("Robert'); DROP TABLE people;--");
    // the injected table-closing title does not close our tables
    expect(r.html).toContain("&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;");

    // no header injection: one-line subject/preheader, and the name is one line in the text part
    expect(r.subject).not.toMatch(/[\r\n]/);
    expect(r.preheader).not.toMatch(/[\r\n]/);
    expect(r.text).not.toMatch(/\r/);
    expect(r.text).not.toMatch(/^Bcc:/m);
    expect(r.text).not.toMatch(/^X-Injected:/m);
    expect(r.text).toContain("Mallory Bcc: evil@x.com");

    // no javascript:/data: URL in any href, nor written out in the text
    expect(r.html).not.toMatch(/href="\s*(javascript|data|vbscript):/i);
    expect(r.html.toLowerCase()).not.toContain("javascript:alert(document.cookie)");
    const urlLines = r.text.split("\n").filter((l) => /^\s*(Draft follow-up|Open draft|No follow-up needed):/.test(l));
    expect(urlLines.length).toBeGreaterThan(0);
    for (const l of urlLines) expect(l).toMatch(/: https:\/\/app\.followthrough\.test\//);
    // ...the item still renders: its draft button points at the digest's page instead,
    // and the unusable dismiss link is left out rather than pointed elsewhere
    expect(visibleText(r.html)).toContain("Zed");
    const zed = r.text.slice(r.text.indexOf("* Zed"), r.text.indexOf("* Yan"));
    expect(zed).toContain(`Draft follow-up: ${d.webUrl}`);
    expect(zed).not.toContain("No follow-up needed");
    expect(visibleText(r.html).match(/No follow-up needed/g)).toHaveLength(3);
  });

  it("neutralises hostile URLs and subjects even without a safe fallback", async () => {
    const d = quietFixture();
    d.webUrl = "javascript:alert(1)";
    d.pauseUrl = "vbscript:msgbox";
    d.missing = [followUp("x", { email: "z@z.test", name: "Zed", draftUrl: "javascript:void(0)", dismissUrl: "//evil.test/x" })];
    const r = await renderDigest(d);
    expect(r.html).not.toMatch(/href="\s*(javascript|vbscript|data):/i);
    expect(r.html).not.toContain('href="//evil.test');
    expect(r.html).toContain(`href="${d.settingsUrl}"`);
    expect(r.text).toContain("open Followthrough to write it");
    expect(r.subject).toBe("Your week: 1 follow-up waiting");
  });

  it("helpers: safeUrl allows only absolute http(s); cleanText makes one line", () => {
    expect(safeUrl("https://a.test/x?y=1&z=2")).toBe("https://a.test/x?y=1&z=2");
    expect(safeUrl("http://a.test")).toBe("http://a.test/");
    for (const bad of ["javascript:alert(1)", " javascript:x", "java\tscript:x", "data:text/html,x", "/relative", "//host/x", "mailto:a@b", "", "ftp://a"]) {
      expect(safeUrl(bad)).toBeUndefined();
    }
    expect(cleanText("a\r\nBcc: b\u2028c\u202ed")).toBe("a Bcc: b c d");
    expect(cleanText("x".repeat(300), 10)).toHaveLength(10);
  });

  describe("a long week: the email stays under Gmail's 102 KB clip, the browser view lists everyone", () => {
    // Links as long as the real sealed ones (about 340 characters), each distinct.
    const link = (act: string, i: number) => `https://followthrough.example.com/l/${act}/${"A".repeat(285)}${String(i).padStart(6, "0")}`;
    const GMAIL_CLIP = 102 * 1024;
    function heavy(o: { missing: number; upcoming: number; attended?: number; name?: (i: number) => string }): DigestData {
      const d = fixture();
      const name = o.name ?? ((i: number) => `Person Number ${i}`);
      return {
        ...d,
        missing: Array.from({ length: o.missing }, (_, i) =>
          followUp(`t${i}`, { email: `person.${i}@partner${i}.example`, name: name(i), eventTitle: "Annual Product Conference — networking", draftUrl: link("draft", i), dismissUrl: link("dismiss", i) }),
        ),
        wins: Array.from({ length: 40 }, (_, i) => ({ ...person({ email: `won${i}@example.com`, name: o.name ? name(100 + i) : `Won Person ${i}`, eventTitle: "Founders breakfast" }), by: "mail" as const })),
        newPeople: Array.from({ length: 40 }, (_, i) => person({ email: `new${i}@example.com`, name: o.name ? name(200 + i) : `New Person ${i}`, eventTitle: "Founders breakfast" })),
        events: {
          eventsUrl: link("events", 0),
          upcoming: Array.from({ length: o.upcoming }, (_, i) => ({ eventId: `u${i}`, title: `Upcoming meetup ${i}`, start: "2026-04-22T18:00:00Z", when: "Wed 22 Apr, 18:00", goalUrl: link("goal", i) })),
          attended: Array.from({ length: o.attended ?? 5 }, (_, i) => ({
            eventId: `a${i}`,
            title: `Attended conference ${i}`,
            start: "2026-04-15T09:00:00Z",
            when: "Wed 15 Apr, 09:00",
            met: Array.from({ length: 30 }, (_, j) => ({ email: `m${j}@x.example`, name: `Met Person ${j}`, followedUp: j % 3 === 0 })),
            followedUp: 10,
            goalMet: true,
            goal: 5,
            alreadyInTouch: [],
            metUrl: link("met", i),
          })),
        },
      };
    }
    const hrefs = (html: string, act: string) => [...html.matchAll(new RegExp(`href="https://followthrough\\.example\\.com/l/${act}/A+(\\d+)"`, "g"))].map((m) => Number(m[1]));
    const range = (n: number) => Array.from({ length: n }, (_, i) => i);
    /** The HTML part's body as the composer sends it (quoted-printable). */
    async function sentHtmlBytes(html: string): Promise<number> {
      const mime = (await composeMime({ from: { address: "maya@studio.test" }, to: [{ address: "maya@studio.test" }], subject: "Your week", text: "text", html })).toString("latin1");
      const start = mime.indexOf("\r\n\r\n", mime.indexOf("Content-Type: text/html")) + 4;
      // To the part's boundary, not to any line beginning "--": a quoted-printable soft break can put
      // one in the body ("<!=" then "--[if mso]"), which ended the part there (a body line that is
      // not the boundary is the body's, RFC 2046 5.1.1).
      const boundary = /boundary="([^"]+)"/.exec(mime)?.[1];
      expect(boundary).toBeDefined();
      const end = mime.indexOf(`\r\n--${boundary}`, start);
      expect(start).toBeGreaterThan(3);
      expect(end).toBeGreaterThan(start);
      return end - start;
    }
    const renderToHtml = (d: DigestData, listMax: number) => XHTML_DOCTYPE + renderToStaticMarkup(createElement(DigestEmail, { d, subject: subjectFor(d), preheader: preheaderFor(d), listMax }));

    it("60 waiting, 40 new, 40 followed up and 10 events: the email shows the first of each list, says how many more, and keeps the events and the footer above the clip", async () => {
      const d = heavy({ missing: 60, upcoming: 7, attended: 3 });
      const r = await renderDigest(d);
      expect(quotedPrintableBytes(r.html)).toBeLessThanOrEqual(EMAIL_HTML_BUDGET);
      expect(quotedPrintableBytes(r.html)).toBeGreaterThanOrEqual(await sentHtmlBytes(r.html));
      expect(await sentHtmlBytes(r.html)).toBeLessThan(GMAIL_CLIP);
      // The first EMAIL_LIST_MAX waiting people, in order, each with both links; none of the rest.
      expect(hrefs(r.html, "draft")).toEqual(range(EMAIL_LIST_MAX));
      expect(hrefs(r.html, "dismiss")).toEqual(range(EMAIL_LIST_MAX));
      const seen = visibleText(r.html);
      expect(seen).toContain(`Waiting for a follow-up (60)`);
      expect(seen).toContain(`${60 - EMAIL_LIST_MAX} more are not in this email. See all 60 waiting in your browser`);
      expect(seen).toContain(`${40 - EMAIL_LIST_MAX} more are not in this email. See all 40 new people in your browser`);
      expect(seen).toContain(`${40 - EMAIL_LIST_MAX} more are not in this email. See all 40 you followed up in your browser`);
      expect(seen).not.toContain(`New Person ${EMAIL_LIST_MAX}`);
      expect(seen).toContain(`New Person ${EMAIL_LIST_MAX - 1}`);
      for (const [anchor, label] of [["waiting", "waiting"], ["new-people", "new people"], ["followed-up", "you followed up"]]) {
        expect(r.html).toMatch(new RegExp(`<a [^>]*href="${attr(d.webUrl)}#${anchor}"[^>]*>See all \\d+ ${label} in your browser</a>`));
        expect(r.webHtml).toContain(`id="${anchor}"`);
      }
      // What came after the lists is all there: every event's goal and "whom did you meet" link, the pause link.
      expect(hrefs(r.html, "goal")).toEqual(range(7));
      expect(hrefs(r.html, "met")).toEqual(range(3));
      expect(r.html).toContain(`href="${attr(d.pauseUrl)}"`);
      // The browser's copy lists everyone and says nothing is left out; so does the text part.
      expect(hrefs(r.webHtml!, "draft")).toEqual(range(60));
      expect(hrefs(r.webHtml!, "dismiss")).toEqual(range(60));
      expect(visibleText(r.webHtml!)).not.toContain("not in this email");
      expect(visibleText(r.webHtml!)).toContain("New Person 39");
      for (const f of d.missing) expect(r.text).toContain(`Draft follow-up: ${f.draftUrl}`);
      expect(r.text).not.toContain("not in this email");
    });

    it("a week whose email would pass the budget shows fewer of each list, the most that fit, and keeps every person for the browser", async () => {
      const d = heavy({ missing: 16, upcoming: 25 });
      const sizes = EMAIL_LIST_STEPS.map((max) => quotedPrintableBytes(renderToHtml(d, max)));
      expect(sizes[0]).toBeGreaterThan(EMAIL_HTML_BUDGET); // the case this is about
      const fits = EMAIL_LIST_STEPS.find((_, i) => sizes[i] <= EMAIL_HTML_BUDGET) ?? 0;
      expect(fits, `sizes ${sizes.join(", ")}`).toBeGreaterThan(0);
      expect(fits).toBeLessThan(EMAIL_LIST_MAX);
      const r = await renderDigest(d);
      expect(r.html).toBe(renderToHtml(d, fits));
      expect(quotedPrintableBytes(r.html)).toBeLessThanOrEqual(EMAIL_HTML_BUDGET);
      expect(hrefs(r.html, "draft")).toEqual(range(fits));
      expect(hrefs(r.html, "goal")).toEqual(range(25));
      expect(visibleText(r.html)).toContain(`${16 - fits} more are not in this email. See all 16 waiting in your browser`);
      expect(hrefs(r.webHtml!, "draft")).toEqual(range(16));
    });

    it("names in Japanese (three bytes a character, nine quoted-printable): the HTML as sent stays under the clip, showing 10 of each, and the budget's estimate is at or just above the encoder's size", async () => {
      const d = heavy({ missing: 40, upcoming: 7, name: (i) => `山田太郎花子の長い名前${"あいうえおかきくけこ".slice(0, 1 + (i % 9))}` });
      const r = await renderDigest(d);
      const sent = await sentHtmlBytes(r.html);
      expect(sent).toBeLessThan(GMAIL_CLIP);
      // Fewer shown than with Latin names, the size deciding, not the count: 15 of each would pass
      // the budget, 10 do not, and 10 are shown (the step between 15 and 5).
      expect(quotedPrintableBytes(renderToHtml(d, EMAIL_LIST_MAX))).toBeGreaterThan(EMAIL_HTML_BUDGET);
      expect(quotedPrintableBytes(renderToHtml(d, EMAIL_LIST_STEPS[1]))).toBeLessThanOrEqual(EMAIL_HTML_BUDGET);
      expect(hrefs(r.html, "draft")).toEqual(range(EMAIL_LIST_STEPS[1]));
      // The estimate is at or above the encoder's size, and close to it.
      const estimate = quotedPrintableBytes(r.html);
      expect(estimate).toBeGreaterThanOrEqual(sent);
      expect(estimate / sent).toBeLessThan(1.02);
    });

    it("a week within the lists' length is emailed whole and keeps no second copy", async () => {
      const d = { ...heavy({ missing: EMAIL_LIST_MAX, upcoming: 7 }), wins: [], newPeople: [] };
      const r = await renderDigest(d);
      expect(hrefs(r.html, "draft")).toEqual(range(EMAIL_LIST_MAX));
      expect(visibleText(r.html)).not.toContain("not in this email");
      expect(r.webHtml).toBeUndefined();
      expect((await renderDigest(fixture())).webHtml).toBeUndefined();
    });
  });
});
