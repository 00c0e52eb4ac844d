/**
 * A stored meeting or message too large for one DynamoDB item as a map: a conference's thousands of
 * guests, a title or Subject of hundreds of KB. DynamoDB refuses an item over 400 KB
 * (docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html, "Item size"), and
 * one refused write failed the whole scan. Past {@link PACK_ABOVE_BYTES} of JSON the record is kept
 * gzipped in a binary attribute (`meetingZ`, `messageZ`) instead; attendee lists and repeated text
 * shrink five to ten times. Every read goes through {@link unpacked}.
 */
import { gunzipSync, gzipSync } from "node:zlib";

/** JSON larger than this is kept gzipped (an item's other attributes and names fit beside it). */
export const PACK_ABOVE_BYTES = 300_000;
/** The most a packed record may take: an item holds 400 KB with its key and other attributes. */
const PACKED_MAX_BYTES = 390_000;

/** The attribute(s) that hold `value` under `name`: the map itself, or `<name>Z` gzipped. */
export function packed(name: "meeting" | "message", id: string, value: object): Record<string, unknown> {
  const json = JSON.stringify(value);
  if (Buffer.byteLength(json) <= PACK_ABOVE_BYTES) return { [name]: value };
  const z = gzipSync(json);
  if (z.length > PACKED_MAX_BYTES) throw new Error(`${name} ${id.slice(0, 80)}: too large to store (${Math.round(z.length / 1024)} KB gzipped; an item holds 400 KB)`);
  return { [`${name}Z`]: z };
}

/** The record under `name` of a stored item, packed or not; undefined when it has none. */
export function unpacked<T>(item: Record<string, unknown> | undefined, name: "meeting" | "message"): T | undefined {
  if (!item) return undefined;
  if (item[name] !== undefined) return item[name] as T;
  const z = item[`${name}Z`];
  return z instanceof Uint8Array ? (JSON.parse(gunzipSync(z).toString("utf8")) as T) : undefined;
}
