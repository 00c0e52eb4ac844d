// `node --import` this file: records the URL of every module file the process loads (FT_TRACE_OUT).
import { register } from "node:module";

register(new URL("./lambda-trace-hooks.mjs", import.meta.url), { data: { out: process.env.FT_TRACE_OUT } });
