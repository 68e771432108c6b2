import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type TrunkgateApp } from '../../src/app/create-app.js';
import { errorResponseSchema } from '../../src/http/schemas.js';
import { createSchemaEngine } from '../../src/validation/schema-engine.js';
import { echoActions } from '../support/echo-actions.js';
import { rawExchange } from '../support/raw-http.js';
import { memoryLogger, testConfig, TEST_API_KEY } from '../support/test-config.js';

const validateError = createSchemaEngine().compile(errorResponseSchema);
const auth = { Authorization: `Bearer ${TEST_API_KEY}` };

describe('malformed requests get a 4xx in the error contract', () => {
  let app: TrunkgateApp;
  let url: string;
  const log = memoryLogger();

  beforeAll(async () => {
    app = await createApp(testConfig(), { logger: log.logger, actions: echoActions(), processMetrics: false, monitor: null });
    url = await app.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await app.close();
  });

  describe('a %-escape in a path parameter that does not decode', () => {
    const escapes = ['%zz', '%', '%ff', '%c3%28', '%ed%a0%80', 'a%2'];
    const paths = (escape: string) => [
      ['GET', `/v1/trunks/${escape}`],
      ['GET', `/v1/trunks/${escape}/events`],
      ['POST', `/v1/actions/${escape}`],
    ];

    it.each(escapes)('%s answers 400 validation_failed on every route with a path parameter, logged at info', async (escape) => {
      for (const [method, path] of paths(escape)) {
        const req =
          method === 'GET'
            ? request(app.express).get(path!)
            : request(app.express).post(path!).set('Content-Type', 'application/json').send('{}');
        const res = await req.set(auth).set('X-Request-Id', `pct-${escape.length}`);
        expect(res.status, `${method} ${path}`).toBe(400);
        expect(validateError(res.body)).toBe(true);
        expect(res.body.error.code).toBe('validation_failed');
        expect(res.body.error.message).toBe('The URL path is not valid: a %-escape in it does not decode to UTF-8 text');
        expect(res.body.requestId).toBe(res.headers['x-request-id']);
      }
      const lines = log.lines().filter((l) => l.requestId === `pct-${escape.length}` && l.module === 'http/errors');
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.every((l) => l.level === 'info')).toBe(true);
    });

    it('still asks for credentials first', async () => {
      expect((await request(app.express).get('/v1/trunks/%zz')).status).toBe(401);
    });

    it('decodes well-formed escapes as before', async () => {
      const res = await request(app.express).get('/v1/trunks/caf%C3%A9').set(auth);
      expect(res.status).toBe(404);
      expect(res.body.error.message).toBe('No trunk café has been seen');
    });
  });

  describe("what Node's HTTP parser refuses before routing", () => {
    const expectRefusal = async (bytes: string | string[], message: string | RegExp, reason: string) => {
      const res = await rawExchange(url, bytes);
      expect(res.status, res.raw).toBe(400);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.headers.connection).toBe('close');
      expect(res.closed).toBe(true);
      const body = JSON.parse(res.body);
      expect(validateError(body), JSON.stringify(validateError.errors)).toBe(true);
      expect(body.error.code).toBe('validation_failed');
      expect(body.error.message).toMatch(message);
      expect(body.error.details).toEqual([{ message: 'refused by the HTTP parser before routing', reason }]);
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(body.requestId).toBe(res.headers['x-request-id']);
      expect(Buffer.byteLength(res.body)).toBe(Number(res.headers['content-length']));
      return { res, body };
    };

    it('a chunk size that is not hex: the request already routed keeps its request id', async () => {
      const head = `POST /v1/actions/echo HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TEST_API_KEY}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nX-Request-Id: bad-chunk-1\r\n\r\n`;
      const res = await rawExchange(url, [head, 'zz\r\n{}\r\n0\r\n\r\n']);
      expect(res.status, res.raw).toBe(400);
      const body = JSON.parse(res.body);
      expect(body).toEqual({
        error: {
          code: 'validation_failed',
          message: 'The chunked request body is malformed',
          details: [{ message: 'refused by the HTTP parser before routing', reason: 'HPE_INVALID_CHUNK_SIZE' }],
        },
        requestId: 'bad-chunk-1',
      });
      expect(res.headers['x-request-id']).toBe('bad-chunk-1');
      expect(res.raw).not.toContain(TEST_API_KEY);
    });

    it.each([
      ['Content-Length first', 'Content-Length: 2\r\nTransfer-Encoding: chunked', 'HPE_INVALID_TRANSFER_ENCODING'],
      ['Transfer-Encoding first', 'Transfer-Encoding: chunked\r\nContent-Length: 2', 'HPE_INVALID_CONTENT_LENGTH'],
    ])('Content-Length together with Transfer-Encoding (%s)', async (_label, headers, reason) => {
      await expectRefusal(
        `POST /v1/actions/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${headers}\r\n\r\n2\r\n{}\r\n0\r\n\r\n`,
        'The request has both Content-Length and Transfer-Encoding; send one',
        reason,
      );
    });

    it('Content-Length twice', async () => {
      await expectRefusal(
        'POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}',
        /^The Content-Length header is not one whole number/,
        'HPE_UNEXPECTED_CONTENT_LENGTH',
      );
    });

    it('20 KB of headers', async () => {
      await expectRefusal(
        `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Padding: ${'p'.repeat(20 * 1024)}\r\n\r\n`,
        /^The request line and headers are larger than \d+ bytes$/,
        'HPE_HEADER_OVERFLOW',
      );
    });

    it('a HEAD refused by the parser gets the headers of the refusal and no body', async () => {
      const res = await rawExchange(url, `HEAD /v1/trunks/${'%C3%A9'.repeat(3_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
      expect(res.status, res.raw).toBe(400);
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.headers.connection).toBe('close');
      expect(res.body).toBe('');
    });

    it('an Expect other than 100-continue is served like any request (authenticated, in the contract), not a bare 417', async () => {
      const body = '{}';
      const bare = await rawExchange(
        url,
        `POST /v1/events HTTP/1.1\r\nHost: x\r\nExpect: nonsense\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
      );
      expect(bare.status, bare.raw).toBe(401);
      expect(validateError(JSON.parse(bare.body))).toBe(true);
      expect(bare.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      const authed = await rawExchange(
        url,
        `POST /v1/events HTTP/1.1\r\nHost: x\r\nExpect: nonsense\r\nAuthorization: Bearer ${TEST_API_KEY}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
      );
      expect(authed.status, authed.raw).toBe(400);
      expect(JSON.parse(authed.body).error.code).toBe('validation_failed');
    });

    it('a request line that is not HTTP', async () => {
      await expectRefusal('HELLO THERE\r\n\r\n', 'The request line is not valid HTTP/1.1', 'HPE_INVALID_METHOD');
    });

    it('a header holding a control character: refused without echoing the header', async () => {
      const secret = 'ctl-secret-0123456789';
      const { res } = await expectRefusal(
        `GET /v1/trunks HTTP/1.1\r\nHost: x\r\nX-API-Key: ${secret}\u0001x\r\n\r\n`,
        /^A request header is malformed/,
        'HPE_INVALID_HEADER_TOKEN',
      );
      expect(res.raw).not.toContain(secret);
      expect(log.text()).not.toContain(secret);
    });

    it('a header line broken by a bare LF inside its value', async () => {
      const secret = 'lf-secret-0123456789';
      const res = await rawExchange(url, `GET /v1/trunks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${secret}\nmore\r\n\r\n`);
      expect(res.status, res.raw).toBe(400);
      expect(JSON.parse(res.body).error.code).toBe('validation_failed');
      expect(res.raw).not.toContain(secret);
      expect(log.text()).not.toContain(secret);
    });

    it('logs each refusal at info with its reason and counts it in the request histogram', async () => {
      await rawExchange(url, 'HELLO THERE\r\n\r\n');
      const refusals = log.lines().filter((l) => l.module === 'http/client-error');
      expect(refusals.length).toBeGreaterThan(0);
      expect(refusals.every((l) => l.level === 'info' && typeof l.reason === 'string' && typeof l.requestId === 'string')).toBe(true);
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toMatch(/trunkgate_http_request_duration_seconds_count\{method="OTHER",route="unparsed",status_class="4xx"\} [1-9]/);
    });

    it('a well-formed request on the same server is still served', async () => {
      const res = await rawExchange(url, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      expect(res.status).toBe(200);
    });
  });
});
