import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { UpstreamError, UpstreamTimeoutError, UpstreamUnavailableError } from '../../src/errors/app-error.js';
import { IncidentMetrics } from '../../src/incidents/incident-metrics.js';
import { OutboxRelay } from '../../src/incidents/outbox-relay.js';
import { retryPlan } from '../../src/incidents/retry-plan.js';
import { createFakeStores } from '../../src/app/stores.js';
import { ManualClock } from '../../src/time/manual-clock.js';
import { FakeServiceNowIncidents } from '../../src/upstream/fake-servicenow-incidents.js';
import { incidentRow } from '../store/store-contract.js';
import { memoryLogger } from '../support/test-config.js';

const KEY = 'trunkgate:trunk:t1';
const unavailable = (retryAfterMs?: number) =>
  new UpstreamUnavailableError('servicenow is unavailable', {
    upstream: 'servicenow',
    operation: 'POST incident',
    status: 503,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });

function setup() {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const store = createFakeStores();
  const servicenow = new FakeServiceNowIncidents();
  const { logger } = memoryLogger('error');
  const metrics = new IncidentMetrics(new Registry(), () => store.outboxDepth());
  const relay = (owner: string, extra: Partial<ConstructorParameters<typeof OutboxRelay>[0]> = {}) =>
    new OutboxRelay({ store, servicenow, clock, logger, metrics, owner, random: () => 0.5, leaseMs: 60_000, ...extra });
  const openIncident = async (id = 'i1', key = KEY) => {
    await store.insertIncident(incidentRow({ id, correlationId: key, openedAt: clock.now() }));
    await store.enqueueDelivery({
      incidentId: id,
      operation: 'create',
      payload: { fields: { short_description: 'x', correlation_id: key } },
      at: clock.now(),
    });
  };
  const queue = (operation: 'note' | 'resolve' | 'reopen', payload: Record<string, unknown>, id = 'i1') =>
    store.enqueueDelivery({ incidentId: id, operation, payload, at: clock.now() });
  return { clock, store, servicenow, relay, openIncident, queue };
}

describe('retryPlan', () => {
  const backoff = { baseMs: 1_000, capMs: 60_000 };
  it('doubles from the base with jitter and caps, pausing only for ServiceNow-wide failures', () => {
    expect(retryPlan(new Error('bug'), 1, backoff, () => 0)).toEqual({ delayMs: 500, pauseAll: false, reason: 'bug' });
    expect(retryPlan(new Error('bug'), 3, backoff, () => 1).delayMs).toBe(4_000);
    expect(retryPlan(new Error('bug'), 30, backoff, () => 1).delayMs).toBe(60_000);
    expect(
      retryPlan(new UpstreamError('bad field', { upstream: 'servicenow', operation: 'POST incident', status: 400 }), 1, backoff, () => 1),
    ).toMatchObject({ delayMs: 1_000, pauseAll: false });
    expect(
      retryPlan(new UpstreamTimeoutError('slow', { upstream: 'servicenow', operation: 'POST incident' }), 1, backoff, () => 1).pauseAll,
    ).toBe(true);
  });

  it("honours the upstream's Retry-After over the backoff (429, 503)", () => {
    expect(retryPlan(unavailable(30_000), 1, backoff, () => 0)).toMatchObject({ delayMs: 30_000, pauseAll: true });
    expect(
      retryPlan(
        new UpstreamError('rate limited', { upstream: 'servicenow', operation: 'GET incident', status: 429, retryAfterMs: 7_000 }),
        5,
        backoff,
        () => 0,
      ),
    ).toMatchObject({ delayMs: 7_000, pauseAll: true });
  });
});

describe('OutboxRelay', () => {
  it('looks the correlation id up before creating, and records sys_id and number from the answer', async () => {
    const t = setup();
    await t.openIncident();
    expect(await t.relay('r').runOnce()).toBe(1);
    expect(t.servicenow.calls.map((c) => c.operation)).toEqual(['query', 'create']);
    expect(t.servicenow.calls[0]!.query).toBe(`correlation_id=${KEY}^active=true^ORDERBYDESCsys_created_on`);
    const [rec] = [...t.servicenow.records.values()];
    expect(await t.store.getIncident('i1')).toMatchObject({ sysId: rec!.sys_id, number: rec!.number, servicenowState: '1' });
    expect(await t.store.outboxDepth()).toBe(0);
    const trail = (await t.store.listAudit({ incidentId: 'i1', limit: 10 })).map((a) => [a.kind, a.message]);
    expect(trail).toEqual([
      ['delivery_answered', `ServiceNow created ${rec!.number}`],
      ['delivery_attempt', 'sending the create to ServiceNow (attempt 1)'],
    ]);
  });

  it('adopts an incident ServiceNow already has for the key (a crash after create, before recording) instead of creating a second', async () => {
    const t = setup();
    await t.openIncident();
    t.servicenow.afterCreate = () => {
      throw unavailable();
    };
    await t.relay('r').runOnce();
    expect(t.servicenow.records.size).toBe(1);
    t.servicenow.afterCreate = undefined;
    await t.clock.advance(60_000);
    await t.relay('r').runOnce();
    expect(t.servicenow.records.size).toBe(1);
    const [rec] = [...t.servicenow.records.values()];
    expect(await t.store.getIncident('i1')).toMatchObject({ sysId: rec!.sys_id });
    expect(t.servicenow.calls.filter((c) => c.operation === 'create')).toHaveLength(1);
  });

  it('trusts only an exact correlation_id match: a lookup that matched other rows still creates', async () => {
    const t = setup();
    await t.servicenow.create({ short_description: 'someone else', correlation_id: 'other:key' });
    await t.servicenow.create({ short_description: 'resolved one', correlation_id: KEY, state: '6' });
    await t.openIncident();
    t.servicenow.calls.length = 0;
    await t.relay('r').runOnce();
    expect(t.servicenow.calls.map((c) => c.operation)).toEqual(['query', 'create']);
  });

  it('delivers an incident’s entries strictly in order: a note waits for its create', async () => {
    const t = setup();
    await t.openIncident();
    await t.queue('note', { fields: { work_notes: 'first note' } });
    t.servicenow.failNext(unavailable(), 'create');
    const relay = t.relay('r');
    await relay.runOnce();
    expect(await relay.runOnce()).toBe(0);
    expect(t.servicenow.calls.filter((c) => c.operation === 'update')).toHaveLength(0);
    await t.clock.advance(10_000);
    await relay.runOnce();
    await relay.runOnce();
    const [rec] = [...t.servicenow.records.values()];
    expect(t.servicenow.notes(rec!.sys_id!)).toEqual([expect.stringMatching(/^first note\n\[trunkgate:d:i1-\d+\]$/)]);
  });

  it('waits out Retry-After and pauses every delivery while ServiceNow is down', async () => {
    const t = setup();
    await t.openIncident('a', 'k:a');
    const relay = t.relay('r');
    relay.start();
    t.servicenow.failNext(unavailable(30_000), undefined, 1);
    await t.clock.advance(0);
    await t.openIncident('b', 'k:b');
    relay.wake();
    await t.clock.advance(29_000);
    expect(t.servicenow.calls).toHaveLength(1);
    await t.clock.advance(2_000);
    expect(t.servicenow.records.size).toBe(2);
    expect((await t.store.listAudit({ subject: 'k:a', limit: 10 })).map((a) => a.message)).toContain(
      'servicenow is unavailable; next attempt 2026-01-01 00:00:30 UTC',
    );
    await relay.stop(0);
  });

  it('lets a second relay take over an entry whose lease ran out (its owner died), without a duplicate', async () => {
    const t = setup();
    await t.openIncident();
    const dead = t.relay('dead');
    t.servicenow.afterCreate = () => {
      throw new Error('process killed before the answer was recorded');
    };
    // Simulate a relay that claimed and sent but never came back: claim by hand, send through the client.
    const [claimed] = await t.store.claimDeliveries({ owner: 'dead', now: t.clock.now(), leaseMs: 60_000, limit: 1 });
    await t.servicenow.create(claimed!.payload.fields as Record<string, unknown>).catch(() => undefined);
    t.servicenow.afterCreate = undefined;
    const survivor = t.relay('survivor');
    expect(await survivor.runOnce()).toBe(0);
    await t.clock.advance(60_000);
    expect(await survivor.runOnce()).toBe(1);
    expect(t.servicenow.records.size).toBe(1);
    expect(await t.store.outboxDepth()).toBe(0);
    expect(dead.owner).toBe('dead');
  });

  it('takes the default lease when an option is given as undefined', async () => {
    const t = setup();
    await t.openIncident();
    const create = t.servicenow.create.bind(t.servicenow);
    t.servicenow.create = () => new Promise(() => undefined); // the first relay hangs inside its delivery
    void t.relay('stuck', { leaseMs: undefined }).runOnce();
    await t.clock.advance(0);
    t.servicenow.create = create;
    const other = t.relay('other');
    expect(await other.runOnce()).toBe(0); // leased
    await t.clock.advance(60_000);
    expect(await other.runOnce()).toBe(1); // a NaN lease would never have run out
  });

  it('drops an update for an incident that no longer exists in ServiceNow and goes on with the next', async () => {
    const t = setup();
    await t.store.insertIncident(incidentRow({ sysId: 'gone-sys-id', number: 'INC0000001' }));
    await t.queue('note', { fields: { work_notes: 'n' } });
    await t.queue('resolve', { fields: { state: '6', close_code: 'Solution provided', close_notes: 'ok' } });
    const relay = t.relay('r');
    await relay.runOnce();
    await relay.runOnce();
    expect(await t.store.outboxDepth()).toBe(0);
    expect(
      (await t.store.listAudit({ incidentId: 'i1', limit: 10 }))
        .filter((a) => a.kind === 'delivery_answered' || a.kind === 'delivery_retry')
        .map((a) => a.message),
    ).toEqual(['INC0000001 no longer exists in ServiceNow: resolve dropped', 'INC0000001 no longer exists in ServiceNow: note dropped']);
  });

  it('reopens with state 2 when ServiceNow still has the incident, or opens a new one when it was closed', async () => {
    const t = setup();
    const resolved = await t.servicenow.create({ correlation_id: KEY, state: '6' });
    await t.store.insertIncident(incidentRow({ sysId: resolved.sys_id!, number: resolved.number! }));
    await t.queue('reopen', {
      fields: { state: '2', work_notes: 'Relapse' },
      createFields: { short_description: 'new', correlation_id: KEY },
    });
    await t.relay('r').runOnce();
    expect(t.servicenow.records.get(resolved.sys_id!)).toMatchObject({ state: '2', active: 'true' });

    await t.servicenow.update(resolved.sys_id!, { state: '7' });
    await t.queue('reopen', {
      fields: { state: '2', work_notes: 'Relapse again' },
      createFields: { short_description: 'new', correlation_id: KEY },
    });
    await t.relay('r').runOnce();
    const fresh = [...t.servicenow.records.values()].find((r) => r.sys_id !== resolved.sys_id)!;
    expect(fresh).toMatchObject({ short_description: 'new', state: '1' });
    expect(t.servicenow.notes(fresh.sys_id!)).toEqual(['Relapse again']);
    expect(await t.store.getIncident('i1')).toMatchObject({ sysId: fresh.sys_id, number: fresh.number });
  });

  it('flushes what is due when stopped with a flush budget', async () => {
    const t = setup();
    const relay = t.relay('r', { pollMs: 60_000 });
    relay.start();
    await t.clock.advance(0);
    // Queued behind the relay's back (no wake): only the flush can deliver it.
    await t.openIncident();
    const stopping = relay.stop(5_000);
    await t.clock.advance(0);
    await stopping;
    expect(t.servicenow.records.size).toBe(1);
  });

  it('stops cleanly when the store refuses the flush (the database is down at shutdown)', async () => {
    const t = setup();
    const relay = t.relay('r', { pollMs: 60_000 });
    relay.start();
    await t.clock.advance(0);
    await t.openIncident();
    t.store.transaction = () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    const stopping = relay.stop(5_000);
    await t.clock.advance(0);
    await expect(stopping).resolves.toBeUndefined();
    expect(t.servicenow.records.size).toBe(0);
  });
});
