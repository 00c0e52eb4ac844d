import type { Hono } from "hono";
import type { SandboxEnv } from "../guard";
import type { SandboxState } from "../state";
import { googleOAuthRoutes } from "./google";
import { microsoftOAuthRoutes } from "./microsoft";

/**
 * Registers the Google (`/google/...`) and Microsoft (`/microsoft/:tenant/oauth2/v2.0/...`) OAuth endpoints:
 * authorize pages, token endpoints, Google revoke and userinfo.
 */
export function oauthRoutes(app: Hono<SandboxEnv>, state: SandboxState): void {
  googleOAuthRoutes(app, state);
  microsoftOAuthRoutes(app, state);
}
