/**
 * The sandbox's OAuth consent page (packages/sandbox/src/oauth/shared.ts consentPage), which a
 * newcomer meets in `npm start` when connecting a demo Google or Outlook account, in headless
 * Chromium as a person reaches and uses it: the app's /connect, its "Connect Google" / "Connect
 * Microsoft" link, the sandbox's authorize page (checked at a phone's and a desktop's width, light
 * and dark, axe-core WCAG 2.2 A/AA zero violations, nothing wider than the phone), then "Continue
 * as <email>" back to the app's callback ("Reconnected"), or Cancel back to it with access_denied
 * ("Not connected"). Also the reconnect email's sealed link (to the consent page with the stored
 * address as login_hint, then reconnected) and its expired page (checked, its button to /connect).
 * A first connection (the Connected page with its first look; a digest link before the first digest)
 * and one with a permission unticked (connected-first, view-no-digest, connect-permission-missing).
 * And a Google sign-in to an address connected through Microsoft: the refusal saying a link to move
 * was emailed, that link refused in another browser, its confirm page in the browser that signed in,
 * and its Move button; a move link past its hour (move-offered, -elsewhere, -confirm, -done, -expired).
 * And a Google connect meeting the project's daily limit: try again in about N hours, N to Google's
 * midnight on the demo's virtual clock (connect-daily-limit).
 * axe results (and, under `npm run gallery`, screenshots) in test-artifacts/pages/ (consent-*, reconnect-expired-*, move-*, connect-*).
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { deleteAccountData, loadAccount } from "@followthrough/core/accounts";
import { googleEndpoints, microsoftEndpoints } from "@followthrough/core/oauth";
import { outbox, reconnectUrl } from "@followthrough/core/reconnect";
import { keys } from "@followthrough/core/storage";
import { linkPath, sealLink } from "@followthrough/core/links";
import { addDays, localDate, localMidnight } from "@followthrough/core/time";
import { appInChromium } from "./support/app-browser";
import { PAGE_TEST_MS, VIEWPORTS } from "./support/page-check";

const KEY = "consent-browser-link-key-0123456789abcdef";
/**
 * The service's own mail, as SES can answer: with `answerLost` set, the next mail is taken (it is in
 * the outbox) and its answer lost, the connection reset before SES's reply (core/ses/failure: may
 * have been sent).
 */
const mail = { answerLost: false };
const app = appInChromium({
  linkKey: KEY,
  report: "axe-consent.json",
  stack: {
    notify: (outbox) => ({
      async send(...m) {
        await outbox.send(...m);
        if (!mail.answerLost) return;
        mail.answerLost = false;
        throw Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
      },
    }),
  },
});
const { contextOf, check, press } = app;

const mainText = async (page: Page) => ((await page.textContent("main")) ?? "").replace(/\s+/g, " ");
const providers = [
  { provider: "google", link: "Connect Google", endpoints: googleEndpoints },
  { provider: "microsoft", link: "Connect Microsoft", endpoints: microsoftEndpoints },
] as const;

/** From the app's index, as a person: Connect an account, then the provider's button; waits for the sandbox's page. */
async function openConsent(page: Page, link: string): Promise<void> {
  await page.goto(`${app.stack.url}/`);
  await page.getByRole("link", { name: "Connect an account" }).click();
  await page.waitForURL(`${app.stack.url}/connect`);
  await Promise.all([page.waitForURL((u) => u.href.startsWith(app.stack.sandbox.url)), page.getByRole("link", { name: link }).click()]);
  await page.waitForLoadState("load");
}

describe.each(providers)("the sandbox's $provider consent page in Chromium", { timeout: PAGE_TEST_MS }, ({ provider, link, endpoints }) => {
  const account = () => app.stack.accounts.find((a) => a.account.provider === provider)!.account;

  it("is reached from the app's connect link, passes the page checks, and Continue connects", async () => {
    const email = account().email;
    const page = await (await contextOf(true, VIEWPORTS.phone)).newPage();
    // Whatever the browser asks of either server on the way is answered.
    const refused: string[] = [];
    page.on("response", (r) => void (r.status() >= 400 && refused.push(`${r.status()} ${r.url()}`)));
    await openConsent(page, link);
    const at = new URL(page.url());
    expect(at.origin + at.pathname).toBe(endpoints(app.stack.sandbox.url).authorizeUrl);
    expect(at.searchParams.get("redirect_uri")).toBe(`${app.stack.url}/connect/${provider}/callback`);
    // One landmark, one heading, the account's button with its address.
    expect(await page.locator("main").count()).toBe(1);
    expect(await page.getByRole("heading", { level: 1 }).count()).toBe(1);
    expect(await page.getByRole("button", { name: `Continue as ${email}` }).count()).toBe(1);
    expect(await page.getByRole("button", { name: "Cancel" }).count()).toBe(1);
    // An icon of its own, so that a browser asks the sandbox for no /favicon.ico (headless Chromium asks
    // for none; the demo's browsers did, and the log showed each 404).
    expect(await page.locator('head link[rel="icon"]').count()).toBe(1);
    if (provider === "google") {
      // Granular consent: every scope asked for is a ticked checkbox named by its label, in a group naming the account.
      const scopes = (at.searchParams.get("scope") ?? "").split(" ").filter(Boolean);
      expect(scopes.length).toBeGreaterThan(1);
      const group = page.getByRole("group", { name: `What ${email} shares` });
      expect(await group.getByRole("checkbox").count()).toBe(scopes.length);
      for (const s of scopes) expect(await group.getByRole("checkbox", { name: s, exact: true }).isChecked(), s).toBe(true);
    }
    await check(page, `consent-${provider}`);
    const before = (await loadAccount(app.stack.repo, email))!;
    const answer = page.waitForResponse((r) => r.url().startsWith(`${app.stack.url}/connect/${provider}/callback?`));
    await press(page, `Continue as ${email}`);
    // The callback answers with a 303 to the Connected page, a GET of its own.
    expect((await answer).status()).toBe(303);
    const callback = (await answer).url();
    expect(page.url()).toMatch(new RegExp(`^${app.stack.url}/l/connected/[A-Za-z0-9_-]+$`));
    const main = await mainText(page);
    expect(main).toContain("Reconnected");
    expect(main).toContain(`${email} is connected.`);
    expect(refused).toEqual([]);
    const after = (await loadAccount(app.stack.repo, email))!;
    expect(after.status).toBe("active");
    // The grant was stored anew: a refresh token sealed in place of the old one (Cancel leaves it).
    expect(after.refreshTokenSealed).not.toEqual(before.refreshTokenSealed);
    // A reload shows the same page, and asks nothing of the used-up sign-in (helper-204 #1: until
    // 2026-12-05 it asked the callback again, and answered "This sign-in can't be used again").
    const reloaded = await page.reload();
    expect(reloaded?.status()).toBe(200);
    expect(await mainText(page)).toBe(main);
    // The callback itself, asked again (its address copied; a 303 leaves it out of the history): the sign-in is used up, and the page
    // says where the account is, not that nothing was stored.
    const replayed = await page.goto(callback);
    expect(replayed?.status()).toBe(400);
    expect(await page.textContent("h1")).toBe("This sign-in can't be used again");
    expect(await page.getByRole("link", { name: "your settings" }).count()).toBe(1);
    await check(page, `connect-used-${provider}`);
    expect((await loadAccount(app.stack.repo, email))!.refreshTokenSealed).toEqual(after.refreshTokenSealed);
    await page.context().close();
  });

  it("Cancel goes back to the app with access_denied: Not connected, nothing changed", async () => {
    const email = account().email;
    const before = (await loadAccount(app.stack.repo, email))!;
    const page = await (await contextOf()).newPage();
    await openConsent(page, link);
    await press(page, "Cancel");
    const back = new URL(page.url());
    expect(back.origin + back.pathname).toBe(`${app.stack.url}/connect/${provider}/callback`);
    expect(back.searchParams.get("error")).toBe("access_denied");
    expect(await mainText(page)).toContain("Not connected");
    expect((await loadAccount(app.stack.repo, email))!.refreshTokenSealed).toEqual(before.refreshTokenSealed);
    // The app's page, the same for both providers: checked once.
    if (provider === "google") await check(page, "consent-cancelled");
    await page.context().close();
  });

  it("Continue while the provider will not answer for the profile: 'Could not connect', try again in a minute, nothing changed", async () => {
    const email = account().email;
    const before = (await loadAccount(app.stack.repo, email))!;
    const route = provider === "google" ? "gmail.getProfile" : "graph.me";
    const page = await (await contextOf(true, VIEWPORTS.phone)).newPage();
    await openConsent(page, link);
    await fetch(`${app.stack.sandbox.url}/_control/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ route, account: email, kind: "status", status: 503, times: 0 }) });
    try {
      await press(page, `Continue as ${email}`);
    } finally {
      await fetch(`${app.stack.sandbox.url}/_control/faults`, { method: "DELETE" });
    }
    expect(await page.textContent("h1")).toBe("We could not connect your account");
    expect(await mainText(page)).toContain("we could not read your account there just now, so nothing was stored. Please try again in a minute.");
    expect(await page.getByRole("link", { name: "Try again" }).getAttribute("href")).toBe(`${app.stack.url}/connect/${provider}`);
    if (provider === "google") await check(page, "connect-profile-unread");
    expect((await loadAccount(app.stack.repo, email))!.refreshTokenSealed).toEqual(before.refreshTokenSealed);
    await page.context().close();
  });
});

describe("the reconnect email's sealed link in Chromium", { timeout: PAGE_TEST_MS }, () => {
  const account = () => app.stack.accounts.find((a) => a.account.provider === "google")!.account;

  it("opens the provider's consent for the stored address (only the provider sees it), and Continue reconnects", async () => {
    const email = account().email;
    const page = await (await contextOf(true, VIEWPORTS.phone)).newPage();
    const link = reconnectUrl(app.stack.url, account(), KEY, Date.now());
    expect(link).not.toContain(email.split("@")[0]);
    await Promise.all([page.waitForURL((u) => u.href.startsWith(app.stack.sandbox.url)), page.goto(link)]);
    await page.waitForLoadState("load");
    const at = new URL(page.url());
    expect(at.origin + at.pathname).toBe(googleEndpoints(app.stack.sandbox.url).authorizeUrl);
    expect(at.searchParams.get("login_hint")).toBe(email);
    await press(page, `Continue as ${email}`);
    expect(await mainText(page)).toContain(`${email} is connected.`);
    await page.context().close();
  });

  it("an expired one says so, passes the page checks, and its button leads to /connect", async () => {
    const page = await (await contextOf()).newPage();
    const response = await page.goto(reconnectUrl(app.stack.url, account(), KEY, Date.now() - 31 * 86_400_000));
    expect(response?.status()).toBe(410);
    expect(await mainText(page)).toContain("This reconnect link has expired");
    await check(page, "reconnect-expired");
    await Promise.all([page.waitForURL(`${app.stack.url}/connect`), page.getByRole("link", { name: "Connect an account" }).click()]);
    expect(await page.getByRole("link", { name: "Connect Google" }).count()).toBe(1);
    await page.context().close();
  });
});

describe("a first connection and a refused one, in Chromium", { timeout: PAGE_TEST_MS }, () => {
  it("a first connection: the Connected page with its first look, then a digest link before the first digest says there is none yet", async () => {
    const email = app.stack.accounts.find((a) => a.account.provider === "microsoft")!.account.email;
    await deleteAccountData(app.stack.repo, email);
    const page = await (await contextOf(true, VIEWPORTS.phone)).newPage();
    await openConsent(page, "Connect Microsoft");
    await press(page, `Continue as ${email}`);
    expect(await page.textContent("h1")).toBe("Connected");
    expect(await mainText(page)).toContain(`${email} is connected.`);
    expect(await mainText(page)).toMatch(/Your first digest arrives on/);
    expect(await page.locator("#first-look h2").textContent()).toBe("A first look");
    await check(page, "connected-first");
    expect((await loadAccount(app.stack.repo, email))!.provider).toBe("microsoft");
    // "Your latest digest" before the first one is sent.
    const view = `${app.stack.url}${linkPath("view", sealLink(KEY, { act: "view", acc: email }, Date.now()))}`;
    expect((await page.goto(view))?.status()).toBe(404);
    // Not "no digest for that week", which no one asked for (helper-207 #1): when the first comes.
    expect(await page.textContent("h1")).toBe("No digest yet");
    expect(await page.locator("main p").first().textContent()).toMatch(/^Your first digest arrives on \w+day, \d{1,2} \w+ \d{4} at \d\d:00 \([A-Za-z_/]+\)\.$/);
    expect(await page.getByRole("link", { name: "Your events" }).count()).toBe(1);
    expect(await page.getByRole("link", { name: "Your latest digest" }).count()).toBe(0);
    await check(page, "view-no-digest");
    await page.context().close();
  });

  it("a permission unticked on Google's consent: nothing stored, the page names the permission and offers to try again", async () => {
    const email = app.stack.accounts.find((a) => a.account.provider === "google")!.account.email;
    const before = (await loadAccount(app.stack.repo, email))!;
    // No live grant to add its scopes back (include_granted_scopes): as for someone connecting for the first time.
    expect((await fetch(`${app.stack.sandbox.url}/_control/accounts/${encodeURIComponent(email)}/revoke`, { method: "POST" })).ok).toBe(true);
    const page = await (await contextOf(true, VIEWPORTS.phone)).newPage();
    await openConsent(page, "Connect Google");
    const scopes = (new URL(page.url()).searchParams.get("scope") ?? "").split(" ").filter((x) => /gmail\.metadata/.test(x));
    expect(scopes).toHaveLength(1);
    await page.getByRole("group", { name: `What ${email} shares` }).getByRole("checkbox", { name: scopes[0], exact: true }).uncheck();
    const answer = page.waitForResponse((r) => r.url().startsWith(`${app.stack.url}/connect/google/callback`));
    await press(page, `Continue as ${email}`);
    expect((await answer).status()).toBe(403);
    expect(await page.textContent("h1")).toBe("Not connected: a permission is missing");
    expect(await page.getByRole("link", { name: "Try again" }).getAttribute("href")).toBe(`${app.stack.url}/connect/google`);
    await check(page, "connect-permission-missing");
    expect((await loadAccount(app.stack.repo, email))!.refreshTokenSealed).toEqual(before.refreshTokenSealed);
    await page.context().close();
  });
});

describe("moving an address's account to the other provider, in Chromium", { timeout: PAGE_TEST_MS }, () => {
  /** The demo's Google address as an Outlook account whose Microsoft user is gone (its company moved to Google Workspace). */
  const connectedThroughMicrosoft = async () => {
    const email = app.stack.accounts.find((a) => a.account.provider === "google")!.account.email;
    const repo = app.stack.repo;
    await deleteAccountData(repo, email);
    await repo.put({
      ...keys.account(email),
      account: { email, provider: "microsoft", clientId: "followthrough-local", connectedAt: 1, createdAt: Date.now() - 86_400_000, aliases: [], timeZone: "Europe/Rome", status: "needs_reconnect", refreshTokenSealed: "x", schedule: { day: 5, hour: 16 }, signatureName: "Isla M." },
    });
    return { email, repo };
  };

  it("a Google sign-in to an address connected through Microsoft: the refusal says a link was emailed; the link's page, then Move, connects it through Google", async () => {
    const { email, repo } = await connectedThroughMicrosoft();
    const page = await (await contextOf(true, VIEWPORTS.phone)).newPage();
    await openConsent(page, "Connect Google");
    const refused = page.waitForResponse((r) => r.url().startsWith(`${app.stack.url}/connect/google/callback`));
    await press(page, `Continue as ${email}`);
    expect((await refused).status()).toBe(409);
    expect(await page.textContent("h1")).toBe("Already connected through Microsoft");
    expect(await mainText(page)).toContain(`If your mail has moved to Google, we have emailed ${email} a link to move Followthrough there.`);
    await check(page, "move-offered");

    // The email (locally, the table's outbox): its link opens the confirm page…
    const mail = (await outbox(repo, email)).at(-1)!;
    expect(mail.subject).toBe("Move Followthrough to Google?");
    const link = /^Move: (\S+)$/m.exec(mail.text)![1]!;
    // Opened in another browser (whoever reads the mail need not be whoever signed in): refused, nothing moved.
    const other = await (await contextOf(true, VIEWPORTS.phone)).newPage();
    expect((await other.goto(link))?.status()).toBe(403);
    expect(await other.textContent("h1")).toBe("Open it where you signed in");
    await check(other, "move-elsewhere");
    await other.context().close();
    await page.goto(link);
    expect(await page.textContent("h1")).toBe("Move Followthrough to Google?");
    await check(page, "move-confirm");
    expect((await loadAccount(repo, email))!.provider).toBe("microsoft");
    // …whose button moves it.
    await press(page, "Move to Google");
    expect(await page.textContent("h1")).toBe("Moved to Google");
    expect(await mainText(page)).toContain(`${email} is connected through Google now.`);
    await check(page, "move-done");
    expect(await loadAccount(repo, email)).toMatchObject({ provider: "google", status: "active", schedule: { day: 5, hour: 16 }, signatureName: "Isla M." });
    // Its settings link opens the moved account's settings.
    await Promise.all([page.waitForURL(/\/l\/settings\//), page.getByRole("link", { name: "Your settings" }).click()]);
    expect(await mainText(page)).toContain(email);
    expect(await page.textContent("h1")).not.toContain("expired");
    // A move link past its hour.
    const late = `${app.stack.url}${linkPath("move", sealLink(KEY, { act: "move", acc: email, ref: "an-old-offer" }, Date.now() - 61 * 60_000))}`;
    expect((await page.goto(late))?.status()).toBe(410);
    expect(await mainText(page)).toContain("This link to move your account has expired: it works for an hour.");
    await check(page, "move-expired");
    await page.context().close();
  });
  it("the move link's email sent but SES's answer lost: the refusal says it could not confirm the email, and the link, when it arrives, still moves the account", async () => {
    const { email, repo } = await connectedThroughMicrosoft();
    const page = await (await contextOf(true, VIEWPORTS.desktop)).newPage();
    await openConsent(page, "Connect Google");
    const refused = page.waitForResponse((r) => r.url().startsWith(`${app.stack.url}/connect/google/callback`));
    mail.answerLost = true;
    await press(page, `Continue as ${email}`);
    expect((await refused).status()).toBe(409);
    expect(mail.answerLost).toBe(false);
    expect(await page.textContent("h1")).toBe("Already connected through Microsoft");
    expect(await mainText(page)).toContain(`we have emailed ${email} a link to move Followthrough there, but we could not confirm that it was sent.`);
    await check(page, "move-unconfirmed");
    // The email came after all: its link works in this browser.
    const link = /^Move: (\S+)$/m.exec((await outbox(repo, email)).at(-1)!.text)![1]!;
    await page.goto(link);
    expect(await page.textContent("h1")).toBe("Move Followthrough to Google?");
    await press(page, "Move to Google");
    expect(await page.textContent("h1")).toBe("Moved to Google");
    expect(await loadAccount(repo, email)).toMatchObject({ provider: "google", status: "active" });
    await page.context().close();
  });
});

describe("Google's daily limit met on a connect, in Chromium", { timeout: PAGE_TEST_MS }, () => {
  /** From `at` to Google's next quota day (midnight in Los Angeles: core/google untilGoogleQuotaReset). */
  const untilPacificMidnight = (at: number) => localMidnight(addDays(localDate(at, "America/Los_Angeles"), 1), "America/Los_Angeles") - at;

  it("Continue while the project's daily quota is spent: 'Could not connect', try again in about N hours, N to Google's midnight on the demo's clock; nothing changed", async () => {
    const email = app.stack.accounts.find((a) => a.account.provider === "google")!.account.email;
    const before = (await loadAccount(app.stack.repo, email))!;
    // The demo's clock moved on to 18:30 in Los Angeles: 5 h 30 min before the quota day ends.
    const clock = app.stack.clock;
    let midnight = clock.now() + untilPacificMidnight(clock.now());
    if (midnight - 5.5 * 3_600_000 < clock.now()) midnight += untilPacificMidnight(midnight);
    clock.advance(midnight - 5.5 * 3_600_000 - clock.now());
    const at = clock.now();
    expect(untilPacificMidnight(at)).toBe(5.5 * 3_600_000);
    const page = await (await contextOf(true, VIEWPORTS.phone)).newPage();
    await openConsent(page, "Connect Google");
    // The project's daily quota (sandbox faults.ts reason dailyLimitExceeded: 403 usageLimits, no Retry-After) on every Gmail and Calendar call.
    const faults = await fetch(`${app.stack.sandbox.url}/_control/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(["gmail.*", "calendar.*"].map((route) => ({ route, account: email, kind: "status", status: 403, reason: "dailyLimitExceeded", times: 0 }))),
    });
    expect(faults.status).toBe(201);
    try {
      await press(page, `Continue as ${email}`);
    } finally {
      await fetch(`${app.stack.sandbox.url}/_control/faults`, { method: "DELETE" });
    }
    expect(await page.textContent("h1")).toBe("We could not connect your account");
    expect(await mainText(page)).toContain("we could not read your account there just now, so nothing was stored. Please try again in about 6 hours.");
    expect(await page.getByRole("link", { name: "Try again" }).getAttribute("href")).toBe(`${app.stack.url}/connect/google`);
    await check(page, "connect-daily-limit");
    // Nothing waited out the quota day on the demo's clock, and nothing was stored.
    expect(clock.now() - at).toBeLessThan(60_000);
    expect((await loadAccount(app.stack.repo, email))!.refreshTokenSealed).toEqual(before.refreshTokenSealed);
    await page.context().close();
  });
});
