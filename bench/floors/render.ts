/**
 * Floor of the digest: one small email of React Email's components, rendered as the worker renders
 * its digest (React's renderToStaticMarkup under the XHTML doctype, core/digest/render.tsx; until
 * 2026-11-30 both used React Email's render(), which the floor also ran a second time for plain text).
 */
import { Body } from "@react-email/body";
import { Html } from "@react-email/html";
import { Text } from "@react-email/text";
import { createElement as h } from "react";
import { renderToStaticMarkup } from "react-dom/server";

export async function renderDigest(): Promise<{ html: string; text: string }> {
  const email = h(Html, null, h(Body, null, h(Text, null, "Your week: 3 new people, 1 follow-up")));
  return { html: `<!DOCTYPE html>${renderToStaticMarkup(email)}`, text: "Your week: 3 new people, 1 follow-up" };
}

/**
 * The floor's email, as many bytes as the handler's own send of the same run (FLOOR_SEND_BYTES, read by
 * bench/handlers.ts from the sandbox after the handler's traced run): the same call carries the same
 * request, so the provider's (here the sandbox's, in the bench's own process) reading of the handler's
 * larger message is not counted as the handler's start. Filled with lines of 76 bytes (RFC 5322's
 * limit is 998). Until 2026-12-03 the floor sent its few hundred bytes against the worker's 15–25 KB.
 */
export function rawMail(from: string, html: string): string {
  const raw = [`From: ${from}`, `To: ${from}`, "Subject: Your week", "MIME-Version: 1.0", "Content-Type: text/html; charset=utf-8", "", html].join("\r\n");
  const missing = Number(process.env.FLOOR_SEND_BYTES ?? 0) - Buffer.byteLength(raw) - 2;
  if (missing <= 0) return raw;
  const line = `${"x".repeat(74)}\r\n`;
  return `${raw}\r\n${line.repeat(Math.floor(missing / line.length))}${"x".repeat(missing % line.length)}`;
}
