/**
 * The HTTP app behind the digest's one-tap links, the same on Lambda and locally: every route but
 * the local-only ones (functions/src/local.ts, mounted by app.ts's createApp), so the deployed API
 * (functions/src/api.ts builds it with {@link buildApp}) holds none of their code nor postal-mime.
 *
 * Every link is `/l/<action>/<token>` with a sealed, opaque token (core/links: the account, person
 * and meeting are encrypted in it, never in the URL's clear text). A GET never
 * changes anything: mail security scanners and link previewers fetch every URL in a message, so a
 * GET only verifies the token and answers a small page whose inline script (allowed by a CSP nonce)
 * POSTs back to the same URL; the POST does the work. A visible button does the same without JS.
 *
 * No module-level state: everything comes in through {@link AppDeps}.
 */
import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { html } from "hono/html";
import { secureHeaders } from "hono/secure-headers";
import { type AccountRecord, awaitsReconnect, formerAddresses, pausePatch, updateAccount } from "@followthrough/core/accounts";
import { loadDigest } from "@followthrough/core/digest-store";
import { dismissFollowUp, draftFollowUp, FollowUpError, followedUpOn, type GoneDraft, goneDraft, humanDate, metOn, STARTED_DRAFT_LOOK_SHARE, startedDraft, undoDismiss } from "@followthrough/core/followup";
import { DRAFT_CREATE_DEADLINE_MS } from "@followthrough/core/limits";
import { normalizeAddress } from "@followthrough/core/identity";
import { chainIssuedAt, type LinkClaims, linkPath, openLink, sealLink } from "@followthrough/core/links";
import { grantGoneReason, isRevoked, markGrantGone, reconnectReason, reconnectWhy, refusedElsewhere } from "@followthrough/core/reconnect";
import { ProviderError } from "@followthrough/core/resilience";
import type { PersonRecord } from "@followthrough/core/storage";
import { shownName } from "@followthrough/core/model";
import { mountConnect } from "./connect";
import { mountEvents } from "./events";
import { APP_CSP, type AppDeps, asOfFor, createKit, latestDigestWeek, REFERRER_POLICY } from "./kit";
import { againIn, LONG_WAIT_MS, type Markup, nextDigestWhen, type PageKit, zoneWords } from "./pages";
import { mountSettings } from "./settings";

export type { AppDeps, ConnectDeps } from "./kit";

type C = Context;

/** Actions a tap completes with a POST. */
const MUTATING = ["draft", "dismiss", "pause"] as const;
type Mutating = (typeof MUTATING)[number];
const isMutating = (a: string): a is Mutating => (MUTATING as readonly string[]).includes(a);

const WEEK = /^\d{4}-W\d{2}$/;

/** A draft link's query when the owner asked for a draft to someone followed up already ("Write to them anyway"). */
const ASKED_AGAIN = "again";

/**
 * The largest request body read (bytes): many times the largest form of our pages (a settings save,
 * its 2,000-character template percent-encoded, is under 30 KiB; the met page's 500 ticks of
 * ordinary addresses about as much). Without it a body of any size was read, parsed, and a refused
 * form echoed it back whole in its "Not saved" page (30 MB in, 30 MB out locally; on Lambda, past
 * its 6 MB response limit, a 502 instead of the page).
 */
export const BODY_MAX_BYTES = 256 * 1024;

/**
 * The CSP of a stored digest shown in the browser: its inline styles, remote images, no script and
 * nothing it could submit or frame.
 */
const DIGEST_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; font-src https: data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * Builds the app. `more` mounts further routes (the local-only ones) after the app's own, before
 * the not-found and error handlers.
 */
export function buildApp(deps: AppDeps, more?: (app: Hono, kit: PageKit) => void): Hono {
  const app = new Hono();
  const base = deps.baseUrl.replace(/\/$/, "");

  app.use(secureHeaders({ contentSecurityPolicy: APP_CSP, referrerPolicy: REFERRER_POLICY, overwrite: false }));
  app.use(async (c, next) => {
    await next();
    c.res.headers.set("X-Robots-Tag", "noindex, nofollow");
    c.res.headers.set("Referrer-Policy", REFERRER_POLICY);
    // Tokens are in the URLs and every page reflects live state: nothing is cached anywhere.
    c.res.headers.set("Cache-Control", "no-store");
  });

  const kit = createKit(deps);
  const { page, say, authorise, linkFor, linkLives, nonceOf, linkRefused } = kit;

  // Before any route reads a form: too large a body is a 413 page, nothing read or changed, with the
  // way back to the page it was sent from (a form posts to its page's own URL), as the 500's "Try again".
  app.use(
    bodyLimit({
      maxSize: BODY_MAX_BYTES,
      onError: (c) => say(c, 413, "Too large", "What was sent is too large for this page, so nothing was changed.", { href: tryAgain(c), text: "Back to the page" }),
    }),
  );

  /**
   * The key of the person a follow-up link names: a link issued before an internationalised domain
   * had one spelling may name its ASCII one, whose record the account's next scan moves to today's
   * (core/scan/spellings): today's once a record is there, the link's own until then.
   */
  const perOf = async (account: AccountRecord, claims: LinkClaims) => {
    const written = claims.per!;
    const today = normalizeAddress(written) ?? written;
    return today === written || (await deps.repo.getPerson(account.email, today)) ? today : written;
  };
  /**
   * The person a follow-up link is about (the person, not the meeting: a first meeting may change);
   * undefined for one the scan no longer finds (`gone`: a confirmation taken back, the meeting gone).
   */
  const personOf = async (account: AccountRecord, claims: LinkClaims): Promise<PersonRecord | undefined> => {
    const person = await deps.repo.getPerson(account.email, await perOf(account, claims));
    return person?.gone ? undefined : person;
  };
  /** A tap for someone no longer in the list: said, with the ways on (helper-204: a bare sentence was a dead end). */
  const gone = (c: C, account: string) =>
    page(c, 404, "Not in your list", html`<h1>Not in your list</h1><p>This follow-up is no longer in your list.</p>${afterNav(c, account)}`);

  /** The way on from a confirmation or result page: the digest and the settings. */
  const afterNav = (c: C, account: string) => kit.nav(c, account, { omit: ["events"] });

  /**
   * Digests paused: the way back is right here (the settings page resumes them), while a settings
   * link of this page's chain still opens (a week from the digest it began at); then by signing in.
   */
  const pausedPage = (c: C, account: string, sentence: string) =>
    page(
      c,
      200,
      "Digests paused",
      html`<h1>Digests paused</h1><p>${sentence} Your event emails wait too.</p>
${
  linkLives(c, "settings")
    ? html`<form method="post" action="${linkFor(c, account, "settings")}"><input type="hidden" name="action" value="resume"><button type="submit">Resume my digests</button></form>
<p class="muted">You can also resume them later from <a href="${base}/settings">your settings</a> (sign in with the account you connected), or on the page that follows when you connect again.</p>`
    : html`<p>To resume them, open <a href="${base}/settings">your settings</a> (sign in with the account you connected), or connect again.</p>`
}`,
    );

  /** A dismissed person's page (a dismiss's answer): the way to undo it. */
  const dismissedPage = (c: C, account: string, name: string, already = false) =>
    page(
      c,
      200,
      already ? "Already removed" : "Done",
      html`<h1>${already ? "Already removed" : "Done"}</h1><p>${name} ${already ? "is already out of your digests." : "won't appear in your digests any more."}</p>
<form method="post"><input type="hidden" name="undo" value="1"><button type="submit" class="secondary">Undo</button></form>
${afterNav(c, account)}`,
    );
  /** A person back in the digests (an undo's answer). */
  const backPage = (c: C, account: string, name: string) =>
    page(c, 200, "Back in your digests", html`<h1>Back in your digests</h1><p>${name} is back in your list of follow-ups.</p>${afterNav(c, account)}`);

  /**
   * The confirm page: a form POSTing to this same URL. A draft's is submitted by script on load (the
   * one tap; the button without JS): its worst case, a mail scanner that runs the page's script, is
   * one draft in Drafts, made exactly once. A pause's and a dismiss's wait for the owner's press: a
   * scanner that ran them would stop the digests or empty the list without the owner ever seeing
   * it (helper-244 #5).
   */
  const confirmPage = (c: C, title: string, lead: Markup, button: string, foot: Markup | string = "", o: { auto?: boolean } = {}) =>
    page(
      c,
      200,
      title,
      o.auto
        ? html`<h1>${title}</h1>
${lead}
<form id="act" method="post"><button type="submit">${button}</button></form>
<p class="muted" id="wait" hidden>One moment&hellip;</p>
${foot}
<script nonce="${nonceOf(c)}">
(function () {
  var nav = performance.getEntriesByType && performance.getEntriesByType("navigation")[0];
  if (nav && nav.type === "back_forward") return;
  document.getElementById("wait").hidden = false;
  document.getElementById("act").submit();
})();
</script>`
        : html`<h1>${title}</h1>
${lead}
<form method="post"><button type="submit">${button}</button></form>
${foot}`,
    );

  /**
   * A tap that arrives while another request is still creating this person's draft: the page comes
   * back to the same link every few seconds (a GET, whose page POSTs again), which lands on the draft
   * as soon as it exists. Nothing is created twice: the claim stays with the first request. A tap
   * the owner made for someone followed up already (`again`) comes back with it, to the draft, not
   * to "Already followed up".
   */
  const beingMade = (c: C, account: string, again: boolean) =>
    page(
      c,
      202,
      "Your draft is being made",
      html`<h1>Your draft is being made</h1>
<p>Your follow-up draft is being created in your mailbox. <span id="checks">This page opens it as soon as it is there.</span></p>
<p id="checking" hidden><button type="button" id="stop" class="secondary">Stop checking</button></p>
<p id="stopped" role="status"></p>
<p><a href="${new URL(c.req.url).pathname}${again ? `?${ASKED_AGAIN}=1` : ""}" id="now">Open it now</a></p>
${afterNav(c, account)}
<script nonce="${nonceOf(c)}">
(function () {
  // The page comes back to its link every 3 s until the draft is there. The owner can stop that
  // (WCAG 2.2.1): with the button, the first stop of the page's Tab order, or by using the page at
  // all (a key, a tap), whose focus and place a reload would otherwise take away every 3 s.
  var timer = setTimeout(function () { location.replace(document.getElementById("now").getAttribute("href")); }, 3000);
  var checking = document.getElementById("checking"), stop = document.getElementById("stop");
  var off = function (e) {
    if (timer === null) return;
    clearTimeout(timer);
    timer = null;
    // The button goes: its focus (a press of it) to the link that looks again.
    var pressed = document.activeElement === stop || e.target === stop;
    checking.hidden = true;
    document.getElementById("checks").hidden = true;
    document.getElementById("stopped").textContent = "This page no longer checks by itself: Open it now looks again.";
    if (pressed) document.getElementById("now").focus();
  };
  // A press of the button itself is its click (which a key or a pointer on it ends in).
  stop.addEventListener("click", off);
  document.addEventListener("keydown", function (e) { if (!(e.target === stop && (e.key === "Enter" || e.key === " "))) off(e); });
  document.addEventListener("pointerdown", function (e) { if (e.target !== stop) off(e); });
  checking.hidden = false;
})();
</script>`,
    );

  /**
   * A stored digest's HTML with each of its links that would outlive `exp` (epoch seconds, the view
   * link's expiry) sealed again to end then, keeping its claims and when its chain began (`org`):
   * opened through a link that ends sooner (a page's "Your latest digest", on a 15-minute manage
   * link's or a week's settings link's chain), the digest handed out its own six-week draft, dismiss,
   * pause and events links, where a page never hands out a link that outlives the one it came in
   * on (docs/security.md). Opened through its own link, nothing in it outlives that link.
   */
  const endingBy = (stored: string, exp: number) => {
    const nowS = Math.floor(deps.now() / 1000);
    return stored.replace(/\/l\/([a-z]+)\/([A-Za-z0-9_-]{100,4096})/g, (whole, _act: string, token: string) => {
      let claims: LinkClaims;
      try {
        claims = openLink(deps.linkKey, token, deps.now(), { evenExpired: true });
      } catch {
        return whole;
      }
      if (claims.exp <= exp) return whole;
      const { exp: _exp, ...rest } = claims;
      return linkPath(claims.act, sealLink(deps.linkKey, { ...rest, org: chainIssuedAt(claims) }, deps.now(), Math.max(1, exp - nowS)));
    });
  };

  app.get("/health", (c) => c.json({ ok: true }));

  // ---- One-tap links ---------------------------------------------------------------------------

  // Links of the earlier, readable form carried the owner's address (and a person's) in clear.
  app.on(["GET", "POST"], "/a/*", (c) => linkRefused(c, "old-form"));

  app.get("/l/view/:token", async (c) => {
    const auth = await authorise(c, "view");
    if (auth instanceof Response) return auth;
    // A digest's own link opens its week, whatever the URL says; one without a week (a page's
    // "Your latest digest", a digest emailed before links named their week) opens no digest made
    // after its chain of pages began: a forwarded link never shows a later week's people.
    const issuedAt = chainIssuedAt(auth.claims) * 1000;
    const madeBy = issuedAt + DIGEST_BUILD_MARGIN_MS;
    // A view link a page handed out (its chain may have begun at a forwarded digest) opens the latest
    // digest made before its chain began, never another week named in its URL.
    const asked = auth.claims.org === undefined ? c.req.query("week") : undefined;
    const week = auth.claims.wk ?? asked ?? (await latestDigestWeek(deps.repo, auth.account.email, madeBy));
    const digest = week && WEEK.test(week) ? await loadDigest(deps.repo, auth.account.email, week, deps.linkKey, formerAddresses(auth.account)) : undefined;
    // Not a dead end (helper-202 #5): the account's settings, as the other pages of its links give them.
    const noDigest = (title: string, sentence: string, latest = false) =>
      page(c, 404, title, html`<h1>${title}</h1><p>${sentence}</p>${latest ? html`<p><a href="${new URL(c.req.url).pathname}">Your latest digest</a></p>` : ""}${kit.nav(c, auth.account.email, { omit: ["events", "view"] })}`);
    const anyDigest = digest ? week : await latestDigestWeek(deps.repo, auth.account.email);
    if (!digest && !auth.claims.wk && !anyDigest) {
      // None sent yet (a new account's "Your latest digest"; helper-207 #1 found "no digest for that
      // week", which no one had asked for): when the first comes, as the Connected page says it.
      const a = auth.account;
      const first = nextDigestWhen(a, asOfFor(deps, a));
      return page(
        c,
        404,
        "No digest yet",
        html`<h1>No digest yet</h1><p>${a.status === "active" ? html`Your ${a.lastWeek ? "next" : "first"} digest arrives on <b>${first}</b> (${zoneWords(a.timeZone)}).` : `No digest has been sent to you ${a.lastWeek ? "here " : ""}yet.`}</p>${kit.nav(c, a.email, { omit: ["view"] })}`,
      );
    }
    // A link handed out before the latest digest was made (a page's "Your latest digest", whose chain
    // began earlier): it opens none made after it, and says so (helper-209 #2: "no digest for that week").
    if (!auth.claims.wk && asked === undefined && (!digest || digest.claimedAt > madeBy))
      return noDigest("Not for this link", "This link opens only the digests made before it was given out, for your safety if it was forwarded. Your latest digest is in your mailbox, and its own link opens it here.");
    // A week asked for in the URL that has none: the link itself (no week) opens the latest (helper-238 #6).
    if (!digest || (!auth.claims.wk && digest.claimedAt > madeBy)) return noDigest("No digest", "There is no digest for that week.", asked !== undefined && !auth.claims.wk);
    // Kept, but sealed under a link key changed since (which ended its links too): say where it is.
    if (!digest.html && digest.unopened) return noDigest("Not kept here", "The copy of this digest kept here can no longer be opened, as the service's keys have changed since it was sent; it is in your mailbox.");
    // Sent, but too large to keep beside its record (core/digest DIGEST_BODY_MAX_BYTES): say where it is.
    if (!digest.html && digest.status === "sent") return noDigest("Not kept here", "This digest was too large to keep a copy here; it is in your mailbox.");
    if (!digest.html) return noDigest("No digest", "There is no digest for that week.");
    return c.body(endingBy(digest.html, auth.claims.exp), 200, { "Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": DIGEST_CSP });
  });

  // Settings (signed settings link) and the hosted connect flow: functions/src/{settings,connect}.ts.
  mountSettings(app, deps, kit);
  mountConnect(app, deps, kit);
  // The events page, one event's goal, and "who did you meet": functions/src/events.ts.
  mountEvents(app, deps, kit);

  /**
   * A digest's one-click unsubscribe (RFC 8058: its mail client POSTs `List-Unsubscribe=One-Click`
   * to the pause link of the List-Unsubscribe header, in the background, and tells the owner it is
   * done): honoured however old the digest, as an unsubscribe must keep working; only the link's
   * authenticity is checked. Every other use of a pause link ends with it.
   */
  const oneClick = async (c: C) =>
    c.req.method === "POST" && c.req.param("act") === "pause" && (await c.req.parseBody().catch(() => ({}) as Record<string, unknown>))["List-Unsubscribe"] === "One-Click";

  /** The act in the path, checked, and its token verified against it and the account. */
  const authoriseAct = async (c: C) => {
    const act = c.req.param("act") ?? "";
    if (!isMutating(act)) return kit.notFound(c);
    const auth = await authorise(c, act, (await oneClick(c)) ? { evenExpired: true } : {});
    if (auth instanceof Response) return auth;
    // Only a link issued whole (the digest's own, its List-Unsubscribe) outlives its expiry for a
    // one-click POST; a pause link a page handed out (`org`: the settings page's) ends with the link
    // that page was reached through, one-click or not.
    if (auth.claims.org !== undefined && auth.claims.exp * 1000 <= deps.now()) return linkRefused(c, "expired");
    return { act, ...auth };
  };

  /**
   * How long a tap waits for its draft before it answers "being made", from the tap's start: the look
   * for a started draft, and everything draftFollowUp does before its create, come off it.
   */
  const draftDeadlineMs = deps.draftDeadlineMs ?? DRAFT_CREATE_DEADLINE_MS;

  /**
   * A draft the owner already started to the tap's person, looked for within a share of the tap's
   * deadline from `tapBegan` (a slow mailbox ran the tap past the function's timeout before its create
   * began, helper-179 #3); undefined when there is none or the look failed, and the tap goes on without.
   */
  const lookForStarted = async (account: AccountRecord, per: string, provider: () => ReturnType<typeof deps.providerFor>, tapBegan: number) => {
    const lookMs = Math.max(0, draftDeadlineMs * STARTED_DRAFT_LOOK_SHARE - (performance.now() - tapBegan));
    return lookedFor("a started draft", async () => startedDraft({ repo: deps.repo, provider: await provider(), account, person: per, withinMs: lookMs }));
  };

  /** A look a page can go on without: its failure logged, and undefined. */
  const lookedFor = <T>(what: string, look: () => Promise<T | undefined>): Promise<T | undefined> =>
    look().catch((e) => {
      console.warn(`draft: could not look for ${what}`, e instanceof Error ? `${e.name}: ${e.message}` : String(e));
      return undefined;
    });

  /** "You already started this": the draft to open, or a new one anyway (its form's POST, `anyway`). */
  const startedPage = (c: C, account: AccountRecord, person: { name?: string; address?: string; email: string } | undefined, started: { id: string; webLink: string; createdAt?: number }) => {
    const open = deps.draftLanding?.(account, { draftId: started.id, webLink: started.webLink }) ?? started.webLink;
    return page(
      c,
      200,
      "You already started this",
      html`<h1>You already started this</h1>
<p>You started a draft to <span class="who">${person ? shownName(person) : "this person"}</span>${started.createdAt ? html` on ${humanDate(started.createdAt, account.timeZone)}` : ""}. Finish that one instead of starting again?</p>
${open ? html`<p><a class="button" href="${open}">Open your draft</a></p>` : html`<p>It is in your Drafts folder.</p>`}
<form method="post"><input type="hidden" name="anyway" value="1"><button type="submit" class="secondary">Make a new draft anyway</button></form>
${afterNav(c, account.email)}`,
    );
  };

  /**
   * How the person a draft link names was followed up already, as the account's last scan found it
   * (their record's follow-up: mail the owner sent, or a later meeting with them), in a sentence;
   * undefined when they were not. A link of an older digest or event email names someone the owner
   * has written to since, by hand or by sending that very draft: it made a second follow-up draft
   * without a word (helper-289 hand audit).
   */
  const followedUpSentence = (account: AccountRecord, person: PersonRecord, now: number): string | undefined => {
    const at = person.followedUpAt;
    if (at === undefined || !Number.isFinite(at)) return undefined;
    const name = shownName(person);
    // A later all-day meeting on its own date, as the digest and the morning-after email date it (core/followup followedUpOn).
    const on = followedUpOn({ ...person, followedUpAt: at }, account.timeZone);
    if (person.followedUpBy !== "meeting") return `You wrote to ${name} on ${on}.`;
    return at > now ? `You meet ${name} again on ${on}.` : `You met ${name} again on ${on}.`;
  };

  /**
   * "Already followed up": what the follow-up was, and a draft anyway (its form's POST, to the link
   * with `?again`), which Back and a reload show again. The link with `?again` says the owner asked:
   * its pages after ("being made", the confirm page it comes back to, "Try again") post to it, and go
   * on to the draft, where they came back to this page (helper-291).
   */
  const followedUpPage = (c: C, account: AccountRecord, sentence: string, who: Markup) =>
    page(
      c,
      200,
      "Already followed up",
      html`<h1>Already followed up</h1>
<p>${sentence}</p>
${who}
<form method="post" action="?${ASKED_AGAIN}=1"><input type="hidden" name="again" value="1"><button type="submit" class="secondary">Write to them anyway</button></form>
${afterNav(c, account.email)}`,
    );

  /**
   * The draft a tap made for the person, when it is no longer in their Drafts (core/followup
   * goneDraft), looked for within the tap's deadline; undefined when it is there, there is none, or
   * the look failed (the page then offers the tap, which finds out again).
   */
  const lookForGone = async (account: AccountRecord, per: string) =>
    lookedFor("the draft made before", async () => goneDraft({ repo: deps.repo, provider: await deps.providerFor(account), account, person: per, withinMs: draftDeadlineMs }));

  /**
   * The draft made before is no longer in Drafts: when it was made, sent (where the provider can
   * tell: Outlook) or else "sent or deleted", and a new draft anyway (its form's POST, `remake`, naming
   * the draft it replaces), which Back and a reload show again. A tap made an identical second draft
   * without a word, and the owner who had sent the first could not tell whether it went (helper-290).
   */
  const gonePage = (c: C, account: AccountRecord, person: PersonRecord, was: GoneDraft, who: Markup) => {
    const made = was.madeAt > 0 ? html` on ${humanDate(was.madeAt, account.timeZone)}` : "";
    const name = html`<span class="who">${shownName(person)}</span>`;
    const sentOn = was.sent?.sentAt !== undefined ? html` on ${humanDate(was.sent.sentAt, account.timeZone)}` : "";
    return page(
      c,
      200,
      was.sent ? "Already sent" : "No longer in your Drafts",
      html`<h1>${was.sent ? "Already sent" : "No longer in your Drafts"}</h1>
${
  was.sent
    ? html`<p>A draft to ${name} was made from a Followthrough link${made}, and you sent it${sentOn}.</p>`
    : html`<p>A draft to ${name} was made from a Followthrough link${made}, and it is no longer in your Drafts: you sent it or deleted it. If you sent it, it is in your sent mail.</p>`
}
${who}
<form method="post"><input type="hidden" name="remake" value="${was.draftId}"><button type="submit" class="secondary">Make a new draft anyway</button></form>
${afterNav(c, account.email)}`,
    );
  };

  app.get("/l/:act/:token", async (c) => {
    const auth = await authoriseAct(c);
    if (auth instanceof Response) return auth;
    const { act, claims, account } = auth;
    // The page a pause, a dismiss or its undo redirects to (`?done`): what is so now, never the confirm
    // page, whose script would send its form again on a reload (helper-208 #2).
    const done = c.req.query("done") !== undefined;
    if (act === "pause") {
      if (account.status === "paused") return pausedPage(c, account.email, done ? "Your weekly digests are paused; you won't get another until you turn them back on." : "Your weekly digests are already paused.");
      if (done && awaitsReconnect(account))
        // Resumed since, but its grant is gone (helper-209 #1): on hold, not "on".
        return page(c, 200, "Reconnect needed", html`<h1>Reconnect needed</h1><p>Your weekly digests are not paused, but they wait until you reconnect ${account.email}.</p>
<p><a class="button" href="${linkFor(c, account.email, "reconnect")}">Reconnect ${account.email}</a></p>${afterNav(c, account.email)}`);
      if (done) return page(c, 200, "Digests not paused", html`<h1>Digests not paused</h1><p>Your weekly digests are not paused: they were turned back on since.</p>${afterNav(c, account.email)}`);
      return confirmPage(c, "Pause your digests", html`<p>Your weekly digest to <span class="who">${account.email}</span> will stop until you turn it back on, and so will your event emails.</p>`, "Pause my digests", afterNav(c, account.email));
    }
    const person = await personOf(account, claims);
    if (!person) return gone(c, account.email);
    if (act === "dismiss" && done) return person.stage === "dismissed" ? dismissedPage(c, account.email, shownName(person)) : backPage(c, account.email, shownName(person));
    // The link opened again once the person is out of the digests: said so, with its Undo, as a pause
    // link says "already paused", not the prompt to remove them as if nothing had happened (helper-249).
    if (act === "dismiss" && person.stage === "dismissed") return dismissedPage(c, account.email, shownName(person), true);
    // The address as written on the person's first meeting (PersonRecord.address), not its normalised key.
    const address = person.address ?? person.email;
    const who = html`<p><span class="who">${shownName(person)}</span>${person.name && person.name !== address ? html` <span class="muted">&lt;${address}&gt;</span>` : ""}</p>
<p>Met at <span class="who">${person.eventTitle || "a meeting"}</span> on ${metOn(person, account.timeZone)}.</p>`;
    // The page a tap that found a started draft redirects to (`?started`): that draft, looked for
    // again; gone since (or not found in time), the confirm page without its script, as this page is
    // reached by Back and a reload, which must not make a draft unasked.
    const startedAsked = act === "draft" && c.req.query("started") !== undefined;
    // The page a tap that found the draft made before gone from Drafts redirects to (`?gone`): that
    // draft looked for again, and the same: found there again (or a new one made meanwhile), the
    // confirm page without its script.
    const goneAsked = act === "draft" && !startedAsked && c.req.query("gone") !== undefined;
    // Followed up since the link was sent: said so, and no draft made unasked (the page has no script).
    const followed = act === "draft" && !startedAsked && c.req.query(ASKED_AGAIN) === undefined ? followedUpSentence(account, person, asOfFor(deps, account)) : undefined;
    if (followed) return followedUpPage(c, account, followed, who);
    if (startedAsked) {
      const started = await lookForStarted(account, await perOf(account, claims), () => deps.providerFor(account), performance.now());
      if (started) return startedPage(c, account, person, started);
    }
    if (goneAsked) {
      const was = await lookForGone(account, await perOf(account, claims));
      if (was) return gonePage(c, account, person, was, who);
    }
    return act === "draft"
      ? confirmPage(c, person.stage === "drafted" ? "Opening your draft" : "Drafting your follow-up", who, "Open the draft", afterNav(c, account.email), { auto: !startedAsked && !goneAsked })
      : confirmPage(c, "No follow-up needed", who, "Remove from my digests", afterNav(c, account.email));
  });

  /**
   * A draft tap that found the account's grant gone marks it so, as a weekly run finding the same
   * does (core/reconnect markGrantGone: status needs_reconnect, off the due index, unless paused,
   * reconnected meanwhile or gone): settings then says "On hold — reconnect needed" and the digests
   * wait for the reconnect (helper-200). The reconnect email, for the owner who leaves the page without
   * reconnecting, is not sent within the tap's time: the account's backfill job is asked to, whose
   * run finds the notice due and sends it once (core/dispatch runAccountJob, with the queue's
   * retries). A permission missing for this call only (`missing-scope:`) is not the grant gone: the
   * weekly run may not need it (Outlook's Mail.ReadWrite is for drafts alone), and it judges that
   * itself (helper-203 #1). Whatever fails here, the page still says to reconnect.
   */
  const grantGone = async (account: AccountRecord, reason: string | undefined) => {
    if (reason?.startsWith("missing-scope:")) return;
    try {
      if (!(await markGrantGone(deps.repo, account, grantGoneReason(account, reason ?? "auth-revoked", deps.now())))) return;
      if (account.status === "active") await deps.enqueueBackfill?.(account.email);
    } catch (e) {
      console.warn(JSON.stringify({ msg: "draft: grant gone, not marked or its notice not queued", account: account.email, error: e instanceof Error ? e.message : String(e) }));
    }
  };

  app.post("/l/:act/:token", async (c) => {
    // A draft tap's answer must come within the function's timeout, counted from here (below).
    const tapBegan = performance.now();
    const auth = await authoriseAct(c);
    if (auth instanceof Response) return auth;
    const { act, claims, account } = auth;

    if (act === "pause") {
      const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
      const oneClick = form["List-Unsubscribe"] === "One-Click";
      // An account waiting for a reconnect is paused too (an unsubscribe is honoured), keeping that
      // state: its reason stays, and resuming asks for the reconnect (core/accounts pausePatch).
      if (!(await updateAccount(deps.repo, account.email, pausePatch(account), deps.now()))) return kit.accountGone(c);
      // RFC 8058: the mail client POSTs in the background; answer 200, no redirect.
      if (oneClick) return c.text("Your weekly digests are paused.", 200);
      // A person's: to the page of what is so now, which a reload or Back shows again without sending
      // the form again (helper-208 #2).
      return c.redirect(`${new URL(c.req.url).pathname}?done=1`, 303);
    }

    if (act === "dismiss") {
      const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
      const person = await personOf(account, claims);
      if (!person) return gone(c, account.email);
      // Undo (its form's `undo`, "1"; pages written before it carry the stage, which is now read from the record).
      if (typeof form.undo === "string" && form.undo) {
        if (!(await undoDismiss(deps.repo, account.email, person.email))) return gone(c, account.email);
      } else if (!(await dismissFollowUp(deps.repo, account.email, person.email))) return gone(c, account.email);
      // To the page of what is so now: Back or a reload after an Undo showed the dismiss's answer
      // again, and sending it again dismissed the person again (helper-208 #2).
      return c.redirect(`${new URL(c.req.url).pathname}?done=1`, 303);
    }

    // One adapter for the tap, built once: each one built refreshes its own access token (and, for
    // Outlook, rotates the stored refresh token), so the look and the create share it.
    let adapter: ReturnType<typeof deps.providerFor> | undefined;
    const provider = () => (adapter ??= deps.providerFor(account));
    // The person's key, once for the tap (an old-spelling link's is looked up).
    const per = await perOf(account, claims);
    // A draft the owner already started to this person is offered first, not duplicated (lookForStarted).
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    // Someone followed up already (an old link, a page opened before): to the page that says so and
    // offers a draft anyway (`again`), not a second follow-up made without a word (helper-289). Asked
    // already: the form's `again`, the link's `?again` (the pages after it), or `?started` (the page a
    // tap that passed here redirects to, whose forms post to it).
    const askedAgain = form.again === "1" || c.req.query(ASKED_AGAIN) !== undefined;
    const asked = askedAgain || c.req.query("started") !== undefined;
    if (form.anyway !== "1" && !asked) {
      const person = await personOf(account, claims);
      if (person && followedUpSentence(account, person, asOfFor(deps, account))) return c.redirect(new URL(c.req.url).pathname, 303);
    }
    if (form.anyway !== "1") {
      const started = await lookForStarted(account, per, provider, tapBegan);
      // To a page of its own (a GET that looks again), which Back from the draft and a reload show
      // again: answered to the confirm page's POST, Back from the draft met the browser's "Confirm
      // Form Resubmission" (helper-249 #3).
      if (started) return c.redirect(`${new URL(c.req.url).pathname}?started=1`, 303);
    }
    // The owner's word for a new draft where the one made before has gone from Drafts: the page that
    // said so names that draft (`remake`); "Write to them anyway" (`again`) is for whichever.
    const remake = askedAgain ? true : typeof form.remake === "string" && form.remake ? form.remake : undefined;
    try {
      const draft = await draftFollowUp({ repo: deps.repo, provider: await provider(), account, person: per, now: deps.now(), asOf: asOfFor(deps, account), began: tapBegan, deadlineMs: draftDeadlineMs, remake });
      if (draft.status === "pending") return beingMade(c, account.email, asked);
      // Gone from Drafts (sent or deleted): to a page of its own (a GET that looks again), which says
      // so and offers a new one; Back and a reload show it again, as `?started` does.
      if (draft.status === "gone") return c.redirect(`${new URL(c.req.url).pathname}?gone=1`, 303);
      const to = deps.draftLanding?.(account, draft) ?? draft.webLink;
      if (!to) return page(c, 200, "Draft ready", html`<h1>Draft ready</h1><p>Your follow-up is waiting in your Drafts folder: open it there, make it yours, and send it.</p>${afterNav(c, account.email)}`);
      return c.redirect(to, 303);
    } catch (e) {
      // A grant that no longer allows it, wherever the tap met it: reconnect this account, saying why and
      // who must act first (a Workspace administrator's policy: helper-136 #4).
      if (isRevoked(e)) {
        const reason = reconnectReason(e);
        await grantGone(account, reason);
        return page(c, 409, "Reconnect needed", html`<h1>Reconnect needed</h1><p>${reconnectWhy({ ...account, reconnectReason: reason })}</p><p>${refusedElsewhere(reason) ? "Once that has changed, reconnect" : "Reconnect"} ${account.email}, then tap the link again.</p>
<p><a class="button" href="${linkFor(c, account.email, "reconnect")}">Reconnect</a></p>
${afterNav(c, account.email)}`);
      }
      // A tap that did not end in a draft: the page says why, and offers the tap again (the same POST:
      // a draft it finds made is opened, not made twice) and the ways on, where it was a dead end
      // whose reload asked to resubmit a form (helper-204 #3).
      const notMade = (status: number, title: string, sentence: string) =>
        page(c, status, title, html`<h1>${title}</h1><p>${sentence}</p>
<form method="post"><button type="submit">Try again</button></form>
${afterNav(c, account.email)}`);
      if (e instanceof FollowUpError && e.problem === "refused") {
        // The provider refused the create, so nothing was made (core/followup freed the claim).
        const cause = e.cause instanceof ProviderError ? e.cause : undefined;
        if (cause?.kind === "rate-limited") {
          c.header("Retry-After", String(Math.max(1, Math.ceil((cause.retryAfterMs ?? 60_000) / 1000))));
          // (A Google project's daily quota spent waits until midnight Pacific Time: hours, not a minute.)
          return notMade(503, (cause.retryAfterMs ?? 0) > LONG_WAIT_MS ? "Try again later" : "Try again shortly", `Your mail provider asked us to slow down, and no draft was made. Tap the link again ${againIn(cause.retryAfterMs)}.`);
        }
        return notMade(502, "Draft not made", e.message);
      }
      if (e instanceof FollowUpError) return e.problem === "failed" ? notMade(502, "Draft not confirmed", e.message) : gone(c, account.email);
      // Any other provider failure came after the create began: whether the draft exists is for the next tap to find.
      if (e instanceof ProviderError) return notMade(502, "Draft not confirmed", "We couldn't confirm your draft was made; tap again to retry.");
      throw e;
    }
  });

  // Local only (npm start): the accounts index and the sandbox viewers, functions/src/local.ts (app.ts).
  more?.(app, kit);

  app.notFound((c) => kit.notFound(c));
  app.onError((err, c) => {
    console.error("app: unexpected error", err instanceof Error ? `${err.name}: ${err.message}` : String(err));
    return say(c, 500, "Something went wrong", "Something went wrong on our side; please try again in a minute.", { href: tryAgain(c), text: "Try again" });
  });
  return app;
}

/**
 * Where a 500 page's "Try again" goes (helper-238 #6): a GET's own address with its query (a week, a
 * search; helper-239 #7); a form's page without the form's answer, to send it again; an OAuth
 * callback's flow from its start, since its code and state are spent.
 */
function tryAgain(c: Context): string {
  const u = new URL(c.req.url);
  if (u.pathname.endsWith("/callback")) return u.pathname.startsWith("/settings/") ? "/settings" : "/connect";
  return c.req.method === "GET" ? u.pathname + u.search : u.pathname;
}

/**
 * How long after a link's issue a digest built with it may be stored: the digest is claimed (its
 * `claimedAt`) after its links are sealed, within the same run.
 */
const DIGEST_BUILD_MARGIN_MS = 3_600_000;

