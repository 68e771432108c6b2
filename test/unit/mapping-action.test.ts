import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UpstreamTimeoutError } from '../../src/errors/app-error.js';
import { MappingAction } from '../../src/actions/mapping-action.js';
import { loadMappings } from '../../src/actions/mapping-loader.js';
import { MAPPING_TARGETS } from '../../src/app/create-upstreams.js';
import { parseTemplate } from '../../src/actions/template.js';
import { ManualClock } from '../../src/time/manual-clock.js';
import type { UpstreamRequest } from '../../src/upstream/upstream-api.js';
import { FakeUpstreamApi } from '../support/fake-upstream.js';

const ctx = { requestId: 'r1', signal: new AbortController().signal };
const builtins = loadMappings(path.resolve('mappings'), { defaultTimeoutMs: 10_000, targets: MAPPING_TARGETS });
const builtin = (name: string) => builtins.find((m) => m.summary.name === name)!;
const tmp: string[] = [];
afterAll(() => tmp.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function mappingFrom(yaml: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trunkgate-unit-mappings-'));
  tmp.push(dir);
  fs.mkdirSync(path.join(dir, 'actions'));
  const name = /name: (\S+)/.exec(yaml)![1]!;
  fs.writeFileSync(path.join(dir, 'actions', `${name}.yaml`), yaml);
  return loadMappings(dir, { defaultTimeoutMs: 10_000, targets: MAPPING_TARGETS })[0]!;
}

const echo = mappingFrom(`
name: echo
description: sends its input back as path, query and body
upstream: servicenow
input: { type: object, properties: { id: { type: string }, n: { type: integer }, tags: { type: array, items: { type: string } }, q: { type: string } } }
steps:
  - name: call
    method: POST
    path: /api/x/\${id}/items
    query: { text: '\${q}', n: '\${n}', fixed: 'a&b=c', tag: '\${tags}' }
    body: { count: '\${n}', label: 'n=\${n}', nested: { list: ['\${id}', '\${missing}'] }, absent: '\${missing}' }
output: { schema: { type: object, properties: { ok: { type: boolean } } }, fields: { ok: true } }
`);

describe('MappingAction', () => {
  it('escapes each value for its place: one path segment, URLSearchParams, JSON built as data', async () => {
    const api = new FakeUpstreamApi('servicenow', () => ({}));
    await new MappingAction(echo, { api, clock: new ManualClock() }).run({ id: 'a/b c?d', q: 'x&y=z#', n: 3, tags: ['p', 'q'] }, ctx);
    const req = api.calls[0]!.request;
    expect(req.path).toBe('/api/x/a%2Fb%20c%3Fd/items');
    expect(req.query!.toString()).toBe('text=x%26y%3Dz%23&n=3&fixed=a%26b%3Dc&tag=p&tag=q');
    expect(req.body).toEqual({ count: 3, label: 'n=3', nested: { list: ['a/b c?d'] } });
  });

  it('refuses path values that would change the path ("..", ".", empty)', async () => {
    const api = new FakeUpstreamApi('servicenow', () => ({}));
    const action = new MappingAction(echo, { api, clock: new ManualClock() });
    for (const id of ['..', '.', '']) {
      await expect(action.run({ id }, ctx)).rejects.toMatchObject({ code: 'validation_failed' });
    }
    expect(api.calls).toHaveLength(0);
  });

  it('get-incident escapes a caret in an encoded-query value and checks what came back', async () => {
    const api = new FakeUpstreamApi('servicenow', () => ({
      result: [{ sys_id: 'b'.repeat(32), number: 'INC0000099', state: '1', short_description: 's', assignment_group: '' }],
    }));
    const action = new MappingAction(builtin('get-incident'), { api, clock: new ManualClock() });
    // The query quirk: ServiceNow answered with some other row; the mapping must not return it.
    await expect(action.run({ number: 'INC0000001' }, ctx)).rejects.toMatchObject({ code: 'not_found' });
    expect(api.calls[0]!.request.query!.get('sysparm_query')).toBe('number=INC0000001');
    expect(api.calls[0]!.request.query!.get('sysparm_limit')).toBe('1');
  });

  it('create-incident: an answer lost after the POST is confirmed by the correlation lookup, not resent', async () => {
    const found = { sys_id: 'c'.repeat(32), number: 'INC0000042', state: '1', correlation_id: 'k1', active: 'true' };
    const api = new FakeUpstreamApi('servicenow', (req: UpstreamRequest, n) => {
      if (req.method === 'POST')
        throw new UpstreamTimeoutError('lost', { upstream: 'servicenow', operation: req.operation, processed: 'unknown' });
      return { result: n === 1 ? [] : [found] };
    });
    const out = await new MappingAction(builtin('create-incident'), { api, clock: new ManualClock() }).run(
      { short_description: 'x', correlation_id: 'k1' },
      ctx,
    );
    expect(out).toEqual({ sys_id: found.sys_id, number: found.number, state: '1' });
    expect(api.calls.map((c) => c.request.method)).toEqual(['GET', 'POST', 'GET']);
    // The POST's first attempt leaves time for the lookup.
    expect(api.calls[1]!.options!.attemptTimeoutMs).toBeLessThanOrEqual(6_000);
  });

  it('create-incident: when the lookup finds nothing after a lost answer, sends the POST once more', async () => {
    let posts = 0;
    const api = new FakeUpstreamApi('servicenow', (req: UpstreamRequest) => {
      if (req.method === 'GET') return { result: [] };
      posts += 1;
      if (posts === 1) throw new UpstreamTimeoutError('lost', { upstream: 'servicenow', operation: req.operation, processed: 'unknown' });
      return { result: { sys_id: 'd'.repeat(32), number: 'INC0000043', state: '1' } };
    });
    const out = await new MappingAction(builtin('create-incident'), { api, clock: new ManualClock() }).run(
      { short_description: 'x', correlation_id: 'k2' },
      ctx,
    );
    expect(out.number).toBe('INC0000043');
    expect(api.calls.map((c) => c.request.method)).toEqual(['GET', 'POST', 'GET', 'POST']);
  });

  it('create-incident without a correlation_id cannot confirm a lost answer: upstream_timeout, no second POST', async () => {
    const api = new FakeUpstreamApi('servicenow', (req: UpstreamRequest) => {
      throw new UpstreamTimeoutError('lost', { upstream: 'servicenow', operation: req.operation, processed: 'unknown' });
    });
    await expect(
      new MappingAction(builtin('create-incident'), { api, clock: new ManualClock() }).run({ short_description: 'x' }, ctx),
    ).rejects.toMatchObject({ code: 'upstream_timeout' });
    expect(api.calls).toHaveLength(1);
  });

  it('an upstream answer the output schema does not accept is upstream_error, with the problem named', async () => {
    const api = new FakeUpstreamApi('servicenow', () => ({ result: { sys_id: 'e'.repeat(32), number: 42 } }));
    const err = await new MappingAction(builtin('add-work-note'), { api, clock: new ManualClock() })
      .run({ sys_id: 'e'.repeat(32), work_notes: 'n' }, ctx)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'upstream_error', message: expect.stringContaining('/number must be string') });
  });

  it('update-incident sends state and urgency as strings and leaves unset fields out of the body', async () => {
    const api = new FakeUpstreamApi('servicenow', () => ({ result: { sys_id: 'f'.repeat(32), number: 'INC1', state: '2' } }));
    await new MappingAction(builtin('update-incident'), { api, clock: new ManualClock() }).run(
      { sys_id: 'f'.repeat(32), state: 2, urgency: 1 },
      ctx,
    );
    expect(api.calls[0]!.request).toMatchObject({
      method: 'PATCH',
      path: `/api/now/table/incident/${'f'.repeat(32)}`,
      body: { state: '2', urgency: '1' },
    });
    expect(Object.keys(api.calls[0]!.request.body as object).sort()).toEqual(['state', 'urgency']);
    expect(api.calls[0]!.options!.idempotent).toBe(false);
  });
});

describe('templates', () => {
  it('keeps the JSON type of a lone placeholder and joins mixed ones as text', async () => {
    expect(await parseTemplate('${n}').evaluate({ n: 3 }, {})).toBe(3);
    expect(await parseTemplate('${n}').evaluate({}, {})).toBeUndefined();
    expect(await parseTemplate('n=${n}, m=${m}').evaluate({ n: 3, m: null }, {})).toBe('n=3, m=');
    expect(await parseTemplate('plain').evaluate({}, {})).toBe('plain');
  });

  it('finds the end of a placeholder past nested braces and quoted braces', async () => {
    expect(await parseTemplate('${ {"a": "}"}.a }!').evaluate({}, {})).toBe('}!');
    expect(await parseTemplate('x${$string({"k": n})}y').evaluate({ n: 1 }, {})).toBe('x{"k":1}y');
  });

  it('rejects an unclosed or empty placeholder', () => {
    expect(() => parseTemplate('a ${b')).toThrow(/without its closing/);
    expect(() => parseTemplate('a ${ }')).toThrow(/empty placeholder/);
  });

  it('reads plain paths like JSONata does, arrays included', async () => {
    const root = { a: { b: 1 }, list: [{ x: 1 }, { x: 2 }] };
    expect(await parseTemplate('${a.b}').evaluate(root, {})).toBe(1);
    expect(await parseTemplate('${list.x}').evaluate(root, {})).toEqual([1, 2]);
    expect(await parseTemplate('${$steps.s.v}').evaluate(root, { steps: { s: { v: 'w' } } })).toBe('w');
    expect(await parseTemplate('${true}').evaluate({ true: 'field' }, {})).toBe(true);
  });

  it('reads indexed paths exactly as JSONata does', async () => {
    const cases: Array<[string, unknown]> = [
      ['result[0]', { result: [{ a: 1 }, { a: 2 }] }],
      ['result[1].a', { result: [{ a: 1 }, { a: 2 }] }],
      ['result[0]', { result: { a: 1 } }],
      ['result[1]', { result: { a: 1 } }],
      ['result[0]', { result: [] }],
      ['result[0]', { result: [[1, 2], [3]] }],
      ['result[0].a', { result: [{ a: [1, 2] }] }],
      ['result[0]', {}],
    ];
    for (const [path, root] of cases) {
      const direct = await parseTemplate(`\${${path}}`).evaluate(root, {});
      const viaJsonata = await parseTemplate(`\${(${path})}`).evaluate(root, {});
      expect(direct, `${path} on ${JSON.stringify(root)}`).toEqual(viaJsonata);
    }
  });
});
