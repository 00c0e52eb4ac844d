/** Error bodies in each provider's real JSON shape. */
import type { FaultReason } from "./faults";

const googleStatus: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  409: "ABORTED",
  410: "FAILED_PRECONDITION",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  503: "UNAVAILABLE",
};

/** A Google API error: `{"error": {"code", "message", "errors": [{message, domain, reason}], "status"}}`. */
export function googleError(code: number, message: string, reason: string, extra: Record<string, unknown> = {}) {
  return {
    error: {
      code,
      message,
      errors: [{ message, domain: "global", reason, ...extra }],
      status: googleStatus[code] ?? "UNKNOWN",
    },
  };
}

/** A Microsoft Graph error: `{"error": {"code", "message", "innerError": {...}}}`. */
export function graphError(code: string, message: string) {
  return {
    error: {
      code,
      message,
      innerError: {
        date: new Date().toISOString().replace(/\.\d+Z$/, ""),
        "request-id": crypto.randomUUID(),
        "client-request-id": crypto.randomUUID(),
      },
    },
  };
}

/**
 * Google's 403 for a token whose scopes do not authorise the method (googleworkspace/php-samples
 * issue 123, GeneralTask/task-manager pull request 2160): reason insufficientPermissions, and an
 * ErrorInfo ACCESS_TOKEN_SCOPE_INSUFFICIENT naming the backend method and service.
 */
export function googleScopeError(errorInfo: { method: string; service: string }) {
  const body = googleError(403, "Request had insufficient authentication scopes.", "insufficientPermissions");
  body.error.errors[0].message = "Insufficient Permission";
  return {
    error: {
      ...body.error,
      details: [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "ACCESS_TOKEN_SCOPE_INSUFFICIENT", domain: "googleapis.com", metadata: { ...errorInfo } }],
    },
  };
}

/** The `WWW-Authenticate` header of that 403: RFC 6750 insufficient_scope, listing the scopes that would do. */
export function googleScopeChallenge(scopes: readonly string[]): string {
  return `Bearer realm="https://accounts.google.com/", error="insufficient_scope", scope="${scopes.join(" ")}"`;
}

/** Graph's 403 for a token without a permission that grants the call (microsoftgraph/microsoft-graph-docs issue 3289). */
export function graphAccessDenied() {
  return graphError("ErrorAccessDenied", "Access is denied. Check credentials and try again.");
}

/** Google's 400 for a query parameter outside its enum, in each API's own wording. */
export function googleEnumError(api: "gmail" | "calendar", name: string, value: string, allowed: readonly string[]) {
  if (api === "calendar")
    return googleError(400, `Invalid value '${value}'. Values must match the following regular expression: '(${allowed.join("|")})'`, "invalidParameter", {
      location: name,
      locationType: "parameter",
    });
  // One Platform names the field in snake case and the proto enum type (format -> Format, historyTypes -> HistoryType).
  const field = name.replace(/[A-Z]/g, (ch) => `_${ch.toLowerCase()}`);
  const type = (name.charAt(0).toUpperCase() + name.slice(1)).replace(/s$/, "");
  return googleError(400, `Invalid value at '${field}' (type.googleapis.com/gmail.v1.${type}), "${value}"`, "invalidArgument");
}

/** Gmail's (One Platform's) answer to a query parameter the method does not have (official/google unknownParameter). */
export function googleUnknownParameterError(name: string) {
  return googleError(400, `Invalid JSON payload received. Unknown name "${name}": Cannot bind query parameter. Field '${name}' could not be found in request message.`, "invalidArgument");
}

/** The Cloud project number the sandbox's disabled-API answers name (a real one is the OAuth client id's first part). */
export const SANDBOX_PROJECT_NUMBER = "123456789012";

/**
 * Google's 403 for an API turned off in the OAuth client's Cloud project: reason `accessNotConfigured`,
 * domain `usageLimits`, the sentence naming the API and its activation page (DSchau/gatsby-mail issue
 * 35, Gmail; taylorwilsdon/google_workspace_mcp issue 126, Calendar as `calendar-json.googleapis.com`),
 * and the ErrorInfo `SERVICE_DISABLED` of newer answers (google-gemini/gemini-cli issue 1343).
 */
export function googleApiDisabled(api: "gmail" | "calendar", project = SANDBOX_PROJECT_NUMBER) {
  const [serviceTitle, service] = api === "gmail" ? ["Gmail API", "gmail.googleapis.com"] : ["Google Calendar API", "calendar-json.googleapis.com"];
  const activationUrl = `https://console.developers.google.com/apis/api/${service}/overview?project=${project}`;
  const message = `${serviceTitle} has not been used in project ${project} before or it is disabled. Enable it by visiting ${activationUrl} then retry. If you enabled this API recently, wait a few minutes for the action to propagate to our systems and retry.`;
  const body = googleError(403, message, "accessNotConfigured", { domain: "usageLimits", extendedHelp: "https://console.developers.google.com" });
  return {
    error: {
      ...body.error,
      details: [
        {
          "@type": "type.googleapis.com/google.rpc.ErrorInfo",
          reason: "SERVICE_DISABLED",
          domain: "googleapis.com",
          metadata: { serviceTitle, consumer: `projects/${project}`, containerInfo: project, service, activationUrl },
        },
      ],
    },
  };
}

/** Which provider family a route belongs to; decides the error shape and the quota model. */
export type Api = "gmail" | "calendar" | "graph" | "oauth" | "control";

/** The body a provider sends for a fault status on its API. */
export function faultBody(api: Api, status: number, reason?: FaultReason): unknown {
  if (api === "graph") {
    if (status === 404 && reason === "MailboxNotEnabledForRESTAPI") return graphError("MailboxNotEnabledForRESTAPI", "The mailbox is either inactive, soft-deleted, or is hosted on-premise.");
    if (status === 429) return graphError("TooManyRequests", "Too many requests. Please retry after the interval in the Retry-After header.");
    if (status === 503) return graphError("ServiceUnavailable", "The service is temporarily unavailable.");
    if (status === 401) return graphError("InvalidAuthenticationToken", "Access token is empty or invalid.");
    // A 403 the grant does not explain (a mailbox or conditional-access policy): the same body as a missing permission.
    if (status === 403) return graphAccessDenied();
    return graphError("generalException", "An internal server error occurred.");
  }
  if (status === 429) return googleError(429, "User-rate limit exceeded.", "rateLimitExceeded");
  if (status === 400 && reason === "failedPrecondition") return googleError(400, "Mail service not enabled", "failedPrecondition");
  if (status === 403 && reason === "notACalendarUser") return googleError(403, "The user must be signed up for Google Calendar.", "notACalendarUser", { domain: "calendar" });
  if (status === 403 && reason === "domainPolicy") return googleError(403, "The domain administrators have disabled Gmail apps.", "domainPolicy");
  // The project's daily quota, in both APIs' guides' words (faults.ts FaultSpec `reason`).
  if (status === 403 && reason === "dailyLimitExceeded") return googleError(403, "Daily Limit Exceeded", "dailyLimitExceeded", { domain: "usageLimits" });
  if (status === 403 && reason === "accessNotConfigured" && (api === "gmail" || api === "calendar")) return googleApiDisabled(api);
  if (status === 403) return googleError(403, "User-rate limit exceeded.", "userRateLimitExceeded");
  if (status === 503) return googleError(503, "The service is currently unavailable.", "backendError");
  if (status === 401)
    return googleError(401, "Request had invalid authentication credentials.", "authError", { location: "Authorization", locationType: "header" });
  return googleError(500, "Backend Error", "backendError");
}
