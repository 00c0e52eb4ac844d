/** Every command answers --help; every bad input is one line on stderr and a non-zero exit, never a stack or a hang. */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { main } from "../src/main";
import { exitAfterStart } from "../src/start";

const FIXTURE = join(__dirname, "../../../fixtures/demo-google");

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, "log").mockImplementation((...a) => void out.push(a.join(" ")));
  const error = vi.spyOn(console, "error").mockImplementation((...a) => void err.push(a.join(" ")));
  try {
    const code = await main(argv);
    return { code, out: out.join("\n"), err: err.join("\n") };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

describe("followthrough --help", () => {
  it.each(["start", "scan", "digest", "connect"])("%s --help prints that command's usage and exits 0", async (command) => {
    for (const flag of ["--help", "-h"]) {
      const r = await run([command, flag]);
      expect(r.code).toBe(0);
      expect(r.out).toContain(`usage: followthrough ${command}`);
      expect(r.out).toContain(`  ${command} `);
      expect(r.err).toBe("");
    }
  });

  it("names every option the commands take (helper-143 #6: start's --fixtures, connect microsoft's sandbox URLs)", async () => {
    const r = await run(["--help"]);
    for (const flag of ["--port", "--home", "--fixtures", "--now", "--json", "--out", "--base-url", "--credentials", "--timeout", "--client-id", "--tenant", "--no-browser", "--authorize-base", "--api-url"]) expect(r.out, flag).toContain(flag);
    expect((await run(["start", "--help"])).out).toContain("--fixtures <mailbox>");
    for (const env of ["FOLLOWTHROUGH_HOME", "FOLLOWTHROUGH_BASE_URL", "FOLLOWTHROUGH_LINK_KEY", "FOLLOWTHROUGH_DEBUG"]) expect(r.out, env).toContain(env);
  });

  it("connect google --help too, before any browser or file is touched", async () => {
    const r = await run(["connect", "google", "--help"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("connect google --credentials");
  });
});

describe("bad input is one line and a non-zero exit", () => {
  const oneLine = (r: { code: number; err: string }, pattern: RegExp) => {
    expect(r.code).toBe(2);
    expect(r.err.split("\n")).toHaveLength(1);
    expect(r.err).toMatch(/^followthrough: /);
    expect(r.err).not.toMatch(/\n\s+at |Error:/);
    expect(r.err).toMatch(pattern);
  };
  const digest = (out: string) => run(["digest", "--fixtures", FIXTURE, "--now", "2026-05-26T22:30:00Z", "--out", out]);

  it("start --port out of range", async () => {
    oneLine(await run(["start", "--port", "99999"]), /--port must be a port number from 0 to 65535/);
    oneLine(await run(["start", "--port", "-1"]), /--port/);
  });

  it("start with a bare argument (what `npm start --port 0` hands over: npm keeps `--port`) says where npm wants options", async () => {
    oneLine(await run(["start", "0"]), /Unexpected argument '0'.*npm start -- --port 0/);
    oneLine(await run(["scan", "--jsn"]), /Unknown option '--jsn'.*followthrough help/);
    // npm's `--` only where npm is the likely cause: an argument it handed over (helper-239 #11).
    const bogus = await run(["start", "--bogus"]);
    oneLine(bogus, /Unknown option '--bogus'.*followthrough help/);
    expect(bogus.err).not.toContain("npm start --");
  });

  it("digest --out on a file, under /proc, /sys or /dev: refused before any work (and /proc never hangs)", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "ft-out-")), "taken");
    writeFileSync(file, "x");
    oneLine(await digest(file), /exists and is not a folder/);
    oneLine(await digest(join(file, "below")), /is not a folder/);
    oneLine(await digest("/proc/x"), /system file system/);
    oneLine(await digest("/sys/x"), /system file system/);
    oneLine(await digest("/dev/null"), /system file system/);
  });

  it("an unknown option or command", async () => {
    oneLine(await run(["scan", "--bogus"]), /bogus/);
    oneLine(await run(["frobnicate"]), /unknown command "frobnicate"/);
  });

  it("no command: the usage on stderr, exit 2 (asked for with help: stdout, exit 0)", async () => {
    const r = await run([]);
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).toContain("usage: followthrough");
  });

  it("digest without --now is refused, as scan is (it built the digest as of this machine's clock)", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "ft-out-")), "d");
    oneLine(await run(["digest", "--fixtures", FIXTURE, "--out", out]), /digest needs --now/);
  });

  it("a --now whose year the scan's windows cannot hold: one range error, not a provider's Bad Request", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "ft-out-")), "d");
    oneLine(await run(["scan", "--fixtures", FIXTURE, "--now", "9999-12-31T23:59:59Z"]), /--now must be between the years 1971 and 9997/);
    oneLine(await run(["scan", "--fixtures", FIXTURE, "--now", "0001-01-01T00:00:00Z"]), /--now must be between the years 1971 and 9997/);
    oneLine(await run(["digest", "--fixtures", FIXTURE, "--out", out, "--now", "9999-01-01T00:00:00Z"]), /--now must be between/);
  });

  it("a bad base URL names where it came from; an empty or short link key is refused", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "ft-out-")), "d");
    const saved = { url: process.env.FOLLOWTHROUGH_BASE_URL, key: process.env.FOLLOWTHROUGH_LINK_KEY };
    try {
      process.env.FOLLOWTHROUGH_BASE_URL = "notaurl";
      oneLine(await digest(out), /^followthrough: FOLLOWTHROUGH_BASE_URL must be an http\(s\) URL/);
      oneLine(await run(["digest", "--fixtures", FIXTURE, "--now", "2026-05-26T22:30:00Z", "--out", out, "--base-url", "nope"]), /^followthrough: --base-url must be/);
      // A query, fragment or user name would end up inside every link (helper-106 #8).
      for (const url of ["https://app.example/?x=1", "https://app.example/base?", "https://app.example/#top", "https://me@app.example/"])
        oneLine(await run(["digest", "--fixtures", FIXTURE, "--now", "2026-05-26T22:30:00Z", "--out", out, "--base-url", url]), /^followthrough: --base-url must be an http\(s\) URL without a query, fragment or user name/);
      delete process.env.FOLLOWTHROUGH_BASE_URL;
      process.env.FOLLOWTHROUGH_LINK_KEY = "";
      oneLine(await digest(out), /FOLLOWTHROUGH_LINK_KEY must be at least 16 characters/);
    } finally {
      for (const [k, v] of [["FOLLOWTHROUGH_BASE_URL", saved.url], ["FOLLOWTHROUGH_LINK_KEY", saved.key]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it("connect --timeout past what a timer holds, or not a whole number of seconds: refused before anything starts (helper-171 #4)", async () => {
    for (const t of ["1e9", "2147484", "0.5", "0", "abc"]) {
      oneLine(await run(["connect", "google", "--credentials", "no-such-credentials.json", "--timeout", t]), /--timeout must be a whole number of seconds from 1 to 2147483/);
      oneLine(await run(["connect", "microsoft", "--client-id", "00000000-0000-0000-0000-000000000000", "--timeout", t, "--no-browser"]), /--timeout must be a whole number of seconds from 1 to 2147483/);
    }
  });

  it("a --home that is empty or names a file is refused before anything starts (helper-171 #10)", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "ft-home-")), "account.json");
    writeFileSync(file, "{}");
    for (const argv of [["start", "--port", "0"], ["connect", "list"]]) {
      oneLine(await run([...argv, "--home", ""]), /--home must name a folder, got an empty value/);
      oneLine(await run([...argv, "--home", file]), /--home .*account\.json: is a file, not a folder/);
    }
  });

  it("a --home or FOLLOWTHROUGH_HOME under a file, or a link to nothing, is refused by every command that takes one, naming what is in the way; the file untouched (helper-272 #2)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ft-home-"));
    const file = join(dir, "notes.txt");
    writeFileSync(file, "mine\n");
    const before = statSync(file);
    symlinkSync(join(dir, "nowhere"), join(dir, "dangling"));
    const credentials = join(dir, "client_secret.json");
    writeFileSync(credentials, JSON.stringify({ installed: { client_id: "x.apps.googleusercontent.com", client_secret: "s", redirect_uris: ["http://localhost"] } }));
    const commands = [
      ["start", "--port", "0"],
      ["connect", "list"],
      ["connect", "google", "--credentials", credentials, "--timeout", "1"],
      ["connect", "microsoft", "--client-id", "00000000-0000-0000-0000-000000000000", "--no-browser", "--timeout", "1"],
    ];
    const saved = { home: process.env.FOLLOWTHROUGH_HOME, exit: process.env.FOLLOWTHROUGH_EXIT_AFTER_START };
    // Were start to run anyway (the demo alone), it stops after its jobs rather than serving.
    process.env.FOLLOWTHROUGH_EXIT_AFTER_START = "1";
    try {
      for (const argv of commands) {
        for (const [home, blocked] of [
          [join(file, "store"), `${file} is a file, not a folder`],
          [join(file, "a", "b"), `${file} is a file, not a folder`],
          [join(dir, "dangling"), "is a link to nothing"],
          [join(dir, "dangling", "store"), `${join(dir, "dangling")} is a link to nothing`],
        ]) {
          const said = (r: { err: string }) => expect(r.err).toBe(`followthrough: --home ${home}: ${blocked}`);
          const r = await run([...argv, "--home", home]);
          oneLine(r, /--home/);
          said(r);
          process.env.FOLLOWTHROUGH_HOME = home;
          const e = await run(argv);
          oneLine(e, /FOLLOWTHROUGH_HOME/);
          expect(e.err).toBe(`followthrough: FOLLOWTHROUGH_HOME ${home}: ${blocked}`);
          delete process.env.FOLLOWTHROUGH_HOME;
        }
      }
    } finally {
      for (const [k, v] of [["FOLLOWTHROUGH_HOME", saved.home], ["FOLLOWTHROUGH_EXIT_AFTER_START", saved.exit]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
    expect(readFileSync(file, "utf8")).toBe("mine\n");
    expect(statSync(file).mtimeMs).toBe(before.mtimeMs);
    expect(readdirSync(dir).sort()).toEqual(["client_secret.json", "dangling", "notes.txt"]);
  }, 120_000);

  it("a --home or FOLLOWTHROUGH_HOME starting with ~/ (as --home=~/x or a quoted variable arrives, unexpanded by the shell) is under the owner's home folder, not a folder named ~ here", async () => {
    const home = mkdtempSync(join(tmpdir(), "ft-tilde-"));
    writeFileSync(join(home, "notes.txt"), "mine\n");
    const saved = { HOME: process.env.HOME, FOLLOWTHROUGH_HOME: process.env.FOLLOWTHROUGH_HOME };
    process.env.HOME = home;
    try {
      // A file there is refused by name, which shows where the path was read.
      expect((await run(["connect", "list", "--home=~/notes.txt"])).err).toBe(`followthrough: --home ${join(home, "notes.txt")}: is a file, not a folder`);
      process.env.FOLLOWTHROUGH_HOME = "~/notes.txt";
      expect((await run(["connect", "list"])).err).toBe(`followthrough: FOLLOWTHROUGH_HOME ${join(home, "notes.txt")}: is a file, not a folder`);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
    expect(readdirSync(home)).toEqual(["notes.txt"]);
  });

  it("two --fixtures of one account (a folder given twice, or a copy of it) are refused before anything starts (helper-171 #10)", async () => {
    const copy = join(mkdtempSync(join(tmpdir(), "ft-copy-")), "demo-google-copy");
    cpSync(FIXTURE, copy, { recursive: true });
    const saved = process.env.FOLLOWTHROUGH_EXIT_AFTER_START;
    process.env.FOLLOWTHROUGH_EXIT_AFTER_START = "1";
    try {
      oneLine(await run(["start", "--port", "0", "--fixtures", FIXTURE, "--fixtures", FIXTURE]), /demo-google: given twice: give each mailbox once/);
      oneLine(await run(["start", "--port", "0", "--fixtures", FIXTURE, "--fixtures", copy]), /demo-google-copy: is .*'s mailbox, as .*demo-google is: give each account once/);
    } finally {
      if (saved === undefined) delete process.env.FOLLOWTHROUGH_EXIT_AFTER_START;
      else process.env.FOLLOWTHROUGH_EXIT_AFTER_START = saved;
    }
  });

  it("an option that takes one value, given twice, is refused, not taken as the last (helper-106 #10)", async () => {
    oneLine(await run(["scan", "--fixtures", FIXTURE, "--fixtures", "elsewhere", "--now", "2026-05-26T22:30:00Z"]), /Option '--fixtures' was given more than once/);
    oneLine(await run(["digest", "--fixtures", FIXTURE, "--now", "2026-05-26T22:30:00Z", "--now", "2026-05-27T00:00:00Z", "--out", "x"]), /Option '--now' was given more than once/);
    oneLine(await run(["start", "--port", "0", "--port=1"]), /Option '--port' was given more than once/);
    oneLine(await run(["connect", "google", "--timeout", "5", "--timeout", "6"]), /Option '--timeout' was given more than once/);
  });

  it("digest whose files cannot be put in place leaves no partial file behind (helper-106 #8)", async () => {
    const out = mkdtempSync(join(tmpdir(), "ft-out-"));
    // digest.html is taken by a folder with something in it: the rename into place fails.
    mkdirSync(join(out, "digest.html"));
    writeFileSync(join(out, "digest.html", "keep"), "mine");
    const r = await digest(out);
    expect(r.code).not.toBe(0);
    expect(r.err.split("\n")).toHaveLength(1);
    expect(readdirSync(out).sort()).toEqual(["digest.html"]);
    expect(readdirSync(join(out, "digest.html"))).toEqual(["keep"]);
  });

  it("digest whose partial file cannot be written: one line naming the file asked for, no partial file left, the old files kept (helper-172 #2, #3)", async () => {
    const out = mkdtempSync(join(tmpdir(), "ft-out-"));
    writeFileSync(join(out, "digest.html"), "OLD");
    // A folder where digest.txt's partial copy goes: its write fails after digest.html's partial is written.
    mkdirSync(join(out, ".digest.txt.partial"));
    writeFileSync(join(out, ".digest.txt.partial", "keep"), "mine");
    const r = await digest(out);
    expect(r.code).toBe(1);
    expect(r.err.split("\n")).toEqual([`followthrough: could not write ${join(out, "digest.txt")} (EISDIR)`]);
    expect(readFileSync(join(out, "digest.html"), "utf8")).toBe("OLD");
    expect(readdirSync(out).sort()).toEqual([".digest.txt.partial", "digest.html"]);
    expect(readdirSync(join(out, ".digest.txt.partial"))).toEqual(["keep"]);
  });

  it("digest whose second file is taken by a folder: refused before anything is written, the old files kept, one line naming that file (helper-171 #2)", async () => {
    const out = mkdtempSync(join(tmpdir(), "ft-out-"));
    mkdirSync(join(out, "digest.txt"));
    writeFileSync(join(out, "digest.html"), "OLD");
    const r = await digest(out);
    oneLine(r, /digest\.txt is a folder; move it away/);
    expect(r.err).not.toContain(".partial");
    expect(readFileSync(join(out, "digest.html"), "utf8")).toBe("OLD");
    expect(readdirSync(out).sort()).toEqual(["digest.html", "digest.txt"]);
  });
});

describe("FOLLOWTHROUGH_EXIT_AFTER_START", () => {
  it("stops after the jobs only when set to a yes: unset, empty, 0, false, no and off serve (helper-245 #7: 0 stopped too)", () => {
    for (const yes of ["1", "true", "TRUE", "yes", " 1 "]) expect(exitAfterStart(yes), yes).toBe(true);
    for (const no of [undefined, "", "0", "false", "False", "no", "off", " 0 "]) expect(exitAfterStart(no), String(no)).toBe(false);
  });
});
