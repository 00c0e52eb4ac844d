/**
 * How the Microsoft adapter reaches Graph and the token endpoint: over `node:http(s)` through
 * node-fetch (the library the Google clients' gaxios already uses), not Node's global `fetch`.
 * The global `fetch` (undici, its HTTP parser in WebAssembly) costs about 15 MiB more per process
 * than a `node:https` request (docs/benchmarks.md (6)), enough to push an Outlook run past the
 * Lambda's 100 MiB goal. Everything else keeps the global `fetch`.
 */
import type { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import type { Context, FetchOptions, Middleware } from "@microsoft/microsoft-graph-client";
import nodeFetch, { Headers as NodeHeaders, type RequestInit as NodeRequestInit, Response as NodeResponse } from "node-fetch";

/**
 * `node:http` has no timeout of its own: a stalled connection is cut after `timeoutMs` (core/limits
 * PROVIDER_REQUEST_TIMEOUT_MS by default) instead of holding the run to the Lambda's limit.
 */
export interface Transport {
  options?: FetchOptions;
  timeoutMs: number;
}

/**
 * The transport's options, as the adapter's `fetchOptions` (node-fetch's request options): `agent`
 * an `https.Agent` (e.g. one trusting the sandbox's certificate, `ca`), used for https URLs only,
 * or a function of the URL. An undici `dispatcher` has no effect here and is refused.
 */
export function transportOptions(fetchOptions: FetchOptions | undefined): FetchOptions | undefined {
  if (!fetchOptions) return undefined;
  if ("dispatcher" in fetchOptions)
    throw new Error("microsoft: fetchOptions.dispatcher is an option of Node's fetch (undici), which the Graph adapter does not use; pass { agent: new https.Agent({ ca }) } instead");
  const { agent } = fetchOptions as { agent?: unknown };
  // An https agent given to a plain-http request (the sandbox's token endpoint) would throw: only https uses it.
  if (agent instanceof HttpsAgent) return { ...fetchOptions, agent: (url: URL) => (url.protocol === "https:" ? agent : undefined) };
  return fetchOptions;
}

/** One request through node-fetch with the transport's options and the timeout (a caller's signal still applies). */
function request(url: string, init: Record<string, unknown>, { options, timeoutMs }: Transport) {
  const timeout = AbortSignal.timeout(timeoutMs);
  const own = init.signal as AbortSignal | null | undefined;
  const signal = own ? AbortSignal.any([own, timeout]) : timeout;
  return nodeFetch(url, { ...options, ...init, ...(options?.agent ? { agent: options.agent as HttpAgent } : {}), signal } as NodeRequestInit);
}

/**
 * The most of an error answer's body the transport reads (decoded bytes): a Graph error is a few
 * hundred bytes, a gateway's page a few KiB. A broken or hostile front end could send megabytes, or
 * a body that never ends: the rest is not read, the connection is closed, and the answer is still
 * handed on by its status and headers (a body cut short is no Graph error). Success bodies are not
 * capped.
 */
const ERROR_BODY_LIMIT = 64 * 1024;

/**
 * An error answer's body, read up to {@link ERROR_BODY_LIMIT}; `whole` false when there was more (the
 * rest left unread, the stream destroyed), or when the body could not be read to its end (`broken`:
 * a coding that does not decode, a connection dropped in the middle): its status and headers came
 * whole, and a 429's Retry-After is still the answer's.
 */
async function errorBody(res: NodeResponse): Promise<{ bytes: Buffer; whole: boolean; broken?: string }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let whole = true;
  let broken: string | undefined;
  if (res.body) {
    try {
      // Leaving the loop early destroys the stream, and with it the connection.
      for await (const chunk of res.body as AsyncIterable<Buffer | string>) {
        const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
        if (size + bytes.length > ERROR_BODY_LIMIT) {
          chunks.push(bytes.subarray(0, ERROR_BODY_LIMIT - size));
          whole = false;
          break;
        }
        chunks.push(bytes);
        size += bytes.length;
      }
    } catch (e) {
      whole = false;
      broken = (e as Error)?.message ?? String(e);
    }
  }
  return { bytes: Buffer.concat(chunks), whole, ...(broken !== undefined ? { broken } : {}) };
}

/**
 * An error answer as the Graph client can read it, whatever its body and its label. The client
 * keeps a response's headers (GraphError.headers, where core/microsoft/errors reads Retry-After),
 * and Graph's error code and message, only from a body it parsed as JSON, which it does only when
 * the answer is labelled `application/json` (GraphResponseHandler.convertResponse): that body, if
 * Graph's `{"error": {...}}`, becomes a GraphError of its code with the headers
 * (GraphErrorHandler.constructErrorFromResponse). Any other label is thrown as it is: text/plain as
 * a string, no content type as the body's stream, HTML as the stream (or a DOM document where
 * there is a DOMParser); and GraphErrorHandler.getError makes a GraphError of the status alone, no
 * headers, no code. The gateways in front of Graph answer so: a 429 with no body
 * (OneDrive/onedrive-api-docs issue 177), a 503 HTML page (OneDrive/onedrive-api-docs issue 697,
 * laurent22/joplin issue 4451), and a Microsoft service behind Graph has sent a JSON error with no
 * content type (microsoftgraph/msgraph-sdk-dotnet-core issue 167). A 429's or 503's Retry-After
 * (learn.microsoft.com/graph/throttling, learn.microsoft.com/graph/errors) went with the body, and
 * the retry backed off from its own 500 ms base into a throttled service (helper-265 #2); a 404
 * MailboxNotEnabledForRESTAPI under the wrong label lost its code and read as a plain not-found.
 * So every error answer goes on labelled `application/json`, its status and headers kept: Graph's
 * own error as it came, anything else (or a body over {@link ERROR_BODY_LIMIT}, or one that could not
 * be read to its end) replaced by a Graph
 * error of no code whose message names the status and what came.
 */
async function readableErrorAnswer(res: NodeResponse): Promise<NodeResponse> {
  const { bytes, whole, broken } = await errorBody(res);
  const text = new TextDecoder().decode(bytes);
  let parsed: unknown;
  try {
    parsed = whole ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  const init = { status: res.status, statusText: res.statusText };
  const headers = new NodeHeaders(res.headers);
  const type = headers.get("content-type")?.split(";")[0]?.trim();
  // The body handed on is the decoded text (or one of ours): JSON, of no stated length or coding.
  headers.set("content-type", "application/json");
  headers.delete("content-length");
  headers.delete("content-encoding");
  const error = (parsed as { error?: unknown } | null | undefined)?.error;
  if (error !== null && typeof error === "object") return new NodeResponse(text, { ...init, headers });
  const what = `a ${type || "body of no content type"} answer${whole ? "" : ` of more than ${ERROR_BODY_LIMIT / 1024} KiB`}`;
  const came = broken !== undefined ? `a ${type || "body of no content type"} answer whose body could not be read: ${broken}` : text.length === 0 ? "no body" : `${what}, not Graph's JSON`;
  const message = `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""} (${came})`;
  return new NodeResponse(JSON.stringify({ error: { message } }), { ...init, headers });
}

/**
 * The last handler of the Graph client's middleware chain in place of its `HTTPMessageHandler`
 * (which calls the global `fetch`): the same request (URL and options the chain built, the client's
 * `fetchOptions` merged in), sent by node-fetch. Its response has what the client reads (status,
 * `headers.get`, `json()`, `text()`).
 */
export class NodeHttpMessageHandler implements Middleware {
  constructor(private readonly transport: Transport) {}
  async execute(context: Context): Promise<void> {
    if (typeof context.request !== "string") throw new Error("microsoft: the Graph transport takes a URL string, not a Request");
    try {
      const res = await request(context.request, { ...(context.options as Record<string, unknown>) }, this.transport);
      // An error answer's body is read here, inside the request's timeout, and handed on in a form the client keeps the headers of.
      context.response = (res.status < 400 ? res : await readableErrorAnswer(res)) as unknown as Response;
    } catch (e) {
      // The Graph client keeps only a thrown error's name (as GraphError.code) and drops the error:
      // node-fetch's system error (ECONNREFUSED, ENOTFOUND, ECONNRESET...) is named by its code, so a
      // connection never made is still told from one that was (core/followup neverConnected; helper-192 #1).
      const code = (e as { code?: unknown }).code;
      if (typeof code === "string" && /^E[A-Z_]+$/.test(code)) throw Object.assign(new Error((e as Error).message, { cause: e }), { name: code, code });
      throw e;
    }
  }
}

/**
 * A `fetch` for oauth4webapi's `customFetch` (the token refresh): the request over node-fetch, the
 * answer read whole (an error answer's body up to {@link ERROR_BODY_LIMIT}, a body cut short no
 * OAuth error, so read by its status) and handed back as a standard `Response` (oauth4webapi checks for one and
 * cancels its body stream on an error answer, which a node-fetch body cannot do).
 */
export function tokenFetch(transport: Transport): (url: string, init: RequestInit) => Promise<Response> {
  return async (url, init) => {
    const res = await request(url, { ...(init as Record<string, unknown>) }, transport);
    const body = res.status < 400 ? await res.arrayBuffer() : new Uint8Array((await errorBody(res)).bytes);
    const empty = [204, 205, 304].includes(res.status);
    return new Response(empty ? null : body, { status: res.status, statusText: res.statusText, headers: [...res.headers] });
  };
}
