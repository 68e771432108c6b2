import type { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LimiterConnection, type LimiterConnectionTimeouts } from '../../src/cluster/limiter-connection.js';
import { systemClock } from '../../src/time/clock.js';
import { Deadline } from '../../src/net/deadline.js';
import { failoverLimiterFactory } from '../../src/upstream/failover-limiter.js';
import { bucketFor, GenesysPacer } from '../../src/upstream/genesys-pacer.js';
import { limiterFactory, type Limiter, type LimiterFactory } from '../../src/upstream/limiter-factory.js';
import { LimiterMetrics } from '../../src/upstream/limiter-metrics.js';
import { ServiceNowPacer } from '../../src/upstream/servicenow-pacer.js';
import type { UpstreamPacer } from '../../src/upstream/upstream-pacer.js';
import { eventually } from '../support/eventually.js';
import { adminClient, CuttableProxy, deletePrefix, randomPrefix, testRedisUrl } from '../support/redis.js';
import { memoryLogger } from '../support/test-config.js';

const redisUrl = testRedisUrl();
/** A Genesys rate whose bucket (burst 36, 5/s) still leases one slot at a time: every call reaches the limiter. */
const ALLOWED = 400;

/** One replica's view of the shared limits: its own connection, factory, metrics and log. */
interface Replica {
  limits: LimiterConnection;
  limiters: LimiterFactory;
  registry: Registry;
  log: ReturnType<typeof memoryLogger>;
}

/** Counts the acquires that got a slot and the ones that did not (a rate_limited answer, never anything else). */
async function acquireAll(
  pacers: UpstreamPacer[],
  perPacer: number,
  deadlineMs: number,
): Promise<{ granted: number; refused: number; other: unknown[] }> {
  const outcomes = await Promise.all(
    pacers.flatMap((pacer) =>
      Array.from({ length: perPacer }, () =>
        Promise.resolve(pacer.acquire(Deadline.after(systemClock, deadlineMs), 'GET trunk')).then(
          () => 'granted',
          (err: unknown) => err,
        ),
      ),
    ),
  );
  const refused = outcomes.filter((o) => (o as { code?: string }).code === 'rate_limited').length;
  const granted = outcomes.filter((o) => o === 'granted').length;
  return { granted, refused, other: outcomes.filter((o) => o !== 'granted' && (o as { code?: string }).code !== 'rate_limited') };
}

async function metric(registry: Registry, name: string, upstream: string): Promise<number | undefined> {
  const values = (await registry.getSingleMetric(name)?.get())?.values ?? [];
  return values.find((v) => v.labels.upstream === upstream)?.value;
}

describe.skipIf(!redisUrl)('shared rate limits on Redis (bottleneck clustering)', () => {
  let admin: Redis;
  let prefix: string;
  let replicas: Replica[] = [];
  let closers: Array<() => Promise<void>> = [];

  async function replica(options: { url?: string; timeouts?: Partial<LimiterConnectionTimeouts>; wait?: boolean } = {}): Promise<Replica> {
    const log = memoryLogger('info');
    const registry = new Registry();
    const limits = new LimiterConnection({
      url: options.url ?? redisUrl!,
      keyPrefix: prefix,
      clock: systemClock,
      logger: log.logger,
      timeouts: options.timeouts,
    });
    if (options.wait ?? true) expect(await limits.waitUntilUp(5_000)).toBe(true);
    const limiters = failoverLimiterFactory({ source: limits, local: limiterFactory(), metrics: new LimiterMetrics(registry) });
    const r = { limits, limiters, registry, log };
    replicas.push(r);
    return r;
  }

  function track<T extends { close(): Promise<void> } | Limiter>(thing: T): T {
    closers.push(async () => {
      if ('stop' in thing) await thing.stop();
      if ('disconnect' in thing) await thing.disconnect(false);
      else await thing.close();
    });
    return thing;
  }

  beforeAll(() => {
    admin = adminClient(redisUrl!);
  });
  afterEach(async () => {
    for (const close of closers.reverse()) await close();
    await Promise.all(replicas.map((r) => r.limits.close()));
    closers = [];
    replicas = [];
    await deletePrefix(admin, prefix);
  });
  afterAll(async () => {
    await admin.quit();
  });

  beforeEach(() => {
    prefix = randomPrefix();
  });

  it('three replicas take ten slots from a bucket of ten between them, not ten each', async () => {
    const [a, b, c] = await Promise.all([replica(), replica(), replica()]);
    const limiters = [a!, b!, c!].map((r) => track(r.limiters({ id: 'bucket', upstream: 'genesys', reservoir: 10 })));
    let granted = 0;
    for (let i = 0; i < 30; i += 1) void limiters[i % 3]!.schedule({ weight: 1 }, async () => void (granted += 1)).catch(() => undefined);
    await eventually(() => expect(granted).toBe(10));
    // The bucket is empty and nothing refills it: no further slot can ever be granted.
    expect(await limiters[0]!.currentReservoir()).toBe(0);
    await eventually(async () => expect(await limiters[2]!.done()).toBe(10));
    expect(granted).toBe(10);
    expect(a!.limits.replicas).toBeGreaterThanOrEqual(1);
  });

  it('three Genesys pacers share one bucket and its refills: at most burst + one refill per interval, cluster-wide', async () => {
    const rs = await Promise.all([replica(), replica(), replica()]);
    const startedAt = Date.now();
    const pacers = rs.map((r) => track(new GenesysPacer({ limiters: r.limiters, clock: systemClock, allowedPerMinute: 120 })));
    const bucket = bucketFor(120);
    const { granted, refused, other } = await acquireAll(pacers, 15, 1_500);
    const elapsed = Date.now() - startedAt;
    expect(other).toEqual([]);
    // One bucket: a refill every interval for the cluster, not one per replica (that would be 3×).
    const ceiling = bucket.burst + bucket.refill * (Math.floor(elapsed / bucket.intervalMs) + 1);
    expect(granted).toBeGreaterThanOrEqual(bucket.burst);
    expect(granted).toBeLessThanOrEqual(ceiling);
    expect(granted + refused).toBe(45);
  });

  it('three ServiceNow pacers share the hourly budget: 5 calls in all, and a replica joining later neither resets nor doubles it', async () => {
    const rs = await Promise.all([replica(), replica(), replica()]);
    const pacers = rs.map((r) => track(new ServiceNowPacer({ limiters: r.limiters, clock: systemClock, budgetPerHour: 5 })));
    const first = await acquireAll(pacers, 5, 300);
    expect(first).toMatchObject({ granted: 5, refused: 10, other: [] });
    const late = track(new ServiceNowPacer({ limiters: (await replica()).limiters, clock: systemClock, budgetPerHour: 5 }));
    const again = await acquireAll([late, ...pacers], 2, 300);
    expect(again).toMatchObject({ granted: 0, refused: 8 });
  });

  it('a replica joining finds the bucket as the others left it, and a settings change by one is seen by all', async () => {
    const a = await replica();
    const first = track(a.limiters({ id: 'bucket', upstream: 'genesys', reservoir: 10 }));
    for (let i = 0; i < 4; i += 1) await first.schedule({ weight: 1 }, async () => undefined);
    const b = await replica();
    const second = track(b.limiters({ id: 'bucket', upstream: 'genesys', reservoir: 10 }));
    expect(await second.currentReservoir()).toBe(6);
    await first.updateSettings({ reservoir: 3 });
    expect(await second.currentReservoir()).toBe(3);

    // The Genesys pacer adapting to inin-ratelimit-allowed changes the bucket every replica uses.
    const pacerA = track(new GenesysPacer({ limiters: a.limiters, clock: systemClock, allowedPerMinute: 300 }));
    track(new GenesysPacer({ limiters: b.limiters, clock: systemClock, allowedPerMinute: 300 }));
    const settingsKey = `${prefix}b_${prefix}limits:genesys-api_settings`;
    pacerA.observe(200, { 'inin-ratelimit-allowed': '6000' });
    await eventually(async () => expect(await admin.hget(settingsKey, 'reservoirIncreaseMaximum')).toBe(String(bucketFor(6000).burst)));
    pacerA.observe(200, { 'inin-ratelimit-allowed': '180' });
    await eventually(async () => expect(await admin.hget(settingsKey, 'reservoirIncreaseMaximum')).toBe(String(bucketFor(180).burst)));
    expect(Number(await admin.hget(settingsKey, 'reservoir'))).toBeLessThanOrEqual(bucketFor(180).refill);
  });

  it('Redis cut: calls keep flowing on the local share within their deadlines, WARN once, and the shared bucket is used again when it is back', async () => {
    const proxy = track(await CuttableProxy.forUrl(redisUrl!).start());
    const a = await replica({ url: proxy.url(redisUrl!) });
    await replica();
    const pacer = track(new GenesysPacer({ limiters: a.limiters, clock: systemClock, allowedPerMinute: ALLOWED }));
    expect(await acquireAll([pacer], 5, 5_000)).toMatchObject({ granted: 5 });
    expect(await metric(a.registry, 'trunkgate_limiter_shared', 'genesys')).toBe(1);

    await proxy.cut('refuse');
    expect(await acquireAll([pacer], 10, 5_000)).toMatchObject({ granted: 10, refused: 0 });
    expect(await metric(a.registry, 'trunkgate_limiter_shared', 'genesys')).toBe(0);
    expect(await metric(a.registry, 'trunkgate_limiter_local_slots_total', 'genesys')).toBeGreaterThanOrEqual(10);
    const warnings = a.log.lines().filter((l) => l.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toMatch(/redis unreachable for the shared rate limits/);

    await proxy.restore();
    await eventually(() => expect(a.limits.up).toBe(true));
    const localBefore = await metric(a.registry, 'trunkgate_limiter_local_slots_total', 'genesys');
    expect(await acquireAll([pacer], 10, 5_000)).toMatchObject({ granted: 10 });
    expect(await metric(a.registry, 'trunkgate_limiter_local_slots_total', 'genesys')).toBe(localBefore);
    expect(await metric(a.registry, 'trunkgate_limiter_shared', 'genesys')).toBe(1);
    expect(a.log.lines().map((l) => l.message)).toContain('redis reachable again: rate limits are shared by all replicas again');
  });

  it('a limiter closed while Redis is unreachable goes quietly (bottleneck alone would leave an unhandled rejection)', async () => {
    const proxy = track(await CuttableProxy.forUrl(redisUrl!).start());
    const a = await replica({ url: proxy.url(redisUrl!) });
    const limiter = a.limiters({ id: 'bucket', upstream: 'servicenow', reservoir: 10 });
    await limiter.schedule({ weight: 1 }, async () => undefined);
    await proxy.cut('refuse');
    await eventually(() => expect(a.limits.up).toBe(false));
    await limiter.stop();
    await limiter.disconnect(false);
    // vitest fails the run on an unhandled rejection; give one the time to surface.
    await new Promise((resolve) => setImmediate(resolve));
  });

  it('Redis black-holed: a call waits about one command timeout, then the local share serves it', async () => {
    const proxy = track(await CuttableProxy.forUrl(redisUrl!).start());
    const a = await replica({ url: proxy.url(redisUrl!), timeouts: { commandMs: 300 } });
    const pacer = track(new GenesysPacer({ limiters: a.limiters, clock: systemClock, allowedPerMinute: ALLOWED }));
    expect(await acquireAll([pacer], 2, 5_000)).toMatchObject({ granted: 2 });
    await proxy.cut('blackhole');
    expect(await acquireAll([pacer], 10, 5_000)).toMatchObject({ granted: 10, refused: 0 });
    expect(a.limits.up).toBe(false);
    expect(await metric(a.registry, 'trunkgate_limiter_local_slots_total', 'genesys')).toBeGreaterThanOrEqual(10);
  });

  it('Redis unreachable at start-up: paces on its own share from the first call, joins the shared bucket once Redis answers', async () => {
    const proxy = track(await CuttableProxy.forUrl(redisUrl!).start());
    const url = proxy.url(redisUrl!);
    await proxy.cut('refuse');
    const a = await replica({ url, wait: false });
    expect(await a.limits.waitUntilUp(1_000)).toBe(false);
    const pacer = track(new GenesysPacer({ limiters: a.limiters, clock: systemClock, allowedPerMinute: ALLOWED }));
    expect(await acquireAll([pacer], 3, 5_000)).toMatchObject({ granted: 3 });
    expect(await metric(a.registry, 'trunkgate_limiter_shared', 'genesys')).toBe(0);
    await proxy.restore();
    await eventually(() => expect(a.limits.up).toBe(true));
    expect(await acquireAll([pacer], 3, 5_000)).toMatchObject({ granted: 3 });
    expect(await admin.exists(`${prefix}b_${prefix}limits:genesys-api_settings`)).toBe(1);
    expect(await metric(a.registry, 'trunkgate_limiter_local_slots_total', 'genesys')).toBe(3);
  });
});
