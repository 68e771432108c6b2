import type { Registry } from 'prom-client';
import type { Config } from '../config/config.js';
import { RedisTokenStore } from '../credentials/redis-token-store.js';
import { TokenCacheMetrics } from '../credentials/token-cache-metrics.js';
import { TokenCipher } from '../credentials/token-cipher.js';
import { InProcessTokenStore, type TokenStore } from '../credentials/token-store.js';
import type { ReadinessCheck } from '../meta/readiness-check.js';
import type { Logger } from '../log/logger.js';
import type { Clock } from '../time/clock.js';
import { type LeaderLease, SoloLeaderLease } from './leader-lease.js';
import { LeaseMetrics } from './lease-metrics.js';
import { RedisConnection } from './redis-connection.js';
import { RedisLeaderLease } from './redis-leader-lease.js';
import { leaseTtlForPollInterval } from './store-leader-lease.js';

/** What a replica uses to act as part of a cluster: one Redis connection (when configured), the token store, the monitor's lease. */
export interface Cluster {
  redis?: RedisConnection;
  tokenStore: TokenStore;
  leadership: LeaderLease;
  /** Shown on /readyz; never fails it (see README "Several replicas"). */
  readiness?: ReadinessCheck;
  /** Gives up leadership, then closes the Redis connection. */
  close(): Promise<void>;
}

/** How long start-up waits for Redis before going on alone (it keeps reconnecting in the background). */
const STARTUP_WAIT_MS = 2_000;

/**
 * Without REDIS_URL: an in-process token store and a solo lease. With it: one ioredis connection shared
 * by the encrypted token cache and the leadership lease. Start-up waits briefly for Redis so replicas
 * starting together share their first token, but never fails on it.
 */
export async function buildCluster(deps: {
  config: Config;
  clock: Clock;
  logger: Logger;
  registry: Registry;
  tokenStore?: TokenStore;
  leadership?: LeaderLease;
}): Promise<Cluster> {
  const { config, clock, logger, registry } = deps;
  if (!config.redisUrl || (deps.tokenStore && deps.leadership)) {
    const leadership = deps.leadership ?? new SoloLeaderLease('trunk-monitor', Date.now, new LeaseMetrics(registry));
    return { tokenStore: deps.tokenStore ?? new InProcessTokenStore(), leadership, close: () => leadership.stop() };
  }
  if (!config.tokenCacheSecretKey) throw new Error('TOKEN_CACHE_KEY is required with REDIS_URL');
  const redis = new RedisConnection({ url: config.redisUrl, logger, registry });
  await redis.waitUntilReady(STARTUP_WAIT_MS);
  const tokenStore =
    deps.tokenStore ??
    new RedisTokenStore({
      redis: redis.client,
      cipher: new TokenCipher(config.tokenCacheSecretKey),
      keyPrefix: config.redisKeyPrefix,
      clock,
      logger,
      metrics: new TokenCacheMetrics(registry),
    });
  const leadership =
    deps.leadership ??
    new RedisLeaderLease({
      redis: redis.client,
      keyPrefix: config.redisKeyPrefix,
      ttlMs: leaseTtlForPollInterval(config.monitor.pollIntervalMs),
      clock,
      logger,
      metrics: new LeaseMetrics(registry),
    });
  return {
    redis,
    tokenStore,
    leadership,
    readiness: {
      name: 'redis',
      // Redis down is reported, not failed: callers are still served on this replica's own tokens.
      check: async () => ({ ok: true, detail: `${redis.describe()}; ${leadership.isLeader ? 'leader' : 'follower'} of the trunk monitor` }),
    },
    close: async () => {
      await leadership.stop();
      await redis.close();
    },
  };
}
