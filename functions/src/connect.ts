/**
 * The hosted connect flow: `GET /connect` explains what each permission is for;
 * `GET /connect/<provider>` starts an authorization-code flow with PKCE and binds its state and
 * verifier to this browser in a sealed, HttpOnly, SameSite=Lax cookie that lives 10 minutes;
 * `GET /connect/<provider>/callback` accepts only a callback whose state matches that cookie,
 * clears the cookie (a replayed callback then has no state), exchanges the code, reads the profile
 * through the real adapter, stores the account and enqueues its first backfill.
 * `GET /l/reconnect/<token>` (the reconnect email's sealed link) starts the same flow for the
 * token's account, its stored address as the provider's login_hint.
 */
import type { Context, Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { html } from "hono/html";
import { type AccountRecord, awaitsReconnect, loadAccount } from "@followthrough/core/accounts";
import {
  type ConnectClient,
  completeMove,
  dropMove,
  isProviderName,
  MOVE_TTL_MS,
  type MoveGrant,
  type MoveRefusal,
  moveMail,
  offerMove,
  offerStands,
  openPending,
  pendingMove,
  PROVIDER_NAMES,
  type ProviderName,
  signerName,
  burnState,
  provisionalAccount,
  revokeGrant,
  revokesGrants,
  sameState,
  sealPending,
  storeConnection,
} from "@followthrough/core/connect";
import { chainIssuedAt, type LinkClaims, LinkError, linkPath, openLink, sealLink } from "@followthrough/core/links";
import { decrypt, encrypt } from "@followthrough/core/secrets";
import { type AccountIdentity, ApiNotEnabledError, grantRefused, missingScopes, missingScopesMessage, parseScopes, personalMicrosoftIdentity, SCOPE_WORDS, type ScopeWords } from "@followthrough/core/oauth";
import type { MailboxProvider, Profile } from "@followthrough/core/providers";
import { handleRevoked, isRevoked, mayHaveBeenSent, noticeState, reconnectReason, reconnectWhy, refusedElsewhere, type SystemMailer } from "@followthrough/core/reconnect";
import { ProviderError, retryable } from "@followthrough/core/resilience";
import { API_REQUEST_TIMEOUT_MS, API_RETRY_BUDGET_MS } from "@followthrough/core/limits";
import { loadMailbox } from "@followthrough/core/loader/mailbox";
import { scan } from "@followthrough/core/scan";
import { DEFAULT_SCHEDULE } from "@followthrough/core/schedule";
import type { Repository } from "@followthrough/core/storage";
import { type AppDeps, asOfFor, latestDigestWeek, revokeStored } from "./kit";
import { againIn, nextDigestWhen, type PageKit, reconnectAsk, whenOf, zoneWords } from "./pages";
import { firstLookSection, mountFirstLook } from "./firstlook";

/** What offering a move to the other provider came to (the conflict page words each). */
type MoveOffer = "sent" | "unconfirmed" | "busy" | "failed" | "none";

/** The OAuth exchanges (oauth4webapi), loaded by the routes that start or complete a sign-in, off the start of every other page. */
const grants = () => import("@followthrough/core/grants");

const PROVIDER_LABEL: Record<ProviderName, string> = { google: "Google", microsoft: "Microsoft (Outlook)" };

/**
 * What each requested permission allows and what we use it for, in plain words: exactly the scopes
 * the connect flow requests (GOOGLE_SCOPES, MICROSOFT_SCOPES), in that order.
 */
export const SCOPE_EXPLANATIONS: Record<ProviderName, ScopeWords[]> = SCOPE_WORDS;

export type { ConnectDeps } from "./kit";

const hintPattern = /^[^\s@<>"]{1,64}@[^\s@<>"]{1,190}$/;

/** Registers /connect, /connect/:provider, /connect/:provider/callback and /l/reconnect/:token. */
export function mountConnect(app: Hono, deps: AppDeps, kit: PageKit): void {
  mountFirstLook(app, deps, kit); // issue 12: the first look's fragment route (functions/src/firstlook.ts)
  const base = deps.baseUrl.replace(/\/$/, "");
  const secure = new URL(base).protocol === "https:";
  const clientOf = (p: string | undefined): ConnectClient | undefined => (isProviderName(p) ? deps.oauth?.[p] : undefined);
  const redirectUri = (p: ProviderName) => `${base}/connect/${p}/callback`;
  // __Host- on https (Secure, Path=/, no Domain); on plain http (local) scoped to the provider's path.
  const cookie = (p: ProviderName) =>
    secure ? { name: `__Host-ft_connect_${p}`, path: "/" } : { name: `ft_connect_${p}`, path: `/connect/${p}` };

  const couldNotConnect = (c: Context, p: ProviderName, status = 400) =>
    kit.page(
      c,
      status,
      "Could not connect",
      html`<h1>We could not connect your account</h1>
<p>${PROVIDER_NAMES[p]} did not confirm the sign-in, so nothing was stored. Please start again.</p>
<p><a class="button" href="${base}/connect">Start again</a></p>`,
    );
  // Also what a sign-in that succeeded gets if its callback is asked again (its cookie and state are
  // used up; a reload repeats its Connected page instead, a redirect away): it cannot tell that from a
  // stale one, so it does not say that nothing was stored.
  const staleAttempt = (c: Context) =>
    kit.page(
      c,
      400,
      "Sign-in already used",
      html`<h1>This sign-in can't be used again</h1>
<p>It has expired, was already used, or was started in another browser. If you have just connected your account, it is connected: you will find it in <a href="${base}/settings">your settings</a>. Otherwise, start again.</p>
<p><a class="button" href="${base}/connect">Start again</a></p>`,
    );

  app.get("/connect", (c) => {
    const configured = (["google", "microsoft"] as const).filter((p) => deps.oauth?.[p]);
    const section = (p: ProviderName) => html`<h2>${PROVIDER_LABEL[p]}</h2>
<ul class="scopes">${SCOPE_EXPLANATIONS[p].map((s) => html`<li data-scope="${s.scope}"><code>${s.label}</code> &mdash; ${s.allows} ${s.use}</li>`)}</ul>
<p><a class="button" href="${base}/connect/${p}">Connect ${PROVIDER_NAMES[p]}</a></p>`;
    return kit.page(
      c,
      200,
      "Connect your account",
      html`<h1>Connect your mailbox</h1>
<p>Followthrough looks at your calendar and at <b>who</b> you emailed and <b>when</b>, finds the people you met and never followed up, and sends you a weekly digest. Each follow-up is one tap from a draft in your own mailbox.</p>
<p><b>We never read the content of your messages</b> &mdash; only message headers, of which we use the sender, recipients, subject and date, and we keep only those of mail you sent. Nothing is sent to anyone but you; drafts wait in your Drafts folder until you send them.</p>
${
  configured.length
    ? html`<p>You'll be asked to allow exactly these permissions. Each says what it lets an app do, which can be more than we do, and what we use it for. Followthrough needs all of them: if one is left unticked, nothing is stored and you can try again. (Connecting again, a permission you already gave us stays given: Google adds it to the new grant.)</p>
${configured.map(section)}`
    : html`<p>Connecting is not set up on this server: its operator has not registered an OAuth client with Google or Microsoft (see docs/deploy.md).</p>`
}
<p class="muted">Already connected and paused your digests? Connect again and resume them on the page that follows, or <a href="${base}/settings">sign in to your settings</a> to resume them.</p>
<p class="muted">You can pause, change the day of your digest or disconnect at any time from the settings link in every digest. Disconnecting deletes everything we stored, our token with it (at Google, we revoke it too).</p>`,
    );
  });

  /**
   * Starts the authorization-code flow for provider `p` (PKCE; state and verifier sealed in this
   * browser's connect cookie): a 302 to the provider's authorize URL, with `hint` as its login_hint
   * when it looks like an address. 404 when the provider is unknown or not configured here.
   */
  const startConnect = async (c: Context, p: string | undefined, hint: string | undefined) => {
    const client = clientOf(p);
    if (!isProviderName(p) || !client || !deps.ring) return kit.notFound(c);
    const extra = hint && hintPattern.test(hint) ? { login_hint: hint } : undefined;
    const { url, pending } = await (await grants()).authorizationRequest(p, client, redirectUri(p), extra);
    const { name, path } = cookie(p);
    setCookie(c, name, sealPending(deps.ring, pending, deps.now()), { path, httpOnly: true, secure, sameSite: "Lax", maxAge: 600 });
    return c.redirect(url, 302);
  };

  app.get("/connect/:provider", (c) => startConnect(c, c.req.param("provider"), c.req.query("login_hint")));

  // The reconnect link's own refusals (kit.authorise's shared pages otherwise): an expired link and
  // a gone account end on /connect, since a reconnect link is mailed because no digest is coming.
  const connectAgain = (status: 403 | 404 | 409 | 410, title: string, sentence: string) => (c: Context) =>
    kit.page(c, status, title, html`<h1>${title}</h1>
<p>${sentence}</p>
<p><a class="button" href="${base}/connect">Connect an account</a></p>`);
  const reconnectPages = {
    expired: connectAgain(410, "Link expired", "This reconnect link has expired. Connect your account again from the start: choose Google or Microsoft and sign in with the same address."),
    missing: connectAgain(404, "Account not found", "This account is no longer connected to Followthrough (it may have been disconnected), so there is nothing to reconnect. You can connect it again from the start."),
  };
  // The reconnect link (core/reconnect reconnectUrl): the sealed token names the account; the flow
  // starts for its provider with the stored address as the hint, which only the provider sees.
  app.get("/l/reconnect/:token", async (c) => {
    const ok = await kit.authorise(c, "reconnect", reconnectPages);
    if (ok instanceof Response) return ok;
    return startConnect(c, ok.account.provider, ok.account.email);
  });

  app.get("/connect/:provider/callback", async (c) => {
    const p = c.req.param("provider");
    const client = clientOf(p);
    const ring = deps.ring;
    if (!isProviderName(p) || !client || !ring) return kit.notFound(c);
    const { name, path } = cookie(p);
    const sealed = getCookie(c, name);
    // One use only: whatever happens next, this browser's pending sign-in is over.
    deleteCookie(c, name, { path, secure, httpOnly: true, sameSite: "Lax" });
    const url = new URL(c.req.url);
    const q = url.searchParams;

    const error = q.get("error");
    if (error === "access_denied")
      return kit.page(
        c,
        200,
        "Not connected",
        html`<h1>Not connected</h1>
<p>You chose not to give Followthrough access, so nothing was stored. If you change your mind, you can connect at any time.</p>
<p><a class="button" href="${base}/connect">Back</a></p>`,
      );
    if (error) return couldNotConnect(c, p);

    const pending = openPending(ring, sealed, p, deps.now());
    if (!pending) return staleAttempt(c);
    if (!sameState(q.get("state") ?? undefined, pending.state) || !q.get("code")) return staleAttempt(c);
    // Loaded before the state is burnt: a chunk that failed to load is this server's error (a 500), and the callback can be tried again.
    const { exchangeCode } = await grants();
    // Single use on the server too: a copy of this cookie and callback never works again, even after a failure.
    if (!(await burnState(deps.repo, p, pending.state, deps.now()))) return staleAttempt(c);

    let refreshToken: string | undefined;
    let granted: string[] | undefined;
    let identity: AccountIdentity | undefined;
    try {
      const tokens = await exchangeCode(client, pending, q);
      refreshToken = tokens.refreshToken;
      granted = parseScopes(tokens.scope);
      identity = tokens.identity;
    } catch (e) {
      console.warn("connect: code exchange refused", e instanceof Error ? `${e.name}: ${e.message}` : String(e));
      return couldNotConnect(c, p, grantRefused(e) ? 400 : 502);
    }
    if (!refreshToken) return couldNotConnect(c, p);

    // A partial grant (a box unticked on Google's consent screen, a permission a tenant withholds):
    // store nothing, give the grant back, and say which permission is needed and why.
    const missing = missingScopes(p, granted, { hasRefreshToken: true, hasIdToken: identity !== undefined });
    // A grant we will not keep goes back (Google revokes a token; Microsoft has no such endpoint).
    const giveBack = async (why: string) => {
      if (!revokesGrants(p)) return;
      const outcome = await revokeGrant(provisionalAccount(ring, p, client, refreshToken!, deps.now()), {
        ring,
        revokeUrl: client.endpoints.revokeUrl,
        fetch: deps.httpFetch,
      });
      if (!outcome.revoked) console.warn(`connect: ${why} not revoked`, outcome.detail);
    };
    if (missing.length) {
      await giveBack("partial grant");
      return kit.page(
        c,
        403,
        "Permission needed",
        html`<h1>Not connected: a permission is missing</h1>
<p>${missingScopesMessage(p, missing)}</p>
<p><a class="button" href="${base}/connect/${p}">Try again</a></p>`,
      );
    }

    let profile: Profile;
    try {
      let latest = refreshToken;
      const onRefreshToken = async (t: string) => void (latest = t);
      const provisional = provisionalAccount(ring, p, client, refreshToken, deps.now());
      // The provider's module is loaded here, on the callback that needs it (a chunk of its own; its
      // profile only, so core/loader/mailbox's adapter, without the readers).
      const build =
        deps.providerForNew ??
        ((a: AccountRecord, onRotate: (t: string) => Promise<void>) =>
          loadMailbox(a, { ring, retry: { budgetMs: API_RETRY_BUDGET_MS }, tuning: { requestTimeoutMs: API_REQUEST_TIMEOUT_MS }, google: { clientSecret: deps.oauth?.google?.clientSecret }, microsoft: { clientSecret: deps.oauth?.microsoft?.clientSecret, onRefreshToken: onRotate } }));
      profile = await (await build(provisional, onRefreshToken)).profile();
      refreshToken = latest;
    } catch (e) {
      console.warn("connect: profile read failed", e instanceof Error ? `${e.name}: ${e.message}` : String(e));
      // Nothing is stored. The grant is not given back: at Google a revoke ends the client's whole
      // grant for this person, so an account already connected with it would lose it too.
      // A busy or failing provider passes; the provider's refusal of the read itself (mail turned
      // off for the account, a mailbox not set up) does not, and waiting a minute would not help.
      const passing = retryable(e);
      // (Also a mailbox Graph cannot serve, or a Workspace policy: core/reconnect refusedElsewhere.)
      const reason = reconnectReason(e);
      const elsewhere = refusedElsewhere(reason);
      const refused = e instanceof ProviderError && (e.kind === "invalid" || e.kind === "not-found" || elsewhere);
      // The API turned off in this deployment's Google Cloud project: nothing about the person's
      // account, and only whoever runs the deployment can change it (core/oauth ApiNotEnabledError).
      if (e instanceof ApiNotEnabledError)
        return kit.page(
          c,
          502,
          "Could not connect",
          html`<h1>We could not connect your account</h1>
<p>${PROVIDER_NAMES[p]} let you sign in, but it does not let this Followthrough read accounts yet: the ${e.api} is turned off in its Google Cloud project, so nothing was stored. Nothing is wrong with your account. Whoever runs this Followthrough needs to turn the ${e.api} on (Google Cloud console: APIs &amp; Services, Library); try again a few minutes after that.</p>
<p><a class="button" href="${base}/connect/${p}">Try again</a></p>`,
        );
      return kit.page(
        c,
        502,
        "Could not connect",
        html`<h1>We could not connect your account</h1>
<p>${PROVIDER_NAMES[p]} let you sign in, but we could not read your account there${passing ? " just now" : ""}, so nothing was stored. ${passing ? `Please try again ${againIn(e instanceof ProviderError ? e.retryAfterMs : undefined)}.` : elsewhere ? `${reconnectWhy({ provider: p, email: "this account", reconnectReason: reason })} Once that has changed, try again.` : refused ? "Check that this account has email and a calendar turned on, then try again." : "Please try again."}</p>
<p><a class="button" href="${base}/connect/${p}">Try again</a></p>`,
      );
    }

    const stored = await storeConnection({ repo: deps.repo, ring, provider: p, client, refreshToken, profile, now: deps.now(), ...(granted ? { scopes: granted } : {}), ...(identity ? { identity } : {}) });
    if (stored.kind === "conflict") {
      // Kept aside and a link mailed to the address, which this browser then confirms (core/connect offerMove).
      const offer = await offerToMove(c, stored.existing, { provider: p, refreshToken, profile, ...(granted ? { scopes: granted } : {}), ...(identity ? { identity } : {}) });
      // Given back only where no offer is kept for the address: Google's revocation of one grant
      // ends all of that person's grants to this client, a kept one with it. One not given back
      // lapses unused (Google ends a refresh token unused for six months).
      if (offer === "none") await giveBack("grant of an address connected through the other provider");
      return conflictPage(c, stored.existing, p, offer);
    }
    if (stored.kind === "other-kind") {
      // Nothing stored and nothing deleted: the grant goes back, and the page says which sign-in to use.
      await giveBack("grant of the other kind of Microsoft account");
      return otherKindPage(c, stored.existing);
    }
    return connected(c, stored.account, stored.kind);
  });

  // The browser's side of a move (core/connect move.ts): the references of the offers it signed in
  // for, sealed in an HttpOnly cookie that lives as long as they do. A move link confirms only in
  // the browser whose sign-in made its offer, so one person's sign-in is never confirmed by another's mail.
  // Read by the connect callbacks (the offers made before, kept beside a new one) and by the move
  // links: the whole site's, over http too, where a path of /l/move kept it from the callbacks and
  // each offer replaced the one before (helper-197).
  const moveCookie = secure ? { name: "__Host-ft_move", path: "/" } : { name: "ft_move", path: "/" };
  const movesOf = (c: Context): string[] => {
    const value = getCookie(c, moveCookie.name);
    if (!deps.ring || !value || value.length > 4096) return [];
    try {
      const refs = JSON.parse(decrypt(deps.ring, value, "move-cookie")) as unknown;
      return Array.isArray(refs) ? refs.filter((r): r is string => typeof r === "string") : [];
    } catch {
      return [];
    }
  };

  /**
   * A sign-in through the other provider found `existing` connected: its grant is kept aside for an
   * hour, a link mailed to the address and its reference kept in this browser ("sent"); or not,
   * where this identity or the address has had its mails for the hour ("busy"), the mail failed
   * ("failed") or this server mails nothing ("none"). A mail that may have gone out though its send
   * failed (SES's answer lost) keeps the offer and the cookie, as sent, so its link works when it
   * arrives ("unconfirmed"); dropped, its link led to "Nothing to move" (helper-189 #5).
   */
  const offerToMove = async (c: Context, existing: AccountRecord, grant: MoveGrant): Promise<MoveOffer> => {
    if (!deps.notify || !deps.ring) return "none";
    const now = deps.now();
    const ref = await offerMove(deps.repo, deps.ring, existing, grant, now);
    if (!ref) return "busy";
    const url = `${base}${linkPath("move", sealLink(deps.linkKey, { act: "move", acc: existing.email, ref }, now))}`;
    const mail = moveMail({ email: existing.email, from: existing.provider, to: grant.provider, signedInAs: grant.profile.displayName, url });
    let outcome: MoveOffer = "sent";
    try {
      await deps.notify.send(existing.email, mail.subject, mail.text, mail.html);
    } catch (e) {
      const unsure = mayHaveBeenSent(e);
      console.warn(`connect: the move link ${unsure ? "may not have been" : "was not"} mailed`, e instanceof Error ? `${e.name}: ${e.message}` : String(e));
      if (!unsure) {
        await dropMove(deps.repo, existing.email, ref);
        return "failed";
      }
      outcome = "unconfirmed";
    }
    const refs = [...movesOf(c), ref].slice(-4);
    // Over http, a cookie of before 2026-12-05 at /l/move (an hour's at most) would be sent before
    // this one on a move link, and read in its place (helper-198): it goes.
    if (!secure) deleteCookie(c, moveCookie.name, { path: "/l/move", httpOnly: true, sameSite: "Lax" });
    setCookie(c, moveCookie.name, encrypt(deps.ring, JSON.stringify(refs), "move-cookie"), { path: moveCookie.path, httpOnly: true, secure, sameSite: "Lax", maxAge: MOVE_TTL_MS / 1000 });
    return outcome;
  };

  /**
   * A Microsoft sign-in of the other kind (personal, or work or school) than the one the address is
   * connected with: which to choose, and how to use this one instead (helper-244 #2).
   */
  const otherKindPage = (c: Context, existing: AccountRecord) => {
    const personal = personalMicrosoftIdentity(existing.identity);
    const [kept, other] = personal ? ["personal", "work or school"] : ["work or school", "personal"];
    return kit.page(
      c,
      409,
      "Connected with another Microsoft account",
      html`<h1>Connected with your ${kept} account</h1>
<p><span class="who">${existing.email}</span> is connected to Followthrough through a ${kept} Microsoft account, and you signed in with a ${other} account that has the same address. Nothing was changed.</p>
<p>To reconnect, sign in again and choose the <b>${kept === "personal" ? "Personal account" : "Work or school account"}</b> when Microsoft asks which one.</p>
<p>To use the ${other} account instead, disconnect the address first: open your settings from any digest and choose <b>Sign in to disconnect</b>, then connect again here.</p>
<p><a class="button" href="${base}/connect/microsoft">Sign in again</a></p>`,
    );
  };

  const conflictPage = (c: Context, existing: AccountRecord, to: ProviderName, offer: MoveOffer) => {
    const [from, here] = [PROVIDER_NAMES[existing.provider], PROVIDER_NAMES[to]];
    const stay = html`<p>Still using ${from}? Disconnect it there first: open your settings from any digest and choose <b>Sign in to disconnect</b>, then connect again here.</p>`;
    const said = {
      sent: html`<p>If your mail has moved to ${here}, we have emailed <span class="who">${existing.email}</span> a link to move Followthrough there. Open it within an hour, in this browser; nothing changes until you do.</p>`,
      busy: html`<p>If your mail has moved to ${here}: we have emailed <span class="who">${existing.email}</span> as many links to move Followthrough as we send in an hour. Open the latest one in the browser where you signed in, or try again in an hour.</p>`,
      failed: html`<p>If your mail has moved to ${here}, we can move Followthrough there, but we could not email you the link just now. Please try again in a few minutes.</p>`,
      unconfirmed: html`<p>If your mail has moved to ${here}, we have emailed <span class="who">${existing.email}</span> a link to move Followthrough there, but we could not confirm that it was sent. If it arrives, open it within an hour, in this browser; if it has not come in a few minutes, try again.</p>`,
      none: html``,
    }[offer];
    return kit.page(
      c,
      409,
      "Already connected",
      html`<h1>Already connected through ${from}</h1>
<p><span class="who">${existing.email}</span> is already connected to Followthrough through ${from}.</p>
${said}${stay}`,
    );
  };

  /**
   * A stored connection (new, renewed, or moved here from the other provider): its first backfill
   * enqueued, then a 303 to its Connected page, a GET of a signed link a reload repeats. The page was
   * the callback's answer until 2026-12-05, and its reload asked the used-up sign-in again ("This
   * sign-in can't be used again"), or sent a move's form again (helper-204 #1).
   */
  const connected = async (c: Context, account: AccountRecord, kind: "connected" | "reconnected" | "moved") => {
    if (account.status === "active" && deps.enqueueBackfill) {
      try {
        await deps.enqueueBackfill(account.email);
      } catch (e) {
        // The account is stored; the dispatcher scans it anyway.
        console.error("connect: could not enqueue the first backfill", e instanceof Error ? `${e.name}: ${e.message}` : String(e));
      }
    }
    // Sealed no earlier than the account's creation (another instance's clock may have written it: an
    // overtaking first connection), or the page would read as an earlier connection's (helper-206 #5).
    const token = sealLink(deps.linkKey, { act: "connected", acc: account.email, ...(kind === "connected" ? {} : { how: kind }) }, Math.max(deps.now(), account.createdAt ?? 0));
    return c.redirect(`${base}${linkPath("connected", token)}`, 303);
  };

  // The Connected page: the account as it is when it opens (paused, waiting for a reconnect or
  // disconnected since, it says so), handing out the links the sign-in's own page did (kit.authorise
  // `whole`); its link lives an hour, and one of an earlier connection of the address has expired.
  app.get("/l/connected/:token", async (c) => {
    const auth = await kit.authorise(c, "connected", {
      whole: true,
      expired: (c) => kit.lost(c, 410, "Page expired", "This page is shown for an hour after a sign-in, and only for the connection that sign-in made. If your account is connected, your settings show how it is now."),
    });
    if (auth instanceof Response) return auth;
    return connectedPage(c, auth.account, auth.claims.how ?? "connected");
  });

  /** The page of a stored connection (new, renewed, or moved here from the other provider). */
  const connectedPage = async (c: Context, account: AccountRecord, kind: "connected" | "reconnected" | "moved") => {
    // The grant gone since (a weekly run or a draft tap found it so; paused since too): not
    // "connected" any more. Said as the settings page says it (helper-206 #1, #3).
    if (awaitsReconnect(account)) {
      const digestWeek = await latestDigestWeek(deps.repo, account.email);
      return kit.page(
        c,
        200,
        "Reconnect needed",
        html`<h1>Reconnect needed</h1>
${reconnectAsk(account, kit.linkFor(c, account.email, "reconnect"))}
${kit.nav(c, account.email, digestWeek ? {} : { omit: ["view"] })}`,
      );
    }
    const schedule = account.schedule ?? DEFAULT_SCHEDULE;
    const when = whenOf(schedule);
    // As of the account's instant (asOfFor: now in production; the demo's accounts live at their
    // mailbox's now, as the first look below and the events pages do: helper-207 #2).
    const first = nextDigestWhen(account, asOfFor(deps, account));
    const settings = kit.linkFor(c, account.email, "settings");
    const paused = account.status === "paused";
    const digestWeek = kind === "reconnected" ? await latestDigestWeek(deps.repo, account.email) : undefined;
    const heading = kind === "reconnected" ? "Reconnected" : kind === "moved" ? `Moved to ${PROVIDER_NAMES[account.provider]}` : "Connected";
    return kit.page(
      c,
      200,
      heading,
      html`<h1>${heading}</h1>
<p><span class="who">${account.email}</span> is connected${kind === "moved" ? ` through ${PROVIDER_NAMES[account.provider]} now. What we had read from ${PROVIDER_NAMES[account.provider === "google" ? "microsoft" : "google"]} is deleted` : ""}.</p>
${
  paused
    ? html`<p>Your digests are paused. Resume them to get your next digest on ${first} (${zoneWords(account.timeZone)}).</p>
<form method="post" action="${settings}"><input type="hidden" name="action" value="resume"><button type="submit">Resume my digests</button></form>`
    : html`<p>Your ${digestWeek || account.lastWeek ? "next" : "first"} digest arrives on <b>${first}</b> (${zoneWords(account.timeZone)}), then every ${when}, to ${account.email}, from your own mailbox.</p>`
}${
  // The provider told us no zone (Outlook's mailboxSettings refused: core/microsoft profile), and the
  // owner chose none: the digests keep the zone stored before, UTC for a new account, until they do;
  // or the zone the first backfill found most of the owner's own meetings in (core/events adoptMeetingsZone).
  !account.zoneChosen && !account.calendarZone && account.zoneInferred
    ? html`<p>${PROVIDER_NAMES[account.provider]} did not tell us your time zone, so your digests use ${zoneWords(account.timeZone)}, from your calendar: most meetings you set up are in it. <a href="${settings}?zone=1#time-zone">Change time zone</a></p>`
    : !account.zoneChosen && !account.calendarZone
    ? html`<p>${PROVIDER_NAMES[account.provider]} did not tell us your time zone, so your digests use ${account.timeZone} for now. <a href="${settings}?zone=1#time-zone">Choose your time zone</a></p>`
    : ""
}${
  // A zone the owner chose in settings is kept across the reconnect: said where the calendar now names another.
  account.zoneChosen && account.calendarZone && account.calendarZone !== account.timeZone
    ? html`<p>Your calendar is in ${zoneWords(account.calendarZone)}; your digests stay in ${zoneWords(account.timeZone)}, the time zone you chose. <a href="${settings}?zone=1#time-zone">Change time zone</a></p>`
    : ""
}
${firstLookSection(deps, kit, c, account, { reconnected: kind === "reconnected", hadDigest: Boolean(digestWeek || account.lastWeek) })}
${
  // The ways on, in the other pages' order; a reconnect (often asked for by a draft tap: "then tap
  // the link again") also leads back to the latest digest, which holds that link (helper-200 #5), where
  // there is one (a move deletes what the other provider's account had: helper-202 #2).
  kit.nav(c, account.email, digestWeek ? {} : { omit: ["view"] })
}`,
    );
  };

  // The move link (core/connect moveMail): a confirm page, then the move on its POST (a mail
  // scanner's GET moves nothing).
  const nothingToMove = connectAgain(410, "Nothing to move", "This move was already made, or given up. If your account is not connected the way you want, sign in again with the provider your mail is at now.");
  const moveExpired = connectAgain(410, "Link expired", "This link to move your account has expired: it works for an hour. Sign in again with the provider your mail is at now, and we will email you a new one.");
  const moveRefused = (c: Context, why: MoveRefusal | "changed" | "elsewhere") =>
    ({
      gone: nothingToMove,
      expired: moveExpired,
      changed: connectAgain(409, "Account changed", "This address's account has changed since this link was sent (it was disconnected, or connected again), so nothing was moved. Sign in again with the provider your mail is at now."),
      elsewhere: connectAgain(403, "Open it where you signed in", "For your safety, this link works only in the browser where you signed in with this address, within the hour. Open it there, or sign in again in this browser and we will email you a new link."),
    })[why](c);
  /**
   * The pending move a link names, in the browser that signed in for it; or the page that refuses
   * it. Opened here, not through kit.authorise: the address may have no account (the move's own
   * confirmation cut off after the old one went, or a disconnect since), and the offer, not the
   * account, is what the link names. An account made after the link (the move it confirmed, a
   * connection since) is not the one it was for. The page it leads to hands out links of the
   * account it makes, as a connect callback's.
   */
  const openMove = async (c: Context) => {
    let claims: LinkClaims;
    try {
      claims = openLink(deps.linkKey, c.req.param("token") ?? "", deps.now(), { act: "move" });
    } catch (e) {
      if (e instanceof LinkError) return e.problem === "expired" ? moveExpired(c) : kit.linkRefused(c, e.problem);
      throw e;
    }
    const ref = claims.ref;
    if (!deps.ring || typeof ref !== "string") return kit.linkRefused(c, "malformed");
    if (!movesOf(c).some((r) => sameState(r, ref))) return moveRefused(c, "elsewhere");
    const account = await loadAccount(deps.repo, claims.acc);
    if (account?.createdAt !== undefined && chainIssuedAt(claims) < Math.floor(account.createdAt / 1000)) return nothingToMove(c);
    const pending = await pendingMove(deps.repo, deps.ring, claims.acc, ref, deps.now());
    if (typeof pending === "string") return moveRefused(c, pending);
    if (!offerStands(pending.item, account)) return moveRefused(c, "changed");
    const client = clientOf(pending.grant.provider);
    if (!client) return kit.notFound(c);
    return { email: claims.acc, account, ref, grant: pending.grant, item: pending.item, client };
  };

  app.get("/l/move/:token", async (c) => {
    const m = await openMove(c);
    if (m instanceof Response) return m;
    const [from, to] = [PROVIDER_NAMES[m.item.fromProvider], PROVIDER_NAMES[m.grant.provider]];
    const who = signerName(m.grant.profile.displayName);
    return kit.page(
      c,
      200,
      `Move to ${to}`,
      html`<h1>Move Followthrough to ${to}?</h1>
<p><span class="who">${m.email}</span> ${m.account ? "is" : "was"} connected to Followthrough through ${from}. Someone signed in to ${to} with this address${who ? html` as <span class="who">${who}</span>` : ""} and asked to connect it.</p>
<p>Moving keeps your digest's day and time, your template, signature and the names you corrected. What we read from ${from} (people you met, follow-ups, events) is deleted, and your ${to} mailbox and calendar are read afresh. Followthrough stops using ${from}.</p>
<form method="post"><button type="submit">Move to ${to}</button></form>
<p class="muted">If this wasn't you, close this page: nothing changes, and this link stops working within the hour.</p>`,
    );
  });

  app.post("/l/move/:token", async (c) => {
    const m = await openMove(c);
    if (m instanceof Response) return m;
    const ring = deps.ring!;
    const moved = await completeMove({
      repo: deps.repo,
      ring,
      client: m.client,
      email: m.email,
      ref: m.ref,
      now: deps.now(),
      // Its grant given back where the provider can take it (as a disconnect does), whatever it says.
      retire: async (old) => {
        const outcome = await revokeStored(deps)(old);
        if (!outcome.revoked && !outcome.noRevocation) console.warn("move: the old grant's revocation not confirmed", outcome.detail);
      },
    });
    if (moved.kind !== "moved") return moveRefused(c, moved.kind);
    return connected(c, moved.account, "moved");
  });
}

/**
 * The local `enqueueBackfill`: runs the account's first scan in this process without waiting for
 * it; a revoked grant goes through handleRevoked. As a queued backfill job (core/dispatch
 * runAccountJob): a reconnect notice due (a draft tap found the grant gone) is sent instead, and an
 * account not active is not read. `onSettled` (tests, the local stack) hears the end,
 * and `idle()` waits for every scan begun (the local stack's close, before it stops the table and
 * the sandbox the scan is using).
 */
export function inProcessBackfill(o: {
  repo: Repository;
  /** The adapter of a stored account (with Microsoft token rotation stored back). */
  providerFor: (account: AccountRecord) => MailboxProvider | Promise<MailboxProvider>;
  now: () => number;
  mailer: SystemMailer;
  baseUrl: string;
  /** Key of the sealed links (the reconnect email's link); without it that link is the plain connect page. */
  linkKey?: Uint8Array | string;
  onSettled?: (email: string, error?: unknown) => void;
}): ((email: string) => Promise<void>) & { idle(): Promise<void> } {
  const running = new Set<Promise<void>>();
  const enqueue = async (email: string) => {
    const run = async () => {
      const account = await loadAccount(o.repo, email);
      if (!account) return;
      // As a queued backfill job does (core/dispatch runAccountJob): a grant found gone whose reconnect
      // notice is due (a draft tap marked it) is this run's work, and an account not active is not read.
      if (noticeState(account, o.now()) === "due") {
        await handleRevoked({ repo: o.repo, account, now: o.now(), notify: o.mailer, baseUrl: o.baseUrl, linkKey: o.linkKey });
        return;
      }
      if (account.status !== "active") return;
      try {
        await scan({ owner: account, provider: await o.providerFor(account), repo: o.repo, now: o.now() });
      } catch (e) {
        if (isRevoked(e)) await handleRevoked({ repo: o.repo, account, now: o.now(), notify: o.mailer, baseUrl: o.baseUrl, linkKey: o.linkKey, error: e });
        else throw e;
      }
    };
    const settled = run().then(
      () => o.onSettled?.(email),
      (e) => {
        console.error("backfill failed", e instanceof Error ? `${e.name}: ${e.message}` : String(e));
        o.onSettled?.(email, e);
      },
    );
    running.add(settled);
    void settled.finally(() => running.delete(settled));
  };
  const idle = async () => {
    while (running.size) await Promise.all(running);
  };
  return Object.assign(enqueue, { idle });
}
