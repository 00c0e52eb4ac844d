/** `followthrough-sandbox` with bad arguments: one line on stderr and exit 2, as the project's other commands. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { main } from "../src/cli";
import { root } from "../../../test/support/fixtures";
import { join } from "node:path";
import { type AddressInfo, createServer, type Server } from "node:net";

const fixture = join(root, "fixtures/demo-google");

async function run(argv: string[]) {
  const err: string[] = [];
  const error = vi.spyOn(console, "error").mockImplementation((...a) => void err.push(a.join(" ")));
  try {
    return { code: await main(argv), err: err.join("\n") };
  } finally {
    error.mockRestore();
  }
}
afterEach(() => vi.restoreAllMocks());

describe("followthrough-sandbox: bad arguments", () => {
  it.each([
    [["--fixtures", fixture, "--port", "-1"], /--port/],
    [["--bogus"], /Unknown option '--bogus'/],
    [["--fixtures", fixture, "--port", "99999"], /--port must be a port from 0 to 65535, got 99999/],
    [["--fixtures", fixture, "--https-port", "70000"], /--https-port must be a port from 0 to 65535/],
    // 0 served the defaults silently (helper-171 #10).
    [["--fixtures", fixture, "--page-size", "0"], /--page-size must be at least 1, got "0"/],
    [["--fixtures", fixture, "--page-size", "00"], /--page-size must be at least 1, got "00"/],
    [["--fixtures", fixture, "--page-size", "99999999999999999999"], /--page-size must be at most 2500, got 99999999999999999999/],
    // One mailbox per address: a folder given twice served once, silently (helper-171 #10).
    [["--fixtures", fixture, "--fixtures", `${fixture}/`], /demo-google: given twice: give each mailbox once/],
  ])("%j: one line, exit 2", async (argv, pattern) => {
    const r = await run(argv);
    expect(r.code).toBe(2);
    expect(r.err.split("\n")).toHaveLength(1);
    expect(r.err).toMatch(/^followthrough-sandbox: /);
    expect(r.err).toMatch(pattern);
    expect(r.err).not.toMatch(/Received type|options\.port/);
  });
});

describe("followthrough-sandbox: a port in use", () => {
  const listening = (port = 0) =>
    new Promise<Server>((res, rej) => {
      const srv = createServer();
      srv.once("error", rej);
      srv.listen(port, "127.0.0.1", () => res(srv));
    });
  const portOf = (srv: Server) => (srv.address() as AddressInfo).port;

  it("the https port in use: one line naming --https-port, exit 2, and the http port it had opened is closed again (helper-190 #2)", async () => {
    const free = await listening();
    const httpPort = portOf(free);
    await new Promise<void>((r) => free.close(() => r()));
    const busy = await listening();
    try {
      const r = await run(["--fixtures", fixture, "--port", String(httpPort), "--https-port", String(portOf(busy))]);
      expect(r.code).toBe(2);
      expect(r.err.split("\n")).toHaveLength(1);
      expect(r.err).toMatch(/the port is in use .*; pass --https-port <n>, or --https-port 0 for a free one$/);
      // Nothing left listening: the process would otherwise never exit after its error.
      const again = await listening(httpPort);
      await new Promise<void>((res) => again.close(() => res()));
    } finally {
      await new Promise<void>((res) => busy.close(() => res()));
    }
  });
});
