import { afterEach, describe, expect, it } from 'vitest';
import type { TrunkgateApp } from '../../src/app/create-app.js';
import { orgTrunkBaseIds, orgTrunkIds, type SeedTrunk } from '../../src/sim/genesys/index.js';
import { startSimulators, type Simulators } from '../../src/sim/start-simulators.js';
import { eventually } from '../support/eventually.js';
import { incidentsWith, orgsConfig, startOrgsApp, writeConnectionsFile, type TestRoute } from '../support/orgs-app.js';

const id = (n: number) => `c0000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const edge = (n: number, name: string) => ({ id: `e0000000-0000-4000-8000-${String(n).padStart(12, '0')}`, name });
/** A registered EXTERNAL trunk with a trunk base of its own. */
const trunk = (n: number, name: string, on: { id: string; name: string }): SeedTrunk => ({
  id: id(n),
  name,
  edge: on,
  trunkBase: { id: id(100 + n), name: `${name} base` },
  proxyAddressList: [`sip-${n}.carrier.example.net:5061`],
});

const AMS = edge(2, 'edge-ams-01');
const ACME = {
  twilio: trunk(1, 'Twilio-01-NYC', edge(1, 'edge-lon-02')),
  lumenAms: trunk(2, 'Lumen SIP - AMS', AMS),
  pbx: trunk(3, 'Acme HQ PBX', edge(3, 'edge-chi-01')),
  twilioShort: trunk(4, 'Twilio-1-NYC', edge(3, 'edge-chi-01')),
};
const GLOBEX = {
  lumen: trunk(11, 'lumen sip - nyc', edge(11, 'edge-nyc-01')),
  bandwidthLon: trunk(12, 'Bandwidth - LON', edge(12, 'EDGE-LON-01')),
  pbx: trunk(13, 'Acme PBX', edge(13, 'edge-chi-01')),
};

/** First match wins; a route's servicenow overrides the org's own instance (acme → sn-a, globex → sn-b). */
const ROUTES: TestRoute[] = [
  { match: { org: 'globex', trunkName: 'Lumen*' }, servicenow: 'sn-a', fields: { assignment_group: 'Voice Carriers', urgency: 1 } },
  { match: { trunkName: 'twilio-??-nyc' }, fields: { assignment_group: 'Twilio Desk' } },
  { match: { edgeName: 'edge-lon-*' }, servicenow: 'sn-a', fields: { assignment_group: 'London Site', cmdb_ci: 'edge-lon' } },
  { match: { edgeId: AMS.id }, servicenow: 'sn-b', fields: { cmdb_ci: 'edge-ams-01' } },
  { match: { org: 'acme' }, fields: { assignment_group: 'Acme NOC' } },
];

describe('incident routing through the app and the simulators: two orgs, two ServiceNow instances', () => {
  let sims: Simulators | undefined;
  let app: TrunkgateApp | undefined;
  afterEach(async () => {
    await app?.close();
    await sims?.close();
    app = sims = undefined;
  });

  async function start(options: {
    trunks?: { acme: SeedTrunk[]; globex: SeedTrunk[] };
    routes: TestRoute[];
    env?: Record<string, string>;
  }) {
    sims = await startSimulators({
      orgs: [
        { name: 'acme', ...(options.trunks ? { trunks: options.trunks.acme } : {}) },
        { name: 'globex', ...(options.trunks ? { trunks: options.trunks.globex } : {}) },
      ],
      instances: ['sn-a', 'sn-b'],
    });
    const file = writeConnectionsFile(sims, {
      orgs: [
        { name: 'acme', servicenow: 'sn-a' },
        { name: 'globex', servicenow: 'sn-b' },
      ],
      routes: options.routes,
    });
    const started = await startOrgsApp(
      orgsConfig(file, {
        MONITOR_NOTIFICATIONS: 'false',
        MONITOR_POLL_INTERVAL_MS: '1000',
        INCIDENT_OPEN_AFTER_MS: '0',
        INCIDENT_NOTE_INTERVAL_MS: '0',
        ...options.env,
      }),
    );
    app = started.app;
    // Each org's monitor has listed its trunks once, all healthy; ?org= keeps to that org's.
    for (const org of ['acme', 'globex']) {
      const listed = sims.genesys.control
        .org(org)
        .listTrunks()
        .filter((t) => t.trunkType === 'EXTERNAL');
      await eventually(async () => {
        const { body } = await started.api.get(`/v1/trunks?org=${org}`);
        const seen = body.trunks as Array<{ id: string; state: string; org: string }>;
        expect(seen.map((t) => t.id).sort()).toEqual(listed.map((t) => t.id).sort());
        expect(seen.filter((t) => t.org !== org || !['registered', 'connected'].includes(t.state))).toEqual([]);
      });
    }
    return { ...started, sims };
  }

  /** The one incident of `correlationId` across both instances, once created. */
  const theIncident = (correlationId: string) =>
    eventually(() => {
      const found = incidentsWith(sims!, correlationId);
      expect(found).toHaveLength(1);
      return found[0]!;
    });

  it('each failing trunk goes where the first matching route (org, trunk name glob, Edge id or name glob) or its org says', async () => {
    const { api } = await start({
      trunks: { acme: Object.values(ACME), globex: Object.values(GLOBEX) },
      routes: ROUTES,
      env: { INCIDENT_GROUP_BY: 'trunk' },
    });
    const fail = (org: string, t: SeedTrunk) => sims!.genesys.control.org(org).setTrunkState(t.id, { state: 'rejected', sipCode: 403 });
    for (const t of Object.values(ACME)) fail('acme', t);
    for (const t of Object.values(GLOBEX)) fail('globex', t);

    const expected: Array<[string, SeedTrunk, string, Record<string, string>]> = [
      // `?` is one character, letter case ignored; the Edge route (later) also matches but the first wins.
      ['acme', ACME.twilio, 'sn-a', { assignment_group: 'Twilio Desk', cmdb_ci: '', urgency: '2' }],
      // The globex-only Lumen route does not apply to acme; the Edge id route comes before acme's own.
      ['acme', ACME.lumenAms, 'sn-b', { assignment_group: '', cmdb_ci: 'edge-ams-01' }],
      ['acme', ACME.pbx, 'sn-a', { assignment_group: 'Acme NOC', cmdb_ci: '' }],
      // 'Twilio-1-NYC' has one character where `??` wants two: only the org route matches.
      ['acme', ACME.twilioShort, 'sn-a', { assignment_group: 'Acme NOC' }],
      // 'Lumen*' matches 'lumen sip - nyc' whatever the case, and sends it to acme's instance.
      ['globex', GLOBEX.lumen, 'sn-a', { assignment_group: 'Voice Carriers', urgency: '1' }],
      ['globex', GLOBEX.bandwidthLon, 'sn-a', { assignment_group: 'London Site', cmdb_ci: 'edge-lon' }],
      // No route: the org's own instance and incident.yaml's fields.
      ['globex', GLOBEX.pbx, 'sn-b', { assignment_group: '', cmdb_ci: '', urgency: '2', impact: '2' }],
    ];
    for (const [org, t, instance, fields] of expected) {
      const key = `trunkgate:${org}:trunk:${t.id}`;
      const incident = await theIncident(key);
      expect({ key, instance: incident.instance }).toEqual({ key, instance });
      expect(incident.fields).toMatchObject({ ...fields, correlation_id: key });
      expect(incident.fields.short_description).toContain(t.name);
    }
    expect(sims!.servicenowInstances.get('sn-a')!.incidents()).toHaveLength(5);
    expect(sims!.servicenowInstances.get('sn-b')!.incidents()).toHaveLength(2);

    // The views carry the org, and ?org= keeps to one.
    const { body } = await api.get('/v1/incidents?org=globex');
    expect(body.incidents.map((i: { correlationId: string }) => i.correlationId).sort()).toEqual(
      Object.values(GLOBEX)
        .map((t) => `trunkgate:globex:trunk:${t.id}`)
        .sort(),
    );
    expect(body.incidents.every((i: { org: string }) => i.org === 'globex')).toBe(true);
    expect((await api.get(`/v1/trunks/${ACME.pbx.id}`)).body).toMatchObject({ org: 'acme', state: 'rejected' });
  });

  it('a trunk base route takes the carrier incident of that base only, on every Edge, in its org only', async () => {
    const base = orgTrunkBaseIds('globex').lumen;
    const { api } = await start({
      routes: [{ match: { trunkBaseId: base.toUpperCase() }, servicenow: 'sn-a', fields: { cmdb_ci: 'BYOC Lumen' } }],
    });
    const globex = orgTrunkIds('globex');
    const acme = orgTrunkIds('acme');
    for (const t of [globex.lumenPrimary, globex.lumenSecondary, globex.twilio]) {
      sims!.genesys.control.org('globex').setTrunkState(t, { state: 'rejected', sipCode: 403 });
    }
    sims!.genesys.control.org('acme').setTrunkState(acme.lumenPrimary, { state: 'dropped' });

    const carrier = await theIncident(`trunkgate:globex:trunkbase:${base}`);
    expect(carrier).toMatchObject({ instance: 'sn-a', fields: { cmdb_ci: 'BYOC Lumen' } });
    // Both Edges' trunks of the base are in the one incident.
    await eventually(async () => {
      const { body } = await api.get(`/v1/incidents?org=globex&trunkId=${globex.lumenSecondary}`);
      expect(body.incidents).toMatchObject([{ correlationId: `trunkgate:globex:trunkbase:${base}`, org: 'globex' }]);
      expect([...body.incidents[0].trunkIds].sort()).toEqual([globex.lumenPrimary, globex.lumenSecondary].sort());
    });
    const twilio = await theIncident(`trunkgate:globex:trunkbase:${orgTrunkBaseIds('globex').twilio}`);
    expect(twilio).toMatchObject({ instance: 'sn-b', fields: { cmdb_ci: '' } });
    // acme's Lumen base has ids of its own: the route does not apply.
    const acmeLumen = await theIncident(`trunkgate:acme:trunkbase:${orgTrunkBaseIds('acme').lumen}`);
    expect(acmeLumen).toMatchObject({ instance: 'sn-a', fields: { cmdb_ci: '' } });
    expect(incidentsWith(sims!, `trunkgate:globex:trunk:${globex.lumenPrimary}`)).toEqual([]);
  });
});
