/** The bodies a `status` fault on a Graph route can answer instead of Graph's JSON error ({@link FaultSpec} `body`). */
export const GATEWAY_BODIES = ["empty", "html", "text", "json-as-text", "json-untyped"] as const;
export type GatewayBody = (typeof GATEWAY_BODIES)[number];

/** The documented refusals a status fault can answer instead of its status's default body ({@link FaultSpec} `reason`). */
export type FaultReason = "domainPolicy" | "MailboxNotEnabledForRESTAPI" | "failedPrecondition" | "notACalendarUser" | "dailyLimitExceeded" | "accessNotConfigured";

/** A fault a test injects on a route (by route id, `*` for any route of the account). */
export interface FaultSpec {
  /** Route id such as `gmail.messages.get`, a prefix ending in `*` (`gmail.*`), or `*`. */
  route: string;
  /** Restrict to one account (email); any account when absent. */
  account?: string;
  /**
   * - `status`: answer with `status` (429, 500, 503, 403...) in the provider's error shape;
   * - `reset`: destroy the connection without an answer;
   * - `latency`: delay by `latencyMs`, then serve normally;
   * - `expire`: expire the account's sync cursors of this API, then serve normally (the request itself fails as expired).
   */
  kind: "status" | "reset" | "latency" | "expire";
  status?: number;
  /**
   * A documented reason instead of the status's default body: `domainPolicy`, a Gmail 403, "The
   * domain administrators have disabled Gmail apps." (developers.google.com/workspace/gmail/api/guides/handle-errors,
   * 403 errors: the app cannot be used in the authenticated user's domain); `MailboxNotEnabledForRESTAPI`,
   * a Graph 404, the mailbox inactive, soft-deleted, without an Exchange Online licence or on-premises
   * (microsoftgraph/msgraph-sdk-javascript issue 1756, microsoftgraph/microsoft-graph-docs-contrib
   * issues 405 and 717); `failedPrecondition`, a Gmail 400, "Mail service not enabled": the account
   * has no Gmail, or its Workspace administrator turned it off for the account (FlowCrypt/flowcrypt-browser
   * issues 435 and 4838, bkaankose/Wino-Mail pull request 580); `notACalendarUser`, a Calendar 403,
   * "The user must be signed up for Google Calendar.": Calendar turned off for the account by its
   * Workspace administrator, or the account suspended (closeio/sync-engine pull request 462,
   * GAM-team/GAM issue 806; the body, domain `calendar`, as webhookdb/webhookdb issue 624 shows it);
   * `dailyLimitExceeded`, a Gmail or Calendar 403, domain `usageLimits`, "Daily Limit Exceeded": the
   * Cloud project's daily (courtesy) quota is spent, for every user, until Google's quota day ends at
   * midnight Pacific Time; no Retry-After (developers.google.com/gmail/api/guides/handle-errors,
   * "Resolve a 403 error: Daily limit exceeded"; developers.google.com/calendar/api/guides/errors,
   * "403: Daily Limit Exceeded"; developers.google.com/workspace/guides/quota-overview for the reset);
   * `accessNotConfigured`, a Gmail or Calendar 403, domain `usageLimits`: the API is turned off in the
   * Cloud project of the OAuth client, "<API> has not been used in project N before or it is disabled.
   * Enable it by visiting …" (DSchau/gatsby-mail issue 35 for Gmail's body; taylorwilsdon/google_workspace_mcp
   * issue 126 for Calendar's, service `calendar-json.googleapis.com`), with the ErrorInfo
   * `SERVICE_DISABLED` that newer answers carry (google-gemini/gemini-cli issue 1343).
   */
  reason?: FaultReason;
  /**
   * For a `status` fault on a Graph route: answer as a gateway in front of Graph does, not with
   * Graph's JSON error. `empty`: no body and no content type (a 429 from Microsoft's front end with
   * Content-Length 0: OneDrive/onedrive-api-docs issue 177); `html`: a short text/html error page (a
   * 503 page instead of JSON: OneDrive/onedrive-api-docs issue 697, laurent22/joplin issue 4451);
   * `text`: a text/plain line (any proxy's; not reported of Graph, our assumption). Or Graph's own
   * JSON error (the status's, or its `reason`'s) under a content type that does not say JSON:
   * `json-untyped` with no Content-Type at all (a Microsoft service behind Graph answered a JSON
   * error so: microsoftgraph/msgraph-sdk-dotnet-core issue 167; "the contentype of an error response
   * may be null", PR 164, issue 113), `json-as-text` labelled text/plain (our assumption, as any
   * proxy's relabelling). The Retry-After goes with it all the same: Graph's 429 carries one
   * (learn.microsoft.com/graph/throttling), and a 503 may (learn.microsoft.com/graph/errors).
   */
  body?: GatewayBody;
  /** Seconds for the Retry-After header on a status fault. */
  retryAfter?: number;
  latencyMs?: number;
  /** Let this many matching calls through before the fault starts. Default 0. */
  after?: number;
  /** How many calls the fault hits; default 1; `Infinity` (or 0 in JSON) for every call. */
  times?: number;
  /**
   * For `status` and `reset`: `before` (default) answers instead of the call, so the provider did
   * nothing; `after` lets the call do its work (a draft is created, a message sent) and then loses
   * the answer: the client sees the status or a dropped connection, as when a response is lost.
   */
  phase?: "before" | "after";
}

interface ActiveFault extends FaultSpec {
  id: number;
  seen: number;
  hits: number;
}

/** Matches calls against injected faults and counts down their uses. */
export class FaultRegistry {
  private faults: ActiveFault[] = [];
  private nextId = 1;

  /** Adds a fault; returns its id. */
  add(spec: FaultSpec): number {
    const times = spec.times === undefined ? 1 : spec.times === 0 ? Infinity : spec.times;
    const id = this.nextId++;
    this.faults.push({ ...spec, times, id, seen: 0, hits: 0 });
    return id;
  }

  /** Removes every fault. */
  clear(): void {
    this.faults = [];
  }

  /** Faults still armed (for the control API). */
  list(): FaultSpec[] {
    return this.faults.map(({ seen: _s, ...f }) => f);
  }

  /** The fault that hits this call, if any, counting the call against every matching fault. */
  take(route: string, account: string | undefined): ActiveFault | undefined {
    let hit: ActiveFault | undefined;
    for (const f of this.faults) {
      if (f.account && account && f.account.toLowerCase() !== account.toLowerCase()) continue;
      if (f.account && !account) continue;
      if (!matches(f.route, route)) continue;
      f.seen++;
      if (!hit && f.seen > (f.after ?? 0) && f.hits < (f.times ?? 1)) {
        f.hits++;
        hit = f;
      }
    }
    this.faults = this.faults.filter((f) => f.hits < (f.times ?? 1));
    return hit;
  }
}

function matches(pattern: string, route: string): boolean {
  if (pattern === "*") return true;
  if (pattern.endsWith("*")) return route.startsWith(pattern.slice(0, -1));
  return pattern === route;
}
