import { createHmac, randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { TokenFormat } from './options.js';
import { newSysId } from './wire.js';

/** One access token the simulator handed out. */
export interface IssuedToken {
  accessToken: string;
  /** Null for client_credentials grants: the instance sends no refresh token for them (seen in public captures). */
  refreshToken: string | null;
  clientId: string;
  username: string;
  scope: string;
  issuedAt: number;
  expiresAt: number;
  refreshExpiresAt: number;
}

export interface TokenGrant {
  token: IssuedToken;
  /** False when a still-valid token was handed out again. */
  minted: boolean;
}

export interface TokenIssuerOptions {
  clock: Clock;
  lifetimeSec: number;
  refreshLifetimeSec: number;
  format: TokenFormat;
  /** The `iss` claim of JWT-shaped tokens (the instance URL). */
  issuer: () => string;
}

/** The scope an instance reports for tokens of an OAuth endpoint without scope restrictions. */
export const DEFAULT_SCOPE = 'useraccount';

/**
 * Seconds left as the instance reports them: an 1800 s token is announced as `"expires_in": 1799`
 * (public fixtures captured from real instances show 1799).
 */
export function expiresInSeconds(token: IssuedToken, now: number): number {
  return Math.max(0, Math.floor((token.expiresAt - now - 1) / 1000));
}

/**
 * Mints and checks OAuth tokens. Asking again inside a token's lifetime returns the same token:
 * ServiceNow does this, and clients that refresh early must not loop on it.
 */
export class TokenIssuer {
  private lifetimeSec: number;
  private readonly secret = randomBytes(32);
  private readonly byAccess = new Map<string, IssuedToken>();
  private readonly byRefresh = new Map<string, IssuedToken>();
  private readonly current = new Map<string, IssuedToken>();

  constructor(private readonly options: TokenIssuerOptions) {
    this.lifetimeSec = options.lifetimeSec;
  }

  get tokenLifetimeSec(): number {
    return this.lifetimeSec;
  }

  /** Applies to tokens minted from now on; tokens already out keep their expiry. */
  setLifetime(seconds: number): void {
    this.lifetimeSec = seconds;
  }

  grant(clientId: string, username: string, withRefreshToken: boolean): TokenGrant {
    const now = this.options.clock();
    const key = `${clientId}\n${username}\n${withRefreshToken ? 'r' : '-'}`;
    const live = this.current.get(key);
    if (live && this.isValid(live, now)) return { token: live, minted: false };

    const expiresAt = now + this.lifetimeSec * 1000;
    const token: IssuedToken = {
      accessToken: this.mint(clientId, username, now, expiresAt),
      refreshToken: withRefreshToken ? randomBytes(64).toString('base64url') : null,
      clientId,
      username,
      scope: DEFAULT_SCOPE,
      issuedAt: now,
      expiresAt,
      refreshExpiresAt: now + this.options.refreshLifetimeSec * 1000,
    };
    if (this.byAccess.size > 10_000) this.prune(now);
    this.current.set(key, token);
    this.byAccess.set(token.accessToken, token);
    if (token.refreshToken) this.byRefresh.set(token.refreshToken, token);
    return { token, minted: true };
  }

  /** The token behind a Bearer value, or undefined when unknown, expired or revoked. */
  verify(accessToken: string): IssuedToken | undefined {
    const token = this.byAccess.get(accessToken);
    return token && this.isValid(token, this.options.clock()) ? token : undefined;
  }

  /** The grant a refresh token belongs to, when it is this client's and still valid. */
  redeem(clientId: string, refreshToken: string): IssuedToken | undefined {
    const token = this.byRefresh.get(refreshToken);
    if (!token || token.clientId !== clientId) return undefined;
    if (this.options.clock() >= token.refreshExpiresAt) return undefined;
    return token;
  }

  /** Every token issued so far stops working (as if an admin revoked them); the next grant mints anew. */
  revokeAll(): void {
    this.byAccess.clear();
    this.byRefresh.clear();
    this.current.clear();
  }

  reset(): void {
    this.revokeAll();
    this.lifetimeSec = this.options.lifetimeSec;
  }

  private isValid(token: IssuedToken, now: number): boolean {
    return now < token.expiresAt && this.byAccess.get(token.accessToken) === token;
  }

  private prune(now: number): void {
    for (const [value, token] of this.byAccess) if (token.expiresAt <= now) this.byAccess.delete(value);
    for (const [value, token] of this.byRefresh) if (token.refreshExpiresAt <= now) this.byRefresh.delete(value);
  }

  private mint(clientId: string, username: string, now: number, expiresAt: number): string {
    // Real opaque tokens are 86 base64url characters (64 random bytes).
    if (this.options.format === 'opaque') return randomBytes(64).toString('base64url');
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const header = encode({ alg: 'HS256', typ: 'JWT' });
    const payload = encode({
      iss: this.options.issuer(),
      sub: username,
      aud: clientId,
      iat: Math.floor(now / 1000),
      exp: Math.floor(expiresAt / 1000),
      jti: newSysId(),
      scope: DEFAULT_SCOPE,
    });
    const signature = createHmac('sha256', this.secret).update(`${header}.${payload}`).digest('base64url');
    return `${header}.${payload}.${signature}`;
  }
}
