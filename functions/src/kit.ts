/**
 * What every feature module of the app shares, in one place: the deps the app is built from
 * ({@link AppDeps}, with the connect flow's {@link ConnectDeps}), the page shell and its CSP, and
 * the signed-link checks ({@link createKit}). Feature modules (settings.ts, connect.ts, the links
 * in app.ts) depend on this module and on pages.ts; app.ts only builds the kit and mounts them.
 */
import type { Context } from "hono";
import { html, raw } from "hono/html";
import { NONCE } from "hono/secure-headers";
import { type AccountRecord, loadAccount, movedAccount } from "@followthrough/core/accounts";
import { type ConnectClient, revokeGrant, type RevokeOutcome } from "@followthrough/core/connect";
import { chainIssuedAt, LINK_TTL_SECONDS, type LinkAction, type LinkClaims, LinkError, type LinkProblem, linkPath, openLink, sealLink } from "@followthrough/core/links";
import type { MailboxProvider } from "@followthrough/core/providers";
import type { SystemMailer } from "@followthrough/core/reconnect";
import type { Keyring } from "@followthrough/core/secrets";
import { digestHasBody, type StoredDigest } from "@followthrough/core/digest-store";
import { keys, type Repository } from "@followthrough/core/storage";
import type { LinkPages, Markup, PageKit } from "./pages";

/** The AppDeps fields of the connect flow (all optional in AppDeps). */
export interface ConnectDeps {
  /** Client registrations; a provider without one cannot be connected here. */
  oauth?: { google?: ConnectClient; microsoft?: ConnectClient };
  /** Seals refresh tokens and the connect cookie. */
  ring?: Keyring;
  /** Starts an account's first backfill without waiting for it (locally: in-process; on AWS: a queue message). */
  enqueueBackfill?: (email: string) => Promise<void>;
  /**
   * Builds the adapter for a just-granted token (the record is provisional: address unknown yet).
   * `onRefreshToken` must receive any rotated refresh token (Microsoft rotates on every use), which
   * is the one stored. Default: core/loader (only that provider's module) with the keyring and client secrets.
   */
  providerForNew?: (account: AccountRecord, onRefreshToken: (token: string) => Promise<void>) => MailboxProvider | Promise<MailboxProvider>;
  /** fetch for calls the app makes to providers itself (token revocation); global fetch by default. */
  httpFetch?: typeof fetch;
  /**
   * Mail from the service itself: the link that confirms moving an address's account to the other
   * provider (core/connect offerMove). Without it a sign-in through the other provider is refused
   * with no way to move.
   */
  notify?: SystemMailer;
}

/**
 * What the app needs; built from SST resources on Lambda and from the local runtime otherwise.
 * The connect flow's fields (oauth, ring, enqueueBackfill, providerForNew, httpFetch) come from
 * {@link ConnectDeps} and are optional: without them /connect offers nothing.
 */
export interface AppDeps extends ConnectDeps {
  repo: Repository;
  /** The key the one-tap links are sealed under (core/links: AES-256-GCM, its key derived by HKDF-SHA256). */
  linkKey: string | Uint8Array;
  /** Public origin, e.g. https://app.followthrough.example or http://localhost:8787. */
  baseUrl: string;
  now: () => number;
  providerFor: (a: AccountRecord) => MailboxProvider | Promise<MailboxProvider>;
  /**
   * The instant an account's calendar is read as of on the events pages (what is "the next 14 days",
   * what is attended), a follow-up draft is written as of (its default subject) and the Connected
   * page's first look reads "the last 30 days" as of: now() in
   * production; locally, the demo's labelled "now" for its accounts.
   */
  asOf?: (account: Pick<AccountRecord, "email">) => number;
  /** Where a draft tap lands; default: the provider's web link of the draft. */
  draftLanding?: (account: AccountRecord, draft: { draftId: string; webLink: string }) => string;
  /** Local runs only: the provider sandbox (index page, draft viewer). */
  local?: { sandboxUrl: string };
  /**
   * How long a draft tap waits for its draft, from the tap's start, before it answers "being made"
   * (core/limits DRAFT_CREATE_DEADLINE_MS, well inside the function's timeout); tests shorten it.
   */
  draftDeadlineMs?: number;
}

/**
 * Revokes a stored account's grant at its provider with this app's clients (core/connect
 * revokeGrant: never throws; Google's only, as Microsoft gives no call for it): how a disconnect and
 * a move end an account's grant before deleting its token.
 */
export const revokeStored =
  (deps: Pick<AppDeps, "ring" | "oauth" | "httpFetch">) =>
  async (account: AccountRecord): Promise<RevokeOutcome> =>
    revokeGrant(account, { ring: deps.ring, revokeUrl: deps.oauth?.google?.endpoints.revokeUrl, fetch: deps.httpFetch });

/** The instant an account's pages and drafts are reckoned as of: {@link AppDeps.asOf} where the app has it, else now(). */
export const asOfFor = (deps: Pick<AppDeps, "now" | "asOf">, account: Pick<AccountRecord, "email">): number => deps.asOf?.(account) ?? deps.now();

/** What a refused link shows. */
export const LINK_PAGES: Record<LinkProblem, [status: 400 | 403 | 410, title: string, sentence: string]> = {
  malformed: [400, "Link not valid", "This link is not valid."],
  tampered: [400, "Link not valid", "This link is not valid."],
  expired: [410, "Link expired", "This link has expired — open your latest digest."],
  "wrong-account": [403, "Wrong account", "This link belongs to a different account."],
  "old-form": [410, "Link retired", "Links of this older kind no longer work, so that your address stays out of web addresses. Open your latest digest: its links work."],
  "wrong-action": [403, "Wrong link", "This link can't be used for that."],
};

/**
 * The referrer policy of every response: a same-origin request (a form POST of our own pages)
 * carries its real Origin, so the settings forms' same-origin check passes in a browser; a request
 * to any other origin (the draft landing in Gmail or Outlook, a link in a page) carries no Referer,
 * so the token in our URLs never leaves this origin. ("no-referrer" made browsers send
 * `Origin: null` on our own form POSTs.)
 */
export const REFERRER_POLICY = "same-origin";

/** The same-origin CSP of the app's own pages: scripts and styles only with the request's nonce. */
export const APP_CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'", NONCE],
  styleSrc: ["'self'", NONCE],
  imgSrc: ["'self'", "data:"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  frameAncestors: ["'none'"],
  // Browsers apply form-action to the redirect after the POST too: the draft tap lands in Gmail or
  // Outlook on the web (https), locally on this origin.
  formAction: ["'self'", "https:"],
};

const STYLE = `
:root{color-scheme:light dark;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
body{margin:0;padding:24px 16px;line-height:1.5;background:Canvas;color:CanvasText}
main{max-width:32rem;margin:0 auto;overflow-wrap:anywhere}
h1{font-size:1.25rem;margin:0 0 .75rem}
h2{font-size:1.05rem;margin:1.5rem 0 .5rem}
p{margin:.5rem 0}
.who{font-weight:600}
.muted{font-size:.9rem}
a{color:LinkText}
[hidden]{display:none!important}
button,.button{display:inline-block;margin-top:1rem;padding:.7rem 1.2rem;font-size:1rem;border-radius:8px;border:0;background:#1a56db;color:#fff;text-decoration:none;cursor:pointer}
button.secondary{background:transparent;color:LinkText;border:1px solid currentColor}
.sr{position:absolute;width:1px;height:1px;margin:0;padding:0;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
button.enter{position:absolute;width:1px;height:1px;margin:0;padding:0;border:0;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
button[aria-pressed=true]{background:#0b3a9e;box-shadow:0 0 0 3px #93b4f5}
ul{padding-left:1.2rem}
pre{white-space:pre-wrap;word-break:break-word;background:rgba(127,127,127,.12);padding:12px;border-radius:8px;font:inherit}
dt{font-weight:600}dd{margin:0 0 .5rem;overflow-wrap:anywhere}
label{display:block;margin:.5rem 0 .25rem;font-weight:600}
input[type=text],select,textarea{font:inherit;font-size:1rem;max-width:100%;box-sizing:border-box}
input[type=text],textarea{width:100%;padding:.4rem}
.error{border-left:4px solid #c81e1e;padding-left:.75rem}
nav.after{margin-top:1.5rem}
input[type=number],input[type=email],input[type=search]{font:inherit;font-size:1rem;max-width:100%;box-sizing:border-box;padding:.4rem}
input[type=email],input[type=search]{width:100%}
input[type=number]{width:6rem}
input[type=checkbox]{width:1.5rem;height:1.5rem;margin:.25rem .5rem .25rem 0;vertical-align:middle}
label.inline{display:inline;font-weight:normal}
fieldset{border:0;padding:0;margin:0}
legend{font-weight:600;padding:0}
ul.events,ul.guests{list-style:none;padding-left:0}
ul.events>li{margin:0 0 1.25rem;padding-bottom:1rem;border-bottom:1px solid rgba(127,127,127,.35)}
ul.guests>li{margin:.35rem 0}
ul.said{list-style:none;padding-left:0}
ul.said>li{margin:0 0 .75rem;padding-bottom:.75rem;border-bottom:1px solid rgba(127,127,127,.35)}
ul.said .line{display:block}
ul.said button{margin-top:.35rem}
details.letter{border-bottom:1px solid rgba(127,127,127,.35)}
details.letter>summary{padding:.6rem 0;font-weight:600;cursor:pointer}
`;

type C = Context;

/** The request's CSP nonce (set by secureHeaders before the handler runs). */
const nonceOf = (c: C) => (c.get("secureHeadersNonce") as string | undefined) ?? "";

/**
 * The pages' icon, inline (the CSP's img-src allows data:): a browser asks for /favicon.ico
 * otherwise, and got the app's 404 page for it.
 */
const FAVICON = `data:image/svg+xml,${encodeURIComponent("<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'><circle cx='8' cy='8' r='7' fill='#1f5fbf'/><path d='M5 8.5l2 2 4-5' stroke='#fff' stroke-width='1.8' fill='none'/></svg>")}`;

/** Builds the page kit every feature module uses, as closures over the app's deps. */
export function createKit(deps: AppDeps): PageKit {
  const base = deps.baseUrl.replace(/\/$/, "");

  const page = (c: C, status: number, title: string, body: Markup) =>
    c.html(
      html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="${REFERRER_POLICY}">
<meta name="robots" content="noindex, nofollow">
<link rel="icon" href="${FAVICON}">
<title>${title} · Followthrough</title>
<style nonce="${nonceOf(c)}">${raw(STYLE)}</style>
</head>
<body><main>${body}</main></body>
</html>`,
      status as 200,
    );

  const say = (c: C, status: number, title: string, sentence: string, onward?: { href: string; text: string }) =>
    page(c, status, title, html`<h1>${title}</h1><p>${sentence}</p>${onward ? html`<p><a href="${onward.href}">${onward.text}</a></p>` : ""}`);

  // Not a dead end: a link of a disconnected account (an old digest's, a tab left open) says what
  // happened and where to begin again (helper-197).
  const accountGone = (c: C) =>
    page(c, 404, "Account not found", html`<h1>Account not found</h1>
<p>We couldn't find this account; it may have been disconnected.</p>
<p><a href="${base}/connect">Connect an account</a></p>`);

  /**
   * A page that cannot go on where the person meant (a link refused, a page that does not exist)
   * still leads somewhere: their settings, through a sign-in, and connecting an account (helper-200 #6).
   */
  const lost = (c: C, status: number, title: string, sentence: string) =>
    page(c, status, title, html`<h1>${title}</h1><p>${sentence}</p>
<p><a href="${base}/settings">Sign in to your settings</a> · <a href="${base}/connect">Connect an account</a></p>`);

  const notFound = (c: C) => lost(c, 404, "Not found", "This page does not exist.");

  const linkRefused = (c: C, problem: LinkProblem) => {
    const [status, title, sentence] = LINK_PAGES[problem];
    // Locally, a link that does not open is most often one of an earlier `npm start`, whose demo seals
    // its links under a new key each run (helper-245 #11).
    return lost(c, status, title, problem === "tampered" && deps.local ? `${sentence} If it is from an earlier run of npm start: the demo makes new links each time it starts, so open them again from its index.` : sentence);
  };

  /** The claims of the link each request came in on. */
  const cameIn = new WeakMap<Request, LinkClaims>();
  /** For a page that hands out links issued whole (LinkPages `whole`): when its link was issued (epoch seconds), and its `mv`. */
  const wholeAt = new WeakMap<Request, { at: number; mv?: number }>();
  const authorise = async (c: C, act: LinkAction, pages: LinkPages = {}): Promise<{ claims: LinkClaims; account: AccountRecord } | Response> => {
    let claims: LinkClaims;
    try {
      claims = openLink(deps.linkKey, c.req.param("token") ?? "", deps.now(), { act, ...(pages.evenExpired ? { evenExpired: true } : {}) });
    } catch (e) {
      if (e instanceof LinkError) return e.problem === "expired" && pages.expired ? pages.expired(c) : linkRefused(c, e.problem);
      throw e;
    }
    if ((act === "draft" || act === "dismiss") && (typeof claims.per !== "string" || typeof claims.evt !== "string")) return linkRefused(c, "malformed");
    if ((act === "met" || act === "goal") && typeof claims.evt !== "string") return linkRefused(c, "malformed");
    let account = await loadAccount(deps.repo, claims.acc);
    if (!account) {
      // The provider renamed the account since the link was issued: it follows (core/accounts movedAccount).
      account = await movedAccount(deps.repo, claims.acc, chainIssuedAt(claims));
      if (!account) return pages.missing ? pages.missing(c) : accountGone(c);
      // The pages it opens hand out links of the account as it is now, marked as reached by the move
      // (`mv`), or they would read as an earlier connection's (helper-144 #3); the chain's start
      // (`org`) stays, and with it the digests they may open (helper-145 #1).
      claims = { ...claims, acc: account.email.toLowerCase(), mv: Math.ceil((account.createdAt ?? 0) / 1000) };
    }
    // A link of an earlier connection of this address (core/accounts createdAt): as good as expired.
    else if (account.createdAt !== undefined && Math.max(chainIssuedAt(claims), claims.mv ?? 0) < Math.floor(account.createdAt / 1000))
      return pages.expired ? pages.expired(c) : linkRefused(c, "expired");
    // Links this request's page hands out live no longer than the link it came in on; the sign-in's
    // own page, reached again, hands out the links it handed out then.
    if (pages.whole) wholeAt.set(c.req.raw, { at: chainIssuedAt(claims), ...(claims.mv !== undefined ? { mv: claims.mv } : {}) });
    else cameIn.set(c.req.raw, claims);
    return { claims, account };
  };

  /**
   * How long a link of `act` a page hands out may live from now (seconds; 0 or less: not at all).
   * No longer than the link the request came in on (its `exp`): one leaked link opens its page and
   * what that page links to, until the leaked link itself expires, not a chain of fresh settings,
   * events and digest links for as long as someone keeps clicking. A settings link, nor past a week
   * from when the chain began (core/links chainIssuedAt): a forwarded digest's own settings link
   * lives a week, and those of the pages its six-week links open end then too (helper-244 #3: each
   * page handed out a fresh week, and the template could be changed for six weeks). Other links
   * (a reconnect link, which grants only a sign-in prompt) live as long as the link they came from
   * (helper-246 #1: capped too, a reconnect button died 30 days into a digest's 42).
   */
  const lifeOf = (c: C, act: LinkAction): number => {
    const from = cameIn.get(c.req.raw);
    if (wholeAt.has(c.req.raw) || from === undefined) return LINK_TTL_SECONDS[act];
    const nowS = Math.floor(deps.now() / 1000);
    const life = Math.min(LINK_TTL_SECONDS[act], from.exp - nowS);
    return act === "settings" ? Math.min(life, chainIssuedAt(from) + LINK_TTL_SECONDS.settings - nowS) : life;
  };

  /**
   * A link this request's page hands out ({@link lifeOf}). A page reached without a link (the
   * connect callback's) hands out links of their full lifetime; the Connected page it redirects to
   * (LinkPages `whole`) the same links, issued as of the sign-in (its link's issue), however late in
   * that link's hour it is opened again.
   */
  const linkFor = (c: C, account: string, act: LinkAction, extra: { evt?: string } = {}) => {
    const whole = wholeAt.get(c.req.raw);
    const from = cameIn.get(c.req.raw);
    const now = deps.now();
    // Issued as of the sign-in, of its full lifetime (the Connected page); or now, carrying when its
    // chain began (a forwarded digest's pages hand out no way to a later digest or the live first look).
    const [issued, ttl, marks] = whole
      ? [whole.at * 1000, LINK_TTL_SECONDS[act], whole.mv !== undefined ? { mv: whole.mv } : {}]
      : from === undefined
        ? [now, LINK_TTL_SECONDS[act], {}]
        : [now, Math.max(1, lifeOf(c, act)), { org: chainIssuedAt(from), ...(from.mv !== undefined ? { mv: from.mv } : {}) }];
    return `${base}${linkPath(act, sealLink(deps.linkKey, { act, acc: account, ...(extra.evt !== undefined ? { evt: extra.evt } : {}), ...marks }, issued, ttl))}`;
  };

  /** Whether a link of `act` this request's page hands out would still open (a settings link past a week of its chain does not). */
  const linkLives = (c: C, act: LinkAction) => lifeOf(c, act) > 0;

  /**
   * The ways on at the foot of an account's page, in one order: its events, its latest digest, its
   * settings, each unless `omit` names it (the page it is on, or a digest there is none of), after
   * `first` (the local accounts index's way back).
   */
  const nav = (c: C, account: string, o: { omit?: readonly ("events" | "view" | "settings")[]; first?: Markup } = {}) => {
    // Past its link's life, the settings are reached by signing in (/settings) rather than by a link that would not open.
    const ways = ([["events", "Your events"], ["view", "Your latest digest"], ["settings", "Your settings"]] as const)
      .filter(([act]) => !o.omit?.includes(act))
      .map(([act, words]) => html`<a href="${act === "settings" && !linkLives(c, act) ? `${base}/settings` : linkFor(c, account, act)}">${words}</a>`);
    const all = o.first === undefined ? ways : [o.first, ...ways];
    return html`<nav class="after" aria-label="More"><p>${all.map((w, i) => (i ? html` · ${w}` : w))}</p></nav>`;
  };

  return { page, say, lost, notFound, authorise, linkFor, linkLives, nonceOf, linkRefused, accountGone, nav };
}

/**
 * The ISO week of the account's latest digest (made by `madeBy`, when given): one with its HTML, or
 * one sent too large to keep it (its view says where it is), never an older one in its place. Read
 * from the latest week down until one is found (a week's key sorts as its week does): digests are
 * kept, one a week, each holding its body (tens of KB); until 2026-12-07 every one of them was read,
 * a year's 52 1.2 MB for a heavy account's (docs/benchmarks.md (11)).
 */
export async function latestDigestWeek(repo: Repository, account: string, madeBy = Infinity): Promise<string | undefined> {
  const shown = (d: StoredDigest | undefined) => digestHasBody(d) || d?.status === "sent";
  const latest = await repo.lastWhere(keys.partition(account), keys.prefix.digest, (i) => shown(i.digest as StoredDigest | undefined) && (i.digest as StoredDigest).claimedAt <= madeBy);
  return latest && String(latest.sk).slice(keys.prefix.digest.length);
}
