/**
 * What the browser tests of the app share: the local stack (`npm start`'s, links signed with
 * `linkKey`) and headless Chromium, started before a test file's tests and closed after them, and
 * the page checks (test/support/page-check.ts) whose axe results go to test-artifacts/pages/<report>.
 */
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { type LocalStack, startLocalStack } from "../../packages/cli/src/start";
import { launchChromium } from "./browser";
import { root } from "./fixtures";
import { pageChecks } from "./page-check";
import { checkThenClose } from "./refusals";

/** The file fails when the sandbox refused any of its calls by the providers' contracts (test/support/refusals.ts). */
export function appInChromium(o: { linkKey: string; report: string; startMs?: number; stack?: Omit<NonNullable<Parameters<typeof startLocalStack>[0]>, "port" | "linkKey"> }) {
  let stack: LocalStack | undefined;
  let browser: Browser | undefined;
  const checks = pageChecks(() => browser!, join(root, "test-artifacts", "pages"));
  beforeAll(async () => {
    stack = await startLocalStack({ ...o.stack, port: 0, linkKey: o.linkKey });
    browser = await launchChromium();
  }, o.startMs ?? 120_000);
  afterAll(async () => {
    await checkThenClose(stack?.sandbox, async () => {
      checks.writeReport(o.report);
      await browser?.close();
      await stack?.close();
    });
  });
  return {
    contextOf: checks.contextOf,
    check: checks.check,
    press: checks.press,
    invalidFields: checks.invalidFields,
    get stack(): LocalStack {
      return stack!;
    },
    get browser(): Browser {
      return browser!;
    },
  };
}

/**
 * Stops a page's fake clock where it is now (the page's timers then wait for `clock.runFor`). The
 * clock runs on between reading it and pausing it: on a loaded machine more than the 100 ms allowed,
 * and Playwright refuses a pause in the past ("Cannot fast-forward to the past", seen in full runs of
 * page-states-browser and of pages-browser): read again and retried then.
 */
export async function pauseClock(page: Page): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await page.clock.pauseAt((await page.evaluate(() => Date.now())) + 100);
    } catch (e) {
      if (attempt >= 5 || !/fast-forward to the past/.test(String(e))) throw e;
    }
  }
}
