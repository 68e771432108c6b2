import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/time/manual-clock.js';
import { Deadline } from '../../src/net/deadline.js';
import { UpstreamCaller } from '../../src/upstream/upstream-caller.js';
import { unpaced } from '../../src/upstream/upstream-pacer.js';
import { scriptedHttp, staticCredentials, type Scripted } from '../support/fake-upstream.js';

function caller(script: Scripted[], clock = new ManualClock()) {
  const { http, requests } = scriptedHttp(script);
  const c = new UpstreamCaller({
    upstream: 'servicenow',
    http,
    credentials: staticCredentials,
    pacer: unpaced,
    clock,
    defaultTimeoutMs: 10_000,
    backoffMs: [500, 1_500],
  });
  return { c, requests, clock };
}

const create = { operation: 'POST incident', method: 'POST' as const, path: '/api/now/table/incident', body: { short_description: 'x' } };
const read = { operation: 'GET incident', method: 'GET' as const, path: '/api/now/table/incident' };

/** Runs `work` while advancing the manual clock in steps, so waits inside it elapse. */
async function withTime<T>(clock: ManualClock, work: Promise<T>, stepMs = 100, maxMs = 600_000): Promise<T> {
  let done = false;
  const guarded = work.finally(() => (done = true));
  for (let t = 0; !done && t < maxMs; t += stepMs) await clock.advance(stepMs);
  return guarded;
}

describe('UpstreamCaller', () => {
  it('when ServiceNow answers 429, waits Retry-After and sends the create once more', async () => {
    const { c, requests, clock } = caller([
      { status: 429, headers: { 'retry-after': '2' } },
      { status: 201, data: { result: { sys_id: 'a' } } },
    ]);
    const started = clock.monotonic();
    let sentAgainAt = 0;
    const res = await withTime(
      clock,
      c.call(create).then((r) => ((sentAgainAt = clock.monotonic()), r)),
    );
    expect(res.status).toBe(201);
    expect(requests).toHaveLength(2);
    expect(sentAgainAt - started).toBeGreaterThanOrEqual(2_000);
  });

  it('answers rate_limited with the upstream Retry-After when it does not fit the deadline', async () => {
    const { c, requests } = caller([{ status: 429, headers: { 'retry-after': '30' } }]);
    const err = await c.call(read, { timeoutMs: 5_000 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'rate_limited', headers: { 'Retry-After': '30' } });
    expect(requests).toHaveLength(1);
  });

  it('gives up on a Retry-After above 3 minutes', async () => {
    const { c } = caller([{ status: 429, headers: { 'retry-after': '3600' } }]);
    await expect(c.call(read, { timeoutMs: 60_000 })).rejects.toMatchObject({ code: 'rate_limited', headers: { 'Retry-After': '3600' } });
  });

  it('retries a 503 for a create, and reports upstream_unavailable once the deadline leaves no room', async () => {
    const { c, requests, clock } = caller([{ status: 503 }, { status: 503 }, { status: 503 }]);
    const err = await withTime(
      clock,
      c.call(create, { timeoutMs: 1_000 }).catch((e: unknown) => e),
    );
    expect(err).toMatchObject({
      code: 'upstream_unavailable',
      details: [expect.objectContaining({ upstream: 'servicenow', operation: 'POST incident', status: 503, attempts: 2 })],
    });
    expect(requests).toHaveLength(2);
  });

  it('does not resend a create after a 502 or a timeout, and marks a lost answer as possibly processed', async () => {
    const a = caller([{ status: 502 }]);
    await expect(a.c.call(create)).rejects.toMatchObject({ code: 'upstream_error', details: [expect.objectContaining({ status: 502 })] });
    expect(a.requests).toHaveLength(1);
    const b = caller([{ fail: 'ETIMEDOUT' }]);
    await expect(b.c.call(create)).rejects.toMatchObject({
      code: 'upstream_timeout',
      details: [expect.objectContaining({ processed: 'unknown' })],
    });
    expect(b.requests).toHaveLength(1);
  });

  it('retries an idempotent read after a 504 and a reset', async () => {
    const { c, requests, clock } = caller([{ status: 504 }, { fail: 'ECONNRESET' }, { status: 200, data: { result: [] } }]);
    const res = await withTime(clock, c.call(read));
    expect(res.status).toBe(200);
    expect(requests).toHaveLength(3);
  });

  it('retries a refused connection for a create (it never reached the upstream)', async () => {
    const { c, requests, clock } = caller([{ fail: 'ECONNREFUSED' }, { status: 201, data: {} }]);
    expect((await withTime(clock, c.call(create))).status).toBe(201);
    expect(requests).toHaveLength(2);
  });

  it('gives each attempt only the time left before the deadline', async () => {
    const clock = new ManualClock();
    const { c, requests } = caller([{ status: 200 }], clock);
    const deadline = Deadline.after(clock, 4_000);
    await clock.advance(1_000);
    await c.call(read, { deadline });
    expect(requests[0]!.timeout).toBe(3_000);
  });

  it('answers upstream_timeout without sending once the deadline has passed', async () => {
    const clock = new ManualClock();
    const { c, requests } = caller([{ status: 200 }], clock);
    const deadline = Deadline.after(clock, 100);
    await clock.advance(200);
    await expect(c.call(read, { deadline })).rejects.toMatchObject({ code: 'upstream_timeout' });
    expect(requests).toHaveLength(0);
  });

  it("bounds the wait for credentials (a refresh, a re-auth) by the action's deadline", async () => {
    const clock = new ManualClock();
    const { http, requests } = scriptedHttp([{ status: 401 }, { status: 200 }]);
    const stuck = new Promise<never>(() => undefined);
    const slowRefresh = { ...staticCredentials, authorize: () => stuck };
    const a = new UpstreamCaller({
      upstream: 'genesys',
      http,
      credentials: slowRefresh,
      pacer: unpaced,
      clock,
      defaultTimeoutMs: 10_000,
      backoffMs: [500],
    });
    const started = clock.monotonic();
    const err = await withTime(
      clock,
      a.call(read, { timeoutMs: 2_000 }).catch((e: unknown) => e),
    );
    expect(err).toMatchObject({ code: 'upstream_timeout' });
    expect(clock.monotonic() - started).toBeLessThanOrEqual(2_100);
    expect(requests).toHaveLength(0);

    const slowReauth = { ...staticCredentials, refused: () => stuck };
    const b = new UpstreamCaller({
      upstream: 'genesys',
      http,
      credentials: slowReauth,
      pacer: unpaced,
      clock,
      defaultTimeoutMs: 10_000,
      backoffMs: [500],
    });
    expect(
      await withTime(
        clock,
        b.call(read, { timeoutMs: 2_000 }).catch((e: unknown) => e),
      ),
    ).toMatchObject({ code: 'upstream_timeout' });
    expect(requests).toHaveLength(1);
  });

  it('stops waiting for credentials as soon as the caller goes away, and says so', async () => {
    const clock = new ManualClock();
    const { http, requests } = scriptedHttp([{ status: 200 }]);
    const slowRefresh = { ...staticCredentials, authorize: () => new Promise<never>(() => undefined) };
    const c = new UpstreamCaller({
      upstream: 'genesys',
      http,
      credentials: slowRefresh,
      pacer: unpaced,
      clock,
      defaultTimeoutMs: 10_000,
      backoffMs: [500],
    });
    const caller = new AbortController();
    const call = c.call(read, { timeoutMs: 10_000, signal: caller.signal }).catch((e: unknown) => e);
    await clock.advance(100);
    caller.abort();
    expect(await call).toMatchObject({ code: 'upstream_timeout', message: expect.stringContaining('the caller went away') });
    expect(requests).toHaveLength(0);
  });

  it('maps other answers to upstream_error naming upstream, operation and status, never passing the status through', async () => {
    const { c } = caller([{ status: 400, data: { error: { message: 'Invalid table' }, status: 'failure' } }]);
    const err = (await c.call(read).catch((e: unknown) => e)) as { status: number; details: Array<Record<string, unknown>> };
    expect(err).toMatchObject({ code: 'upstream_error', status: 502 });
    expect(err.details[0]).toMatchObject({ upstream: 'servicenow', operation: 'GET incident', status: 400 });
    expect(String(err.details[0]!.body)).toContain('Invalid table');
  });
});
