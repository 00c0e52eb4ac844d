/**
 * Networking events (shared/spec/events.md): the rules and the owner's statements. The platforms'
 * recognisers (./platform, with the `entities` HTML decoder) are imported by the provider mappers
 * directly, not re-exported here, so a bundle that only applies the rules (the API's pages) neither
 * deploys nor loads the decoder's table at its start.
 */
export * from "./rules";
export { PLATFORM_ORGANIZERS } from "./organizers";
export * from "./statements";
export * from "./due";
export * from "./plan";
