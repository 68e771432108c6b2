import { Registry } from 'prom-client';
import { beforeEach, describe, expect, it } from 'vitest';
import { CredentialsMetrics } from '../../src/credentials/credentials-metrics.js';
import { TokenBroker } from '../../src/credentials/token-broker.js';
import { InProcessTokenStore } from '../../src/credentials/token-store.js';
import { tokenDeadlines } from '../../src/credentials/token-timing.js';
import { CredentialsUnavailableError, type FailedEvent, type RotatedEvent } from '../../src/credentials/token-types.js';
import { ManualClock } from '../../src/time/manual-clock.js';
import { FakeTokenEndpoint } from '../support/fake-token-endpoint.js';
import { memoryLogger } from '../support/test-config.js';

function setup(options: { bufferMs?: number; requiredScopes?: string[]; verify?: boolean } = {}) {
  const clock = new ManualClock();
  const endpoint = new FakeTokenEndpoint(clock);
  const log = memoryLogger();
  const registry = new Registry();
  const broker = new TokenBroker({
    upstream: 'genesys',
    issuer: endpoint,
    verifier: options.verify === false ? undefined : endpoint,
    store: new InProcessTokenStore(),
    clock,
    logger: log.logger,
    metrics: new CredentialsMetrics(registry),
    bufferMs: options.bufferMs ?? 15_000,
    requiredScopes: options.requiredScopes,
    random: () => 0.5,
  });
  const rotated: RotatedEvent[] = [];
  const failed: FailedEvent[] = [];
  const recovered: unknown[] = [];
  broker.on('rotated', (e: RotatedEvent) => rotated.push(e));
  broker.on('failed', (e: FailedEvent) => failed.push(e));
  broker.on('recovered', (e: unknown) => recovered.push(e));
  return { clock, endpoint, broker, log, registry, rotated, failed, recovered };
}

describe('tokenDeadlines', () => {
  it('keeps the configured buffer and refreshes at 80–90 % for long tokens', () => {
    const d = tokenDeadlines(86_400_000, 15_000, () => 0.5);
    expect(d.hardBufferMs).toBe(15_000);
    expect(d.softAfterMs).toBeCloseTo(86_400_000 * 0.85, 0);
  });

  it('still works for a 60 s token with a 15 s buffer: soft refresh leaves time before the hard deadline', () => {
    for (const r of [0, 0.5, 1]) {
      const d = tokenDeadlines(60_000, 15_000, () => r);
      expect(d.hardBufferMs).toBe(15_000);
      expect(d.softAfterMs).toBeLessThanOrEqual(60_000 - 15_000 - 6_000);
      expect(d.softAfterMs).toBeGreaterThan(30_000);
    }
  });

  it('clamps the hard buffer to a quarter of a short lifetime', () => {
    const d = tokenDeadlines(10_000, 15_000, () => 0.5);
    expect(d.hardBufferMs).toBe(2_500);
    expect(d.softAfterMs).toBeLessThan(10_000 - 2_500);
    expect(d.softAfterMs).toBeGreaterThan(0);
  });
});

describe('TokenBroker', () => {
  let t: ReturnType<typeof setup>;
  beforeEach(() => {
    t = setup();
  });

  it('makes every concurrent caller wait on one single refresh when no token exists', async () => {
    t.endpoint.latencyMs = 100;
    const callers = Promise.all(Array.from({ length: 200 }, () => t.broker.token()));
    await t.clock.advance(200);
    const tokens = await callers;
    expect(new Set(tokens.map((x) => x.value))).toEqual(new Set(['token-1']));
    expect(t.endpoint.requests).toBe(1);
  });

  it('serves the still-valid old token while the background refresh runs', async () => {
    const first = await t.broker.token();
    t.endpoint.latencyMs = 5_000;
    await t.clock.advance(40_000); // past the soft point of a 60 s token
    const during = await t.broker.token();
    expect(during.value).toBe(first.value);
    expect(t.endpoint.requests).toBe(2); // the refresh is in flight
    await t.clock.advance(5_000);
    expect((await t.broker.token()).value).toBe('token-2');
    expect(t.rotated).toHaveLength(2);
  });

  it('refreshes on its own when idle, and stop() leaves no timer behind', async () => {
    t.broker.start();
    await t.clock.advance(1);
    expect(t.endpoint.requests).toBe(1);
    await t.clock.advance(60_000 * 3);
    expect(t.endpoint.requests).toBeGreaterThanOrEqual(4);
    t.broker.stop();
    expect(t.clock.pending).toBe(0);
  });

  it('never hands out a token inside the hard buffer', async () => {
    t.endpoint.lifetimeSec = 60;
    t.broker.start();
    await t.clock.advance(1);
    t.endpoint.failWith = 'transient';
    for (let i = 0; i < 60; i += 1) {
      await t.clock.advance(1_000);
      try {
        const tok = await t.broker.token();
        expect(tok.expiresAtMono - t.clock.monotonic()).toBeGreaterThan(15_000);
      } catch (err) {
        expect(err).toBeInstanceOf(CredentialsUnavailableError);
      }
    }
  });

  it('verifies a new token before promoting it, serving the old one through the propagation lag', async () => {
    t.endpoint.lagMs = 500;
    const seen: string[] = [];
    t.broker.start();
    await t.clock.advance(1_000);
    expect((await t.broker.token()).verified).toBe(true);
    await t.clock.advance(35_000); // soft point: 39 s minus twice the propagation seen (750 ms) → 37.5 s
    for (let i = 0; i < 80; i += 1) {
      seen.push((await t.broker.token()).value);
      await t.clock.advance(50);
    }
    expect(seen[0]).toBe('token-1');
    expect(seen.at(-1)).toBe('token-2');
    const second = t.rotated[1]!;
    expect(second.verified).toBe(true);
    expect(second.propagationMs).toBeGreaterThanOrEqual(500);
    expect(t.endpoint.requests).toBe(2);
  });

  it('when the lag outlasts the old token, callers wait for the verified token instead of getting one the upstream refuses', async () => {
    t.endpoint.lifetimeSec = 8; // hard buffer 2 s, soft refresh about 5 s in
    t.broker.start();
    await t.clock.advance(1);
    t.endpoint.lagMs = 4_000; // the next token is accepted only after the old one's hard deadline
    await t.clock.advance(5_500);
    expect(t.endpoint.requests).toBe(2);
    await t.clock.advance(1_000); // past token-1's hard deadline (6 s), token-2 not yet accepted
    const waiting = t.broker.token().then((tok) => ({ tok, at: t.clock.monotonic(), requests: t.endpoint.requests }));
    await t.clock.advance(5_000);
    const { tok, at, requests } = await waiting;
    expect(tok.value).toBe('token-2');
    expect(tok.verified).toBe(true);
    expect(at).toBeGreaterThanOrEqual(5_100 + 4_000); // it waited out the lag, not for a third token
    expect(requests).toBe(2);
  });

  it('records the authorized scopes and fails clearly when required ones are missing', async () => {
    const s = setup({ requiredScopes: ['telephony:readonly', 'analytics'] });
    await expect(s.broker.token()).rejects.toThrow(/lacks the scopes analytics \(GENESYS_REQUIRED_SCOPES\)/);
    expect(s.failed[0]).toMatchObject({ permanent: true, upstream: 'genesys' });
    expect(s.broker.snapshot()).toMatchObject({ state: 'failed', lastError: expect.stringContaining('analytics') });
    const ok = setup({ requiredScopes: ['notifications'] });
    expect((await ok.broker.token()).scopes).toEqual(['telephony:readonly', 'notifications']);
  });

  it('does not judge required scopes when Genesys lists none for the token (client credentials may carry none), and says so', async () => {
    const s = setup({ requiredScopes: ['telephony:readonly'] });
    s.endpoint.scopes = [];
    const token = await s.broker.token();
    expect(token).toMatchObject({ verified: true, scopes: [] });
    expect(s.failed).toEqual([]);
    expect(s.log.lines().find((l) => l.level === 'warn')).toMatchObject({
      message: expect.stringContaining('GENESYS_REQUIRED_SCOPES not checked'),
      required: ['telephony:readonly'],
    });
  });

  describe('after an upstream refuses a token', () => {
    it('gets one fresh token when the refused one is still current', async () => {
      const first = await t.broker.token();
      const retry = await t.broker.afterRejection(first, 401);
      expect(retry?.value).toBe('token-2');
      expect(t.endpoint.requests).toBe(2);
      const again = await Promise.all([t.broker.afterRejection(first, 401), t.broker.afterRejection(first, 401)]);
      expect(again.map((x) => x?.value)).toEqual(['token-2', 'token-2']);
      expect(t.endpoint.requests).toBe(2);
    });

    it('treats a 403 on a token the upstream already accepted as a permission problem', async () => {
      const first = await t.broker.token();
      t.broker.accepted(first);
      expect(await t.broker.afterRejection(first, 403)).toBeUndefined();
      expect(t.endpoint.requests).toBe(1);
    });

    it('retries a 403 on a just-rotated, never-accepted token with a fresh one', async () => {
      const first = await t.broker.token();
      expect((await t.broker.afterRejection(first, 403))?.value).toBe('token-2');
    });

    it('does not re-auth again when the fresh token is refused too (a missing role, not a rotation race)', async () => {
      await t.broker.token();
      const rotationsBefore = t.rotated.length;
      for (let call = 0; call < 5; call += 1) {
        const token = await t.broker.token();
        await t.broker.afterRejection(token, 403);
      }
      // One re-auth for the first refusal; every later refusal of that fresh token is final.
      expect(t.endpoint.requests).toBe(2);
      expect(t.rotated.length - rotationsBefore).toBe(1);
      const fresh = await t.broker.token();
      expect(await t.broker.afterRejection(fresh, 401)).toBeUndefined();
      expect(t.endpoint.requests).toBe(2);
    });

    it('re-auths again once a re-auth token has been accepted and is later refused (revoked)', async () => {
      const first = await t.broker.token();
      const fresh = (await t.broker.afterRejection(first, 401))!;
      t.broker.accepted(fresh);
      expect((await t.broker.afterRejection(fresh, 401))?.value).toBe('token-3');
    });

    it('when the issuer hands back the refused token (ServiceNow), the refusal is final and the token stays in use', async () => {
      const s = setup({ verify: false });
      s.endpoint.reuseWhileValid = true;
      s.endpoint.lifetimeSec = 1800;
      const token = await s.broker.token();
      expect(await s.broker.afterRejection(token, 403)).toBeUndefined();
      // Nobody waits for the re-issued token to run out: it is still the one to use.
      const next = await Promise.race([s.broker.token(), s.clock.sleep(0).then(() => 'waiting')]);
      expect(next).toMatchObject({ value: token.value, invalidated: false });
      expect(await s.broker.afterRejection(token, 401)).toBeUndefined();
      expect(s.endpoint.requests).toBe(2);
    });
  });

  describe('token endpoint failures', () => {
    it('backs off with jitter on transient failures while the old token is still served, then recovers', async () => {
      await t.broker.token();
      t.broker.start();
      t.endpoint.failWith = 'transient';
      await t.clock.advance(40_000);
      const failedRequests = t.endpoint.requests;
      expect(failedRequests).toBeGreaterThanOrEqual(2);
      expect((await t.broker.token()).value).toBe('token-1');
      expect(t.broker.snapshot()).toMatchObject({ state: 'degraded', lastError: 'token endpoint answered 503' });
      await t.clock.advance(3_000);
      expect(t.endpoint.requests - failedRequests).toBeLessThanOrEqual(3);
      t.endpoint.failWith = undefined;
      await t.clock.advance(3_000);
      expect((await t.broker.token()).value).not.toBe('token-1');
      expect(t.broker.snapshot()).toMatchObject({ state: 'ok', lastError: null });
      // The old token covered the whole outage: nobody was affected, so no failed event (no incident).
      expect(t.failed).toHaveLength(0);
      expect(t.recovered).toHaveLength(0);
    });

    it('announces a transient failure once no usable token is left, and its recovery', async () => {
      await t.broker.token();
      t.broker.start();
      t.endpoint.failWith = 'transient';
      await t.clock.advance(60_000);
      expect(t.failed).toEqual([
        expect.objectContaining({ upstream: 'genesys', permanent: false, message: 'token endpoint answered 503' }),
      ]);
      await expect(t.broker.token()).rejects.toThrow(CredentialsUnavailableError);
      await t.clock.advance(120_000);
      expect(t.failed).toHaveLength(1);
      t.endpoint.failWith = undefined;
      await t.clock.advance(61_000);
      expect((await t.broker.token()).value).not.toBe('token-1');
      expect(t.recovered).toHaveLength(1);
    });

    it('honours Retry-After from a 429', async () => {
      t.endpoint.failWith = { retryAfterMs: 20_000 };
      await expect(t.broker.token()).rejects.toThrow(CredentialsUnavailableError);
      t.endpoint.failWith = undefined;
      await t.clock.advance(19_000);
      expect(t.endpoint.requests).toBe(1);
      await expect(t.broker.token()).rejects.toThrow(/429/);
      await t.clock.advance(1_500);
      expect(t.endpoint.requests).toBe(2);
      expect((await t.broker.token()).value).toBe('token-2');
    });

    it('does not hammer on permanent failures: one ERROR, one failed event, next try in minutes', async () => {
      t.endpoint.failWith = 'permanent';
      const callers = await Promise.allSettled(Array.from({ length: 50 }, () => t.broker.token()));
      expect(callers.every((c) => c.status === 'rejected')).toBe(true);
      expect(t.endpoint.requests).toBe(1);
      await t.clock.advance(4 * 60_000);
      expect(t.endpoint.requests).toBe(1);
      await t.clock.advance(60_000 + 1);
      expect(t.endpoint.requests).toBe(2);
      expect(t.failed.filter((f) => f.permanent)).toHaveLength(2);
      expect(t.log.lines().filter((l) => l.level === 'error')).toHaveLength(1);
      expect(t.broker.snapshot().state).toBe('failed');
    });
  });

  describe('clock skew', () => {
    it("estimates skew from the token response's Date header", async () => {
      t.endpoint.serverSkewMs = 5_000;
      await t.broker.token();
      expect(Math.abs((t.broker.snapshot().skewMs ?? 0) - 5_000)).toBeLessThanOrEqual(1_000);
    });

    it('reports no skew when the clocks agree within the Date header’s one-second resolution, and a behind server as negative', async () => {
      await t.clock.advance(700); // our clock mid-second: the header rounds the server's time down
      await t.broker.token();
      expect(t.broker.snapshot().skewMs).toBe(0);
      const s = setup();
      s.endpoint.serverSkewMs = -4_000;
      await s.broker.token();
      expect(s.broker.snapshot().skewMs).toBeLessThanOrEqual(-3_000);
      expect(s.broker.snapshot().skewMs).toBeGreaterThanOrEqual(-4_000);
    });

    it('takes the earlier expiry when a JWT says less than expires_in', async () => {
      const s = setup({ verify: false });
      const exp = Math.floor((s.clock.now() + 30_000) / 1000);
      const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      s.endpoint.tokenFactory = () => `${b64({ alg: 'HS256' })}.${b64({ exp, sub: 'x' })}.sig`;
      s.endpoint.lifetimeSec = 1800;
      const tok = await s.broker.token();
      expect(tok.lifetimeMs).toBeLessThanOrEqual(31_000);
    });

    it('keeps expiry on the monotonic clock when the wall clock jumps', async () => {
      const tok = await t.broker.token();
      t.clock.skewWall(-3_600_000);
      await t.clock.advance(1_000);
      expect((await t.broker.token()).value).toBe(tok.value);
      expect(tok.expiresAtMono - t.clock.monotonic()).toBe(59_000);
    });
  });

  it('detects the same token handed back (ServiceNow) without a refresh loop', async () => {
    const s = setup({ verify: false });
    s.endpoint.reuseWhileValid = true;
    s.endpoint.lifetimeSec = 1800;
    s.broker.start();
    await s.clock.advance(1);
    await s.clock.advance(1800_000 * 2);
    // one grant per lifetime, plus the re-asks that returned the same token: bounded, no loop
    expect(s.endpoint.requests).toBeLessThanOrEqual(6);
    expect(s.rotated.length).toBeGreaterThanOrEqual(2);
    expect(new Set(s.rotated.map((r) => r.at)).size).toBe(s.rotated.length);
  });

  it('exposes metrics without the token', async () => {
    await t.broker.token();
    const text = await t.registry.metrics();
    expect(text).toMatch(/trunkgate_token_refreshes_total\{upstream="genesys",outcome="success"\} 1/);
    expect(text).toMatch(/trunkgate_token_expiry_seconds\{upstream="genesys"\} 60/);
    expect(text).not.toContain('token-1');
    expect(JSON.stringify(t.broker.snapshot())).not.toContain('token-1');
  });
});
