import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  defaultTrunkIds,
  generatedTrunkId,
  orgClient,
  orgEdgeIds,
  orgOrganization,
  orgTrunkIds,
  startGenesysSim,
  type GenesysErrorBody,
  type GenesysOrganization,
  type GenesysSim,
  type GenesysTokenInfo,
  type GenesysTrunk,
  type GenesysTrunkListing,
} from '../../src/sim/genesys/index.js';
import { orgsClient } from './orgs-client.js';

const START = Date.parse('2025-03-01T09:00:00.000Z');
const TRUNKS = '/api/v2/telephony/providers/edges/trunks';

describe('Genesys simulator: several orgs in one server, /api/v2 and /oauth/token', () => {
  let now = START;
  let sim: GenesysSim;
  const { grant, token, api } = orgsClient(() => sim);
  const listIds = async (t: string, query = 'pageSize=100') => {
    const res = await api(t, `${TRUNKS}?${query}`);
    expect(res.status).toBe(200);
    return ((await res.json()) as GenesysTrunkListing).entities.map((e) => e.id);
  };

  beforeEach(async () => {
    now = START;
    sim = await startGenesysSim({ clock: () => now, orgs: [{ name: 'acme' }, { name: 'globex', generatedTrunks: 3 }] });
  });
  afterEach(() => sim.close());

  it("a token lists and reads only its own org's trunks: another org's trunk id, Edge or trunk base finds nothing", async () => {
    const [acme, globex] = [await token('acme'), await token('globex')];
    const acmeIds = Object.values(orgTrunkIds('acme'));
    expect((await listIds(acme)).sort()).toEqual([...acmeIds].sort());
    expect(await listIds(globex)).toHaveLength(7 + 3);
    expect(await listIds(globex)).toContain(generatedTrunkId(1, 'globex'));

    const theirs = orgTrunkIds('globex').twilio;
    const refused = await api(acme, `${TRUNKS}/${theirs}`);
    expect(refused.status).toBe(404);
    expect(((await refused.json()) as GenesysErrorBody).code).toBe('not.found');
    expect(((await (await api(globex, `${TRUNKS}/${theirs}`)).json()) as GenesysTrunk).id).toBe(theirs);
    expect(await listIds(acme, `edge.id=${orgEdgeIds('globex').nyc}`)).toEqual([]);
    expect(await listIds(globex, `edge.id=${orgEdgeIds('globex').nyc}`).then((ids) => ids.length)).toBeGreaterThan(0);
  });

  it('ids are UUIDs derived from the org name: distinct between orgs, the same on every start, never the single-org constants', async () => {
    const acme = orgTrunkIds('acme');
    const globex = orgTrunkIds('globex');
    expect(new Set([...Object.values(acme), ...Object.values(globex)]).size).toBe(14);
    expect(Object.values(acme)).not.toContain(defaultTrunkIds.twilio);
    for (const id of [...Object.values(acme), generatedTrunkId(1, 'acme')]) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
    expect(orgTrunkIds('acme')).toEqual(acme);
    expect(generatedTrunkId(2, 'acme')).not.toBe(generatedTrunkId(2, 'globex'));
    expect(sim.control.org('globex').getTrunk(globex.lumenPrimary)?.edge.id).toBe(orgEdgeIds('globex').nyc);
  });

  it("tokens/me and organizations/me answer the token's own org", async () => {
    for (const org of ['acme', 'globex']) {
      const t = await token(org);
      const info = (await (await api(t, '/api/v2/tokens/me')).json()) as GenesysTokenInfo;
      expect(info.organization).toEqual(orgOrganization(org));
      expect(info.OAuthClient).toMatchObject({ id: orgClient(org).clientId, organization: orgOrganization(org) });
      const me = await api(t, '/api/v2/organizations/me');
      expect(me.status).toBe(200);
      expect((await me.json()) as GenesysOrganization).toMatchObject({ ...orgOrganization(org), thirdPartyOrgName: org, state: 'active' });
    }
    expect(orgOrganization('acme').id).not.toBe(orgOrganization('globex').id);
  });

  it("a client authenticates only with its own secret: one org's secret does not open another org's client", async () => {
    expect((await grant(orgClient('acme').clientId, orgClient('globex').clientSecret)).status).toBe(400);
    expect((await grant('nobody-client', 'x')).status).toBe(400);
    expect((await grant(orgClient('globex').clientId, orgClient('globex').clientSecret)).status).toBe(200);
  });

  it("rate limits count per token in each org's own windows, with each org's own limit", async () => {
    sim.control.org('acme').setRateLimit(2);
    const [acme, globex] = [await token('acme'), await token('globex')];
    expect((await api(acme, '/api/v2/tokens/me')).status).toBe(200);
    expect((await api(acme, '/api/v2/tokens/me')).status).toBe(200);
    const limited = await api(acme, '/api/v2/tokens/me');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('inin-ratelimit-allowed')).toBe('2');

    const other = await api(globex, '/api/v2/tokens/me');
    expect(other.status).toBe(200);
    expect(other.headers.get('inin-ratelimit-count')).toBe('1');
    expect(other.headers.get('inin-ratelimit-allowed')).toBe('300');
    // A second token of the same org has a window of its own (Genesys counts per token).
    expect((await api(await token('acme'), '/api/v2/tokens/me')).headers.get('inin-ratelimit-count')).toBe('1');
  });

  it("counts each org's calls per route, and everything (unknown tokens included) in the simulator's stats", async () => {
    const [acme, globex] = [await token('acme'), await token('globex')];
    await listIds(acme);
    await listIds(acme);
    await listIds(globex);
    await api(acme, `${TRUNKS}/${orgTrunkIds('globex').twilio}`);
    await api('not-a-token', '/api/v2/tokens/me');

    const byOrg = sim.control.statsByOrg();
    expect(byOrg.acme!.byRoute).toEqual({ [`GET ${TRUNKS}`]: 2, [`GET ${TRUNKS}/{trunkId}`]: 1 });
    expect(byOrg.acme).toMatchObject({ apiCalls: 3, apiSuccesses: 2, tokenRequests: 1, tokensIssued: 1, callsWithUnknownToken: 0 });
    expect(byOrg.globex!.byRoute).toEqual({ [`GET ${TRUNKS}`]: 1 });
    expect(sim.control.org('globex').stats().apiCalls).toBe(1);
    expect(sim.stats()).toMatchObject({ apiCalls: 5, tokenRequests: 2, callsWithUnknownToken: 1 });

    sim.control.org('acme').resetStats();
    expect(sim.control.org('acme').stats().apiCalls).toBe(0);
    expect(sim.control.org('globex').stats().apiCalls).toBe(1);
    sim.control.resetStats();
    expect(Object.values(sim.control.statsByOrg()).map((s) => s.apiCalls)).toEqual([0, 0]);
  });
});

describe('Genesys simulator: options for several orgs', () => {
  it('refuses single-org options next to orgs, an empty list, and names, client ids or trunk ids given twice', async () => {
    await expect(startGenesysSim({ orgs: [{ name: 'a' }], trunks: [] })).rejects.toThrow(/with orgs, give trunks per org/);
    await expect(startGenesysSim({ orgs: [] })).rejects.toThrow(/at least one org/);
    await expect(startGenesysSim({ orgs: [{ name: 'a' }, { name: 'a' }] })).rejects.toThrow(/org "a" appears twice/);
    const client = orgClient('a');
    await expect(startGenesysSim({ orgs: [{ name: 'a' }, { name: 'b', clients: [client] }] })).rejects.toThrow(/client "a-client"/);
    const trunks = [{ id: 't1', name: 'T', edge: { id: 'e', name: 'E' }, trunkBase: { id: 'b', name: 'B' }, proxyAddressList: [] }];
    await expect(
      startGenesysSim({
        orgs: [
          { name: 'a', trunks },
          { name: 'b', trunks },
        ],
      }),
    ).rejects.toThrow(/trunk "t1"/);
  });

  it('without orgs there is one org, named after the organization, with the single-org ids and client', async () => {
    const sim = await startGenesysSim();
    try {
      expect(sim.orgs).toEqual(['trunkgate-sandbox']);
      expect(sim.control.listOrgs()).toEqual([
        {
          name: 'trunkgate-sandbox',
          organization: { id: '5f4c3b2a-1d0e-4f9a-8b7c-6d5e4f3a2b1c', name: 'trunkgate-sandbox' },
          clientIds: ['sandbox-genesys-client'],
          trunkCount: 7,
        },
      ]);
      expect(sim.control.org('trunkgate-sandbox').getTrunk(defaultTrunkIds.twilio)?.id).toBe(defaultTrunkIds.twilio);
      expect(sim.state).toBe(sim.region.org('trunkgate-sandbox'));
    } finally {
      await sim.close();
    }
  });
});
