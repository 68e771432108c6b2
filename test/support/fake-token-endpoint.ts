import type { Clock } from '../../src/time/clock.js';
import {
  TokenEndpointError,
  type TokenGrant,
  type TokenIssuer,
  type TokenVerifier,
  type VerifyResult,
} from '../../src/credentials/token-types.js';

type Failure = 'transient' | 'permanent' | { retryAfterMs: number };

/**
 * A token endpoint and a verifier on a manual clock: tokens live `lifetimeSec`, are accepted by the
 * verifier `lagMs` after issue, and the endpoint can fail on demand.
 */
export class FakeTokenEndpoint implements TokenIssuer, TokenVerifier {
  requests = 0;
  verifications = 0;
  lifetimeSec = 60;
  lagMs = 0;
  latencyMs = 0;
  scopes = ['telephony:readonly', 'notifications'];
  serverSkewMs = 0;
  /** When set, the endpoint answers with the token it last issued while that one is valid (ServiceNow). */
  reuseWhileValid = false;
  failWith: Failure | undefined;
  tokenFactory: (n: number) => string = (n) => `token-${n}`;
  private readonly issuedAt = new Map<string, number>();
  private last?: { value: string; expiresAt: number };

  constructor(private readonly clock: Clock) {}

  async requestToken(): Promise<TokenGrant> {
    const sentAtMono = this.clock.monotonic();
    const sentAtWall = this.clock.now();
    this.requests += 1;
    if (this.latencyMs > 0) await this.clock.sleep(this.latencyMs);
    const failure = this.failWith;
    if (failure === 'transient') throw new TokenEndpointError('token endpoint answered 503', 'transient', { status: 503 });
    if (failure === 'permanent')
      throw new TokenEndpointError('token endpoint refused the client (invalid_client)', 'permanent', {
        status: 401,
        oauthError: 'invalid_client',
      });
    if (failure)
      throw new TokenEndpointError('token endpoint answered 429', 'transient', { status: 429, retryAfterMs: failure.retryAfterMs });
    const now = this.clock.now();
    if (this.reuseWhileValid && this.last && this.last.expiresAt > now) {
      return {
        accessToken: this.last.value,
        expiresInSec: Math.floor((this.last.expiresAt - now) / 1000),
        sentAtMono,
        sentAtWall,
        receivedAtWall: now,
      };
    }
    const value = this.tokenFactory(this.requests);
    this.issuedAt.set(value, now);
    this.last = { value, expiresAt: now + this.lifetimeSec * 1000 };
    return {
      accessToken: value,
      expiresInSec: this.lifetimeSec,
      sentAtMono,
      sentAtWall,
      receivedAtWall: now,
      serverDateMs: Math.floor((now + this.serverSkewMs) / 1000) * 1000,
    };
  }

  async verify(accessToken: string): Promise<VerifyResult> {
    this.verifications += 1;
    const issued = this.issuedAt.get(accessToken);
    if (issued === undefined) return { status: 'not_yet', detail: 'unknown token' };
    if (this.clock.now() - issued < this.lagMs) return { status: 'not_yet', detail: '401 bad.credentials' };
    return { status: 'valid', scopes: this.scopes };
  }
}
