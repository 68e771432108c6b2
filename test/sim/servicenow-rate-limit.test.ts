import { afterEach, describe, expect, it } from 'vitest';
import { startServiceNowSim } from '../../src/sim/servicenow/index.js';
import type { ServiceNowSim, ServiceNowSimOptions } from '../../src/sim/servicenow/index.js';

// 12:00:00 UTC, on an hour boundary, so an hourly window resets at 13:00:00.
const START = Date.UTC(2025, 0, 15, 12, 0, 0);
const BASIC = `Basic ${Buffer.from('trunkgate.integration:sandbox-sn-password').toString('base64')}`;

let sim: ServiceNowSim | undefined;
let now = START;

async function start(options: ServiceNowSimOptions = {}): Promise<ServiceNowSim> {
  now = START;
  sim = await startServiceNowSim({ clock: () => now, ...options });
  return sim;
}

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function get(s: ServiceNowSim, auth = BASIC) {
  const res = await fetch(`${s.url}/api/now/table/incident?sysparm_limit=1`, { headers: { Authorization: auth } });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, any> };
}

describe('per-user rate limit', () => {
  it('sends no X-RateLimit headers when no rule applies', async () => {
    const s = await start();
    const res = await get(s);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-ratelimit-limit')).toBeNull();
  });

  it('sends X-RateLimit-Limit, -Reset and -Rule, then answers 429 with Retry-After past the limit', async () => {
    const s = await start({ rateLimit: { limit: 2 } });
    now += 59 * 60_000 + 30_000; // 12:59:30
    const first = await get(s);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-ratelimit-limit')).toBe('2');
    expect(first.headers.get('x-ratelimit-reset')).toBe(String(START / 1000 + 3600));
    const rule = first.headers.get('x-ratelimit-rule');
    expect(rule).toMatch(/^[0-9a-f]{32}$/);
    expect((await get(s)).status).toBe(200);

    const refused = await get(s);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('30');
    expect(refused.headers.get('x-ratelimit-rule')).toBe(rule);
    expect(refused.body.status).toBe('failure');
    expect(refused.body.error.message).toBe('Rate limit exceeded');
    expect(typeof refused.body.error.detail).toBe('string');
    expect(s.stats().rateLimited).toBe(1);

    now = START + 3600_000; // the next hour
    expect((await get(s)).status).toBe(200);
  });

  it('counts each user on their own', async () => {
    const s = await start({
      rateLimit: { limit: 1, windowSec: 60 },
      users: [
        { username: 'a', password: 'pa' },
        { username: 'b', password: 'pb' },
      ],
    });
    const auth = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
    expect((await get(s, auth('a', 'pa'))).status).toBe(200);
    expect((await get(s, auth('a', 'pa'))).status).toBe(429);
    expect((await get(s, auth('b', 'pb'))).status).toBe(200);
  });

  it('control.setRateLimit changes the rule (new rule id, fresh counts) and null removes it', async () => {
    const s = await start({ rateLimit: { limit: 1 } });
    const before = (await get(s)).headers.get('x-ratelimit-rule');
    expect((await get(s)).status).toBe(429);
    const rule = s.control.setRateLimit({ limit: 5, windowSec: 60 });
    const after = await get(s);
    expect(after.status).toBe(200);
    expect(after.headers.get('x-ratelimit-limit')).toBe('5');
    expect(after.headers.get('x-ratelimit-rule')).toBe(rule!.sysId);
    expect(rule!.sysId).not.toBe(before);
    s.control.setRateLimit(null);
    expect((await get(s)).headers.get('x-ratelimit-limit')).toBeNull();
  });
});

describe('rate-limit storm', () => {
  it('answers every /api/now call 429 with the given Retry-After until its duration passes', async () => {
    const s = await start();
    s.control.rateLimitStorm({ retryAfterSec: 7, durationMs: 10_000 });
    const refused = await get(s);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('7');
    expect(refused.body.error.message).toBe('Rate limit exceeded');
    // Even without credentials: the storm is in front of authentication.
    expect((await get(s, 'Basic eDp5')).status).toBe(429);
    now += 10_000;
    expect((await get(s)).status).toBe(200);
    expect(s.stats().rateLimited).toBe(2);
  });
});
