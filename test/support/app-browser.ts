/**
 * What the browser tests of the app share: the local stack (`npm start`'s, links signed with
 * `linkKey`) and headless Chromium, started before a test file's tests and closed after them, and
 * the page checks (test/support/page-check.ts) whose axe results go to test-artifacts/pages/<report>.
 */
import { join } from "node:path";
import type { Browser } from "playwright-core";
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
