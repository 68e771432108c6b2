import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { buildActions } from '../../src/actions/build-actions.js';
import { MappingError } from '../../src/actions/mapping-loader.js';
import { MAPPING_TARGETS } from '../../src/app/create-upstreams.js';
import { BasicCredentials } from '../../src/credentials/upstream-credentials.js';
import { ManualClock } from '../../src/time/manual-clock.js';
import type { LimiterOptions } from '../../src/upstream/limiter-factory.js';
import { UpstreamMetrics } from '../../src/upstream/upstream-metrics.js';
import { FakeLimiter } from '../support/fake-limiter.js';
import { FakeUpstreamApi, staticCredentials } from '../support/fake-upstream.js';
import { testUpstreams } from '../support/upstreams.js';

const tmp: string[] = [];
afterAll(() => tmp.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('createUpstreams: each configured upstream described once', () => {
  it('names, base URLs, mapping path prefixes and readiness checks, in the order /readyz and /v1/credentials list them', async () => {
    const upstreams = testUpstreams({ GENESYS_LOGIN_URL: 'http://127.0.0.1:9/login', GENESYS_API_URL: 'http://127.0.0.1:9/api' });
    expect(upstreams.all).toEqual([upstreams.genesys, upstreams.servicenow]);
    expect(upstreams.all.map((u) => [u.name, u.pathPrefix, u.readiness.name])).toEqual([
      ['genesys', '/api/v2/', 'genesys-token'],
      ['servicenow', '/api/', 'servicenow-credentials'],
    ]);
    expect(MAPPING_TARGETS).toEqual(upstreams.all.map((u) => ({ name: u.name, pathPrefix: u.pathPrefix })));
    expect(upstreams.genesys.baseUrls).toEqual({ api: 'http://127.0.0.1:9/api', login: 'http://127.0.0.1:9/login' });
    expect(upstreams.servicenow.baseUrls).toEqual({ api: 'http://127.0.0.1:9' });
    expect(upstreams.all.map((u) => [u.client.upstream, u.credentials.upstream])).toEqual([
      ['genesys', 'genesys'],
      ['servicenow', 'servicenow'],
    ]);
    // An integration user without an OAuth client: Basic, always ready until refused.
    expect(upstreams.servicenow.credentials).toBeInstanceOf(BasicCredentials);
    expect(await upstreams.servicenow.readiness.check()).toEqual({ ok: true });
    await upstreams.close();
  });

  it('builds each pacer from its config on the limiters given, and the client waits on that very pacer', async () => {
    const made: FakeLimiter[] = [];
    const limiters = (options: LimiterOptions) => {
      const limiter = new FakeLimiter(options);
      made.push(limiter);
      return limiter;
    };
    const server = http.createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"result":[]}'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const upstreams = testUpstreams(
      { SERVICENOW_INSTANCE_URL: url, GENESYS_RATE_LIMIT_PER_MINUTE: '180', SERVICENOW_RATE_LIMIT_PER_HOUR: '5000' },
      { limiters },
    );
    expect(made.map((l) => l.options.id)).toEqual(['genesys-api', expect.stringMatching(/^servicenow-api:\d+$/)]);
    expect(upstreams.genesys.pacer.describe()).toMatchObject({ paced: true, allowedPerMinute: 180 });
    const acquire = vi.spyOn(upstreams.servicenow.pacer, 'acquire');
    expect(await upstreams.servicenow.client.query('active=true')).toEqual([]);
    expect(acquire).toHaveBeenCalledTimes(1);
    await upstreams.close();
    await new Promise((r) => server.close(r));
  });

  it('uses credentials given instead of brokers (and then registers no token metrics)', async () => {
    const registry = new Registry();
    const given = { ...staticCredentials, upstream: 'genesys' };
    const upstreams = testUpstreams({}, { registry, credentials: { genesys: given, servicenow: staticCredentials } });
    expect(upstreams.genesys.credentials).toBe(given);
    expect(upstreams.servicenow.credentials).toBe(staticCredentials);
    expect(await registry.metrics()).not.toContain('trunkgate_token_refreshes_total');
    await upstreams.close();
  });

  it('every upstream given to the metrics reports from the start', async () => {
    const registry = new Registry();
    new UpstreamMetrics(registry, ['genesys', 'servicenow', 'acme']);
    const text = await registry.metrics();
    for (const upstream of ['genesys', 'servicenow', 'acme'])
      expect(text).toContain(`trunkgate_pacing_waiting_calls{upstream="${upstream}"} 0`);
  });
});

describe('the generic plumbing takes upstreams as data', () => {
  function mappings(files: Record<string, string>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trunkgate-unit-upstreams-'));
    tmp.push(dir);
    fs.mkdirSync(path.join(dir, 'actions'));
    for (const [name, yaml] of Object.entries(files)) fs.writeFileSync(path.join(dir, 'actions', name), yaml);
    return dir;
  }
  const action = (upstream: string, stepPath: string) => `
name: ping
description: asks a third upstream
upstream: ${upstream}
input: { type: object }
steps:
  - { name: call, method: GET, path: ${stepPath} }
output: { schema: { type: object, properties: { ok: { type: boolean } } }, fields: { ok: '\${$steps.call.ok}' } }
`;
  const acme = { name: 'acme', pathPrefix: '/rest/', client: new FakeUpstreamApi('acme', () => ({ ok: true })) };

  it('a third upstream: an action naming it runs on its client, its paths checked against its prefix', async () => {
    const registry = buildActions({
      mappingsDir: mappings({ 'ping.yaml': action('acme', '/rest/ping') }),
      defaultTimeoutMs: 1_000,
      upstreams: [acme],
      clock: new ManualClock(),
    });
    expect(registry.list()).toMatchObject([{ name: 'ping', upstream: 'acme' }]);
    expect(await registry.run('ping', {}, { requestId: 'r', signal: new AbortController().signal })).toEqual({ ok: true });
    expect(acme.client.calls.map((c) => c.request.path)).toEqual(['/rest/ping']);
  });

  it('refuses a path outside the named upstream’s prefix, and an upstream that is not configured', () => {
    const load = (yaml: string) => () =>
      buildActions({ mappingsDir: mappings({ 'ping.yaml': yaml }), defaultTimeoutMs: 1_000, upstreams: [acme], clock: new ManualClock() });
    expect(load(action('acme', '/api/v2/ping'))).toThrow(MappingError);
    expect(load(action('acme', '/api/v2/ping'))).toThrow(/steps\[0\] \(call\)\.path must start with \/rest\/ \(acme API paths only\)/);
    expect(load(action('genesys', '/api/v2/ping'))).toThrow(/\/upstream must be one of "acme"/);
  });
});
