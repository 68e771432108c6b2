import http from 'node:http';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import express from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type TrunkgateApp } from '../../src/app/create-app.js';
import { ConsoleEvents } from '../../src/console/console-events.js';
import { errorHandler } from '../../src/http/error-handler.js';
import { errorResponseSchema } from '../../src/http/schemas.js';
import { createSchemaEngine } from '../../src/validation/schema-engine.js';
import { echoActions } from '../support/echo-actions.js';
import { writeCallersFile } from '../support/callers-file.js';
import { eventually } from '../support/eventually.js';
import { basicHeader, memoryLogger, testConfig, TEST_API_KEY, TEST_USER } from '../support/test-config.js';

const validateError = createSchemaEngine().compile(errorResponseSchema);
const STATUS_KEY = 'status-only-key-0123456789abcdef';
const VIEWER_KEY = 'console-viewer-key-0123456789abcdef';
const callersYaml = `callers:
  - name: status-only
    apiKey: \${KEY_STATUS}
    permissions: [status:read]
  - name: viewer
    apiKey: \${KEY_VIEWER}
    permissions: [console]
`;

/** A GET whose body is kept as sent (fetch and supertest would decompress it). */
function rawGet(url: string, headers: Record<string, string>): Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

/**
 * GET with a connection of its own (no keep-alive pool: a pooled client may hold a spare connection
 * open that the server's close would wait for), the body as a web stream.
 */
function openGet(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: ReadableStream<Uint8Array> }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers, agent: false }, (res) =>
        resolve({ status: res.statusCode!, headers: res.headers, body: Readable.toWeb(res) as ReadableStream<Uint8Array> }),
      )
      .on('error', reject);
  });
}

type Sse = { event: string; data: string };

/** Reads server-sent events from a streaming body: `next(until)` collects events until `until` holds or the stream ends. */
function eventStream(body: ReadableStream<Uint8Array>) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  return {
    cancel: () => reader.cancel(),
    async next(until: (events: Sse[]) => boolean): Promise<{ events: Sse[]; ended: boolean }> {
      const events: Sse[] = [];
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return { events, ended: true };
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data !== undefined) events.push({ event, data });
        }
        if (until(events)) return { events, ended: false };
      }
    },
  };
}

describe('the console: authentication, permission, files and the event stream', () => {
  let app: TrunkgateApp;
  let baseUrl: string;

  beforeAll(async () => {
    app = await createApp(
      testConfig({
        CALLERS_FILE: writeCallersFile(callersYaml),
        KEY_STATUS: STATUS_KEY,
        KEY_VIEWER: VIEWER_KEY,
        // Long enough that the test would time out if the app waited for an open event stream to end by itself.
        SHUTDOWN_GRACE_MS: '60000',
      }),
      {
        logger: memoryLogger('warn').logger,
        actions: echoActions(1),
        processMetrics: false,
        monitor: null,
      },
    );
    baseUrl = await app.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('asks a browser to log in with Basic (alone, so it prompts), in an HTML page', async () => {
    for (const path of ['/', '/console/', '/console/assets/console.js']) {
      const res = await request(app.express).get(path).set('Accept', 'text/html');
      expect(res.status, path).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Basic realm="trunkgate", charset="UTF-8"');
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.text).toContain('Log in with a trunkgate caller');
    }
    const wrong = await request(app.express).get('/').set('Authorization', basicHeader(TEST_USER.user, 'wrong'));
    expect(wrong.status).toBe(401);
    expect(wrong.text).not.toContain('wrong');
  });

  it('answers a client that asks for JSON, and the data routes, in the error contract', async () => {
    const page = await request(app.express).get('/').set('Accept', 'application/json');
    expect(page.status).toBe(401);
    expect(validateError(page.body)).toBe(true);
    expect(page.body.error.code).toBe('unauthorized');
    for (const path of ['/console/whoami', '/console/events']) {
      const res = await request(app.express).get(path);
      expect(res.status, path).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Basic realm="trunkgate"/);
      expect(validateError(res.body)).toBe(true);
    }
  });

  it('refuses a caller without the console permission with 403 naming it', async () => {
    for (const path of ['/', '/console/whoami', '/console/events']) {
      const res = await request(app.express).get(path).set('X-API-Key', STATUS_KEY).set('Accept', 'application/json');
      expect(res.status, path).toBe(403);
      expect(res.body.error).toMatchObject({ code: 'forbidden', message: 'The caller "status-only" lacks the permission console' });
    }
    const html = await request(app.express).get('/').set('X-API-Key', STATUS_KEY).set('Accept', 'text/html');
    expect(html.status).toBe(403);
    expect(html.text).toContain('<code>console</code> permission');
  });

  it('serves the page at / and /console/ with an API key or Basic, revalidated, with a strict content security policy', async () => {
    const byKey = await request(app.express).get('/').set('X-API-Key', VIEWER_KEY);
    expect(byKey.status).toBe(200);
    expect(byKey.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(byKey.headers['cache-control']).toBe('private, no-cache');
    expect(byKey.headers['content-security-policy']).toContain("script-src 'self'");
    expect(byKey.headers['x-content-type-options']).toBe('nosniff');
    expect(byKey.text).toMatch(/<h1>trunkgate<\/h1>/);
    const byBasic = await request(app.express).get('/console/').set('Authorization', basicHeader(TEST_USER.user, TEST_USER.password));
    expect(byBasic.status).toBe(200);
    expect(byBasic.text).toBe(byKey.text);
    const again = await request(app.express).get('/').set('X-API-Key', VIEWER_KEY).set('If-None-Match', byKey.headers.etag!);
    expect(again.status).toBe(304);
    expect((await request(app.express).get('/console')).headers.location).toBe('/console/');
  });

  it('serves each file the page names with its type, kept for a year under its content hash, gzipped when asked', async () => {
    const page = (await request(app.express).get('/').set('X-API-Key', VIEWER_KEY)).text;
    const urls = [...page.matchAll(/(?:href|src)="(\/console\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(urls.map((u) => u.replace(/\?v=[\w-]+$/, ''))).toEqual([
      '/console/assets/console.css',
      '/console/assets/console.js',
      '/console/assets/tools.js',
    ]);
    const types: Record<string, string> = { css: 'text/css; charset=utf-8', js: 'text/javascript; charset=utf-8' };
    for (const url of urls) {
      const res = await request(app.express).get(url).set('X-API-Key', VIEWER_KEY).set('Accept-Encoding', 'identity');
      expect(res.status, url).toBe(200);
      expect(res.headers['content-type']).toBe(types[/\.(\w+)\?/.exec(url)![1]!]);
      expect(res.headers['cache-control']).toBe('private, max-age=31536000, immutable');
      const zipped = await rawGet(`${baseUrl}${url}`, { 'X-API-Key': VIEWER_KEY, 'Accept-Encoding': 'gzip, br' });
      expect(zipped.headers['content-encoding']).toBe('gzip');
      expect(zipped.body.length).toBeLessThan(Buffer.byteLength(res.text));
      expect(gunzipSync(zipped.body).toString('utf8')).toBe(res.text);
      const unversioned = await request(app.express).get(url.split('?')[0]!).set('X-API-Key', VIEWER_KEY);
      expect(unversioned.headers['cache-control']).toBe('private, no-cache');
    }
    const missing = await request(app.express)
      .get('/console/assets/nope.js')
      .set('X-API-Key', VIEWER_KEY)
      .set('Accept', 'application/json');
    expect(missing.status).toBe(404);
  });

  it('tells the page who the caller is and what it may do, never its key', async () => {
    const viewer = await request(app.express).get('/console/whoami').set('X-API-Key', VIEWER_KEY);
    expect(viewer.body).toEqual({ caller: 'viewer', method: 'api-key', permissions: ['console'], orgs: ['default'] });
    const all = await request(app.express).get('/console/whoami').set('X-API-Key', TEST_API_KEY);
    expect(all.body.permissions).toEqual(expect.arrayContaining(['console', 'maintenance:write', 'audit:read', 'status:read']));
    expect(JSON.stringify(all.body)).not.toContain(TEST_API_KEY);
  });

  it('streams the board as server-sent events to a caller with only the console permission, and ends streams on close', async () => {
    await request(app.express)
      .post('/v1/events')
      .set('X-API-Key', TEST_API_KEY)
      .set('Content-Type', 'application/json')
      .send({ eventId: 'console-1', trunkId: 'trunk-console', state: 'rejected', sipCode: 403 });
    const res = await openGet(`${baseUrl}/console/events`, { 'X-API-Key': VIEWER_KEY });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    const stream = eventStream(res.body);
    const { events } = await stream.next((e) => e.some((x) => x.event === 'snapshot'));
    const snapshot = JSON.parse(events.find((e) => e.event === 'snapshot')!.data);
    expect(snapshot).toMatchObject({ orgs: ['default'], incidents: expect.any(Array), alerts: expect.any(Array) });
    expect(snapshot.trunks).toEqual([expect.objectContaining({ id: 'trunk-console', state: 'rejected', sipCode: 403 })]);
    expect(snapshot.credentials.map((c: { name: string }) => c.name).sort()).toEqual(['genesys', 'servicenow']);
    expect(JSON.stringify(snapshot)).not.toMatch(/genesys-secret-value|sn-password-value/);

    // The viewer leaves: the stream is forgotten.
    await stream.cancel();
    const second = eventStream((await openGet(`${baseUrl}/console/events`, { 'X-API-Key': VIEWER_KEY })).body);
    await second.next((e) => e.length > 0);
    const closing = app.close();
    // The app's close ends the stream instead of waiting out the shutdown grace for it.
    const rest = await second.next(() => false);
    expect(rest.ended).toBe(true);
    await closing;
  });
});

describe('console event streams: bounded and cleaned up', () => {
  it('ends a stream at its maximum age, telling the page to reconnect', async () => {
    const events = new ConsoleEvents({ build: async () => ({ n: 1 }), logger: memoryLogger('warn').logger, maxAgeMs: 200 });
    const app = express();
    app.get('/events', (_req, res) => events.open(res));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const res = await openGet(`http://127.0.0.1:${(server.address() as { port: number }).port}/events`, {});
      const stream = eventStream(res.body);
      expect(await stream.next(() => false)).toEqual({
        events: [
          { event: 'snapshot', data: '{"n":1}' },
          { event: 'reconnect', data: '{}' },
        ],
        ended: true,
      });
      expect(events.size).toBe(0);
    } finally {
      events.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('refuses a stream over the limit with 429 and Retry-After, sends changes only, and forgets a stream its viewer closed', async () => {
    let board = { n: 1 };
    const events = new ConsoleEvents({ build: async () => board, logger: memoryLogger('warn').logger, maxStreams: 1, intervalMs: 50 });
    const app = express();
    app.get('/events', (_req, res) => events.open(res));
    app.use(errorHandler(memoryLogger('warn').logger));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/events`;
    try {
      const first = eventStream((await openGet(url, {})).body);
      expect((await first.next((e) => e.length >= 1)).events).toEqual([{ event: 'snapshot', data: '{"n":1}' }]);
      const refused = await fetch(url);
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBe('30');
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('rate_limited');

      board = { n: 2 };
      expect((await first.next((e) => e.length >= 1)).events).toEqual([{ event: 'snapshot', data: '{"n":2}' }]);
      await first.cancel();
      await eventually(() => expect(events.size).toBe(0));
      const res = await openGet(url, {});
      expect(res.status).toBe(200);
      const next = eventStream(res.body);
      await next.next((e) => e.length >= 1);
      events.close();
      // Told why, then ended.
      expect(await next.next(() => false)).toEqual({ events: [{ event: 'closing', data: '{}' }], ended: true });
      expect(events.size).toBe(0);
    } finally {
      events.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
