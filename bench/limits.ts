// Shared rate limits (issue 6): (1) Genesys calls granted in one 60 s window by 3 pacers sharing
// Redis, against the budget and against 3 pacers without Redis; (2) what one slot costs on a local and
// on a shared limiter; (3) how long callers wait when Redis is cut (refused, then black-holed), and how
// soon the shared bucket is used again when it is back.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { LimiterConnection } from '../src/cluster/limiter-connection.js';
import { createLogger } from '../src/log/logger.js';
import { systemClock } from '../src/time/clock.js';
import { Deadline } from '../src/net/deadline.js';
import { failoverLimiterFactory } from '../src/upstream/failover-limiter.js';
import { bucketFor, GenesysPacer } from '../src/upstream/genesys-pacer.js';
import { limiterFactory, type Limiter, type LimiterFactory } from '../src/upstream/limiter-factory.js';
import { CuttableProxy, deletePrefix } from '../test/support/redis.js';
import { percentile, round } from './stats.js';

const REDIS_URL = process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const WINDOW_MS = Number(process.env.BENCH_LIMITS_WINDOW_MS ?? 60_000);
const logger = createLogger({ level: 'error' });

async function sharedReplica(prefix: string, url = REDIS_URL): Promise<{ limits: LimiterConnection; limiters: LimiterFactory }> {
  const limits = new LimiterConnection({ url, keyPrefix: prefix, clock: systemClock, logger });
  await limits.waitUntilUp(5_000);
  return { limits, limiters: failoverLimiterFactory({ source: limits, local: limiterFactory() }) };
}

/** Callers hammering `pacer` until `endAt`; returns the grant count. */
async function hammer(pacer: GenesysPacer, endAt: number, callers = 8): Promise<number> {
  let granted = 0;
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (Date.now() < endAt - 5) {
        try {
          await pacer.acquire(Deadline.after(systemClock, endAt - Date.now()), 'GET trunk');
          if (Date.now() <= endAt) granted += 1;
        } catch {
          // rate_limited at the end of the window
        }
      }
    }),
  );
  return granted;
}

async function sharedWindow(): Promise<Record<string, unknown>> {
  const prefix = `bench:${randomBytes(4).toString('hex')}:`;
  const replicas = await Promise.all([0, 1, 2].map(() => sharedReplica(prefix)));
  const shared = replicas.map((r) => new GenesysPacer({ limiters: r.limiters, clock: systemClock, allowedPerMinute: 300 }));
  const local = [0, 1, 2].map(() => new GenesysPacer({ limiters: limiterFactory(), clock: systemClock, allowedPerMinute: 300 }));
  const endAt = Date.now() + WINDOW_MS;
  const [sharedCounts, localCounts] = await Promise.all([
    Promise.all(shared.map((p) => hammer(p, endAt))),
    Promise.all(local.map((p) => hammer(p, endAt))),
  ]);
  await Promise.all([...shared, ...local].map((p) => p.close()));
  await Promise.all(replicas.map((r) => r.limits.close()));
  await cleanup(prefix);
  const b = bucketFor(300);
  const sum = (xs: number[]) => xs.reduce((a, x) => a + x, 0);
  return {
    windowMs: WINDOW_MS,
    genesysAllowedPerMinute: 300,
    // What the pacer aims at (90 % of Genesys' figure) and what the bucket can give in this window.
    target: Math.floor(300 * 0.9 * (WINDOW_MS / 60_000)),
    bucketCeiling: b.burst + (Math.floor(WINDOW_MS / b.intervalMs) + 1) * b.refill,
    sharedThreeReplicas: { perReplica: sharedCounts, total: sum(sharedCounts) },
    localThreeReplicas: { perReplica: localCounts, total: sum(localCounts) },
  };
}

async function timeSlots(limiter: Limiter, n: number, concurrent: boolean): Promise<number> {
  const started = performance.now();
  if (concurrent) await Promise.all(Array.from({ length: n }, () => limiter.schedule({ weight: 1 }, async () => undefined)));
  else for (let i = 0; i < n; i += 1) await limiter.schedule({ weight: 1 }, async () => undefined);
  return ((performance.now() - started) * 1000) / n;
}

async function costPerSlot(): Promise<Record<string, unknown>> {
  const prefix = `bench:${randomBytes(4).toString('hex')}:`;
  const { limits, limiters } = await sharedReplica(prefix);
  const local = limiterFactory()({ id: 'cost', upstream: 'genesys' });
  const shared = limiters({ id: 'cost', upstream: 'genesys' });
  // A pacer leasing 100 slots per limiter job, as at Genesys rates of thousands per minute.
  const leasing = new GenesysPacer({ limiters, clock: systemClock, allowedPerMinute: 1_000_000 });
  const leasingLocal = new GenesysPacer({ limiters: limiterFactory(), clock: systemClock, allowedPerMinute: 1_000_000 });
  const acquires = async (pacer: GenesysPacer, n: number) => {
    const started = performance.now();
    for (let i = 0; i < n; i += 1) await pacer.acquire(Deadline.after(systemClock, 10_000), 'GET trunk');
    return ((performance.now() - started) * 1000) / n;
  };
  const result = {
    usPerSlot: {
      localSequential: round(await timeSlots(local, 2_000, false)),
      localConcurrent: round(await timeSlots(local, 2_000, true)),
      sharedSequential: round(await timeSlots(shared, 1_000, false)),
      sharedConcurrent: round(await timeSlots(shared, 1_000, true)),
      pacerLease100Local: round(await acquires(leasingLocal, 20_000)),
      pacerLease100Shared: round(await acquires(leasing, 20_000)),
    },
  };
  await Promise.all([local.disconnect(), shared.disconnect(), leasing.close(), leasingLocal.close()]);
  await limits.close();
  await cleanup(prefix);
  return result;
}

/** Calls waiting on an empty shared bucket when Redis is cut, and calls made just after: time to their slot. */
async function cutWait(mode: 'refuse' | 'blackhole'): Promise<Record<string, unknown>> {
  const prefix = `bench:${randomBytes(4).toString('hex')}:`;
  const proxy = await CuttableProxy.forUrl(REDIS_URL).start();
  const a = await sharedReplica(prefix, proxy.url(REDIS_URL));
  const b = await sharedReplica(prefix);
  const pacer = new GenesysPacer({ limiters: a.limiters, clock: systemClock, allowedPerMinute: 400 });
  const acquire = () => pacer.acquire(Deadline.after(systemClock, 10_000), 'GET trunk');
  // Empty the shared bucket so the next calls wait for its refill.
  for (let i = 0; i < bucketFor(400).burst; i += 1) await acquire();
  const waiting = Array.from({ length: 10 }, () => Promise.resolve(acquire()));
  await new Promise((r) => setTimeout(r, 50));
  const cutAt = performance.now();
  await proxy.cut(mode);
  const after = Array.from({ length: 10 }, () => Promise.resolve(acquire()));
  const since = (p: Promise<void>) => p.then(() => performance.now() - cutAt);
  const waited = await Promise.all(waiting.map(since));
  const fresh = await Promise.all(after.map(since));
  const steadyStart = performance.now();
  for (let i = 0; i < 10; i += 1) await acquire();
  const steadyUs = ((performance.now() - steadyStart) * 1000) / 10;
  const restoredAt = performance.now();
  await proxy.restore();
  while (!a.limits.up) await new Promise((r) => setTimeout(r, 10));
  const backMs = performance.now() - restoredAt;
  await pacer.close();
  await Promise.all([a.limits.close(), b.limits.close(), proxy.close()]);
  await cleanup(prefix);
  return {
    waitingAtCutMs: { p50: round(percentile(waited, 50)), max: round(Math.max(...waited)) },
    newAfterCutMs: { p50: round(percentile(fresh, 50)), max: round(Math.max(...fresh)) },
    onFallbackUsPerCall: round(steadyUs),
    sharedAgainAfterRestoreMs: round(backMs),
  };
}

async function cleanup(prefix: string): Promise<void> {
  const admin = new Redis(REDIS_URL);
  await deletePrefix(admin, prefix);
  await admin.quit();
}

export async function limitsBench(): Promise<Record<string, unknown>> {
  const cost = await costPerSlot();
  const refuse = await cutWait('refuse');
  const blackhole = await cutWait('blackhole');
  const window = await sharedWindow();
  const total = (window.sharedThreeReplicas as { total: number }).total;
  // One bucket's worth for the three of them, and (Genesys allows 300 per token per minute) under 300 a minute.
  return {
    window,
    cost,
    redisCut: { refuse, blackhole },
    pass: total <= (window.bucketCeiling as number) && total <= 300 * Math.ceil(WINDOW_MS / 60_000),
  };
}
