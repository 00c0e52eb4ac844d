/**
 * Where the providers' official files (packages/sandbox/official/) are silent or older than the
 * service, the sandbox follows the provider's documentation page instead. Every exception lives in
 * this one table, with its source; docs/provider-quirks.md ("Where the official files are silent or
 * older than the service") explains each one and names the test that holds it.
 */

const GMAIL_METADATA = "https://www.googleapis.com/auth/gmail.metadata";

export const exceptions = {
  /**
   * Graph paths the permission map does not list, answered with the permissions of the path the
   * documentation page names as the same API. The map lists `/me/calendar/calendarview` (the default
   * calendar) and `/me/calendarview/delta`, but not `/me/calendarview`, which "List calendarView"
   * documents for the user's default calendar with the same permissions (Calendars.ReadBasic,
   * Calendars.Read, Calendars.ReadWrite).
   * Source: learn.microsoft.com/graph/api/user-list-calendarview
   */
  graphSameAs: [{ method: "GET", path: "/me/calendarview", sameAs: "/me/calendar/calendarview", source: "learn.microsoft.com/graph/api/user-list-calendarview" }],

  /**
   * Enum values the service accepts that the discovery document (Calendar revision 20240111)
   * predates: events.list `eventTypes` also takes `birthday` and `fromGmail`.
   * Source: developers.google.com/calendar/api/v3/reference/events/list, developers.google.com/calendar/api/guides/event-types
   */
  enumAdditions: {
    "calendar.events.list": { eventTypes: ["birthday", "fromGmail"] },
  } as Record<string, Record<string, string[]>>,

  /**
   * Sign-in scopes: they let the client sign the user in (OpenID Connect) or get a refresh token,
   * and authorise no resource call, so they never satisfy a route. Neither file lists them.
   * Source: learn.microsoft.com/entra/identity-platform/scopes-oidc#openid-connect-scopes,
   * developers.google.com/identity/protocols/oauth2/scopes#oauth2 (openid, email, profile)
   */
  signInScopes: ["openid", "profile", "email", "offline_access", "https://www.googleapis.com/auth/userinfo.email", "https://www.googleapis.com/auth/userinfo.profile"],

  /**
   * A token holding gmail.metadata is refused `q` and the FULL/RAW formats (403 forbidden), even when
   * it also holds a broader scope: Google checks the narrowest scope. The discovery document does not
   * say so; Google's scope page and the messages.list reference do, and the combination is a known
   * issue (issuetracker.google.com/issues/115621456, googleapis/google-api-python-client issue 582).
   * Source: developers.google.com/gmail/api/auth/scopes, developers.google.com/gmail/api/reference/rest/v1/users.messages/list
   */
  gmailMetadata: { scope: GMAIL_METADATA, refusedParams: ["q"], refusedFormats: ["full", "raw"] },
};

/** True when the grant holds gmail.metadata, whatever else it holds. */
export function holdsGmailMetadata(scopes: readonly string[]): boolean {
  return scopes.includes(exceptions.gmailMetadata.scope);
}

/** A grant's scopes without the sign-in ones, which authorise no resource. */
export function resourceScopes(scopes: readonly string[]): string[] {
  const signIn = new Set(exceptions.signInScopes.map((s) => s.toLowerCase()));
  return scopes.filter((s) => !signIn.has(s.toLowerCase()));
}
