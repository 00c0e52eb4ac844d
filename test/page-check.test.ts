/**
 * The page check every browser test relies on (test/support/page-check.ts) finds what it is there to
 * find: an axe violation only in dark mode, one only at a phone's width, and a page wider than the
 * phone. Without this, a check that audited nothing (a wrong axe mode, a scheme never applied)
 * would pass every page.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./support/browser";
import { PAGE_TEST_MS, pageChecks } from "./support/page-check";

const gallery = mkdtempSync(join(tmpdir(), "page-check-"));
let browser: Browser | undefined;
const checks = pageChecks(() => browser!, gallery, { screenshots: true });
const plain = mkdtempSync(join(tmpdir(), "page-check-plain-"));
/** The checks as `npm test` runs them, without screenshots: the findings below must not depend on one being taken. */
const unphotographed = pageChecks(() => browser!, plain, { screenshots: false });

beforeAll(async () => {
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  rmSync(gallery, { recursive: true, force: true });
  rmSync(plain, { recursive: true, force: true });
});

const doc = (style: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta name="viewport" content="width=device-width"><title>A page</title><style>body{font:16px sans-serif;color:#111;background:#fff}${style}</style></head><body><main><h1>A page</h1>${body}</main></body></html>`;

async function pageWith(html: string): Promise<Page> {
  const page = await (await checks.contextOf()).newPage();
  await page.setContent(html);
  return page;
}

describe("the page check", { timeout: PAGE_TEST_MS }, () => {
  it("passes a clean page, and photographs it at both widths in both schemes", async () => {
    const page = await pageWith(doc("", "<p>Nothing wrong here.</p>"));
    await checks.check(page, "clean");
    expect(readdirSync(gallery).filter((f) => f.startsWith("clean-")).sort()).toEqual(["clean-desktop-dark.png", "clean-desktop-light.png", "clean-phone-dark.png", "clean-phone-light.png"]);
    await page.context().close();
  });

  it("photographs nothing unless the gallery is asked for, and still audits", async () => {
    const page = await pageWith(doc("", '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" width="20" height="20">'));
    expect(await unphotographed.check(page, "plain").then(() => undefined, (e: Error) => e.message)).toMatch(/desktop\/light image-alt/);
    expect(readdirSync(plain).filter((f) => f.endsWith(".png"))).toEqual([]);
    await page.context().close();
  });

  it("finds text that is unreadable only in dark mode, at both widths and in no light view", async () => {
    const page = await pageWith(doc("@media (prefers-color-scheme: dark){body{background:#000}p{color:#222}}", "<p>Grey on black.</p>"));
    const failure = await unphotographed.check(page, "dark-only").then(() => undefined, (e: Error) => e.message);
    expect(failure).toMatch(/phone\/dark color-contrast/);
    expect(failure).toMatch(/desktop\/dark color-contrast/);
    expect(failure).not.toMatch(/\/light color-contrast/);
    await page.context().close();
  });

  it("finds a fault shown only at a phone's width, and a page wider than the phone", async () => {
    const page = await pageWith(
      doc("img{display:none}@media (max-width:600px){img{display:inline}}.wide{width:900px;height:4px}", '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" width="20" height="20"><div class="wide"></div>'),
    );
    const failure = await unphotographed.check(page, "phone-only").then(() => undefined, (e: Error) => e.message);
    expect(failure).toMatch(/phone\/light image-alt/);
    expect(failure).toMatch(/phone\/dark: \d+px wider than the phone/);
    expect(failure).not.toMatch(/desktop\/\w+ image-alt/);
    await page.context().close();
  });

  it("audits the next page a tab goes to (axe put into each new document), and refuses a page with a frame it would not reach", async () => {
    const page = await pageWith(doc("", "<p>Nothing wrong here.</p>"));
    await unphotographed.check(page, "before-navigation");
    const goTo = (html: string) => page.goto(`data:text/html,${encodeURIComponent(html)}`);
    await goTo(doc("", '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" width="20" height="20">'));
    expect(await unphotographed.check(page, "after-navigation").then(() => undefined, (e: Error) => e.message)).toMatch(/desktop\/light image-alt/);
    await goTo(doc("", '<iframe title="A frame" srcdoc="<p>Inside</p>"></iframe>'));
    expect(await unphotographed.check(page, "framed").then(() => undefined, (e: Error) => e.message)).toMatch(/1 frame\(s\), which this audit does not reach/);
    await page.context().close();
  });
});
