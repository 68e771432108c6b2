import fs from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app/create-app.js';
import { eventually } from '../support/eventually.js';
import { adminClient, deletePrefix, randomPrefix, testRedisUrl } from '../support/redis.js';
import { memoryLogger, tempDataDir, testConfig } from '../support/test-config.js';

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
    // The shared buckets are taken once the limiter connection to Redis is up (local share until then).
    await eventually(async () => {
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toMatch(/^trunkgate_limiter_shared\{upstream="genesys"\} 1$/m);
      expect(metrics).toMatch(/^trunkgate_limiter_shared\{upstream="servicenow"\} 1$/m);
    });
    const ready = (await (await fetch(`${url}/readyz`)).json()) as { checks: Record<string, { ok: boolean; detail: string }> };
    expect(ready.checks['rate-limits']).toEqual({ ok: true, detail: expect.stringMatching(/^shared by \d+ replica\(s\)$/) });
    await eventually(async () => expect(await admin.exists(`${prefix}b_${prefix}limits:genesys-api_settings`)).toBe(1));
    expect(await admin.zcard(`${prefix}limits:replicas`)).toBe(1);
    await app.close();
    // The replica left the presence set: the others' fallback share no longer counts it.
    expect(await admin.zcard(`${prefix}limits:replicas`)).toBe(0);
  });

  it('with a connections file, each org and instance has its own shared bucket and limiter_shared series', async () => {
    const prefix = randomPrefix();
    const dir = tempDataDir();
    const file = path.join(dir, 'connections.yaml');
    const org = (name: string) =>
      `  - { name: ${name}, loginUrl: http://127.0.0.1:9/login, apiUrl: http://127.0.0.1:9/api, clientId: ${name}, clientSecret: ${name}-secret }`;
    const instance = (name: string) =>
      `  - { name: ${name}, instanceUrl: http://127.0.0.1:9, username: u, password: p, rateLimitPerHour: 1000 }`;
    fs.writeFileSync(file, ['genesys:', org('acme'), org('globex'), 'servicenow:', instance('sn'), ''].join('\n'));
    const env = {
      ...Object.fromEntries(
        [
          'GENESYS_LOGIN_URL',
          'GENESYS_API_URL',
          'GENESYS_CLIENT_ID',
          'GENESYS_CLIENT_SECRET',
          'SERVICENOW_INSTANCE_URL',
          'SERVICENOW_USERNAME',
          'SERVICENOW_PASSWORD',
        ].map((k) => [k, undefined]),
      ),
      CONNECTIONS_FILE: file,
      DATA_DIR: dir,
      REDIS_URL: redisUrl!,
      TOKEN_CACHE_KEY,
      REDIS_KEY_PREFIX: prefix,
    };
    const app = await createApp(testConfig(env), { logger: memoryLogger('error').logger, processMetrics: false, monitor: null });
    try {
      // Redis may take a moment on a loaded machine: until then each limiter is on its local share (0).
      const metrics = await eventually(async () => {
        const text = await app.registry.metrics();
        for (const [upstream, connection] of [
          ['genesys', 'acme'],
          ['genesys', 'globex'],
          ['servicenow', 'sn'],
        ])
          expect(text).toContain(`trunkgate_limiter_shared{upstream="${upstream}",connection="${connection}"} 1`);
        return text;
      });
      expect(metrics).not.toMatch(/trunkgate_limiter_shared\{upstream="genesys"\}/);
      // Two budgets, not one: a busy org cannot spend the other's.
      for (const id of ['genesys-api:acme', 'genesys-api:globex'])
        await eventually(async () => expect(await admin.exists(`${prefix}b_${prefix}limits:${id}_settings`)).toBe(1));
      expect(await admin.exists(`${prefix}b_${prefix}limits:genesys-api_settings`)).toBe(0);
    } finally {
      await app.close();
      await deletePrefix(admin, prefix);
    }
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
