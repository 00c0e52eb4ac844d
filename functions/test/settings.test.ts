/**
 * The settings page behind the signed settings link, on accounts connected through the real web
 * flow (sandbox + dynalite): schedule (the due-hour index moves), pause/resume, template
 * validation, same-origin checks, and disconnect (revocation at the provider, every item deleted).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeHTML } from "entities";
import { type AccountRecord, accountsDue, loadAccount, refreshTokenOf, rotateRefreshToken, updateAccount } from "@followthrough/core/accounts";
import { composeFollowUp, DEFAULT_TEMPLATE } from "@followthrough/core/followup";
import { sealLink } from "@followthrough/core/links";
import { GrantError } from "@followthrough/core/oauth";
import { refreshGrant } from "@followthrough/core/grants";
import { TableOutboxMailer } from "@followthrough/core/reconnect";
import { scan } from "@followthrough/core/scan";
import { nextDispatchSlot } from "@followthrough/core/events";
import { DEFAULT_SCHEDULE, dueSlot, isoWeek } from "@followthrough/core/schedule";
import { DAY, zoneOffset } from "@followthrough/core/time";
import { type Keyring } from "@followthrough/core/secrets";
import { keys, Repository } from "@followthrough/core/storage";
import { type MailboxFixture, type RunningSandbox } from "@followthrough/sandbox";
import { followConnected, type WebStack, startWebStack } from "./support/web-stack";
import { createApp } from "../src/app";
import { FIRST_NAME_MAX, FIRST_NAMES_MAX, TEMPLATE_MAX, validateFirstName, validateSignature, validateSubject, validateTemplate } from "../src/settings";

const BASE = "http://app.test";
const KEY = "settings-test-link-key-0123456789abcdef";
type Provider = "google" | "microsoft";
const SAME = { origin: BASE, "sec-fetch-site": "same-origin", "content-type": "application/x-www-form-urlencoded" };

let sandbox: RunningSandbox;
let repo: Repository;
let ring: Keyring;
let fixtures: Record<Provider, MailboxFixture>;
let deps: Parameters<typeof createApp>[0];
let app: ReturnType<typeof createApp>;
let stack: WebStack;

beforeAll(async () => {
  stack = await startWebStack({ baseUrl: BASE, linkKey: KEY });
  ({ sandbox, repo, ring, fixtures, deps, app } = stack);
});
afterAll(() => stack?.close());

/** The adapter of a stored account, as the app builds it. */
const stored = (a: AccountRecord) => deps.providerFor(a);
/** Fetch that trusts the sandbox's certificate (revocation calls). */
const trustSandbox: typeof fetch = (input, init) => deps.httpFetch!(input, init);

/** Connects an account through the web flow, as a browser would. */
async function connect(p: Provider): Promise<AccountRecord> {
  const start = await app.request(`/connect/${p}`);
  const cookie = (start.headers.get("set-cookie") ?? "").split(";")[0];
  const authorize = new URL(start.headers.get("location")!);
  authorize.searchParams.set("account", fixtures[p].account.email);
  authorize.searchParams.set("approve", "1");
  const back = new URL((await fetch(authorize, { redirect: "manual" })).headers.get("location")!);
  const res = await followConnected(await app.request(`${back.pathname}${back.search}`, { headers: { cookie } }), app);
  expect(res.status).toBe(200);
  return (await loadAccount(repo, fixtures[p].account.email))!;
}

/** Signs in again at /settings/signin/<p> as `as` (the sandbox's consent approved): the callback's answer. */
async function signIn(p: Provider, as: string, on = app): Promise<Response> {
  const start = await on.request(`/settings/signin/${p}`);
  expect(start.status).toBe(302);
  const cookie = (start.headers.get("set-cookie") ?? "").split(";")[0];
  const authorize = new URL(start.headers.get("location")!);
  // A sign-in alone: who you are (on Microsoft the object id comes only with profile: helper-182 #1).
  expect(authorize.searchParams.get("scope")).toBe(p === "google" ? "openid" : "openid profile");
  expect(authorize.searchParams.get("max_age")).toBe("0");
  authorize.searchParams.set("account", as);
  authorize.searchParams.set("approve", "1");
  const back = new URL((await fetch(authorize, { redirect: "manual" })).headers.get("location")!);
  return on.request(`${back.pathname}${back.search}`, { headers: { cookie } });
}

/** The manage link a fresh sign-in as the connected account earns. */
async function managePath(p: Provider, on = app): Promise<string> {
  const res = await signIn(p, fixtures[p].account.email, on);
  expect(res.status).toBe(303);
  const to = new URL(res.headers.get("location")!);
  expect(to.pathname).toMatch(/^\/l\/manage\/[A-Za-z0-9_-]+$/);
  return to.pathname;
}

const settingsPath = (email: string) => `/l/settings/${sealLink(KEY, { act: "settings", acc: email }, Date.now())}`;
const post = (path: string, form: Record<string, string>, headers: Record<string, string> = SAME, on = app) =>
  on.request(path, { method: "POST", headers, body: new URLSearchParams(form).toString() });
const due = async (a: AccountRecord, schedule = a.schedule ?? DEFAULT_SCHEDULE) => (await accountsDue(repo, dueSlot(schedule, a.timeZone, Date.now()))).emails;

describe("template validation", () => {
  it("accepts the four placeholders, normalises line endings, refuses the rest with one line", () => {
    expect(validateTemplate("Hi {firstName},\r\nmet at {meeting} on {date}.\r\n{ownerName}")).toBe("Hi {firstName},\nmet at {meeting} on {date}.\n{ownerName}");
    expect(validateTemplate(DEFAULT_TEMPLATE)).toBe(DEFAULT_TEMPLATE);
    expect(validateTemplate("x".repeat(TEMPLATE_MAX))).toHaveLength(TEMPLATE_MAX);
    expect(() => validateTemplate("x".repeat(TEMPLATE_MAX + 1))).toThrow("longer than 2,000 characters");
    expect(() => validateTemplate("Hi {lastName}")).toThrow("Unknown placeholder {lastName}");
    expect(() => validateTemplate("Hi {firstName")).toThrow("Curly braces");
    expect(() => validateTemplate("   ")).toThrow("can't be empty");
    expect(() => validateTemplate(undefined)).toThrow("missing");
    expect(() => validateTemplate("a\u0000b")).toThrow("control characters");
  });

  it("takes text that shows nothing (a zero-width space, a joiner, a direction mark, pasted) as empty, as it takes spaces (helper-249 #4)", () => {
    expect(() => validateTemplate("\u200b")).toThrow("can't be empty");
    expect(() => validateTemplate(" \u200b\n\u200d\u200e ")).toThrow("can't be empty");
    expect(validateSubject("\u200b")).toBe("");
    expect(validateSignature("\u200b\u2060")).toBe("");
    expect(validateFirstName("ana@x.io", "\ufeff")).toEqual({ person: "ana@x.io", first: "" });
    // Text that shows something keeps its invisible characters (an emoji's joiner).
    expect(validateSignature("Ana \u{1F469}\u200d\u{1F4BB}")).toBe("Ana \u{1F469}\u200d\u{1F4BB}");
  });
});

describe("signing in to manage an account", () => {
  it("/settings offers a sign-in with each configured provider, and asks only who you are", async () => {
    const res = await app.request("/settings");
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toContain("/settings/signin/google");
    expect(body).toContain("/settings/signin/microsoft");
  });

  it("a sign-in whose identity is not the one stored at connect gets no manage link", async () => {
    const g = await connect("google");
    expect(g.identity).toMatch(/^google:\d{21}$/);
    // The account's stored identity is another Google account's: the same address signs in, but it is not that account.
    await repo.put({ ...keys.account(g.email), account: { ...(await repo.get<{ account: AccountRecord }>(keys.account(g.email)))!.account, identity: "google:100000000000000000000" } });
    const res = await signIn("google", g.email);
    expect(res.status).toBe(404);
    expect(res.headers.get("location")).toBeNull();
  });

  it("Microsoft: the identity is the object id within its tenant, checked against the tenant's own issuer", async () => {
    const m = await connect("microsoft");
    expect(m.identity).toMatch(/^microsoft:[0-9a-f-]{36}:[0-9a-f-]{36}$/);
    expect((await signIn("microsoft", m.email)).status).toBe(303);
  });
});

describe.each(["google", "microsoft"] as const)("settings: %s", (p) => {
  let account: AccountRecord;
  let path: string;
  const email = () => fixtures[p].account.email;
  beforeAll(async () => {
    account = await connect(p);
    path = settingsPath(email());
  });

  it("GET shows day, hour in the owner's zone, the template, pause and disconnect — and changes nothing", async () => {
    const res = await app.request(path);
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toContain(account.timeZone);
    expect(body).toMatch(/<select id="day" name="day">[\s\S]*<option value="1" selected>Monday<\/option>[\s\S]*Sunday/);
    expect(body).toMatch(/<option value="8" selected>08:00<\/option>/);
    expect(body).toContain("<textarea id=\"template\" name=\"template\"");
    expect(body).toContain('<label for="template">');
    expect(body).not.toContain("cols=");
    expect(body).toContain("{firstName}");
    // The empty subject's three defaults, as core/followup picks them (the event's was left out, helper-238 #8).
    expect(body).toContain('Leave empty for "Great to meet you, {firstName}" soon after the meeting ("Great to meet you at {meeting}" after a networking event) and "Following up from {meeting}" after two weeks.');
    expect(body).toContain('value="pause"');
    // A settings link (which a forwarded digest carries) cannot disconnect: that needs a fresh sign-in.
    expect(body).not.toContain('value="disconnect"');
    expect(body).toContain(`/settings/signin/${p}`);
    expect(await loadAccount(repo, email())).toEqual(account);
  });

  it("an edited template goes back to the standard text through the ready templates, and people met at an event get 'After an event' again (helper-208 #5)", async () => {
    const mine = "Hi {firstName}, mine. {ownerName}";
    const before = (await repo.get<Record<string, unknown>>(keys.account(email())))!;
    try {
      expect((await post(path, { action: "save", day: "1", hour: "8", template: mine, subject: "Hello {firstName}" })).status).toBe(303);
      expect((await loadAccount(repo, email()))!.template).toBe(mine);
      // A page from before the chooser was a GET posts it: a 303 to that GET, whose page Back and a reload show again.
      const posted = await post(path, { action: "preset", preset: "standard" });
      expect(posted.status).toBe(303);
      expect(posted.headers.get("location")).toBe(`${path}?preset=standard`);
      const loaded = await app.request(posted.headers.get("location")!);
      expect(loaded.status).toBe(200);
      const page = await loaded.text();
      expect(page).toContain('<option value="standard">The standard text</option>');
      expect(page).toContain(`<textarea id="template" name="template" rows="8"`);
      expect(page).toContain("It was good to meet you at {meeting} on {date}.");
      expect(page).toMatch(/<input type="text" id="subject" name="subject" value=""/);
      expect((await loadAccount(repo, email()))!.template).toBe(mine);
      // Saved as the page holds it: the standard text, so an event's contact gets "After an event".
      expect((await post(path, { action: "save", day: "1", hour: "8", template: DEFAULT_TEMPLATE, subject: "" })).status).toBe(303);
      const back = (await loadAccount(repo, email()))!;
      const met = { email: "ana@else.example", name: "Ana Lima", eventId: "e1", eventTitle: "Climate Meetup", metAt: Date.now() - 86_400_000, metEnd: Date.now() - 82_800_000, stage: "met" as const, atEvent: true as const };
      const draft = composeFollowUp(back, met, undefined, Date.now());
      expect(draft.subject).toBe("Great to meet you at Climate Meetup");
      expect(draft.text).toContain("I'd be glad to stay in touch");
    } finally {
      await repo.put(before);
    }
  });

  it("refuses POSTs that are not same-origin (403, nothing saved)", async () => {
    const form = { action: "save", day: "3", hour: "17", template: DEFAULT_TEMPLATE };
    const ct = { "content-type": "application/x-www-form-urlencoded" };
    expect((await post(path, form, ct)).status).toBe(403);
    const foreign = await post(path, form, { ...ct, origin: "https://evil.example" });
    expect(foreign.status).toBe(403);
    // Not a dead end: the settings page itself, to send the form from (helper-238 #6).
    expect(await foreign.text()).toContain(`<a href="${new URL(path, BASE).pathname}">Open your settings</a>`);
    expect((await post(path, form, { ...ct, "sec-fetch-site": "cross-site" })).status).toBe(403);
    expect((await post(path, form, { ...ct, origin: BASE, "sec-fetch-site": "same-site" })).status).toBe(403);
    expect((await post(path, { action: "disconnect", confirm: "disconnect" }, { ...ct, origin: "null" })).status).toBe(403);
    expect((await post(path, form, { ...ct, origin: "null", "sec-fetch-site": "cross-site" })).status).toBe(403);
    expect((await post(path, form, { ...ct, origin: "null", "sec-fetch-site": "same-site" })).status).toBe(403);
    expect(await loadAccount(repo, email())).toEqual(account);
  });

  it("accepts what a browser sends on its own form POST: Sec-Fetch-Site same-origin, even with Origin null", async () => {
    const ct = { "content-type": "application/x-www-form-urlencoded" };
    // A page once served under Referrer-Policy: no-referrer makes Chromium send Origin: null.
    const res = await post(path, { action: "pause" }, { ...ct, origin: "null", "sec-fetch-site": "same-origin" });
    expect(res.status).toBe(303);
    expect((await loadAccount(repo, email()))!.status).toBe("paused");
    await updateAccount(repo, email(), { status: "active" }, Date.now());
    expect(await loadAccount(repo, email())).toEqual(account);
    // The policy every page now has: a same-origin POST carries the real Origin.
    const page = await app.request(path);
    expect(page.headers.get("referrer-policy")).toBe("same-origin");
    expect(await page.text()).toContain('<meta name="referrer" content="same-origin">');
  });

  it("refuses a tampered or foreign token on POST", async () => {
    const foreign = `/l/settings/${sealLink("another-deployment's-key", { act: "settings", acc: email() }, Date.now())}`;
    expect((await post(foreign, { action: "pause" })).status).toBe(400);
    const pause = `/l/settings/${sealLink(KEY, { act: "pause", acc: email() }, Date.now())}`;
    expect((await post(pause, { action: "pause" })).status).toBe(403);
    expect((await loadAccount(repo, email()))!.status).toBe("active");
  });

  it("bad values give a 400 with the one-line reason and save nothing", async () => {
    const cases: [Record<string, string>, string][] = [
      // A value out of range says what a value of another shape says (helper-249).
      [{ day: "8", hour: "9" }, "Choose a day from Monday to Sunday."],
      [{ day: "0", hour: "9" }, "Choose a day from Monday to Sunday."],
      [{ day: "2", hour: "24" }, "Choose an hour from 0 to 23."],
      [{ day: "2", hour: "" }, "Choose an hour from 0 to 23."],
      [{ day: "Mon", hour: "9" }, "Choose a day from Monday to Sunday."],
      [{ day: "2", hour: "9", template: "x".repeat(TEMPLATE_MAX + 1) }, "The template is longer than 2,000 characters."],
      [{ day: "2", hour: "9", template: "Dear {lastName}" }, "Unknown placeholder {lastName}: use {firstName}, {meeting}, {date} or {ownerName}."],
    ];
    for (const [form, reason] of cases) {
      const res = await post(path, { action: "save", template: DEFAULT_TEMPLATE, ...form });
      expect(res.status, reason).toBe(400);
      expect(await res.text()).toContain(reason);
    }
    expect(await loadAccount(repo, email())).toEqual(account);
    // The page states the schedule in effect, not the one typed and refused; the form keeps the typed one (helper-141 #3).
    const refused = await (await post(path, { action: "save", day: "3", hour: "17", template: "Hi {FirstName}" })).text();
    expect(refused).toContain("On, every Monday 08:00<");
    expect(refused).not.toContain("every Wednesday");
    expect(refused).toMatch(/<option value="3" selected>Wednesday/);
  });

  it("a save without the subject or signature fields (an older page, a hand-made form) keeps them as stored; an empty one still clears (helper-190 #3)", async () => {
    const stored = (await repo.get<Record<string, unknown>>(keys.account(email())))!;
    try {
      await updateAccount(repo, email(), { subjectTemplate: "Lovely to meet {firstName}", signatureName: "Izzy" }, Date.now());
      const res = await post(path, { action: "save", day: "2", hour: "9", template: "Hello {firstName}" });
      expect(res.status).toBe(303);
      expect(await loadAccount(repo, email())).toMatchObject({ schedule: { day: 2, hour: 9 }, template: "Hello {firstName}", subjectTemplate: "Lovely to meet {firstName}", signatureName: "Izzy" });
      expect((await post(path, { action: "save", day: "2", hour: "9", template: "Hello {firstName}", subject: "", signature: "" })).status).toBe(303);
      const cleared = (await loadAccount(repo, email()))!;
      expect([cleared.subjectTemplate ?? "", cleared.signatureName ?? ""]).toEqual(["", ""]);
    } finally {
      await repo.put(stored);
    }
  });

  it("a save without the subject field leaves the stored subject alone, even one saved from another tab after this request read the account (helper-191 #4)", async () => {
    const stored = (await repo.get<Record<string, unknown>>(keys.account(email())))!;
    try {
      const read = (await loadAccount(repo, email()))!;
      await updateAccount(repo, email(), { subjectTemplate: "Saved in the other tab" }, Date.now());
      // This request read the account before the other tab's save.
      const stale = Object.create(deps.repo) as Repository;
      stale.get = (async (key: Record<string, unknown>) =>
        key.sk === keys.account(email()).sk ? { ...stored, account: { ...read, subjectTemplate: "As this request read it" } } : deps.repo.get(key as never)) as Repository["get"];
      const tab = createApp({ ...deps, repo: stale });
      expect((await post(path, { action: "save", day: "4", hour: "10", template: "Hello {firstName}" }, SAME, tab)).status).toBe(303);
      expect(await loadAccount(repo, email())).toMatchObject({ schedule: { day: 4, hour: 10 }, subjectTemplate: "Saved in the other tab" });
    } finally {
      await repo.put(stored);
    }
  });

  /** A tab: the page as loaded, and its form's fields as it shows them. */
  const open = async (from?: Response) => {
    const page = await (from ?? (await app.request(path))).text();
    const field = (re: RegExp) => decodeHTML(re.exec(page)![1]);
    return {
      action: "save",
      loaded: field(/name="loaded" value="([^"]*)"/),
      day: field(/<select id="day" name="day">[\s\S]*?<option value="(\d)" selected>/),
      hour: field(/<select id="hour" name="hour">[\s\S]*?<option value="(\d+)" selected>/),
      template: field(/<textarea id="template" name="template"[^>]*>([\s\S]*?)<\/textarea>/),
      subject: field(/id="subject" name="subject" value="([^"]*)"/),
      signature: field(/id="signature" name="signature" value="([^"]*)"/),
    };
  };

  it("a page left open in another tab saves only what the person changed on it, not the rest as that tab loaded it (helper-249 #1)", async () => {
    const stored = (await repo.get<Record<string, unknown>>(keys.account(email())))!;
    try {
      const [a, b] = [await open(), await open()];
      // Tab A rewrites the message; tab B, loaded before that save, then changes only the day.
      const [savedA, savedB] = [await post(path, { ...a, template: "Tab A's words, {firstName}" }), await post(path, { ...b, day: "4" })];
      // Each says what it saved, and only that.
      expect(savedA.headers.get("location")).toBe(`${path}?saved=template#schedule`);
      expect(await (await app.request(savedA.headers.get("location")!)).text()).toContain('<p role="status"><b>Saved: your template.</b></p>');
      expect(savedB.headers.get("location")).toBe(`${path}?saved=when#schedule`);
      expect(await (await app.request(savedB.headers.get("location")!)).text()).toContain('<p role="status"><b>Saved: when your digest arrives.</b> Your next digest arrives on <b>');
      expect(await loadAccount(repo, email())).toMatchObject({ template: "Tab A's words, {firstName}", schedule: { day: 4, hour: Number(a.hour) } });
      // The other way round: A moves the digest to Wednesday 19:00; B, loaded before, signs the drafts.
      const [c, d] = [await open(), await open()];
      expect((await post(path, { ...c, day: "3", hour: "19" })).status).toBe(303);
      expect((await post(path, { ...d, signature: "Tab B" })).status).toBe(303);
      expect(await loadAccount(repo, email())).toMatchObject({ template: "Tab A's words, {firstName}", schedule: { day: 3, hour: 19 }, signatureName: "Tab B" });
      // Both change the same field: the later save's value is kept, as the person last asked.
      const [e, f] = [await open(), await open()];
      expect((await post(path, { ...e, subject: "From E" })).status).toBe(303);
      expect((await post(path, { ...f, subject: "From F" })).status).toBe(303);
      expect((await loadAccount(repo, email()))!.subjectTemplate).toBe("From F");
      // Saved as loaded: nothing changed, and the page says so.
      const same = await post(path, await open());
      expect(same.headers.get("location")).toBe(`${path}?saved=unchanged#schedule`);
      expect(await (await app.request(same.headers.get("location")!)).text()).toContain("Nothing to save: nothing was changed.");
    } finally {
      await repo.put(stored);
    }
  });

  it("an old tab's refused save, corrected, still writes only what it changed; a value stored before a rule it now follows is no change; day and hour go together (helper-250)", async () => {
    const stored = (await repo.get<Record<string, unknown>>(keys.account(email())))!;
    try {
      // #1: A and B open; B saves the template; A's save is refused (its subject), then corrected.
      const [a, b] = [await open(), await open()];
      expect((await post(path, { ...b, template: "Newer words from tab B, {firstName}" })).status).toBe(303);
      const refused = await post(path, { ...a, hour: "11", subject: "Hi {oops}" });
      expect(refused.status).toBe(400);
      const shown = await open(refused);
      // The page as A sent it, with the `loaded` A's page first had.
      expect([shown.loaded, shown.hour, shown.subject]).toEqual([a.loaded, "11", "Hi {oops}"]);
      expect((await post(path, { ...shown, subject: "Hi {firstName}" })).headers.get("location")).toBe(`${path}?saved=schedule#schedule`);
      expect(await loadAccount(repo, email())).toMatchObject({ template: "Newer words from tab B, {firstName}", subjectTemplate: "Hi {firstName}", schedule: { hour: 11 } });
      // #2: a subject stored with full-width braces (before they were made the placeholders'), shown
      // so; B saves another; A changes only the day: B's subject stays.
      await updateAccount(repo, email(), { subjectTemplate: "Hi \uff5bfirstName\uff5d" }, Date.now());
      const [c, d] = [await open(), await open()];
      expect((await post(path, { ...d, subject: "From tab B {firstName}" })).status).toBe(303);
      expect((await post(path, { ...c, day: "5" })).headers.get("location")).toBe(`${path}?saved=when#schedule`);
      expect(await loadAccount(repo, email())).toMatchObject({ subjectTemplate: "From tab B {firstName}", schedule: { day: 5, hour: 11 } });
      // Day and hour are one choice: B sets Friday 17:00, an older A only the hour 08:00: A's whole time.
      const [e, f] = [await open(), await open()];
      expect((await post(path, { ...f, day: "5", hour: "17" })).status).toBe(303);
      expect((await post(path, { ...e, hour: "8" })).status).toBe(303);
      expect((await loadAccount(repo, email()))!.schedule).toEqual({ day: Number(e.day), hour: 8 });
      // #3: a form without the subject and signature (an older page) writes neither, and says only what it wrote.
      const g = await open();
      await updateAccount(repo, email(), { subjectTemplate: "Changed elsewhere" }, Date.now());
      const { subject: _s, signature: _g, ...older } = g;
      expect((await post(path, older)).headers.get("location")).toBe(`${path}?saved=unchanged#schedule`);
      expect((await loadAccount(repo, email()))!.subjectTemplate).toBe("Changed elsewhere");
    } finally {
      await repo.put(stored);
    }
  });

  it("a save of the day says when the next digest comes: next week's, when this week's has gone out (helper-279 #1)", async () => {
    const stored = (await repo.get<Record<string, unknown>>(keys.account(email())))!;
    try {
      const now = Date.now();
      const zone = account.timeZone;
      const local = now + zoneOffset(now, zone);
      const today = ((new Date(local).getUTCDay() + 6) % 7) + 1;
      // This week's digest has gone out; the person moves the day to one later this week (Sunday's 23:00 on a Sunday).
      await updateAccount(repo, email(), { lastWeek: isoWeek(now, zone) }, now);
      const day = Math.min(today + 1, 7);
      const res = await post(path, { action: "save", day: String(day), hour: "23", template: (await loadAccount(repo, email()))!.template || DEFAULT_TEMPLATE });
      expect(res.status).toBe(303);
      // That day of next week, not of this one: "every <day>" alone left the person waiting for it this week.
      const date = new Date(Math.floor(local / DAY) * DAY + (day - today + 7) * DAY);
      const days = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
      const months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
      const expected = `${days[date.getUTCDay()]}, ${date.getUTCDate()} ${months[date.getUTCMonth()]} ${date.getUTCFullYear()} at 23:00`;
      const page = await (await app.request(res.headers.get("location")!)).text();
      expect(page).toMatch(new RegExp(`<p role="status"><b>Saved: when your digest arrives[^<]*</b> Your next digest arrives on <b>${expected}</b>.</p>`));
      // A pause says nothing of a next digest.
      await updateAccount(repo, email(), { status: "paused" }, now);
      expect(await (await app.request(res.headers.get("location")!)).text()).not.toContain("Your next digest");
    } finally {
      await repo.put(stored);
    }
  });

  it("full-width braces (an East Asian input method's) are the placeholders' (helper-141 #6)", () => {
    expect(validateTemplate("Hi \uff5bfirstName\uff5d,")).toBe("Hi {firstName},");
    expect(validateSubject("Great to meet you, \uff5bfirstName\uff5d")).toBe("Great to meet you, {firstName}");
    expect(() => validateTemplate("Hi \uff5blastName\uff5d")).toThrow("Unknown placeholder {lastName}");
  });

  it("saving day and hour moves the account in the due-hour index; the template is used for drafts", async () => {
    expect(await due(account)).toContain(email().toLowerCase());
    const template = "Hello {firstName},\r\nlovely to meet you at {meeting} ({date}).\r\n— {ownerName}";
    const res = await post(path, { action: "save", day: "3", hour: "17", template });
    expect(res.status).toBe(303);
    // Back at the section saved, which says what was saved (helper-204 #2, #4).
    expect(res.headers.get("location")).toBe(`${path}?saved=schedule#schedule`);
    const saved = (await loadAccount(repo, email()))!;
    expect(saved.schedule).toEqual({ day: 3, hour: 17 });
    expect(saved.template).toBe(template.replace(/\r\n/g, "\n"));
    expect(saved.refreshTokenSealed).toBe(account.refreshTokenSealed);
    expect(await due(saved)).toContain(email().toLowerCase());
    expect(await due(saved, DEFAULT_SCHEDULE)).not.toContain(email().toLowerCase());
    const page = await (await app.request(`${path}?saved=schedule`)).text();
    expect(page).toContain('<h2 id="schedule">When your digest arrives</h2>\n<p role="status"><b>Saved: when your digest arrives, and your template.</b> Your next digest arrives on <b>');
    expect(page.match(/role="status"/g)).toHaveLength(1);
    // A value it does not know says nothing.
    expect(await (await app.request(`${path}?saved=everything`)).text()).not.toContain('role="status"');
    expect(page).toMatch(/<option value="3" selected>Wednesday/);
    expect(page).toMatch(/<option value="17" selected>17:00/);
    const draft = composeFollowUp(saved, { email: "ana@example.com", name: "Ana Silva", eventId: "e", eventTitle: "Demo day", metAt: Date.now(), metEnd: Date.now(), stage: "met" });
    expect(draft.text).toMatch(/^Hello Ana,\nlovely to meet you at Demo day \(/);
    account = saved;
  });

  it("a zone chosen before the calendar's was kept beside it (no calendarZone, not unread): the zone form does not say the provider told us none (helper-299)", async () => {
    const before = (await loadAccount(repo, email()))!;
    try {
      await updateAccount(repo, email(), () => ({ zoneChosen: true, calendarZone: undefined }), Date.now());
      const asked = await (await app.request(`${path}?zone=1`)).text();
      expect(asked).toContain('<h2 id="time-zone">Time zone</h2>');
      expect(asked).not.toContain("did not tell us");
      expect(asked).toContain("A zone picked from the list stays until you change it here.");
    } finally {
      await updateAccount(repo, email(), () => ({ zoneChosen: before.zoneChosen, calendarZone: before.calendarZone }), Date.now());
    }
  });

  it("the time zone: listed when asked for, a bad one refused with its reason, a new one moves the due-hour index and files the calendar's sync for the next dispatch", async () => {
    const page = await (await app.request(path)).text();
    expect(page).toContain(`In your time zone: ${account.timeZone}. <a href="${path}?zone=1#time-zone">Change time zone</a>`);
    expect(page).not.toContain('name="zone"');
    const asked = await (await app.request(`${path}?zone=1`)).text();
    expect(asked).toContain('<h2 id="time-zone">Time zone</h2>');
    // Following the calendar (as connected): its zone is the list's first choice, and the one chosen.
    const calendar = account.timeZone;
    expect(account.zoneChosen).toBeUndefined();
    expect(asked).toContain(`<option value="calendar" selected>My calendar’s: ${calendar.replaceAll("_", " ")}</option><option value="UTC">`);
    expect(asked).toContain(`<option value="${calendar}">${calendar.replaceAll("_", " ")}</option>`);
    expect(asked).toContain('<option value="America/Los_Angeles">America/Los Angeles</option>');
    expect(asked).toContain('<option value="UTC">UTC</option>');
    // Not in the list: unknown, injected, and aliases the runtime would take but the list does not name.
    for (const bad of ["Mars/Olympus_Mons", "", "Europe/London\r\nX-Injected: 1", "../../etc/passwd", "x".repeat(65), "US/Eastern", "asia/tokyo", "EST", "Etc/UTC"]) {
      const res = await post(path, { action: "zone", zone: bad });
      expect(res.status, bad).toBe(400);
      const body = await res.text();
      expect(body).toContain('<a href="#zone">Choose a time zone from the list.</a>');
      expect(body).toContain('<select id="zone" name="zone" aria-invalid="true" aria-describedby="form-error zone-help">');
      // The title says which page refused (WCAG 2.4.2; helper-281).
      expect(body).toContain("<title>Not saved: Settings · Followthrough</title>");
    }
    expect(await loadAccount(repo, email())).toEqual(account);
    // The calendar's, as it follows: nothing changes.
    const syncBefore = await repo.get(keys.eventJob(email(), "sync"));
    expect((await post(path, { action: "zone", zone: "calendar" })).status).toBe(303);
    expect(await loadAccount(repo, email())).toEqual(account);
    expect(await repo.get(keys.eventJob(email(), "sync"))).toEqual(syncBefore);
    // The same zone picked from the list: now chosen (a reconnect keeps it), the calendar's kept
    // beside it; the zone is the same, so no sync is filed.
    expect((await post(path, { action: "zone", zone: calendar })).status).toBe(303);
    expect(await loadAccount(repo, email())).toEqual({ ...account, zoneChosen: true, calendarZone: calendar });
    expect(await repo.get(keys.eventJob(email(), "sync"))).toEqual(syncBefore);
    const pinned = await (await app.request(`${path}?zone=1`)).text();
    expect(pinned).toContain(`In your time zone: ${calendar}. Chosen here: a reconnect keeps it.`);
    expect(pinned).toContain(`<option value="calendar">My calendar’s: ${calendar.replaceAll("_", " ")}</option>`);
    expect(pinned).toContain(`<option value="${calendar}" selected>`);

    const zone = "Asia/Tokyo";
    const before = Date.now();
    const res = await post(path, { action: "zone", zone });
    const after = Date.now();
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`${path}?saved=zone#schedule`);
    const saved = (await loadAccount(repo, email()))!;
    expect(saved.timeZone).toBe(zone);
    expect(saved.refreshTokenSealed).toBe(account.refreshTokenSealed);
    expect(await due(saved)).toContain(email().toLowerCase());
    expect(await due(account, saved.schedule)).not.toContain(email().toLowerCase());
    // The calendar is read again in the new zone at the first dispatch a minute or more on.
    const sync = (await repo.get<{ due: number }>(keys.eventJob(email(), "sync")))!;
    expect([nextDispatchSlot(before + 60_000), nextDispatchSlot(after + 60_000)]).toContain(sync.due);
    expect(saved).toMatchObject({ zoneChosen: true, calendarZone: calendar });
    const back = await (await app.request(`${path}?saved=zone`)).text();
    expect(back).toContain("Saved: your time zone.");
    expect(back).toContain(`In your time zone: ${zone}. Chosen here: a reconnect keeps it.`);

    // Back to the calendar's zone: it follows the calendar again, and the calendar is read in it.
    await repo.delete(keys.eventJob(email(), "sync"));
    expect((await post(path, { action: "zone", zone: "calendar" })).status).toBe(303);
    const following = (await loadAccount(repo, email()))!;
    expect(following).toMatchObject({ timeZone: calendar, calendarZone: calendar });
    expect(following.zoneChosen).toBeUndefined();
    expect(await due(following)).toContain(email().toLowerCase());
    expect((await repo.get<{ due: number }>(keys.eventJob(email(), "sync")))?.due).toBeGreaterThanOrEqual(nextDispatchSlot(after + 60_000));
    expect(await (await app.request(path)).text()).toContain(`In your time zone: ${calendar}. <a href=`);
    account = following;
  });

  it("pause takes the account out of the due-hour index; resume puts it back", async () => {
    expect((await post(path, { action: "pause" })).status).toBe(303);
    const paused = (await loadAccount(repo, email()))!;
    expect(paused.status).toBe("paused");
    expect(await due(paused)).not.toContain(email().toLowerCase());
    const page = await (await app.request(path)).text();
    expect(page).toContain('value="resume"');
    await repo.delete(keys.eventJob(email().toLowerCase(), "sync"));
    const resuming = await post(path, { action: "resume" });
    expect(resuming.status).toBe(303);
    const resumed = (await loadAccount(repo, email()))!;
    expect(resumed.status).toBe("active");
    const back = new URL(resuming.headers.get("location")!, "http://x");
    expect((await (await app.request(`${back.pathname}${back.search}`)).text()).replace(/<[^>]+>/g, "")).toContain("Saved: your digests are on again.");
    expect(await due(resumed)).toContain(email().toLowerCase());
    // The daily event sync is back on the due-hour index at once (not at the next weekly run).
    expect(await repo.get(keys.eventJob(email().toLowerCase(), "sync"))).toMatchObject({ due: expect.any(Number) });
    expect(resumed.schedule).toEqual({ day: 3, hour: 17 });
  });

  it("a manage link past its 15 minutes sends the owner to sign in again (not to a digest, whose links cannot disconnect); nothing is changed", async () => {
    const stale = `/l/manage/${sealLink(KEY, { act: "manage", acc: email() }, Date.now() - 16 * 60_000)}`;
    const before = (await loadAccount(repo, email()))!;
    const res = await post(stale, { action: "save", day: "5", hour: "9", template: "Hi {firstName}", subject: "", signature: "" });
    expect(res.status).toBe(410);
    const page = await res.text();
    expect(page).toContain("Sign in again");
    expect(page).toMatch(/href="[^"]*\/settings"/);
    // What was typed comes back to copy, read-only; nothing is saved.
    expect(page).toContain('readonly>Hi {firstName}</textarea>');
    expect((await loadAccount(repo, email()))!.schedule).toEqual(before.schedule);
    // A form from another origin gets the same page without its values echoed.
    const foreign = await post(stale, { action: "save", day: "5", hour: "9", template: "Hi {firstName} <b>x</b>", subject: "", signature: "" }, { ...SAME, origin: "https://evil.example", "sec-fetch-site": "cross-site" });
    expect(foreign.status).toBe(410);
    expect(await foreign.text()).not.toContain("Hi {firstName}");
  });

  it("a settings link that expired while the form was open gives back what was typed; nothing is changed", async () => {
    const stale = `/l/settings/${sealLink(KEY, { act: "settings", acc: email() }, Date.now() - 8 * 86_400_000)}`;
    const before = (await loadAccount(repo, email()))!;
    const res = await post(stale, { action: "save", day: "5", hour: "9", template: "Hi {firstName}, long typed", subject: "", signature: "" });
    expect(res.status).toBe(410);
    const page = await res.text();
    expect(page).toContain("This settings link has expired. Nothing was changed.");
    expect(page).toContain('readonly>Hi {firstName}, long typed</textarea>');
    expect(page).toMatch(/href="[^"]*\/settings"/);
    // Given back whole: a template within the limit in characters, though longer in UTF-16 units
    // (emoji), and one over the limit, which the person was told to copy (helper-106 #3).
    for (const template of [`Hi {firstName} ${"🎉".repeat(1900)} END-OF-MY-TEXT`, `Hi {firstName} ${"x".repeat(2500)} END-OF-MY-TEXT`]) {
      const again = await (await post(stale, { action: "save", day: "5", hour: "9", template, subject: "", signature: "" })).text();
      expect(again).toContain(`readonly>${template}</textarea>`);
    }
    expect((await loadAccount(repo, email()))!.schedule).toEqual(before.schedule);
    // Opened (a GET), the expired link gets the usual page.
    expect(await (await app.request(stale)).text()).toContain("This link has expired");
  });

  it("a form whose bytes are not UTF-8 is refused with a 400, not stored with U+FFFD in place of what was meant (helper-171 #6)", async () => {
    const before = (await loadAccount(repo, email()))!;
    for (const [body, field] of [
      ["action=save&day=1&hour=9&template=Hi%FF%FE%20{firstName}&subject=", "template"],
      ["action=save&day=1&hour=9&template=Hi%20{firstName}&subject=Re%C3", "subject"],
      ["action=save&day=1&hour=9&template=Hi%20{firstName}&subject=&signature=Ren%E9", "signature name"],
    ]) {
      const res = await app.request(path, { method: "POST", headers: SAME, body });
      expect(res.status, field).toBe(400);
      expect(await res.text()).toContain("where characters could not be read (a form not sent as UTF-8): type it again.");
    }
    const bad = await app.request(path, { method: "POST", headers: SAME, body: "action=firstname&person=ana%40example.org&first=An%E1" });
    expect(bad.status).toBe(400);
    // The address a correction is kept under, too (helper-190 #4: a key no person has, stored).
    const badKey = await app.request(path, { method: "POST", headers: SAME, body: "action=firstname&person=b%FFn%40example.org&first=Ben" });
    expect(badKey.status).toBe(400);
    expect(await badKey.text()).toContain("where characters could not be read");
    const after = (await loadAccount(repo, email()))!;
    expect([after.template, after.subjectTemplate, after.signatureName, after.firstNames]).toEqual([before.template, before.subjectTemplate, before.signatureName, before.firstNames]);
    expect(validateTemplate("Hi {firstName} \u00e9")).toBe("Hi {firstName} \u00e9");
    // A template stored with one before (or typed) is posted again by every save: the day still changes (helper-172 #1).
    const stored = "Hi {firstName}, good to meet you at {meeting} \uFFFD";
    await updateAccount(repo, email(), { template: stored }, Date.now());
    const save = await post(path, { action: "save", day: "2", hour: "10", template: stored, subject: after.subjectTemplate ?? "", signature: after.signatureName ?? "" });
    expect(save.status).toBe(303);
    expect((await loadAccount(repo, email()))!.schedule).toMatchObject({ day: 2, hour: 10 });
    await updateAccount(repo, email(), { template: before.template, schedule: before.schedule }, Date.now());
  });

  it("an oversized form is a 413 page, not read: nothing saved, nothing of it echoed back (a refused save returned a 30 MB template whole)", async () => {
    const before = (await loadAccount(repo, email()))!;
    const huge = `action=save&day=1&hour=9&template=${"%22".repeat(300 * 1024)}`;
    // Sent with its length, and without (read until the limit).
    for (const headers of [{ ...SAME, "content-length": String(huge.length) }, SAME]) {
      const res = await app.request(path, { method: "POST", headers, body: huge });
      expect(res.status).toBe(413);
      const text = await res.text();
      expect(text).toContain("too large");
      // Not a dead end: the way back to the page the form was on, as the other error pages have one.
      expect(text).toContain(`<a href="${path}">Back to the page</a>`);
      expect(text.length).toBeLessThan(20_000);
      expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    }
    // A form of ordinary size still saves.
    expect((await post(path, { action: "save", day: "2", hour: "9", template: "x".repeat(TEMPLATE_MAX), subject: before.subjectTemplate ?? "", signature: before.signatureName ?? "" })).status).toBe(303);
    await updateAccount(repo, email(), { template: before.template, schedule: before.schedule }, Date.now());
    expect((await loadAccount(repo, email()))!.template).toBe(before.template);
  });

  it("a first-name correction that is refused comes back as typed; a good one is kept", async () => {
    const bad = await post(path, { action: "firstname", person: "wei.jie@", first: "Wei Jie" });
    expect(bad.status).toBe(400);
    const page = await bad.text();
    // Its limit is stated beside it, as the subject's and the signature's are (helper-260).
    expect(page).toContain(`Leave empty to go back to the guess. At most ${FIRST_NAME_MAX} characters.`);
    const long = await post(path, { action: "firstname", person: "wei.jie@example.org", first: "W".repeat(FIRST_NAME_MAX + 1) });
    expect(long.status).toBe(400);
    expect(await long.text()).toContain(`The first name is longer than ${FIRST_NAME_MAX} characters.`);
    expect(page).toContain('value="wei.jie@"');
    expect(page).toContain('value="Wei Jie"');
    expect((await post(path, { action: "firstname", person: "wei.jie@example.org", first: "Wei Jie" })).status).toBe(303);
    expect((await loadAccount(repo, email()))!.firstNames).toMatchObject({ "wei.jie@example.org": "Wei Jie" });
    // Typed as the digest shows it (dots, a +tag, googlemail): kept under the address a draft looks
    // the person up by, the normalised one; lower-cased only, it never reached the draft.
    expect((await post(path, { action: "firstname", person: "Ben.Osei+events@GoogleMail.com", first: "Benji" })).status).toBe(303);
    const names = (await loadAccount(repo, email()))!.firstNames!;
    expect(names["benosei@gmail.com"]).toBe("Benji");
    expect(names["ben.osei+events@googlemail.com"]).toBeUndefined();
    // As copied from a list or a mail client: kept under the address; what no person can have is refused (helper-141 #1).
    for (const typed of ["Ana.Silva@example.com,", "mailto:ana.silva@example.com", "<ana.silva@example.com>;"]) {
      expect((await post(path, { action: "firstname", person: typed, first: "Ani" })).status, typed).toBe(303);
    }
    expect(Object.keys((await loadAccount(repo, email()))!.firstNames!).filter((k) => k.includes("silva"))).toEqual(["ana.silva@example.com"]);
    expect((await post(path, { action: "firstname", person: "ana@@example.com", first: "Ani" })).status).toBe(400);
    // A correction kept under the address as typed, before corrections were normalised: the draft
    // uses it, and removing (or saving) that person takes it away (helper-141 #2).
    await updateAccount(repo, email(), (a) => ({ firstNames: { ...a.firstNames, "cleo.park+events@googlemail.com": "Cleo P" } }), Date.now());
    const cleo = { email: "cleopark@gmail.com", name: "Cleopatra Park", eventId: "e", eventTitle: "Demo day", metAt: Date.now(), metEnd: Date.now(), stage: "met" as const };
    expect(composeFollowUp((await loadAccount(repo, email()))!, cleo).text).toMatch(/^\w+ Cleo P,/);
    expect((await post(path, { action: "firstname", person: "Cleo.Park+events@googlemail.com", first: "" })).status).toBe(303);
    expect(Object.keys((await loadAccount(repo, email()))!.firstNames!).filter((k) => k.includes("cleo"))).toEqual([]);
    expect(composeFollowUp((await loadAccount(repo, email()))!, cleo).text).toMatch(/^\w+ Cleopatra,/);
    // Ten corrections saved at the same moment (tabs, a quick hand): each says saved and each is kept
    // (helper-106 #4: the whole map was written back as read, and only some survived).
    const ten = Array.from({ length: 10 }, (_, i) => `same.moment${i}@example.org`);
    const answers = await Promise.all(ten.map((person, i) => post(path, { action: "firstname", person, first: `Same${i}` })));
    expect(answers.map((a) => a.status)).toEqual(ten.map(() => 303));
    const kept = (await loadAccount(repo, email()))!.firstNames!;
    expect(ten.map((person) => kept[person])).toEqual(ten.map((_, i) => `Same${i}`));
    expect(kept["wei.jie@example.org"]).toBe("Wei Jie");
    // Removed at the same moment, each one goes and the rest stay.
    await Promise.all(ten.map((person) => post(path, { action: "firstname", person, first: "" })));
    expect(Object.keys((await loadAccount(repo, email()))!.firstNames!).filter((k) => k.startsWith("same.moment"))).toEqual([]);
    // One past the most kept: refused, and what was typed comes back.
    const before = (await loadAccount(repo, email()))!.firstNames ?? {};
    const full = Object.fromEntries(Array.from({ length: FIRST_NAMES_MAX }, (_, i) => [`p${i}@example.org`, `P${i}`]));
    await updateAccount(repo, email(), { firstNames: full }, Date.now());
    try {
      const over = await post(path, { action: "firstname", person: "ana.one@example.org", first: "Ana" });
      expect(over.status).toBe(400);
      const refused = await over.text();
      expect(refused).toContain(`At most ${FIRST_NAMES_MAX} names are kept`);
      expect(refused).toContain('value="ana.one@example.org"');
      expect(refused).toContain('value="Ana"');
      expect(Object.keys((await loadAccount(repo, email()))!.firstNames ?? {})).toHaveLength(FIRST_NAMES_MAX);
      // Full with one kept under the address as typed: correcting that person takes its place (helper-146 #9).
      const { "p0@example.org": _gone, ...rest } = full;
      await updateAccount(repo, email(), { firstNames: { ...rest, "Dee.Park+conf@gmail.com": "Dee" } }, Date.now());
      expect((await post(path, { action: "firstname", person: "dee.park@gmail.com", first: "Deedee" })).status).toBe(303);
      const kept = (await loadAccount(repo, email()))!.firstNames!;
      expect(Object.keys(kept)).toHaveLength(FIRST_NAMES_MAX);
      expect(kept["deepark@gmail.com"]).toBe("Deedee");
      expect(kept["Dee.Park+conf@gmail.com"]).toBeUndefined();
    } finally {
      await updateAccount(repo, email(), { firstNames: before }, Date.now());
    }
  });

  it("a first-name correction typed as a mail client copies it, and an older one kept as typed with its punctuation, are the person's (helper-146 #10–#12)", async () => {
    for (const typed of ["Ana Silva <Ana.Silva@example.com>", "<mailto:ana.silva@example.com>", "\u200bana.silva@example.com"]) {
      expect((await post(path, { action: "firstname", person: typed, first: "Ani" })).status, typed).toBe(303);
      expect((await loadAccount(repo, email()))!.firstNames!["ana.silva@example.com"], typed).toBe("Ani");
    }
    // Kept as typed by an older version ("…," lower-cased): removing the person takes it too.
    await updateAccount(repo, email(), (a) => ({ firstNames: { ...a.firstNames, "cleo@example.org,": "Cleo" } }), Date.now());
    expect((await post(path, { action: "firstname", person: "cleo@example.org", first: "" })).status).toBe(303);
    expect(Object.keys((await loadAccount(repo, email()))!.firstNames!).filter((k) => k.includes("cleo"))).toEqual([]);
    expect((await post(path, { action: "firstname", person: "ana.silva@example.com", first: "" })).status).toBe(303);
  });

  it("a resume or an event-email choice whose plan the table refuses files the calendar's sync for the next dispatch, which plans", async () => {
    const acc = email().toLowerCase();
    const realRepo = deps.repo;
    let refuse = 0;
    // The plan's first read fails (the table throttled); the sync's one write goes through.
    deps.repo = new Proxy(realRepo, {
      get(target, prop) {
        const real = Reflect.get(target, prop, target);
        if (prop === "loadMeetings" && refuse > 0)
          return async () => {
            refuse--;
            throw new Error("ProvisionedThroughputExceededException: the plan's read");
          };
        return typeof real === "function" ? real.bind(target) : real;
      },
    });
    try {
      for (const [first, then] of [[{ action: "pause" }, { action: "resume" }], [{ action: "eventemails" }, { action: "eventemails", morningOf: "on", morningAfter: "on" }]] as const) {
        expect((await post(path, first)).status).toBe(303);
        await realRepo.delete(keys.eventJob(acc, "sync"));
        refuse = 1;
        const slots = [nextDispatchSlot(Date.now() + 60_000)];
        expect((await post(path, then)).status).toBe(303);
        slots.push(nextDispatchSlot(Date.now() + 60_000));
        expect(refuse).toBe(0);
        const sync = await realRepo.get<{ due: number }>(keys.eventJob(acc, "sync"));
        expect(slots, then.action).toContain(sync?.due);
      }
    } finally {
      deps.repo = realRepo;
    }
    expect((await loadAccount(repo, email()))!).toMatchObject({ status: "active", eventEmails: { morningOf: true, morningAfter: true } });
  });

  it("resume queues the first backfill again when the pause cut it short, and not once it is done", async () => {
    const queued: string[] = [];
    const before = deps.enqueueBackfill;
    deps.enqueueBackfill = async (e) => void queued.push(e);
    const acc = email().toLowerCase();
    const calendar = await repo.getCursor(acc, "calendar");
    const sent = await repo.getCursor(acc, "sent");
    const owned = await repo.getCursor(acc, "ownermail");
    try {
      // The first read stopped part-way through Sent (its continuation found the account paused).
      await repo.putCursor(acc, "calendar", { mode: "incremental", generation: 1, token: "c" } as never);
      await repo.putCursor(acc, "sent", { mode: "full", since: 0, generation: 1 } as never);
      expect((await post(path, { action: "pause" })).status).toBe(303);
      expect((await post(path, { action: "resume" })).status).toBe(303);
      expect(queued).toEqual([acc]);
      // Sent read too, the owner's mail outside Sent not yet: queued again.
      await repo.putCursor(acc, "sent", { mode: "incremental", generation: 1, token: "s" } as never);
      await repo.putCursor(acc, "ownermail", { mode: "full", since: 0, generation: 1 } as never);
      expect((await post(path, { action: "pause" })).status).toBe(303);
      expect((await post(path, { action: "resume" })).status).toBe(303);
      expect(queued).toEqual([acc, acc]);
      // Read to the end: a resume queues nothing.
      await repo.putCursor(acc, "ownermail", { mode: "incremental", generation: 1, token: "o" } as never);
      expect((await post(path, { action: "pause" })).status).toBe(303);
      expect((await post(path, { action: "resume" })).status).toBe(303);
      expect(queued).toEqual([acc, acc]);
    } finally {
      deps.enqueueBackfill = before;
      if (calendar) await repo.putCursor(acc, "calendar", calendar);
      else await repo.deleteCursor(acc, "calendar");
      if (sent) await repo.putCursor(acc, "sent", sent);
      else await repo.deleteCursor(acc, "sent");
      if (owned) await repo.putCursor(acc, "ownermail", owned);
      else await repo.deleteCursor(acc, "ownermail");
    }
  });

  it("a zone set while paused: no sync then; the resume files the calendar's sync for the next dispatch (read again in the new zone before any plan), not a plan from the old zone's meetings", async () => {
    const acc = email().toLowerCase();
    const calendar = await repo.getCursor(acc, "calendar");
    const was = (await loadAccount(repo, email()))!;
    const zone = was.timeZone === "Pacific/Auckland" ? "Europe/Paris" : "Pacific/Auckland";
    try {
      // The calendar as the last read left it: read in the account's zone.
      await repo.putCursor(acc, "calendar", { mode: "incremental", generation: 1, token: "c", zone: was.timeZone } as never);
      expect((await post(path, { action: "pause" })).status).toBe(303);
      await repo.delete(keys.eventJob(acc, "sync"));
      expect((await post(path, { action: "zone", zone })).status).toBe(303);
      expect((await loadAccount(repo, email()))!.timeZone).toBe(zone);
      expect(await repo.get(keys.eventJob(acc, "sync"))).toBeUndefined();
      const before = Date.now();
      expect((await post(path, { action: "resume" })).status).toBe(303);
      const after = Date.now();
      const sync = await repo.get<{ due: number }>(keys.eventJob(acc, "sync"));
      expect([nextDispatchSlot(before + 60_000), nextDispatchSlot(after + 60_000)]).toContain(sync?.due);
    } finally {
      if (calendar) await repo.putCursor(acc, "calendar", calendar);
      else await repo.deleteCursor(acc, "calendar");
      await repo.delete(keys.eventJob(acc, "sync"));
      await updateAccount(repo, email(), { timeZone: was.timeZone, status: "active" }, Date.now());
      account = (await loadAccount(repo, email()))!;
    }
  });

  it("a one-tap pause of an account waiting for a reconnect keeps it waiting: resume asks for the reconnect, not a silent 'active'", async () => {
    // The grant was found gone: the notice went, stamped, and the account waits (core/reconnect handleRevoked).
    const at = Date.now();
    await updateAccount(repo, email(), { status: "needs_reconnect", reconnectReason: "auth-revoked", reconnectNotifiedAt: at }, at);
    // The digest's List-Unsubscribe one-click POST (RFC 8058) is honoured: paused.
    const pause = `/l/pause/${sealLink(KEY, { act: "pause", acc: email() }, at)}`;
    const res = await app.request(pause, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "List-Unsubscribe=One-Click" });
    expect(res.status).toBe(200);
    const paused = (await loadAccount(repo, email()))!;
    expect(paused.status).toBe("paused");
    expect(paused.reconnectReason).toBe("auth-revoked");
    // Resume from the paused page's form: back to waiting for the reconnect (the grant is still gone),
    // not "active" with the notice's stamp left, which no later failure could mail again.
    expect((await post(path, { action: "resume" })).status).toBe(303);
    const resumed = (await loadAccount(repo, email()))!;
    expect(resumed.status).toBe("needs_reconnect");
    expect(await due(resumed)).not.toContain(email().toLowerCase());
    expect(await (await app.request(path)).text()).toContain("reconnect needed");
    // Why, and who must act first, as the notice says: a Workspace policy is not cleared by a reconnect alone.
    await updateAccount(repo, email(), { reconnectReason: "domainPolicy" }, Date.now());
    expect(await (await app.request(path)).text()).toMatch(/The Google Workspace administrator of [^ ]+ no longer allows Followthrough to read [^]*once that has changed, reconnect to get your digests again/);
    await updateAccount(repo, email(), { reconnectReason: "auth-revoked" }, Date.now());
    // The settings page's own Pause (a tab opened before the grant went) pauses it too, keeping the
    // reason: "Saved." is true, and a reconnect does not start digests the owner paused.
    const pausing = await post(path, { action: "pause" });
    expect(pausing.status).toBe(303);
    const pausedHere = (await loadAccount(repo, email()))!;
    expect(pausedHere.status).toBe("paused");
    expect(pausedHere.reconnectReason).toBe("auth-revoked");
    // Each save says what the digests now do (helper-207 #6: "Saved." said neither).
    const said = async (res: Response) => {
      const to = new URL(res.headers.get("location")!, "http://x");
      return (await (await app.request(`${to.pathname}${to.search}`)).text()).replace(/<[^>]+>/g, "");
    };
    expect(await said(pausing)).toContain("Saved: your digests are paused.");
    const resuming = await post(path, { action: "resume" });
    expect(resuming.status).toBe(303);
    expect((await loadAccount(repo, email()))!.status).toBe("needs_reconnect");
    expect(await said(resuming)).toContain("Saved: your digests resume once you reconnect.");
    // A reconnect renews the grant and the account is on again.
    expect((await connect(p)).status).toBe("active");
  });

  it("disconnect needs a second, confirmed POST; then the grant is revoked and every item deleted", async () => {
    // Give the partition real content: a full scan, and a system mail in its outbox.
    await scan({ owner: account, provider: await stored(account), repo, now: Date.parse(fixtures[p].expected!.now) });
    await new TableOutboxMailer(repo).send(email(), "hello", "text");
    expect((await repo.allItems(email())).length).toBeGreaterThan(10);
    // Microsoft returns a new refresh token on each refresh: take a live access token now (and store the new token), to check what the disconnect ends.
    const current = (await loadAccount(repo, email()))!;
    const client = { clientId: current.clientId, endpoints: deps.oauth![p]!.endpoints };
    const granted = await refreshGrant(client, refreshTokenOf(ring, current));
    if (granted.refreshToken && granted.refreshToken !== refreshTokenOf(ring, current)) await rotateRefreshToken(repo, ring, current, granted.refreshToken);
    const token = refreshTokenOf(ring, (await loadAccount(repo, email()))!);

    // The digest's settings link cannot delete the account; a sign-in with the connected account can.
    expect((await post(path, { action: "disconnect", confirm: "disconnect" })).status).toBe(403);
    expect((await repo.allItems(email())).length).toBeGreaterThan(10);
    // Neither page promises Outlook owners a revocation Microsoft gives no call for.
    expect((await (await app.request(path)).text()).replace(/&#39;/g, "'")).toContain(p === "google" ? "To revoke Followthrough's access and delete everything" : "To end Followthrough's access and delete everything");
    const manage = await managePath(p);
    const managing = (await (await app.request(manage)).text()).replace(/&#39;/g, "'");
    // "Disconnect…" opens the confirmation, a GET of the link that changes nothing.
    expect(managing).toContain(`<form method="get" action="${manage}"><input type="hidden" name="disconnect" value="1">`);
    expect(managing).toContain(p === "google" ? "Revoke Followthrough's access to" : "Delete our token for");
    const confirm = await app.request(`${manage}?disconnect=1`);
    expect(confirm.status).toBe(200);
    const body = (await confirm.text()).replace(/&#39;/g, "'");
    expect(body).toContain(`<form method="post" action="${manage}"><input type="hidden" name="action" value="disconnect"><input type="hidden" name="confirm" value="disconnect">`);
    // A POST without the confirmation (a page from before the GET): a 303 to it, nothing deleted.
    const unconfirmed = await post(manage, { action: "disconnect" });
    expect(unconfirmed.status).toBe(303);
    expect(unconfirmed.headers.get("location")).toBe(`${manage}?disconnect=1`);
    // What the confirmation promises is what the provider allows: Google's revoke, Microsoft's none.
    expect(body).toContain(p === "google" ? "revoke Followthrough's access at Google" : "delete our token for your Microsoft account (Microsoft gives apps no way to revoke their own access)");
    expect((await repo.allItems(email())).length).toBeGreaterThan(10);
    // A move of the address to the other provider waiting (core/connect offerMove: its own partition) goes too.
    await repo.put({ ...keys.providerMove(email(), "an-offer"), expiresAt: Math.ceil(Date.now() / 1000) + 3600 });

    // The disconnect answers with a 303 to the Disconnected page, a GET that needs no account: a
    // reload or Back shows it again and sends nothing (its link is sealed: no address in it).
    const done = await post(manage, { action: "disconnect", confirm: "disconnect" });
    expect(done.status).toBe(303);
    const to = new URL(done.headers.get("location")!);
    expect(to.origin).toBe(BASE);
    expect(to.pathname).toMatch(/^\/l\/disconnected\/[A-Za-z0-9_-]{100,}$/);
    expect(to.href.toLowerCase()).not.toContain(encodeURIComponent(email().toLowerCase()).toLowerCase());
    expect(to.href.toLowerCase()).not.toContain(email().toLowerCase());
    const shown = await app.request(to.pathname);
    expect(shown.status).toBe(200);
    const bye = decodeHTML(await shown.text());
    expect(bye).toContain("<h1>Disconnected</h1>");
    expect(bye).toContain(`We deleted everything we stored for <span class="who">${email().toLowerCase()}</span>.`);
    expect(bye).toContain("We deleted everything we stored for");
    if (p === "google") expect(bye).toContain("confirmed that our access is revoked");
    // Microsoft gives no call our permissions allow that revokes a grant (core/connect revoke): the
    // page says how Microsoft works (no failure of ours) and where the owner removes the consent.
    else {
      expect(bye).toMatch(/Microsoft gives apps no way to hand back their own access, so we deleted our token instead[\s\S]*account\.live\.com\/consent\/Manage/);
      expect(bye).not.toContain("could not confirm");
    }
    expect(await repo.allItems(email())).toEqual([]);
    expect(await repo.query(keys.providerMoves(email()), "")).toEqual([]);
    expect(await loadAccount(repo, email())).toBeUndefined();
    expect((await accountsDue(repo, dueSlot(account.schedule!, account.timeZone, Date.now()))).emails).not.toContain(email().toLowerCase());

    // At the provider: Google's refresh token no longer refreshes (the grant is revoked) and its
    // access token no longer works. Microsoft's still refreshes: a used refresh token is not revoked
    // (learn.microsoft.com/entra/identity-platform/refresh-tokens) and no call our scopes allow ends
    // the consent, which is why the page sends the owner to remove it; our copy is deleted (above).
    const refused = await refreshGrant(client, token).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (p === "google") {
      expect(refused).toBeInstanceOf(GrantError);
      expect((refused as GrantError).code).toBe("invalid_grant");
    } else expect(refused).toBeUndefined();
    const api =
      p === "google"
        ? await fetch(new URL("/gmail/v1/users/me/profile", sandbox.url), { headers: { authorization: `Bearer ${granted.accessToken}` } })
        : await trustSandbox(`${sandbox.httpsUrl}/v1.0/me`, { headers: { authorization: `Bearer ${granted.accessToken}` } });
    // Microsoft's access token lives until it expires: nothing we may call ends it, and we no longer hold it.
    expect(api.status).toBe(p === "google" ? 401 : 200);

    // Reloaded (a GET again): the same page, from its link alone, deleting nothing more; a POST there does nothing.
    const mainOf = (page: string) => /<main>[\s\S]*<\/main>/.exec(page)?.[0];
    expect(mainOf(decodeHTML(await (await app.request(to.pathname)).text()))).toBe(mainOf(bye));
    expect((await app.request(to.pathname, { method: "POST", headers: SAME, body: "action=disconnect&confirm=disconnect" })).status).toBe(404);
    // Back to the confirmation: the account is gone, and its page says so; nothing is sent.
    const confirmAgain = await app.request(`${manage}?disconnect=1`);
    expect(confirmAgain.status).toBe(404);
    expect(decodeHTML(await confirmAgain.text())).toContain("We couldn't find this account; it may have been disconnected.");

    // The link is dead now, and nothing is left to act on.
    expect((await app.request(path)).status).toBe(404);
    expect((await post(path, { action: "pause" })).status).toBe(404);
    expect((await app.request(manage)).status).toBe(404);
    // Signing in again finds no account any more.
    expect((await signIn(p, email())).status).toBe(404);
  });

  it("a revocation that fails still deletes everything, and says so", async () => {
    const again = await connect(p);
    const failing = createApp({ ...deps, httpFetch: async () => Promise.reject(new TypeError("fetch failed")) });
    const token = refreshTokenOf(ring, again);
    const res = await post(await managePath(p, failing), { action: "disconnect", confirm: "disconnect" }, SAME, failing);
    expect(res.status).toBe(303);
    expect(await (await failing.request(new URL(res.headers.get("location")!).pathname)).text()).toContain(p === "google" ? "could not confirm" : "so we deleted our token instead");
    expect(await repo.allItems(email())).toEqual([]);
    // Google's grant is still live (nothing revoked it); only our copy of the token is gone.
    if (p === "google") expect((await refreshGrant({ clientId: again.clientId, endpoints: deps.oauth!.google!.endpoints }, token)).accessToken).toBeTruthy();
  });

  it("disconnect pauses the account before it revokes: a job that meets the revoked grant meanwhile sends no reconnect notice; an Outlook disconnect calls Microsoft for nothing", async () => {
    await connect(p);
    let atRevoke: string | undefined;
    const called: string[] = [];
    const watching = createApp({
      ...deps,
      httpFetch: async (input, init) => {
        const url = input instanceof Request ? input.url : String(input);
        called.push(new URL(url).pathname);
        if (/revoke/i.test(url)) atRevoke = (await loadAccount(repo, email()))?.status;
        return deps.httpFetch!(input, init);
      },
    });
    const manage = await managePath(p, watching);
    called.length = 0;
    const res = await post(manage, { action: "disconnect", confirm: "disconnect" }, SAME, watching);
    expect(res.status).toBe(303);
    if (p === "google") {
      expect(called).toEqual(["/google/revoke"]);
      expect(atRevoke).toBe("paused");
    } else {
      // Graph's revokeSignInSessions needs User.RevokeSessions.All, which we never request: until
      // 2026-12-05 the disconnect refreshed the token and made that call anyway, to be refused (403).
      expect(called).toEqual([]);
      expect(await (await watching.request(new URL(res.headers.get("location")!).pathname)).text()).toContain("so we deleted our token instead");
    }
    expect(await repo.allItems(email())).toEqual([]);
  });
});

describe("the Disconnected page a disconnect redirects to", () => {
  const at = (claims: Record<string, unknown>, issued = Date.now()) => `/l/disconnected/${sealLink(KEY, { act: "disconnected", acc: "Gone.Owner@Example.com", ...claims } as never, issued)}`;

  it("says what became of each provider's grant from its link alone (no account is stored), for an hour; then a page that names no account", async () => {
    const pages = await Promise.all(
      [{ pv: "google", rv: true }, { pv: "google" }, { pv: "microsoft" }].map(async (claims) => {
        const res = await app.request(at(claims));
        expect(res.status).toBe(200);
        return decodeHTML(await res.text());
      }),
    );
    for (const page of pages) expect(page).toContain('We deleted everything we stored for <span class="who">gone.owner@example.com</span>. No more scans or digests.');
    expect(pages[0]).toContain("Google confirmed that our access is revoked.");
    expect(pages[1]).toContain("We could not confirm with Google that our access was revoked, but your data is deleted anyway and we no longer hold any token. To be sure, remove Followthrough at");
    expect(pages[1]).toContain('href="https://myaccount.google.com/permissions"');
    expect(pages[2]).toContain("Microsoft gives apps no way to hand back their own access, so we deleted our token instead");
    expect(pages[2]).toContain('href="https://account.live.com/consent/Manage"');
    // No way into an account from it: only connecting again.
    for (const page of pages) expect([...page.matchAll(/href="([^"]+)"/g)].map((m) => m[1]).filter((h) => h.startsWith(BASE) || h.startsWith("/"))).toEqual([`${BASE}/connect`]);

    // Past its hour: said without the address.
    const expired = await app.request(at({ pv: "google", rv: true }, Date.now() - 3_601_000));
    expect(expired.status).toBe(410);
    const text = decodeHTML(await expired.text());
    expect(text).toContain("<h1>Page expired</h1>");
    expect(text).toContain("This page is shown for an hour after a disconnect.");
    expect(text.toLowerCase()).not.toContain("gone.owner");
    // Another act's link, or one without its provider: refused as any such link is.
    expect((await app.request(`/l/disconnected/${sealLink(KEY, { act: "settings", acc: "gone.owner@example.com" }, Date.now())}`)).status).toBe(403);
    expect((await app.request(at({}))).status).toBe(400);
    expect((await app.request(at({ pv: "yahoo" }))).status).toBe(400);
  });

  it("docs/security.md and docs/app.md state the rule on link lifetimes with the same two exceptions, and the padding as sealLink does it", () => {
    const doc = (name: string) => readFileSync(join(import.meta.dirname, "../../docs", name), "utf8");
    const security = doc("security.md");
    const app = doc("app.md");
    // The leaked-link row: a page never hands out a link that outlives its own, but for the Connected
    // page and the Disconnected page's own link. It said "the one exception" and then named two.
    const row = security.split("\n").find((l) => l.startsWith("| **one leaked link**")) ?? "";
    expect(row).toMatch(/never hands out a link that outlives the one it came in on[^|]*two exceptions: the Connected page[^|]*and the Disconnected page's own link/);
    expect(row).not.toMatch(/\bone exception\b/);
    expect(app).toMatch(/the exceptions are the Connected page[\s\S]{0,600}and the Disconnected page's own\s+link/);
    // sealLink pads the claims to a multiple of 64 bytes (a long address makes a longer token), not to 64.
    for (const text of [security, app]) {
      expect(text).not.toMatch(/padded to 64 bytes/);
      expect(text).toMatch(/padded to a multiple of 64 bytes/);
    }
  });
});
