/**
 * Floor of the digest: one small email of React Email's components, rendered as the worker renders
 * its digest (React's renderToStaticMarkup under the XHTML doctype, core/digest/render.tsx; until
 * 2026-11-30 both used React Email's render(), which the floor also ran a second time for plain text).
 */
import { Body, Html, Text } from "@react-email/components";
import { createElement as h } from "react";
import { renderToStaticMarkup } from "react-dom/server";

export async function renderDigest(): Promise<{ html: string; text: string }> {
  const email = h(Html, null, h(Body, null, h(Text, null, "Your week: 3 new people, 1 follow-up")));
  return { html: `<!DOCTYPE html>${renderToStaticMarkup(email)}`, text: "Your week: 3 new people, 1 follow-up" };
}

export function rawMail(from: string, html: string): string {
  return [`From: ${from}`, `To: ${from}`, "Subject: Your week", "MIME-Version: 1.0", "Content-Type: text/html; charset=utf-8", "", html].join("\r\n");
}
