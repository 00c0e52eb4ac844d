export * from "./errors";
export * from "./clock";
export * from "./retry";
export * from "./pacer";
