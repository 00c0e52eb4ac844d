/**
 * The first look on the "Connected" page (core/firstlook): the people met in the last 30 days who
 * have not been written to in the mail read so far, marked provisional until the backfill has read
 * the older mail. The page shows what is stored when it renders and asks this module's fragment
 * again every few seconds (same origin, nonce'd script, a signed "view" link: the owner's own data,
 * like the digest view) until the backfill is complete. Kept apart from connect.ts, which only
 * calls {@link firstLookSection} and {@link mountFirstLook}.
 */
import type { Context, Hono } from "hono";
import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import type { AccountRecord } from "@followthrough/core/accounts";
import { type FirstLook, firstLook, type FirstLookPerson, firstLookProgress } from "@followthrough/core/firstlook";
import { dayOf, metOn } from "@followthrough/core/followup";
import { shownName } from "@followthrough/core/model";
import { formatLocal } from "@followthrough/core/time";
import type { Repository } from "@followthrough/core/storage";
import { type AppDeps, asOfFor } from "./kit";
import type { PageKit } from "./pages";

/** Seconds between two refreshes of the section while the backfill runs. */
export const FIRST_LOOK_REFRESH_SECONDS = 10;
/** The button that stops the section's updates (WCAG 2.2.2), and what it says once they are stopped. */
const STOP_WORDS = "Stop updating this list";
const START_WORDS = "Update it again";
/** How many times it asks (half an hour): a read that never ends (no backfill queued, a failure) does not keep an open page polling for ever. */
export const FIRST_LOOK_REFRESHES = 180;

type Deps = { repo: Repository } & Pick<AppDeps, "now" | "asOf">;
type Kit = Pick<PageKit, "authorise" | "linkFor" | "nonceOf" | "notFound" | "page" | "nav">;

/**
 * The section's inner markup for a first look, its dates on the owner's calendar (`timeZone`) as the
 * digest writes them ("Wed 27 May"). Until 2026-12-05 they were UTC's ISO dates: a morning meeting east
 * of Greenwich, or an all-day event, showed the day before the digest's (helper-200 #1).
 */
export function firstLookMarkup(look: FirstLook, timeZone: string): HtmlEscapedString | Promise<HtmlEscapedString> {
  if (!look.ready) return html`<h2>A first look</h2><p class="muted">Reading your calendar and your newest sent mail&hellip; the people you met lately appear here in a minute or two.</p>`;
  // Why the digest's "Waiting for a follow-up" may name fewer (helper-200 #4): it asks about someone
  // from a day after the meeting, and a later meeting with them is a follow-up too (behaviour.md).
  const list = look.people.length
    ? html`<ul>${look.people.map((p) => html`<li><span class="who">${shownName(p)}</span> <span class="muted">${p.name ? (p.address ?? p.email) : ""} · ${p.eventTitle} · ${metOn(p, timeZone)}${againWords(p, timeZone)}</span></li>`)}</ul>
<p class="muted">Your weekly digest asks you about each of them from a day after you met, unless you have written to them or have another meeting with them in your calendar by then.</p>`
    : html`<p>Nobody you met in the last 30 days is waiting for a note.</p>`;
  // How much is read: nothing yet is said so, not "(0 sent messages)"; one is "1 sent message".
  const read =
    look.messagesRead === 0
      ? "no sent mail found so far."
      : html`from the mail read so far (${look.messagesRead === 1 ? "1 sent message" : `${look.messagesRead} sent messages`}${look.readBackTo ? html`, back to ${formatLocal(look.readBackTo, timeZone, "d MMM y")}` : ""}).`;
  const status = look.provisional
    ? html`<p class="muted" data-provisional="true"><strong>Provisional:</strong> ${read} Older mail is still being read; someone here may turn out to be known or already written to.</p>`
    : html`<p class="muted" data-provisional="false">Complete: all of your last year's sent mail is read.</p>`;
  return html`<h2>A first look: met in the last 30 days, not written to</h2>${list}${status}`;
}

/**
 * Beside someone with another meeting after the first (a weekly series, a second meeting booked),
 * which follows them up (behaviour.md): "· you meet again on Mon 8 Jun" or "· you met again on Wed 3 Jun".
 * Without it someone met every week read as a follow-up missed (helper-279 #3).
 */
const againWords = (p: FirstLookPerson, timeZone: string) => (p.again ? ` · ${p.again.ahead ? "you meet again on" : "you met again on"} ${dayOf(p.again.at, p.again.date, timeZone)}` : "");

/** The first-look section of the Connected page, refreshing itself until complete. */
export async function firstLookSection(
  deps: Deps,
  kit: Kit,
  c: Context,
  account: Pick<AccountRecord, "email" | "aliases" | "displayName" | "timeZone" | "status" | "provider">,
  o: { reconnected?: boolean; hadDigest?: boolean } = {},
): Promise<HtmlEscapedString | string> {
  // Whether there is a first look to show, from the cursors alone: the look itself reads every stored
  // meeting and message (a heavy year's, about 2 s), which these two cases never show.
  const progress = await firstLookProgress(deps.repo, account.email);
  // Reconnected after a first read that was done: what is stored is the earlier connection's, read to
  // its end then and not since (weeks, perhaps). No first look from it; the next scan brings it up to
  // date, and the digests go on as before.
  if (o.reconnected && !progress.provisional) return "";
  // Paused: nothing is read until a resume (no backfill is queued), so nothing is promised or polled.
  if (account.status === "paused" && progress.provisional)
    return html`<section id="first-look"><h2>A first look</h2><p class="muted">Your digests are paused, so your calendar and mail are not read for now. Resume them, and your ${o.hadDigest ? "next" : "first"} digest shows whom you met and have not written to.</p></section>`;
  const look = await firstLook(deps.repo, account, asOfFor(deps, account), progress);
  const fragment = `${new URL(kit.linkFor(c, account.email, "view")).pathname}/first-look`;
  return html`<section id="first-look" data-src="${fragment}">${firstLookMarkup(look, account.timeZone)}</section>
${look.provisional ? html`<noscript><p><a href="${fragment}?page=1">Check the first look again</a>: this page updates it only with JavaScript on.</p></noscript>` : ""}
${look.provisional
  ? html`<p id="first-look-said" class="sr" role="status"></p>
<p id="first-look-control" hidden><button type="button" id="first-look-stop" class="secondary">${STOP_WORDS}</button></p>
<script nonce="${kit.nonceOf(c)}">
(function () {
  var s = document.getElementById("first-look");
  var said = document.getElementById("first-look-said");
  var left = ${FIRST_LOOK_REFRESHES};
  // The owner stops the updates and starts them again (WCAG 2.2.2): without it the section was
  // replaced every 10 s for up to half an hour, under a screen reader's reading or a magnified view.
  var control = document.getElementById("first-look-control"), stop = document.getElementById("first-look-stop");
  var timer = null, stopped = false, run = 0;
  var schedule = function () { timer = setTimeout(tick, ${FIRST_LOOK_REFRESH_SECONDS * 1000}); };
  // Updates over (complete, or given up): the control goes, its focus (if it had it) to the section.
  var done = function () {
    if (document.activeElement === stop) { s.tabIndex = -1; s.focus(); }
    control.hidden = true;
  };
  stop.addEventListener("click", function () {
    stopped = !stopped;
    run++;
    if (stopped) {
      clearTimeout(timer);
      timer = null;
      stop.textContent = "${START_WORDS}";
      said.textContent = "Updates stopped: this list no longer updates itself.";
    } else {
      stop.textContent = "${STOP_WORDS}";
      said.textContent = "Updating again.";
      tick();
    }
  });
  control.hidden = false;
  // What a screen reader is told when the list or its completeness changes (not at each count of
  // mail read): the section itself is replaced silently (helper-260).
  var state = function () {
    var ul = s.querySelector("ul");
    return [s.querySelector("[data-provisional]") ? s.querySelector("[data-provisional]").getAttribute("data-provisional") : "reading", ul ? ul.children.length : 0, ul ? ul.textContent : ""];
  };
  var last = state().join("|");
  var tell = function () {
    var now = state(), key = now.join("|");
    if (key === last || now[0] === "reading") return;
    last = key;
    var who = now[1] > 0 ? now[1] + (now[1] === 1 ? " person" : " people") + " you met in the last 30 days and have not written to" : "nobody you met in the last 30 days is waiting for a note";
    said.textContent = now[0] === "false" ? "First look complete: " + who + "." : "First look so far: " + who + "; older mail is still being read.";
  };
  var again = function () {
    if (stopped) return;
    if (--left > 0) return schedule();
    s.insertAdjacentHTML("beforeend", '<p class="muted">Still reading. Your first digest shows the rest; this page no longer updates itself.</p>');
    said.textContent = "Still reading: this page no longer updates itself.";
    done();
  };
  // An answer that says what the section says already leaves it be: replaced all the same, every
  // 10 s, a screen reader lost its place in it and could read it out again. Compared as the browser
  // reads both (the section's markup as parsed, not as the server wrote it).
  // One that changes only some of its parts (the count of mail read in the status, every few seconds
  // of a backfill) replaces those parts alone: the list a reader is in stays where it is. Returns
  // whether anything was replaced.
  var update = function (t) {
    var next = document.createElement("template");
    next.innerHTML = t;
    if (next.innerHTML === s.innerHTML) return false;
    var had = [].slice.call(s.children), got = [].slice.call(next.content.children);
    var alike = had.length === got.length && had.every(function (e, i) { return e.tagName === got[i].tagName; });
    if (!alike) { s.innerHTML = t; return true; }
    had.forEach(function (e, i) { if (e.outerHTML !== got[i].outerHTML) e.replaceWith(got[i]); });
    return true;
  };
  var tick = function () {
    timer = null;
    // Stopped (or stopped and started again) while this ask was on its way: its answer is dropped.
    var mine = run;
    fetch(s.getAttribute("data-src"), { credentials: "same-origin" }).then(function (r) { return r.ok ? r.text() : ""; }).then(function (t) {
      if (mine !== run) return;
      if (t && update(t)) tell();
      if (!t || !s.querySelector('[data-provisional="false"]')) again();
      else done();
    }, function () { if (mine === run) again(); });
  };
  schedule();
})();
</script>`
  : ""}`;
}

/** GET /l/view/:token/first-look: the section's inner markup now (a signed "view" link of the account). */
export function mountFirstLook(app: Hono, deps: Deps, kit: Kit): void {
  app.get("/l/view/:token/first-look", async (c) => {
    const auth = await kit.authorise(c, "view");
    if (auth instanceof Response) return auth;
    // A digest's own view link (its week sealed in) opens that digest only, not the live first look;
    // nor does a view link a page handed out (its chain may have begun at a forwarded digest): the
    // Connected page's own link, issued whole, does.
    if (auth.claims.wk !== undefined || auth.claims.org !== undefined) return kit.notFound(c);
    const look = await firstLook(deps.repo, auth.account, asOfFor(deps, auth.account));
    c.header("Cache-Control", "no-store");
    // Opened as a page (`?page=1`: the Connected page's link for a browser without script, whose
    // section never refreshes: helper-204 #1): the section in the app's page, with the way to look
    // again while it is provisional.
    if (c.req.query("page") === "1")
      return kit.page(
        c,
        200,
        "A first look",
        html`<h1>A first look at ${auth.account.email}</h1>
<section id="first-look">${firstLookMarkup(look, auth.account.timeZone)}</section>
${look.provisional ? html`<p><a class="button" href="${new URL(c.req.url).pathname}?page=1">Check again</a></p>` : ""}
${kit.nav(c, auth.account.email, { omit: ["view"] })}`,
      );
    return c.html(firstLookMarkup(look, auth.account.timeZone));
  });
}
