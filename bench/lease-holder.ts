// A process that only campaigns for the trunk-monitor lease, for the failover benchmark to kill -9.
// Prints {"elected": <wall ms>} once it leads.
import { RedisConnection } from '../src/cluster/redis-connection.js';
import { RedisLeaderLease } from '../src/cluster/redis-leader-lease.js';
import { createLogger } from '../src/log/logger.js';
import { systemClock } from '../src/time/clock.js';

const logger = createLogger({ level: 'error' });
const connection = new RedisConnection({ url: process.env.REDIS_URL!, logger });
await connection.waitUntilReady(2_000);
const lease = new RedisLeaderLease({
  redis: connection.client,
  keyPrefix: process.env.REDIS_KEY_PREFIX!,
  owner: process.env.LEASE_OWNER,
  ttlMs: Number(process.env.LEASE_TTL_MS),
  clock: systemClock,
  logger,
});
lease.on('elected', (e) => process.stdout.write(`${JSON.stringify({ elected: e.at })}\n`));
lease.start();
setInterval(() => undefined, 60_000); // stay alive until killed
