import { Validator } from '@seriousme/openapi-schema-validator';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultTrunkIds } from '../../src/sim/genesys/index.js';
import { apiKeyHeader, startActionHarness, type ActionHarness } from '../support/action-harness.js';

describe('POST /v1/actions/:name (built-in actions against the simulators)', () => {
  let h: ActionHarness;
  beforeAll(async () => {
    h = await startActionHarness();
  });
  afterAll(async () => h.close());

  it('create-incident opens an incident with the given fields, integers accepted for string-stored fields', async () => {
    const res = await h.run('create-incident', {
      short_description: 'Carrier trunk rejected',
      description: 'REGISTER answered 403',
      urgency: 1,
      impact: '2',
      category: 'network',
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ sys_id: expect.stringMatching(/^[0-9a-f]{32}$/), number: expect.stringMatching(/^INC\d{7}$/), state: '1' });
    const stored = h.sims.servicenow.incidents().find((i) => i.sysId === res.body.sys_id)!;
    expect(stored.fields).toMatchObject({
      short_description: 'Carrier trunk rejected',
      description: 'REGISTER answered 403',
      urgency: '1',
      impact: '2',
      category: 'network',
      correlation_id: '',
    });
  });

  it('create-incident twice with the same correlation_id → one incident, the same answer', async () => {
    const body = { short_description: 'Trunk NYC down', correlation_id: 'genesys-flow:case:4711' };
    const first = await h.run('create-incident', body);
    const second = await h.run('create-incident', { ...body, short_description: 'Trunk NYC down (retry)' });
    expect(first.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(h.sims.servicenow.incidents().filter((i) => i.fields.correlation_id === body.correlation_id)).toHaveLength(1);
  });

  it('create-incident opens a new incident when the earlier one with that correlation_id is resolved', async () => {
    const body = { short_description: 'Flapping trunk', correlation_id: 'genesys-flow:case:4712' };
    const first = await h.run('create-incident', body);
    await h
      .run('update-incident', { sys_id: first.body.sys_id, state: 6, close_code: 'Solution provided', close_notes: 'fixed' })
      .expect(200);
    const second = await h.run('create-incident', body);
    expect(second.body.sys_id).not.toBe(first.body.sys_id);
  });

  it('get-incident reads by number and by sys_id', async () => {
    const created = await h.run('create-incident', { short_description: 'Lookup me', assignment_group: 'Network' });
    for (const by of [{ number: created.body.number }, { sys_id: created.body.sys_id }, { number: created.body.number.toLowerCase() }]) {
      const res = await h.run('get-incident', by);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        sys_id: created.body.sys_id,
        number: created.body.number,
        state: '1',
        short_description: 'Lookup me',
        assignment_group: 'Network',
      });
    }
  });

  it('get-incident answers not_found for an unknown number or sys_id', async () => {
    const a = await h.run('get-incident', { number: 'INC9999999' });
    expect(a.status).toBe(404);
    expect(a.body.error).toMatchObject({ code: 'not_found', message: 'No incident numbered INC9999999' });
    expect((await h.run('get-incident', { sys_id: 'f'.repeat(32) })).body.error.code).toBe('not_found');
  });

  it('update-incident by number changes fields and appends the work note once', async () => {
    const created = await h.run('create-incident', { short_description: 'Update me' });
    const res = await h.run('update-incident', {
      number: created.body.number,
      state: '2',
      work_notes: 'Carrier ticket opened',
      urgency: 1,
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ sys_id: created.body.sys_id, number: created.body.number, state: '2' });
    const stored = h.sims.servicenow.incidents().find((i) => i.sysId === created.body.sys_id)!;
    expect(stored.fields.urgency).toBe('1');
    expect(stored.journal.filter((j) => j.field === 'work_notes').map((j) => j.value)).toEqual(['Carrier ticket opened']);
  });

  it('update-incident answers not_found for a sys_id ServiceNow does not have', async () => {
    const res = await h.run('update-incident', { sys_id: '0'.repeat(32), state: 2 });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });

  it('add-work-note adds a work note by sys_id and by number', async () => {
    const created = await h.run('create-incident', { short_description: 'Note me' });
    expect((await h.run('add-work-note', { sys_id: created.body.sys_id, work_notes: 'first' })).body).toEqual({
      sys_id: created.body.sys_id,
      number: created.body.number,
    });
    await h.run('add-work-note', { number: created.body.number, work_notes: 'second' }).expect(200);
    const stored = h.sims.servicenow.incidents().find((i) => i.sysId === created.body.sys_id)!;
    expect(stored.journal.map((j) => j.value)).toEqual(['first', 'second']);
  });

  it('get-trunk normalises a registered and a 403-rejected trunk', async () => {
    const ok = await h.run('get-trunk', { trunkId: defaultTrunkIds.lumenSecondary });
    expect(ok.status).toBe(200);
    // A healthy trunk has no error: the fields are left out, never null.
    expect(ok.body).toEqual({
      id: defaultTrunkIds.lumenSecondary,
      name: 'Lumen SIP - CHI',
      connected: true,
      registered: true,
      state: 'registered',
      healthy: true,
      signal: 'registration',
    });
    h.sims.genesys.control.setTrunkState(defaultTrunkIds.twilio, { state: 'rejected', sipCode: 403, text: 'Forbidden' });
    const rejected = await h.run('get-trunk', { trunkId: defaultTrunkIds.twilio });
    expect(rejected.body).toMatchObject({
      id: defaultTrunkIds.twilio,
      state: 'rejected',
      registered: false,
      errorCode: 403,
      errorText: expect.stringContaining('Forbidden'),
    });
  });

  it('get-trunk answers not_found for a trunk Genesys does not have', async () => {
    const res = await h.run('get-trunk', { trunkId: 'b2000000-0000-4000-8000-0000000000ff' });
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ code: 'not_found', message: expect.stringContaining('b2000000-0000-4000-8000-0000000000ff') });
  });

  it('measures upstream calls at the edge, by upstream, operation and outcome', async () => {
    await h.run('get-incident', { number: 'INC0010001' });
    const metrics = (await request(h.app.express).get('/metrics').expect(200)).text;
    expect(metrics).toMatch(
      /trunkgate_upstream_request_duration_seconds_count\{upstream="servicenow",operation="get-incident.byNumber",outcome="2xx"\} [1-9]/,
    );
    expect(metrics).toMatch(
      /trunkgate_upstream_request_duration_seconds_count\{upstream="genesys",operation="get-trunk.trunk",outcome="2xx"\} [1-9]/,
    );
  });

  it('GET /v1/actions lists the five built-in actions with their schemas', async () => {
    const res = await request(h.app.express).get('/v1/actions').set(apiKeyHeader).expect(200);
    expect(res.body.actions.map((a: { name: string }) => a.name).sort()).toEqual([
      'add-work-note',
      'create-incident',
      'get-incident',
      'get-trunk',
      'update-incident',
    ]);
    const trunk = res.body.actions.find((a: { name: string }) => a.name === 'get-trunk');
    expect(trunk).toMatchObject({
      upstream: 'genesys',
      timeoutMs: 10_000,
      inputSchema: { required: ['trunkId'] },
      outputSchema: { required: ['id', 'state', 'healthy'], properties: { errorCode: { type: 'integer' } } },
    });
  });

  it('/openapi.json describes every action and passes an OpenAPI validator', async () => {
    const doc = (await request(h.app.express).get('/openapi.json').expect(200)).body;
    for (const name of ['create-incident', 'update-incident', 'get-incident', 'add-work-note', 'get-trunk']) {
      const op = doc.paths[`/v1/actions/${name}`].post;
      expect(op.requestBody.content['application/json'].schema.properties).toBeDefined();
      expect(op.responses['200'].content['application/json'].schema.properties).toBeDefined();
    }
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    // The validator does catch a broken document (so the check above can fail).
    const broken = structuredClone(doc);
    broken.paths['/v1/actions/get-trunk'].post.requestBody = { content: 'application/json' };
    expect((await new Validator().validate(broken)).valid).toBe(false);
  });
});
