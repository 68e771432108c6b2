import type Bottleneck from 'bottleneck';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/time/manual-clock.js';
import { Deadline } from '../../src/upstream/deadline.js';
import { bucketFor, GenesysPacer } from '../../src/upstream/genesys-pacer.js';
import type { Limiter, LimiterOptions } from '../../src/upstream/limiter-factory.js';
import { ServiceNowPacer } from '../../src/upstream/servicenow-pacer.js';

/** A limiter that grants slots while its reservoir lasts and records every setting it is given. */
class FakeLimiter implements Limiter {
  settings: Array<Record<string, unknown>> = [];
  reservoir: number | null;
  queued: Array<() => void> = [];

  constructor(readonly options: LimiterOptions) {
    this.reservoir = options.reservoir ?? null;
  }

  scheduled: number[] = [];

  async schedule<R>(options: { weight?: number }, fn: () => PromiseLike<R>): Promise<R> {
    const weight = options.weight ?? 1;
    this.scheduled.push(weight);
    while (this.reservoir !== null && this.reservoir < weight) await new Promise<void>((r) => this.queued.push(r));
    if (this.reservoir !== null) this.reservoir -= weight;
    return fn();
  }

  updateSettings(options: Bottleneck.ConstructorOptions): void {
    this.settings.push({ ...options });
    if (options.reservoir !== undefined) this.reservoir = options.reservoir;
    while (this.reservoir !== null && this.reservoir > 0 && this.queued.length > 0) this.queued.shift()!();
  }

  async currentReservoir(): Promise<number | null> {
    return this.reservoir;
  }

  counts(): Bottleneck.Counts {
    return { RECEIVED: 0, QUEUED: this.queued.length, RUNNING: 0, EXECUTING: 0 };
  }

  async disconnect(): Promise<void> {}
}

function factory() {
  const made: FakeLimiter[] = [];
  return { made, limiters: (o: LimiterOptions) => { const l = new FakeLimiter(o); made.push(l); return l; } };
}

describe('Genesys pacing', () => {
  it('never lets more than 90 % of the allowed rate through in any 60 s window', () => {
    for (const allowed of [10, 60, 180, 300, 3_000, 1_000_000]) {
      const b = bucketFor(allowed);
      const perMinute = b.burst + Math.floor(60_000 / b.intervalMs) * b.refill;
      expect(perMinute, `allowed ${allowed}`).toBeLessThanOrEqual(Math.max(2, Math.floor(allowed * 0.9)));
      expect(b.burst).toBeGreaterThanOrEqual(1);
    }
  });

  it('starts at 300 per minute and follows inin-ratelimit-allowed down and up', async () => {
    const { made, limiters } = factory();
    const pacer = new GenesysPacer({ limiters, clock: new ManualClock(), allowedPerMinute: 300 });
    expect(made[0]!.options).toMatchObject({ id: 'genesys-api', reservoir: 27, reservoirIncreaseAmount: 4, reservoirIncreaseInterval: 1_000, reservoirIncreaseMaximum: 27 });
    pacer.observe(200, { 'inin-ratelimit-allowed': '180' });
    expect(made[0]!.settings.at(-1)).toMatchObject({ reservoir: 0, reservoirIncreaseMaximum: 16 });
    pacer.observe(200, { 'inin-ratelimit-allowed': '180' });
    expect(made[0]!.settings).toHaveLength(1);
    pacer.observe(200, { 'inin-ratelimit-allowed': '6000' });
    expect(made[0]!.settings.at(-1)).toMatchObject({ reservoir: 540, reservoirIncreaseMaximum: 540, reservoirIncreaseAmount: 81 });
    expect(pacer.describe()).toMatchObject({ allowedPerMinute: 6000 });
  });

  it('leases slots from the limiter a few at a time when the allowed rate is high, one at a time at 300/min', async () => {
    const { made, limiters } = factory();
    const clock = new ManualClock();
    const pacer = new GenesysPacer({ limiters, clock, allowedPerMinute: 300 });
    for (let i = 0; i < 3; i += 1) await pacer.acquire(Deadline.after(clock, 1_000), 'GET trunk');
    expect(made[0]!.scheduled).toEqual([1, 1, 1]);
    pacer.observe(200, { 'inin-ratelimit-allowed': '1000000' });
    for (let i = 0; i < 250; i += 1) await pacer.acquire(Deadline.after(clock, 1_000), 'GET trunk');
    expect(made[0]!.scheduled.slice(3)).toEqual([100, 100, 100]);
    // Leased slots expire after a second: slots counted in one window are not spent much later.
    await clock.advance(1_001);
    await pacer.acquire(Deadline.after(clock, 1_000), 'GET trunk');
    expect(made[0]!.scheduled).toHaveLength(7);
  });

  it('answers rate_limited when no slot comes before the deadline', async () => {
    const { made, limiters } = factory();
    const clock = new ManualClock();
    const pacer = new GenesysPacer({ limiters, clock, allowedPerMinute: 300 });
    made[0]!.reservoir = 0;
    const waiting = Promise.resolve(pacer.acquire(Deadline.after(clock, 1_000), 'GET trunk')).catch((e: unknown) => e);
    await clock.advance(1_000);
    expect(await waiting).toMatchObject({ code: 'rate_limited', details: [expect.objectContaining({ upstream: 'genesys', operation: 'GET trunk' })] });
  });
});

describe('ServiceNow pacing', () => {
  it('uses no limiter at all while neither a budget nor an instance limit is known', async () => {
    const { made, limiters } = factory();
    const pacer = new ServiceNowPacer({ limiters, clock: new ManualClock() });
    await pacer.acquire(Deadline.after(new ManualClock(), 1_000), 'GET incident');
    pacer.observe(200, {});
    expect(made).toHaveLength(0);
    expect(pacer.describe()).toMatchObject({ paced: false });
  });

  it('adopts 90 % of X-RateLimit-Limit, keeps what the window already spent, and refills at X-RateLimit-Reset', async () => {
    const { made, limiters } = factory();
    const clock = new ManualClock(Date.UTC(2026, 0, 1, 10, 30));
    const pacer = new ServiceNowPacer({ limiters, clock, budgetPerHour: 5_000 });
    expect(made[0]!.options).toMatchObject({ id: 'servicenow-api', reservoir: 5_000 });
    const deadline = Deadline.after(clock, 1_000);
    for (let i = 0; i < 10; i += 1) await pacer.acquire(deadline, 'GET incident');
    const resetSec = Date.UTC(2026, 0, 1, 11) / 1000;
    pacer.observe(200, { 'x-ratelimit-limit': '1000', 'x-ratelimit-reset': String(resetSec) });
    await clock.advance(0);
    expect(made[0]!.reservoir).toBe(900 - 10);
    expect(pacer.describe()).toMatchObject({ budgetPerHour: 900, announcedPerHour: 1000, windowEndsAt: '2026-01-01T11:00:00.000Z' });
    await clock.advance(30 * 60_000);
    expect(made[0]!.reservoir).toBe(900);
  });

  it('answers rate_limited at once, with Retry-After up to the window end, when the budget is spent', async () => {
    const { made, limiters } = factory();
    const clock = new ManualClock(Date.UTC(2026, 0, 1, 10, 59));
    const pacer = new ServiceNowPacer({ limiters, clock, budgetPerHour: 1 });
    await pacer.acquire(Deadline.after(clock, 5_000), 'GET incident');
    expect(made[0]!.reservoir).toBe(0);
    await expect(pacer.acquire(Deadline.after(clock, 5_000), 'GET incident')).rejects.toMatchObject({ code: 'rate_limited', headers: { 'Retry-After': '60' } });
  });
});
