/**
 * The adapter's small table of Graph calls and the delegated permissions that grant each, checked
 * against Microsoft's own permission map (packages/sandbox/official/microsoft/graph-permissions.json):
 * every permission listed grants the call, and none of the permissions we request that grant it is
 * left out. Core never loads the map itself.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { GRAPH_CALL_PERMISSIONS, graphCallKey, permissionsFor } from "../src/microsoft/permissions";
import { MICROSOFT_SCOPES, MICROSOFT_SIGN_IN_SCOPES } from "../src/oauth";

type PathSet = { schemeKeys?: string[]; methods?: string[]; paths?: Record<string, unknown> };
const official = JSON.parse(readFileSync(new URL("../../sandbox/official/microsoft/graph-permissions.json", import.meta.url), "utf8")) as {
  permissions: Record<string, { pathSets?: PathSet[] }>;
};

/** Delegated permissions that grant `method path` per the official map. */
function officialGrants(method: string, path: string): Set<string> {
  const out = new Set<string>();
  for (const [name, p] of Object.entries(official.permissions))
    for (const set of p.pathSets ?? [])
      if ((set.schemeKeys ?? []).some((k) => k.startsWith("Delegated")) && (set.methods ?? []).includes(method) && path in (set.paths ?? {})) out.add(name);
  return out;
}

describe("GRAPH_CALL_PERMISSIONS", () => {
  it.each(Object.entries(GRAPH_CALL_PERMISSIONS))("%s: as the official map says", (key, listed) => {
    const [method, path] = key.split(" ") as [string, string];
    const grants = officialGrants(method, path);
    expect(grants.size).toBeGreaterThan(0);
    for (const p of listed) expect(grants, `${p} grants ${key}`).toContain(p);
    const requested = MICROSOFT_SCOPES.filter((s) => grants.has(s));
    for (const s of requested) expect(listed, `${s} (requested) grants ${key}`).toContain(s);
  });

  it("every requested Graph permission is needed by some call", () => {
    const used = new Set(Object.values(GRAPH_CALL_PERMISSIONS).flat());
    // Sign-in scopes (openid and profile: who signed in; offline_access: a refresh token) authorise no Graph call.
    expect(MICROSOFT_SCOPES.filter((s) => !MICROSOFT_SIGN_IN_SCOPES.includes(s) && !used.has(s))).toEqual([]);
  });

  it("covers every Graph path the adapter's source calls", () => {
    // Every file of the adapter's folder: its calls moved from index.ts to adapter.ts once, and a list
    // of names had kept reading index.ts, with none left in it.
    const dir = new URL("../src/microsoft/", import.meta.url);
    const source = readdirSync(dir).filter((f) => f.endsWith(".ts")).map((f) => readFileSync(new URL(f, dir), "utf8")).join("\n");
    const paths = [...source.matchAll(/["'`](\/me[^"'`?\s]*)/g)].map((m) => m[1].replace(/\$\{[^}]*\}/g, "x")).filter((p) => !p.includes("{id}"));
    expect(paths.length).toBeGreaterThan(5);
    for (const p of new Set(paths)) expect(graphCallKey("GET", p) ?? graphCallKey("POST", p) ?? graphCallKey("DELETE", p), p).toBeDefined();
  });

  it("recognises the adapter's requests, relative and as next links", () => {
    expect(graphCallKey("GET", "/me/mailFolders/sentitems/messages/delta?$select=id")).toBe("GET /me/mailfolders/{id}/messages/delta");
    expect(graphCallKey("GET", "https://graph.microsoft.com/v1.0/me/mailFolders('AQMkAD')/messages/delta?$skiptoken=x")).toBe("GET /me/mailfolders/{id}/messages/delta");
    expect(graphCallKey("GET", "https://127.0.0.1:4433/v1.0/me/calendarView/delta?$deltatoken=y")).toBe("GET /me/calendarview/delta");
    expect(graphCallKey("POST", "/me/messages/AAMk=/createReply")).toBe("POST /me/messages/{id}/createreply");
    expect(permissionsFor("POST", "/me/sendMail")).toEqual(["Mail.Send"]);
    expect(permissionsFor("DELETE", "/me/messages/x")).toEqual(["Mail.ReadWrite"]);
    expect(permissionsFor("DELETE", "/me/events/x")).toBeUndefined();
  });
});
