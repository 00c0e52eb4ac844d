export * from "./table";
export * from "./local";
export * from "./keys";
export * from "./repo";
export * from "./synced";
export { packed, unpacked, PACK_ABOVE_BYTES } from "./packed";
