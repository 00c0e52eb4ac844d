/**
 * Loopback-only serving for the local app and the provider sandbox. Binding to 127.0.0.1 keeps other
 * machines out, but a web page can still point a name it controls at 127.0.0.1 (DNS rebinding) and
 * then read the answers; such a request carries that name in its Host header. Only loopback names
 * are answered.
 */

/** The host part of a Host header (without the port), lower-case; undefined when malformed. */
export function hostName(header: string | null | undefined): string | undefined {
  if (!header) return undefined;
  const h = header.trim().toLowerCase();
  const m = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/.exec(h);
  return m ? m[1] : undefined;
}

/** True for `localhost`, `*.localhost`, 127.0.0.0/8 and `[::1]`. */
export function isLoopbackHost(header: string | null | undefined): boolean {
  const name = hostName(header);
  if (!name) return false;
  if (name === "localhost" || name.endsWith(".localhost") || name === "[::1]") return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name) && name.split(".").every((p) => Number(p) <= 255);
}

/** Wraps a fetch handler: a request whose Host is not a loopback name gets 421 and reaches nothing. */
export function loopbackOnly<E extends unknown[]>(fetch: (req: Request, ...rest: E) => Response | Promise<Response>) {
  return (req: Request, ...rest: E): Response | Promise<Response> => {
    if (!isLoopbackHost(req.headers.get("host") ?? new URL(req.url).host))
      return new Response("Misdirected request: this local server answers loopback host names only.\n", { status: 421, headers: { "content-type": "text/plain; charset=utf-8" } });
    return fetch(req, ...rest);
  };
}
