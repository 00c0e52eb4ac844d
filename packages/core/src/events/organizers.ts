import type { EventPlatform } from "../model";

/**
 * Organiser addresses of the platforms' own invitations (normalised). Not persons. A module of its
 * own: the rules read it, and importing ./platform for it would bring that module's HTML entity
 * decoder (the `entities` table, 39 KiB) into every bundle that only applies the rules (the API).
 */
export const PLATFORM_ORGANIZERS: ReadonlyMap<string, EventPlatform> = new Map([
  ["calendar-invite@lu.ma", "luma"],
  ["info@meetup.com", "meetup"],
]);
