import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { serve, type ServerType } from "@hono/node-server";
import selfsigned from "selfsigned";
import { isLoopbackHost, loopbackOnly } from "@followthrough/core/net";
import { createSandboxApp } from "./app";
import { SandboxState, type SandboxOptions } from "./state";

/** Where to listen. */
export interface ListenOptions {
  /** HTTP port; 0 (default) picks a free one. */
  port?: number;
  /** Also serve HTTPS with a fresh self-signed certificate for `localhost` (Graph's client sends tokens only over https). */
  https?: boolean | { port?: number };
  /** Interface to bind; loopback by default. */
  hostname?: string;
}

/** A running sandbox. */
export interface RunningSandbox {
  /** HTTP origin, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** HTTPS origin on `localhost` when https was asked for. */
  httpsUrl?: string;
  /** PEM of the self-signed certificate, for clients that must trust it. */
  ca?: string;
  state: SandboxState;
  app: ReturnType<typeof createSandboxApp>;
  close(): Promise<void>;
}

function listen(server: ServerType): Promise<number> {
  return new Promise((resolve, reject) => {
    if (server.listening) return resolve((server.address() as AddressInfo).port);
    server.once("listening", () => resolve((server.address() as AddressInfo).port));
    server.once("error", reject);
  });
}

function closeServer(server: ServerType): Promise<void> {
  return new Promise((resolve) => {
    const s = server as ServerType & { closeAllConnections?: () => void };
    server.close(() => resolve());
    s.closeAllConnections?.();
  });
}

/** Starts the sandbox on loopback with the given fixtures; `close()` stops it. */
export async function startSandbox(options: SandboxOptions & ListenOptions = {}): Promise<RunningSandbox> {
  const state = new SandboxState(options);
  const app = createSandboxApp(state);
  const hostname = options.hostname ?? "127.0.0.1";
  // On loopback (the default) only loopback Host names are answered: no DNS rebinding.
  const fetch = isLoopbackHost(hostname) ? loopbackOnly(app.fetch) : app.fetch;
  const http = serve({ fetch, port: options.port ?? 0, hostname });
  const port = await listen(http);
  state.baseUrl = `http://${hostname}:${port}`;
  const servers: ServerType[] = [http];
  const running: RunningSandbox = { url: state.baseUrl, state, app, close: async () => void (await Promise.all(servers.map(closeServer))) };
  if (options.https) {
    // An ECDSA P-256 key (as Google's and Microsoft's own certificates can be): made in about 10 ms,
    // where an RSA 2048 one took 100-500 ms at every start, the test suite's hundreds of them included.
    const pems = await selfsigned.generate([{ name: "commonName", value: "localhost" }], {
      keyType: "ec",
      algorithm: "sha256",
      extensions: [{ name: "subjectAltName", altNames: [{ type: 2, value: "localhost" }, { type: 7, ip: "127.0.0.1" }] }],
    });
    const httpsPort = typeof options.https === "object" ? (options.https.port ?? 0) : 0;
    const https = serve({
      fetch,
      port: httpsPort,
      hostname,
      createServer: createHttpsServer,
      serverOptions: { key: pems.private, cert: pems.cert },
    });
    servers.push(https);
    // The https port refused (in use, say): the http server already listening closes too, or the
    // command's one-line error is printed over a process that never exits (helper-190 #2).
    const p = await listen(https).catch(async (e: unknown) => {
      await running.close().catch(() => undefined);
      throw e;
    });
    state.httpsUrl = `https://localhost:${p}`;
    running.httpsUrl = state.httpsUrl;
    running.ca = pems.cert;
  }
  return running;
}
