import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { digestMail } from "@followthrough/core/digest";
import { mimeOfOutgoing } from "@followthrough/core/mail";
import { scan } from "@followthrough/core/scan";
import { prepareDigest } from "@followthrough/core/weekly";
import { loadFixture } from "@followthrough/sandbox";
import { UsageError } from "./errors";
import { prepareOutDir } from "./out-dir";
import { parseNow } from "./scan";
import { withFixtureSession } from "./session";

/** Where one-tap links point, and the key they are signed with (configuration, with local defaults). */
export function linkConfig(baseUrl?: string) {
  const url = baseUrl ?? process.env.FOLLOWTHROUGH_BASE_URL ?? "http://localhost:8787";
  if (!/^https?:\/\/[^/\s]+/.test(url)) throw new UsageError(`--base-url must be an http(s) URL, got ${JSON.stringify(url)}`);
  return { baseUrl: url.replace(/\/$/, ""), key: process.env.FOLLOWTHROUGH_LINK_KEY ?? "followthrough-local-development-key" };
}

/** `followthrough digest --fixtures <mailbox> --now <ISO> --out <dir>`: the digest that would be sent. */
export async function digestCommand(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: { fixtures: { type: "string" }, now: { type: "string" }, out: { type: "string" }, "base-url": { type: "string" } }, strict: true }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (!values.fixtures) throw new UsageError("digest needs --fixtures <mailbox>");
  if (!values.out) throw new UsageError("digest needs --out <dir>");
  const now = parseNow(values.now);
  const links = linkConfig(values["base-url"]);
  const fixture = loadFixture(values.fixtures);
  // Checked (and created) before any work: a bad folder is one line and exit 2, never a hang.
  const out = prepareOutDir(values.out);
  return withFixtureSession(fixture, async ({ repo, account: current, provider }) => {
    const account = current();
    await scan({ owner: account, provider, repo, now });
    const { digest, rendered } = await prepareDigest({ repo, account, now, links });
    const eml = await mimeOfOutgoing(account, digestMail(account, digest, rendered));
    writeFileSync(join(out, "digest.html"), rendered.html);
    writeFileSync(join(out, "digest.txt"), rendered.text);
    writeFileSync(join(out, "digest.eml"), eml);
    console.log(`${rendered.subject}\nwrote ${join(out, "digest.html")}, digest.txt and digest.eml (${digest.missing.length} follow-ups waiting, links to ${links.baseUrl})`);
    return 0;
  });
}
