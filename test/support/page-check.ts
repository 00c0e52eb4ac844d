/**
 * What the browser tests of pages share: a person's browser context, the check of a page at a
 * phone's and a desktop's width in light and dark mode (axe-core with WCAG 2.2 A/AA, zero
 * violations; nothing wider than the phone; a screenshot of each when the gallery is asked for),
 * pressing a form's button, and the controls a refused form marks invalid.
 */
import { writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import AxeBuilder from "@axe-core/playwright";
import axe from "axe-core";
import type { Browser, BrowserContext, Page } from "playwright-core";

export const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];
export const VIEWPORTS = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 900 } } as const;

/**
 * The time a test that checks pages may take. Each check is four screenshots and four axe audits
 * (about 3 s here, and twice that on a loaded CI machine), and a test walking a form through its
 * states checks five or six of them: vitest's 60 s default is a hang guard these tests outgrow.
 */
export const PAGE_TEST_MS = 180_000;

type Report = Record<string, { url: string; violations: { id: string; impact?: string | null; nodes: number }[] }[]>;

/**
 * One axe audit of the page as it is now (WCAG 2.2 A/AA tags), violations only. axe.run in the page
 * itself (the builder's "legacy" mode): the default runs axe.runPartial in each frame and then
 * axe.finishRun in a new blank page, which made each audit take 2.3 times as long; the app's pages
 * have no frames, so the audit is the same. axe-core's source (1.3 MB) goes into the page once per
 * document, not twice per audit as the builder does by default (its `axeSource` is then a no-op), and
 * only violations are reported in full (axe's `resultTypes`; passes and the rest come one node
 * each, unread here). A check's four audits took 1.4 s each on a 200-row page, now 0.45 s. A page
 * with frames is refused, not half audited.
 */
async function audited(page: Page) {
  // axe goes into the main frame only: a page with frames (the app has none) would leave them unaudited.
  if (page.frames().length > 1) throw new Error(`${page.url()}: ${page.frames().length - 1} frame(s), which this audit does not reach: inject axe into each (the builder's default mode)`);
  if (!(await page.evaluate(() => typeof (window as { axe?: { run?: unknown } }).axe?.run === "function"))) await page.evaluate(axe.source);
  return new AxeBuilder({ page, axeSource: "void 0" }).withTags(TAGS).options({ resultTypes: ["violations"] }).setLegacyMode(true).analyze();
}

/**
 * Whether the checks photograph each page: `npm run gallery` (FT_GALLERY=1) does, `npm test` does
 * not. The screenshots assert nothing; taking them was 31 of the 136 s of test/pages-browser.test.ts
 * run alone (63 checks, four full-page PNGs each; axe 48 s), and the browser files are half the suite.
 */
export const GALLERY = process.env.FT_GALLERY === "1";

/** The checks of one test file, writing axe results (and, with `screenshots`, the gallery) into `gallery`. */
export function pageChecks(browser: () => Browser, gallery: string, o: { screenshots?: boolean } = {}) {
  const screenshots = o.screenshots ?? GALLERY;
  mkdirSync(gallery, { recursive: true });
  /** axe results per page, written to `<gallery>/<file>` by {@link writeReport}. */
  const report: Report = {};

  /**
   * A context as a person's browser. With `autoSubmit` off, a one-tap confirm page stays on screen
   * with its button (as without JavaScript), so that it can be checked and pressed; axe still runs.
   */
  async function contextOf(autoSubmit = true, viewport: { width: number; height: number } = VIEWPORTS.desktop): Promise<BrowserContext> {
    const ctx = await browser().newContext({ viewport });
    if (!autoSubmit) await ctx.addInitScript(() => void (HTMLFormElement.prototype.submit = function () {}));
    return ctx;
  }

  /**
   * Checks the page as it is now at both widths and in both schemes: axe (zero violations), nothing
   * wider than a phone, and (for the gallery) four screenshots named after the page.
   */
  async function check(page: Page, name: string): Promise<void> {
    const found: string[] = [];
    const before = page.viewportSize() ?? VIEWPORTS.desktop;
    for (const [width, viewport] of Object.entries(VIEWPORTS)) {
      await page.setViewportSize(viewport);
      for (const scheme of ["light", "dark"] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        if (screenshots) await page.screenshot({ path: join(gallery, `${name}-${width}-${scheme}.png`), fullPage: true });
        const audit = await audited(page);
        (report[name] ??= []).push({ url: page.url().replace(/\/l\/([a-z]+)\/[^/?#]+/, "/l/$1/<token>"), violations: audit.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length })) });
        for (const v of audit.violations) found.push(`${width}/${scheme} ${v.id}: ${v.nodes.map((n) => n.target.join(" ")).slice(0, 4).join(" | ")}`);
        if (width === "phone") {
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
          if (overflow > 1) found.push(`${width}/${scheme}: ${overflow}px wider than the phone`);
        }
      }
    }
    await page.emulateMedia({ colorScheme: "light" });
    await page.setViewportSize(before);
    // Every finding in the message itself (an array's diff is cut short in the assertion's).
    if (found.length > 0) throw new Error(`${name}: ${found.length} finding(s):\n${found.join("\n")}`);
  }

  /** Submits the form holding the button named `name` and waits for the page it answers with. */
  async function press(page: Page, name: string | RegExp): Promise<void> {
    // The click's own navigation (a form POST, its redirect): waited for, not only the page already
    // loaded (which answered at once, so a slow POST under load left the old URL to be read). Every
    // button pressed here submits its form: one that navigates nowhere fails here, after a minute,
    // rather than leaving the old page to be read as the answer (as a 5 s wait that gave up did).
    const navigated = page.waitForEvent("framenavigated", { predicate: (f) => f === page.mainFrame(), timeout: 60_000 });
    await page.getByRole("button", { name }).first().click();
    await navigated;
    await page.waitForLoadState("load");
  }

  /**
   * Each control the page marks invalid (`aria-invalid="true"`): its label, and the text of what
   * describes it (`aria-describedby`, in order), as a screen reader on the field would say them.
   */
  async function invalidFields(page: Page): Promise<{ label: string; description: string }[]> {
    return page.$$eval('[aria-invalid="true"]', (els) =>
      els.map((el) => ({
        label: ((el as HTMLInputElement).labels?.[0]?.textContent ?? "").trim(),
        description: (el.getAttribute("aria-describedby") ?? "")
          .split(/\s+/)
          .filter(Boolean)
          .map((id) => (document.getElementById(id)?.textContent ?? "").replace(/\s+/g, " ").trim())
          .join(" "),
      })),
    );
  }

  const writeReport = (file: string) => writeFileSync(join(gallery, file), `${JSON.stringify(report, null, 2)}\n`);

  return { contextOf, check, press, invalidFields, writeReport };
}
