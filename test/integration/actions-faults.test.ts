import { afterEach, describe, expect, it } from 'vitest';
import { defaultTrunkIds } from '../../src/sim/genesys/index.js';
import type { SimRequestEvent } from '../../src/sim/servicenow/index.js';
import { startActionHarness, type ActionHarness } from '../support/action-harness.js';

describe('POST /v1/actions/:name when an upstream misbehaves', () => {
  let h: ActionHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('when ServiceNow answers 429, waits Retry-After and delivers the create once', async () => {
    h = await startActionHarness();
    const requests: SimRequestEvent[] = [];
    h.sims.servicenow.control.on('request', (e) => requests.push(e));
    h.sims.servicenow.control.rateLimitStorm({ retryAfterSec: 1, durationMs: 1_000 });
    const res = await h.run('create-incident', { short_description: 'during a storm' });
    expect(res.status).toBe(200);
    expect(h.sims.servicenow.stats().rateLimited).toBe(1);
    expect(h.sims.servicenow.incidents()).toHaveLength(1);
    const posts = requests.filter((r) => r.method === 'POST');
    expect(posts).toHaveLength(2);
    expect(posts[1]!.at - posts[0]!.at).toBeGreaterThanOrEqual(1_000);
  });

  it('when Genesys answers 429 (a rate-limit storm), waits Retry-After and reads the trunk', async () => {
    h = await startActionHarness();
    await h.run('get-trunk', { trunkId: defaultTrunkIds.lumenPrimary }).expect(200);
    h.sims.genesys.control.setApiFault({ mode: 'rate_limited', retryAfterSec: 1, forMs: 1_000 });
    const res = await h.run('get-trunk', { trunkId: defaultTrunkIds.lumenPrimary });
    expect(res.status).toBe(200);
    expect(res.body.state).toBe('registered');
    expect(h.sims.genesys.stats().rateLimited).toBeGreaterThanOrEqual(1);
  });

  it('answers rate_limited with Retry-After when the upstream asks for a wait longer than the deadline', async () => {
    h = await startActionHarness({ env: { ACTION_TIMEOUT_MS: '2000' } });
    h.sims.servicenow.control.rateLimitStorm({ retryAfterSec: 30 });
    const res = await h.run('get-incident', { number: 'INC0010001' });
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('30');
    expect(res.body.error).toMatchObject({
      code: 'rate_limited',
      details: [expect.objectContaining({ upstream: 'servicenow', status: 429 })],
    });
  });

  it('ServiceNow outage: 503 → upstream_unavailable, refused → upstream_unavailable, slow → upstream_timeout', async () => {
    h = await startActionHarness({ env: { ACTION_TIMEOUT_MS: '800' } });
    const control = h.sims.servicenow.control;

    await control.outage({ mode: '503' });
    const unavailable = await h.run('get-incident', { number: 'INC0010001' });
    expect(unavailable.status).toBe(503);
    expect(unavailable.body.error).toMatchObject({
      code: 'upstream_unavailable',
      details: [expect.objectContaining({ upstream: 'servicenow', status: 503 })],
    });
    expect(h.sims.servicenow.stats().requestsDuringOutage).toBeGreaterThanOrEqual(1);

    await control.outage({ mode: 'refused', durationMs: 60_000 });
    const refused = await h.run('create-incident', { short_description: 'x' });
    expect(refused.status).toBe(503);
    expect(refused.body.error).toMatchObject({ code: 'upstream_unavailable', message: expect.stringContaining('ECONNREFUSED') });

    await control.outage({ mode: 'slow', delayMs: 1_500 });
    const slow = await h.run('get-incident', { number: 'INC0010001' });
    expect(slow.status).toBe(504);
    expect(slow.body.error).toMatchObject({ code: 'upstream_timeout', details: [expect.objectContaining({ upstream: 'servicenow' })] });
    await control.restore();
  });

  it('Genesys refusing a revoked token (401) is healed by the broker: a new token, the call succeeds', async () => {
    h = await startActionHarness();
    await h.run('get-trunk', { trunkId: defaultTrunkIds.acmePbx }).expect(200);
    h.sims.genesys.control.setPropagationLag(300);
    expect(h.sims.genesys.control.revokeTokens()).toBeGreaterThanOrEqual(1);
    const res = await h.run('get-trunk', { trunkId: defaultTrunkIds.acmePbx });
    expect(res.status).toBe(200);
    const stats = h.sims.genesys.stats();
    expect(stats.callsWithRevokedToken).toBe(1);
    expect(stats.tokenRequests).toBe(2);
  });

  it('stops at the hourly ServiceNow budget with rate_limited before calling ServiceNow', async () => {
    h = await startActionHarness({ env: { SERVICENOW_RATE_LIMIT_PER_HOUR: '2' } });
    await h.run('get-incident', { number: 'INC0000001' }).expect(404);
    await h.run('get-incident', { number: 'INC0000002' }).expect(404);
    const before = h.sims.servicenow.stats().requests;
    const res = await h.run('get-incident', { number: 'INC0000003' });
    expect(res.status).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(res.body.error.code).toBe('rate_limited');
    expect(h.sims.servicenow.stats().requests).toBe(before);
  });
});
