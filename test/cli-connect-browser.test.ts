/**
 * `followthrough connect microsoft`'s loopback pages (packages/cli/src/connect.ts), in headless
 * Chromium as the person running the CLI meets them: the CLI prints the authorize URL, the browser
 * opens it on the sandbox's consent page, and the person's choice lands on the CLI's own server on
 * localhost. Each answer ("Connected", "Not connected", and "Sign-in not recognised" for a callback
 * that is not the answer to this sign-in) is checked at a phone's and a desktop's width, light and
 * dark, axe-core WCAG 2.2 A/AA zero violations and nothing wider than the phone (test/support/
 * page-check.ts); axe results (and, under `npm run gallery`, screenshots) in test-artifacts/pages/ (cli-connect-*).
 *
 * `connect google` answers on @google-cloud/local-auth's own loopback page, which is the library's,
 * not ours (packages/cli/test/connect.test.ts drives that flow as far as it goes offline).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadFixture, type RunningSandbox, startSandbox } from "@followthrough/sandbox";
import { launchChromium } from "./support/browser";
import { root } from "./support/fixtures";
import { PAGE_TEST_MS, pageChecks, VIEWPORTS } from "./support/page-check";
import { checkThenClose } from "./support/refusals";

const bin = join(root, "packages/cli/bin/followthrough.mjs");
const fixture = loadFixture(join(root, "fixtures/demo-microsoft"));
const email = fixture.account.email;
const scratch = mkdtempSync(join(tmpdir(), "ft-cli-browser-"));
let sandbox: RunningSandbox;
let browser: Browser;
let caFile: string;
const checks = pageChecks(() => browser, join(root, "test-artifacts", "pages"));

beforeAll(async () => {
  sandbox = await startSandbox({ fixtures: [fixture], https: true });
  caFile = join(scratch, "sandbox-ca.pem");
  writeFileSync(caFile, sandbox.ca!);
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await checkThenClose(sandbox, async () => {
    checks.writeReport("axe-cli-connect.json");
    await browser?.close();
    await sandbox?.close();
    rmSync(scratch, { recursive: true, force: true });
  });
});

/** `connect microsoft` in a child process against the sandbox, once it has printed its authorize URL. */
async function connect(home: string): Promise<{ child: ChildProcess; url: URL; exited: Promise<number | null>; out: { stdout: string; stderr: string } }> {
  const args = ["connect", "microsoft", "--client-id", "00000000-0000-0000-0000-00000000f012", "--authorize-base", sandbox.url, "--api-url", sandbox.httpsUrl!, "--no-browser", "--home", join(scratch, home)];
  const child = spawn(process.execPath, [bin, ...args], { cwd: root, env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile }, stdio: ["ignore", "pipe", "pipe"] });
  const out = { stdout: "", stderr: "" };
  child.stdout!.on("data", (b) => (out.stdout += b));
  child.stderr!.on("data", (b) => (out.stderr += b));
  const exited = new Promise<number | null>((res) => child.once("exit", (code) => res(code)));
  const end = Date.now() + 30_000;
  for (;;) {
    const m = /^http\S+authorize\S*$/m.exec(out.stdout);
    if (m) return { child, url: new URL(m[0]), exited, out };
    if (child.exitCode !== null || Date.now() > end) throw new Error(`no authorize URL (exit ${child.exitCode}): ${out.stdout}\n${out.stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const mainText = async (page: Page) => (await page.innerText("main")).replace(/\s+/g, " ").trim();

/** Opens the authorize URL in Chromium as a phone (its width, touch, meta viewport honoured) and presses the consent page's button. */
async function answerConsent(url: URL, button: string): Promise<Page> {
  const page = await (await browser.newContext({ viewport: VIEWPORTS.phone, isMobile: true, hasTouch: true })).newPage();
  await page.goto(url.href);
  await checks.press(page, button);
  return page;
}

describe("connect microsoft's loopback pages in Chromium", { timeout: PAGE_TEST_MS }, () => {
  it("Continue on the consent page lands on the CLI's Connected page, which passes the page checks; the CLI exits 0", async () => {
    const run = await connect("home-continue");
    try {
      const redirect = new URL(run.url.searchParams.get("redirect_uri")!);
      const page = await answerConsent(run.url, `Continue as ${email}`);
      const at = new URL(page.url());
      expect(at.origin + at.pathname).toBe(redirect.origin + redirect.pathname);
      expect(await page.title()).toBe("Connected · Followthrough");
      expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Connected");
      expect(await mainText(page)).toBe(`Connected ${email} is connected to Followthrough. You can close this tab.`);
      // Laid out at the phone's width, not a desktop page zoomed out to fit (the viewport meta).
      expect(await page.evaluate(() => window.innerWidth)).toBe(VIEWPORTS.phone.width);
      await checks.check(page, "cli-connect-connected");
      expect(await run.exited).toBe(0);
      expect(run.out.stdout).toMatch(/connected microsoft/i);
      await page.context().close();
    } finally {
      run.child.kill();
    }
  });

  it("Cancel lands on the CLI's Not connected page naming the refusal, which passes the page checks; the CLI exits 1 with one line", async () => {
    const run = await connect("home-cancel");
    try {
      const page = await answerConsent(run.url, "Cancel");
      expect(await page.title()).toBe("Not connected · Followthrough");
      expect(await mainText(page)).toMatch(/^Not connected Microsoft sign-in failed: access_denied: the permissions were declined, or an admin of your organisation must allow them first; nothing was stored: run connect again/);
      expect(await page.evaluate(() => window.innerWidth)).toBe(VIEWPORTS.phone.width);
      await checks.check(page, "cli-connect-refused");
      expect(await run.exited).toBe(1);
      expect(run.out.stderr.trim().split("\n")).toHaveLength(1);
      expect(run.out.stderr).toMatch(/access_denied/);
      await page.context().close();
    } finally {
      run.child.kill();
    }
  });

  it("a callback that is not the answer to this sign-in gets Sign-in not recognised (400, checked); the CLI keeps waiting", async () => {
    const run = await connect("home-forged");
    try {
      const redirect = new URL(run.url.searchParams.get("redirect_uri")!);
      const page = await (await browser.newContext({ viewport: VIEWPORTS.desktop })).newPage();
      const res = await page.goto(`${redirect.origin}${redirect.pathname}?code=forged&state=not-ours`);
      expect(res?.status()).toBe(400);
      expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Sign-in not recognised");
      await checks.check(page, "cli-connect-not-recognised");
      expect(run.child.exitCode).toBeNull();
      await page.context().close();
    } finally {
      run.child.kill();
    }
  });
});
