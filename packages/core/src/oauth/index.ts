import { ProviderError } from "../resilience";

/** Least-privilege Google scopes: headers only, drafts, calendar metadata. */
export const GOOGLE_SCOPES = [
  "openid",
  "https://www.googleapis.com/auth/gmail.metadata",
  "https://www.googleapis.com/auth/gmail.compose",
  "https://www.googleapis.com/auth/calendar.readonly",
];

/**
 * Least-privilege Microsoft Graph scopes: openid and profile (who you are, to check a later sign-in
 * against: the ID token's object id, `oid`, comes only with profile, learn.microsoft.com/entra/
 * identity-platform/id-token-claims-reference; helper-182 #1), offline_access (a refresh token),
 * User.Read (address and aliases), MailboxSettings.Read (the owner's time zone), Mail.ReadBasic
 * (sent-mail headers), Mail.ReadWrite (creating drafts), Mail.Send (the digest), Calendars.Read.
 */
export const MICROSOFT_SCOPES = ["openid", "profile", "offline_access", "User.Read", "MailboxSettings.Read", "Mail.ReadBasic", "Mail.ReadWrite", "Mail.Send", "Calendars.Read"];

/**
 * Microsoft's sign-in scopes (OpenID Connect's, and offline_access): they authorise no Graph call,
 * and Entra grants them without naming them in a token answer's `scope` (learn.microsoft.com/entra/
 * identity-platform/v2-oauth2-auth-code-flow).
 */
export const MICROSOFT_SIGN_IN_SCOPES: readonly string[] = ["openid", "profile", "email", "offline_access"];

/**
 * What a sign-in alone asks (settings: managing or disconnecting an account): enough to say who
 * signed in, the ID token's `sub` on Google, its `oid` and `tid` on Microsoft, which need `profile`.
 */
export const SIGN_IN_SCOPES = { google: ["openid"], microsoft: ["openid", "profile"] } as const;

/** What one requested scope lets any app do, and what we do with it, in plain words (connect page, CLI). */
export interface ScopeWords {
  scope: string;
  /** The short name people see. */
  label: string;
  /** What the permission allows, stated as broadly as it really is. */
  allows: string;
  /** What Followthrough uses it for (and does not). */
  use: string;
}

const G = "https://www.googleapis.com/auth/";

/** Every scope of {@link GOOGLE_SCOPES} and {@link MICROSOFT_SCOPES}, in the same order. */
export const SCOPE_WORDS: Record<"google" | "microsoft", ScopeWords[]> = {
  google: [
    {
      scope: "openid",
      label: "openid",
      allows: "Sign you in: tells the app a fixed identifier of your account, nothing else.",
      use: "We keep that identifier so that disconnecting or deleting your data later needs you to sign in again with this same account.",
    },
    {
      scope: `${G}gmail.metadata`,
      label: "gmail.metadata",
      allows: "Read the headers and labels of your mail (senders, recipients, subjects, dates). It gives no access to message bodies or attachments.",
      use: "We read the headers of the mail you sent: who you wrote to and when, and which addresses you send from; and who sent each message of your last 45 days of Inbox, to find mail you sent from elsewhere. Of the Inbox we keep only those. When a follow-up draft we made has left your Drafts, we look at the labels and dates of its conversation to see whether you sent it.",
    },
    {
      scope: `${G}gmail.compose`,
      label: "gmail.compose",
      allows: "Create, read, change and delete drafts, and send email as you.",
      use: "We create a follow-up draft when you tap a button in your digest (and delete a duplicate of it we made ourselves, should a slow connection make two), and send your weekly digest to you alone. Drafts wait in your Drafts folder; we never send them.",
    },
    {
      scope: `${G}calendar.readonly`,
      label: "calendar.readonly",
      allows: "See every event of every calendar you can access, and your calendar settings.",
      use: "We see which meetings you attended and who was in them, and your calendar's time zone (when your digest arrives).",
    },
  ],
  microsoft: [
    {
      scope: "openid",
      label: "openid",
      allows: "Sign you in: tells the app a fixed identifier of your account, nothing else.",
      use: "We keep that identifier so that disconnecting or deleting your data later needs you to sign in again with this same account.",
    },
    {
      scope: "profile",
      label: "profile",
      allows: "Tells the app your name, your username and your account's identifier in its directory.",
      use: "The directory identifier goes with openid: we keep it to check that a later sign-in is yours. Your name and username are not kept from it.",
    },
    {
      scope: "offline_access",
      label: "offline_access",
      allows: "Keep the access you gave without you signing in again.",
      use: "The weekly scan runs while you are away.",
    },
    {
      scope: "User.Read",
      label: "User.Read",
      allows: "Sign you in and read your profile (name, address, the other addresses of your account) and basic information about your organisation.",
      use: "We learn your address, name and the other addresses you send from.",
    },
    {
      scope: "MailboxSettings.Read",
      label: "MailboxSettings.Read",
      allows: "Read your mailbox settings: time zone, language, working hours and automatic replies.",
      use: "We read only your time zone, so your digest and event emails arrive in the morning where you are.",
    },
    {
      scope: "Mail.ReadBasic",
      label: "Mail.ReadBasic",
      allows: "Read your mail without its body, preview or attachments (senders, recipients, subjects, dates).",
      use: "We read who you wrote to and when, in your Sent Items, and who sent each message in your Inbox, to find mail you sent from elsewhere; of the Inbox we keep only those. When a follow-up draft we made has left your Drafts, we look whether you sent it.",
    },
    {
      scope: "Mail.ReadWrite",
      label: "Mail.ReadWrite",
      allows: "Read, create, change and delete your mail, bodies included.",
      use: "We use it only to create follow-up drafts when you tap a button, to find those drafts again by a tag we put on them (in your Drafts, or in Sent Items once you have sent one), and to delete a duplicate of such a draft that we made ourselves. We do not read message bodies, and we never change or delete anything else.",
    },
    {
      scope: "Mail.Send",
      label: "Mail.Send",
      allows: "Send email as you.",
      use: "We send your weekly digest to you alone, from your own mailbox.",
    },
    {
      scope: "Calendars.Read",
      label: "Calendars.Read",
      allows: "Read the events of your calendars.",
      use: "We see which meetings you attended and who was in them.",
    },
  ],
};

const GRAPH_PREFIX = /^https:\/\/graph\.microsoft\.com\//i;

/** A scope in comparison form: Graph's resource prefix dropped, Microsoft scopes case-insensitive. */
export function scopeKey(provider: "google" | "microsoft", scope: string): string {
  return provider === "microsoft" ? scope.replace(GRAPH_PREFIX, "").toLowerCase() : scope;
}

/** The scopes of a token response's `scope` (space-separated); undefined when the response has none. */
export function parseScopes(scope: string | undefined | null): string[] | undefined {
  const list = (scope ?? "").split(/\s+/).filter(Boolean);
  return list.length ? list : undefined;
}

/**
 * The requested scopes a grant lacks. Google lists the granted scopes in the token response's `scope`
 * (with granular consent a person can untick some); Microsoft lists the permissions the token carries,
 * which a tenant policy can narrow. A response without `scope` granted what was asked (RFC 6749 §5.1).
 * Microsoft's `offline_access` is shown by the refresh token, not always by `scope`: pass `hasRefreshToken`.
 */
export function missingScopes(provider: "google" | "microsoft", granted: string | string[] | undefined, o: { hasRefreshToken?: boolean; hasIdToken?: boolean } = {}): string[] {
  const list = Array.isArray(granted) ? granted : parseScopes(granted);
  if (!list) return [];
  const have = new Set(list.map((s) => scopeKey(provider, s)));
  const wanted = provider === "google" ? GOOGLE_SCOPES : MICROSOFT_SCOPES;
  return wanted.filter((s) => {
    if (provider === "microsoft" && s === "offline_access" && o.hasRefreshToken) return false;
    // Entra does not echo sign-in scopes in `scope` (learn.microsoft.com/entra/identity-platform/
    // v2-oauth2-auth-code-flow: its answers list the resource's scopes only); the ID token that says
    // who signed in shows openid (and, on Microsoft, profile: its object id) was granted.
    if ((s === "openid" || (provider === "microsoft" && s === "profile")) && o.hasIdToken) return false;
    return !have.has(scopeKey(provider, s));
  });
}

/** One sentence naming the missing permissions and why each is needed (connect page and CLI). */
export function missingScopesMessage(provider: "google" | "microsoft", missing: string[]): string {
  const name = provider === "google" ? "Google" : "Microsoft";
  const words = missing.map((s) => {
    const w = SCOPE_WORDS[provider].find((x) => scopeKey(provider, x.scope) === scopeKey(provider, s));
    return w ? `${w.label} (${w.use.replace(/\.$/, "")})` : s;
  });
  return `${name} did not grant ${missing.length === 1 ? "a permission" : "permissions"} Followthrough needs, so nothing was stored: ${words.join("; ")}. Connect again and leave ${missing.length === 1 ? "it" : "every permission"} ticked.`;
}

/** OAuth endpoints of a provider. */
export interface OAuthEndpoints {
  authorizeUrl: string;
  tokenUrl: string;
  revokeUrl?: string;
  /**
   * The issuer the provider names in its authorization response (`iss`, RFC 9207) when it does: a
   * callback naming another is refused. One naming none is taken: Google sends it to some people and
   * not others (openiddict/openiddict-core#2428, 2026; its discovery document does not say it does),
   * and a callback refused for lacking it could never connect (helper-182 #3). Each provider answers
   * at a redirect URI of its own, with the pending sign-in bound to it, which is the mix-up defence
   * RFC 9207 names for clients that cannot rely on `iss`.
   */
  issuer?: string;
  /** The ID token issuer per tenant (Microsoft's common endpoint): `{tenantid}` stands for the token's `tid`. */
  issuerTemplate?: string;
  /**
   * Another `iss` the provider's ID tokens may carry for the same issuer: Google's reference says
   * "https://accounts.google.com or accounts.google.com" (developers.google.com/identity/openid-connect/openid-connect).
   */
  idTokenIssuerAlso?: string;
}

/** Google's endpoints, or the sandbox's at `base`. */
export function googleEndpoints(base?: string): OAuthEndpoints {
  // Google's authorization redirect may carry iss=https://accounts.google.com (the sandbox's always does).
  const issuer = "https://accounts.google.com";
  // Its ID tokens may name it without the scheme (OpenID Connect Core 15.6.2).
  const idTokenIssuerAlso = "accounts.google.com";
  if (!base) return { authorizeUrl: "https://accounts.google.com/o/oauth2/v2/auth", tokenUrl: "https://oauth2.googleapis.com/token", revokeUrl: "https://oauth2.googleapis.com/revoke", issuer, idTokenIssuerAlso };
  const b = base.replace(/\/$/, "");
  return { authorizeUrl: `${b}/google/o/oauth2/v2/auth`, tokenUrl: `${b}/google/token`, revokeUrl: `${b}/google/revoke`, issuer, idTokenIssuerAlso };
}

/** Microsoft identity platform endpoints (tenant "common" by default), or the sandbox's at `base`. */
export function microsoftEndpoints(base?: string, tenant = "common"): OAuthEndpoints {
  const b = (base ?? "https://login.microsoftonline.com").replace(/\/$/, "");
  const root = base ? `${b}/microsoft` : b;
  const prefix = `${root}/${tenant}`;
  const tokenUrl = `${prefix}/oauth2/v2.0/token`;
  return { authorizeUrl: `${prefix}/oauth2/v2.0/authorize`, tokenUrl, issuerTemplate: microsoftIssuerTemplate(tokenUrl) };
}

/**
 * The endpoints of a stored Microsoft account (its token and authorize URLs, as connected), with the
 * ID token issuer its token endpoint's answers are checked against. A refresh's answer carries an ID
 * token too (core/grants), so the template must come with the stored URLs.
 */
export function microsoftStoredEndpoints(tokenUrl: string, authorizeUrl = tokenUrl): OAuthEndpoints {
  const issuerTemplate = microsoftIssuerTemplate(tokenUrl);
  return { tokenUrl, authorizeUrl, ...(issuerTemplate ? { issuerTemplate } : {}) };
}

/**
 * The endpoints a stored Microsoft account's grant is refreshed at (its stored URLs, else the common
 * endpoint's), with the ID token issuer pinned to the account's own tenant when its identity names
 * one (`identityKey`: `microsoft:{tid}:{oid}`): a refreshed ID token must name the issuer of the
 * original (OpenID Connect Core 12.2), so one of another tenant is refused (helper-181 #3).
 */
export function microsoftAccountEndpoints(stored: { tokenUrl?: string; authorizeUrl?: string } | undefined, identity?: string): OAuthEndpoints {
  const base = stored?.tokenUrl ? microsoftStoredEndpoints(stored.tokenUrl, stored.authorizeUrl) : microsoftEndpoints();
  const tid = microsoftTenantOf(identity);
  return tid && base.issuerTemplate ? { ...base, issuerTemplate: base.issuerTemplate.replace("{tenantid}", tid.toLowerCase()) } : base;
}

/**
 * The ID token issuer of a Microsoft v2 token endpoint (`…/{tenant}/oauth2/v2.0/token`): on the
 * common endpoint each ID token names its own tenant's, `…/{tid}/v2.0`
 * (learn.microsoft.com/entra/identity-platform/id-token-claims-reference); `{tenantid}` stands for
 * the token's `tid`. Undefined for a URL of another form.
 */
export function microsoftIssuerTemplate(tokenUrl: string): string | undefined {
  const m = /^(https?:\/\/.+)\/[^/]+\/oauth2\/v2\.0\/token$/.exec(tokenUrl);
  return m ? `${m[1]}/{tenantid}/v2.0` : undefined;
}

/** What a connect flow keeps between the redirect and the callback (bound to the browser). */
export interface PendingAuth {
  provider: "google" | "microsoft";
  state: string;
  verifier: string;
  redirectUri: string;
}

/** A client registration. */
export interface OAuthClientConfig {
  clientId: string;
  clientSecret?: string;
  endpoints: OAuthEndpoints;
}

/** Tokens from a grant. */
export interface GrantedTokens {
  accessToken: string;
  refreshToken?: string;
  expiresIn?: number;
  scope?: string;
  /** Who signed in, from the ID token (when `openid` was asked): checked, never stored whole. */
  identity?: AccountIdentity;
}

/** The provider's fixed identifier of an account: Google's `sub`; Microsoft's `oid` within its tenant `tid`. */
export type AccountIdentity = { provider: "google"; sub: string } | { provider: "microsoft"; oid: string; tid: string };

/** One string per identity, for lookups and comparison. */
export const identityKey = (i: AccountIdentity) => (i.provider === "google" ? `google:${i.sub}` : `microsoft:${i.tid}:${i.oid}`);

/**
 * Microsoft's tenant of personal accounts (Outlook.com, Hotmail), as an ID token's `tid` names it
 * (learn.microsoft.com/entra/identity-platform/id-token-claims-reference).
 */
export const MICROSOFT_CONSUMER_TENANT = "9188040d-6c67-4c5b-b112-36a304b66dad";

/** The tenant a Microsoft account's identity ({@link identityKey}) names, as written there; undefined for any other. */
export const microsoftTenantOf = (identity: string | undefined): string | undefined =>
  /^microsoft:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}):/i.exec(identity ?? "")?.[1];

/** Whether an account's identity ({@link identityKey}) is a personal Microsoft account's. */
export const personalMicrosoftIdentity = (identity: string | undefined): boolean => microsoftTenantOf(identity) === MICROSOFT_CONSUMER_TENANT;

/** An OAuth error answer of a token endpoint (invalid_grant and friends; Microsoft adds AADSTS codes and a suberror). */
export class GrantError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** Microsoft's `suberror` (consent_required, basic_action, ...). */
    readonly suberror?: string,
    /** Microsoft's `error_codes` (AADSTS numbers). */
    readonly aadsts: number[] = [],
    /** The HTTP status of the answer. */
    readonly status?: number,
    /** The answer's Retry-After, in milliseconds (Entra's 429: "Retry-After: 60"). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "GrantError";
  }
}

/**
 * Whether `e` is the token endpoint refusing the request (a 4xx OAuth error: the person's code, our
 * client), not failing to answer it: a throttled (429) or failing (5xx) endpoint's answer is a
 * GrantError too, named by its status, and is the upstream's failure (a 502 of ours), not a refusal.
 */
export const grantRefused = (e: unknown): e is GrantError => e instanceof GrantError && e.status !== 429 && !((e.status ?? 0) >= 500);

/**
 * Entra's refusal of a client that asks for tokens too often (AADSTS50196, "LoopDetected"): an
 * invalid_grant that is throttling, not a revoked grant; MSAL takes it for a throttled call
 * (learn.microsoft.com/entra/msal/dotnet/advanced/client-and-server-throttling: "for user-facing
 * calls, Microsoft Entra ID will send ... invalid_grant ... AADSTS50196"). Our functions refresh once
 * per run and once per draft tap, so an owner tapping many drafts at once could meet it.
 */
export const AADSTS_LOOP_DETECTED = 50196;

/**
 * How long a refresh refused with {@link AADSTS_LOOP_DETECTED} and no Retry-After waits before the
 * next: MSAL keeps such a throttled state for 2 minutes (its Client-Throttling page,
 * AzureAD/microsoft-authentication-library-for-dotnet wiki); asking again at once only feeds the loop.
 * Longer than a job's call may wait (core/limits JOB_RETRY_BUDGET_MS), so a job waits in a
 * continuation (functions/src/jobs.ts refusedUntil) rather than retrying within its minute.
 */
export const LOOP_DETECTED_WAIT_MS = 2 * 60_000;

/**
 * Google's token-endpoint refusals a policy makes, kept as the reason a reconnect is needed:
 * `admin_policy_enforced`, a Google Workspace administrator's policy no longer lets this app have the
 * account's data (developers.google.com/identity/protocols/oauth2/web-server, authorization errors; on
 * a refresh: dust-tt/dust pull request 31975); `policy_enforced`, the account is in Google's Advanced
 * Protection Program (twentyhq/twenty pull request 25148). And the Gmail API's own 403 `domainPolicy`
 * (developers.google.com/workspace/gmail/api/guides/handle-errors: the domain's administrators have
 * turned off Gmail for apps), kept under the same rule though no token endpoint says it. Retrying any
 * of them only meets it again.
 */
export const GOOGLE_POLICY_ERRORS: ReadonlySet<string> = new Set(["admin_policy_enforced", "policy_enforced", "domainPolicy"]);

/**
 * Graph's answer for a mailbox it cannot serve (a 404, sometimes a 401): inactive or soft-deleted, no
 * Exchange Online licence, or kept on premises (microsoftgraph/msgraph-sdk-javascript issue 1756,
 * microsoftgraph/microsoft-graph-docs-contrib issues 405 and 717). Kept as the reason the account
 * needs its owner: no retry or reconnect serves it until the mailbox is back.
 */
export const MAILBOX_NOT_ENABLED = "MailboxNotEnabledForRESTAPI";

/**
 * Gmail's 400 `failedPrecondition` "Mail service not enabled": the account has no Gmail, or its
 * Workspace administrator turned Gmail off for it (FlowCrypt/flowcrypt-browser issues 435 and 4838,
 * bkaankose/Wino-Mail pull request 580). Our name for it (the reason `failedPrecondition` alone
 * names other things too); kept as the reason the account needs its owner.
 */
export const GMAIL_NOT_ENABLED = "mailServiceNotEnabled";

/**
 * Calendar's 403 `notACalendarUser`, "The user must be signed up for Google Calendar.": a Workspace
 * administrator turned Calendar off for the account, or suspended it (closeio/sync-engine pull request
 * 462, GAM-team/GAM issue 806; the body as webhookdb/webhookdb issue 624 shows it, domain
 * `calendar`). Kept under Google's own reason, as the reason the account needs its owner.
 */
export const CALENDAR_NOT_ENABLED = "notACalendarUser";

/** The reasons only someone or something else can clear first (a policy, a licence): a reconnect works after. */
export const REFUSED_ELSEWHERE: ReadonlySet<string> = new Set([...GOOGLE_POLICY_ERRORS, MAILBOX_NOT_ENABLED, GMAIL_NOT_ENABLED, CALENDAR_NOT_ENABLED]);

/**
 * Token-endpoint errors that only the person can clear by signing in again: the grant is gone or
 * expired (invalid_grant: Microsoft AADSTS700082/70008/50173, Google's revoked or expired token),
 * or Entra wants an interactive step (interaction_required: MFA AADSTS50076/50079; consent_required
 * or suberror consent_required: AADSTS65001; login_required). learn.microsoft.com/entra/identity-platform/reference-error-codes.
 * Microsoft's unauthorized_client too: its AADSTS700016 says the app "has not been installed by the
 * administrator of the tenant or consented to by any user in the tenant" (microsoft/AzureTRE issue
 * 1475, MicrosoftDocs/azure-docs issue 21690), an organisation that removed the app, which a consent
 * in that tenant restores. Google's is a refusal of our client, which no owner can clear (google/errors
 * GOOGLE_CLIENT_ERRORS, checked before this set).
 * And the refusals someone else must clear first: {@link REFUSED_ELSEWHERE}.
 */
export const RECONNECT_ERRORS: ReadonlySet<string> = new Set(["invalid_grant", "interaction_required", "consent_required", "login_required", "unauthorized_client", ...REFUSED_ELSEWHERE]);

/**
 * A refusal the owner must hear of, kept under its `code` as the account's reconnect reason
 * (core/reconnect reconnectReason): "auth-revoked", caused by a {@link GrantError} naming it.
 */
export const refusedFor = (code: string, message: string, status: number | undefined, detail = message): ProviderError =>
  new ProviderError("auth-revoked", message, status, undefined, { cause: new GrantError(code, detail, undefined, [], status) });

/** True for a grant error that needs the person to reconnect (not a passing outage of the token endpoint). */
export const needsReconnect = (e: GrantError) => !e.aadsts.includes(AADSTS_LOOP_DETECTED) && (RECONNECT_ERRORS.has(e.code) || e.suberror !== undefined);

/**
 * Google's 403 for an API that is turned off in the Cloud project of our OAuth client (reason
 * `accessNotConfigured`, domain `usageLimits`, "Gmail API has not been used in project N before or it
 * is disabled. Enable it by visiting …": DSchau/gatsby-mail issue 35, googleworkspace/python-samples
 * issues 17 and 23, taylorwilsdon/google_workspace_mcp issue 126 for Calendar's
 * `calendar-json.googleapis.com`; newer answers add an ErrorInfo `SERVICE_DISABLED` naming the
 * service's title and its activation URL: google-gemini/gemini-cli issue 1343). Every account of the
 * deployment meets it; whoever runs the deployment must turn the API on (docs/deploy.md, step 1 of
 * the Google project), and no owner can: kind "invalid", as our client's own refusals are (the run
 * fails, logged; no owner is asked to reconnect), with the API named for the pages that say so.
 */
export class ApiNotEnabledError extends ProviderError {
  constructor(
    /** The API's name as Google gives it ("Gmail API", "Google Calendar API"). */
    readonly api: string,
    message: string,
    status = 403,
    options?: { cause?: unknown },
  ) {
    super("invalid", message, status, undefined, options);
    this.name = "ApiNotEnabledError";
  }
}

/**
 * A call refused because the grant lacks a permission it needs (Google 403 insufficientPermissions;
 * Graph 403 ErrorAccessDenied for a call none of the granted permissions covers): the person removed
 * it, or it was never granted. Kind "auth-revoked": the account needs reconnecting, with this reason.
 */
export class MissingScopeError extends ProviderError {
  constructor(
    readonly provider: "google" | "microsoft",
    /** The permissions that would grant the call (any one of them). */
    readonly needed: string[],
    message: string,
    status = 403,
    options?: { cause?: unknown },
  ) {
    super("auth-revoked", message, status, undefined, options);
    this.name = "MissingScopeError";
  }
}
