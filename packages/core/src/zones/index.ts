/**
 * Provider zone names to IANA zones: Outlook's mailbox settings and Graph's events may name a
 * Windows zone ("Pacific Standard Time"), mapped through ./windows.ts, a table of 139 names (≈ 6 KiB
 * minified) generated from CLDR's mapping as windows-iana packages it (packages/core/scripts/
 * windows-zones.ts; windows-iana itself, 77 KiB minified, is a devDependency and is not bundled).
 * A module of its own, apart from core/time, which every handler imports: only the Graph adapter
 * imports this one, so in a split bundle the table loads with the Microsoft chunk and no other
 * handler or Google account's run parses it (a re-export from core/time would put it back in every
 * start: esbuild places modules, not exports, in chunks).
 */
import { atWall, hasOffset, isZone, wallMs } from "../time";
import { WINDOWS_ZONES } from "./windows";

/** Parses a provider date-time: ISO with offset or Z, or Graph's offset-less UTC ("2026-03-16T08:30:00.0000000"). */
export function parseInstant(value: string | null | undefined, zoneOfNaive = "UTC"): number {
  if (!value) return Number.NaN;
  if (hasOffset(value)) return Date.parse(value);
  const utc = wallMs(value);
  const zone = zoneOfNaive === "UTC" ? undefined : toIanaZone(zoneOfNaive);
  if (!zone) return utc;
  // As core/google reads an offset-less time in its zone (core/time atWall): a wall time the clocks
  // show twice is the earlier, one they skip is read with the offset before the change. The offset
  // of the offset's instant read a skipped time with the offset after it: 00:30 on the Azores'
  // Sunday without a midnight (29 March 2026) was 23:30 on the Saturday, 02:30 on New York's
  // spring-forward day 01:30 EST. (Not reached while Graph honours the adapter's Prefer
  // outlook.timezone="UTC", which its events endpoints do; a caller naming a zone gets it right.)
  return atWall(utc, zone);
}

/**
 * An IANA zone for a provider's zone name: IANA names pass through; Windows names, which Outlook
 * mailbox settings and Graph events use ("Pacific Standard Time"), map through CLDR's table (exact,
 * case-sensitive names, as windows-iana's findIana matches them). Undefined when neither (e.g.
 * "tzone://Microsoft/Custom"), or when this runtime does not know the table's zone.
 */
export function toIanaZone(name: string | null | undefined): string | undefined {
  if (!name) return undefined;
  if (isZone(name)) return name;
  const zone = Object.hasOwn(WINDOWS_ZONES, name) ? WINDOWS_ZONES[name] : undefined;
  return zone && isZone(zone) ? zone : undefined;
}

