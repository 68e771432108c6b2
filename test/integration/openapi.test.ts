import fs from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type TrunkgateApp } from '../../src/app/create-app.js';
import { credentialsResponseSchema } from '../../src/http/schemas.js';
import { defaultTrunkIds } from '../../src/sim/genesys/index.js';
import type { Simulators } from '../../src/sim/start-simulators.js';
import { createSchemaEngine } from '../../src/validation/schema-engine.js';
import { apiClient } from '../support/api-client.js';
import { eventually } from '../support/eventually.js';
import { servicenowOffenders } from '../support/servicenow-openapi.js';
import { startTestSims } from '../support/sims.js';
import { memoryLogger, testConfig } from '../support/test-config.js';

type Operation = {
  operationId: string;
  security?: unknown[];
  parameters?: Array<{ name: string; in: string }>;
  responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
};
type Doc = { openapi: string; paths: Record<string, Record<string, Operation>> };

/** The endpoints of README's "HTTP API" table: method, path, query parameter names. */
function readmeEndpoints(): Array<{ method: string; path: string; query: string[] }> {
  const readme = fs.readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('\n## HTTP API\n'));
  const table = section
    .slice(0, section.indexOf('\n###'))
    .split('\n')
    .filter((line) => line.startsWith('| `'));
  return table.flatMap((row) =>
    [...row.split(' | ')[0]!.matchAll(/`(GET|POST|PUT|PATCH|DELETE) ([^`]+)`/g)].map(([, method, target]) => {
      const [path, query = ''] = target!.replace(/\\\|/g, '|').split('?');
      return { method: method!.toLowerCase(), path: path!, query: query ? query.split('&').map((p) => p.split('=')[0]!) : [] };
    }),
  );
}

const operations = (doc: Doc) =>
  Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method, op })));
const STORE_BACKED = [
  '/v1/trunks',
  '/v1/trunks/{id}',
  '/v1/trunks/{id}/events',
  '/v1/incidents',
  '/v1/events',
  '/v1/audit',
  '/v1/maintenance',
  '/v1/maintenance/{id}',
];

describe('GET /openapi.json: OpenAPI 3.0.3 that ServiceNow imports', () => {
  let sims: Simulators;
  let app: TrunkgateApp;
  let api: ReturnType<typeof apiClient>;
  let baseUrl: string;
  let doc: Doc;
  let doc31: Doc;
  const trunk = defaultTrunkIds.lumenPrimary;

  beforeAll(async () => {
    const started = await startTestSims();
    sims = started.sims;
    app = await createApp(testConfig({ ...started.env, INCIDENT_OPEN_AFTER_MS: '0', INCIDENT_NOTE_INTERVAL_MS: '0' }), {
      logger: memoryLogger('warn').logger,
      processMetrics: false,
      monitor: null,
    });
    baseUrl = await app.listen(0, '127.0.0.1');
    api = apiClient(baseUrl);
    // One trunk failing with an incident, one healthy with nothing known but its state: both shapes, nulls included.
    await api.post('/v1/events', {
      eventId: 'oa-1',
      trunkId: trunk,
      state: 'rejected',
      sipCode: 403,
      errorText: 'Forbidden',
      edge: { id: 'e1' },
    });
    await api.post('/v1/events', { eventId: 'oa-2', trunkId: defaultTrunkIds.twilio, state: 'registered' });
    await eventually(async () =>
      expect((await api.get('/v1/incidents')).body.incidents[0]).toMatchObject({ pendingDeliveries: 0, number: expect.any(String) }),
    );
    // Both are open: fetched without credentials.
    doc = (await (await fetch(`${baseUrl}/openapi.json`)).json()) as Doc;
    doc31 = (await (await fetch(`${baseUrl}/openapi-3.1.json`)).json()) as Doc;
  });
  afterAll(async () => {
    await app?.close();
    await sims?.close();
  });

  it('is a valid OpenAPI 3.0 document to the maintained validator; the 3.1 form is served beside it', async () => {
    expect(doc.openapi).toBe('3.0.3');
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(validator.version).toBe('3.0');
    const v31 = new Validator();
    expect((await v31.validate(doc31)).valid).toBe(true);
    expect(v31.version).toBe('3.1');
  });

  it('holds nothing ServiceNow rejects (and the check finds what the 3.1 form has)', () => {
    expect(servicenowOffenders(doc)).toEqual([]);
    const in31 = servicenowOffenders(doc31);
    expect(in31).toContain(
      "$.paths['/v1/trunks'].get.responses['200'].content['application/json'].schema.properties.trunks.items.properties.name.anyOf: anyOf (ServiceNow does not support it)",
    );
    expect(in31.some((o) => o.includes("/v1/events'].post.requestBody") && o.endsWith('oneOf (ServiceNow does not support it)'))).toBe(
      true,
    );
  });

  it("has every endpoint of README's HTTP API table, with its query parameters", () => {
    const endpoints = readmeEndpoints();
    expect(endpoints.length).toBeGreaterThanOrEqual(13);
    for (const { method, path, query } of endpoints) {
      const op = doc.paths[path]?.[method];
      expect(op, `${method.toUpperCase()} ${path}`).toBeDefined();
      expect(
        op!.parameters
          ?.filter((p) => p.in === 'query')
          .map((p) => p.name)
          .sort() ?? [],
        `${path} query`,
      ).toEqual([...query].sort());
    }
    expect(endpoints).toContainEqual({ method: 'get', path: '/v1/credentials', query: [] });
  });

  it('every operation: a unique operationId and its errors in the Error schema; /v1 says 401, 403 with its permission, 429, 500 and 503, store_unavailable where the store is read', () => {
    const ops = operations(doc);
    const ids = ops.map(({ op }) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(
      expect.arrayContaining([
        'listTrunks',
        'getTrunk',
        'listIncidents',
        'postTrunkEvent',
        'getCredentials',
        'listActions',
        'runAction',
        'createIncident',
        'getTrunkAction',
        'listAudit',
      ]),
    );
    for (const { path, method, op } of ops) {
      const where = `${method.toUpperCase()} ${path}`;
      expect(op.responses['500']?.content?.['application/json']?.schema, where).toEqual({ $ref: '#/components/schemas/Error' });
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) >= 400 && !(path === '/readyz' && status === '503'))
          expect(response.content?.['application/json']?.schema, `${where} ${status}`).toEqual({ $ref: '#/components/schemas/Error' });
      }
      if (path.startsWith('/v1/')) {
        expect(op.security, where).toBeUndefined(); // the document's security applies
        expect(Object.keys(op.responses), where).toEqual(expect.arrayContaining(['401', '403', '429', '503']));
        expect(op.responses['403']!.description, where).toMatch(
          /^forbidden: the caller lacks the permission (actions:run|events:write|status:read|audit:read|maintenance:write)/,
        );
      } else {
        expect(op.security, where).toEqual([]);
      }
      if (STORE_BACKED.includes(path)) expect(op.responses['503']!.description, where).toMatch(/^store_unavailable/);
    }
    for (const action of ['create-incident', 'update-incident', 'get-incident', 'add-work-note', 'get-trunk']) {
      expect(Object.keys(doc.paths[`/v1/actions/${action}`]!.post!.responses)).toEqual([
        '200',
        '400',
        '401',
        '403',
        '404',
        '413',
        '415',
        '429',
        '500',
        '502',
        '503',
        '504',
      ]);
      expect(doc.paths[`/v1/actions/${action}`]!.post!.responses['403']!.description).toBe(
        `forbidden: the caller lacks the permission actions:run:${action} (or actions:run) (error.details[0].permission names it)`,
      );
    }
  });

  it('documents the several-org surface: the org routes, ?org=, the unknown-org 404, org and connection fields', () => {
    const param = (op: Operation | undefined, name: string) => op?.parameters?.find((p) => p.name === name);
    expect(doc.paths['/v1/orgs/{org}/actions']?.get?.operationId).toBe('listOrgActions');
    expect(doc.paths['/v1/orgs/{org}/actions/{name}']?.post?.operationId).toBe('runOrgAction');
    for (const action of ['create-incident', 'update-incident', 'get-incident', 'add-work-note', 'get-trunk']) {
      const op = doc.paths[`/v1/orgs/{org}/actions/${action}`]?.post;
      expect(param(op, 'org'), action).toMatchObject({ in: 'path', required: true });
      expect(op!.responses['404']!.description, action).toMatch(/no Genesys org of that name is configured/);
      // The same schemas as the default org's path.
      expect(op!.responses['200'], action).toEqual(doc.paths[`/v1/actions/${action}`]!.post!.responses['200']);
    }
    for (const path of ['/v1/orgs/{org}/actions', '/v1/orgs/{org}/actions/{name}'])
      for (const op of Object.values(doc.paths[path]!)) {
        expect(param(op, 'org'), path).toMatchObject({ in: 'path', required: true });
        expect(op.responses['404']!.description, path).toMatch(/^not_found: no Genesys org of that name/);
      }
    for (const path of ['/v1/trunks', '/v1/incidents']) {
      expect(param(doc.paths[path]!.get, 'org'), path).toMatchObject({ in: 'query', required: false });
      expect(doc.paths[path]!.get!.responses['404']!.description, path).toMatch(/^not_found: no Genesys org/);
    }
    expect(doc.paths['/v1/events']!.post!.responses['404']!.description).toMatch(/org/);
    type Props = { properties: Record<string, { type?: string }> };
    const body = (path: string, method: string, status = '200') =>
      doc.paths[path]![method]!.responses[status]!.content!['application/json']!.schema as { properties: Record<string, unknown> };
    const items = (schema: { properties: Record<string, unknown> }, key: string) => (schema.properties[key] as { items: Props }).items;
    expect(items(body('/v1/trunks', 'get'), 'trunks').properties.org).toMatchObject({ type: 'string' });
    expect(items(body('/v1/incidents', 'get'), 'incidents').properties.org).toMatchObject({ type: 'string' });
    const components = (doc as unknown as { components: { schemas: Record<string, { properties: Record<string, unknown> }> } }).components;
    expect(items(components.schemas.Credentials!, 'upstreams').properties.connection).toMatchObject({ type: 'string' });
    const eventBody = doc.paths['/v1/events']!.post as unknown as { requestBody: { content: Record<string, { schema: Props }> } };
    expect(eventBody.requestBody.content['application/json']!.schema.properties.org).toMatchObject({ type: 'string' });
  });

  describe('real responses match the converted schemas (Ajv reads nullable: true)', () => {
    const ajv = createSchemaEngine({ strict: false });
    let documentAdded = false;
    const validatorFor = (path: string, method: string, status: string) => {
      if (!documentAdded) ajv.addSchema(doc as object, 'openapi.json');
      documentAdded = true;
      const pointer = ['paths', path, method, 'responses', status, 'content', 'application/json', 'schema']
        .map((k) => k.replace(/~/g, '~0').replace(/\//g, '~1'))
        .join('/');
      return ajv.compile({ $ref: `openapi.json#/${pointer}` });
    };
    const expectValid = (body: unknown, path: string, method = 'get', status = '200') => {
      const validate = validatorFor(path, method, status);
      expect(validate(body) ? [] : validate.errors, `${method.toUpperCase()} ${path} ${status}`).toEqual([]);
    };

    it('/v1/credentials, /v1/trunks, /v1/incidents, /v1/actions and the rest', async () => {
      const credentials = (await api.get('/v1/credentials')).body;
      expect(credentials.upstreams.map((u: { name: string }) => u.name)).toEqual(['genesys', 'servicenow']);
      expect(credentials.upstreams[0].expiresAt).toEqual(expect.any(String));
      expect(credentials.upstreams[1].expiresAt).toBeNull();
      expectValid(credentials, '/v1/credentials');
      const trunks = (await api.get('/v1/trunks')).body;
      expect(trunks.trunks).toHaveLength(2);
      expect(trunks.trunks.map((t: { incident: unknown }) => t.incident === null).sort()).toEqual([false, true]);
      expectValid(trunks, '/v1/trunks');
      expectValid((await api.get(`/v1/trunks/${trunk}`)).body, '/v1/trunks/{id}');
      expectValid((await api.get(`/v1/trunks/${trunk}/events`)).body, '/v1/trunks/{id}/events');
      const incidents = (await api.get('/v1/incidents')).body;
      expect(incidents.incidents).toHaveLength(1);
      expectValid(incidents, '/v1/incidents');
      expectValid((await api.get('/v1/actions')).body, '/v1/actions');
      const audit = (await api.get('/v1/audit?limit=1000')).body;
      expect(audit.entries.some((e: { details: { number?: unknown } }) => typeof e.details.number === 'string')).toBe(true);
      expectValid(audit, '/v1/audit');
      expectValid((await api.get('/v1/audit?limit=0')).body, '/v1/audit', 'get', '400');
      expectValid((await api.get('/v1/audit?org=nowhere')).body, '/v1/audit', 'get', '404');
      expectValid(
        (await api.post('/v1/events', { eventId: 'oa-3', trunkId: trunk, state: 'rejected', sipCode: 403 })).body,
        '/v1/events',
        'post',
      );
      const window = await api.post('/v1/maintenance', {
        scope: { trunkId: trunk },
        endsAt: new Date(Date.now() + 600_000).toISOString(),
        reason: 'openapi test',
      });
      expect(window.status).toBe(201);
      expectValid(window.body, '/v1/maintenance', 'post', '201');
      expectValid((await api.get('/v1/maintenance')).body, '/v1/maintenance');
      const covered = (await api.get(`/v1/trunks/${trunk}`)).body;
      expect(covered.maintenance).toEqual({ id: window.body.id, endsAt: window.body.endsAt });
      expectValid(covered, '/v1/trunks/{id}');
      expectValid((await api.get('/healthz')).body, '/healthz');
      expectValid((await api.get('/readyz')).body, '/readyz');
      const unauthorized = await fetch(`${baseUrl}/v1/trunks`);
      expect(unauthorized.status).toBe(401);
      expectValid(await unauthorized.json(), '/v1/trunks', 'get', '401');
      const missing = await api.get('/v1/trunks/nope');
      expect(missing.status).toBe(404);
      expectValid(missing.body, '/v1/trunks/{id}', 'get', '404');
    });

    it('action results against their per-action schemas', async () => {
      const got = await api.post('/v1/actions/get-trunk', { trunkId: trunk });
      expect(got.status).toBe(200);
      expectValid(got.body, '/v1/actions/get-trunk', 'post');
      const created = await api.post('/v1/actions/create-incident', { short_description: 'openapi test', urgency: '2' });
      expectValid(created.body, '/v1/actions/create-incident', 'post');
      const refused = await api.post('/v1/actions/create-incident', {});
      expect(refused.status).toBe(400);
      expectValid(refused.body, '/v1/actions/create-incident', 'post', '400');
      // Without a connections file the one org is `default`; another is 404 as documented.
      const inOrg = await api.post('/v1/orgs/default/actions/get-trunk', { trunkId: trunk });
      expect(inOrg.status).toBe(200);
      expectValid(inOrg.body, '/v1/orgs/{org}/actions/get-trunk', 'post');
      const unknownOrg = await api.post('/v1/orgs/nowhere/actions/get-trunk', { trunkId: trunk });
      expect(unknownOrg.status).toBe(404);
      expectValid(unknownOrg.body, '/v1/orgs/{org}/actions/get-trunk', 'post', '404');
      expectValid((await api.get('/v1/orgs/default/actions')).body, '/v1/orgs/{org}/actions');
      const noSuchOrg = await api.get('/v1/trunks?org=nowhere');
      expect(noSuchOrg.status).toBe(404);
      expectValid(noSuchOrg.body, '/v1/trunks', 'get', '404');
      expectValid((await api.get('/v1/incidents?org=default')).body, '/v1/incidents');
    });

    it('the check can fail: a wrong state, a token field or a missing field is refused', async () => {
      const credentials = (await api.get('/v1/credentials')).body;
      const validate = validatorFor('/v1/credentials', 'get', '200');
      expect(validate({ upstreams: [{ ...credentials.upstreams[0], accessToken: 'x' }] })).toBe(false);
      const trunks = (await api.get('/v1/trunks')).body;
      expect(validatorFor('/v1/trunks', 'get', '200')({ trunks: [{ ...trunks.trunks[0], state: 'sideways' }] })).toBe(false);
      const { sipCode: _s, ...withoutSipCode } = trunks.trunks[0];
      expect(validatorFor('/v1/trunks', 'get', '200')({ trunks: [withoutSipCode] })).toBe(false);
    });
  });

  it('GET /v1/credentials matches its JSON Schema, which allows no field besides the documented ones', async () => {
    const validate = createSchemaEngine().compile(credentialsResponseSchema);
    const { body } = await api.get('/v1/credentials');
    expect(validate(body) ? [] : validate.errors).toEqual([]);
    expect(validate({ upstreams: [{ ...body.upstreams[0], token: 'x' }] })).toBe(false);
  });
});
