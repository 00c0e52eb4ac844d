/**
 * The zone the pages name, for an owner whose zone is one of POSIX's fixed offsets: an Outlook
 * mailbox in American Samoa ("(UTC-11:00) Coordinated Universal Time-11", mailboxSettings "UTC-11"),
 * connected through the real web flow (sandbox + dynalite), is stored as CLDR maps that name,
 * "Etc/GMT+11", whose sign POSIX writes the other way round. The pages said "(Etc/GMT+11)" to an
 * owner eleven hours behind UTC; they say "UTC-11" (helper-294).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeHTML } from "entities";
import { loadAccount } from "@followthrough/core/accounts";
import { linkPath, sealLink } from "@followthrough/core/links";
import { ownFixture } from "../../test/support/fixtures";
import { followConnected, type WebStack, startWebStack } from "./support/web-stack";
import { zoneWords } from "../src/pages";

const BASE = "http://app.test";
const KEY = "zone-words-test-link-key-0123456789abcdef";

let stack: WebStack;
let dir: string;

beforeAll(async () => {
  // The Microsoft demo mailbox, its owner in American Samoa (Pacific/Pago_Pago, UTC-11 all year).
  dir = mkdtempSync(join(tmpdir(), "ft-zone-words-"));
  cpSync(ownFixture("demo-microsoft"), dir, { recursive: true });
  const account = JSON.parse(readFileSync(join(dir, "account.json"), "utf8")) as Record<string, unknown>;
  writeFileSync(join(dir, "account.json"), JSON.stringify({ ...account, timeZone: "Pacific/Pago_Pago" }));
  stack = await startWebStack({ baseUrl: BASE, linkKey: KEY, fixtures: { microsoft: dir } });
}, 60_000);
afterAll(async () => {
  await stack?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const text = async (res: Response | Promise<Response>) => decodeHTML(await (await res).text());

describe("a fixed-offset zone on the pages", () => {
  it("is written as the offset it is: Etc/GMT+11 is UTC-11, Etc/GMT-14 UTC+14; any other name as it is", () => {
    expect(zoneWords("Etc/GMT+11")).toBe("UTC-11");
    expect(zoneWords("Etc/GMT+12")).toBe("UTC-12");
    expect(zoneWords("Etc/GMT-13")).toBe("UTC+13");
    expect(zoneWords("Etc/GMT-14")).toBe("UTC+14");
    expect(zoneWords("Etc/GMT+0")).toBe("UTC");
    expect(zoneWords("Pacific/Pago_Pago")).toBe("Pacific/Pago_Pago");
    expect(zoneWords("Etc/UTC")).toBe("Etc/UTC");
  });

  it("an Outlook owner in American Samoa: the Connected, settings, events and no-digest pages say UTC-11, never Etc/GMT+11", async () => {
    const { app, fixtures, repo } = stack;
    const start = await app.request("/connect/microsoft");
    const cookie = (start.headers.get("set-cookie") ?? "").split(";")[0];
    const authorize = new URL(start.headers.get("location")!);
    authorize.searchParams.set("account", fixtures.microsoft.account.email);
    authorize.searchParams.set("approve", "1");
    const back = new URL((await fetch(authorize, { redirect: "manual" })).headers.get("location")!);
    const connected = await followConnected(await app.request(`${back.pathname}${back.search}`, { headers: { cookie } }), app);
    expect(connected.status).toBe(200);
    const email = fixtures.microsoft.account.email;
    // As the real path stores it: Graph's mailboxSettings say "UTC-11", CLDR's first zone for it.
    expect((await loadAccount(repo, email))!.timeZone).toBe("Etc/GMT+11");
    const page = decodeHTML(await connected.text());
    expect(page).toMatch(/digest arrives on .*\(UTC-11\), then every Monday 08:00/);
    const link = (act: "settings" | "events" | "view") => linkPath(act, sealLink(KEY, { act, acc: email }, Date.now()));
    const settings = await text(app.request(link("settings")));
    expect(settings).toContain("In your time zone: UTC-11.");
    // The list keeps the zone's own value, named as the offset it is.
    expect(await text(app.request(`${link("settings")}?zone=1`))).toMatch(/<option value="Etc\/GMT\+11"[^>]*>UTC-11<\/option>/);
    expect(await text(app.request(link("events")))).toContain("in your time zone (UTC-11).");
    // No digest has gone yet: the latest-digest page says when the first arrives.
    expect(await text(app.request(link("view")))).toMatch(/first digest arrives on .*\(UTC-11\)\./);
    for (const p of [page, settings]) expect(p).not.toContain("Etc/GMT+11");
  });
});
