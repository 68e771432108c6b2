import { PassThrough } from 'node:stream';
import type { Config } from '../config/config.js';
import { RedisConnection } from '../cluster/redis-connection.js';
import { RedisTokenStore } from '../credentials/redis-token-store.js';
import { TokenCipher } from '../credentials/token-cipher.js';
import { createLogger, type Logger } from '../log/logger.js';
import { systemClock } from '../time/clock.js';
import { fail, messageOf, pass, warn, type Check } from './check.js';

/** host:port of REDIS_URL: never its password. */
function shownRedis(url: string): string {
  try {
    const u = new URL(url);
    return `Redis at ${u.hostname}:${u.port || '6379'}${u.protocol === 'rediss:' ? ' (TLS)' : ''}`;
  } catch {
    return '(unreadable REDIS_URL)';
  }
}

/**
 * redis (REDIS_URL only): reachable, and TOKEN_CACHE_KEY opens the tokens other replicas shared there
 * (the same key names and cipher as src/credentials/redis-token-store.ts). Only reads.
 */
export function redisCheck(config: Config, logger: Logger): Check {
  return {
    name: 'redis',
    timeoutFix: config.redisUrl ? `check that this host reaches ${shownRedis(config.redisUrl)} (REDIS_URL)` : undefined,
    run: async (signal) => {
      if (!config.redisUrl) return pass('not used (REDIS_URL unset): one replica, which keeps its tokens and rate limits to itself');
      const shown = shownRedis(config.redisUrl);
      // Its own warnings speak of a replica's fallbacks; the doctor reports the outage itself.
      const connection = new RedisConnection({
        url: config.redisUrl,
        logger: createLogger({ silent: true, stream: new PassThrough() }),
        name: 'trunkgate-doctor',
        timeouts: { connectMs: 3_000, commandMs: 2_000 },
      });
      const onAbort = () => void connection.close();
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        if (!(await connection.waitUntilReady(5_000))) {
          return fail(
            `${shown} cannot be reached (${connection.describe().replace(/^unreachable \((?:\w+: )?(.*)\)$/, '$1')})`,
            'check REDIS_URL (host, port, password, rediss:// for TLS) and that this host reaches that server',
          );
        }
        const cipher = new TokenCipher(config.tokenCacheSecretKey!);
        const store = new RedisTokenStore({
          redis: connection.client,
          cipher,
          keyPrefix: config.redisKeyPrefix,
          clock: systemClock,
          logger,
        });
        const found: string[] = [];
        const foreign: string[] = [];
        const broken: string[] = [];
        for (const upstream of ['genesys', 'servicenow']) {
          const sealed = await connection.client.get(store.tokenKey(upstream));
          if (sealed === null) continue;
          const opened = await cipher.open(upstream, sealed);
          if (!('failure' in opened)) found.push(upstream);
          else if (opened.failure === 'other_key') foreign.push(upstream);
          else broken.push(upstream);
        }
        const said = `${shown} reachable (keys under "${config.redisKeyPrefix}")`;
        if (foreign.length > 0) {
          return fail(
            `${said}; the shared ${foreign.join(' and ')} token was sealed with another TOKEN_CACHE_KEY (key id ${cipher.keyId} here)`,
            'set the same TOKEN_CACHE_KEY on every replica (or a distinct REDIS_KEY_PREFIX for a separate deployment)',
          );
        }
        if (broken.length > 0)
          return warn(
            `${said}; the shared ${broken.join(' and ')} token entry cannot be opened (tampered or corrupted)`,
            'nothing to set: the next token refresh overwrites it; if it recurs, check what else writes under REDIS_KEY_PREFIX',
          );
        if (found.length === 0)
          return pass(`${said}; no shared token yet, so TOKEN_CACHE_KEY is not tried (a running replica shares its tokens there)`);
        return pass(`${said}; TOKEN_CACHE_KEY opens the ${found.join(' and ')} token another replica shared`);
      } catch (err) {
        return fail(`${shown}: ${messageOf(err)}`, 'check REDIS_URL and the Redis server (its log, memory, ACL for GET)');
      } finally {
        signal.removeEventListener('abort', onAbort);
        await connection.close();
      }
    },
  };
}
