import { beforeAll, describe, expect, it } from "vitest";
import { clearGoal, companyOf, findEvent, hasNetworkingKeyword, isInternal, networkingEvents, networkingReason, pickableAttendees, searchAttendees, searchText, validatePersonAddress } from "../src/events";
import { loadHtmlDecoder, platformOf, platformOfText } from "../src/events/platform";
import { mapGoogleEvent } from "../src/google/map";
import { ownerIdentity, typedAddress } from "../src/identity";
import { infer } from "../src/inference";
import { mapGraphEvent } from "../src/microsoft/map";
import { addressOn, type MailMessage, type Meeting } from "../src/model";
import type { Repository } from "../src/storage";
import { a, crowd, DAY, HOUR, meeting, NOW, OWNER, sent } from "./support/builders";

// platformOfText reads HTML character references once the decoder is loaded, as the adapters load it (platformTextsReady).
beforeAll(loadHtmlDecoder);

const me = ownerIdentity(OWNER.email, OWNER.aliases);
const reason = (m: Meeting, marks?: Map<string, boolean>) => networkingReason(m, me, marks);
const emails = (list: { email: string }[]) => list.map((c) => c.email);

describe("rule 2: title keywords, whole words", () => {
  it.each([
    ["Founders Mixer — Shoreditch", true],
    ["Mixers and more", false],
    ["pre-summit drinks", true],
    ["Summitville rollout sync", false],
    ["Demo Day — cohort 12", true],
    ["Demo-Day", false],
    ["demo  day", false],
    ["HAPPY HOUR at the office", true],
    ["Meet & Greet", true],
    ["meet&greet", false],
    ["Meet and greet the team", true],
    ["Product Meetup #41", true],
    ["Meet-up in the park", true],
    ["Expo2026", false],
    // A word is a run of letters and digits (decimal digits): a superscript or circled number ends it.
    ["Summit²", true],
    ["Expo① hall", true],
    ["Expo٢٠٢٦", false],
    ["2026 Expo", true],
    ["Café-Summit", true],
    ["Gala", true],
    ["Galaxy planning", false],
    ["Networking breakfast", true],
    ["Investor conference call", false],
    ["Conference call before the summit", false],
    ["Two conference calls", true],
    ["Weekly sync", false],
  ])("%j → %s", (title, expected) => {
    expect(hasNetworkingKeyword(title)).toBe(expected);
  });

  // events.md rule 2's list, copied from the spec (not from NETWORKING_KEYWORDS): each one alone makes a title hold a keyword.
  it.each(["meetup", "meet-up", "mixer", "networking", "conference", "summit", "expo", "symposium", "convention", "hackathon", "gala", "happy hour", "demo day", "meet and greet", "meet & greet"])(
    "the spec's %j, inside a title",
    (word) => {
      expect(hasNetworkingKeyword(`Spring ${word} 2026`)).toBe(true);
      expect(hasNetworkingKeyword(`Spring ${word.toUpperCase()}`)).toBe(true);
    },
  );
});

describe("rule 3: event platforms", () => {
  it.each([
    ["https://lu.ma/ait-lon", "luma"],
    ["Get up-to-date information at: https://luma.com/ait-lon-nov", "luma"],
    ["lu.ma/x", "luma"],
    ["WWW.LU.MA/X", "luma"],
    ['<a href="https://www.meetup.com/londonjs/events/31404417/">RSVP</a>', "meetup"],
    ["meetup.com/londonjs/events/31404417", "meetup"],
    ["https://www.meetup.com/ — looking forward", undefined],
    ["https://www.meetup.com/londonjs/", undefined],
    ["https://www.meetup.com/londonjs/events/", undefined],
    ["https://www.eventbrite.co.uk/e/climate-tickets-123", "eventbrite"],
    // "any letter case" (events.md) is the whole URL's, its path too.
    ["HTTPS://WWW.EVENTBRITE.COM/E/CLIMATE-TICKETS-123", "eventbrite"],
    ["MEETUP.COM/LONDONJS/EVENTS/31404417", "meetup"],
    ["https://Partiful.com/E/abc", "partiful"],
    ["https://eventbrite.com/o/organiser-1", undefined],
    ["https://partiful.com/e/abc", "partiful"],
    ["https://partiful.com/u/abc", undefined],
    ["https://ti.to/acme/conf", "tito"],
    ["https://blu.ma/x", undefined],
    ["https://lu.ma.evil.example/x", undefined],
    ["https://notmeetup.com/a/events/1", undefined],
    ["write to calendar-invite@lu.ma", undefined],
    // A user part before the host (RFC 3986 3.2.1) is passed over: the host is what follows the `@`.
    ["https://rsvp@lu.ma/abc", "luma"],
    ["https://lu.ma@evil.example/abc", undefined],
    ["https://lu.ma:x@evil.example/abc", undefined],
    ["https://www.meetup.com@evil.example/grp/events/123", undefined],
    ["https://lu.ma:443/abc", "luma"],
    // A query or fragment straight after a host, with no path, is that host's link: nothing in it is a host (helper-123 #2).
    ["https://partner.example?ref=lu.ma", undefined],
    ['<a href="https://partner.example?next=lu.ma/abc">Sign in</a>', undefined],
    ["Book a slot: https://calendly.com#ti.to/x", undefined],
    ["https://partner.example/?next=lu.ma/abc", undefined],
    ["lu.ma?utm_source=mail", "luma"],
    ["https://ti.to#tickets", "tito"],
    ["Is it on lu.ma? See you there", "luma"],
    // ...whatever the host is written in: an internationalised name, `_`, a root dot, an IP literal (helper-125 #1).
    ["https://bücher.example?next=lu.ma/abc", undefined],
    ["Venue: https://café-berlin.de/?ref=lu.ma", undefined],
    ["https://bücher.example/go?url=https://lu.ma/abc", undefined],
    ["https://partner.example./?next=lu.ma/abc", undefined],
    ["https://my_host.example?ref=lu.ma", undefined],
    ["https://[2001:db8::1]?next=lu.ma/abc", undefined],
    ["Register at lu.ma.", "luma"],
    ["https://lu.ma./abc", "luma"],
    ["Anmeldung über lu.ma/abc, bis Freitag", "luma"],
    // A letter of another script straight after a link without a path is the prose's (helper-126 #1).
    ["lu.ma에서 신청하세요", "luma"],
    ["티켓은 ti.to에서 구매", "tito"],
    ["申し込みは lu.maから", "luma"],
    ["报名请到 lu.ma上搜索", "luma"],
    ["https://lu.maで詳細", "luma"],
    ["Join us: www.lu.maで登録", "luma"],
    ["<p>ลงทะเบียนที่ lu.maได้เลย</p>", "luma"],
    ["https://пример.рф?x=lu.ma", undefined],
    // ...and before one: prose with no space before a link written without a scheme (Chinese, Japanese and Thai put none between words; helper-212).
    ["詳細はlu.ma/tokyo-ai-nightをご覧ください。", "luma"],
    ["参加登録はmeetup.com/tokyo-rust/events/301234567から", "meetup"],
    ["注册请访问www.lu.ma/abc", "luma"],
    ["참가신청lu.ma/abc", "luma"],
    ["申込ti.to/acme/conf", "tito"],
    ["ลงทะเบียนที่lu.ma/abc", "luma"],
    ["Подробнееlu.ma/abc", "luma"],
    ["詳細はblu.ma/abc", undefined],
    ["https://詳細はlu.ma/abc", undefined],
    ["caféblu.ma/abc", undefined],
    ["参加登録はmeetup.com/tokyo-rust/events/301234567x", undefined],
    // ...with digits and Latin words of the prose's own before the link (helper-216 #1).
    ["申込は3月10日までにlu.ma/abc", "luma"],
    ["报名截止3月10日请访问lu.ma/abc", "luma"],
    ["詳細はAI勉強会のlu.ma/abc", "luma"],
    ["Python勉強会の申込はlu.ma/abc", "luma"],
    ["第2回もくもく会はmeetup.com/tokyo-rust/events/301234567から", "meetup"],
    ["LLM勉強会ti.to/acme/conf", "tito"],
    ["2026年lu.ma/abc", "luma"],
    // An address later in the text, after a tag or prose, leaves a link before it a link (helper-216 #2).
    ["RSVP on lu.ma<br>hello@acme.io", "luma"],
    ["https://lu.ma<br>hello@acme.io", "luma"],
    ["申込はlu.maで、問い合わせはinfo@acme.jpまで", "luma"],
    ["チケットはti.to、質問はhelp@acme.jp", "tito"],
    ["https://lu.ma、info@acme.jp", "luma"],
    // Markdown's emphasis with `_` around a link (helper-216 #3); `_` inside a host name is still the name's.
    ["_lu.ma/abc_", "luma"],
    ["__meetup.com/london-js/events/312345678__", "meetup"],
    ["RSVP: _https://lu.ma/abc_", "luma"],
    ["https://my_lu.ma/abc", undefined],
    // An address or a user part holds Latin letters and marks beyond ASCII too; one too long to look
    // through is not taken for a link's end (helper-217 #1, #2).
    ["https://lu.maü@evil.example/abc", undefined],
    ["https://lu.ma:pässwort@evil.example/abc", undefined],
    ["lu.maßnahmen@firma.de", undefined],
    ["https://ü@lu.ma/abc", "luma"],
    [`https://lu.ma:${"x".repeat(70)}@evil.example/abc`, undefined],
    ["RSVP at lu.ma, doors 18:30", "luma"],
    ["lu.ma's page; see you", "luma"],
    // Two dots inside a name are no ellipsis, nor a mark ending a label (helper-217 #4).
    ["https://evil.example..lu.ma/abc", undefined],
    ["x..lu.ma/abc", undefined],
    ["https://cafe\u0301.lu.ma/abc", undefined],
    // Prose is not skipped after `//`, which writes the host whole (helper-217).
    ["//詳細はlu.ma/abc", undefined],
    // After an ellipsis, a link starts; after one dot ending a label, the name goes on (helper-213 #2).
    ["More info...lu.ma/dots-night", "luma"],
    ["More info…lu.ma/dots-night", "luma"],
    ["https://x.lu.ma/abc", undefined],
    ["info.lu.ma/abc", undefined],
    // `|` and `^` are never raw in a URL: a Markdown table's cell ends the link (helper-213 #1).
    ["| Talk night |https://www.meetup.com/london-js/events/312345678|", "meetup"],
    ["https://www.meetup.com/london-js/events/312345678^", "meetup"],
    // ...but a `|` inside a query, with the URL going on, is the query's (helper-217).
    ["https://track.example/r?u=x|https://lu.ma/abc", undefined],
    ["https://partner.example?ref=a|lu.ma", undefined],
    ["Ticket #47102", undefined],
    // Prose punctuation after a link is not part of its path.
    ["Details: https://www.meetup.com/london-js/events/312345678.", "meetup"],
    ["RSVP at meetup.com/london-js/events/312345678, doors 18:30", "meetup"],
    ["Tickets (meetup.com/london-js/events/312345678!); doors 18:30", "meetup"],
    ["Where? meetup.com/london-js/events/312345678?!", "meetup"],
    ["https://www.meetup.com/london-js/events/312345678.html", undefined],
    ["https://www.meetup.com/london-js/events/312345678x.", undefined],
    // Markdown emphasis, and non-ASCII punctuation straight after a link (a URL holds none raw).
    ["RSVP **https://www.meetup.com/londonjs/events/31404417**", "meetup"],
    ["*meetup.com/londonjs/events/31404417*", "meetup"],
    ["RSVP “https://www.meetup.com/londonjs/events/31404417”", "meetup"],
    ["https://www.meetup.com/londonjs/events/31404417…", "meetup"],
    ["https://www.meetup.com/londonjs/events/31404417—see you there", "meetup"],
    ["詳細 https://www.meetup.com/londonjs/events/31404417。", "meetup"],
    ["https://www.meetup.com/londonjs/events/31404417«", "meetup"],
    ["https://www.meetup.com/londonjs/events/31404417é", undefined],
    // A link right after another one's prose punctuation is looked at on its own.
    ["Zoom：https://zoom.us/j/1。申込：https://www.meetup.com/londonjs/events/31404417", "meetup"],
    ["https://zoom.us/j/1—https://lu.ma/abc", "luma"],
    // HTML entities are decoded before looking; a non-breaking or zero-width space ends a link.
    ["<p>RSVP:&nbsp;https://www.meetup.com/london-js/events/312345678&nbsp;</p>", "meetup"],
    ["<p>Zoom: https://zoom.us/j/123&nbsp;RSVP:&nbsp;https://lu.ma/abc</p>", "luma"],
    ["Zoom: https://zoom.us/j/123&nbsplu.ma/abc", "luma"],
    ["https://www.meetup.com/london-js/events/312345678&#8203;", "meetup"],
    ["meetup.com&sol;london-js&sol;events&sol;312345678", "meetup"],
    ["https&#58;&#x2F;&#47;www.meetup.com&#X2F;london-js&#x2f;events&#x2F;312345678&#46;", "meetup"],
    ["https://zoom.us/j/123&amp;nbsp;https://lu.ma/abc", undefined],
  ])("%j → %s", (text, expected) => {
    expect(platformOfText(text)).toBe(expected);
  });

  it("iCalUID: …@events.lu.ma and event_<id>@meetup.com; any other uid is nothing", () => {
    expect(platformOf({ iCalUid: "evt-ait-lon-nov@events.lu.ma" })).toBe("luma");
    expect(platformOf({ iCalUid: "event_31404417@meetup.com" })).toBe("meetup");
    // Only the form event_<id>@meetup.com: another uid at meetup.com is nothing.
    expect(platformOf({ iCalUid: "31404417@meetup.com" })).toBeUndefined();
    expect(platformOf({ iCalUid: "group_31404417@meetup.com" })).toBeUndefined();
    expect(platformOf({ iCalUid: "abc@google.com" })).toBeUndefined();
    expect(platformOf({ iCalUid: "x@events.lu.ma.example" })).toBeUndefined();
    // "ends with @events.lu.ma" (events.md), whatever comes before it (helper-123 #3).
    expect(platformOf({ iCalUid: "@events.lu.ma" })).toBe("luma");
    expect(platformOf({ iCalUid: "x@notevents.lu.ma" })).toBeUndefined();
  });

  it("Google mapping keeps the platform and nothing of the description or location", () => {
    const m = mapGoogleEvent(
      {
        id: "e1", iCalUID: "e1@google.com", summary: "Talks", location: "Second Home", description: "Secret agenda https://lu.ma/x",
        start: { dateTime: "2026-03-10T18:00:00Z" }, end: { dateTime: "2026-03-10T20:00:00Z" }, organizer: { email: OWNER.email, self: true },
      },
      OWNER,
    );
    expect(m.platform).toBe("luma");
    expect(JSON.stringify(m)).not.toMatch(/Secret|Second Home|lu\.ma/);
  });

  it("Google: a dateTime without an offset is wall time in its timeZone (Calendar v3 EventDateTime), never in this host's zone", () => {
    const at = (start: { dateTime: string; timeZone?: string }) =>
      mapGoogleEvent({ id: "n1", summary: "Talks", start, end: { dateTime: "2026-06-20T23:00:00Z" }, organizer: { email: OWNER.email, self: true } }, { ...OWNER, timeZone: "America/New_York" }).start;
    expect(at({ dateTime: "2026-06-20T09:00:00", timeZone: "Europe/London" })).toBe(Date.parse("2026-06-20T08:00:00Z"));
    expect(at({ dateTime: "2026-01-20T09:00:00.000", timeZone: "Europe/London" })).toBe(Date.parse("2026-01-20T09:00:00Z"));
    // No zone named (or one this runtime does not know): the owner's.
    expect(at({ dateTime: "2026-06-20T09:00:00" })).toBe(Date.parse("2026-06-20T13:00:00Z"));
    expect(at({ dateTime: "2026-06-20T09:00:00+02:00", timeZone: "Europe/London" })).toBe(Date.parse("2026-06-20T07:00:00Z"));
    // At a change, in both hemispheres alike (as core/time atLocal): a time shown twice is the
    // earlier; one the clocks skip is read with the offset before the change.
    expect(at({ dateTime: "2026-11-01T01:30:00", timeZone: "America/New_York" })).toBe(Date.parse("2026-11-01T05:30:00Z"));
    expect(at({ dateTime: "2026-10-25T02:30:00", timeZone: "Europe/Berlin" })).toBe(Date.parse("2026-10-25T00:30:00Z"));
    expect(at({ dateTime: "2026-03-08T02:30:00", timeZone: "America/New_York" })).toBe(Date.parse("2026-03-08T07:30:00Z"));
    expect(at({ dateTime: "2026-03-29T02:30:00", timeZone: "Europe/Berlin" })).toBe(Date.parse("2026-03-29T01:30:00Z"));
    // The southern hemisphere: Sydney's clocks go back on 5 April and forward on 4 October.
    expect(at({ dateTime: "2026-04-05T02:30:00", timeZone: "Australia/Sydney" })).toBe(Date.parse("2026-04-04T15:30:00Z"));
    expect(at({ dateTime: "2026-10-04T02:30:00", timeZone: "Australia/Sydney" })).toBe(Date.parse("2026-10-03T16:30:00Z"));
  });

  it("Graph mapping reads location.displayName and bodyPreview, never iCalUId, and stores neither text", () => {
    const base = { id: "g1", subject: "Talks", isOrganizer: true, start: { dateTime: "2026-03-10T18:00:00.0000000", timeZone: "UTC" }, end: { dateTime: "2026-03-10T20:00:00.0000000", timeZone: "UTC" } };
    const viaBody = mapGraphEvent({ ...base, bodyPreview: "RSVP https://partiful.com/e/xyz please" }, OWNER);
    expect(viaBody.platform).toBe("partiful");
    expect(JSON.stringify(viaBody)).not.toMatch(/RSVP|partiful\.com/);
    expect(mapGraphEvent({ ...base, location: { displayName: "ti.to/acme/conf" } }, OWNER).platform).toBe("tito");
    expect(mapGraphEvent({ ...base, location: { displayName: "meetup.com/london-js/events/312345678." } }, OWNER).platform).toBe("meetup");
    expect(mapGraphEvent({ ...base, iCalUId: "evt@events.lu.ma" }, OWNER).platform).toBeUndefined();
  });

  it("the platforms' organiser addresses make an event a networking event and are nobody met", () => {
    const luma = meeting({ title: "Talks", organizer: { email: "calendar-invite@lu.ma", name: "Luma" }, attendees: ["guest@partner.io"] });
    expect(reason(luma)).toBe("platform");
    expect(emails(infer(OWNER, [luma], [], NOW).contacts)).toEqual(["guest@partner.io"]);
  });
});

describe("the internal rule", () => {
  it("a ticket with nobody else on it is not internal; all colleagues is; one outsider is not", () => {
    expect(isInternal(meeting({ organizerSelf: true, attendees: [] }), me)).toBe(false);
    expect(isInternal(meeting({ attendees: ["a@acme.io", a("b@eu.acme.io", { response: "declined" })] }), me)).toBe(true);
    expect(isInternal(meeting({ attendees: ["a@acme.io", "x@partner.io"] }), me)).toBe(false);
    expect(isInternal(meeting({ attendees: ["a@acme.io", a("room1@acme.io", { resource: true }), a("x@partner.io", { response: "declined" })] }), me)).toBe(false);
    expect(isInternal(meeting({ attendees: ["a@acme.io", a("room@partner.io", { resource: true })] }), me)).toBe(true);
    expect(isInternal(meeting({ organizer: { email: "boss@partner.io", name: "" }, attendees: ["a@acme.io"] }), me)).toBe(false);
  });

  it("an organiser that is a room (an event made on the room's own calendar) is left out like the room's entry (helper-123 #1)", () => {
    // Google names the room's resource calendar; Graph the room's mailbox, on the list as a resource.
    const googleRoom = { email: "c_1888abc@resource.calendar.google.com", name: "Boardroom" };
    expect(isInternal(meeting({ organizer: googleRoom, organizerSelf: false, attendees: ["a@acme.io", "b@acme.io"] }), me)).toBe(true);
    expect(isInternal(meeting({ organizer: { email: "boardroom@rooms.example", name: "" }, organizerSelf: false, attendees: ["a@acme.io", a("boardroom@rooms.example", { resource: true })] }), me)).toBe(true);
    expect(reason(meeting({ title: "Team Summit", organizer: googleRoom, organizerSelf: false, attendees: ["a@acme.io", "b@acme.io"] }))).toBeUndefined();
    expect(reason(meeting({ organizer: googleRoom, organizerSelf: false, attendees: [a(googleRoom.email, { resource: true }), ...crowd(26, {}, "acme.io")] }))).toBeUndefined();
    // A room organiser with an outsider on the list: not internal.
    expect(isInternal(meeting({ organizer: googleRoom, organizerSelf: false, attendees: ["a@acme.io", "x@partner.io"] }), me)).toBe(false);
    // ...and an organiser at a domain that merely holds rooms elsewhere is still someone.
    expect(isInternal(meeting({ organizer: { email: "boardroom@rooms.example", name: "" }, organizerSelf: false, attendees: ["a@acme.io"] }), me)).toBe(false);
  });

  it("a shared (group) calendar, as the organiser or on the list, is someone outside: events.md leaves out only rooms, other resources and entries without an address; still no one met (helper-195 #2)", () => {
    const shared = { email: "c_0a1b2c3d4e@group.calendar.google.com", name: "Acme Company Events" };
    expect(isInternal(meeting({ organizer: shared, organizerSelf: false, attendees: ["a@acme.io", "b@acme.io"] }), me)).toBe(false);
    expect(reason(meeting({ title: "Company Summit", organizer: shared, organizerSelf: false, attendees: ["a@acme.io", "b@acme.io"] }))).toBe("keyword");
    expect(reason(meeting({ title: "All hands", organizer: shared, organizerSelf: false, attendees: crowd(40, {}, "acme.io") }))).toBe("large");
    // On the list, beside colleagues, with the owner organising.
    expect(reason(meeting({ title: "Team Summit", attendees: ["a@acme.io", "b@acme.io", shared.email] }))).toBe("keyword");
    // Without it, the same colleagues' summit is internal.
    expect(reason(meeting({ title: "Team Summit", attendees: ["a@acme.io", "b@acme.io"] }))).toBeUndefined();
    // Who made an event on a shared calendar (Google's creator) is not on it: a colleague's making changes nothing.
    const owner = { email: "owner@acme.io", aliases: [], timeZone: "UTC" };
    const onShared = mapGoogleEvent(
      {
        id: "ev-shared",
        status: "confirmed",
        summary: "Company Summit",
        start: { dateTime: "2026-06-10T16:00:00Z" },
        end: { dateTime: "2026-06-10T18:00:00Z" },
        organizer: { email: shared.email, displayName: "Events" },
        creator: { email: "ceo@acme.io" },
        attendees: [{ email: "owner@acme.io", self: true, responseStatus: "accepted" }, { email: "a@acme.io", responseStatus: "accepted" }],
      },
      owner,
    );
    expect(reason(onShared)).toBe("keyword");
    // The calendar is never a person met: only the list's people are contacts.
    const dinner = { ...meeting({ title: "Customer dinner", organizer: shared, organizerSelf: false, attendees: ["ops@vendor.io", shared.email] }), end: Date.parse("2026-06-10T18:00:00Z") };
    expect(infer(owner, [dinner], [], Date.parse("2026-06-20T00:00:00Z")).contacts.map((c) => c.email)).toEqual(["ops@vendor.io"]);
  });

  it("an internal all-hands with 40 colleagues, or an internal Networking lunch, is no networking event", () => {
    expect(reason(meeting({ attendees: crowd(40, {}, "acme.io") }))).toBeUndefined();
    expect(reason(meeting({ title: "Networking lunch", attendees: ["a@acme.io"] }))).toBeUndefined();
    expect(reason(meeting({ title: "Networking lunch", attendees: [] , organizerSelf: true }))).toBe("keyword");
    expect(reason(meeting({ attendees: crowd(40) }))).toBe("large");
  });
});

describe("which events can be networking events", () => {
  it("not cancelled, ordinary or a Gmail ticket, the owner in", () => {
    const kw = { title: "Founders Mixer" };
    expect(reason(meeting({ ...kw }))).toBe("keyword");
    expect(reason(meeting({ ...kw, cancelled: true }))).toBeUndefined();
    expect(reason(meeting({ ...kw, selfResponse: "declined" }))).toBeUndefined();
    expect(reason(meeting({ ...kw, selfResponse: "needsAction" }))).toBeUndefined();
    expect(reason(meeting({ ...kw, selfResponse: "tentative" }))).toBe("keyword");
    expect(reason(meeting({ ...kw, kind: "fromGmail", organizerSelf: true, selfResponse: undefined, attendees: [] }))).toBe("keyword");
    expect(reason(meeting({ ...kw, kind: "outOfOffice" }))).toBeUndefined();
    expect(reason(meeting({ title: "Dinner", kind: "fromGmail", organizerSelf: true, attendees: [] }))).toBeUndefined();
    // A Gmail ticket "can be networking events by rules 2, 3 and 4": not by rule 1, however long its list.
    expect(reason(meeting({ title: "Dinner", attendees: crowd(30) }))).toBe("large");
    expect(reason(meeting({ title: "Dinner", kind: "fromGmail", organizerSelf: true, attendees: crowd(30) }))).toBeUndefined();
  });

  it("the owner's marks: marking adds an event, unmarking removes one whatever the rules say", () => {
    const plain = meeting({ title: "Dinner with the Dutch delegation" });
    const mixer = meeting({ title: "Mixer" });
    expect(reason(plain, new Map([[plain.id, true]]))).toBe("marked");
    expect(reason(mixer, new Map([[mixer.id, false]]))).toBeUndefined();
    expect(reason(meeting({ title: "Sync", cancelled: true }), new Map([["x", true]]))).toBeUndefined();
  });

  it("attended: as behaviour.md's owner attended (events.md); an ended event the owner organised and then declined is not", () => {
    const own = meeting({ id: "own-mixer", title: "Mixer", organizerSelf: true, selfResponse: "declined", start: NOW - 2 * DAY, end: NOW - 2 * DAY + HOUR });
    expect(networkingEvents(OWNER, [own], [], NOW).attended).toEqual([]);
    expect(networkingEvents(OWNER, [{ ...own, selfResponse: undefined }], [], NOW).attended.map((e) => e.eventId)).toEqual(["own-mixer"]);
  });

  it("upcoming: now < start ≤ now + 7 days; attended: now − 7 days < end < now; under way: neither", () => {
    const ev = (start: number, end: number) => meeting({ id: `e${start}-${end}`, title: "Mixer", start, end });
    const list = [ev(NOW + 7 * DAY, NOW + 7 * DAY + HOUR), ev(NOW + 7 * DAY + 1, NOW + 8 * DAY), ev(NOW, NOW + HOUR), ev(NOW - HOUR, NOW + HOUR),
      ev(NOW - 2 * HOUR, NOW - 1), ev(NOW - 7 * DAY - HOUR, NOW - 7 * DAY), ev(NOW - 7 * DAY - HOUR, NOW - 7 * DAY + 1), ev(NOW - HOUR, NOW)];
    const r = networkingEvents(OWNER, list, [], NOW);
    expect(r.upcoming.map((e) => e.eventId)).toEqual([list[0].id]);
    expect(r.attended.map((e) => e.eventId).sort()).toEqual([list[4].id, list[6].id].sort());
  });
});

describe("people met at a large gathering", () => {
  const gala = (over: Parameters<typeof meeting>[0] = {}) => meeting({ id: "gala", title: "Reception", start: NOW - 5 * DAY, end: NOW - 5 * DAY + 3 * HOUR, attendees: [...crowd(30), "ana@studio.io"], ...over });
  const mailAna = (sentAt: number): MailMessage => sent({ to: ["ana@studio.io"], sentAt });
  const run = (meetings: Meeting[], messages: MailMessage[], now = NOW) => infer(OWNER, meetings, messages, now);

  it("the first mail after it started, within 7 days of its end, makes a new contact who is followed up", () => {
    const r = run([gala()], [mailAna(NOW - 4 * DAY)]);
    expect(emails(r.newContacts)).toEqual(["ana@studio.io"]);
    expect(r.newContacts[0]).toMatchObject({ eventId: "gala", metBy: "large-gathering", followedUpBy: "mail" });
  });

  it("nobody written to: nobody met (no missing follow-ups from an invite list)", () => {
    const r = run([gala()], []);
    expect(r.contacts).toEqual([]);
  });

  it("7-day window: exactly end + 7 days is in, one millisecond later is out", () => {
    const g = gala({ start: NOW - 20 * DAY, end: NOW - 20 * DAY + HOUR });
    expect(emails(run([g], [mailAna(g.end + 7 * DAY)]).contacts)).toEqual(["ana@studio.io"]);
    expect(emails(run([g], [mailAna(g.end + 7 * DAY + 1)]).contacts)).toEqual([]);
  });

  it("a mail more than 14 days before it started: already known; exactly 14 days: still new", () => {
    const g = gala();
    expect(emails(run([g], [mailAna(g.start - 14 * DAY - 1), mailAna(NOW - 4 * DAY)]).contacts)).toEqual([]);
    expect(emails(run([g], [mailAna(g.start - 14 * DAY), mailAna(NOW - 4 * DAY)]).contacts)).toEqual(["ana@studio.io"]);
  });

  it("colleagues, declined entries and role addresses are never met there", () => {
    const g = gala({ attendees: [...crowd(30), "kim@acme.io", a("ana@studio.io", { response: "declined" }), "events@studio.io"] });
    const r = run([g], [sent({ to: ["kim@acme.io", "ana@studio.io", "events@studio.io"], sentAt: NOW - 4 * DAY })]);
    expect(r.contacts).toEqual([]);
  });

  it("the earlier of two qualifying large gatherings; a non-large meeting at the same moment comes first", () => {
    const g1 = gala({ id: "g1", start: NOW - 6 * DAY, end: NOW - 6 * DAY + HOUR });
    const g2 = gala({ id: "g2", start: NOW - 5 * DAY, end: NOW - 5 * DAY + HOUR });
    expect(run([g2, g1], [mailAna(NOW - 4 * DAY)]).contacts[0].eventId).toBe("g1");
    const coffee = meeting({ id: "coffee", start: g1.start, end: g1.start + HOUR, attendees: ["ana@studio.io"] });
    expect(run([g1, coffee], [mailAna(NOW - 4 * DAY)]).contacts[0].eventId).toBe("coffee");
    const later = meeting({ id: "later", start: NOW - 3 * DAY, attendees: ["ana@studio.io"] });
    expect(run([g1, later], [mailAna(NOW - 4 * DAY)]).contacts[0].eventId).toBe("g1");
  });

  it("a mail after now does not count", () => {
    expect(run([gala()], [mailAna(NOW + HOUR)]).contacts).toEqual([]);
  });

  it("followed up by that mail, even with a coffee between the gathering and the mail (events.md: \"by that message\")", () => {
    const coffee = meeting({ id: "coffee", start: NOW - 4 * DAY, attendees: ["ana@studio.io"] });
    const r = run([gala(), coffee], [mailAna(NOW - 3 * DAY)]);
    expect(r.contacts).toHaveLength(1);
    expect(r.contacts[0]).toMatchObject({ eventId: "gala", metBy: "large-gathering", followedUpBy: "mail", followedUpAt: NOW - 3 * DAY, secondMeetingAt: coffee.start });
    // The digest counts it among the follow-ups sent ("you wrote to them"), the coffee among the second meetings.
    expect(r.stats.followUpsSent).toBe(1);
  });
});

describe("whom the owner says they met", () => {
  const gala = meeting({ id: "gala", title: "Reception", start: NOW - 3 * DAY, end: NOW - 3 * DAY + 3 * HOUR, attendees: crowd(30) });

  it("a confirmed person never written to is a new contact and, after 24 hours, a missing follow-up", () => {
    const r = infer(OWNER, [gala], [], NOW, { confirmations: [{ eventId: "gala", email: "p3@crowd.example", name: "P Three" }] });
    expect(emails(r.newContacts)).toEqual(["p3@crowd.example"]);
    expect(emails(r.missingFollowUps)).toEqual(["p3@crowd.example"]);
    expect(r.contacts[0]).toMatchObject({ eventId: "gala", metBy: "confirmed", name: "P Three" });
    const events = networkingEvents(OWNER, [gala], r.contacts, NOW);
    expect(events.attended[0]).toMatchObject({ eventId: "gala" });
    expect(emails(events.attended[0].met)).toEqual(["p3@crowd.example"]);
    expect(events.attended[0].followedUp).toEqual([]);
  });

  it("someone met at an earlier meeting stays met there (already in touch, not counted at the event)", () => {
    const before = meeting({ id: "before", start: NOW - 10 * DAY, attendees: ["p3@crowd.example"] });
    const r = infer(OWNER, [before, gala], [], NOW, { confirmations: [{ eventId: "gala", email: "p3@crowd.example", name: "" }] });
    expect(r.contacts.map((c) => c.eventId)).toEqual(["before"]);
  });

  it("a confirmation for an event not yet attended, or of a colleague, changes nothing", () => {
    const future = { ...gala, id: "future", start: NOW + DAY, end: NOW + DAY + HOUR };
    expect(infer(OWNER, [future], [], NOW, { confirmations: [{ eventId: "future", email: "p3@crowd.example", name: "" }] }).contacts).toEqual([]);
    expect(infer(OWNER, [gala], [], NOW, { confirmations: [{ eventId: "gala", email: "kim@acme.io", name: "" }] }).contacts).toEqual([]);
  });
});

describe("the attendee list of \"who I met\"", () => {
  it("companies from the address domain; none for public mailbox domains", () => {
    expect(companyOf("cleo@kestrel.vc")).toBe("Kestrel");
    expect(companyOf("a@blue-fin.co.uk")).toBe("Blue Fin");
    expect(companyOf("w@meridianhealth.com.au")).toBe("Meridianhealth");
    expect(companyOf("k@apac.tidewater-analytics.com")).toBe("Tidewater Analytics");
    expect(companyOf("ben@gmail.com")).toBe("");
  });

  it("persons only (no colleagues, role addresses or rooms; those who declined marked), by name, searchable by name, address or company", () => {
    const big = meeting({
      attendees: [...crowd(200), a("zoë.durand@atelier.fr", { name: "Zoë Durand" }), a("ana@kestrel.vc", { name: "Ana Lima" }), "kim@acme.io", "events@kestrel.vc",
        a("room@kestrel.vc", { resource: true }), a("no@kestrel.vc", { name: "Nope", response: "declined" }),
        // Two entries of one person, the first declined: the other one stands.
        a("twice@atelier.fr", { name: "Twice (old)", response: "declined" }), a("twice@atelier.fr", { name: "Twice" })],
    });
    const list = pickableAttendees(big, OWNER);
    expect(list).toHaveLength(204);
    expect(list[0]).toEqual({ email: "ana@kestrel.vc", name: "Ana Lima", company: "Kestrel", declined: false });
    expect(list.find((p) => p.email === "no@kestrel.vc")).toEqual({ email: "no@kestrel.vc", name: "Nope", company: "Kestrel", declined: true });
    expect(list.filter((p) => p.email === "twice@atelier.fr")).toEqual([{ email: "twice@atelier.fr", name: "Twice", company: "Atelier", declined: false }]);
    expect(searchAttendees(list, "zoe").map((p) => p.email)).toEqual(["zoë.durand@atelier.fr"]);
    expect(searchAttendees(list, "kestrel lima").map((p) => p.email)).toEqual(["ana@kestrel.vc"]);
    expect(searchAttendees(list, "p19@").map((p) => p.email)).toEqual(["p19@crowd.example"]);
    expect(searchAttendees(list, "  ")).toHaveLength(204);
  });

  it("numbers in names sort by value, as a person reads them: Guest 2 before Guest 10", () => {
    const m = meeting({ attendees: [10, 2, 1, 11].map((n) => a(`g${n}@crowd.example`, { name: `Guest ${n}` })) });
    expect(pickableAttendees(m, OWNER).map((p) => p.name)).toEqual(["Guest 1", "Guest 2", "Guest 10", "Guest 11"]);
  });

  it("a search finds a guest by the address as the invitation wrote it, where that differs from the stored one", () => {
    const m = meeting({ attendees: [a("zoechateau@gmail.com", { name: "Zoë Château", address: "Zoe.Chateau+summit@gmail.com" }), a("ben@kestrel.vc", { name: "Ben" })] });
    const list = pickableAttendees(m, OWNER);
    const written = (p: { email: string }) => addressOn(m, p.email);
    // As the met page shows it (and its script searches it): the written form, dots and tag.
    expect(searchAttendees(list, "Zoe.Chateau+summit", written).map((p) => p.email)).toEqual(["zoechateau@gmail.com"]);
    expect(searchAttendees(list, "zoechateau", written).map((p) => p.email)).toEqual(["zoechateau@gmail.com"]);
    expect(searchAttendees(list, "Zoe.Chateau+summit")).toEqual([]);
    // Every combining mark folds away, not only Latin accents: "ガ" (カ and a voiced mark) finds "カ".
    const kana = pickableAttendees(meeting({ attendees: [a("karuta@shop.jp", { name: "カルタ" })] }), OWNER);
    expect(searchAttendees(kana, "ガ").map((p) => p.email)).toEqual(["karuta@shop.jp"]);
    // The text searched, which the page gives its script too: the written address only where it differs.
    const zoe = list.find((p) => p.email === "zoechateau@gmail.com")!;
    expect(searchText(zoe, "Zoe.Chateau+summit@gmail.com")).toBe("Zoë Château zoechateau@gmail.com Zoe.Chateau+summit@gmail.com ");
    expect(searchText(zoe, "zoechateau@gmail.com")).toBe("Zoë Château zoechateau@gmail.com ");
  });
});

describe("an address the owner types", () => {
  it("typed, is refused empty, or longer than RFC 5321 allows (a 64-octet local part, 254 in all); accepted up to those", () => {
    const owner = { email: "owner@acme.io", aliases: [], timeZone: "UTC" };
    const typed = { typed: true };
    expect(() => validatePersonAddress(owner, "  ", typed)).toThrow("Type their email address.");
    expect(validatePersonAddress(owner, ` ${"a".repeat(64)}@longnames.example `, typed)).toBe(`${"a".repeat(64)}@longnames.example`);
    expect(() => validatePersonAddress(owner, `${"a".repeat(65)}@longnames.example`, typed)).toThrow(/^"a{65}@longnames\.example" is not an e-mail address\.$/);
    const domain = `${"d".repeat(60)}.${"e".repeat(60)}.${"f".repeat(60)}.example`; // 190 characters
    expect(validatePersonAddress(owner, `${"b".repeat(63)}@${domain}`, typed)).toHaveLength(254);
    expect(() => validatePersonAddress(owner, `${"b".repeat(64)}@${domain}`, typed)).toThrow(/…" is not an e-mail address\.$/);
    // Quoted by characters, not UTF-16 units: a character outside the BMP is never cut in two.
    expect(() => validatePersonAddress(owner, `${"a".repeat(99)}😀😀 not an address`, typed)).toThrow(new RegExp(`^"a{99}😀…" is not an e-mail address\\.$`));
  });

  it("counts octets where a first-name correction reads an address too (core/identity typedAddress), so the two agree on UTF-8 addresses", () => {
    const owner = { email: "owner@acme.io", aliases: [], timeZone: "UTC" };
    // 40 characters, 80 octets: longer than a local part may be (RFC 5321 4.5.3.1, RFC 6531).
    const wide = `${"é".repeat(40)}@exemple.fr`;
    expect(() => validatePersonAddress(owner, wide, { typed: true })).toThrow("is not an e-mail address.");
    expect(typedAddress(wide)).toBeUndefined();
    const fits = `${"é".repeat(32)}@exemple.fr`; // 64 octets
    expect(validatePersonAddress(owner, fits, { typed: true })).toBe(fits);
    expect(typedAddress(`Élise <${fits}>`)).toBe(fits);
    // 254 octets in all, a domain longer than the 190 characters typedAddress took before: both accept it, and refuse one octet more.
    const domain = `${"d".repeat(63)}.${"e".repeat(63)}.${"f".repeat(63)}.${"g".repeat(52)}.example`;
    expect(typedAddress(`b@${domain}`)).toBe(`b@${domain}`);
    expect(validatePersonAddress(owner, `b@${domain}`, { typed: true })).toBe(`b@${domain}`);
    expect(typedAddress(`bb@${domain}`)).toBeUndefined();
    expect(() => validatePersonAddress(owner, `bb@${domain}`, { typed: true })).toThrow("is not an e-mail address.");
  });

  it("a guest the invitation lists, ticked, is saved whatever the length of their address (helper-202 #1)", async () => {
    const long = `${"a".repeat(65)}@bigcorp.example`;
    expect(validatePersonAddress({ email: "owner@acme.io", aliases: [], timeZone: "UTC" }, long)).toBe(long);
  });
});

describe("event ids a key cannot hold", () => {
  it("are in no calendar, counted in bytes (DynamoDB's 1,024-byte sort key): the store is never asked", async () => {
    const asked: string[] = [];
    const store = { get: async (k: { sk: string }) => void asked.push(k.sk), delete: async (k: { sk: string }) => void asked.push(k.sk) } as unknown as Repository;
    for (const id of ["e".repeat(1100), "€".repeat(400)]) {
      expect(await findEvent(store, OWNER, id)).toBeUndefined();
      await clearGoal(store, OWNER, id);
    }
    expect(asked).toEqual([]);
    // An id of 300 euro signs (900 bytes) is one a key holds: looked up.
    await findEvent(store, OWNER, "€".repeat(300));
    expect(asked).toHaveLength(1);
  });
});
