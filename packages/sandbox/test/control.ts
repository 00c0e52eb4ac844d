/** Calls the sandbox control API with plain fetch; returns the parsed JSON body. */
export async function control(url: string, path: string, method = "POST", body?: unknown): Promise<any> {
  const res = await fetch(`${url}/_control${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}
