/**
 * The local demo (`npm start`) after a disconnect: the person disconnects a demo account (Google
 * revokes the grant, the store forgets the account) and connects it again in the browser. The new
 * connection's first scan must read with the new grant, not with the provider the demo built at
 * start for the old one (helper-104 #2: the Connected page's first look never came).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deleteAccountData, loadAccount } from "@followthrough/core/accounts";
import { keys } from "@followthrough/core/storage";
import { type LocalStack, startLocalStack } from "../packages/cli/src/start";
import { ownFixture } from "./support/fixtures";
import { checkThenClose } from "./support/refusals";

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack({ port: 0, fixtures: [ownFixture("demo-google")] });
}, 120_000);
afterAll(async () => {
  await checkThenClose(stack?.sandbox, async () => {
    await stack?.close();
  });
});

const pathOf = (u: string) => `${new URL(u).pathname}${new URL(u).search}`;

describe("npm start: a demo account disconnected and connected again", () => {
  it("the new connection's first scan reads with its own grant: the account stays active and its first look is ready", async () => {
    const { email } = stack.accounts[0].account;
    // Disconnected: Google's grant revoked (the sandbox's control route revokes every token of the
    // account, as the disconnect's revoke ends the grant), and the account's data deleted.
    const revoked = await fetch(new URL(`/_control/accounts/${encodeURIComponent(email)}/revoke`, stack.sandbox.url), { method: "POST" });
    expect(revoked.status).toBe(200);
    await deleteAccountData(stack.repo, email);
    expect(await loadAccount(stack.repo, email)).toBeUndefined();
    // Connected again through the app's web flow, the sandbox's consent approved for the account.
    const start = await fetch(`${stack.url}/connect/google`, { redirect: "manual" });
    expect(start.status).toBe(302);
    const cookie = (start.headers.get("set-cookie") ?? "").split(";")[0];
    const authorize = new URL(start.headers.get("location")!);
    authorize.searchParams.set("account", email);
    authorize.searchParams.set("approve", "1");
    const consent = await fetch(authorize, { redirect: "manual" });
    expect(consent.status).toBe(302);
    const answer = await fetch(`${stack.url}${pathOf(consent.headers.get("location")!)}`, { headers: { cookie }, redirect: "manual" });
    // The callback's 303 to the Connected page, followed as a browser does.
    expect(answer.status).toBe(303);
    const connected = await fetch(answer.headers.get("location")!, { redirect: "manual" });
    expect(connected.status).toBe(200);
    const page = await connected.text();
    expect(page).toContain("Connected");
    const fragment = /data-src="([^"]+)"/.exec(page)?.[1];
    expect(fragment).toBeDefined();
    // The first scan runs in the process (inProcessBackfill): wait for its calendar and sent mail.
    const deadline = Date.now() + 60_000;
    let account = await loadAccount(stack.repo, email);
    let cursors = 0;
    while (Date.now() < deadline) {
      account = await loadAccount(stack.repo, email);
      cursors = (await stack.repo.query(keys.partition(email), keys.prefix.cursor)).length;
      if (account?.status !== "active" || cursors >= 2) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    // With the provider built for the revoked grant, the scan found the grant revoked and the new
    // connection was marked for reconnecting at once.
    expect(account?.status).toBe("active");
    expect(cursors).toBeGreaterThanOrEqual(2);
    // The first look reads "the last 30 days" as of the demo's own now (its meetings lie months
    // before the real clock), so it names the people the digest names (helper-104 #3).
    let look = "";
    while (Date.now() < deadline) {
      look = await (await fetch(`${stack.url}${fragment}`)).text();
      // Complete once the page says so (it marks a look still reading data-provisional="true").
      if (look.includes('data-provisional="false"')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(look).toContain('data-provisional="false"');
    expect(look).not.toContain("Nobody you met in the last 30 days");
    for (const person of stack.accounts[0].weekly.digest.missing.slice(0, 3)) expect(look).toContain(person.email);
  }, 120_000);
});
