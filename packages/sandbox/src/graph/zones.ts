import { atWall, wallMs } from "@followthrough/core/time";
import { toIanaZone } from "@followthrough/core/zones";

/**
 * Time zones as Graph names them: an event's `dateTimeTimeZone` carries a wall time and a zone
 * (Windows names such as "Pacific Standard Time", or IANA ones), and a request's
 * `Prefer: outlook.timezone` asks for the zone its times come back in ("UTC assumed if absent":
 * microsoft-graph-docs api-reference/v1.0/api/event-delta.md; user-list-calendarview.md). The
 * adapter's own pieces do the work: core/zones toIanaZone (CLDR's Windows names) and core/time.
 */

/** The IANA zone a Graph zone name stands for; undefined for one neither Windows nor IANA knows. */
export function ianaOf(name: string | null | undefined): string | undefined {
  const n = (name ?? "").replace(/^"|"$/g, "").trim();
  if (!n || /^(utc|etc\/utc|gmt|coordinated universal time)$/i.test(n)) return "UTC";
  return toIanaZone(n);
}

/** The instant a wall time (`2026-05-16T09:00:00.0000000`) names in `zone`. */
export const zonedInstant = (wall: string, zone: string): number => atWall(wallMs(wall), zone);
