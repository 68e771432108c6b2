import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  orgClient,
  orgTrunkIds,
  startGenesysSim,
  type GenesysSim,
  type GenesysSimSettings,
  type GenesysSimStats,
  type GenesysTrunk,
  type SimHttpRequest,
  type SimOrgInfo,
} from '../../src/sim/genesys/index.js';
import { orgsClient } from './orgs-client.js';

const START = Date.parse('2025-03-01T09:00:00.000Z');
const TRUNKS = '/api/v2/telephony/providers/edges/trunks';
const ACME_TRUNK = orgTrunkIds('acme').lumenPrimary;
const GLOBEX_TRUNK = orgTrunkIds('globex').lumenPrimary;

describe('Genesys simulator: control of several orgs', () => {
  let now = START;
  let sim: GenesysSim;
  const { grant, token, api, control } = orgsClient(() => sim);
  const grantOf = (org: string) => grant(orgClient(org).clientId, orgClient(org).clientSecret);
  const trunk = async (t: string, id: string) => (await (await api(t, `${TRUNKS}/${id}`)).json()) as GenesysTrunk;

  beforeEach(async () => {
    now = START;
    sim = await startGenesysSim({ clock: () => now, orgs: [{ name: 'acme' }, { name: 'globex' }] });
  });
  afterEach(() => sim.close());

  it("an org's API fault hits only calls with its tokens; the simulator's hits every org (a region outage)", async () => {
    const [acme, globex] = [await token('acme'), await token('globex')];
    sim.control.org('acme').setApiFault({ mode: 'down', forMs: 10_000 });
    expect((await api(acme, TRUNKS)).status).toBe(503);
    expect((await api(globex, TRUNKS)).status).toBe(200);
    expect(sim.control.org('acme').settings().apiFault).toEqual({ mode: 'down', forMs: 10_000, remainingMs: 10_000 });
    expect(sim.control.settings().apiFault).toBeNull();
    sim.control.org('globex').setApiFault({ mode: 'rate_limited', retryAfterSec: 7 });
    const storm = await api(globex, TRUNKS);
    expect([storm.status, storm.headers.get('retry-after')]).toEqual([429, '7']);
    now += 10_000;
    expect((await api(acme, TRUNKS)).status).toBe(200);

    sim.control.setApiFault({ mode: 'error' });
    expect((await api(acme, TRUNKS)).status).toBe(500);
    expect((await api(globex, TRUNKS)).status).toBe(500);
  });

  it("an org's token endpoint fault refuses only its clients; the simulator's refuses everyone", async () => {
    sim.control.org('globex').setTokenEndpointFault({ mode: 'reject' });
    expect((await grantOf('globex')).status).toBe(400);
    expect((await grantOf('acme')).status).toBe(200);
    expect(sim.control.statsByOrg()).toMatchObject({ globex: { tokenFailures: 1 }, acme: { tokenFailures: 0, tokensIssued: 1 } });
    sim.control.setTokenEndpointFault({ mode: 'down' });
    expect((await grantOf('acme')).status).toBe(503);
    sim.control.setTokenEndpointFault({ mode: 'ok' });
    sim.control.org('globex').setTokenEndpointFault({ mode: 'ok' });
    expect((await grantOf('globex')).status).toBe(200);
  });

  it("trunk state changes and permission removal apply to one org's trunks and clients only", async () => {
    const [acme, globex] = [await token('acme'), await token('globex')];
    expect(() => sim.control.org('globex').setTrunkState(ACME_TRUNK, { state: 'dropped' })).toThrow(/no trunk/);
    sim.control.org('acme').setTrunkState(ACME_TRUNK, { state: 'dropped' });
    expect((await trunk(acme, ACME_TRUNK)).connectedStatus.connected).toBe(false);
    expect((await trunk(globex, GLOBEX_TRUNK)).connectedStatus.connected).toBe(true);

    expect(() => sim.control.org('acme').setClientRoles(orgClient('globex').clientId, [])).toThrow(/no client/);
    sim.control.org('acme').setClientRoles(orgClient('acme').clientId, []);
    expect((await api(acme, TRUNKS)).status).toBe(403);
    expect((await api(globex, TRUNKS)).status).toBe(200);
    expect(
      sim.control
        .org('globex')
        .listClients()
        .map((c) => c.clientId),
    ).toEqual([orgClient('globex').clientId]);
  });

  it('a trunk is added to the org (the first org on the simulator) and its id must be new to the whole simulator', async () => {
    const seed = { id: 'x1', name: 'Extra', edge: { id: 'e', name: 'E' }, trunkBase: { id: 'b', name: 'B' }, proxyAddressList: [] };
    sim.control.org('globex').addTrunk(seed);
    expect(() => sim.control.org('acme').addTrunk(seed)).toThrow(/already exists/);
    expect(() => sim.control.addTrunk({ ...seed, id: ACME_TRUNK })).toThrow(/already exists/);
    sim.control.addTrunk({ ...seed, id: 'x2' });
    expect(sim.control.org('acme').getTrunk('x2')?.name).toBe('Extra');
    expect(sim.control.org('acme').getTrunk('x1')).toBeUndefined();
    expect(sim.control.listTrunks()).toHaveLength(16);
    expect(sim.control.org('acme').removeTrunk('x1')).toBe(false);
    expect(sim.control.removeTrunk('x1')).toBe(true);
  });

  it("an org's reset restores that org alone; the simulator's restores every org and its own faults", async () => {
    sim.control.org('acme').setTrunkState(ACME_TRUNK, { state: 'dropped' });
    sim.control.org('globex').setTrunkState(GLOBEX_TRUNK, { state: 'dropped' });
    sim.control.org('globex').setRateLimit(5);
    sim.control.setApiFault({ mode: 'down' });
    sim.control.org('acme').reset();
    expect(sim.control.getTrunk(ACME_TRUNK)!.connectedStatus.connected).toBe(true);
    expect(sim.control.getTrunk(GLOBEX_TRUNK)!.connectedStatus.connected).toBe(false);
    expect(sim.control.settings().apiFault).not.toBeNull();
    sim.control.reset();
    expect(sim.control.getTrunk(GLOBEX_TRUNK)!.connectedStatus.connected).toBe(true);
    expect(sim.control.org('globex').settings().rateLimitPerMinute).toBe(300);
    expect(sim.control.settings().apiFault).toBeNull();
  });

  it("knobs set on the simulator's control apply to every org; on an org's, to that org", async () => {
    sim.control.setTokenLifetime(60);
    sim.control.org('acme').setPropagationLag(5_000);
    expect(((await (await grantOf('globex')).json()) as { expires_in: number }).expires_in).toBe(59);
    const acme = await token('acme');
    expect((await api(acme, TRUNKS)).status).toBe(401);
    expect((await api(await token('globex'), TRUNKS)).status).toBe(200);
    expect(sim.control.settings()).toMatchObject({ orgs: ['acme', 'globex'], tokenLifetimeSec: 60, propagationLagMs: 5_000 });
    expect(sim.control.org('globex').settings().propagationLagMs).toBe(0);
  });

  it("onRequest on an org's control hears only requests made with that org's token or client id", async () => {
    const heard: Record<string, string[]> = { all: [], acme: [] };
    sim.control.onRequest((r: SimHttpRequest) => heard.all!.push(r.path));
    const off = sim.control.org('acme').onRequest((r) => heard.acme!.push(r.path));
    const [acme, globex] = [await token('acme'), await token('globex')];
    await api(acme, '/api/v2/tokens/me');
    await api(globex, TRUNKS);
    off();
    await api(acme, TRUNKS);
    expect(heard.acme).toEqual(['/oauth/token', '/api/v2/tokens/me']);
    expect(heard.all).toEqual(['/oauth/token', '/oauth/token', '/api/v2/tokens/me', TRUNKS, TRUNKS]);
  });

  describe('over HTTP, ?org=<name>', () => {
    it("addresses one org's trunks, faults, settings and stats; without it, the whole simulator", async () => {
      expect((await control('POST', `/trunks/${ACME_TRUNK}/state?org=globex`, { state: 'dropped' })).status).toBe(404);
      expect((await control('POST', `/trunks/${ACME_TRUNK}/state?org=acme`, { state: 'dropped' })).status).toBe(200);
      expect((await control('POST', '/api?org=globex', { mode: 'down' })).status).toBe(200);
      expect((await api(await token('globex'), TRUNKS)).status).toBe(503);
      expect((await api(await token('acme'), TRUNKS)).status).toBe(200);

      const settings = (await (await control('GET', '/settings?org=globex')).json()) as GenesysSimSettings;
      expect(settings).toMatchObject({ orgs: ['globex'], apiFault: { mode: 'down' } });
      const trunks = (await (await control('GET', '/trunks?org=acme')).json()) as { trunks: GenesysTrunk[] };
      expect(trunks.trunks.map((t) => t.id)).toEqual(
        sim.control
          .org('acme')
          .listTrunks()
          .map((t) => t.id),
      );
      expect(((await (await control('GET', '/trunks')).json()) as { trunks: unknown[] }).trunks).toHaveLength(14);

      const stats = (await (await control('GET', '/stats?org=acme')).json()) as GenesysSimStats;
      expect(stats).toMatchObject({ tokensIssued: 1, apiCalls: 1 });
      const byOrg = (await (await control('GET', '/stats/orgs')).json()) as { orgs: Record<string, GenesysSimStats> };
      expect(Object.keys(byOrg.orgs)).toEqual(['acme', 'globex']);
      expect(byOrg.orgs.globex).toMatchObject({ apiCalls: 1, apiFaults: 1 });
      const orgs = (await (await control('GET', '/orgs')).json()) as { orgs: SimOrgInfo[] };
      expect(orgs.orgs.map((o) => [o.name, o.clientIds, o.trunkCount])).toEqual([
        ['acme', ['acme-client'], 7],
        ['globex', ['globex-client'], 7],
      ]);
    });

    it('answers 404 for an unknown org and 400 for org given twice', async () => {
      const unknown = await control('GET', '/settings?org=initech');
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toEqual({ error: { code: 'not_found', message: 'no org initech' } });
      expect((await control('GET', '/settings?org=acme&org=globex')).status).toBe(400);
      expect(() => sim.control.org('initech')).toThrow(/no org initech/);
    });
  });
});
