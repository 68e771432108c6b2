import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  defaultOrganization,
  defaultTrunkIds,
  startGenesysSim,
  type GenesysErrorBody,
  type GenesysSim,
  type GenesysSimOptions,
  type GenesysTokenInfo,
  type GenesysTokenResponse,
  type GenesysTrunk,
  type GenesysTrunkListing,
  type SeedTrunk,
} from '../../src/sim/genesys/index.js';

const START = Date.parse('2025-03-01T09:00:00.000Z');
const TRUNKS = '/api/v2/telephony/providers/edges/trunks';

function manyTrunks(count: number): SeedTrunk[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    name: `Trunk ${String(i).padStart(3, '0')}`,
    trunkType: i % 10 === 9 ? ('PHONE' as const) : ('EXTERNAL' as const),
    edge: i % 2 ? { id: 'edge-b', name: 'Edge B' } : { id: 'edge-a', name: 'Edge A' },
    trunkBase: { id: `base-${i % 3}`, name: `Base ${i % 3}` },
    proxyAddressList: [`sip${i}.carrier.example:5061`],
  }));
}

describe('Genesys simulator: /api/v2', () => {
  let now = START;
  let sim: GenesysSim;
  let token: string;

  const start = async (options: GenesysSimOptions = {}) => {
    sim = await startGenesysSim({ clock: () => now, ...options });
    token = await newToken();
  };
  const newToken = async () => {
    const res = await fetch(`${sim.url}/oauth/token`, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from(`${DEMO_CLIENT_ID}:${DEMO_CLIENT_SECRET}`).toString('base64')}`,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    return ((await res.json()) as GenesysTokenResponse).access_token;
  };
  const api = (path: string, init: { method?: string; token?: string | null } = {}) =>
    fetch(`${sim.url}${path}`, {
      method: init.method ?? 'GET',
      headers: init.token === null ? {} : { Authorization: `Bearer ${init.token ?? token}` },
    });
  const listing = async (query: string) => {
    const res = await api(`${TRUNKS}?${query}`);
    expect(res.status).toBe(200);
    return (await res.json()) as GenesysTrunkListing;
  };

  beforeEach(() => {
    now = START;
  });
  afterEach(() => sim.close());

  it('reports every login and API request (not control requests) to onRequest listeners until unsubscribed', async () => {
    await start();
    const seen: unknown[] = [];
    const off = sim.control.onRequest((r) => seen.push(r));
    await api(`${TRUNKS}?pageSize=2&pageNumber=1`);
    await fetch(`${sim.url}/__sim/genesys/settings`);
    off();
    await api(TRUNKS);
    expect(seen).toEqual([
      {
        method: 'GET',
        path: TRUNKS,
        query: 'pageSize=2&pageNumber=1',
        headers: expect.objectContaining({ authorization: `Bearer ${token}` }),
        at: START,
      },
    ]);
  });

  describe('tokens/me', () => {
    beforeEach(() => start());

    it('GET returns the TokenInfo of the client, with its OAuth scopes (never its permissions)', async () => {
      const res = await api('/api/v2/tokens/me');
      expect(res.status).toBe(200);
      expect(res.headers.get('inin-correlation-id')).toBeTruthy();
      const info = (await res.json()) as GenesysTokenInfo;
      expect(info).toEqual({
        organization: defaultOrganization,
        homeOrganization: defaultOrganization,
        authorizedScope: ['telephony:readonly', 'notifications'],
        OAuthClient: {
          id: DEMO_CLIENT_ID,
          name: 'trunkgate sandbox',
          authorizedGrantType: 'CLIENT-CREDENTIALS',
          organization: defaultOrganization,
        },
      });
    });

    it('GET reports the scopes of a configured client, and an empty list for a client without any', async () => {
      await sim.close();
      sim = await startGenesysSim({
        clients: [
          {
            clientId: 'c',
            clientSecret: 's',
            scopes: ['organization:readonly'],
            roles: [{ name: 'r', permissions: ['telephony:plugin:all'] }],
          },
          { clientId: 'bare', clientSecret: 's', roles: [{ name: 'r', permissions: ['telephony:plugin:all'] }] },
        ],
      });
      const scopesOf = async (client: string) => {
        const res = await fetch(`${sim.url}/oauth/token`, {
          method: 'POST',
          headers: { Authorization: `Basic ${btoa(`${client}:s`)}`, 'Content-Type': 'application/x-www-form-urlencoded' },
          body: 'grant_type=client_credentials',
        });
        token = ((await res.json()) as GenesysTokenResponse).access_token;
        return ((await (await api('/api/v2/tokens/me')).json()) as GenesysTokenInfo).authorizedScope;
      };
      expect(await scopesOf('c')).toEqual(['organization:readonly']);
      expect(await scopesOf('bare')).toEqual([]);
    });

    it('HEAD answers 200 without a body for a good token and 401 for a bad one', async () => {
      const ok = await api('/api/v2/tokens/me', { method: 'HEAD' });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toBe('');
      expect((await api('/api/v2/tokens/me', { method: 'HEAD', token: 'nope' })).status).toBe(401);
    });

    it('DELETE revokes the token (204) and only that token', async () => {
      const other = await newToken();
      expect((await api('/api/v2/tokens/me', { method: 'DELETE' })).status).toBe(204);
      expect((await api('/api/v2/tokens/me')).status).toBe(401);
      expect((await api('/api/v2/tokens/me', { token: other })).status).toBe(200);
      expect(sim.stats().callsWithRevokedToken).toBe(1);
    });
  });

  describe('authentication', () => {
    beforeEach(() => start());

    it('answers 401 authentication.required without a bearer token', async () => {
      const res = await api('/api/v2/tokens/me', { token: null });
      expect(res.status).toBe(401);
      const body = (await res.json()) as GenesysErrorBody;
      expect(body).toEqual({
        message: 'No authentication bearer token specified in authorization header.',
        code: 'authentication.required',
        status: 401,
        contextId: res.headers.get('inin-correlation-id'),
        details: [],
        errors: [],
      });
      expect(sim.stats().callsWithoutToken).toBe(1);
    });

    it('answers 401 bad.credentials to an unknown token and counts it', async () => {
      const res = await api(TRUNKS, { token: 'not-a-token' });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ code: 'bad.credentials', message: 'Invalid login credentials.', status: 401 });
      expect(sim.stats()).toMatchObject({ apiCalls: 1, apiSuccesses: 0, callsWithUnknownToken: 1 });
    });

    it('control.revokeTokens revokes every live token', async () => {
      await newToken();
      expect(sim.control.revokeTokens()).toBe(2);
      expect((await api('/api/v2/tokens/me')).status).toBe(401);
    });

    it('answers 404 not.found to an unknown /api/v2 path, and 401 before that without a token', async () => {
      const res = await api('/api/v2/users/me');
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ code: 'not.found', status: 404 });
      expect((await api('/api/v2/users/me', { token: 'x' })).status).toBe(401);
    });
  });

  describe('GET /telephony/providers/edges/trunks', () => {
    it('serves the default trunks: EXTERNAL ones registered on two Edges, two BYOC Cloud ones without registration, the PHONE one filtered out', async () => {
      await start();
      const all = await listing('pageSize=25&pageNumber=1');
      expect(all.total).toBe(7);
      const external = await listing('trunkType=EXTERNAL');
      expect(external.total).toBe(6);
      expect(external.entities.every((t) => t.trunkType === 'EXTERNAL')).toBe(true);
      const cloud = new Set<string>([defaultTrunkIds.bandwidthCloudA, defaultTrunkIds.bandwidthCloudB]);
      const premises = external.entities.filter((t) => !cloud.has(t.id));
      expect(new Set(premises.map((t) => t.edge.id)).size).toBe(2);
      for (const t of premises) {
        expect(t.connectedStatus.connected).toBe(true);
        expect(t.registersEnabledStatus).toBe('ENABLED');
        expect(t.registersStatus.length).toBeGreaterThan(0);
        expect(t.registersStatus.every((r) => r.registerState && !r.errorInfo)).toBe(true);
      }
      for (const t of external.entities.filter((e) => cloud.has(e.id))) {
        expect(t).toMatchObject({ registersEnabledStatus: 'NOT_SUPPORTED', registersStatus: [], connectedStatus: { connected: true } });
        expect(t.optionsStatus.every((o) => o.optionState && !o.errorInfo)).toBe(true);
      }
      expect(external.entities.map((t) => t.id)).not.toContain(defaultTrunkIds.phone);
    });

    it('shows a failure of a trunk without registration on its SIP OPTIONS: refused with the code, or unanswered', async () => {
      await start();
      const id = defaultTrunkIds.bandwidthCloudA;
      const refused = sim.control.setTrunkState(id, { state: 'rejected', sipCode: 403 });
      expect(refused.registersStatus).toEqual([]);
      expect(refused.optionsStatus[0]).toMatchObject({ optionState: false, errorInfo: { code: '403', text: '403 Forbidden' } });
      expect(refused.connectedStatus.connected).toBe(false);
      const timedOut = sim.control.setTrunkState(id, { state: 'dropped', sipCode: 408 });
      expect(timedOut.optionsStatus[0]).toMatchObject({ optionState: false, errorInfo: { code: '408' } });
      const silent = sim.control.setTrunkState(id, { state: 'dropped' });
      expect(silent.optionsStatus[0]).toMatchObject({ optionState: false, errorInfo: { text: 'No response to OPTIONS' } });
      expect(silent.optionsStatus[0]!.errorInfo!.code).toBeUndefined();
      const healthy = sim.control.setTrunkState(id, { state: 'registered' });
      expect(healthy.optionsStatus[0]).toMatchObject({ optionState: true });
      expect(healthy.connectedStatus.connected).toBe(true);
      expect(() => sim.control.setRegistersEnabled(id, true)).toThrow(/does not support registration/);
    });

    it('pages 60 trunks by 25 into 3 pages with first/self/last/next/previous URIs', async () => {
      await start({ trunks: manyTrunks(60) });
      const p1 = await listing('pageSize=25&pageNumber=1');
      expect(p1).toMatchObject({ pageSize: 25, pageNumber: 1, total: 60, pageCount: 3 });
      expect(p1.entities).toHaveLength(25);
      expect(p1.firstUri).toBe(`${TRUNKS}?pageSize=25&pageNumber=1`);
      expect(p1.selfUri).toBe(`${TRUNKS}?pageSize=25&pageNumber=1`);
      expect(p1.nextUri).toBe(`${TRUNKS}?pageSize=25&pageNumber=2`);
      expect(p1.lastUri).toBe(`${TRUNKS}?pageSize=25&pageNumber=3`);
      expect(p1.previousUri).toBeUndefined();

      const p2 = await api(p1.nextUri!).then((r) => r.json() as Promise<GenesysTrunkListing>);
      expect(p2.pageNumber).toBe(2);
      expect(p2.previousUri).toBe(`${TRUNKS}?pageSize=25&pageNumber=1`);
      const p3 = await api(p2.nextUri!).then((r) => r.json() as Promise<GenesysTrunkListing>);
      expect(p3.entities).toHaveLength(10);
      expect(p3.nextUri).toBeUndefined();

      const ids = [...p1.entities, ...p2.entities, ...p3.entities].map((t) => t.id);
      expect(new Set(ids).size).toBe(60);
      expect((await listing('pageNumber=4&pageSize=25')).entities).toEqual([]);
    });

    it('defaults to pageSize 25, pageNumber 1, sorted by name ascending', async () => {
      await start({ trunks: manyTrunks(30).reverse() });
      const page = await listing('');
      expect(page).toMatchObject({ pageSize: 25, pageNumber: 1, pageCount: 2 });
      expect(page.entities[0]!.name).toBe('Trunk 000');
      const desc = await listing('sortOrder=desc');
      expect(desc.entities[0]!.name).toBe('Trunk 029');
    });

    it('filters by trunkType, edge.id and trunkBase.id and keeps the filters in the paging URIs', async () => {
      await start({ trunks: manyTrunks(60) });
      const page = await listing('trunkType=EXTERNAL&edge.id=edge-b&pageSize=10');
      expect(page.total).toBe(24); // edge-b holds the 30 odd indexes, 6 of them (9, 19, …, 59) PHONE
      expect(page.entities.every((t) => t.edge.id === 'edge-b' && t.trunkType === 'EXTERNAL')).toBe(true);
      expect(page.nextUri).toBe(`${TRUNKS}?pageSize=10&pageNumber=2&trunkType=EXTERNAL&edge.id=edge-b`);
      const bases = await listing('trunkBase.id=base-0,base-1&pageSize=100');
      expect(bases.total).toBe(40);
      const phones = await listing('trunkType=PHONE');
      expect(phones.total).toBe(6);
    });

    it('answers 400 invalid.value to a bad pageSize, pageNumber, trunkType or sortOrder', async () => {
      await start();
      for (const query of ['pageSize=abc', 'pageSize=0', 'pageSize=501', 'pageNumber=0', 'trunkType=FOO', 'sortOrder=up']) {
        const res = await api(`${TRUNKS}?${query}`);
        expect(res.status, query).toBe(400);
        expect(await res.json()).toMatchObject({ code: 'invalid.value', status: 400 });
      }
    });

    it('answers 403 missing.any.permissions to a client whose roles lack telephony:plugin:all', async () => {
      await start({ clients: [{ clientId: DEMO_CLIENT_ID, clientSecret: DEMO_CLIENT_SECRET, scopes: ['telephony', 'notifications'] }] });
      const res = await api(TRUNKS);
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ code: 'missing.any.permissions', status: 403 });
    });
  });

  describe('GET /telephony/providers/edges/trunks/{trunkId}', () => {
    beforeEach(() => start());

    it('returns the Trunk with its health fields and ISO-8601 timestamps', async () => {
      const res = await api(`${TRUNKS}/${defaultTrunkIds.lumenPrimary}`);
      expect(res.status).toBe(200);
      const trunk = (await res.json()) as GenesysTrunk;
      expect(trunk).toMatchObject({
        id: defaultTrunkIds.lumenPrimary,
        state: 'active',
        trunkType: 'EXTERNAL',
        inService: true,
        enabled: true,
        registersEnabledStatus: 'ENABLED',
        optionsEnabledStatus: 'ENABLED',
        connectedStatus: { connected: true, connectedStateTime: '2025-03-01T09:00:00.000Z' },
        selfUri: `${TRUNKS}/${defaultTrunkIds.lumenPrimary}`,
      });
      expect(trunk.registersStatus.map((r) => r.proxyAddress)).toEqual(trunk.proxyAddressList);
      expect(trunk.edge.selfUri).toBe(`/api/v2/telephony/providers/edges/${trunk.edge.id}`);
    });

    it('answers 404 not.found with the Genesys error body for an unknown id', async () => {
      const res = await api(`${TRUNKS}/does-not-exist`);
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({
        message: 'The requested resource was not found.',
        code: 'not.found',
        status: 404,
        contextId: res.headers.get('inin-correlation-id'),
        details: [],
        errors: [],
      });
    });
  });

  describe('rate limits', () => {
    it('sends inin-ratelimit-* headers and answers the 301st call in a minute with 429 + Retry-After', async () => {
      await start();
      for (let i = 1; i <= 300; i++) {
        if (i === 2) now += 15_000;
        const res = await api('/api/v2/tokens/me', { method: 'HEAD' });
        expect(res.status).toBe(200);
        if (i === 1) {
          expect(res.headers.get('inin-ratelimit-count')).toBe('1');
          expect(res.headers.get('inin-ratelimit-allowed')).toBe('300');
          expect(res.headers.get('inin-ratelimit-reset')).toBe('60');
        }
      }
      const limited = await api('/api/v2/tokens/me');
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('45');
      expect(limited.headers.get('inin-ratelimit-count')).toBe('301');
      expect(await limited.json()).toMatchObject({
        code: 'too.many.requests.retry.after',
        status: 429,
        message: 'Rate limit exceeded the maximum. Retry the request in [45] seconds',
      });
      // The limit is per token: a fresh token is not limited.
      expect((await api('/api/v2/tokens/me', { token: await newToken() })).status).toBe(200);
      now += 45_000;
      expect((await api('/api/v2/tokens/me')).status).toBe(200);
      expect(sim.stats().rateLimited).toBe(1);
    });

    it('control.setRateLimit lowers the per-token limit', async () => {
      await start();
      sim.control.setRateLimit(2);
      await api('/api/v2/tokens/me');
      await api('/api/v2/tokens/me');
      const res = await api('/api/v2/tokens/me');
      expect(res.status).toBe(429);
      expect(res.headers.get('inin-ratelimit-allowed')).toBe('2');
    });
  });

  describe('API faults', () => {
    beforeEach(() => start());

    it('a rate-limit storm answers every call 429 with the given Retry-After for its duration', async () => {
      sim.control.setApiFault({ mode: 'rate_limited', retryAfterSec: 7, forMs: 20_000 });
      const res = await api(`${TRUNKS}/${defaultTrunkIds.twilio}`);
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('7');
      expect(await res.json()).toMatchObject({ code: 'too.many.requests.retry.after' });
      now += 20_000;
      expect((await api(`${TRUNKS}/${defaultTrunkIds.twilio}`)).status).toBe(200);
    });

    it('an outage answers 503 service.unavailable until healed', async () => {
      sim.control.setApiFault({ mode: 'down' });
      const res = await api(TRUNKS);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ code: 'service.unavailable', status: 503 });
      sim.control.setApiFault({ mode: 'error' });
      expect((await api(TRUNKS)).status).toBe(500);
      sim.control.setApiFault({ mode: 'ok' });
      expect((await api(TRUNKS)).status).toBe(200);
      expect(sim.stats()).toMatchObject({ apiFaults: 2, apiSuccesses: 1 });
    });

    it('slow delays the answer', async () => {
      sim.control.setApiFault({ mode: 'slow', delayMs: 120 });
      const started = performance.now();
      expect((await api('/api/v2/tokens/me')).status).toBe(200);
      expect(performance.now() - started).toBeGreaterThanOrEqual(110);
    });
  });

  it('answers malformed requests with a Genesys 400/404 body and keeps serving', async () => {
    await start();
    const badEncoding = await api(`${TRUNKS}/%E0%A4%A`);
    expect(badEncoding.status).toBe(400);
    expect(await badEncoding.json()).toMatchObject({ code: 'bad.request', status: 400 });
    const root = await api('/');
    expect(root.status).toBe(404);
    expect(await root.json()).toMatchObject({ code: 'not.found' });
    const repeated = await api(`${TRUNKS}?pageSize=10&pageSize=20&trunkType=EXTERNAL&trunkType=PHONE`);
    expect(repeated.status).toBe(200);
    expect(((await repeated.json()) as GenesysTrunkListing).pageSize).toBe(10);
    expect((await api('/api/v2/tokens/me')).status).toBe(200);
  });

  it('counts calls per route and per status', async () => {
    await start();
    await api(`${TRUNKS}/${defaultTrunkIds.twilio}`);
    await api(`${TRUNKS}/nope`);
    await api('/api/v2/nothing');
    await api(TRUNKS, { token: 'stale' });
    const stats = sim.stats();
    expect(stats.byRoute).toEqual({
      'GET /api/v2/telephony/providers/edges/trunks/{trunkId}': 2,
      'GET (unknown path)': 1,
      'GET (refused before routing)': 1,
    });
    expect(stats.byStatus).toEqual({ '200': 1, '404': 2, '401': 1 });
    sim.resetStats();
    expect(sim.stats().apiCalls).toBe(0);
  });
});
