import { existsSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { digestMail } from "@followthrough/core/digest";
import { loadComposer } from "@followthrough/core/composer";
import { mimeOfOutgoing } from "@followthrough/core/mail";
import { runWeekly, withLearnedIdentity } from "@followthrough/core/weekly";
import { loadFixture } from "@followthrough/sandbox";
import { parseOnce } from "./args";
import { UsageError } from "./errors";
import { prepareOutDir } from "./out-dir";
import { fixtureOwner, fixtureWindow, parseNow } from "./scan";
import { scan } from "@followthrough/core/scan";
import { withFixtureSession } from "./session";

/** Where one-tap links point, and the key they are signed with (configuration, with local defaults). */
export function linkConfig(baseUrl?: string) {
  const url = baseUrl ?? process.env.FOLLOWTHROUGH_BASE_URL ?? "http://localhost:8787";
  const source = baseUrl !== undefined ? "--base-url" : "FOLLOWTHROUGH_BASE_URL";
  if (!/^https?:\/\/[^/\s]+/.test(url) || !URL.canParse(url)) throw new UsageError(`${source} must be an http(s) URL, got ${JSON.stringify(url)}`);
  // Links are the base and a path: a query or fragment would end up inside every link's path.
  const parsed = new URL(url);
  if (url.includes("?") || url.includes("#") || parsed.username || parsed.password)
    throw new UsageError(`${source} must be an http(s) URL without a query, fragment or user name, got ${JSON.stringify(url)}`);
  return { baseUrl: url.replace(/\/$/, ""), key: envLinkKey() ?? "followthrough-local-development-key" };
}

/**
 * FOLLOWTHROUGH_LINK_KEY, the key one-tap links are sealed under; undefined when unset. Set but
 * empty or short (a blank line of a `.env` template) is refused: links signed with it could be forged.
 */
export function envLinkKey(): string | undefined {
  const key = process.env.FOLLOWTHROUGH_LINK_KEY;
  if (key === undefined) return undefined;
  if (key.trim().length < 16) throw new UsageError("FOLLOWTHROUGH_LINK_KEY must be at least 16 characters (or unset it to use a generated key)");
  return key;
}

/** The files `digest` writes in its --out folder. */
const DIGEST_FILES = ["digest.html", "digest.txt", "digest.eml"] as const;

/** `followthrough digest --fixtures <mailbox> --now <ISO> --out <dir>`: the digest that would be sent. */
export async function digestCommand(argv: string[]): Promise<number> {
  let values;
  try {
    values = parseOnce({ args: argv, options: { fixtures: { type: "string" }, now: { type: "string" }, out: { type: "string" }, "base-url": { type: "string" } }, strict: true });
  } catch (e) {
    throw new UsageError(`${(e as Error).message} (try: followthrough help)`);
  }
  if (!values.fixtures) throw new UsageError("digest needs --fixtures <mailbox>");
  if (!values.out) throw new UsageError("digest needs --out <dir>");
  // As `scan`: a forgotten --now would build the digest as of this machine's clock, plausibly and wrongly.
  if (values.now === undefined) throw new UsageError("digest needs --now <ISO-8601 date-time>");
  const now = parseNow(values.now);
  const links = linkConfig(values["base-url"]);
  const fixture = loadFixture(values.fixtures);
  // Checked (and created) before any work: a bad folder is one line and exit 2, never a hang. A
  // folder this run created goes again if the run fails: a failure leaves nothing behind.
  const existed = existsSync(resolve(values.out));
  const out = prepareOutDir(values.out, "--out", DIGEST_FILES);
  return withFixtureSession(fixture, async ({ repo, account: current, provider }) => {
    // The weekly job without its send: the digest of the owner as the scan learned them (the name and
    // aliases the worker's digest has), built on the scan's reads.
    // It reads the whole fixture, as `scan --fixtures` does (fixtureWindow, wholeMailbox), so the two agree.
    const owner = () => fixtureOwner(current(), fixture);
    const read = await scan({ owner: owner(), provider, repo, now, ...fixtureWindow(fixture, now) });
    const { scan: scanned, digest, rendered: sendable } = await runWeekly({ repo, provider, account: owner(), now, links, send: false, scanned: read });
    const account = withLearnedIdentity(owner(), scanned.owner);
    // These files are a preview: their links are signed here, for a mailbox no app has stored.
    const rendered = { ...sendable, html: withPreviewBanner(sendable.html), text: `${PREVIEW_NOTE}\n\n${sendable.text}` };
    // Dated --now, as the rest of the preview is (helper-173).
    const eml = await mimeOfOutgoing(account, { ...digestMail(account, digest, rendered), date: now }, loadComposer);
    // All three written beside, then renamed into place: a failure part-way mixes no new file with old ones.
    const body: Record<(typeof DIGEST_FILES)[number], string | Buffer> = { "digest.html": rendered.html, "digest.txt": rendered.text, "digest.eml": eml };
    let writing = "";
    try {
      for (const name of DIGEST_FILES) writeFileSync(join(out, `.${(writing = name)}.partial`), body[name]);
      for (const name of DIGEST_FILES) renameSync(join(out, `.${(writing = name)}.partial`), join(out, name));
    } catch (e) {
      // One line naming the file the owner asked for, not the partial one beside it.
      throw new Error(`could not write ${join(out, writing)} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { cause: e });
    } finally {
      // A write or rename that failed leaves no partial file behind (helper-106 #8); one that cannot
      // be removed (a folder of that name) does not hide the error above (helper-172 #3).
      for (const name of DIGEST_FILES)
        try {
          rmSync(join(out, `.${name}.partial`), { force: true });
        } catch {}
    }
    console.log(`${rendered.subject}\nwrote ${join(out, "digest.html")}, digest.txt and digest.eml (${digest.missing.length} follow-ups waiting, links to ${links.baseUrl})\n${PREVIEW_NOTE}`);
    return 0;
  }, {}, { wholeMailbox: true }).catch((e: unknown) => {
    if (!existed) rmSync(out, { recursive: true, force: true });
    throw e;
  });
}

/**
 * What the files and the command say about their links: a preview. The links are signed with this
 * command's key for a mailbox read from fixtures, and dated --now; no running app has this account
 * stored (and a past --now makes them expired), so none of them does anything when opened.
 */
export const PREVIEW_NOTE =
  "Preview: the links in this digest are not live. No running Followthrough app honours them (the mailbox was read from fixtures, and links dated by --now expire). To click through a digest, run `npm start` (followthrough start).";

/** The digest's HTML with the preview note as the first thing in its body. */
export function withPreviewBanner(html: string): string {
  const banner = `<div role="note" style="margin:0 0 12px;padding:10px 12px;border:2px solid #b45309;background:#fffbeb;color:#1f2937;font:14px/1.4 system-ui,sans-serif">${PREVIEW_NOTE.replace(/`/g, "")}</div>`;
  const at = html.search(/<body[^>]*>/i);
  if (at < 0) return banner + html;
  const end = html.indexOf(">", at) + 1;
  return html.slice(0, end) + banner + html.slice(end);
}
