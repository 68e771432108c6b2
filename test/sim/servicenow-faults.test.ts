import http from 'node:http';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { startServiceNowSim } from '../../src/sim/servicenow/index.js';
import type { ServiceNowSim, ServiceNowSimOptions } from '../../src/sim/servicenow/index.js';

const START = Date.UTC(2025, 0, 15, 12, 0, 0);
const BASIC = `Basic ${Buffer.from('trunkgate.integration:sandbox-sn-password').toString('base64')}`;
const FORM =
  'grant_type=password&client_id=sandbox-sn-client&client_secret=sandbox-sn-secret&username=trunkgate.integration&password=sandbox-sn-password';

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

const get = (s: ServiceNowSim) => fetch(`${s.url}/api/now/table/incident`, { headers: { Authorization: BASIC } });
const token = (s: ServiceNowSim) =>
  fetch(`${s.url}/oauth_token.do`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: FORM });

/** A fresh connection per call, so a closed port shows as the error code the client sees. */
function probe(url: string): Promise<string> {
  return new Promise((resolve) => {
    const req = http.get(`${url}/api/now/table/incident`, { agent: false, headers: { Authorization: BASIC } }, (res) => {
      res.resume();
      resolve(`status ${res.statusCode ?? 0}`);
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
  });
}

describe("outage mode '503'", () => {
  it('answers 503 on /api/now and the token endpoint, counts them, and ends when its duration passes on the clock', async () => {
    const s = await start();
    await s.control.outage({ mode: '503', durationMs: 60_000 });
    const res = await get(s);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ status: 'failure', error: { message: 'Service Unavailable' } });
    expect((await token(s)).status).toBe(503);
    expect(s.stats().requestsDuringOutage).toBe(2);
    now += 60_000;
    expect((await get(s)).status).toBe(200);
    expect((await token(s)).status).toBe(200);
  });

  it('can answer with an HTML maintenance page, and restore() ends it', async () => {
    const s = await start();
    await s.control.outage({ mode: '503', body: 'html' });
    const res = await get(s);
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(await res.text()).toContain('<html>');
    await s.control.restore();
    expect((await get(s)).status).toBe(200);
  });
});

describe("outage mode 'refused'", () => {
  it('closes the port (ECONNREFUSED) and restore() opens it again on the same URL', async () => {
    const s = await start();
    expect(await probe(s.url)).toBe('status 200');
    await s.control.outage({ mode: 'refused' });
    expect(await probe(s.url)).toBe('ECONNREFUSED');
    expect(s.control.describe().listening).toBe(false);
    await s.control.restore();
    expect(await probe(s.url)).toBe('status 200');
  });

  it('with durationMs reopens by itself once the clock passes the end', async () => {
    const s = await start();
    await s.control.outage({ mode: 'refused', durationMs: 30_000 });
    expect(await probe(s.url)).toBe('ECONNREFUSED');
    const restored = once(s.control, 'restored');
    now += 30_000;
    await restored;
    expect(await probe(s.url)).toBe('status 200');
  });
});

describe("outage mode 'slow'", () => {
  it('delays every answer by delayMs and still answers correctly', async () => {
    const s = await startServiceNowSim();
    sim = s;
    await s.control.outage({ mode: 'slow', delayMs: 150 });
    const started = performance.now();
    const res = await get(s);
    expect(res.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(s.stats().slowedRequests).toBe(1);
    await s.control.restore();
    const quick = performance.now();
    await get(s);
    expect(performance.now() - quick).toBeLessThan(140);
  });
});

describe('token endpoint faults', () => {
  it("'down' answers 503 and 'reject' answers 401 access_denied, each until restored or timed out", async () => {
    const s = await start();
    s.control.tokenFault({ mode: 'down', durationMs: 1_000 });
    expect((await token(s)).status).toBe(503);
    expect((await get(s)).status).toBe(200); // the Table API is not affected
    now += 1_000;
    expect((await token(s)).status).toBe(200);

    s.control.tokenFault({ mode: 'reject' });
    const rejected = await token(s);
    expect(rejected.status).toBe(401);
    expect(await rejected.json()).toEqual({ error_description: 'access_denied', error: 'server_error' });
    await s.control.restore();
    expect((await token(s)).status).toBe(200);
  });

  it('setTokenLifetime applies to new tokens; revokeTokens makes issued ones answer 401', async () => {
    const s = await start();
    s.control.setTokenLifetime(60);
    const first = (await (await token(s)).json()) as { access_token: string; expires_in: number };
    expect(first.expires_in).toBe(59);
    s.control.revokeTokens();
    const call = await fetch(`${s.url}/api/now/table/incident`, { headers: { Authorization: `Bearer ${first.access_token}` } });
    expect(call.status).toBe(401);
    const second = (await (await token(s)).json()) as { access_token: string };
    expect(second.access_token).not.toBe(first.access_token);
  });
});

describe("control.on('request')", () => {
  it('reports method, path and arrival time of each instance request, and the response status', async () => {
    const s = await start();
    const seen: unknown[] = [];
    s.control.on('request', (e) => seen.push(e));
    const statuses: number[] = [];
    s.control.on('response', (e) => statuses.push(e.status));
    await fetch(`${s.url}/api/now/table/incident`, {
      method: 'POST',
      headers: { Authorization: BASIC, 'Content-Type': 'application/json' },
      body: '{"short_description":"x"}',
    });
    await fetch(`${s.url}/__sim/servicenow/stats`);
    await fetch(`${s.url}/api/now/table/incident?sysparm_query=active%3Dtrue&sysparm_limit=1`, { headers: { Authorization: BASIC } });
    expect(seen).toEqual([
      {
        method: 'POST',
        path: '/api/now/table/incident',
        at: START,
        query: '',
        headers: expect.objectContaining({ authorization: BASIC, 'content-type': 'application/json' }),
      },
      {
        method: 'GET',
        path: '/api/now/table/incident',
        at: START,
        query: 'sysparm_query=active%3Dtrue&sysparm_limit=1',
        headers: expect.objectContaining({ authorization: BASIC }),
      },
    ]);
    expect(statuses).toEqual([201, 200]);
  });
});

describe('holdAnswers: applied, but the client does not hear', () => {
  it('applies a matching request and keeps its answer until released; others answer at once', async () => {
    const s = await start();
    const held: unknown[] = [];
    s.control.on('held', (e) => held.push(e));
    const post = (body: string) =>
      fetch(`${s.url}/api/now/table/incident`, {
        method: 'POST',
        headers: { Authorization: BASIC, 'Content-Type': 'application/json' },
        body,
      });
    const created = ((await (await post('{"short_description":"x"}')).json()) as { result: { sys_id: string } }).result;
    expect(s.control.holdAnswers({ method: 'patch', path: '/api/now/table/incident/' })).toEqual({
      method: 'PATCH',
      path: '/api/now/table/incident/',
    });
    let answered = false;
    const patch = fetch(`${s.url}/api/now/table/incident/${created.sys_id}`, {
      method: 'PATCH',
      headers: { Authorization: BASIC, 'Content-Type': 'application/json' },
      body: '{"work_notes":"n"}',
    }).then((r) => {
      answered = true;
      return r.status;
    });
    await new Promise<void>((resolve) => s.control.once('held', () => resolve()));
    expect(held).toEqual([{ method: 'PATCH', path: `/api/now/table/incident/${created.sys_id}`, at: START }]);
    expect(s.incidents()[0]!.journal.map((j) => j.value)).toEqual(['n']);
    expect((await get(s)).status).toBe(200);
    expect(answered).toBe(false);
    expect(s.control.describe().answerHold).toEqual({ method: 'PATCH', path: '/api/now/table/incident/' });
    s.control.releaseAnswers();
    expect(await patch).toBe(200);
    expect(s.control.describe().answerHold).toBeNull();
  });

  it('is set and released over HTTP, and refuses a path that is not one', async () => {
    const s = await start();
    const control = (path: string, body?: unknown) =>
      fetch(`${s.url}/__sim/servicenow/${path}`, { method: 'POST', body: body === undefined ? undefined : JSON.stringify(body) });
    expect(await (await control('hold-answers', { method: 'POST' })).json()).toEqual({ answerHold: { method: 'POST' } });
    expect((await control('hold-answers', { path: 'api/now' })).status).toBe(400);
    expect(((await (await control('release-answers')).json()) as { answerHold: unknown }).answerHold).toBeNull();
  });
});
