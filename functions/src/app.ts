/**
 * The HTTP app, local-only routes included: {@link createApp} is functions/src/routes.ts's app
 * plus, when `deps.local` is set (`npm start`), the accounts index and the sandbox viewers of
 * functions/src/local.ts. The deployed API builds routes.ts's app directly (functions/src/api.ts),
 * so none of the local code, nor the MIME parser its viewers use, is in its bundle.
 */
import type { Hono } from "hono";
import type { AppDeps } from "./kit";
import { mountLocal } from "./local";
import { buildApp } from "./routes";

export type { AppDeps, ConnectDeps } from "./kit";
export { localDraftLanding } from "./local";
export { latestDigestWeek } from "./kit";

/** Builds the app with the local-only routes (mounted only when `deps.local` is set). */
export function createApp(deps: AppDeps): Hono {
  return buildApp(deps, (app, kit) => mountLocal(app, deps, kit));
}
