/** Floor of the digest: one React Email render of a small email. */
import { Body, Html, Text } from "@react-email/components";
import { render } from "@react-email/render";
import { createElement as h } from "react";

export async function renderDigest(): Promise<{ html: string; text: string }> {
  const email = h(Html, null, h(Body, null, h(Text, null, "Your week: 3 new people, 1 follow-up")));
  return { html: await render(email), text: await render(email, { plainText: true }) };
}

export function rawMail(from: string, html: string): string {
  return [`From: ${from}`, `To: ${from}`, "Subject: Your week", "MIME-Version: 1.0", "Content-Type: text/html; charset=utf-8", "", html].join("\r\n");
}
