import type { Hono } from "hono";
import type { SandboxEnv } from "../guard";
import type { SandboxState } from "../state";

/** STUB: registers the graph API routes and its control routes. */
export function graphRoutes(app: Hono<SandboxEnv>, state: SandboxState): void {
  void app;
  void state;
}
