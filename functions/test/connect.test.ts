/**
 * The hosted connect flow end to end: the real app (app.request) against the provider sandbox
 * (Google over http, Graph over https with its own certificate) and dynalite, the redirects driven
 * by hand as a browser would follow them. Then "needs reconnect": a revoked grant found by a scan,
 * handled twice at once (one email), and the owner reconnecting through the same web flow.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { type AccountRecord, accountsDue, deleteAccountData, linkIdentity, loadAccount, refreshTokenOf, saveAccount, updateAccount } from "@followthrough/core/accounts";
import { completeMove, moveMail, otherKindOfMicrosoftAccount, sealPending } from "@followthrough/core/connect";
import { packDigestBody, sealDigestBody } from "@followthrough/core/digest";
import { CALENDAR_ZONE, changeTimeZone } from "@followthrough/core/events";
import { googleEndpoints, MICROSOFT_CONSUMER_TENANT } from "@followthrough/core/oauth";
import { handleRevoked, isRevoked, markGrantGone, MemoryMailer, outbox, TableOutboxMailer } from "@followthrough/core/reconnect";
import { ProviderError } from "@followthrough/core/resilience";
import { SesMailer } from "@followthrough/core/ses";
import type { SESv2Client } from "@aws-sdk/client-sesv2";
import { scan } from "@followthrough/core/scan";
import { DEFAULT_SCHEDULE, dueSlot } from "@followthrough/core/schedule";
import { type Keyring, randomKeyring } from "@followthrough/core/secrets";
import { keys, Repository } from "@followthrough/core/storage";
import { openLink, sealLink } from "@followthrough/core/links";
import { type MailboxFixture, type RunningSandbox } from "@followthrough/sandbox";
import { followConnected, type WebStack, startWebStack } from "./support/web-stack";
import { createApp } from "../src/app";
import { inProcessBackfill, SCOPE_EXPLANATIONS } from "../src/connect";
import { latestDigestWeek, revokeStored } from "../src/kit";

const BASE = "http://app.test";
const KEY = "connect-test-link-key-0123456789abcdef";
type Provider = "google" | "microsoft";

const pathOf = (url: string) => {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
};

let sandbox: RunningSandbox;
let repo: Repository;
let ring: Keyring;
let app: ReturnType<typeof createApp>;
let fixtures: Record<Provider, MailboxFixture>;
let deps: Parameters<typeof createApp>[0];
let stack: WebStack;
const enqueued: string[] = [];

/** The adapter of a stored account, storing rotated Microsoft tokens back. */
const stored = (a: AccountRecord) => deps.providerFor(a);

beforeAll(async () => {
  // No httpFetch: revocation here goes through the plain fetch.
  stack = await startWebStack({ baseUrl: BASE, linkKey: KEY, extra: { enqueueBackfill: async (email) => void enqueued.push(email), httpFetch: undefined } });
  ({ sandbox, repo, ring, fixtures, deps, app } = stack);
});
afterAll(() => stack?.close());

/** Every item of the table (a real Scan). */
const everything = async () => {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await repo.doc.send(new ScanCommand({ TableName: repo.table, ExclusiveStartKey: start }));
    items.push(...((out.Items ?? []) as Record<string, unknown>[]));
    start = out.LastEvaluatedKey as Record<string, unknown> | undefined;
  } while (start);
  return items;
};

/** GET /connect/<provider>: the 302 to the provider and the cookie the browser keeps. */
async function begin(p: Provider, query = "", on = app) {
  const res = await on.request(`/connect/${p}${query}`);
  expect(res.status).toBe(302);
  const setCookie = res.headers.get("set-cookie") ?? "";
  return { authorize: new URL(res.headers.get("location")!), setCookie, cookie: setCookie.split(";")[0] };
}

/** The sandbox's consent, approved for `email` (or cancelled): the Location back to the app. */
async function consent(authorize: URL, email: string, cancel = false): Promise<string> {
  const u = new URL(authorize);
  if (cancel) u.searchParams.set("cancel", "1");
  else {
    u.searchParams.set("account", email);
    u.searchParams.set("approve", "1");
  }
  const res = await fetch(u, { redirect: "manual" });
  expect(res.status).toBe(302);
  return res.headers.get("location")!;
}

const followed = (res: Response, on: { request: (path: string) => Response | Promise<Response> } = app) => followConnected(res, on);
const callback = async (location: string, cookie?: string) => followed(await app.request(pathOf(location), { headers: cookie ? { cookie } : {} }));

/** The whole flow for an account: the callback's response. */
async function connect(p: Provider, query = "") {
  const { authorize, cookie } = await begin(p, query);
  const location = await consent(authorize, fixtures[p].account.email);
  return { res: await callback(location, cookie), location, cookie, authorize };
}

describe("GET /connect", () => {
  it("explains every scope in plain words, says bodies are never read, and offers both providers", async () => {
    const res = await app.request("/connect");
    expect(res.status).toBe(200);
    const body = await res.text();
    for (const p of ["google", "microsoft"] as const) for (const s of SCOPE_EXPLANATIONS[p]) expect(body).toContain(s.scope);
    expect(body).toMatch(/never read the content of your messages/);
    expect(body).toContain(`href="${BASE}/connect/google"`);
    expect(body).toContain(`href="${BASE}/connect/microsoft"`);
    expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
    // A reconnect keeps a pause: the Connected page that follows offers the resume (helper-238 #4: "Connect again" alone said it resumed).
    expect(body.replace(/\s+/g, " ")).toContain("Already connected and paused your digests? Connect again and resume them on the page that follows");
  });

  it("offers nothing and 404s the start when no client is configured", async () => {
    const bare = createApp({ repo, linkKey: KEY, baseUrl: BASE, now: () => Date.now(), providerFor: stored });
    expect(await (await bare.request("/connect")).text()).toContain("not set up");
    expect((await bare.request("/connect/google")).status).toBe(404);
    expect((await app.request("/connect/yahoo")).status).toBe(404);
  });

  it("binds the flow to the browser with a short-lived HttpOnly SameSite=Lax cookie, Secure and __Host- on https", async () => {
    const { authorize, setCookie } = await begin("google");
    expect(authorize.origin + authorize.pathname).toBe(googleEndpoints(sandbox.url).authorizeUrl);
    expect(authorize.searchParams.get("redirect_uri")).toBe(`${BASE}/connect/google/callback`);
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorize.searchParams.get("state")).toMatch(/^[\w-]{20,}$/);
    expect(authorize.searchParams.get("scope")).toContain("gmail.metadata");
    expect(setCookie).toMatch(/^ft_connect_google=/);
    expect(setCookie).toMatch(/Max-Age=600/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(setCookie).toMatch(/Path=\/connect\/google/);
    expect(setCookie).not.toMatch(/Secure/);
    // Neither the state nor the verifier is readable in the cookie.
    expect(decodeURIComponent(setCookie)).not.toContain(authorize.searchParams.get("state")!);

    const https = createApp({ ...deps, baseUrl: "https://app.test" });
    const secure = await begin("microsoft", "", https);
    expect(secure.setCookie).toMatch(/^__Host-ft_connect_microsoft=/);
    expect(secure.setCookie).toMatch(/Secure/);
    expect(secure.setCookie).toMatch(/Path=\/[;$]?/);
    expect(secure.authorize.searchParams.get("redirect_uri")).toBe("https://app.test/connect/microsoft/callback");
    expect(secure.authorize.searchParams.get("scope")!.split(" ")).toEqual(expect.arrayContaining(["offline_access", "Mail.ReadBasic", "Mail.Send"]));
  });
});

describe.each(["google", "microsoft"] as const)("connect: %s", (p) => {
  const email = () => fixtures[p].account.email;
  const nothingStored = async () => {
    expect(await repo.allItems(email())).toEqual([]);
    expect(await loadAccount(repo, email())).toBeUndefined();
    expect(enqueued).not.toContain(email());
  };

  it("refuses a callback whose state was tampered with (400, nothing stored)", async () => {
    const { authorize, cookie } = await begin(p);
    const location = new URL(await consent(authorize, email()));
    const state = location.searchParams.get("state")!;
    location.searchParams.set("state", `${state.slice(0, -1)}${state.endsWith("A") ? "B" : "A"}`);
    const res = await callback(location.toString(), cookie);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("This sign-in can't be used again");
    await nothingStored();
  });

  it("refuses a callback without the cookie (400, nothing stored)", async () => {
    const { authorize } = await begin(p);
    const res = await callback(await consent(authorize, email()));
    expect(res.status).toBe(400);
    await nothingStored();
  });

  it("refuses a cookie sealed for the other provider, an expired one and a forged one", async () => {
    const { authorize, cookie } = await begin(p);
    const location = await consent(authorize, email());
    const state = new URL(location).searchParams.get("state")!;
    const name = cookie.split("=")[0];
    const pending = { provider: p, state, verifier: "v".repeat(43), redirectUri: `${BASE}/connect/${p}/callback` };
    const other = sealPending(ring, { ...pending, provider: p === "google" ? "microsoft" : "google" }, Date.now());
    expect((await callback(location, `${name}=${other}`)).status).toBe(400);
    const expired = sealPending(ring, pending, Date.now() - 11 * 60_000);
    expect((await callback(location, `${name}=${expired}`)).status).toBe(400);
    const foreign = sealPending(randomKeyring(), pending, Date.now());
    expect((await callback(location, `${name}=${foreign}`)).status).toBe(400);
    await nothingStored();
  });

  it("a wrong PKCE verifier gets invalid_grant at the provider: 400 'could not connect', nothing stored", async () => {
    const { authorize, cookie } = await begin(p);
    const location = await consent(authorize, email());
    const state = new URL(location).searchParams.get("state")!;
    // A cookie this server would accept (same state, properly sealed) but with another verifier.
    const forged = sealPending(ring, { provider: p, state, verifier: "x".repeat(64), redirectUri: `${BASE}/connect/${p}/callback` }, Date.now());
    const res = await callback(location, `${cookie.split("=")[0]}=${forged}`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("could not connect");
    await nothingStored();
  });

  it("access_denied shows a friendly page and stores nothing", async () => {
    const { authorize, cookie } = await begin(p);
    const location = await consent(authorize, email(), true);
    expect(new URL(location).searchParams.get("error")).toBe("access_denied");
    const res = await callback(location, cookie);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("You chose not to give Followthrough access, so nothing was stored.");
    await nothingStored();
  });

  it("connects: profile aliases and time zone stored, token sealed everywhere, backfill enqueued, cookie cleared", async () => {
    const before = Date.now();
    const { res } = await connect(p);
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toContain("<h1>Connected</h1>");
    // Its ways on: the events and the settings (no digest yet to lead back to).
    expect(body).toMatch(/<nav class="after" aria-label="More"><p><a href="[^"]*\/l\/events\/[^"]*">Your events<\/a> · <a href="[^"]*\/l\/settings\/[^"]*">Your settings<\/a><\/p><\/nav>/);
    // The first digest as a date and time in the person's zone, then the weekly slot.
    expect(body).toMatch(/Your first digest arrives on <b>Monday, \d{1,2} \w+ \d{4} at 08:00<\/b> \([A-Za-z_/]+\), then every Monday 08:00/);
    expect(res.headers.get("set-cookie")).toMatch(new RegExp(`ft_connect_${p}=;.*Max-Age=0`));

    const f = fixtures[p].account;
    const account = (await loadAccount(repo, f.email))!;
    expect(account).toMatchObject({ provider: p, email: f.email, timeZone: f.timeZone, status: "active", schedule: DEFAULT_SCHEDULE, clientId: "followthrough-web" });
    if (p === "microsoft") {
      expect(account.displayName).toBe(f.displayName);
      expect([...account.aliases].sort()).toEqual([...f.aliases].sort());
    } else {
      // Send-as addresses need a settings scope we do not request: the first scan learns them (test/connect-scopes.test.ts).
      expect(account.aliases).toEqual([]);
      expect(account.displayName).toBeUndefined();
    }
    expect(account.scopes?.length).toBeGreaterThan(0);
    expect(account.connectedAt).toBeGreaterThanOrEqual(before);
    // A new record says when it was created: a job that began before it wrote for a disconnected account.
    expect(account.createdAt).toBe(account.connectedAt);

    // The refresh token is only ever stored sealed: not in any item of the table.
    const token = refreshTokenOf(ring, account);
    expect(token.length).toBeGreaterThan(10);
    const dump = JSON.stringify(await everything());
    expect(dump).toContain(account.refreshTokenSealed);
    expect(dump).not.toContain(token);

    expect(enqueued).toEqual(expect.arrayContaining([f.email]));
    const slot = dueSlot(DEFAULT_SCHEDULE, f.timeZone, Date.now());
    expect((await accountsDue(repo, slot)).emails).toContain(f.email.toLowerCase());

    // The settings link on the page is a valid settings link for this account.
    const settings = /href="(http:\/\/app\.test\/l\/settings\/[^"]+)"/.exec(body)?.[1];
    expect(settings).toBeTruthy();
    const token2 = new URL(settings!).pathname.split("/").at(-1)!;
    expect(openLink(KEY, token2, Date.now(), { act: "settings", acc: f.email }).acc).toBe(f.email.toLowerCase());
    expect((await app.request(pathOf(settings!))).status).toBe(200);

    // The stored token works with the production adapter.
    expect((await (await stored(account)).profile()).email.toLowerCase()).toBe(f.email.toLowerCase());
  });

  it("the callback answers 303 to its Connected page, a GET a reload repeats: the same page, no second backfill, the sign-in's own links; an hour later it has expired (helper-204 #1)", async () => {
    const { authorize, cookie } = await begin(p);
    const location = await consent(authorize, email());
    const res = await app.request(pathOf(location), { headers: { cookie } });
    expect(res.status).toBe(303);
    expect(res.headers.get("set-cookie")).toMatch(new RegExp(`ft_connect_${p}=;.*Max-Age=0`));
    const page = pathOf(res.headers.get("location")!);
    expect(page).toMatch(/^\/l\/connected\/[A-Za-z0-9_-]{100,}$/);
    const queued = enqueued.length;
    // Opened, then reloaded twice: the same Connected page, the backfill enqueued by the callback only.
    const bodies: string[] = [];
    for (let i = 0; i < 3; i++) {
      const shown = await app.request(page);
      expect(shown.status).toBe(200);
      expect(shown.headers.get("cache-control")).toBe("no-store");
      bodies.push(await shown.text());
    }
    expect(enqueued.length).toBe(queued);
    const heading = /<h1>(Connected|Reconnected)<\/h1>/.exec(bodies[0]!)?.[1];
    expect(heading).toBeTruthy();
    // "next" only where a digest was sent before; the tab's title is the heading (helper-207 #5).
    const hadDigest = Boolean(await latestDigestWeek(repo, email()));
    for (const body of bodies) {
      expect(body).toContain(`<h1>${heading}</h1>`);
      expect(body).toContain(`<title>${heading} · Followthrough</title>`);
      expect(body).toContain(hadDigest ? "Your next digest arrives on" : "Your first digest arrives on");
      expect(body).toContain(`<span class="who">${email()}</span> is connected.`);
    }
    // Its links are the sign-in's: issued whole, as the callback's own page handed them out, so the
    // first look's fragment opens from its view link.
    const settingsOf = (body: string) => {
      const settings = /href="http:\/\/app\.test(\/l\/settings\/[^"]+)"/.exec(body)![1]!;
      return openLink(KEY, settings.split("/").at(-1)!, Date.now(), { act: "settings", acc: email() });
    };
    const claims = settingsOf(bodies[2]!);
    expect(claims.org).toBeUndefined();
    expect(claims.exp - Math.floor(Date.now() / 1000)).toBeGreaterThan(7 * 86400 - 120);
    const fragment = /data-src="([^"]+)"/.exec(bodies[2]!)?.[1];
    expect(fragment).toBeTruthy();
    expect((await app.request(fragment!)).status).toBe(200);
    // The callback itself, asked again, is still refused.
    expect((await app.request(pathOf(location), { headers: { cookie } })).status).toBe(400);

    // Opened late in its hour, it hands out the links the sign-in's page did, ending as those end:
    // not a week (and six weeks) from the late opening (helper-205 #1).
    const signedInAt = Date.now();
    const later = createApp({ ...deps, now: () => signedInAt + 50 * 60_000 });
    const sealed = `/l/connected/${sealLink(KEY, { act: "connected", acc: email() }, signedInAt)}`;
    const late = await later.request(sealed);
    expect(late.status).toBe(200);
    const lateBody = await late.text();
    expect(settingsOf(lateBody).exp).toBe(Math.floor(signedInAt / 1000) + 7 * 86400);
    const lateView = /data-src="\/l\/view\/([^"/]+)\/first-look"/.exec(lateBody)![1]!;
    expect(openLink(KEY, lateView, Date.now(), { act: "view" }).exp).toBe(Math.floor(signedInAt / 1000) + 42 * 86400);
    expect((await later.request(`/l/view/${lateView}/first-look`)).status).toBe(200);
    // Its hour over, the same link has expired.
    expect((await createApp({ ...deps, now: () => signedInAt + 3_601_000 }).request(sealed)).status).toBe(410);

    // Where the app reckons an account's pages as of another instant (the demo's accounts live at their
    // mailbox's now), its first digest is dated from that instant, as its first look is (helper-207 #2).
    const demo = createApp({ ...deps, asOf: () => Date.parse("2026-05-27T12:00:00Z") });
    expect(await (await demo.request(page)).text()).toMatch(/digest arrives on <b>Monday, 1 June 2026 at 08:00<\/b>/);

    // Its grant gone since: not "connected", but the way to reconnect, said as settings says it; paused
    // since as well, the same (helper-206 #1, #3).
    const hasDigest = Boolean(await latestDigestWeek(repo, email()));
    try {
      for (const [patch, says] of [
        [{ status: "needs_reconnect", reconnectReason: "auth-revoked" }, "no longer lets Followthrough read"],
        [{ status: "paused", reconnectReason: "auth-revoked" }, "no longer lets Followthrough read"],
        [{ status: "needs_reconnect", reconnectReason: "admin_policy_enforced" }, "once that has changed, reconnect"],
      ] as const) {
        await updateAccount(repo, email(), patch, Date.now());
        const onHold = await app.request(page);
        expect(onHold.status).toBe(200);
        const held = await onHold.text();
        expect(held, patch.status).toContain("<h1>Reconnect needed</h1>");
        expect(held).toContain(says);
        expect(held).not.toContain("is connected");
        expect(held).not.toContain("Resume");
        // "Your latest digest" only where there is one.
        expect(held.includes("Your latest digest")).toBe(hasDigest);
        const reconnect = /href="http:\/\/app\.test(\/l\/reconnect\/[^"]+)"/.exec(held)![1]!;
        expect((await app.request(reconnect)).status).toBe(302);
      }
    } finally {
      await updateAccount(repo, email(), { status: "active", reconnectReason: undefined }, Date.now());
    }

    // An hour on: the page has expired, and says where the account is now.
    const old = `/l/connected/${sealLink(KEY, { act: "connected", acc: email() }, Date.now() - 3_601_000)}`;
    const expired = await app.request(old);
    expect(expired.status).toBe(410);
    const said = await expired.text();
    expect(said).toContain("<h1>Page expired</h1>");
    expect(said).toMatch(/href="[^"]*\/settings"/);
    // One of an earlier connection of the address, within its hour: the same page.
    const createdAt = (await loadAccount(repo, email()))!.createdAt!;
    const earlier = await app.request(`/l/connected/${sealLink(KEY, { act: "connected", acc: email() }, createdAt - 10_000)}`);
    expect(earlier.status).toBe(410);
    expect(await earlier.text()).toContain("<h1>Page expired</h1>");
    // Another action's link does not open it, nor a claim of how it was connected that it does not know.
    expect((await app.request(`/l/connected/${sealLink(KEY, { act: "view", acc: email() }, Date.now())}`)).status).toBe(403);
    expect((await app.request(`/l/connected/${sealLink(KEY, { act: "connected", acc: email(), how: "stolen" as never }, Date.now())}`)).status).toBe(400);

    // An account whose creation another instance's clock stamped a few seconds ahead of this one's
    // (an overtaking first connection): its Connected page opens all the same (helper-206 #5).
    const stamped = (await loadAccount(repo, email()))!.createdAt!;
    await repo.put({ ...keys.account(email()), account: { ...(await loadAccount(repo, email()))!, createdAt: Date.now() + 5_000 } });
    try {
      const ahead = await connect(p);
      expect(ahead.res.status).toBe(200);
      expect(await ahead.res.text()).toMatch(/<h1>(Connected|Reconnected)<\/h1>/);
    } finally {
      await repo.put({ ...keys.account(email()), account: { ...(await loadAccount(repo, email()))!, createdAt: stamped } });
    }
  });

  it("an address now signed in to by another identity is a new account: the previous owner's data is deleted, nothing of it handed over", async () => {
    expect((await connect(p)).res.status).toBe(200);
    const mine = (await loadAccount(repo, email()))!;
    expect(mine.identity).toBeTruthy();
    // The previous owner of the address: another identity, their own settings, a person met, a sign-in link.
    const previous = p === "google" ? "google:100000000000000000000" : "microsoft:00000000-0000-0000-0000-000000000001:00000000-0000-0000-0000-000000000002";
    const old = { ...mine, identity: previous, createdAt: Date.now() - 120_000, status: "paused" as const, schedule: { ...DEFAULT_SCHEDULE, hour: 6 }, template: "Hi {first}, from the previous owner" };
    await repo.put({ ...keys.account(email()), account: old });
    await repo.put({ ...keys.identity(previous), email: email().toLowerCase() });
    await repo.delete(keys.identity(mine.identity!));
    await repo.put({ pk: keys.account(email()).pk, sk: "PERSON#someone@previous.example", name: "Someone" });
    // A link in one of the previous owner's digests.
    const theirs = `/l/settings/${sealLink(KEY, { act: "settings", acc: email() }, Date.now() - 60_000)}`;
    expect((await app.request(theirs)).status).toBe(200);

    const { res } = await connect(p);
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toContain("<h1>Connected</h1>");
    const now = (await loadAccount(repo, email()))!;
    expect(now).toMatchObject({ identity: mine.identity, status: "active", schedule: DEFAULT_SCHEDULE });
    expect(now.template).toBeUndefined();
    expect(await repo.get({ pk: keys.account(email()).pk, sk: "PERSON#someone@previous.example" })).toBeUndefined();
    expect(await repo.get(keys.identity(previous))).toBeUndefined();
    expect((await repo.get<{ email: string }>(keys.identity(mine.identity!)))?.email).toBe(email().toLowerCase());
    // Their links open nothing of the new owner's; the new owner's own do.
    expect((await app.request(theirs)).status).toBe(410);
    const settings = /href="http:\/\/app\.test(\/l\/settings\/[^"]+)"/.exec(body)?.[1];
    expect((await app.request(settings!)).status).toBe(200);
    // Nor after the new owner disconnects and connects again (a new record, no identity to compare).
    await deleteAccountData(repo, email());
    expect((await connect(p)).res.status).toBe(200);
    expect((await app.request(theirs)).status).toBe(410);
  });

  it("a Microsoft sign-in of the other kind (personal, or work or school) than the address is connected with changes nothing and says which to choose; Google has no such kinds (helper-244 #2: the owner's data was deleted at once)", async () => {
    if (p === "google") {
      // A Google sign-in with another subject is the address given to someone else (the test above).
      expect(otherKindOfMicrosoftAccount("google:100000000000000000000", { provider: "google", sub: "200000000000000000000" })).toBe(false);
      return;
    }
    expect((await connect(p)).res.status).toBe(200);
    const mine = (await loadAccount(repo, email()))!;
    // The sandbox's work account signs in (its tenant an organisation's); the address is connected
    // through a personal account (the tenant of personal accounts), with the owner's settings and people.
    expect(mine.identity!.split(":")[1]).not.toBe(MICROSOFT_CONSUMER_TENANT);
    const personal = `microsoft:${MICROSOFT_CONSUMER_TENANT}:00000000-0000-0000-0000-0000000000aa`;
    const kept = { ...mine, identity: personal, template: "Hi {first}, the owner's own words" };
    await repo.put({ ...keys.account(email()), account: kept });
    await repo.put({ ...keys.identity(personal), email: email().toLowerCase() });
    await repo.put({ pk: keys.account(email()).pk, sk: "PERSON#someone@kept.example", name: "Someone" });
    try {
      const { res } = await connect(p);
      expect(res.status).toBe(409);
      const body = await res.text();
      expect(body).toContain("<h1>Connected with your personal account</h1>");
      expect(body).toContain("choose the <b>Personal account</b>");
      expect(body).toContain("Nothing was changed.");
      // Nothing deleted, nothing taken over.
      expect((await loadAccount(repo, email()))!).toMatchObject({ identity: personal, template: kept.template, refreshTokenSealed: kept.refreshTokenSealed });
      expect(await repo.get({ pk: keys.account(email()).pk, sk: "PERSON#someone@kept.example" })).toBeDefined();
      // Either way round; and two organisations' tenants are the address given to someone else.
      const work = { provider: "microsoft" as const, tid: "00000000-0000-0000-0000-000000000001", oid: "b" };
      expect(otherKindOfMicrosoftAccount(`microsoft:00000000-0000-0000-0000-000000000009:a`, { provider: "microsoft", tid: MICROSOFT_CONSUMER_TENANT, oid: "a" })).toBe(true);
      expect(otherKindOfMicrosoftAccount(personal, work)).toBe(true);
      expect(otherKindOfMicrosoftAccount(`microsoft:00000000-0000-0000-0000-000000000009:a`, work)).toBe(false);
      // But where the stored kind's grant is gone (the account waits for a reconnect that may never
      // come), the other kind takes the address as a new account, or it would be stuck (helper-246 #2).
      await repo.put({ ...keys.account(email()), account: { ...kept, status: "needs_reconnect", reconnectReason: "auth-revoked" } });
      const taken = await connect(p);
      expect(taken.res.status).toBe(200);
      expect((await loadAccount(repo, email()))!).toMatchObject({ identity: mine.identity, status: "active" });
      expect(await repo.get({ pk: keys.account(email()).pk, sk: "PERSON#someone@kept.example" })).toBeUndefined();
    } finally {
      await repo.delete({ pk: keys.account(email()).pk, sk: "PERSON#someone@kept.example" });
      await repo.delete(keys.identity(personal));
      await repo.put({ ...keys.account(email()), account: mine });
    }
  });

  it("the same sign-in under a new address (the provider renamed the account) moves the account: its settings come along, the old record and its data go", async () => {
    expect((await connect(p)).res.status).toBe(200);
    const mine = (await loadAccount(repo, email()))!;
    // As it was before the rename: the account under its old address, with the owner's settings
    // and a person met; the new address not connected yet.
    const oldEmail = `renamed-from.${p}@example.org`;
    await deleteAccountData(repo, email());
    await saveAccount(repo, ring, { ...mine, email: oldEmail, createdAt: Date.now() - 3_600_000, refreshToken: "old-token", status: "paused", lastWeek: "2026-W10", lastWeeklyAt: 1_000, template: "Hi {first}, kept across the rename", firstNames: { "wei.jie@example.org": "Wei Jie" } });
    await linkIdentity(repo, mine.identity!, oldEmail);
    await repo.put({ pk: keys.account(oldEmail).pk, sk: "PERSON#someone@example.org", name: "Someone" });
    // The links of a digest sent to the old address before the rename.
    const sent = Date.now() - 60_000;
    const settingsLink = `/l/settings/${sealLink(KEY, { act: "settings", acc: oldEmail }, sent)}`;
    const pauseLink = `/l/pause/${sealLink(KEY, { act: "pause", acc: oldEmail }, sent)}`;
    // That digest, kept for its view as the worker keeps it: sealed for the address it went to.
    const week = "2026-W10";
    const html = "<!DOCTYPE html><html><body><p>The week before the rename</p></body></html>";
    await repo.put({ ...keys.digest(oldEmail, week), digest: { status: "sent", week, messageId: "<w10@x>", claimedAt: sent, sentAt: sent, sealed: sealDigestBody(KEY, oldEmail, week, packDigestBody({ html, text: "The week before the rename" })) } });
    const viewLink = `/l/view/${sealLink(KEY, { act: "view", acc: oldEmail, wk: week }, sent)}`;

    expect((await connect(p)).res.status).toBe(200);
    expect(await loadAccount(repo, oldEmail)).toBeUndefined();
    // The digest came along, and its view link opens it at the new address (this review: sealed for
    // the old address, it did not open under the new one).
    const viewed = await app.request(viewLink);
    expect(viewed.status).toBe(200);
    expect(await viewed.text()).toBe(html);
    // The account records the address it came from, whether or not that address's links are
    // forwarded (an account made before creations were recorded forwards none): its digest opens
    // without the forward too (helper-246 #3).
    expect((await loadAccount(repo, email()))!.formerly).toEqual([oldEmail.toLowerCase()]);
    await repo.setIn(keys.account(email()), "account", { forwardedFrom: [] });
    expect(await (await app.request(viewLink)).text()).toBe(html);
    // A kept digest sealed under another link key (the deployment's changed since): said so, not
    // "too large to keep" (helper-246 #3).
    const rekeyed = "2026-W11";
    await repo.put({ ...keys.digest(email(), rekeyed), digest: { status: "sent", week: rekeyed, messageId: "<w11@x>", claimedAt: sent, sentAt: sent, sealed: sealDigestBody("an earlier link key of this deployment", email(), rekeyed, packDigestBody({ html, text: "x" })) } });
    const unopened = await app.request(`/l/view/${sealLink(KEY, { act: "view", acc: email(), wk: rekeyed }, Date.now())}`);
    expect(unopened.status).toBe(404);
    expect(await unopened.text()).toContain("The copy of this digest kept here can no longer be opened, as the service&#39;s keys have changed since it was sent; it is in your mailbox.");
    await repo.delete(keys.digest(email(), rekeyed));
    // The old address keeps only where the account went.
    expect((await repo.allItems(oldEmail)).map((i) => i.sk)).toEqual([keys.movedTo(oldEmail).sk]);
    // Those links follow it (helper-132 #1): the settings open the account at its new address, and
    // the digest's one-click unsubscribe (RFC 8058) pauses it.
    const opened = await app.request(settingsLink);
    expect(opened.status).toBe(200);
    const page = await opened.text();
    expect(page).toContain(email());
    // The links that page hands out work too (helper-144 #3: they read as an earlier connection's).
    const handedOut = [...page.matchAll(/href="http:\/\/app\.test(\/l\/[^"]+)"/g)].map((m) => m[1]);
    expect(handedOut.length).toBeGreaterThan(0);
    for (const link of handedOut) expect((await app.request(link)).status, link).toBe(200);
    // They keep the chain's start, the digest's: a "latest digest" link from them opens none made
    // since it was sent (helper-145 #1), though the account was made after it.
    for (const link of handedOut) expect(openLink(KEY, link.split("/")[3], Date.now()).org, link).toBe(Math.floor(sent / 1000));
    await updateAccount(repo, email(), { status: "active" }, Date.now());
    const unsubscribed = await app.request(pauseLink, { method: "POST", body: new URLSearchParams({ "List-Unsubscribe": "One-Click" }) });
    expect(unsubscribed.status).toBe(200);
    expect((await loadAccount(repo, email()))?.status).toBe("paused");
    // A link sealed for the old address after the move is none of ours: not followed.
    expect((await app.request(`/l/settings/${sealLink(KEY, { act: "settings", acc: oldEmail }, Date.now() + 60_000)}`)).status).toBe(404);
    const now = (await loadAccount(repo, email()))!;
    // A pause stays (as a reconnect keeps it), and so does the week last run.
    expect(now).toMatchObject({ identity: mine.identity, status: "paused", lastWeek: "2026-W10", lastWeeklyAt: 1_000, template: "Hi {first}, kept across the rename", firstNames: { "wei.jie@example.org": "Wei Jie" } });
    expect((await repo.get<{ email: string }>(keys.identity(mine.identity!)))?.email).toBe(email().toLowerCase());
    // The settings this test gave it go again.
    await updateAccount(repo, email(), { template: undefined, firstNames: undefined, lastWeek: undefined, lastWeeklyAt: undefined, status: "active" }, Date.now());
  });

  it("a time zone the owner chose on the settings page stays across a reconnect (and a rename); one the account follows from its calendar is read again", async () => {
    expect((await connect(p)).res.status).toBe(200);
    const calendar = fixtures[p].account.timeZone;
    const elsewhere = calendar === "Pacific/Auckland" ? "Asia/Tokyo" : "Pacific/Auckland";
    try {
      // Not chosen by the owner (a record from before the choice was kept): the calendar's again.
      await updateAccount(repo, email(), { timeZone: elsewhere }, Date.now());
      expect((await connect(p)).res.status).toBe(200);
      const followed = (await loadAccount(repo, email()))!;
      expect(followed).toMatchObject({ timeZone: calendar, calendarZone: calendar });
      expect(followed.zoneChosen).toBeUndefined();
      // Chosen on the page: kept, with the calendar's zone beside it; and the reconnect's page says when the digest comes in it.
      await changeTimeZone(repo, email(), elsewhere, Date.now());
      const again = await connect(p);
      expect(again.res.status).toBe(200);
      expect(await loadAccount(repo, email())).toMatchObject({ timeZone: elsewhere, zoneChosen: true, calendarZone: calendar });
      const page = await again.res.text();
      expect(page).toContain(`(${elsewhere})`);
      expect(page).toContain(`Your calendar is in ${calendar}; your digests stay in ${elsewhere}, the time zone you chose. <a href="`);
      // Renamed by the provider while chosen: the account carried over keeps the choice.
      const mine = (await loadAccount(repo, email()))!;
      const oldEmail = `zone-renamed.${p}@example.org`;
      await deleteAccountData(repo, email());
      await saveAccount(repo, ring, { ...mine, email: oldEmail, refreshToken: "old-token" });
      await linkIdentity(repo, mine.identity!, oldEmail);
      expect((await connect(p)).res.status).toBe(200);
      expect(await loadAccount(repo, oldEmail)).toBeUndefined();
      expect(await loadAccount(repo, email())).toMatchObject({ timeZone: elsewhere, zoneChosen: true, calendarZone: calendar });
      // The calendar's again (the list's first choice): the next reconnect reads it.
      await changeTimeZone(repo, email(), CALENDAR_ZONE, Date.now());
      await updateAccount(repo, email(), { timeZone: elsewhere }, Date.now());
      expect((await connect(p)).res.status).toBe(200);
      const back = (await loadAccount(repo, email()))!;
      expect(back.timeZone).toBe(calendar);
      expect(back.zoneChosen).toBeUndefined();
    } finally {
      await updateAccount(repo, email(), { timeZone: calendar, zoneChosen: undefined }, Date.now());
      await repo.delete(keys.eventJob(email().toLowerCase(), "sync"));
    }
  });

  it("the Reconnected page shows no first look from an earlier connection's finished read, and a paused account's promises none", async () => {
    expect((await connect(p)).res.status).toBe(200);
    const streams = ["calendar", "sent", "ownermail"];
    // The first read was done weeks ago: every stream's cursor incremental.
    for (const s of streams) await repo.putCursor(email(), s, { mode: "incremental", cursor: "c1", generation: 1 });
    try {
      const again = await (await connect(p)).res.text();
      expect(again).toContain("<h1>Reconnected</h1>");
      // No digest yet: no link to one (helper-202 #2).
      expect(again).not.toContain("Your latest digest");
      // With one, a reconnect asked for by a draft tap ("then tap the link again") leads back to it (helper-200 #5).
      await repo.put({ ...keys.digest(email(), "2026-W01"), digest: { status: "sent", claimedAt: Date.now() } });
      try {
        const withDigest = await (await connect(p)).res.text();
        expect(withDigest).toMatch(/<a href="[^"]*\/l\/events\/[^"]*">Your events<\/a> · <a href="[^"]*\/l\/view\/[^"]*">Your latest digest<\/a> · <a href="[^"]*\/l\/settings\/[^"]*">Your settings<\/a>/);
      } finally {
        await repo.delete(keys.digest(email(), "2026-W01"));
      }
      expect(again).not.toContain('id="first-look"');
      // Paused, with nothing read: nothing is read until a resume, and the page neither promises nor polls.
      for (const s of streams) await repo.deleteCursor(email(), s);
      await updateAccount(repo, email(), { status: "paused" }, Date.now());
      const paused = await (await connect(p)).res.text();
      expect(paused).toContain("Your digests are paused, so your calendar and mail are not read for now.");
      // No digest yet: the first is still to come, as the Connected page says it.
      expect(paused).toContain("Resume them, and your first digest shows whom you met");
      // With one sent before, "your next digest", not "your first" (helper-238 #5, helper-239 #2).
      await repo.put({ ...keys.digest(email(), "2026-W01"), digest: { status: "sent", claimedAt: Date.now() } });
      try {
        const pausedAfterDigest = await (await connect(p)).res.text();
        expect(pausedAfterDigest).toContain("Resume them, and your next digest shows whom you met");
        expect(pausedAfterDigest).not.toContain("first digest");
      } finally {
        await repo.delete(keys.digest(email(), "2026-W01"));
      }
      expect(paused).not.toContain("appear here in a minute or two");
      expect(paused).not.toContain("setTimeout(tick");
    } finally {
      for (const s of streams) await repo.deleteCursor(email(), s);
      await updateAccount(repo, email(), { status: "active" }, Date.now());
    }
  });

  it("a replayed callback is refused: without the cookie (cleared), and with it (the code was already redeemed)", async () => {
    // A fresh connection to replay (it re-connects the same account).
    const { res, location, cookie } = await connect(p);
    expect(res.status).toBe(200);
    const record = (await loadAccount(repo, email()))!;
    const again = await callback(location);
    expect(again.status).toBe(400);
    const stolen = await callback(location, cookie);
    expect(stolen.status).toBe(400);
    expect(await stolen.text()).toContain("This sign-in can't be used again");
    expect(await loadAccount(repo, email())).toEqual(record);
  });

  it("needs reconnect: a revoked grant stops scans, mails once, and reconnecting through the web flow restores it", async () => {
    const mailer = new TableOutboxMailer(repo);
    const account = (await loadAccount(repo, email()))!;
    await fetch(new URL(`/_control/accounts/${encodeURIComponent(email())}/revoke`, sandbox.url), { method: "POST" });
    const now = Date.now();
    const failure = await scan({ owner: account, provider: await stored(account), repo, now }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(ProviderError);
    expect((failure as ProviderError).kind).toBe("auth-revoked");
    expect(isRevoked(failure)).toBe(true);

    const outcomes = await Promise.all([1, 2].map(() => handleRevoked({ repo, account, now, notify: mailer, baseUrl: BASE, linkKey: KEY })));
    expect(outcomes.sort()).toEqual(["already-notified", "notified"]);
    expect(await handleRevoked({ repo, account, now: now + 1000, notify: mailer, baseUrl: BASE, linkKey: KEY })).toBe("already-notified");
    const marked = (await loadAccount(repo, email()))!;
    expect(marked.status).toBe("needs_reconnect");
    expect(marked.reconnectNotifiedAt).toBe(now);
    expect(marked.refreshTokenSealed).toBe(account.refreshTokenSealed);
    const mails = await outbox(repo, email());
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ to: email() });
    // The email's link is sealed: no address in it, in any spelling.
    const link = /^Reconnect: (\S+)$/m.exec(mails[0].text)?.[1] ?? "";
    expect(link).toMatch(new RegExp(`^${BASE}/l/reconnect/[\\w-]{100,}$`));
    expect(mails[0].html).toContain(`href="${link}"`);
    expectNoAddress(link);
    const slot = dueSlot(account.schedule ?? DEFAULT_SCHEDULE, account.timeZone, now);
    expect((await accountsDue(repo, slot)).emails).not.toContain(email().toLowerCase());

    // Settings shows a reconnect button: a sealed link too, no address in it.
    const settings = await (await app.request(pathOf(`${BASE}/l/settings/${sealLink(KEY, { act: "settings", acc: email() }, Date.now())}`))).text();
    const button = /<a class="button" href="([^"]+)">Reconnect /.exec(settings)?.[1] ?? "";
    expect(button).toMatch(new RegExp(`^${BASE}/l/reconnect/[\\w-]{100,}$`));
    expectNoAddress(button);
    // The button starts the provider's sign-in with the address as the hint, as the email's link does.
    expect((await reconnectBegin(button)).authorize.searchParams.get("login_hint")).toBe(email());

    // The owner follows the link from the email.
    const { authorize, cookie } = await reconnectBegin(link);
    const res = await callback(await consent(authorize, email()), cookie);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Reconnected");
    const back = (await loadAccount(repo, email()))!;
    expect(back.status).toBe("active");
    expect(back.reconnectNotifiedAt).toBeUndefined();
    expect(back.schedule).toEqual(account.schedule);
    expect((await accountsDue(repo, dueSlot(back.schedule!, back.timeZone, Date.now()))).emails).toContain(email().toLowerCase());
    // A late report about the old connection changes nothing now.
    expect(await handleRevoked({ repo, account, now: Date.now(), notify: mailer, baseUrl: BASE, linkKey: KEY })).toBe("stale");
    expect((await loadAccount(repo, email()))!.status).toBe("active");
    expect(await outbox(repo, email())).toHaveLength(1);
  });

  /** Follows a reconnect link: a 302 to the provider's authorize URL, its cookie set exactly as GET /connect/<provider> sets it. */
  async function reconnectBegin(link: string) {
    const res = await app.request(pathOf(link));
    expect(res.status).toBe(302);
    const authorize = new URL(res.headers.get("location")!);
    const setCookie = res.headers.get("set-cookie") ?? "";
    const plain = await begin(p);
    expect(authorize.origin + authorize.pathname).toBe(plain.authorize.origin + plain.authorize.pathname);
    expect(authorize.searchParams.get("redirect_uri")).toBe(`${BASE}/connect/${p}/callback`);
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorize.searchParams.get("login_hint")).toBe(email());
    // The same cookie as the plain start: name, attributes (all but its sealed value).
    const attributes = (c: string) => c.split(";").slice(1).map((x) => x.trim()).sort();
    expect(setCookie.split("=")[0]).toBe(plain.setCookie.split("=")[0]);
    expect(attributes(setCookie)).toEqual(attributes(plain.setCookie));
    return { authorize, setCookie, cookie: setCookie.split(";")[0] };
  }

  /** Neither the address nor any URL spelling of it is in `url`. */
  const expectNoAddress = (url: string) => {
    const e = email().toLowerCase();
    for (const s of [e, encodeURIComponent(e), encodeURIComponent(encodeURIComponent(e)), e.split("@")[0]!, e.split("@")[1]!]) expect(url.toLowerCase()).not.toContain(s.toLowerCase());
    expect(url).not.toContain("login_hint");
  };

  it("a reconnect link expired, forged or of another account's key gets the usual refused-link page; no flow starts", async () => {
    const token = (at: number, key = KEY) => sealLink(key, { act: "reconnect", acc: email() }, at);
    const expired = await app.request(`/l/reconnect/${token(Date.now() - 31 * 86_400_000)}`);
    expect(expired.status).toBe(410);
    const expiredPage = await expired.text();
    expect(expiredPage).toContain("This reconnect link has expired");
    // No digest is coming for an account that needs reconnecting: the page points to /connect instead.
    expect(expiredPage).toMatch(/<a class="button" href="[^"]*\/connect">Connect an account<\/a>/);
    const good = token(Date.now());
    const forged = await app.request(`/l/reconnect/${good.slice(0, 60)}${good[60] === "A" ? "B" : "A"}${good.slice(61)}`);
    expect(forged.status).toBe(400);
    expect(await forged.text()).toContain("This link is not valid.");
    expect((await app.request(`/l/reconnect/${token(Date.now(), "another-deployment-link-key-0123456789")}`)).status).toBe(400);
    expect((await app.request("/l/reconnect/nonsense")).status).toBe(400);
    // A settings token is no reconnect link (and a reconnect token opens no settings page).
    const settings = await app.request(`/l/reconnect/${sealLink(KEY, { act: "settings", acc: email() }, Date.now())}`);
    expect(settings.status).toBe(403);
    expect((await app.request(`/l/settings/${good}`)).status).toBe(403);
    for (const r of [expired, forged, settings]) expect(r.headers.get("set-cookie")).toBeNull();
  });

  it("a reconnect link of an account that is gone says so and links to /connect", async () => {
    const res = await app.request(`/l/reconnect/${sealLink(KEY, { act: "reconnect", acc: `gone-${p}@example.com` }, Date.now())}`);
    expect(res.status).toBe(404);
    const body = await res.text();
    expect(body).toContain("Account not found");
    expect(body).toContain(`href="${BASE}/connect"`);
    expect(res.headers.get("set-cookie")).toBeNull();
  });

  it("without a link key the reconnect email links to the plain connect page, no login_hint", async () => {
    const account = (await loadAccount(repo, email()))!;
    const mailer = new MemoryMailer();
    // A stand-in account record in the table (its own partition), so the real one is left alone.
    const other = { ...account, email: `nokey-${p}@example.com`, connectedAt: account.connectedAt };
    await repo.put({ ...keys.account(other.email), account: other });
    expect(await handleRevoked({ repo, account: other, now: Date.now(), notify: mailer, baseUrl: BASE })).toBe("notified");
    expect(mailer.sent).toHaveLength(1);
    expect(/^Reconnect: (\S+)$/m.exec(mailer.sent[0]!.text)?.[1]).toBe(`${BASE}/connect/${p}`);
    expect(mailer.sent[0]!.text + mailer.sent[0]!.html).not.toContain("login_hint");
  });

  it("a job that finds the grant gone on an account paused meanwhile (a disconnect under way, the owner's pause) sends no notice", async () => {
    const account = (await loadAccount(repo, email()))!;
    const mailer = new MemoryMailer();
    const other = { ...account, email: `paused-${p}@example.com`, status: "active" as const };
    await repo.put({ ...keys.account(other.email), account: { ...other, status: "paused" } });
    // The job loaded it active; the owner paused (or began a disconnect) before its next call failed.
    expect(await handleRevoked({ repo, account: other, now: Date.now(), notify: mailer, baseUrl: BASE })).toBe("paused");
    expect(mailer.sent).toHaveLength(0);
    expect((await loadAccount(repo, other.email))!.status).toBe("paused");
  });
});

describe("an address already connected through the other provider", () => {
  it("is refused with 409, and the grant Google just gave is revoked, not left live", async () => {
    const email = fixtures.google.account.email;
    const key = keys.account(email);
    const kept = await repo.get<Record<string, unknown>>(key);
    // The same address, stored as an Outlook account.
    await repo.put({ ...key, account: { email, provider: "microsoft", clientId: "followthrough-web", connectedAt: 1, aliases: [], timeZone: "UTC", status: "active", refreshTokenSealed: "x" } });
    try {
      const { res } = await connect("google");
      expect(res.status).toBe(409);
      expect(await res.text()).toContain("is already connected to Followthrough through Microsoft");
      expect(sandbox.state.tokens.hasRefreshToken(email, "followthrough-web")).toBe(false);
    } finally {
      if (kept) await repo.put(kept as typeof key);
      else await repo.delete(key);
    }
  });
});

describe("local in-process backfill", () => {
  it("runs the first scan in the background after the callback answered; a revoked grant there goes to handleRevoked", async () => {
    const settled: { email: string; error?: unknown }[] = [];
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    const mailer = new TableOutboxMailer(repo);
    const local = createApp({
      ...deps,
      enqueueBackfill: inProcessBackfill({
        repo,
        providerFor: stored,
        now: () => Date.parse(fixtures.google.expected!.now),
        mailer,
        baseUrl: BASE,
        onSettled: (email, error) => {
          settled.push({ email, error });
          done();
        },
      }),
    });
    const { authorize, cookie } = await begin("google", "", local);
    const res = await followed(await local.request(pathOf(await consent(authorize, fixtures.google.account.email)), { headers: { cookie } }), local);
    expect(res.status).toBe(200);
    await finished;
    expect(settled).toEqual([{ email: fixtures.google.account.email, error: undefined }]);
    const people = await repo.loadPeople(fixtures.google.account.email);
    expect(people.length).toBeGreaterThan(0);

    // Once the grant is revoked, the background scan marks the account and mails the owner.
    const email = fixtures.google.account.email;
    const mailsBefore = (await outbox(repo, email)).length;
    await fetch(new URL(`/_control/accounts/${encodeURIComponent(email)}/revoke`, sandbox.url), { method: "POST" });
    const again = new Promise<void>((r) => (done = r));
    const enqueue = inProcessBackfill({ repo, providerFor: stored, now: () => Date.now(), mailer, baseUrl: BASE, linkKey: KEY, onSettled: (e, error) => (settled.push({ email: e, error }), done()) });
    await enqueue(email);
    await again;
    expect(settled.at(-1)).toEqual({ email, error: undefined });
    expect((await loadAccount(repo, email))!.status).toBe("needs_reconnect");
    const mails = await outbox(repo, email);
    expect(mails).toHaveLength(mailsBefore + 1);
    // Its reconnect link is sealed with the link key it was given.
    const link = /^Reconnect: (\S+)$/m.exec(mails.at(-1)!.text)?.[1] ?? "";
    expect(openLink(KEY, link.slice(`${BASE}/l/reconnect/`.length), Date.now(), { act: "reconnect" }).acc).toBe(email.toLowerCase());
  });

  it("as a queued backfill job: a reconnect notice due is sent, not a scan run; an account on hold or paused is not read (helper-203 #3)", async () => {
    const email = fixtures.google.account.email;
    const account = (await loadAccount(repo, email))!;
    let built = 0;
    const enqueue = inProcessBackfill({ repo, providerFor: (a) => (built++, stored(a)), now: () => Date.now(), mailer: new TableOutboxMailer(repo), baseUrl: BASE, linkKey: KEY });
    const notices = async () => (await outbox(repo, email)).filter((m) => m.subject.startsWith("Reconnect your")).length;
    // On hold by a draft tap (markGrantGone: no notice claimed), its notice due.
    await updateAccount(repo, email, { status: "active", reconnectReason: undefined, reconnectNotifiedAt: undefined }, Date.now());
    expect(await markGrantGone(repo, (await loadAccount(repo, email))!, "auth-revoked")).toBe(true);
    const before = await notices();
    await enqueue(email);
    await enqueue.idle();
    expect(await notices()).toBe(before + 1);
    expect((await loadAccount(repo, email))!.reconnectNotifiedAt).toBeDefined();
    // Sent: on hold, nothing to send and nothing read.
    await enqueue(email);
    await enqueue.idle();
    expect(await notices()).toBe(before + 1);
    // Paused: nothing read either.
    await updateAccount(repo, email, { status: "paused" }, Date.now());
    await enqueue(email);
    await enqueue.idle();
    expect(built).toBe(0);
    await updateAccount(repo, email, { status: account.status, reconnectReason: account.reconnectReason, reconnectNotifiedAt: account.reconnectNotifiedAt }, Date.now());
  });

  it("idle() waits for every scan begun, however long it takes (the local stack's close stops the table only after it)", async () => {
    const email = fixtures.google.account.email;
    await updateAccount(repo, email, { status: "active", reconnectReason: undefined, reconnectNotifiedAt: undefined }, Date.now());
    let release = () => {};
    const held = new Promise<void>((r) => (release = r));
    // The adapter comes only once released: the scan is under way until then.
    const enqueue = inProcessBackfill({ repo, providerFor: async (a) => (await held, stored(a)), now: () => Date.now(), mailer: new TableOutboxMailer(repo), baseUrl: BASE, linkKey: KEY });
    await enqueue(email);
    let idle = false;
    const waiting = enqueue.idle().then(() => void (idle = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(idle).toBe(false);
    release();
    await waiting;
    expect(idle).toBe(true);
    // Nothing under way: at once.
    await enqueue.idle();
  });
});

describe("moving an address's account to the other provider (helper-132 #2: a company gone from Microsoft 365 to Google Workspace, or back)", () => {
  const email = () => fixtures.google.account.email;
  /** The address as an Outlook account whose Microsoft user is gone: its owner's choices, and what it read. */
  const oldOutlook = (o: Partial<AccountRecord> = {}): AccountRecord => ({
    email: email(),
    provider: "microsoft",
    clientId: "followthrough-web",
    connectedAt: 1,
    createdAt: Date.now() - 86_400_000,
    aliases: [],
    timeZone: "Europe/Rome",
    zoneChosen: true,
    status: "needs_reconnect",
    refreshTokenSealed: "x",
    schedule: { day: 5, hour: 16 },
    template: "Hi {firstName}, lovely to meet you.",
    signatureName: "Isla M.",
    ...o,
  });
  const offers = async () => (await repo.query(keys.providerMoves(email()), "")) as Record<string, unknown>[];
  /**
   * An app that mails (into `mailer`) on a clock the test moves (`clock.now`), the address held by
   * an old Outlook account (`old`'s fields over oldOutlook's).
   */
  const movingApp = async (old: Partial<AccountRecord> = {}, enqueueBackfill: (e: string) => Promise<void> = async () => {}) => {
    const mailer = new MemoryMailer();
    const clock = { now: Date.now() };
    const moving = createApp({ ...deps, now: () => clock.now, notify: mailer, enqueueBackfill });
    await deleteAccountData(repo, email());
    await repo.put({ ...keys.account(email()), account: oldOutlook(old) });
    return { mailer, clock, moving };
  };
  /** The repository with its conditional puts failing (a throttled write): the new account's store fails. */
  const throttled = () => {
    const flaky = Object.create(repo) as Repository;
    flaky.putIf = async () => {
      throw new Error("throttled");
    };
    return flaky;
  };
  /** The offer's reference a mailed move link carries. */
  const refOf = (link: string, now: number) => openLink(KEY, link.slice("/l/move/".length), now, { act: "move" }).ref!;
  /** A Google sign-in to the address through `on`: the response, the browser's move cookie, the link mailed. */
  const signIn = async (on: ReturnType<typeof createApp>, mailer: MemoryMailer) => {
    const before = mailer.sent.length;
    const { authorize, cookie } = await begin("google", "", on);
    const res = await on.request(pathOf(await consent(authorize, email())), { headers: { cookie } });
    const move = (res.headers.get("set-cookie") ?? "").split(/,(?=\s*\w+=)/).map((x) => x.trim().split(";")[0]!).find((x) => x.startsWith("ft_move=") && x !== "ft_move=");
    const link = mailer.sent.length > before ? pathOf(/^Move: (\S+)$/m.exec(mailer.sent.at(-1)!.text)![1]!) : undefined;
    return { res, move, link };
  };

  it("keeps the grant aside and mails the address a link that only the signing-in browser can follow; its confirmation moves the account, carrying the owner's choices and deleting what was read", async () => {
    const queued: string[] = [];
    const { mailer, clock, moving } = await movingApp({}, async (e) => void queued.push(e));
    const old = (await loadAccount(repo, email()))!;
    await repo.put({ ...keys.person(email(), "kate@acme.example"), person: { email: "kate@acme.example" } });

    const { res: refused, move: cookie, link } = await signIn(moving, mailer);
    expect(refused.status).toBe(409);
    const page = await refused.text();
    expect(page).toContain("is already connected to Followthrough through Microsoft");
    expect(page).toContain("we have emailed");
    expect(cookie).toBeDefined();
    // The browser's half: HttpOnly, SameSite=Lax, as long as the offer; the site's whole path, since
    // the connect callbacks read it too (the offers before kept beside a new one), over http as over https.
    const setCookie = (refused.headers.get("set-cookie") ?? "").split(/,(?=\s*\w+=)/).find((x) => x.trim().startsWith("ft_move=") && !/Max-Age=0/.test(x))!;
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(setCookie).toMatch(/Path=\/(;|$)/);
    expect(setCookie).toMatch(/Max-Age=3600/);
    // One of before at /l/move, which a move link would be sent first, is deleted.
    const gone = (refused.headers.get("set-cookie") ?? "").split(/,(?=\s*\w+=)/).find((x) => x.trim().startsWith("ft_move=") && /Path=\/l\/move(;|$)/.test(x));
    expect(gone).toMatch(/Max-Age=0/);
    expect(link?.startsWith("/l/move/")).toBe(true);
    // The grant is kept (not revoked at Google), sealed: the offer holds no token or reference in clear.
    expect(sandbox.state.tokens.hasRefreshToken(email(), "followthrough-web")).toBe(true);
    const [offer] = await offers();
    expect(offer).toMatchObject({ provider: "google", fromProvider: "microsoft" });
    expect(JSON.stringify(offer)).not.toMatch(/refreshToken|"ref"/);
    expect(mailer.sent).toHaveLength(1);
    expect(mailer.sent[0]).toMatchObject({ to: email(), subject: "Move Followthrough to Google?" });
    expect(mailer.sent[0]!.text).toContain(`Someone signed in to Google with this address and asked Followthrough to connect it. ${email()} is connected to Followthrough through Microsoft.`);
    expect((await loadAccount(repo, email()))!.provider).toBe("microsoft");

    // The link followed in another browser (whoever reads the mail is not whoever signed in): refused, nothing moved.
    for (const method of ["GET", "POST"]) {
      const res = await moving.request(link!, { method });
      expect(res.status, method).toBe(403);
      expect(await res.text()).toContain("this link works only in the browser where you signed in");
    }
    expect((await loadAccount(repo, email()))!.provider).toBe("microsoft");

    // In the browser that signed in: a confirm page first (a mail scanner's GET moves nothing)…
    const confirm = await moving.request(link!, { headers: { cookie: cookie! } });
    expect(confirm.status).toBe(200);
    const shown = (await confirm.text()).replace(/<[^>]+>/g, "");
    expect(shown).toContain("Move Followthrough to Google?");
    expect(shown).toContain(`${email()} is connected to Followthrough through Microsoft. Someone signed in to Google with this address and asked to connect it.`);
    expect((await loadAccount(repo, email()))!.provider).toBe("microsoft");
    expect(queued).toEqual([]);

    // …then the move, two minutes after the mail.
    clock.now += 2 * 60_000;
    // It had its digests through Microsoft (a week recorded sent), which the move deletes: the page
    // says "next digest", not "first" (helper-209 #3).
    await updateAccount(repo, email(), { lastWeek: "2026-W20" }, clock.now);
    // Its answer is a 303 to the Connected page, which a reload repeats (the form is not sent again).
    const answer = await moving.request(link!, { method: "POST", headers: { cookie: cookie! } });
    expect(answer.status).toBe(303);
    const moved = await followed(answer, moving);
    expect(moved.status).toBe(200);
    const done = await moved.text();
    expect(done).toContain("Moved to Google");
    expect(done).toContain("What we had read from Microsoft is deleted");
    expect(done).toContain("Your next digest arrives on");
    const reloaded = await moving.request(pathOf(answer.headers.get("location")!));
    expect(reloaded.status).toBe(200);
    expect(await reloaded.text()).toContain("Moved to Google");
    const account = (await loadAccount(repo, email()))!;
    expect(account).toMatchObject({ provider: "google", status: "active", schedule: { day: 5, hour: 16 }, template: old.template, signatureName: "Isla M.", timeZone: "Europe/Rome", zoneChosen: true });
    expect(account.createdAt).toBe(clock.now);
    expect(account.reconnectReason).toBeUndefined();
    expect(await repo.get(keys.person(email(), "kate@acme.example"))).toBeUndefined();
    expect(await offers()).toEqual([]);
    expect(queued).toEqual([email()]);
    // The page's links are the new account's own (not an earlier connection's, as the move link's chain is).
    const settings = /href="(http:\/\/app\.test\/l\/settings\/[^"]+)"/.exec(done)?.[1];
    expect(settings).toBeDefined();
    expect((await moving.request(pathOf(settings!))).status).toBe(200);
    // Its grant reads the mailbox.
    await scan({ owner: account, provider: await stored(account), repo, now: Date.parse(fixtures.google.expected!.now) });
    expect((await repo.loadPeople(email())).length).toBeGreaterThan(0);

    // Used once: the link moves nothing again.
    const twice = await followed(await moving.request(link!, { method: "POST", headers: { cookie: cookie! } }), moving);
    expect(twice.status).toBe(410);
    expect(await twice.text()).toContain("This move was already made, or given up.");
    expect((await loadAccount(repo, email()))!.createdAt).toBe(account.createdAt);
  });

  it("a confirmation cut off after the old account went is finished by the next, with the owner's choices", async () => {
    const { mailer, clock, moving } = await movingApp();
    const { move: cookie, link } = await signIn(moving, mailer);
    // The store of the new account fails (a throttled write), after the old one was deleted.
    const client = deps.oauth!.google!;
    await expect(completeMove({ repo: throttled(), ring, client, email: email(), ref: refOf(link!, clock.now), now: clock.now, retire: async () => {} })).rejects.toThrow("throttled");
    expect(await loadAccount(repo, email())).toBeUndefined();
    // Another try at once finds the confirmation under way; after a minute it is taken again and finishes.
    expect((await followed(await moving.request(link!, { method: "POST", headers: { cookie: cookie! } }), moving)).status).toBe(410);
    clock.now += 61_000;
    const moved = await followed(await moving.request(link!, { method: "POST", headers: { cookie: cookie! } }), moving);
    expect(moved.status).toBe(200);
    expect(await loadAccount(repo, email())).toMatchObject({ provider: "google", schedule: { day: 5, hour: 16 }, signatureName: "Isla M.", zoneChosen: true });
  });

  it("a confirmation whose take of the address's lock the table applied, its answer lost (the SDK's retry then fails on that very lock), goes on and moves (helper-189)", async () => {
    const { mailer, clock, moving } = await movingApp();
    const { link } = await signIn(moving, mailer);
    // The first conditional write of the lock is applied and then applied "again" as the SDK's retry
    // after a lost answer: its condition now fails on the lock the first one took.
    const lostAnswer = Object.create(repo) as Repository;
    let retried = 0;
    lostAnswer.conditional = async (cmd) => {
      const key = (cmd.input as { Key?: { sk?: string } }).Key;
      if (retried === 0 && key?.sk && keys.providerMove(email(), "LOCK").sk === key.sk) {
        retried++;
        await repo.conditional(cmd);
      }
      return repo.conditional(cmd);
    };
    const out = await completeMove({ repo: lostAnswer, ring, client: deps.oauth!.google!, email: email(), ref: refOf(link!, clock.now), now: clock.now, retire: async () => {} });
    expect(retried).toBe(1);
    expect(out.kind).toBe("moved");
    expect(await loadAccount(repo, email())).toMatchObject({ provider: "google", schedule: { day: 5, hour: 16 } });
  });

  it("a confirmation cut off after pausing the old account is finished by the next, which does not carry the pause", async () => {
    const { mailer, clock, moving } = await movingApp({ status: "active" });
    const { move: cookie, link } = await signIn(moving, mailer);
    // The old grant's revocation never answers: the confirmation ends with the account paused, not deleted.
    await expect(completeMove({ repo, ring, client: deps.oauth!.google!, email: email(), ref: refOf(link!, clock.now), now: clock.now, retire: async () => Promise.reject(new Error("timed out")) })).rejects.toThrow("timed out");
    expect((await loadAccount(repo, email()))!).toMatchObject({ provider: "microsoft", status: "paused" });
    clock.now += 61_000;
    expect((await followed(await moving.request(link!, { method: "POST", headers: { cookie: cookie! } }), moving)).status).toBe(200);
    expect(await loadAccount(repo, email())).toMatchObject({ provider: "google", status: "active", schedule: { day: 5, hour: 16 }, signatureName: "Isla M." });
  });

  it("a move mail SES may have sent (its answer lost) keeps the offer and this browser's cookie, so its link works; one SES refused drops both (helper-189 #5)", async () => {
    const { mailer, clock, moving } = await movingApp();
    /** The real SesMailer over a client that fails with `error` (SesMailer throws the SDK's own error). */
    const ses = (error: Error) => new SesMailer({ send: async () => Promise.reject(error) } as unknown as SESv2Client, "notices@app.test", { baseMs: 1, maxMs: 1 });
    // SES took the mail and its answer was cut at the request timeout: the mail is in the box.
    const cut = ses(Object.assign(new Error("Request timed out"), { name: "TimeoutError", $metadata: {} }));
    mailer.send = async function (this: MemoryMailer, to, subject, text, html) {
      await MemoryMailer.prototype.send.call(this, to, subject, text, html);
      await cut.send(to, subject, text, html);
    };
    const { res, move: cookie, link } = await signIn(moving, mailer);
    expect(res.status).toBe(409);
    const page = (await res.text()).replace(/<[^>]+>/g, "");
    expect(page).toContain("we could not confirm that it was sent");
    expect(cookie).toBeDefined();
    expect(await offers()).toHaveLength(1);
    clock.now += 60_000;
    const moved = await followed(await moving.request(link!, { method: "POST", headers: { cookie: cookie! } }), moving);
    expect(moved.status).toBe(200);
    expect(await moved.text()).toContain("Moved to Google");

    // A refusal (a 400 from SES: nothing sent): the offer goes, no cookie, the page says so.
    const again = await movingApp();
    const rejected = ses(Object.assign(new Error("Email address is not verified."), { name: "MessageRejected", $metadata: { httpStatusCode: 400 } }));
    again.mailer.send = (to, subject, text, html) => rejected.send(to, subject, text, html);
    const refused = await signIn(again.moving, again.mailer);
    expect((await refused.res.text()).replace(/<[^>]+>/g, "")).toContain("we could not email you the link just now");
    expect(refused.move).toBeUndefined();
    expect(await offers()).toEqual([]);
  });

  it("a move cut off after the old account went is finished through another of its offers, with the owner's choices", async () => {
    const { mailer, clock, moving } = await movingApp();
    // Two sign-ins in this browser: two offers, two mails, both references in its cookie.
    const first = await signIn(moving, mailer);
    const second = await signIn(moving, mailer);
    await expect(completeMove({ repo: throttled(), ring, client: deps.oauth!.google!, email: email(), ref: refOf(first.link!, clock.now), now: clock.now, retire: async () => {} })).rejects.toThrow("throttled");
    expect(await loadAccount(repo, email())).toBeUndefined();
    // The other offer's link, at once: the move is under way; a minute later, it finishes it.
    expect((await followed(await moving.request(second.link!, { method: "POST", headers: { cookie: second.move! } }), moving)).status).toBe(410);
    clock.now += 61_000;
    expect((await followed(await moving.request(second.link!, { method: "POST", headers: { cookie: second.move! } }), moving)).status).toBe(200);
    expect(await loadAccount(repo, email())).toMatchObject({ provider: "google", schedule: { day: 5, hour: 16 }, template: "Hi {firstName}, lovely to meet you.", signatureName: "Isla M.", timeZone: "Europe/Rome" });
    expect(await offers()).toEqual([]);
  });

  it("the mail gives the provider's name for the signer as one line of plain text", () => {
    const url = `${BASE}/l/move/abc`;
    const mail = moveMail({ email: "isla@paperkite.studio", from: "microsoft", to: "google", signedInAs: `Eve\r\nMove: https://evil.example/\u202e ${"x".repeat(80)}`, url });
    expect(mail.text.split("\n").filter((l) => l.startsWith("Move:"))).toEqual([`Move: ${url}`]);
    expect(mail.text).toContain(`(as "Eve Move: https://evil.example/ ${"x".repeat(28)}")`);
    expect(mail.html).not.toContain("\u202e");
    // Cut at 60 characters, never inside one.
    expect(moveMail({ email: "a@b.example", from: "google", to: "microsoft", signedInAs: `${"a".repeat(59)}😀😀`, url }).text).toContain(`(as "${"a".repeat(59)}😀")`);
  });

  it("moves nothing past the link's hour or when the address's account changed; mails each sign-in a few times an hour; with no mailer, the grant goes back", async () => {
    const { mailer, clock, moving } = await movingApp({ createdAt: Date.now() - 1000 });
    const late = await signIn(moving, mailer);
    clock.now += 61 * 60_000;
    for (const method of ["GET", "POST"]) {
      const res = await moving.request(late.link!, { method, headers: { cookie: late.move! } });
      expect(res.status, method).toBe(410);
      expect(await res.text()).toContain("This link to move your account has expired");
    }
    expect((await loadAccount(repo, email()))!.provider).toBe("microsoft");

    // Disconnected and connected again through Microsoft after the mail: nothing to move.
    const again = await signIn(moving, mailer);
    await repo.put({ ...keys.account(email()), account: oldOutlook({ createdAt: clock.now + 1000 }) });
    const res = await followed(await moving.request(again.link!, { method: "POST", headers: { cookie: again.move! } }), moving);
    expect(res.status).toBe(410);
    expect((await loadAccount(repo, email()))!).toMatchObject({ provider: "microsoft", createdAt: clock.now + 1000 });
    // A record of the address other than the one the offer was made for (written before the link): not moved either.
    const third = await signIn(moving, mailer);
    await repo.put({ ...keys.account(email()), account: oldOutlook({ createdAt: clock.now - 500 }) });
    const changed = await followed(await moving.request(third.link!, { method: "POST", headers: { cookie: third.move! } }), moving);
    expect(changed.status).toBe(409);
    expect(await changed.text()).toContain("has changed since this link was sent");

    // Three offers of this sign-in in the hour (the first one's hour is over): a fourth mails nothing, and keeps the grants kept.
    expect((await signIn(moving, mailer)).link).toBeDefined();
    const mails = mailer.sent.length;
    const busy = await signIn(moving, mailer);
    expect(busy.res.status).toBe(409);
    expect(await busy.res.text()).toContain("as many links to move Followthrough as we send in an hour");
    expect(busy.link).toBeUndefined();
    expect(mailer.sent).toHaveLength(mails);
    expect(sandbox.state.tokens.hasRefreshToken(email(), "followthrough-web")).toBe(true);

    // A server that mails nothing refuses as before and gives Google's grant back.
    const plain = createApp({ ...deps, enqueueBackfill: async () => {} });
    const { authorize, cookie } = await begin("google", "", plain);
    const refused = await plain.request(pathOf(await consent(authorize, email())), { headers: { cookie } });
    expect(refused.status).toBe(409);
    expect(await refused.text()).not.toContain("emailed");
    expect(sandbox.state.tokens.hasRefreshToken(email(), "followthrough-web")).toBe(false);
    await deleteAccountData(repo, email());
    await repo.deleteEach(await offers() as { pk: string; sk: string }[]);
  });
});

describe("revoking a stored grant (kit revokeStored) in an app configured without a keyring", () => {
  const account = (provider: AccountRecord["provider"]) => ({ email: "ana@example.com", provider }) as AccountRecord;

  it("an Outlook account: nothing to revoke, so nothing failed (no warning); a Google one: not revoked, and says why", async () => {
    const revoke = revokeStored({});
    expect(await revoke(account("microsoft"))).toMatchObject({ revoked: false, noRevocation: true });
    const google = await revoke(account("google"));
    expect(google).toEqual({ revoked: false, detail: "no keyring configured" });
  });
});
