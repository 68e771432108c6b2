import { afterEach, describe, expect, it } from 'vitest';
import type { TrunkgateApp } from '../../src/app/create-app.js';
import { orgClient, orgTrunkIds } from '../../src/sim/genesys/index.js';
import { startSimulators, type Simulators } from '../../src/sim/start-simulators.js';
import { eventually } from '../support/eventually.js';
import { incidentsWith, orgsConfig, startOrgsApp, writeConnectionsFile, type TestOrg, type TestRoute } from '../support/orgs-app.js';

const TRUNK_ROUTE = 'GET /api/v2/telephony/providers/edges/trunks/{trunkId}';
const ACME = orgTrunkIds('acme');
const GLOBEX = orgTrunkIds('globex');

/** The credentials incident has an org but no trunk: the first route (it names a trunk) is passed over. */
const ROUTES: TestRoute[] = [
  { match: { org: 'globex', trunkName: '*' }, fields: { assignment_group: 'Trunk Team' } },
  { match: { org: 'globex' }, servicenow: 'sn-a', fields: { assignment_group: 'Globex Access' } },
];

/** A metric's value for those labels (0 when it has none yet). */
async function metric(app: TrunkgateApp, name: string, labels: Record<string, string>): Promise<number> {
  const values = (await app.registry.getSingleMetric(name)?.get())?.values ?? [];
  const found = values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return found?.value ?? 0;
}

describe('several orgs: each its own credentials and its own pacing budget (app and simulators)', () => {
  let sims: Simulators | undefined;
  let app: TrunkgateApp | undefined;
  afterEach(async () => {
    await app?.close();
    await sims?.close();
    app = sims = undefined;
  });

  async function start(orgs: Array<Partial<TestOrg> & { rateLimit?: number }>, env: Record<string, string> = {}) {
    sims = await startSimulators({
      orgs: [
        { name: 'acme', ...(orgs[0]?.rateLimit ? { rateLimitPerMinute: orgs[0].rateLimit } : {}) },
        { name: 'globex', ...(orgs[1]?.rateLimit ? { rateLimitPerMinute: orgs[1].rateLimit } : {}) },
      ],
      instances: ['sn-a', 'sn-b'],
    });
    const file = writeConnectionsFile(sims, {
      orgs: [
        { ...orgs[0], name: 'acme', servicenow: 'sn-a' },
        { ...orgs[1], name: 'globex', servicenow: 'sn-b' },
      ],
      routes: ROUTES,
    });
    const started = await startOrgsApp(
      orgsConfig(file, { MONITOR_NOTIFICATIONS: 'false', MONITOR_POLL_INTERVAL_MS: '1000', INCIDENT_OPEN_AFTER_MS: '0', ...env }),
    );
    app = started.app;
    const getTrunk = (org: string | null, trunkId: string) =>
      started.api.post(org === null ? '/v1/actions/get-trunk' : `/v1/orgs/${org}/actions/get-trunk`, { trunkId });
    return { ...started, sims, getTrunk };
  }

  const stats = (org: string) => sims!.genesys.control.statsByOrg()[org]!;

  it("a wrong secret in one org opens that org's credentials incident (org-only routes); the other org works on its own token", async () => {
    const { api, url, getTrunk } = await start([{}, { clientSecret: 'not-the-globex-secret' }]);

    const [incident] = await eventually(() => {
      const found = incidentsWith(sims!, 'trunkgate:globex:credentials');
      expect(found).toHaveLength(1);
      return found;
    });
    expect(incident).toMatchObject({ instance: 'sn-a', fields: { assignment_group: 'Globex Access', urgency: '1' } });

    // acme (the default org too) calls Genesys with its own client: its trunks, not globex's.
    expect((await getTrunk('acme', ACME.twilio)).body).toMatchObject({ id: ACME.twilio, state: 'registered' });
    expect((await getTrunk(null, ACME.lumenPrimary)).status).toBe(200);
    expect((await getTrunk('acme', GLOBEX.twilio)).body.error).toMatchObject({ code: 'not_found' });
    const refused = await getTrunk('globex', GLOBEX.twilio);
    expect(refused.status).toBeGreaterThanOrEqual(500);
    expect(JSON.stringify(refused.body)).not.toContain('not-the-globex-secret');

    expect(stats('acme')).toMatchObject({ tokenRequests: 1, tokenFailures: 0 });
    expect(stats('globex').tokenFailures).toBeGreaterThanOrEqual(1);
    expect(stats('globex').apiCalls).toBe(0);
    const { body } = await api.get('/v1/credentials');
    const genesys = (body.upstreams as Array<{ name: string; connection: string; state: string }>).filter((u) => u.name === 'genesys');
    expect(genesys.map((u) => [u.connection, u.state === 'ok'])).toEqual([
      ['acme', true],
      ['globex', false],
    ]);
    expect(incidentsWith(sims!, 'trunkgate:acme:credentials')).toEqual([]);
    // Every replica would fail globex alike: /readyz shows it but keeps the replica serving acme.
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { checks: Record<string, unknown> }).checks).toMatchObject({
      'genesys-token:acme': { ok: true, advisory: true },
      'genesys-token:globex': { ok: false, advisory: true, detail: expect.stringContaining('invalid_client') },
      'servicenow-credentials:sn-a': { ok: true },
    });
  });

  it("a secret rotated in one org's Genesys (its tokens revoked) fails that org only; the other keeps its one token", async () => {
    const { getTrunk } = await start([{}, {}]);
    expect((await getTrunk('acme', ACME.twilio)).status).toBe(200);
    expect((await getTrunk('globex', GLOBEX.twilio)).status).toBe(200);
    const acmeTokens = stats('acme').tokenRequests;

    const globex = sims!.genesys.control.org('globex');
    globex.rotateClientSecret(orgClient('globex').clientId, 'rotated-in-genesys');
    globex.revokeTokens();
    expect((await getTrunk('globex', GLOBEX.twilio)).status).toBeGreaterThanOrEqual(500);
    const incident = await eventually(() => {
      const found = incidentsWith(sims!, 'trunkgate:globex:credentials');
      expect(found).toHaveLength(1);
      return found[0]!;
    });
    expect(incident.fields.description).toContain('trunkgate:globex:credentials');

    expect((await getTrunk('acme', ACME.lumenSecondary)).status).toBe(200);
    expect(stats('acme')).toMatchObject({ tokenRequests: acmeTokens, tokenFailures: 0, callsWithRevokedToken: 0 });
    expect(incidentsWith(sims!, 'trunkgate:acme:credentials')).toEqual([]);
  });

  it("one org's budget saturated (2 calls a minute) does not hold up the other org's calls", async () => {
    const off = { enabled: false };
    // Genesys allows acme's token 2 calls a minute (and says so in inin-ratelimit-allowed): a burst of 1.
    const { getTrunk } = await start([{ rateLimitPerMinute: 2, rateLimit: 2, monitor: off }, { monitor: off }], {
      ACTION_TIMEOUT_MS: '30000',
      SHUTDOWN_GRACE_MS: '0',
    });
    const waiting = () => metric(app!, 'trunkgate_pacing_waiting_calls', { upstream: 'genesys' });
    const acme = Array.from({ length: 5 }, () => getTrunk('acme', ACME.twilio).catch(() => undefined));
    // One goes out on the burst; four wait in acme's pacing queue for a minute's refill.
    await eventually(async () => expect(await waiting()).toBe(4));
    await eventually(() => expect(stats('acme').byRoute[TRUNK_ROUTE]).toBe(1));

    for (let i = 0; i < 10; i += 1) expect((await getTrunk('globex', GLOBEX.twilio)).status).toBe(200);

    expect(stats('globex').byRoute[TRUNK_ROUTE]).toBe(10);
    // Meanwhile acme's queue stayed as it was (four waiting, its one call the burst's): on a shared
    // budget, globex's calls would have queued behind them for a refill a minute away.
    expect(await waiting()).toBe(4);
    expect(stats('acme').byRoute[TRUNK_ROUTE]).toBe(1);
    expect(stats('acme').rateLimited).toBe(0);
    expect(await metric(app!, 'trunkgate_pacing_refused_total', { upstream: 'genesys' })).toBe(0);
    await app!.close();
    app = undefined;
    await Promise.all(acme);
  });
});
