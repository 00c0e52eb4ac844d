/**
 * What every feature module borrows (kit.ts createKit builds it as closures over the app's deps):
 * the page shell, one-sentence pages, signed-link checks and fresh links.
 */
import type { Context } from "hono";
import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import type { AccountRecord } from "@followthrough/core/accounts";
import type { LinkAction, LinkClaims, LinkProblem } from "@followthrough/core/links";
import { formatLocal } from "@followthrough/core/time";
import { reconnectWhy, refusedElsewhere } from "@followthrough/core/reconnect";
import { DEFAULT_SCHEDULE, dispatchSlot, nextDue } from "@followthrough/core/schedule";

export type Markup = HtmlEscapedString | Promise<HtmlEscapedString>;

/** An action's own pages for a refused link (see PageKit authorise). */
export interface LinkPages {
  expired?: (c: Context) => Response | Promise<Response>;
  missing?: (c: Context) => Response | Promise<Response>;
  /** Accept the link past its expiry (a digest's one-click unsubscribe). */
  evenExpired?: boolean;
  /**
   * The page hands out links issued whole, as of this link's issue: the links the page of the
   * sign-in that sealed it handed out (the Connected page a connect callback redirects to, whose
   * link lives an hour), with no chain start (`org`), ending when those end, not later.
   */
  whole?: boolean;
}

export interface PageKit {
  /** A plain, mobile-friendly page (the app's shell, CSP nonce'd style). */
  page(c: Context, status: number, title: string, body: Markup): Response | Promise<Response>;
  /** A page that is one clear sentence; with `onward`, then the one way on (a refused form's own page, trying again). */
  say(c: Context, status: number, title: string, sentence: string, onward?: { href: string; text: string }): Response | Promise<Response>;
  /** One sentence, then the ways on: the settings (through a sign-in) and connecting an account. */
  lost(c: Context, status: number, title: string, sentence: string): Response | Promise<Response>;
  /** "Not found: This page does not exist.", with the ways on of {@link lost}. */
  notFound(c: Context): Response | Promise<Response>;
  /**
   * Verifies the path's token for `act` and loads the account; a Response when refused. `pages`
   * gives an action's own page where the shared one would mislead: its link expired, or its
   * account is gone (a reconnect link: no digest is coming to open).
   */
  authorise(c: Context, act: LinkAction, pages?: LinkPages): Promise<{ claims: LinkClaims; account: AccountRecord } | Response>;
  /** A freshly signed link of this app (`evt`: the event a met or goal link is about), living no longer than the link `c` came in on. */
  linkFor(c: Context, account: string, act: LinkAction, extra?: { evt?: string }): string;
  /** Whether a link of `act` that {@link linkFor} hands out now would still open. */
  linkLives(c: Context, act: LinkAction): boolean;
  /** The request's CSP nonce. */
  nonceOf(c: Context): string;
  /** The page of a refused link. */
  linkRefused(c: Context, problem: LinkProblem): Response | Promise<Response>;
  /** 404 for a link's account that is gone (disconnected since), with the way to connect it again. */
  accountGone(c: Context): Response | Promise<Response>;
  /** The ways on at the foot of an account's page: its events, latest digest and settings, less those `omit` names, after `first`. */
  nav(c: Context, account: string, o?: { omit?: readonly ("events" | "view" | "settings")[]; first?: Markup }): Markup;
}

export const DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/** "Monday 08:00" for a schedule: the hour as every other time on the pages and in the emails writes it (it read "8:00" beside "08:00", helper-238 #7). */
export const whenOf = (s: { day: number; hour: number }) => `${DAY_NAMES[s.day - 1] ?? "Monday"} ${String(s.hour).padStart(2, "0")}:00`;

/** The request's own origin as the public base URL names it. */
export const originOf = (baseUrl: string) => new URL(baseUrl).origin;

/**
 * The first time at or after `at` that the local (day, hour) comes round in `timeZone`, as the
 * dispatcher sends it (core/schedule nextDue, from the next quarter hour: 02:30 UTC for 08:00 in
 * India; where the clocks skip the hour, read with the offset before the change, core/time atLocal), in a week later than `lastWeek`, the
 * week of the last digest (a reconnected account's this week's digest may have gone).
 */
export function nextOccurrence(s: { day: number; hour: number }, timeZone: string, at: number, lastWeek?: string): number {
  return nextDue(s, timeZone, dispatchSlot(at), lastWeek);
}

/**
 * A time zone as the pages name it: its IANA name, save POSIX's fixed offsets, which are written the
 * other way round ("Etc/GMT+11" is eleven hours behind UTC, American Samoa's and Niue's time): as the
 * offset they are, "UTC-11". An Outlook mailbox set to "(UTC-11:00) Coordinated Universal Time-11" or
 * "(UTC-12:00) International Date Line West" names "UTC-11" or "Dateline Standard Time", which CLDR
 * maps to "Etc/GMT+11" and "Etc/GMT+12" (core/zones), and Graph's calendar names those two itself
 * (dateTimeTimeZone, "Additional time zones", learn.microsoft.com/graph/api/resources/datetimetimezone);
 * the pages said "in your time zone (Etc/GMT+12)" to an owner at UTC-12.
 */
export function zoneWords(zone: string): string {
  const fixed = /^Etc\/GMT([+-])(\d{1,2})$/.exec(zone);
  if (!fixed) return zone;
  const hours = Number(fixed[2]);
  return hours === 0 ? "UTC" : `UTC${fixed[1] === "+" ? "-" : "+"}${hours}`;
}

/** "Monday, 7 December 2026 at 08:00" in the person's zone. */
export function whenLocal(t: number, timeZone: string): string {
  return `${formatLocal(t, timeZone, "EEEE, d MMMM y")} at ${formatLocal(t, timeZone, "HH:mm")}`;
}

/** When the account's next digest goes, reckoned from `at`, as {@link whenLocal} writes it (the Connected and no-digest pages). */
export function nextDigestWhen(a: Pick<AccountRecord, "schedule" | "timeZone" | "lastWeek">, at: number): string {
  return whenLocal(nextOccurrence(a.schedule ?? DEFAULT_SCHEDULE, a.timeZone, at, a.lastWeek), a.timeZone);
}

/** Past this wait a page says hours ({@link againIn}) and asks to come back later, not shortly. */
export const LONG_WAIT_MS = 90 * 60_000;

/**
 * When to try again after the provider asked us to wait `waitMs` (its Retry-After, or Google's daily
 * quota spent until midnight Pacific Time: core/google classifyGoogleError), as a page says it: "in a
 * minute" for the usual short waits (or none named), else the wait rounded up, so a person is not sent
 * back every minute for hours.
 */
export function againIn(waitMs: number | undefined): string {
  const ms = waitMs ?? 0;
  if (ms <= 90_000) return "in a minute";
  if (ms <= LONG_WAIT_MS) return `in ${Math.ceil(ms / 60_000)} minutes`;
  return `in about ${Math.ceil(ms / 3_600_000)} hours`;
}

/** Why an account waits for a reconnect and the way to it, as settings and the Connected page say it; `reconnect` is its reconnect link. */
export function reconnectAsk(a: Pick<AccountRecord, "provider" | "email" | "reconnectReason">, reconnect: string): Markup {
  return html`<p>${reconnectWhy(a)} Your data is kept; ${refusedElsewhere(a.reconnectReason) ? "once that has changed, reconnect" : "reconnect"} to get your digests again.</p>
<p><a class="button" href="${reconnect}">Reconnect ${a.email}</a></p>`;
}

/** The id of a refused form's message (formError), which the field it is about names (fieldAttrs). */
export const FORM_ERROR_ID = "form-error";

/**
 * A refused form's one-line message at the top of the page, announced as it appears; with `field`
 * (the id of the control it is about) the message links to that control, which says it is invalid
 * and is described by the message ({@link fieldAttrs}): a screen reader on the field hears why.
 */
export function formError(message: string, field?: string): Markup {
  return html`<div class="error" role="alert" id="${FORM_ERROR_ID}"><p><b>Not saved.</b> ${field ? html`<a href="#${field}">${message}</a>` : message}</p></div>`;
}

/**
 * A control's `aria-describedby` (its own help, `help`) and, when it is the one a refused form is
 * about (`invalid` is its id), `aria-invalid` and the form's message first in its description.
 */
export function fieldAttrs(id: string, invalid: string | undefined, help?: string): Markup | "" {
  if (invalid === id) return html` aria-invalid="true" aria-describedby="${help ? `${FORM_ERROR_ID} ${help}` : FORM_ERROR_ID}"`;
  return help ? html` aria-describedby="${help}"` : "";
}
