export * from "./model";
export * from "./build";
export * from "./send";
export * from "./render";
