/**
 * The Graph calls this adapter makes and the delegated permissions that grant each, from Microsoft's
 * permission map (packages/sandbox/official/microsoft/graph-permissions.json, checked by
 * packages/core/test/graph-permissions.test.ts). Graph answers both "your token lacks the permission"
 * and "access denied for another reason" (mailbox policy, conditional access, a locked mailbox) with
 * 403 ErrorAccessDenied: comparing the granted permissions with this table tells them apart.
 * Kept small on purpose: core never loads the 3 MB map.
 */
export const GRAPH_CALL_PERMISSIONS: Readonly<Record<string, readonly string[]>> = {
  "GET /me": ["User.Read", "User.ReadWrite", "User.ReadBasic.All", "User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"],
  "GET /me/mailboxsettings": ["MailboxSettings.Read", "MailboxSettings.ReadWrite"],
  "GET /me/mailfolders/{id}": ["Mail.ReadBasic", "Mail.Read", "Mail.ReadWrite"],
  "GET /me/mailfolders/{id}/messages": ["Mail.ReadBasic", "Mail.Read", "Mail.ReadWrite"],
  "GET /me/mailfolders/{id}/messages/delta": ["Mail.ReadBasic", "Mail.Read", "Mail.ReadWrite"],
  "GET /me/calendarview/delta": ["Calendars.ReadBasic", "Calendars.Read", "Calendars.ReadWrite"],
  "GET /me/events/{id}": ["Calendars.ReadBasic", "Calendars.Read"],
  "GET /me/messages/{id}": ["Mail.ReadBasic", "Mail.Read"],
  "POST /me/messages": ["Mail.ReadWrite"],
  "POST /me/messages/{id}/createreply": ["Mail.ReadWrite"],
  "POST /me/sendmail": ["Mail.Send"],
  "DELETE /me/messages/{id}": ["Mail.ReadWrite"],
};

/**
 * The table key of a request: method and the lower-cased path after the version, with key segments
 * as `{id}` (a well-known folder name like `sentitems` and `mailFolders('x')` forms included).
 * Undefined when the request is not one the table knows.
 */
export function graphCallKey(method: string, url: string): string | undefined {
  let path = url.replace(/^https?:\/\/[^/]+/i, "").split("?")[0]!;
  path = path.replace(/^\/(v1\.0|beta)(?=\/)/i, "").toLowerCase();
  // OData key syntax: mailFolders('sentitems') is mailFolders/sentitems.
  path = path.replace(/\(\s*'([^']*)'\s*\)/g, "/$1");
  const segments = path.split("/").filter(Boolean);
  for (const key of Object.keys(GRAPH_CALL_PERMISSIONS)) {
    const [m, p] = key.split(" ") as [string, string];
    if (m !== method.toUpperCase()) continue;
    const want = p.split("/").filter(Boolean);
    if (want.length === segments.length && want.every((w, i) => w === "{id}" || w === segments[i])) return key;
  }
  return undefined;
}

/** The permissions that grant a request (any one of them); undefined when the table does not know it. */
export function permissionsFor(method: string, url: string): readonly string[] | undefined {
  const key = graphCallKey(method, url);
  return key ? GRAPH_CALL_PERMISSIONS[key] : undefined;
}
