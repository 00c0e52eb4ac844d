export * from "./model";
export * from "./build";
export * from "./activity";
export * from "./send";
export * from "./render";
