/** Lambda entry of the Hono app behind the Function URL (functions/src/routes.ts: no local-only route). */
import type { Hono } from "hono";
import { handle, type LambdaContext, type LambdaEvent } from "hono/aws-lambda";
import { buildApp } from "./routes";
import { appDeps, type Deps, resourceDeps } from "./resources";

/**
 * The handler over given deps. The app's public origin is its Function URL, which the function
 * cannot link to itself: it is taken from the first request's host (a configured base URL wins).
 */
export function createApiHandler(deps: () => Deps) {
  let app: Hono | undefined;
  return async (event: LambdaEvent, context?: LambdaContext) => {
    if (!app) {
      const d = deps();
      const host = "requestContext" in event && event.requestContext && "domainName" in event.requestContext ? event.requestContext.domainName : undefined;
      app = buildApp(appDeps(d, d.baseUrl ?? (host ? `https://${host}` : undefined)));
    }
    return handle(app)(event, context);
  };
}

export const handler = createApiHandler(resourceDeps);
