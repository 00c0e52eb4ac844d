/**
 * Every page the app serves, and every form and button on it, driven in headless Chromium the way
 * a person uses them: at 390 px (a phone) and 1280 px, in light and dark mode. Each page is checked
 * with axe-core (WCAG 2.2 A/AA: zero violations) and for sideways overflow on the phone; under
 * `npm run gallery` it is also photographed into test-artifacts/pages/
 * (<page>-<phone|desktop>-<light|dark>.png), a gallery of the whole app. The local stack (`npm start`) serves it: the sandbox is the provider.
 */
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { describe, expect, it } from "vitest";
import { loadAccount, updateAccount } from "@followthrough/core/accounts";
import { EMAIL_LIST_MAX, packDigestBody, renderDigest } from "@followthrough/core/digest";
import { morningAfterMail, morningOfMail } from "@followthrough/core/eventmail";
import { linkPath, sealLink } from "@followthrough/core/links";
import { MICROSOFT_CONSUMER_TENANT } from "@followthrough/core/oauth";
import { outbox } from "@followthrough/core/reconnect";
import { keys } from "@followthrough/core/storage";
import { createApp } from "@followthrough/functions/app";
import { appInChromium, pauseClock } from "./support/app-browser";
import { PAGE_TEST_MS, VIEWPORTS } from "./support/page-check";

const KEY = "pages-browser-test-link-key-0123456789";

/** axe results per page are written to test-artifacts/pages/axe.json at the end. */
const app = appInChromium({ linkKey: KEY, report: "axe.json" });
const { contextOf, check, press, invalidFields } = app;

const google = () => app.stack.accounts.find((a) => a.account.provider === "google")!;
const microsoft = () => app.stack.accounts.find((a) => a.account.provider === "microsoft")!;
type Page = Awaited<ReturnType<Awaited<ReturnType<typeof contextOf>>["newPage"]>>;
/** Opens one of our pages, follows its provider link to the sandbox's consent page and continues as `email`, as a person does. */
async function consentFrom(page: Page, path: "/connect" | "/settings", linkName: string, email: string) {
  await page.goto(`${app.stack.url}${path}`);
  await page.getByRole("link", { name: linkName }).click();
  await page.waitForLoadState("load");
  await press(page, `Continue as ${email}`);
}
const connectGoogleAs = (page: Page, email: string) => consentFrom(page, "/connect", "Connect Google", email);
const DAY = 86_400_000;

const link = (act: Parameters<typeof linkPath>[0], claims: Record<string, string>, at = Date.now()) =>
  `${app.stack.url}${linkPath(act, sealLink(KEY, { act, ...claims } as never, at))}`;

describe("every page in Chromium, phone and desktop, light and dark, with axe", { timeout: PAGE_TEST_MS }, () => {
  it("index (local) links to the digests, settings and /connect", async () => {
    const page = await (await contextOf()).newPage();
    await page.goto(`${app.stack.url}/`);
    expect(await page.getByRole("link", { name: "Connect an account" }).getAttribute("href")).toBe(`${app.stack.url}/connect`);
    await check(page, "index");
    await page.context().close();
  });

  it("event email viewer (local): the morning-of email as sent, its goal sentence and a way back", async () => {
    const page = await (await contextOf()).newPage();
    await page.goto(`${app.stack.url}/`);
    await page.getByRole("link", { name: /^Morning of: / }).first().click();
    await page.waitForURL(/\/local\/sent\//);
    expect(await page.textContent("main")).toMatch(/Your goal: meet \d+ new people\./);
    expect(await page.getByRole("link", { name: "Back to your accounts" }).count()).toBe(1);
    await check(page, "event-email-viewer");
    await page.context().close();
  });

  it("connect, with the sandbox as the provider (npm start), and the consent round trip to Connected", async () => {
    const page = await (await contextOf()).newPage();
    await page.goto(`${app.stack.url}/`);
    await page.getByRole("link", { name: "Connect an account" }).click();
    await page.waitForLoadState("load");
    expect(await page.textContent("main")).not.toContain("not set up");
    await check(page, "connect");
    // The sandbox's consent: its account chooser, as Google's and Microsoft's pages are.
    await page.getByRole("link", { name: "Connect Google" }).click();
    await page.waitForLoadState("load");
    // The sandbox's page stands in for Google's own; it is audited like ours (test/consent-browser.test.ts does both providers).
    await check(page, "consent-sandbox");
    const email = google().account.email;
    await press(page, `Continue as ${email}`);
    expect(page.url()).toContain("/l/connected/");
    const main = (await page.textContent("main")) ?? "";
    expect(main).toContain("Reconnected");
    // When the next digest arrives, as a date and a time in the person's zone.
    expect(main, main).toMatch(/digest arrives on \w+day,? \d{1,2} \w+ \d{4} at \d\d:00 \(/);
    await check(page, "connected");
    await page.context().close();
  });

  it("connect with a Microsoft account of the other kind than the address's (personal, or work or school): nothing changed, and which one to choose (helper-244 #2)", async () => {
    const { email } = microsoft().account;
    const before = (await loadAccount(app.stack.repo, email))!;
    const personal = `microsoft:${MICROSOFT_CONSUMER_TENANT}:00000000-0000-0000-0000-0000000000aa`;
    await app.stack.repo.setIn(keys.account(email), "account", { identity: personal });
    try {
      const page = await (await contextOf()).newPage();
      await consentFrom(page, "/connect", "Connect Microsoft", email);
      expect(await page.textContent("h1")).toBe("Connected with your personal account");
      expect(await page.getByRole("link", { name: "Sign in again" }).getAttribute("href")).toBe(`${app.stack.url}/connect/microsoft`);
      expect((await loadAccount(app.stack.repo, email))!).toMatchObject({ identity: personal, refreshTokenSealed: before.refreshTokenSealed });
      await check(page, "connect-other-kind");
      await page.context().close();
    } finally {
      if (before.identity !== undefined) await app.stack.repo.setIn(keys.account(email), "account", { identity: before.identity });
    }
  });

  it("connected while paused: the first look says nothing is read until a resume, and the page asks for nothing", async () => {
    const { email } = google().account;
    const streams = ["calendar", "sent", "ownermail"];
    const saved = await Promise.all(streams.map((s) => app.stack.repo.getCursor(email, s)));
    // Nothing read yet (a first connection whose read has not begun), and the digests paused.
    for (const s of streams) await app.stack.repo.deleteCursor(email, s);
    await updateAccount(app.stack.repo, email, { status: "paused" }, Date.now());
    try {
      const page = await (await contextOf()).newPage();
      const requests: string[] = [];
      page.on("request", (r) => requests.push(new URL(r.url()).pathname));
      await connectGoogleAs(page, email);
      const section = (await page.textContent("#first-look")) ?? "";
      expect(section).toContain("Your digests are paused, so your calendar and mail are not read for now.");
      expect(section).not.toContain("in a minute or two");
      expect(await page.locator("#first-look").getAttribute("data-src")).toBeNull();
      await check(page, "connected-paused");
      // Nothing on the page asks for the section again (a provisional look's script polls every 10 s).
      expect(await page.locator("script").evaluateAll((ss) => ss.filter((x) => /first-look|setTimeout/.test(x.textContent ?? "")).length)).toBe(0);
      expect(requests.filter((r) => r.endsWith("/first-look"))).toEqual([]);
      // Its Resume button, as a person presses it.
      await press(page, "Resume my digests");
      expect((await loadAccount(app.stack.repo, email))!.status).toBe("active");
      await page.context().close();
    } finally {
      for (const [i, s] of streams.entries()) if (saved[i]) await app.stack.repo.putCursor(email, s, saved[i]!);
      await updateAccount(app.stack.repo, email, { status: "active" }, Date.now());
    }
  });

  it("refused by someone else: the connect failure page and the settings page on hold name who must act, and a reconnect is offered", async () => {
    const page = await (await contextOf()).newPage();
    const email = google().account.email;
    // The Workspace administrator turned Gmail off for apps: the profile read at connect is refused.
    const faults = `${app.stack.sandbox.url}/_control/faults`;
    await fetch(faults, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ route: "gmail.getProfile", kind: "status", status: 403, reason: "domainPolicy", times: 0 }) });
    try {
      await connectGoogleAs(page, email);
      const main = (await page.textContent("main")) ?? "";
      expect(main).toContain("no longer allows Followthrough to read this account");
      expect(main).toContain("Once that has changed, try again.");
      expect(main).not.toContain("in a minute");
      await check(page, "connect-refused-policy");
    } finally {
      await fetch(faults, { method: "DELETE" });
    }
    // The account a job found refused the same way: its settings page says so, and offers the reconnect.
    await updateAccount(app.stack.repo, email, { status: "needs_reconnect", reconnectReason: "admin_policy_enforced" }, Date.now());
    try {
      await page.goto(link("settings", { acc: email }));
      const held = (await page.textContent("main")) ?? "";
      expect(held).toContain("On hold — reconnect needed");
      expect(held).toContain(`Google Workspace administrator of ${email.slice(email.indexOf("@") + 1)} no longer allows Followthrough to read ${email}`);
      expect(held).toContain("once that has changed, reconnect");
      expect(await page.getByRole("link", { name: `Reconnect ${email}` }).getAttribute("href")).toMatch(/\/l\/reconnect\//);
      await check(page, "settings-on-hold-policy");
    } finally {
      await updateAccount(app.stack.repo, email, { status: "active", reconnectReason: undefined }, Date.now());
    }
    await page.context().close();
  });

  it("connect on a server with no provider configured says so, with no dangling list", async () => {
    const bare = createApp({ repo: app.stack.repo, linkKey: KEY, baseUrl: "http://localhost:0", now: () => Date.now(), providerFor: () => { throw new Error("none"); } });
    const server = serve({ fetch: bare.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise((r) => server.once("listening", r));
    try {
      const page = await (await contextOf()).newPage();
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/connect`);
      const main = (await page.textContent("main")) ?? "";
      expect(main).toContain("Connecting is not set up on this server");
      expect(main).not.toContain("You'll be asked to allow");
      await check(page, "connect-unconfigured");
      // Its settings sign-in likewise (helper-196).
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/settings`);
      expect(await page.textContent("main")).toContain("Signing in is not set up on this server.");
      expect(await page.getByRole("link", { name: /^Sign in with/ }).count()).toBe(0);
      await check(page, "settings-unconfigured");
      await page.context().close();
    } finally {
      server.close();
    }
  });

  it("a failure of our own (the table not answering) is the 500 page, which passes the page checks", async () => {
    const down = new Proxy(app.stack.repo, {
      get: (target, key) => {
        const v = Reflect.get(target, key);
        return typeof v === "function" ? () => Promise.reject(new Error("the table did not answer")) : v;
      },
    });
    const broken = createApp({ repo: down, linkKey: KEY, baseUrl: "http://localhost:0", now: () => Date.now(), providerFor: () => { throw new Error("none"); } });
    const server = serve({ fetch: broken.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise((r) => server.once("listening", r));
    try {
      const page = await (await contextOf()).newPage();
      const settings = link("settings", { acc: google().account.email }).replace(app.stack.url, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
      expect((await page.goto(settings))?.status()).toBe(500);
      expect(await page.textContent("h1")).toBe("Something went wrong");
      expect(await page.textContent("main")).toContain("Something went wrong on our side; please try again in a minute.");
      // The way to try again: the same address (helper-238 #6).
      expect(await page.getByRole("link", { name: "Try again" }).getAttribute("href")).toBe(new URL(settings).pathname);
      // A GET's query goes with it (a week asked for; helper-239 #7).
      const week = `${link("view", { acc: google().account.email }).replace(app.stack.url, `http://127.0.0.1:${(server.address() as AddressInfo).port}`)}?week=2026-W20`;
      expect((await page.goto(week))?.status()).toBe(500);
      expect(await page.getByRole("link", { name: "Try again" }).getAttribute("href")).toBe(new URL(week).pathname + "?week=2026-W20");
      await check(page, "error-500");
      await page.context().close();
    } finally {
      server.close();
    }
  });

  it("a digest link asked for a week with no digest: said, with the way to the latest (helper-238 #6)", async () => {
    const page = await (await contextOf()).newPage();
    const view = link("view", { acc: google().account.email });
    expect((await page.goto(`${view}?week=2001-W01`))?.status()).toBe(404);
    expect(await page.textContent("h1")).toBe("No digest");
    await check(page, "view-no-digest-week");
    await page.getByRole("link", { name: "Your latest digest" }).first().click();
    await page.waitForLoadState("load");
    expect(page.url()).toBe(view);
    expect(await page.title()).toBe(google().weekly.rendered.subject);
    await page.context().close();
  });

  it("digest view: headings, main, a distinct name for every draft link, and the settings link", async () => {
    const page = await (await contextOf()).newPage();
    await page.goto(`${app.stack.url}/`);
    await page.locator("li", { hasText: google().account.email }).getByRole("link", { name: /Digest/ }).click();
    await page.waitForLoadState("load");
    expect(await page.locator("main").count()).toBe(1);
    expect(await page.getByRole("heading").count()).toBeGreaterThan(1);
    const names = await page.getByRole("link", { name: /Draft follow-up/ }).evaluateAll((as) => as.map((a) => a.getAttribute("aria-label") ?? a.textContent));
    expect(names.length).toBe(google().weekly.digest.missing.length);
    expect(new Set(names).size).toBe(names.length);
    expect(await page.getByRole("link", { name: /settings/i }).count()).toBeGreaterThan(0);
    await check(page, "digest");
    await page.context().close();
  });

  it("a digest sent but too large to keep here: its view link says it is in the mailbox", async () => {
    const { email } = microsoft().account;
    const week = "2098-W03";
    await app.stack.repo.put({ ...keys.digest(email, week), digest: { status: "sent", week, messageId: "<big@followthrough.app>", claimedAt: Date.now(), sentAt: Date.now(), subject: "Your week" } });
    try {
      const page = await (await contextOf()).newPage();
      const res = await page.goto(link("view", { acc: email, wk: week }));
      expect(res?.status()).toBe(404);
      expect(await page.textContent("h1")).toBe("Not kept here");
      expect(await page.textContent("main")).toContain("it is in your mailbox");
      // Not a dead end: the account's settings (helper-202 #5).
      expect(await page.getByRole("link", { name: "Your settings" }).getAttribute("href")).toMatch(/\/l\/settings\//);
      await check(page, "digest-not-kept");
      await page.context().close();
    } finally {
      await app.stack.repo.delete(keys.digest(email, week));
    }
  });

  it("a long week: the email's \"See all\" link opens the digest in the browser at its list, with every person", async () => {
    const { email } = google().account;
    const week = "2098-W04";
    const d = google().weekly.digest;
    const first = d.missing[0];
    const total = EMAIL_LIST_MAX + 6;
    const many = {
      ...d,
      week,
      webUrl: link("view", { acc: email, wk: week }),
      missing: Array.from({ length: total }, (_, i) => ({ ...first, email: `person${i}@long-week.test`, name: `Long Week Person ${i}`, draftUrl: `${first.draftUrl}?n=${i}` })),
    };
    const rendered = await renderDigest(many);
    await app.stack.repo.put({ ...keys.digest(email, week), digest: { status: "sent", week, messageId: "<long@followthrough.app>", claimedAt: Date.now(), sentAt: Date.now(), subject: rendered.subject, body: packDigestBody(rendered) } });
    try {
      // The link as the email has it, tapped from the mail client.
      const href = /<a [^>]*href="([^"]+)"[^>]*>See all (\d+) waiting in your browser<\/a>/.exec(rendered.html);
      expect(href?.[2]).toBe(String(total));
      const page = await (await contextOf()).newPage();
      const res = await page.goto(href![1].replace(/&amp;/g, "&"));
      expect(res?.status()).toBe(200);
      expect(await page.evaluate(() => document.querySelector(":target")?.id)).toBe("waiting");
      expect(await page.getByRole("link", { name: /^Draft follow-up to Long Week Person \d+$/ }).count()).toBe(total);
      expect(await page.getByText("not in this email").count()).toBe(0);
      await check(page, "digest-long-week");
      await page.context().close();
    } finally {
      await app.stack.repo.delete(keys.digest(email, week));
    }
  });

  it("a digest and a morning-after email whose names, addresses and titles are long unbroken words still fit a phone (helper-252)", async () => {
    const { email } = google().account;
    const week = "2098-W05";
    const d = google().weekly.digest;
    const first = d.missing[0];
    const word = (stem: string) => `${stem}${"x".repeat(70 - stem.length)}`;
    const wide = {
      ...d,
      week,
      webUrl: link("view", { acc: email, wk: week }),
      missing: [{ ...first, email: `${word("alexandria.constantinopoulou.")}@${word("department-of-very-long-names.")}.example`, name: word("Bartholomew-Featherstonehaugh-"), eventTitle: word("QuarterlyCrossFunctionalSynchronisation") }],
    };
    const rendered = await renderDigest(wide);
    expect(rendered.html).toContain(wide.missing[0].name);
    await app.stack.repo.put({ ...keys.digest(email, week), digest: { status: "sent", week, messageId: "<wide@followthrough.app>", claimedAt: Date.now(), sentAt: Date.now(), subject: rendered.subject, body: packDigestBody(rendered) } });
    try {
      const page = await (await contextOf()).newPage();
      expect((await page.goto(wide.webUrl))?.status()).toBe(200);
      // The page checks include the phone's sideways overflow: the email's own HTML, as a mail client shows it.
      await check(page, "digest-long-words");
      // The morning-after email, as a mail client shows it, with the same person met there.
      const p = wide.missing[0];
      const mail = morningAfterMail({
        account: google().account,
        event: { eventId: "wide", title: p.eventTitle, start: Date.now() - DAY, end: Date.now() - DAY + 3_600_000 },
        met: [{ email: p.email, name: p.name, eventId: "wide", eventTitle: p.eventTitle, metAt: Date.now() - DAY, metEnd: Date.now() - DAY + 3_600_000 }],
        now: Date.now(),
        links: { baseUrl: app.stack.url, key: KEY },
      });
      expect(mail.html).toContain(p.name);
      // An email, not a page (no landmarks to check): only its width at the phone's.
      await page.setViewportSize({ width: 390, height: 844 });
      await page.setContent(mail.html);
      expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(1);
      await page.context().close();
    } finally {
      await app.stack.repo.delete(keys.digest(email, week));
    }
  });

  it("the digest and the event emails reflow: no sideways scroll at 320, 195 and 160 CSS px (a 390px phone at 200% zoom and past it, WCAG 1.4.10), the desktop's layout kept", async () => {
    const d = google().weekly.digest;
    expect(d.missing.length).toBeGreaterThan(0);
    const digest = (await renderDigest(d)).html;
    const { account } = google();
    const [attended, upcoming] = [d.events?.attended?.[0], d.events?.upcoming?.[0]];
    expect(attended && upcoming).toBeTruthy();
    const links = { baseUrl: app.stack.url, key: KEY };
    const after = morningAfterMail({ account, event: { eventId: attended!.eventId, title: attended!.title, start: Date.parse(attended!.start), goal: 3 }, met: (await app.stack.repo.loadPeople(account.email)).slice(0, 3), now: Date.now(), links }).html;
    const morning = morningOfMail({ account, event: { id: upcoming!.eventId, title: upcoming!.title, start: Date.parse(upcoming!.start), allDay: false }, goal: 3, now: Date.now(), links }).html;
    const page = await (await contextOf()).newPage();
    /** How far the email, as a mail client's page shows it, is wider than the window (CSS px). */
    const sideways = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    /** The tops of the numbers' tiles, in pairs as the rows hold them. */
    const tileTops = () => page.$$eval(".ft-tile", (tiles) => tiles.map((t) => Math.round(t.getBoundingClientRect().top)));
    for (const [name, html] of [["digest", digest], ["morning-after", after], ["morning-of", morning]] as const) {
      for (const width of [390, 320, 195, 160]) {
        await page.setViewportSize({ width, height: 844 });
        await page.setContent(html);
        expect(await sideways(), `${name} at ${width}px`).toBeLessThanOrEqual(0);
      }
    }
    // At 160px the digest's tiles stack, one a row, and its buttons are as wide as the column.
    await page.setViewportSize({ width: 160, height: 844 });
    await page.setContent(digest);
    const stacked = await tileTops();
    expect(new Set(stacked).size).toBe(stacked.length);
    const column = await page.$eval(".ft-inner", (e) => e.getBoundingClientRect().width - 32);
    for (const w of await page.$$eval(".ft-button", (bs) => bs.map((b) => b.getBoundingClientRect().width))) expect(w).toBeLessThanOrEqual(column);
    // On a phone and a desktop, the layout the digest had: two tiles a row, and buttons 204px wide
    // (their 160px minimum and 22px padding each side).
    for (const width of [390, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      await page.setContent(digest);
      const tops = await tileTops();
      expect(tops.length).toBe(6);
      expect([tops[0] === tops[1], tops[2] === tops[3], tops[4] === tops[5]]).toEqual([true, true, true]);
      expect(new Set(await page.$$eval(".ft-button", (bs) => bs.map((b) => Math.round(b.getBoundingClientRect().width))))).toEqual(new Set([204]));
    }
    await page.context().close();
  });

  it("draft: a tap on the app opened at 127.0.0.1 (the address it binds), not the printed localhost, lands on the draft viewer of the same origin", async () => {
    const person = google().weekly.digest.missing[5];
    const url = new URL(person.draftUrl);
    expect(url.hostname).toBe("localhost");
    url.hostname = "127.0.0.1";
    const ctx = await contextOf(false);
    const page = await ctx.newPage();
    await page.goto(url.toString());
    await press(page, "Open the draft");
    await page.waitForURL(/\/local\/drafts\//, { timeout: 10_000 });
    expect(new URL(page.url()).host).toBe(url.host);
    expect(await page.textContent("main")).toContain("What next");
    await ctx.close();
  });

  it("draft: the confirm page, then the draft viewer with what to do next and a way back", async () => {
    const person = google().weekly.digest.missing[0];
    const ctx = await contextOf(false);
    const page = await ctx.newPage();
    await page.goto(person.draftUrl);
    await check(page, "confirm-draft");
    expect(await page.getByRole("link", { name: "Your settings" }).count()).toBe(1);
    await press(page, "Open the draft");
    expect(page.url()).toContain("/local/drafts/");
    expect(await page.textContent("main")).toContain("What next");
    expect(await page.getByRole("link", { name: "Back to your accounts" }).count()).toBe(1);
    await check(page, "draft-viewer");
    // Tapped again: the confirm page says the draft is there, and its button opens the same one.
    const first = page.url();
    await page.goto(person.draftUrl);
    expect(await page.textContent("h1")).toBe("Opening your draft");
    await check(page, "confirm-draft-again");
    await press(page, "Open the draft");
    expect(page.url()).toBe(first);
    await ctx.close();
  });

  it.each(["microsoft", "google"] as const)("%s: a draft the owner already started to that person is offered instead of a second one", async (provider) => {
    const owner = provider === "google" ? google() : microsoft();
    const person = owner.weekly.digest.missing[2];
    // The owner's own draft, made in their mailbox without Followthrough.
    await owner.provider.createDraft({ to: { email: person.email, name: person.name }, subject: "Hello again", text: "Hi, about last week…" });
    const ctx = await contextOf(false);
    const page = await ctx.newPage();
    await page.goto(person.draftUrl);
    await press(page, "Open the draft");
    expect(await page.textContent("h1")).toBe("You already started this");
    // A page of its own (a GET): Back from the draft, or a reload, shows it again, where the POST's
    // answer met the browser's "Confirm Form Resubmission" (helper-249 #3).
    expect(page.url()).toMatch(/\?started=1$/);
    await page.reload();
    expect(await page.textContent("h1")).toBe("You already started this");
    expect(await page.textContent("main")).toMatch(/You started a draft to .+ on \w{3} \d{1,2} \w{3}/);
    expect(await page.getByRole("link", { name: "Open your draft" }).getAttribute("href")).toContain("/local/drafts/");
    await check(page, `draft-started-${provider}`);
    await press(page, "Make a new draft anyway");
    expect(page.url()).toContain("/local/drafts/");
    await ctx.close();
  });

  it("draft: an older link to someone followed up since says so, and 'Write to them anyway' makes the draft (helper-289)", async () => {
    const owner = google();
    // Someone the owner wrote to (the digest's "Followed up"), as an older digest's link names them.
    const person = owner.weekly.digest.wins[0];
    const stored = (await app.stack.repo.getPerson(owner.account.email, person.email))!;
    const ctx = await contextOf(false);
    const page = await ctx.newPage();
    await page.goto(link("draft", { acc: owner.account.email.toLowerCase(), per: person.email, evt: stored.eventId }));
    expect(await page.textContent("h1")).toBe("Already followed up");
    expect(await page.textContent("main")).toMatch(/You wrote to .+ on \w{3} \d{1,2} \w{3,4}\./);
    await check(page, "draft-followed-up");
    await press(page, "Write to them anyway");
    expect(page.url()).toContain("/local/drafts/");
    await ctx.close();
  });

  it.each(["google", "microsoft"] as const)("%s: the link tapped again after the owner sent its draft says so on a page of its own, and 'Make a new draft anyway' makes one (helper-290)", async (provider) => {
    const owner = provider === "google" ? google() : microsoft();
    const { email } = owner.account;
    const per = `sent.since.${provider}@example.org`;
    const now = Date.now();
    await app.stack.repo.putPeople(email, [{ email: per, name: "Ivy Chen", eventId: "e-sent-since", eventTitle: "Coffee", metAt: now - 3 * DAY, metEnd: now - 3 * DAY + 3_600_000, stage: "met" }]);
    const url = link("draft", { acc: email.toLowerCase(), per, evt: "e-sent-since" });
    const ctx = await contextOf(false);
    const page = await ctx.newPage();
    await page.goto(url);
    await press(page, "Open the draft");
    expect(page.url()).toContain("/local/drafts/");
    const first = page.url();
    // The owner sends it from their mailbox, and taps the link again before the next scan.
    const draftId = (await app.stack.repo.getPerson(email, per))!.draftId!;
    const enc = encodeURIComponent(email);
    const sent = await fetch(`${app.stack.sandbox.url}/_control/accounts/${enc}/${provider === "google" ? `gmail/drafts/${draftId}` : `graph/messages/${encodeURIComponent(draftId)}`}/send`, { method: "POST" });
    expect(sent.status).toBe(200);
    await page.goto(url);
    await press(page, "Open the draft");
    // Both tell a sent draft (Outlook: the message by its immutable id; Gmail: the draft's thread).
    expect(await page.textContent("h1")).toBe("Already sent");
    // A page of its own (a GET): a reload shows it again, and makes nothing.
    expect(page.url()).toMatch(/\?gone=1$/);
    await page.reload();
    expect(await page.textContent("h1")).toBe("Already sent");
    expect(await page.textContent("main")).toMatch(/A draft to Ivy Chen was made from a Followthrough link on \w{3} \d{1,2} \w{3,4}, and you sent it on \w{3} \d{1,2} \w{3,4}\./);
    await check(page, `draft-gone-${provider}`);
    await press(page, "Make a new draft anyway");
    expect(page.url()).toContain("/local/drafts/");
    expect(page.url()).not.toBe(first);
    if (provider === "google") {
      // That one the owner deletes (its message, as Gmail's Discard does): not sent, and said as before.
      const remade = (await app.stack.repo.getPerson(email, per))!.draftId!;
      const written = (await (await fetch(`${app.stack.sandbox.url}/_control/accounts/${enc}/gmail/drafts`)).json()) as { draftId: string; message: { id: string } }[];
      const message = written.find((d) => d.draftId === remade)!.message.id;
      expect((await fetch(`${app.stack.sandbox.url}/_control/accounts/${enc}/gmail/messages/${message}`, { method: "DELETE" })).status).toBe(200);
      await page.goto(url);
      await press(page, "Open the draft");
      expect(page.url()).toMatch(/\?gone=1$/);
      expect(await page.textContent("h1")).toBe("No longer in your Drafts");
      expect(await page.textContent("main")).toMatch(/A draft to Ivy Chen was made from a Followthrough link on \w{3} \d{1,2} \w{3,4}, and it is no longer in your Drafts: you sent it or deleted it\./);
      await check(page, "draft-gone-deleted-google");
    }
    await ctx.close();
  });

  it("draft refused by the provider: 'Draft not made', 'Try again shortly', 'Reconnect needed' and 'Draft not confirmed', each checked; then the tap makes it", async () => {
    const { email } = microsoft().account;
    const person = microsoft().weekly.digest.missing[0];
    const fault = (spec: Record<string, unknown>) =>
      fetch(`${app.stack.sandbox.url}/_control/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ route: "graph.messages.create*", account: email, kind: "status", ...spec }) });
    const clear = () => fetch(`${app.stack.sandbox.url}/_control/faults`, { method: "DELETE" });
    const page = await (await contextOf(false)).newPage();
    for (const [name, spec, title] of [
      ["draft-refused", { status: 400 }, "Draft not made"],
      ["draft-busy", { status: 429, retryAfter: 30, times: 0 }, "Try again shortly"],
      // The provider failing after the create began: whether a draft was made is for the next tap to find.
      ["draft-unconfirmed", { status: 500, times: 0 }, "Draft not confirmed"],
      ["draft-reconnect", { status: 401, times: 0 }, "Reconnect needed"],
    ] as const) {
      await fault(spec);
      await page.goto(person.draftUrl);
      await press(page, "Open the draft");
      await clear();
      expect(await page.textContent("h1"), name).toBe(title);
      await check(page, name);
      // Not a dead end (helper-204 #3): the ways on, and (but for a reconnect) the tap again from the page.
      expect(await page.getByRole("link", { name: "Your settings" }).count(), name).toBe(1);
      if (name !== "draft-reconnect") expect(await page.getByRole("button", { name: "Try again" }).count(), name).toBe(1);
      if (name === "draft-refused") {
        // Pressed while the provider still refuses: the same page again, from its own form.
        await fault(spec);
        await press(page, "Try again");
        await clear();
        expect(await page.textContent("h1")).toBe(title);
      }
    }
    expect(await page.getByRole("link", { name: "Reconnect" }).getAttribute("href")).toMatch(/\/l\/reconnect\//);
    // The tap that found the grant gone put the account on hold, as a weekly run finding it would, and
    // its backfill (in this process, npm start's) sent the one reconnect email.
    expect((await loadAccount(app.stack.repo, email))!.status).toBe("needs_reconnect");
    const notices = async () => (await outbox(app.stack.repo, email)).filter((m) => m.subject.startsWith("Reconnect your"));
    for (const t0 = Date.now(); (await notices()).length === 0 && Date.now() - t0 < 10_000; ) await new Promise((r) => setTimeout(r, 100));
    expect(await notices()).toHaveLength(1);
    // Reconnect as the page says (the provider's consent, Continue), then tap the link again.
    await Promise.all([page.waitForURL((u) => u.href.startsWith(app.stack.sandbox.url)), page.getByRole("link", { name: "Reconnect" }).click()]);
    await page.waitForLoadState("load");
    await press(page, `Continue as ${email}`);
    expect(await page.textContent("h1")).toBe("Reconnected");
    expect((await loadAccount(app.stack.repo, email))!.status).toBe("active");
    await page.goto(person.draftUrl);
    await press(page, "Open the draft");
    expect(page.url()).toContain("/local/drafts/");
    await page.context().close();
  });

  /** A person met three days ago at a coffee (`eventId`), whose draft another tap is creating now (its claim "creating"). */
  const draftInFlight = async (email: string, per: string, name: string, eventId: string) => {
    const now = Date.now();
    await app.stack.repo.putPeople(email, [{ email: per, name, eventId, eventTitle: "Coffee", metAt: now - 3 * 86_400_000, metEnd: now - 3 * 86_400_000 + 3_600_000, stage: "met" }]);
    await app.stack.repo.put({ ...keys.draft(email, per), claim: { status: "creating", claimedAt: now, marker: eventId.replace(/^e-/, "") } });
    return per;
  };

  it("draft being made (another tap is creating it)", async () => {
    const { email } = google().account;
    const per = await draftInFlight(email, "in.flight@example.org", "In Flight", "e-inflight");
    const ctx = await contextOf(false);
    const page = await ctx.newPage();
    await page.goto(link("draft", { acc: email, per, evt: "e-inflight" }));
    await press(page, "Open the draft");
    expect(await page.textContent("h1")).toBe("Your draft is being made");
    // The page comes back to the link every 3 s; hold it still to photograph and audit it.
    await page.evaluate(() => {
      for (let id = 0; id < 1000; id++) clearTimeout(id);
    });
    await check(page, "being-made");
    await ctx.close();
  });

  it("draft being made: a key, or its Stop checking button, stops the page coming back every 3 s, and says so (WCAG 2.2.1: helper-281)", async () => {
    const { email } = google().account;
    const per = await draftInFlight(email, "in.flight.still@example.org", "In Flight Still", "e-inflight-still");
    const ctx = await contextOf(false);
    await ctx.clock.install();
    const page = await ctx.newPage();
    const url = link("draft", { acc: email, per, evt: "e-inflight-still" });
    const stopped = "This page no longer checks by itself: Open it now looks again.";
    for (const how of ["Tab", "button", "Enter"] as const) {
      await page.goto(url);
      // The clock held where it is, so that only runFor below moves the page's 3 s on.
      await pauseClock(page);
      await press(page, "Open the draft");
      expect(await page.textContent("h1")).toBe("Your draft is being made");
      if (how === "Tab") {
        // The first Tab of a keyboard user: it stops the checking, and lands on the way to look again.
        await page.keyboard.press("Tab");
        expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Open it now");
      } else if (how === "button") {
        // A screen reader's browse mode keeps its keys from the page: the button, as it presses it (a click).
        await page.getByRole("button", { name: "Stop checking" }).click();
        expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Open it now");
      } else {
        // Enter on the button (reached by script here: a Tab would stop the checking itself) presses it, and opens nothing.
        await page.getByRole("button", { name: "Stop checking" }).focus();
        await page.keyboard.press("Enter");
        expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Open it now");
      }
      expect(await page.getByRole("status").textContent()).toBe(stopped);
      expect(await page.locator("main").innerText()).not.toContain("This page opens it as soon as it is there.");
      let navigated = 0;
      const count = (f: { parentFrame(): unknown }) => void (f.parentFrame() === null && navigated++);
      page.on("framenavigated", count);
      await page.clock.runFor(30_000);
      page.off("framenavigated", count);
      expect(navigated, how).toBe(0);
      expect(await page.textContent("h1")).toBe("Your draft is being made");
    }
    await page.clock.resume();
    await check(page, "being-made-stopped");
    await ctx.close();
  });

  it("a person known only by their address: the confirm page, the draft and the dismiss page name the address as written on the meeting, not its normalised key", async () => {
    const { email } = google().account;
    const now = Date.now();
    const per = "deepark@gmail.com";
    const written = "Dee.Park+conf@gmail.com";
    await app.stack.repo.putPeople(email, [{ email: per, address: written, name: "", eventId: "e-nameless", eventTitle: "Dee / Isla: pricing", metAt: now - 3 * 86_400_000, metEnd: now - 3 * 86_400_000 + 3_600_000, stage: "met" }]);
    const ctx = await contextOf(false);
    const page = await ctx.newPage();
    await page.goto(link("draft", { acc: email, per, evt: "e-nameless" }));
    expect(await page.textContent("main")).toContain(written);
    expect(await page.textContent("main")).not.toContain(per);
    await check(page, "confirm-draft-nameless");
    await press(page, "Open the draft");
    expect(page.url()).toContain("/local/drafts/");
    const draft = await page.textContent("main");
    expect(draft).toContain(written);
    expect(draft).toContain("Hi there,");
    expect(draft).toContain("at pricing on");
    await page.goto(link("dismiss", { acc: email, per, evt: "e-nameless" }));
    await press(page, "Remove from my digests");
    expect(await page.textContent("main")).toContain(written);
    expect(await page.textContent("main")).not.toContain(per);
    await check(page, "dismissed-nameless");
    await ctx.close();
  });

  it("no follow-up needed: confirm, done, and undo puts the person back", async () => {
    const person = google().weekly.digest.missing[1];
    const { email } = google().account;
    const ctx = await contextOf(false);
    const page = await ctx.newPage();
    await page.goto(person.dismissUrl);
    await check(page, "confirm-dismiss");
    await press(page, "Remove from my digests");
    expect(await page.textContent("h1")).toBe("Done");
    expect((await app.stack.repo.getPerson(email, person.email))!.stage).toBe("dismissed");
    await check(page, "dismissed");
    await press(page, "Undo");
    expect(await page.textContent("h1")).toBe("Back in your digests");
    expect((await app.stack.repo.getPerson(email, person.email))!.stage).toBe("met");
    await check(page, "dismiss-undone");
    // Reloaded, then Back: pages of a GET (each answer was a 303), which show what is so now and send
    // nothing again (helper-208 #2: Back after Undo offered to resend the dismiss, which dismissed
    // the person again).
    // Where each answer brought the page: the GET of what is so now (helper-209 #4: without it, Back
    // and a reload would pass here too, Chromium neither resending nor showing "Done").
    expect(new URL(page.url()).searchParams.get("done")).toBe("1");
    expect((await page.reload())?.status()).toBe(200);
    expect(await page.textContent("h1")).toBe("Back in your digests");
    await page.goBack();
    expect(new URL(page.url()).searchParams.get("done")).toBe("1");
    await page.waitForLoadState("load");
    expect(await page.textContent("h1")).not.toBe("Done");
    expect((await app.stack.repo.getPerson(email, person.email))!.stage).toBe("met");
    await ctx.close();
    // Opened by a browser that runs the page's script (a mail scanner's, say): the dismiss and the
    // pause wait for a press, where the draft's page submits itself (helper-244 #5: a scanner that
    // ran them stopped the digests, or emptied the list, without the owner ever seeing it).
    const scripted = await (await contextOf()).newPage();
    for (const [url, title] of [[person.dismissUrl, "No follow-up needed"], [link("pause", { acc: email }), "Pause your digests"]]) {
      await scripted.goto(url);
      await scripted.waitForLoadState("networkidle");
      expect(await scripted.textContent("h1")).toBe(title);
      expect(new URL(scripted.url()).pathname).toBe(new URL(url).pathname);
    }
    expect((await app.stack.repo.getPerson(email, person.email))!.stage).toBe("met");
    expect((await loadAccount(app.stack.repo, email))!.status).toBe("active");
    await scripted.context().close();
  });

  it("no follow-up needed, tapped again from another digest: 'Already removed', whose Undo puts the person back", async () => {
    const person = google().weekly.digest.missing[2];
    const { email } = google().account;
    const stage = (await app.stack.repo.getPerson(email, person.email))!.stage;
    const page = await (await contextOf(false)).newPage();
    try {
      await page.goto(person.dismissUrl);
      await press(page, "Remove from my digests");
      expect(await page.textContent("h1")).toBe("Done");
      // The same link opened again (a later digest's, a second tab): no second confirm, the way back.
      await page.goto(person.dismissUrl);
      expect(await page.textContent("h1")).toBe("Already removed");
      expect(await page.textContent("main")).toContain("is already out of your digests.");
      await check(page, "dismissed-already");
      await press(page, "Undo");
      expect(await page.textContent("h1")).toBe("Back in your digests");
      // As before the dismiss (drafted, when an earlier test's tap drafted for them).
      expect((await app.stack.repo.getPerson(email, person.email))!.stage).toBe(stage);
    } finally {
      await page.context().close();
    }
  });

  it("pause: confirm, paused with a way back, resume from there", async () => {
    const { email } = microsoft().account;
    const ctx = await contextOf(false);
    const page = await ctx.newPage();
    await page.goto(link("pause", { acc: email }));
    await check(page, "confirm-pause");
    await press(page, "Pause my digests");
    expect(await page.textContent("h1")).toBe("Digests paused");
    expect((await loadAccount(app.stack.repo, email))!.status).toBe("paused");
    // A reconnect keeps the pause: the page it leads to offers the resume (helper-238 #4).
    expect(((await page.textContent("main")) ?? "").replace(/\s+/g, " ")).toContain("or on the page that follows when you connect again.");
    await check(page, "paused");
    // A GET of what is so now (a 303 brought it): a reload sends nothing again.
    const pausedAt = page.url();
    expect(new URL(pausedAt).searchParams.get("done")).toBe("1");
    expect((await page.reload())?.status()).toBe(200);
    expect(await page.textContent("h1")).toBe("Digests paused");
    // The pause link followed again while paused (a second digest's): said, with the same way back.
    await page.goto(link("pause", { acc: email }));
    expect(await page.textContent("main")).toContain("Your weekly digests are already paused.");
    await check(page, "paused-already");
    await press(page, "Resume my digests");
    expect(new URL(page.url()).searchParams.get("saved")).toBe("pause");
    expect(new URL(page.url()).hash).toBe("#pause");
    expect((await loadAccount(app.stack.repo, email))!.status).toBe("active");
    // The pause's own page opened again once resumed (Back, history): it says so, and pauses nothing.
    await page.goto(pausedAt);
    expect(await page.textContent("h1")).toBe("Digests not paused");
    await check(page, "pause-undone");
    expect((await loadAccount(app.stack.repo, email))!.status).toBe("active");
    // The pause link of a digest sent ten days ago (the account connected before it): the settings
    // link of that digest's week is over, so the paused page offers the settings' sign-in, not a
    // Resume whose link would not open (helper-244 #3: its pages handed out fresh weeks of settings).
    const { createdAt } = (await loadAccount(app.stack.repo, email))!;
    if (createdAt !== undefined) expect(await app.stack.repo.setIn(keys.account(email), "account", { createdAt: createdAt - 30 * DAY })).toBe(true);
    try {
      await page.goto(link("pause", { acc: email }, Date.now() - 10 * DAY));
      await press(page, "Pause my digests");
      expect(await page.textContent("h1")).toBe("Digests paused");
      expect(await page.getByRole("button", { name: "Resume my digests" }).count()).toBe(0);
      expect(await page.getByRole("link", { name: "your settings" }).getAttribute("href")).toBe(`${app.stack.url}/settings`);
      expect((await page.content()).match(/\/l\/settings\//g)).toBeNull();
      await check(page, "paused-sign-in");
    } finally {
      if (createdAt !== undefined) await app.stack.repo.setIn(keys.account(email), "account", { createdAt });
      await updateAccount(app.stack.repo, email, { status: "active" }, Date.now());
    }
    await ctx.close();
  });

  it("settings: save, a refused template keeps the edit, pause and resume — as a browser submits them", async () => {
    const { email } = google().account;
    const page = await (await contextOf()).newPage();
    await page.goto(link("settings", { acc: email }));
    await check(page, "settings");
    await page.getByLabel("Day").selectOption({ label: "Wednesday" });
    await page.getByLabel("Time").selectOption({ label: "17:00" });
    const edited = "Hi {firstName},\nthanks for the chat at {meeting}. {oops}\n{ownerName}";
    await page.getByLabel("Follow-up message").fill(edited);
    await press(page, "Save");
    // Refused: the form again, with the one-line reason and the text as typed.
    expect(await page.getByRole("alert").textContent()).toContain("Unknown placeholder {oops}");
    expect(await page.getByLabel("Follow-up message").inputValue()).toBe(edited);
    expect(await page.getByLabel("Day").inputValue()).toBe("3");
    // The message is tied to the field it is about: a screen reader on the template hears why.
    expect(await invalidFields(page)).toEqual([{ label: "Follow-up message", description: expect.stringMatching(/^Not saved\. Unknown placeholder \{oops\}.*Placeholders: \{firstName\}/) }]);
    expect(await page.getByRole("alert").getByRole("link").getAttribute("href")).toBe("#template");
    await check(page, "settings-error");
    // A template pasted over the limit: not cut short by the browser and saved without a word
    // (helper-104), but refused by the server with the reason, and given back whole to shorten.
    const long = `Hi {firstName},\n${"x".repeat(2_000)}\n{ownerName}`;
    await page.getByLabel("Follow-up message").fill("");
    await page.getByLabel("Follow-up message").focus();
    await page.keyboard.insertText(long);
    expect(await page.getByLabel("Follow-up message").inputValue()).toBe(long);
    await press(page, "Save");
    expect(await page.getByRole("alert").textContent()).toContain("The template is longer than 2,000 characters.");
    expect(await page.getByLabel("Follow-up message").inputValue()).toBe(long);
    expect((await loadAccount(app.stack.repo, email))!.template).not.toBe(long);
    const fixed = "Hi {firstName},\nthanks for the chat at {meeting}.\n{ownerName}";
    await page.getByLabel("Follow-up message").fill(fixed);
    await press(page, "Save");
    expect(await page.getByRole("status").textContent()).toContain("Saved");
    const saved = (await loadAccount(app.stack.repo, email))!;
    expect(saved.schedule).toEqual({ day: 3, hour: 17 });
    expect(saved.template).toBe(fixed);
    await check(page, "settings-saved");
    // A ready template, loaded into the form (not saved until Save), with a subject and a signature.
    await page.getByLabel("Start from a ready template").selectOption({ label: "Asking for a second meeting" });
    await press(page, "Load this template");
    expect(await page.getByLabel("Follow-up message").inputValue()).toContain("Would you have 30 minutes");
    expect(await page.getByLabel("Subject").inputValue()).toBe("Coffee, {firstName}?");
    expect((await loadAccount(app.stack.repo, email))!.template).toBe(fixed);
    await check(page, "settings-preset");
    await page.getByLabel("Sign drafts as").fill("Isla M.");
    await press(page, "Save");
    const withPreset = (await loadAccount(app.stack.repo, email))!;
    expect(withPreset.subjectTemplate).toBe("Coffee, {firstName}?");
    expect(withPreset.signatureName).toBe("Isla M.");
    expect(withPreset.template).toContain("Would you have 30 minutes");
    // Back from that Save to the template loaded: the page again, loaded (the chooser is a GET), not the
    // browser's "Confirm Form Resubmission" of a POST (helper-260); Forward, the saved page again.
    expect((await page.goBack())?.status()).toBe(200);
    expect(await page.getByRole("status").textContent()).toContain("Template loaded below");
    expect(await page.getByLabel("Subject").inputValue()).toBe("Coffee, {firstName}?");
    expect((await loadAccount(app.stack.repo, email))!).toMatchObject({ signatureName: "Isla M.", subjectTemplate: "Coffee, {firstName}?" });
    expect((await page.goForward())?.status()).toBe(200);
    expect(await page.getByRole("status").textContent()).toContain("Saved");
    // A subject or a signature pasted over its limit: refused with the reason and given back whole,
    // never cut by the browser and then "Saved." (helper-106 #2).
    for (const [label, text, reason] of [
      ["Subject", `Coffee, {firstName}? ${"y".repeat(220)} THE-END`, "The subject is longer than 200 characters."],
      ["Sign drafts as", `Isla ${"z".repeat(80)} SIG-END`, "The signature name is longer than 80 characters."],
    ] as const) {
      const before = (await page.getByLabel(label).inputValue());
      await page.getByLabel(label).fill("");
      await page.getByLabel(label).focus();
      await page.keyboard.insertText(text);
      await press(page, "Save");
      expect(await page.getByRole("alert").textContent()).toContain(reason);
      expect(await page.getByLabel(label).inputValue()).toBe(text);
      await check(page, label === "Subject" ? "settings-error-subject" : "settings-error-signature");
      await page.getByLabel(label).fill(before);
    }
    expect((await loadAccount(app.stack.repo, email))!.subjectTemplate).toBe("Coffee, {firstName}?");
    // A first name for an address that is not one: the address field is the one marked, the name kept.
    await page.getByLabel("Their email address").fill("mei.lin");
    await page.getByLabel("Greet them as").fill("Mei Lin");
    await press(page, "Save name");
    expect(await invalidFields(page)).toEqual([{ label: "Their email address", description: "Not saved. Give the person's email address." }]);
    expect(await page.getByLabel("Greet them as").inputValue()).toBe("Mei Lin");
    await check(page, "settings-error-first-name");
    // A corrected first name, remembered for that person.
    await page.getByLabel("Their email address").fill("Mei.Lin@Example.com");
    await page.getByLabel("Greet them as").fill("Mei Lin");
    await press(page, "Save name");
    expect((await loadAccount(app.stack.repo, email))!.firstNames).toEqual({ "mei.lin@example.com": "Mei Lin" });
    expect(await page.textContent("main")).toContain("mei.lin@example.com: Mei Lin");
    // An address pasted from a mail client, with its name and punctuation: kept under the address (helper-146).
    await page.getByLabel("Their email address").fill("Wen Zhou <Wen.Zhou@example.com>;");
    await page.getByLabel("Greet them as").fill("Wendy");
    await press(page, "Save name");
    expect((await loadAccount(app.stack.repo, email))!.firstNames).toEqual({ "mei.lin@example.com": "Mei Lin", "wen.zhou@example.com": "Wendy" });
    expect(await page.textContent("main")).toContain("wen.zhou@example.com: Wendy");
    await press(page, "Pause my digests");
    expect((await loadAccount(app.stack.repo, email))!.status).toBe("paused");
    await check(page, "settings-paused");
    await press(page, "Resume my digests");
    expect((await loadAccount(app.stack.repo, email))!.status).toBe("active");
    await page.context().close();
  });

  it("settings: each save says what it saved (the template, when, nothing, a name, the event emails), and a form too large to read is 'Too large' with the way back", async () => {
    const { email } = google().account;
    const was = (await loadAccount(app.stack.repo, email))!;
    const page = await (await contextOf(true, { width: 390, height: 844 })).newPage();
    const status = async () => ((await page.getByRole("status").textContent()) ?? "").trim();
    try {
      await page.goto(link("settings", { acc: email }));
      // The template alone changed: the page says so, not the day and hour too.
      const text = "Hi {firstName},\nlovely to meet you at {meeting}.\n{ownerName}";
      await page.getByLabel("Follow-up message").fill(text);
      await press(page, /^Save$/);
      expect(await status()).toBe("Saved: your template.");
      expect((await loadAccount(app.stack.repo, email))!.template).toBe(text);
      await check(page, "settings-saved-template");
      // The day alone.
      const day = (await page.getByLabel("Day").inputValue()) === "5" ? "Thursday" : "Friday";
      await page.getByLabel("Day").selectOption({ label: day });
      await press(page, /^Save$/);
      expect(await status()).toMatch(/^Saved: when your digest arrives\. Your next digest arrives on \w+day, \d{1,2} \w+ \d{4} at \d\d:00\.$/);
      expect((await loadAccount(app.stack.repo, email))!.schedule?.day).toBe(day === "Friday" ? 5 : 4);
      await check(page, "settings-saved-when");
      // Nothing changed.
      await press(page, /^Save$/);
      expect(await status()).toBe("Nothing to save: nothing was changed.");
      await check(page, "settings-saved-unchanged");
      // A corrected first name; the event emails.
      await page.getByLabel("Their email address").fill("ana.ruiz@example.com");
      await page.getByLabel("Greet them as").fill("Ana");
      await press(page, "Save name");
      expect(await status()).toBe("Saved: the name.");
      expect(new URL(page.url()).hash).toBe("#names");
      await check(page, "settings-saved-name");
      await press(page, "Save event emails");
      expect(await status()).toBe("Saved: your event emails.");
      await check(page, "settings-saved-event-emails");
      // The time zone's own Save, the zone left as it was; a pause and its resume.
      await page.getByRole("link", { name: "Change time zone" }).click();
      await page.getByLabel("Time zone").waitFor();
      await press(page, "Save time zone");
      expect(await status()).toMatch(/^Saved: your time zone\. Your next digest arrives on \w+day, \d{1,2} \w+ \d{4} at \d\d:00\.$/);
      await check(page, "settings-saved-zone");
      await press(page, "Pause my digests");
      await press(page, "Resume my digests");
      expect(await status()).toBe("Saved: your digests are on again.");
      expect((await loadAccount(app.stack.repo, email))!.status).toBe("active");
      await check(page, "settings-resumed");
      // A message pasted past what the app reads (256 KiB): 413, nothing saved, and the way back to the page.
      const settingsUrl = page.url().replace(/[?#].*$/, "");
      await page.getByLabel("Follow-up message").evaluate((t: HTMLTextAreaElement) => (t.value = `Hi {firstName},\n${"x".repeat(300 * 1024)}`));
      const answer = page.waitForResponse((r) => r.request().method() === "POST");
      await press(page, /^Save$/);
      expect((await answer).status()).toBe(413);
      expect(await page.textContent("h1")).toBe("Too large");
      expect(await page.textContent("main")).toContain("What was sent is too large for this page, so nothing was changed.");
      expect((await loadAccount(app.stack.repo, email))!.template).toBe(text);
      await check(page, "too-large");
      await Promise.all([page.waitForURL(settingsUrl), page.getByRole("link", { name: "Back to the page" }).click()]);
      expect(await page.textContent("h1")).toBe("Settings");
      expect(await page.getByLabel("Follow-up message").inputValue()).toBe(text);
    } finally {
      await updateAccount(app.stack.repo, email, { template: was.template, schedule: was.schedule, eventEmails: was.eventEmails, firstNames: was.firstNames ?? {} }, Date.now());
      await page.context().close();
    }
  });

  it("settings: a change left unsaved in one section is not lost without a word when another section's button is pressed (helper-200 #2)", async () => {
    const { email } = google().account;
    const was = (await loadAccount(app.stack.repo, email))!;
    const page = await (await contextOf()).newPage();
    const dialogs: string[] = [];
    let answer: "accept" | "dismiss" = "dismiss";
    page.on("dialog", (d) => {
      dialogs.push(d.type());
      void (answer === "accept" ? d.accept() : d.dismiss());
    });
    try {
      await page.goto(link("settings", { acc: email }));
      const day = was.schedule?.day === 4 ? { label: "Friday", value: "5" } : { label: "Thursday", value: "4" };
      await page.getByLabel("Day").selectOption({ label: day.label });
      await page.getByLabel("Sign drafts as").fill("Isla from Paper Kite");
      // Another section's button: the browser asks first; staying keeps what was typed, and nothing was sent.
      await page.getByRole("button", { name: "Save event emails" }).click();
      await expect.poll(() => dialogs).toEqual(["beforeunload"]);
      expect(await page.getByLabel("Day").inputValue()).toBe(day.value);
      expect(await page.getByLabel("Sign drafts as").inputValue()).toBe("Isla from Paper Kite");
      expect((await loadAccount(app.stack.repo, email))!.schedule).toEqual(was.schedule);
      // Its own button saves it, without asking.
      await press(page, /^Save$/);
      expect(await page.getByRole("status").textContent()).toContain("Saved");
      expect(dialogs).toEqual(["beforeunload"]);
      expect((await loadAccount(app.stack.repo, email))!).toMatchObject({ schedule: { day: Number(day.value) }, signatureName: "Isla from Paper Kite" });
      // A checkbox left changed, then a link followed: asked again; leaving is the person's choice.
      await page.getByLabel("The morning after an event: whom you met").click();
      answer = "accept";
      await Promise.all([page.waitForURL(/\/l\/events\//), page.getByRole("link", { name: "your events" }).click()]);
      expect(dialogs).toEqual(["beforeunload", "beforeunload"]);
      expect((await loadAccount(app.stack.repo, email))!.eventEmails?.morningAfter).not.toBe(false);
      // Unchanged, nothing is asked: a section's button, or a link.
      await page.goto(link("settings", { acc: email }));
      await press(page, "Save event emails");
      expect(await page.getByRole("status").textContent()).toContain("Saved");
      expect(dialogs).toHaveLength(2);
      // Without script nothing asks: the page it comes back to says which section was saved, at that
      // section, where the next Tab goes on from (helper-204 #2, #4).
      const noScript = await app.browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
      try {
        const plain = await noScript.newPage();
        await plain.goto(link("settings", { acc: email }));
        const savedDay = await plain.getByLabel("Day").inputValue();
        await plain.getByLabel("Day").selectOption({ value: savedDay === "2" ? "3" : "2" });
        await press(plain, "Save event emails");
        expect(new URL(plain.url()).hash).toBe("#event-emails");
        expect(await plain.getByRole("status").textContent()).toBe("Saved: your event emails.");
        expect(await plain.locator("#event-emails + [role=status]").count()).toBe(1);
        expect(await plain.getByLabel("Day").inputValue()).toBe(savedDay);
        await plain.keyboard.press("Tab");
        expect(await plain.evaluate(() => document.activeElement?.textContent)).toBe("your events");
      } finally {
        await noScript.close();
      }
      // A template loaded is not saved yet, though its text is what the page drew: a link asks first (helper-202 #3).
      await press(page, "Load this template");
      expect(await page.getByRole("status").textContent()).toContain("Template loaded below");
      const loaded = await page.getByLabel("Follow-up message").inputValue();
      answer = "dismiss";
      await page.getByRole("link", { name: "your events" }).click();
      await expect.poll(() => dialogs).toHaveLength(3);
      expect(await page.getByLabel("Follow-up message").inputValue()).toBe(loaded);
      await press(page, /^Save$/);
      expect(await page.getByRole("status").textContent()).toContain("Saved");
      expect(dialogs).toHaveLength(3);
      expect((await loadAccount(app.stack.repo, email))!.template).toBe(loaded);
    } finally {
      await updateAccount(app.stack.repo, email, { schedule: was.schedule, signatureName: was.signatureName, eventEmails: was.eventEmails, template: was.template, subjectTemplate: was.subjectTemplate }, Date.now());
      await page.context().close();
    }
  });

  it("settings: the time zone, changed as a person changes it (the link, the list, Save), a zone the list no longer has refused, and the page's other Save still its own", async () => {
    const { email } = microsoft().account;
    const was = (await loadAccount(app.stack.repo, email))!;
    const sync = await app.stack.repo.get<Record<string, unknown>>(keys.eventJob(email.toLowerCase(), "sync"));
    const page = await (await contextOf()).newPage();
    try {
      await page.goto(link("settings", { acc: email }));
      expect(await page.getByLabel("Time zone").count()).toBe(0);
      const openZone = async () => {
        await page.getByRole("link", { name: "Change time zone" }).click();
        await page.getByLabel("Time zone").waitFor();
        expect(page.url()).toMatch(/\?zone=1#time-zone$/);
      };
      await openZone();
      // As connected, the account follows its calendar's zone: the list's first choice.
      expect(await page.getByLabel("Time zone").inputValue()).toBe("calendar");
      expect(await page.locator("#zone option:checked").textContent()).toBe(`My calendar’s: ${was.timeZone.replaceAll("_", " ")}`);
      await check(page, "settings-zone");
      // The zone's form is a form of its own: the schedule and template form around it still saves.
      await page.getByLabel("Time", { exact: true }).selectOption({ label: "09:00" });
      await page.getByLabel("Follow-up message").fill("Hi {firstName},\ngood to meet you at {meeting}.\n{ownerName}");
      await press(page, /^Save$/);
      expect(await page.getByRole("status").textContent()).toContain("Saved");
      const scheduled = (await loadAccount(app.stack.repo, email))!;
      expect(scheduled.schedule?.hour).toBe(9);
      expect(scheduled.template).toBe("Hi {firstName},\ngood to meet you at {meeting}.\n{ownerName}");
      expect(scheduled.timeZone).toBe(was.timeZone);
      await openZone();
      // A page left open while the runtime dropped a zone: refused, tied to the list, nothing saved.
      await page.getByLabel("Time zone").evaluate((s: HTMLSelectElement) => ((s.options[s.selectedIndex] as HTMLOptionElement).value = "Mars/Olympus_Mons"));
      await press(page, "Save time zone");
      expect(await invalidFields(page)).toEqual([{ label: "Time zone", description: expect.stringMatching(/^Not saved\. Choose a time zone from the list\. Your digest's day and hour/) }]);
      expect(await page.getByRole("alert").getByRole("link").getAttribute("href")).toBe("#zone");
      expect((await loadAccount(app.stack.repo, email))!.timeZone).toBe(was.timeZone);
      expect(await page.getByLabel("Time zone").inputValue()).toBe("calendar");
      await check(page, "settings-zone-error");
      await page.getByLabel("Time zone").selectOption({ label: "America/Los Angeles" });
      await press(page, "Save time zone");
      expect(await page.getByRole("status").textContent()).toContain("Saved");
      expect(await page.textContent("main")).toContain("In your time zone: America/Los_Angeles. Chosen here: a reconnect keeps it.");
      const saved = (await loadAccount(app.stack.repo, email))!;
      expect(saved).toMatchObject({ timeZone: "America/Los_Angeles", zoneChosen: true, calendarZone: was.timeZone });
      expect(saved.schedule).toEqual(scheduled.schedule);
      expect(saved.template).toBe(scheduled.template);
      // Reconnected (the consent in the same browser): the zone chosen is kept, and the page says so.
      await consentFrom(page, "/connect", "Connect Microsoft", email);
      expect(await page.textContent("main")).toContain(`Your calendar is in ${was.timeZone}; your digests stay in America/Los_Angeles, the time zone you chose.`);
      expect((await loadAccount(app.stack.repo, email))!).toMatchObject({ timeZone: "America/Los_Angeles", zoneChosen: true });
      await check(page, "reconnected-zone-kept");
      // And back to the calendar's zone from that page's link, which a reconnect reads again.
      await page.getByRole("link", { name: "Change time zone" }).click();
      await page.getByLabel("Time zone").waitFor();
      expect(await page.getByLabel("Time zone").inputValue()).toBe("America/Los_Angeles");
      await page.getByLabel("Time zone").selectOption({ label: `My calendar’s: ${was.timeZone.replaceAll("_", " ")}` });
      await press(page, "Save time zone");
      expect(await page.textContent("main")).toContain(`In your time zone: ${was.timeZone}. Change time zone`);
      const following = (await loadAccount(app.stack.repo, email))!;
      expect(following.timeZone).toBe(was.timeZone);
      expect(following.zoneChosen).toBeUndefined();
    } finally {
      await updateAccount(app.stack.repo, email, { timeZone: was.timeZone, zoneChosen: undefined, calendarZone: was.calendarZone, schedule: was.schedule, template: was.template }, Date.now());
      if (sync) await app.stack.repo.put(sync);
      else await app.stack.repo.delete(keys.eventJob(email.toLowerCase(), "sync"));
      await page.context().close();
    }
  });

  it("a cross-site form POST to settings is still refused", async () => {
    const { email } = google().account;
    const ctx = await contextOf();
    const page = await ctx.newPage();
    // A page on another origin (the sandbox's) auto-submits a form to the settings link.
    const target = link("settings", { acc: email });
    await page.goto(`${app.stack.sandbox.url}/_control/accounts`);
    await page.evaluate((action) => {
      const f = document.createElement("form");
      f.method = "post";
      f.action = action;
      const i = document.createElement("input");
      i.name = "action";
      i.value = "pause";
      f.append(i);
      document.body.append(f);
      f.submit();
    }, target);
    await page.waitForURL(target);
    expect(await page.textContent("h1")).toBe("Not allowed");
    expect((await loadAccount(app.stack.repo, email))!.status).toBe("active");
    await check(page, "refused-cross-site");
    await ctx.close();
  });

  it("/settings sign-in, manage, disconnect with its confirmation", async () => {
    const { email } = google().account;
    const page = await (await contextOf()).newPage();
    await page.goto(`${app.stack.url}/settings`);
    await check(page, "settings-signin");
    // Cancelled at the provider: said, with the way to try again.
    await page.getByRole("link", { name: "Sign in with Google" }).click();
    await page.waitForLoadState("load");
    await press(page, "Cancel");
    expect(await page.textContent("h1")).toBe("Not signed in");
    expect(await page.textContent("main")).toContain("The sign-in was cancelled or refused.");
    await check(page, "settings-signin-cancelled");
    await page.getByRole("link", { name: "Try again" }).click();
    await page.waitForURL(`${app.stack.url}/settings`);
    await consentFrom(page, "/settings", "Sign in with Google", email);
    expect(page.url(), (await page.textContent("main")) ?? "").toMatch(/\/l\/manage\//);
    await check(page, "manage");
    // Every form the browser sends from here on (a reload or Back that sent one again would show here).
    const posted: string[] = [];
    page.on("request", (r) => void (r.method() === "POST" && posted.push(new URL(r.url()).pathname)));
    await press(page, "Disconnect…");
    expect(await page.textContent("h1")).toContain("Disconnect");
    // The confirmation is a GET of the manage link (nothing sent yet).
    expect(new URL(page.url()).searchParams.get("disconnect")).toBe("1");
    expect(posted).toEqual([]);
    await check(page, "disconnect-confirm");
    await press(page, "Yes, disconnect and delete my data");
    expect(await page.textContent("h1")).toBe("Disconnected");
    expect(await loadAccount(app.stack.repo, email)).toBeUndefined();
    await check(page, "disconnected");
    // Where the disconnect's 303 brought the page: a GET of its own link, which needs no account.
    // Reloaded, then Back and reloaded, then Forward: pages of GETs, which send nothing again (until
    // 2026-12-07 both were the POSTs' answers, and each met "Confirm Form Resubmission").
    expect(posted).toHaveLength(1);
    const disconnectedAt = page.url();
    expect(new URL(disconnectedAt).pathname).toMatch(/^\/l\/disconnected\//);
    const said = await page.textContent("main");
    expect(said).toContain(`We deleted everything we stored for ${email.toLowerCase()}.`);
    expect(said).toContain("Google confirmed that our access is revoked.");
    expect((await page.reload())?.status()).toBe(200);
    expect(await page.textContent("main")).toBe(said);
    expect((await page.goBack())?.status()).toBe(404);
    expect(new URL(page.url()).searchParams.get("disconnect")).toBe("1");
    expect(await page.textContent("h1")).toBe("Account not found");
    expect(await page.textContent("main")).toContain("it may have been disconnected");
    expect((await page.reload())?.status()).toBe(404);
    await check(page, "disconnect-confirm-after");
    expect((await page.goForward())?.status()).toBe(200);
    expect(page.url()).toBe(disconnectedAt);
    expect(await page.textContent("main")).toBe(said);
    expect(posted).toHaveLength(1);
    expect(await loadAccount(app.stack.repo, email)).toBeUndefined();
    // Signing in again with that account, now connected to nothing here.
    const answer = page.waitForResponse((r) => r.url().startsWith(`${app.stack.url}/settings/signin/google/callback`));
    await consentFrom(page, "/settings", "Sign in with Google", email);
    expect((await answer).status()).toBe(404);
    expect(await page.textContent("h1")).toBe("No account connected with this sign-in");
    // An account connected before sign-ins were recorded is told how to link it (helper-182).
    expect(await page.textContent("main")).toContain("connect it again once, which keeps your settings");
    await check(page, "settings-signin-no-account");
    await page.context().close();
  });

  it("error pages: not valid, expired, retired, wrong link, not found, sign in again", async () => {
    const { email } = microsoft().account;
    const page = await (await contextOf()).newPage();
    const cases: [string, string, string][] = [
      ["error-not-valid", `${app.stack.url}/l/draft/not-a-token`, "Link not valid"],
      // A link of an earlier `npm start` (its demo's link key was another): said so (helper-245 #11).
      ["error-earlier-run", `${app.stack.url}${linkPath("settings", sealLink("the link key of an earlier run of the demo", { act: "settings", acc: email }, Date.now()))}`, "Link not valid"],
      ["error-expired", link("settings", { acc: email }, Date.now() - 400 * 86_400_000), "Link expired"],
      ["error-retired", `${app.stack.url}/a/draft?u=someone%40example.com`, "Link retired"],
      ["error-wrong-link", link("view", { acc: email }).replace("/l/view/", "/l/pause/"), "Wrong link"],
      ["error-not-found", `${app.stack.url}/nowhere`, "Not found"],
      // A one-tap link of someone no longer in the list (taken back, or gone with their meeting).
      ["error-not-in-list", link("draft", { acc: email, per: "nobody@nowhere.example", evt: "no-such-meeting" }), "Not in your list"],
      // The provider's answer to a connect was an error (its callback with no code): nothing stored, start again.
      ["error-connect-refused", `${app.stack.url}/connect/google/callback?error=server_error`, "We could not connect your account"],
      // The reconnect email's link of an account disconnected since.
      ["error-reconnect-gone", link("reconnect", { acc: "gone@nowhere.example" }), "Account not found"],
      // A manage link past its 15 minutes: the way back is signing in again.
      ["error-manage-expired", link("manage", { acc: email }, Date.now() - 16 * 60_000), "Sign in again"],
    ];
    for (const [name, url, title] of cases) {
      await page.goto(url);
      expect(await page.textContent("h1"), name).toBe(title);
      await check(page, name);
      // Not a dead end (helper-204): the account's settings from a tap for someone gone from the list.
      if (name === "error-not-in-list") expect(await page.getByRole("link", { name: "Your settings" }).count()).toBe(1);
      const earlierRun = "If it is from an earlier run of npm start: the demo makes new links each time it starts";
      expect((await page.textContent("main"))?.includes(earlierRun), name).toBe(name === "error-earlier-run");
    }
    // A template saved on a manage page whose 15 minutes ran out while it was written: the page
    // says to sign in again and gives back what was typed, to copy. (The settings form, pointed at
    // a manage link already past its time, stands in for a page left open that long.)
    await page.goto(link("settings", { acc: email }));
    await page.locator("form:has(#template)").evaluate((f, to) => f.setAttribute("action", to), link("manage", { acc: email }, Date.now() - 16 * 60_000));
    const typed = "Hi {firstName},\nit took me a while to write this.\n{ownerName}";
    await page.getByLabel("Follow-up message").fill(typed);
    await press(page, "Save");
    expect(await page.textContent("h1")).toBe("Sign in again");
    expect(await page.getByLabel("Follow-up message").inputValue()).toBe(typed);
    expect(await page.getByLabel("Follow-up message").getAttribute("readonly")).toBe("");
    await check(page, "error-manage-expired-typed");
    // The same with a settings link that expired while its page was open.
    await page.goto(link("settings", { acc: email }));
    await page.locator("form:has(#template)").evaluate((f, to) => f.setAttribute("action", to), link("settings", { acc: email }, Date.now() - 8 * 86_400_000));
    await page.getByLabel("Follow-up message").fill(typed);
    await press(page, "Save");
    expect(await page.textContent("h1")).toBe("Sign in again");
    expect(await page.getByLabel("Follow-up message").inputValue()).toBe(typed);
    await check(page, "error-settings-expired-typed");
    await page.context().close();
  });

  // Last: it deletes the Outlook demo account the tests above use.
  it("an Outlook owner disconnects: the page says how Microsoft works and where to remove the consent", async () => {
    const { email } = microsoft().account;
    // With JavaScript off, on a phone: the same forms, redirects and pages.
    const page = await (await app.browser.newContext({ javaScriptEnabled: false, viewport: VIEWPORTS.phone })).newPage();
    await consentFrom(page, "/settings", "Sign in with Microsoft", email);
    expect(page.url(), (await page.textContent("main")) ?? "").toMatch(/\/l\/manage\//);
    const posted: string[] = [];
    page.on("request", (r) => void (r.method() === "POST" && posted.push(new URL(r.url()).pathname)));
    await press(page, "Disconnect…");
    await press(page, "Yes, disconnect and delete my data");
    expect(await page.textContent("h1")).toBe("Disconnected");
    expect(new URL(page.url()).pathname).toMatch(/^\/l\/disconnected\//);
    expect(await page.textContent("main")).toMatch(/Microsoft gives apps no way to hand back their own access, so we deleted our token instead/);
    expect(await page.getByRole("link", { name: "account.live.com/consent/Manage" }).count()).toBe(1);
    expect(await loadAccount(app.stack.repo, email)).toBeUndefined();
    // Reload and Back send nothing again: the disconnect's one POST is all.
    const said = await page.textContent("main");
    expect((await page.reload())?.status()).toBe(200);
    expect(await page.textContent("main")).toBe(said);
    const disconnectedAt = page.url();
    expect((await page.goBack())?.status()).toBe(404);
    expect(await page.textContent("h1")).toBe("Account not found");
    expect(posted).toHaveLength(1);
    await page.context().close();
    // axe runs as script: the page audited in a browser that runs it, from its link alone.
    const audited = await (await contextOf()).newPage();
    expect((await audited.goto(disconnectedAt))?.status()).toBe(200);
    expect(await audited.textContent("main")).toBe(said);
    await check(audited, "disconnected-microsoft");
    await audited.context().close();
  });
});
