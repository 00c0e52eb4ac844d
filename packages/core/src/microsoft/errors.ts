import { isNetworkError, parseRetryAfter, ProviderError } from "../resilience";
import { GrantError } from "../oauth";

/** Maps a Graph client error (GraphError, grant failure, network) to a neutral kind. */
export function classifyGraphError(e: unknown): ProviderError {
  if (e instanceof ProviderError) return e;
  if (e instanceof GrantError) return new ProviderError(e.code === "invalid_grant" ? "auth-revoked" : "invalid", `microsoft: ${e.message}`, 400, undefined, { cause: e });
  const g = (e ?? {}) as { statusCode?: number; code?: string | null; message?: string; headers?: Headers; body?: unknown };
  const status = typeof g.statusCode === "number" && g.statusCode > 0 ? g.statusCode : undefined;
  const code = (g.code ?? "").toString();
  const message = `microsoft: ${code ? `${code}: ` : ""}${g.message ?? String(e)}`.split("\n")[0];
  const retryAfter = parseRetryAfter(g.headers?.get?.("retry-after"));
  if (status === undefined) return new ProviderError(isNetworkError(e) || g.statusCode === -1 ? "temporary" : "temporary", message, undefined, undefined, { cause: e });
  if (status === 410 || /syncstatenotfound|syncstateinvalid|resyncrequired/i.test(code)) return new ProviderError("cursor-expired", message, status, undefined, { cause: e });
  if (status === 429) return new ProviderError("rate-limited", message, status, retryAfter, { cause: e });
  if (status >= 500) return new ProviderError("temporary", message, status, retryAfter, { cause: e });
  if (status === 401 || status === 403) return new ProviderError("auth-revoked", message, status, undefined, { cause: e });
  if (status === 404) return new ProviderError("not-found", message, status, undefined, { cause: e });
  return new ProviderError("invalid", message, status, undefined, { cause: e });
}
