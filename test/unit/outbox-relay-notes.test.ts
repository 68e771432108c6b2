import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { UpstreamError, UpstreamTimeoutError, UpstreamUnavailableError } from '../../src/errors/app-error.js';
import { IncidentMetrics } from '../../src/incidents/incident-metrics.js';
import { OutboxRelay } from '../../src/incidents/outbox-relay.js';
import { deliveryMarker, mayHaveReached } from '../../src/incidents/servicenow-delivery.js';
import { createFakeStores } from '../../src/app/stores.js';
import { ManualClock } from '../../src/time/manual-clock.js';
import { FakeServiceNowIncidents } from '../../src/upstream/fake-servicenow-incidents.js';
import { incidentRow } from '../store/store-contract.js';
import { memoryLogger } from '../support/test-config.js';

const ev = { upstream: 'servicenow', operation: 'PATCH incident' };
const lostAnswer = () => new UpstreamTimeoutError('servicenow did not answer PATCH incident in time', { ...ev, processed: 'unknown' });
const unavailable = () => new UpstreamUnavailableError('servicenow is unavailable', { ...ev, status: 503 });

/** An incident ServiceNow already has, and a relay; `queue` adds an entry to it. */
async function setup() {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const store = createFakeStores();
  const servicenow = new FakeServiceNowIncidents();
  const log = memoryLogger('warn');
  const metrics = new IncidentMetrics(new Registry(), () => store.outboxDepth());
  const relay = (owner = 'r') =>
    new OutboxRelay({ store, servicenow, clock, logger: log.logger, metrics, owner, random: () => 0.5, leaseMs: 60_000 });
  const rec = await servicenow.create({ short_description: 'x', correlation_id: 'k' });
  await store.insertIncident(
    incidentRow({ id: 'a1b2c3d4-0000-4000-8000-000000000000', sysId: rec.sys_id!, number: rec.number!, servicenowState: '1' }),
  );
  servicenow.calls.length = 0;
  const queue = (operation: 'note' | 'reopen' | 'resolve', fields: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    store.enqueueDelivery({
      incidentId: 'a1b2c3d4-0000-4000-8000-000000000000',
      operation,
      payload: { fields, ...extra },
      at: clock.now(),
    });
  const ops = () => servicenow.calls.map((c) => c.operation);
  const notes = () => servicenow.notes(rec.sys_id!);
  const answered = async () =>
    (await store.listAudit({ limit: 20 }))
      .filter((a) => a.kind === 'delivery_answered' || a.kind === 'delivery_retry')
      .map((a) => a.message);
  return { clock, store, servicenow, relay, queue, ops, notes, answered, log, sysId: rec.sys_id! };
}

describe('work notes are delivered once, whatever happens to the answers', () => {
  it('ends each note with its delivery marker, and the first attempt asks nothing before sending', async () => {
    const t = await setup();
    const id = await t.queue('note', { work_notes: 'Now: registration rejected (SIP 403 Forbidden).' });
    await t.relay().runOnce();
    expect(t.ops()).toEqual(['update']);
    expect(deliveryMarker({ id, incidentId: 'a1b2c3d4-0000-4000-8000-000000000000' })).toBe(`[trunkgate:d:a1b2c3d4-${id}]`);
    expect(t.notes()).toEqual([`Now: registration rejected (SIP 403 Forbidden).\n[trunkgate:d:a1b2c3d4-${id}]`]);
  });

  it('an answer lost after ServiceNow took the note: the retry finds the marker in the journal and sends nothing', async () => {
    const t = await setup();
    await t.queue('note', { work_notes: 'note' });
    t.servicenow.afterUpdate = () => {
      throw lostAnswer();
    };
    await t.relay().runOnce();
    t.servicenow.afterUpdate = undefined;
    expect(t.notes()).toHaveLength(1);
    await t.clock.advance(60_000);
    await t.relay().runOnce();
    expect(t.ops()).toEqual(['update', 'journal']);
    expect(t.notes()).toHaveLength(1);
    expect(await t.store.outboxDepth()).toBe(0);
    expect((await t.answered())[0]).toMatch(/work note was already in INC\d+'s journal .*not sent again/);
  });

  it('a claim that never came back (kill -9, an expired lease) looks first, and sends the note when it is not there', async () => {
    const t = await setup();
    await t.queue('note', { work_notes: 'note' });
    await t.store.claimDeliveries({ owner: 'dead', now: t.clock.now(), leaseMs: 60_000, limit: 1 });
    await t.clock.advance(60_000);
    await t.relay('survivor').runOnce();
    expect(t.ops()).toEqual(['journal', 'update']);
    expect(t.notes()).toHaveLength(1);
  });

  it('a failure known not to have reached ServiceNow (503, refused) is retried without a look', async () => {
    const t = await setup();
    await t.queue('note', { work_notes: 'note' });
    t.servicenow.failNext(unavailable(), 'update');
    await t.relay().runOnce();
    await t.clock.advance(60_000);
    await t.relay().runOnce();
    expect(t.ops()).toEqual(['update', 'update']);
    expect(t.notes()).toHaveLength(1);
  });

  it('stays in doubt when the look itself fails, and looks again next time', async () => {
    const t = await setup();
    await t.queue('note', { work_notes: 'note' });
    t.servicenow.afterUpdate = () => {
      throw lostAnswer();
    };
    await t.relay().runOnce();
    t.servicenow.afterUpdate = undefined;
    t.servicenow.failNext(
      new UpstreamUnavailableError('servicenow is unavailable', { upstream: 'servicenow', operation: 'GET journal', status: 503 }),
      'journal',
    );
    await t.clock.advance(60_000);
    await t.relay().runOnce();
    await t.clock.advance(60_000);
    await t.relay().runOnce();
    expect(t.ops()).toEqual(['update', 'journal', 'journal']);
    expect(t.notes()).toHaveLength(1);
  });

  it('a journal the integration user may not read: the note is sent (possibly twice), with a warning saying what to grant', async () => {
    const t = await setup();
    await t.queue('note', { work_notes: 'note' });
    await t.store.claimDeliveries({ owner: 'dead', now: t.clock.now(), leaseMs: 60_000, limit: 1 });
    await t.clock.advance(60_000);
    t.servicenow.failNext(
      new UpstreamError('servicenow answered 403 to GET journal', { upstream: 'servicenow', operation: 'GET journal', status: 403 }),
      'journal',
    );
    await t.relay().runOnce();
    expect(t.ops()).toEqual(['journal', 'update']);
    expect(await t.store.outboxDepth()).toBe(0);
    expect(t.log.text()).toContain('give the integration user read access to sys_journal_field');
  });

  it('a reopen whose note arrived sends only its state again', async () => {
    const t = await setup();
    await t.servicenow.update(t.sysId, { state: '6' });
    t.servicenow.calls.length = 0;
    await t.queue('reopen', { state: '2', work_notes: 'Relapse' }, { createFields: { short_description: 'new', correlation_id: 'k' } });
    t.servicenow.afterUpdate = () => {
      throw lostAnswer();
    };
    await t.relay().runOnce();
    t.servicenow.afterUpdate = undefined;
    await t.clock.advance(60_000);
    await t.relay().runOnce();
    expect(t.servicenow.calls.filter((c) => c.operation === 'update').map((c) => c.fields)).toEqual([
      { state: '2', work_notes: expect.stringMatching(/^Relapse\n\[trunkgate:d:a1b2c3d4-\d+\]$/) },
      { state: '2' },
    ]);
    expect(t.notes()).toHaveLength(1);
    expect(t.servicenow.records.get(t.sysId)).toMatchObject({ state: '2' });
  });

  it('a resolve (no journal entry) is repeated as it is, without a look', async () => {
    const t = await setup();
    await t.queue('resolve', { state: '6', close_code: 'Solution provided', close_notes: 'ok' });
    t.servicenow.afterUpdate = () => {
      throw lostAnswer();
    };
    await t.relay().runOnce();
    t.servicenow.afterUpdate = undefined;
    await t.clock.advance(60_000);
    await t.relay().runOnce();
    expect(t.ops()).toEqual(['update', 'update']);
  });
});

describe('mayHaveReached', () => {
  it('is false only when the answer or the connection proves the write was not applied', () => {
    expect(mayHaveReached(unavailable())).toBe(false);
    expect(mayHaveReached(new UpstreamError('bad', { ...ev, status: 400 }))).toBe(false);
    expect(mayHaveReached(new UpstreamError('rate limited', { ...ev, status: 429 }))).toBe(false);
    expect(mayHaveReached(new UpstreamUnavailableError('servicenow cannot be reached (ECONNREFUSED)', ev))).toBe(false);
    expect(mayHaveReached(new UpstreamUnavailableError('servicenow cannot be reached (ECONNRESET)', { ...ev, processed: 'unknown' }))).toBe(
      true,
    );
    expect(mayHaveReached(lostAnswer())).toBe(true);
    expect(mayHaveReached(new UpstreamTimeoutError('cut at shutdown', ev))).toBe(true);
    expect(mayHaveReached(new UpstreamError('bad gateway', { ...ev, status: 502 }))).toBe(true);
    expect(mayHaveReached(new Error('a bug'))).toBe(true);
  });
});
