import type { Message as GraphMessage, Recipient } from "@microsoft/microsoft-graph-types";
import PostalMime from "postal-mime";

/**
 * Reads the MIME form of POST /me/sendMail (Content-Type text/plain, body = base64 of an RFC 822
 * message) into a Graph message, keeping its headers as `internetMessageHeaders` but Auto-Submitted,
 * which Exchange strips even from a MIME submission (microsoftgraph/msgraph-sdk-dotnet#2209, as
 * redaxo/core#6590 found; helper-243 #2). Whether it keeps List-Unsubscribe there is not documented
 * (docs/provider-quirks.md): kept here, unverified.
 */
export async function graphMessageFromMime(base64: string): Promise<{ message: GraphMessage; raw: string }> {
  const raw = Buffer.from(base64.trim(), "base64").toString("utf8");
  if (!/^[\x21-\x39\x3b-\x7e]+:/m.test(raw)) throw new Error("not a MIME message");
  const email = await PostalMime.parse(raw);
  const rcpt = (list: { address?: string; name?: string }[] | undefined): Recipient[] =>
    (list ?? []).filter((a) => a.address).map((a) => ({ emailAddress: { address: a.address, name: a.name || a.address } }));
  const message: GraphMessage = {
    subject: email.subject ?? "",
    toRecipients: rcpt(email.to as { address?: string; name?: string }[] | undefined),
    ccRecipients: rcpt(email.cc as { address?: string; name?: string }[] | undefined),
    bccRecipients: rcpt(email.bcc as { address?: string; name?: string }[] | undefined),
    body: email.html ? { contentType: "html", content: email.html } : { contentType: "text", content: email.text ?? "" },
    internetMessageId: email.messageId,
    internetMessageHeaders: email.headers.filter((h) => h.key !== "auto-submitted").map((h) => ({ name: h.originalKey ?? h.key, value: h.value })),
  };
  return { message, raw };
}
