import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../log/logger.js';
import type { Clock } from '../time/clock.js';
import type { TokenCacheMetrics } from './token-cache-metrics.js';
import type { TokenCipher } from './token-cipher.js';
import type { SharedToken, TokenStore } from './token-store.js';

/** Deletes the lock only if we still own it: after our TTL ran out another replica may hold it. */
const RELEASE_IF_OWNER = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/** Redis did not answer (down, unreachable, timed out). The broker then works on its own token. */
export class TokenStoreError extends Error {
  constructor(operation: 'read' | 'write' | 'lock', cause: unknown) {
    super(`token store ${operation} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'TokenStoreError';
  }
}

export interface RedisTokenStoreOptions {
  redis: Redis;
  cipher: TokenCipher;
  /** Prepended to every key, e.g. `trunkgate:`. */
  keyPrefix: string;
  clock: Clock;
  logger: Logger;
  metrics?: TokenCacheMetrics;
}

/**
 * The shared token cache and refresh lock of a cluster, in Redis. Tokens are stored sealed (JWE), never
 * in clear text, and expire from Redis with the token. The lock is SET NX PX with a random owner,
 * released by compare-and-delete (the single-instance pattern of the Redis "distributed locks" page).
 * Failures are thrown as TokenStoreError; the broker treats them as "no cluster" and carries on alone.
 */
export class RedisTokenStore implements TokenStore {
  private readonly log: Logger;

  constructor(private readonly options: RedisTokenStoreOptions) {
    this.log = options.logger.child({ module: 'credentials/redis-token-store' });
  }

  tokenKey(upstream: string): string {
    return `${this.options.keyPrefix}token:${upstream}`;
  }

  lockKey(upstream: string): string {
    return `${this.options.keyPrefix}token-refresh-lock:${upstream}`;
  }

  async read(upstream: string): Promise<SharedToken | undefined> {
    const { redis, cipher, metrics } = this.options;
    let sealed: string | null;
    try {
      sealed = await redis.get(this.tokenKey(upstream));
    } catch (err) {
      metrics?.read(upstream, 'error');
      throw new TokenStoreError('read', err);
    }
    if (sealed === null) {
      metrics?.read(upstream, 'miss');
      return undefined;
    }
    const opened = await cipher.open(upstream, sealed);
    if ('failure' in opened) {
      metrics?.read(upstream, 'undecryptable');
      // Absent rather than fatal: the next refresh overwrites it with a value sealed under our key.
      const why =
        opened.failure === 'other_key'
          ? 'it was sealed with a different TOKEN_CACHE_KEY (rotated, or replicas disagree)'
          : opened.failure === 'undecryptable'
            ? 'it fails authentication (tampered or corrupted)'
            : 'it is not a token entry';
      this.log.warn(`shared token ignored: ${why}`, { upstream, reason: opened.failure, keyId: cipher.keyId });
      return undefined;
    }
    metrics?.read(upstream, 'hit');
    return opened.token;
  }

  async write(upstream: string, token: SharedToken): Promise<void> {
    const { redis, cipher, metrics, clock } = this.options;
    const ttlMs = Math.floor(token.expiresAtWall - clock.now());
    if (ttlMs <= 0) {
      metrics?.write(upstream, 'skipped_expired');
      return;
    }
    const sealed = await cipher.seal(upstream, token);
    try {
      await redis.set(this.tokenKey(upstream), sealed, 'PX', ttlMs);
    } catch (err) {
      metrics?.write(upstream, 'error');
      throw new TokenStoreError('write', err);
    }
    metrics?.write(upstream, 'stored');
  }

  async withRefreshLock<T>(
    upstream: string,
    ttlMs: number,
    fn: () => Promise<T>,
  ): Promise<{ acquired: true; value: T } | { acquired: false }> {
    const { redis, metrics } = this.options;
    const key = this.lockKey(upstream);
    const owner = randomBytes(16).toString('base64url');
    let reply: string | null;
    try {
      reply = await redis.set(key, owner, 'PX', Math.max(1, Math.round(ttlMs)), 'NX');
    } catch (err) {
      metrics?.lock(upstream, 'error');
      throw new TokenStoreError('lock', err);
    }
    if (reply !== 'OK') {
      metrics?.lock(upstream, 'contended');
      return { acquired: false };
    }
    metrics?.lock(upstream, 'acquired');
    try {
      return { acquired: true, value: await fn() };
    } finally {
      await redis.eval(RELEASE_IF_OWNER, 1, key, owner).catch((err: unknown) => {
        this.log.warn('could not release the token refresh lock; it expires by itself', { upstream, ttlMs, err });
      });
    }
  }
}
