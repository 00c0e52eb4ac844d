import { findIana } from "windows-iana";

/**
 * Time zones as Graph names them: an event's `dateTimeTimeZone` carries a wall time and a zone
 * (Windows names such as "Pacific Standard Time", or IANA ones), and a request's
 * `Prefer: outlook.timezone` asks for the zone its times come back in ("UTC assumed if absent":
 * microsoft-graph-docs api-reference/v1.0/api/event-delta.md; user-list-calendarview.md).
 */

/** The IANA zone a Graph zone name stands for; undefined for one neither Windows nor IANA knows. */
export function ianaOf(name: string | null | undefined): string | undefined {
  const n = (name ?? "").replace(/^"|"$/g, "").trim();
  if (!n || /^(utc|etc\/utc|gmt|coordinated universal time)$/i.test(n)) return "UTC";
  const windows = findIana(n)?.[0];
  if (windows) return windows;
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: n }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

const parts = (t: number, zone: string) => {
  const f = new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" });
  const p = Object.fromEntries(f.formatToParts(t).map((x) => [x.type, x.value]));
  return { y: Number(p.year), mo: Number(p.month), d: Number(p.day), h: Number(p.hour), mi: Number(p.minute), s: Number(p.second) };
};

/** How far `zone`'s clock is ahead of UTC at the instant `t` (ms). */
function offsetAt(t: number, zone: string): number {
  const p = parts(t, zone);
  return Date.UTC(p.y, p.mo - 1, p.d, p.h, p.mi, p.s) - Math.floor(t / 1000) * 1000;
}

/** The instant a wall time (`2026-05-16T09:00:00.0000000`) names in `zone`. */
export function zonedInstant(wall: string, zone: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?$/.exec(wall);
  if (!m) return Date.parse(`${wall}Z`);
  const ms = Number((m[7] ?? "0").padEnd(3, "0").slice(0, 3));
  const asUtc = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0), ms);
  if (zone === "UTC") return asUtc;
  const first = asUtc - offsetAt(asUtc, zone);
  const second = asUtc - offsetAt(first, zone);
  return second;
}

/** The wall time in `zone` at the instant `t`, as Graph writes it (`2026-05-16T09:00:00.0000000`). */
export function wallIn(t: number, zone: string): string {
  const p = parts(t, zone);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${p.y}-${two(p.mo)}-${two(p.d)}T${two(p.h)}:${two(p.mi)}:${two(p.s)}.0000000`;
}
