import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrunkgateApp } from '../../src/app/create-app.js';
import { errorResponseSchema } from '../../src/http/schemas.js';
import { orgTrunkIds } from '../../src/sim/genesys/index.js';
import { startSimulators, type Simulators } from '../../src/sim/start-simulators.js';
import { schemaCheck } from '../../src/validation/compile.js';
import type { apiClient } from '../support/api-client.js';
import { orgsConfig, startOrgsApp, writeConnectionsFile } from '../support/orgs-app.js';
import { basicHeader, TEST_USER } from '../support/test-config.js';

const checkError = schemaCheck(errorResponseSchema);
const TRUNK = orgTrunkIds('globex').twilio;

/** A 404 not_found in the error contract's shape, its request id the one echoed in X-Request-Id. */
function expectNotFound(res: { status: number; headers: Record<string, string>; body: unknown }, org: string) {
  expect(res.status).toBe(404);
  expect(checkError(res.body)).toMatchObject({ valid: true });
  expect(res.body).toMatchObject({
    error: { code: 'not_found', message: `No Genesys org named ${org} is configured` },
    requestId: res.headers['x-request-id'],
  });
}

describe('several orgs in the API: an org that is not configured is 404 not_found everywhere an org is named', () => {
  let sims: Simulators;
  let app: TrunkgateApp;
  let api: ReturnType<typeof apiClient>;
  let url: string;

  beforeAll(async () => {
    sims = await startSimulators({ orgs: ['acme', 'globex'], instances: ['sn-a', 'sn-b'] });
    const file = writeConnectionsFile(sims, {
      orgs: [
        { name: 'acme', servicenow: 'sn-a', monitor: { enabled: false } },
        { name: 'globex', servicenow: 'sn-b', monitor: { enabled: false } },
      ],
    });
    ({ app, api, url } = await startOrgsApp(orgsConfig(file)));
  });
  afterAll(async () => {
    await app?.close();
    await sims?.close();
  });

  it('POST /v1/orgs/{org}/actions/{name} and GET /v1/orgs/{org}/actions', async () => {
    expectNotFound(await api.post('/v1/orgs/initech/actions/get-trunk', { trunkId: TRUNK }), 'initech');
    expectNotFound(await api.get('/v1/orgs/initech/actions'), 'initech');
    // Names are lower-case keys: another spelling of a configured org is not it.
    expectNotFound(await api.post('/v1/orgs/Globex/actions/get-trunk', { trunkId: TRUNK }), 'Globex');
    // Refused before the body is read: a body that is not even JSON gets the same answer.
    const raw = await fetch(`${url}/v1/orgs/initech/actions/get-trunk`, {
      method: 'POST',
      headers: { authorization: basicHeader(TEST_USER.user, TEST_USER.password), 'content-type': 'application/json' },
      body: '{not json',
    });
    expectNotFound({ status: raw.status, headers: Object.fromEntries(raw.headers), body: await raw.json() }, 'initech');
    // The configured org runs the action with its own client.
    expect((await api.post('/v1/orgs/globex/actions/get-trunk', { trunkId: TRUNK })).body).toMatchObject({
      id: TRUNK,
      state: 'registered',
    });
  });

  it("an org's ServiceNow actions go to its own instance; /v1/actions to the default org's", async () => {
    const create = (path: string, correlation_id: string) =>
      api.post(`${path}/create-incident`, { short_description: 'Carrier trunk rejected', correlation_id });
    expect((await create('/v1/orgs/globex/actions', 'flow:globex')).status).toBe(200);
    expect((await create('/v1/orgs/acme/actions', 'flow:acme')).status).toBe(200);
    expect((await create('/v1/actions', 'flow:default')).status).toBe(200);
    const on = (instance: string) =>
      sims.servicenowInstances
        .get(instance)!
        .incidents()
        .map((i) => i.fields.correlation_id)
        .sort();
    expect(on('sn-a')).toEqual(['flow:acme', 'flow:default']);
    expect(on('sn-b')).toEqual(['flow:globex']);
  });

  it('?org= on GET /v1/trunks and GET /v1/incidents', async () => {
    expectNotFound(await api.get('/v1/trunks?org=initech'), 'initech');
    expectNotFound(await api.get('/v1/incidents?org=initech'), 'initech');
    expectNotFound(await api.get('/v1/incidents?org=initech&state=open'), 'initech');
    expect(await api.get('/v1/trunks?org=globex')).toMatchObject({ status: 200, body: { trunks: [] } });
    expect(await api.get('/v1/incidents?org=acme')).toMatchObject({ status: 200, body: { incidents: [] } });
  });

  it('POST /v1/events with an unknown org records nothing; a known org or none (the default org) is recorded under it', async () => {
    expectNotFound(await api.post('/v1/events', { eventId: 'ev-unknown', trunkId: TRUNK, org: 'initech', state: 'registered' }), 'initech');
    expect((await api.get(`/v1/trunks/${TRUNK}`)).status).toBe(404);

    const known = await api.post('/v1/events', { eventId: 'ev-globex', trunkId: TRUNK, org: 'globex', state: 'registered' });
    expect(known).toMatchObject({ status: 200, body: { outcome: expect.any(String), trunk: { id: TRUNK, org: 'globex' } } });
    const acmeTrunk = orgTrunkIds('acme').twilio;
    const byDefault = await api.post('/v1/events', { eventId: 'ev-default', trunkId: acmeTrunk, state: 'registered' });
    expect(byDefault.body.trunk).toMatchObject({ id: acmeTrunk, org: 'acme' });
    expect((await api.get('/v1/trunks?org=globex')).body.trunks.map((t: { id: string }) => t.id)).toEqual([TRUNK]);
    // The event with the unknown org is not a duplicate of anything: it was never recorded.
    const again = await api.post('/v1/events', { eventId: 'ev-unknown', trunkId: TRUNK, org: 'globex', state: 'registered' });
    expect(again.body).toMatchObject({ duplicate: false });
  });
});
