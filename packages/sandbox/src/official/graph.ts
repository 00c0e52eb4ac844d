import { exceptions } from "./exceptions";
import { readOfficial } from "./google";

interface PermissionMap {
  permissions: Record<string, { pathSets?: { schemeKeys: string[]; methods: string[]; paths: Record<string, string> }[] }>;
}

/** One path of the permission map (lower-cased, `{...}` for a key segment) and the delegated permissions that grant it. */
interface GraphTemplate {
  path: string;
  segments: (string | RegExp)[];
  permissions: Set<string>;
}

/** What the map says a Graph request needs. */
export interface GraphEntry {
  /** The map's path the request matched (or, for an exception, the path it stands for). */
  path: string;
  /** Delegated permissions any one of which grants the call. */
  permissions: string[];
  /** Set when the map is silent and the exception table answered (its source). */
  exception?: string;
}

const GRAPH_PREFIX = "https://graph.microsoft.com/";

let index: Map<string, GraphTemplate[]> | undefined;

const keyOf = (method: string, count: number, first: string) => `${method} ${count} ${first}`;

function segmentOf(seg: string): string | RegExp {
  if (!seg.includes("{")) return seg;
  if (/^\{[^}]*\}$/.test(seg)) return /^[^/]+$/;
  return new RegExp(`^${seg.split(/\{[^}]*\}/).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("[^/]+")}$`);
}

/** Builds the index once: per HTTP method, segment count and first segment, the templates with their permissions. */
function graphIndex(): Map<string, GraphTemplate[]> {
  if (index) return index;
  const map = readOfficial<PermissionMap>("microsoft/graph-permissions.json");
  const byKey = new Map<string, Map<string, GraphTemplate>>();
  for (const [name, p] of Object.entries(map.permissions)) {
    for (const set of p.pathSets ?? []) {
      if (!set.schemeKeys.some((k) => k.startsWith("Delegated"))) continue;
      for (const method of set.methods) {
        for (const path of Object.keys(set.paths)) {
          const segs = path.toLowerCase().split("/").filter(Boolean);
          const key = keyOf(method.toUpperCase(), segs.length, segs[0] ?? "");
          let group = byKey.get(key);
          if (!group) byKey.set(key, (group = new Map()));
          let t = group.get(path);
          if (!t) group.set(path, (t = { path, segments: segs.map(segmentOf), permissions: new Set() }));
          t.permissions.add(name);
        }
      }
    }
  }
  index = new Map([...byKey].map(([k, g]) => [k, [...g.values()]]));
  return index;
}

/** The request path as the map writes paths: without the version, lower-case, no trailing slash. */
export function graphPathOf(pathname: string): string {
  // Not decoded: an id may hold an encoded "/" (%2F), which is still one key segment.
  return pathname.replace(/^\/(v1\.0|beta)(?=\/)/i, "").replace(/\/+$/, "").toLowerCase() || "/";
}

/** The map's entry for a request: literal segments win over `{id}`, leftmost first. */
export function matchGraphMap(httpMethod: string, path: string): GraphEntry | undefined {
  const method = httpMethod.toUpperCase() === "HEAD" ? "GET" : httpMethod.toUpperCase();
  const segs = path.split("/").filter(Boolean);
  const candidates = graphIndex().get(keyOf(method, segs.length, segs[0] ?? "")) ?? [];
  let best: { t: GraphTemplate; score: string } | undefined;
  for (const t of candidates) {
    let score = "";
    let ok = true;
    for (let i = 0; i < segs.length && ok; i++) {
      const s = t.segments[i];
      if (typeof s === "string") {
        ok = s === segs[i];
        score += "1";
      } else {
        ok = s.test(segs[i]);
        score += "0";
      }
    }
    if (ok && (!best || score > best.score)) best = { t, score };
  }
  return best ? { path: best.t.path, permissions: [...best.t.permissions].sort() } : undefined;
}

/** What a Graph request needs: the map's entry or, where the map is silent, the exception table's. */
export function matchGraph(httpMethod: string, pathname: string): GraphEntry | undefined {
  const path = graphPathOf(pathname);
  const found = matchGraphMap(httpMethod, path);
  if (found) return found;
  const method = httpMethod.toUpperCase() === "HEAD" ? "GET" : httpMethod.toUpperCase();
  const alias = exceptions.graphSameAs.find((e) => e.method === method && e.path === path);
  if (!alias) return undefined;
  const target = matchGraphMap(method, alias.sameAs);
  return target ? { path: alias.path, permissions: target.permissions, exception: alias.source } : undefined;
}

/** A Graph scope as a permission name: `https://graph.microsoft.com/Mail.Read` and `Mail.Read` alike, case-insensitive. */
export function permissionName(scope: string): string {
  return (scope.startsWith(GRAPH_PREFIX) ? scope.slice(GRAPH_PREFIX.length) : scope).toLowerCase();
}

/** True when the grant holds any one of the entry's permissions. */
export function graphAuthorises(entry: GraphEntry, scopes: readonly string[]): boolean {
  const held = new Set(scopes.map(permissionName));
  return entry.permissions.some((p) => held.has(p.toLowerCase()));
}

/** The basic permissions (Mail.ReadBasic, Calendars.ReadBasic): everything of a message or an event but what {@link basicExcludes} names. */
const BASIC_PERMISSIONS = new Set(["mail.readbasic", "mail.readbasic.all", "mail.readbasic.shared", "calendars.readbasic", "calendars.readbasic.all"]);

/**
 * The properties the basic permissions withhold, of a message Mail.ReadBasic's. The official map's own description of the
 * permission: "read email in the signed-in user's mailbox except body, previewBody, attachments and
 * any extended properties" (official/microsoft/graph-permissions.json); the permissions reference
 * adds uniqueBody and extensions, and "does not include permissions to search messages" (as quoted
 * in microsoftgraph/microsoft-graph-docs#10946); its announcement: "Mail messages without the body
 * or attachments". Calendars.ReadBasic withholds the same of an event: the map's description, "read
 * events in user calendars, except for properties such as body, attachments, and extensions"
 * (bodyPreview is the body's start).
 */
export const BASIC_WITHHELD = ["body", "bodyPreview", "uniqueBody", "attachments", "extensions", "singleValueExtendedProperties", "multiValueExtendedProperties"];
const WITHHELD = new RegExp(`(?<![\\w])(${BASIC_WITHHELD.join("|")})(?![\\w])`, "i");

/**
 * True when the grant reaches the request only through a basic permission (Mail.ReadBasic, or on a
 * calendar's path Calendars.ReadBasic; helper-149 #3: a token holding it alone was served bodies):
 * no broader permission the map lists for the path, and none of the same family's Read or ReadWrite
 * ("read, update, create and delete email", the map's description of Mail.ReadWrite), which the map
 * does not list on every path they cover (GET /me/messages/{id} names Mail.ReadBasic and Mail.Read
 * only; helper-114 #6).
 */
export function basicOnly(entry: GraphEntry, scopes: readonly string[]): boolean {
  const held = new Set(scopes.map(permissionName));
  const granting = entry.permissions.map((p) => p.toLowerCase()).filter((p) => held.has(p));
  if (!granting.length || !granting.every((p) => BASIC_PERMISSIONS.has(p))) return false;
  // The broader permissions of the same family ("mail", "calendars"; their .Shared forms reach the
  // user's own mailbox too), listed on the path or not (helper-151).
  const family = granting[0].split(".")[0];
  return ![`${family}.read`, `${family}.readwrite`, `${family}.read.shared`, `${family}.readwrite.shared`].some((p) => held.has(p));
}

/**
 * What a request granted through a basic permission alone asks for of what it withholds
 * ({@link BASIC_WITHHELD}): named in `$select`, `$expand` or `$filter` (outside its string
 * literals), or any `$search`. `query` is the request's options as the routes read them (names
 * lower-cased, the last of a repeated one: graph/query `queryOf`). Graph's answer to such a request
 * is not documented; the sandbox refuses it (403 ErrorAccessDenied, as for a permission the grant
 * lacks), so a call that needs more than the permission it relies on fails here (helper-108 #6: the
 * path alone was checked). What such a grant is served leaves the withheld properties out
 * (graph/http `ok`). Undefined when the query asks for none of it.
 */
export function basicExcludes(query: ReadonlyMap<string, string>): string | undefined {
  if (query.has("$search")) return "$search";
  for (const option of ["$select", "$expand", "$filter"]) {
    const text = (query.get(option) ?? "").replace(/'(?:[^']|'')*'/g, "''");
    const found = WITHHELD.exec(text);
    if (found) return `${option} ${found[1]}`;
  }
  return undefined;
}
