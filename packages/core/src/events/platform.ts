import type { EventPlatform } from "../model";

/**
 * Event platforms of shared/spec/events.md rule 3, recognised from what an event carries. Pure; used
 * by the adapters' mappers at ingest, so that only the derived platform is stored, never the
 * location's or description's text.
 */

/** The platform a Google `iCalUID` shows: `…@events.lu.ma` (Luma) or `event_<id>@meetup.com` (Meetup). */
export function platformOfICalUid(uid: string | null | undefined): EventPlatform | undefined {
  const u = (uid ?? "").trim().toLowerCase();
  if (!u) return undefined;
  if (u.endsWith("@events.lu.ma")) return "luma";
  if (/^event_[^@\s]+@meetup\.com$/.test(u)) return "meetup";
  return undefined;
}

/**
 * A host name starts where no host character, `@` (an address, not a link), `/` of a longer path
 * or one or two dots ending a label (`x.lu.ma`, `x..lu.ma` are other hosts; an ellipsis, `info...lu.ma`, is prose) precedes it,
 * nor `_` after one (`my_host.example`; Markdown's `_lu.ma/…_` is emphasis), and runs over dot-separated labels of letters, digits, `-` and `_` in any script
 * (an internationalised name, `café-berlin.de`), a root dot allowed, or is an IP literal; all of it is
 * the host, so nothing after it is read as a host of its own (helper-125 #1). Its last label, the
 * top-level domain, is all ASCII or all of other scripts (none mixes them), so a letter of another
 * script right after a link ends it (`lu.ma에서`, `ti.toで`: helper-126 #1). A port and a path may follow. The path (or
 * a query or fragment straight after the host: `partner.example?ref=lu.ma` is partner.example's
 * link, helper-123 #2) stops at any Unicode space (`\s` holds U+00A0, the decoded `&nbsp;`), at an invisible format
 * character (a zero-width space, `\p{Cf}`), at a quote, a bracket, `<`, `>`, a backtick, `\` or `^`,
 * and at a `|` followed by white space, another `|` or the end (a Markdown table's cell; a `|` inside
 * a query, which some links carry raw, goes on),
 * and at a non-ASCII punctuation mark or symbol: a URL holds none raw (RFC 3986; an IRI's are
 * letters), so a closing curly quote, an ellipsis, a dash or an ideographic full stop right after
 * a link is the prose's, and a link right after it is looked at on its own. After a scheme, a user
 * part (`https://rsvp@lu.ma/…`, RFC 3986 3.2.1) is passed over to the host; a name followed by `@`
 * after user-part characters only (ASCII's, and Latin letters and marks, `lu.maü@…`), or followed by
 * more than 64 of them, is a user part or an address, never the host (`https://lu.ma@evil.example/…`
 * is evil.example's link; helper-101), where a tag or prose between them (`lu.ma<br>hello@acme.io`,
 * `lu.maで、info@acme.jp`) leaves the link a link (helper-216, helper-217). A start is looked for only
 * at a letter, a digit or `[`, so the look back over a run of `_` is made once. Each repeat is bounded (a scheme of
 * at most 32 characters, a user part of 64), so a text of a megabyte is read in well under a second
 * (docs/benchmarks.md (5b)): unbounded, each start read on to the text's end, minutes for 1 MB.
 */
/** Where a link may start: at a letter, a digit or `[`, after no host character, `_` after one, or one or two dots after a label. */
const LINK_START = String.raw`(?=[\p{L}\p{N}\[])(?<![\p{L}\p{N}@%+-])(?<![\p{L}\p{N}\p{M}@%+.-]_+)(?<![\p{L}\p{N}\p{M}_-]\.{1,2})`;
/** A character of a user part (RFC 3986 userinfo, with Latin letters and marks beyond ASCII). */
const USERINFO = String.raw`[a-z0-9._~!$&'()*+,;=:%\p{Script=Latin}\p{M}-]`;
/** A link from its scheme or host on: the host (group 1) and the path, query or fragment (group 2). */
const LINK_BODY =
  String.raw`(?:[a-z][a-z0-9+.-]{0,31}:\/\/(?:${USERINFO}{0,64}@)?)?` +
  String.raw`((?:[\p{L}\p{N}](?:[\p{L}\p{N}_-]*[\p{L}\p{N}])?\.)+(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?|(?:(?![\x00-\x7f])[\p{L}\p{N}])+)\.?|\[[0-9a-f:.]+\])` +
  String.raw`(?::\d+)?(?!${USERINFO}{0,64}@)(?!${USERINFO}{65})` +
  String.raw`([/?#](?:(?![\p{P}\p{S}](?<=[^\x00-\x7f]))(?!\|(?:[\s|]|$))[^\s\p{Cf}"'<>()\[\]{}\x60\\^])*)?`;
const LINK = new RegExp(LINK_START + LINK_BODY, "giu");

/**
 * Punctuation that ends a path is the prose's, not the link's (`…/events/123.`): sentence marks,
 * and Markdown's emphasis around a link (`**…/events/123**`), as GitHub's autolinks leave out
 * `? ! . , : * _ ~` at a link's end, trimmed from its end.
 */
const TRAILING_PUNCTUATION = new Set(".,;:!?*_~");
function withoutTrailingPunctuation(path: string): string {
  let end = path.length;
  while (end > 0 && TRAILING_PUNCTUATION.has(path[end - 1])) end--;
  return path.slice(0, end);
}

/** The platform of one link's host and path, or undefined; the host must match exactly (after `www.`). */
export function platformOfLink(rawHost: string, rawPath: string): EventPlatform | undefined {
  let host = rawHost.toLowerCase().replace(/\.$/, "");
  if (host.startsWith("www.")) host = host.slice(4);
  const path = rawPath.toLowerCase();
  if (host === "lu.ma" || host === "luma.com") return "luma";
  if (host === "ti.to") return "tito";
  // The event's number ends its segment, or a letter of a script other than Latin follows it: the
  // prose's, as after a host (`…/events/301234567から`); a Latin letter or a digit makes another id.
  if (host === "meetup.com" && /^\/[^/?#]+\/events\/\d+(?:[/?#]|$|(?=[^\x00-\x7f])(?![\p{Script=Latin}\p{N}\p{M}]))/u.test(path)) return "meetup";
  if (/^eventbrite\.[a-z]{2,}(?:\.[a-z]{2,})?$/.test(host) && path.startsWith("/e/")) return "eventbrite";
  if (host === "partiful.com" && path.startsWith("/e/")) return "partiful";
  return undefined;
}

/**
 * A character reference starts `&` and a letter or `#`; a text with none reads the same decoded.
 * The decoder (entities, 40 KB with its table of names) is loaded only for a text holding one, by
 * {@link platformTextsReady} before the mappers run: most events' texts hold none, and a weekly
 * run's cold start paid about 3 % for loading it unused (docs/benchmarks.md (6)).
 */
const REFERENCE = /&[#a-z]/i;
let decodeHTML: ((text: string) => string) | undefined;

/** Loads the HTML decoder (once). */
export async function loadHtmlDecoder(): Promise<void> {
  decodeHTML ??= (await import("entities/decode")).decodeHTML;
}

/** Loads the HTML decoder where one of `texts` needs it; the adapters await it before mapping a page's events. */
export async function platformTextsReady(texts: Iterable<string | null | undefined>): Promise<void> {
  if (decodeHTML) return;
  for (const t of texts) if (t && REFERENCE.test(t)) return loadHtmlDecoder();
}

/** The first event-page link in a text (plain or HTML, with or without scheme and `www.`). */
export function platformOfText(text: string | null | undefined): EventPlatform | undefined {
  if (!text) return undefined;
  // HTML: links sit in attributes and text alike. Every named and numeric entity is decoded first,
  // in one pass (`&amp;nbsp;` is the text `&nbsp;`), as a browser decodes text: the legacy names
  // also without `;` (`&nbspRSVP`). A query string this garbles (`?a=1&copy=2`) never decides a platform.
  let plain = text;
  if (REFERENCE.test(text)) {
    if (!decodeHTML) throw new Error("events/platform: a text holds an HTML character reference and the decoder is not loaded (await platformTextsReady first)");
    plain = decodeHTML(text);
  }
  for (const m of plain.matchAll(LINK)) {
    const found = platformOfLink(m[1], withoutTrailingPunctuation(m[2] ?? "")) ?? platformAfterProse(plain, m);
    if (found) return found;
  }
  return undefined;
}

/** {@link LINK} without its start condition, matching only where it is put (`lastIndex`). */
const LINK_AT = new RegExp(LINK_BODY, "iuy");

/**
 * A link written with no scheme straight after prose in a script other than Latin, with no space:
 * Chinese, Japanese and Thai put none between words (`詳細はlu.ma/…`, `参加登録はmeetup.com/…`).
 * {@link LINK} reads the prose's letters as the start of the host's first label (`詳細はlu.ma`), as
 * an internationalised name may hold any script. A platform's name is all ASCII, so where that first
 * label ends in an ASCII tail after a letter of another script, the link is read again from the tail
 * (helper-212). Not after a scheme or `//`, where the host is written whole.
 */
function platformAfterProse(text: string, m: RegExpMatchArray): EventPlatform | undefined {
  // Not after a scheme or `//`, where the host is written whole (`//詳細はlu.ma/…` names that host).
  if (!m[0].startsWith(m[1]) || text[m.index! - 1] === "/") return undefined;
  const dot = m[1].indexOf(".");
  if (dot < 0) return undefined; // an IP literal
  // The first label's Latin tail, after its last letter of another script: a platform's name is all
  // ASCII, and the prose before it may hold digits and Latin words of its own (`申込は3月10日までに
  // lu.ma/…`, `Python勉強会のlu.ma/…`). Found walking back once, so a long label is read in one pass.
  let tail = dot;
  while (tail > 0 && /[a-z0-9_-]/i.test(m[1][tail - 1])) tail--;
  if (tail === 0 || tail === dot || !/[^\p{Script=Latin}\p{N}\p{M}\x00-\x7f]\p{M}*$/u.test(m[1].slice(0, tail))) return undefined;
  LINK_AT.lastIndex = m.index! + tail;
  const again = LINK_AT.exec(text);
  return again ? platformOfLink(again[1], withoutTrailingPunctuation(again[2] ?? "")) : undefined;
}

/** The platform an event comes from, by its iCalUID (Google only), location or description. */
export function platformOf(e: { iCalUid?: string | null; location?: string | null; description?: string | null }): EventPlatform | undefined {
  return platformOfICalUid(e.iCalUid) ?? platformOfText(e.location) ?? platformOfText(e.description);
}
