import { Hono, type MiddlewareHandler } from "hono";
import { calendarRoutes } from "./calendar/routes";
import { controlRoutes } from "./control";
import { gmailRoutes } from "./gmail/routes";
import { graphRoutes } from "./graph/routes";
import type { SandboxEnv } from "./guard";
import { send } from "./guard";
import { oauthRoutes } from "./oauth/routes";
import type { SandboxState } from "./state";

/**
 * The control API answers its callers (tests, the CLI, the demo: a program's fetch, sending no
 * Origin and no Sec-Fetch-Site; a person opening a control URL in the browser: Sec-Fetch-Site
 * `none`), never a request a web page made. Loopback binding and the Host check stop DNS rebinding,
 * not a page that POSTs a text/plain body to http://127.0.0.1:<port>/_control/… without a preflight:
 * a page the person visits could inject faults, move the mailbox clock, revoke the demo's grants or
 * load a fixture from any folder on disk (helper-285 #1). The browser sends `Sec-Fetch-Site` and, on
 * a POST, `Origin` on such a request, and no page can forge either.
 */
const controlFromHereOnly: MiddlewareHandler<SandboxEnv> = async (c, next) => {
  const site = c.req.header("sec-fetch-site");
  const origin = c.req.header("origin");
  if ((site !== undefined && site !== "same-origin" && site !== "none") || (origin !== undefined && origin !== new URL(c.req.url).origin))
    return send(c, 403, { error: "the control API does not answer requests made by web pages" });
  await next();
};

/** The sandbox as a Hono app: Gmail, Calendar, Graph, OAuth and the control API over one state. */
export function createSandboxApp(state: SandboxState): Hono<SandboxEnv> {
  const app = new Hono<SandboxEnv>();
  // Before every route: the provider-specific control routes (adding mail, reading drafts) are the providers' own.
  app.use("/_control/*", controlFromHereOnly);
  oauthRoutes(app, state);
  gmailRoutes(app, state);
  calendarRoutes(app, state);
  graphRoutes(app, state);
  controlRoutes(app, state);
  // What a person opening the sandbox's address finds: whose mailboxes it serves and where it is described.
  app.get("/", (c) =>
    c.text(
      `Followthrough provider sandbox: ${[...state.accounts.keys()].join(", ") || "no accounts"}\n` +
        "It answers Gmail v1 (/gmail/v1), Calendar v3 (/calendar/v3), Graph v1.0 (/v1.0) and their OAuth endpoints, and a control API for tests (/_control): docs/sandbox.md.\n",
    ),
  );
  app.notFound((c) => {
    const path = new URL(c.req.url).pathname;
    // An API path with no route is a call the providers' contract does not have (or the sandbox lacks): kept among the refusals.
    const api = path.startsWith("/gmail/") ? "gmail" : path.startsWith("/calendar/") ? "calendar" : /^\/(v1\.0|beta)\//.test(path) ? "graph" : undefined;
    if (api) state.refused({ api, request: `${c.req.method} ${path}`, status: 404, email: "", scopes: [] });
    return send(c, 404, { error: { code: 404, message: `No sandbox route for ${c.req.method} ${path}` } });
  });
  app.onError((err, c) => {
    if (err instanceof TypeError && err.message.includes("connection reset")) throw err;
    return send(c, 500, { error: { code: 500, message: err.message } });
  });
  return app;
}
