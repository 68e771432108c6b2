import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type TrunkgateApp } from '../../src/app/create-app.js';
import { errorResponseSchema } from '../../src/http/schemas.js';
import { echoActions } from '../support/echo-actions.js';
import { rawRequest } from '../support/raw-http.js';
import { startTestSims } from '../support/sims.js';
import type { Simulators } from '../../src/sim/start-simulators.js';
import { createSchemaEngine } from '../../src/validation/schema-engine.js';
import { memoryLogger, testConfig, TEST_API_KEY } from '../support/test-config.js';

const validateError = createSchemaEngine().compile(errorResponseSchema);
const auth = { Authorization: `Bearer ${TEST_API_KEY}` };

function expectError(res: request.Response, status: number, code: string): void {
  expect(res.status).toBe(status);
  expect(validateError(res.body), JSON.stringify(validateError.errors)).toBe(true);
  expect(res.body.error.code).toBe(code);
  expect(res.body.requestId).toBe(res.headers['x-request-id']);
}

/** A JSON body of exactly `bytes` bytes: {"pad":"xxxx…"}, padded with a multibyte character when asked. */
function bodyOfBytes(bytes: number, filler = 'x'): string {
  const frame = '{"pad":""}';
  const fillerBytes = Buffer.byteLength(filler);
  const n = Math.floor((bytes - frame.length) / fillerBytes);
  const rest = bytes - frame.length - n * fillerBytes;
  const body = `{"pad":"${filler.repeat(n)}${'y'.repeat(rest)}"}`;
  expect(Buffer.byteLength(body)).toBe(bytes);
  return body;
}

describe('HTTP edge', () => {
  let app: TrunkgateApp;
  const log = memoryLogger();

  let sims: Simulators;

  beforeAll(async () => {
    const started = await startTestSims();
    sims = started.sims;
    app = await createApp(testConfig(started.env), { logger: log.logger, actions: echoActions(), processMetrics: false });
  });
  afterAll(async () => {
    await app.close();
    await sims.close();
  });

  const post = (path: string, body: string | Buffer, type = 'application/json') =>
    request(app.express).post(path).set(auth).set('Content-Type', type).send(body);

  describe('POST /v1/actions/:name payload gate', () => {
    it('accepts a body of exactly 10240 bytes', async () => {
      const res = await post('/v1/actions/echo', bodyOfBytes(10240));
      expect(res.status).toBe(200);
      expect(res.body.received.pad).toHaveLength(10240 - 10);
    });

    it('refuses 10241 bytes with payload_too_large stating the limit and the size', async () => {
      const res = await post('/v1/actions/echo', bodyOfBytes(10241));
      expectError(res, 413, 'payload_too_large');
      expect(res.body.error.message).toContain('10240');
      expect(res.body.error.message).toContain('10241');
    });

    it('counts bytes, not characters', async () => {
      const body = bodyOfBytes(10242, 'é');
      expect(body.length).toBeLessThan(10240);
      expectError(await post('/v1/actions/echo', body), 413, 'payload_too_large');
      expect((await post('/v1/actions/echo', bodyOfBytes(10240, 'é'))).status).toBe(200);
    });

    it('accepts application/json with any charset parameter', async () => {
      const res = await post('/v1/actions/echo', '{"a":1}', 'application/json; charset=UTF-8');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ received: { a: 1 } });
      const url = await app.listen(0, '127.0.0.1');
      const latin1 = Buffer.from('{"name":"Zoë"}', 'latin1');
      const res2 = await rawRequest(`${url}/v1/actions/echo`, {
        headers: { ...auth, 'Content-Type': 'application/json; charset=iso-8859-1' },
        body: latin1,
      });
      expect(res2.json()).toEqual({ received: { name: 'Zoë' } });
    });

    it.each([
      ['text/plain', 'text/plain'],
      ['form', 'application/x-www-form-urlencoded'],
      ['a bogus header', '%%%'],
      ['an unknown charset', 'application/json; charset=klingon'],
    ])('refuses %s with unsupported_media_type', async (_label, type) => {
      expectError(await post('/v1/actions/echo', '{"a":1}', type), 415, 'unsupported_media_type');
    });

    it('refuses a compressed body (Content-Encoding other than identity) with unsupported_media_type, not invalid_json', async () => {
      const zipped = gzipSync('{"a":1}');
      const res = await request(app.express)
        .post('/v1/actions/echo')
        .set(auth)
        .set('Content-Type', 'application/json')
        .set('Content-Encoding', 'gzip')
        .send(zipped);
      expectError(res, 415, 'unsupported_media_type');
      expect(res.body.error.message).toBe('Content-Encoding "gzip" is not accepted; send the JSON uncompressed');
      const plain = await request(app.express)
        .post('/v1/actions/echo')
        .set(auth)
        .set('Content-Type', 'application/json')
        .set('Content-Encoding', 'Identity')
        .send('{"a":1}');
      expect(plain.body).toEqual({ received: { a: 1 } });
    });

    it('refuses a body without Content-Type', async () => {
      const res = await request(app.express).post('/v1/actions/echo').set(auth).send(Buffer.from('{"a":1}'));
      expectError(res, 415, 'unsupported_media_type');
    });

    it('answers malformed JSON with invalid_json and the position', async () => {
      const res = await post('/v1/actions/echo', '{"a": 1,\n "b": }');
      expectError(res, 400, 'invalid_json');
      expect(res.body.error.details[0]).toMatchObject({ position: 15, line: 2, column: 7 });
      expect(res.body.error.message).toBe('Request body is not valid JSON: ValueExpected at line 2, column 7');
    });

    it('answers an empty body with invalid_json', async () => {
      expectError(await post('/v1/actions/echo', '   '), 400, 'invalid_json');
    });

    it('accepts 50 levels of nesting and refuses 51 with validation_failed and a JSON pointer', async () => {
      const nest = (n: number) => '{"a":'.repeat(n - 1) + '{}' + '}'.repeat(n - 1);
      expect((await post('/v1/actions/echo', nest(50))).status).toBe(200);
      const res = await post('/v1/actions/echo', nest(51));
      expectError(res, 400, 'validation_failed');
      expect(res.body.error.details[0].path).toBe('/a'.repeat(50));
    });

    it('refuses __proto__ and constructor.prototype keys and never pollutes Object.prototype', async () => {
      const r1 = await post('/v1/actions/echo', '{"x":{"__proto__":{"polluted":true}}}');
      expectError(r1, 400, 'validation_failed');
      const r2 = await post('/v1/actions/echo', '{"constructor":{"prototype":{"polluted":true}}}');
      expectError(r2, 400, 'validation_failed');
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      const ok = await post('/v1/actions/echo', '{"constructor":"fine","prototype":"also fine"}');
      expect(ok.status).toBe(200);
    });

    it('refuses a NUL character in any string or key with validation_failed and its JSON pointer, but not an escaped backslash before u0000', async () => {
      const value = await post('/v1/actions/echo', '{"a":[{"b":"x\\u0000y"}]}');
      expectError(value, 400, 'validation_failed');
      expect(value.body.error.details[0]).toEqual({ path: '/a/0/b', message: 'strings may not contain \\u0000' });
      const key = await post('/v1/actions/echo', '{"k\\u0000":1}');
      expectError(key, 400, 'validation_failed');
      expect(key.body.error.details[0].path).toBe('/k\u0000');
      expect((await post('/v1/actions/echo', '{"path":"C:\\\\u0000"}')).status).toBe(200);
    });

    it('answers unknown actions with unknown_action', async () => {
      expectError(await post('/v1/actions/nope', '{}'), 404, 'unknown_action');
    });
  });

  describe('routing, request ids and logs', () => {
    it('answers unknown routes with not_found', async () => {
      expectError(await request(app.express).get('/v1/nothing-here').set(auth), 404, 'not_found');
      expectError(await request(app.express).get('/elsewhere'), 404, 'not_found');
    });

    it('keeps an incoming X-Request-Id and makes one otherwise', async () => {
      const kept = await request(app.express).get('/healthz').set('X-Request-Id', 'abc-123');
      expect(kept.headers['x-request-id']).toBe('abc-123');
      const made = await request(app.express).get('/healthz');
      expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      const hostile = await request(app.express).get('/healthz').set('X-Request-Id', 'x'.repeat(500));
      expect(hostile.headers['x-request-id']).toHaveLength(36);
    });

    it('writes one access line per request with the request id, and no credentials', async () => {
      await request(app.express).get('/v1/actions').set('Authorization', `Bearer ${TEST_API_KEY}`).set('X-Request-Id', 'trace-77');
      const lines = log.lines().filter((l) => l.requestId === 'trace-77' && l.message === 'request');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ method: 'GET', route: '/v1/actions', status: 200 });
      expect(log.text()).not.toContain(TEST_API_KEY);
    });
  });

  describe('open endpoints', () => {
    it('GET /healthz answers without credentials', async () => {
      const res = await request(app.express).get('/healthz');
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('ok');
    });

    it('GET /readyz reports each check', async () => {
      const res = await request(app.express).get('/readyz');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        status: 'ready',
        checks: { mappings: { ok: true }, 'genesys-token': { ok: true }, 'servicenow-credentials': { ok: true } },
      });
    });

    it('GET /metrics exposes the request histogram by route and status class', async () => {
      await request(app.express).get('/healthz');
      const res = await request(app.express).get('/metrics');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toContain('text/plain');
      expect(res.text).toMatch(/trunkgate_http_request_duration_seconds_count\{method="GET",route="\/healthz",status_class="2xx"\} \d+/);
      expect(res.text).not.toContain(TEST_API_KEY);
    });

    it('GET /openapi.json lists the loaded actions with their schemas', async () => {
      const res = await request(app.express).get('/openapi.json');
      expect(res.status).toBe(200);
      expect(res.body.openapi).toBe('3.0.3');
      expect(Object.keys(res.body.paths)).toEqual(
        expect.arrayContaining(['/healthz', '/readyz', '/metrics', '/v1/actions', '/v1/actions/echo', '/v1/actions/slow']),
      );
      expect(res.body.components.schemas.Error).toEqual(errorResponseSchema);
    });
  });
});

describe('readiness', () => {
  it('answers 503 when a check fails', async () => {
    const app = await createApp(testConfig(), {
      logger: memoryLogger().logger,
      processMetrics: false,
      readiness: [{ name: 'store', check: async () => ({ ok: false, detail: 'database is locked' }) }],
    });
    const res = await request(app.express).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ status: 'not_ready', checks: { store: { ok: false, detail: 'database is locked' } } });
  });
});

describe('internal errors', () => {
  it('answer 500 internal without leaking the cause', async () => {
    const log = memoryLogger();
    const app = await createApp(testConfig(), {
      logger: log.logger,
      processMetrics: false,
      actions: {
        list: () => [],
        run: async () => {
          throw new Error('secret stack detail at /srv/x.ts:12');
        },
      },
    });
    const res = await request(app.express).post('/v1/actions/any').set(auth).set('Content-Type', 'application/json').send('{}');
    expectError(res, 500, 'internal');
    expect(JSON.stringify(res.body)).not.toContain('secret stack detail');
    expect(log.lines().some((l) => l.level === 'error')).toBe(true);
  });
});
