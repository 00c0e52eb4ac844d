/**
 * The Microsoft adapter's transport (core/microsoft/transport): Graph and the token refresh go over
 * node:https through node-fetch, never Node's global fetch (undici costs an Outlook Lambda run
 * ~15 MiB more, docs/benchmarks.md (6)), with the same behaviour: the sandbox's certificate trusted
 * through an https.Agent, Retry-After waited out, a dropped connection retried, a revoked grant
 * told apart from an outage.
 */
import { createServer as createHttpServer } from "node:http";
import { type AddressInfo, createServer } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { microsoftOptions } from "../packages/core/src/runtime/microsoft-reader";
import { microsoftProvider } from "@followthrough/core/microsoft";
import { ProviderError } from "@followthrough/core/resilience";
import { type FaultSpec, sandboxAgent } from "@followthrough/sandbox";
import { ownFixture } from "./support/fixtures";
import { type ScanHarness, startScanHarness } from "./support/scan-harness";

describe("the Graph adapter's transport (demo-microsoft)", () => {
  let h: ScanHarness;
  const globalFetch = globalThis.fetch;
  let globalCalls: string[] = [];
  /** The global fetch, counted and refused, while the adapter runs (the harness's control calls restore it). */
  const withoutGlobalFetch = async <T>(fn: () => Promise<T>): Promise<T> => {
    globalThis.fetch = (async (input: string | URL | Request) => {
      globalCalls.push(String(input instanceof Request ? input.url : input));
      throw new Error("the global fetch was called");
    }) as typeof fetch;
    try {
      return await fn();
    } finally {
      globalThis.fetch = globalFetch;
    }
  };

  beforeAll(async () => {
    h = await startScanHarness({ fixture: ownFixture("demo-microsoft") });
  }, 60_000);
  afterEach(async () => {
    globalThis.fetch = globalFetch;
    globalCalls = [];
    await h.clearFaults();
  });
  afterAll(async () => h?.close());

  /** A provider of the harness's account that makes one attempt per call (an error as the adapter's retry sees it); `o` adds to its options. */
  const oneAttempt = (o: Partial<Parameters<typeof microsoftProvider>[0]> = {}) =>
    microsoftProvider({ ...microsoftOptions(h.account(), { ring: h.ring, microsoft: { fetchOptions: { agent: sandboxAgent(h.sandbox.ca!) } as never } }), retry: { attempts: 1 }, ...o });

  /**
   * A Graph answer of `status` with `body` and a 7 s Retry-After: classified with its status, kind and
   * wait in one attempt, then waited out by the adapter's retry (the pause the header's, not the 5 ms
   * base), which reads the profile. The classified error.
   */
  const classifiedThenWaitedOut = async (status: 429 | 503, body: NonNullable<FaultSpec["body"]>): Promise<ProviderError> => {
    await h.injectFault({ route: "graph.*", kind: "status", status, body, retryAfter: 7, times: 1 });
    const e = await withoutGlobalFetch(() => oneAttempt().profile()).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ProviderError);
    expect((e as ProviderError).status).toBe(status);
    expect((e as ProviderError).kind).toBe(status === 429 ? "rate-limited" : "temporary");
    expect((e as ProviderError).retryAfterMs).toBe(7_000);
    await h.injectFault({ route: "graph.*", kind: "status", status, body, retryAfter: 7, times: 1 });
    const before = h.clock!.now();
    const profile = await withoutGlobalFetch(() => h.provider.profile());
    expect(profile.email.toLowerCase()).toBe(h.email.toLowerCase());
    expect(h.clock!.now() - before).toBeGreaterThanOrEqual(7_000);
    expect(globalCalls).toEqual([]);
    return e as ProviderError;
  };

  /** `server` listening on a loopback port: its URL, and a close that ends its connections too. */
  const listening = async (server: ReturnType<typeof createHttpServer>) => {
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: async () => {
        server.closeAllConnections();
        await new Promise<void>((r) => server.close(() => r()));
      },
    };
  };

  it("refreshes the token and reads the profile and a whole scan without the global fetch", async () => {
    await h.resetStats();
    const profile = await withoutGlobalFetch(() => h.provider.profile());
    expect(profile.email.toLowerCase()).toBe(h.email.toLowerCase());
    const result = await withoutGlobalFetch(() => h.scan(h.clock!.now()));
    expect(globalCalls).toEqual([]);
    expect(result.complete).toBe(true);
    expect(result.streams.sentMail.upserts).toBeGreaterThan(0);
    expect(result.streams.calendar.upserts).toBeGreaterThan(0);
    // The sandbox answered these over HTTPS (its certificate trusted through the agent only).
    const stats = await h.stats();
    expect(Object.keys(stats.calls).filter((k) => k.startsWith("graph.")).length).toBeGreaterThan(2);
  });

  it("waits out a 429's Retry-After and retries a dropped connection, still without the global fetch", async () => {
    await h.injectFault([
      { route: "graph.*", kind: "status", status: 429, retryAfter: 7, times: 1 },
      { route: "graph.*", kind: "reset", after: 1, times: 1 },
    ]);
    const before = h.clock!.now();
    await withoutGlobalFetch(() => h.provider.profile());
    expect(globalCalls).toEqual([]);
    // The pause came from the answer's Retry-After header (read from node-fetch's headers), not the 5 ms base.
    expect(h.clock!.now() - before).toBeGreaterThanOrEqual(7_000);
  });

  it.each([
    [429, "empty"],
    [429, "text"],
    [503, "html"],
    [503, "empty"],
  ] as const)("a %i whose body is not Graph's JSON (%s, a gateway's answer) keeps its Retry-After: classified with it, and waited out (helper-265 #2)", async (status, body) => {
    await classifiedThenWaitedOut(status, body);
  });

  it.each([
    [429, "json-as-text", "TooManyRequests"],
    [429, "json-untyped", "TooManyRequests"],
    [503, "json-as-text", "ServiceUnavailable"],
    [503, "json-untyped", "ServiceUnavailable"],
  ] as const)("a %i with Graph's own JSON error under a label that is not JSON (%s) keeps its Retry-After and its code: classified with them, and waited out", async (status, body, code) => {
    // The client parses an error body only when it is labelled application/json: text/plain became a
    // string and no label a stream, each a GraphError of the status alone (no headers, no code).
    expect((await classifiedThenWaitedOut(status, body)).message).toMatch(new RegExp(`^microsoft: ${code}: `));
  });

  it.each(["json-as-text", "json-untyped"] as const)("a mailbox Graph cannot serve (404 MailboxNotEnabledForRESTAPI) is told by its code under a label that is not JSON (%s), not read as a plain not-found", async (body) => {
    await h.injectFault({ route: "graph.*", kind: "status", status: 404, reason: "MailboxNotEnabledForRESTAPI", body, times: 1 });
    const e = await withoutGlobalFetch(() => oneAttempt().profile()).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ProviderError);
    expect((e as ProviderError).kind).toBe("auth-revoked");
    expect(((e as ProviderError).cause as { code?: string }).code).toBe("MailboxNotEnabledForRESTAPI");
  });

  /** A server that answers every request with `status` and `headers`, then a body that never ends (until the client closes the connection). */
  const endlessAnswer = async (status: number, headers: Record<string, string>) => {
    let written = 0;
    let closed!: () => void;
    const connectionClosed = new Promise<void>((r) => (closed = r));
    const server = createHttpServer((req, res) => {
      res.writeHead(status, headers);
      const chunk = Buffer.alloc(16 * 1024, "x");
      const pump = () => {
        while (!res.destroyed && res.write(chunk)) written += chunk.length;
      };
      res.on("drain", pump).on("close", () => closed());
      pump();
    });
    return { ...(await listening(server)), written: () => written, connectionClosed };
  };

  it("reads no more than 64 KiB of an error body: a 429 whose body never ends is classified by its status and Retry-After at once, and its connection closed", async () => {
    // A front end that answers a 429 and then streams without end (or megabytes): the transport stops
    // reading at ERROR_BODY_LIMIT and closes the connection, instead of reading until the request's timeout.
    const graph = await endlessAnswer(429, { "content-type": "text/html", "retry-after": "7" });
    try {
      const p = oneAttempt({ baseUrl: graph.url, requestTimeoutMs: 10_000 });
      const started = Date.now();
      const e = await withoutGlobalFetch(() => p.profile()).catch((x: unknown) => x);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(e).toBeInstanceOf(ProviderError);
      expect((e as ProviderError).status).toBe(429);
      expect((e as ProviderError).kind).toBe("rate-limited");
      expect((e as ProviderError).retryAfterMs).toBe(7_000);
      expect((e as Error).message).toMatch(/text\/html answer of more than 64 KiB, not Graph's JSON/);
      await graph.connectionClosed;
      // What the server got out before the close: socket buffers, not the stream's whole.
      expect(graph.written()).toBeLessThan(32 * 1024 * 1024);
      expect(globalCalls).toEqual([]);
    } finally {
      await graph.close();
    }
  });

  it("reads no more than 64 KiB of the token endpoint's error body: a 503 whose body never ends is read as an outage at once, and its connection closed", async () => {
    const token = await endlessAnswer(503, { "content-type": "text/html" });
    try {
      const account = h.account();
      const tokenUrl = `${token.url}/common/oauth2/v2.0/token`;
      const p = microsoftProvider({
        owner: account,
        oauth: { clientId: account.clientId, endpoints: { tokenUrl, authorizeUrl: tokenUrl } },
        refreshToken: "a-refresh-token",
        baseUrl: account.endpoints!.apiUrl,
        fetchOptions: { agent: sandboxAgent(h.sandbox.ca!) } as never,
        requestTimeoutMs: 10_000,
        retry: { attempts: 1 },
      });
      const started = Date.now();
      const e = await withoutGlobalFetch(() => p.profile()).catch((x: unknown) => x);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(e).toBeInstanceOf(ProviderError);
      // As any 503 page from it (oauth4webapi: not a token response), not a request cut by the timeout.
      expect((e as ProviderError).kind).toBe("temporary");
      expect((e as Error).message).toMatch(/token endpoint answered HTTP 503 without an OAuth error \(.*unexpected HTTP status code/);
      expect((e as ProviderError).status).toBe(503);
      await token.connectionClosed;
      expect(token.written()).toBeLessThan(32 * 1024 * 1024);
      expect(globalCalls).toEqual([]);
    } finally {
      await token.close();
    }
  });

  /** A server that answers every request with `status` and `headers`, then a body it spoils as `body` says. */
  const brokenBodyAnswer = async (status: number, headers: Record<string, string>, body: "bad-gzip" | "cut") => {
    const server = createHttpServer((req, res) => {
      if (body === "bad-gzip") {
        res.writeHead(status, { ...headers, "content-encoding": "gzip" });
        res.end("this is no gzip stream");
        return;
      }
      // Chunked, and the connection dropped in the middle of the body.
      res.writeHead(status, headers);
      res.write('{"error": {"code": "TooManyReq');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    return listening(server);
  };

  for (const body of ["bad-gzip", "cut"] as const) {
    it(`a 429 whose error body cannot be read (${body}) is still classified by its status and Retry-After`, async () => {
      const graph = await brokenBodyAnswer(429, { "content-type": "application/json", "retry-after": "7" }, body);
      try {
        const p = oneAttempt({ baseUrl: graph.url, requestTimeoutMs: 10_000 });
        const e = await withoutGlobalFetch(() => p.profile()).catch((x: unknown) => x);
        expect(e).toBeInstanceOf(ProviderError);
        expect([(e as ProviderError).kind, (e as ProviderError).status, (e as ProviderError).retryAfterMs]).toEqual(["rate-limited", 429, 7_000]);
        expect((e as Error).message).toMatch(/body could not be read/);
        expect(globalCalls).toEqual([]);
      } finally {
        await graph.close();
      }
    });
  }

  it("tells a revoked grant (the token endpoint's invalid_grant) from an outage", async () => {
    const account = h.account();
    const p = microsoftProvider({
      owner: account,
      oauth: { clientId: account.clientId, endpoints: { tokenUrl: account.endpoints!.tokenUrl!, authorizeUrl: account.endpoints!.tokenUrl! } },
      refreshToken: "not-a-refresh-token",
      baseUrl: account.endpoints!.apiUrl,
      fetchOptions: { agent: sandboxAgent(h.sandbox.ca!) } as never,
      retry: { baseMs: 5, maxMs: 50 },
    });
    const e = await withoutGlobalFetch(() => p.profile()).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ProviderError);
    expect((e as ProviderError).kind).toBe("auth-revoked");
    expect((e as Error).message).toMatch(/invalid_grant/);
    expect(globalCalls).toEqual([]);
  });

  it.each([
    // RFC 6749 section 5.2: invalid_client from a client that authenticated by HTTP auth is a 401 with WWW-Authenticate.
    ["401 invalid_client with a Basic challenge", 401, 'Basic realm="token"', { error: "invalid_client", error_description: "AADSTS7000215: Invalid client secret provided." }, "invalid", /invalid_client: AADSTS7000215/],
    ["401 with the error in the challenge alone, no body", 401, 'Bearer error="invalid_client", error_description="client authentication failed"', undefined, "invalid", /invalid_client/],
    ["400 invalid_grant that also carries a challenge", 400, 'Bearer realm="token"', { error: "invalid_grant", error_description: "AADSTS70008: The refresh token has expired." }, "auth-revoked", /invalid_grant: AADSTS70008/],
    // Throttled or down, with a challenge and no error body: a rate or an outage, never "invalid".
    ["429 with a challenge and no body", 429, 'Bearer realm="token"', undefined, "rate-limited", /429/],
    ["503 with a challenge and no body", 503, 'Bearer realm="token"', undefined, "temporary", /503/],
  ] as const)("a token endpoint's refusal with a WWW-Authenticate header is classed by its error, not as an outage: %s (helper-265 #3)", async (_, status, challenge, body, kind, said) => {
    const server = createHttpServer((req, res) =>
      req.resume().on("end", () => {
        res.writeHead(status, { "www-authenticate": challenge, ...(body ? { "content-type": "application/json; charset=utf-8" } : {}) });
        res.end(body ? JSON.stringify(body) : undefined);
      }),
    );
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    try {
      const tokenUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/common/oauth2/v2.0/token`;
      const account = h.account();
      const p = microsoftProvider({
        owner: account,
        oauth: { clientId: account.clientId, clientSecret: "rotated-away", endpoints: { tokenUrl, authorizeUrl: tokenUrl } },
        refreshToken: "a-refresh-token",
        baseUrl: account.endpoints!.apiUrl,
        fetchOptions: { agent: sandboxAgent(h.sandbox.ca!) } as never,
        retry: { baseMs: 5, maxMs: 50 },
      });
      const e = await withoutGlobalFetch(() => p.profile()).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ProviderError);
      expect((e as ProviderError).kind).toBe(kind);
      expect((e as ProviderError).status).toBe(status);
      expect((e as Error).message).toMatch(said);
      expect(globalCalls).toEqual([]);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it("a connection refused keeps its code through the Graph client, so a draft tap frees its claim at once (helper-192 #1)", async () => {
    const closed = await new Promise<number>((res) => {
      const srv = createServer().listen(0, "127.0.0.1", () => {
        const { port } = srv.address() as AddressInfo;
        srv.close(() => res(port));
      });
    });
    const account = h.account();
    // The account as stored (its token endpoint the sandbox's), with Graph at a port nothing listens on.
    const p = microsoftProvider({
      ...microsoftOptions(account, { ring: h.ring, microsoft: { fetchOptions: { agent: sandboxAgent(h.sandbox.ca!) } as never } }),
      baseUrl: `https://127.0.0.1:${closed}`,
      retry: { attempts: 1 },
    });
    const e = await p.profile().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ProviderError);
    expect((e as ProviderError).status).toBeUndefined();
    const codes: unknown[] = [];
    for (let cur: unknown = e, depth = 0; cur && depth < 6; depth++, cur = (cur as { cause?: unknown }).cause) codes.push((cur as { code?: unknown }).code);
    expect(codes).toContain("ECONNREFUSED");
  });

  it("refuses an undici dispatcher with a one-line error naming the option to use", () => {
    const account = h.account();
    expect(() =>
      microsoftProvider({ owner: account, oauth: { clientId: "x", endpoints: { tokenUrl: "https://t", authorizeUrl: "https://t" } }, refreshToken: "r", fetchOptions: { dispatcher: {} } as never }),
    ).toThrow(/^microsoft: fetchOptions\.dispatcher .*\{ agent: new https\.Agent\(\{ ca \}\) \}/);
  });
});
