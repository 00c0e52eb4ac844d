/** Single-table definition and helpers for local DynamoDB engines. */
export * from "./table";
export * from "./local";
