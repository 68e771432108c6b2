import http from 'node:http';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { startServiceNowSim } from '../../src/sim/servicenow/index.js';
import type { ServiceNowSim } from '../../src/sim/servicenow/index.js';

const BASIC = `Basic ${Buffer.from('trunkgate.integration:sandbox-sn-password').toString('base64')}`;
const FORM = 'grant_type=client_credentials&client_id=sandbox-sn-client&client_secret=sandbox-sn-secret';

let sim: ServiceNowSim | undefined;

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function start(): Promise<ServiceNowSim> {
  sim = await startServiceNowSim();
  return sim;
}

async function control(s: ServiceNowSim, method: string, path: string, body?: unknown) {
  const res = await fetch(`${s.url}/__sim/servicenow${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

const api = (s: ServiceNowSim, method = 'GET', body?: unknown) =>
  fetch(`${s.url}/api/now/table/incident`, {
    method,
    headers: { Authorization: BASIC, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

function probe(url: string): Promise<string> {
  return new Promise((resolve) => {
    const req = http.get(`${url}/api/now/table/incident`, { agent: false, headers: { Authorization: BASIC } }, (res) => {
      res.resume();
      resolve(`status ${res.statusCode ?? 0}`);
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
  });
}

describe('HTTP control API /__sim/servicenow', () => {
  it('POST /outage {mode: "503"} and POST /restore', async () => {
    const s = await start();
    const started = await control(s, 'POST', '/outage', { mode: '503' });
    expect(started.status).toBe(200);
    expect(started.body.outage).toMatchObject({ mode: '503', until: null });
    expect((await api(s)).status).toBe(503);
    expect((await control(s, 'GET', '/state')).body.outage.mode).toBe('503');
    expect((await control(s, 'POST', '/restore')).body.outage).toBeNull();
    expect((await api(s)).status).toBe(200);
  });

  it('POST /outage {mode: "refused"} needs durationMs, then closes the port and reopens it by itself', async () => {
    const s = await start();
    const refusedForever = await control(s, 'POST', '/outage', { mode: 'refused' });
    expect(refusedForever.status).toBe(400);
    expect(refusedForever.body.error.detail).toMatch(/durationMs/);

    const restored = once(s.control, 'restored');
    expect((await control(s, 'POST', '/outage', { mode: 'refused', durationMs: 300 })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 50));
    expect(await probe(s.url)).toBe('ECONNREFUSED');
    await restored;
    expect(await probe(s.url)).toBe('status 200');
  });

  it('POST /outage {mode: "slow"} delays answers', async () => {
    const s = await start();
    await control(s, 'POST', '/outage', { mode: 'slow', delayMs: 120, durationMs: 60_000 });
    const t0 = performance.now();
    expect((await api(s)).status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(110);
  });

  it('POST /rate-limit-storm and PUT /rate-limit', async () => {
    const s = await start();
    expect((await control(s, 'POST', '/rate-limit-storm', { retryAfterSec: 3, durationMs: 60_000 })).status).toBe(200);
    const stormed = await api(s);
    expect(stormed.status).toBe(429);
    expect(stormed.headers.get('retry-after')).toBe('3');
    await control(s, 'POST', '/restore');

    const rule = await control(s, 'PUT', '/rate-limit', { limit: 1, windowSec: 60 });
    expect(rule.body.rateLimitRule).toMatchObject({ limit: 1, windowSec: 60 });
    expect((await api(s)).headers.get('x-ratelimit-rule')).toBe(rule.body.rateLimitRule.sysId);
    expect((await api(s)).status).toBe(429);
    await control(s, 'PUT', '/rate-limit', { limit: null });
    expect((await api(s)).status).toBe(200);
  });

  it('POST /token-fault, PUT /token-lifetime and POST /tokens/revoke', async () => {
    const s = await start();
    const token = () =>
      fetch(`${s.url}/oauth_token.do`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: FORM });
    await control(s, 'POST', '/token-fault', { mode: 'down' });
    expect((await token()).status).toBe(503);
    await control(s, 'POST', '/token-fault', { mode: 'reject', durationMs: 60_000 });
    expect((await token()).status).toBe(401);
    await control(s, 'POST', '/restore');

    expect((await control(s, 'PUT', '/token-lifetime', { seconds: 120 })).body.tokenLifetimeSec).toBe(120);
    const granted = (await (await token()).json()) as { access_token: string; expires_in: number };
    expect(granted.expires_in).toBe(119);
    await control(s, 'POST', '/tokens/revoke');
    const call = await fetch(`${s.url}/api/now/table/incident`, { headers: { Authorization: `Bearer ${granted.access_token}` } });
    expect(call.status).toBe(401);
  });

  it('GET /incidents shows incidents with their journals; GET /stats counts; POST /reset clears everything', async () => {
    const s = await start();
    const created = (await (await api(s, 'POST', { short_description: 'x', work_notes: 'first note' })).json()) as {
      result: { sys_id: string };
    };
    const listed = await control(s, 'GET', '/incidents');
    expect(listed.body.incidents).toHaveLength(1);
    expect(listed.body.incidents[0]).toMatchObject({ sysId: created.result.sys_id, number: 'INC0010001', fields: { work_notes: '' } });
    expect(listed.body.incidents[0].journal[0]).toMatchObject({
      field: 'work_notes',
      value: 'first note',
      author: 'trunkgate.integration',
    });

    const stats = await control(s, 'GET', '/stats');
    expect(stats.body).toMatchObject({ requests: 1, requestsByMethod: { POST: 1 }, incidentsCreated: 1, journalEntries: 1 });
    expect(stats.body.createRequestTimes).toHaveLength(1);
    expect((await control(s, 'POST', '/stats/reset')).body.requests).toBe(0);

    await control(s, 'POST', '/outage', { mode: '503' });
    await control(s, 'PUT', '/rate-limit', { limit: 1 });
    expect((await control(s, 'POST', '/reset')).body).toMatchObject({ outage: null, rateLimitRule: null, listening: true });
    expect(s.incidents()).toHaveLength(0);
    expect(s.stats().requests).toBe(0);
    const again = (await (await api(s, 'POST', { short_description: 'y' })).json()) as { result: { number: string } };
    expect(again.result.number).toBe('INC0010001');
  });

  it('answers 400 for invalid control input and 404 for unknown control routes', async () => {
    const s = await start();
    expect((await control(s, 'POST', '/outage', '{nope')).status).toBe(400);
    expect((await control(s, 'POST', '/outage', { mode: 'explode' })).status).toBe(400);
    expect((await control(s, 'POST', '/outage', { mode: '503', durationMs: -1 })).status).toBe(400);
    expect((await control(s, 'POST', '/rate-limit-storm', {})).status).toBe(400);
    expect((await control(s, 'PUT', '/rate-limit', { limit: 0 })).status).toBe(400);
    expect((await control(s, 'PUT', '/token-lifetime', { seconds: 'long' })).status).toBe(400);
    expect((await control(s, 'POST', '/token-fault', [])).status).toBe(400);
    const unknown = await control(s, 'GET', '/nothing');
    expect(unknown.status).toBe(404);
    expect(unknown.body.status).toBe('failure');
    expect((await api(s)).status).toBe(200);
  });
});
