import { FaultRegistry } from "./faults";
import { type AccountInfo, type MailboxFixture, loadFixture } from "./fixtures";
import type { Api } from "./errors";
import { QuotaModel, type QuotaLimits, defaultLimits } from "./quota";
import { GOOGLE_TESTING_REFRESH_TTL_MS, TokenStore } from "./tokens";
import { GmailStore } from "./gmail/store";
import { CalendarStore } from "./calendar/store";
import { GraphStore } from "./graph/store";

/** Page-size caps per API; small values in tests make every listing page. */
export interface PageSizes {
  gmail: number;
  calendar: number;
  graph: number;
}

/** How a sandbox is set up. */
export interface SandboxOptions {
  /** Mailbox fixture folders (or loaded fixtures) to serve, one account each. */
  fixtures?: (string | MailboxFixture)[];
  /** Largest page each API returns, whatever the client asks for. */
  pageSize?: Partial<PageSizes>;
  /** Per-user quota model; `false` turns throttling off (calls are still counted). */
  quota?: QuotaLimits | false;
  /**
   * Clock of the quota windows and token lifetimes (ms); the system clock by default. Fixture mode
   * passes a VirtualClock's `now`, shared with the adapters' pacing, so both sides see one time.
   */
  clock?: () => number;
  /**
   * Real milliseconds each call of an API takes to answer (0 by default). Calls answered at once
   * never overlap; with a service time they do, as on a real server, so concurrency limits bite.
   */
  serviceTimeMs?: Partial<Record<"gmail" | "calendar" | "graph", number>>;
  /** Origin the sandbox is reached at, used in links it returns (set by the server). */
  baseUrl?: string;
  /** Origin of the HTTPS listener (for Graph @odata links), when one runs. */
  httpsUrl?: string;
  /** Most messages a filtered Graph message delta round returns (Microsoft's is 5,000); small in tests. */
  graphFilteredDeltaCap?: number;
  /**
   * How long after sendMail's 202 the message stays in the sender's Drafts before it is in Sent Items
   * (ms of the mailbox clock, {@link SandboxState.now}); {@link DEFAULT_GRAPH_TRANSPORT_MS} unless
   * set, 0 for at once. Graph answers once the message is saved in Drafts; transport moves it to Sent
   * Items afterwards (learn.microsoft.com/graph/outlook-things-to-know-about-send-mail), in a time
   * no page bounds: the 2 s default is a guess (docs/provider-quirks.md).
   */
  graphTransportMs?: number;
  /**
   * The `iss` of Google's ID tokens: `https://accounts.google.com` by default, or the form without
   * the scheme that Google's OpenID Connect reference says its ID tokens may also carry ("Always
   * https://accounts.google.com or accounts.google.com", developers.google.com/identity/openid-connect/openid-connect,
   * the ID token's payload; OpenID Connect Core 15.6.2 names it; spring-projects/spring-security#4511
   * saw it from the token endpoint).
   */
  googleIdTokenIssuer?: "https://accounts.google.com" | "accounts.google.com";
  /**
   * Google's OAuth client is an External app left in Testing: its refresh tokens expire 7 days (of
   * the mailbox clock) after they were issued, unless they hold sign-in scopes only
   * (developers.google.com/identity/protocols/oauth2, "Refresh token expiration"; TokenStore
   * `googleRefreshTtlMs`). Off by default: a published app's tokens do not expire so.
   */
  googleTestingApp?: boolean;
}

/** The mailbox-clock time sendMail's message takes to reach Sent Items unless a sandbox sets its own. */
export const DEFAULT_GRAPH_TRANSPORT_MS = 2_000;

/** One connected mailbox the sandbox serves. */
export interface Account {
  info: AccountInfo;
  gmail?: GmailStore;
  calendar?: CalendarStore;
  graph?: GraphStore;
}

/**
 * A call the providers' contract refused: 403 for the grant's scopes (guard.ts, and Gmail's refusals
 * under gmail.metadata), 400 for a parameter the discovery document does not have or allow, or a
 * request the API documents as malformed (a `contract` GmailError or GraphQueryError), 500 for a
 * route no official file lists, 404 for an API path the sandbox has no route for, and an OAuth
 * request that breaks the protocol (oauth/shared.ts refusedOAuth). What was asked, by whom (empty
 * where no grant was read), holding what.
 */
export interface Refusal {
  api: Api;
  /** "POST /v1.0/me/revokeSignInSessions" */
  request: string;
  status: number;
  email: string;
  scopes: string[];
}

/** Everything the sandbox knows: accounts, tokens, faults, quotas and its mail clock. */
export class SandboxState {
  readonly accounts = new Map<string, Account>();
  /**
   * Every call the providers' contracts refused ({@link Refusal}), oldest first, the latest 1,000:
   * the tests of our own code read it to show that none of them makes a call needing a permission we
   * never request, or one the contract does not have, even one our code would tolerate being refused
   * (test/support/refusals.ts).
   */
  readonly refusals: Refusal[] = [];

  /** Keeps one refusal (the latest 1,000). */
  refused(r: Refusal): void {
    if (this.refusals.length >= 1000) this.refusals.shift();
    this.refusals.push(r);
  }
  readonly tokens: TokenStore;
  readonly faults = new FaultRegistry();
  readonly quota: QuotaModel;
  readonly pageSize: PageSizes;
  readonly clock: () => number;
  baseUrl: string;
  httpsUrl?: string;
  private fixedNow?: number;

  constructor(readonly options: SandboxOptions = {}) {
    this.clock = options.clock ?? Date.now;
    this.tokens = new TokenStore(this.clock, () => this.now());
    if (options.googleTestingApp) this.tokens.googleRefreshTtlMs = GOOGLE_TESTING_REFRESH_TTL_MS;
    this.quota = new QuotaModel(options.quota === undefined ? defaultLimits : options.quota, this.clock);
    this.pageSize = { gmail: 500, calendar: 2500, graph: 1000, ...options.pageSize };
    this.baseUrl = options.baseUrl ?? "http://127.0.0.1";
    this.httpsUrl = options.httpsUrl;
    for (const f of options.fixtures ?? []) this.addFixture(f);
  }

  /** The mailbox clock (ms): wall time unless a test set it. New mail and drafts are stamped with it. */
  now(): number {
    return this.fixedNow ?? Date.now();
  }

  /**
   * Sets (or with undefined, unsets) the mailbox clock. Set back, it first files every Graph send
   * still on its way ({@link SandboxOptions.graphTransportMs}), which would otherwise stay in Drafts.
   */
  setNow(ms: number | undefined): void {
    const before = this.now();
    this.fixedNow = ms;
    if (this.now() < before) for (const a of this.accounts.values()) a.graph?.settle(true);
  }

  /** Adds a mailbox; replaces an account with the same address. */
  addFixture(fixture: string | MailboxFixture): Account {
    const f = typeof fixture === "string" ? loadFixture(fixture) : fixture;
    const now = () => this.now();
    const account: Account = { info: f.account };
    if (f.google) {
      account.gmail = new GmailStore(f.account, f.google.messages, now);
      account.calendar = new CalendarStore(f.account, f.google.events, now);
    }
    if (f.microsoft) account.graph = new GraphStore(f.account, f.microsoft, now, () => this.options.graphTransportMs ?? DEFAULT_GRAPH_TRANSPORT_MS);
    this.accounts.set(f.account.email.toLowerCase(), account);
    return account;
  }

  /** The account with this primary address (case-insensitive). */
  account(email: string): Account | undefined {
    return this.accounts.get(email.toLowerCase());
  }

  /** Service time of one call of `api` (see {@link SandboxOptions.serviceTimeMs}). */
  serviceTime(api: string): number {
    return this.options.serviceTimeMs?.[api as "gmail"] ?? 0;
  }

  /** Expires the sync cursors of one API of an account (history ids, sync tokens, delta links). */
  expireCursors(email: string, api: "gmail" | "calendar" | "graph"): void {
    const a = this.account(email);
    if (!a) return;
    if (api === "gmail") a.gmail?.expireHistory();
    if (api === "calendar") a.calendar?.expireSyncTokens();
    if (api === "graph") a.graph?.expireDeltaTokens();
  }
}
