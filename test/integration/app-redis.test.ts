import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp, type TrunkgateApp } from '../../src/app/create-app.js';
import type { Simulators } from '../../src/sim/start-simulators.js';
import { adminClient, closedPort, deletePrefix, randomPrefix, testRedisUrl } from '../support/redis.js';
import { startTestSims } from '../support/sims.js';
import { memoryLogger, testConfig } from '../support/test-config.js';

const redisUrl = testRedisUrl();
const TOKEN_CACHE_KEY = 'c3'.repeat(32);

describe.skipIf(!redisUrl)('createApp with REDIS_URL', () => {
  const prefix = randomPrefix();
  let admin: Redis;
  let sims: Simulators | undefined;
  let apps: TrunkgateApp[] = [];

  async function start(env: Record<string, string>, redis = redisUrl!) {
    const log = memoryLogger('warn');
    const app = await createApp(
      testConfig({ ...env, REDIS_URL: redis, TOKEN_CACHE_KEY, REDIS_KEY_PREFIX: prefix, MONITOR_POLL_INTERVAL_MS: '3000' }),
      { logger: log.logger, processMetrics: false },
    );
    apps.push(app);
    const url = await app.listen(0, '127.0.0.1');
    return { app, url, log };
  }

  beforeAll(() => {
    admin = adminClient(redisUrl!);
  });
  afterEach(async () => {
    await Promise.all(apps.map((a) => a.close()));
    apps = [];
    await sims?.close();
    await deletePrefix(admin, prefix);
  });
  afterAll(async () => {
    await admin.quit();
  });

  it('two replicas share one Genesys token through Redis, one of them leads, and close() hands over', async () => {
    const started = await startTestSims();
    sims = started.sims;
    const a = await start(started.env);
    await a.app.credentials.genesys.authorize();
    const b = await start(started.env);
    const [ta, tb] = await Promise.all([a.app.credentials.genesys.authorize(), b.app.credentials.genesys.authorize()]);
    expect(tb.header).toBe(ta.header);
    expect(sims.genesys.stats().tokenRequests).toBe(1);
    expect(await admin.exists(`${prefix}token:genesys`)).toBe(1);

    await vi.waitFor(() => expect(a.app.leadership.isLeader).toBe(true), { timeout: 5_000, interval: 20 });
    expect(b.app.leadership.isLeader).toBe(false);
    const ready = await (await fetch(`${b.url}/readyz`)).json();
    expect(ready).toMatchObject({ status: 'ready', checks: { redis: { ok: true, detail: 'connected; follower of the trunk monitor' } } });
    const metrics = await (await fetch(`${a.url}/metrics`)).text();
    expect(metrics).toMatch(/^trunkgate_redis_up 1$/m);
    expect(metrics).toMatch(/^trunkgate_leader\{lease="trunk-monitor"\} 1$/m);
    expect(metrics).toMatch(/trunkgate_token_cache_writes_total\{upstream="genesys",outcome="stored"\} 1/);
    expect(await (await fetch(`${b.url}/metrics`)).text()).toMatch(
      /trunkgate_token_refreshes_total\{upstream="genesys",outcome="adopted"\} 1/,
    );

    const bElected = new Promise((resolve) => b.app.leadership.once('elected', resolve));
    await a.app.close();
    apps = apps.filter((x) => x !== a.app);
    expect(a.app.redis!.client.status).toBe('end');
    await bElected;
    expect(b.app.leadership.isLeader).toBe(true);
  });

  it('Redis unreachable at start-up: the replica starts, serves on its own token, stays ready but is not leader', async () => {
    const started = await startTestSims();
    sims = started.sims;
    const { app, url, log } = await start(started.env, `redis://127.0.0.1:${await closedPort()}`);
    expect((await app.credentials.genesys.authorize()).header).toMatch(/^Bearer /);
    const res = await fetch(`${url}/readyz`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { checks: { redis: { ok: boolean; detail: string } } };
    expect(body.checks.redis.ok).toBe(true);
    expect(body.checks.redis.detail).toMatch(/^unreachable .*ECONNREFUSED.*; follower of the trunk monitor$/);
    expect(app.leadership.isLeader).toBe(false);
    expect(await (await fetch(`${url}/metrics`)).text()).toMatch(/^trunkgate_redis_up 0$/m);
    const warnings = log
      .lines()
      .filter((l) => l.level === 'warn')
      .map((l) => l.message);
    expect(warnings).toContain(
      'redis unreachable; this replica refreshes tokens on its own and gives up leadership when its lease runs out',
    );
    expect(
      warnings.filter(
        (m) => m === 'redis unreachable; this replica refreshes tokens on its own and gives up leadership when its lease runs out',
      ),
    ).toHaveLength(1);
    expect(log.text()).not.toContain(TOKEN_CACHE_KEY);
  });
});

describe('createApp without REDIS_URL', () => {
  it('is the leader alone from listen() to close()', async () => {
    const app = await createApp(testConfig(), { logger: memoryLogger('warn').logger, processMetrics: false });
    expect(app.redis).toBeUndefined();
    expect(app.leadership.isLeader).toBe(false);
    await app.listen(0, '127.0.0.1');
    expect(app.leadership.isLeader).toBe(true);
    await app.close();
    expect(app.leadership.isLeader).toBe(false);
  });
});
