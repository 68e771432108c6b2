import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auditUpstream, checkResponse, contractValidators, queryProblems, queryTerms, secretForms } from '../support/hostile-checks.js';
import { bodyOfBytes, nested } from '../support/hostile-values.js';
import { operationsFrom, pctEncode, type HostileRequest } from '../support/hostile-requests.js';
import { smuggledObject } from '../support/schema-arbitrary.js';

// The fuzz run's checks must be able to fail: each is shown a violation it has to report.

describe('ServiceNow query checks', () => {
  it('splits where ServiceNow splits: ^^ is a literal caret', () => {
    expect(queryTerms('active=true^correlation_id=a^^ORb^^^ORDERBYDESCsys_created_on')).toEqual([
      'active=true',
      'correlation_id=a^^ORb^^',
      'ORDERBYDESCsys_created_on',
    ]);
  });

  it('accepts what trunkgate writes, escaped values included', () => {
    expect(queryProblems('active=true^correlation_id=x^^ORactive=false^^NQy')).toEqual([]);
    expect(queryProblems('correlation_id=trunkgate:trunkbase:b^active=true^ORDERBYDESCsys_created_on')).toEqual([]);
    expect(queryProblems('element_id=abc^element=work_notes^valueLIKE[trunkgate:d:ab-1]')).toEqual([]);
  });

  it.each([
    ['an ^OR condition', 'active=true^correlation_id=x^ORactive=false'],
    ['an ^NQ query', 'number=INC1^NQactive=true'],
    ['an ISNOTEMPTY condition', 'active=true^correlation_id=x^correlation_idISNOTEMPTY'],
    ['an ORDERBY the caller chose', 'number=x^ORDERBYnumber'],
    ['a field written twice', 'active=true^correlation_id=x^active=false'],
  ])('reports %s', (_what, query) => {
    expect(queryProblems(query)).not.toEqual([]);
  });
});

describe('upstream request audit', () => {
  const sn = (path: string, query: string, headers = {}) => auditUpstream({ upstream: 'servicenow', method: 'GET', path, query, headers });
  it('accepts a lookup as trunkgate sends it', () => {
    expect(
      sn(
        '/api/now/table/incident',
        new URLSearchParams({ sysparm_query: 'number=INC1', sysparm_limit: '1', sysparm_fields: 'sys_id,number' }).toString(),
      ),
    ).toEqual([]);
  });

  it('reports a widened query, an added parameter, a big limit, traversal, a foreign path and CR/LF in a header', () => {
    expect(sn('/api/now/table/incident', 'sysparm_query=number%3Dx%5EORactive%3Dtrue')).toHaveLength(1);
    expect(sn('/api/now/table/incident', 'sysparm_query=number%3Dx&sysparm_limit=1&sysparm_limit=1000')).not.toEqual([]);
    expect(sn('/api/now/table/incident', 'sysparm_display_value=all')).toHaveLength(1);
    expect(sn('/api/now/table/incident/..%2Fsys_user', '')).not.toEqual([]);
    expect(sn('/api/now/table/sys_user', '')).toHaveLength(1);
    expect(sn('/api/now/table/incident', '', { 'x-note': 'a\r\nX-Injected: 1' })).toHaveLength(1);
    expect(
      auditUpstream({
        upstream: 'genesys',
        method: 'GET',
        path: '/api/v2/telephony/providers/edges/trunks/../users',
        query: '',
        headers: {},
      }),
    ).not.toEqual([]);
  });
});

describe('answer checks', () => {
  const doc = {
    paths: {
      '/v1/x': { get: { responses: { '200': { content: { 'application/json': { schema: { type: 'object', required: ['ok'] } } } } } } },
    },
    components: {
      schemas: {
        Error: {
          type: 'object',
          required: ['error', 'requestId'],
          properties: { error: { type: 'object', required: ['code', 'message', 'details'] }, requestId: { type: 'string' } },
        },
      },
    },
  };
  const validators = contractValidators(doc, operationsFrom(doc));
  const req: HostileRequest = { op: 'GET /v1/x', method: 'GET', path: '/v1/x', headers: {} };
  const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const all = { 'content-type': 'application/json', 'x-request-id': 'r1', ...headers };
    return checkResponse(
      req,
      { status, headers: all, rawHeaders: Object.entries(all).flat(), body: Buffer.from(text) },
      { validators, secrets: secretForms(['s3cr3t-value'], [['u', 'p4ssw0rd']]) },
    );
  };
  const error = (code: string) => ({ error: { code, message: 'm', details: [] }, requestId: 'r1' });

  it('accepts a contract error and a documented success', () => {
    expect(answer(404, error('not_found'))).toEqual([]);
    expect(answer(200, { ok: true })).toEqual([]);
  });

  it('reports a 5xx, a code with the wrong status, another shape, an unlike requestId, an undocumented 200 and a leaked secret', () => {
    expect(answer(500, error('internal'))).toHaveLength(1);
    expect(answer(400, error('not_found'))).toHaveLength(1);
    expect(answer(400, { message: 'bad' })).not.toEqual([]);
    expect(answer(400, { ...error('invalid_json'), requestId: 'other' })).toHaveLength(1);
    expect(answer(200, { nope: 1 })).toHaveLength(1);
    expect(answer(401, error('unauthorized'))).toEqual(['401 without WWW-Authenticate']);
    expect(answer(200, { ok: true, echo: 'Bearer s3cr3t-value' })).toHaveLength(1);
    expect(answer(200, { ok: true }, { 'x-echo': Buffer.from('u:p4ssw0rd').toString('base64') })).toHaveLength(1);
    expect(answer(200, 'not json')).not.toEqual([]);
  });
});

describe('generators', () => {
  it('make bodies of an exact size in bytes, and nesting of an exact depth', () => {
    for (const unit of ['a', 'é', '€', '😀']) expect(Buffer.byteLength(bodyOfBytes('pad', 10_241, unit))).toBe(10_241);
    expect(JSON.stringify(nested(3, 'array'))).toBe('[[["x"]]]');
  });

  it('percent-encode lone surrogates as a client would (U+FFFD) instead of throwing', () => {
    expect(pctEncode('a/\ud800')).toBe('a%2F%EF%BF%BD');
  });

  it('smuggle hostile text only where the schema accepts it, and keep oneOf alternatives exclusive', () => {
    const schema = {
      type: 'object',
      required: ['id'],
      properties: {
        id: { type: 'string', pattern: '^[a-z]{3}$' },
        note: { type: 'string', minLength: 1, maxLength: 5 },
        a: { type: 'integer' },
        b: { type: 'integer' },
      },
      oneOf: [{ required: ['a'] }, { required: ['b'] }],
    };
    for (const o of fc.sample(smuggledObject(schema), { seed: 7, numRuns: 200 })) {
      expect(o.id).toMatch(/^[a-z]{3}$/);
      if (o.note !== undefined) expect([...String(o.note)].length).toBeLessThanOrEqual(5);
      expect(('a' in o ? 1 : 0) + ('b' in o ? 1 : 0)).toBe(1);
    }
  });
});
