import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type TrunkgateApp } from '../../src/app/create-app.js';
import { defaultTrunkIds } from '../../src/sim/genesys/index.js';
import type { Simulators } from '../../src/sim/start-simulators.js';
import { apiClient } from '../support/api-client.js';
import { eventually } from '../support/eventually.js';
import { startTestSims } from '../support/sims.js';
import { testDatabaseUrl, testSchema } from '../support/postgres.js';
import { memoryLogger, testConfig } from '../support/test-config.js';

const TRUNK = defaultTrunkIds.lumenPrimary;
const KEY = `trunkgate:trunk:${TRUNK}`;

const databaseUrl = testDatabaseUrl();
const stores: Array<'sqlite' | 'postgres'> = databaseUrl ? ['sqlite', 'postgres'] : ['sqlite'];

describe.each(stores)('trunk and incident endpoints against the simulators, %s store (open and resolve at once)', (storeKind) => {
  let schema: ReturnType<typeof testSchema> | undefined;
  let sims: Simulators;
  let app: TrunkgateApp;
  let api: ReturnType<typeof apiClient>;
  let baseUrl: string;
  let n = 0;
  const event = (body: Record<string, unknown>) => api.post('/v1/events', { eventId: `ev-${++n}`, trunkId: TRUNK, ...body });
  const snIncidents = (key = KEY) => sims.servicenow.incidents().filter((i) => i.fields.correlation_id === key);
  const settled = () =>
    eventually(async () => {
      const { body } = await api.get('/v1/incidents');
      expect(body.incidents.every((i: { pendingDeliveries: number }) => i.pendingDeliveries === 0)).toBe(true);
      return body.incidents;
    });

  beforeAll(async () => {
    const started = await startTestSims();
    sims = started.sims;
    schema = storeKind === 'postgres' ? testSchema(databaseUrl!) : undefined;
    const database = schema ? { DATABASE_URL: databaseUrl, DATABASE_SCHEMA: schema.name } : {};
    app = await createApp(
      testConfig({
        ...started.env,
        ...database,
        INCIDENT_OPEN_AFTER_MS: '0',
        INCIDENT_RESOLVE_AFTER_MS: '0',
        INCIDENT_NOTE_INTERVAL_MS: '0',
      }),
      { logger: memoryLogger('warn').logger, processMetrics: false, monitor: null },
    ); // sightings come from POST /v1/events only
    baseUrl = await app.listen(0, '127.0.0.1');
    api = apiClient(baseUrl);
  });
  afterAll(async () => {
    await app?.close();
    await sims?.close();
    await schema?.drop();
  });

  it('starts with no trunks and no incidents; unknown trunks are not_found', async () => {
    expect(await api.get('/v1/trunks')).toMatchObject({ status: 200, body: { trunks: [] } });
    expect(await api.get('/v1/incidents')).toMatchObject({ status: 200, body: { incidents: [] } });
    const missing = await api.get('/v1/trunks/nope');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
    expect((await api.get('/v1/trunks/nope/events')).status).toBe(404);
  });

  it('403 → exactly one ServiceNow incident, shown on /v1/trunks and /v1/incidents; a resent event is ignored', async () => {
    const first = await event({
      state: 'rejected',
      sipCode: 403,
      errorText: 'Forbidden',
      proxyAddress: 'sip-a.lumen.example.net:5061',
      trunkName: 'Lumen SIP - NYC',
      edge: { id: 'e1', name: 'edge-nyc-01' },
    });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      eventId: 'ev-1',
      outcome: 'applied',
      duplicate: false,
      trunk: { id: TRUNK, state: 'rejected', sipCode: 403, errorText: 'Forbidden' },
    });
    const resent = await api.post('/v1/events', { eventId: 'ev-1', trunkId: TRUNK, state: 'registered' });
    expect(resent.body).toMatchObject({ outcome: 'duplicate', duplicate: true, trunk: { state: 'rejected' } });
    const [incident] = await settled();
    const [sn] = snIncidents();
    expect(snIncidents()).toHaveLength(1);
    expect(sn!.fields.short_description).toBe('SIP trunk Lumen SIP - NYC: registration rejected (SIP 403 Forbidden)');
    expect(incident).toEqual({
      correlationId: KEY,
      trunkId: TRUNK,
      trunkBaseId: null,
      trunkIds: [TRUNK],
      kind: 'registration_rejected',
      number: sn!.number,
      sysId: sn!.sysId,
      state: 'open',
      servicenowState: '1',
      openedAt: expect.any(String),
      resolvedAt: null,
      reopenCount: 0,
      pendingDeliveries: 0,
      lastDeliveryError: null,
      // Without a connections file: the one org and the one instance, both `default`.
      org: 'default',
      servicenowInstance: 'default',
    });
    const { body: trunk } = await api.get(`/v1/trunks/${TRUNK}`);
    expect(trunk).toMatchObject({
      id: TRUNK,
      name: 'Lumen SIP - NYC',
      state: 'rejected',
      healthy: false,
      signal: 'registration',
      trunkBase: null,
      sipCode: 403,
      errorText: 'Forbidden',
      edge: { id: 'e1', name: 'edge-nyc-01' },
      proxyAddress: 'sip-a.lumen.example.net:5061',
      incident: { number: sn!.number, sysId: sn!.sysId, state: 'open' },
      source: 'event',
    });
    expect(Date.parse(trunk.since)).not.toBeNaN();
    expect((await api.get('/v1/trunks')).body.trunks).toHaveLength(1);
    expect((await api.get(`/v1/trunks/${TRUNK}/events`)).body.events).toHaveLength(1);
  });

  it('recovery resolves it; flapping 10× (each relapse inside the reopen window) still leaves one ServiceNow incident', async () => {
    await event({ state: 'registered' });
    await settled();
    expect(snIncidents()[0]!.fields.state).toBe('6');
    for (let i = 0; i < 10; i += 1) await event(i % 2 === 0 ? { state: 'rejected', sipCode: 403 } : { state: 'registered' });
    const incidents = await settled();
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ state: 'resolved', reopenCount: 5 });
    expect(snIncidents()).toHaveLength(1);
    expect(snIncidents()[0]!.fields).toMatchObject({ state: '6', reopen_count: '5', close_code: 'Solution provided' });
    const events = (await api.get(`/v1/trunks/${TRUNK}/events?limit=5`)).body.events;
    expect(events.map((e: { state: string }) => e.state)).toEqual(['registered', 'rejected', 'registered', 'rejected', 'registered']);
  });

  it('reads a Genesys Trunk object posted as `trunk` with the same normaliser as the monitor', async () => {
    const id = defaultTrunkIds.twilio;
    const wire = sims.genesys.control.setTrunkState(id, { state: 'dropped' });
    const res = await api.post('/v1/events', { eventId: 'wire-1', trunkId: id, trunk: wire });
    expect(res.body.trunk).toMatchObject({
      id,
      name: 'Twilio Elastic SIP - NYC',
      state: 'dropped',
      errorText: 'No response to REGISTER',
      edge: { name: 'edge-nyc-01' },
      trunkBase: wire.trunkBase && { id: wire.trunkBase.id },
    });
    const incidents = await settled();
    // The trunk object names its trunk base: the incident is the carrier's (INCIDENT_GROUP_BY=trunkBase, the default).
    const key = `trunkgate:trunkbase:${wire.trunkBase.id}`;
    expect(incidents.find((i: { correlationId: string }) => i.correlationId === key)).toMatchObject({
      trunkId: id,
      trunkBaseId: wire.trunkBase.id,
      trunkIds: [id],
    });
    expect(snIncidents(key)[0]!.fields.short_description).toBe(
      'SIP trunk base BYOC Carrier - Twilio Elastic SIP: registration dropped (No response to REGISTER)',
    );
  });

  it('refuses bad events with validation_failed and a JSON Pointer per problem', async () => {
    const bad = await api.post('/v1/events', { trunkId: 'has spaces', state: 'sideways', observedAt: 'yesterday', colour: 'red' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
    expect(bad.body.error.details).toEqual(
      expect.arrayContaining([
        { path: '/eventId', message: 'is required' },
        { path: '/colour', message: 'is not an accepted field' },
        { path: '/trunkId', message: expect.stringContaining('must match pattern') },
        { path: '/state', message: 'must be one of "registered", "connected", "rejected", "dropped", "unknown"' },
        { path: '/observedAt', message: 'must match format "date-time"' },
      ]),
    );
    const both = await api.post('/v1/events', { eventId: 'x', trunkId: 't', state: 'rejected', trunk: {} });
    expect(both.body.error.details).toEqual([
      { path: '', message: 'give either `state` (with sipCode, errorText…) or `trunk` (a Genesys Trunk object), not both' },
    ]);
    const neither = await api.post('/v1/events', { eventId: 'x', trunkId: 't' });
    expect(neither.body.error.details).toEqual([
      { path: '', message: 'give either `state` (with sipCode, errorText…) or `trunk` (a Genesys Trunk object), not both' },
    ]);
    expect((await api.post('/v1/events')).body.error.code).toBe('validation_failed');
    expect((await api.get('/v1/incidents?state=bogus')).body.error).toMatchObject({
      code: 'validation_failed',
      details: [{ parameter: 'state' }],
    });
    expect((await api.get(`/v1/trunks/${TRUNK}/events?limit=0`)).status).toBe(400);
  });

  it('requires caller credentials on /v1, documents the endpoints in /openapi.json, checks the store in /readyz and exports metrics', async () => {
    for (const path of ['/v1/trunks', '/v1/incidents']) expect((await fetch(`${baseUrl}${path}`)).status).toBe(401);
    expect(
      (await fetch(`${baseUrl}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status,
    ).toBe(401);
    const doc = await api.get('/openapi.json');
    for (const p of ['/v1/trunks', '/v1/trunks/{id}', '/v1/trunks/{id}/events', '/v1/incidents', '/v1/events']) {
      const operation = Object.values(doc.body.paths[p] as Record<string, { responses: Record<string, { description: string }> }>)[0]!;
      expect(operation.responses['503']!.description).toMatch(/^store_unavailable/);
    }
    expect(doc.body.components.schemas.Error.properties.error.properties.code.enum).toContain('store_unavailable');
    expect(doc.body.paths['/v1/events'].post.requestBody.content['application/json'].schema.required).toEqual(['eventId', 'trunkId']);
    expect((await api.get('/readyz')).body.checks.store).toEqual({ ok: true, detail: storeKind });
    const metrics = await (await fetch(`${baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/trunkgate_incidents_opened_total\{kind="registration_rejected"\} 1/);
    expect(metrics).toContain('trunkgate_outbox_depth 0');
    expect(metrics).toMatch(/trunkgate_trunk_sightings_total\{outcome="duplicate"\} 1/);
  });
});

describe('Genesys credentials failing → credentials_failed incident', () => {
  let sims: Simulators | undefined;
  let app: TrunkgateApp | undefined;
  afterAll(async () => {
    await app?.close();
    await sims?.close();
  });

  it('opens trunkgate:credentials:genesys in ServiceNow when the Genesys login refuses our client', async () => {
    const started = await startTestSims();
    sims = started.sims;
    sims.genesys.control.setTokenEndpointFault({ mode: 'reject' });
    app = await createApp(testConfig({ ...started.env, INCIDENT_OPEN_AFTER_MS: '0' }), {
      logger: memoryLogger('error').logger,
      processMetrics: false,
      monitor: null,
    });
    const api = apiClient(await app.listen(0, '127.0.0.1'));
    const [incident] = await eventually(async () => {
      const { body } = await api.get('/v1/incidents');
      expect(body.incidents[0]).toMatchObject({
        correlationId: 'trunkgate:credentials:genesys',
        kind: 'credentials_failed',
        trunkId: null,
        state: 'open',
        pendingDeliveries: 0,
      });
      return body.incidents;
    });
    const [sn] = sims.servicenow.incidents().filter((i) => i.fields.correlation_id === 'trunkgate:credentials:genesys');
    expect(sn!.number).toBe(incident.number);
    expect(sn!.fields.short_description).toBe('trunkgate cannot get or use a Genesys Cloud token: trunk monitoring is blind');
    expect(sn!.fields.description).toContain("Genesys Cloud refuses trunkgate's OAuth client");
  });
});
