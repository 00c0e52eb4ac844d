import { gmail, type gmail_v1 } from "@googleapis/gmail";
import { OAuth2Client } from "google-auth-library";
import type { MailboxFixture } from "../src/fixtures";

import { control } from "./control";
export { control };

/** An access token for an account from the control API: the scopes our connect requests, or `scopes`. */
export async function tokenFor(url: string, email: string, scopes?: string[]): Promise<string> {
  const t = await control(url, `/accounts/${encodeURIComponent(email)}/tokens`, "POST", { clientId: "gmail-tests", scopes });
  return t.access_token as string;
}

/**
 * A Gmail client (the real library) using an access token. `retry: false` turns gaxios' retries off
 * for every call.
 */
export function gmailClient(url: string, accessToken: string, opts: { retry?: boolean } = {}): gmail_v1.Gmail {
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: accessToken });
  return gmail({ version: "v1", auth, rootUrl: `${url}/`, ...(opts.retry === false ? { retry: false } : {}) });
}

/** Every page of a messages.list query; returns the pages. */
export async function listPages(g: gmail_v1.Gmail, params: gmail_v1.Params$Resource$Users$Messages$List): Promise<gmail_v1.Schema$ListMessagesResponse[]> {
  const pages: gmail_v1.Schema$ListMessagesResponse[] = [];
  let pageToken: string | undefined;
  do {
    const res = await g.users.messages.list({ userId: "me", ...params, pageToken });
    pages.push(res.data);
    pageToken = res.data.nextPageToken ?? undefined;
  } while (pageToken);
  return pages;
}

/** Every page of a history.list query. */
export async function historyPages(g: gmail_v1.Gmail, params: gmail_v1.Params$Resource$Users$History$List): Promise<gmail_v1.Schema$ListHistoryResponse[]> {
  const pages: gmail_v1.Schema$ListHistoryResponse[] = [];
  let pageToken: string | undefined;
  do {
    const res = await g.users.history.list({ userId: "me", ...params, pageToken });
    pages.push(res.data);
    pageToken = res.data.nextPageToken ?? undefined;
  } while (pageToken);
  return pages;
}

/** base64url of a string, as Gmail's `raw` wants it. */
export const b64url = (s: string) => Buffer.from(s, "utf8").toString("base64url");

/** The rejection of a promise (fails the test when it resolves). */
export async function rejection(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("expected the call to fail");
}

/** A small in-memory Google mailbox (no shared fixtures needed): `n` inbox messages a minute apart. */
export function tinyMailbox(n = 10, email = "ada@example.org"): MailboxFixture {
  const t0 = Date.parse("2026-03-02T09:00:00Z");
  const messages: gmail_v1.Schema$Message[] = Array.from({ length: n }, (_, i) => {
    const at = t0 + i * 60_000;
    const id = ((BigInt(at) << 20n) | BigInt(i)).toString(16);
    return {
      id,
      threadId: id,
      labelIds: i % 3 === 0 ? ["SENT"] : ["INBOX"],
      snippet: `message ${i}`,
      payload: {
        partId: "",
        mimeType: "text/plain",
        filename: "",
        headers: [
          { name: "From", value: i % 3 === 0 ? `Ada <${email}>` : `"Doe, Jane" <jane${i}@example.com>` },
          { name: "To", value: i % 3 === 0 ? `jane${i}@example.com` : email },
          { name: "Subject", value: `Hello ${i}` },
          { name: "Date", value: new Date(at).toUTCString() },
        ],
      },
      sizeEstimate: 500 + i,
      historyId: String(5000 + i * 10),
      internalDate: String(at),
    };
  });
  return {
    dir: "(memory)",
    account: { provider: "google", email, aliases: ["ada.l@example.org"], displayName: "Ada Lovelace", timeZone: "Europe/London" },
    google: { messages, events: [] },
  };
}
