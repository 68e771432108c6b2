import type { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { RedisConnection } from '../../src/cluster/redis-connection.js';
import { RedisTokenStore, TokenStoreError } from '../../src/credentials/redis-token-store.js';
import { TokenCacheMetrics } from '../../src/credentials/token-cache-metrics.js';
import { TokenCipher } from '../../src/credentials/token-cipher.js';
import type { SharedToken } from '../../src/credentials/token-store.js';
import { systemClock } from '../../src/time/clock.js';
import { adminClient, closedPort, CuttableProxy, deletePrefix, randomPrefix, testRedisUrl } from '../support/redis.js';
import { memoryLogger } from '../support/test-config.js';

const redisUrl = testRedisUrl();
const KEY = new Uint8Array(32).fill(9);

function tokenFor(lifetimeMs: number, value = 'the-secret-access-token'): SharedToken {
  const now = Date.now();
  return { value, obtainedAtWall: now, expiresAtWall: now + lifetimeMs, lifetimeMs, verified: true, scopes: ['telephony:plugin:all'] };
}

describe.skipIf(!redisUrl)('RedisTokenStore (real Redis)', () => {
  const prefix = randomPrefix();
  let admin: Redis;
  const connections: RedisConnection[] = [];

  function store(options: { key?: Uint8Array; url?: string } = {}) {
    const log = memoryLogger();
    const connection = new RedisConnection({
      url: options.url ?? redisUrl!,
      logger: log.logger,
      timeouts: { commandMs: 300, socketMs: 600, connectMs: 500 },
    });
    connections.push(connection);
    const registry = new Registry();
    const s = new RedisTokenStore({
      redis: connection.client,
      cipher: new TokenCipher(options.key ?? KEY),
      keyPrefix: prefix,
      clock: systemClock,
      logger: log.logger,
      metrics: new TokenCacheMetrics(registry),
    });
    return { store: s, connection, log, registry };
  }

  beforeAll(() => {
    admin = adminClient(redisUrl!);
  });
  afterEach(async () => {
    await Promise.all(connections.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await deletePrefix(admin, prefix);
    await admin.quit();
  });

  it('shares a token between replicas sealed as JWE, never in clear text, expiring with the token', async () => {
    const a = store();
    const b = store();
    await a.connection.waitUntilReady(2_000);
    const token = tokenFor(60_000);
    await a.store.write('genesys', token);
    const raw = (await admin.get(`${prefix}token:genesys`))!;
    expect(raw.split('.')).toHaveLength(5);
    expect(raw).not.toContain('the-secret');
    const pttl = await admin.pttl(`${prefix}token:genesys`);
    expect(pttl).toBeGreaterThan(50_000);
    expect(pttl).toBeLessThanOrEqual(60_000);
    await b.connection.waitUntilReady(2_000);
    expect(await b.store.read('genesys')).toEqual(token);
    expect(await b.store.read('servicenow')).toBeUndefined();
    const metrics = await b.registry.metrics();
    expect(metrics).toMatch(/trunkgate_token_cache_reads_total\{upstream="genesys",outcome="hit"\} 1/);
    expect(metrics).toMatch(/trunkgate_token_cache_reads_total\{upstream="servicenow",outcome="miss"\} 1/);
    expect(await a.registry.metrics()).toMatch(/trunkgate_token_cache_writes_total\{upstream="genesys",outcome="stored"\} 1/);
  });

  it('a value sealed with another key (rotated TOKEN_CACHE_KEY) is treated as absent and logged WARN without the value', async () => {
    const old = store({ key: new Uint8Array(32).fill(1) });
    await old.connection.waitUntilReady(2_000);
    await old.store.write('genesys', tokenFor(60_000));
    const current = store();
    await current.connection.waitUntilReady(2_000);
    expect(await current.store.read('genesys')).toBeUndefined();
    const warn = current.log.lines().find((l) => l.level === 'warn');
    expect(warn).toMatchObject({ reason: 'other_key', upstream: 'genesys' });
    expect(String(warn!.message)).toContain('different TOKEN_CACHE_KEY');
    expect(current.log.text()).not.toContain('the-secret');
    expect(current.log.text()).not.toContain((await admin.get(`${prefix}token:genesys`))!.slice(-20));
    expect(await current.registry.metrics()).toMatch(/outcome="undecryptable"\} 1/);
  });

  it('a tampered value is treated as absent', async () => {
    const s = store();
    await s.connection.waitUntilReady(2_000);
    await s.store.write('genesys', tokenFor(60_000));
    const raw = (await admin.get(`${prefix}token:genesys`))!;
    const parts = raw.split('.');
    parts[3] = `${parts[3]!.slice(0, -2)}${parts[3]!.endsWith('AA') ? 'AB' : 'AA'}`;
    await admin.set(`${prefix}token:genesys`, parts.join('.'), 'PX', 60_000);
    expect(await s.store.read('genesys')).toBeUndefined();
    expect(s.log.lines().find((l) => l.level === 'warn')).toMatchObject({ reason: 'undecryptable' });
    await admin.set(`${prefix}token:genesys`, 'plain-text-someone-wrote', 'PX', 60_000);
    expect(await s.store.read('genesys')).toBeUndefined();
  });

  it('does not store a token that has already expired', async () => {
    const s = store();
    await s.connection.waitUntilReady(2_000);
    const expired = { ...tokenFor(1_000), expiresAtWall: Date.now() - 1 };
    await s.store.write('servicenow', expired);
    expect(await admin.exists(`${prefix}token:servicenow`)).toBe(0);
  });

  it('the refresh lock: one holder at a time, with a TTL, released only by its owner', async () => {
    const a = store();
    const b = store();
    await Promise.all([a.connection.waitUntilReady(2_000), b.connection.waitUntilReady(2_000)]);
    const lockKey = `${prefix}token-refresh-lock:genesys`;
    const result = await a.store.withRefreshLock('genesys', 30_000, async () => {
      const pttl = await admin.pttl(lockKey);
      expect(pttl).toBeGreaterThan(25_000);
      expect(await b.store.withRefreshLock('genesys', 30_000, async () => 'b ran')).toEqual({ acquired: false });
      return 'a ran';
    });
    expect(result).toEqual({ acquired: true, value: 'a ran' });
    expect(await admin.exists(lockKey)).toBe(0);
    expect(await b.store.withRefreshLock('genesys', 30_000, async () => 'b ran')).toEqual({ acquired: true, value: 'b ran' });
    // A holder whose lock expired and was taken by another replica must not delete the new holder's lock.
    await a.store.withRefreshLock('genesys', 30_000, async () => {
      await admin.set(lockKey, 'another-replica', 'PX', 30_000);
    });
    expect(await admin.get(lockKey)).toBe('another-replica');
    await admin.del(lockKey);
    expect(await a.registry.metrics()).toMatch(/trunkgate_token_refresh_lock_total\{upstream="genesys",outcome="acquired"\} 2/);
    expect(await b.registry.metrics()).toMatch(/trunkgate_token_refresh_lock_total\{upstream="genesys",outcome="contended"\} 1/);
  });

  it('an error inside the lock is passed on and the lock is released', async () => {
    const s = store();
    await s.connection.waitUntilReady(2_000);
    await expect(
      s.store.withRefreshLock('genesys', 30_000, async () => Promise.reject(new Error('token endpoint answered 503'))),
    ).rejects.toThrow('503');
    expect(await admin.exists(`${prefix}token-refresh-lock:genesys`)).toBe(0);
  });

  it('Redis refusing connections: every operation fails at once with TokenStoreError instead of queueing', async () => {
    const s = store({ url: `redis://127.0.0.1:${await closedPort()}` });
    expect(await s.connection.waitUntilReady(2_000)).toBe(false);
    await expect(s.store.read('genesys')).rejects.toBeInstanceOf(TokenStoreError);
    await expect(s.store.write('genesys', tokenFor(60_000))).rejects.toBeInstanceOf(TokenStoreError);
    let ran = false;
    await expect(s.store.withRefreshLock('genesys', 30_000, async () => (ran = true))).rejects.toThrow(/token store lock failed/);
    expect(ran).toBe(false);
    expect(s.connection.describe()).toMatch(/^unreachable/);
    expect(await s.registry.metrics()).toMatch(/trunkgate_token_cache_reads_total\{upstream="genesys",outcome="error"\} 1/);
  });

  it('Redis that stops answering (black hole): commands time out instead of hanging', async () => {
    const proxy = await CuttableProxy.forUrl(redisUrl!).start();
    try {
      const s = store({ url: proxy.url(redisUrl!) });
      expect(await s.connection.waitUntilReady(2_000)).toBe(true);
      await s.store.write('genesys', tokenFor(60_000));
      await proxy.cut('blackhole');
      await expect(s.store.read('genesys')).rejects.toBeInstanceOf(TokenStoreError);
      await expect(s.store.withRefreshLock('genesys', 30_000, async () => 'ran')).rejects.toBeInstanceOf(TokenStoreError);
      await proxy.restore();
      // Reconnects by itself (the silent connection is dropped, a new one forwards again).
      await vi.waitFor(async () => expect((await s.store.read('genesys'))?.value).toBe('the-secret-access-token'), {
        timeout: 5_000,
        interval: 50,
      });
    } finally {
      await proxy.close();
    }
  });
});
