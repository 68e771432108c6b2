import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';

/** One access token the simulated login service handed out. */
export interface IssuedToken {
  readonly token: string;
  readonly clientId: string;
  readonly scopes: readonly string[];
  readonly issuedAt: number;
  readonly expiresAt: number;
  /** Before this instant the API does not know the token yet (propagation lag). */
  readonly usableAt: number;
  revoked: boolean;
}

/** Why a bearer token was refused, or `ok` with the token. */
export type TokenCheck =
  | { outcome: 'ok'; token: IssuedToken }
  | { outcome: 'missing' | 'unknown' }
  | { outcome: 'expired' | 'revoked' | 'unpropagated'; token: IssuedToken };

// Expired tokens are kept so that a late call can be counted as "expired" rather than "unknown";
// past this many entries the expired ones are dropped.
const PRUNE_ABOVE = 50_000;

/** Opaque tokens with their own expiry; a new grant never invalidates an older token. */
export class TokenStore {
  private readonly tokens = new Map<string, IssuedToken>();

  constructor(private readonly clock: Clock) {}

  issue(input: { clientId: string; scopes: readonly string[]; lifetimeSec: number; propagationLagMs: number }): IssuedToken {
    const now = this.clock();
    if (this.tokens.size >= PRUNE_ABOVE) this.pruneExpired(now);
    // 60 random bytes → 80 base64url characters, like the opaque tokens Genesys hands out (not a JWT).
    const token = randomBytes(60).toString('base64url');
    const issued: IssuedToken = {
      token,
      clientId: input.clientId,
      scopes: [...input.scopes],
      issuedAt: now,
      expiresAt: now + input.lifetimeSec * 1000,
      usableAt: now + input.propagationLagMs,
      revoked: false,
    };
    this.tokens.set(token, issued);
    return issued;
  }

  check(token: string | undefined): TokenCheck {
    if (!token) return { outcome: 'missing' };
    const found = this.tokens.get(token);
    if (!found) return { outcome: 'unknown' };
    const now = this.clock();
    if (found.revoked) return { outcome: 'revoked', token: found };
    if (now >= found.expiresAt) return { outcome: 'expired', token: found };
    if (now < found.usableAt) return { outcome: 'unpropagated', token: found };
    return { outcome: 'ok', token: found };
  }

  revoke(token: string): boolean {
    const found = this.tokens.get(token);
    if (!found || found.revoked) return false;
    found.revoked = true;
    return true;
  }

  /** Revokes every live token, or those of one client; returns how many. */
  revokeAll(clientId?: string): number {
    let count = 0;
    for (const t of this.tokens.values()) {
      if (clientId !== undefined && t.clientId !== clientId) continue;
      if (this.revoke(t.token)) count++;
    }
    return count;
  }

  /** Tokens that would be accepted right now. */
  activeCount(): number {
    let count = 0;
    for (const t of this.tokens.values()) if (this.check(t.token).outcome === 'ok') count++;
    return count;
  }

  private pruneExpired(now: number): void {
    for (const [key, t] of this.tokens) if (now >= t.expiresAt || t.revoked) this.tokens.delete(key);
  }
}
