import type { Hono } from "hono";
import type { SandboxEnv } from "../guard";
import type { SandboxState } from "../state";

/** STUB: registers the calendar API routes and its control routes. */
export function calendarRoutes(app: Hono<SandboxEnv>, state: SandboxState): void {
  void app;
  void state;
}
