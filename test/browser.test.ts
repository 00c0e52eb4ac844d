/**
 * The local app in headless Chromium, as a person uses it: open the app, read this week's digest,
 * tap "Draft follow-up", land on the created draft; tap again, same draft; and a plain fetch of a
 * link (what mail security scanners do) creates nothing. Under `npm run gallery` screenshots go to
 * test-artifacts/pages/, with the other browser tests' (until 2026-12-06 to test-artifacts/ itself).
 */
import { mkdirSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalStack, startLocalStack } from "../packages/cli/src/start";
import { launchChromium } from "./support/browser";
import { GALLERY } from "./support/page-check";
import { root } from "./support/fixtures";
import { checkThenClose } from "./support/refusals";

const artifacts = join(root, "test-artifacts", "pages");
/** A screenshot for the gallery (`npm run gallery`); none under `npm test`. */
async function photograph(page: Page, name: string) {
  if (GALLERY) await page.screenshot({ path: join(artifacts, name), fullPage: true });
}

let stack: LocalStack;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  stack = await startLocalStack({ port: 0 });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await checkThenClose(stack?.sandbox, async () => {
    await browser?.close();
    await stack?.close();
  });
});

async function draftsIn(email: string, provider: "google" | "microsoft"): Promise<number> {
  const res = await fetch(`${stack.sandbox.url}/_control/accounts/${encodeURIComponent(email)}/${provider === "google" ? "gmail" : "graph"}/drafts`);
  return ((await res.json()) as unknown[]).length;
}

/** Taps a link of the digest; email links open in a new tab, as they do from a mail client. */
async function tap(page: Page, name: RegExp): Promise<Page> {
  const [tab] = await Promise.all([page.context().waitForEvent("page"), page.getByRole("link", { name }).first().click()]);
  await tab.waitForURL(/\/local\/drafts\//);
  return tab;
}

async function openDigest(page: Page, email: string) {
  await page.goto(`${stack.url}/`);
  const item = page.locator("li", { hasText: email });
  await item.getByRole("link", { name: /Digest/ }).click();
  await page.waitForLoadState("load");
}

describe.each(["google", "microsoft"] as const)("the %s demo account in a browser", (provider) => {
  const account = () => stack.accounts.find((a) => a.account.provider === provider)!;

  it("shows this week's digest exactly as emailed, at phone and desktop widths", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await openDigest(page, account().account.email);
    expect(await page.content()).toContain(account().weekly.digest.missing[0].eventTitle.replace(/&/g, "&amp;").slice(0, 12));
    // The digest's heading of its numbers is on the page, seen (a Locator object itself is always truthy).
    expect(await page.getByText("Activity against productivity").first().isVisible()).toBe(true);
    const buttons = page.getByRole("link", { name: /Draft follow-up/ });
    expect(await buttons.count()).toBe(account().weekly.digest.missing.length);
    await photograph(page, `digest-${provider}-desktop.png`);
    await page.setViewportSize({ width: 375, height: 812 });
    await photograph(page, `digest-${provider}-phone.png`);
    // Dark mode: the digest declares both schemes and its text stays legible (not dark on dark).
    await page.emulateMedia({ colorScheme: "dark" });
    await photograph(page, `digest-${provider}-phone-dark.png`);
    expect(await page.locator('meta[name="color-scheme"]').getAttribute("content")).toMatch(/light dark/);
    // Nothing overflows sideways on a phone.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(1);
    await page.close();
  });

  it("a tap creates one draft and lands on it; a second tap opens the same draft", async () => {
    const { email } = account().account;
    const person = account().weekly.digest.missing[0];
    const before = await draftsIn(email, provider);
    const page = await browser.newPage();
    await openDigest(page, email);
    const tab = await tap(page, /Draft follow-up/);
    const landing = tab.url();
    const body = await tab.textContent("body");
    expect(body).toContain(person.email);
    expect(body).toContain(`Hi ${person.firstName}`);
    expect(await draftsIn(email, provider)).toBe(before + 1);
    await photograph(tab, `draft-${provider}.png`);
    await tab.close();

    await openDigest(page, email);
    const again = await tap(page, /Draft follow-up|Open draft/);
    expect(again.url()).toBe(landing);
    await again.close();
    expect(await draftsIn(email, provider)).toBe(before + 1);
    await page.close();
  });

  it("a plain fetch of a link, as a mail scanner does, creates nothing", async () => {
    const { email } = account().account;
    const before = await draftsIn(email, provider);
    for (const person of account().weekly.digest.missing.slice(1)) {
      const res = await fetch(person.draftUrl);
      expect(res.status).toBe(200);
      await res.text();
      const dismiss = await fetch(person.dismissUrl);
      expect(dismiss.status).toBe(200);
    }
    expect(await draftsIn(email, provider)).toBe(before);
    const people = await stack.repo.loadPeople(email);
    expect(people.filter((p) => p.stage === "dismissed")).toEqual([]);
  });
});

describe("DNS rebinding", () => {
  /** A GET with a chosen Host header, as a browser on a rebound name would send it. */
  const getWithHost = (url: string, host: string) =>
    new Promise<number>((resolve, reject) => {
      const u = new URL(url);
      const req = httpRequest({ host: u.hostname, port: u.port, path: u.pathname, headers: { host } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end();
    });

  it("the local app and the sandbox answer only loopback Host names", async () => {
    const port = (u: string) => new URL(u).port;
    expect(await getWithHost(`${stack.url}/`, `rebound.example:${port(stack.url)}`)).toBe(421);
    expect(await getWithHost(`${stack.url}/`, `localhost:${port(stack.url)}`)).toBe(200);
    expect(await getWithHost(`${stack.sandbox.url}/_control/accounts`, `rebound.example:${port(stack.sandbox.url)}`)).toBe(421);
    expect(await getWithHost(`${stack.sandbox.url}/_control/accounts`, `127.0.0.1:${port(stack.sandbox.url)}`)).toBe(200);
  });
});
