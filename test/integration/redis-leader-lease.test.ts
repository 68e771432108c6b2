import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LeadershipEvent } from '../../src/cluster/leader-lease.js';
import { RedisConnection } from '../../src/cluster/redis-connection.js';
import { RedisLeaderLease, RedisLeaseStore } from '../../src/cluster/redis-leader-lease.js';
import { systemClock } from '../../src/time/clock.js';
import { adminClient, CuttableProxy, deletePrefix, randomPrefix, testRedisUrl } from '../support/redis.js';
import { memoryLogger } from '../support/test-config.js';

const redisUrl = testRedisUrl();
/** Short enough for a quick test, long enough that a busy shared machine does not lose renewals. */
const TTL_MS = 1_500;

function once(lease: RedisLeaderLease, event: 'elected' | 'revoked'): Promise<LeadershipEvent> {
  return new Promise((resolve) => lease.once(event, resolve));
}

describe.skipIf(!redisUrl)('RedisLeaderLease (real Redis)', () => {
  const prefix = randomPrefix();
  let admin: Redis;
  const connections: RedisConnection[] = [];
  const leases: RedisLeaderLease[] = [];
  let proxy: CuttableProxy | undefined;

  async function replica(name: string, url = redisUrl!) {
    const log = memoryLogger();
    const connection = new RedisConnection({
      url,
      logger: log.logger,
      timeouts: { commandMs: 300, socketMs: 600, connectMs: 500, maxReconnectDelayMs: 200 },
    });
    connections.push(connection);
    await connection.waitUntilReady(2_000);
    const lease = new RedisLeaderLease({
      redis: connection.client,
      keyPrefix: prefix,
      owner: name,
      ttlMs: TTL_MS,
      clock: systemClock,
      logger: log.logger,
    });
    leases.push(lease);
    return { lease, connection, log };
  }

  beforeAll(() => {
    admin = adminClient(redisUrl!);
  });
  afterEach(async () => {
    await Promise.all(leases.splice(0).map((l) => l.stop()));
    await Promise.all(connections.splice(0).map((c) => c.close()));
    await proxy?.close();
    proxy = undefined;
    await deletePrefix(admin, prefix);
  });
  afterAll(async () => {
    await admin.quit();
  });

  it('the lease store: SET NX PX to take, compare-and-PEXPIRE to renew, compare-and-DEL to release', async () => {
    const { connection } = await replica('unused');
    const store = new RedisLeaseStore(connection.client, `${prefix}leader:probe`);
    expect(await store.acquire('a', 5_000)).toBe(true);
    expect(await store.acquire('b', 5_000)).toBe(false);
    expect(await store.renew('b', 60_000)).toBe(false);
    await store.release('b');
    expect(await store.holder()).toBe('a');
    expect(await admin.pttl(`${prefix}leader:probe`)).toBeLessThanOrEqual(5_000);
    expect(await store.renew('a', 60_000)).toBe(true);
    expect(await admin.pttl(`${prefix}leader:probe`)).toBeGreaterThan(55_000);
    await store.release('a');
    expect(await store.holder()).toBeUndefined();
    expect(await store.renew('a', 60_000)).toBe(false);
  });

  it('a leader killed without releasing (its connection gone) is replaced once the lease expires, never overlapping', async () => {
    const a = await replica('replica-a');
    const b = await replica('replica-b');
    const aElected = once(a.lease, 'elected');
    a.lease.start();
    await aElected;
    b.lease.start();
    expect(await admin.get(`${prefix}leader:trunk-monitor`)).toBe('replica-a');
    const aRevoked = once(a.lease, 'revoked');
    const bElected = once(b.lease, 'elected');
    a.connection.client.disconnect(false); // like kill -9 as far as Redis can tell: no release, no renewals
    const [revoked, elected] = await Promise.all([aRevoked, bElected]);
    expect(revoked.reason).toBe('could not renew the lease before it expired');
    expect(revoked.at).toBeLessThanOrEqual(elected.at);
    expect(await admin.get(`${prefix}leader:trunk-monitor`)).toBe('replica-b');
    expect(b.lease.isLeader).toBe(true);
    expect(a.lease.isLeader).toBe(false);
  });

  it('a leader that loses Redis (black hole) steps down, a follower takes over, and it stays follower when Redis is back', async () => {
    proxy = await CuttableProxy.forUrl(redisUrl!).start();
    const a = await replica('replica-a', proxy.url(redisUrl!));
    const b = await replica('replica-b');
    const aElected = once(a.lease, 'elected');
    a.lease.start();
    await aElected;
    b.lease.start();
    const aRevoked = once(a.lease, 'revoked');
    const bElected = once(b.lease, 'elected');
    await proxy.cut('blackhole');
    const [revoked, elected] = await Promise.all([aRevoked, bElected]);
    expect(revoked.at).toBeLessThanOrEqual(elected.at);
    expect(a.lease.snapshot().lastError).not.toBeNull();
    await proxy.restore();
    await a.connection.waitUntilReady(5_000);
    // Once A talks to Redis again (its campaign succeeds in reaching it), the lease stays with B.
    await vi.waitFor(() => expect(a.lease.snapshot().lastError).toBeNull(), { timeout: 5_000, interval: 50 });
    expect(a.lease.isLeader).toBe(false);
    expect(b.lease.isLeader).toBe(true);
    expect(await admin.get(`${prefix}leader:trunk-monitor`)).toBe('replica-b');
  });

  it('stop() releases the lease at once and the follower takes it at its next attempt', async () => {
    const a = await replica('replica-a');
    const b = await replica('replica-b');
    const aElected = once(a.lease, 'elected');
    a.lease.start();
    await aElected;
    b.lease.start();
    const bElected = once(b.lease, 'elected');
    await a.lease.stop();
    expect(await admin.get(`${prefix}leader:trunk-monitor`)).not.toBe('replica-a');
    await bElected;
    expect(await admin.get(`${prefix}leader:trunk-monitor`)).toBe('replica-b');
  });
});
