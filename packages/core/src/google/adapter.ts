/**
 * Gmail + Google Calendar's adapter without its readers' modules: the clients, pacing and retries,
 * the profile, drafts and sends. The API's mailbox (runtime/google-mailbox) imports this module, not
 * ./index, so its bundle parses none of ./sent, ./calendar and ./map, nor core/events/platform,
 * whose import() of the HTML decoder esbuild would otherwise write as a chunk the API deploys and
 * never loads (test/lambda-modules.test.ts). ./index adds the readers and re-exports all of this.
 */
import { calendar } from "@googleapis/calendar";
import { auth as googleAuth, gmail } from "@googleapis/gmail";
import type { Owner } from "../model";
import { normalizeAddress } from "../identity";
import { buildMime, type Composer, composerOf, mimeOfOutgoing, SENT_ID_HEADER } from "../mail";
import { type DraftRequest, type DraftResult, gmailDraftsLink, type MailboxProvider, type MailboxReaders, type MarkedDraft, NO_READERS, type OutgoingMail, type Profile } from "../providers";
import { type Clock, mapLimit, onlyRateLimited, Pacer, ProviderError, type RetryOptions, Slots, systemClock, timedRequest, withRetry } from "../resilience";
import { PROVIDER_REQUEST_TIMEOUT_MS } from "../limits";
import type { googleCalendarStream } from "./calendar";
import { classifyGoogleError } from "./errors";
import type { gmailSentStream } from "./sent";

/** Gmail requests the adapter keeps in flight per user by default (see `gmailConcurrency`). */
export const GMAIL_CONCURRENCY = 4;

/** The header that marks a follow-up draft (an opaque value: it tells a recipient nothing). */
export const DRAFT_MARKER_HEADER = "X-Followthrough-Ref";
/** How many of the newest drafts a lookup reads, and how many at a time one going back further does (each drafts.get costs 5 units). */
export const DRAFT_LOOKBACK = 10;
/** The most drafts a marker's lookup reads going back to its claim (505 units at most, with its one list). */
export const DRAFT_LOOKBACK_MAX = 100;
/** How far Gmail's clock (a draft's internalDate) may be behind ours (the claim's time). */
export const DRAFT_CLOCK_SLACK_MS = 5 * 60_000;

/** The OAuth2 client class matching the Google API packages' own google-auth-library. */
export const OAuth2 = googleAuth.OAuth2;
export type GoogleOAuthClient = InstanceType<typeof googleAuth.OAuth2>;

/** How to reach Google for one account. */
export interface GoogleProviderOptions {
  owner: Owner;
  /** An OAuth2 client holding the account's refresh token (it refreshes access tokens itself). */
  auth: GoogleOAuthClient;
  /** API origin; the sandbox's URL locally, Google's by default. */
  rootUrl?: string;
  clock?: Clock;
  /** Gmail per-user quota units a minute (6,000 for projects created from May 2026). */
  gmailUnitsPerMinute?: number;
  /** Calendar requests a minute per user. */
  calendarPerMinute?: number;
  /** Share of each quota the pacer plans to use, leaving room for the provider's own accounting. */
  quotaShare?: number;
  /** messages.get calls a sync page keeps in flight (bounded again by `gmailConcurrency`). */
  concurrency?: number;
  /**
   * Gmail requests in flight for this user, all calls together. Gmail answers 429 "Too many
   * concurrent requests for user" above an unpublished per-user limit shared by all of the user's
   * clients (docs/provider-quirks.md): 4 stays under the lowest value reported safe (5).
   */
  gmailConcurrency?: number;
  /** Page sizes (Gmail max 500, Calendar max 2500). */
  gmailPageSize?: number;
  calendarPageSize?: number;
  retry?: Partial<RetryOptions>;
  /** How long one request may go unanswered before it is cut (core/limits PROVIDER_REQUEST_TIMEOUT_MS). */
  requestTimeoutMs?: number;
  /**
   * Read the owner's mail as the scan contract reads a mailbox fixture, where no quota is spent
   * (packages/cli withFixtureSession): every copy From the owner outside Sent over the whole window
   * (the Inbox's, archived ones, ones in the Trash), not the Inbox's last OWNER_INBOX_DAYS, and sent
   * mail since moved to the Trash; never mail in Spam. The service reads as
   * documented in docs/rules.md ("Owner mail outside Sent"): each Inbox message costs a get.
   */
  wholeMailbox?: boolean;
  /**
   * The MIME builder of drafts and sends (core/composer's `loadComposer`). Without it the adapter
   * only reads: createDraft and send throw (a backfill's adapter, whose bundle holds no composer).
   */
  composer?: Composer;
}

/** Builds an OAuth2 client for a stored refresh token, pointed at `tokenUrl` when given (the sandbox). */
export function googleOAuthClient(o: { clientId: string; clientSecret?: string; refreshToken: string; tokenUrl?: string; redirectUri?: string; requestTimeoutMs?: number }): GoogleOAuthClient {
  const client = new OAuth2({
    clientId: o.clientId,
    clientSecret: o.clientSecret,
    redirectUri: o.redirectUri,
    // The token refresh goes through the library's own transporter: cut a stalled one there too.
    transporterOptions: { timeout: o.requestTimeoutMs ?? PROVIDER_REQUEST_TIMEOUT_MS },
    ...(o.tokenUrl ? { endpoints: { oauth2TokenUrl: o.tokenUrl } } : {}),
  });
  client.setCredentials({ refresh_token: o.refreshToken });
  return client;
}

/** What an adapter's readers are built on (./sent, ./calendar). */
export interface GoogleParts {
  gmail: Parameters<typeof gmailSentStream>[0];
  calendar: Parameters<typeof googleCalendarStream>[0];
}

/**
 * The adapter without its readers ({@link NO_READERS}): the profile, drafts and sends. The API's
 * (core/loader/mailbox), which never syncs: its bundle holds none of ./sent, ./calendar and ./map
 * (./index's googleProvider is the adapter with them).
 */
export function googleMailbox(o: GoogleProviderOptions): MailboxProvider {
  return googleAdapterWith(o, () => NO_READERS);
}

/** The most sent messages whose headers one adapter keeps for sentRecently (its cap of 500 a look, and some). */
const SENT_SEEN_MAX = 2_000;

/** The adapter's defaults for Gmail: the per-user quota it paces to, the share of it it uses, the page of a listing. */
export const GMAIL_DEFAULTS = { unitsPerMinute: 6000, quotaShare: 0.95, pageSize: 500 } as const;

/** The adapter on `readers` (./index's googleProvider gives it the real ones; {@link googleMailbox} none). */
export function googleAdapterWith(o: GoogleProviderOptions, readers: (p: GoogleParts) => MailboxReaders): MailboxProvider {
  const clock = o.clock ?? systemClock;
  const share = o.quotaShare ?? GMAIL_DEFAULTS.quotaShare;
  const gmailPacer = new Pacer(Math.floor((o.gmailUnitsPerMinute ?? GMAIL_DEFAULTS.unitsPerMinute) * share), 60_000, clock);
  const calendarPacer = new Pacer(Math.floor((o.calendarPerMinute ?? 600) * share), 60_000, clock);
  const gmailSlots = new Slots(o.gmailConcurrency ?? GMAIL_CONCURRENCY);
  const retry = { clock, ...o.retry };
  // A wait Google names as a time (a rate limit's "Retry after …") is read on this adapter's clock.
  const classify = (e: unknown) => classifyGoogleError(e, clock.now());
  const rootUrl = o.rootUrl ? `${o.rootUrl.replace(/\/$/, "")}/` : undefined;
  // Every request of both clients is cut when it goes unanswered this long (gaxios has no default).
  const timeout = o.requestTimeoutMs ?? PROVIDER_REQUEST_TIMEOUT_MS;
  const g = gmail({ version: "v1", auth: o.auth, timeout, ...(rootUrl ? { rootUrl } : {}) });
  const cal = calendar({ version: "v3", auth: o.auth as never, timeout, ...(rootUrl ? { rootUrl } : {}) });
  // An access token the provider stopped honouring before its expiry gets one refresh, not "revoked".
  const refreshOn401 = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      if ((e as { response?: { status?: number } }).response?.status !== 401) throw e;
      o.auth.setCredentials({ refresh_token: o.auth.credentials.refresh_token });
      return fn();
    }
  };
  // A slot first, then the quota charge: the call is held on the clock from its charge to its answer.
  const gmailCall = <T>(units: number, fn: () => Promise<T>, once = false) =>
    withRetry(
      () => gmailSlots.run(() => gmailPacer.run(units, () => timedRequest(clock, () => refreshOn401(fn)))),
      classify,
      once ? { ...retry, retryOn: onlyRateLimited } : retry,
    );
  const calendarCall = <T>(fn: () => Promise<T>) => withRetry(() => calendarPacer.run(1, () => timedRequest(clock, () => refreshOn401(fn))), classify, retry);
  const req = { retry: false } as const;
  /** What sentRecently read of each sent message (its Message-IDs, its internalDate), by Gmail id. */
  const sentSeen = new Map<string, { ids: string[]; at: number }>();

  /**
   * The newest drafts' headers, shared by findDrafts and draftsTo. No `q` under gmail.metadata: one
   * drafts.list (5 units, whatever its size) and 5 units for each drafts.get. DRAFT_LOOKBACK drafts;
   * with `since` (when the marker was claimed), the list holds DRAFT_LOOKBACK_MAX and their headers
   * are read DRAFT_LOOKBACK at a time until a batch holds a draft made before it (less
   * DRAFT_CLOCK_SLACK_MS): a draft made by a tap that died stays found however many drafts were made
   * since (helper-105 #2), and a look right after a create reads one batch. Gmail's reference gives
   * drafts.list no order; it lists newest first, as messages.list roughly does, and the cap bounds
   * the look whatever the order (505 units at most).
   */
  const recentDrafts = async (since?: number): Promise<(MarkedDraft & { marker?: string; to: string })[]> => {
    const list = await gmailCall(5, () => g.users.drafts.list({ userId: "me", maxResults: since === undefined ? DRAFT_LOOKBACK : DRAFT_LOOKBACK_MAX }, req));
    const ids = (list.data.drafts ?? []).flatMap((d) => (d.id ? [d.id] : []));
    const found: (MarkedDraft & { marker?: string; to: string })[] = [];
    for (let at = 0; at < ids.length; at += DRAFT_LOOKBACK) {
      const batch: (MarkedDraft & { marker?: string; to: string })[] = [];
      await mapLimit(ids.slice(at, at + DRAFT_LOOKBACK), 4, async (id) => {
        let got;
        try {
          got = await gmailCall(5, () => g.users.drafts.get({ userId: "me", id, format: "metadata" }, req));
        } catch (e) {
          if (e instanceof ProviderError && e.kind === "not-found") return;
          throw e;
        }
        const header = (name: string) => got.data.message?.payload?.headers?.find((h) => h.name?.toLowerCase() === name.toLowerCase())?.value ?? undefined;
        const threadId = got.data.message?.threadId ?? undefined;
        batch.push({ id, webLink: gmailDraftsLink(o.owner.email), createdAt: Number(got.data.message?.internalDate ?? 0), ...(threadId ? { threadId } : {}), marker: header(DRAFT_MARKER_HEADER)?.trim(), to: (header("To") ?? "").toLowerCase() });
      });
      found.push(...batch);
      if (since === undefined || batch.some((d) => d.createdAt < since - DRAFT_CLOCK_SLACK_MS)) break;
    }
    return found.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  };
  /** The zone of the owner's Calendar settings (calendar.readonly). */
  const calendarZone = async () => (await calendarCall(() => cal.settings.get({ setting: "timezone" }, req))).data.value ?? undefined;
  const gmailStreamOptions = { gmail: g, call: gmailCall, concurrency: o.concurrency ?? gmailSlots.limit, pageSize: o.gmailPageSize ?? GMAIL_DEFAULTS.pageSize };
  return {
    ...readers({ gmail: gmailStreamOptions, calendar: { calendar: cal, call: calendarCall, owner: o.owner, pageSize: o.calendarPageSize ?? 2500 } }),
    async profile(): Promise<Profile> {
      // Only what the requested scopes allow: users.getProfile (gmail.metadata/compose) and the
      // calendar's zone setting (calendar.readonly). Send-as addresses need a settings scope we do not
      // ask for: the scan learns aliases from the From of sent mail and the calendar's `self` entries.
      const [p, timeZone] = await Promise.all([gmailCall(1, () => g.users.getProfile({ userId: "me" }, req)), calendarZone()]);
      return { email: p.data.emailAddress ?? o.owner.email, aliases: [], timeZone };
    },
    calendarZone,
    async createDraft(d: DraftRequest & { marker?: string }): Promise<DraftResult> {
      const composer = composerOf(o.composer, "draft");
      const raw = await buildMime({
        from: { name: o.owner.displayName, address: o.owner.email },
        to: [{ name: d.to.name, address: d.to.email }],
        subject: d.subject,
        text: d.text,
        inReplyTo: d.replyTo?.messageId,
        references: d.replyTo?.messageId ? [d.replyTo.messageId] : undefined,
        ...(d.marker ? { headers: { [DRAFT_MARKER_HEADER]: d.marker } } : {}),
      }, composer);
      const res = await gmailCall(
        10,
        () => g.users.drafts.create({ userId: "me", requestBody: { message: { raw: raw.toString("base64url"), threadId: d.replyTo?.threadId } } }, req),
        true,
      );
      // Its thread, where the message it becomes once sent is found (draftSent).
      const threadId = res.data.message?.threadId ?? undefined;
      return { id: res.data.id ?? "", webLink: gmailDraftsLink(o.owner.email), ...(threadId ? { threadId } : {}) };
    },
    async findDrafts(marker: string, since?: number): Promise<MarkedDraft[]> {
      return (await recentDrafts(since)).filter((d) => d.marker === marker).map(({ id, webLink, createdAt, threadId }) => ({ id, webLink, createdAt, ...(threadId ? { threadId } : {}) }));
    },
    async draftsTo(email: string): Promise<MarkedDraft[]> {
      // Compared normalised (shared/spec/behaviour.md): a draft to `Ana+events@x.io` is one to `ana@x.io`.
      const want = normalizeAddress(email);
      const addressed = (to: string) => want !== undefined && to.split(",").some((part) => normalizeAddress((/<([^>]+)>/.exec(part)?.[1] ?? part).trim()) === want);
      return (await recentDrafts()).filter((d) => addressed(d.to)).map(({ id, webLink, createdAt }) => ({ id, webLink, createdAt }));
    },
    async draftExists(d: { id: string; marker: string }): Promise<boolean> {
      try {
        await gmailCall(5, () => g.users.drafts.get({ userId: "me", id: d.id, format: "minimal" }, req));
        return true;
      } catch (e) {
        // A draft deleted, or sent (a sent draft stops being one): 404.
        if (e instanceof ProviderError && e.kind === "not-found") return false;
        throw e;
      }
    },
    async draftSent(d: { id: string; threadId?: string; since: number }): Promise<{ sentAt?: number } | undefined> {
      // A sent draft is deleted and its message sent under a new id (developers.google.com/gmail/api/
      // guides/drafts): not found by the draft's id nor its message's, and gmail.metadata forbids the
      // `q` that would search Sent. The draft's thread is read instead (threads.get, which
      // gmail.metadata allows in formats minimal and metadata; minimal: ids, labels and dates, no
      // headers), and only the labels and dates asked for (`fields`). Sent: a message there labelled
      // SENT, not DRAFT, dated no earlier than the draft was made (a reply draft's thread holds the
      // earlier mail it answers, sent before). A deleted draft's thread holds no such message (its
      // own thread is gone with it, a reply's holds only what came before), and a thread not found
      // (the draft, deleted, was its only message; re-threaded by an edited subject) is not known.
      if (!d.threadId) return undefined;
      const threadId = d.threadId;
      let messages: { labelIds?: string[] | null; internalDate?: string | null }[];
      try {
        messages = (await gmailCall(10, () => g.users.threads.get({ userId: "me", id: threadId, format: "minimal", fields: "messages(labelIds,internalDate)" }, req))).data.messages ?? [];
      } catch (e) {
        if (e instanceof ProviderError && e.kind === "not-found") return undefined;
        throw e;
      }
      const sent = messages
        .filter((m) => m.labelIds?.includes("SENT") && !m.labelIds.includes("DRAFT"))
        .map((m) => Number(m.internalDate))
        .filter((at) => Number.isFinite(at) && at >= d.since)
        .sort((a, b) => a - b);
      return sent.length ? { sentAt: sent[0] } : undefined;
    },
    async deleteDraft(id: string): Promise<void> {
      try {
        await gmailCall(10, () => g.users.drafts.delete({ userId: "me", id }, req));
      } catch (e) {
        if (e instanceof ProviderError && e.kind === "not-found") return;
        throw e;
      }
    },
    async send(mail: OutgoingMail) {
      const raw = await mimeOfOutgoing(o.owner, mail, composerOf(o.composer, "send"));
      const res = await gmailCall(100, () => g.users.messages.send({ userId: "me", requestBody: { raw: raw.toString("base64url") } }, req), true);
      return { id: res.data.id ?? "" };
    },
    async sentRecently(messageId: string, since = 0) {
      // Each message's ids and date are read once per adapter (one job): a send that takes over an
      // earlier attempt looks for each Message-ID it may have gone under (core/digest/send sendOnce,
      // up to five), and since a look reads at least a whole page of 50, each look read the same
      // messages again (up to 250 messages.get, 1,250 units, where one look's 50 do).
      // No `q` under gmail.metadata: walk SENT newest first until a whole page is before `since` (at
      // most 500 messages). Gmail lists only roughly newest first (docs/provider-quirks.md, "Gmail
      // lists only roughly newest first"): one older message listed before ours is no end, and until
      // 2026-12-07 the look ended there, found nothing and the digest went out twice (helper-254 #1).
      // Trash too: mail sent to oneself (a digest, an event email) is one message, SENT and INBOX, and
      // the owner who reads and deletes it moves that message to Trash, which a listing skips unless
      // asked (users.messages.list includeSpamTrash); it would have been sent again (helper-189 #1).
      let pageToken: string | undefined;
      let seen = 0;
      do {
        const list = await gmailCall(5, () => g.users.messages.list({ userId: "me", labelIds: ["SENT"], includeSpamTrash: true, maxResults: 50, pageToken }, req));
        let allOlder = true;
        for (const m of list.data.messages ?? []) {
          let read = sentSeen.get(m.id!);
          if (!read) {
            const got = await gmailCall(5, () => g.users.messages.get({ userId: "me", id: m.id!, format: "metadata", metadataHeaders: ["Message-ID", SENT_ID_HEADER] }, req));
            // Our Message-ID, or (where Gmail gave the message one of its own) the header carrying it again.
            read = { ids: (got.data.payload?.headers ?? []).filter((h) => ["message-id", SENT_ID_HEADER.toLowerCase()].includes(h.name?.toLowerCase() ?? "")).map((h) => h.value?.trim() ?? ""), at: Number(got.data.internalDate) };
            if (sentSeen.size >= SENT_SEEN_MAX) sentSeen.clear();
            sentSeen.set(m.id!, read);
          }
          if (read.ids.includes(messageId.trim())) return true;
          if (!(read.at < since)) allOlder = false;
          if (++seen >= 500) return false;
        }
        if (allOlder) return false;
        pageToken = list.data.nextPageToken ?? undefined;
      } while (pageToken);
      return false;
    },
  };
}
