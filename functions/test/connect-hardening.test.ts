/**
 * The connect callback refuses what it should (docs/security.md): Google's `iss`, when it comes,
 * must be Google's (RFC 9207; Google sends it to some people only), and a state is single-use on the
 * server, so a copy of a callback and its cookie never works twice, even after the first attempt failed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deleteAccountData, loadAccount } from "@followthrough/core/accounts";
import { type WebStack, startWebStack } from "./support/web-stack";
import { createApp } from "../src/app";

const BASE = "http://app.test";
let stack: WebStack;
beforeAll(async () => {
  stack = await startWebStack({ baseUrl: BASE, linkKey: "connect-hardening-link-key" });
});
afterAll(() => stack?.close());

const pathOf = (url: string) => {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
};

/** Starts a Google connect and approves it at the sandbox: the callback URL and this browser's cookie. */
async function approved() {
  const start = await stack.app.request("/connect/google");
  const cookie = (start.headers.get("set-cookie") ?? "").split(";")[0];
  const authorize = new URL(start.headers.get("location")!);
  authorize.searchParams.set("account", stack.fixtures.google.account.email);
  authorize.searchParams.set("approve", "1");
  const res = await fetch(authorize, { redirect: "manual" });
  return { callback: new URL(res.headers.get("location")!), cookie };
}
const call = (url: URL, cookie: string) => stack.app.request(pathOf(url.toString()), { headers: { cookie } });
const stored = () => loadAccount(stack.repo, stack.fixtures.google.account.email);

describe("Google's iss on the callback", () => {
  it("a callback naming another issuer is refused with 400 (not 502) and stores nothing", async () => {
    const { callback, cookie } = await approved();
    callback.searchParams.set("iss", "https://accounts.evil.example");
    const res = await call(callback, cookie);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("nothing was stored");
    expect(await stored()).toBeUndefined();
  });

  it("a callback without iss connects: Google sends it to some people only (helper-182 #3)", async () => {
    const { callback, cookie } = await approved();
    expect(callback.searchParams.get("iss")).toBe("https://accounts.google.com");
    callback.searchParams.delete("iss");
    const res = await call(callback, cookie);
    expect(res.status).toBe(303);
    expect(await stored()).toBeDefined();
    await deleteAccountData(stack.repo, stack.fixtures.google.account.email);
    expect(await stored()).toBeUndefined();
  });
});

describe("the state is single-use on the server", () => {
  it("after a failed callback, the same cookie and code are refused; a fresh attempt works", async () => {
    const { callback, cookie } = await approved();
    // The token endpoint fails once: the first callback cannot finish.
    await fetch(`${stack.sandbox.url}/_control/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ route: "oauth.google.token", kind: "status", status: 503 }) });
    expect((await call(callback, cookie)).status).toBe(502);
    // A copy of the browser's cookie with the same callback (same code and state): burnt.
    const again = await call(callback, cookie);
    expect(again.status).toBe(400);
    expect(await again.text()).toContain("It has expired, was already used, or was started in another browser.");
    expect(await stored()).toBeUndefined();
    const fresh = await approved();
    expect((await call(fresh.callback, fresh.cookie)).status).toBe(303);
    expect(await stored()).toBeDefined();
  });

  it.each([429, 503])("a code exchange the token endpoint answers %i (throttled, down) is its failure, a 502 to try again, not a refusal of the person's sign-in", async (status) => {
    const { callback, cookie } = await approved();
    await fetch(`${stack.sandbox.url}/_control/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ route: "oauth.google.token", kind: "status", status, retryAfter: 60 }) });
    expect((await call(callback, cookie)).status).toBe(502);
  });

  it("a successful callback replayed with its cookie is refused before any exchange", async () => {
    const { callback, cookie } = await approved();
    expect((await call(callback, cookie)).status).toBe(303);
    const replay = await call(callback, cookie);
    expect(replay.status).toBe(400);
    // The callback asked again after the account was stored (a copied URL; a reload repeats the
    // Connected page it redirected to): the page must not say that nothing was.
    const page = await replay.text();
    expect(page).not.toContain("nothing was stored");
    expect(page).toContain("If you have just connected your account, it is connected");
    expect(page).toMatch(/href="[^"]*\/settings"/);
    expect(await stored()).toBeDefined();
  });
});

describe("the callback's profile read, as production loads it (core/loader/mailbox)", () => {
  it("a provider asking for a minute's pause is answered, not waited out past the function's timeout: 502, nothing changed", async () => {
    // The production default (no providerForNew): the reader-less adapter with the API's retry budget.
    const app = createApp({ ...stack.deps, providerForNew: undefined });
    const { callback, cookie } = await approved();
    const before = await stored();
    await fetch(`${stack.sandbox.url}/_control/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ route: "gmail.getProfile", kind: "status", status: 429, retryAfter: 60, times: 0 }) });
    const t0 = Date.now();
    try {
      const res = await app.request(pathOf(callback.toString()), { headers: { cookie } });
      expect(res.status).toBe(502);
      expect(await res.text()).toContain("we could not read your account there just now, so nothing was stored. Please try again in a minute.");
    } finally {
      await fetch(`${stack.sandbox.url}/_control/faults`, { method: "DELETE" });
    }
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(await stored()).toEqual(before);
  }, 30_000);

  it("a failure that is not the provider's (its module would not load) says only to try again", async () => {
    const app = createApp({ ...stack.deps, providerForNew: () => Promise.reject(new Error("chunk failed to load")) });
    const { callback, cookie } = await approved();
    const res = await app.request(pathOf(callback.toString()), { headers: { cookie } });
    expect(res.status).toBe(502);
    const page = await res.text();
    expect(page).toContain("so nothing was stored. Please try again.");
    expect(page).not.toContain("Check that this account");
  });

  it.each([
    ["400", { status: 400 }, "Check that this account has email and a calendar turned on, then try again."],
    ["403 domainPolicy: the domain's administrators turned Gmail off for apps", { status: 403, reason: "domainPolicy" }, "Your Google Workspace administrator no longer allows Followthrough to read this account. Ask them to allow it (Google Admin console: Security, API controls). Once that has changed, try again."],
    ["400 Mail service not enabled: the account has no Gmail", { status: 400, reason: "failedPrecondition" }, "Google says Gmail is not turned on for this account: in a Google Workspace organisation, its administrator turns Gmail on for each account. Once that has changed, try again."],
    ["403 notACalendarUser: the account has no Google Calendar", { route: "calendar.*", status: 403, reason: "notACalendarUser" }, "Google says Google Calendar is not turned on for this account: in a Google Workspace organisation, its administrator turns Calendar on for each account (and a suspended account has none). Once that has changed, try again."],
    // The API turned off in the deployment's Cloud project (Google's 403 accessNotConfigured): not the
    // account's doing, and not its owner's to change; until 2026-12-07 the page said to check the account.
    ["403 accessNotConfigured: the Gmail API is off in the Cloud project", { status: 403, reason: "accessNotConfigured" }, "the Gmail API is turned off in its Google Cloud project, so nothing was stored. Nothing is wrong with your account. Whoever runs this Followthrough needs to turn the Gmail API on"],
    ["403 accessNotConfigured: the Calendar API is off in the Cloud project", { route: "calendar.*", status: 403, reason: "accessNotConfigured" }, "the Google Calendar API is turned off in its Google Cloud project, so nothing was stored. Nothing is wrong with your account. Whoever runs this Followthrough needs to turn the Google Calendar API on"],
  ])("a refusal that waiting will not clear (%s) does not say to try again in a minute", async (_, fault, words) => {
    const app = createApp({ ...stack.deps, providerForNew: undefined });
    const { callback, cookie } = await approved();
    await fetch(`${stack.sandbox.url}/_control/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ route: "gmail.getProfile", kind: "status", times: 0, ...fault }) });
    try {
      const res = await app.request(pathOf(callback.toString()), { headers: { cookie } });
      expect(res.status).toBe(502);
      const page = await res.text();
      expect(page).not.toContain("in a minute");
      expect(page).toContain(words);
      if ("reason" in fault && fault.reason === "accessNotConfigured") expect(page).not.toContain("Check that this account");
    } finally {
      await fetch(`${stack.sandbox.url}/_control/faults`, { method: "DELETE" });
    }
  });
});
