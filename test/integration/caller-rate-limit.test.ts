import type { Redis } from 'ioredis';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ActionService } from '../../src/actions/action-service.js';
import { createApp, type TrunkgateApp } from '../../src/app/create-app.js';
import { writeCallersFile } from '../support/callers-file.js';
import { echoActions } from '../support/echo-actions.js';
import { adminClient, closedPort, CuttableProxy, deletePrefix, randomPrefix, testRedisUrl } from '../support/redis.js';
import { memoryLogger, testConfig, TEST_API_KEY } from '../support/test-config.js';

const key = (name: string) => `${name}-key-0123456789abcdef`;
const callers = writeCallersFile(`callers:
  - name: reader
    apiKey: ${key('reader')}
    permissions: [status:read]
  - name: watcher
    apiKey: ${key('watcher')}
    permissions: [status:read]
  - name: flow
    apiKey: ${key('flow')}
    permissions: [actions:run]
    rateLimitPerMinute: 2
  - name: batch
    apiKey: ${key('batch')}
    permissions: [actions:run, status:read]
    rateLimitPerMinute: 0
`);

/** The echo actions, counting how often an action actually ran. */
function countingActions(): { actions: ActionService; runs: () => number } {
  const inner = echoActions(1);
  let runs = 0;
  return {
    actions: { list: () => inner.list(), run: (name, input, options) => ((runs += 1), inner.run(name, input, options)) },
    runs: () => runs,
  };
}

const expectRateLimited = (res: request.Response, caller: string, perMinute: number) => {
  expect(res.status).toBe(429);
  expect(res.body.error).toMatchObject({
    code: 'rate_limited',
    details: [{ message: 'per-caller rate limit', caller, limitPerMinute: perMinute }],
  });
  expect(res.body.error.message).toMatch(
    new RegExp(`^The caller "${caller}" is over its limit of ${perMinute} requests per minute; retry after \\d+ s$`),
  );
  expect(res.headers['retry-after']).toMatch(/^\d+$/);
  expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(120);
};

describe('per-caller rate limits on one replica', () => {
  let app: TrunkgateApp;
  const counting = countingActions();

  beforeAll(async () => {
    app = await createApp(testConfig({ CALLERS_FILE: callers, GATEWAY_CALLER_RATE_LIMIT: '3' }), {
      logger: memoryLogger('warn').logger,
      actions: counting.actions,
      processMetrics: false,
      monitor: null,
    });
  });
  afterAll(async () => {
    await app.close();
  });

  const as = (name: string) => ({ 'X-API-Key': name === 'env' ? TEST_API_KEY : key(name) });
  const getTrunks = (name: string) => request(app.express).get('/v1/trunks').set(as(name));
  const runEcho = (name: string) =>
    request(app.express).post('/v1/actions/echo').set(as(name)).set('Content-Type', 'application/json').send('{}');

  it('GATEWAY_CALLER_RATE_LIMIT applies to every caller without its own: the request over it is 429 with Retry-After', async () => {
    for (let i = 0; i < 3; i += 1) expect((await getTrunks('reader')).status).toBe(200);
    expectRateLimited(await getTrunks('reader'), 'reader', 3);
    // Each caller has its own count, environment callers included.
    for (let i = 0; i < 3; i += 1) expect((await getTrunks('env')).status).toBe(200);
    expectRateLimited(await getTrunks('env'), 'env-key-1', 3);
  });

  it('refused requests (401, 403) do not count', async () => {
    for (let i = 0; i < 5; i += 1) expect((await runEcho('watcher')).status).toBe(403);
    for (let i = 0; i < 5; i += 1)
      expect(
        (
          await request(app.express)
            .get('/v1/trunks')
            .set('X-API-Key', `${key('watcher')}x`)
        ).status,
      ).toBe(401);
    for (let i = 0; i < 3; i += 1) expect((await getTrunks('watcher')).status).toBe(200);
    expectRateLimited(await getTrunks('watcher'), 'watcher', 3);
  });

  it("a caller's own rateLimitPerMinute wins, and the refused action never runs", async () => {
    const before = counting.runs();
    expect((await runEcho('flow')).status).toBe(200);
    expect((await runEcho('flow')).status).toBe(200);
    expectRateLimited(await runEcho('flow'), 'flow', 2);
    expect(counting.runs() - before).toBe(2);
  });

  it('rateLimitPerMinute: 0 is no limit, whatever the default', async () => {
    for (let i = 0; i < 10; i += 1) expect((await getTrunks('batch')).status).toBe(200);
  });

  it('counts refusals per caller in the metrics', async () => {
    const metrics = (await request(app.express).get('/metrics')).text;
    expect(metrics).toMatch(/trunkgate_caller_requests_total\{caller="reader",code="rate_limited"\} 1/);
    expect(metrics).toMatch(/trunkgate_caller_requests_total\{caller="watcher",code="forbidden"\} 5/);
  });
});

const redisUrl = testRedisUrl();
const TOKEN_CACHE_KEY = 'c3'.repeat(32);

describe.skipIf(!redisUrl)('per-caller rate limits shared through Redis', () => {
  const prefix = randomPrefix();
  let admin: Redis;
  let apps: TrunkgateApp[] = [];
  let proxy: CuttableProxy | undefined;

  async function start(redis = redisUrl!) {
    const config = testConfig({
      CALLERS_FILE: callers,
      GATEWAY_CALLER_RATE_LIMIT: '4',
      REDIS_URL: redis,
      TOKEN_CACHE_KEY,
      REDIS_KEY_PREFIX: prefix,
    });
    const app = await createApp(config, {
      logger: memoryLogger('error').logger,
      actions: echoActions(1),
      processMetrics: false,
      monitor: null,
    });
    apps.push(app);
    return app;
  }
  const getTrunks = (app: TrunkgateApp, name = 'reader') => request(app.express).get('/v1/trunks').set('X-API-Key', key(name));

  beforeAll(() => {
    admin = adminClient(redisUrl!);
  });
  afterEach(async () => {
    await Promise.all(apps.map((a) => a.close()));
    apps = [];
    await proxy?.close();
    proxy = undefined;
    await deletePrefix(admin, prefix);
  });
  afterAll(async () => {
    await admin.quit();
  });

  it('two replicas share one count per caller, kept under REDIS_KEY_PREFIX', async () => {
    const [a, b] = [await start(), await start()];
    expect((await getTrunks(a)).status).toBe(200);
    expect((await getTrunks(b)).status).toBe(200);
    expect((await getTrunks(a)).status).toBe(200);
    expect((await getTrunks(b)).status).toBe(200);
    expectRateLimited(await getTrunks(a), 'reader', 4);
    expectRateLimited(await getTrunks(b), 'reader', 4);
    // Another caller is not affected.
    expect((await getTrunks(b, 'watcher')).status).toBe(200);
    // One key per minute window (two if the test ran across a minute boundary), 4 counted in all.
    const keys = await admin.keys(`${prefix}callers:rate:caller:reader:*`);
    expect(keys.length === 1 || keys.length === 2).toBe(true);
    expect((await Promise.all(keys.map((k) => admin.get(k)))).reduce((sum, v) => sum + Number(v), 0)).toBe(4);
    for (const k of keys) expect(await admin.pttl(k)).toBeGreaterThan(60_000);
  });

  it('with Redis unreachable the requests are still served, counted on this replica alone', async () => {
    const app = await start(`redis://127.0.0.1:${await closedPort()}`);
    for (let i = 0; i < 4; i += 1) expect((await getTrunks(app)).status).toBe(200);
    expectRateLimited(await getTrunks(app), 'reader', 4);
  });

  it('when Redis goes away mid-run no request fails: the count goes on locally', async () => {
    proxy = await CuttableProxy.forUrl(redisUrl!).start();
    const app = await start(proxy.url(redisUrl!));
    expect((await getTrunks(app)).status).toBe(200);
    expect(await admin.keys(`${prefix}callers:rate:caller:reader:*`)).toHaveLength(1);
    await proxy.cut('refuse');
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) statuses.push((await getTrunks(app)).status);
    // Never a 5xx: at most the local limit (4, this replica being the only one seen) is enforced.
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(3);
    expect(statuses.at(-1)).toBe(429);
  });
});
