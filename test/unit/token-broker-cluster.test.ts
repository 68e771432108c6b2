import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { CredentialsMetrics } from '../../src/credentials/credentials-metrics.js';
import { TokenBroker } from '../../src/credentials/token-broker.js';
import type { HeldToken } from '../../src/credentials/token-types.js';
import { ManualClock } from '../../src/time/manual-clock.js';
import { FakeSharedTokenStore } from '../support/fake-shared-token-store.js';
import { FakeTokenEndpoint } from '../support/fake-token-endpoint.js';
import { memoryLogger } from '../support/test-config.js';

/** A small seeded PRNG so each replica jitters differently but reproducibly. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function cluster(options: { replicas: number; randoms?: Array<() => number> }) {
  const clock = new ManualClock();
  const endpoint = new FakeTokenEndpoint(clock);
  const store = new FakeSharedTokenStore(clock);
  const log = memoryLogger();
  const registries: Registry[] = [];
  const brokers = Array.from({ length: options.replicas }, (_, i) => {
    const registry = new Registry();
    registries.push(registry);
    return new TokenBroker({
      upstream: 'genesys',
      issuer: endpoint,
      verifier: endpoint,
      store,
      clock,
      logger: log.logger.child({ replica: i }),
      metrics: new CredentialsMetrics(registry),
      bufferMs: 15_000,
      random: options.randoms?.[i] ?? seeded(i + 1),
    });
  });
  return { clock, endpoint, store, log, brokers, registries };
}

const usableLeft = (t: HeldToken, clock: ManualClock) => t.expiresAtMono - clock.monotonic() - t.hardBufferMs;

describe('TokenBroker across replicas (shared token store)', () => {
  it('3 replicas, 10 rotations: one token request per rotation, every caller served a usable token', async () => {
    const c = cluster({ replicas: 3 });
    c.endpoint.lagMs = 500;
    for (const b of c.brokers) b.start();
    const seen = new Set<string>();
    let served = 0;
    // 10.5 lifetimes of a 60 s token, every replica asked every second.
    for (let step = 0; step < 630; step += 1) {
      await c.clock.advance(1_000);
      for (const b of c.brokers) {
        const t = await b.token();
        expect(usableLeft(t, c.clock)).toBeGreaterThan(0);
        expect(t.verified).toBe(true);
        seen.add(t.value);
        served += 1;
      }
    }
    expect(served).toBe(3 * 630);
    // A 60 s token with a 15 s buffer is refreshed 37.8–39 s into its life: 16–17 tokens in 630 s.
    expect(seen.size).toBeGreaterThanOrEqual(16);
    expect(seen.size).toBeLessThanOrEqual(17);
    expect(c.endpoint.requests - seen.size).toBeLessThanOrEqual(1);
    // Every replica took part: each one adopted tokens that another fetched.
    for (const r of c.registries)
      expect(await r.metrics()).toMatch(/trunkgate_token_refreshes_total\{upstream="genesys",outcome="adopted"\} [1-9]/);
    for (const b of c.brokers) b.stop();
  });

  it('when its soft refresh fires, a replica adopts the newer token another replica stored, without a token request', async () => {
    const c = cluster({ replicas: 2, randoms: [() => 0, () => 0.99] });
    c.endpoint.lifetimeSec = 600; // long enough for the 80–90 % jitter to apply: A at 480 s, B at about 534 s
    const [a, b] = c.brokers as [TokenBroker, TokenBroker];
    a.start();
    await c.clock.advance(1);
    b.start();
    await c.clock.advance(1);
    expect((await b.token()).value).toBe('token-1');
    expect(c.endpoint.requests).toBe(1);
    await c.clock.advance(490_000);
    expect(c.endpoint.requests).toBe(2);
    expect((await a.token()).value).toBe('token-2');
    expect((await b.token()).value).toBe('token-1');
    await c.clock.advance(50_000);
    expect((await b.token()).value).toBe('token-2');
    expect(c.endpoint.requests).toBe(2);
    expect(b.snapshot().refreshCount).toBe(2);
    a.stop();
    b.stop();
  });

  it('a replica that gets the lock just after another shared a token and released it adopts that token instead of fetching', async () => {
    const c = cluster({ replicas: 1, randoms: [() => 0] });
    const broker = c.brokers[0]!;
    broker.start();
    await c.clock.advance(1);
    expect(c.endpoint.requests).toBe(1);
    c.store.beforeNextLock = async () => {
      const now = c.clock.now();
      await c.store.write('genesys', {
        value: 'token-from-another-replica',
        obtainedAtWall: now,
        expiresAtWall: now + 60_000,
        lifetimeMs: 60_000,
        verified: true,
        scopes: [],
      });
    };
    await c.clock.advance(40_000); // past the soft point: read (nothing newer), then lock
    expect((await broker.token()).value).toBe('token-from-another-replica');
    expect(c.endpoint.requests).toBe(1);
    broker.stop();
  });

  it('replicas refreshing at the same moment: one holds the lock and fetches, the others wait and adopt its token', async () => {
    const c = cluster({ replicas: 3 });
    c.endpoint.latencyMs = 1_000;
    c.endpoint.lagMs = 800;
    const callers = c.brokers.flatMap((b) => Array.from({ length: 5 }, () => b.token()));
    await c.clock.advance(3_000);
    const tokens = await Promise.all(callers);
    expect(new Set(tokens.map((t) => t.value))).toEqual(new Set(['token-1']));
    expect(c.endpoint.requests).toBe(1);
    expect(c.store.locksContended).toBeGreaterThanOrEqual(2);
  });

  it('when the store is unreachable (read, lock and write fail), each replica refreshes on its own and no caller fails', async () => {
    const c = cluster({ replicas: 2 });
    for (const op of ['read', 'lock', 'write'] as const) c.store.failing.add(op);
    const [a, b] = c.brokers as [TokenBroker, TokenBroker];
    const tokens = await Promise.all([a.token(), b.token(), a.token()]);
    expect(tokens.map((t) => t.value).sort()).toEqual(['token-1', 'token-1', 'token-2']);
    expect(c.endpoint.requests).toBe(2);
    expect(a.snapshot()).toMatchObject({ state: 'ok', failureCount: 0 });
    const warnings = c.log
      .lines()
      .filter((l) => l.level === 'warn')
      .map((l) => l.message);
    expect(warnings).toEqual(
      expect.arrayContaining([
        'token store unreachable; refreshing on our own',
        'refresh lock unavailable; refreshing on our own',
        'could not share the new token',
      ]),
    );
    expect(c.log.text()).not.toContain('token-1');
  });

  it('when only the lock call fails, the replica refreshes locally and still shares the token it got', async () => {
    const c = cluster({ replicas: 2 });
    c.store.failing.add('lock');
    const [a, b] = c.brokers as [TokenBroker, TokenBroker];
    expect((await a.token()).value).toBe('token-1');
    expect(c.store.stored('genesys')?.value).toBe('token-1');
    expect((await b.token()).value).toBe('token-1');
    expect(c.endpoint.requests).toBe(1);
  });

  it('a token endpoint failure inside the lock is reported once, not retried outside the lock', async () => {
    const c = cluster({ replicas: 1 });
    c.endpoint.failWith = 'transient';
    await expect(c.brokers[0]!.token()).rejects.toThrow(/503/);
    expect(c.endpoint.requests).toBe(1);
    expect(c.store.locksAcquired).toBe(1);
  });

  it('a lock held by a replica that died mid-refresh: a replica without a token waits as long as a healthy refresh may take, then fetches its own', async () => {
    const c = cluster({ replicas: 1 });
    c.store.holdLock('genesys', 30_000);
    let got: { value: string; at: number } | undefined;
    void c.brokers[0]!.token().then((t) => (got = { value: t.value, at: c.clock.monotonic() }));
    await c.clock.advance(9_000);
    expect(got).toBeUndefined();
    expect(c.endpoint.requests).toBe(0);
    await c.clock.advance(2_000);
    expect(got).toMatchObject({ value: 'token-1' });
    expect(got!.at).toBeGreaterThanOrEqual(10_000);
    expect(
      c.log.lines().some((l) => l.message === 'another replica holds the refresh lock without sharing a token; refreshing on our own'),
    ).toBe(true);
  });

  it('a lock held by a dead replica during a soft refresh: the old token keeps serving and the new one is fetched before its hard deadline', async () => {
    const c = cluster({ replicas: 1, randoms: [() => 0] });
    const broker = c.brokers[0]!;
    broker.start();
    await c.clock.advance(1);
    c.store.holdLock('genesys', 30_000);
    await c.clock.advance(48_500); // soft point at 48 s; the lock holder never shares a token
    for (let i = 0; i < 40; i += 1) {
      const t = await broker.token();
      expect(usableLeft(t, c.clock)).toBeGreaterThan(0);
      await c.clock.advance(250);
    }
    expect((await broker.token()).value).toBe('token-2');
    expect(c.endpoint.requests).toBe(2);
    broker.stop();
  });
});
