/**
 * Every provider route the sandbox's router really serves is checked against the providers'
 * official files (packages/sandbox/official/): it must have an official entry or a documented
 * exception, a token without an authorising scope gets the provider's exact 403, a token with
 * exactly one authorising scope does not, and every enum query parameter is validated from the
 * discovery documents. Routes and contracts are read, never listed by hand, so they cannot drift.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GOOGLE_SCOPES, MICROSOFT_SCOPES } from "@followthrough/core/oauth";
import { type RunningSandbox, startSandbox } from "../src/index";
import {
  type Contract,
  authorisingScopes,
  enumOf,
  enumParameters,
  exceptions,
  googleMethods,
  matchGoogle,
  matchGraphMap,
  officialContract,
} from "../src/official";
import { readOfficial } from "../src/official/google";
import { control } from "./control";
import { demoGoogle, demoMicrosoft } from "./mailboxes";

type ProviderApi = "gmail" | "calendar" | "graph";

interface ServedRoute {
  method: string;
  /** The router's pattern, e.g. /gmail/v1/users/:userId/messages/:id. */
  pattern: string;
  api: ProviderApi;
  /** A concrete path for the pattern (sample ids). */
  path: string;
}

const samples: Record<string, string> = { userId: "me", calendarId: "primary", folder: "inbox" };

function apiOf(path: string): ProviderApi | "control" | "oauth" | "root" | undefined {
  if (path.startsWith("/gmail/") || path.startsWith("/upload/gmail/")) return "gmail";
  if (path.startsWith("/calendar/")) return "calendar";
  if (path.startsWith("/v1.0/")) return "graph";
  if (path.startsWith("/_control/")) return "control";
  if (path.startsWith("/google/") || path.startsWith("/microsoft/")) return "oauth";
  if (path === "/") return "root";
  return undefined;
}

/** The provider routes of the running sandbox's Hono router (one per method and pattern). */
function servedRoutes(sb: RunningSandbox): ServedRoute[] {
  const seen = new Map<string, ServedRoute>();
  for (const r of sb.app.routes) {
    const api = apiOf(r.path);
    if (api === undefined) throw new Error(`route ${r.method} ${r.path} belongs to no known API: classify it`);
    if (api !== "gmail" && api !== "calendar" && api !== "graph") continue;
    const path = r.path.replace(/:(\w+)(\{[^}]*\})?/g, (_m, name: string) => samples[name] ?? `sample-${name}`);
    seen.set(`${r.method} ${r.path}`, { method: r.method, pattern: r.path, api, path });
  }
  return [...seen.values()];
}

const google = (s: string) => `https://www.googleapis.com/auth/${s}`;
const allGoogleScopes = [...new Set((["gmail", "calendar"] as const).flatMap((api) => googleMethods(api).flatMap((m) => m.scopes)))];
const allGraphPermissions = Object.keys(readOfficial<{ permissions: Record<string, unknown> }>("microsoft/graph-permissions.json").permissions);

let sb: RunningSandbox;
const googleEmail = () => demoGoogle.load().account.email;
const microsoftEmail = () => demoMicrosoft.load().account.email;

async function token(email: string, scopes?: string[]): Promise<string> {
  return (await control(sb.url, `/accounts/${encodeURIComponent(email)}/tokens`, "POST", { clientId: "contract-tests", scopes })).access_token;
}

async function call(r: { method: string; path: string }, accessToken: string, query = ""): Promise<Response> {
  const body = r.method === "POST" ? "{}" : undefined;
  return fetch(`${sb.url}${r.path}${query}`, {
    method: r.method,
    headers: { authorization: `Bearer ${accessToken}`, ...(body ? { "content-type": "application/json" } : {}) },
    body,
  });
}

/** Scopes that do not authorise the contract: every other scope or permission the official files name, and the sign-in ones. */
function nonAuthorising(api: ProviderApi, contract: Contract): string[] {
  const allowed = new Set(authorisingScopes(contract).map((s) => s.toLowerCase()));
  const pool = api === "graph" ? allGraphPermissions : allGoogleScopes;
  return [...pool, ...exceptions.signInScopes].filter((s) => !allowed.has(s.toLowerCase()));
}

const googleScopeBody = (errorInfo: { method: string; service: string }) => ({
  error: {
    code: 403,
    message: "Request had insufficient authentication scopes.",
    errors: [{ message: "Insufficient Permission", domain: "global", reason: "insufficientPermissions" }],
    status: "PERMISSION_DENIED",
    details: [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "ACCESS_TOKEN_SCOPE_INSUFFICIENT", domain: "googleapis.com", metadata: errorInfo }],
  },
});

const graphDeniedBody = {
  error: {
    code: "ErrorAccessDenied",
    message: "Access is denied. Check credentials and try again.",
    innerError: { date: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), "request-id": expect.any(String), "client-request-id": expect.any(String) },
  },
};

beforeAll(async () => {
  sb = await startSandbox({ fixtures: [demoGoogle.dir, demoMicrosoft.dir] });
});
afterAll(() => sb?.close());

describe("official contract: every served provider route", () => {
  it("the router serves Gmail, Calendar and Graph routes, each with an official entry or a documented exception", () => {
    const routes = servedRoutes(sb);
    for (const api of ["gmail", "calendar", "graph"] as const) expect(routes.filter((r) => r.api === api).length).toBeGreaterThan(2);
    const missing = routes.filter((r) => !officialContract(r.api, r.method, r.path)).map((r) => `${r.method} ${r.pattern}`);
    expect(missing).toEqual([]);
  });

  it("answers a token without an authorising scope with the provider's exact 403, an unknown token with 401, and a token with exactly one authorising scope with anything but 403", async () => {
    const checked: string[] = [];
    for (const r of servedRoutes(sb)) {
      const contract = officialContract(r.api, r.method, r.path)!;
      const email = r.api === "graph" ? microsoftEmail() : googleEmail();
      const label = `${r.method} ${r.pattern}`;

      expect((await call(r, "not-a-token")).status, `${label} unknown token`).toBe(401);

      const denied = await call(r, await token(email, nonAuthorising(r.api, contract)));
      expect(denied.status, `${label} without an authorising scope`).toBe(403);
      if (contract.kind === "graph") expect(await denied.json(), label).toEqual(graphDeniedBody);
      else {
        const errorInfo = contract.method.errorInfo;
        expect(errorInfo.service).toBe(r.api === "gmail" ? "gmail.googleapis.com" : "calendar-json.googleapis.com");
        expect(errorInfo.method).toMatch(r.api === "gmail" ? /^caribou\.api\.proto\.MailboxService\.[A-Z]\w+$/ : /^calendar\.v3\.[A-Z]\w+\.[A-Z]\w+$/);
        expect(await denied.json(), label).toEqual(googleScopeBody(errorInfo));
        expect(denied.headers.get("www-authenticate"), label).toBe(
          `Bearer realm="https://accounts.google.com/", error="insufficient_scope", scope="${contract.method.scopes.join(" ")}"`,
        );
      }

      // format=metadata where the method has a format: a gmail.metadata token is refused FULL (its own rule, tested below).
      const query = contract.kind === "google" && contract.method.parameters.format ? "?format=metadata" : "";
      for (const scope of authorisingScopes(contract)) {
        const res = await call(r, await token(email, [scope]), query);
        expect(res.status, `${label} with only ${scope}: ${await res.clone().text()}`).not.toBe(403);
        expect(res.status, `${label} with only ${scope}`).not.toBe(500);
      }
      checked.push(label);
    }
    expect(checked.length).toBe(servedRoutes(sb).length);
  });

  it("names the backend methods public reports show in Google's ErrorInfo", () => {
    const info = (api: "gmail" | "calendar", method: string, path: string) => matchGoogle(api, method, path)!.errorInfo.method;
    expect(info("gmail", "GET", "/gmail/v1/users/me/profile")).toBe("caribou.api.proto.MailboxService.GetProfile");
    expect(info("gmail", "GET", "/gmail/v1/users/me/messages")).toBe("caribou.api.proto.MailboxService.ListMessages");
    expect(info("gmail", "GET", "/gmail/v1/users/me/labels")).toBe("caribou.api.proto.MailboxService.ListLabels");
    expect(info("gmail", "POST", "/upload/gmail/v1/users/me/drafts")).toBe("caribou.api.proto.MailboxService.CreateDraft");
    expect(info("calendar", "GET", "/calendar/v3/calendars/primary/events")).toBe("calendar.v3.Events.List");
  });

  it("checks the scope before the backend and the quota: a refused call meets no injected fault and is not counted", async () => {
    const email = googleEmail();
    await control(sb.url, "/stats/reset");
    await control(sb.url, "/faults", "POST", { route: "gmail.getProfile", kind: "status", status: 503 });
    const profile = { method: "GET", path: "/gmail/v1/users/me/profile" };
    expect((await call(profile, await token(email, [google("calendar.readonly")]))).status).toBe(403);
    expect((await control(sb.url, `/accounts/${encodeURIComponent(email)}/stats`, "GET")).totalCalls).toBe(0);
    // The fault is still armed for the next call the backend sees.
    expect((await call(profile, await token(email))).status).toBe(503);
    await control(sb.url, "/faults", "DELETE");
  });
});

describe("official contract: the consent shortcut grants exactly our connect scopes", () => {
  it("defaults to GOOGLE_SCOPES / MICROSOFT_SCOPES, takes explicit scopes, and [] grants nothing", async () => {
    const g = await control(sb.url, `/accounts/${encodeURIComponent(googleEmail())}/tokens`, "POST", {});
    expect(g.scope).toBe(GOOGLE_SCOPES.join(" "));
    const m = await control(sb.url, `/accounts/${encodeURIComponent(microsoftEmail())}/tokens`, "POST", {});
    expect(m.scope).toBe(MICROSOFT_SCOPES.join(" "));
    const custom = await control(sb.url, `/accounts/${encodeURIComponent(googleEmail())}/tokens`, "POST", { scopes: ["https://mail.google.com/"] });
    expect(custom.scope).toBe("https://mail.google.com/");
    const none = await control(sb.url, `/accounts/${encodeURIComponent(googleEmail())}/tokens`, "POST", { scopes: [] });
    expect((await call({ method: "GET", path: "/gmail/v1/users/me/profile" }, none.access_token)).status).toBe(403);
    // With our connect scopes, Gmail's sendAs.list (settings) is refused, as Google refuses it.
    expect((await call({ method: "GET", path: "/gmail/v1/users/me/settings/sendAs" }, g.access_token)).status).toBe(403);
  });
});

describe("official contract: enum query parameters come from the discovery documents", () => {
  const strongest = { gmail: "https://mail.google.com/", calendar: google("calendar") };

  it("refuses a value outside the enum and accepts every value of it, for every enum parameter of every served Google route", async () => {
    const googleRoutes = servedRoutes(sb).filter((r) => r.api !== "graph") as (ServedRoute & { api: "gmail" | "calendar" })[];
    let parameters = 0;
    for (const r of googleRoutes) {
      const m = matchGoogle(r.api, r.method, r.path)!;
      const accessToken = await token(googleEmail(), [strongest[r.api]]);
      for (const name of enumParameters(m)) {
        parameters++;
        const label = `${r.method} ${r.pattern} ${name}`;
        const allowed = enumOf(m, name)!;
        const bad = await call(r, accessToken, `?${new URLSearchParams({ [name]: "notAValue" })}`);
        expect(bad.status, label).toBe(400);
        const body = await bad.json();
        if (r.api === "gmail") {
          const field = name.replace(/[A-Z]/g, (ch) => `_${ch.toLowerCase()}`);
          expect(body.error.message, label).toMatch(new RegExp(`^Invalid value at '${field.replace(/[.$]/g, "\\$&")}' \\(type\\.googleapis\\.com/gmail\\.v1\\.\\S+\\), "notAValue"$`));
          expect(body.error.errors[0].reason, label).toBe("invalidArgument");
          expect(body.error.status, label).toBe("INVALID_ARGUMENT");
        } else {
          expect(body.error.message, label).toBe(`Invalid value 'notAValue'. Values must match the following regular expression: '(${allowed.join("|")})'`);
          expect(body.error.errors[0], label).toMatchObject({ reason: "invalidParameter", location: name, locationType: "parameter" });
        }
        for (const value of allowed) {
          const res = await call(r, accessToken, `?${new URLSearchParams({ [name]: value })}`);
          const text = await res.text();
          expect(text, `${label}=${value}`).not.toMatch(/Invalid value/);
        }
      }
    }
    // At least messages.get/drafts.get format, history.list historyTypes, events.list orderBy and eventTypes.
    expect(parameters).toBeGreaterThanOrEqual(5);
  });

  it("Gmail refuses a query parameter its method does not have (a misspelt or extra key the client sends as given), on every served Gmail route; the system ones pass", async () => {
    const gmailRoutes = servedRoutes(sb).filter((r) => r.api === "gmail");
    const accessToken = await token(googleEmail(), [strongest.gmail]);
    for (const r of gmailRoutes) {
      const label = `${r.method} ${r.pattern}`;
      const bad = await call(r, accessToken, "?fooBar=1");
      expect(bad.status, label).toBe(400);
      const body = await bad.json();
      expect(body.error.message, label).toBe(`Invalid JSON payload received. Unknown name "fooBar": Cannot bind query parameter. Field 'fooBar' could not be found in request message.`);
      expect(body.error.status, label).toBe("INVALID_ARGUMENT");
      const system = await call(r, accessToken, "?prettyPrint=false&quotaUser=q&fields=*");
      expect(await system.text(), label).not.toMatch(/Unknown name/);
    }
    expect(gmailRoutes.length).toBeGreaterThanOrEqual(10);
    // A parameter of another method (messages.list's maxResults on messages.get) is as unknown.
    const list = await call({ method: "GET", path: "/gmail/v1/users/me/messages" }, accessToken, "?maxResults=5&includeSpamTrash=false");
    expect(list.status).toBe(200);
    const other = await call({ method: "GET", path: "/gmail/v1/users/me/profile" }, accessToken, "?maxResults=5");
    expect((await other.json()).error.message).toMatch(/^Invalid JSON payload received\. Unknown name "maxResults"/);
  });

  it("validates each value of a repeated parameter (historyTypes, eventTypes)", async () => {
    const gmail = await token(googleEmail(), ["https://mail.google.com/"]);
    const history = await call({ method: "GET", path: "/gmail/v1/users/me/history" }, gmail, "?startHistoryId=1&historyTypes=messageAdded&historyTypes=messageMoved");
    expect(history.status).toBe(400);
    expect((await history.json()).error.message).toBe(`Invalid value at 'history_types' (type.googleapis.com/gmail.v1.HistoryType), "messageMoved"`);
    const cal = await token(googleEmail(), [google("calendar.readonly")]);
    const events = await call({ method: "GET", path: "/calendar/v3/calendars/primary/events" }, cal, "?eventTypes=default&eventTypes=meeting");
    expect(events.status).toBe(400);
    expect((await events.json()).error.errors[0].location).toBe("eventTypes");
  });

  it("accepts the event types the Calendar document predates (birthday, fromGmail), which it does not list", async () => {
    const m = matchGoogle("calendar", "GET", "/calendar/v3/calendars/primary/events")!;
    // Once the document lists them, the exception is stale: remove it from official/exceptions.ts.
    expect(m.parameters.eventTypes.enum).not.toContain("birthday");
    expect(m.parameters.eventTypes.enum).not.toContain("fromGmail");
    expect(m.parameters.eventTypes.enum).toEqual(expect.arrayContaining(["default", "focusTime", "outOfOffice", "workingLocation"]));
    const cal = await token(googleEmail(), [google("calendar.readonly")]);
    for (const t of ["birthday", "fromGmail", "focusTime"]) {
      const res = await call({ method: "GET", path: "/calendar/v3/calendars/primary/events" }, cal, `?eventTypes=${t}`);
      expect(res.status, t).toBe(200);
    }
  });

  it("eventTypes keeps the events of the types named, in a listing and in a sync round; none named, every type (the event-types guide)", async () => {
    const cal = await token(googleEmail(), [google("calendar.readonly")]);
    const typesOf = async (query: string) => {
      const res = await call({ method: "GET", path: "/calendar/v3/calendars/primary/events" }, cal, query);
      expect(res.status, query).toBe(200);
      const body = (await res.json()) as { items: { eventType?: string }[]; nextSyncToken?: string };
      return { types: new Set(body.items.map((e) => e.eventType ?? "default")), sync: body.nextSyncToken };
    };
    const all = await typesOf("?maxResults=2500");
    expect([...all.types].sort()).toEqual(expect.arrayContaining(["default", "focusTime", "fromGmail", "outOfOffice"]));
    const two = await typesOf("?maxResults=2500&eventTypes=default&eventTypes=fromGmail&showDeleted=true");
    expect([...two.types].sort()).toEqual(["default", "fromGmail"]);
    // A sync round with the same types: of an out-of-office block and a meeting changed since, only the meeting.
    expect(two.sync).toBeDefined();
    const now = Date.now();
    const at = (h: number) => ({ dateTime: new Date(now + h * 3_600_000).toISOString() });
    const res = await fetch(new URL(`/_control/accounts/${encodeURIComponent(googleEmail())}/calendar/events`, sb.url), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([
        { id: "typesooo1", eventType: "outOfOffice", summary: "Away", start: at(24), end: at(48) },
        { id: "typesmeet1", summary: "Coffee", start: at(2), end: at(3), attendees: [{ email: "x@partner.example", responseStatus: "accepted" }] },
      ]),
    });
    expect(res.status).toBe(200);
    const again = await call({ method: "GET", path: "/calendar/v3/calendars/primary/events" }, cal, `?eventTypes=default&eventTypes=fromGmail&syncToken=${encodeURIComponent(two.sync!)}`);
    expect(((await again.json()) as { items: { id: string }[] }).items.map((e) => e.id)).toEqual(["typesmeet1"]);
  });

  it("a bad orderBy is refused from the document's enum before the handler's own rules", async () => {
    const cal = await token(googleEmail(), [google("calendar.readonly")]);
    const res = await call({ method: "GET", path: "/calendar/v3/calendars/primary/events" }, cal, "?orderBy=summary");
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toBe("Invalid value 'summary'. Values must match the following regular expression: '(startTime|updated)'");
  });
});

describe("official contract: where the files are silent", () => {
  it("Graph's map lists /me/calendar/calendarview and /me/calendarview/delta but not /me/calendarview, which the sandbox answers as the former", () => {
    expect(matchGraphMap("GET", "/me/calendarview")).toBeUndefined();
    const documented = matchGraphMap("GET", "/me/calendar/calendarview")!;
    expect(documented.permissions).toEqual(expect.arrayContaining(["Calendars.Read", "Calendars.ReadBasic"]));
    expect(matchGraphMap("GET", "/me/calendarview/delta")!.permissions).toEqual(expect.arrayContaining(["Calendars.Read"]));
    const viaException = officialContract("graph", "GET", "/v1.0/me/calendarView")!;
    expect(viaException).toMatchObject({ kind: "graph", entry: { exception: "learn.microsoft.com/graph/api/user-list-calendarview", permissions: documented.permissions } });
  });

  it("sign-in scopes (openid, profile, email, offline_access) authorise no provider call", async () => {
    const g = await token(googleEmail(), ["openid", "email", "profile", google("userinfo.email"), google("userinfo.profile")]);
    expect((await call({ method: "GET", path: "/gmail/v1/users/me/profile" }, g)).status).toBe(403);
    const m = await token(microsoftEmail(), ["openid", "profile", "email", "offline_access"]);
    expect((await call({ method: "GET", path: "/v1.0/me" }, m)).status).toBe(403);
    expect((await call({ method: "GET", path: "/v1.0/me" }, await token(microsoftEmail(), ["offline_access", "User.Read"]))).status).toBe(200);
  });

  it("Graph permissions are matched case-insensitively and in their resource-qualified spelling", async () => {
    for (const scope of ["user.read", "https://graph.microsoft.com/User.Read"])
      expect((await call({ method: "GET", path: "/v1.0/me" }, await token(microsoftEmail(), [scope]))).status, scope).toBe(200);
  });

  it("Graph /me/mailboxSettings needs MailboxSettings.Read or .ReadWrite, as the map says", async () => {
    const path = { method: "GET", path: "/v1.0/me/mailboxSettings" };
    expect((await call(path, await token(microsoftEmail(), ["User.Read", "Mail.ReadBasic", "Mail.ReadWrite", "Mail.Send", "Calendars.Read"]))).status).toBe(403);
    expect((await call(path, await token(microsoftEmail(), ["MailboxSettings.Read"]))).status).toBe(200);
  });
});

describe("official contract: Mail.ReadBasic reads no body, attachment, extension or extended property, and does not search", () => {
  const drafts = { method: "GET", path: "/v1.0/me/mailFolders/drafts/messages" };
  const sent = { method: "GET", path: "/v1.0/me/mailFolders/sentitems/messages" };
  const byMarker = `?$filter=${encodeURIComponent("singleValueExtendedProperties/Any(ep: ep/id eq 'String {66f5a359-4659-4830-9070-00047ec6ac6e} Name Followthrough-Draft' and ep/value eq 'x')")}`;

  it("a grant of Mail.ReadBasic alone: headers yes; an extended-property filter, a body, attachments or a search, 403 ErrorAccessDenied", async () => {
    const basic = await token(microsoftEmail(), ["User.Read", "Mail.ReadBasic"]);
    expect((await call(sent, basic, "?$select=id,subject,from,toRecipients,ccRecipients,sentDateTime,hasAttachments&$top=5")).status).toBe(200);
    for (const q of [byMarker, "?$select=id,body", "?$select=bodyPreview", "?$select=uniqueBody", "?$expand=attachments", "?$expand=extensions", "?$select=id&$expand=singleValueExtendedProperties($filter=id eq 'x')", `?$search=${encodeURIComponent('"coffee"')}`]) {
      const res = await call(q === byMarker ? drafts : sent, basic, q);
      expect(res.status, q).toBe(403);
      expect(await res.json(), q).toEqual(graphDeniedBody);
    }
  });

  it("however the query is spelled: option names in any case, a repeated option read as the routes read it (its last value)", async () => {
    const basic = await token(microsoftEmail(), ["User.Read", "Mail.ReadBasic"]);
    for (const q of ["?$Select=id,body", "?$select=id&$select=body", `?$SEARCH=${encodeURIComponent('"coffee"')}`]) expect((await call(sent, basic, q)).status, q).toBe(403);
  });

  it("a filter that only mentions a withheld name inside a string literal is served", async () => {
    const basic = await token(microsoftEmail(), ["User.Read", "Mail.ReadBasic"]);
    for (const f of ["internetMessageId eq '<body.1@x>'", "internetMessageId eq '<extensions-to-the-lease@x>'", "internetMessageId eq '<it''s.the.body@x>'"])
      expect((await call(sent, basic, `?$filter=${encodeURIComponent(f)}`)).status, f).toBe(200);
  });

  it("what such a grant is served leaves the body and preview out, asked for or not (\"Mail messages without the body or attachments\")", async () => {
    const basic = await token(microsoftEmail(), ["User.Read", "Mail.ReadBasic"]);
    const page = (await (await call(sent, basic, "?$top=3")).json()) as { value: Record<string, unknown>[] };
    expect(page.value.length).toBeGreaterThan(0);
    for (const m of page.value) {
      expect(m).toHaveProperty("subject");
      for (const k of ["body", "bodyPreview", "uniqueBody"]) expect(m, k).not.toHaveProperty(k);
    }
    const full = (await (await call(sent, await token(microsoftEmail(), ["Mail.Read"]), "?$top=3")).json()) as { value: Record<string, unknown>[] };
    expect(full.value.some((m) => "bodyPreview" in m)).toBe(true);
  });

  it("with Mail.ReadWrite (or Mail.Read) beside it, the same requests are served", async () => {
    for (const scopes of [["Mail.ReadBasic", "Mail.ReadWrite"], ["Mail.Read"]]) {
      const broad = await token(microsoftEmail(), scopes);
      if (scopes.includes("Mail.ReadWrite")) expect((await call(drafts, broad, byMarker)).status, scopes.join()).toBe(200);
      expect((await call(sent, broad, "?$select=id,body")).status, scopes.join()).toBe(200);
    }
  });
});

describe("official contract: Calendars.ReadBasic reads no event's body, attachment or extension (helper-149 #3)", () => {
  const view = { method: "GET", path: "/v1.0/me/calendarView" };
  const window = `?startDateTime=2020-01-01T00:00:00Z&endDateTime=2030-01-01T00:00:00Z&$top=5`;

  it("a grant of it alone is served events without body and preview, and refused a request for them; with Calendars.Read beside it, served them", async () => {
    const basic = await token(microsoftEmail(), ["User.Read", "Calendars.ReadBasic"]);
    const page = (await (await call(view, basic, window)).json()) as { value: Record<string, unknown>[] };
    expect(page.value.length).toBeGreaterThan(0);
    for (const e of page.value) {
      expect(e).toHaveProperty("subject");
      for (const k of ["body", "bodyPreview"]) expect(e, k).not.toHaveProperty(k);
    }
    const asked = await call(view, basic, `${window}&$select=subject,bodyPreview`);
    expect(asked.status).toBe(403);
    expect(await asked.json()).toEqual(graphDeniedBody);
    const broad = await token(microsoftEmail(), ["Calendars.ReadBasic", "Calendars.Read"]);
    const full = (await (await call(view, broad, window)).json()) as { value: Record<string, unknown>[] };
    expect(full.value.some((e) => "bodyPreview" in e)).toBe(true);
    // A .Shared calendar permission beside it reaches the owner's own calendar too (helper-151).
    expect((await call(view, await token(microsoftEmail(), ["Calendars.ReadBasic", "Calendars.Read.Shared"]), `${window}&$select=subject,bodyPreview`)).status).not.toBe(403);
    // Mail.Read beside it is no broader calendar permission.
    expect((await call(view, await token(microsoftEmail(), ["Calendars.ReadBasic", "Mail.Read"]), `${window}&$select=subject,bodyPreview`)).status).toBe(403);
  });
});

describe("official contract: gmail.metadata refuses q and FULL/RAW even next to a broader scope", () => {
  const list = { method: "GET", path: "/gmail/v1/users/me/messages" };
  let messageId: string;
  beforeAll(async () => {
    const res = await call(list, await token(googleEmail(), ["https://mail.google.com/"]), "?maxResults=1");
    messageId = (await res.json()).messages[0].id;
  });

  it("with gmail.metadata and gmail.readonly: 403 forbidden for q (even empty), format=full and format=raw", async () => {
    const both = await token(googleEmail(), [google("gmail.metadata"), google("gmail.readonly")]);
    for (const q of ["?q=from:someone", "?q="]) {
      const res = await call(list, both, q);
      expect(res.status, q).toBe(403);
      expect(await res.json()).toEqual({
        error: {
          code: 403,
          message: "Metadata scope does not support 'q' parameter",
          errors: [{ message: "Metadata scope does not support 'q' parameter", domain: "global", reason: "forbidden" }],
          status: "PERMISSION_DENIED",
        },
      });
    }
    for (const f of ["full", "raw", "FULL"]) {
      const res = await call({ method: "GET", path: `/gmail/v1/users/me/messages/${messageId}` }, both, `?format=${f}`);
      expect(res.status, f).toBe(403);
      expect((await res.json()).error.message).toBe(`Metadata scope doesn't allow format ${f.toUpperCase()}`);
    }
    expect((await call({ method: "GET", path: `/gmail/v1/users/me/messages/${messageId}` }, both, "?format=metadata")).status).toBe(200);
  });

  it("without gmail.metadata: q is accepted and FULL and RAW are served", async () => {
    const readonly = await token(googleEmail(), [google("gmail.readonly")]);
    expect((await call(list, readonly, "?q=")).status).toBe(200);
    const full = await call({ method: "GET", path: `/gmail/v1/users/me/messages/${messageId}` }, readonly, "?format=full");
    expect(full.status).toBe(200);
    expect((await full.json()).payload.headers.length).toBeGreaterThan(0);
    const raw = await call({ method: "GET", path: `/gmail/v1/users/me/messages/${messageId}` }, readonly, "?format=raw");
    expect(raw.status).toBe(200);
    const rawBody = await raw.json();
    expect(rawBody.payload).toBeUndefined();
    expect(Buffer.from(rawBody.raw, "base64url").toString("utf8")).toMatch(/^[\w-]+: .*\r\n/);
  });
});
