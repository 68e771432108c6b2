import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { FailoverLimiter } from '../../src/upstream/failover-limiter.js';
import { shareOf } from '../../src/upstream/shared-limiter.js';
import type { LimiterOptions } from '../../src/upstream/limiter-factory.js';
import { LimiterMetrics } from '../../src/upstream/limiter-metrics.js';
import { FakeLimiter, FakeSharedStatus, fakeLimiters } from '../support/fake-limiter.js';

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

const BUCKET: LimiterOptions = {
  id: 'genesys-api',
  upstream: 'genesys',
  reservoir: 27,
  reservoirIncreaseAmount: 4,
  reservoirIncreaseInterval: 1_000,
  reservoirIncreaseMaximum: 27,
};

function rig(options: { up: boolean; replicas?: number; bucket?: LimiterOptions }) {
  const status = new FakeSharedStatus(options);
  const shared = fakeLimiters();
  const local = fakeLimiters();
  const registry = new Registry();
  const limiter = new FailoverLimiter({
    options: options.bucket ?? BUCKET,
    status,
    shared: shared.limiters,
    local: local.limiters,
    metrics: new LimiterMetrics(registry),
  });
  let calls = 0;
  const call = () =>
    limiter.schedule({ weight: 1 }, async () => {
      calls += 1;
      return calls;
    });
  const metric = async (name: string) => (await registry.getSingleMetric(name)!.get()).values[0]?.value;
  return { status, shared: shared.made, local: local.made, limiter, call, calls: () => calls, metric };
}

describe('shareOf', () => {
  it('gives one replica 1/N of the bucket and of its refills, so N replicas together stay inside one budget', () => {
    expect(
      shareOf({ reservoir: 27, reservoirIncreaseAmount: 4, reservoirIncreaseInterval: 1_000, reservoirIncreaseMaximum: 27 }, 3),
    ).toEqual({
      reservoir: 9,
      reservoirIncreaseAmount: 4,
      reservoirIncreaseInterval: 3_000,
      reservoirIncreaseMaximum: 9,
    });
    const perMinute = (s: ReturnType<typeof shareOf>) =>
      s.reservoirIncreaseMaximum! + Math.floor(60_000 / s.reservoirIncreaseInterval!) * s.reservoirIncreaseAmount!;
    expect(3 * perMinute(shareOf(BUCKET, 3))).toBeLessThanOrEqual(perMinute(BUCKET));
    expect(shareOf({ reservoir: 5_000 }, 0)).toEqual({ reservoir: 5_000 });
    expect(shareOf({ reservoir: 5_000 }, 1_000)).toEqual({ reservoir: 312 });
  });
});

describe('FailoverLimiter', () => {
  it('paces on the shared limiter while Redis is up and never builds a local one', async () => {
    const r = rig({ up: true });
    expect(await Promise.all([r.call(), r.call()])).toEqual([1, 2]);
    expect(r.shared).toHaveLength(1);
    expect(r.shared[0]!.options).toMatchObject(BUCKET);
    expect(r.shared[0]!.scheduled).toEqual([1, 1]);
    expect(r.local).toHaveLength(0);
    expect(await r.metric('trunkgate_limiter_shared')).toBe(1);
  });

  it('Redis down from the start: paces on a local limiter holding this replica’s share of the bucket', async () => {
    const r = rig({ up: false, replicas: 3 });
    await r.call();
    expect(r.shared).toHaveLength(0);
    expect(r.local[0]!.options).toMatchObject({
      id: 'genesys-api',
      reservoir: 9,
      reservoirIncreaseMaximum: 9,
      reservoirIncreaseInterval: 3_000,
    });
    expect(await r.metric('trunkgate_limiter_shared')).toBe(0);
    expect(await r.metric('trunkgate_limiter_local_slots_total')).toBe(1);
  });

  it('a call waiting on the shared bucket when Redis goes away is granted by the fallback, once, even when the shared slot comes later', async () => {
    const r = rig({ up: true, replicas: 2 });
    r.shared[0]!.reservoir = 0;
    const waiting = r.call();
    await settle();
    expect(r.shared[0]!.queued).toBe(1);
    r.status.set(false);
    expect(await waiting).toBe(1);
    expect(r.local[0]!.scheduled).toEqual([1]);
    // The shared limiter still holds the job (bottleneck cannot take it back): its slot goes unused.
    r.shared[0]!.refill(1);
    await settle();
    expect(r.calls()).toBe(1);
    expect(r.shared[0]!.reservoir).toBe(0);
  });

  it('when the shared limiter drops a job (its Redis call failed), reports the failure and grants the call locally', async () => {
    const r = rig({ up: true });
    r.shared[0]!.failWith = new Error("Stream isn't writeable and enableOfflineQueue options is false");
    expect(await r.call()).toBe(1);
    expect(r.status.failures).toHaveLength(1);
    expect(r.status.up).toBe(false);
    expect(r.local[0]!.scheduled).toEqual([1]);
  });

  it('an "error" from the shared limiter (a heartbeat that timed out) or a failed set-up counts as Redis down', async () => {
    const r = rig({ up: true });
    r.shared[0]!.emitError(new Error('Command timed out'));
    expect(r.status.up).toBe(false);

    const status = new FakeSharedStatus({ up: true });
    const broken = new FakeLimiter(BUCKET);
    broken.failReady(new Error('Connection is closed.'));
    new FailoverLimiter({ options: BUCKET, status, shared: () => broken, local: (o) => new FakeLimiter(o) });
    await settle();
    expect(status.failures).toHaveLength(1);
  });

  it('when Redis is back: a fresh shared limiter joins the bucket, gets the settings it missed (not the local reservoir), and local waiters move over', async () => {
    const r = rig({ up: true, replicas: 3 });
    r.status.set(false);
    await r.limiter.updateSettings({ reservoirIncreaseMaximum: 16, reservoirIncreaseAmount: 2, reservoir: 0 });
    expect(r.shared[0]!.settings).toEqual([]);
    const waiting = r.call();
    await settle();
    expect(r.local[0]!.queued).toBe(1);

    r.status.set(true);
    expect(r.shared).toHaveLength(2);
    expect(r.shared[1]!.options).toMatchObject({ reservoir: 0, reservoirIncreaseMaximum: 16 });
    expect(r.shared[1]!.settings).toEqual([{ reservoirIncreaseMaximum: 16, reservoirIncreaseAmount: 2 }]);
    r.shared[1]!.refill(1);
    expect(await waiting).toBe(1);
    expect(r.shared[0]!.stopped).toBe(true);
    expect(r.local[0]!.stopped).toBe(true);
    expect(await r.metric('trunkgate_limiter_shared')).toBe(1);
    r.shared[1]!.refill(1);
    await r.call();
    expect(r.shared[1]!.scheduled).toEqual([1, 1]);
    expect(r.local).toHaveLength(1);
  });

  it('each outage gets a fresh fallback sized from the replica count and the last reservoir the shared bucket showed', async () => {
    const r = rig({ up: true, replicas: 2, bucket: { id: 'servicenow-api:1', upstream: 'servicenow', reservoir: 900 } });
    r.shared[0]!.reservoir = 300;
    expect(await r.limiter.currentReservoir()).toBe(300);
    r.status.replicas = 3;
    r.status.set(false);
    expect(await r.limiter.currentReservoir()).toBe(100);
    r.status.set(true);
    r.status.set(false);
    await r.call();
    expect(r.local).toHaveLength(2);
    expect(r.local[1]!.options).toMatchObject({ reservoir: 300 });
  });

  it('settings changed while shared reach the shared limiter; the fallback, once built, gets its share of them', async () => {
    const r = rig({ up: true, replicas: 2 });
    await r.limiter.updateSettings({ reservoir: 0, reservoirIncreaseMaximum: 16 });
    expect(r.shared[0]!.settings).toEqual([{ reservoir: 0, reservoirIncreaseMaximum: 16 }]);
    r.status.set(false);
    await r.limiter.done();
    await r.limiter.updateSettings({ reservoir: 10 });
    expect(r.local[0]!.options).toMatchObject({ reservoir: 0, reservoirIncreaseMaximum: 8 });
    expect(r.local[0]!.settings).toEqual([{ reservoir: 5 }]);
  });

  it('a failed settings update on the shared limiter counts as Redis down and is applied when it is back', async () => {
    const r = rig({ up: true });
    r.shared[0]!.updateSettings = async () => {
      throw new Error('Command timed out');
    };
    await r.limiter.updateSettings({ reservoirIncreaseMaximum: 16, reservoir: 0 });
    expect(r.status.up).toBe(false);
    r.status.set(true);
    expect(r.shared[1]!.settings).toEqual([{ reservoirIncreaseMaximum: 16 }]);
  });

  it('stop() rejects the calls still waiting, on either limiter, and takes no more', async () => {
    const r = rig({ up: true, bucket: { ...BUCKET, reservoir: 0 } });
    const onShared = r.call();
    r.status.set(false);
    const onLocal = r.call();
    await settle();
    await r.limiter.stop();
    await expect(onShared).rejects.toThrow(/stopped/);
    await expect(onLocal).rejects.toThrow(/stopped/);
    await expect(r.call()).rejects.toThrow(/stopped/);
    expect(r.calls()).toBe(0);
  });

  it('counts() adds up both limiters, so a pacer’s Retry-After sees every waiting call', async () => {
    const r = rig({ up: true, bucket: { ...BUCKET, reservoir: 0 } });
    void r.call().catch(() => undefined);
    r.status.set(false);
    void r.call().catch(() => undefined);
    await settle();
    expect(r.limiter.counts().QUEUED).toBe(3);
    await r.limiter.stop();
  });
});
