import { readFileSync } from "node:fs";
import { exceptions } from "./exceptions";

/** A parameter as a discovery document describes it. */
export interface DiscoveryParameter {
  type?: string;
  location?: "path" | "query";
  enum?: string[];
  repeated?: boolean;
  required?: boolean;
}

interface DiscoveryMethodJson {
  id: string;
  httpMethod: string;
  path: string;
  flatPath?: string;
  parameters?: Record<string, DiscoveryParameter>;
  scopes?: string[];
  mediaUpload?: { protocols?: Record<string, { path: string }> };
}

interface DiscoveryResource {
  methods?: Record<string, DiscoveryMethodJson>;
  resources?: Record<string, DiscoveryResource>;
}

interface DiscoveryDocument extends DiscoveryResource {
  rootUrl: string;
  servicePath: string;
  revision: string;
  parameters?: Record<string, DiscoveryParameter>;
}

/** The Google APIs the sandbox serves, by the discovery file it reads. */
export const googleDocuments = {
  gmail: "google/gmail-v1.discovery.json",
  calendar: "google/calendar-v3.discovery.json",
} as const;

export type GoogleApi = keyof typeof googleDocuments;

/** One discovery method, with the paths the sandbox serves it on. */
export interface GoogleMethod {
  api: GoogleApi;
  /** Discovery id, e.g. `gmail.users.messages.list`. */
  id: string;
  httpMethod: string;
  /** Served paths: `/` + servicePath + path, and the media-upload paths. */
  paths: string[];
  /** Any one of these authorises the call. */
  scopes: string[];
  /** The method's own parameters. */
  parameters: Record<string, DiscoveryParameter>;
  /** The API's system parameters (alt, $.xgafv, ...). */
  globalParameters: Record<string, DiscoveryParameter>;
  /** `metadata` of the ErrorInfo Google attaches to its 403 (backend method name and service). */
  errorInfo: { method: string; service: string };
  patterns: { re: RegExp; literals: number }[];
}

/** Reads one of the official files (packages/sandbox/official/) at runtime. */
export function readOfficial<T>(relative: string): T {
  return JSON.parse(readFileSync(new URL(`../../official/${relative}`, import.meta.url), "utf8")) as T;
}

const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * The backend method Google names in ErrorInfo.metadata.method. Calendar names its resource and
 * method (`calendar.v3.Events.List`, seen in GeneralTask/task-manager pull request 2160); Gmail
 * names an RPC of `caribou.api.proto.MailboxService` (`ListLabels` in googleworkspace/php-samples
 * issue 123; `GetProfile`, `ListMessages`, `CreateDraft` in public reports). For Gmail the sandbox
 * derives the RPC name the same way: verb, then the resource (plural for list).
 */
function errorInfoOf(api: GoogleApi, id: string): { method: string; service: string } {
  const parts = id.split(".");
  const verb = parts[parts.length - 1];
  if (api === "calendar") return { method: `calendar.v3.${pascal(parts[parts.length - 2])}.${pascal(verb)}`, service: "calendar-json.googleapis.com" };
  const resource = parts.length > 3 ? parts[parts.length - 2] : "";
  let noun = pascal(resource);
  if (verb !== "list" && /[^s]s$/.test(resource) && resource !== "sendAs") noun = noun.slice(0, -1);
  return { method: `caribou.api.proto.MailboxService.${pascal(verb)}${noun}`, service: "gmail.googleapis.com" };
}

function patternOf(template: string): { re: RegExp; literals: number } {
  let literals = 0;
  const body = template
    .split("/")
    .map((seg) => {
      if (/^\{\+[^}]+\}$/.test(seg)) return ".+";
      if (/^\{[^}]+\}$/.test(seg)) return "[^/]+";
      literals++;
      return seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("/");
  return { re: new RegExp(`^${body}$`), literals };
}

function load(api: GoogleApi): GoogleMethod[] {
  const doc = readOfficial<DiscoveryDocument>(googleDocuments[api]);
  const out: GoogleMethod[] = [];
  const walk = (r: DiscoveryResource) => {
    for (const m of Object.values(r.methods ?? {})) {
      const paths = [`/${doc.servicePath}${m.path}`, ...Object.values(m.mediaUpload?.protocols ?? {}).map((p) => p.path)];
      out.push({
        api,
        id: m.id,
        httpMethod: m.httpMethod,
        paths,
        scopes: m.scopes ?? [],
        parameters: m.parameters ?? {},
        globalParameters: doc.parameters ?? {},
        errorInfo: errorInfoOf(api, m.id),
        patterns: paths.map(patternOf),
      });
    }
    for (const sub of Object.values(r.resources ?? {})) walk(sub);
  };
  walk(doc);
  return out;
}

const cache = new Map<GoogleApi, GoogleMethod[]>();

/** Every method of a Google API's discovery document (read once per process). */
export function googleMethods(api: GoogleApi): GoogleMethod[] {
  let methods = cache.get(api);
  if (!methods) cache.set(api, (methods = load(api)));
  return methods;
}

/** The discovery method an HTTP request calls: same HTTP method, and the most specific path that matches. */
export function matchGoogle(api: GoogleApi, httpMethod: string, pathname: string): GoogleMethod | undefined {
  const verb = httpMethod.toUpperCase() === "HEAD" ? "GET" : httpMethod.toUpperCase();
  let best: { m: GoogleMethod; literals: number } | undefined;
  for (const m of googleMethods(api)) {
    if (m.httpMethod !== verb) continue;
    for (const p of m.patterns) if (p.re.test(pathname) && (!best || p.literals > best.literals)) best = { m, literals: p.literals };
  }
  return best?.m;
}

/** The values a query parameter takes: the document's enum plus the documented additions. */
export function enumOf(m: GoogleMethod, name: string): string[] | undefined {
  const p = m.parameters[name] ?? m.globalParameters[name];
  if (!p?.enum || p.location === "path") return undefined;
  return [...p.enum, ...(exceptions.enumAdditions[m.id]?.[name] ?? [])];
}

/** Names of the query parameters of a method (its own and the system ones) that have an enum. */
export function enumParameters(m: GoogleMethod): string[] {
  const names = new Set([...Object.keys(m.parameters), ...Object.keys(m.globalParameters)]);
  return [...names].filter((n) => enumOf(m, n) !== undefined);
}

/** A query parameter value outside its enum, and the error Google answers with; undefined when all are valid. */
export function invalidEnum(m: GoogleMethod, query: URLSearchParams): { name: string; value: string; allowed: string[] } | undefined {
  for (const name of enumParameters(m)) {
    const allowed = enumOf(m, name)!;
    for (const value of query.getAll(name)) {
      // Gmail (One Platform) parses enum names case-insensitively; Calendar matches a case-sensitive regular expression.
      const ok = m.api === "gmail" ? allowed.some((a) => a.toLowerCase() === value.toLowerCase()) : allowed.includes(value);
      if (!ok) return { name, value, allowed };
    }
  }
  return undefined;
}

/**
 * A query parameter the method does not have, neither among its own nor the system ones: Gmail's
 * front end (One Platform) refuses it, where the googleapis client sends any key it is given as a
 * query parameter (googleapis/google-api-nodejs-client#1991: an extra key on messages.send it could
 * not bind; the same front end's answer for a name a method does not have, People API,
 * rapidwebltd/php-google-people-api#25). Undefined when all are known.
 */
export function unknownParameter(m: GoogleMethod, query: URLSearchParams): string | undefined {
  for (const name of query.keys()) if (!(name in m.parameters) && !(name in m.globalParameters)) return name;
  return undefined;
}

/** True when the grant holds any one of the method's scopes. */
export function googleAuthorises(m: GoogleMethod, scopes: readonly string[]): boolean {
  return m.scopes.some((s) => scopes.includes(s));
}
