import { control as callControl } from "./control";
import type { Client, GraphError } from "@microsoft/microsoft-graph-client";
import type { MailboxFixture } from "../src/index";

/** A Graph collection page. */
export interface Page<T> {
  value: T[];
  "@odata.nextLink"?: string;
  "@odata.deltaLink"?: string;
}

/** Follows @odata.nextLink from `first` until the last page; returns all items, the page count and the final deltaLink. */
export async function collect<T = Record<string, unknown>>(client: Client, first: Page<T> | Promise<Page<T>>) {
  let page = await first;
  const items = [...page.value];
  let pages = 1;
  while (page["@odata.nextLink"]) {
    page = (await client.api(page["@odata.nextLink"]).get()) as Page<T>;
    items.push(...page.value);
    pages++;
  }
  return { items, pages, deltaLink: page["@odata.deltaLink"] };
}

/** Awaits a promise that must reject with a GraphError; returns the error. */
export async function graphFailure(p: Promise<unknown>): Promise<GraphError> {
  try {
    await p;
  } catch (e) {
    return e as GraphError;
  }
  throw new Error("expected the Graph call to fail");
}

/** Posts JSON to the sandbox control API and returns the parsed answer (body first, as the Graph tests write it). */
export const control = (url: string, path: string, body?: unknown, method = "POST"): Promise<any> => callControl(url, path, method, body);

/** A small Outlook mailbox built in code, for tests that must run without ../shared. */
export function tinyOutlook(email = "ana@contoso.example"): MailboxFixture {
  const msg = (i: number, folder: string) => ({
    "@odata.etag": `W/"ck${folder}${i}"`,
    id: `AAMk${folder}${i}=`,
    receivedDateTime: `2026-05-${String(i + 1).padStart(2, "0")}T09:00:00Z`,
    sentDateTime: `2026-05-${String(i + 1).padStart(2, "0")}T08:59:00Z`,
    subject: `${folder} ${i}`,
    isDraft: false,
    from: { emailAddress: { name: "Bo", address: "bo@fabrikam.example" } },
    toRecipients: [{ emailAddress: { name: "Ana", address: email } }],
  });
  const ev = (i: number) => ({
    "@odata.etag": `W/"ev${i}"`,
    id: `AAMkEvent${i}=`,
    subject: `Meeting ${i}`,
    isCancelled: false,
    start: { dateTime: `2026-05-${String(i + 1).padStart(2, "0")}T10:00:00.0000000`, timeZone: "UTC" },
    end: { dateTime: `2026-05-${String(i + 1).padStart(2, "0")}T11:00:00.0000000`, timeZone: "UTC" },
    attendees: [{ type: "required", status: { response: "accepted", time: "2026-04-01T00:00:00Z" }, emailAddress: { name: "Bo", address: "bo@fabrikam.example" } }],
  });
  return {
    dir: "(in code)",
    account: { provider: "microsoft", email, aliases: ["ana.alias@contoso.example"], displayName: "Ana Torres", timeZone: "Europe/Madrid" },
    microsoft: {
      inbox: Array.from({ length: 12 }, (_, i) => msg(i, "inbox")),
      sentitems: Array.from({ length: 5 }, (_, i) => msg(i, "sent")),
      events: Array.from({ length: 9 }, (_, i) => ev(i)) as never,
    },
  };
}
