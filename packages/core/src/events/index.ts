/** Networking events (shared/spec/events.md): the rules, the platforms, and the owner's statements. */
export * from "./rules";
export * from "./platform";
export * from "./statements";
export * from "./due";
export * from "./plan";
