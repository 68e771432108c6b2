import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { CredentialsMetrics } from '../../src/credentials/credentials-metrics.js';
import { RateLimitedError } from '../../src/errors/app-error.js';
import { AlertMetrics } from '../../src/alerts/alert-metrics.js';
import { IncidentMetrics } from '../../src/incidents/incident-metrics.js';
import { TrunkStateMetrics } from '../../src/trunks/trunk-metrics.js';
import { collectProcessMetrics } from '../../src/meta/process-metrics.js';
import type { TrunkRow } from '../../src/trunks/trunk-store.js';
import { ManualClock } from '../../src/time/manual-clock.js';
import { UpstreamCaller } from '../../src/upstream/upstream-caller.js';
import { UpstreamMetrics } from '../../src/upstream/upstream-metrics.js';
import type { UpstreamPacer } from '../../src/upstream/upstream-pacer.js';
import { scriptedHttp, staticCredentials } from '../support/fake-upstream.js';
import { trunkRow } from '../store/store-contract.js';

/** One sample's value; a histogram's `_count` is found in its family. */
async function value(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const family = name.replace(/_count$/, '');
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name || m.name === family);
  const samples = (metric?.values ?? []) as Array<{ value: number; labels: Record<string, unknown>; metricName?: string }>;
  return samples.find((v) => (v.metricName ?? metric!.name) === name && Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value;
}

describe('process metrics', () => {
  it("leave out prom-client's three gauges named like counters, and keep their labelled siblings", async () => {
    const registry = new Registry();
    collectProcessMetrics(registry);
    const text = await registry.metrics();
    for (const name of ['handles', 'requests', 'resources']) expect(text).not.toContain(`trunkgate_nodejs_active_${name}_total`);
    expect(text).toContain('# TYPE trunkgate_nodejs_active_handles gauge');
    expect(text).toContain('# TYPE trunkgate_process_cpu_seconds_total counter');
    expect(text).toContain('# TYPE trunkgate_nodejs_eventloop_lag_p99_seconds gauge');
  });
});

describe('trunkgate_trunks{state}', () => {
  const trunks = [
    trunkRow({ trunkId: 'a', state: 'registered' }),
    trunkRow({ trunkId: 'b', state: 'rejected' }),
    trunkRow({ trunkId: 'c', state: 'rejected' }),
    trunkRow({ trunkId: 'd', state: 'connected' }),
    trunkRow({ trunkId: 'e', state: 'unknown', goneAt: 1 }),
  ];

  it('counts the listed trunks by state, every state reported, gone trunks left out', async () => {
    const registry = new Registry();
    new TrunkStateMetrics(registry, async () => trunks);
    const text = await registry.metrics();
    expect(text.split('\n').filter((l) => l.startsWith('trunkgate_trunks{'))).toEqual([
      'trunkgate_trunks{state="registered"} 1',
      'trunkgate_trunks{state="connected"} 1',
      'trunkgate_trunks{state="rejected"} 2',
      'trunkgate_trunks{state="dropped"} 0',
      'trunkgate_trunks{state="unknown"} 0',
    ]);
  });

  it('reads the store once for overlapping scrapes, again for the next, and keeps the last figures when it cannot', async () => {
    const registry = new Registry();
    let reads = 0;
    let failing = false;
    new TrunkStateMetrics(registry, async () => {
      reads++;
      await new Promise((r) => setTimeout(r, 5));
      if (failing) throw new Error('store unreachable');
      return trunks;
    });
    await Promise.all([registry.metrics(), registry.metrics()]);
    expect(reads).toBe(1);
    failing = true;
    expect(await value(registry, 'trunkgate_trunks', { state: 'rejected' })).toBe(2);
    expect(reads).toBe(2);
  });

  it('follows the store from one scrape to the next', async () => {
    const registry = new Registry();
    let rows: TrunkRow[] = [trunkRow({ trunkId: 'a', state: 'registered' })];
    new TrunkStateMetrics(registry, async () => rows);
    expect(await value(registry, 'trunkgate_trunks', { state: 'dropped' })).toBe(0);
    rows = [trunkRow({ trunkId: 'a', state: 'dropped' })];
    expect(await value(registry, 'trunkgate_trunks', { state: 'dropped' })).toBe(1);
    expect(await value(registry, 'trunkgate_trunks', { state: 'registered' })).toBe(0);
  });
});

describe('the pacing queue', () => {
  /** A pacer that holds each call until the test settles it. */
  function heldPacer() {
    const held: Array<{ grant(): void; refuse(): void }> = [];
    const pacer: UpstreamPacer = {
      acquire: () =>
        new Promise<void>((resolve, reject) => {
          held.push({ grant: () => resolve(), refuse: () => reject(new RateLimitedError('no slot before the deadline', 1)) });
        }),
      observe: () => undefined,
      describe: () => ({}),
      close: async () => undefined,
    };
    return { pacer, held };
  }

  function caller(pacer: UpstreamPacer, registry: Registry) {
    const { http } = scriptedHttp([
      { status: 200, data: { result: [] } },
      { status: 200, data: { result: [] } },
    ]);
    const metrics = new UpstreamMetrics(registry, ['genesys', 'servicenow']);
    return new UpstreamCaller({
      upstream: 'servicenow',
      http,
      credentials: staticCredentials,
      pacer,
      clock: new ManualClock(),
      defaultTimeoutMs: 10_000,
      backoffMs: [],
      metrics,
    });
  }
  const read = { operation: 'GET incident', method: 'GET' as const, path: '/api/now/table/incident' };

  it('counts calls waiting for a slot, how long they waited, and those refused; every upstream starts at 0', async () => {
    const registry = new Registry();
    const { pacer, held } = heldPacer();
    const c = caller(pacer, registry);
    expect(await value(registry, 'trunkgate_pacing_waiting_calls', { upstream: 'genesys' })).toBe(0);
    expect(await value(registry, 'trunkgate_pacing_refused_total', { upstream: 'genesys' })).toBe(0);
    const first = c.call(read);
    const second = c.call(read).catch((e: unknown) => e);
    await new Promise((r) => setImmediate(r));
    expect(await value(registry, 'trunkgate_pacing_waiting_calls', { upstream: 'servicenow' })).toBe(2);
    held[0]!.grant();
    expect((await first).status).toBe(200);
    expect(await value(registry, 'trunkgate_pacing_waiting_calls', { upstream: 'servicenow' })).toBe(1);
    held[1]!.refuse();
    expect(await second).toMatchObject({ code: 'rate_limited' });
    expect(await value(registry, 'trunkgate_pacing_waiting_calls', { upstream: 'servicenow' })).toBe(0);
    expect(await value(registry, 'trunkgate_pacing_refused_total', { upstream: 'servicenow' })).toBe(1);
    expect(await value(registry, 'trunkgate_pacing_wait_seconds_count', { upstream: 'servicenow' })).toBe(2);
  });

  it('does not count a call that finds a free slot at once', async () => {
    const registry = new Registry();
    const c = caller({ acquire: () => undefined, observe: () => undefined, describe: () => ({}), close: async () => undefined }, registry);
    await c.call(read);
    expect(await value(registry, 'trunkgate_pacing_wait_seconds_count', { upstream: 'servicenow' })).toBe(0);
    expect(await value(registry, 'trunkgate_upstream_request_duration_seconds_count', { upstream: 'servicenow', outcome: '2xx' })).toBe(1);
  });
});

describe('counters the alert rules read start at 0', () => {
  it('incidents, deliveries and helpdesk messages: every label value from the start', async () => {
    const registry = new Registry();
    new IncidentMetrics(registry, async () => 0);
    new AlertMetrics(registry);
    expect(await value(registry, 'trunkgate_helpdesk_alerts_total', { type: 'raised', outcome: 'failed' })).toBe(0);
    expect(await value(registry, 'trunkgate_servicenow_deliveries_total', { operation: 'create', outcome: 'delivered' })).toBe(0);
    expect(await value(registry, 'trunkgate_incidents_opened_total', { kind: 'credentials_failed' })).toBe(0);
    const deliveries = (await registry.getMetricsAsJSON()).find((m) => m.name === 'trunkgate_servicenow_deliveries_total')!;
    expect(deliveries.values).toHaveLength(16); // 4 operations × 4 outcomes
  });

  it("token refreshes: each tracked upstream's outcomes", async () => {
    const registry = new Registry();
    new CredentialsMetrics(registry).trackExpiry('genesys', () => undefined);
    for (const outcome of ['success', 'adopted', 'transient_error', 'permanent_error'])
      expect(await value(registry, 'trunkgate_token_refreshes_total', { upstream: 'genesys', outcome })).toBe(0);
    expect(await value(registry, 'trunkgate_token_refreshes_total', { upstream: 'servicenow', outcome: 'success' })).toBeUndefined();
  });
});
