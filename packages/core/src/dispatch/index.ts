export * from "./due";
export * from "./job";
export * from "./batch";
