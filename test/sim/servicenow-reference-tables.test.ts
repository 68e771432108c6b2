import { afterEach, describe, expect, it } from 'vitest';
import { demoReferenceIds, DEMO_USER, startServiceNowSim, type ServiceNowSim } from '../../src/sim/servicenow/index.js';

const BASIC = `Basic ${Buffer.from(`${DEMO_USER.username}:${DEMO_USER.password}`).toString('base64')}`;
let sim: ServiceNowSim | undefined;

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function get(path: string, auth: string | null = BASIC, method = 'GET') {
  const res = await fetch(`${sim!.url}${path}`, {
    method,
    headers: { Accept: 'application/json', ...(auth ? { Authorization: auth } : {}) },
  });
  const text = await res.text();
  return {
    status: res.status,
    body: (text ? JSON.parse(text) : undefined) as {
      result?: Array<Record<string, string>> | Record<string, string>;
      error?: { message: string };
    },
  };
}

const query = (table: string, q: string) =>
  `/api/now/table/${table}?sysparm_query=${encodeURIComponent(q)}&sysparm_limit=1&sysparm_exclude_reference_link=true`;

describe('ServiceNow simulator: the tables incident reference fields point to (read-only)', () => {
  it('serves the demo group and CI by name and by sys_id, and the users as sys_user', async () => {
    sim = await startServiceNowSim();
    expect((await get(query('sys_user_group', 'name=Network Operations'))).body.result).toEqual([
      { sys_id: demoReferenceIds.networkOperations, name: 'Network Operations', active: 'true' },
    ]);
    expect((await get(`/api/now/table/cmdb_ci/${demoReferenceIds.byocTrunks}`)).body.result).toMatchObject({
      name: 'Genesys Cloud BYOC trunks',
    });
    const users = (await get(query('sys_user', `user_name=${DEMO_USER.username}`))).body.result as Array<Record<string, string>>;
    expect(users).toEqual([expect.objectContaining({ user_name: DEMO_USER.username, sys_id: expect.stringMatching(/^[0-9a-f]{32}$/) })]);
    expect((await get(query('sys_user_group', 'name=Nobody'))).body.result).toEqual([]);
  });

  it('ignores a condition on a field the table does not have (it then matches every row), as the instance does', async () => {
    sim = await startServiceNowSim();
    const rows = (await get(`/api/now/table/sys_user_group?sysparm_query=${encodeURIComponent('no_such_field=x')}`)).body
      .result as unknown[];
    expect(rows).toHaveLength(2);
  });

  it('takes its own records, needs credentials, and refuses writes', async () => {
    sim = await startServiceNowSim({ referenceRecords: { sys_user_group: [{ name: 'NOC' }] } });
    const [group] = (await get(query('sys_user_group', 'name=NOC'))).body.result as Array<Record<string, string>>;
    expect(group!.sys_id).toMatch(/^[0-9a-f]{32}$/);
    expect((await get(query('sys_user_group', 'name=NOC'), null)).status).toBe(401);
    expect((await get('/api/now/table/sys_user_group', BASIC, 'POST')).status).toBe(405);
    expect((await get('/api/now/table/no_such_table')).body.error?.message).toBe('Invalid table no_such_table');
  });
});
