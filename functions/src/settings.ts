/**
 * The settings page behind the sealed settings link (`/l/settings/<token>`, act
 * "settings"): digest day and hour in the owner's zone, the zone itself (listed on asking, `?zone=1`:
 * core/events changeTimeZone), pause/resume, the follow-up template, and
 * disconnect (a confirm step, then revocation at the provider and deletion of every item).
 *
 * CSRF: the signed token in the URL is the capability; on top of it every POST must come from this
 * origin — `Sec-Fetch-Site` must be `same-origin` when sent, `Origin` must be the app's origin when
 * sent (or `null` beside `Sec-Fetch-Site: same-origin`), and at least one of them must be sent
 * (every current browser sends both on a form POST). Pages are served with
 * `Referrer-Policy: same-origin` (kit.ts), under which browsers send the real Origin on our forms.
 * Disconnecting takes a confirmation: the manage page's "Disconnect…" opens it (a GET of the link,
 * `?disconnect=1`, which changes nothing), and only its POST, carrying `confirm=disconnect`, acts.
 * That POST answers with a 303 to the Disconnected page (`/l/disconnected/<token>`, an hour): the
 * account is gone by then, so its sealed link carries what the page says (the address, the provider,
 * whether the revocation was confirmed), and a reload or Back never meets the browser's "Confirm Form
 * Resubmission" of the POST it was (until 2026-12-07 the confirmation and the Disconnected page were
 * the POSTs' own answers).
 */
import { createHash } from "node:crypto";
import type { Context, Hono } from "hono";
import { html } from "hono/html";
import { type AccountRecord, accountByIdentity, awaitsReconnect, calendarZoneOf, loadAccount, pausePatch, setFirstName, updateAccount } from "@followthrough/core/accounts";
import { burnState, dropMoves, endAccount, isProviderName, openPending, PROVIDER_NAMES, type ProviderName, revokesGrants, sameState, sealPending } from "@followthrough/core/connect";
import { type LinkClaims, LinkError, linkPath, openLink, sealLink } from "@followthrough/core/links";
import { type AccountIdentity, grantRefused, identityKey } from "@followthrough/core/oauth";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { DEFAULT_SUBJECT, DEFAULT_TEMPLATE, EVENT_TEMPLATE, LATE_SUBJECT, READY_TEMPLATES } from "@followthrough/core/followup";
import { CALENDAR_ZONE, changeTimeZone, planAfterSave } from "@followthrough/core/events";
import { firstReadDone } from "@followthrough/core/scan";
import { DEFAULT_SCHEDULE, type DigestSchedule, parseSchedule } from "@followthrough/core/schedule";
import { isZone } from "@followthrough/core/time";
import { typedAddress } from "@followthrough/core/identity";
import { type AppDeps, asOfFor, revokeStored } from "./kit";
import { DAY_NAMES, fieldAttrs, formError, nextDigestWhen, type PageKit, originOf, reconnectAsk, whenOf, zoneWords } from "./pages";

/** The OAuth exchanges (oauth4webapi), loaded by the routes that start or complete a sign-in, off the start of every other page. */
const grants = () => import("@followthrough/core/grants");

/** The longest template accepted, in characters. */
export const TEMPLATE_MAX = 2000;
/**
 * TEMPLATE_MAX as the page writes it ("2,000"), grouped by hand: the first `toLocaleString` of a
 * process initialises ICU's number formatting (≈ 25 ms), which was most of a cold settings page's
 * extra time over its floor.
 */
const TEMPLATE_MAX_TEXT = String(TEMPLATE_MAX).replace(/\B(?=(\d{3})+$)/g, ",");
/** The placeholders a template may use. */
export const PLACEHOLDERS = ["{firstName}", "{meeting}", "{date}", "{ownerName}"] as const;

/** A refused form value; the message is the one line the page shows, `field` the id of the control it is about. */
export class SettingsError extends Error {
  override name = "SettingsError";
  constructor(
    message: string,
    readonly field?: "day" | "hour" | "zone" | "template" | "subject" | "signature" | "person" | "first",
  ) {
    super(message);
  }
}

/** Full-width braces (an East Asian input method's) as the placeholders' own. */
const asciiBraces = (t: string) => t.replace(/\uff5b/g, "{").replace(/\uff5d/g, "}");

/**
 * U+FFFD, the character a form's parser puts where the posted bytes were not UTF-8 (WHATWG URL's
 * percent-decoding, as Hono's parseBody reads a form): a page of ours, served as UTF-8, posts none,
 * so a new value holding it is refused rather than stored in place of what was meant (helper-171
 * #6). The value already stored is taken back as it is: the form posts it again with every save,
 * and a "\uFFFD" saved before (or typed) must not stop the owner changing the day (helper-172 #1).
 */
function refuseUndecodable(t: string, stored: string | undefined, what: string, field: NonNullable<SettingsError["field"]>): void {
  if (t.includes("\uFFFD") && t !== stored) throw new SettingsError(`${what} has a \u201c\uFFFD\u201d where characters could not be read (a form not sent as UTF-8): type it again.`, field);
}

/**
 * Text that shows nothing: white space and invisible format characters only (Unicode's Cf: a
 * zero-width space, a joiner, a direction mark, as pasted text carries them). Such a subject, message
 * or name is taken as empty, as spaces are: saved, it made drafts with a blank subject and an empty
 * body (helper-249 #4).
 */
const showsNothing = (t: string): boolean => t.replace(/[\s\p{Cf}]/gu, "") === "";

/** Validates a template from the form: line endings normalised, trimmed; one-line errors. */
export function validateTemplate(raw: unknown): string {
  if (typeof raw !== "string") throw new SettingsError("The template is missing.", "template");
  const t = asciiBraces(raw.replace(/\r\n?/g, "\n")).trim();
  if (showsNothing(t)) throw new SettingsError("The template can't be empty.", "template");
  if ([...t].length > TEMPLATE_MAX) throw new SettingsError(`The template is longer than ${TEMPLATE_MAX_TEXT} characters.`, "template");
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(t)) throw new SettingsError("The template contains control characters.", "template");
  const list = "{firstName}, {meeting}, {date} or {ownerName}";
  for (const m of t.matchAll(/\{[^{}\n]*\}/g)) {
    if (!(PLACEHOLDERS as readonly string[]).includes(m[0])) throw new SettingsError(`Unknown placeholder ${m[0].slice(0, 40)}: use ${list}.`, "template");
  }
  const rest = PLACEHOLDERS.reduce((s, p) => s.replaceAll(p, ""), t);
  if (/[{}]/.test(rest)) throw new SettingsError(`Curly braces are only for the placeholders ${list}.`, "template");
  return t;
}

/** The longest subject template and signature name accepted, in characters. */
export const SUBJECT_MAX = 200;
export const SIGNATURE_MAX = 80;
/** The longest first name a correction keeps, in characters. */
export const FIRST_NAME_MAX = 60;

/** Validates the subject template: one line, the same placeholders as the body; empty means the default. */
export function validateSubject(raw: unknown): string {
  if (typeof raw !== "string") throw new SettingsError("The subject is not valid.", "subject");
  const t = asciiBraces(raw.replace(/\s+/g, " ")).trim();
  if (showsNothing(t)) return "";
  if ([...t].length > SUBJECT_MAX) throw new SettingsError(`The subject is longer than ${SUBJECT_MAX} characters.`, "subject");
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(t)) throw new SettingsError("The subject contains control characters.", "subject");
  for (const m of t.matchAll(/\{[^{}\n]*\}/g)) {
    if (!(PLACEHOLDERS as readonly string[]).includes(m[0])) throw new SettingsError(`Unknown placeholder ${m[0].slice(0, 40)} in the subject: use {firstName}, {meeting}, {date} or {ownerName}.`, "subject");
  }
  if (/[{}]/.test(PLACEHOLDERS.reduce((x, p) => x.replaceAll(p, ""), t))) throw new SettingsError("Curly braces in the subject are only for the placeholders.", "subject");
  return t;
}

/** Validates the name drafts are signed with: one line, no braces; empty means the first name. */
export function validateSignature(raw: unknown): string {
  if (typeof raw !== "string") throw new SettingsError("The signature name is not valid.", "signature");
  const t = raw.replace(/\s+/g, " ").trim();
  if (showsNothing(t)) return "";
  if ([...t].length > SIGNATURE_MAX) throw new SettingsError(`The signature name is longer than ${SIGNATURE_MAX} characters.`, "signature");
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f{}]/.test(t)) throw new SettingsError("The signature name can't contain braces or control characters.", "signature");
  return t;
}

/** At most this many corrected first names are kept per account. */
export const FIRST_NAMES_MAX = 500;

/** Validates a first-name correction: an address and the name to greet them by (empty removes it). */
export function validateFirstName(person: unknown, first: unknown): { person: string; first: string } {
  const key = typeof person === "string" ? typedAddress(person) : undefined;
  // Only an address the rules can read: a key no person has would be listed as saved and never used.
  if (!key) throw new SettingsError("Give the person's email address.", "person");
  if (typeof first !== "string") throw new SettingsError("Give the name to greet them by.", "first");
  const t = first.replace(/\s+/g, " ").trim();
  if (showsNothing(t)) return { person: key, first: "" };
  if ([...t].length > FIRST_NAME_MAX) throw new SettingsError(`The first name is longer than ${FIRST_NAME_MAX} characters.`, "first");
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f{}<>@]/.test(t)) throw new SettingsError("The first name can't contain braces, angle brackets, @ or control characters.", "first");
  // Kept under the address as the rules compare it (shared/spec/behaviour.md's normalisation), which
  // is how a draft looks the person up: `Ben.Osei+events@GoogleMail.com` corrects benosei@gmail.com.
  return { person: key, first: t };
}

/** Validates day (1–7) and hour (0–23) from the form; one-line errors. */
export function validateSchedule(day: unknown, hour: unknown): DigestSchedule {
  if (typeof day !== "string" || !/^\d{1,2}$/.test(day)) throw new SettingsError("Choose a day from Monday to Sunday.", "day");
  if (typeof hour !== "string" || !/^\d{1,2}$/.test(hour)) throw new SettingsError("Choose an hour from 0 to 23.", "hour");
  try {
    return parseSchedule(day, hour);
  } catch (e) {
    // Out of range: the same words as a value of another shape (hour 24 said "Hour must be 0 to 23.", 8.5 the words below; helper-249).
    if ((e as Error).message.startsWith("day")) throw new SettingsError("Choose a day from Monday to Sunday.", "day");
    throw new SettingsError("Choose an hour from 0 to 23.", "hour");
  }
}

/** The form value of the zone list's first choice: the account's calendar's zone, followed across reconnects (core/events CALENDAR_ZONE). */
export const CALENDAR_OPTION = "calendar";

/**
 * Validates a time zone from the form: {@link CALENDAR_OPTION} (the calendar's zone as last read,
 * where known: core/accounts calendarZoneOf), or one of those the page lists ({@link zoneChoices}:
 * the runtime's canonical names, UTC, and the account's own), as listed, which the owner then has
 * chosen; one-line errors. An alias a hand-made POST sends ("US/Eastern", "asia/tokyo") is refused,
 * so the account always holds a name the list shows.
 */
export function validateZone(raw: unknown, account: Pick<AccountRecord, "timeZone" | "calendarZone" | "zoneChosen">): { zone: string; chosen: boolean } {
  const value = typeof raw === "string" ? raw.trim() : "";
  const calendar = calendarZoneOf(account);
  if (value === CALENDAR_OPTION && calendar) return { zone: calendar, chosen: false };
  if (!/^[A-Za-z0-9_+\-/]{1,64}$/.test(value) || !zoneChoices(account.timeZone).includes(value) || !isZone(value)) throw new SettingsError("Choose a time zone from the list.", "zone");
  return { zone: value, chosen: true };
}

/**
 * The zones the settings page offers: the runtime's own list (its ICU's canonical names; Node 20's
 * writes "Asia/Calcutta", newer ones "Asia/Kolkata"), UTC first, and the owner's current zone where
 * the list does not name it (an alias their calendar gave). Listed only when the owner asks to change
 * it: enumerating the zones is a few milliseconds, which the page's every view need not pay.
 */
export function zoneChoices(current: string): string[] {
  const zones = Intl.supportedValuesOf("timeZone").filter((z) => z !== "UTC");
  return ["UTC", ...(current !== "UTC" && !zones.includes(current) ? [current] : []), ...zones];
}

/**
 * True when a POST comes from the app's own origin (see the module note). `Sec-Fetch-Site` is set
 * by the browser itself and no page can forge it: when it says `same-origin`, an `Origin: null`
 * (what a page under a `no-referrer` policy sends, e.g. a page cached from before the policy
 * changed) is accepted; any other Origin must be the app's. Without `Sec-Fetch-Site`, Origin must be
 * the app's. Cross-site and same-site (a sibling subdomain) POSTs are refused.
 */
export function sameOrigin(c: Context, baseUrl: string): boolean {
  const site = c.req.header("sec-fetch-site");
  const origin = c.req.header("origin");
  if (site !== undefined && site !== "same-origin") return false;
  if (origin !== undefined && origin !== originOf(baseUrl) && !(origin === "null" && site === "same-origin")) return false;
  return site !== undefined || origin !== undefined;
}

const providerName = (a: AccountRecord) => PROVIDER_NAMES[a.provider];
const hourLabel = (h: number) => `${String(h).padStart(2, "0")}:00`;

/** The fields of the settings page's main form, in the order its `loaded` field names them. */
const SAVE_FIELDS = ["day", "hour", "template", "subject", "signature"] as const;
type SaveField = (typeof SAVE_FIELDS)[number];

/**
 * Each field of the main form as a save of the page unchanged gives it back: the value shown from a
 * stored account, through the form's validation (a value stored before a rule it now follows, full-width
 * braces or text that shows nothing, comes back rewritten; helper-250 #2), or as stored where that
 * refuses it.
 */
function shownValues(a: AccountRecord): Record<SaveField, string> {
  const s = a.schedule ?? DEFAULT_SCHEDULE;
  const asSaved = (validate: (raw: unknown) => string, raw: string) => {
    try {
      return validate(raw);
    } catch {
      return raw;
    }
  };
  return {
    day: String(s.day),
    hour: String(s.hour),
    template: asSaved(validateTemplate, a.template || DEFAULT_TEMPLATE),
    subject: asSaved(validateSubject, a.subjectTemplate ?? ""),
    signature: asSaved(validateSignature, a.signatureName ?? ""),
  };
}

/** A short digest of one field's value, as the form's `loaded` carries it. */
const fieldTag = (value: string) => createHash("sha256").update(value).digest("base64url").slice(0, 12);

/**
 * The main form's hidden `loaded`: each field's value as the page showed it from the account, digested.
 * A save writes only the fields whose value differs from it, the ones the person changed: the form
 * sends all five, and a page left open in another tab put back, with its next save, the schedule or
 * the text another tab had saved since (helper-249 #1). A form without it (an older page, one made by
 * hand) writes every field it sends, as before.
 */
const loadedOf = (a: AccountRecord) => {
  const shown = shownValues(a);
  return SAVE_FIELDS.map((f) => fieldTag(shown[f])).join(".");
};

/** What {@link loadedOf} writes: one tag per field, joined by dots. */
const LOADED = new RegExp(`^[A-Za-z0-9_-]{12}(?:\\.[A-Za-z0-9_-]{12}){${SAVE_FIELDS.length - 1}}$`);

/** A `loaded` as {@link loadedOf} writes it, else undefined. */
const loadedSent = (v: unknown): string | undefined => (typeof v === "string" && LOADED.test(v) ? v : undefined);

/** The fields a save changed against its form's `loaded` ({@link loadedOf}); every field without a well-formed one. */
function changedFields(loaded: unknown, sent: Record<SaveField, string>): ReadonlySet<SaveField> {
  const tags = loadedSent(loaded)?.split(".");
  if (!tags) return new Set(SAVE_FIELDS);
  return new Set(SAVE_FIELDS.filter((f, i) => tags[i] !== fieldTag(sent[f])));
}

/** The sections of the settings page a save comes back to. */
type SavedSection = "schedule" | "when" | "template" | "unchanged" | "zone" | "eventemails" | "names" | "pause";
/** Where each lands: the zone's form is shown only when asked for, so its save lands on the schedule, which names the zone. */
const SAVED_ANCHOR: Record<SavedSection, string> = { schedule: "schedule", when: "schedule", template: "schedule", unchanged: "schedule", zone: "schedule", eventemails: "event-emails", names: "names", pause: "pause" };
/**
 * The templates the settings page loads into its form: the ready ones, and last the standard text
 * with the default subject, the way back to them after an edit (while the template is the standard
 * text, a person met at a networking event gets "After an event": core/followup ownTemplate). Until
 * 2026-12-05 an edited template could not be put back but by typing it (helper-208 #5).
 */
const PRESETS = [...READY_TEMPLATES, { id: "standard", label: "The standard text", subject: "", body: DEFAULT_TEMPLATE }];

/** The form's text as a ready template fills it (the chooser's `preset` id), or undefined for an id of none. */
const presetForm = (id: unknown) => {
  const preset = PRESETS.find((t) => t.id === id);
  return preset && { template: preset.body, subject: preset.subject };
};

/** What each says there: the section saved, and so no other (without script nothing warns of another section's changes). */
const SAVED_WORDS: Record<SavedSection, string> = {
  schedule: "Saved: when your digest arrives, and your template.",
  // What a save from a page with its `loaded` field changed (changedFields; helper-249: every save said both).
  when: "Saved: when your digest arrives.",
  template: "Saved: your template.",
  unchanged: "Nothing to save: nothing was changed.",
  zone: "Saved: your time zone.",
  eventemails: "Saved: your event emails.",
  names: "Saved: the name.",
  pause: "Saved.", // said by the account's status (savedHere)
};

/** Registers GET and POST /l/settings/:token. */
export function mountSettings(app: Hono, deps: AppDeps, kit: PageKit): void {
  const base = deps.baseUrl.replace(/\/$/, "");
  const selfPath = (c: Context) => new URL(c.req.url).pathname;

  /**
   * The settings page; `edited` re-shows a refused form as the person left it (their day, hour and
   * template text) with the one-line error above it, so nothing typed is lost.
   */
  const settingsPage = (
    c: Context,
    account: AccountRecord,
    saved: SavedSection | undefined,
    canManage: boolean,
    edited?: { error?: string; field?: SettingsError["field"]; day?: unknown; hour?: unknown; zone?: unknown; template?: unknown; subject?: unknown; signature?: unknown; person?: unknown; first?: unknown; loaded?: unknown },
  ) => {
    // The zone's form, when asked for (the "Change time zone" link) or refused (then showing the
    // zone sent, where the list has it, else the account's).
    const zoneForm = c.req.query("zone") === "1" || edited?.field === "zone";
    const calendarZone = calendarZoneOf(account);
    const zones = zoneForm ? zoneChoices(account.timeZone) : [];
    const sentZone = typeof edited?.zone === "string" ? edited.zone : undefined;
    // The choice the list shows: what was sent, where listed; else the calendar's while the account follows it, else its zone.
    const shownZone =
      sentZone !== undefined && ((sentZone === CALENDAR_OPTION && calendarZone) || zones.includes(sentZone)) ? sentZone : account.zoneChosen || !calendarZone ? account.timeZone : CALENDAR_OPTION;
    const option = (value: string, label: string) => html`<option value="${value}"${value === shownZone ? html` selected` : ""}>${label}</option>`;
    const asNumber = (v: unknown, fallback: number) => (typeof v === "string" && /^\d{1,2}$/.test(v) ? Number(v) : fallback);
    const stored = account.schedule ?? DEFAULT_SCHEDULE;
    const schedule = edited ? { day: asNumber(edited.day, stored.day), hour: asNumber(edited.hour, stored.hour) } : stored;
    const template = edited && typeof edited.template === "string" ? edited.template : account.template || DEFAULT_TEMPLATE;
    const subject = edited && typeof edited.subject === "string" ? edited.subject : account.subjectTemplate ?? "";
    const signature = edited && typeof edited.signature === "string" ? edited.signature : account.signatureName ?? "";
    const status = account.status;
    const bad = edited?.field;
    // A form shown again with what was sent (refused), or a template loaded into it: not saved yet,
    // whatever its fields' defaults now say (unsavedScript).
    /** What a save said, in the section it came back to (SAVED_ANCHOR). */
    // A pause or resume says what the digests now do: a resume on an account awaiting a reconnect
    // stays on hold (helper-207 #6: "Saved." said neither).
    const pauseWords = status === "paused" ? "Saved: your digests are paused." : status === "needs_reconnect" ? "Saved: your digests resume once you reconnect." : "Saved: your digests are on again.";
    // A save of when the digest comes (day, hour, zone) says the date it comes next, as the Connected
    // page does: "every Thursday" saved on the Monday a digest went out meant Thursday of next week,
    // the week having had its digest (core/schedule nextDue), and the page left the person to expect
    // one in three days (helper-279 #1).
    const nextWords = saved && ["schedule", "when", "zone"].includes(saved) && status === "active" ? html` Your next digest arrives on <b>${nextDigestWhen(account, asOfFor(deps, account))}</b>.` : "";
    const savedHere = (...sections: SavedSection[]) =>
      saved && sections.includes(saved) ? html`<p role="status"><b>${saved === "pause" ? pauseWords : SAVED_WORDS[saved]}</b>${nextWords}</p>` : "";
    const unsaved = (pending: boolean) => (pending ? html` data-unsaved="pending"` : html` data-unsaved`);
    const mainPending = edited !== undefined && [edited.day, edited.hour, edited.template, edited.subject, edited.signature].some((v) => v !== undefined);
    return kit.page(
      c,
      edited?.error ? 400 : 200,
      // A refusal's title says which page refused (WCAG 2.4.2; every one was "Not saved": helper-281).
      edited?.error ? "Not saved: Settings" : "Settings",
      html`<h1>Settings</h1>
${edited?.error ? formError(edited.error, edited.field) : ""}
${edited && !edited.error ? html`<p role="status"><b>Template loaded below: edit it if you like, then Save.</b></p>` : ""}
<dl>
<dt>Account</dt><dd>${account.displayName ? html`${account.displayName} · ` : ""}${account.email}</dd>
<dt>Provider</dt><dd>${providerName(account)}</dd>
<dt>Weekly digest</dt><dd>${status === "paused" ? "Paused" : status === "needs_reconnect" ? "On hold — reconnect needed" : `On, every ${whenOf(stored)}`}</dd>
</dl>
${
  status === "needs_reconnect"
    ? reconnectAsk(account, kit.linkFor(c, account.email, "reconnect"))
    : ""
}
${
  zoneForm
    ? html`<h2 id="time-zone">Time zone</h2>
<form method="post"${unsaved(sentZone !== undefined)}><input type="hidden" name="action" value="zone">
<p><label for="zone">Time zone</label><select id="zone" name="zone"${fieldAttrs("zone", bad, "zone-help")}>${calendarZone ? option(CALENDAR_OPTION, `My calendar’s: ${zoneWords(calendarZone).replaceAll("_", " ")}`) : ""}${zones.map((z) => option(z, zoneWords(z).replaceAll("_", " ")))}</select></p>
<p class="muted" id="zone-help">Your digest's day and hour, and the mornings of your event emails, are in this zone. ${calendarZone ? html`&ldquo;My calendar&rsquo;s&rdquo; is the zone your calendar had when you last connected, and follows it when you reconnect; a zone picked from the list stays until you change it here.` : account.zoneUnread ? html`${providerName(account)} did not tell us your calendar&rsquo;s zone; a zone picked from the list stays until you change it here.` : "A zone picked from the list stays until you change it here."}</p>
<button type="submit" class="secondary">Save time zone</button>
</form>`
    : ""
}
<h2 id="schedule">When your digest arrives</h2>
${savedHere("schedule", "when", "template", "unchanged", "zone")}
<form method="post"${unsaved(mainPending)}>
<input type="hidden" name="action" value="save">
<input type="hidden" name="loaded" value="${loadedSent(edited?.loaded) ?? loadedOf(account)}">
<p><label for="day">Day</label><select id="day" name="day"${fieldAttrs("day", bad)}>${DAY_NAMES.map((d, i) => html`<option value="${i + 1}"${i + 1 === schedule.day ? html` selected` : ""}>${d}</option>`)}</select></p>
<p><label for="hour">Time</label><select id="hour" name="hour"${fieldAttrs("hour", bad)}>${Array.from({ length: 24 }, (_, h) => html`<option value="${h}"${h === schedule.hour ? html` selected` : ""}>${hourLabel(h)}</option>`)}</select></p>
<p class="muted">In your time zone: ${zoneWords(account.timeZone)}.${account.zoneChosen ? " Chosen here: a reconnect keeps it." : account.zoneInferred ? ` From your calendar: most meetings you set up are in it (${providerName(account)} did not tell us yours).` : calendarZone ? "" : ` ${providerName(account)} did not tell us yours.`}${zoneForm ? "" : html` <a href="${selfPath(c)}?zone=1#time-zone">Change time zone</a>`}</p>
<h2>Your follow-up template</h2>
<p class="muted" id="template-help">Used for every draft. While it is the standard text, people you met at a networking event get the "After an event" message instead; to go back to the standard text, pick "The standard text" under "Start from a ready template" below. Placeholders: {firstName}, {meeting}, {date}, {ownerName}. At most ${TEMPLATE_MAX_TEXT} characters.</p>
<p><label for="subject">Subject</label><input type="text" id="subject" name="subject" value="${subject}" placeholder="${DEFAULT_SUBJECT}"${fieldAttrs("subject", bad, "subject-help")}></p>
<p class="muted" id="subject-help">Leave empty for "${DEFAULT_SUBJECT}" soon after the meeting ("${EVENT_TEMPLATE.subject}" after a networking event) and "${LATE_SUBJECT}" after two weeks. A reply keeps the thread's subject. At most ${SUBJECT_MAX} characters.</p>
<p><label for="template">Follow-up message</label><textarea id="template" name="template" rows="8"${fieldAttrs("template", bad, "template-help")}>${template}</textarea></p>
<p><label for="signature">Sign drafts as</label><input type="text" id="signature" name="signature" value="${signature}" autocomplete="name"${fieldAttrs("signature", bad, "signature-help")}></p>
<p class="muted" id="signature-help">Fills {ownerName}; empty uses your first name. At most ${SIGNATURE_MAX} characters.</p>
<button type="submit">Save</button>
</form>
<form method="get" action="${selfPath(c)}">
<p><label for="preset">Start from a ready template</label><select id="preset" name="preset">${PRESETS.map((t) => html`<option value="${t.id}">${t.label}</option>`)}</select></p>
<button type="submit" class="secondary">Load this template</button>
</form>
<h2 id="event-emails">Event emails</h2>
${savedHere("eventemails")}
<p class="muted">For your networking events (<a href="${kit.linkFor(c, account.email, "events")}">your events</a>): one short email the morning of an event you set a goal for (at 18:00 the evening before when it starts before 10:00), and one the morning after with the people you met there. Pausing your digests pauses these too.</p>
<form method="post"${unsaved(false)}><input type="hidden" name="action" value="eventemails">
<p><input type="checkbox" id="morningOf" name="morningOf" value="on"${account.eventEmails?.morningOf !== false ? html` checked` : ""}> <label class="inline" for="morningOf">The morning of an event with a goal</label></p>
<p><input type="checkbox" id="morningAfter" name="morningAfter" value="on"${account.eventEmails?.morningAfter !== false ? html` checked` : ""}> <label class="inline" for="morningAfter">The morning after an event: whom you met</label></p>
<button type="submit" class="secondary">Save event emails</button>
</form>
<h2 id="names">Names in your drafts</h2>
${savedHere("names")}
<p class="muted">Drafts greet people by a guessed first name ("Mei Lin Goh" &rarr; "Mei Lin", "Tan, Wei Jie" &rarr; "Wei Jie"). Correct it for anyone; it is remembered for that person.</p>
${
  Object.keys(account.firstNames ?? {}).length
    ? html`<ul>${Object.entries(account.firstNames ?? {}).map(([p, n]) => html`<li>${p}: <b>${n}</b></li>`)}</ul>`
    : ""
}
<form method="post"${unsaved(edited?.person !== undefined || edited?.first !== undefined)}><input type="hidden" name="action" value="firstname">
<p><label for="person">Their email address</label><input type="text" inputmode="email" id="person" name="person" autocomplete="off"${fieldAttrs("person", bad)}${typeof edited?.person === "string" ? html` value="${edited.person}"` : ""}></p>
<p><label for="first">Greet them as</label><input type="text" id="first" name="first" autocomplete="off"${fieldAttrs("first", bad, "first-help")}${typeof edited?.first === "string" ? html` value="${edited.first}"` : ""}></p>
<p class="muted" id="first-help">Leave empty to go back to the guess. At most ${FIRST_NAME_MAX} characters.</p>
<button type="submit" class="secondary">Save name</button>
</form>
<h2 id="pause">Pause</h2>
${savedHere("pause")}
${
  status === "paused"
    ? html`<form method="post"><input type="hidden" name="action" value="resume"><p>Your digests are paused.</p><button type="submit">Resume my digests</button></form>`
    : status === "active"
      ? html`<form method="post"><input type="hidden" name="action" value="pause"><p>Stop the weekly digest until you turn it back on.</p><button type="submit">Pause my digests</button></form>
<p class="muted">Every digest also carries a one-tap <a href="${kit.linkFor(c, account.email, "pause")}">pause link</a>.</p>`
      : html`<p class="muted">Nothing is sent while the account needs reconnecting.</p>`
}
<h2>Disconnect</h2>
${
  canManage
    ? // A GET of this page's confirmation (it changes nothing): the disconnect is its own form's POST.
      html`<form method="get" action="${selfPath(c)}"><input type="hidden" name="disconnect" value="1">
<p>${revokesGrants(account.provider) ? "Revoke Followthrough's access to" : "Delete our token for"} ${account.email} and everything we stored for it.</p>
<button type="submit">Disconnect&hellip;</button></form>`
    : html`<p>To ${revokesGrants(account.provider) ? "revoke Followthrough's access" : "end Followthrough's access"} and delete everything we stored, sign in again with ${providerName(account)} as ${account.email}. (A digest can be forwarded; a sign-in can't.)</p>
<p><a class="button" href="${base}/settings/signin/${account.provider}">Sign in to disconnect</a></p>`
}
${unsavedScript(kit.nonceOf(c))}`,
    );
  };

  // A settings link (from a digest) shows and changes the schedule, pause and template; a manage
  // link (earned by signing in again with the connected account) also disconnects and deletes.
  // A manage link ends 15 minutes after the sign-in that earned it: the way back is signing in again,
  // not a digest (whose links cannot disconnect).
  /** The disconnect's confirmation (GET `?disconnect=1` of a manage link): says what goes, and its form's POST disconnects. */
  const confirmDisconnect = (c: Context, account: AccountRecord) =>
    kit.page(
      c,
      200,
      "Disconnect",
      html`<h1>Disconnect ${account.email}?</h1>
<p>We will ${revokesGrants(account.provider) ? html`revoke Followthrough's access at ${providerName(account)}` : html`delete our token for your Microsoft account (Microsoft gives apps no way to revoke their own access)`} and delete everything we stored for this account: people, meetings, mail headers, digests and settings. Drafts already in your mailbox stay there.</p>
<form method="post" action="${selfPath(c)}"><input type="hidden" name="action" value="disconnect"><input type="hidden" name="confirm" value="disconnect">
<button type="submit">Yes, disconnect and delete my data</button></form>
<p><a href="${selfPath(c)}">Keep my account</a></p>`,
    );

  /**
   * The Disconnected page a disconnect redirects to, from its link alone (the account and everything
   * of it are deleted): the address, what became of the grant at the provider and where to remove
   * what we could not. It hands out no link of the account. Past its hour: a page that says what a
   * disconnect did without naming the account.
   */
  app.get("/l/disconnected/:token", (c) => {
    let claims: LinkClaims;
    try {
      claims = openLink(deps.linkKey, c.req.param("token"), deps.now(), { act: "disconnected", evenExpired: true });
    } catch (e) {
      if (e instanceof LinkError) return kit.linkRefused(c, e.problem);
      throw e;
    }
    const provider = claims.pv;
    if (!provider) return kit.linkRefused(c, "malformed");
    if (claims.exp * 1000 <= deps.now())
      return kit.lost(c, 410, "Page expired", "This page is shown for an hour after a disconnect. Everything we stored for the account disconnected was deleted then, and we no longer hold any token for it.");
    const name = PROVIDER_NAMES[provider];
    const manage =
      provider === "google"
        ? html`<a href="https://myaccount.google.com/permissions">myaccount.google.com/permissions</a>`
        : html`<a href="https://myapps.microsoft.com">myapps.microsoft.com</a> (work or school) or <a href="https://account.live.com/consent/Manage">account.live.com/consent/Manage</a> (personal)`;
    return kit.page(
      c,
      200,
      "Disconnected",
      html`<h1>Disconnected</h1>
<p>We deleted everything we stored for <span class="who">${claims.acc}</span>. No more scans or digests.</p>
${
  claims.rv
    ? html`<p>${name} confirmed that our access is revoked.</p>`
    : provider === "microsoft"
      ? // Graph has no call that gives back one app's grant (core/connect revoke): said as the way Microsoft works, not as a failure (helper-104 #7).
        html`<p>Microsoft gives apps no way to hand back their own access, so we deleted our token instead: nothing of ours can use it any more. To take Followthrough off your account's list of apps too, remove it at ${manage}.</p>`
      : html`<p>We could not confirm with ${name} that our access was revoked, but your data is deleted anyway and we no longer hold any token. To be sure, remove Followthrough at ${manage}.</p>`
}
<p><a href="${base}/connect">Connect again</a></p>`,
    );
  });

  // A save sent after it ended shows what was typed (only to a form of this app's own origin), to
  // copy before signing in again: a template written over more than 15 minutes is not lost.
  const signInAgain = async (c: Context, act: "settings" | "manage") => {
    const form = c.req.method === "POST" && sameOrigin(c, base) ? await c.req.parseBody().catch(() => ({}) as Record<string, unknown>) : {};
    const fields: [string, unknown][] = form.action === "save" ? [["Subject", form.subject], ["Follow-up message", form.template], ["Sign drafts as", form.signature]] : [];
    const typed = fields.filter((f): f is [string, string] => typeof f[1] === "string" && f[1].trim() !== "");
    return kit.page(
      c,
      410,
      "Sign in again",
      html`<h1>Sign in again</h1><p>${act === "manage" ? "Your sign-in to manage this account ended: it lasts 15 minutes." : "This settings link has expired."} Nothing was changed.</p>
${
  typed.length
    ? html`<p>What you typed, not saved: copy it, sign in again, and paste it in.</p>
${typed.map(([label, value], i) => html`<p><label for="typed-${i}">${label}</label><textarea id="typed-${i}" rows="${Math.min(12, value.split("\n").length + 1)}" readonly>${value}</textarea></p>`)}`
    : ""
}
<p><a class="button" href="${base}/settings">Sign in again</a></p>`,
    );
  };
  // A settings link's save sent after it expired (links a page hands out can end within minutes:
  // core/links chainIssuedAt) gets the same page: what was typed is not lost either.
  const authoriseAct = (c: Context, act: "settings" | "manage") =>
    kit.authorise(c, act, act === "manage" || c.req.method === "POST" ? { expired: (cc: Context) => signInAgain(cc, act) } : {});
  for (const act of ["settings", "manage"] as const) {
    app.get(`/l/${act}/:token`, async (c) => {
      const auth = await authoriseAct(c, act);
      if (auth instanceof Response) return auth;
      // A ready template loaded into the form (`?preset=`, the chooser's GET: it changes nothing, so
      // Back to it after a Save, or a reload, is the page again, not the browser's "Confirm Form
      // Resubmission" of the POST it was until 2026-12-07; helper-260). A POST of an older page is a 303 to it.
      const preset = presetForm(c.req.query("preset"));
      if (preset) return settingsPage(c, auth.account, undefined, act === "manage", preset);
      // The disconnect's confirmation, a page of its own (the manage page's "Disconnect…"): Back to it
      // and a reload are the page again. (A settings link has none: its page says to sign in.)
      if (act === "manage" && c.req.query("disconnect") !== undefined) return confirmDisconnect(c, auth.account);
      const saved = c.req.query("saved");
      return settingsPage(c, auth.account, saved !== undefined && Object.hasOwn(SAVED_ANCHOR, saved) ? (saved as SavedSection) : undefined, act === "manage");
    });
    app.post(`/l/${act}/:token`, (c) => post(c, act));
  }

  mountSignIn(app, deps, kit);

  const post = async (c: Context, act: "settings" | "manage") => {
    const auth = await authoriseAct(c, act);
    if (auth instanceof Response) return auth;
    if (!sameOrigin(c, base)) return kit.say(c, 403, "Not allowed", "This form can only be sent from your settings page.", { href: selfPath(c), text: "Open your settings" });
    const { account } = auth;
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const action = form.action;
    // Back to the page at the section saved, which says so there: the next Tab is where the person
    // was, and without script (no prompt for another section's changes) the page says which one went
    // (helper-204 #2, #4).
    const back = (section: SavedSection) => c.redirect(`${selfPath(c)}?saved=${section}#${SAVED_ANCHOR[section]}`, 303);
    const now = deps.now();
    const gone = () => kit.accountGone(c);
    /** Puts the account's coming event emails and daily sync on the due-hour index (core/events planAfterSave). */
    const plan = (planFor: AccountRecord) => planAfterSave(deps.repo, planFor, now, "settings", deps.now);

    if (action === "save") {
      let schedule: DigestSchedule;
      let template: string;
      let subjectTemplate: string;
      let signatureName: string;
      try {
        schedule = validateSchedule(form.day, form.hour);
        template = validateTemplate(form.template);
        // A field the form did not send at all (an older page, a form made by hand) keeps what is
        // stored; an empty one clears it. Both were cleared (helper-190 #3).
        subjectTemplate = form.subject === undefined ? (account.subjectTemplate ?? "") : validateSubject(form.subject);
        signatureName = form.signature === undefined ? (account.signatureName ?? "") : validateSignature(form.signature);
        // (Left out of the write below too: a save from another tab meanwhile stays: helper-191 #4.)
        refuseUndecodable(template, account.template, "The template", "template");
        refuseUndecodable(subjectTemplate, account.subjectTemplate, "The subject", "subject");
        refuseUndecodable(signatureName, account.signatureName, "The signature name", "signature");
      } catch (e) {
        if (e instanceof SettingsError)
          // Shown again as sent, with the `loaded` it came with: what the page first showed stays what
          // a save compares against, or every stale field of an old tab would count as changed (helper-250 #1).
          return settingsPage(c, account, undefined, act === "manage", { error: e.message, field: e.field, day: form.day, hour: form.hour, template: form.template, subject: form.subject, signature: form.signature, loaded: form.loaded });
        throw e;
      }
      // Only what the person changed on the page (changedFields); the rest stays as stored now.
      const changed = changedFields(form.loaded, { day: String(schedule.day), hour: String(schedule.hour), template, subject: subjectTemplate, signature: signatureName });
      // The day and the hour are one choice, "when": either changed, both go as the page shows them
      // (a day from one tab and an hour from another made a time nobody chose; helper-250).
      const when = changed.has("day") || changed.has("hour");
      const written = {
        template: changed.has("template"),
        subject: form.subject !== undefined && changed.has("subject"),
        signature: form.signature !== undefined && changed.has("signature"),
      };
      const patch = {
        ...(when ? { schedule } : {}),
        ...(written.template ? { template } : {}),
        ...(written.subject ? { subjectTemplate } : {}),
        ...(written.signature ? { signatureName } : {}),
      };
      if (!(await updateAccount(deps.repo, account.email, patch, now))) return gone();
      const text = written.template || written.subject || written.signature;
      return back(when && text ? "schedule" : when ? "when" : text ? "template" : "unchanged");
    }
    if (action === "zone") {
      let pick: { zone: string; chosen: boolean };
      try {
        pick = validateZone(form.zone, account);
      } catch (e) {
        if (e instanceof SettingsError) return settingsPage(c, account, undefined, act === "manage", { error: e.message, field: e.field, zone: form.zone });
        throw e;
      }
      const changed = pick.zone !== account.timeZone || pick.chosen !== (account.zoneChosen === true);
      if (changed && !(await changeTimeZone(deps.repo, account.email, pick.chosen ? pick.zone : CALENDAR_ZONE, now))) return gone();
      return back("zone");
    }
    if (action === "firstname") {
      let fix: { person: string; first: string };
      try {
        fix = validateFirstName(form.person, form.first);
        refuseUndecodable(fix.first, account.firstNames?.[fix.person], "The first name", "first");
        // The address too (helper-190 #4), unless a correction is already kept under it (to change or remove it).
        refuseUndecodable(fix.person, account.firstNames && Object.hasOwn(account.firstNames, fix.person) ? fix.person : undefined, "The address", "person");
      } catch (e) {
        if (e instanceof SettingsError) return settingsPage(c, account, undefined, act === "manage", { error: e.message, field: e.field, person: form.person, first: form.first });
        throw e;
      }
      // That one entry is written: corrections saved at the same moment each keep theirs.
      // Corrections of the same person kept under the address as typed (saved before corrections
      // were normalised, "Ben.Osei+x@GoogleMail.com" or "ana@acme.com,") go once this one is saved or
      // removed: it is theirs now. Full, they make room for it first (helper-146 #9, #10).
      const older = Object.keys(account.firstNames ?? {}).filter((typed) => typed !== fix.person && typedAddress(typed) === fix.person);
      const dropOlder = async () => {
        for (const typed of older) if ((await setFirstName(deps.repo, account.email, typed, undefined, FIRST_NAMES_MAX)) === "gone") return false;
        return true;
      };
      let saved = await setFirstName(deps.repo, account.email, fix.person, fix.first || undefined, FIRST_NAMES_MAX);
      if (saved === "full" && older.length) saved = (await dropOlder()) ? await setFirstName(deps.repo, account.email, fix.person, fix.first || undefined, FIRST_NAMES_MAX) : "gone";
      else if (saved === "saved" && !(await dropOlder())) saved = "gone";
      if (saved === "gone") return gone();
      if (saved === "full")
        return settingsPage(c, (await loadAccount(deps.repo, account.email)) ?? account, undefined, act === "manage", { error: `At most ${FIRST_NAMES_MAX} names are kept: remove one first.`, field: "person", person: form.person, first: form.first });
      return back("names");
    }
    if (action === "eventemails") {
      const eventEmails = { morningOf: form.morningOf === "on", morningAfter: form.morningAfter === "on" };
      if (!(await updateAccount(deps.repo, account.email, { eventEmails }, now))) return gone();
      // Emails switched on again go back on the due-hour index; switched off, their jobs end as "off".
      await plan({ ...account, eventEmails });
      return back("eventemails");
    }
    if (action === "preset") {
      // A page from before the chooser was a GET: to that GET (it changes nothing), which Back and a reload show again.
      if (!presetForm(form.preset)) return kit.say(c, 400, "Not saved", "Choose one of the ready templates.");
      return c.redirect(`${selfPath(c)}?preset=${encodeURIComponent(String(form.preset))}`, 303);
    }
    if (action === "pause") {
      // As the digest's one-tap pause: an account waiting for a reconnect is paused too, keeping that state.
      if ((account.status === "active" || account.status === "needs_reconnect") && !(await updateAccount(deps.repo, account.email, pausePatch(account), now))) return gone();
      return back("pause");
    }
    if (action === "resume") {
      if (account.status === "needs_reconnect")
        return kit.page(c, 409, "Reconnect first", html`<h1>Reconnect first</h1>
<p>This account needs reconnecting before its digests can resume.</p>
<p><a class="button" href="${kit.linkFor(c, account.email, "reconnect")}">Reconnect ${account.email}</a></p>`);
      // Paused while its grant was gone (a one-tap pause of an account waiting for a reconnect): it
      // goes back to waiting, and this page asks for the reconnect.
      const resumed = awaitsReconnect(account) ? "needs_reconnect" : "active";
      if (account.status === "paused" && !(await updateAccount(deps.repo, account.email, { status: resumed }, now))) return gone();
      // The daily event sync (and the coming event emails) go back on the due-hour index now, not at the next weekly run.
      if (account.status === "paused" && resumed === "active") {
        // (After a zone set while paused, the plan files only the calendar's sync, for the next
        // dispatch, which reads it in the new zone and plans: core/events planEventJobs.)
        await plan({ ...account, status: "active" });
        // A first read the pause cut short (its continuation found the account paused and stopped)
        // goes on now, not a few minutes of it each weekly run.
        if (deps.enqueueBackfill && !(await firstReadDone(deps.repo, account.email)))
          await deps.enqueueBackfill(account.email).catch((e) => console.warn("settings: backfill not queued", e instanceof Error ? e.message : String(e)));
      }
      return back("pause");
    }
    if (action === "disconnect") {
      if (act !== "manage") return kit.say(c, 403, "Sign in first", `Disconnecting needs a fresh sign-in with ${providerName(account)}: use "Sign in to disconnect" on your settings page.`);
      // Without the confirmation's own field (a page from before its GET, a form made by hand): to the confirmation.
      if (form.confirm !== "disconnect") return c.redirect(`${selfPath(c)}?disconnect=1`, 303);
      // Paused, revoked, deleted whatever revocation said (core/connect endAccount).
      const { current, revoked: outcome } = await endAccount(deps.repo, account, deps.now(), revokeStored(deps));
      if (!outcome.revoked && !outcome.noRevocation) console.warn("disconnect: revocation not confirmed", outcome.detail);
      // And any move of the address to the other provider waiting or cut off (core/connect dropMoves).
      await dropMoves(deps.repo, account.email);
      // To the Disconnected page, a GET a reload or Back shows again without sending anything: the
      // account is gone, so its link carries what the page says (sealed: the address stays out of the URL).
      const said = sealLink(deps.linkKey, { act: "disconnected", acc: current.email, pv: current.provider, ...(outcome.revoked ? { rv: true as const } : {}) }, deps.now());
      return c.redirect(`${base}${linkPath("disconnected", said)}`, 303);
    }
    return kit.say(c, 400, "Not saved", "Unknown action.");
  };
}

/**
 * Signing in to manage an account: `/settings` offers a sign-in with each configured provider;
 * `/settings/signin/<provider>` asks who you are only (core/oauth SIGN_IN_SCOPES: `openid`, and
 * `profile` on Microsoft for the object id), with a fresh sign-in (prompt, max_age=0);
 * the callback checks the ID token's identity (Google `sub`; Microsoft `oid` in tenant `tid`, whose
 * issuer is the tenant's) against the one stored at connect and answers with a 15-minute manage
 * link. Reachable with no digest at hand.
 */
function mountSignIn(app: Hono, deps: AppDeps, kit: PageKit): void {
  const base = deps.baseUrl.replace(/\/$/, "");
  const secure = new URL(base).protocol === "https:";
  const redirectUri = (p: ProviderName) => `${base}/settings/signin/${p}/callback`;
  const cookie = (p: ProviderName) => (secure ? { name: `__Host-ft_signin_${p}`, path: "/" } : { name: `ft_signin_${p}`, path: `/settings/signin/${p}` });
  const configured = () => (["google", "microsoft"] as const).filter((p) => deps.oauth?.[p]);
  const refused = (c: Context, status: number, sentence: string) =>
    kit.page(c, status, "Not signed in", html`<h1>Not signed in</h1><p>${sentence}</p><p><a class="button" href="${base}/settings">Try again</a></p>`);

  app.get("/settings", (c) =>
    kit.page(
      c,
      200,
      "Your settings",
      html`<h1>Your settings</h1>
<p>Sign in with the account you connected to see and change your settings, pause your digests, or disconnect and delete your data.</p>
${configured().length ? configured().map((p) => html`<p><a class="button" href="${base}/settings/signin/${p}">Sign in with ${p === "google" ? "Google" : "Microsoft"}</a></p>`) : html`<p>Signing in is not set up on this server.</p>`}
<p class="muted">We ask only who you are (OpenID Connect: your account's identifier, and with Microsoft your name and username); nothing else is granted by this sign-in.</p>`,
    ),
  );

  app.get("/settings/signin/:provider", async (c) => {
    const p = c.req.param("provider");
    const client = isProviderName(p) ? deps.oauth?.[p] : undefined;
    if (!isProviderName(p) || !client || !deps.ring) return kit.notFound(c);
    const { url, pending } = await (await grants()).authorizationRequest(p, client, redirectUri(p), {}, true);
    const { name, path } = cookie(p);
    setCookie(c, name, sealPending(deps.ring, pending, deps.now()), { path, httpOnly: true, secure, sameSite: "Lax", maxAge: 600 });
    return c.redirect(url, 302);
  });

  app.get("/settings/signin/:provider/callback", async (c) => {
    const p = c.req.param("provider");
    const client = isProviderName(p) ? deps.oauth?.[p] : undefined;
    const ring = deps.ring;
    if (!isProviderName(p) || !client || !ring) return kit.notFound(c);
    const { name, path } = cookie(p);
    const sealed = getCookie(c, name);
    deleteCookie(c, name, { path, secure, httpOnly: true, sameSite: "Lax" });
    const q = new URL(c.req.url).searchParams;
    if (q.get("error")) return refused(c, 400, "The sign-in was cancelled or refused.");
    const pending = openPending(ring, sealed, p, deps.now());
    if (!pending || !sameState(q.get("state") ?? undefined, pending.state) || !q.get("code")) return refused(c, 400, "This sign-in has expired or was started in another browser.");
    // Loaded before the state is burnt (a chunk that failed to load is a 500, and the sign-in can be tried again).
    const { exchangeCode } = await grants();
    if (!(await burnState(deps.repo, p, pending.state, deps.now()))) return refused(c, 400, "This sign-in has expired or was started in another browser.");
    let identity: AccountIdentity | undefined;
    try {
      identity = (await exchangeCode(client, pending, q)).identity;
    } catch (e) {
      console.warn("signin: refused", e instanceof Error ? `${e.name}: ${e.message}` : String(e));
      return refused(c, grantRefused(e) ? 400 : 502, "We could not confirm your sign-in.");
    }
    if (!identity) return refused(c, 400, "The sign-in did not say who you are.");
    const account = await accountByIdentity(deps.repo, identityKey(identity));
    if (!account)
      return kit.page(
        c,
        404,
        "No account",
        html`<h1>No account connected with this sign-in</h1><p>No Followthrough account was connected as the account you signed in with. If you connected another one, sign in with that one.</p><p>Still getting digests for this account? It may have been connected before sign-ins were recorded: connect it again once, which keeps your settings, then sign in here.</p><p><a class="button" href="${base}/settings">Try again</a> <a href="${base}/connect">Connect an account</a></p>`,
      );
    return c.redirect(`${base}${linkPath("manage", sealLink(deps.linkKey, { act: "manage", acc: account.email }, deps.now()))}`, 303);
  });
}

/**
 * Each section of the settings page is a form of its own, saved by its own button: a change typed in
 * one and then another section's button pressed (or a link followed) would be lost without a word
 * (helper-200 #2). With script, the browser's own "Leave site? Changes you made may not be saved."
 * asks first, where a form marked `data-unsaved` holds a change and another form is sent. A form's
 * own button sends it as before. (The template chooser is not marked: picking one changes nothing.)
 * A form marked "pending" holds what was not saved yet (a refused save shown again, a template
 * loaded into it) even where its fields are as the page drew them.
 */
function unsavedScript(nonce: string) {
  return html`<script nonce="${nonce}">
(function () {
  var forms = Array.prototype.slice.call(document.querySelectorAll("form[data-unsaved]"));
  var changed = function (f) {
    return Array.prototype.some.call(f.elements, function (e) {
      if (e.type === "checkbox" || e.type === "radio") return e.checked !== e.defaultChecked;
      if (e.tagName === "SELECT") return Array.prototype.some.call(e.options, function (o) { return o.selected !== o.defaultSelected; });
      return (e.tagName === "TEXTAREA" || (e.tagName === "INPUT" && e.type !== "hidden")) && e.value !== e.defaultValue;
    });
  };
  var sending = null;
  document.addEventListener("submit", function (e) { sending = e.target; }, true);
  window.addEventListener("beforeunload", function (e) {
    var lost = forms.some(function (f) { return f !== sending && (f.getAttribute("data-unsaved") === "pending" || changed(f)); });
    sending = null;
    if (lost) { e.preventDefault(); e.returnValue = ""; }
  });
})();
</script>`;
}
