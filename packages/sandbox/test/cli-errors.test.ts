/** `followthrough-sandbox` with bad arguments: one line on stderr and exit 2, as the project's other commands. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { main } from "../src/cli";
import { root } from "../../../test/support/fixtures";
import { join } from "node:path";

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
