import { afterEach, describe, expect, it } from 'vitest';
import { startServiceNowSim } from '../../src/sim/servicenow/index.js';
import type { ServiceNowSim, ServiceNowSimOptions } from '../../src/sim/servicenow/index.js';

const START = Date.UTC(2025, 0, 15, 12, 0, 0);
const BASIC = `Basic ${Buffer.from('trunkgate.integration:sandbox-sn-password').toString('base64')}`;

let sim: ServiceNowSim | undefined;
let now = START;

async function start(options: ServiceNowSimOptions = {}): Promise<ServiceNowSim> {
  now = START;
  sim = await startServiceNowSim({ clock: () => now, ...options });
  return sim;
}

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

type Json = Record<string, any>;

async function api(s: ServiceNowSim, method: string, path: string, body?: unknown, auth: string | null = BASIC) {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (auth) headers.Authorization = auth;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`${s.url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as Json };
}

async function create(s: ServiceNowSim, fields: Json): Promise<Json> {
  const res = await api(s, 'POST', '/api/now/table/incident', fields);
  expect(res.status).toBe(201);
  return res.body.result as Json;
}

describe('authentication on /api/now', () => {
  it('accepts Basic auth of a configured user', async () => {
    const s = await start();
    expect((await api(s, 'GET', '/api/now/table/incident')).status).toBe(200);
  });

  it.each([
    ['no Authorization header', null],
    ['a wrong password', `Basic ${Buffer.from('trunkgate.integration:wrong').toString('base64')}`],
    ['an unknown bearer token', 'Bearer not-a-token'],
  ])('answers 401 with the instance body for %s', async (_name, auth) => {
    const s = await start();
    const res = await api(s, 'GET', '/api/now/table/incident', undefined, auth);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      error: { message: 'User Not Authenticated', detail: 'Required to provide Auth information' },
      status: 'failure',
    });
    expect(s.stats().authFailures).toBe(1);
  });
});

describe('POST /api/now/table/incident', () => {
  it('creates an incident: 201, INC number, 32-hex sys_id, defaults, string values and Location', async () => {
    const s = await start();
    const res = await api(s, 'POST', '/api/now/table/incident', {
      short_description: 'Trunk rejected',
      urgency: 2,
      impact: 1,
      correlation_id: 'trunkgate:trunk:abc',
      no_such_field: 'dropped',
    });
    expect(res.status).toBe(201);
    const r = res.body.result as Json;
    expect(r.sys_id).toMatch(/^[0-9a-f]{32}$/);
    expect(r).toMatchObject({
      number: 'INC0010001',
      state: '1',
      incident_state: '1',
      active: 'true',
      urgency: '2',
      impact: '1',
      priority: '2',
      short_description: 'Trunk rejected',
      correlation_id: 'trunkgate:trunk:abc',
      opened_at: '2025-01-15 12:00:00',
      sys_created_on: '2025-01-15 12:00:00',
      sys_updated_on: '2025-01-15 12:00:00',
      sys_created_by: 'trunkgate.integration',
    });
    expect(r.no_such_field).toBeUndefined();
    expect(res.headers.get('location')).toBe(`${s.url}/api/now/table/incident/${r.sys_id as string}`);
    expect(res.headers.get('content-type')).toBe('application/json;charset=UTF-8');
    expect(res.headers.get('date')).toBe(new Date(START).toUTCString());
    expect((await create(s, { short_description: 'second' })).number).toBe('INC0010002');
    expect(s.stats().incidentsCreated).toBe(2);
    expect(s.stats().createRequestTimes).toEqual([START, START]);
  });

  it('renders filled reference fields as {link, value} unless sysparm_exclude_reference_link=true', async () => {
    const s = await start();
    const group = 'a'.repeat(32);
    const r = await create(s, { short_description: 'x', assignment_group: group });
    expect(r.assignment_group).toEqual({ link: `${s.url}/api/now/table/sys_user_group/${group}`, value: group });
    expect(r.cmdb_ci).toBe('');
    const plain = await api(s, 'GET', `/api/now/table/incident/${r.sys_id as string}?sysparm_exclude_reference_link=true`);
    expect(plain.body.result.assignment_group).toBe(group);
  });

  it('answers 400 with the failure envelope for an invalid JSON body, and creates nothing', async () => {
    const s = await start();
    const res = await api(s, 'POST', '/api/now/table/incident', '{"short_description": ');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: { message: 'Exception while reading request', detail: 'The payload is not valid JSON.' },
      status: 'failure',
    });
    expect(s.incidents()).toHaveLength(0);
  });

  it('answers 400 "Invalid table" for a table that does not exist', async () => {
    const s = await start();
    const res = await api(s, 'GET', '/api/now/table/incidnt');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { message: 'Invalid table incidnt', detail: null }, status: 'failure' });
  });
});

describe('GET /api/now/table/incident/{sys_id}', () => {
  it('returns the record, trimmed by sysparm_fields', async () => {
    const s = await start();
    const r = await create(s, { short_description: 'x' });
    const res = await api(s, 'GET', `/api/now/table/incident/${r.sys_id as string}?sysparm_fields=number,state`);
    expect(res).toMatchObject({ status: 200, body: { result: { number: 'INC0010001', state: '1' } } });
    expect(Object.keys(res.body.result as Json).sort()).toEqual(['number', 'state']);
  });

  it('answers 404 "No Record found" for an unknown sys_id', async () => {
    const s = await start();
    const res = await api(s, 'GET', `/api/now/table/incident/${'0'.repeat(32)}`);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      error: { message: 'No Record found', detail: "Record doesn't exist or ACL restricts the record retrieval" },
      status: 'failure',
    });
  });
});

describe('PATCH /api/now/table/incident/{sys_id}', () => {
  it('appends work_notes and comments to the journal, and reads them back as empty strings', async () => {
    const s = await start();
    const r = await create(s, { short_description: 'x', work_notes: 'opened by trunkgate' });
    now += 60_000;
    const res = await api(s, 'PATCH', `/api/now/table/incident/${r.sys_id as string}`, { work_notes: 'still failing', comments: 'hello' });
    expect(res.status).toBe(200);
    expect(res.body.result).toMatchObject({ work_notes: '', comments: '', sys_updated_on: '2025-01-15 12:01:00', sys_mod_count: '1' });
    const [incident] = s.incidents();
    expect(incident!.journal).toEqual([
      {
        sysId: expect.stringMatching(/^[0-9a-f]{32}$/),
        field: 'work_notes',
        value: 'opened by trunkgate',
        author: 'trunkgate.integration',
        createdOn: '2025-01-15 12:00:00',
        at: START,
      },
      {
        sysId: expect.stringMatching(/^[0-9a-f]{32}$/),
        field: 'work_notes',
        value: 'still failing',
        author: 'trunkgate.integration',
        createdOn: '2025-01-15 12:01:00',
        at: START + 60_000,
      },
      {
        sysId: expect.stringMatching(/^[0-9a-f]{32}$/),
        field: 'comments',
        value: 'hello',
        author: 'trunkgate.integration',
        createdOn: '2025-01-15 12:01:00',
        at: START + 60_000,
      },
    ]);
    expect(s.stats()).toMatchObject({ incidentsUpdated: 1, journalEntries: 3 });
  });

  it('resolving (state 6) sets active false, incident_state, resolved_at, close_code and close_notes', async () => {
    const s = await start();
    const r = await create(s, { short_description: 'x' });
    now += 5_000;
    const res = await api(s, 'PATCH', `/api/now/table/incident/${r.sys_id as string}`, {
      state: 6,
      close_code: 'Solution provided',
      close_notes: 'Trunk registered again',
    });
    expect(res.body.result).toMatchObject({
      state: '6',
      incident_state: '6',
      active: 'false',
      close_code: 'Solution provided',
      close_notes: 'Trunk registered again',
      resolved_at: '2025-01-15 12:00:05',
    });
  });

  it('reopening (state 2) makes it active again and counts the reopen', async () => {
    const s = await start();
    const r = await create(s, { short_description: 'x' });
    const path = `/api/now/table/incident/${r.sys_id as string}`;
    await api(s, 'PATCH', path, { state: '6', close_code: 'Solution provided', close_notes: 'ok' });
    const res = await api(s, 'PUT', path, { state: '2', work_notes: 'relapse' });
    expect(res.body.result).toMatchObject({ state: '2', incident_state: '2', active: 'true', reopen_count: '1' });
    const active = await api(s, 'GET', '/api/now/table/incident?sysparm_query=active=true');
    expect(active.body.result).toHaveLength(1);
  });

  it.each([['7'], ['8']])('state %s makes the incident inactive', async (state) => {
    const s = await start();
    const r = await create(s, { short_description: 'x' });
    const res = await api(s, 'PATCH', `/api/now/table/incident/${r.sys_id as string}`, { state });
    expect(res.body.result.active).toBe('false');
  });

  it('keeps a resolved incident active when configured with resolvedIsActive', async () => {
    const s = await start({ resolvedIsActive: true });
    const r = await create(s, { short_description: 'x' });
    const res = await api(s, 'PATCH', `/api/now/table/incident/${r.sys_id as string}`, { state: '6' });
    expect(res.body.result).toMatchObject({ state: '6', active: 'true' });
  });

  it('leaves sys_mod_count and sys_updated_on alone when nothing changes', async () => {
    const s = await start();
    const r = await create(s, { short_description: 'x', urgency: '2' });
    now += 60_000;
    const res = await api(s, 'PATCH', `/api/now/table/incident/${r.sys_id as string}`, { urgency: 2 });
    expect(res.body.result).toMatchObject({ sys_mod_count: '0', sys_updated_on: '2025-01-15 12:00:00' });
  });

  it('answers 404 for an unknown sys_id', async () => {
    const s = await start();
    expect((await api(s, 'PATCH', `/api/now/table/incident/${'f'.repeat(32)}`, { state: '2' })).status).toBe(404);
  });
});

describe('DELETE /api/now/table/incident/{sys_id}', () => {
  it('answers 204, then the record is gone', async () => {
    const s = await start();
    const r = await create(s, { short_description: 'x' });
    const path = `/api/now/table/incident/${r.sys_id as string}`;
    const res = await api(s, 'DELETE', path);
    expect(res.status).toBe(204);
    expect(res.body).toBeUndefined();
    expect((await api(s, 'GET', path)).status).toBe(404);
    expect((await api(s, 'DELETE', path)).status).toBe(404);
  });
});

describe('robustness', () => {
  it('answers JSON for unknown paths and unsupported methods, and keeps serving', async () => {
    const s = await start();
    const unknownApi = await api(s, 'GET', '/api/now/nothing/here');
    expect(unknownApi.status).toBe(400);
    expect(unknownApi.body.status).toBe('failure');
    expect((await api(s, 'GET', '/nowhere')).status).toBe(404);
    expect((await api(s, 'POST', `/api/now/table/incident/${'a'.repeat(32)}`, {})).status).toBe(405);
    expect((await api(s, 'GET', '/api/now/table/%E0%A4%A')).status).toBe(400);
    expect((await api(s, 'POST', '/api/now/table/incident', '[1,2]')).status).toBe(400);
    expect((await api(s, 'GET', '/api/now/table/incident')).status).toBe(200);
  });

  it('refuses a body over maxBodyBytes with the instance message', async () => {
    const s = await start({ maxBodyBytes: 100 });
    const res = await api(s, 'POST', '/api/now/table/incident', { short_description: 'x'.repeat(200) });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe('Exception while reading request');
    expect(res.body.error.detail).toMatch(/^Rejected large REST payload with content-length = \d+ bytes\. Max allowed: 100 bytes\.$/);
  });
});
