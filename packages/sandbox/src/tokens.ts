import { createHash, randomBytes } from "node:crypto";

/** Who an access token belongs to. */
export interface TokenGrant {
  email: string;
  provider: "google" | "microsoft";
  clientId: string;
  scopes: string[];
}

interface AccessToken extends TokenGrant {
  expiresAt: number;
}

interface AuthCode extends TokenGrant {
  redirectUri: string;
  codeChallenge?: string;
  codeChallengeMethod?: string;
  expiresAt: number;
  used: boolean;
  /** Whether redeeming the code also returns a refresh token (Google access_type=offline, Microsoft offline_access). */
  withRefresh: boolean;
}

/** The result of a token grant, in OAuth terms. */
export interface IssuedTokens {
  access_token: string;
  refresh_token?: string;
  expires_in: number;
  token_type: "Bearer";
  scope: string;
  /** The grant these tokens carry (for the ID token; never serialised as such). */
  grant?: TokenGrant;
}

/** Why a grant failed, as an OAuth error code and description. */
export class OAuthError extends Error {
  constructor(
    readonly code: "invalid_grant" | "invalid_request" | "invalid_client" | "unsupported_grant_type",
    readonly description: string,
  ) {
    super(description);
  }
}

const token = (prefix: string) => `${prefix}.${randomBytes(18).toString("base64url")}`;

/** A Google refresh token's life when the app is in Testing: 7 days (TokenStore googleRefreshTtlMs). */
export const GOOGLE_TESTING_REFRESH_TTL_MS = 7 * 86_400_000;

/** The scopes that keep a Testing app's refresh token from expiring when they are all it holds: name, email address and profile. */
const GOOGLE_SIGN_IN_SCOPES: ReadonlySet<string> = new Set(["openid", "email", "profile", "https://www.googleapis.com/auth/userinfo.email", "https://www.googleapis.com/auth/userinfo.profile"]);

/** Authorization codes, access tokens and refresh tokens of every sandbox account. */
export class TokenStore {
  private access = new Map<string, AccessToken>();
  private refresh = new Map<string, TokenGrant>();
  private codes = new Map<string, AuthCode>();
  /** Access-token lifetime in seconds. */
  accessTtl = 3600;

  /**
   * How long a Google refresh token lives, in ms of `grantClock`; none, for ever (a published app).
   * "A Google Cloud Platform project with an OAuth consent screen configured for an external user
   * type and a publishing status of "Testing" is issued a refresh token expiring in 7 days, unless
   * the only OAuth scopes requested are a subset of name, email address, and user profile"
   * (developers.google.com/identity/protocols/oauth2, "Refresh token expiration"): SandboxOptions
   * `googleTestingApp` sets it to {@link GOOGLE_TESTING_REFRESH_TTL_MS}. Past it, the refresh grant
   * answers invalid_grant "Token has been expired or revoked.", as for any dead token.
   */
  googleRefreshTtlMs?: number;

  constructor(
    private readonly clock: () => number = Date.now,
    /** The clock refresh tokens are issued and aged on (the mailbox clock, which tests move). */
    private readonly grantClock: () => number = clock,
  ) {}

  /** When each refresh token was issued (grantClock). */
  private readonly refreshIssuedAt = new Map<string, number>();

  /** Issues an authorization code after consent (the authorize page); `withRefresh` decides whether redeeming it returns a refresh token. */
  createCode(grant: TokenGrant, redirectUri: string, codeChallenge?: string, codeChallengeMethod?: string, withRefresh = true): string {
    const code = token("code");
    this.codes.set(code, { ...grant, redirectUri, codeChallenge, codeChallengeMethod, expiresAt: this.clock() + 10 * 60_000, used: false, withRefresh });
    return code;
  }

  /** Redeems a code once, verifying PKCE, client and redirect URI. A replayed code revokes what it issued. */
  redeemCode(code: string, clientId: string, redirectUri: string | undefined, verifier: string | undefined): IssuedTokens {
    const c = this.codes.get(code);
    if (!c) throw new OAuthError("invalid_grant", "Malformed auth code.");
    if (c.used) {
      this.revokeAccount(c.email, c.clientId);
      throw new OAuthError("invalid_grant", "Code was already redeemed.");
    }
    c.used = true;
    if (c.expiresAt < this.clock()) throw new OAuthError("invalid_grant", "Code expired.");
    if (c.clientId !== clientId) throw new OAuthError("invalid_grant", "Code was issued to another client.");
    if (redirectUri !== undefined && redirectUri !== c.redirectUri) throw new OAuthError("invalid_grant", "redirect_uri_mismatch");
    if (c.codeChallenge) {
      if (!verifier) throw new OAuthError("invalid_grant", "Missing code verifier.");
      const computed = c.codeChallengeMethod === "plain" ? verifier : createHash("sha256").update(verifier).digest("base64url");
      if (computed !== c.codeChallenge) throw new OAuthError("invalid_grant", "Invalid code verifier.");
    }
    return this.issue(c, c.withRefresh);
  }

  /** Issues an access token (and a refresh token when asked) for a grant. */
  issue(grant: TokenGrant, withRefresh: boolean): IssuedTokens {
    const base: TokenGrant = { email: grant.email, provider: grant.provider, clientId: grant.clientId, scopes: grant.scopes };
    const access_token = token(grant.provider === "google" ? "ya29" : "eyJ0");
    this.access.set(access_token, { ...base, expiresAt: this.clock() + this.accessTtl * 1000 });
    const out: IssuedTokens = { access_token, expires_in: this.accessTtl, token_type: "Bearer", scope: grant.scopes.join(" "), grant: base };
    if (withRefresh) {
      out.refresh_token = token(grant.provider === "google" ? "1//rt" : "M.R3_rt");
      this.refresh.set(out.refresh_token, base);
      this.refreshIssuedAt.set(out.refresh_token, this.grantClock());
    }
    return out;
  }

  /**
   * Refresh grant. Microsoft returns a new refresh token each time and the old one stays valid ("The
   * Microsoft identity platform doesn't revoke old refresh tokens when used to fetch new access
   * tokens", learn.microsoft.com/entra/identity-platform/refresh-tokens#token-lifetime): two runs
   * refreshing the same stored token at once both get tokens. Google returns none (the stored one lasts).
   */
  refreshGrant(refreshToken: string, clientId: string | undefined): IssuedTokens {
    const g = this.refresh.get(refreshToken);
    if (!g) throw new OAuthError("invalid_grant", "Token has been expired or revoked.");
    if (clientId !== undefined && clientId !== g.clientId) throw new OAuthError("invalid_grant", "Token was issued to another client.");
    const ttl = g.provider === "google" && !g.scopes.every((s) => GOOGLE_SIGN_IN_SCOPES.has(s)) ? this.googleRefreshTtlMs : undefined;
    if (ttl !== undefined && this.grantClock() - (this.refreshIssuedAt.get(refreshToken) ?? this.grantClock()) >= ttl) {
      this.refresh.delete(refreshToken);
      throw new OAuthError("invalid_grant", "Token has been expired or revoked.");
    }
    return this.issue(g, g.provider === "microsoft");
  }

  /** True while the account holds a live refresh token for this client (an earlier offline consent not yet revoked). */
  hasRefreshToken(email: string, clientId: string): boolean {
    for (const g of this.refresh.values()) if (g.email.toLowerCase() === email.toLowerCase() && g.clientId === clientId) return true;
    return false;
  }

  /** Resolves a bearer token; undefined when unknown, revoked or expired. */
  authenticate(accessToken: string): TokenGrant | undefined {
    const t = this.access.get(accessToken);
    if (!t) return undefined;
    if (t.expiresAt <= this.clock()) return undefined;
    return t;
  }

  /** Revokes one token (access or refresh) and, for a refresh token, the access tokens of its grant. */
  revokeToken(value: string): boolean {
    const r = this.refresh.get(value);
    if (r) {
      this.revokeAccount(r.email, r.clientId);
      return true;
    }
    return this.access.delete(value);
  }

  /** Revokes every token of an account (optionally of one client): later refreshes get invalid_grant. */
  revokeAccount(email: string, clientId?: string): void {
    const hit = (g: TokenGrant) => g.email.toLowerCase() === email.toLowerCase() && (!clientId || g.clientId === clientId);
    for (const [k, g] of this.refresh) if (hit(g)) this.refresh.delete(k);
    for (const [k, g] of this.access) if (hit(g)) this.access.delete(k);
  }

  /** The grant a refresh token stands for (undefined when unknown or revoked); nothing is changed. */
  grantOfRefresh(refreshToken: string): TokenGrant | undefined {
    return this.refresh.get(refreshToken);
  }

  /** Scopes the account's live grants to this client hold (Google's include_granted_scopes adds them to a new grant). */
  liveScopes(email: string, clientId: string): string[] {
    const out = new Set<string>();
    for (const g of this.refresh.values()) if (g.email.toLowerCase() === email.toLowerCase() && g.clientId === clientId) for (const s of g.scopes) out.add(s);
    return [...out];
  }

  /**
   * Takes scopes out of every live grant of an account (its owner removed a permission at
   * myaccount.google.com, an admin withdrew consent to one permission): tokens already issued lose
   * them too, and later refreshes return the narrower `scope`. Compared case-insensitively.
   */
  withdrawScopes(email: string, scopes: readonly string[]): void {
    const gone = new Set(scopes.map((s) => s.toLowerCase()));
    const narrow = (g: TokenGrant) => {
      if (g.email.toLowerCase() === email.toLowerCase()) g.scopes = g.scopes.filter((s) => !gone.has(s.toLowerCase()));
    };
    for (const g of this.refresh.values()) narrow(g);
    for (const g of this.access.values()) narrow(g);
  }

  /** Makes every access token of an account expire now (to exercise refresh). */
  expireAccess(email: string): void {
    for (const g of this.access.values()) if (g.email.toLowerCase() === email.toLowerCase()) g.expiresAt = 0;
  }
}
