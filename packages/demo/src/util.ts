// Small deterministic helpers shared by the fixture renderers: a seeded
// pseudo-random source, time-zone arithmetic and address formatting.

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** FNV-1a 32-bit hash of a string; seeds the generator below. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** A seeded generator (xorshift32 warmed up a few rounds). Same seed, same sequence. */
export class Rand {
  private state: number;
  constructor(seed: string) {
    this.state = fnv1a(seed) || 0x9e3779b9;
    for (let i = 0; i < 8; i++) this.next();
  }
  next(): number {
    let x = this.state;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    this.state = x;
    return x / 0x100000000;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  text(n: number, alphabet: string): string {
    let out = "";
    for (let i = 0; i < n; i++) out += alphabet[Math.floor(this.next() * alphabet.length)];
    return out;
  }
}

/** A fresh generator per purpose keeps outputs stable when unrelated data changes. */
export const rand = (...parts: (string | number)[]) => new Rand(parts.join("|"));

export const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
export const HEX = "0123456789abcdef";
export const B64URL = ALNUM + "-_";

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** Offset of `zone` from UTC at instant `t`, in minutes (east positive). */
const offsetFormats = new Map<string, Intl.DateTimeFormat>();

export function zoneOffset(t: Date, zone: string): number {
  let f = offsetFormats.get(zone);
  if (!f) offsetFormats.set(zone, (f = new Intl.DateTimeFormat("en-GB", { timeZone: zone, timeZoneName: "longOffset" })));
  const name = f.formatToParts(t).find((p) => p.type === "timeZoneName")?.value ?? "GMT";
  const m = /GMT([+-])(\d{2}):?(\d{2})?/.exec(name);
  if (!m) return 0;
  const v = Number(m[2]) * 60 + Number(m[3] ?? 0);
  return m[1] === "-" ? -v : v;
}

/** The UTC instant of a wall-clock time in `zone`. */
export function wallClock(y: number, mo: number, d: number, hh: number, mi: number, zone: string): Date {
  const naive = Date.UTC(y, mo - 1, d, hh, mi);
  let t = naive - zoneOffset(new Date(naive), zone) * MINUTE;
  t = naive - zoneOffset(new Date(t), zone) * MINUTE;
  return new Date(t);
}

interface Local {
  y: number;
  mo: number;
  d: number;
  hh: number;
  mi: number;
  ss: number;
  dow: number;
  off: number;
}
export function local(t: Date, zone: string): Local {
  const off = zoneOffset(t, zone);
  const s = new Date(t.getTime() + off * MINUTE);
  return {
    y: s.getUTCFullYear(), mo: s.getUTCMonth() + 1, d: s.getUTCDate(),
    hh: s.getUTCHours(), mi: s.getUTCMinutes(), ss: s.getUTCSeconds(), dow: s.getUTCDay(), off,
  };
}

function offText(min: number, colon: boolean): string {
  const a = Math.abs(min);
  return `${min < 0 ? "-" : "+"}${pad(Math.floor(a / 60))}${colon ? ":" : ""}${pad(a % 60)}`;
}

/** `2026-05-20T10:00:00+10:00` — how Google Calendar writes dateTime. */
export function rfc3339(t: Date, zone: string): string {
  const l = local(t, zone);
  return `${l.y}-${pad(l.mo)}-${pad(l.d)}T${pad(l.hh)}:${pad(l.mi)}:${pad(l.ss)}${offText(l.off, true)}`;
}

const WEEKDAY = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTH = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** RFC 5322 Date header, e.g. `Wed, 20 May 2026 10:00:07 +1000`. */
export function mailDate(t: Date, zone: string): string {
  const l = local(t, zone);
  return `${WEEKDAY[l.dow]}, ${l.d} ${MONTH[l.mo - 1]} ${l.y} ${pad(l.hh)}:${pad(l.mi)}:${pad(l.ss)} ${offText(l.off, false)}`;
}

/** Human form used in notice subjects, e.g. `Tue 19 May 2026 10am - 11am (AEST)`. */
export function noticeWhen(start: Date, end: Date, zone: string, zoneLabel: string): string {
  const h = (t: Date) => {
    const l = local(t, zone);
    const h12 = l.hh % 12 === 0 ? 12 : l.hh % 12;
    return `${h12}${l.mi ? `:${pad(l.mi)}` : ""}${l.hh < 12 ? "am" : "pm"}`;
  };
  const l = local(start, zone);
  return `${WEEKDAY[l.dow]} ${l.d} ${MONTH[l.mo - 1]} ${l.y} ${h(start)} - ${h(end)} (${zoneLabel})`;
}

/** `2026-05-20` of a local calendar date. */
export const ymd = (y: number, mo: number, d: number) => `${y}-${pad(mo)}-${pad(d)}`;

/** Graph's UTC form without a zone designator: `2026-03-16T08:30:00.0000000`. */
export const graphTime = (t: Date) => t.toISOString().slice(0, 19) + ".0000000";

/** ISO form without milliseconds: `2026-05-20T00:00:00Z`. */
export const isoSeconds = (t: Date) => t.toISOString().slice(0, 19) + "Z";

/** RFC 2047 B-encoded word for a UTF-8 display name. */
export const encodedWord = (text: string) => `=?UTF-8?B?${Buffer.from(text, "utf8").toString("base64")}?=`;

/** One address as it appears in a header: quoted when needed, encoded when not ASCII. */
export function headerAddress(name: string | undefined, email: string, style?: "encoded" | "bare"): string {
  if (!name || style === "bare") return email;
  if (style === "encoded" || /[^\x20-\x7e]/.test(name)) return `${encodedWord(name)} <${email}>`;
  if (/[(),.:;<>@[\]"\\]/.test(name)) return `"${name.replace(/(["\\])/g, "\\$1")}" <${email}>`;
  return `${name} <${email}>`;
}

export const escapeHtml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");

/** Deterministic bytes from a key (for ids), without external state. */
export function keyedBytes(key: string, n: number): Buffer {
  const r = rand("bytes", key);
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) out[i] = r.int(0, 255);
  return out;
}
export const base64url = (b: Buffer) => b.toString("base64").replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
