import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/time/manual-clock.js';
import { Deadline } from '../../src/net/deadline.js';
import { bucketFor, GenesysPacer } from '../../src/upstream/genesys-pacer.js';
import { ServiceNowPacer } from '../../src/upstream/servicenow-pacer.js';
import { fakeLimiters as factory } from '../support/fake-limiter.js';

/** Lets the promise jobs started so far (a pacer's background reads and writes) run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

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
    expect(made[0]!.options).toMatchObject({
      id: 'genesys-api',
      upstream: 'genesys',
      reservoir: 27,
      reservoirIncreaseAmount: 4,
      reservoirIncreaseInterval: 1_000,
      reservoirIncreaseMaximum: 27,
    });
    pacer.observe(200, { 'inin-ratelimit-allowed': '180' });
    expect(made[0]!.settings.at(-1)).toMatchObject({ reservoir: 0, reservoirIncreaseMaximum: 16 });
    pacer.observe(200, { 'inin-ratelimit-allowed': '180' });
    expect(made[0]!.settings).toHaveLength(1);
    pacer.observe(200, { 'inin-ratelimit-allowed': '6000' });
    // Going up the bucket only refills faster and higher: with replicas sharing it, filling it at once
    // would add a burst for every replica that sees the new figure.
    expect(made[0]!.settings.at(-1)).toEqual({
      reservoirIncreaseMaximum: 540,
      reservoirIncreaseAmount: 81,
      reservoirIncreaseInterval: 1_000,
    });
    expect(pacer.describe()).toMatchObject({ allowedPerMinute: 6000 });
  });

  it('leases slots from the limiter a few at a time when the allowed rate is high, one at a time at 300/min', async () => {
    const { made, limiters } = factory();
    const clock = new ManualClock();
    const pacer = new GenesysPacer({ limiters, clock, allowedPerMinute: 300 });
    for (let i = 0; i < 3; i += 1) await pacer.acquire(Deadline.after(clock, 1_000), 'GET trunk');
    expect(made[0]!.scheduled).toEqual([1, 1, 1]);
    pacer.observe(200, { 'inin-ratelimit-allowed': '1000000' });
    made[0]!.refill(1_000);
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
    expect(await waiting).toMatchObject({
      code: 'rate_limited',
      details: [expect.objectContaining({ upstream: 'genesys', operation: 'GET trunk' })],
    });
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

  it('adopts 90 % of X-RateLimit-Limit, keeps what the window already spent, and opens a full bucket for the next window', async () => {
    const { made, limiters } = factory();
    const clock = new ManualClock(Date.UTC(2026, 0, 1, 10, 30));
    const pacer = new ServiceNowPacer({ limiters, clock, budgetPerHour: 5_000 });
    const elevenSec = Date.UTC(2026, 0, 1, 11) / 1000;
    expect(made[0]!.options).toMatchObject({ id: `servicenow-api:${elevenSec}`, upstream: 'servicenow', reservoir: 5_000 });
    const deadline = Deadline.after(clock, 1_000);
    for (let i = 0; i < 10; i += 1) await pacer.acquire(deadline, 'GET incident');
    pacer.observe(200, { 'x-ratelimit-limit': '1000', 'x-ratelimit-reset': String(elevenSec) });
    await settle();
    expect(made[0]!.reservoir).toBe(900 - 10);
    expect(pacer.describe()).toMatchObject({ budgetPerHour: 900, announcedPerHour: 1000, windowEndsAt: '2026-01-01T11:00:00.000Z' });
    await clock.advance(30 * 60_000);
    await settle();
    expect(made).toHaveLength(2);
    expect(made[1]!.options).toMatchObject({ id: `servicenow-api:${elevenSec + 3_600}`, reservoir: 900 });
    expect(made[1]!.reservoir).toBe(900);
    expect(made[0]!.stopped).toBe(true);
    expect(made[0]!.disconnected).toBe(true);
  });

  it('joining a window whose bucket another replica made with a bigger budget brings it down to budget − calls made', async () => {
    const { made, limiters } = factory();
    const clock = new ManualClock(Date.UTC(2026, 0, 1, 10, 30));
    // As the shared bucket looks to a replica joining it: made with 5000 by another replica, 40 calls made.
    const joined = (o: Parameters<typeof limiters>[0]) => Object.assign(limiters(o), { reservoir: 4_960, doneWeight: 40 });
    new ServiceNowPacer({ limiters: joined, clock, budgetPerHour: 900 });
    await settle();
    expect(made[0]!.settings).toEqual([{ reservoir: 860 }]);
  });

  it('a replica joining a bucket that matches its budget leaves it alone (no reset, no double)', async () => {
    const { made, limiters } = factory();
    const clock = new ManualClock(Date.UTC(2026, 0, 1, 10, 30));
    const joined = (o: Parameters<typeof limiters>[0]) => Object.assign(limiters(o), { reservoir: 860, doneWeight: 40 });
    new ServiceNowPacer({ limiters: joined, clock, budgetPerHour: 900 });
    await settle();
    expect(made[0]!.settings).toEqual([]);
  });

  it('moves to the bucket of the window ServiceNow announces, and callers waiting on the old one get a slot from the new one', async () => {
    const { made, limiters } = factory();
    const clock = new ManualClock(Date.UTC(2026, 0, 1, 10, 30));
    const pacer = new ServiceNowPacer({ limiters, clock, budgetPerHour: 2 });
    await pacer.acquire(Deadline.after(clock, 60_000), 'GET incident');
    await pacer.acquire(Deadline.after(clock, 60_000), 'GET incident');
    // Spent; the window ends in 30 min, so a caller with a long deadline waits.
    const waiting = pacer.acquire(Deadline.after(clock, 3_600_000), 'GET incident');
    await settle();
    expect(made[0]!.queued).toBe(1);
    const resetSec = Date.UTC(2026, 0, 1, 10, 45) / 1000;
    pacer.observe(200, { 'x-ratelimit-reset': String(resetSec) });
    await waiting;
    expect(made[1]!.options).toMatchObject({ id: `servicenow-api:${resetSec}` });
    expect(made[1]!.scheduled).toEqual([1]);
  });

  it('answers rate_limited at once, with Retry-After up to the window end, when the budget is spent', async () => {
    const { made, limiters } = factory();
    const clock = new ManualClock(Date.UTC(2026, 0, 1, 10, 59));
    const pacer = new ServiceNowPacer({ limiters, clock, budgetPerHour: 1 });
    await pacer.acquire(Deadline.after(clock, 5_000), 'GET incident');
    expect(made[0]!.reservoir).toBe(0);
    await expect(pacer.acquire(Deadline.after(clock, 5_000), 'GET incident')).rejects.toMatchObject({
      code: 'rate_limited',
      headers: { 'Retry-After': '60' },
    });
  });
});
