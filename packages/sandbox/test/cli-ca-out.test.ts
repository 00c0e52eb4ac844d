/**
 * `followthrough-sandbox --ca-out <file>` as a person runs it (the package's bin, a child process):
 * the file holds the PEM certificate of the sandbox's HTTPS listener once the CA line is printed
 * (cli.ts writes it before printing anything; a child's output cannot show that order without a
 * race, so this test does not claim it), a node:https request to that listener succeeds when it trusts exactly that CA and fails
 * without it, and a path it cannot write gives a one-line error, exit status 2 and no listener left.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { X509Certificate } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TLSSocket } from "node:tls";
import { afterAll, describe, expect, it } from "vitest";
import { loadFixture } from "@followthrough/sandbox";
import { root } from "../../../test/support/fixtures";

const bin = join(root, "packages/sandbox/bin/sandbox.mjs");
const fixture = join(root, "fixtures/demo-microsoft");
const account = loadFixture(fixture).account.email;
const tmp = mkdtempSync(join(tmpdir(), "ft-ca-out-"));
// The child must not trust anything through the environment: only what each request is given.
const env = { ...process.env, NODE_EXTRA_CA_CERTS: "" };
const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGTERM");
  rmSync(tmp, { recursive: true, force: true });
});

/** Starts the sandbox command; resolves with its stdout once the CA line is printed (or rejects with stderr if it exits first). */
function startCli(args: string[]): Promise<{ child: ChildProcess; out: string }> {
  const child = spawn(process.execPath, [bin, ...args], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let out = "";
  let err = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no CA line within 30 s; stdout: ${out}; stderr: ${err}`)), 30_000);
    child.stderr!.on("data", (d) => (err += d));
    child.stdout!.on("data", (d) => {
      out += d;
      if (/^CA certificate written to .*\n/m.test(out)) {
        clearTimeout(timer);
        resolve({ child, out });
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code} before the CA line; stdout: ${out}; stderr: ${err}`));
    });
  });
}

/** A GET over node:https with the given trust, without a shared agent: the answer and the peer certificate, or the TLS error. */
function get(url: string, ca?: string): Promise<{ status: number; body: string; peer: Buffer } | { error: NodeJS.ErrnoException }> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false, ...(ca ? { ca } : {}) }, (res) => {
      const peer = (res.socket as TLSSocket).getPeerCertificate().raw;
      let body = "";
      res.setEncoding("utf8").on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode!, body, peer }));
    });
    req.on("error", (error) => resolve({ error }));
    req.end();
  });
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once("exit", (code) => resolve(code))));

describe("followthrough-sandbox --ca-out", () => {
  it("writes the HTTPS listener's CA as PEM; a request trusting exactly it succeeds, one without it fails", async () => {
    const file = join(tmp, "sandbox-ca.pem");
    const { child, out } = await startCli(["--fixtures", fixture, "--ca-out", file]);
    const lines = out.split("\n");
    // The listening line first, then the CA line naming the file and how to trust it.
    expect(lines[0]).toMatch(/^sandbox listening on http:\/\/127\.0\.0\.1:\d+ \(https https:\/\/localhost:\d+\)$/);
    expect(lines[1]).toBe(`CA certificate written to ${file} (trust it with NODE_EXTRA_CA_CERTS=${file})`);
    const httpsUrl = /\(https (https:\/\/localhost:\d+)\)/.exec(lines[0])![1];

    const pem = readFileSync(file, "utf8");
    expect(pem).toMatch(/^-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----\r?\n?$/);
    const cert = new X509Certificate(pem);
    expect(cert.subject).toContain("CN=localhost");
    expect(cert.checkHost("localhost")).toBe("localhost");
    expect(cert.checkIP("127.0.0.1")).toBe("127.0.0.1");

    // Trusting exactly that file: TLS verifies, and the listener presents that very certificate.
    const trusted = await get(`${httpsUrl}/_control/accounts`, pem);
    expect("error" in trusted ? trusted.error.message : "").toBe("");
    if ("error" in trusted) return;
    expect(trusted.status).toBe(200);
    expect((JSON.parse(trusted.body) as { email: string }[]).map((a) => a.email)).toEqual([account]);
    expect(trusted.peer.equals(cert.raw)).toBe(true);

    // Without it (Node's default CAs only), the self-signed certificate is refused.
    const untrusted = await get(`${httpsUrl}/_control/accounts`);
    expect("error" in untrusted && untrusted.error.code).toMatch(/^(DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)$/);

    // SIGTERM stops it cleanly.
    child.kill("SIGTERM");
    expect(await exited(child)).toBe(0);
  });

  const bad = [
    ["a directory", () => tmp, /\(is a directory\)$/],
    ["a path whose directory does not exist", () => join(tmp, "missing", "ca.pem"), /\(its directory does not exist\)$/],
    [
      "a path under a regular file",
      () => {
        const f = join(tmp, "plain-file");
        writeFileSync(f, "x");
        return join(f, "ca.pem");
      },
      /ENOTDIR/,
    ],
    // Linux's /proc makes no files: the directory is there (helper-245 #12: "its directory does not exist").
    ...(existsSync("/proc/self") ? [["a directory that makes no files (/proc)", () => "/proc/ft-ca.pem", /\(the file cannot be created in that directory\)$/] as const] : []),
  ] as const;
  it.each(bad)("%s: a one-line error naming the flag, exit status 2, nothing left running", (_, path, why) => {
    const file = path();
    const r = spawnSync(process.execPath, [bin, "--fixtures", fixture, "--ca-out", file], { cwd: root, env, encoding: "utf8", timeout: 30_000 });
    expect(r.signal).toBeNull(); // exited by itself: the listeners were closed
    expect(r.status).toBe(2);
    const lines = r.stderr.trim().split("\n");
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^followthrough-sandbox: --ca-out ${JSON.stringify(file).replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: cannot write the CA certificate there `));
    expect(lines[0]).toMatch(why);
    expect(r.stdout).not.toContain("listening");
  });
});
