/**
 * Microsoft Graph's adapter without its readers' modules: the client, token refresh, pacing and
 * retries, the profile, drafts and sends. The API's mailbox (runtime/microsoft-mailbox) imports this
 * module, not ./index, so its bundle parses none of ./streams and ./map, nor core/events/platform,
 * whose import() of the HTML decoder esbuild would otherwise write as a chunk the API deploys and
 * never loads (test/lambda-modules.test.ts). ./index adds the readers and re-exports all of this.
 */
import { Client, MiddlewareFactory, RetryHandlerOptions, type ClientOptions } from "@microsoft/microsoft-graph-client";
import type { Owner } from "../model";
import { normalizeAddress } from "../identity";
import { type OAuthClientConfig, parseScopes } from "../oauth";
import { refreshGrant } from "../grants";
import { type Composer, composerOf, headerSafe, mimeOfOutgoing } from "../mail";
import { type DraftRequest, type DraftResult, type MailboxProvider, type MailboxReaders, type MarkedDraft, NO_READERS, type OutgoingMail, type Profile } from "../providers";
import { type Clock, onlyRateLimited, Pacer, ProviderError, type RetryOptions, systemClock, timedRequest, withRetry } from "../resilience";
import { toIanaZone } from "../zones";
import { classifyAccessDenied, classifyGraphError } from "./errors";
import { PROVIDER_REQUEST_TIMEOUT_MS } from "../limits";
import { NodeHttpMessageHandler, tokenFetch, transportOptions } from "./transport";

/**
 * The single-value extended property that marks a follow-up draft (a named property in our own
 * property set; its value is opaque). Graph documents creating it with the message and filtering
 * messages by its value (learn.microsoft.com/graph/api/singlevaluelegacyextendedproperty-post-singlevalueextendedproperties,
 * .../singlevaluelegacyextendedproperty-get).
 */
export const DRAFT_MARKER_PROPERTY = "String {5d0c6c1e-3a8f-4c2b-9e71-0f4b8a6d2c19} Name FollowthroughRef";

/** How to reach Microsoft Graph for one account. */
export interface MicrosoftProviderOptions {
  owner: Owner;
  oauth: OAuthClientConfig;
  refreshToken: string;
  /**
   * The permissions granted at connect (the account's stored scopes); each token response's `scope`
   * replaces them. A 403 on a call none of them grants means the grant lacks it (reconnect); any
   * other 403 is a plain error.
   */
  grantedScopes?: string[];
  /** Called with each new refresh token: Microsoft rotates them on every use. */
  onRefreshToken?: (token: string) => Promise<void>;
  /** Graph origin (the sandbox's https URL locally). */
  baseUrl?: string;
  /**
   * Extra request options of the transport (node-fetch over `node:https`, not the global fetch:
   * ./transport), for Graph and the token refresh: `{ agent: new https.Agent({ ca }) }` trusts the
   * sandbox's certificate in tests. An undici `dispatcher` is refused.
   */
  fetchOptions?: ClientOptions["fetchOptions"];
  clock?: Clock;
  /** Requests per 10 minutes per mailbox (10,000) and the share of it to plan for. */
  requestsPer10Minutes?: number;
  quotaShare?: number;
  pageSize?: number;
  retry?: Partial<RetryOptions>;
  /** How long one request (Graph's, the token refresh's) may go unanswered before it is cut (core/limits PROVIDER_REQUEST_TIMEOUT_MS). */
  requestTimeoutMs?: number;
  /**
   * The MIME builder of sends (core/composer's `loadComposer`). Without it the adapter only reads:
   * createDraft and send throw (a backfill's adapter, whose bundle holds no composer).
   */
  composer?: Composer;
}

/** The zones of `GET /me/mailboxSettings`' answer, as Graph may give them (any JSON where a string is documented). */
interface MailboxZones {
  timeZone?: unknown;
  workingHours?: { timeZone?: { name?: unknown } | null } | null;
}

/**
 * The owner's zone by their mailbox settings, as an IANA zone (Outlook usually names Windows zones,
 * "Pacific Standard Time": core/zones toIanaZone): the mailbox's `timeZone`
 * (learn.microsoft.com/graph/api/resources/mailboxsettings, "the default time zone for the user's
 * mailbox"); where that is absent, no string or no zone we can map, the working hours' zone
 * (`workingHours.timeZone`, a timeZoneBase whose `name` is read: learn.microsoft.com/graph/api/
 * resources/workinghours), from the same answer. A work mailbox has been seen without `timeZone`,
 * its zone only in the working hours (microsoftgraph/msgraph-sample-reactspa issue 60, which PR 66
 * answered with a default zone); one with a `timeZone` that is no string (calcom/cal.diy PR 23700
 * takes it as absent; "'[]'" in microsoftgraph/msgraph-sample-rubyrailsapp issue 195). The two are
 * separate settings (MicrosoftDocs/OfficeDocs-Support issue 1959; the workingHours page: one may
 * set the working hours' zone apart from Outlook's), so the mailbox's own wins where it maps.
 * Until 2026-12-08 only `timeZone` was read, and such an account was stored in UTC (or kept its
 * previous zone). A name neither maps (a custom zone, which the working hours may hold:
 * learn.microsoft.com/graph/api/user-update-mailboxsettings, example 2) gives none.
 */
export function settingsZone(s: MailboxZones): string | undefined {
  const named = (v: unknown) => (typeof v === "string" ? toIanaZone(v) : undefined);
  return named(s.timeZone) ?? named(s.workingHours?.timeZone?.name);
}

/** What an adapter's readers are built on: its paced, retried call and its client. */
export interface GraphParts {
  call: <T>(fn: (c: Client) => Promise<T>, once?: boolean, request?: string) => Promise<T>;
  client: Client;
}

/**
 * The adapter without its readers ({@link NO_READERS}): the profile, drafts and sends. The API's
 * (core/loader/mailbox), which never syncs: its bundle holds none of ./streams and ./map
 * (./index's microsoftProvider is the adapter with them).
 */
export function microsoftMailbox(o: MicrosoftProviderOptions): MailboxProvider {
  return graphAdapter(o, () => NO_READERS);
}

/** The adapter on `readers` (./index's microsoftProvider gives it the real ones; {@link microsoftMailbox} none). */
export function graphAdapter(o: MicrosoftProviderOptions, readers: (p: GraphParts) => MailboxReaders): MailboxProvider {
  const clock = o.clock ?? systemClock;
  const transport = { options: transportOptions(o.fetchOptions), timeoutMs: o.requestTimeoutMs ?? PROVIDER_REQUEST_TIMEOUT_MS };
  const refreshFetch = tokenFetch(transport);
  const pacer = new Pacer(Math.floor((o.requestsPer10Minutes ?? 10_000) * (o.quotaShare ?? 0.95)), 600_000, clock);
  let refreshToken = o.refreshToken;
  let access: { token: string; expiresAt: number } | undefined;
  let refreshing: Promise<string> | undefined;
  let granted = o.grantedScopes;
  const token = async () => {
    if (access && access.expiresAt > clock.now() + 60_000) return access.token;
    refreshing ??= (async () => {
      try {
        const t = await refreshGrant(o.oauth, refreshToken, refreshFetch);
        if (t.refreshToken && t.refreshToken !== refreshToken) {
          refreshToken = t.refreshToken;
          await o.onRefreshToken?.(t.refreshToken);
        }
        access = { token: t.accessToken, expiresAt: clock.now() + (t.expiresIn ?? 3600) * 1000 };
        granted = parseScopes(t.scope) ?? granted;
        return t.accessToken;
      } finally {
        refreshing = undefined;
      }
    })();
    return refreshing;
  };
  const host = o.baseUrl ? new URL(o.baseUrl).hostname : undefined;
  // The client's default chain (auth, retry, redirect, telemetry), its last handler sending over node:https.
  const middleware = MiddlewareFactory.getDefaultMiddlewareChain({ getAccessToken: token });
  middleware[middleware.length - 1] = new NodeHttpMessageHandler(transport);
  const client = Client.initWithMiddleware({
    middleware,
    ...(o.baseUrl ? { baseUrl: o.baseUrl, customHosts: new Set([host!]) } : {}),
    ...(transport.options ? { fetchOptions: transport.options } : {}),
  });
  const noClientRetry = [new RetryHandlerOptions(0, 0)];
  const retry = { clock, ...o.retry };
  /** `request` ("GET /me/mailboxSettings") tells a 403 for a missing permission from any other. */
  const call = <T>(fn: (c: Client) => Promise<T>, once = false, request?: string) =>
    withRetry(
      // Held on the clock from the quota charge to the answer (a virtual clock must not move in between).
      () => pacer.run(1, () => timedRequest(clock, async () => {
      // Refresh here, not only inside the client: the client wraps an authProvider failure into a
      // GraphError (statusCode -1), losing the GrantError, so a revoked grant looked "temporary".
      await token();
      try {
        return await fn(client);
      } catch (e) {
        if ((e as { statusCode?: number }).statusCode === 403) throw classifyAccessDenied(e, request, granted);
        // A token the provider stopped honouring before its expiry: refresh once before calling it revoked.
        if ((e as { statusCode?: number }).statusCode !== 401) throw e;
        access = undefined;
        await token();
        return fn(client);
      }
    })), classifyGraphError, once ? { ...retry, retryOn: onlyRateLimited } : retry);

  /** The owner's mailbox settings (MailboxSettings.Read): the zone they set in Outlook. */
  const mailboxSettings = () => call((c) => c.api("/me/mailboxSettings").middlewareOptions(noClientRetry).get(), false, "GET /me/mailboxSettings") as Promise<MailboxZones>;

  /** Up to `top` messages of `folder` carrying the draft marker `marker`, with the fields `select` names (immutable ids). */
  const markedIn = async <T>(folder: "drafts" | "sentitems", marker: string, select: string, top: number): Promise<T[]> => {
    // One request: Graph filters a folder by the extended property's value (documented for messages).
    const q = (s: string) => s.replace(/'/g, "''");
    const filter = `singleValueExtendedProperties/Any(ep: ep/id eq '${q(DRAFT_MARKER_PROPERTY)}' and ep/value eq '${q(marker)}')`;
    const res = (await call(
      (c) => c.api(`/me/mailFolders/${folder}/messages`).header("Prefer", 'IdType="ImmutableId"').filter(filter).select(select).top(top).middlewareOptions(noClientRetry).get(),
      false,
      `GET /me/mailfolders/${folder}/messages`,
    )) as { value?: T[] };
    return res.value ?? [];
  };

  /** Drafts carrying the marker, oldest first. */
  const findDrafts = async (marker: string): Promise<MarkedDraft[]> => {
    return (await markedIn<{ id: string; createdDateTime?: string; webLink?: string }>("drafts", marker, "id,createdDateTime,webLink", 25))
      .map((m) => ({ id: m.id, webLink: m.webLink ?? "", createdAt: Date.parse(m.createdDateTime ?? "") || 0 }))
      .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  };

  return {
    ...readers({ call, client }),
    async profile(): Promise<Profile> {
      const me = (await call((c) =>
        c.api("/me").select("mail,userPrincipalName,proxyAddresses,displayName").middlewareOptions(noClientRetry).get(),
      false, "GET /me")) as { mail?: string; userPrincipalName?: string; proxyAddresses?: string[]; displayName?: string };
      // MailboxSettings.Read (requested at connect): the zone the owner set in Outlook. A failure is not
      // swallowed (an account stored in UTC would get its digest at the wrong hour every week), but for
      // one: Graph's 403 ErrorAccessDenied though the grant holds the permission (classifyAccessDenied's
      // "invalid"), which no retry or reconnect changes. It is reported for every personal Outlook.com
      // mailbox, whatever the scopes (mpalermiti/outlook-mcp ROADMAP.md, "Investigated and not viable",
      // verified against the live API and again on 2026-09-03, though the reference page lists personal
      // accounts), and for some work mailboxes (msgraph-sdk-dotnet issue 2141). Until 2026-12-07 it
      // failed the profile read, so such an account could never connect; now the account is stored
      // without the mailbox's zone (its own or UTC: core/connect grantFields), and the Connected page
      // asks the owner to choose one. A missing permission (MissingScopeError) still fails the read.
      const settings = await mailboxSettings().catch((e: unknown) => {
        if (!(e instanceof ProviderError && e.kind === "invalid" && e.status === 403)) throw e;
        console.warn(JSON.stringify({ msg: "zone", read: "refused", error: e.message }));
        return {} as MailboxZones;
      });
      const email = me.mail ?? me.userPrincipalName ?? o.owner.email;
      const aliases = new Set<string>();
      if (me.userPrincipalName) aliases.add(me.userPrincipalName);
      for (const p of me.proxyAddresses ?? []) if (/^smtp:/i.test(p)) aliases.add(p.slice(5));
      aliases.delete(email);
      return { email, aliases: [...aliases], displayName: me.displayName, timeZone: settingsZone(settings) };
    },
    async calendarZone(): Promise<string | undefined> {
      return settingsZone(await mailboxSettings());
    },
    async createDraft(d: DraftRequest & { marker?: string }): Promise<DraftResult> {
      // Graph builds the draft itself (JSON), but a read-only adapter writes no mail at all.
      composerOf(o.composer, "draft");
      const to = [{ emailAddress: { address: d.to.email, name: headerSafe(d.to.name || d.to.email) } }];
      // The marker rides as a single-value extended property, written with the draft itself.
      const marked = d.marker ? { singleValueExtendedProperties: [{ id: DRAFT_MARKER_PROPERTY, value: d.marker }] } : {};
      // A reply: its text as the message's body, in text, and our subject, in the one call. Graph
      // takes a comment or the message's body, not both (learn.microsoft.com/graph/api/message-createreply);
      // a comment goes into an HTML body above the quoted original, where its line breaks collapse
      // into one paragraph and the quote's "Sent:" reads in UTC without `Prefer: outlook.timezone`
      // (helper-243 #1, #3: an earlier message with no subject left the draft "RE: ").
      const draft = (await call((c) =>
        d.replyTo?.providerMessageId
          ? c.api(`/me/messages/${encodeURIComponent(d.replyTo.providerMessageId)}/createReply`).header("Prefer", 'IdType="ImmutableId"').middlewareOptions(noClientRetry)
              .post({ message: { subject: headerSafe(d.subject), body: { contentType: "Text", content: d.text }, toRecipients: to, ...marked } })
          : c.api("/me/messages").header("Prefer", 'IdType="ImmutableId"').middlewareOptions(noClientRetry)
              .post({ subject: headerSafe(d.subject), body: { contentType: "Text", content: d.text }, toRecipients: to, ...marked }),
        true,
        d.replyTo?.providerMessageId ? "POST /me/messages/{id}/createReply" : "POST /me/messages",
      )) as { id: string; webLink: string };
      return { id: draft.id, webLink: draft.webLink };
    },
    findDrafts,
    async draftsTo(email: string): Promise<MarkedDraft[]> {
      // One request, one page: the newest drafts with their recipients, matched here.
      // Compared normalised (shared/spec/behaviour.md): a draft to `Ana+events@x.io` is one to `ana@x.io`.
      const want = normalizeAddress(email);
      const res = (await call(
        (c) => c.api("/me/mailFolders/drafts/messages").header("Prefer", 'IdType="ImmutableId"').select("id,createdDateTime,webLink,toRecipients").top(25).middlewareOptions(noClientRetry).get(),
        false,
        "GET /me/mailfolders/drafts/messages",
      )) as { value?: { id: string; createdDateTime?: string; webLink?: string; toRecipients?: { emailAddress?: { address?: string } }[] }[] };
      return (res.value ?? [])
        .filter((m) => want !== undefined && (m.toRecipients ?? []).some((r) => r.emailAddress?.address !== undefined && normalizeAddress(r.emailAddress.address) === want))
        .map((m) => ({ id: m.id, webLink: m.webLink ?? "", createdAt: Date.parse(m.createdDateTime ?? "") || 0 }))
        .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
    },
    async draftExists(d: { id: string; marker: string }): Promise<boolean> {
      // Drafts only: a deleted draft moves to Deleted Items (its id still answers), a sent one to Sent Items.
      return (await findDrafts(d.marker)).some((x) => x.id === d.id);
    },
    async draftSent(d: { id: string; marker: string }): Promise<{ sentAt?: number } | undefined> {
      // By its immutable id: deleted, the draft in Deleted Items (still one); sent where the
      // documentation holds (learn.microsoft.com/graph/outlook-immutable-id, "Immutable ID with
      // sending mail": the draft's id reads the Sent Items copy), the copy. But sending files "a
      // separate copy" in Sent Items (a Microsoft docs writer, microsoftgraph/microsoft-graph-docs
      // issue 6250), seen under another id, the draft's answering 404 (issues 1533 and 11969,
      // msgraph-sdk-java issue 731, OfficeDev/office-js issue 5566): then the copy is looked for in
      // Sent Items by the marker the draft carries, as Microsoft advises finding a sent message
      // (Jason Johnston, microsoft-graph-docs issue 3766). Until 2026-12-07 only the id was read, so
      // a draft the owner sent read as "sent or deleted". Purged, or not yet filed, nothing: not known.
      let m: { isDraft?: boolean; sentDateTime?: string } | undefined;
      try {
        m = (await call(
          (c) => c.api(`/me/messages/${encodeURIComponent(d.id)}`).header("Prefer", 'IdType="ImmutableId"').select("isDraft,sentDateTime").middlewareOptions(noClientRetry).get(),
          false,
          "GET /me/messages/{id}",
        )) as typeof m;
      } catch (e) {
        if (!(e instanceof ProviderError && e.kind === "not-found")) throw e;
      }
      if (m === undefined) m = (await markedIn<{ isDraft?: boolean; sentDateTime?: string }>("sentitems", d.marker, "id,isDraft,sentDateTime", 1))[0];
      if (m?.isDraft !== false) return undefined;
      const at = Date.parse(m.sentDateTime ?? "");
      return Number.isFinite(at) ? { sentAt: at } : {};
    },
    async deleteDraft(id: string): Promise<void> {
      try {
        await call((c) => c.api(`/me/messages/${encodeURIComponent(id)}`).header("Prefer", 'IdType="ImmutableId"').middlewareOptions(noClientRetry).delete(), false, "DELETE /me/messages/{id}");
      } catch (e) {
        if (e instanceof ProviderError && e.kind === "not-found") return;
        throw e;
      }
    },
    async send(mail: OutgoingMail) {
      const raw = await mimeOfOutgoing(o.owner, mail, composerOf(o.composer, "send"));
      // The MIME form keeps our headers (List-Unsubscribe, Message-ID); the JSON form allows only x- headers.
      await call((c) => c.api("/me/sendMail").header("Content-Type", "text/plain").middlewareOptions(noClientRetry).post(raw.toString("base64")), true, "POST /me/sendMail");
      return { id: mail.messageId ?? "" };
    },
    async sentRecently(messageId: string) {
      const escaped = messageId.replace(/'/g, "''");
      const res = (await call((c) =>
        c.api("/me/mailFolders/sentitems/messages").filter(`internetMessageId eq '${escaped}'`).select("id").top(1).middlewareOptions(noClientRetry).get(),
      false, "GET /me/mailFolders/sentitems/messages")) as { value?: unknown[] };
      return (res.value ?? []).length > 0;
    },
  };
}
