import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { type LeadershipEvent, SoloLeaderLease } from '../../src/cluster/leader-lease.js';
import { LeaseMetrics } from '../../src/cluster/lease-metrics.js';
import { leaseTtlForPollInterval, StoreLeaderLease } from '../../src/cluster/store-leader-lease.js';
import { ManualClock } from '../../src/time/manual-clock.js';
import { MemoryLeaseBackend, type MemoryLeaseClient } from '../support/memory-lease-store.js';
import { memoryLogger } from '../support/test-config.js';

const POLL_MS = 30_000;

function replicas(count: number, options: { metrics?: boolean } = {}) {
  const clock = new ManualClock();
  const backend = new MemoryLeaseBackend(clock);
  const log = memoryLogger();
  const registry = new Registry();
  const metrics = options.metrics ? new LeaseMetrics(registry) : undefined;
  const members = Array.from({ length: count }, (_, i) => {
    const client = backend.client();
    const lease = new StoreLeaderLease({
      store: client,
      owner: `replica-${i}`,
      ttlMs: leaseTtlForPollInterval(POLL_MS),
      clock,
      logger: log.logger,
      metrics: i === 0 ? metrics : undefined,
    });
    const events: Array<{ type: 'elected' | 'revoked'; at: number; reason: string }> = [];
    lease.on('elected', (e: LeadershipEvent) => events.push({ type: 'elected', at: clock.monotonic(), reason: e.reason }));
    lease.on('revoked', (e: LeadershipEvent) => events.push({ type: 'revoked', at: clock.monotonic(), reason: e.reason }));
    return { lease, client: client as MemoryLeaseClient, events };
  });
  return { clock, backend, log, registry, members };
}

/** Advances in small steps, failing if two replicas ever lead at once; returns when `until` holds. */
async function advanceUntil(t: ReturnType<typeof replicas>, until: () => boolean, maxMs: number): Promise<number> {
  const started = t.clock.monotonic();
  while (!until()) {
    if (t.clock.monotonic() - started > maxMs) throw new Error(`condition not met within ${maxMs} ms`);
    await t.clock.advance(100);
    expect(t.members.filter((m) => m.lease.isLeader).length).toBeLessThanOrEqual(1);
  }
  return t.clock.monotonic() - started;
}

describe('StoreLeaderLease', () => {
  it('one replica is elected, the others follow; the leader keeps the lease by renewing it', async () => {
    const t = replicas(3);
    for (const m of t.members) m.lease.start();
    await t.clock.advance(1);
    const [a, b, c] = t.members;
    expect([a!.lease.isLeader, b!.lease.isLeader, c!.lease.isLeader]).toEqual([true, false, false]);
    await t.clock.advance(10 * POLL_MS);
    expect(a!.lease.isLeader).toBe(true);
    expect(a!.events).toEqual([{ type: 'elected', at: 0, reason: 'acquired the lease' }]);
    expect(b!.events).toEqual([]);
    expect(a!.lease.snapshot()).toMatchObject({
      lease: 'trunk-monitor',
      owner: 'replica-0',
      isLeader: true,
      since: expect.any(String),
      lastError: null,
    });
    expect(b!.lease.snapshot()).toMatchObject({ isLeader: false, since: null });
  });

  it('the TTL is one poll interval and a killed leader (no release) is replaced within two poll intervals, wherever in its renewal cycle it dies', async () => {
    expect(leaseTtlForPollInterval(30_000)).toBe(30_000);
    let worst = 0;
    // Where in the leader's renewal cycle it dies, and how the follower's attempts are offset from it.
    for (const [phase, followerOffset] of [0, 2_500, 5_000, 7_500, 9_900].flatMap((p) => [1, 4_000, 9_000].map((o) => [p, o] as const))) {
      const t = replicas(2);
      const [a, b] = t.members as [ReturnType<typeof replicas>['members'][0], ReturnType<typeof replicas>['members'][0]];
      a.lease.start();
      await t.clock.advance(followerOffset);
      b.lease.start();
      await t.clock.advance(3 * 10_000 - followerOffset + phase); // a few renewals, then `phase` ms after the last one
      expect(a.lease.isLeader).toBe(true);
      a.client.mode = 'dead'; // kill -9: nothing it sends arrives, nothing is released
      const takeover = await advanceUntil(t, () => b.lease.isLeader, 3 * POLL_MS);
      worst = Math.max(worst, takeover);
      expect(takeover).toBeLessThanOrEqual(2 * POLL_MS);
      expect(b.events.map((e) => e.type)).toEqual(['elected']);
    }
    expect(worst).toBeGreaterThan(POLL_MS); // the bound is not met by accident: the key had to expire first
  });

  it('a leader that cannot reach the store steps down at its lease deadline, before a follower can take the lease', async () => {
    const t = replicas(2);
    const [a, b] = t.members as [ReturnType<typeof replicas>['members'][0], ReturnType<typeof replicas>['members'][0]];
    a.lease.start();
    await t.clock.advance(1);
    b.lease.start();
    await t.clock.advance(15_000);
    a.client.mode = 'unreachable';
    await advanceUntil(t, () => b.lease.isLeader, 3 * POLL_MS);
    const revoked = a.events.find((e) => e.type === 'revoked')!;
    const elected = b.events.find((e) => e.type === 'elected')!;
    expect(revoked.reason).toBe('could not renew the lease before it expired');
    expect(revoked.at).toBeLessThanOrEqual(elected.at);
    expect(revoked.at).toBe(10_000 + POLL_MS); // the TTL counted from the last renewal that got through
    expect(a.lease.snapshot().lastError).toContain('ECONNREFUSED');
    expect(
      t.log.lines().filter((l) => l.message === 'cannot renew the lease; stepping down at its deadline unless Redis answers'),
    ).toHaveLength(1);
    // Back again: the old leader follows.
    a.client.mode = 'ok';
    await t.clock.advance(3 * POLL_MS);
    expect(a.lease.isLeader).toBe(false);
    expect(b.lease.isLeader).toBe(true);
    expect(a.lease.snapshot().lastError).toBeNull();
  });

  it('a brief store outage shorter than the TTL costs nothing: the leader renews once it is back', async () => {
    const t = replicas(2);
    const [a, b] = t.members;
    a!.lease.start();
    b!.lease.start();
    await t.clock.advance(10_001);
    a!.client.mode = 'unreachable';
    await t.clock.advance(15_000);
    a!.client.mode = 'ok';
    await t.clock.advance(3 * POLL_MS);
    expect(a!.lease.isLeader).toBe(true);
    expect(a!.events.map((e) => e.type)).toEqual(['elected']);
  });

  it('steps down at once when a renewal finds the lease is no longer its own', async () => {
    const t = replicas(1);
    const a = t.members[0]!;
    a.lease.start();
    await t.clock.advance(1);
    t.backend.held = { owner: 'someone-else', untilMono: t.clock.monotonic() + POLL_MS };
    expect(a.lease.isLeader).toBe(true);
    await t.clock.advance(10_000);
    expect(a.lease.isLeader).toBe(false);
    expect(a.events.at(-1)).toMatchObject({
      type: 'revoked',
      reason: 'the lease is no longer ours (it expired or another replica took it)',
      at: 10_000,
    });
  });

  it('stop() gives the lease up so a follower takes over at its next attempt, not after the TTL', async () => {
    const t = replicas(2);
    const [a, b] = t.members as [ReturnType<typeof replicas>['members'][0], ReturnType<typeof replicas>['members'][0]];
    a.lease.start();
    await t.clock.advance(1);
    b.lease.start();
    await t.clock.advance(5_000);
    await a.lease.stop();
    expect(a.events.map((e) => e.type)).toEqual(['elected', 'revoked']);
    expect(a.events[1]!.reason).toBe('stopped');
    expect(t.backend.holderNow()).toBeUndefined();
    const takeover = await advanceUntil(t, () => b.lease.isLeader, POLL_MS);
    expect(takeover).toBeLessThanOrEqual(POLL_MS / 3);
    await b.lease.stop();
    expect(t.clock.pending).toBe(0);
  });

  it('stop() while an acquire is in flight releases what it got and announces nothing', async () => {
    const t = replicas(1);
    const a = t.members[0]!;
    a.lease.start(); // the acquire is pending until the microtasks run
    await a.lease.stop();
    expect(a.events).toEqual([]);
    expect(t.backend.holderNow()).toBeUndefined();
  });

  it('exports leadership as metrics', async () => {
    const t = replicas(2, { metrics: true });
    const [a, b] = t.members;
    a!.lease.start();
    await t.clock.advance(1);
    b!.lease.start();
    expect(await t.registry.metrics()).toMatch(/trunkgate_leader\{lease="trunk-monitor"\} 1/);
    await a!.lease.stop();
    const text = await t.registry.metrics();
    expect(text).toMatch(/trunkgate_leader\{lease="trunk-monitor"\} 0/);
    expect(text).toMatch(/trunkgate_leadership_changes_total\{lease="trunk-monitor",event="elected"\} 1/);
    expect(text).toMatch(/trunkgate_leadership_changes_total\{lease="trunk-monitor",event="revoked"\} 1/);
    await b!.lease.stop();
  });
});

describe('SoloLeaderLease', () => {
  it('is the leader from start() to stop()', async () => {
    const solo = new SoloLeaderLease('trunk-monitor', () => 1_000);
    const events: string[] = [];
    solo.on('elected', (e) => events.push(`elected: ${e.reason}`));
    solo.on('revoked', (e) => events.push(`revoked: ${e.reason}`));
    expect(solo.isLeader).toBe(false);
    solo.start();
    solo.start();
    expect(solo.isLeader).toBe(true);
    expect(solo.snapshot()).toEqual({
      lease: 'trunk-monitor',
      owner: 'solo',
      isLeader: true,
      since: new Date(1_000).toISOString(),
      lastError: null,
    });
    await solo.stop();
    expect(solo.isLeader).toBe(false);
    expect(events).toEqual(['elected: single replica (no REDIS_URL)', 'revoked: stopped']);
  });

  it('reports leadership like a Redis lease, so a lone replica shows trunkgate_leader 1 while it runs', async () => {
    const registry = new Registry();
    const solo = new SoloLeaderLease('trunk-monitor', () => 1_000, new LeaseMetrics(registry));
    expect(await registry.metrics()).toMatch(/^trunkgate_leader\{lease="trunk-monitor"\} 0$/m);
    solo.start();
    expect(await registry.metrics()).toMatch(/^trunkgate_leader\{lease="trunk-monitor"\} 1$/m);
    await solo.stop();
    const text = await registry.metrics();
    expect(text).toMatch(/^trunkgate_leader\{lease="trunk-monitor"\} 0$/m);
    expect(text).toMatch(/^trunkgate_leadership_changes_total\{lease="trunk-monitor",event="elected"\} 1$/m);
    expect(text).toMatch(/^trunkgate_leadership_changes_total\{lease="trunk-monitor",event="revoked"\} 1$/m);
  });
});
