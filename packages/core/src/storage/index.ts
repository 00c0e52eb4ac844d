export * from "./table";
export * from "./local";
export * from "./keys";
export * from "./repo";
export * from "./synced";
