import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchesQuery, parseEncodedQuery } from '../../src/sim/servicenow/encoded-query.js';
import { startServiceNowSim } from '../../src/sim/servicenow/index.js';
import type { ServiceNowSim } from '../../src/sim/servicenow/index.js';

const BASIC = `Basic ${Buffer.from('trunkgate.integration:sandbox-sn-password').toString('base64')}`;
const known = (f: string) => ['state', 'number', 'active', 'short_description', 'correlation_id'].includes(f);

describe('parseEncodedQuery', () => {
  it('binds ^OR to the condition before it and ^ as AND', () => {
    const q = parseEncodedQuery('active=true^state=1^ORstate=2', known);
    expect(q.groups).toEqual([
      [
        [{ field: 'active', operator: '=', value: 'true' }],
        [
          { field: 'state', operator: '=', value: '1' },
          { field: 'state', operator: '=', value: '2' },
        ],
      ],
    ]);
    expect(matchesQuery(q, { active: 'true', state: '2' })).toBe(true);
    expect(matchesQuery(q, { active: 'false', state: '2' })).toBe(false);
    expect(matchesQuery(q, { active: 'true', state: '3' })).toBe(false);
  });

  it('drops conditions on unknown fields, so they match everything', () => {
    const q = parseEncodedQuery('corelation_id=trunkgate:trunk:1', known);
    expect(q.ignored).toEqual(['corelation_id=trunkgate:trunk:1']);
    expect(matchesQuery(q, { correlation_id: 'other' })).toBe(true);
  });

  it('reads operators, ^NQ, escaped carets and ORDERBY terms', () => {
    const q = parseEncodedQuery('short_descriptionLIKEa^^b^stateIN1,2^NQnumberSTARTSWITHINC9^ORDERBYDESCnumber^ORDERBYstate', known);
    expect(q.groups[0]).toEqual([
      [{ field: 'short_description', operator: 'LIKE', value: 'a^b' }],
      [{ field: 'state', operator: 'IN', value: '1,2' }],
    ]);
    expect(q.groups[1]).toEqual([[{ field: 'number', operator: 'STARTSWITH', value: 'INC9' }]]);
    expect(q.orderBy).toEqual([
      { field: 'number', descending: true },
      { field: 'state', descending: false },
    ]);
    expect(matchesQuery(q, { short_description: 'xA^By', state: '2', number: 'INC1' })).toBe(true);
    expect(matchesQuery(q, { short_description: 'nothing', state: '2', number: 'INC90' })).toBe(true);
    expect(matchesQuery(q, { short_description: 'nothing', state: '2', number: 'INC10' })).toBe(false);
  });
});

describe('GET /api/now/table/incident?sysparm_query=…', () => {
  let sim: ServiceNowSim;
  let clockMs = Date.UTC(2025, 0, 15, 12, 0, 0);

  async function list(query: string) {
    const res = await fetch(`${sim.url}/api/now/table/incident?${query}`, { headers: { Authorization: BASIC } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { result: Array<Record<string, string>> };
    return { rows: body.result, total: res.headers.get('x-total-count'), link: res.headers.get('link') ?? '' };
  }

  beforeAll(async () => {
    sim = await startServiceNowSim({ clock: () => clockMs });
    const post = async (fields: Record<string, string>) => {
      clockMs += 1000;
      const res = await fetch(`${sim.url}/api/now/table/incident`, {
        method: 'POST',
        headers: { Authorization: BASIC, 'Content-Type': 'application/json' },
        body: JSON.stringify(fields),
      });
      expect(res.status).toBe(201);
    };
    await post({ short_description: 'Trunk A rejected', correlation_id: 'trunkgate:trunk:a' });
    await post({ short_description: 'Trunk B dropped', correlation_id: 'trunkgate:trunk:b', state: '2' });
    await post({ short_description: 'Printer jam', correlation_id: 'printer:1', state: '7' });
  });

  afterAll(async () => {
    await sim.close();
  });

  it('filters with field=value', async () => {
    const { rows, total } = await list('sysparm_query=correlation_id=trunkgate:trunk:b');
    expect(rows.map((r) => r.number)).toEqual(['INC0010002']);
    expect(total).toBe('1');
  });

  it('ANDs conditions joined by ^ and ORs those joined by ^OR', async () => {
    expect((await list('sysparm_query=active=true^state=2')).rows.map((r) => r.number)).toEqual(['INC0010002']);
    expect((await list(`sysparm_query=${encodeURIComponent('state=1^ORstate=7')}`)).rows.map((r) => r.number)).toEqual([
      'INC0010001',
      'INC0010003',
    ]);
  });

  it('active=true leaves out closed incidents', async () => {
    expect((await list('sysparm_query=active=true')).rows.map((r) => r.number)).toEqual(['INC0010001', 'INC0010002']);
  });

  it('supports !=, LIKE, STARTSWITH and ORDERBYDESC', async () => {
    expect((await list('sysparm_query=state!=1')).rows).toHaveLength(2);
    expect((await list('sysparm_query=short_descriptionLIKEtrunk')).rows).toHaveLength(2);
    expect((await list('sysparm_query=correlation_idSTARTSWITHprinter')).rows.map((r) => r.number)).toEqual(['INC0010003']);
    expect((await list('sysparm_query=ORDERBYDESCsys_created_on')).rows.map((r) => r.number)).toEqual([
      'INC0010003',
      'INC0010002',
      'INC0010001',
    ]);
  });

  it('ignores a condition on an unknown field, so the query matches every row (the real quirk)', async () => {
    const all = await list('sysparm_query=corelation_id=trunkgate:trunk:a');
    expect(all.rows).toHaveLength(3);
    expect(all.total).toBe('3');
    const one = await list('sysparm_query=corelation_id=trunkgate:trunk:a&sysparm_limit=1');
    expect(one.rows).toHaveLength(1);
    expect(one.total).toBe('3');
    expect(one.link).toContain('rel="next"');
  });

  it('pages with sysparm_limit and sysparm_offset, and trims with sysparm_fields', async () => {
    const page = await list('sysparm_limit=1&sysparm_offset=1&sysparm_fields=number,sys_id');
    expect(page.rows).toHaveLength(1);
    expect(page.rows[0]!.number).toBe('INC0010002');
    expect(Object.keys(page.rows[0]!).sort()).toEqual(['number', 'sys_id']);
    expect(page.link).toContain('rel="prev"');
  });

  it('returns every row when no query and no limit are given (default limit 10000)', async () => {
    expect((await list('')).rows).toHaveLength(3);
  });
});

describe("GET /api/now/table/sys_journal_field: the incidents' journal entries, with the same query semantics", () => {
  let sim: ServiceNowSim;
  const sysIds: string[] = [];

  async function journal(query: string) {
    const res = await fetch(`${sim.url}/api/now/table/sys_journal_field?${query}`, { headers: { Authorization: BASIC } });
    expect(res.status).toBe(200);
    return ((await res.json()) as { result: Array<Record<string, string>> }).result;
  }

  beforeAll(async () => {
    sim = await startServiceNowSim({ clock: () => Date.UTC(2025, 0, 15, 12, 0, 0) });
    const call = async (method: string, path: string, fields: Record<string, string>) => {
      const res = await fetch(`${sim.url}${path}`, {
        method,
        headers: { Authorization: BASIC, 'Content-Type': 'application/json' },
        body: JSON.stringify(fields),
      });
      return ((await res.json()) as { result: Record<string, string> }).result;
    };
    for (const n of [1, 2])
      sysIds.push((await call('POST', '/api/now/table/incident', { short_description: `inc ${n}`, work_notes: `opened ${n}` })).sys_id!);
    await call('PATCH', `/api/now/table/incident/${sysIds[0]}`, {
      work_notes: 'carrier says: fixed\n[trunkgate:d:ab12-7]',
      comments: 'customer told',
    });
  });

  afterAll(async () => {
    await sim.close();
  });

  it('has one row per entry: element_id, element, name, value, who and when', async () => {
    const rows = await journal(`sysparm_query=element_id=${sysIds[0]}`);
    expect(rows.map((r) => [r.element, r.value])).toEqual([
      ['work_notes', 'opened 1'],
      ['work_notes', 'carrier says: fixed\n[trunkgate:d:ab12-7]'],
      ['comments', 'customer told'],
    ]);
    expect(rows[0]).toMatchObject({
      element_id: sysIds[0],
      name: 'incident',
      sys_created_by: 'trunkgate.integration',
      sys_created_on: '2025-01-15 12:00:00',
      sys_id: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
  });

  it('finds a marker with valueLIKE, only in the incident and element asked for', async () => {
    const q = (id: string, element: string) =>
      `sysparm_query=${encodeURIComponent(`element_id=${id}^element=${element}^valueLIKE[trunkgate:d:ab12-7]`)}&sysparm_limit=1`;
    expect((await journal(q(sysIds[0]!, 'work_notes'))).map((r) => r.value)).toEqual(['carrier says: fixed\n[trunkgate:d:ab12-7]']);
    expect(await journal(q(sysIds[0]!, 'comments'))).toEqual([]);
    expect(await journal(q(sysIds[1]!, 'work_notes'))).toEqual([]);
  });

  it('ignores unknown fields like the incident table, and is read-only', async () => {
    expect(await journal('sysparm_query=no_such_field=1')).toHaveLength(4);
    const one = (await journal('sysparm_limit=1'))[0]!;
    const byId = await fetch(`${sim.url}/api/now/table/sys_journal_field/${one.sys_id}`, { headers: { Authorization: BASIC } });
    expect(((await byId.json()) as { result: Record<string, string> }).result).toEqual(one);
    const post = await fetch(`${sim.url}/api/now/table/sys_journal_field`, {
      method: 'POST',
      headers: { Authorization: BASIC, 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(post.status).toBe(405);
  });
});
