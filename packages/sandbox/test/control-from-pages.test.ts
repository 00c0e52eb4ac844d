/**
 * The control API is for programs (tests, the CLI, the demo) and a person opening its URL, never for
 * a web page: a page can POST a text/plain body to http://127.0.0.1:<port>/_control/… without a
 * preflight, past the loopback binding and the Host check (helper-285 #1).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningSandbox, startSandbox } from "../src/index";

let sb: RunningSandbox;
beforeAll(async () => {
  sb = await startSandbox({});
});
afterAll(() => sb?.close());

const fault = JSON.stringify({ route: "oauth.google.token", kind: "status", status: 503 });
const faults = async () => (await (await fetch(`${sb.url}/_control/faults`)).json()) as unknown[];
const post = (headers: Record<string, string>) => fetch(`${sb.url}/_control/faults`, { method: "POST", headers: { "content-type": "text/plain", ...headers }, body: fault });

describe("the control API and web pages", () => {
  it.each([
    ["a cross-site page's POST", { origin: "https://evil.example", "sec-fetch-site": "cross-site" }],
    ["a POST from a browser that sends Origin only", { origin: "https://evil.example" }],
    ["a POST from another loopback origin (the app's page)", { origin: "http://localhost:8787", "sec-fetch-site": "cross-site" }],
    ["a POST from an opaque origin", { origin: "null", "sec-fetch-site": "cross-site" }],
    ["a same-site page's POST", { "sec-fetch-site": "same-site" }],
  ])("%s is refused, and nothing changes", async (_what, headers) => {
    await fetch(`${sb.url}/_control/faults`, { method: "DELETE" });
    const before = await faults();
    const res = await post(headers);
    expect(res.status).toBe(403);
    expect(await faults()).toEqual(before);
  });

  it("a program's call (no Origin, no Sec-Fetch-Site), the sandbox's own page and a URL opened by hand are answered", async () => {
    expect((await post({})).status).toBe(201);
    expect((await post({ origin: sb.url, "sec-fetch-site": "same-origin" })).status).toBe(201);
    expect((await fetch(`${sb.url}/_control/faults`, { headers: { "sec-fetch-site": "none" } })).status).toBe(200);
  });
});
