/** Error bodies in each provider's real JSON shape. */

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

/** Which provider family a route belongs to; decides the error shape and the quota model. */
export type Api = "gmail" | "calendar" | "graph" | "oauth" | "control";

/** The body a provider sends for a fault status on its API. */
export function faultBody(api: Api, status: number): unknown {
  if (api === "graph") {
    if (status === 429) return graphError("TooManyRequests", "Too many requests. Please retry after the interval in the Retry-After header.");
    if (status === 503) return graphError("ServiceUnavailable", "The service is temporarily unavailable.");
    if (status === 401) return graphError("InvalidAuthenticationToken", "Access token is empty or invalid.");
    return graphError("generalException", "An internal server error occurred.");
  }
  if (status === 429) return googleError(429, "User-rate limit exceeded.", "rateLimitExceeded");
  if (status === 403) return googleError(403, "User-rate limit exceeded.", "userRateLimitExceeded");
  if (status === 503) return googleError(503, "The service is currently unavailable.", "backendError");
  if (status === 401)
    return googleError(401, "Request had invalid authentication credentials.", "authError", { location: "Authorization", locationType: "header" });
  return googleError(500, "Backend Error", "backendError");
}
