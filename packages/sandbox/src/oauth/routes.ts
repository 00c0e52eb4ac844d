import type { Hono } from "hono";
import type { SandboxEnv } from "../guard";
import type { SandboxState } from "../state";

/** STUB: registers the Google and Microsoft OAuth endpoints. */
export function oauthRoutes(app: Hono<SandboxEnv>, state: SandboxState): void {
  void app;
  void state;
}
