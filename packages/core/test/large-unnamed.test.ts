import { expect, it } from "vitest";
import { mapGoogleEvent } from "@followthrough/core/google";
import { isLarge } from "@followthrough/core/inference";
import { mapGraphEvent } from "@followthrough/core/microsoft";

const owner = { email: "owner@acme.io", aliases: [], timeZone: "UTC" };
const named = (n: number) => Array.from({ length: n }, (_, i) => ({ email: `p${i}@ext.io`, responseStatus: "accepted" }));

it("entries without a usable address still count towards a large gathering (Google)", () => {
  const base = { id: "e", status: "confirmed", start: { dateTime: "2026-01-01T10:00:00Z" }, end: { dateTime: "2026-01-01T11:00:00Z" } };
  const withUnnamed = mapGoogleEvent({ ...base, attendees: [...named(20), ...Array.from({ length: 6 }, () => ({ displayName: "Guest", responseStatus: "accepted" }))] }, owner);
  expect(withUnnamed.attendees).toHaveLength(20);
  expect(isLarge(withUnnamed)).toBe(true);
  const withUnnamedRooms = mapGoogleEvent({ ...base, attendees: [...named(20), ...Array.from({ length: 6 }, () => ({ displayName: "Room", resource: true }))] }, owner);
  expect(isLarge(withUnnamedRooms)).toBe(false);
});

it("entries without a usable address still count towards a large gathering (Graph)", () => {
  const ev = (extra: object[]) =>
    mapGraphEvent(
      {
        id: "g",
        start: { dateTime: "2026-01-01T10:00:00.0000000", timeZone: "UTC" },
        end: { dateTime: "2026-01-01T11:00:00.0000000", timeZone: "UTC" },
        isOrganizer: true,
        attendees: [...named(25).map((a) => ({ type: "required", emailAddress: { address: a.email } })), ...extra],
      } as never,
      owner,
    );
  expect(isLarge(ev([]))).toBe(false);
  expect(isLarge(ev([{ type: "optional", emailAddress: { name: "someone" } }]))).toBe(true);
  expect(isLarge(ev([{ type: "resource", emailAddress: { name: "Room 1" } }]))).toBe(false);
});
