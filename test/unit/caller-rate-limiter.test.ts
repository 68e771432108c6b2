import { describe, expect, it } from 'vitest';
import {
  decide,
  LocalCallerRateLimiter,
  SharedCallerRateLimiter,
  WINDOW_MS,
  type SharedCounterSource,
} from '../../src/callers/caller-rate-limiter.js';
import { ManualClock } from '../../src/time/manual-clock.js';

/** A clock at the very start of a minute window. */
function clockAtWindowStart(): ManualClock {
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 12, 0, 0));
  expect(clock.now() % WINDOW_MS).toBe(0);
  return clock;
}

describe('the sliding-window decision', () => {
  it('allows while the weighted count stays within the limit', () => {
    expect(decide(0, 3, 2, 0)).toEqual({ allowed: true, retryAfterMs: 0 });
    // 30 s into the window, half of the previous minute's 4 still counts: 2 + 0 + 1 = 3.
    expect(decide(30_000, 3, 0, 4).allowed).toBe(true);
    expect(decide(30_000, 3, 1, 4).allowed).toBe(false);
  });

  it('says how long until enough of the older count has slid out', () => {
    // 30 s in, 1 this minute, 4 the previous: 4 × (1 − t/60 s) + 1 + 1 ≤ 3 from t = 45 s, 15 s from now.
    expect(decide(30_000, 3, 1, 4).retryAfterMs).toBe(15_000);
    // This minute alone is full: wait for the next one and for 1/3 of it (3 × 2/3 + 1 ≤ 3).
    expect(decide(0, 3, 3, 0).retryAfterMs).toBe(80_000);
  });
});

describe('LocalCallerRateLimiter', () => {
  it('refuses the request over the limit until the time it names, and does not count refusals', async () => {
    const clock = clockAtWindowStart();
    const limiter = new LocalCallerRateLimiter(clock);
    for (let i = 0; i < 3; i += 1) expect(limiter.take('caller:a', 3).allowed).toBe(true);
    const refused = limiter.take('caller:a', 3);
    expect(refused).toEqual({ allowed: false, retryAfterMs: 80_000 });
    for (let i = 0; i < 10; i += 1) expect(limiter.take('caller:a', 3).allowed).toBe(false);
    await clock.advance(refused.retryAfterMs - 1);
    expect(limiter.take('caller:a', 3).allowed).toBe(false);
    await clock.advance(1);
    expect(limiter.take('caller:a', 3).allowed).toBe(true);
    expect(limiter.take('caller:a', 3).allowed).toBe(false);
  });

  it('never lets twice the limit through across a minute boundary', async () => {
    const clock = clockAtWindowStart();
    const limiter = new LocalCallerRateLimiter(clock);
    await clock.advance(59_000);
    let allowed = 0;
    for (let i = 0; i < 10; i += 1) allowed += Number(limiter.take('caller:a', 10).allowed);
    await clock.advance(2_000);
    for (let i = 0; i < 10; i += 1) allowed += Number(limiter.take('caller:a', 10).allowed);
    expect(allowed).toBe(10);
  });

  it('counts each caller on its own and forgets callers silent for two minutes', async () => {
    const clock = clockAtWindowStart();
    const limiter = new LocalCallerRateLimiter(clock);
    expect(limiter.take('caller:a', 1).allowed).toBe(true);
    expect(limiter.take('caller:a', 1).allowed).toBe(false);
    expect(limiter.take('jwt:a', 1).allowed).toBe(true);
    await clock.advance(2 * WINDOW_MS);
    expect(limiter.take('caller:a', 1).allowed).toBe(true);
  });
});

describe('SharedCallerRateLimiter', () => {
  function source(overrides: Partial<SharedCounterSource> & { up: boolean; replicas: number }) {
    const failures: unknown[] = [];
    const s: SharedCounterSource = {
      reportFailure: (err) => failures.push(err),
      runScript: async () => [1, 1, 0],
      ...overrides,
    };
    return { source: s, failures };
  }

  it('counts alone against its share of the limit while Redis is down', () => {
    const clock = clockAtWindowStart();
    const { source: s } = source({ up: false, replicas: 3 });
    const limiter = new SharedCallerRateLimiter(s, new LocalCallerRateLimiter(clock), clock);
    const results = Array.from({ length: 4 }, () => limiter.take('caller:a', 9) as { allowed: boolean });
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, false]);
  });

  it('reports a failed script and answers from the local count instead of failing the request', async () => {
    const clock = clockAtWindowStart();
    const { source: s, failures } = source({
      up: true,
      replicas: 1,
      runScript: async () => Promise.reject(new Error('Connection is closed.')),
    });
    const limiter = new SharedCallerRateLimiter(s, new LocalCallerRateLimiter(clock), clock);
    expect(await limiter.take('caller:a', 1)).toEqual({ allowed: true, retryAfterMs: 0 });
    expect(await limiter.take('caller:a', 1)).toMatchObject({ allowed: false });
    expect(failures).toHaveLength(2);
  });

  it("turns the script's refusal into a wait, and its keys name the caller and the minute", async () => {
    const clock = clockAtWindowStart();
    await clock.advance(30_000);
    const calls: Array<{ keys: string[]; args: Array<string | number> }> = [];
    const { source: s } = source({
      up: true,
      replicas: 2,
      runScript: async (_script, keys, args) => {
        calls.push({ keys, args });
        return [0, 1, 4];
      },
    });
    const limiter = new SharedCallerRateLimiter(s, new LocalCallerRateLimiter(clock), clock);
    expect(await limiter.take('caller:noc', 3)).toEqual({ allowed: false, retryAfterMs: 15_000 });
    const window = Math.floor(clock.now() / WINDOW_MS);
    expect(calls).toEqual([
      { keys: [`callers:rate:caller:noc:${window}`, `callers:rate:caller:noc:${window - 1}`], args: [3, '0.500000', 2 * WINDOW_MS] },
    ]);
  });
});
