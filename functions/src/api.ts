import { Hono } from "hono";
import { handle } from "hono/aws-lambda";

/** The HTTP app; it grows routes as the service does (connect, one-tap links, settings). */
export const app = new Hono();
app.get("/health", (c) => c.json({ ok: true }));

/** Lambda entry point (Function URL / API Gateway events). */
export const handler = handle(app);
