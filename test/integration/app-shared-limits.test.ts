import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app/create-app.js';
import { eventually } from '../support/eventually.js';
import { adminClient, deletePrefix, randomPrefix, testRedisUrl } from '../support/redis.js';
import { memoryLogger, testConfig } from '../support/test-config.js';

const redisUrl = testRedisUrl();
const TOKEN_CACHE_KEY = 'c3'.repeat(32);

describe.skipIf(!redisUrl)('createApp with REDIS_URL: shared rate limits', () => {
  const prefix = randomPrefix();
  let admin: Redis;

  beforeAll(() => {
    admin = adminClient(redisUrl!);
  });
  afterAll(async () => {
    await deletePrefix(admin, prefix);
    await admin.quit();
  });

  it('paces Genesys and ServiceNow on buckets shared through Redis, says so on /metrics and /readyz, and leaves on close()', async () => {
    const env = { REDIS_URL: redisUrl!, TOKEN_CACHE_KEY, REDIS_KEY_PREFIX: prefix, SERVICENOW_RATE_LIMIT_PER_HOUR: '1000' };
    const app = await createApp(testConfig(env), { logger: memoryLogger('warn').logger, processMetrics: false, monitor: null });
    const url = await app.listen(0, '127.0.0.1');
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/^trunkgate_limiter_shared\{upstream="genesys"\} 1$/m);
    expect(metrics).toMatch(/^trunkgate_limiter_shared\{upstream="servicenow"\} 1$/m);
    const ready = (await (await fetch(`${url}/readyz`)).json()) as { checks: Record<string, { ok: boolean; detail: string }> };
    expect(ready.checks['rate-limits']).toEqual({ ok: true, detail: expect.stringMatching(/^shared by \d+ replica\(s\)$/) });
    await eventually(async () => expect(await admin.exists(`${prefix}b_${prefix}limits:genesys-api_settings`)).toBe(1));
    expect(await admin.zcard(`${prefix}limits:replicas`)).toBe(1);
    await app.close();
    // The replica left the presence set: the others' fallback share no longer counts it.
    expect(await admin.zcard(`${prefix}limits:replicas`)).toBe(0);
  });
});

describe('createApp without REDIS_URL: local rate limits', () => {
  it('paces on this process alone, with no shared-limit metric or readiness entry', async () => {
    const app = await createApp(testConfig({ SERVICENOW_RATE_LIMIT_PER_HOUR: '1000' }), {
      logger: memoryLogger('warn').logger,
      processMetrics: false,
      monitor: null,
    });
    const url = await app.listen(0, '127.0.0.1');
    expect(await (await fetch(`${url}/metrics`)).text()).not.toMatch(/trunkgate_limiter_shared/);
    const ready = (await (await fetch(`${url}/readyz`)).json()) as { checks: Record<string, unknown> };
    expect(ready.checks['rate-limits']).toBeUndefined();
    await app.close();
  });
});
