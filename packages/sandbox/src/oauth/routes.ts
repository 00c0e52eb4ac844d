import type { Hono } from "hono";
import type { SandboxEnv } from "../guard";
import type { SandboxState } from "../state";
import { googleOAuthRoutes } from "./google";
import { microsoftOAuthRoutes } from "./microsoft";
import { policyRoutes } from "./policy";

/**
 * Registers the Google (`/google/...`) and Microsoft (`/microsoft/:tenant/oauth2/v2.0/...`) OAuth endpoints:
 * authorize pages, token endpoints, Google revoke and userinfo; and the control routes of identity-provider
 * policies (tenant-withheld permissions, refresh errors, withdrawn scopes: ./policy).
 */
export function oauthRoutes(app: Hono<SandboxEnv>, state: SandboxState): void {
  googleOAuthRoutes(app, state);
  microsoftOAuthRoutes(app, state);
  policyRoutes(app, state);
}
