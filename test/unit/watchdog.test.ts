import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { UpstreamUnavailableError } from '../../src/errors/app-error.js';
import { defaultIncidentMappingYaml } from '../../src/incidents/default-incident-mapping.js';
import { parseIncidentMapping } from '../../src/incidents/incident-mapping.js';
import { createIncidents } from '../../src/incidents/create-incidents.js';
import { GENESYS_CREDENTIALS_CORRELATION_ID } from '../../src/incidents/incident-writer.js';
import { incidentHarness, KEY, TRUNK } from '../support/incident-harness.js';

type Harness = ReturnType<typeof incidentHarness>;
let h: Harness;
afterEach(async () => h?.stop());

function start(options: Parameters<typeof incidentHarness>[0] = {}): Harness {
  h = incidentHarness(options);
  h.start();
  return h;
}

describe('Watchdog: opening', () => {
  it('opens exactly one incident once a 403 has persisted INCIDENT_OPEN_AFTER_MS, even without a new sighting', async () => {
    start();
    await h.see('rejected');
    await h.clock.advance(29_000);
    expect(h.incidentsFor()).toHaveLength(0);
    await h.clock.advance(2_000);
    const [created] = h.incidentsFor();
    expect(h.incidentsFor()).toHaveLength(1);
    expect(created).toMatchObject({
      correlation_id: KEY,
      correlation_display: 'trunkgate',
      urgency: '2',
      impact: '2',
      category: 'network',
      contact_type: 'monitoring',
    });
    expect(created!.short_description).toBe('SIP trunk Lumen SIP - NYC: registration rejected (SIP 403 Forbidden)');
    for (const words of [
      `(id ${TRUNK.trunkId})`,
      'Edge: edge-nyc-01 (id e-nyc)',
      `Proxy: ${TRUNK.proxyAddress}`,
      'SIP answer: SIP 403 Forbidden',
      'First seen: 2026-01-01 12:00:00 UTC',
    ]) {
      expect(created!.description).toContain(words);
    }
    expect(created!.description).toContain('no Genesys token rotation seen since trunkgate started');
    const [incident] = await h.store.listIncidents({ limit: 10 });
    expect(incident).toMatchObject({
      correlationId: KEY,
      trunkId: TRUNK.trunkId,
      kind: 'registration_rejected',
      open: true,
      sysId: created!.sys_id,
      number: created!.number,
      pendingDeliveries: 0,
    });
    await h.clock.advance(600_000);
    expect(h.incidentsFor()).toHaveLength(1);
    expect(h.servicenow.calls.filter((c) => c.operation === 'create')).toHaveLength(1);
  });

  it('does not open for a failure shorter than INCIDENT_OPEN_AFTER_MS', async () => {
    start();
    await h.see('dropped');
    await h.clock.advance(20_000);
    await h.see('registered');
    await h.clock.advance(600_000);
    expect(h.servicenow.records.size).toBe(0);
  });

  it('flags a rejection within two minutes of a Genesys token rotation as likely credential propagation', async () => {
    start({ settings: { openAfterMs: 0 } });
    h.rotations.record(h.clock.now());
    await h.clock.advance(4_000);
    await h.see('rejected');
    await h.settle();
    expect(h.incidentsFor()[0]!.description).toContain(
      'Genesys token: registration rejected 4 s after the Genesys token rotated (2026-01-01 12:00:00 UTC) — likely credential propagation',
    );
    expect(h.incidentsFor()[0]!.description).toContain('usually clears by itself');
  });

  it('says a rotation long before the failure is unlikely to be the cause', async () => {
    start({ settings: { openAfterMs: 0 } });
    h.rotations.record(h.clock.now());
    await h.clock.advance(180_000);
    await h.see('dropped');
    await h.settle();
    expect(h.incidentsFor()[0]!.description).toContain('the last Genesys token rotation was 3 min before the failure began');
    expect(h.incidentsFor()[0]!.short_description).toBe('SIP trunk Lumen SIP - NYC: registration dropped (No response to REGISTER)');
  });

  it('keeps one incident through 10 flaps, with work notes throttled to one per INCIDENT_NOTE_INTERVAL_MS and coalesced', async () => {
    start();
    await h.see('rejected');
    await h.clock.advance(31_000);
    for (let i = 0; i < 10; i += 1) {
      await h.see(i % 2 === 0 ? 'registered' : 'rejected');
      await h.clock.advance(5_000);
    }
    expect(h.incidentsFor()).toHaveLength(1);
    const sysId = h.incidentsFor()[0]!.sys_id!;
    expect(h.servicenow.notes(sysId)).toHaveLength(0);
    await h.clock.advance(300_000);
    const notes = h.servicenow.notes(sysId);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain('Trunk state changed 10 times since 2026-01-01 12:00:30 UTC');
    expect(notes[0]).toContain(
      'Now: registration rejected (SIP 403 Forbidden) at proxy sip-a.lumen.example.net:5061, since 2026-01-01 12:01:16 UTC.',
    );
    expect(h.servicenow.records.size).toBe(1);
  });

  it('counts a flapping trunk as failing: opens one incident although no single failure lasted INCIDENT_OPEN_AFTER_MS', async () => {
    start();
    for (let i = 0; i < 20; i += 1) {
      await h.see(i % 2 === 0 ? 'rejected' : 'registered');
      await h.clock.advance(3_000);
    }
    expect(h.incidentsFor()).toHaveLength(1);
  });
});

describe('Watchdog: recovery, relapse and duplicates', () => {
  it('resolves after INCIDENT_RESOLVE_AFTER_MS of health with state 6, close code and close notes', async () => {
    start();
    await h.see('rejected');
    await h.clock.advance(31_000);
    await h.see('registered');
    for (let i = 0; i < 10; i += 1) {
      await h.clock.advance(29_900);
      await h.see('registered'); // the poller keeps seeing it healthy
    }
    expect(h.incidentsFor()[0]!.state).toBe('1');
    await h.clock.advance(2_000);
    const [inc] = h.incidentsFor();
    expect(inc).toMatchObject({ state: '6', active: 'false', close_code: 'Solution provided' });
    expect(inc!.close_notes).toContain('SIP trunk Lumen SIP - NYC has been healthy since 2026-01-01 12:00:31 UTC');
    expect(inc!.close_notes).toContain('first seen 2026-01-01 12:00:00 UTC) lasted 31 s');
    expect(h.servicenow.notes(inc!.sys_id!)[0]).toContain(
      'trunkgate resolves this incident once the trunk has stayed registered for 5 min',
    );
    expect((await h.store.listIncidents({ limit: 1 }))[0]).toMatchObject({ open: false, servicenowState: '6', pendingDeliveries: 0 });
  });

  it('resolves the incident of a trunk Genesys no longer lists, after two complete polls without it, and does not reopen it', async () => {
    start();
    await h.see('rejected');
    await h.clock.advance(31_000);
    expect(h.incidentsFor()[0]!.state).toBe('1');
    await h.ingest.listed(['t-other']);
    await h.settle();
    expect(h.incidentsFor()[0]!.state).toBe('1');
    await h.ingest.listed(['t-other', TRUNK.trunkId]);
    await h.ingest.listed(['t-other']);
    await h.settle();
    // Listed again in between: the count starts over.
    expect(h.incidentsFor()[0]!.state).toBe('1');
    await h.ingest.listed([]);
    await h.settle();
    const [inc] = h.incidentsFor();
    expect(inc).toMatchObject({ state: '6', close_code: 'Solution provided' });
    expect(inc!.close_notes).toContain(
      'SIP trunk Lumen SIP - NYC is no longer listed by Genesys Cloud (deleted, or no longer an EXTERNAL trunk)',
    );
    expect(inc!.close_notes).toContain('first seen 2026-01-01 12:00:00 UTC');
    expect(await h.store.getTrunk(TRUNK.trunkId)).toMatchObject({ state: 'unknown', errorText: 'no longer listed by Genesys Cloud' });
    // Nothing left failing: the ticks that follow neither reopen nor open anything.
    await h.clock.advance(600_000);
    expect(h.incidentsFor()).toHaveLength(1);
    expect(h.incidentsFor()[0]!.state).toBe('6');
  });

  it('leaves alone an incident of a trunk that only POST /v1/events reported (Genesys may not list it)', async () => {
    start();
    await h.see('rejected', { source: 'event' });
    await h.clock.advance(31_000);
    await h.ingest.listed([]);
    await h.ingest.listed([]);
    await h.settle();
    expect(h.incidentsFor()[0]!.state).toBe('1');
  });

  it('reopens the same incident (state 2, with a note) on a relapse inside INCIDENT_REOPEN_WINDOW_MS', async () => {
    start();
    await h.see('rejected');
    await h.clock.advance(31_000);
    await h.see('registered');
    await h.clock.advance(301_000);
    await h.see('rejected', { sipCode: 401, errorText: '401 Unauthorized' });
    await h.clock.advance(31_000);
    expect(h.incidentsFor()).toHaveLength(1);
    const [inc] = h.incidentsFor();
    expect(inc!.state).toBe('2');
    expect(h.servicenow.notes(inc!.sys_id!).at(-1)).toMatch(
      /^Relapse at 2026-01-01 12:05:32 UTC, \d s after this incident was resolved: registration rejected \(SIP 401 Unauthorized\)/,
    );
    expect((await h.store.listIncidents({ limit: 5 })).map((i) => [i.open, i.reopenCount])).toEqual([[true, 1]]);
  });

  it('opens a new incident for a failure after INCIDENT_REOPEN_WINDOW_MS', async () => {
    start({ settings: { reopenWindowMs: 60_000 } });
    await h.see('rejected');
    await h.clock.advance(31_000);
    await h.see('registered');
    await h.clock.advance(400_000);
    await h.see('rejected');
    await h.clock.advance(31_000);
    expect(
      h
        .incidentsFor()
        .map((r) => r.state)
        .sort(),
    ).toEqual(['1', '6']);
  });

  it('ignores a resent event id and a sighting older than the last one', async () => {
    start({ settings: { openAfterMs: 0 } });
    expect(await h.see('rejected', { eventId: 'e1', source: 'event' })).toBe(true);
    expect(await h.see('registered', { eventId: 'e1', source: 'event' })).toBe(false);
    expect((await h.store.getTrunk(TRUNK.trunkId))?.state).toBe('rejected');
    const stale = await h.ingest.ingest({
      ...TRUNK,
      trunkBase: null,
      state: 'registered',
      signal: 'registration',
      sipCode: null,
      errorText: null,
      connected: true,
      registered: true,
      stateTime: null,
      source: 'event',
      observedAt: h.clock.now() - 1,
      eventId: 'e2',
    });
    expect(stale.outcome).toBe('stale');
    expect((await h.store.getTrunk(TRUNK.trunkId))?.state).toBe('rejected');
    await h.settle();
    expect(h.incidentsFor()).toHaveLength(1);
    expect((await h.store.listAudit({ subject: KEY, limit: 20 })).map((a) => a.message)).toEqual(
      expect.arrayContaining([
        'event e1 was already processed: ignored',
        expect.stringMatching(/^event sighting from .* is older than the last one: ignored$/),
      ]),
    );
  });

  it('delivers an incident that was still pending when the trunk recovered, then resolves it, in that order', async () => {
    start({ settings: { openAfterMs: 0, resolveAfterMs: 0 } });
    h.servicenow.failNext(
      new UpstreamUnavailableError('servicenow is unavailable', { upstream: 'servicenow', operation: 'GET incident', status: 503 }),
      undefined,
      3,
    );
    await h.see('rejected');
    await h.see('registered');
    await h.settle();
    expect(h.servicenow.records.size).toBe(0);
    expect((await h.store.listIncidents({ limit: 1 }))[0]).toMatchObject({
      open: false,
      pendingDeliveries: 2,
      lastDeliveryError: 'servicenow is unavailable',
    });
    await h.clock.advance(60_000);
    expect(h.incidentsFor()).toHaveLength(1);
    expect(h.incidentsFor()[0]!.state).toBe('6');
    const ops = h.servicenow.calls
      .filter((c) => c.operation !== 'query')
      .map((c) => (c.operation === 'create' ? 'create' : c.fields?.state));
    expect(ops).toEqual(['create', '6']);
  });
});

describe('Watchdog: Genesys credentials', () => {
  it('opens a credentials_failed incident when failures persist, and resolves it after recovery', async () => {
    start();
    await h.incidents.credentials.failed({ at: h.clock.now(), message: 'invalid_client', permanent: true });
    await h.clock.advance(31_000);
    const [inc] = h.incidentsFor(GENESYS_CREDENTIALS_CORRELATION_ID);
    expect(inc!.short_description).toBe('trunkgate cannot get or use a Genesys Cloud token: trunk monitoring is blind');
    expect(inc!.urgency).toBe('1');
    expect(inc!.description).toContain('invalid_client');
    await h.incidents.credentials.recovered(h.clock.now());
    await h.clock.advance(301_000);
    expect(h.incidentsFor(GENESYS_CREDENTIALS_CORRELATION_ID).map((r) => r.state)).toEqual(['6']);
    expect((await h.store.listIncidents({ limit: 5 }))[0]).toMatchObject({ kind: 'credentials_failed', trunkId: null, open: false });
  });

  it('with several replicas only the leader decides: a healthy follower does not resolve what a failing leader opened', async () => {
    start();
    const follower = createIncidents({
      config: { incidents: { ...h.settings, groupBy: 'trunkBase' }, actionTimeoutMs: 10_000 },
      stores: h.store,
      clock: h.clock,
      logger: h.log.logger,
      registry: new Registry(),
      servicenow: h.servicenow,
      mapping: parseIncidentMapping(defaultIncidentMappingYaml, {}, 'built-in'),
      tickMs: 1_000,
      isLeader: () => false,
    });
    follower.start();
    try {
      await h.incidents.credentials.failed({ at: h.clock.now(), message: 'invalid_client', permanent: true });
      await follower.credentials.recovered(h.clock.now()); // its own broker is fine
      await h.clock.advance(31_000 + 301_000);
      expect(h.incidentsFor(GENESYS_CREDENTIALS_CORRELATION_ID).map((r) => r.state)).toEqual(['1']);
    } finally {
      await follower.stop(0);
    }
  });

  it('opens nothing when the broker recovers within INCIDENT_OPEN_AFTER_MS', async () => {
    start();
    await h.incidents.credentials.failed({ at: h.clock.now(), message: 'timeout', permanent: false });
    await h.clock.advance(10_000);
    await h.incidents.credentials.recovered(h.clock.now());
    await h.clock.advance(120_000);
    expect(h.servicenow.records.size).toBe(0);
  });
});

describe('Watchdog: metrics', () => {
  it('counts incidents opened and resolved by kind, and deliveries by outcome', async () => {
    start({ settings: { openAfterMs: 0, resolveAfterMs: 0 } });
    await h.see('dropped');
    await h.see('registered');
    await h.settle();
    const text = await h.registry.metrics();
    expect(text).toContain('trunkgate_incidents_opened_total{kind="registration_dropped"} 1');
    expect(text).toContain('trunkgate_incidents_resolved_total{kind="registration_dropped"} 1');
    expect(text).toContain('trunkgate_servicenow_deliveries_total{operation="create",outcome="delivered"} 1');
    expect(text).toContain('trunkgate_servicenow_deliveries_total{operation="resolve",outcome="delivered"} 1');
    expect(text).toContain('trunkgate_outbox_depth 0');
    expect(text).toMatch(/trunkgate_servicenow_delivery_seconds_count\{operation="create"\} 1/);
  });
});
