import { afterEach, describe, expect, it } from 'vitest';
import { generatedTrunkId, type GenesysTrunkListing } from '../../src/sim/genesys/index.js';
import { DEMO_USER } from '../../src/sim/servicenow/index.js';
import { DEFAULT_INSTANCE, orgClient, orgTrunkIds, startSimulators, type Simulators } from '../../src/sim/start-simulators.js';
import { orgsClient } from './orgs-client.js';

const TRUNKS = '/api/v2/telephony/providers/edges/trunks';

describe('startSimulators with several orgs and instances', () => {
  let sims: Simulators | undefined;
  const { token, api } = orgsClient(() => sims!.genesys);
  afterEach(async () => {
    await sims?.close();
    sims = undefined;
  });

  it('starts one Genesys simulator hosting every org and one ServiceNow simulator per instance', async () => {
    sims = await startSimulators({ orgs: ['acme', 'globex'], instances: ['sn-eu', 'sn-us'] });
    expect(sims.orgs).toEqual(['acme', 'globex']);
    expect(sims.instances).toEqual(['sn-eu', 'sn-us']);
    expect([...sims.servicenowInstances.keys()]).toEqual(['sn-eu', 'sn-us']);
    expect(sims.servicenow).toBe(sims.servicenowInstances.get('sn-eu'));
    const [eu, us] = [sims.servicenowInstances.get('sn-eu')!, sims.servicenowInstances.get('sn-us')!];
    expect(eu.url).not.toBe(us.url);

    for (const org of sims.orgs) {
      expect(orgClient(org)).toMatchObject({ clientId: `${org}-client`, clientSecret: `${org}-secret` });
      const res = await api(await token(org), `${TRUNKS}/${orgTrunkIds(org).twilio}`);
      expect(res.status).toBe(200);
    }

    const created = await fetch(`${eu.url}/api/now/table/incident`, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from(`${DEMO_USER.username}:${DEMO_USER.password}`).toString('base64')}`,
        'Content-Type': 'application/json',
        Accept: 'application/json',
      },
      body: JSON.stringify({ short_description: 'only in sn-eu' }),
    });
    expect(created.status).toBe(201);
    expect(eu.incidents().map((i) => i.fields.short_description)).toEqual(['only in sn-eu']);
    expect(us.incidents()).toEqual([]);

    const urls = [sims.genesys.url, eu.url, us.url];
    await sims.close();
    sims = undefined;
    for (const url of urls) await expect(fetch(`${url}/__sim/genesys/settings`)).rejects.toThrow();
  });

  it('without orgs or instances, returns the single org and one instance named default, as before', async () => {
    sims = await startSimulators();
    expect(sims.orgs).toEqual(['trunkgate-sandbox']);
    expect(sims.instances).toEqual([DEFAULT_INSTANCE]);
    expect(sims.servicenowInstances.get(DEFAULT_INSTANCE)).toBe(sims.servicenow);
  });

  it('refuses orgs next to genesys.orgs, and an instance named twice', async () => {
    await expect(startSimulators({ orgs: ['a'], genesys: { orgs: [{ name: 'b' }] } })).rejects.toThrow(/not both/);
    await expect(startSimulators({ instances: ['sn', 'sn'] })).rejects.toThrow(/"sn" appears twice/);
  });

  it("pages 5 orgs × 500 EXTERNAL trunks (Genesys' per-org maximum): every trunk once, in its own org, quickly", async () => {
    const names = ['o1', 'o2', 'o3', 'o4', 'o5'];
    sims = await startSimulators({ orgs: names.map((name) => ({ name, trunks: [], generatedTrunks: 500 })) });
    const seen = new Set<string>();
    const started = performance.now();
    for (const org of names) {
      const t = await token(org);
      const ids: string[] = [];
      let next: string | undefined = `${TRUNKS}?trunkType=EXTERNAL&pageSize=100&pageNumber=1`;
      while (next) {
        const page = (await (await api(t, next)).json()) as GenesysTrunkListing;
        expect(page).toMatchObject({ total: 500, pageCount: 5, pageSize: 100 });
        ids.push(...page.entities.map((e) => e.id));
        next = page.nextUri;
      }
      expect(ids).toHaveLength(500);
      expect(new Set(ids)).toEqual(new Set(Array.from({ length: 500 }, (_, i) => generatedTrunkId(i + 1, org))));
      for (const id of ids) seen.add(id);
    }
    const elapsedMs = performance.now() - started;
    expect(seen.size).toBe(2500);
    // 25 pages on loopback take 100–300 ms on a loaded 2-core machine; the generous bound catches a listing
    // gone pathological (sorting or building the whole org once per entity), not a few percent.
    expect(elapsedMs).toBeLessThan(5_000);
    expect(sims.genesys.control.statsByOrg().o3!.byRoute[`GET ${TRUNKS}`]).toBe(5);
  });
});
