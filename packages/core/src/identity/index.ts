/** Owner identities, address normalisation, colleagues and non-persons (shared/spec/behaviour.md, "Identities"). */
import { domainToUnicode } from "node:url";
import { hasUnsafeChars } from "../text";

/**
 * Public mailbox domains: an owner on one of these has no colleagues by domain. The spec's list ("at
 * least these"), the big providers' national domains and the large consumer ISPs' (helper-124: an
 * owner on live.co.uk made every live.co.uk address a colleague). Hand-kept: the maintained lists of
 * free mail domains (email-providers, free-email-domains) are made for sign-up forms and hold
 * companies' and universities' own domains (facebook.com, alibaba.com, nus.edu.sg), whose people are
 * colleagues of each other, in 137–271 KB every handler would load.
 */
export const PUBLIC_DOMAINS: ReadonlySet<string> = new Set([
  // shared/spec/behaviour.md
  "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "yahoo.com", "ymail.com",
  "icloud.com", "me.com", "mac.com", "aol.com", "proton.me", "protonmail.com", "gmx.com", "gmx.de",
  "fastmail.com", "hey.com", "zoho.com", "mail.com", "yandex.com",
  // the same providers' other and national domains
  "pm.me", "protonmail.ch", "gmx.net", "gmx.at", "gmx.ch", "gmx.fr", "gmx.co.uk", "zohomail.com", "yandex.ru", "ya.ru",
  "rocketmail.com", "aim.com", "fastmail.fm", "windowslive.com", "passport.com",
  ...["co.uk", "fr", "de", "it", "es", "nl", "be", "ca", "com.au", "com.br", "co.jp", "se", "dk", "no", "fi", "gr", "com.ar"].map((c) => `hotmail.${c}`),
  ...["co.uk", "fr", "de", "it", "nl", "be", "ca", "com.au", "se", "dk", "no", "ie", "at", "com.mx", "jp"].map((c) => `live.${c}`),
  ...["fr", "de", "it", "es", "com.au", "jp", "com.br"].map((c) => `outlook.${c}`),
  ...["co.uk", "fr", "de", "it", "es", "ca", "com.au", "co.jp", "co.in", "in", "com.br", "com.mx", "com.ar", "com.sg", "com.hk", "com.tw", "gr", "ie", "se", "dk", "no", "pl", "ro", "co.id", "com.ph", "com.vn", "co.nz", "co.za"].map((c) => `yahoo.${c}`),
  ...["co.uk", "fr", "de"].map((c) => `aol.${c}`),
  // large consumer ISPs' and national providers' mail
  "comcast.net", "verizon.net", "att.net", "sbcglobal.net", "bellsouth.net", "cox.net", "charter.net", "earthlink.net",
  "optonline.net", "btinternet.com", "sky.com", "virginmedia.com", "talktalk.net", "ntlworld.com", "blueyonder.co.uk",
  "orange.fr", "wanadoo.fr", "free.fr", "laposte.net", "sfr.fr", "web.de", "t-online.de", "freenet.de", "arcor.de",
  "posteo.de", "mailbox.org", "mail.ru", "bk.ru", "list.ru", "inbox.ru", "rambler.ru", "ukr.net", "seznam.cz", "wp.pl",
  "o2.pl", "onet.pl", "interia.pl", "libero.it", "virgilio.it", "alice.it", "tin.it", "uol.com.br", "bol.com.br",
  "terra.com.br", "naver.com", "daum.net", "hanmail.net", "qq.com", "163.com", "126.com", "sina.com", "sohu.com",
  "aliyun.com", "foxmail.com", "rediffmail.com", "bigpond.com", "optusnet.com.au", "shaw.ca", "rogers.com",
  "sympatico.ca", "telus.net", "xtra.co.nz", "tutanota.com", "tutanota.de", "tuta.io", "tutamail.com", "duck.com",
  "hushmail.com", "gmx.us", "email.com", "inbox.com",
]);

/** Local parts of automated or role addresses: never a person. */
export const ROLE_LOCAL_PARTS: ReadonlySet<string> = new Set([
  "noreply", "no-reply", "no_reply", "donotreply", "do-not-reply", "do_not_reply", "notifications", "notification",
  "calendar-notification", "mailer-daemon", "postmaster", "bounce", "bounces", "events", "event", "rsvp", "invites",
  "invite", "info", "team", "hello", "support", "sales", "admin", "office", "contact", "help", "billing", "accounts",
  "newsletter", "news", "marketing", "jobs", "careers", "hr", "press", "security", "privacy", "feedback", "updates",
  "reply", "reservations", "booking", "bookings", "webmaster", "hostmaster", "abuse", "calendar", "mailer", "daemon",
]);

/** Event platforms' invitation senders (shared/spec/events.md rule 3), normalised. */
export const PLATFORM_SENDERS: ReadonlySet<string> = new Set(["calendar-invite@lu.ma", "info@meetup.com"]);

/**
 * Domains where no person has an address: Google Calendar's and every domain under it (calendar
 * resources, group calendars and Google Calendar's own placeholders:
 * `unknownorganizer@calendar.google.com` organises the events Gmail adds from mail), and the mailing
 * list hosts whose every address is a list: Google Groups (`googlegroups.com`, a group's address is
 * `name@googlegroups.com`) and Groups.io (`name@groups.io`). A meetup's invitation sent to its list
 * is not someone met (helper-150 #2). And Google Cloud's service accounts
 * (`name@project.iam.gserviceaccount.com`), which integrations write calendars as (helper-154).
 */
const NON_PERSON_DOMAINS = ["calendar.google.com", "googlegroups.com", "groups.io", "gserviceaccount.com"];

/** `local@domain.tld` with an ASCII domain: the common case, and a cheap pattern to build. */
const ADDRESS = /^[^\s@<>()",;:\\[\]]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/i;

/**
 * The same with domain labels of letters and digits of any script, so an internationalised domain
 * counts in its Unicode form (`jonas@bäckerei.de`) as in its ASCII one (`jonas@xn--bckerei-5wa.de`);
 * providers pass on whichever form the sender used. Made on first use and tried on non-ASCII text
 * only: V8 takes about a millisecond to parse its Unicode property classes and 2.5–4.5 ms to compile
 * them on the first match, a cost no ASCII address should pay at a cold start.
 */
const NON_ASCII = /[^\x00-\x7f]/;
let unicodeAddressPattern: RegExp | undefined;
const unicodeAddress = () =>
  (unicodeAddressPattern ??= /^[^\s@<>()",;:\\[\]]+@[\p{L}\p{N}](?:[\p{L}\p{N}\p{M}-]*[\p{L}\p{N}\p{M}])?(?:\.[\p{L}\p{N}](?:[\p{L}\p{N}\p{M}-]*[\p{L}\p{N}\p{M}])?)+$/iu);

/** The longest address: RFC 5321's 256-octet path less its angle brackets. */
export const MAX_ADDRESS_LENGTH = 254;

/**
 * True when `s` looks like a deliverable `local@domain.tld` address. A control or bidi formatting
 * character anywhere makes it no address: it could only disguise what a reader sees.
 */
export function isAddress(s: string): boolean {
  if (hasUnsafeChars(s)) return false;
  const t = s.trim();
  // No longer than a path allows (RFC 5321 4.5.3.1.3: 256 octets with its angle brackets): nothing
  // longer is deliverable, and every key it would make must fit DynamoDB's 1,024-byte sort key.
  if (t.length > MAX_ADDRESS_LENGTH) return false;
  return ADDRESS.test(t) || (NON_ASCII.test(t) && unicodeAddress().test(t));
}

/**
 * The comparison form of an address: lower-case, `+tag` dropped, and for gmail.com/googlemail.com dots
 * dropped and the domain folded to gmail.com. Returns undefined for something that is not an address.
 */
export function normalizeAddress(raw: string): string | undefined {
  // Only what could be an address (with some space around it) is remembered, not any string sent.
  if (raw.length > 2 * MAX_ADDRESS_LENGTH) return undefined;
  const hit = memo.get(raw);
  if (hit !== undefined || memo.has(raw)) return hit;
  const n = normalizeUncached(raw);
  if (memo.size > 100_000) memo.clear();
  memo.set(raw, n);
  return n;
}

const memo = new Map<string, string | undefined>();

/**
 * Exchange wraps an address it could not resolve to SMTP (an X500 / legacy DN) in an "IMCEA"
 * encapsulation (`IMCEAEX-_o=Org_ou=..._cn=Recipients_cn=user@tenant.prod.outlook.com`): it parses
 * as an address but reaches nobody, so it is never a person (docs/provider-quirks.md).
 */
const ENCAPSULATED = /^imcea[a-z0-9]*-/;

/** RFC 5322 dot-atom text: runs of atext (RFC 6532's non-ASCII included) joined by single dots. */
const DOT_ATOM_TEXT = "[A-Za-z0-9!#$%&'*+\\-/=?^_`{|}~\\u0080-\\uffff]+(?:\\.[A-Za-z0-9!#$%&'*+\\-/=?^_`{|}~\\u0080-\\uffff]+)*";
/** A local part that is dot-atom text (core/mail/compose writes any other quoted). */
export const DOT_ATOM = new RegExp(`^${DOT_ATOM_TEXT}$`);

/**
 * A quoted local part whose content is dot-atom text: the same mailbox unquoted (RFC 5322 3.2.4, the
 * quotes are no part of a quoted-string's meaning; 3.4.1), so `"gil.x"@t.io` is gil.x@t.io. Any other
 * quoted local part (a space, an escape, two dots) stays no address here (helper-120).
 */
const QUOTED_DOT_ATOM = new RegExp(`^"(${DOT_ATOM_TEXT})"(@[^@"]+)$`);

function normalizeUncached(raw: string): string | undefined {
  // NFC: a name typed with combining accents and its precomposed twin are one address. After the
  // lower-casing, which can make marks NFC orders otherwise ("İ" is "i" and a combining dot).
  const s = raw.trim().toLowerCase().normalize("NFC").replace(QUOTED_DOT_ATOM, "$1$2");
  if (!isAddress(s) || ENCAPSULATED.test(s)) return undefined;
  const at = s.lastIndexOf("@");
  const written = s.slice(0, at);
  const domain = s.slice(at + 1);
  const spec = specSteps(written, spelledOtherwise(domain) ? unicodeDomain(written, domain) : domain);
  return spec.local ? `${spec.local}@${spec.domain}` : undefined;
}

/**
 * shared/spec/behaviour.md's address normalisation on a lower-cased address's parts: the local part
 * cut at its first `+`, and for gmail.com and googlemail.com its dots removed and the domain written
 * gmail.com. {@link normalizeAddress} takes these steps after its own (NFC, one spelling of a domain);
 * packages/cli's scan contract takes them alone, as the spec's answers are compared.
 */
export function specSteps(local: string, domain: string): { local: string; domain: string } {
  const plus = local.indexOf("+");
  const untagged = plus > 0 ? local.slice(0, plus) : local;
  const d = domain === "googlemail.com" ? "gmail.com" : domain;
  return { local: d === "gmail.com" ? untagged.replace(/\./g, "") : untagged, domain: d };
}

/**
 * Whether text may spell a domain another way than {@link unicodeDomain} writes it: an ASCII `xn--`
 * label, or Unicode (which UTS #46 may map further: full-width letters). Text that is neither is
 * already in the one spelling.
 */
export const spelledOtherwise = (s: string): boolean => s.includes("xn--") || NON_ASCII.test(s);

/**
 * One spelling of an internationalised domain: its Unicode form, by UTS #46 as browsers map a host
 * (WHATWG URL's domain to Unicode: A-labels decoded, case and width folded). `xn--bckerei-5wa.de`
 * and `bäckerei.de` are one domain (RFC 5890 2.3.2.1), and mail names it either way: a client writes
 * the A-label where the server may not take UTF-8 (core/mail/compose does), an invitation keeps what
 * was typed. The domain as given where it has no valid Unicode form or that form is no address here
 * (a symbol label, `xn--ls8h.la`).
 */
function unicodeDomain(local: string, domain: string): string {
  const u = domainToUnicode(domain);
  return u && u !== domain && isAddress(`${local}@${u}`) ? u : domain;
}

/** The domain part of a normalised address. */
export const domainOf = (address: string) => address.slice(address.lastIndexOf("@") + 1);

/** True when `domain` is `parent` or one of its subdomains. */
export const withinDomain = (domain: string, parent: string) => domain === parent || domain.endsWith(`.${parent}`);

/** The owner as the rules see them: normalised identities and the domains that make colleagues. */
export interface OwnerIdentity {
  addresses: ReadonlySet<string>;
  colleagueDomains: readonly string[];
}

const owners = new Map<string, OwnerIdentity>();

/** Builds the owner's identity set from the primary address and aliases (memoised). */
export function ownerIdentity(primary: string, aliases: readonly string[] = []): OwnerIdentity {
  const key = [primary, ...aliases].join("\n");
  let o = owners.get(key);
  if (!o) {
    if (owners.size > 1000) owners.clear();
    owners.set(key, (o = buildOwnerIdentity(primary, aliases)));
  }
  return o;
}

function buildOwnerIdentity(primary: string, aliases: readonly string[]): OwnerIdentity {
  const addresses = new Set<string>();
  for (const a of [primary, ...aliases]) {
    const n = normalizeAddress(a);
    if (n) addresses.add(n);
  }
  // (A non-person domain is no organisation either: a Gmail send-as address of a Google Group makes no colleagues; helper-152.)
  const colleagueDomains = [...new Set([...addresses].map(domainOf))].filter((d) => !PUBLIC_DOMAINS.has(d) && d !== "gmail.com" && !NON_PERSON_DOMAINS.some((n) => withinDomain(d, n)));
  return { addresses, colleagueDomains };
}

/** True when the (normalised) address is one of the owner's. */
export const isOwner = (owner: OwnerIdentity, address: string) => owner.addresses.has(address);

/** True when the address is on the owner's organisation domain (or a subdomain of it). */
export function isColleague(owner: OwnerIdentity, address: string): boolean {
  const d = domainOf(address);
  return owner.colleagueDomains.some((od) => withinDomain(d, od));
}

/** True for rooms, group calendars and automated or role addresses (normalised address). */
export function isNonPersonAddress(address: string): boolean {
  const at = address.lastIndexOf("@");
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (NON_PERSON_DOMAINS.some((d) => withinDomain(domain, d))) return true;
  if (ROLE_LOCAL_PARTS.has(local)) return true;
  // shared/spec/events.md: the event platforms' organiser addresses are not persons.
  if (PLATFORM_SENDERS.has(address)) return true;
  // (Words joined by nothing, a hyphen, an underscore or a dot: `no.reply` too, helper-130.)
  return /^(no[-_.]?reply|do[-_.]?not[-_.]?reply|bounces?|mailer-daemon)([._-]|$)/.test(local);
}

/** Why an address is or is not a networking contact. */
export type AddressKind = "owner" | "colleague" | "non-person" | "person";

/** Classifies a normalised address for the owner. */
export function classify(owner: OwnerIdentity, address: string): AddressKind {
  if (isOwner(owner, address)) return "owner";
  if (isNonPersonAddress(address)) return "non-person";
  if (isColleague(owner, address)) return "colleague";
  return "person";
}

/**
 * The address in what was typed for a person, as copied from a list or a mail client: the one in
 * angle brackets after a name ("Ana Lima <ana@acme.com>"), without "mailto:", zero-width characters,
 * brackets, quotes or a trailing comma, dot or semicolon; normalised as the rules compare addresses
 * (a draft looks the person up by it). Undefined when no person can have it.
 */
export function typedAddress(raw: string): string | undefined {
  let t = raw.replace(/[\u200b-\u200d\u2060\ufeff]/g, "").trim();
  const angle = /<([^<>]*)>[\s,;.]*$/.exec(t);
  if (angle) t = angle[1].trim();
  t = t.replace(/^mailto:/i, "").replace(/^[\s<(["']+|[\s>)\]"',;.]+$/g, "").replace(/^mailto:/i, "");
  return /^[^\s@<>"]+@[^\s@<>"]+$/.test(t) && fitsSmtp(t) ? normalizeAddress(t) : undefined;
}

/**
 * Whether an address is no longer than SMTP carries (RFC 5321 4.5.3.1, counted in octets, as RFC
 * 6531 keeps for UTF-8 addresses): a local part of 1 to 64 octets, an address of at most 254.
 */
export function fitsSmtp(address: string): boolean {
  const at = address.lastIndexOf("@");
  return at > 0 && Buffer.byteLength(address.slice(0, at)) <= 64 && Buffer.byteLength(address) <= 254;
}
