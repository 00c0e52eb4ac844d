/**
 * A person walking the whole demo: the local stack as `npm start` runs it (both demo accounts), its
 * index opened in Chromium, and every same-origin link reachable by GET followed, breadth first,
 * each destination once and at most {@link VISITS_PER_KIND} of each kind (every link's token checked
 * all the same): the digests as emailed, their one-tap links, settings, the events and met
 * pages, the event emails in the sandbox's sent mail, and whatever those link to (a GET form's
 * pages too, settings' ready templates: built from its choices, not submitted). Every page answers
 * below 400 (nothing the demo links to is gone: no link has expired, nobody was dismissed), with the
 * headers every response carries (docs/app.md "Headers"), logs no console error and throws nothing,
 * asks for nothing that fails, has no axe violation (WCAG 2.2 A/AA), nothing wider than a phone (nor
 * than 320 px, WCAG's reflow width), a viewport meta a phone honours, one h1, and no id twice; the first
 * page of each kind also passes page-check's whole check (desktop's width too, light and dark). Each fragment a link names is
 * on its page; each token a page hands out opens, is its account's, and ends no later than the link
 * the page came in on (docs/app.md "Tokens"). Links elsewhere (a provider's consent, mailto:) are
 * listed, not followed, and so is a redirect of ours to another origin (a connect, a sign-in).
 *
 * The crawl presses nothing and submits nothing (test/pages-browser.test.ts does): a draft's confirm
 * page submits itself by script, so forms cannot submit here (as page-check's contextOf(false)
 * makes them), and any request that is not a GET is refused and is a finding. After the crawl every
 * item of the table, and each demo mailbox's drafts and sent mail in the sandbox, are as they were
 * before it: every GET the app links to changes nothing (docs/app.md "Why a GET never changes
 * anything"). Its pages, their kinds and statuses, and the links elsewhere go to
 * test-artifacts/pages/crawl.json.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import axe from "axe-core";
import type { Page, Route } from "playwright-core";
import { describe, expect, it } from "vitest";
import { type LinkClaims, openLink } from "@followthrough/core/links";
import { DEFAULT_GRAPH_TRANSPORT_MS } from "@followthrough/sandbox";
import { appInChromium } from "./support/app-browser";
import { root } from "./support/fixtures";
import { TAGS, VIEWPORTS } from "./support/page-check";

const KEY = "crawl-browser-test-link-key-0123456789";
const app = appInChromium({ linkKey: KEY, report: "crawl-axe.json" });
const { check } = app;
/**
 * The destinations of one kind the crawl opens: every link's token is checked, but opening all 18
 * draft confirm pages of one template took a minute and a half of CI's 15 (2026-12-07).
 */
const VISITS_PER_KIND = 4;

/** Far more than the demo links to (83 destinations): a crawl that reaches it has found links multiplying. */
const MAX_PAGES = 300;
/** Pages open at once: the app, the sandbox and Chromium share the machine's cores. */
const WORKERS = 3;

/** Everything the crawl could change: every item of the table, and each demo mailbox's drafts and sent mail, each by its key, as JSON. */
async function stored(): Promise<Map<string, string>> {
  const { repo, sandbox, accounts } = app.stack;
  const out = new Map<string, string>();
  let start: Record<string, unknown> | undefined;
  do {
    const page = await repo.doc.send(new ScanCommand({ TableName: repo.table, ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) out.set(`item ${String(item.pk)} ${String(item.sk)}`, JSON.stringify(item));
    start = page.LastEvaluatedKey;
  } while (start);
  for (const { account } of accounts) {
    const api = account.provider === "google" ? "gmail" : "graph";
    for (const what of ["drafts", "sent"]) {
      const res = await fetch(`${sandbox.url}/_control/accounts/${encodeURIComponent(account.email)}/${api}/${what}`);
      expect(res.status, `${account.email} ${what}`).toBe(200);
      out.set(`${account.email} ${what}`, JSON.stringify(await res.json()));
    }
  }
  return out;
}

/** What differs between two {@link stored} snapshots: each key added, removed or changed. */
function changes(before: Map<string, string>, after: Map<string, string>): string[] {
  const keys = [...new Set([...before.keys(), ...after.keys()])].sort();
  return keys.flatMap((k) => {
    const [b, a] = [before.get(k), after.get(k)];
    if (b === a) return [];
    return [`${k} ${b === undefined ? "added" : a === undefined ? "removed" : "changed"}${b && a ? `: ${b.slice(0, 300)}\n  → ${a.slice(0, 300)}` : ""}`];
  });
}

/** The claims of a one-tap link of ours (undefined for any other URL), or why its token does not open. */
function claimsOf(u: URL): LinkClaims | Error | undefined {
  const m = /^\/l\/[a-z]+\/([^/]+)/.exec(u.pathname);
  if (!m) return undefined;
  try {
    return openLink(KEY, m[1], Date.now());
  } catch (e) {
    return e as Error;
  }
}

/**
 * Where a URL of ours leads: its path and query, a token as the claims it carries but for its expiry
 * and its chain's start. Every page seals its links afresh (a random IV each time), so the same link
 * read on two pages is two URLs: crawled by URL, the walk never ends.
 */
function destination(u: URL): string {
  const claims = claimsOf(u);
  if (claims === undefined) return `${u.pathname}${u.search}`;
  let said: string;
  if (claims instanceof Error) said = `${u.pathname} (${claims.message})`;
  else {
    const { exp: _exp, org: _org, ...rest } = claims;
    said = JSON.stringify(Object.fromEntries(Object.entries(rest).sort(([a], [b]) => a.localeCompare(b))));
  }
  return `${u.pathname.replace(/^(\/l\/[a-z]+\/)[^/]+/, `$1${said}`)}${u.search}`;
}

/** A page's kind: its path with tokens and ids out, and the names of its query (page-check's whole check takes one of each). */
function kindOf(u: URL): string {
  const path = u.pathname.replace(/^\/l\/([a-z]+)\/[^/]+/, "/l/$1/<token>").replace(/^\/local\/(drafts|sent)\/.*/, "/local/$1/<account>/<id>");
  const query = [...u.searchParams.keys()].sort().join("&");
  return query ? `${path}?${query}` : path;
}

/** The path and query of a URL of ours, its token cut short, for messages. */
const short = (u: string) => {
  if (!URL.canParse(u)) return u;
  const x = new URL(u);
  return `${x.pathname.replace(/^(\/l\/[a-z]+\/)([^/]{8})[^/]+/, "$1$2…")}${x.search}${x.hash}`;
};

/**
 * One axe audit of the page as it is now, violations only: page-check's audit (WCAG 2.2 A/AA tags,
 * axe.run in the page, no frames) without the builder around it. axe-core is in every page of the
 * crawl from its start (the context's init script), where page-check's evaluate sends its 1.3 MB
 * over the protocol to each page, and axe.run is called as the builder calls it: 0.25 s a page
 * here instead of 0.45 s.
 */
async function violations(page: Page): Promise<{ id: string; targets: string[] }[]> {
  if (page.frames().length > 1) throw new Error(`${page.url()}: ${page.frames().length - 1} frame(s), which this audit does not reach`);
  return page.evaluate(async (tags) => {
    const r = await (window as unknown as { axe: typeof axe }).axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] });
    return r.violations.map((v) => ({ id: v.id, targets: v.nodes.map((n) => n.target.join(" ")) }));
  }, TAGS);
}

/** The headers every response of the app carries (docs/app.md "Headers"), each with what it must say. */
const HEADERS: [string, RegExp][] = [
  ["cache-control", /^no-store$/],
  ["x-robots-tag", /^noindex, nofollow$/],
  ["referrer-policy", /^same-origin$/],
  ["x-content-type-options", /^nosniff$/],
  ["content-security-policy", /frame-ancestors 'none'/],
];

/** What the crawl found at one URL. */
interface Visit {
  url: string;
  kind: string;
  from: string;
  status?: number;
  /** Where it redirected (3xx), not followed by the browser; a same-origin target is crawled in turn. */
  location?: string;
  title?: string;
  ids?: string[];
  findings: string[];
  ms?: number;
}

describe("a person walks the whole demo", () => {
  it("every page reachable by GET from the index: below 400, no console error, axe clean, nothing wider than a phone, every link opening, and nothing changed", { timeout: 180_000 }, async () => {
    const started = Date.now();
    const origin = new URL(app.stack.url).origin;
    // The demo's Outlook mail (its digest, its event emails) sits in the sandbox's Drafts until
    // Graph's transport takes it to Sent Items, some seconds of the mailbox's (wall) clock after the
    // send: taken before then, the snapshot would see the mailbox change under the crawl.
    await new Promise((r) => setTimeout(r, DEFAULT_GRAPH_TRANSPORT_MS + 250));
    const before = await stored();

    const context = await app.browser.newContext({ viewport: VIEWPORTS.phone });
    // No form submits during the crawl: a draft's confirm page submits itself on load.
    await context.addInitScript(() => {
      HTMLFormElement.prototype.submit = function () {};
      HTMLFormElement.prototype.requestSubmit = function () {};
    });
    await context.addInitScript(axe.source);

    const visits = new Map<string, Visit>();
    const queue: { url: string; from: string }[] = [];
    /** Each destination once (see {@link destination}), and where it was first found. */
    const seen = new Map<string, string>();
    const external = new Map<string, Set<string>>();
    const fragments: { target: string; id: string; from: string }[] = [];
    const refused: string[] = [];
    const badLinks: string[] = [];

    /** Destinations opened so far by kind ({@link VISITS_PER_KIND}), and those left unopened. */
    const openedOfKind = new Map<string, number>();
    const notOpened = new Set<string>();
    /** A link found on `from`: a page of ours is queued (once), anything else listed. */
    const found = (href: string, from: string) => {
      if (!URL.canParse(href, from)) return badLinks.push(`${short(from)}: ${href} is no URL`);
      const u = new URL(href, from);
      if (u.origin !== origin) {
        external.set(u.href, (external.get(u.href) ?? new Set()).add(short(from)));
        return;
      }
      const id = decodeURIComponent(u.hash.slice(1));
      u.hash = "";
      // A token handed out opens, is the account's of the page, and ends no later than the page's own link.
      const claims = claimsOf(u);
      const own = URL.canParse(from) ? claimsOf(new URL(from)) : undefined;
      if (claims instanceof Error) badLinks.push(`${short(from)} links ${short(u.href)}, whose token does not open: ${claims.message}`);
      else if (claims && own && !(own instanceof Error)) {
        if (claims.acc !== own.acc) badLinks.push(`${short(from)} (${own.acc}) links ${short(u.href)} of ${claims.acc}`);
        if (claims.exp > own.exp) badLinks.push(`${short(from)} links ${short(u.href)}, which ends ${claims.exp - own.exp} s after the page's own link`);
      }
      const dest = destination(u);
      if (id) fragments.push({ target: dest, id, from });
      if (seen.has(dest)) return;
      // A few destinations of each kind are opened (any a fragment names, always): the rest are the
      // same template over other people or events (18 draft confirm pages), each token checked above.
      const kind = kindOf(u);
      if (!id && (openedOfKind.get(kind) ?? 0) >= VISITS_PER_KIND) return void notOpened.add(dest);
      openedOfKind.set(kind, (openedOfKind.get(kind) ?? 0) + 1);
      seen.set(dest, u.href);
      queue.push({ url: u.href, from });
    };

    // Every request of the crawl: a non-GET is refused (and is a finding); a page of ours is fetched
    // without following its redirect, which is recorded and queued like a link; another origin is
    // never reached.
    await context.route("**/*", async (route: Route) => {
      const r = route.request();
      const u = new URL(r.url());
      if (r.method() !== "GET") {
        refused.push(`${r.method()} ${short(r.url())} (from ${short(r.frame().url())})`);
        return route.abort("blockedbyclient");
      }
      if (u.origin !== origin) {
        refused.push(`GET of another origin ${r.url()} (from ${short(r.frame().url())})`);
        return route.abort("blockedbyclient");
      }
      if (!r.isNavigationRequest()) return route.continue();
      u.hash = "";
      const visit = visits.get(u.href);
      const res = await route.fetch({ maxRedirects: 0 });
      if (visit) {
        visit.status = res.status();
        const headers = res.headers();
        for (const [name, must] of HEADERS) if (!must.test(headers[name] ?? "")) visit.findings.push(`header ${name}: ${headers[name] ?? "(none)"}`);
      }
      if (res.status() >= 300 && res.status() < 400) {
        if (visit) visit.location = res.headers().location ?? "";
        return route.fulfill({ status: 200, contentType: "text/html", body: "<!doctype html><html lang=en><title>A redirect</title><main><h1>A redirect</h1></main></html>" });
      }
      return route.fulfill({ response: res });
    });

    /** The kinds of page given page-check's whole check so far (the first of each is). */
    const sampled = new Set<string>();
    async function walk(page: Page, url: string, from: string): Promise<void> {
      const visit: Visit = { url, kind: kindOf(new URL(url)), from, findings: [] };
      visits.set(url, visit);
      const errors: string[] = [];
      const onConsole = (m: { type(): string; text(): string }) => void (m.type() === "error" && errors.push(`console: ${m.text()}`));
      const onError = (e: Error) => void errors.push(`page error: ${e.message}`);
      // What the page itself asks for (a fragment it fetches; anything a browser asks for by itself).
      const onResponse = (r: { url(): string; status(): number; request(): { isNavigationRequest(): boolean } }) =>
        void (!r.request().isNavigationRequest() && r.status() >= 400 && errors.push(`HTTP ${r.status()} for ${short(r.url())}, which the page asked for`));
      page.on("console", onConsole);
      page.on("pageerror", onError);
      page.on("response", onResponse);
      try {
        await page.goto(url, { waitUntil: "load" });
        // A redirect: where it goes is a link like any other (the browser did not follow it).
        if (visit.location !== undefined) return void found(visit.location, url);
        const status = visit.status ?? 0;
        if (visit.status === undefined) visit.findings.push(`no answer recorded for ${page.url()}`);
        if (status >= 400) visit.findings.push(`HTTP ${status}: ${(await page.textContent("h1").catch(() => "")) ?? ""}`);
        visit.title = await page.title();
        // Its links: each anchor's, a fragment's source (data-src), and each address printed as text
        // (the sandbox's on the index), which a person copies into the address bar.
        const { links, ids, viewport, headings } = await page.evaluate(() => {
          const printed: string[] = [];
          const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
          for (let n = walker.nextNode(); n; n = walker.nextNode()) if (!n.parentElement?.closest("a, script, style")) printed.push(...(n.textContent ?? "").match(/https?:\/\/[^\s<>"')]+/g) ?? []);
          return {
            links: [
              ...[...document.querySelectorAll("a[href], area[href]")].map((a) => a.getAttribute("href") ?? ""),
              ...[...document.querySelectorAll("[data-src]")].map((e) => e.getAttribute("data-src") ?? ""),
              ...printed.map((u) => u.replace(/[.,;:]$/, "")),
              // A GET form opens a page as a link does: what it asks for with each choice of its
              // lists, built here, not submitted (settings' ready templates, ?preset=).
              ...[...document.querySelectorAll<HTMLFormElement>('form[method="get" i]')].flatMap((f) => {
                const at = (d: FormData) => `${f.getAttribute("action") ?? ""}?${new URLSearchParams(d as unknown as Record<string, string>)}`;
                const lists = [...f.querySelectorAll("select")];
                return lists.length
                  ? lists.flatMap((sel) => [...sel.options].map((o) => { const d = new FormData(f); d.set(sel.name, o.value); return at(d); }))
                  : [at(new FormData(f))];
              }),
            ],
            ids: [...document.querySelectorAll("[id], a[name]")].map((e) => e.id || e.getAttribute("name") || ""),
            viewport: document.querySelector('meta[name="viewport"]')?.getAttribute("content") ?? "",
            headings: [...document.querySelectorAll("h1")].map((h) => (h.textContent ?? "").trim()),
          };
        });
        // What the page is about, said once: its one top heading.
        if (headings.length !== 1 || !headings[0]) visit.findings.push(`${headings.length} h1: ${headings.join(" | ")}`);
        // A phone lays out a page without it 980 px wide, and shrinks it to fit (a desktop browser at
        // 390 px, as here, ignores it: the overflow check alone would not see it missing).
        if (!/width=device-width/.test(viewport)) visit.findings.push(`no <meta name="viewport" content="width=device-width">: ${viewport || "(none)"}`);
        visit.ids = ids;
        const twice = [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];
        if (twice.length) visit.findings.push(`id on more than one element: ${twice.join(", ")}`);
        for (const href of links) found(href, url);
        // Every page at a phone's width: axe, and nothing wider than the phone.
        for (const v of await violations(page)) visit.findings.push(`axe phone/light ${v.id}: ${v.targets.slice(0, 3).join(" | ")}`);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        if (overflow > 1) visit.findings.push(`${overflow}px wider than the phone`);
        // WCAG 1.4.10 (reflow): content 320 CSS px wide scrolls in one direction only.
        await page.setViewportSize({ width: 320, height: VIEWPORTS.phone.height });
        const reflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        if (reflow > 1) visit.findings.push(`320 px: ${reflow}px wider than the window`);
        await page.setViewportSize(VIEWPORTS.phone);
        // The first page of each kind: page-check's whole check too (phone and desktop, light and
        // dark), whose axe results go to test-artifacts/pages/crawl-axe.json.
        if (!sampled.has(visit.kind)) {
          sampled.add(visit.kind);
          await check(page, `crawl-${visit.kind.replace(/[^a-z0-9]+/gi, "-").replace(/^-|-$/g, "") || "index"}`).catch((e: Error) => visit.findings.push(e.message));
        }
      } catch (e) {
        visit.findings.push(`crawl: ${(e as Error).message.split("\n")[0]}`);
      } finally {
        page.off("console", onConsole);
        page.off("pageerror", onError);
        page.off("response", onResponse);
        // A page answering 400 or more logs its own load as a console error: its status is the finding.
        const status = visit.status ?? 0;
        visit.findings.push(...errors.filter((e) => !(status >= 400 && e.startsWith("console: Failed to load resource: the server responded with a status of"))));
      }
    }

    queue.push({ url: `${origin}/`, from: "(start)" });
    seen.set("/", `${origin}/`);
    let busy = 0;
    const worker = async () => {
      const page = await context.newPage();
      for (;;) {
        const next = queue.shift();
        if (!next) {
          // Another worker's page may still add links.
          if (busy === 0) break;
          await new Promise((r) => setTimeout(r, 20));
          continue;
        }
        if (visits.size >= MAX_PAGES) break;
        busy++;
        const t0 = Date.now();
        try {
          await walk(page, next.url, next.from);
        } finally {
          busy--;
          visits.get(next.url)!.ms = Date.now() - t0;
        }
      }
      await page.close();
    };
    await Promise.all(Array.from({ length: WORKERS }, worker));
    await context.close();
    const after = await stored();
    const seconds = ((Date.now() - started) / 1000).toFixed(1);

    // Each fragment a link names is an id (or anchor name) on the page it opens.
    const visitOf = (dest: string) => visits.get(seen.get(dest) ?? "");
    const missing = fragments
      .filter((f) => visitOf(f.target)?.ids && !visitOf(f.target)!.ids!.includes(f.id))
      .map((f) => `${short(visitOf(f.target)!.url)}#${f.id} (linked from ${short(f.from)}): no such id on the page`);

    const all = [...visits.values()];
    const kinds = new Map<string, number>();
    for (const v of all) kinds.set(`${v.kind} ${v.status ?? "?"}`, (kinds.get(`${v.kind} ${v.status ?? "?"}`) ?? 0) + 1);
    const list = (m: Map<string, Set<string>>) => Object.fromEntries([...m].map(([k, v]) => [k, [...v]]));
    writeFileSync(
      join(root, "test-artifacts", "pages", "crawl.json"),
      `${JSON.stringify({ seconds, pages: all.length, kinds: Object.fromEntries(kinds), elsewhere: list(external), visits: all.map((v) => ({ ...v, url: short(v.url), from: short(v.from), location: v.location && short(v.location), ids: undefined })) }, null, 1)}\n`,
    );
    console.info(`crawl: ${all.length} pages of ${new Set(all.map((v) => v.kind)).size} kinds (${notOpened.size} more of those kinds' destinations checked, not opened), ${external.size} links elsewhere (listed, not followed), in ${seconds} s`);
    for (const [k, n] of [...kinds].sort()) console.info(`  ${String(n).padStart(3)} × ${k}`);
    for (const [href, from] of external) console.info(`  elsewhere: ${href.replace(/\?.*/, "?…")} (from ${[...from].join(", ")})`);

    const problems = [
      ...all.flatMap((v) => v.findings.map((f) => `${short(v.url)} (from ${short(v.from)}): ${f}`)),
      ...missing,
      ...badLinks,
      ...refused.map((x) => `refused: ${x}`),
      ...changes(before, after).map((x) => `changed by the crawl: ${x}`),
    ];
    expect(all.length, `the crawl reached ${MAX_PAGES} pages`).toBeLessThan(MAX_PAGES);
    expect(problems, problems.join("\n")).toEqual([]);
  });
});
