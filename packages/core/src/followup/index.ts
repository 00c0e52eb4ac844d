import type { AccountRecord } from "../accounts";
import { type EventMarks, networkingReason } from "../events";
import { ownerIdentity, ROLE_LOCAL_PARTS, typedAddress } from "../identity";
import { asOwnerSees, type Contact } from "../inference";
import { addressOn, keptName, type MailMessage, type Meeting, type Owner } from "../model";
import { randomBytes } from "node:crypto";
import { DRAFT_CLAIM_LEASE_MS, DRAFT_CREATE_DEADLINE_MS } from "../limits";
import type { DraftRequest, DraftResult, DraftWriter, MarkedDraft } from "../providers";
import { neverConnected, ProviderError } from "../resilience";
import { keys, type PersonRecord, type Repository, unpacked } from "../storage";
import { plainText } from "../text";
import { addDays, atLocal, DAY, formatLocal, type LocalPattern, localDate, zoneOffset } from "../time";

/** The owner's follow-up template; {firstName}, {meeting}, {date} and {ownerName} are filled in. */
export const DEFAULT_TEMPLATE = `Hi {firstName},

It was good to meet you at {meeting} on {date}. I enjoyed our conversation and would like to keep in touch.

Best,
{ownerName}`;

/**
 * The subject of a draft when the owner has set none: a warm line soon after the meeting, a plain
 * "following up" once two weeks have passed (a month on, "Great to meet you" reads oddly).
 */
export const DEFAULT_SUBJECT = "Great to meet you, {firstName}";
export const LATE_SUBJECT = "Following up from {meeting}";
/** After this long, the default subject is {@link LATE_SUBJECT}. */
export const LATE_AFTER_MS = 14 * 86_400_000;

/** Ready templates the owner can pick in settings and then edit. */
export const READY_TEMPLATES: { id: string; label: string; subject: string; body: string }[] = [
  {
    id: "one-to-one",
    label: "After a 1:1",
    subject: "Thanks for your time, {firstName}",
    body: `Hi {firstName},

Thanks for making the time on {date}. I enjoyed the conversation and will follow up on what we discussed.

Best,
{ownerName}`,
  },
  {
    id: "event",
    label: "After an event",
    subject: "Great to meet you at {meeting}",
    body: `Hi {firstName},

It was great to meet you at {meeting} on {date}. I'd be glad to stay in touch; let me know if there's anything I can help with.

Best,
{ownerName}`,
  },
  {
    id: "second-meeting",
    label: "Asking for a second meeting",
    subject: "Coffee, {firstName}?",
    body: `Hi {firstName},

I enjoyed meeting you on {date} and would like to continue the conversation. Would you have 30 minutes in the next couple of weeks?

Best,
{ownerName}`,
  },
];

/** The "After an event" ready template: the default for a person first met at a networking event. */
export const EVENT_TEMPLATE = READY_TEMPLATES.find((t) => t.id === "event")!;

/**
 * The people whose first meeting is a networking event (shared/spec/events.md): met at a large
 * gathering or confirmed by the owner (both always at an event), or first met at a meeting that is a
 * networking event by rules 1 to 4 with the owner's marks. Their drafts default to
 * {@link EVENT_TEMPLATE}; the scan stores this as PersonRecord.atEvent.
 */
export function metAtEvents(ownerInfo: Owner, meetings: readonly Meeting[], contacts: readonly Contact[], marks?: EventMarks): Set<string> {
  const owner = ownerIdentity(ownerInfo.email, ownerInfo.aliases);
  const byId = new Map(meetings.map((m) => [m.id, m]));
  const out = new Set<string>();
  for (const c of contacts) {
    const m = byId.get(c.eventId);
    if (c.metBy !== undefined || (m && networkingReason(asOwnerSees(m, owner), owner, marks) !== undefined)) out.add(c.email);
  }
  return out;
}

/**
 * The given name to greet someone by, by this stated heuristic:
 * - no name, an address or a handle in lower case ("kate.smith") → "there"; an emoji or symbol
 *   standing alone is no part of a name;
 * - an aside in brackets ("(ACME)", "(she/her)") is not part of the name; beside a company or role
 *   after a separator ("Ana Lima | ACME", "ACME - Ana Lima", "Ana Lima @ ACME"), the first part is
 *   the name unless it is one word in capitals;
 * - letters after the name ("Ben Ito, PhD", "Ana Lima MBA", "King, Jr.") and a role after a comma
 *   ("Tom Lee, CEO", "Ana Lima, VP Sales") are not part of it;
 * - "Last, Given…" (a comma) → the words after the comma are the given names;
 * - a name in Chinese, Japanese or Korean script, written family name first, is greeted whole ("山田
 *   太郎"); beside a Latin name of two words or more ("陈大文 David Chan"), by the Latin given name;
 * - a surname written first in capitals ("YAMADA Taro", "NGUYEN Van Anh") is followed by the given
 *   names; a name of several words written all in capitals is greeted in ordinary case ("EVE
 *   ADAMS" → "Eve"; "JJ" and a one-word "IBM" as they stand), and one all in lower case with
 *   capitals ("ana lima" → "Ana"; a surname's particles after its first word keep their case; one
 *   word, "ana", as it stands);
 * - otherwise all words but the last are candidates (a single word is the given name); a name that
 *   starts with a surname's particles in lower case and then a capital ("de la Cruz", "da Silva")
 *   has none: "there", or with a title as written ("Mr. de la Cruz");
 * - of the candidates, the first is the given name, extended by the next word when both are short
 *   single-syllable-like words of 2 to 4 letters, as two-part given names written apart are
 *   ("Mei Lin Goh" → "Mei Lin", "Tan, Wei Jie" → "Wei Jie"), or when the first is one of a few
 *   common first halves of compound names ("Mary Anne", "Jean Luc", "Anne Marie"); not, where the
 *   surname comes last, by a particle that starts it ("Jan Van Dijk" → "Jan");
 * - initials ("J.", "A") and titles written before a name ("Dr.", "Mr", "Prof") are skipped; a title
 *   with only a surname after it is the greeting ("Dr Chen" → "Dr Chen"), as a person writes it;
 * - a nickname the name gives in quotes or in brackets between its words ("Robert \"Bob\" Jones",
 *   "Robert (Bob) Jones") is the greeting ("Bob"), as a person writing by hand greets them;
 * - other quotes are dropped, an apostrophe inside a name kept ("D'Angelo").
 * The owner can correct any person's first name in the draft; it is a guess, said as one.
 */
export function firstNameOf(name: string | undefined): string {
  // Quotes around a nickname go; an apostrophe inside a name stays ("D'Angelo"). An aside in
  // brackets goes whole, unless it is all there is, or it is a nickname between the words of the
  // name ("Robert (Bob) Jones"), which stays as a word.
  // Of a name no longer than a kept one (model keptName): this is run on names stored before there was a cut.
  // A word in quotes ending a name written given name first goes whole, an aside as in brackets
  // there ("Ana Lima \"Acme\"", "Ana 'Lima'"); after "Last, First" it is a nickname ('Jones, Robert "Bob"').
  const whole = keptName(name ?? "");
  const kept = whole.includes(",") ? whole : whole.replace(TRAILING_QUOTED, "");
  const nick = nicknameIn(kept);
  const unquoted = (nick?.bracketed ? kept.replace(nick.bracketed, ` ${nick.word} `) : kept).replace(/["\u201c\u201d]|(?<!\p{L})['\u2018\u2019]|['\u2018\u2019](?!\p{L})/gu, "");
  const clean = (t: string) => t.replace(/\s+/g, " ").trim();
  // An emoji or symbol standing alone ("🎉", "★") is no part of a name.
  const lettered = (t: string) => t.split(/\s+/).filter((w) => !/^[\p{Extended_Pictographic}\p{So}\p{Emoji_Component}]+$/u.test(w)).join(" ");
  let n = clean(lettered(unquoted.replace(/\([^)]*\)|\[[^\]]*\]/g, " "))) || clean(lettered(unquoted.replace(/[()[\]]/g, " ")));
  // An address written with spaces ("ana.lima @ acme.com") is no name either.
  if (/^[^\s@]+\s*@\s*[^\s@]+\.[^\s@]+$/.test(n)) return "there";
  // A company or role beside the name, after a separator ("Ana Lima | ACME", "Guest - Ana Lima",
  // "Ana Lima @ ACME"): the first part, unless it is one word in capitals ("ACME - Ana Lima").
  const segments = n.split(/\s+[|@\u2013\u2014/-]\s+|\s*\|\s*/).map(clean).filter((x) => /\p{L}/u.test(x));
  n = segments.find((x, i) => i === segments.length - 1 || x.includes(" ") || /\p{Ll}|\p{Lo}/u.test(x)) ?? n;
  // An address or a handle ("@ana") is no name.
  if (!n || n.includes("@")) return "there";
  // A handle in lower case ("kate.smith", "mr.smith", "acme.com") is no name either: greeted as a
  // person known only by their address is.
  if (/^\p{Ll}+(?:[._]\p{Ll}+)+$/u.test(n)) return "there";
  // A word in capitals of three letters or more; in Latin letters, with a vowel ("JRR" is initials).
  // (\u2019: the typographic apostrophe, escaped as TITLE_SEPARATORS' characters are.)
  const capitals = (w: string) => /\p{Lu}{3}/u.test(w) && !/\p{Ll}/u.test(w) && (/[^A-Z'\u2019.-]/u.test(w) || /[AEIOUY]/.test(w));
  // Letters or a role after the name: after a comma, any of them ("Tom Lee, CEO", "Ana Lima, VP
  // Sales"); written straight after it, only those that cannot be a surname ("MA" and "BA" can: "Jack Ma").
  const parts = n.split(",").map(clean);
  const letters = (x: string) => x.split(" ").every((w) => !w || POST_NOMINALS.has(bare(w))) || ROLE_WORDS.has(bare(x.split(" ")[0]));
  while (parts.length > 1 && letters(parts.at(-1)!)) parts.pop();
  n = parts.filter(Boolean).join(", ");
  if (!n.includes(",")) {
    const plain = n.split(" ");
    while (plain.length > 1 && POST_NOMINALS.has(bare(plain.at(-1)!)) && !SURNAME_TOO.has(bare(plain.at(-1)!))) plain.pop();
    n = plain.join(" ");
  }
  // Written all in capitals, in several words: read in ordinary case (two letters with a vowel too,
  // "JO ANN"; "JJ" as it stands).
  const all = n.split(/[ ,]+/).filter((w) => /\p{L}/u.test(w));
  if (all.length > 1 && all.every((w) => !/\p{Ll}/u.test(w)))
    n = n.replace(/\p{L}+/gu, (w) => (w.length > 2 || /[AEIOUY]/.test(w) ? ordinaryCase(w) : w));
  // Written all in lower case, in several words ("ana lima"): read with capitals, as the owner writes
  // a name ("Hi Ana", not "Hi ana"; "mei lin goh" → "Mei Lin" as "Mei Lin Goh" is). A surname's
  // particles keep their case after the first word ("maria da silva" → "Maria"; "de la cruz", a
  // surname alone → "there"); one first in a name of two words is a given name ("al smith" → "Al",
  // "le minh" → "Le"). One word ("ana", "jsmith") stays as written: it may be a handle.
  else if (all.length > 1 && all.every((w) => !/\p{Lu}/u.test(w)) && all.some((w) => /\p{Ll}/u.test(w))) {
    const capital = capitalIn(n);
    n = n
      .split(" ")
      .map((w, i) => (LOWER_PARTICLES.has(w.replace(/,$/, "")) && !(i === 0 && all.length === 2) ? w : w.replace(/(^|-)(\p{Ll})/gu, (_, at: string, c: string) => at + capital(c))))
      .join(" ");
  }
  // A nickname the name gives ("Robert \"Bob\" Jones", "Robert (Bob) Jones"): what the person goes by,
  // as a person writing by hand greets them ("Hi Bob"); where it is still part of the name left.
  if (nick) {
    const own = n.split(/[ ,]+/).find((w) => w.toLowerCase() === nick.word.toLowerCase());
    if (own) return own;
  }
  // A name in a script whose names are written family name first (Chinese, Japanese, Korean: "山田
  // 太郎", "王 伟", "김 민준") is greeted whole, as it is written without a space ("山田太郎"): which
  // word is the given name the order does not tell (a profile may write it given name first), and
  // greeting by either alone reads curt or over-familiar. Beside a Latin name of two words or more
  // ("陈大文 David Chan"), the Latin one's given name; beside one word ("David 陈大文"), the whole name.
  const nameParts = n.split(/[ ,]+/).filter((w) => /\p{L}/u.test(w) && !HONORIFICS.has(bare(w)));
  if (nameParts.some((w) => FAMILY_FIRST_SCRIPT.test(w))) {
    // A title before the whole name is skipped, as before a Latin one ("Dr 王 伟" → "王 伟"); with
    // one word after it, it is the greeting, as "Dr Chen" is ("Dr 王").
    if (nameParts.filter((w) => !FAMILY_FIRST_SCRIPT.test(w)).length < 2) return nameParts.length > 1 ? nameParts.join(" ") : clean(n.replace(/\s*,\s*/g, " "));
    n = clean(n.split(" ").filter((w) => !FAMILY_FIRST_SCRIPT.test(w)).join(" ").replace(/^[\s,]+|[\s,]+$/g, ""));
  }
  let words: string[];
  /** Given names written before the surname, the last word (the only order where a particle starts the surname). */
  let givenFirst = false;
  if (n.includes(",")) {
    const [last, given] = n.split(",", 2).map(clean);
    words = given ? given.split(" ") : [last];
  } else {
    const spelled = n.split(" ");
    // A surname in capitals first ("YAMADA Taro", "NGUYEN Van Anh"): the words after it are given
    // names. A title in capitals ("MRS Okafor") is no surname.
    const lead = spelled.findIndex((w) => !capitals(w) || HONORIFICS.has(bare(w)));
    words = lead > 0 ? spelled.slice(lead) : spelled.length > 2 ? spelled.slice(0, -1) : spelled.slice(0, 1);
    givenFirst = lead <= 0;
    // A surname alone, its particles first in lower case, then a capital ("de la Cruz", "Mr. van
    // Dijk"): no given name; greeted "there", or with the title as written, as "Dr Chen" is
    // (helper-240 #7, helper-242 #4). A name all in lower case was given its capitals above ("de la
    // cruz" is "de la Cruz" here; "al smith", "Al Smith").
    const rest = spelled.filter((w) => !HONORIFICS.has(bare(w)));
    const surname = rest.findIndex((w) => !(/^\p{Ll}/u.test(w) && LOWER_PARTICLES.has(w)));
    if (givenFirst && surname > 0 && /^\p{Lu}/u.test(rest[surname])) words = spelled.filter((w) => HONORIFICS.has(bare(w)));
  }
  const titled = words.filter((w) => !/^\p{L}\.?$/u.test(w));
  words = titled.filter((w) => !HONORIFICS.has(bare(w)));
  // Only a title before the surname ("Dr Chen", "Ms. Okafor", "MRS Okafor" → "Mrs Okafor"): greeted as written.
  if (!words.length) return titled.length ? n.replace(/,.*$/, "").replace(/\p{L}+/gu, (w) => (HONORIFICS.has(bare(w)) && !/\p{Ll}/u.test(w) ? ordinaryCase(w) : w)) : givenFirst ? "there" : n.split(/[ ,]/)[0];
  const [first, second] = words;
  const short = (w: string | undefined) => !!w && /^\p{Lu}\p{Ll}{1,3}$/u.test(w);
  // Where the surname comes last, a particle after the given name starts it ("Jan Van Dijk"), never
  // a second given name; after a comma or a surname in capitals, every word is a given name.
  if (second && !(givenFirst && SURNAME_PARTICLES.has(second.toLowerCase())) && ((short(first) && short(second)) || COMPOUND_FIRST.has(first.toLowerCase()))) return `${first} ${second}`;
  return first;
}

/**
 * The nickname a display name gives, in quotes ("Robert \"Bob\" Jones", "Robert 'Bob' Jones",
 * "'Bea' Lund") or in brackets between the words of the name ("Robert (Bob) Jones"; in brackets
 * after it, "Ana Lima (Sales)", it is an aside like any other, and so it is after the surname of
 * "Last, First", "Smith (External), John"): one word that can be a name, not a title, letters after
 * a name or a role, not a word in lower case ("Ana (ext) Lima", "Alex (he) Smith"), not the name
 * written in Chinese, Japanese or Korean script ("Tanaka (田中) Hiroshi": its family name), and not
 * a word in capitals inside a name that is not ("Ana Lima \"ACME\""). `bracketed`: the brackets as
 * written, to be read as a word of the name. Not the whole name ("\"Bob\"", "(Bea)"): that is the
 * name itself (nor, as firstNameOf drops it first, one in quotes ending a name: "Ana Lima \"Acme\"").
 * Of several, the first.
 */
function nicknameIn(name: string): { word: string; bracketed?: string } | undefined {
  const quoted = /(?<![^\s(])["\u201c\u201d'\u2018\u2019]([^\s"\u201c\u201d'\u2018\u2019()]+)["\u201c\u201d'\u2018\u2019](?![^\s),])|(?<=\S\s*)(\(([^\s()]+)\))(?=\s*[^\s,])/gu;
  const shouting = !/\p{Ll}/u.test(name);
  for (const m of name.matchAll(quoted)) {
    const word = m[1] ?? m[3];
    if (m[0].trim() === name.trim()) continue;
    if (!/^\p{L}[\p{L}\p{M}'\u2019.-]*\p{L}$/u.test(word)) continue;
    if (/^\p{Ll}/u.test(word) || FAMILY_FIRST_SCRIPT.test(word)) continue;
    if (HONORIFICS.has(bare(word)) || POST_NOMINALS.has(bare(word)) || ROLE_WORDS.has(bare(word))) continue;
    if (!shouting && /\p{Lu}{3}/u.test(word) && !/\p{Ll}/u.test(word)) continue;
    return m[2] ? { word, bracketed: m[2] } : { word };
  }
  return undefined;
}

/** One word in quotes after a name's words, ending it (save punctuation). */
const TRAILING_QUOTED = /(?<=\S)\s+["\u201c\u201d'\u2018\u2019][^\s"\u201c\u201d'\u2018\u2019()]+["\u201c\u201d'\u2018\u2019][\s,.;]*$/u;

/** Letters of the scripts whose names are written family name first: Han, Hiragana, Katakana, Hangul. */
const FAMILY_FIRST_SCRIPT = /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Hangul}]/u;

/**
 * How a letter of a name written all in lower case (`name`) is capitalised: as Unicode's default
 * upper case, but as Turkish and Azerbaijani write it where the name has their ı, ğ or ə
 * ("ismail yılmaz" → "İsmail", as "İSMAİL YILMAZ" is; "ilham əliyev" → "İlham"; the default gives
 * the dotless capital, "Ismail", another letter there), and not at all in Georgian, whose capitals
 * (Mtavruli) are for text set all in capitals, never a name's first letter ("ნინო ბერიძე" stays
 * so; the default made it "Ნინო").
 */
const capitalIn = (name: string) => {
  const turkic = /[\u0131\u011f\u0259]/u.test(name);
  return (c: string) => (/\p{sc=Georgian}/u.test(c) ? c : turkic ? c.toLocaleUpperCase("tr") : c.toUpperCase());
};

/** A word written in capitals as a name is written: its first letter kept, the rest lower case; the dotted capital I lowers to a plain i ("İSMAİL" → "İsmail"). */
const ordinaryCase = (w: string) => w.charAt(0) + w.slice(1).toLowerCase().replace(/i\u0307/g, "i");

/** A word as the lists below hold it: lower case, without dots ("Ph.D." → "phd"). */
const bare = (w: string) => w.toLowerCase().replace(/\./g, "");

/** Degrees, honours and generational suffixes written after a name. */
const POST_NOMINALS = new Set(["jr", "sr", "ii", "iii", "iv", "phd", "dphil", "md", "mba", "ma", "ba", "bsc", "msc", "llb", "llm", "jd", "esq", "cpa", "cfa", "pmp", "rn", "dds", "obe", "mbe", "cbe", "frs", "facs", "mph", "edd"]);
/** The first word of a role written after a name and a comma ("Tom Lee, VP Sales", "Ana Lima, Founder"). */
const ROLE_WORDS = new Set(["ceo", "cto", "cfo", "coo", "cmo", "cpo", "cio", "ciso", "vp", "svp", "evp", "avp", "gm", "founder", "cofounder", "co-founder", "president", "director", "partner", "manager", "head", "chair", "principal", "md"]);
/** Of {@link POST_NOMINALS}, those that are surnames too, so taken away only after a comma ("Jack Ma"). */
const SURNAME_TOO = new Set(["ma", "ba"]);

const COMPOUND_FIRST = new Set(["mary", "anne", "ann", "jean", "marie", "jo", "sarah", "lou"]);

/**
 * Words that begin a surname written after the given name ("Jan Van Dijk", "Kiri Te Kanawa", "Omar
 * Al Masri", "Max St John"): never the second part of a given name, as two short words otherwise are
 * ("Mei Lin Goh"; helper-240 #1). Not De, Da, Di, Du, Le or La: syllables of Chinese and Vietnamese
 * given names too ("Ming De Chen", "Xiao Le Zhang"; helper-242 #1), so "Ana De Souza" stays "Ana De".
 */
const SURNAME_PARTICLES = new Set(["van", "von", "das", "dos", "del", "della", "al", "el", "bin", "ibn", "st", "te", "mac", "ter", "ten", "den", "der", "des", "dal"]);
/** Particles in lower case starting a name with no given name before them ("de la Cruz", "van der Berg", "da Silva"). */
const LOWER_PARTICLES = new Set([...SURNAME_PARTICLES, "de", "da", "di", "du", "la", "le"]);

/** Titles written before a name ("Dr. Jane Smith", "Prof Tan Wei Jie"): never the given name. */
const HONORIFICS = new Set(["mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir", "dame", "rev", "fr", "sr", "sra", "herr", "frau", "mme", "mlle", "m"]);

/**
 * Where a title is always split: dashes, bars, bullets, arrows, "w/", "<>", a slash with a space
 * beside it ("Ana / Isla"; one inside a word, "AI/ML", splits only beside a name: `meetingPhrase`).
 */
// (Em and en dash, bullet and arrows as \u escapes: a character past U+00FF in a pattern makes
// its whole bundled chunk two bytes a character in V8's heap; test/lambda-modules.test.ts.)
const TITLE_SEPARATORS = /\s*(?:\sw\/|[\u2014\u2013|·\u2022<>\u2194\u2192]+|\s-\s|\s\/|\/\s)\s*/i;
/**
 * What a mail client or calendar writes before a meeting's own title: a forward's or reply's mark
 * ("FW:", "Fwd:", "RE:", and the German and French "WG:", "AW:", "TR:"), Outlook's marks of a
 * meeting's state ("Canceled:", "Accepted:", "Tentative:", "Declined:", "New Time Proposed:",
 * "Copy:") and Google Calendar's invitation subjects ("Invitation:", "Updated invitation:"). Not the
 * meeting's name. A colon with no space after it is part of a name ("re:Invent").
 */
const TITLE_MARKS = /^(?:\s*(?:re|fw|fwd|wg|aw|tr|canceled|cancelled|accepted|tentative|tentatively accepted|declined|new time proposed|copy|invitation|updated invitation)\s*:\s)+\s*/i;
/** Words that split a title only beside a name ("Wen x Isla", "Coffee with Ana"; not "Wine & Cheese night"). */
const NAME_SEPARATORS = new Set(["x", "&", "+", "with"]);
/**
 * Internal codes: [TAG], #123, ABC-123, (ref …), Zoom/Teams ids, long digit runs; and a date written
 * in digits (2026-07-01, 1/7/2026, 1.7.2026, a year's month or span 2026-07, 2026/27) as a whole,
 * where the digit run alone took its year and left "07-01" (helper-240 #7): the draft gives the date
 * in words. Not a time or a version (9.30-12.30, 4.12.20: helper-242 #3): one separator twice, a
 * dotted date only with its year in full, no digit or dot either side.
 */
const INTERNAL_CODE = /\[[^\]]*\]|\((?:ref|id|internal|conf|tentative)[^)]*\)|#\w+|\b[A-Z]{2,}-\d+\b|(?<![\d.])\b(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}([/-])\d{1,2}\1(?:\d{4}|\d{2})|\d{1,2}\.\d{1,2}\.\d{4}|\d{4}[/-]\d{2})\b(?![.\d])|\b\d{4,}\b/g;
/** Titles that say nothing about the meeting ("sync", "quick chat", "intro call"): the sentence reads better without them. */
const GENERIC =
  /^(?:(?:quick|short|brief|weekly|monthly|first|intro|introductory|catch[- ]?up)(?:\s+|$))?(?:1:1|1 ?on ?1|one[- ]on[- ]one|sync|catch[- ]?up|call|meeting|chat|intro|introduction|meet|hold|busy|tbd|placeholder|)$/i;
/** A one-word title that reads as an occasion in lower case: "at breakfast". */
const OCCASIONS = new Set(["breakfast", "lunch", "dinner", "coffee", "drinks", "brunch"]);
/** Words that only lead up to a name at the end of what is left ("Talk by", "Demo for", "Chat ft."). */
const DANGLING = /(?:\s+(?:by|for|re|ft|feat|featuring|with|w|hosted by|in conversation with|from|to|of|and))+\.?$/i;
/** Words joining names in a title ("Isla and Ana", "Ana & Isla"). */
const JOINERS = new Set(["and", "&", "+", "x", "with", "w/", "<>", "/"]);

/**
 * The words of a name to find in a title, and its first name. A person without a name by their
 * address's local part ("ana.lima+conf@…" → "ana lima", first name "ana"; "ana@…" → "ana"), as
 * titles write people by either; a role mailbox's word ("info", "sales") is never a first name.
 */
function nameWords(name: string | undefined, address?: string): { words: string[]; first?: string } | undefined {
  const n = (name ?? "").trim();
  if (n && !n.includes("@")) {
    // "there" greets a person without a given name ("de la Cruz"): it is no word of their name (helper-242 #5).
    const first = firstNameOf(n);
    return { words: n.toLowerCase().replace(/,/g, " ").split(/\s+/).filter((w) => w.length > 1), ...(first === "there" ? {} : { first: first.toLowerCase() }) };
  }
  const local = (address ?? (n.includes("@") ? n : "")).split("@")[0].split("+")[0].toLowerCase();
  const words = local.split(/[._-]+|\d+/).filter((w) => w.length > 1);
  if (!words.length) return undefined;
  return { words, ...(words.length > 1 || !ROLE_LOCAL_PARTS.has(words[0]) ? { first: words[0] } : {}) };
}

/**
 * The meeting's title as it can stand in a sentence ("good to meet you at …"), or undefined when
 * nothing meaningful is left: a mail client's marks before it ("FW:", "Canceled:"), the names of
 * the people (with their initials, a bracketed aside after a name, "Wen (ACME)", where one is from,
 * "Summer from ACME", and the "at" before where they were met), separators and internal codes are
 * dropped; a lone occasion word is lower-cased ("Breakfast — Wen / Isla" → "breakfast"). From a part of the title, names are taken
 * off where a first name is among them and: other parts stand beside it ("Ana / Isla roadmap" →
 * "roadmap"), a whole name went ("Interview: Wen Zhou" → "Interview"), or an occasion is left ("Wen
 * coffee"); a part left saying nothing goes ("Isla sync"). Otherwise it stays whole ("Summer party"
 * beside Summer Lee, "Demo Day" beside Sam Day). `people` are names, or for a person without one `{ address }`.
 */
export function meetingPhrase(title: string | undefined, people: (string | undefined | { name?: string; address: string })[]): string | undefined {
  const named = new Set<string>();
  const firsts = new Set<string>();
  const wholeNames: string[][] = [];
  for (const p of people) {
    const w = typeof p === "object" ? nameWords(p.name, p.address) : nameWords(p);
    if (!w) continue;
    for (const x of w.words) named.add(x);
    if (w.words.length > 1) wholeNames.push(w.words);
    if (w.first === undefined) continue;
    for (const x of w.first.split(/\s+/)) (named.add(x), firsts.add(x));
  }
  const bareWord = (w: string) => w.toLowerCase().replace(/^[^\p{L}\p{N}&+/<>]+|[^\p{L}\p{N}&+/<>]+$/gu, "");
  // An aside in brackets after a name ("Wen (ACME)") goes with it.
  const t = plainText(title ?? "")
    .replace(TITLE_MARKS, "")
    // A code taken out leaves no space before the punctuation after it ("Web Summit 2026, Lisbon" →
    // "Web Summit, Lisbon", not "Web Summit , Lisbon": helper-282). (plainText took every control
    // character out, so U+0000 marks where a code was.)
    .replace(INTERNAL_CODE, "\u0000")
    .replace(/(?:\s*\u0000)+(?=[,;:.!?])/g, "")
    .replace(/\u0000/g, " ")
    .replace(/([\p{L}'\u2019-]+)\s*\([^()]*\)/gu, (m, word: string) => (named.has(bareWord(word)) ? word : m))
    // A slash with no space beside it splits where a name is on either side of it ("Ana/Isla",
    // "Kate S./Isla", "Isla/2pm sync"), not otherwise ("AI/ML", "A/B", "24/7"); "w/" is "with".
    .replace(/\S*\/\S*/g, (m) => {
      const lead = /^w\//i.test(m) ? m.slice(0, 2) : "";
      const pieces = m.slice(lead.length).split("/");
      return lead + pieces.reduce((out, x, i) => (i === 0 ? x : `${out}${named.has(bareWord(pieces[i - 1])) || named.has(bareWord(x)) ? " / " : "/"}${x}`), "");
    })
    .replace(/\s+/g, " ")
    .trim();
  if (!t || GENERIC.test(t)) return undefined;
  // A name, its initial, a word joining names, or a symbol alone ("☕ Ana / Isla").
  const nameOrJoiner = (w: string) => !bareWord(w) || named.has(bareWord(w)) || JOINERS.has(bareWord(w));
  // An initial counts with the name beside it ("Wen Z.", "J. Smith"), not alone ("Series A").
  const initial = (w: string | undefined, beside: string | undefined) => w !== undefined && /^\p{L}\.?$/u.test(w) && beside !== undefined && named.has(bareWord(beside));
  const split = t
    .split(TITLE_SEPARATORS)
    .flatMap((p) => {
      // "x", "&", "+" and "with" split only beside a name.
      const out: string[][] = [[]];
      const words = p.split(" ");
      words.forEach((w, i) => {
        if (NAME_SEPARATORS.has(w.toLowerCase()) && (named.has(bareWord(words[i - 1] ?? "")) || named.has(bareWord(words[i + 1] ?? "")))) out.push([]);
        else out.at(-1)!.push(w);
      });
      return out.map((ws) => ws.join(" "));
    })
    .map((p) => p.replace(/^[\s,.;:-]+|[\s,.;:-]+$/g, ""));
  const parts = split
    .map((p) => {
      if (!/[\p{L}\p{N}]/u.test(p)) return "";
      const words = p.split(/\s+/);
      let from = 0;
      let to = words.length;
      while (from < to && (nameOrJoiner(words[from]) || initial(words[from], words[from + 1]))) from++;
      while (to > from && (nameOrJoiner(words[to - 1]) || initial(words[to - 1], words[to - 2]))) to--;
      // Names and the words joining them only ("Isla and Ana").
      if (from === to) return "";
      if (from === 0 && to === words.length) return p;
      // A word left hanging where the name was ("Talk by", "Demo for") goes with it.
      let rest = words.slice(from, to).join(" ").replace(/^[\s,.;:-]+|[\s,.;:-]+$/g, "").replace(DANGLING, "").replace(/[\s,.;:-]+$/g, "");
      const cut = [...words.slice(0, from), ...words.slice(to)].map(bareWord);
      if (!cut.some((w) => firsts.has(w))) return p;
      if (GENERIC.test(rest)) return "";
      const whole = wholeNames.some((ws) => ws.every((w) => cut.includes(w)));
      if (split.length === 1 && !whole) return OCCASIONS.has(rest.toLowerCase()) ? rest : p;
      // After a name taken out: where the person is from goes with them ("Summer from ACME"); where
      // they were met stays, without its "at" ("Kate at Web Summit" → "Web Summit").
      if (from > 0 && /^(?:from|of)\s+\p{Lu}\S*(?:\s+\p{Lu}\S*)?$/u.test(rest)) return "";
      // When they met is no place ("Kate / Isla at 10", "Coffee with Kate at 3pm"; helper-154).
      if (from > 0 && /^at\s+\d/i.test(rest)) return "";
      if (from > 0) rest = rest.replace(/^at\s+(?=\S)/i, "");
      return rest;
    })
    .filter(Boolean);
  const phrase = parts.join(" – ").trim();
  if (!phrase || GENERIC.test(phrase)) return undefined;
  return OCCASIONS.has(phrase.toLowerCase()) ? phrase.toLowerCase() : phrase;
}

/**
 * The first name the owner corrected for a person (settings), by the person's normalised address;
 * a correction kept under the address as typed (saved before corrections were normalised, perhaps
 * with a mail client's punctuation) is found by the address it holds (core/identity typedAddress).
 */
export function correctedFirstName(firstNames: Record<string, string> | undefined, email: string): string | undefined {
  if (!firstNames) return undefined;
  const key = email.toLowerCase();
  if (firstNames[key] !== undefined) return firstNames[key];
  for (const [typed, first] of Object.entries(firstNames)) if (typedAddress(typed) === key) return first;
  return undefined;
}

/** A meeting date the way the owner reads it, in their zone: "Tue 14 Apr". */
export function humanDate(ms: number, timeZone: string): string {
  return formatLocal(ms, timeZone, "EEE d MMM");
}

/** A calendar date (YYYY-MM-DD, an all-day event's own) written as {@link humanDate} writes one (or in `pattern`): in no zone. */
export const humanDay = (date: string, pattern: LocalPattern = "EEE d MMM"): string => formatLocal(Date.parse(`${date}T12:00:00Z`), "UTC", pattern);

/**
 * The date in a draft's sentence, written out as a person writes it ("on Monday 27 April"), where
 * the digest's cards abbreviate it ("Mon 27 Apr"; helper-240 #7): the same date as {@link metOn}.
 */
export const draftDate = (c: Pick<Contact, "metAt" | "metDate">, timeZone: string): string => metIn(c, timeZone, "EEEE d MMMM");

/**
 * The first and last local date (YYYY-MM-DD) of a first meeting held over several days (a
 * conference 3 to 6 November, a weekend's hackathon), else undefined. On which of them the person
 * was met the calendar does not say (shared/spec/events.md: a person is met at the event). An
 * all-day event by its own dates (Contact.metDate, and its length in days); a timed one by its local
 * dates in the zone, save one that only runs past midnight into the small hours (an evening, "Fri
 * 21:00 to Sat 02:00", is met on its first date).
 */
export function metDays(c: Pick<Contact, "metAt" | "metEnd" | "metDate">, timeZone: string): { first: string; last: string } | undefined {
  if (!Number.isFinite(c.metAt) || !Number.isFinite(c.metEnd) || !(c.metEnd > c.metAt)) return undefined;
  if (c.metDate) {
    // Whole days, whatever the zone then and now (a day the clocks change lasts 23 or 25 hours).
    const days = Math.round((c.metEnd - c.metAt) / DAY);
    return days > 1 ? { first: c.metDate, last: addDays(c.metDate, days - 1) } : undefined;
  }
  const first = localDate(c.metAt, timeZone);
  const last = localDate(c.metEnd - 1, timeZone);
  if (last <= first || c.metEnd <= atLocal(addDays(first, 1), EVENING_RUNS_UNTIL_HOUR, timeZone)) return undefined;
  return { first, last };
}

/** An event ending by this hour of the morning after the date it began on is that date's evening: one day (see {@link metDays}). */
const EVENING_RUNS_UNTIL_HOUR = 6;

/** The date someone was met in `pattern`: an all-day first meeting's own date (in no zone), else its start in the zone. */
const metIn = (c: Pick<Contact, "metAt" | "metDate">, timeZone: string, pattern: LocalPattern): string => dayOf(c.metAt, c.metDate, timeZone, pattern);

/**
 * The day of a meeting in `pattern`: an all-day meeting's own date (YYYY-MM-DD, Meeting.dates) where
 * given, in no zone, since its stored start is a midnight of the zone the calendar was read in; else
 * the instant's date in the zone.
 */
export const dayOf = (at: number, date: string | undefined, timeZone: string, pattern: LocalPattern = "EEE d MMM"): string =>
  date ? humanDay(date, pattern) : formatLocal(at, timeZone, pattern);

/**
 * The day of someone's second meeting (Contact.secondMeetingAt), as {@link metOn} writes the first:
 * its own date where it is an all-day event (Contact.secondMeetingDate), else its start in the zone.
 */
export const metAgainOn = (c: Pick<Contact, "secondMeetingDate"> & { secondMeetingAt: number }, timeZone: string, pattern: LocalPattern = "EEE d MMM"): string =>
  dayOf(c.secondMeetingAt, c.secondMeetingDate, timeZone, pattern);

/**
 * The day someone was followed up (Contact.followedUpAt): the mail's date in the zone, or the later
 * meeting's, its own date where it is an all-day event (Contact.secondMeetingDate), as
 * {@link metAgainOn} writes it.
 */
export const followedUpOn = (c: Pick<Contact, "followedUpBy" | "secondMeetingDate"> & { followedUpAt: number }, timeZone: string, pattern: LocalPattern = "EEE d MMM"): string =>
  dayOf(c.followedUpAt, c.followedUpBy === "meeting" ? c.secondMeetingDate : undefined, timeZone, pattern);

/**
 * The date someone was met, as the owner reads it: their first meeting's own date where it was an
 * all-day event (Contact.metDate), which a change of zone does not move; else its start in the zone.
 */
export const metOn = (c: Pick<Contact, "metAt" | "metDate">, timeZone: string): string => metIn(c, timeZone, "EEE d MMM");

/**
 * When an event is, as the owner reads it in their zone: "Thu 4 Jun, 18:30" (with `until`, "Thu 4
 * Jun, 18:30–21:00"), over several dates "Tue 16 Jun, 09:00 – Thu 18 Jun, 17:00" either way; an
 * all-day event "Thu 4 Jun (all day)", or "Thu 4 Jun – Sat 6 Jun" over several days.
 */
export function eventWhen(e: Pick<Meeting, "start" | "end" | "allDay" | "dates">, timeZone: string, o: { until?: boolean } = {}): string {
  // An all-day event's own dates where kept: the same days in any zone (Meeting.dates).
  if (e.allDay && e.dates) {
    const last = addDays(e.dates.end, -1);
    return last > e.dates.start ? `${humanDay(e.dates.start)} – ${humanDay(last)}` : `${humanDay(e.dates.start)} (all day)`;
  }
  // A stored time may be missing (the store reads a null back as NaN): said so, not thrown on.
  if (!Number.isFinite(e.start)) return "time not known";
  if (!Number.isFinite(e.end)) e = { ...e, end: e.start };
  // Several days when its last moment falls on another local date than its first: by dates, not by
  // length, since a day the clocks go back lasts 25 hours (and one they go forward, 23); one ending
  // at midnight ends on its first date.
  const lastMoment = Math.max(e.start, e.end - 1);
  const oneDay = formatLocal(e.start, timeZone, "d MMM y") === formatLocal(lastMoment, timeZone, "d MMM y");
  if (e.allDay) return oneDay ? `${humanDate(e.start, timeZone)} (all day)` : `${humanDate(e.start, timeZone)} – ${humanDate(lastMoment, timeZone)}`;
  const time = (t: number) => formatLocal(t, timeZone, "HH:mm");
  // Timed over several dates (a conference Tue 09:00 to Thu 17:00, a 48-hour hackathon): each end
  // with its date, with or without `until` (a conference's first morning alone would say it is one
  // day; helper-150 #3, helper-152).
  if (!oneDay) return `${humanDate(e.start, timeZone)}, ${time(e.start)} – ${humanDate(e.end, timeZone)}, ${time(e.end)}`;
  if (!o.until || !(e.end > e.start)) return `${humanDate(e.start, timeZone)}, ${time(e.start)}`;
  // The night the clocks go back, an hour from 01:30 ends at 01:30 (and half an hour from 01:45 at
  // 01:15): said, or it reads as no time at all, or as time running backwards (helper-153).
  const back = time(e.end) <= time(e.start) && zoneOffset(e.end, timeZone) < zoneOffset(e.start, timeZone);
  return `${humanDate(e.start, timeZone)}, ${time(e.start)}–${time(e.end)}${back ? " (the clocks go back in between)" : ""}`;
}

/**
 * Two local dates (YYYY-MM-DD) as a draft writes a span of them: the month once where both are in it
 * ("Tuesday 3", "Friday 6 November"), else with each ("Monday 30 November", "Wednesday 2 December").
 */
function sameMonthDays(first: string, last: string): [string, string] {
  const [a, b] = [first, last].map((d) => humanDay(d, "EEEE d MMMM"));
  return first.slice(0, 7) === last.slice(0, 7) ? [a.replace(/ \S+$/, ""), b] : [a, b];
}

/** What the owner set about drafts beyond the body template (all optional). */
export interface DraftSettings {
  /** Subject template; the same placeholders as the body. */
  subjectTemplate?: string;
  /** The name the owner signs with ({ownerName}); default: their first name. */
  signatureName?: string;
  /** First names the owner corrected, by person address (lower case). */
  firstNames?: Record<string, string>;
}

/**
 * The owner's own body template, if they wrote one: the default text stored as it stands is no
 * choice (the settings form shows it in the box when nothing is stored, and a save of the day alone
 * stores it), so a person met at an event still gets "After an event".
 */
export function ownTemplate(stored: string | undefined): string | undefined {
  const t = stored?.replace(/\r\n?/g, "\n").trim();
  return t && t !== DEFAULT_TEMPLATE.trim() ? stored : undefined;
}

/** A template's {firstName} first, with a comma, colon or dash after it (or nothing more): where a nameless greeting drops it cleanly. */
const LEADING_FIRST_NAME = /^\s*\{firstName\}\s*(?:[,:\u2013\u2014-]\s*|$)/;

/**
 * The draft for a person: template filled, and a reply to the latest mail the owner sent them, if
 * any. `now` picks the default subject (a warm one soon after the meeting, a plain one later).
 */
export function composeFollowUp(account: AccountRecord & { template?: string } & DraftSettings, stored: PersonRecord, earlier?: MailMessage, now?: number, address?: string): DraftRequest {
  // Names and titles come from other people's calendars and mail: no control or bidi characters in a draft.
  const person = { ...stored, name: plainText(stored.name), eventTitle: plainText(stored.eventTitle) };
  const corrected = plainText(correctedFirstName(account.firstNames, person.email) ?? "");
  const first = corrected || firstNameOf(person.name);
  const signature = plainText(account.signatureName ?? "") || (firstNameOf(account.displayName) === "there" ? "" : firstNameOf(account.displayName));
  // Everyone the draft names: the person (as the owner corrected them too), the owner (and the name they sign with).
  const phrase = meetingPhrase(person.eventTitle, [person.name || { address: address ?? person.address ?? person.email }, account.displayName || { address: account.email }, corrected, plainText(account.signatureName ?? "")]);
  // Each value goes in as it stands: a function replacement, since a string one reads `$$`, `$&`,
  // `` $` `` and `$'` in a name or title as patterns.
  // In one pass, so that a placeholder inside a title or a name ("Budget {ownerName} review") is text.
  // In a subject, a person without a name is not "there": ", {firstName}" and a leading "{firstName}:" go.
  // Met at an event of several days (a conference 3 to 6 November), on a day no one knows: no
  // single day is named. "at {meeting} on {date}" names the event alone ("at Web Summit"); "on
  // {date}" elsewhere, the event ("during Web Summit") where the text names it nowhere else, else
  // its dates ("between Tuesday 3 and Friday 6 November"); {date} alone, its dates ("Tuesday 3 to
  // Friday 6 November").
  const days = metDays(person, account.timeZone);
  const span = days && sameMonthDays(days.first, days.last);
  const values: Record<string, string> = { meeting: phrase ?? "our meeting", firstName: first, date: span ? `${span[0]} to ${span[1]}` : draftDate(person, account.timeZone), ownerName: signature };
  const nameless = first === "there";
  const fill = (t: string) =>
    t.replace(/ at \{meeting\} on \{date\}| at \{meeting\}| on \{date\}|\{(meeting|firstName|date|ownerName)\}/g, (m: string, key: string | undefined) => {
      if (key) return values[key];
      const at = phrase ? ` at ${phrase}` : "";
      if (m === " at {meeting}") return at;
      if (!span) return `${m.startsWith(" at") ? at : ""} on ${values.date}`;
      if (m.startsWith(" at") && phrase) return at;
      return phrase && !t.includes("{meeting}") ? ` during ${phrase}` : ` between ${span[0]} and ${span[1]}`;
    });
  /** A subject: to a person without a name, the greeting's name goes where it can ("Great to meet you, {firstName}"). */
  const fillSubject = (t: string) => {
    if (!nameless) return fill(t);
    // Only where it goes cleanly: after a comma, or first with a comma, colon or dash after it;
    // elsewhere "there" stays, as in the greeting ("Hi {firstName} - great meeting you").
    const lead = LEADING_FIRST_NAME.test(t);
    const filled = fill(t.replace(/,\s*\{firstName\}/g, "").replace(LEADING_FIRST_NAME, "")).trim();
    const text = lead ? filled.charAt(0).toUpperCase() + filled.slice(1) : filled;
    return text || "Great to meet you";
  };
  const base = (earlier?.subject ?? "").replace(/^\s*((re|fwd?|aw)\s*:\s*)+/i, "").trim();
  const late = now !== undefined && now - person.metAt > LATE_AFTER_MS;
  // Met at a networking event: "After an event" is the default, wherever the owner set nothing of their own.
  const atEvent = person.atEvent === true;
  const subjectTemplate = account.subjectTemplate || (late ? (phrase ? LATE_SUBJECT : "Following up") : atEvent ? EVENT_TEMPLATE.subject : DEFAULT_SUBJECT);
  const subject = fillSubject(subjectTemplate).replace(/\s+/g, " ").trim();
  return {
    // The address as the person's calendar entry wrote it, where it differs from the normalised one.
    to: { email: address ?? person.address ?? person.email, name: person.name },
    subject: earlier && base ? `Re: ${base}` : subject,
    text: fill(ownTemplate(account.template) ?? (atEvent ? EVENT_TEMPLATE.body : DEFAULT_TEMPLATE)),
    ...(earlier ? { replyTo: { threadId: earlier.threadId, messageId: earlier.messageId, providerMessageId: earlier.id } } : {}),
  };
}

/**
 * The outcome of a tap: the draft and whether this tap created it, or "being made" (come back in a
 * moment), or "gone": the draft a tap made for this person (`madeAt`) is no longer in Drafts, the
 * owner sent it or deleted it, and no new one is made without their word (draftFollowUp's `remake`).
 */
export type FollowUpDraft =
  | { status: "ready"; draftId: string; webLink: string; created: boolean }
  | { status: "pending" }
  | { status: "gone"; draftId: string; madeAt: number };

/** Stored claim of a person's follow-up draft. */
interface DraftClaim {
  status: "creating" | "created";
  /** When the current holder took the claim (ms); 0 marks it free to take over at once. */
  claimedAt: number;
  /** Opaque value the draft carries (Gmail header, Graph extended property), to find it again. */
  marker: string;
  /**
   * When the marker was first claimed (a takeover keeps it): no draft carrying it is older, so a
   * look for it goes back that far. Absent on claims made before 2026-12-03, whose `claimedAt` a
   * takeover moved on: a takeover of one looks back as far as it can (0; helper-111 #5).
   */
  markedAt?: number;
  draftId?: string;
  webLink?: string;
  /**
   * Gmail: the draft's thread (DraftResult.threadId), where the sent message is looked for once the
   * draft has left Drafts (DraftWriter.draftSent). Absent on claims made before 2026-12-07 and on
   * Graph's: such a draft gone is "sent or deleted", as before.
   */
  threadId?: string;
}

/** A tap that cannot be served: the person is gone, or the provider failed and left nothing we can find. */
export class FollowUpError extends Error {
  constructor(
    /** `refused`: the provider refused the create, so nothing was made (its ProviderError is the cause). */
    readonly problem: "unknown-person" | "failed" | "refused",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "FollowUpError";
  }
}

/**
 * A create the provider may still be carrying out: no HTTP answer came (a timeout, a dropped
 * connection), or a gateway answered that the service behind it did not answer in time (502, 504).
 * A service's own answer (500, 503) ended its work on the request, and the look after it sees what
 * it made; a connection never made ({@link neverConnected}) and a failure that is no provider's (the
 * composer missing) sent nothing.
 */
const unanswered = (e: unknown) => e instanceof ProviderError && (e.status === 502 || e.status === 504 || (e.status === undefined && !neverConnected(e)));
/** Errors after which the provider surely made nothing: a refusal or a rate limit, answered. */
const surelyRefused = (e: unknown) => e instanceof ProviderError && (e.kind === "rate-limited" || e.kind === "invalid" || e.kind === "auth-revoked" || e.kind === "not-found");

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TIMED_OUT = Symbol("timed out");
function withDeadline<T>(p: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<typeof TIMED_OUT>((resolve) => (timer = setTimeout(() => resolve(TIMED_OUT), ms)));
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

/**
 * Creates a person's follow-up draft exactly once, whatever the provider does (docs/security.md,
 * "One draft per person"). Neither drafts.create nor Graph's POST /me/messages takes an idempotency
 * key, so:
 * - a conditional write claims the person (not the meeting: a changed first meeting keeps one draft);
 *   a tap that finds the claim being created by a live request answers "pending";
 * - the claim's lease ({@link DRAFT_CLAIM_LEASE_MS}) outlives any request that can hold it, and a tap
 *   that takes a stale claim over first looks for a draft carrying the claim's marker;
 * - a create whose answer is lost (a reset, a 5xx, our own deadline) is looked for by its marker
 *   before anything else happens;
 * - after every create, duplicates carrying the marker are deleted, keeping the oldest, so two
 *   creators converge on one draft.
 * `now` is the tap's time; the person's stage moves to "drafted".
 */
export async function draftFollowUp(o: {
  repo: Repository;
  provider: DraftWriter;
  account: AccountRecord & { template?: string };
  person: string;
  now: number;
  /**
   * The instant the draft is written as of, which picks its default subject (soon after the meeting
   * or later): `now` in production; locally, the demo's labelled "now" of its account, whose
   * meetings lie months before the real clock (helper-104 #3).
   */
  asOf?: number;
  /** How long to wait for the create before answering "pending" (default {@link DRAFT_CREATE_DEADLINE_MS}). */
  deadlineMs?: number;
  /** How long a tap that finds another request creating the draft waits for it (default 3 s). */
  waitMs?: number;
  /**
   * When the tap began (`performance.now()`), if before this call: what the caller did first (the
   * look for a draft the owner started) comes off the deadline too (helper-179 #3).
   */
  began?: number;
  /**
   * The owner's word for a new draft where the one made before is no longer in Drafts: the id of
   * that gone draft (the page that said so named it; another draft made and gone since is said
   * again), or true for whichever (they asked to write to the person anyway). Without it such a tap
   * answers "gone" and makes nothing: the owner who sent the draft and tapped the link again got the
   * same draft made a second time, and could not tell whether the first had gone (helper-290).
   */
  remake?: string | true;
}): Promise<FollowUpDraft> {
  const { repo, account, provider } = o;
  const person = await repo.getPerson(account.email, o.person);
  if (!person || person.gone) throw new FollowUpError("unknown-person", "This follow-up is no longer in your list.");
  const key = keys.draft(account.email, person.email);
  const names = { "#c": "claim", "#s": "status" };

  // 1. Claim the person, or learn where an earlier tap stands.
  let claim: DraftClaim | undefined;
  let fresh = false;
  /**
   * When this tap began: everything before its create (a wait on another's claim, a takeover's look
   * for the earlier draft, the table's reads) is taken off the create's deadline, so the tap's answer
   * comes within the API's timeout however long those took (helper-110 #1: a takeover's look, paging
   * back through a hundred drafts, was not counted).
   */
  const tapBegan = o.began ?? performance.now();
  /**
   * Puts the draft on the person's record, read afresh, whatever their stage (one dismissed keeps it,
   * so an Undo brings them back as drafted); a person still "met" becomes "drafted".
   */
  const recordDraft = async (draftId: string, draftLink: string) => {
    // Only the draft's fields and the stage are written, while the stage is as read: what a scan
    // wrote meanwhile (the record made again, the person gone) stays (helper-181 #2).
    for (let attempt = 0; attempt < 3; attempt++) {
      const stored = await repo.getPerson(account.email, person.email);
      if (!stored || stored.draftId === draftId) return;
      if (await repo.setIn(keys.person(account.email, person.email), "person", { stage: stored.stage === "met" ? "drafted" : stored.stage, draftId, draftLink }, { stage: stored.stage })) return;
    }
  };
  for (let attempt = 0; attempt < 5 && !claim; attempt++) {
    const existing = (await repo.get<{ claim: DraftClaim }>(key))?.claim;
    if (existing?.status === "created" && existing.draftId) {
      // Still in Drafts (or the provider cannot say now: the tap lands on it, as it always did).
      const there = await provider.draftExists({ id: existing.draftId, marker: existing.marker }).catch(() => true);
      if (there) {
        // The person's record may have lost it (a scan that read it before the draft was recorded
        // wrote it back after): put it back, so the digest and an Undo know the draft.
        if (person.draftId !== existing.draftId) await recordDraft(existing.draftId, existing.webLink ?? "");
        return { status: "ready", draftId: existing.draftId, webLink: existing.webLink ?? "", created: false };
      }
      // The owner sent it or deleted it: said so, unless they asked for a new one knowing it (`remake`).
      if (o.remake !== true && o.remake !== existing.draftId) return { status: "gone", draftId: existing.draftId, madeAt: existing.markedAt || existing.claimedAt };
      // Asked for: this tap makes a new one, under a new marker, by the same steps as a first tap.
      // Taken by a conditional write on the gone draft's id, so of two taps one makes it.
      const mine: DraftClaim = { status: "creating", claimedAt: o.now, marker: randomBytes(18).toString("base64url"), markedAt: o.now };
      if (await repo.putIf({ ...key, claim: mine }, "#c.draftId = :gone", { ":gone": existing.draftId }, { "#c": "claim" })) [claim, fresh] = [mine, true];
      continue;
    }
    if (!existing) {
      const mine: DraftClaim = { status: "creating", claimedAt: o.now, marker: randomBytes(18).toString("base64url"), markedAt: o.now };
      if (await repo.putIf({ ...key, claim: mine }, "attribute_not_exists(pk)")) [claim, fresh] = [mine, true];
    } else if (existing.claimedAt > o.now - DRAFT_CLAIM_LEASE_MS) {
      // Another request is creating it: wait a moment for it (most taps then land on the draft), else
      // "pending". A claim that went meanwhile (its create was refused) or was freed (its lookup
      // failed) is not being made by anyone: claim again, and answer for this tap's own attempt.
      // Measured, not counted in steps: each look at the claim takes time too, and a slow table must
      // not leave this tap's create more of its deadline than it has.
      let changed = false;
      const began = performance.now();
      while (!changed && performance.now() - began < (o.waitMs ?? 3000)) {
        await sleep(200);
        const c = (await repo.get<{ claim: DraftClaim }>(key))?.claim;
        if (c?.status === "created" && c.draftId) return { status: "ready", draftId: c.draftId, webLink: c.webLink ?? "", created: false };
        changed = !c || c.claimedAt !== existing.claimedAt;
      }
      if (!changed) return { status: "pending" };
    } else {
      // A stale claim: its request has ended. Take it over, keeping its marker.
      const mine: DraftClaim = { status: "creating", claimedAt: o.now, marker: existing.marker, markedAt: existing.markedAt ?? 0 };
      if (await repo.putIf({ ...key, claim: mine }, "#c.#s = :creating AND #c.claimedAt = :then", { ":creating": "creating", ":then": existing.claimedAt }, names)) claim = mine;
    }
  }
  if (!claim) return { status: "pending" };
  const held = claim;

  /**
   * Converges on one draft: the winner already recorded if it is among them (a winner never
   * changes once a tap has landed on it), else the oldest. The winner is recorded first, by a
   * conditional write, and only then are the other drafts carrying the marker deleted.
   */
  const settle = async (found: MarkedDraft[], ours?: DraftResult): Promise<FollowUpDraft> => {
    const all = [...found];
    if (ours && !all.some((d) => d.id === ours.id)) all.push({ ...ours, createdAt: Number.MAX_SAFE_INTEGER });
    all.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
    const recorded = async () => {
      const c = (await repo.get<{ claim: DraftClaim }>(key))?.claim;
      return c?.status === "created" && c.draftId ? { id: c.draftId, webLink: c.webLink ?? "", ...(c.threadId ? { threadId: c.threadId } : {}) } : undefined;
    };
    let winner: DraftResult = (await recorded().then((r) => (r && all.some((d) => d.id === r.id) ? r : undefined))) ?? all[0];
    const wrote = await repo.putIf(
      { ...key, claim: { ...held, status: "created", draftId: winner.id, webLink: winner.webLink, ...(winner.threadId ? { threadId: winner.threadId } : {}) } satisfies DraftClaim },
      "#c.#s = :creating OR #c.draftId = :winner",
      { ":creating": "creating", ":winner": winner.id },
      names,
    );
    if (!wrote) winner = (await recorded()) ?? winner;
    await recordDraft(winner.id, winner.webLink);
    // The winner is recorded and the tap lands on it: a duplicate the provider will not delete now
    // (a long Retry-After, an outage) is left in Drafts, not turned into a failed tap.
    for (const d of all)
      if (d.id !== winner.id) await provider.deleteDraft(d.id).catch((e) => console.warn("draft: duplicate not deleted", d.id, e instanceof Error ? e.message : String(e)));
    return { status: "ready", draftId: winner.id, webLink: winner.webLink, created: ours !== undefined && winner.id === ours.id };
  };
  /** Frees the claim at once for the next tap (which will look for the marker first). */
  const release = () => repo.putIf({ ...key, claim: { ...held, claimedAt: 0 } }, "#c.#s = :creating AND #c.claimedAt = :mine", { ":creating": "creating", ":mine": held.claimedAt }, names);

  // 2. A taken-over claim: the earlier request may have made the draft.
  if (!fresh) {
    let found: MarkedDraft[];
    try {
      found = await provider.findDrafts(held.marker, held.markedAt);
    } catch (e) {
      // Whether the earlier request made it is unknown: free the claim for the next tap, which looks again.
      await release();
      throw new FollowUpError("failed", "We couldn't confirm your draft was made; tap again to retry.", { cause: e });
    }
    if (found.length) return settle(found);
  }

  // 3. Create, carrying the marker; then converge on one draft.
  const messages = await repo.loadMessages(account.email);
  const earlier = messages
    .filter((m) => !m.draft && !m.meetingNotice && m.inSent && m.recipients.some((r) => r.email === person.email))
    .sort((a, b) => b.sentAt - a.sentAt)[0];
  const address = await addressOf(repo, account.email, person);
  const request = { ...composeFollowUp(account, person, earlier, o.asOf ?? o.now, address), marker: held.marker };
  // The mail it answers may be gone from the mailbox since the scan stored it (purged): the provider
  // refuses the reply, which made nothing (Graph's createReply: not found; Gmail: 400 "Invalid
  // thread_id value"), and a new message to the person is made instead.
  const replyRefused = (e: unknown) => e instanceof ProviderError && (e.kind === "not-found" || (e.kind === "invalid" && /thread_?id/i.test(e.message)));
  const creating = provider.createDraft(request).catch((e: unknown) => {
    if (!request.replyTo || !replyRefused(e)) throw e;
    return provider.createDraft({ ...composeFollowUp(account, person, undefined, o.asOf ?? o.now, address), marker: held.marker });
  });
  // The draft exists: a lookup that fails now converges on it alone (the claim keeps later taps on it).
  // After this tap's create, a look goes back to its own claim: what the marker had before was
  // looked for before the create (a takeover's look), and a slow earlier create lands after it.
  // Given `withinMs` (a create done in time), the look has what is left of the tap's deadline: one that
  // takes longer is left, and the tap lands on its own draft (a slow mailbox's look, a list and ten
  // gets, ran the tap past the function's timeout: helper-181 #1).
  const finish = async (draft: DraftResult, withinMs?: number) => {
    const look = provider.findDrafts(held.marker, held.claimedAt).catch((): MarkedDraft[] => []);
    const found = withinMs === undefined ? await look : await withDeadline(look, withinMs);
    return settle(found === TIMED_OUT ? [] : found, draft);
  };
  const left = () => Math.max(0, (o.deadlineMs ?? DRAFT_CREATE_DEADLINE_MS) - (performance.now() - tapBegan));
  /**
   * A create that failed: a refusal made nothing (the claim goes, so the next tap creates at once); a
   * lost answer may have made the draft (looked for by its marker; not found, the claim is freed for
   * the next tap, which looks again). A draft found is converged on; otherwise the tap's error.
   */
  const afterFailure = async (e: unknown): Promise<FollowUpDraft | FollowUpError> => {
    if (surelyRefused(e)) {
      await repo.deleteIf(key, "#c.#s = :creating AND #c.claimedAt = :mine", { ":creating": "creating", ":mine": held.claimedAt }, names);
      return new FollowUpError("refused", "Your mail provider refused the draft, and none was made. Tap the link again to retry.", { cause: e });
    }
    const found = await provider.findDrafts(held.marker, held.claimedAt).catch(() => undefined);
    if (found?.length) return settle(found);
    // No answer at all (the request cut at our timeout, the connection dropped) or a gateway's
    // timeout: the provider may still be making the draft, after this look. Freed at once, the claim
    // let the next tap make a second one beside it, which no look then removed (helper-189 #2). It
    // stays for its lease: a tap within it waits ("being made"), one after it looks for the marker first.
    if (unanswered(e)) return new FollowUpError("failed", "Your mail provider did not answer in time and may still be making it: tap again in a minute.", { cause: e });
    await release();
    return new FollowUpError("failed", "We couldn't confirm your draft was made; tap again to retry.", { cause: e });
  };
  let outcome: DraftResult | typeof TIMED_OUT;
  try {
    outcome = await withDeadline(creating, left());
  } catch (e) {
    const after = await afterFailure(e);
    if (after instanceof FollowUpError) throw after;
    return after;
  }
  if (outcome === TIMED_OUT) {
    // Still creating after the deadline: answer "being made"; when the create ends, converge then,
    // or, when it fails, leave the claim as a failure here would (a refusal then no longer holds
    // later taps on "being made" for the claim's lease). (On Lambda the function may be frozen
    // first: the claim's lease and the marker cover that.)
    creating.then((d) => finish(d), afterFailure).catch(() => undefined);
    return { status: "pending" };
  }
  return finish(outcome, left());
}

/**
 * Where a draft to a person goes: their address as their entry on the first meeting wrote it
 * (`Attendee.address`, kept where normalising changed it: `ana+events@x.io`, not `ana@x.io`),
 * else the person's own (`PersonRecord.address`: one the owner added at an event, as typed), else the
 * normalised one (a meeting stored before it was kept).
 */
async function addressOf(repo: Repository, account: string, person: PersonRecord): Promise<string | undefined> {
  const m = unpacked<Meeting>(await repo.get<Record<string, unknown>>(keys.meeting(account, person.eventId)).catch(() => undefined), "meeting");
  return addressOn(m, person.email);
}

/** "No follow-up needed": the person leaves future digests. Idempotent. */
export async function dismissFollowUp(repo: Repository, account: string, personEmail: string): Promise<boolean> {
  const person = await repo.getPerson(account, personEmail);
  if (!person || person.gone) return false;
  // The stage alone: a scan's write of the rest of the record meanwhile stays (helper-181 #2).
  if (person.stage !== "dismissed") await repo.setIn(keys.person(account, person.email), "person", { stage: "dismissed" });
  return true;
}

/**
 * Takes a "No follow-up needed" back: a dismissed person returns to "drafted" when a one-tap draft
 * was made for them (the record keeps its id through the dismissal), else to "met". Judged from the
 * record, not from the page: a second dismiss (the confirm page's auto-submit and a tap, two tabs)
 * saw the person dismissed already. False when the person is unknown; one not dismissed is left as is.
 */
export async function undoDismiss(repo: Repository, account: string, personEmail: string): Promise<boolean> {
  const person = await repo.getPerson(account, personEmail);
  if (!person || person.gone) return false;
  // The stage alone, while still dismissed: a scan's write of the rest meanwhile stays (helper-181 #2).
  if (person.stage === "dismissed") await repo.setIn(keys.person(account, person.email), "person", { stage: person.draftId ? "drafted" : "met" }, { stage: "dismissed" });
  return true;
}

/**
 * A draft the owner already started to this person themselves, to offer instead of a second one:
 * only for a person we never drafted for (stage "met", no claim stored, so no draft of ours
 * exists), through the provider's bounded look at recent drafts (DraftWriter.draftsTo). The newest
 * such draft, or undefined. With `withinMs`, a look that takes longer is given up (undefined): the
 * tap goes on to make its draft, as when the look fails.
 */
export async function startedDraft(o: { repo: Repository; provider: DraftWriter; account: AccountRecord; person: string; withinMs?: number }): Promise<MarkedDraft | undefined> {
  return lookWithin(() => lookForStarted(o), o.withinMs, "a started draft", "; the tap goes on without it");
}

/**
 * A look that only reads, within `withinMs` where given: past it, undefined, the look left to end on
 * its own; with no time at all, not begun, so its calls hold none of the mailbox's concurrent
 * requests the tap's create needs.
 */
async function lookWithin<T>(look: () => Promise<T | undefined>, withinMs: number | undefined, what: string, after = ""): Promise<T | undefined> {
  if (withinMs === undefined) return look();
  if (withinMs <= 0) return undefined;
  const looking = look();
  const found = await withDeadline(looking, withinMs);
  if (found !== TIMED_OUT) return found;
  looking.catch(() => undefined);
  console.warn(`draft: the look for ${what} took longer than ${Math.round(withinMs)} ms${after}`);
  return undefined;
}

/**
 * The share of a tap's deadline (core/limits DRAFT_CREATE_DEADLINE_MS) its look for a draft the owner
 * started may take ({@link startedDraft}'s `withinMs`); the rest is the create's.
 */
export const STARTED_DRAFT_LOOK_SHARE = 0.4;

async function lookForStarted(o: { repo: Repository; provider: DraftWriter; account: AccountRecord; person: string }): Promise<MarkedDraft | undefined> {
  const person = await o.repo.getPerson(o.account.email, o.person);
  if (!person || person.gone || person.stage !== "met") return undefined;
  const claimKey = keys.draft(o.account.email, person.email);
  if ((await o.repo.get<{ claim: DraftClaim }>(claimKey))?.claim) return undefined;
  const newest = (await o.provider.draftsTo(person.email)).at(-1);
  // A tap that came meanwhile (a double tap, a second device) may have made our own draft while
  // this look ran (Gmail's reads ten drafts): a claim there now means that draft is ours, not theirs.
  if (newest && (await o.repo.get<{ claim: DraftClaim }>(claimKey))?.claim) return undefined;
  return newest;
}

/** A draft a one-tap link made that is no longer in the owner's Drafts ({@link goneDraft}). */
export interface GoneDraft {
  draftId: string;
  /** When the tap that made it claimed the person (ms): the day the draft was made. */
  madeAt: number;
  /** Sent, where the provider can tell (DraftWriter.draftSent); absent when not known (sent or deleted). */
  sent?: { sentAt?: number };
}

/**
 * The draft a one-tap link made for this person, when it is no longer in their Drafts (they sent
 * it or deleted it), for the page that says so before a new one is made (draftFollowUp's "gone"):
 * undefined when there is none (never drafted, one being made) or it is there. A failed look at
 * Drafts throws; a failed look for the sent copy leaves it not known. With `withinMs`, a look that
 * takes longer is given up (undefined).
 */
export async function goneDraft(o: { repo: Repository; provider: DraftWriter; account: AccountRecord; person: string; withinMs?: number }): Promise<GoneDraft | undefined> {
  return lookWithin(() => lookForGone(o), o.withinMs, "a draft gone from Drafts");
}

async function lookForGone(o: { repo: Repository; provider: DraftWriter; account: AccountRecord; person: string }): Promise<GoneDraft | undefined> {
  const person = await o.repo.getPerson(o.account.email, o.person);
  if (!person || person.gone) return undefined;
  const claim = (await o.repo.get<{ claim: DraftClaim }>(keys.draft(o.account.email, person.email)))?.claim;
  if (claim?.status !== "created" || !claim.draftId) return undefined;
  if (await o.provider.draftExists({ id: claim.draftId, marker: claim.marker })) return undefined;
  const madeAt = claim.markedAt || claim.claimedAt;
  const sent = await o.provider.draftSent?.({ id: claim.draftId, marker: claim.marker, ...(claim.threadId ? { threadId: claim.threadId } : {}), since: madeAt }).catch((e: unknown) => {
    console.warn("draft: could not look for the sent copy", e instanceof Error ? e.message : String(e));
    return undefined;
  });
  return { draftId: claim.draftId, madeAt, ...(sent ? { sent } : {}) };
}
