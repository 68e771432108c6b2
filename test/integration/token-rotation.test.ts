import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type TrunkgateApp } from '../../src/app/create-app.js';
import { defaultTrunkIds } from '../../src/sim/genesys/index.js';
import type { Simulators } from '../../src/sim/start-simulators.js';
import { startTestSims } from '../support/sims.js';
import { memoryLogger, testConfig } from '../support/test-config.js';

/** `callers` loops calling Genesys through trunkgate's own client (broker, pacer) until `rotations` new tokens were promoted. */
async function driveTraffic(app: TrunkgateApp, options: { callers: number; rotations: number; pauseMs: number; timeoutMs: number }) {
  const client = app.upstream.genesys.client;
  let rotations = 0;
  app.credentials.genesys.on('rotated', () => {
    rotations += 1;
  });
  const errors: string[] = [];
  let calls = 0;
  const deadline = Date.now() + options.timeoutMs;
  const done = () => rotations >= options.rotations || Date.now() > deadline;
  await Promise.all(
    Array.from({ length: options.callers }, async (_, i) => {
      while (!done()) {
        try {
          await client.getTrunk(defaultTrunkIds.lumenPrimary);
          calls += 1;
        } catch (err) {
          errors.push(`${i}: ${(err as Error).message}`);
        }
        await new Promise((r) => setTimeout(r, options.pauseMs));
      }
    }),
  );
  return { rotations, errors, calls };
}

describe('token rotation under load (Genesys simulator)', () => {
  let app: TrunkgateApp | undefined;
  let sims: Simulators | undefined;
  afterEach(async () => {
    await app?.close();
    await sims?.close();
  });

  it('3 s tokens, 500 ms propagation lag, 200 callers, 10 rotations: no caller error, one token request per rotation, no expired token used', async () => {
    const started = await startTestSims({ genesys: { tokenLifetimeSec: 3, propagationLagMs: 500, rateLimitPerMinute: 1_000_000 } });
    sims = started.sims;
    app = await createApp(testConfig(started.env), { logger: memoryLogger('warn').logger, processMetrics: false });
    await app.listen(0, '127.0.0.1');
    // 400 ms between calls per caller (≈ 400 calls/s): the callers, trunkgate's broker and the simulator share
    // one test process, and at 100 ms it saturates: requests queue for seconds and outlive a 3 s token
    // whatever the broker does (measured: p99 1.6 s, max 3.3 s). The rotation bench runs the real rate.
    const result = await driveTraffic(app, { callers: 200, rotations: 11, pauseMs: 400, timeoutMs: 60_000 });
    const stats = sims.genesys.stats();
    expect(result.errors).toEqual([]);
    expect(result.rotations).toBeGreaterThanOrEqual(11); // the first token, then 10 rotations
    expect(Math.abs(stats.tokenRequests - result.rotations)).toBeLessThanOrEqual(1);
    expect(stats.callsWithExpiredToken).toBe(0);
    expect(stats.byRoute['GET /api/v2/telephony/providers/edges/trunks/{trunkId}']).toBe(result.calls);
    // No caller request was ever refused and retried: unpropagated tokens only ever met the verifier.
    expect(await app.registry.metrics()).not.toMatch(/trunkgate_token_reauth_retries_total\{[^}]*\} [1-9]/);
    expect(stats.callsWithUnpropagatedToken).toBeGreaterThan(0);
    expect(result.calls).toBeGreaterThan(500);
  }, 90_000);

  it('the token endpoint failing for a while and recovering: callers see no error while the old token lasts', async () => {
    const started = await startTestSims({ genesys: { tokenLifetimeSec: 20, rateLimitPerMinute: 1_000_000 } });
    sims = started.sims;
    app = await createApp(testConfig({ ...started.env, TOKEN_REFRESH_BUFFER_MS: '2000' }), {
      logger: memoryLogger('warn').logger,
      processMetrics: false,
    });
    await app.listen(0, '127.0.0.1');
    await app.credentials.genesys.authorize();
    // Down for 16.5 s: the soft refresh (15.6–16 s into a 20 s token) fails and backs off; the old token
    // (hard deadline at 18 s) keeps serving; the endpoint is back before that.
    sims.genesys.control.setTokenEndpointFault({ mode: 'down', forMs: 16_500 });
    const result = await driveTraffic(app, { callers: 20, rotations: 1, pauseMs: 50, timeoutMs: 30_000 });
    expect(result.errors).toEqual([]);
    expect(result.rotations).toBe(1);
    const snapshot = app.credentials.genesys.snapshot();
    expect(snapshot.failureCount).toBeGreaterThanOrEqual(1);
    expect(snapshot.state).toBe('ok');
    expect(sims.genesys.stats().callsWithExpiredToken).toBe(0);
  }, 60_000);
});
